{#- The Pareto (concentration) curve: customers with a positive net revenue up to the as-of date, highest revenue
    first (ties by customer_id), each with the cumulative share of the revenue that they and every customer
    before them make. share_of_customers = revenue_rank / customers; cumulative_revenue_share = cumulative
    revenue / total revenue. fct_shop__concentration reads its Pareto count and Gini from these rows.
    Revenues are summed as exact decimals: a running sum of doubles depends on the order the rows come in. -#}
with

summary as (
    select * from {{ ref('int_shop__customer_summary') }}
),

positive as (
    select
        customer_id,
        as_of_date,
        monetary as revenue
    from summary
    where monetary > 0
),

ranked as (
    select
        *,
        row_number() over (order by revenue desc, customer_id asc) as revenue_rank,
        sum(revenue) over (
            order by revenue desc, customer_id asc
            rows between unbounded preceding and current row
        ) as cumulative_revenue,
        count(*) over () as customers,
        sum(revenue) over () as total_revenue
    from positive
),

final as (
    select
        -- ids
        customer_id,
        -- dimensions
        as_of_date,
        revenue_rank,
        -- measures
        revenue,
        cast(cumulative_revenue as decimal(18, 4)) as cumulative_revenue,
        customers,
        cast(total_revenue as decimal(18, 4)) as total_revenue,
        cast(revenue_rank as double) / customers as share_of_customers,
        cast(cumulative_revenue as double) / cast(total_revenue as double) as cumulative_revenue_share
    from ranked
)

select * from final
