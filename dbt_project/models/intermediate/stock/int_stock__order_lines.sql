{#- Every usable order line, from the historical exports and from the event stream, in one shape.
    order_line_id is unique: staging already removed repeated lines and repeated events (into quarantine). -#}
with

history as (
    select * from {{ ref('stg_stock__sales') }}
),

events as (
    select * from {{ ref('stg_stock__sales_events') }}
),

unioned as (
    select
        -- ids
        order_id || '#' || cast(row_id as varchar) as order_line_id,
        order_id,
        product_id,
        -- dimensions
        'history' as channel,
        region,
        order_date,
        -- measures
        quantity,
        sales
    from history

    union all

    select
        -- ids
        order_id as order_line_id,
        order_id,
        product_id,
        -- dimensions
        'stream' as channel,
        region,
        cast(event_time as date) as order_date,
        -- measures
        quantity,
        sales
    from events
)

select * from unioned
