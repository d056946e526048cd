{{ config(materialized='table') }}
{#- Every station record of both source shapes (open-data snapshots, GBFS snapshots), checked: reject_reason is
    NULL for a usable record. A GBFS record takes its commune from the latest open-data record of the same
    station (GBFS has none). stg_ and qua_velib__station_records split this model in two.
    A table, not a view: stg_, qua_ and the ~15 tests on them each recomputed the union and both windows over
    the whole history (make bench, a month of snapshots: 143 s and 19 GiB for the run one new snapshot
    triggers; base_stock__sales had the same defect). -#}
with

opendata as (
    select * from {{ ref('base_velib__opendata_records') }}
),

gbfs as (
    select * from {{ ref('base_velib__gbfs_records') }}
),

known_communes as (
    select
        stationcode,
        commune,
        insee_code,
        row_number() over (partition by stationcode order by snapshot_at desc, commune asc) as recency
    from opendata
    where snapshot_problem is null and stationcode is not null and commune is not null
),

unioned as (
    select * from opendata
    union all
    select
        gbfs._source_file,
        gbfs.ingested_date,
        gbfs.snapshot_source,
        gbfs.snapshot_at,
        gbfs.raw_line,
        gbfs.stationcode,
        gbfs.station_name,
        gbfs.is_installed,
        gbfs.is_renting,
        gbfs.is_returning,
        gbfs.capacity,
        gbfs.bikes,
        gbfs.mechanical_bikes,
        gbfs.ebikes,
        gbfs.docks,
        gbfs.reported_at,
        gbfs.latitude,
        gbfs.longitude,
        known_communes.commune,
        known_communes.insee_code,
        gbfs.snapshot_problem
    from gbfs
    left join known_communes
        on gbfs.stationcode = known_communes.stationcode and known_communes.recency = 1
),

checked as (
    select
        *,
        case
            when snapshot_problem is not null then snapshot_problem
            when stationcode is null then 'missing_stationcode'
            when is_installed is null then 'invalid_is_installed'
            when bikes is null or bikes < 0 then 'invalid_bikes'
            when docks is null or docks < 0 then 'invalid_docks'
            when capacity < 0 then 'invalid_capacity'
        end as row_problem
    from unioned
),

ranked as (
    select
        *,
        row_number() over (
            partition by row_problem, snapshot_source, snapshot_at, stationcode order by raw_line asc
        ) as occurrence
    from checked
),

final as (
    select
        -- lineage
        _source_file,
        ingested_date,
        raw_line,
        snapshot_source,
        -- ids
        stationcode,
        -- dimensions
        station_name,
        commune,
        insee_code,
        latitude,
        longitude,
        is_installed,
        is_renting,
        is_returning,
        -- measures
        capacity,
        bikes,
        mechanical_bikes,
        ebikes,
        docks,
        -- timestamps
        snapshot_at,
        reported_at,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_station' end) as reject_reason
    from ranked
)

select * from final
