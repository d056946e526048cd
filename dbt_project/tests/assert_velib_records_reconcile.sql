{{ config(meta={'dagster': {'ref': {'name': 'stg_velib__station_records'}}}) }}
-- depends_on: {{ ref('base_velib__station_records') }}

{#- Nothing is lost: every station record of the raw snapshots of both sources (one row each in the parsed
    relations) is staged or quarantined. Counted over the deliveries of the last velib_test_window_hours hours
    before the latest delivery staging has read (0: every delivery), so that one new snapshot is checked, not the
    month: only the lake partitions of those days are read. A delivery after that one (one staging lost) is in
    the window: the raw side has no upper bound. -#}
{%- set hours = var('velib_test_window_hours') | int %}
{%- set since = none %}
{%- set base = load_relation(ref('base_velib__station_records')) if execute else none %}
{%- if hours > 0 and base is not none %}
    {%- set latest = run_query('select max(_delivered_at) from ' ~ base).columns[0].values()[0] %}
    {%- if latest is not none %}
        {%- set since = latest - modules.datetime.timedelta(hours=hours) %}
    {%- endif %}
{%- endif %}

with

raw_records as (
    select opendata._delivery_id
    from ({{ tributary.raw_records_since('velib_raw', 'station_status', since) }}) as opendata
    union all
    select gbfs._delivery_id
    from ({{ tributary.raw_records_since('velib_raw', 'gbfs_station_status', since) }}) as gbfs
),

deliveries as (
    select distinct raw_records._delivery_id from raw_records
),

counts as (
    select
        (select count(*) from raw_records) as raw_records,
        (
            select count(*) from {{ ref('stg_velib__station_records') }} as staged
            where staged._delivery_id in (select deliveries._delivery_id from deliveries)
        ) as staged_records,
        (
            select count(*) from {{ ref('qua_velib__station_records') }} as quarantined
            where quarantined._delivery_id in (select deliveries._delivery_id from deliveries)
        ) as quarantined_records
)

select *
from counts
where raw_records != staged_records + quarantined_records
