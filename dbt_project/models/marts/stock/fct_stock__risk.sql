{#- The stock-out risk per (product, region) now: the rule of int_stock__risk as of var stock_as_of_date
    (default the latest sale), rebuilt whole at every run. Its daily history is fct_stock__risk_history. -#}
with

risk as (
    select * from {{ ref('int_stock__risk') }}
),

final as (
    select
        -- ids
        product_id,
        region,
        -- dimensions
        product_name,
        sub_category,
        policy_sub_category,
        as_of_date,
        window_start_date,
        last_review_date,
        snapshot_date,
        on_hand_source,
        -- policy parameters
        review_period_days,
        lead_time_days,
        safety_days,
        -- measures
        units_in_window,
        demand_per_day,
        order_up_to_level,
        units_since_review,
        estimated_on_hand,
        snapshot_on_hand,
        units_since_snapshot,
        on_hand,
        days_of_cover,
        seed_rule_avg_daily_sales,
        seed_rule_days_remaining,
        seed_rule_risk_level,
        -- the rule in force
        risk_rule,
        risk_level,
        risk_reason
    from risk
)

select * from final
