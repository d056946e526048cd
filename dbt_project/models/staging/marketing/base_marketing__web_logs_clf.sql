{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{#- Every line of the Apache Common/Combined Log Format files, parsed (host ident authuser [time] "request" status
    bytes, optionally "referer" "user agent") and checked; incremental, append-only. Log timestamps carry the
    server's UTC offset ([25/Nov/2024:13:55:36 +0100]): requested_at is UTC. Identical lines are not duplicates
    (two identical requests in the same second happen). -#}
{%- set offset = "nullif(regexp_extract(line, '\\[[^ ]+ ([+-][0-9]{4})\\]', 1), '')" -%}
{{ tributary.stage_source('marketing_raw', 'web_logs', derived={
    'is_well_formed': tributary.regexp_like(
        'line', '^[^ ]+ [^ ]+ [^ ]+ \\[[^\\]]+\\] "[^"]*" [0-9]{3} ([0-9]+|-)( "[^"]*" "[^"]*")?$'),
    'ip_address': "nullif(regexp_extract(line, '^([^ ]+) ', 1), '')",
    'url': tributary.url_path("nullif(regexp_extract(line, '\"[A-Z]+ ([^ \"]+)[^\"]*\"', 1), '')"),
    'status_code': tributary.to_integer("nullif(regexp_extract(line, '\" ([0-9]{3}) ([0-9]+|-)', 1), '')"),
    'requested_at': dbt.dateadd(
        'minute',
        "-(case when substr(" ~ offset ~ ", 1, 1) = '-' then -1 else 1 end) * (cast(substr(" ~ offset
            ~ ", 2, 2) as integer) * 60 + cast(substr(" ~ offset ~ ", 4, 2) as integer))",
        tributary.try_to_timestamp(
            "nullif(regexp_extract(line, '\\[([0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}) [+-][0-9]{4}\\]', 1), '')",
            '%d/%b/%Y:%H:%M:%S'),
    ),
}, checks=[
    ('malformed_line', 'not is_well_formed'),
]) }}
