{#- One row per station per snapshot with its KPIs. Incremental: each run re-selects whole hours from the
    hour of the newest snapshot already here, minus velib_reprocess_hours (default 1), and replaces them
    (DuckDB delete+insert on the key; Athena insert_overwrite of the date/hour partitions, which is why the
    window is whole hours). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'athena' else 'delete+insert'),
        unique_key=['snapshot_at', 'stationcode', 'snapshot_source'],
        partitioned_by=(['snapshot_date', 'snapshot_hour'] if target.type == 'athena' else none),
        on_schema_change='fail',
    )
}}

{%- set since = none -%}
{%- if is_incremental() and execute -%}
    {%- set since = run_query(
        "select " ~ dbt.dateadd('hour', -var('velib_reprocess_hours', 1), dbt.date_trunc('hour', 'max(snapshot_at)'))
        ~ " from " ~ this
    ).columns[0].values()[0] -%}
{%- endif %}

with

snapshots as (
    select * from {{ ref('int_velib__station_snapshots') }}
    {%- if since is not none %}
    where snapshot_at >= cast('{{ since }}' as timestamp)
    {%- endif %}
),

final as (
    select
        -- ids
        snapshot_at,
        stationcode,
        snapshot_source,
        -- dimensions
        station_name,
        commune,
        insee_code,
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
        is_empty,
        is_full,
        is_high_fill,
        is_shortage,
        is_saturated,
        -- timestamps
        reported_at,
        -- partitions (last, as Athena wants them)
        snapshot_date,
        snapshot_hour
    from snapshots
)

select * from final
