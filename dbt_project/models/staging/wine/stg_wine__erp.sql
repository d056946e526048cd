with

checked as (
    select * from {{ ref('base_wine__erp') }}
),

final as (
    select
        -- ids
        product_id,
        -- dimensions
        is_onsale_web,
        stock_status,
        -- measures
        price,
        stock_quantity,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
