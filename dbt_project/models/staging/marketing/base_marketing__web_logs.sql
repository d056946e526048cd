{#- Every raw line of the web server logs, both shapes, parsed and checked: Apache Common/Combined Log Format
    lines (marketing_raw.web_logs) and the CSV shape (marketing_raw.web_logs_csv). One row per raw line, with
    source_table saying which. Log timestamps carry the server's UTC offset ([25/Nov/2024:13:55:36 +0100]):
    requested_at is UTC. The URL is the request path without its query string. Status codes must be registered
    (seed marketing_http_status_codes): an unassigned code such as 532 is quarantined. Identical lines are not
    duplicates here (two identical requests in the same second happen); a file landed twice is refused upstream
    by its content hash. -#}
with

log_source as (
    select * from {{ source('marketing_raw', 'web_logs') }}
),

csv_source as (
    select * from {{ source('marketing_raw', 'web_logs_csv') }}
),

status_codes as (
    select * from {{ ref('marketing_http_status_codes') }}
),

-- host ident authuser [time] "request" status bytes, optionally followed by "referer" "user agent"
log_lines as (
    select
        _source_file,
        dt as ingested_date,
        raw_line,
        'marketing_raw.web_logs' as source_table,
        {{ tributary.regexp_like(
            'raw_line',
            '^[^ ]+ [^ ]+ [^ ]+ \\[[^\\]]+\\] "[^"]*" [0-9]{3} ([0-9]+|-)' ~ '( "[^"]*" "[^"]*")?$'
        ) }} as is_well_formed,
        4 as field_count,
        -- DuckDB's regexp_extract gives '' where Trino's gives NULL: nullif makes both NULL
        nullif(regexp_extract(raw_line, '^([^ ]+) ', 1), '') as ip_address,
        nullif(regexp_extract(raw_line, '"[A-Z]+ ([^ "]+)[^"]*"', 1), '') as url_text,
        nullif(regexp_extract(raw_line, '" ([0-9]{3}) ([0-9]+|-)', 1), '') as status_text,
        nullif(regexp_extract(
            raw_line, '\[([0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}) [+-][0-9]{4}\]', 1
        ), '') as local_time_text,
        nullif(regexp_extract(raw_line, '\[[^ ]+ ([+-][0-9]{4})\]', 1), '') as utc_offset_text
    from log_source
),

csv_lines as (
    {{ tributary.csv_lines('csv_source') }}
),

csv_fields as (
    select
        _source_file,
        ingested_date,
        raw_line,
        'marketing_raw.web_logs_csv' as source_table,
        is_well_formed,
        {{ tributary.array_size('csv_fields') }} as field_count,
        {{ tributary.csv_field('csv_fields', 1) }} as ip_address,
        {{ tributary.csv_field('csv_fields', 2) }} as url_text,
        {{ tributary.csv_field('csv_fields', 3) }} as status_text,
        {{ tributary.csv_field('csv_fields', 4) }} as time_text
    from csv_lines
),

typed as (
    select
        _source_file,
        ingested_date,
        raw_line,
        source_table,
        is_well_formed,
        field_count,
        ip_address,
        {{ tributary.url_path('url_text') }} as url,
        {{ tributary.to_integer('status_text') }} as status_code,
        -- local time minus the server's offset from UTC (+0100 is one hour ahead of UTC)
        {{ dbt.dateadd(
            'minute',
            "-(case when substr(utc_offset_text, 1, 1) = '-' then -1 else 1 end)"
            ~ " * (cast(substr(utc_offset_text, 2, 2) as integer) * 60 + cast(substr(utc_offset_text, 4, 2) as integer))",
            tributary.try_to_timestamp('local_time_text', '%d/%b/%Y:%H:%M:%S'),
        ) }} as requested_at
    from log_lines

    union all

    select
        _source_file,
        ingested_date,
        raw_line,
        source_table,
        is_well_formed,
        field_count,
        ip_address,
        {{ tributary.url_path('url_text') }} as url,
        {{ tributary.to_integer('status_text') }} as status_code,
        {{ tributary.try_to_timestamp('time_text', '%Y-%m-%d %H:%M:%S') }} as requested_at
    from csv_fields
),

checked as (
    select
        typed.*,
        case
            when typed.raw_line is null then 'empty_line'
            when not typed.is_well_formed then 'malformed_line'
            when typed.field_count != 4 then 'wrong_field_count'
            when typed.ip_address is null then 'missing_ip_address'
            when typed.url is null then 'missing_url'
            when typed.status_code is null then 'invalid_status_code'
            when status_codes.status_code is null then 'unknown_status_code'
            when typed.requested_at is null then 'invalid_timestamp'
        end as reject_reason
    from typed
    left join status_codes on typed.status_code = status_codes.status_code
),

final as (
    select
        -- lineage
        source_table,
        _source_file,
        ingested_date,
        raw_line,
        -- dimensions
        ip_address,
        url,
        status_code,
        requested_at,
        -- check
        reject_reason
    from checked
)

select * from final
