with

orders as (
    select * from {{ ref('int_shop__orders') }}
),

final as (
    select
        -- ids
        order_id,
        customer_id,
        -- dimensions
        source_system,
        country,
        order_kind,
        ordered_at,
        order_date,
        -- measures
        order_lines,
        units,
        revenue
    from orders
)

select * from final
