{#- Revenue and price segment per joined product. revenue = price × total_sales; price_zscore = (price − mean) / σ
    over the joined products, σ the population standard deviation; premium when the z-score is above the var
    wine_premium_zscore_threshold (default 2), ordinary otherwise. The statistics are rounded to 6 decimals
    before the comparison: a parallel float sum can differ in the last bit from run to run (σ 30 computed as
    30.000000000000004), and the segment must not. -#}
with

products as (
    select * from {{ ref('int_wine__products') }}
),

price_stats as (
    select
        round(avg(cast(price as double)), 6) as price_mean,
        round(stddev_pop(cast(price as double)), 6) as price_stddev
    from products
),

scored as (
    select
        products.*,
        price_stats.price_mean,
        price_stats.price_stddev,
        round(
            (cast(products.price as double) - price_stats.price_mean)
            / nullif(price_stats.price_stddev, 0),
            6
        ) as price_zscore
    from products
    cross join price_stats
),

final as (
    select
        -- ids
        product_id,
        sku,
        -- dimensions
        title,
        coalesce(price_zscore > {{ var('wine_premium_zscore_threshold') }}, false) as is_premium,
        -- measures
        price,
        total_sales,
        price * total_sales as revenue,
        price_zscore,
        price_mean,
        price_stddev
    from scored
)

select * from final
