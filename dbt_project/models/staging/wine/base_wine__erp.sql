{#- Every raw line of the ERP exports, split, typed and checked. Only the latest export counts (each file is a
    full snapshot of the product list): lines of older files are quarantined as superseded_export. Negative
    prices or stock and a stock_status contradicting the quantity are facts about the data: they are staged and
    flagged in fct_wine__anomalies, not quarantined. -#}
with

source as (
    select * from {{ source('wine_raw', 'erp') }}
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
        max(ingested_date) over () as latest_ingested_date,
        {{ tributary.array_size('csv_fields') }} as field_count,
        {{ tributary.csv_field('csv_fields', 1) }} as product_id_text,
        {{ tributary.csv_field('csv_fields', 2) }} as onsale_web_text,
        {{ tributary.csv_field('csv_fields', 3) }} as price_text,
        {{ tributary.csv_field('csv_fields', 4) }} as stock_quantity_text,
        lower({{ tributary.csv_field('csv_fields', 5) }}) as stock_status
    from split
),

typed as (
    select
        *,
        {{ tributary.to_integer(tributary.strip_zero_decimals('product_id_text')) }} as product_id,
        {{ tributary.to_integer(tributary.strip_zero_decimals('onsale_web_text')) }} as onsale_web_flag,
        {{ tributary.to_decimal('price_text') }} as price,
        {{ tributary.to_integer(tributary.strip_zero_decimals('stock_quantity_text')) }} as stock_quantity
    from fields
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when ingested_date < latest_ingested_date then 'superseded_export'
            when not is_well_formed then 'malformed_line'
            when field_count != 5 then 'wrong_field_count'
            when
                product_id_text is null and onsale_web_text is null and price_text is null
                and stock_quantity_text is null and stock_status is null
                then 'empty_row'
            when product_id_text is null then 'missing_product_id'
            when product_id is null then 'invalid_product_id'
            when onsale_web_flag is null or onsale_web_flag not in (0, 1) then 'invalid_onsale_web'
            when price is null then 'invalid_price'
            when stock_quantity is null then 'invalid_stock_quantity'
            when stock_status is null or stock_status not in ('instock', 'outofstock', 'onbackorder')
                then 'invalid_stock_status'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        -- the same product twice in one export: one line is kept (the smallest, to be deterministic)
        row_number() over (
            partition by row_problem, product_id
            order by _source_file asc, raw_line asc
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
        product_id,
        -- dimensions
        onsale_web_flag = 1 as is_onsale_web,
        stock_status,
        -- measures
        price,
        stock_quantity,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_product_id' end) as reject_reason
    from ranked
)

select * from final
