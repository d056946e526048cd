{#- One row per usable campaign (impossible ones are in qua_marketing__campaigns) with the figures recomputed from
    clicks, impressions and budget. ctr_computed = clicks / impressions; is_ctr_mismatch when the file's ctr is
    more than var marketing_ctr_tolerance away from it. Ratios over a zero are NULL. -#}
with

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

computed as (
    select
        *,
        case when impressions > 0 then cast(clicks as double) / impressions end as ctr_computed
    from campaigns
),

final as (
    select
        -- ids
        campaign_id,
        -- dimensions
        start_date,
        end_date,
        {{ dbt.datediff('start_date', 'end_date', 'day') }} + 1 as duration_days,  -- noqa: LT05
        -- measures
        budget,
        clicks,
        impressions,
        ctr_file,
        ctr_computed,
        case
            when ctr_computed is null then ctr_file != 0
            else abs(ctr_file - ctr_computed) > {{ var('marketing_ctr_tolerance') }}
        end as is_ctr_mismatch,
        case when clicks > 0 then cast(budget as double) / clicks end as cost_per_click,
        case when impressions > 0 then cast(budget as double) * 1000 / impressions end as cost_per_mille
    from computed
)

select * from final
