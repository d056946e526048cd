{#- RFM per customer as of a date (var shop_as_of_date, default the latest sale order). Quintile scores with
    ntile(5), 5 = best: most recent, most orders, most revenue. Ties: values are ordered by the measure, then by
    customer_id ascending, before the cut, so equal values straddling a boundary are split deterministically
    (the smaller customer_id gets the lower score). Segment from the R×F map (seed shop_rfm_segments). -#}
with

summary as (
    select * from {{ ref('int_shop__customer_summary') }}
),

segments as (
    select * from {{ ref('shop_rfm_segments') }}
),

scored as (
    select
        *,
        ntile(5) over (order by recency_days desc, customer_id asc) as r_score,
        ntile(5) over (order by frequency asc, customer_id asc) as f_score,
        ntile(5) over (order by monetary asc, customer_id asc) as m_score
    from summary
),

final as (
    select
        -- ids
        scored.customer_id,
        -- dimensions
        scored.as_of_date,
        scored.last_order_date,
        -- measures
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        -- scores
        scored.r_score,
        scored.f_score,
        scored.m_score,
        cast(scored.r_score as varchar)
        || cast(scored.f_score as varchar)
        || cast(scored.m_score as varchar) as rfm_code,
        segments.segment
    from scored
    left join segments
        on
            scored.r_score = segments.r_score
            and scored.f_score = segments.f_score
)

select * from final
