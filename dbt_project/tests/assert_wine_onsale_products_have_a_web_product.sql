{#- Join consistency (the original team's check): every product on sale in the ERP has a web product through
    the liaison table. Those that do not are reported (fct_wine__anomalies), so this warns, with their count. -#}
{{ config(severity='warn') }}

select
    product_id,
    web_id,
    detail
from {{ ref('fct_wine__anomalies') }}
where anomaly = 'onsale_product_without_web_product'
