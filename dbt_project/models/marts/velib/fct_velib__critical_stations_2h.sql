{#- The most critical stations over the hours before the latest snapshot (var velib_critical_window_hours,
    default 2: snapshots after latest − 2 h, up to the latest, of the latest snapshot's feed, open data or GBFS):
    critical_score = 2 × snapshots with no bike
    + 2 × snapshots with no free dock + snapshots with fill_rate ≥ 0.9. Top velib_critical_top_n (default 10),
    highest score first, ties by stationcode. -#}
{%- set window_hours = var('velib_critical_window_hours', 2) | int -%}
{%- set top_n = var('velib_critical_top_n', 10) | int -%}
{#- The latest snapshot, read when the model runs: the window's bounds are then literals and the scan skips the
    history (the join below alone reads every snapshot: 0.9 s against 0.01 s over two months of 1,500 stations). -#}
{%- set latest_at = tributary.latest_timestamp(ref('fct_velib__station_snapshots'), 'snapshot_at') -%}

with

snapshots as (
    select * from {{ ref('fct_velib__station_snapshots') }}
    {%- if latest_at %}
        where
            snapshot_at > {{ dbt.dateadd('hour', -window_hours, latest_at) }}
            and snapshot_at <= {{ latest_at }}
    {%- endif %}
),

feeds as (
    select
        *,
        case when snapshot_source = 'gbfs' then 'gbfs' else 'opendata' end as feed
    from snapshots
),

latest as (
    -- the feed of the latest snapshot: with GBFS on too, a station is not counted twice per quarter-hour
    select
        snapshot_at as latest_at,
        feed
    from feeds
    order by snapshot_at desc, feed desc
    limit 1
),

windowed as (
    select feeds.*
    from feeds
    inner join latest on feeds.feed = latest.feed
    where
        feeds.snapshot_at > {{ dbt.dateadd('hour', -window_hours, 'latest.latest_at') }}
        and feeds.snapshot_at <= latest.latest_at
),

scored as (
    select
        stationcode,
        max(station_name) as station_name,
        max(area_name) as area_name,
        count(*) as snapshots,
        cast(sum(case when is_empty then 1 else 0 end) as bigint) as empty_snapshots,
        cast(sum(case when is_full then 1 else 0 end) as bigint) as full_snapshots,
        cast(sum(case when is_high_fill then 1 else 0 end) as bigint) as high_fill_snapshots,
        min(snapshot_at) as first_snapshot_at,
        max(snapshot_at) as last_snapshot_at
    from windowed
    group by stationcode
),

ranked as (
    select
        *,
        2 * empty_snapshots + 2 * full_snapshots + high_fill_snapshots as critical_score,
        row_number() over (
            order by 2 * empty_snapshots + 2 * full_snapshots + high_fill_snapshots desc, stationcode asc
        ) as critical_rank
    from scored
),

final as (
    select
        -- ids
        critical_rank,
        stationcode,
        -- dimensions
        station_name,
        area_name,
        -- measures
        critical_score,
        snapshots,
        empty_snapshots,
        full_snapshots,
        high_fill_snapshots,
        -- timestamps
        first_snapshot_at,
        last_snapshot_at
    from ranked
    where critical_rank <= {{ top_n }}
)

select * from final
