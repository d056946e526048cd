{{ config(meta={'dagster': {'ref': {'name': 'stg_marketing__web_logs'}}}) }}

{#- Nothing is lost: every line of both web-log shapes (Common Log Format lines and the CSV rows) is staged or
    quarantined, per raw relation. -#}
with

raw_counts as (
    select
        'marketing_raw.web_logs' as source_table,
        count(*) as raw_rows
    from {{ source('marketing_raw', 'web_logs') }}
    union all
    select
        'marketing_raw.web_logs_csv' as source_table,
        count(*) as raw_rows
    from {{ source('marketing_raw', 'web_logs_csv') }}
),

staged_counts as (
    select
        source_table,
        count(*) as staged_rows
    from {{ ref('stg_marketing__web_logs') }}
    group by source_table
),

quarantined_counts as (
    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('qua_marketing__web_logs') }}
    group by source_table
),

final as (
    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        coalesce(staged_counts.staged_rows, 0) as staged_rows,
        coalesce(quarantined_counts.quarantined_rows, 0) as quarantined_rows
    from raw_counts
    left join staged_counts on raw_counts.source_table = staged_counts.source_table
    left join quarantined_counts on raw_counts.source_table = quarantined_counts.source_table
)

select * from final
where raw_rows != staged_rows + quarantined_rows
