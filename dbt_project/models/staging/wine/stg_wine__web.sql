with

checked as (
    select * from {{ ref('base_wine__web') }}
),

final as (
    select
        -- ids
        sku,
        -- dimensions
        post_title,
        post_name,
        post_status,
        post_date,
        -- measures
        total_sales,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
