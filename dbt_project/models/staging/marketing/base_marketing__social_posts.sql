{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{#- Every record of the social-post exports, typed and checked by the source contract; incremental, append-only.
    A post has no id in the export: post_id is a hash of user, post_date and message, and the same post delivered
    again is quarantined as duplicate_post (the first copy read is kept). -#}
{{ tributary.stage_source('marketing_raw', 'social_posts', derived={
    'post_id': dbt.hash("concat(user_name__text, '|', posted_at__text, '|', message__text)"),
}) }}
