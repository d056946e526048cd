{#- One row per post and hashtag: the #words of the message (letters, digits, underscore), lower-cased, each
    counted once per post even when the message repeats it. -#}
with

posts as (
    select * from {{ ref('stg_marketing__social_posts') }}
),

tags as (
    select
        posts.post_id,
        lower(tag.hashtag) as hashtag
    from posts
    cross join unnest(regexp_extract_all(posts.message, '#[A-Za-z0-9_]+')) as tag (hashtag)
),

final as (
    select distinct
        post_id,
        hashtag
    from tags
)

select * from final
