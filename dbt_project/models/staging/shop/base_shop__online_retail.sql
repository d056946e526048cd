{{ config(materialized='table') }}
{#- A table, not a view: the regex parse of every raw line is the costly step, and stg_, qua_, the
    data-quality report and their tests all read it, so it runs once per build (1e6 orders stay minutes).

    Every raw line of the Online Retail transactions, split, typed and checked. Cancellations (invoice
    numbers starting with C) and returns (negative quantities on other invoices) are kept as such; a line without
    CustomerID is kept (it counts for revenue, it cannot join a customer). CustomerID is normalised from the
    export's float text ('12923.0' → '12923'). Quarantined: lines that cannot be parsed, a zero quantity, a
    negative unit price, and exact duplicates (the same raw line again: the copy from the latest export wins). -#}
with

source as (
    select * from {{ source('shop_raw', 'online_retail') }}
),

split as (
    {{ tributary.csv_lines('source') }}
),

fields as (
    select
        _source_file,
        ingested_date,
        raw_line,
        is_well_formed,
        {{ tributary.array_size('csv_fields') }} as field_count,
        {{ tributary.csv_field('csv_fields', 1) }} as invoice_no,
        {{ tributary.csv_field('csv_fields', 2) }} as stock_code,
        {{ tributary.csv_field('csv_fields', 3) }} as description,
        {{ tributary.csv_field('csv_fields', 4) }} as quantity_text,
        {{ tributary.csv_field('csv_fields', 5) }} as invoiced_at_text,
        {{ tributary.csv_field('csv_fields', 6) }} as unit_price_text,
        {{ tributary.csv_field('csv_fields', 7) }} as customer_id_text,
        {{ tributary.csv_field('csv_fields', 8) }} as country
    from split
),

typed as (
    select
        *,
        {{ tributary.to_integer('quantity_text') }} as quantity,
        {{ tributary.to_decimal('unit_price_text') }} as unit_price,
        -- the CSV export writes 2011-12-09 12:50:00; the original UCI file 12/9/2011 12:50
        coalesce(
            {{ tributary.try_to_timestamp('invoiced_at_text', '%Y-%m-%d %H:%M:%S') }},
            {{ tributary.try_to_timestamp('invoiced_at_text', '%m/%d/%Y %H:%M') }}
        ) as invoiced_at,
        case
            when {{ tributary.regexp_like('customer_id_text', '^[0-9]+([.]0+)?$') }}
                then {{ dbt.split_part('customer_id_text', "'.'", 1) }}
        end as customer_id
    from fields
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_well_formed then 'malformed_line'
            when field_count != 8 then 'wrong_field_count'
            when invoice_no is null then 'missing_invoice_no'
            when stock_code is null then 'missing_stock_code'
            when invoiced_at is null then 'invalid_invoice_date'
            when quantity is null then 'invalid_quantity'
            when quantity = 0 then 'zero_quantity'
            when unit_price is null then 'invalid_unit_price'
            when unit_price < 0 then 'negative_unit_price'
            when customer_id_text is not null and customer_id is null then 'invalid_customer_id'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        -- exact duplicates: the same raw line (every field equal) counts once
        row_number() over (
            partition by row_problem, raw_line
            order by ingested_date desc, _source_file desc
        ) as occurrence
    from checked
),

final as (
    select
        -- lineage
        _source_file,
        ingested_date,
        raw_line,
        -- ids
        invoice_no,
        stock_code,
        customer_id,
        -- attributes as read (for the data-quality report)
        customer_id_text,
        quantity_text,
        unit_price_text,
        invoiced_at_text,
        -- dimensions
        description,
        country,
        invoiced_at,
        case
            when invoice_no like 'C%' then 'cancellation'
            when quantity < 0 then 'return'
            else 'sale'
        end as line_type,
        -- measures
        quantity,
        unit_price,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_row' end) as reject_reason
    from ranked
)

select * from final
