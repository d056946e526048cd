{#- Units and sales per product, region and day, both channels: the one pass over the order lines that the
    stock marts need. fct_stock__daily_sales names it, int_stock__risk sums it over its windows; neither reads
    the order lines again (make bench: each of them used to).

    Incremental by sale day: a run recomputes only the days of the rows the staging wrote since this table's
    last run (their _staged_at after its newest _staged_through: new lines, events and quarantined copies, and
    an earlier export's lines that a new export displaced, whose old day must lose them), and replaces those
    days whole: the pre-hook deletes them, the run appends their new sums. A day left with no line (every line
    moved to another day by a later export) is deleted and not re-inserted. `--full-refresh` rebuilds every day,
    with the same result (tests/test_stock_history.py checks both). On Athena an Iceberg table (a delete needs
    one). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    table_type='iceberg',
    on_schema_change='fail',
    pre_hook="{{ tributary.delete_staged_dates('sale_date', '_staged_through', tributary.stock_order_line_sources()) }}",
) }}
{%- set days = tributary.staged_dates('_staged_through', tributary.stock_order_line_sources()) %}

with

order_lines as (
    select * from {{ ref('int_stock__order_lines') }}
    where {{ tributary.in_dates('order_date', days) }}
),

final as (
    select
        -- ids
        order_date as sale_date,
        product_id,
        region,
        -- measures
        count(*) as order_lines,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(sales) as decimal(18, 4)) as sales,
        -- lineage: the run that wrote the day
        {{ tributary.run_stamp() }} as _staged_through
    from order_lines
    group by order_date, product_id, region
)

select * from final
