with

daily as (
    select * from {{ ref('int_stock__pair_daily_sales') }}
),

products as (
    select * from {{ ref('int_stock__products') }}
),

final as (
    select
        -- ids
        daily.sale_date,
        daily.product_id,
        daily.region,
        -- dimensions
        products.product_name,
        products.category,
        products.sub_category,
        -- measures
        daily.order_lines,
        daily.quantity,
        daily.sales
    from daily
    left join products on daily.product_id = products.product_id
)

select * from final
