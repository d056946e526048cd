{#- One row per station record of every open-data snapshot, typed (incremental: new snapshot files only). A
    snapshot line that is not a usable envelope is one row with snapshot_problem = malformed_snapshot.
    base_velib__station_records checks the records of both sources. Both come from one pass over the snapshot
    lines (json_array_elements with keep_others): with a second reader of those lines (a union with the
    unusable ones), DuckDB copied each 600 KB line once per record and a month of snapshots ran out of
    memory (make bench). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

source as (
    {{ tributary.incremental_source('velib_raw', 'station_status') }}
),

snapshots as (
    {{ tributary.velib_snapshot_envelopes('source', '$.results') }}
),

snapshot_rows as (
    {{ tributary.json_array_elements(
        'snapshots', 'raw_line', '$.results', 'record_json', tributary.velib_is_usable_snapshot(), keep_others=true
    ) }}
),

fields as (
    select
        _source_file,
        ingested_date,
        snapshot_source,
        snapshot_at,
        case when {{ tributary.velib_is_usable_snapshot() }} then record_json else raw_line end as raw_line,
        {{ tributary.json_text('record_json', 'stationcode') }} as stationcode,
        {{ tributary.json_text('record_json', 'name') }} as station_name,
        {{ tributary.to_boolean(tributary.json_text('record_json', 'is_installed')) }} as is_installed,
        {{ tributary.to_boolean(tributary.json_text('record_json', 'is_renting')) }} as is_renting,
        {{ tributary.to_boolean(tributary.json_text('record_json', 'is_returning')) }} as is_returning,
        {{ tributary.to_integer(tributary.json_text('record_json', 'capacity')) }} as capacity,
        {{ tributary.to_integer(tributary.json_text('record_json', 'numbikesavailable')) }} as bikes,
        {{ tributary.to_integer(tributary.json_text('record_json', 'mechanical')) }} as mechanical_bikes,
        {{ tributary.to_integer(tributary.json_text('record_json', 'ebike')) }} as ebikes,
        {{ tributary.to_integer(tributary.json_text('record_json', 'numdocksavailable')) }} as docks,
        {{ tributary.try_iso8601_to_utc(tributary.json_text('record_json', 'duedate')) }} as reported_at,
        {{ tributary.to_double(tributary.json_text('record_json', 'coordonnees_geo.lat')) }} as latitude,
        {{ tributary.to_double(tributary.json_text('record_json', 'coordonnees_geo.lon')) }} as longitude,
        nullif(trim({{ tributary.json_text('record_json', 'nom_arrondissement_communes') }}), '') as commune,
        nullif(trim({{ tributary.json_text('record_json', 'code_insee_commune') }}), '') as insee_code,
        case when not {{ tributary.velib_is_usable_snapshot() }} then 'malformed_snapshot' end as snapshot_problem
    from snapshot_rows
)

select * from fields
