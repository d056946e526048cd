{#- Engagement of the social posts by user and by hashtag, in one table: `dimension` says which. A post counts
    once for each of its hashtags; posts without a hashtag count for their user only.
    engagement = likes + retweets; engagement_rank orders the users, and the hashtags, by it (1 = the most engaging;
    ties by dimension_value). -#}
with

posts as (
    select * from {{ ref('stg_marketing__social_posts') }}
),

post_hashtags as (
    select * from {{ ref('int_marketing__post_hashtags') }}
),

by_user as (
    select
        'user' as dimension,
        user_name as dimension_value,
        count(*) as posts,
        cast(sum(likes) as bigint) as likes,
        cast(sum(retweets) as bigint) as retweets
    from posts
    group by user_name
),

by_hashtag as (
    select
        'hashtag' as dimension,
        post_hashtags.hashtag as dimension_value,
        count(*) as posts,
        cast(sum(posts.likes) as bigint) as likes,
        cast(sum(posts.retweets) as bigint) as retweets
    from post_hashtags
    inner join posts on post_hashtags.post_id = posts.post_id
    group by post_hashtags.hashtag
),

unioned as (
    select * from by_user
    union all
    select * from by_hashtag
),

final as (
    select
        -- ids
        dimension,
        dimension_value,
        -- measures
        posts,
        likes,
        retweets,
        likes + retweets as engagement,
        row_number() over (
            partition by dimension order by likes + retweets desc, dimension_value asc
        ) as engagement_rank
    from unioned
)

select * from final
