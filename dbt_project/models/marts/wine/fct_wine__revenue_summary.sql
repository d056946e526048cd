{#- The totals of fct_wine__product_revenue: one row, also when no product joins (zero counts). -#}
with

product_revenue as (
    select * from {{ ref('fct_wine__product_revenue') }}
),

final as (
    select
        -- measures
        count(*) as products,
        coalesce(sum(total_sales), 0) as units,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(case when is_premium then 1 else 0 end), 0) as premium_products,
        coalesce(sum(case when is_premium then 0 else 1 end), 0) as ordinary_products,
        max(price_mean) as price_mean,
        max(price_stddev) as price_stddev,
        cast({{ var('wine_premium_zscore_threshold') }} as double) as premium_zscore_threshold
    from product_revenue
)

select * from final
