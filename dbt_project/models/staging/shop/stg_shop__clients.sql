with

checked as (
    select * from {{ ref('base_shop__clients') }}
),

final as (
    select
        -- ids
        client_id,
        -- attributes
        client_name,
        email,
        signup_date,
        country,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
