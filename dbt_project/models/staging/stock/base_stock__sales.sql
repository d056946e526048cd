{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of the Superstore exports, typed and checked by the source contract (_stock__sources.yml);
    incremental: a run reads only the deliveries it has not read, and a key delivered again displaces its
    earlier winner (the latest delivery wins). -#}
{{ tributary.stage_source('stock_raw', 'sales', checks=[
    ('future_order_date', 'order_date > ' ~ tributary.future_date_limit()),
]) }}
