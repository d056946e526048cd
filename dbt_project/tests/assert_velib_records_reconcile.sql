{{ config(meta={'dagster': {'ref': {'name': 'stg_velib__station_records'}}}) }}

{#- Nothing is lost: every station record of every raw snapshot of both sources (one row each in the parsed
    relations) is staged or quarantined. -#}
with

counts as (
    select
        (select count(*) from {{ source('velib_raw', 'station_status') }})
        + (select count(*) from {{ source('velib_raw', 'gbfs_station_status') }}) as raw_records,
        (select count(*) from {{ ref('stg_velib__station_records') }}) as staged_records,
        (select count(*) from {{ ref('qua_velib__station_records') }}) as quarantined_records
)

select *
from counts
where raw_records != staged_records + quarantined_records
