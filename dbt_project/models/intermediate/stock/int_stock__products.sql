{#- One row per product: the catalogue as the exports describe it (a product id can carry several names in
    the real export; the first in alphabetical order is kept), plus products seen only in the stream. A table:
    the daily mart and both risk models read it, and as a view each of them would group every order line again. -#}
{{ config(materialized='table') }}

with

history as (
    select * from {{ ref('stg_stock__sales') }}
),

events as (
    select * from {{ ref('stg_stock__sales_events') }}
),

from_history as (
    select
        product_id,
        min(product_name) as product_name,
        min(category) as category,
        min(sub_category) as sub_category
    from history
    group by product_id
),

from_stream_only as (
    select
        events.product_id,
        min(events.product_name) as product_name,
        cast(null as varchar) as category,
        cast(null as varchar) as sub_category
    from events
    left join from_history on events.product_id = from_history.product_id
    where from_history.product_id is null
    group by events.product_id
),

final as (
    select * from from_history
    union all
    select * from from_stream_only
)

select * from final
