{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key='stationcode',
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- The commune of each station, from its latest usable open-data record (GBFS records carry none). Incremental:
    a run reads only the open-data records delivered since the last one, so the lookup does not grow with the
    history (the latest delivery read is written into the SQL as a literal: the scan skips the older row groups). -#}
{%- set since = tributary.incremental_since('_delivered_at', lookback_hours=0) %}

with

records as (
    select * from {{ ref('base_velib__opendata_records') }}
    where
        reject_reason is null
        and commune is not null  -- noqa: LT02
        {%- if since %}
        and _delivered_at > {{ since }}
        {%- endif %}
),

ranked as (
    select
        stationcode,
        commune,
        insee_code,
        snapshot_at,
        _delivered_at,
        row_number() over (
            partition by stationcode order by snapshot_at desc, _delivered_at desc, commune asc
        ) as recency
    from records
),

final as (
    select
        stationcode,
        commune,
        insee_code,
        snapshot_at,
        _delivered_at
    from ranked
    where recency = 1
)

select * from final
