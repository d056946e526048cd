{#- Every raw line of the sales-event micro-batches, parsed and checked. Incremental: a run reads only the
    batch files it has not seen (the dt partitions from the last one seen, minus a look-back for batches that
    land late), so its cost grows with the new data, not with the history. An Order_ID already staged, in this
    run or an earlier one, is a repeated delivery: quarantined as duplicate_event. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

source as (
    {{ tributary.incremental_source('stock_raw', 'sales_events') }}
),

parsed as (
    select
        _source_file,
        dt as ingested_date,
        raw_line,
        {{ tributary.json_is_object('raw_line') }} as is_json_object,
        {{ tributary.json_text('raw_line', 'Order_ID') }} as order_id,
        {{ tributary.json_text('raw_line', 'event_time') }} as event_time_text,
        {{ tributary.json_text('raw_line', 'Product_ID') }} as product_id,
        {{ tributary.json_text('raw_line', 'Product_Name') }} as product_name,
        {{ tributary.json_text('raw_line', 'Region') }} as region,
        {{ tributary.json_text('raw_line', 'Quantity') }} as quantity_text,
        {{ tributary.json_text('raw_line', 'Sales') }} as sales_text
    from source
),

typed as (
    select
        *,
        {{ tributary.try_to_timestamp('event_time_text', '%Y-%m-%dT%H:%M:%S') }} as event_time,
        {{ tributary.to_integer('quantity_text') }} as quantity,
        {{ tributary.to_decimal('sales_text') }} as sales
    from parsed
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_json_object then 'malformed_json'
            when order_id is null then 'missing_order_id'
            when product_id is null then 'missing_product_id'
            when region is null then 'missing_region'
            when event_time is null then 'invalid_event_time'
            -- events are at most minutes old when their batch lands: a day past the batch date is a clock error
            when cast(event_time as date) > {{ dbt.dateadd('day', 1, 'ingested_date') }} then 'future_event_time'
            when quantity is null then 'invalid_quantity'
            when quantity <= 0 then 'non_positive_quantity'
            when sales is null then 'invalid_sales'
        end as row_problem
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by checked.row_problem, checked.order_id
            order by checked._source_file, checked.raw_line
        ) as occurrence
    from checked
),

already_staged as (
    {% if is_incremental() %}
        -- only the ids of this batch: the semi join hashes the batch, not every id staged so far, so the
        -- check costs a scan of one column of the history instead of a de-duplication of it (make bench)
        select distinct staged.order_id from {{ this }} as staged
        where
            staged.reject_reason is null
            and staged.order_id in (select checked.order_id from checked)
    {% else %}
        select cast(null as varchar) as order_id
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
        ranked.order_id,
        ranked.product_id,
        -- dimensions
        ranked.product_name,
        ranked.region,
        ranked.event_time,
        -- measures
        ranked.quantity,
        ranked.sales,
        -- check
        coalesce(
            ranked.row_problem,
            case
                when ranked.occurrence > 1 then 'duplicate_event'
                when already_staged.order_id is not null then 'duplicate_event'
            end
        ) as reject_reason
    from ranked
    -- equality only: a condition on ranked in the ON clause made DuckDB plan a nested loop join (make bench);
    -- the coalesce above consults already_staged only for rows without a problem
    left join already_staged
        on ranked.order_id = already_staged.order_id
)

select * from final
