{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of the inventory count files, typed and checked by the source contract; a count delivered again
    (same product, region and date) displaces the earlier one. -#}
{{ tributary.stage_source('stock_raw', 'inventory_snapshots') }}
