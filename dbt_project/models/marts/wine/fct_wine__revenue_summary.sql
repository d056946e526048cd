{#- The totals of fct_wine__product_revenue: one row, also when no product joins (zero counts). -#}
with

product_revenue as (
    select * from {{ ref('fct_wine__product_revenue') }}
),

final as (
    select
        -- measures
        count(*) as products,
        cast(coalesce(sum(total_sales), 0) as bigint) as units,
        cast(coalesce(sum(revenue), 0) as decimal(18, 4)) as revenue,
        cast(coalesce(sum(case when is_premium then 1 else 0 end), 0) as bigint) as premium_products,
        cast(coalesce(sum(case when is_premium then 0 else 1 end), 0) as bigint) as ordinary_products,
        max(price_mean) as price_mean,
        max(price_stddev) as price_stddev,
        cast({{ var('wine_premium_zscore_threshold') }} as double) as premium_zscore_threshold
    from product_revenue
)

select * from final
