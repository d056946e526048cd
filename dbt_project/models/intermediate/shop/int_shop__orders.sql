{#- One row per order (an achats.csv order, an Online Retail invoice). order_kind: 'sale' when the order has at
    least one sale line, 'cancellation' for a cancellation invoice (C…), 'return' for an invoice of returns only.
    Revenue is net: cancellations and returns are negative. -#}
with

order_lines as (
    select * from {{ ref('int_shop__order_lines') }}
),

final as (
    select
        -- ids
        order_id,
        max(customer_id) as customer_id,
        -- dimensions
        max(source_system) as source_system,
        max(country) as country,
        min(ordered_at) as ordered_at,
        min(order_date) as order_date,
        case
            when sum(case when line_type = 'sale' then 1 else 0 end) > 0 then 'sale'
            when sum(case when line_type = 'cancellation' then 1 else 0 end) > 0 then 'cancellation'
            else 'return'
        end as order_kind,
        -- measures
        -- portable types: DuckDB sums an integer into a HUGEINT and widens a decimal sum to 38 digits
        count(*) as order_lines,
        cast(sum(quantity) as bigint) as units,
        cast(sum(revenue) as decimal(18, 4)) as revenue
    from order_lines
    group by order_id
)

select * from final
