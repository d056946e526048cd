{#- One row per station of every GBFS snapshot (station_status joined to station_information on the station
    code), typed into the same columns as the open-data records (incremental: new snapshot files only).
    GBFS carries no commune: base_velib__station_records takes it from the open-data records of the station. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

source as (
    {{ tributary.incremental_source('velib_raw', 'gbfs_station_status') }}
),

snapshots as (
    {{ tributary.velib_snapshot_envelopes('source', '$.results.station_status.data.stations') }}
),

status_records as (
    {{ tributary.json_array_elements(
        'snapshots', 'raw_line', '$.results.station_status.data.stations', 'status_json',
        tributary.velib_is_usable_snapshot()
    ) }}
),

status as (
    select
        _source_file,
        ingested_date,
        snapshot_source,
        snapshot_at,
        status_json as raw_line
    from status_records
),

information_records as (
    {{ tributary.json_array_elements(
        'snapshots', 'raw_line', '$.results.station_information.data.stations', 'information_json',
        tributary.velib_is_usable_snapshot()
    ) }}
),

information as (
    select
        _source_file,
        {{ tributary.json_text('information_json', 'stationCode') }} as stationcode,
        min({{ tributary.json_text('information_json', 'name') }}) as station_name,
        min({{ tributary.to_integer(tributary.json_text('information_json', 'capacity')) }}) as capacity,
        min({{ tributary.to_double(tributary.json_text('information_json', 'lat')) }}) as latitude,
        min({{ tributary.to_double(tributary.json_text('information_json', 'lon')) }}) as longitude
    from information_records
    group by
        _source_file,
        {{ tributary.json_text('information_json', 'stationCode') }}
),

fields as (
    select
        status._source_file,
        status.ingested_date,
        status.snapshot_source,
        status.snapshot_at,
        status.raw_line,
        {{ tributary.json_text('status.raw_line', 'stationCode') }} as stationcode,
        information.station_name,
        {{ tributary.to_boolean(tributary.json_text('status.raw_line', 'is_installed')) }} as is_installed,
        {{ tributary.to_boolean(tributary.json_text('status.raw_line', 'is_renting')) }} as is_renting,
        {{ tributary.to_boolean(tributary.json_text('status.raw_line', 'is_returning')) }} as is_returning,
        information.capacity,
        {{ tributary.to_integer(tributary.json_text('status.raw_line', 'num_bikes_available')) }} as bikes,
        {{ tributary.to_integer(tributary.gbfs_bike_type('status.raw_line', 'mechanical')) }} as mechanical_bikes,
        {{ tributary.to_integer(tributary.gbfs_bike_type('status.raw_line', 'ebike')) }} as ebikes,
        {{ tributary.to_integer(tributary.json_text('status.raw_line', 'num_docks_available')) }} as docks,
        {{ tributary.epoch_to_utc(
            tributary.to_double(tributary.json_text('status.raw_line', 'last_reported'))
        ) }} as reported_at,
        information.latitude,
        information.longitude,
        cast(null as varchar) as commune,
        cast(null as varchar) as insee_code
    from status
    left join information
        on
            status._source_file = information._source_file
            and {{ tributary.json_text('status.raw_line', 'stationCode') }} = information.stationcode
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
