{#- The shop's headline figures as of the as-of date (one row), over the customers with at least one sale order
    (fct_shop__customer_clv): customers, sale orders, net revenue (cancellations and returns deducted),
    average_order_value = revenue / sale orders, churned customers and churn_rate = churned / customers, and the
    median and mean CLV (the median is exact on DuckDB, approx_percentile on Athena). The mean CLV adds the values
    taken to 12 decimals as exact decimals: a sum of doubles depends on the order the rows come in. -#}
with

clv as (
    select * from {{ ref('fct_shop__customer_clv') }}
),

totals as (
    select
        max(as_of_date) as as_of_date,
        min(first_order_date) as first_order_date,
        max(last_order_date) as last_order_date,
        count(*) as customers,
        cast(sum(frequency) as bigint) as sale_orders,
        cast(sum(monetary) as decimal(18, 4)) as revenue,
        cast(sum(case when is_churned then 1 else 0 end) as bigint) as churned_customers,
        {{ tributary.median('clv') }} as median_clv,
        cast(sum(cast(clv as decimal(38, 12))) as double) / nullif(count(clv), 0) as mean_clv
    from clv
),

final as (
    select
        -- dimensions
        as_of_date,
        first_order_date,
        last_order_date,
        -- measures
        customers,
        sale_orders,
        revenue,
        cast(revenue as double) / nullif(sale_orders, 0) as average_order_value,
        churned_customers,
        cast(churned_customers as double) / nullif(customers, 0) as churn_rate,
        median_clv,
        mean_clv
    from totals
)

select * from final
