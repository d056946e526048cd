{#- Sales transactions per day (UTC), payment method and product, for the period filter of the sales views. -#}
with

transactions as (
    select * from {{ ref('stg_marketing__transactions') }}
),

final as (
    select
        -- ids
        cast(transaction_at as date) as transaction_date,
        payment_method,
        product,
        -- measures
        count(*) as transactions,  -- noqa: RF04
        cast(sum(amount) as decimal(18, 4)) as revenue
    from transactions
    group by cast(transaction_at as date), payment_method, product
)

select * from final
