with

order_lines as (
    select * from {{ ref('int_stock__order_lines') }}
),

products as (
    select * from {{ ref('int_stock__products') }}
),

daily as (
    select
        order_date as sale_date,
        product_id,
        region,
        count(*) as order_lines,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(sales) as decimal(18, 4)) as sales
    from order_lines
    group by order_date, product_id, region
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
