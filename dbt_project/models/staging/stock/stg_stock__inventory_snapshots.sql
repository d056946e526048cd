with

checked as (
    select * from {{ ref('base_stock__inventory_snapshots') }}
),

final as (
    select
        -- ids
        product_id,
        region,
        -- measures
        on_hand,
        -- timestamps
        as_of_date,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
