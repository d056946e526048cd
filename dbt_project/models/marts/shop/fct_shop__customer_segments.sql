{#- One row per segment of the current scores: its size, its customers' average recency, frequency and monetary
    value, its revenue, and its churn risk (mean probability, customers at risk). Shares are of all scored
    customers (customers) and of their total net revenue (revenue; NULL when that total is not positive).
    Averages are exact sums divided by a count: integers and decimals summed as such, the churn probabilities taken
    to 12 decimals and summed as decimals, so that the result does not depend on the order the rows come in (a
    sum of doubles computed in parallel can differ in its last bit from one build to the next). -#}
with

scores as (
    select * from {{ ref('fct_shop__customer_scores') }}
),

segments as (
    select
        model_version,
        as_of_date,
        segment_id,
        segment,
        count(*) as customers,
        cast(sum(recency_days) as double) / nullif(count(recency_days), 0) as average_recency_days,
        cast(sum(frequency) as double) / nullif(count(frequency), 0) as average_frequency,
        cast(sum(monetary) as double) / nullif(count(monetary), 0) as average_monetary,
        cast(sum(monetary) as decimal(18, 4)) as revenue,
        cast(sum(cast(churn_probability as decimal(38, 12))) as double)
        / nullif(count(churn_probability), 0) as average_churn_probability,
        cast(sum(case when is_at_risk then 1 else 0 end) as bigint) as customers_at_risk,
        cast(sum(case when is_churned_by_rule then 1 else 0 end) as bigint) as customers_churned_by_rule
    from scores
    group by model_version, as_of_date, segment_id, segment
),

totals as (
    select
        sum(customers) as customers,
        sum(revenue) as revenue
    from segments
),

final as (
    select
        -- ids
        segments.model_version,
        segments.segment_id,
        -- dimensions
        segments.segment,
        segments.as_of_date,
        -- size and value
        segments.customers,
        cast(segments.customers as double) / totals.customers as share_of_customers,
        segments.average_recency_days,
        segments.average_frequency,
        segments.average_monetary,
        segments.revenue,
        case when totals.revenue > 0 then cast(segments.revenue as double) / totals.revenue end as share_of_revenue,
        -- churn risk
        segments.average_churn_probability,
        segments.customers_at_risk,
        cast(segments.customers_at_risk as double) / segments.customers as share_at_risk,
        segments.customers_churned_by_rule
    from segments
    cross join totals
)

select * from final
