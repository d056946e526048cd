{#- Usable Online Retail lines. Exact duplicates are gone, so the raw line identifies a line within its
    invoice; line_number numbers the lines of an invoice in raw-line order (deterministic). -#}
with

checked as (
    select * from {{ ref('base_shop__online_retail') }}
),

usable as (
    select * from checked
    where reject_reason is null
),

final as (
    select
        -- ids
        invoice_no,
        row_number() over (partition by invoice_no order by raw_line) as line_number,
        stock_code,
        customer_id,
        -- dimensions
        description,
        country,
        invoiced_at,
        line_type,
        -- measures
        quantity,
        unit_price,
        -- lineage
        _source_file,
        ingested_date
    from usable
)

select * from final
