{#- The scores the published model wrote for the current as-of date (source shop_ml.customer_scores). -#}
with

scores as (
    select * from {{ source('shop_ml', 'customer_scores') }}
),

final as (
    select
        -- ids
        customer_id,
        model_version,
        -- dimensions
        as_of_date,
        segment_id,
        segment,
        -- measures
        churn_probability,
        churn_threshold,
        -- timestamps
        scored_at
    from scores
)

select * from final
