{#- Revenue and price segment per joined product. revenue = price × total_sales; price_zscore = (price − mean) / σ
    over the joined products, σ the population standard deviation; premium when the z-score is above the var
    wine_premium_zscore_threshold (default 2), ordinary otherwise. -#}
with

products as (
    select * from {{ ref('int_wine__products') }}
),

price_stats as (
    select
        avg(cast(price as double)) as price_mean,
        stddev_pop(cast(price as double)) as price_stddev
    from products
),

scored as (
    select
        products.*,
        price_stats.price_mean,
        price_stats.price_stddev,
        (cast(products.price as double) - price_stats.price_mean)
        / nullif(price_stats.price_stddev, 0) as price_zscore
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
