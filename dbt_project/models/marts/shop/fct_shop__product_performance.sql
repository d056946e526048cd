{#- Performance per product: sale orders, units sold and returned (cancellations and returns), net revenue, its
    share of the total and its rank (1 = highest revenue; ties by product_id), distinct customers. -#}
with

order_lines as (
    select * from {{ ref('int_shop__order_lines') }}
),

products as (
    select * from {{ ref('dim_shop__products') }}
),

by_product as (
    select
        product_id,
        count(distinct case when line_type = 'sale' then order_id end) as sale_orders,
        cast(sum(case when line_type = 'sale' then quantity else 0 end) as bigint) as units_sold,
        -cast(sum(case when line_type != 'sale' then quantity else 0 end) as bigint) as units_returned,
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        count(distinct case when line_type = 'sale' then customer_id end) as customers
    from order_lines
    group by product_id
),

final as (
    select
        -- ids
        by_product.product_id,
        -- dimensions
        products.product_name,
        -- measures
        by_product.sale_orders,
        by_product.units_sold,
        by_product.units_returned,
        by_product.customers,
        by_product.revenue,
        -- the total is an exact decimal sum: a sum of doubles depends on the order the rows come in
        cast(by_product.revenue as double)
        / nullif(cast(sum(by_product.revenue) over () as double), 0) as revenue_share,
        row_number() over (order by by_product.revenue desc, by_product.product_id asc) as revenue_rank
    from by_product
    left join products on by_product.product_id = products.product_id
)

select * from final
