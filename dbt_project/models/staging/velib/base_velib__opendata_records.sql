{#- One row per station record of every open-data snapshot, typed (incremental: new snapshot files only). A
    snapshot line that is not a usable envelope is one row with snapshot_problem = malformed_snapshot.
    base_velib__station_records checks the records of both sources. -#}
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

usable_snapshots as (
    select * from snapshots
    where {{ tributary.velib_is_usable_snapshot() }}
),

station_records as (
    {{ tributary.json_array_elements('usable_snapshots', 'raw_line', '$.results', 'record_json') }}
),

records as (
    select
        _source_file,
        ingested_date,
        snapshot_source,
        snapshot_at,
        record_json as raw_line
    from station_records
),

fields as (
    select
        *,
        {{ tributary.json_text('raw_line', 'stationcode') }} as stationcode,
        {{ tributary.json_text('raw_line', 'name') }} as station_name,
        {{ tributary.to_boolean(tributary.json_text('raw_line', 'is_installed')) }} as is_installed,
        {{ tributary.to_boolean(tributary.json_text('raw_line', 'is_renting')) }} as is_renting,
        {{ tributary.to_boolean(tributary.json_text('raw_line', 'is_returning')) }} as is_returning,
        {{ tributary.to_integer(tributary.json_text('raw_line', 'capacity')) }} as capacity,
        {{ tributary.to_integer(tributary.json_text('raw_line', 'numbikesavailable')) }} as bikes,
        {{ tributary.to_integer(tributary.json_text('raw_line', 'mechanical')) }} as mechanical_bikes,
        {{ tributary.to_integer(tributary.json_text('raw_line', 'ebike')) }} as ebikes,
        {{ tributary.to_integer(tributary.json_text('raw_line', 'numdocksavailable')) }} as docks,
        {{ tributary.try_iso8601_to_utc(tributary.json_text('raw_line', 'duedate')) }} as reported_at,
        {{ tributary.to_double(tributary.json_text('raw_line', 'coordonnees_geo.lat')) }} as latitude,
        {{ tributary.to_double(tributary.json_text('raw_line', 'coordonnees_geo.lon')) }} as longitude,
        nullif(trim({{ tributary.json_text('raw_line', 'nom_arrondissement_communes') }}), '') as commune,
        nullif(trim({{ tributary.json_text('raw_line', 'code_insee_commune') }}), '') as insee_code
    from records
),

malformed as (
    {{ tributary.velib_malformed_snapshots('snapshots') }}
),

final as (
    select
        *,
        cast(null as varchar) as snapshot_problem
    from fields
    union all
    select * from malformed
)

select * from final
