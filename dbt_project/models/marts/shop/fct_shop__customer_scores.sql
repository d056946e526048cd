{#- The published model's scores, one row per customer at the as-of date it scored (docs/shop-ml.md): segment,
    churn probability and the model version, beside the customer's RFM figures at that date and the existing
    rule's verdict (no sale order in var shop_churn_days days), so the two can be compared customer by customer.
    is_at_risk = churn_probability >= the model's threshold; churn_risk_rank 1 = the most likely to churn (ties by
    customer_id). -#}
with

scores as (
    select * from {{ ref('stg_shop__ml_customer_scores') }}
),

features as (
    select * from {{ ref('fct_shop__customer_features') }}
),

final as (
    select
        -- ids
        scores.customer_id,
        scores.model_version,
        -- dimensions
        scores.as_of_date,
        scores.segment_id,
        scores.segment,
        -- the churn score
        scores.churn_probability,
        scores.churn_threshold,
        scores.churn_probability >= scores.churn_threshold as is_at_risk,
        row_number() over (order by scores.churn_probability desc, scores.customer_id asc) as churn_risk_rank,
        -- the customer at the as-of date, and the rule
        features.recency_days,
        features.frequency,
        features.monetary,
        features.is_churned_by_rule,
        -- timestamps
        scores.scored_at
    from scores
    left join features
        on
            scores.customer_id = features.customer_id
            and scores.as_of_date = features.as_of_date
)

select * from final
