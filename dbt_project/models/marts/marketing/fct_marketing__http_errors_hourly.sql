{#- Web requests of every URL together per hour (UTC), with the share of client and server errors:
    error_4xx_rate = errors_4xx / requests, error_5xx_rate = errors_5xx / requests, error_rate = their sum. -#}
with

by_url as (
    select * from {{ ref('fct_marketing__http_errors') }}
),

hourly as (
    select
        hour_start,
        count(*) as urls,
        cast(sum(requests) as bigint) as requests,
        cast(sum(errors_4xx) as bigint) as errors_4xx,
        cast(sum(errors_5xx) as bigint) as errors_5xx
    from by_url
    group by hour_start
),

final as (
    select
        -- ids
        hour_start,
        -- measures
        urls,
        requests,
        errors_4xx,
        errors_5xx,
        cast(errors_4xx as double) / requests as error_4xx_rate,
        cast(errors_5xx as double) / requests as error_5xx_rate,
        cast(errors_4xx + errors_5xx as double) / requests as error_rate
    from hourly
)

select * from final
