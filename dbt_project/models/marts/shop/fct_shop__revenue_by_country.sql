{#- Revenue per country (the Online Retail line's country; the client's country for achats.csv), with its share
    of the total. Orders of a client without a country fall under NULL. -#}
with

orders as (
    select * from {{ ref('int_shop__orders') }}
),

by_country as (
    select
        country,
        count(distinct case when order_kind = 'sale' then order_id end) as sale_orders,
        count(distinct case when order_kind = 'sale' then customer_id end) as customers,
        cast(sum(revenue) as decimal(18, 4)) as revenue
    from orders
    group by country
),

final as (
    select
        country,
        sale_orders,
        customers,
        revenue,
        -- the total is an exact decimal sum: a sum of doubles depends on the order the rows come in
        cast(revenue as double) / nullif(cast(sum(revenue) over () as double), 0) as revenue_share
    from by_country
)

select * from final
