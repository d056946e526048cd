with

checked as (
    select * from {{ ref('base_shop__orders') }}
),

final as (
    select
        -- ids
        order_id,
        client_id,
        -- dimensions
        ordered_at,
        product,
        -- measures
        amount,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
