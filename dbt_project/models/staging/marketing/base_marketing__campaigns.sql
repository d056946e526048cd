{#- Every raw line of the ad-campaign exports (one JSON object per line), parsed and checked. Impossible records
    are quarantined: more clicks than impressions (clicks_exceed_impressions), an end date before the start date
    (end_before_start). A ctr that disagrees with clicks / impressions is not impossible, only wrong (a rate in
    percent, a stale figure): the campaign stays, and fct_marketing__campaign_performance flags it. The same
    campaign_id in several exports: the latest export wins, the other copies are duplicate_campaign. -#}
with

source as (
    select * from {{ source('marketing_raw', 'campaigns') }}
),

parsed as (
    select
        _source_file,
        dt as ingested_date,
        raw_line,
        {{ tributary.json_is_object('raw_line') }} as is_json_object,
        nullif(trim({{ tributary.json_text('raw_line', 'campaign_id') }}), '') as campaign_id,
        {{ tributary.json_text('raw_line', 'start_date') }} as start_date_text,
        {{ tributary.json_text('raw_line', 'end_date') }} as end_date_text,
        {{ tributary.json_text('raw_line', 'budget') }} as budget_text,
        {{ tributary.json_text('raw_line', 'clicks') }} as clicks_text,
        {{ tributary.json_text('raw_line', 'impressions') }} as impressions_text,
        {{ tributary.json_text('raw_line', 'ctr') }} as ctr_text
    from source
),

typed as (
    select
        *,
        {{ tributary.try_to_date('start_date_text', '%Y-%m-%d') }} as start_date,
        {{ tributary.try_to_date('end_date_text', '%Y-%m-%d') }} as end_date,
        {{ tributary.to_decimal('budget_text') }} as budget,
        {{ tributary.to_integer('clicks_text') }} as clicks,
        {{ tributary.to_integer('impressions_text') }} as impressions,
        {{ tributary.to_double('ctr_text') }} as ctr_file
    from parsed
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_json_object then 'malformed_json'
            when campaign_id is null then 'missing_campaign_id'
            when start_date is null then 'invalid_start_date'
            when end_date is null then 'invalid_end_date'
            when end_date < start_date then 'end_before_start'
            when budget is null or budget < 0 then 'invalid_budget'
            when clicks is null or clicks < 0 then 'invalid_clicks'
            when impressions is null or impressions < 0 then 'invalid_impressions'
            when clicks > impressions then 'clicks_exceed_impressions'
            when ctr_file is null then 'invalid_ctr'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by row_problem, campaign_id
            order by ingested_date desc, _source_file desc, raw_line asc
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
        campaign_id,
        -- dimensions
        start_date,
        end_date,
        -- measures
        budget,
        clicks,
        impressions,
        ctr_file,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_campaign' end) as reject_reason
    from ranked
)

select * from final
