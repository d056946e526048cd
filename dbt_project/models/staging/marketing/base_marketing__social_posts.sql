{#- Every raw line of the social-post exports (one JSON object per line), parsed and checked. A post has no id in
    the export: post_id is a hash of user, post_date and message, and the same post exported again (in the same
    file or a later one) is quarantined as duplicate_post, the first copy read being kept. -#}
with

source as (
    select * from {{ source('marketing_raw', 'social_posts') }}
),

parsed as (
    select
        _source_file,
        dt as ingested_date,
        raw_line,
        {{ tributary.json_is_object('raw_line') }} as is_json_object,
        nullif(trim({{ tributary.json_text('raw_line', 'user') }}), '') as user_name,
        {{ tributary.json_text('raw_line', 'message') }} as message,
        {{ tributary.json_text('raw_line', 'post_date') }} as post_date_text,
        {{ tributary.json_text('raw_line', 'likes') }} as likes_text,
        {{ tributary.json_text('raw_line', 'retweets') }} as retweets_text
    from source
),

typed as (
    select
        *,
        {{ tributary.try_to_timestamp('post_date_text', '%Y-%m-%d %H:%M:%S') }} as posted_at,
        {{ tributary.to_integer('likes_text') }} as likes,
        {{ tributary.to_integer('retweets_text') }} as retweets,
        {{ dbt.hash("concat(user_name, '|', post_date_text, '|', message)") }} as post_id
    from parsed
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_json_object then 'malformed_json'
            when user_name is null then 'missing_user'
            when message is null then 'missing_message'
            when posted_at is null then 'invalid_post_date'
            when likes is null or likes < 0 then 'invalid_likes'
            when retweets is null or retweets < 0 then 'invalid_retweets'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by row_problem, post_id
            order by ingested_date asc, _source_file asc, raw_line asc
        ) as occurrence
    from checked
),

final as (
    select
        -- lineage
        _source_file,
        ingested_date,
        raw_line,
        -- ids
        post_id,
        -- dimensions
        user_name,
        message,
        posted_at,
        -- measures
        likes,
        retweets,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_post' end) as reject_reason
    from ranked
)

select * from final
