{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{#- Every record of the sales-event micro-batches, typed and checked by the source contract; incremental and
    append-only: a run reads only the batches it has not read, and an Order_ID staged before (in this run or an
    earlier one) is a repeated delivery, quarantined as duplicate_event (the first delivery wins). Events are
    at most minutes old when their batch lands: one dated after its batch's day is a clock error. -#}
{{ tributary.stage_source('stock_raw', 'sales_events', checks=[
    ('future_event_time', "cast(event_time as date) > " ~ dbt.dateadd('day', 1, 'ingested_date')),
]) }}
