{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of the Online Retail transactions, typed and checked by the source contract. Cancellations
    (invoice numbers starting with C) and returns (negative quantities on other invoices) are kept as such; a line
    without CustomerID is kept (it counts for revenue, it cannot join a customer). -#}
{{ tributary.stage_source('shop_raw', 'online_retail', derived={
    'customer_id_text': 'customer_id__text',
    'quantity_text': 'quantity__text',
    'unit_price_text': 'unit_price__text',
    'invoiced_at_text': 'invoiced_at__text',
    'line_type': "case when invoice_no like 'C%' then 'cancellation' when quantity < 0 then 'return' else 'sale' end",
}, checks=[
    ('invalid_customer_id', "customer_id is not null and not " ~ tributary.regexp_like('customer_id', '^[0-9]+$')),
    ('future_invoice_date', "cast(invoiced_at as date) > " ~ tributary.future_date_limit()),
]) }}
