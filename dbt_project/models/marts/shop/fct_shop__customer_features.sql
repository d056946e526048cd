{#- The features of the segmentation and churn model (ml/, docs/shop-ml.md): one row per customer and snapshot date.
    Snapshots: the month ends of the var shop_features_months months before the as-of date (var shop_as_of_date,
    default the latest sale order), and the as-of date itself. A row describes the customer as the shop saw it
    at the end of its snapshot date, from the orders up to that date only, so a model trained on an earlier
    snapshot never sees the future. Customers with at least one sale order up to the snapshot.
    is_churned_by_rule: the existing rule (no sale order in var shop_churn_days days) at the snapshot date.
    The label: is_churned_in_horizon = no sale order in the var shop_churn_horizon_days days after the snapshot;
    NULL when those days are not all observed yet (the snapshot + horizon is after the as-of date). -#}
{%- set horizon_days = var('shop_churn_horizon_days') | int -%}
{%- set recent_days = var('shop_features_recent_days') | int -%}
{%- set months = var('shop_features_months') | int -%}
with

customer_orders as (
    select * from {{ ref('int_shop__customer_orders') }}
),

customers as (
    select * from {{ ref('dim_shop__customers') }}
),

calendar as (
    select * from {{ ref('dim_shop__dates') }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from customer_orders
),

snapshots as (
    -- month ends before the as-of date, within the last `months` months
    select calendar.date_day as snapshot_date
    from calendar
    cross join as_of
    where
        extract(day from {{ dbt.dateadd('day', 1, 'calendar.date_day') }}) = 1
        and calendar.date_day < as_of.as_of_date
        and calendar.date_day >= cast({{ dbt.dateadd('month', -months, 'as_of.as_of_date') }} as date)

    union all

    select as_of_date as snapshot_date
    from as_of
    where as_of_date is not null
),

windowed as (
    -- each snapshot with the orders up to it (history) and in the horizon after it (the label)
    select
        snapshots.snapshot_date,
        customer_orders.customer_id,
        customer_orders.order_kind,
        customer_orders.order_date,
        customer_orders.revenue,
        customer_orders.order_date <= snapshots.snapshot_date as is_history,
        customer_orders.order_date
        > cast({{ dbt.dateadd('day', -recent_days, 'snapshots.snapshot_date') }} as date) as is_recent
    from snapshots
    inner join customer_orders
        on customer_orders.order_date <= cast({{ dbt.dateadd('day', horizon_days, 'snapshots.snapshot_date') }} as date)
),

aggregated as (
    -- int_shop__customer_orders holds one row per order: counting rows counts orders
    select
        snapshot_date,
        customer_id,
        min(case when is_history and order_kind = 'sale' then order_date end) as first_order_date,
        max(case when is_history and order_kind = 'sale' then order_date end) as last_order_date,
        cast(sum(case when is_history and order_kind = 'sale' then 1 else 0 end) as bigint) as frequency,
        cast(sum(case when is_history then 1 else 0 end) as bigint) as orders,
        cast(sum(case when is_history and order_kind != 'sale' then 1 else 0 end) as bigint) as returned_orders,
        cast(sum(case when is_history then revenue else 0 end) as decimal(18, 4)) as monetary,
        cast(
            sum(case when is_history and is_recent and order_kind = 'sale' then 1 else 0 end) as bigint
        ) as recent_orders,
        cast(sum(case when is_history and is_recent then revenue else 0 end) as decimal(18, 4)) as recent_revenue,
        cast(sum(case when not is_history and order_kind = 'sale' then 1 else 0 end) as bigint) as orders_in_horizon
    from windowed
    group by snapshot_date, customer_id
),

measured as (
    select
        aggregated.*,
        as_of.as_of_date as current_as_of_date,
        {{ dbt.datediff('aggregated.last_order_date', 'aggregated.snapshot_date', 'day') }} as recency_days,  -- noqa: LT05
        {{ dbt.datediff('aggregated.first_order_date', 'aggregated.snapshot_date', 'day') }} as tenure_days,  -- noqa: LT05
        {{ dbt.datediff('aggregated.first_order_date', 'aggregated.last_order_date', 'day') }} as active_days,  -- noqa: LT05
        cast({{ dbt.dateadd('day', horizon_days, 'aggregated.snapshot_date') }} as date) as horizon_end_date
    from aggregated
    cross join as_of
    where aggregated.frequency > 0
),

final as (
    select
        -- ids
        measured.customer_id,
        measured.snapshot_date as as_of_date,
        -- dimensions
        customers.country,
        measured.first_order_date,
        measured.last_order_date,
        measured.snapshot_date = measured.current_as_of_date as is_current,
        -- features
        measured.recency_days,
        measured.frequency,
        measured.monetary,
        measured.tenure_days,
        cast(measured.monetary as double) / measured.frequency as average_order_value,
        case
            when measured.frequency > 1 then cast(measured.active_days as double) / (measured.frequency - 1)
        end as mean_days_between_orders,
        cast(measured.returned_orders as double) / measured.orders as returns_share,
        measured.recent_orders,
        measured.recent_revenue,
        -- the existing rule at the snapshot date (fct_shop__customer_clv.is_churned), the model's yardstick
        measured.recency_days >= {{ var('shop_churn_days') }} as is_churned_by_rule,
        -- label
        {{ horizon_days }} as horizon_days,
        case
            when measured.horizon_end_date <= measured.current_as_of_date then measured.orders_in_horizon = 0
        end as is_churned_in_horizon
    from measured
    left join customers on measured.customer_id = customers.customer_id
)

select * from final
