{#- The order-line contract of the shop domain: both source formats in one shape, one row per order line.
    achats.csv: one order = one line of one product (quantity 1, unit price = amount), country from the client.
    Online Retail: one invoice = one order; cancellations and returns carry negative quantities and revenue;
    customer_id is NULL for lines without CustomerID (they count for revenue, not for customers). -#}
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

clients as (
    select * from {{ ref('stg_shop__clients') }}
),

online_retail as (
    select * from {{ ref('stg_shop__online_retail') }}
),

unioned as (
    select
        -- ids
        orders.order_id as order_line_id,
        orders.order_id,
        orders.client_id as customer_id,
        orders.product as product_id,
        -- dimensions
        'shop_orders' as source_system,
        orders.product as product_name,
        clients.country,
        orders.ordered_at,
        'sale' as line_type,
        -- measures
        1 as quantity,
        cast(orders.amount as decimal(18, 4)) as unit_price,
        cast(orders.amount as decimal(18, 4)) as revenue
    from orders
    left join clients on orders.client_id = clients.client_id

    union all

    select
        -- ids
        invoice_no || '#' || cast(line_number as varchar) as order_line_id,
        invoice_no as order_id,
        customer_id,
        stock_code as product_id,
        -- dimensions
        'online_retail' as source_system,
        description as product_name,
        country,
        invoiced_at as ordered_at,
        line_type,
        -- measures
        quantity,
        cast(unit_price as decimal(18, 4)) as unit_price,
        cast(quantity * unit_price as decimal(18, 4)) as revenue
    from online_retail
),

final as (
    select
        *,
        cast(ordered_at as date) as order_date
    from unioned
)

select * from final
