with

checked as (
    select * from {{ ref('base_marketing__click_events') }}
),

final as (
    select
        -- ids
        event_id,
        user_id,
        -- dimensions
        event_type,
        product,
        country,
        event_time,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
