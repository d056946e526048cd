{#- Revenue per day, ISO week (starting Monday), month and hour: one row per grain and period start. Net revenue
    (cancellations and returns deducted), sale orders and distinct customers with a sale order. -#}
with

orders as (
    select * from {{ ref('int_shop__orders') }}
),

{% set grains = {'day': 'day', 'iso_week': 'week', 'month': 'month', 'hour': 'hour'} %}

by_grain as (
    {% for grain, part in grains.items() %}
        select
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(part, 'ordered_at') }} as timestamp) as period_start,
            count(distinct case when order_kind = 'sale' then order_id end) as sale_orders,
            count(distinct case when order_kind = 'sale' then customer_id end) as customers,
            cast(sum(revenue) as decimal(18, 4)) as revenue
        from orders
        group by {{ dbt.date_trunc(part, 'ordered_at') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select * from by_grain
)

select * from final
