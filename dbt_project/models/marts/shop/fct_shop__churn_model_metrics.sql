{#- The evaluation of every trained version of the shop's churn model, one row per version and scorer: the model,
    the existing rule and a trivial baseline on the same evaluation window (docs/shop-ml.md). A version is
    published when the model beats both (higher ROC AUC than the rule, lower Brier score than the rule and the
    baseline); is_current marks the version whose scores fct_shop__customer_scores holds. -#}
with

metrics as (
    select * from {{ ref('stg_shop__ml_churn_metrics') }}
),

scores as (
    select distinct model_version from {{ ref('stg_shop__ml_customer_scores') }}
),

final as (
    select
        -- ids
        metrics.model_version,
        metrics.scorer,
        -- the evaluation window
        metrics.train_from_date,
        metrics.train_to_date,
        metrics.eval_as_of_date,
        metrics.horizon_days,
        -- measures
        metrics.eval_customers,
        metrics.eval_churners,
        cast(metrics.eval_churners as double) / metrics.eval_customers as churn_rate,
        metrics.predicted_churners,
        metrics.roc_auc,
        metrics.threshold,
        metrics.precision_at_threshold,
        metrics.recall_at_threshold,
        metrics.brier_score,
        -- status
        metrics.is_published,
        scores.model_version is not null as is_current,
        -- timestamps
        metrics.trained_at
    from metrics
    left join scores on metrics.model_version = scores.model_version
)

select * from final
