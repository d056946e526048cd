{{ config(materialized='table') }}
{#- A table, not a view: the regex parse of every raw line is the costly step, and stg_, qua_, the
    data-quality report and their tests all read it, so it runs once per build (1e6 orders stay minutes).

    Every raw line of achats.csv (one order of one product per line), split, typed and checked. An order is
    quarantined when it cannot be counted: no id, no client or a client absent from the clients file, an
    unparseable or future date, an amount that is not a number, not positive or above shop_max_order_amount,
    no product, or an id already staged (the latest export wins). -#}
with

source as (
    select * from {{ source('shop_raw', 'orders') }}
),

clients as (
    select * from {{ ref('stg_shop__clients') }}
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
        {{ tributary.csv_field('csv_fields', 1) }} as order_id,
        {{ tributary.csv_field('csv_fields', 2) }} as client_id,
        {{ tributary.csv_field('csv_fields', 3) }} as ordered_at_text,
        {{ tributary.csv_field('csv_fields', 4) }} as amount_text,
        {{ tributary.csv_field('csv_fields', 5) }} as product
    from split
),

typed as (
    select
        fields.*,
        -- dates standardised: ISO date-time, ISO date, or French DD/MM/YYYY
        coalesce(
            {{ tributary.try_to_timestamp('ordered_at_text', '%Y-%m-%d %H:%M:%S') }},
            cast({{ tributary.try_to_date('ordered_at_text', '%Y-%m-%d') }} as timestamp),
            cast({{ tributary.try_to_date('ordered_at_text', '%d/%m/%Y') }} as timestamp)
        ) as ordered_at,
        {{ tributary.to_decimal('amount_text') }} as amount,
        clients.client_id is not null as is_known_client
    from fields
    left join clients on fields.client_id = clients.client_id
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_well_formed then 'malformed_line'
            when field_count != 5 then 'wrong_field_count'
            when order_id is null then 'missing_order_id'
            when client_id is null then 'missing_client_id'
            when ordered_at is null then 'invalid_order_date'
            when cast(ordered_at as date) > current_date then 'future_order_date'
            when amount is null then 'invalid_amount'
            when amount <= 0 then 'non_positive_amount'
            when amount > {{ var('shop_max_order_amount') }} then 'extreme_amount'
            when product is null then 'missing_product'
            when not is_known_client then 'unknown_client'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        -- the same order in several exports or twice in one: the latest export wins
        row_number() over (
            partition by row_problem, order_id
            order by ingested_date desc, _source_file desc, raw_line asc
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
        order_id,
        client_id,
        -- attributes as read (for the data-quality report)
        ordered_at_text,
        amount_text,
        is_known_client,
        -- dimensions
        ordered_at,
        product,
        -- measures
        amount,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_order' end) as reject_reason
    from ranked
)

select * from final
