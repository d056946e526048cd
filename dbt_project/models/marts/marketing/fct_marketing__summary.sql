{#- The marketing domain's headline figures, one row: sales (transactions, revenue, average basket = revenue /
    transactions), campaigns (budget, clicks, impressions, ctr = clicks / impressions), web requests (error_rate =
    4xx and 5xx errors / requests), social posts (likes + retweets = engagement) and the 5-minute event windows
    (those flagged as anomalies). Ratios are NULL when their denominator is 0. -#}
with

transactions as (
    select * from {{ ref('stg_marketing__transactions') }}
),

posts as (
    select * from {{ ref('stg_marketing__social_posts') }}
),

campaigns as (
    select * from {{ ref('fct_marketing__campaign_performance') }}
),

http_errors as (
    select * from {{ ref('fct_marketing__http_errors') }}
),

event_windows as (
    select * from {{ ref('fct_marketing__event_anomalies') }}
),

sales as (
    select
        count(*) as transactions,  -- noqa: RF04
        cast(sum(amount) as decimal(18, 4)) as revenue,
        min(transaction_at) as first_transaction_at,
        max(transaction_at) as last_transaction_at
    from transactions
),

campaign_totals as (
    select
        count(*) as campaigns,
        cast(sum(budget) as decimal(18, 4)) as budget,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(impressions) as bigint) as impressions
    from campaigns
),

web as (
    select
        cast(sum(requests) as bigint) as requests,
        cast(sum(errors_4xx + errors_5xx) as bigint) as http_errors
    from http_errors
),

social as (
    select
        count(*) as posts,
        cast(sum(likes) as bigint) as likes,
        cast(sum(retweets) as bigint) as retweets
    from posts
),

windows as (
    select
        count(distinct window_start) as event_windows,
        count(distinct case when is_anomaly then window_start end) as anomalous_windows
    from event_windows
),

final as (
    select
        -- sales
        sales.transactions,
        sales.revenue,
        cast(sales.revenue as double) / nullif(sales.transactions, 0) as average_basket,
        sales.first_transaction_at,
        sales.last_transaction_at,
        -- campaigns
        campaign_totals.campaigns,
        campaign_totals.budget,
        campaign_totals.clicks,
        campaign_totals.impressions,
        cast(campaign_totals.clicks as double) / nullif(campaign_totals.impressions, 0) as ctr,
        -- web
        web.requests,
        web.http_errors,
        cast(web.http_errors as double) / nullif(web.requests, 0) as http_error_rate,
        -- social
        social.posts,
        social.likes,
        social.retweets,
        social.likes + social.retweets as engagement,
        -- events
        windows.event_windows,
        windows.anomalous_windows
    from sales
    cross join campaign_totals
    cross join web
    cross join social
    cross join windows
)

select * from final
