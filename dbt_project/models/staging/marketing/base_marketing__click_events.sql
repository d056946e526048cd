{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{#- Every record of the click-event micro-batches, typed and checked by the source contract; incremental and
    append-only like the stock sales events: a run reads only the batches it has not read, and an event_id staged
    before is a repeated delivery (duplicate_event). An event dated after its batch's day is a clock error. -#}
{{ tributary.stage_source('marketing_raw', 'click_events', checks=[
    ('future_event_time', "cast(event_time as date) > " ~ dbt.dateadd('day', 1, 'ingested_date')),
]) }}
