with

checked as (
    select * from {{ ref('base_stock__sales_events') }}
),

final as (
    select
        -- ids
        order_id,
        product_id,
        -- dimensions
        product_name,
        region,
        event_time,
        -- measures
        quantity,
        sales,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
