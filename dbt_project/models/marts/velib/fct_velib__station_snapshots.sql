{#- One row per station per snapshot with its KPIs. Incremental: each run takes the (date, hour) slots that
    hold a snapshot delivered since the last run (a new snapshot, a fuller answer for a data time already
    loaded, or a backfill of an old hour) and replaces those slots whole: DuckDB delete+insert on the key; Athena
    insert_overwrite of the date/hour partitions (Hive tables), or merge on the key (Iceberg, var
    athena_table_type: iceberg). New deliveries are found by delivery time (an hour of look-back, for a delivery
    that landed while the previous run was reading), so a run reads the new records, not the month: the latest
    delivery here and the new slots are read first and written into the SQL as literals (the scans under the
    views then skip the row groups outside them). -#}
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
    {%- set since = tributary.incremental_since('_delivered_at') %}
    {%- set hours = tributary.unread_delivery_hours(ref('int_velib__station_snapshots'), 'snapshot_at', since) %}
    snapshots as (
        select *
        from all_snapshots
        {%- if hours %}
        where
            snapshot_at >= {{ hours[0] }}
            and snapshot_at < {{ dbt.dateadd('hour', 1, hours[-1]) }}
            and {{ dbt.date_trunc('hour', 'snapshot_at') }} in ({{ hours | join(', ') }})
        {%- else %}
        where false
        {%- endif %}
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
