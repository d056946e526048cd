{#- One row per station per snapshot with its KPIs. Incremental: each run takes the (date, hour) slots that
    hold a snapshot file not loaded yet (a new snapshot, or a backfill of an old hour) and replaces those
    slots whole: DuckDB delete+insert on the key; Athena insert_overwrite of the date/hour partitions (Hive
    tables), or merge on the key (Iceberg, var athena_table_type: iceberg). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=tributary.replace_strategy(),
        table_type=(var('athena_table_type', 'hive') if target.type == 'athena' else none),
        unique_key=['snapshot_at', 'stationcode', 'snapshot_source'],
        partitioned_by=(['snapshot_date', 'snapshot_hour'] if target.type == 'athena' else none),
        on_schema_change='fail',
    )
}}

with

all_snapshots as (
    select * from {{ ref('int_velib__station_snapshots') }}
),

{% if is_incremental() %}
    new_slots as (
        select distinct
            all_snapshots.snapshot_date,
            all_snapshots.snapshot_hour
        from all_snapshots
        where all_snapshots._source_file not in (select distinct loaded._source_file from {{ this }} as loaded)
    ),

    snapshots as (
        select all_snapshots.*
        from all_snapshots
        inner join new_slots
            on
                all_snapshots.snapshot_date = new_slots.snapshot_date
                and all_snapshots.snapshot_hour = new_slots.snapshot_hour
    ),
{% else %}
    snapshots as (
        select * from all_snapshots
    ),
{% endif %}

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
        -- lineage
        _source_file,
        -- partitions (last, as Athena wants them)
        snapshot_date,
        snapshot_hour
    from snapshots
)

select * from final
