{#- Stock-out risk per (product, region) as of a date, with every figure of the rule (DOMAINS.md §1). Ephemeral:
    fct_stock__risk (the risk now) and fct_stock__risk_history (one day of the history per run) both select it,
    each compiled with the run's vars, so a backfill (stock_as_of_date set) of the history alone computes
    that day without reading the current risk table.

    Default rule (var stock_risk_rule = 'rs_policy'), a periodic-review (R, S) policy per sub-category:
      demand            = units sold in the trailing window / the window's calendar days
      order_up_to_level = (R + L + safety) × demand
      on_hand           = S − units sold since the last review date (stock is refilled to S every R days;
                          review dates are stock_review_anchor_date + k × R), floored at 0; a snapshot from
                          stg_stock__inventory_snapshots wins: its on_hand − units sold after it
      days_of_cover     = on_hand / demand
      HIGH when cover < L, MEDIUM when cover < L + safety, LOW otherwise; no demand in the window → LOW.
    The original team's rule (stock_risk_rule = 'seed_rule') is computed alongside for comparison. -#}
{{ config(materialized='ephemeral') }}
{%- set rule = var('stock_risk_rule') -%}
{%- if rule not in ('rs_policy', 'seed_rule') -%}
    {{ exceptions.raise_compiler_error("var stock_risk_rule must be 'rs_policy' or 'seed_rule', not " ~ rule) }}
{%- endif -%}
{%- set window_days = var('stock_demand_window_days') | int -%}
{%- set as_of_literal = "cast('" ~ var('stock_as_of_date') ~ "' as date)" if var('stock_as_of_date') else "cast(null as date)" -%}
{%- if window_days < 1 -%}
    {{ exceptions.raise_compiler_error("var stock_demand_window_days must be at least 1") }}
{%- endif -%}

with

-- one row per product, region and sale day: every sum below is over days, never over the order lines
daily as (
    select * from {{ ref('int_stock__pair_daily_sales') }}
),

products as (
    select * from {{ ref('int_stock__products') }}
),

policies as (
    select * from {{ ref('stock_inventory_policy') }}
),

default_policy as (
    select * from policies
    where sub_category = '(default)'
),

snapshots as (
    select * from {{ ref('stg_stock__inventory_snapshots') }}
),

as_of as (
    select coalesce({{ as_of_literal }}, max(sale_date)) as as_of_date
    from daily
),

windowed as (
    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1 - window_days, 'as_of_date') }} as date) as window_start_date
    from as_of
),

days_to_date as (
    select daily.*
    from daily
    cross join as_of
    where daily.sale_date <= as_of.as_of_date
),

pairs as (
    select
        days_to_date.product_id,
        days_to_date.region,
        count(*) as sale_days,
        cast(sum(days_to_date.quantity) as bigint) as units_to_date
    from days_to_date
    group by days_to_date.product_id, days_to_date.region
),

pair_policies as (
    select
        pairs.*,
        products.product_name,
        products.sub_category,
        coalesce(own_policy.review_period_days, default_policy.review_period_days) as review_period_days,
        coalesce(own_policy.lead_time_days, default_policy.lead_time_days) as lead_time_days,
        coalesce(own_policy.safety_days, default_policy.safety_days) as safety_days,
        coalesce(own_policy.sub_category, default_policy.sub_category) as policy_sub_category
    from pairs
    left join products on pairs.product_id = products.product_id
    left join policies as own_policy on products.sub_category = own_policy.sub_category
    cross join default_policy
),

review_dates as (
    select
        pair_policies.*,
        windowed.as_of_date,
        windowed.window_start_date,
        cast({{ dbt.dateadd(
            'day',
            '-mod(' ~ dbt.datediff("cast('" ~ var('stock_review_anchor_date') ~ "' as date)", 'windowed.as_of_date', 'day')
                ~ ', pair_policies.review_period_days)',
            'windowed.as_of_date'
        ) }} as date) as last_review_date
    from pair_policies
    cross join windowed
),

