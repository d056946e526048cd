{#- Every raw line of the click-event micro-batches, parsed and checked. Incremental, append-only, like the stock
    sales events: a run reads only the batch files it has not seen (incremental_source). An event_id already
    staged, in this run or an earlier one, is a repeated delivery: quarantined as duplicate_event. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

source as (
    {{ tributary.incremental_source('marketing_raw', 'click_events') }}
),

parsed as (
    select
        _source_file,
        dt as ingested_date,
        raw_line,
        {{ tributary.json_is_object('raw_line') }} as is_json_object,
        {{ tributary.json_text('raw_line', 'event_id') }} as event_id,
        {{ tributary.json_text('raw_line', 'event_type') }} as event_type,
        {{ tributary.json_text('raw_line', 'user_id') }} as user_id,
        {{ tributary.json_text('raw_line', 'product') }} as product,
        {{ tributary.json_text('raw_line', 'country') }} as country,
        {{ tributary.json_text('raw_line', 'event_time') }} as event_time_text
    from source
),

typed as (
    select
        *,
        {{ tributary.try_to_timestamp('event_time_text', '%Y-%m-%dT%H:%M:%S') }} as event_time
    from parsed
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_json_object then 'malformed_json'
            when event_id is null then 'missing_event_id'
            when event_type is null then 'missing_event_type'
            when event_type not in ({{ tributary.sql_string_list(var('marketing_event_types')) }})
                then 'unknown_event_type'
            when user_id is null then 'missing_user_id'
            when product is null then 'missing_product'
            when country is null then 'missing_country'
            when event_time is null then 'invalid_event_time'
            -- events are at most minutes old when their batch lands: a day past the batch date is a clock error
            when cast(event_time as date) > {{ dbt.dateadd('day', 1, 'ingested_date') }} then 'future_event_time'
        end as row_problem
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by checked.row_problem, checked.event_id
            order by checked._source_file, checked.raw_line
        ) as occurrence
    from checked
),

already_staged as (
    {% if is_incremental() %}
        -- only the ids of this batch (as base_stock__sales_events): the history is scanned, not de-duplicated
        select distinct staged.event_id from {{ this }} as staged
        where
            staged.reject_reason is null
            and staged.event_id in (select checked.event_id from checked)
    {% else %}
        select cast(null as varchar) as event_id
        where 1 = 0
    {% endif %}
),

final as (
    select
        -- lineage
        ranked._source_file,
        ranked.ingested_date,
        ranked.raw_line,
        -- ids
        ranked.event_id,
        ranked.user_id,
        -- dimensions
        ranked.event_type,
        ranked.product,
        ranked.country,
        ranked.event_time,
        -- check
        coalesce(
            ranked.row_problem,
            case
                when ranked.occurrence > 1 then 'duplicate_event'
                when already_staged.event_id is not null then 'duplicate_event'
            end
        ) as reject_reason
    from ranked
    -- equality only: a condition on ranked in the ON clause made DuckDB plan a nested loop join (make bench);
    -- the coalesce above consults already_staged only for rows without a problem
    left join already_staged
        on ranked.event_id = already_staged.event_id
)

select * from final
