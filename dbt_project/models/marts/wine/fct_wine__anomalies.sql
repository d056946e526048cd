{#- Facts about the data that are not errors of a line: they stay in staging (and in the marts where the product
    joins) and are reported here, one row per anomaly. -#}
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

joined as (
    select * from {{ ref('int_wine__products') }}
),

erp_facts as (
    select
        product_id,
        'price ' || cast(price as varchar) || ', stock_quantity ' || cast(stock_quantity as varchar)
        || ', stock_status ' || stock_status as detail,
        price < 0 as has_negative_price,
        stock_quantity < 0 as has_negative_stock,
        (stock_status = 'instock' and stock_quantity <= 0)
        or (stock_status = 'outofstock' and stock_quantity > 0) as has_contradicting_status
    from erp
),

erp_anomalies as (
    select
        'erp' as source_table,
        'negative_price' as anomaly,
        product_id,
        cast(null as varchar) as web_id,
        detail
    from erp_facts
    where has_negative_price
    union all
    select
        'erp' as source_table,
        'negative_stock_quantity' as anomaly,
        product_id,
        cast(null as varchar) as web_id,
        detail
    from erp_facts
    where has_negative_stock
    union all
    select
        'erp' as source_table,
        'stock_status_contradicts_quantity' as anomaly,
        product_id,
        cast(null as varchar) as web_id,
        detail
    from erp_facts
    where has_contradicting_status
),

onsale_without_web as (
    select
        'erp' as source_table,
        'onsale_product_without_web_product' as anomaly,
        erp.product_id,
        liaison.id_web as web_id,
        case
            when liaison.product_id is null then 'no liaison row'
            when liaison.id_web is null then 'empty id_web in the liaison'
            else 'id_web matches no web product'
        end as detail
    from erp
    left join liaison on erp.product_id = liaison.product_id
    where
        erp.is_onsale_web
        and erp.product_id not in (select joined.product_id from joined)
),

liaison_anomalies as (
    select
        'liaison' as source_table,
        case
            when web.sku is null then 'id_web_unresolved'
            else 'id_web_not_numeric'
        end as anomaly,
        liaison.product_id,
        liaison.id_web as web_id,
        case
            when web.sku is null then 'no web product has this sku'
            else 'joins a web product, but is not a number'
        end as detail
    from liaison
    left join web on liaison.id_web = web.sku
    where
        liaison.id_web is not null
        and (web.sku is null or not {{ tributary.regexp_like('liaison.id_web', '^[0-9]+$') }})
),

web_without_liaison as (
    select
        'web' as source_table,
        'web_product_without_liaison' as anomaly,
        cast(null as integer) as product_id,
        web.sku as web_id,
        web.post_title as detail
    from web
    left join liaison on web.sku = liaison.id_web
    where liaison.product_id is null
),

final as (
    select * from erp_anomalies
    union all
    select * from onsale_without_web
    union all
    select * from liaison_anomalies
    union all
    select * from web_without_liaison
)

select * from final
