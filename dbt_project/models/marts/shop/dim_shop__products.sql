{#- One row per product: the product name of achats.csv, the StockCode of Online Retail (described by its
    first description alphabetically: the export spells some codes several ways). -#}
with

order_lines as (
    select * from {{ ref('int_shop__order_lines') }}
),

final as (
    select
        product_id,
        min(product_name) as product_name,
        min(source_system) as source_system,
        min(order_date) as first_sold_date,
        max(order_date) as last_sold_date
    from order_lines
    group by product_id
)

select * from final
