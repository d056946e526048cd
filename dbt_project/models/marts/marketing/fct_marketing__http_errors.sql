with

requests as (
    select * from {{ ref('stg_marketing__web_logs') }}
),

hourly as (
    select
        url,
        date_trunc('hour', requested_at) as hour_start,
        count(*) as requests,
        cast(sum(case when status_code between 400 and 499 then 1 else 0 end) as bigint) as errors_4xx,
        cast(sum(case when status_code between 500 and 599 then 1 else 0 end) as bigint) as errors_5xx
    from requests
    group by url, date_trunc('hour', requested_at)
),

final as (
    select
        -- ids
        url,
        hour_start,
        -- measures
        requests,
        errors_4xx,
        errors_5xx,
        cast(errors_4xx + errors_5xx as double) / requests as error_rate
    from hourly
)

select * from final
