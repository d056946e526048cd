{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- One row per station record of every opendata snapshot, typed and checked by the source contract
    (_velib__sources.yml); incremental: a run reads only the snapshots it has not read. The same station in
    the same snapshot (data time) twice: the fuller answer wins, then the latest delivery (a partial answer
    replaced by a full one for the same data time displaces its records). -#}
{{ tributary.stage_source('velib_raw', 'station_status', derived={
    'is_partial_snapshot': 'coalesce(snapshot_record_count < snapshot_expected_count, false)',
}) }}
