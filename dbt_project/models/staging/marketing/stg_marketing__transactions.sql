with

checked as (
    select * from {{ ref('base_marketing__transactions') }}
),

final as (
    select
        -- ids
        {{ dbt.hash(
            "concat(client_id, '|', cast(transaction_at as varchar), '|', product, '|', "
            ~ "cast(amount as varchar), '|', payment_method)"
        ) }} as transaction_id,
        client_id,
        -- dimensions
        client_name,
        product,
        payment_method,
        transaction_at,
        -- measures
        amount,
        -- lineage
        _source_file,
        ingested_date
    from checked
    where reject_reason is null
)

select * from final
