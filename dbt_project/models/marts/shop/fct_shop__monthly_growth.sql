{#- Month-over-month growth of net revenue: one row per calendar month with orders. growth_rate =
    (revenue − previous_month_revenue) / previous_month_revenue, NULL when the previous calendar month has no
    order or a revenue ≤ 0. -#}
with

orders as (
    select * from {{ ref('int_shop__orders') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start,
        extract(year from order_date) * 12 + extract(month from order_date) as month_index,
        count(distinct case when order_kind = 'sale' then order_id end) as sale_orders,
        count(distinct case when order_kind = 'sale' then customer_id end) as customers,
        cast(sum(revenue) as decimal(18, 4)) as revenue
    from orders
    group by
        {{ dbt.date_trunc('month', 'order_date') }},
        extract(year from order_date) * 12 + extract(month from order_date)
),

final as (
    select
        monthly.month_start,
        monthly.sale_orders,
        monthly.customers,
        monthly.revenue,
        previous.revenue as previous_month_revenue,
        case
            when previous.revenue > 0
                then cast(monthly.revenue - previous.revenue as double) / cast(previous.revenue as double)
        end as growth_rate
    from monthly
    left join monthly as previous on monthly.month_index = previous.month_index + 1
)

select * from final
