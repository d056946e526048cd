{#- Every raw line of the transaction exports, split, typed and checked. One row per raw line: stg_ keeps the
    usable ones, qua_ the others with their reason, so raw = staged + quarantined by construction. The file has
    no transaction id: the same line exported twice (same client, time, product, amount, payment method) is one
    transaction, and the later copies are quarantined as duplicate_row. -#}
with

source as (
    select * from {{ source('marketing_raw', 'transactions') }}
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
        {{ tributary.csv_field('csv_fields', 1) }} as client_id,
        {{ tributary.csv_field('csv_fields', 2) }} as client_name,
        {{ tributary.csv_field('csv_fields', 3) }} as transaction_time_text,
        {{ tributary.csv_field('csv_fields', 4) }} as product,
        {{ tributary.csv_field('csv_fields', 5) }} as amount_text,
        {{ tributary.csv_field('csv_fields', 6) }} as payment_method
    from split
),

typed as (
    select
        *,
        {{ tributary.try_to_timestamp('transaction_time_text', '%Y-%m-%d %H:%M:%S') }} as transaction_at,
        {{ tributary.to_decimal('amount_text') }} as amount
    from fields
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_well_formed then 'malformed_line'
            when field_count != 6 then 'wrong_field_count'
            when client_id is null then 'missing_client_id'
            when product is null then 'missing_product'
            when transaction_at is null then 'invalid_transaction_date'
            when amount is null then 'invalid_amount'
            when amount <= 0 then 'non_positive_amount'
            when payment_method is null then 'missing_payment_method'
            when payment_method not in ({{ tributary.sql_string_list(var('marketing_payment_methods')) }})
                then 'unknown_payment_method'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by row_problem, client_id, transaction_at, product, amount, payment_method
            order by ingested_date asc, _source_file asc, raw_line asc
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
        client_id,
        -- dimensions
        client_name,
        product,
        payment_method,
        transaction_at,
        -- measures
        amount,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_row' end) as reject_reason
    from ranked
)

select * from final
