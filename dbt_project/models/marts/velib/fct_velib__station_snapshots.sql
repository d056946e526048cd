{#- One row per station per snapshot with its KPIs. Incremental: each run takes the (date, hour) slots that
    hold a snapshot delivered since the last run (a new snapshot, a fuller answer for a data time already
    loaded, or a backfill of an old hour) and replaces those slots whole: DuckDB delete+insert on the key; Athena
    insert_overwrite of the date/hour partitions (Hive tables), or merge on the key (Iceberg, var
    athena_table_type: iceberg). New deliveries are found by delivery time (an hour of look-back, for a delivery
    that landed while the previous run was reading), so a run reads the new records, not the month. -#}
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
        where
            all_snapshots._delivered_at > (select {{ dbt.dateadd('hour', -1, 'max(loaded._delivered_at)') }} from {{ this }} as loaded)
            and all_snapshots._delivery_id not in (
                select distinct loaded._delivery_id from {{ this }} as loaded
                where loaded._delivered_at > (select {{ dbt.dateadd('hour', -1, 'max(latest._delivered_at)') }} from {{ this }} as latest)
            )
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
        _delivery_id,
        _delivered_at,
        -- partitions (last, as Athena wants them)
        snapshot_date,
        snapshot_hour
    from snapshots
)

select * from final
