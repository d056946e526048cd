{#- Units and sales per product, region and day, both channels: the one pass over every order line that the
    stock marts need. fct_stock__daily_sales names it, int_stock__risk sums it over its windows; neither reads
    the order lines again (make bench: each of them used to). A table: both read it within the same run. -#}
{{ config(materialized='table') }}

with

order_lines as (
    select * from {{ ref('int_stock__order_lines') }}
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
        cast(sum(sales) as decimal(18, 4)) as sales
    from order_lines
    group by order_date, product_id, region
)

select * from final
