with

checked as (
    select * from {{ ref('base_wine__liaison') }}
),

final as (
    select
        -- ids
        product_id,
        id_web,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
