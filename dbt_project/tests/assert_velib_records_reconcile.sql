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
    {{ tributary.velib_snapshot_envelopes('opendata', '$.results') }}
    union all
    {{ tributary.velib_snapshot_envelopes('gbfs', '$.results.station_status.data.stations') }}
),

raw_records as (
    select case when {{ tributary.velib_is_usable_snapshot() }} then record_count else 1 end as records
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
