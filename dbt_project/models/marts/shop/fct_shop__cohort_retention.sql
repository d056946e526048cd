{#- The monthly retention matrix: cohort = month of a customer's first sale order; for each later month up to the
    as-of month, active_customers = cohort customers with a sale order that month, retention_rate =
    active_customers / cohort_size. Month 0 is the cohort month itself (rate 1). Months without activity are rows
    with 0, so the matrix is dense. -#}
with

customer_orders as (
    select * from {{ ref('int_shop__customer_orders') }}
),

activity as (
    select distinct
        customer_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as activity_month,
        extract(year from order_date) * 12 + extract(month from order_date) as month_index
    from customer_orders
    where order_kind = 'sale'
),

first_months as (
    select
        customer_id,
        min(month_index) as cohort_index
    from activity
    group by customer_id
),

cohorts as (
    select
        first_months.cohort_index,
        min(activity.activity_month) as cohort_month,
        count(*) as cohort_size
    from first_months
    inner join activity
        on
            first_months.customer_id = activity.customer_id
            and first_months.cohort_index = activity.month_index
    group by first_months.cohort_index
),

months as (
    select
        month_index,
        min(activity_month) as activity_month
    from activity
    group by month_index
),

active as (
    select
        first_months.cohort_index,
        activity.month_index,
        count(*) as active_customers
    from activity
    inner join first_months on activity.customer_id = first_months.customer_id
    group by first_months.cohort_index, activity.month_index
),

final as (
    select
        -- ids
        cohorts.cohort_month,
        cast(months.month_index - cohorts.cohort_index as integer) as months_since_first_order,
        -- dimensions
        months.activity_month,
        -- measures
        cohorts.cohort_size,
        coalesce(active.active_customers, 0) as active_customers,
        cast(coalesce(active.active_customers, 0) as double) / cohorts.cohort_size as retention_rate
    from cohorts
    inner join months on cohorts.cohort_index <= months.month_index
    left join active
        on
            cohorts.cohort_index = active.cohort_index
            and months.month_index = active.month_index
)

select * from final
