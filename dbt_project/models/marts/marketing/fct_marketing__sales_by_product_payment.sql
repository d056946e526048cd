with

transactions as (
    select * from {{ ref('stg_marketing__transactions') }}
),

final as (
    select
        -- ids
        product,
        payment_method,
        -- measures
        -- a keyword in some dialects, but the name the column contract fixes
        count(*) as transactions,  -- noqa: RF04
        cast(sum(amount) as decimal(18, 4)) as revenue,
        cast(sum(amount) as double) / count(*) as average_basket,
        -- timestamps
        min(transaction_at) as first_transaction_at,
        max(transaction_at) as last_transaction_at
    from transactions
    group by product, payment_method
)

select * from final
