{#- The latest snapshot by area: by arrondissement for Paris stations, by commune elsewhere.
    mean_fill_rate is the mean of the stations' fill rates taken to 12 decimals: their sum is then an exact
    decimal, the same whatever order the rows come in (a sum of doubles computed in parallel can differ in its last
    bit from one build to the next). -#}
{#- The latest snapshot, read when the model runs: the scan then filters on a literal and skips the history's row
    groups (as fct_velib__critical_stations_2h does); the join below gives the same rows without it (unit tests,
    a first build). -#}
{%- set latest_at = tributary.latest_timestamp(ref('fct_velib__station_snapshots'), 'snapshot_at') -%}
with

snapshots as (
    select * from {{ ref('fct_velib__station_snapshots') }}
    {%- if latest_at %}
        where snapshot_at = {{ latest_at }}
    {%- endif %}
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
        cast(sum(case when is_installed then 1 else 0 end) as bigint) as installed_stations,
        cast(sum(bikes) as bigint) as bikes,
        cast(sum(docks) as bigint) as docks,
        cast(sum(capacity) as bigint) as capacity,
        cast(sum(cast(fill_rate as decimal(38, 12))) as double) / nullif(count(fill_rate), 0) as mean_fill_rate,
        cast(sum(case when is_shortage then 1 else 0 end) as bigint) as shortage_count,
        cast(sum(case when is_saturated then 1 else 0 end) as bigint) as saturation_count
    from latest
    group by area_type, area_name
)

select * from final
