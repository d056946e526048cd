{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{#- Every record of the web logs in the CSV shape, typed and checked by the source contract; incremental,
    append-only. The URL loses its query string. -#}
{{ tributary.stage_source('marketing_raw', 'web_logs_csv', derived={
    'url': tributary.url_path('url_text'),
}) }}
