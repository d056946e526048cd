{#- Historical customer lifetime value and churn per customer, as of the same date as RFM.
    clv = average_order_value × orders_per_month × var shop_clv_lifespan_months, where
    average_order_value = net revenue / sale orders and orders_per_month = sale orders / active_months,
    active_months = calendar months from the month of the first order to the as-of month, both counted.
    churned = no sale order in the var shop_churn_days days up to the as-of date (recency_days >= N). -#}
with

summary as (
    select * from {{ ref('int_shop__customer_summary') }}
),

measured as (
    select
        *,
        (extract(year from as_of_date) * 12 + extract(month from as_of_date))
        - (extract(year from first_order_date) * 12 + extract(month from first_order_date))
        + 1 as active_months,
        cast(monetary as double) / frequency as average_order_value
    from summary
),

final as (
    select
        -- ids
        customer_id,
        -- dimensions
        as_of_date,
        first_order_date,
        last_order_date,
        -- measures
        recency_days,
        frequency,
        monetary,
        active_months,
        average_order_value,
        cast(frequency as double) / active_months as orders_per_month,
        {{ var('shop_clv_lifespan_months') }} as lifespan_months,
        average_order_value
        * (cast(frequency as double) / active_months)
        * {{ var('shop_clv_lifespan_months') }} as clv,
        -- churn
        {{ var('shop_churn_days') }} as churn_days,
        recency_days >= {{ var('shop_churn_days') }} as is_churned
    from measured
)

select * from final
