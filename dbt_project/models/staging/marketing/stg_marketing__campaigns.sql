with

checked as (
    select * from {{ ref('base_marketing__campaigns') }}
),

final as (
    select
        -- ids
        campaign_id,
        -- dimensions
        start_date,
        end_date,
        -- measures
        budget,
        clicks,
        impressions,
        ctr_file,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
