with

checked as (
    select * from {{ ref('base_velib__station_records') }}
),

final as (
    select
        -- ids
        stationcode,
        -- dimensions
        snapshot_source,
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
        -- the snapshot
        snapshot_record_count,
        is_partial_snapshot,
        -- lineage
        _source_file,
        _delivery_id,
        _delivered_at,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
