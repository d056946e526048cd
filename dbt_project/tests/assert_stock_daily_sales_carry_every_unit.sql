{{ config(meta={'dagster': {'ref': {'name': 'fct_stock__daily_sales'}}}) }}

{#- Nothing is lost between the order lines and the daily mart: it carries every unit of every order line.
    Returns a row when the totals disagree. -#}
with

order_lines as (
    select * from {{ ref('int_stock__order_lines') }}
),

daily_sales as (
    select * from {{ ref('fct_stock__daily_sales') }}
),

totals as (
    select
        'fct_stock__daily_sales' as mart,
        (select sum(quantity) from order_lines) as expected_units,
        (select sum(quantity) from daily_sales) as mart_units
)

select *
from totals
where expected_units != mart_units
