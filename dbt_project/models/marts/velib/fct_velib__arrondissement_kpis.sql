{#- The latest snapshot by area: by arrondissement for Paris stations, by commune elsewhere. -#}
with

snapshots as (
    select * from {{ ref('fct_velib__station_snapshots') }}
),

latest_snapshot as (
    select max(snapshot_at) as latest_at from snapshots
),

latest as (
    select snapshots.*
    from snapshots
    inner join latest_snapshot on snapshots.snapshot_at = latest_snapshot.latest_at
),

final as (
    select
        -- ids
        area_type,
        area_name,
        -- dimensions
        max(arrondissement) as arrondissement,
        max(commune) as commune,
        max(snapshot_at) as snapshot_at,
        -- measures
        count(*) as stations,
        sum(case when is_installed then 1 else 0 end) as installed_stations,
        sum(bikes) as bikes,
        sum(docks) as docks,
        sum(capacity) as capacity,
        avg(fill_rate) as mean_fill_rate,
        sum(case when is_shortage then 1 else 0 end) as shortage_count,
        sum(case when is_saturated then 1 else 0 end) as saturation_count
    from latest
    group by area_type, area_name
)

select * from final
