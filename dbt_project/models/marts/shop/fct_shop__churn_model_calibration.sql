{#- The reliability table of every trained version of the shop's churn model on its evaluation window: for each
    bin of predicted probability, the customers in it, their mean predicted probability and the share that
    churned. A calibrated model has mean_predicted close to observed_rate in every bin. -#}
with

calibration as (
    select * from {{ ref('stg_shop__ml_churn_calibration') }}
),

final as (
    select
        -- ids
        model_version,
        probability_bin,
        -- dimensions
        bin_lower,
        bin_upper,
        -- measures
        customers,
        mean_predicted,
        observed_rate,
        observed_rate - mean_predicted as calibration_gap
    from calibration
)

select * from final
