{#- One row per customer: the clients of clients.csv and the Online Retail CustomerIDs, with their order
    history. A client without any order stays (first/last order NULL, 0 orders). For Online Retail customers
    the country is the first alphabetically when their lines name several. -#}
with

clients as (
    select * from {{ ref('stg_shop__clients') }}
),

order_lines as (
    select * from {{ ref('int_shop__order_lines') }}
),

orders as (
    select * from {{ ref('int_shop__orders') }}
),

retail_customers as (
    select
        customer_id,
        min(country) as country
    from order_lines
    where source_system = 'online_retail' and customer_id is not null
    group by customer_id
),

customers as (
    select
        client_id as customer_id,
        'shop_orders' as source_system,
        client_name as customer_name,
        email,
        signup_date,
        country
    from clients

    union all

    select
        customer_id,
        'online_retail' as source_system,
        cast(null as varchar) as customer_name,
        cast(null as varchar) as email,
        cast(null as date) as signup_date,
        country
    from retail_customers
),

history as (
    select
        customer_id,
        min(case when order_kind = 'sale' then order_date end) as first_order_date,
        max(case when order_kind = 'sale' then order_date end) as last_order_date,
        count(distinct case when order_kind = 'sale' then order_id end) as sale_orders,
        cast(sum(revenue) as decimal(18, 4)) as revenue
    from orders
    where customer_id is not null
    group by customer_id
),

final as (
    select
        -- ids
        customers.customer_id,
        -- attributes
        customers.source_system,
        customers.customer_name,
        customers.email,
        customers.signup_date,
        customers.country,
        -- history
        history.first_order_date,
        history.last_order_date,
        coalesce(history.sale_orders, 0) as sale_orders,
        coalesce(history.revenue, cast(0 as decimal(18, 4))) as revenue
    from customers
    left join history on customers.customer_id = history.customer_id
)

select * from final
