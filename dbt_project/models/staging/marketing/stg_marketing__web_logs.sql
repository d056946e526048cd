with

checked as (
    select * from {{ ref('base_marketing__web_logs') }}
),

final as (
    select
        -- dimensions
        ip_address,
        url,
        status_code,
        requested_at,
        -- lineage
        source_table,
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
