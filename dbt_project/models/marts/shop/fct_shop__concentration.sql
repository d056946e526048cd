{#- Revenue concentration over customers with a positive net revenue up to the as-of date (one row), read from
    the Pareto curve (fct_shop__pareto_curve: customers by revenue, highest first, ties by customer_id).
    customers_for_pareto_share = the smallest number of them whose cumulative revenue reaches var
    shop_pareto_share (0.8) of the total; share_of_customers = that number / customers.
    gini = Σ (2i − n − 1) · x_i / (n · Σ x) over revenues x sorted ascending, i = 1…n, where the ascending rank
    i is n + 1 − revenue_rank (0 = everyone spends the same, → 1 = one customer makes all the revenue; 1, 2, 3, 4
    gives 0.25). Every sum is of exact decimals (revenues, and revenues times integer weights), turned into a double
    only for the last division: a sum of doubles depends on the order the rows come in. -#}
with

curve as (
    select * from {{ ref('fct_shop__pareto_curve') }}
),

final as (
    select
        max(as_of_date) as as_of_date,
        count(*) as customers,
        max(total_revenue) as total_revenue,
        cast({{ var('shop_pareto_share') }} as double) as pareto_share,
        cast(sum(
            case
                when cumulative_revenue - revenue < {{ var('shop_pareto_share') }} * total_revenue then 1 else 0
            end
        ) as bigint) as customers_for_pareto_share,
        cast(
            sum(
                case
                    when cumulative_revenue - revenue < {{ var('shop_pareto_share') }} * total_revenue then 1 else 0
                end
            ) as double
        ) / nullif(count(*), 0) as share_of_customers,
        cast(sum((customers + 1 - 2 * revenue_rank) * revenue) as double)
        / nullif(cast(max(customers) as double) * cast(max(total_revenue) as double), 0) as gini
    from curve
)

select * from final
