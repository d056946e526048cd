{#- One row per RFM segment (fct_shop__customer_rfm): its customers and their share of all RFM customers, their
    net revenue and its share of the total, and the segment's mean recency, frequency and revenue per customer.
    Shares are NULL when their total is 0. Means are exact sums divided at the end (a sum of doubles depends on
    the order the rows come in). -#}
with

rfm as (
    select * from {{ ref('fct_shop__customer_rfm') }}
),

segments as (
    select
        segment,
        max(as_of_date) as as_of_date,
        count(*) as customers,
        cast(sum(monetary) as decimal(18, 4)) as revenue,
        cast(sum(recency_days) as double) / count(*) as average_recency_days,
        cast(sum(frequency) as double) / count(*) as average_frequency,
        cast(sum(monetary) as double) / count(*) as average_revenue
    from rfm
    group by segment
),

totals as (
    select
        cast(sum(customers) as bigint) as all_customers,
        sum(revenue) as all_revenue
    from segments
),

final as (
    select
        -- ids
        segments.segment,
        -- dimensions
        segments.as_of_date,
        -- measures
        segments.customers,
        cast(segments.customers as double) / nullif(totals.all_customers, 0) as share_of_customers,
        segments.revenue,
        cast(segments.revenue as double) / nullif(totals.all_revenue, 0) as share_of_revenue,
        segments.average_recency_days,
        segments.average_frequency,
        segments.average_revenue
    from segments
    cross join totals
)

select * from final
