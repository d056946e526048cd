{#- Seasonality of net revenue by month of the year (1–12), ISO day of the week (1 = Monday … 7 = Sunday) and
    hour of the day (0–23; achats.csv dates without a time count at hour 0): sale orders, revenue, its share of
    the total, and revenue per sale order. -#}
with

orders as (
    select * from {{ ref('int_shop__orders') }}
),

{% set dimensions = {
    'month': 'extract(month from ordered_at)',
    'weekday': tributary.iso_day_of_week('ordered_at'),
    'hour': 'extract(hour from ordered_at)',
} %}

by_dimension as (
    {% for name, expr in dimensions.items() %}
        select
            '{{ name }}' as season_type,
            cast({{ expr }} as integer) as season_value,
            count(distinct case when order_kind = 'sale' then order_id end) as sale_orders,
            cast(sum(revenue) as decimal(18, 4)) as revenue
        from orders
        group by {{ expr }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        season_type,
        season_value,
        sale_orders,
        revenue,
        -- the total is an exact decimal sum: a sum of doubles depends on the order the rows come in
        cast(revenue as double)
        / nullif(cast(sum(revenue) over (partition by season_type) as double), 0) as revenue_share,
        cast(revenue as double) / nullif(sale_orders, 0) as revenue_per_sale_order
    from by_dimension
)

select * from final
