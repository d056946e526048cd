{#- The reliability table of each trained model version (source shop_ml.churn_calibration). -#}
with

calibration as (
    select * from {{ source('shop_ml', 'churn_calibration') }}
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
        observed_rate
    from calibration
)

select * from final
