{#- The evaluation of each trained model version, one row per version and scorer (source shop_ml.churn_metrics). -#}
with

metrics as (
    select * from {{ source('shop_ml', 'churn_metrics') }}
),

final as (
    select
        -- ids
        model_version,
        scorer,
        -- the evaluation window
        train_from_date,
        train_to_date,
        eval_as_of_date,
        horizon_days,
        -- measures
        eval_customers,
        eval_churners,
        predicted_churners,
        roc_auc,
        threshold,
        precision_at_threshold,
        recall_at_threshold,
        brier_score,
        is_published,
        -- timestamps
        trained_at
    from metrics
)

select * from final
