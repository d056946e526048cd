{#- The calendar from the first to the last order date, one row per day (at most var shop_calendar_max_days
    days), with the attributes the revenue and seasonality marts group by. -#}
with

order_lines as (
    select * from {{ ref('int_shop__order_lines') }}
),

bounds as (
    select
        min(order_date) as first_date,
        max(order_date) as last_date
    from order_lines
),

numbers as (
    {{ dbt.generate_series(var('shop_calendar_max_days')) }}
),

days as (
    select cast({{ dbt.dateadd('day', 'numbers.generated_number - 1', 'bounds.first_date') }} as date) as date_day
    from bounds
    cross join numbers
    where numbers.generated_number - 1 <= {{ dbt.datediff('bounds.first_date', 'bounds.last_date', 'day') }}
),

final as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as iso_week_start,
        cast(extract(week from date_day) as integer) as iso_week_number,
        cast({{ tributary.iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        {{ tributary.iso_day_of_week('date_day') }} >= 6 as is_weekend
    from days
)

select * from final
