{{ config(meta={'dagster': {'ref': {'name': 'stock_inventory_policy'}}}) }}

{#- fct_stock__risk falls back on the (default) row for sub-categories without a policy of their own: without
    it, the risk mart would be empty. Fails with one row when the seed lacks exactly one (default) row. -#}
with

policies as (
    select * from {{ ref('stock_inventory_policy') }}
),

defaults as (
    select count(*) as default_rows
    from policies
    where sub_category = '(default)'
)

select *
from defaults
where default_rows != 1
