{#- One row per segment of the current scores: its size, its customers' average recency, frequency and monetary
    value, its revenue, and its churn risk (mean probability, customers at risk). Shares are of all scored
    customers (customers) and of their total net revenue (revenue; NULL when that total is not positive). -#}
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
        avg(cast(recency_days as double)) as average_recency_days,
        avg(cast(frequency as double)) as average_frequency,
        avg(cast(monetary as double)) as average_monetary,
        sum(monetary) as revenue,
        avg(churn_probability) as average_churn_probability,
        sum(case when is_at_risk then 1 else 0 end) as customers_at_risk,
        sum(case when is_churned_by_rule then 1 else 0 end) as customers_churned_by_rule
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
