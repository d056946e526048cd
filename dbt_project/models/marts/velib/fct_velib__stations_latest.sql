{{
    config(
        materialized='incremental',
        incremental_strategy=tributary.record_strategy(),
        unique_key='stationcode',
        table_type='iceberg',
        on_schema_change='fail',
    )
}}
{#- Each station as of its latest snapshot, with its KPIs. Incremental: a run ranks the station snapshots
    delivered since the latest delivery this table holds (an hour of look-back, for a delivery that landed while
    the previous run was reading) against each station's row here, so it reads the new snapshots, not the month.
    The same snapshot delivered again (a fuller answer for the same data time) replaces the row: the later
    delivery wins a tie. A station that a later delivery removed from the snapshot it was latest in keeps that
    row until a full refresh (docs/domains.md). -#}
{%- set since = tributary.incremental_since('_delivered_at') %}
{%- set columns = [
    'stationcode', 'station_name', 'commune', 'arrondissement', 'area_type', 'area_name', 'latitude', 'longitude',
    'is_installed', 'capacity', 'bikes', 'mechanical_bikes', 'ebikes', 'docks', 'fill_rate', 'is_shortage',
    'is_saturated', 'snapshot_at', 'snapshot_source', 'reported_at', '_delivered_at',
] %}

with

snapshots as (
    select * from {{ ref('fct_velib__station_snapshots') }}
    {%- if since %}
    where _delivered_at > {{ since }}
    {%- endif %}
),

candidates as (
    select
        {{ columns | join(',\n        ') }}
    from snapshots
    {%- if is_incremental() %}
    union all
    select
        {{ columns | join(',\n        ') }}
    from {{ this }}
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by stationcode order by snapshot_at desc, snapshot_source asc, _delivered_at desc
        ) as recency
    from candidates
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
        reported_at,
        -- lineage
        snapshot_source,
        _delivered_at
    from ranked
    where recency = 1
)

select * from final
