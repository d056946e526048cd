{#- The totals of fct_wine__product_revenue: one row, also when no product joins (zero counts), with the premium
    vs ordinary split: units, revenue, each segment's share of the revenue (NULL when the revenue is 0) and mean
    price (NULL without a product in the segment), divided from exact decimal sums (a sum of doubles depends on
    the order the rows come in). -#}
with

product_revenue as (
    select * from {{ ref('fct_wine__product_revenue') }}
),

totals as (
    select
        count(*) as products,
        cast(coalesce(sum(total_sales), 0) as bigint) as units,
        cast(coalesce(sum(revenue), 0) as decimal(18, 4)) as revenue,
        cast(coalesce(sum(case when is_premium then 1 else 0 end), 0) as bigint) as premium_products,
        cast(coalesce(sum(case when is_premium then 0 else 1 end), 0) as bigint) as ordinary_products,
        max(price_mean) as price_mean,
        max(price_stddev) as price_stddev,
        cast(coalesce(sum(case when is_premium then total_sales else 0 end), 0) as bigint) as premium_units,
        cast(coalesce(sum(case when is_premium then 0 else total_sales end), 0) as bigint) as ordinary_units,
        cast(coalesce(sum(case when is_premium then revenue else 0 end), 0) as decimal(18, 4)) as premium_revenue,
        cast(coalesce(sum(case when is_premium then 0 else revenue end), 0) as decimal(18, 4)) as ordinary_revenue,
        cast(sum(case when is_premium then price end) as double)
        / nullif(count(case when is_premium then price end), 0) as premium_price_mean,
        cast(sum(case when is_premium then null else price end) as double)
        / nullif(count(case when is_premium then null else price end), 0) as ordinary_price_mean
    from product_revenue
),

final as (
    select
        -- measures
        products,
        units,
        revenue,
        premium_products,
        ordinary_products,
        price_mean,
        price_stddev,
        cast({{ var('wine_premium_zscore_threshold') }} as double) as premium_zscore_threshold,
        -- premium vs ordinary
        premium_units,
        ordinary_units,
        premium_revenue,
        ordinary_revenue,
        cast(premium_revenue as double) / nullif(revenue, 0) as premium_revenue_share,
        cast(ordinary_revenue as double) / nullif(revenue, 0) as ordinary_revenue_share,
        premium_price_mean,
        ordinary_price_mean
    from totals
)

select * from final
