{#- Click events per 5-minute window (UTC), event type and country, scored against their own recent past.

    The series of an (event type, country) starts at its first event; from there every window in which the stream
    carried any event gets a row, 0 when this series had none (a window with no event at all is an outage of the
    stream, not a quiet period, and has no row). baseline_mean and baseline_stddev (sample) are taken over the
    previous var marketing_anomaly_baseline_windows rows of the series (N; the current window excluded).
    z_score = (events - baseline_mean) / spread, where the spread is baseline_stddev but at least
    sqrt(baseline_mean) (counts vary at least like a Poisson count does), once the baseline has N windows and a
    positive mean (NULL otherwise). is_anomaly when z_score > var marketing_anomaly_z_threshold and the window has
    at least var marketing_anomaly_min_events events: a burst. A drop shows as a negative z_score, not flagged.
    The mean and the standard deviation come from exact integer sums over the frame (n, Σ x, Σ x²:
    s² = (n Σ x² − (Σ x)²) / (n (n − 1))), turned into doubles only at the end, so they are the same whatever
    order the engine adds the frame's rows in (a double accumulator, as stddev_samp's, can differ in its last bit
    between two builds).

    Incremental: every run counts the staged events again (the baseline of a new window needs the previous N
    windows, which earlier runs read), compares the counts with the stored rows, and rewrites the windows whose
    count changed or appeared (a new batch, a late event) plus the N windows after each (their baseline changed),
    whole days at a time: DuckDB delete+insert on the key; Athena insert_overwrite of the window_date partitions
    (Hive tables), or merge on the key (Iceberg). Changing N or the threshold needs a full refresh. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=tributary.replace_strategy(),
        table_type=(var('athena_table_type', 'hive') if target.type == 'athena' else none),
        unique_key=['window_start', 'event_type', 'country'],
        partitioned_by=(['window_date'] if target.type == 'athena' else none),
        on_schema_change='fail',
    )
}}

{%- set baseline_windows = var('marketing_anomaly_baseline_windows') | int %}

with

event_counts as (
    select * from {{ ref('int_marketing__event_counts') }}
),

windows as (
    select
        window_start,
        row_number() over (order by window_start) as window_number
    from (select distinct window_start from event_counts) as distinct_windows
),

series as (
    select
        event_type,
        country,
        min(window_start) as first_window_start
    from event_counts
    group by event_type, country
),

grid as (
    select
        windows.window_start,
        windows.window_number,
        series.event_type,
        series.country,
        coalesce(event_counts.events, 0) as events
    from series
    inner join windows on series.first_window_start <= windows.window_start
    left join event_counts
        on
            windows.window_start = event_counts.window_start
            and series.event_type = event_counts.event_type
            and series.country = event_counts.country
),

baseline_sums as (
    select
        *,
        count(*) over (
            partition by event_type, country order by window_start
            rows between {{ baseline_windows }} preceding and 1 preceding
        ) as baseline_windows,
        sum(events) over (
            partition by event_type, country order by window_start
            rows between {{ baseline_windows }} preceding and 1 preceding
        ) as baseline_sum,
        sum(events * events) over (
            partition by event_type, country order by window_start
            rows between {{ baseline_windows }} preceding and 1 preceding
        ) as baseline_sum_of_squares
    from grid
),

baselines as (
    select
        *,
        cast(baseline_sum as double) / nullif(baseline_windows, 0) as baseline_mean,
        case
            when baseline_windows > 1
                then sqrt(
                        cast(baseline_windows * baseline_sum_of_squares - baseline_sum * baseline_sum as double)
                        / (cast(baseline_windows as double) * (baseline_windows - 1))
                    )
        end as baseline_stddev
    from baseline_sums
),

scored as (
    select
        *,
        -- the spread is at least sqrt(mean), the Poisson spread of a count: a baseline that happened to be flat
        -- does not make a small rise look extreme
        case
            when baseline_windows = {{ baseline_windows }} and baseline_mean > 0
                then (events - baseline_mean) / greatest(coalesce(baseline_stddev, 0), sqrt(baseline_mean))
        end as z_score
    from baselines
),

{% if is_incremental() %}
    changed_windows as (
        select distinct grid.window_number
        from grid
        left join {{ this }} as stored
            on
                grid.window_start = stored.window_start
                and grid.event_type = stored.event_type
                and grid.country = stored.country
        where stored.events is null or stored.events != grid.events
    ),

    rewritten_dates as (
        select distinct cast(windows.window_start as date) as window_date
        from windows
        inner join changed_windows
            on windows.window_number between changed_windows.window_number
            and changed_windows.window_number + {{ baseline_windows }}
    ),

    to_write as (
        select scored.*
        from scored
        where cast(scored.window_start as date) in (select rewritten_dates.window_date from rewritten_dates)
    ),
{% else %}
    to_write as (
        select * from scored
    ),
{% endif %}

final as (
    select
        -- ids
        window_start,
        event_type,
        country,
        -- measures
        events,
        baseline_windows,
        baseline_mean,
        baseline_stddev,
        z_score,
        coalesce(
            z_score > {{ var('marketing_anomaly_z_threshold') }}
            and events >= {{ var('marketing_anomaly_min_events') }},
            false
        ) as is_anomaly,
        -- partition (last, as Athena wants it)
        cast(window_start as date) as window_date
    from to_write
)

select * from final
