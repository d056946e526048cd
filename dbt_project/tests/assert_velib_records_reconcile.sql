{{ config(meta={'dagster': {'ref': {'name': 'stg_velib__station_records'}}}) }}

{#- Nothing is lost: every station record of every raw snapshot (or the snapshot line itself, when it is not a
    usable envelope) is staged or quarantined. The raw count is computed from the raw relations directly. -#}
with

opendata as (
    select * from {{ source('velib_raw', 'station_status') }}
),

gbfs as (
    select * from {{ source('velib_raw', 'gbfs_station_status') }}
),

raw_snapshots as (
    select
        raw_line,
        {{ tributary.json_array_length('raw_line', '$.results') }} as record_count
    from opendata
    union all
    select
        raw_line,
        {{ tributary.json_array_length('raw_line', '$.results.station_status.data.stations') }} as record_count
    from gbfs
),

raw_records as (
    select
        case
            when
                {{ tributary.json_is_object('raw_line') }}
                and {{ tributary.try_iso8601_to_utc(tributary.json_text('raw_line', 'data_timestamp')) }} is not null
                and record_count is not null
                then record_count
            else 1
        end as records
    from raw_snapshots
),

counts as (
    select
        (select coalesce(sum(records), 0) from raw_records) as raw_records,
        (select count(*) from {{ ref('stg_velib__station_records') }}) as staged_records,
        (select count(*) from {{ ref('qua_velib__station_records') }}) as quarantined_records
)

select *
from counts
where raw_records != staged_records + quarantined_records
