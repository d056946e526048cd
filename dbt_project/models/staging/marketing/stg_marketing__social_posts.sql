with

checked as (
    select * from {{ ref('base_marketing__social_posts') }}
),

final as (
    select
        -- ids
        post_id,
        -- dimensions
        user_name,
        message,
        posted_at,
        -- measures
        likes,
        retweets,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
