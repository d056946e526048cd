{#- One row per customer and order up to the as-of date (var shop_as_of_date; default the date of the latest sale
    order): the base of RFM, CLV, churn, cohorts and concentration. Orders without a customer are left out. -#}
with

orders as (
    select * from {{ ref('int_shop__orders') }}
),

as_of as (
    select
        {%- if var('shop_as_of_date') %}
            cast('{{ var("shop_as_of_date") }}' as date) as as_of_date
        {%- else %}
            max(case when order_kind = 'sale' then order_date end) as as_of_date
        {%- endif %}
    from orders
),

final as (
    select
        orders.customer_id,
        orders.order_id,
        orders.order_kind,
        orders.order_date,
        orders.revenue,
        as_of.as_of_date
    from orders
    cross join as_of
    where
        orders.customer_id is not null
        and orders.order_date <= as_of.as_of_date
)

select * from final
