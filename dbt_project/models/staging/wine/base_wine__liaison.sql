{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of the wine liaison files, typed and checked by the source contract (_wine__sources.yml). Each file
    is a full snapshot: a newer delivery supersedes every record of the earlier ones (superseded_export). -#}
{{ tributary.stage_source('wine_raw', 'liaison') }}
