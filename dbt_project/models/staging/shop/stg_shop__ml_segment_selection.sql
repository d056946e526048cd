{#- The k-means runs of each trained model version, one row per k tried (source shop_ml.segment_selection). -#}
with

selection as (
    select * from {{ source('shop_ml', 'segment_selection') }}
),

final as (
    select
        -- ids
        model_version,
        k,
        -- measures
        silhouette,
        inertia,
        is_chosen
    from selection
)

select * from final
