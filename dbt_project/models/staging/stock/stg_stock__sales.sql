with

checked as (
    select * from {{ ref('base_stock__sales') }}
),

final as (
    select
        -- ids
        row_id,
        order_id,
        customer_id,
        product_id,
        -- dimensions
        order_date,
        ship_date,
        ship_mode,
        customer_name,
        segment,
        country,
        city,
        state,
        postal_code,
        region,
        category,
        sub_category,
        product_name,
        -- measures
        quantity,
        sales,
        discount,
        profit,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
