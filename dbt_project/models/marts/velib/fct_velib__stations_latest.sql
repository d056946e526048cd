{#- Each station as of its latest snapshot, with its KPIs. -#}
with

snapshots as (
    select * from {{ ref('fct_velib__station_snapshots') }}
),

ranked as (
    select
        *,
        row_number() over (partition by stationcode order by snapshot_at desc, snapshot_source asc) as recency
    from snapshots
),

final as (
    select
        -- ids
        stationcode,
        -- dimensions
        station_name,
        commune,
        arrondissement,
        area_type,
        area_name,
        latitude,
        longitude,
        is_installed,
        -- measures
        capacity,
        bikes,
        mechanical_bikes,
        ebikes,
        docks,
        fill_rate,
        -- flags
        is_shortage,
        is_saturated,
        -- timestamps
        snapshot_at,
        reported_at
    from ranked
    where recency = 1
)

select * from final
