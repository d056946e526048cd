{#- Every record of both web-log shapes, with source_table saying which, and the checks they share: the URL and
    a registered status code (seed marketing_http_status_codes: an unassigned code such as 532 is quarantined),
    a readable time. A view over the two incremental base models. -#}
with

log_lines as (
    select * from {{ ref('base_marketing__web_logs_clf') }}
),

csv_lines as (
    select * from {{ ref('base_marketing__web_logs_csv') }}
),

status_codes as (
    select * from {{ ref('marketing_http_status_codes') }}
),

unioned as (
    select
        'marketing_raw.web_logs' as source_table,
        _source_file,
        _delivery_id,
        _line_number,
        ingested_date,
        ip_address,
        url,
        status_code,
        requested_at,
        reject_reason,
        coalesce(raw_line, line) as raw_line
    from log_lines
    union all
    select
        'marketing_raw.web_logs_csv' as source_table,
        _source_file,
        _delivery_id,
        _line_number,
        ingested_date,
        ip_address,
        url,
        status_code,
        requested_at,
        reject_reason,
        coalesce(
            raw_line,
            concat_ws(',', ip_address, url_text, cast(status_code as varchar), cast(requested_at as varchar))
        ) as raw_line
    from csv_lines
),

checked as (
    select
        unioned.*,
        coalesce(
            unioned.reject_reason,
            case
                when unioned.ip_address is null then 'missing_ip_address'
                when unioned.url is null then 'missing_url'
                when unioned.status_code is null then 'invalid_status_code'
                when status_codes.status_code is null then 'unknown_status_code'
                when unioned.requested_at is null then 'invalid_timestamp'
            end
        ) as checked_reason
    from unioned
    left join status_codes on unioned.status_code = status_codes.status_code
),

final as (
    select
        -- lineage
        source_table,
        _source_file,
        _delivery_id,
        _line_number,
        ingested_date,
        -- dimensions
        ip_address,
        url,
        status_code,
        requested_at,
        -- checks
        checked_reason as reject_reason,
        case when checked_reason is not null then raw_line end as raw_line
    from checked
)

select * from final
