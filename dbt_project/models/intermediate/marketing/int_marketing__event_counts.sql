{#- Click events counted per 5-minute window (UTC), event type and country: the series the anomaly mart scores. -#}
with

events as (
    select * from {{ ref('stg_marketing__click_events') }}
),

windowed as (
    select
        {{ tributary.five_minute_window('event_time') }} as window_start,
        event_type,
        country
    from events
),

final as (
    select
        window_start,
        event_type,
        country,
        count(*) as events
    from windowed
    group by window_start, event_type, country
)

select * from final