latest_snapshot as (
    select
        snapshots.product_id,
        snapshots.region,
        snapshots.as_of_date as snapshot_date,
        snapshots.on_hand as snapshot_on_hand,
        row_number() over (
            partition by snapshots.product_id, snapshots.region order by snapshots.as_of_date desc
        ) as recency
    from snapshots
    cross join as_of
    where snapshots.as_of_date <= as_of.as_of_date
),

with_snapshot as (
    select
        review_dates.*,
        latest_snapshot.snapshot_date,
        latest_snapshot.snapshot_on_hand
    from review_dates
    left join latest_snapshot
        on
            review_dates.product_id = latest_snapshot.product_id
            and review_dates.region = latest_snapshot.region
            and latest_snapshot.recency = 1
),

sold as (
    select
        with_snapshot.product_id,
        with_snapshot.region,
        cast(sum(
            case when days_to_date.sale_date >= with_snapshot.window_start_date then days_to_date.quantity else 0 end
        ) as bigint) as units_in_window,
        cast(sum(
            case when days_to_date.sale_date >= with_snapshot.last_review_date then days_to_date.quantity else 0 end
        ) as bigint) as units_since_review,
        cast(sum(
            case when days_to_date.sale_date > with_snapshot.snapshot_date then days_to_date.quantity else 0 end
        ) as bigint) as units_since_snapshot
    from with_snapshot
    inner join days_to_date
        on
            with_snapshot.product_id = days_to_date.product_id
            and with_snapshot.region = days_to_date.region
    group by with_snapshot.product_id, with_snapshot.region
),

figures as (
    select
        with_snapshot.*,
        sold.units_in_window,
        sold.units_since_review,
        sold.units_since_snapshot,
        cast(sold.units_in_window as double) / {{ window_days }} as demand_per_day,
        (with_snapshot.review_period_days + with_snapshot.lead_time_days + with_snapshot.safety_days)
        * cast(sold.units_in_window as double) / {{ window_days }} as order_up_to_level
    from with_snapshot
    inner join sold
        on with_snapshot.product_id = sold.product_id and with_snapshot.region = sold.region
),

on_hand as (
    select
        *,
        greatest(order_up_to_level - units_since_review, 0) as estimated_on_hand,
        case
            when snapshot_date is not null then greatest(snapshot_on_hand - units_since_snapshot, 0)
            else greatest(order_up_to_level - units_since_review, 0)
        end as on_hand,
        case when snapshot_date is not null then 'inventory_snapshot' else 'policy_estimate' end as on_hand_source,
        -- the original team's rule
        cast(units_to_date as double) / sale_days as seed_rule_avg_daily_sales
    from figures
),

classified as (
    select
        *,
        case when demand_per_day > 0 then on_hand / demand_per_day end as days_of_cover,
        {{ var('stock_seed_rule_estimated_stock') }} / seed_rule_avg_daily_sales as seed_rule_days_remaining
    from on_hand
),

rules as (
    select
        *,
        case
            when demand_per_day = 0 then 'LOW'
            when days_of_cover < lead_time_days then 'HIGH'
            when days_of_cover < lead_time_days + safety_days then 'MEDIUM'
            else 'LOW'
        end as policy_risk_level,
        case
            when demand_per_day = 0 then 'no_recent_demand'
            when days_of_cover < lead_time_days then 'cover_below_lead_time'
            when days_of_cover < lead_time_days + safety_days then 'cover_below_lead_time_plus_safety'
            else 'cover_sufficient'
        end as policy_risk_reason,
        case
            when seed_rule_days_remaining < {{ var('stock_seed_rule_high_days') }} then 'HIGH'
            when seed_rule_days_remaining < {{ var('stock_seed_rule_medium_days') }} then 'MEDIUM'
            else 'LOW'
        end as seed_rule_risk_level
    from classified
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
        '{{ rule }}' as risk_rule,
        case
            when '{{ rule }}' = 'rs_policy' then policy_risk_level else seed_rule_risk_level
        end as risk_level,
        case
            when '{{ rule }}' = 'rs_policy' then policy_risk_reason
            else 'seed_rule_days_remaining_' || lower(seed_rule_risk_level)
        end as risk_reason
    from rules
)

select * from final
