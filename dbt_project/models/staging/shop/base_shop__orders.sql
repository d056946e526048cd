{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of achats.csv (one order of one product per line), typed and checked by the source contract. An
    order is quarantined when it cannot be counted: no id, client or product, a client absent from the clients
    file, an unparseable or future date, an amount that is not a number, not positive or above
    shop_max_order_amount, or an id delivered again (the latest delivery wins). -#}
{{ tributary.stage_source('shop_raw', 'orders', derived={
    'ordered_at_text': 'ordered_at__text',
    'amount_text': 'amount__text',
    'is_known_client': 'client_id in (select known.client_id from ' ~ ref('stg_shop__clients') ~ ' as known)',
}, checks=[
    ('future_order_date', "cast(ordered_at as date) > " ~ tributary.future_date_limit()),
]) }}
