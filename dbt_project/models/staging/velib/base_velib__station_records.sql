{#- Every station record of both source shapes (open-data and GBFS snapshots), as staged by their base models:
    reject_reason is NULL for a usable record. A GBFS record takes its commune from the latest open-data record of
    the same station (GBFS has none). A view: its two base models are incremental tables. -#}
with

opendata as (
    select * from {{ ref('base_velib__opendata_records') }}
),

gbfs as (
    select * from {{ ref('base_velib__gbfs_records') }}
),

communes as (
    select * from {{ ref('base_velib__station_communes') }}
),

final as (
    select
        'velib_raw.station_status' as source_table,
        _source_file,
        _delivery_id,
        _delivered_at,
        _line_number,
        ingested_date,
        stationcode,
        snapshot_source,
        station_name,
        commune,
        insee_code,
        latitude,
        longitude,
        is_installed,
        is_renting,
        is_returning,
        capacity,
        bikes,
        mechanical_bikes,
        ebikes,
        docks,
        snapshot_at,
        reported_at,
        snapshot_record_count,
        is_partial_snapshot,
        warnings,
        reject_reason,
        raw_line
    from opendata
    union all
    select
        'velib_raw.gbfs_station_status' as source_table,
        gbfs._source_file,
        gbfs._delivery_id,
        gbfs._delivered_at,
        gbfs._line_number,
        gbfs.ingested_date,
        gbfs.stationcode,
        gbfs.snapshot_source,
        gbfs.station_name,
        coalesce(gbfs.commune, communes.commune) as commune,
        coalesce(gbfs.insee_code, communes.insee_code) as insee_code,
        gbfs.latitude,
        gbfs.longitude,
        gbfs.is_installed,
        gbfs.is_renting,
        gbfs.is_returning,
        gbfs.capacity,
        gbfs.bikes,
        gbfs.mechanical_bikes,
        gbfs.ebikes,
        gbfs.docks,
        gbfs.snapshot_at,
        gbfs.reported_at,
        gbfs.snapshot_record_count,
        gbfs.is_partial_snapshot,
        gbfs.warnings,
        gbfs.reject_reason,
        gbfs.raw_line
    from gbfs
    left join communes on gbfs.stationcode = communes.stationcode
)

select * from final
