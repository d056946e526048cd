{#- How every trained version of the shop's segmentation chose k: one row per k of the range, with its silhouette
    (the criterion: the highest wins) and inertia. -#}
with

selection as (
    select * from {{ ref('stg_shop__ml_segment_selection') }}
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
