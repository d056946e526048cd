{#- Premium vs ordinary products (fct_wine__product_revenue), one row per segment that has products: products,
    units, revenue, share_of_revenue = revenue / the revenue of both (NULL when it is 0), and average_price, the
    mean price of the segment's products. -#}
with

product_revenue as (
    select * from {{ ref('fct_wine__product_revenue') }}
),

segments as (
    select
        case when is_premium then 'premium' else 'ordinary' end as segment,
        count(*) as products,
        sum(total_sales) as units,
        sum(revenue) as revenue,
        avg(price) as average_price
    from product_revenue
    group by case when is_premium then 'premium' else 'ordinary' end
),

totals as (
    select sum(revenue) as all_revenue
    from segments
),

final as (
    select
        -- ids
        segments.segment,
        -- measures
        segments.products,
        segments.units,
        segments.revenue,
        cast(segments.revenue as double) / nullif(totals.all_revenue, 0) as share_of_revenue,
        segments.average_price
    from segments
    cross join totals
)

select * from final
