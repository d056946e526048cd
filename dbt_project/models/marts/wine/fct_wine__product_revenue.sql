{#- Revenue and price segment per joined product. revenue = price × total_sales; price_zscore = (price − mean) / σ
    over the joined products, σ the population standard deviation; premium when the z-score is above the var
    wine_premium_zscore_threshold (default 2), ordinary otherwise. The mean and σ come from exact decimal sums
    (n, Σ price, Σ price²; σ² = (n Σ price² − (Σ price)²) / n²), so they do not depend on the order the rows
    come in (a sum of doubles computed in parallel can differ in its last bit from one build to the next); they
    and the z-score are rounded to 6 decimals, the precision they are shown and compared at (σ 30, not
    30.000000000000004). -#}
with

products as (
    select * from {{ ref('int_wine__products') }}
),

price_sums as (
    select
        count(price) as priced_products,
        sum(price) as price_sum,
        sum(price * price) as price_sum_of_squares
    from products
),

price_stats as (
    select
        round(cast(price_sum as double) / nullif(priced_products, 0), 6) as price_mean,
        round(
            sqrt(
                cast(priced_products * price_sum_of_squares - price_sum * price_sum as double)
                / nullif(cast(priced_products as double) * priced_products, 0)
            ),
            6
        ) as price_stddev
    from price_sums
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
