{#- One row per customer with at least one sale order up to the as-of date: the figures RFM and CLV share.
    frequency counts sale orders (not cancellations or returns); monetary is net revenue (cancellations and
    returns deducted); recency_days = as-of date − date of the latest sale order. -#}
with

customer_orders as (
    select * from {{ ref('int_shop__customer_orders') }}
),

summary as (
    select
        customer_id,
        max(as_of_date) as as_of_date,
        min(case when order_kind = 'sale' then order_date end) as first_order_date,
        max(case when order_kind = 'sale' then order_date end) as last_order_date,
        count(distinct case when order_kind = 'sale' then order_id end) as frequency,
        cast(sum(revenue) as decimal(18, 4)) as monetary
    from customer_orders
    group by customer_id
),

final as (
    select
        customer_id,
        as_of_date,
        first_order_date,
        last_order_date,
        {{ dbt.datediff('last_order_date', 'as_of_date', 'day') }} as recency_days,  -- noqa: LT05
        frequency,
        monetary
    from summary
    where frequency > 0
)

select * from final
