{#- The products known to both systems: ERP product ⨝ liaison on product_id ⨝ web product on id_web = sku. -#}
with

erp as (
    select * from {{ ref('stg_wine__erp') }}
),

liaison as (
    select * from {{ ref('stg_wine__liaison') }}
),

web as (
    select * from {{ ref('stg_wine__web') }}
),

final as (
    select
        -- ids
        erp.product_id,
        web.sku,
        -- dimensions
        web.post_title as title,
        erp.is_onsale_web,
        erp.stock_status,
        -- measures
        erp.price,
        erp.stock_quantity,
        web.total_sales
    from erp
    inner join liaison on erp.product_id = liaison.product_id
    inner join web on liaison.id_web = web.sku
)

select * from final
