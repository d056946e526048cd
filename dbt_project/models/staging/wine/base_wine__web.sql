{#- Every raw line of the WooCommerce exports (28 columns), typed and checked; only the latest export counts.
    Usable rows are the `product` rows with a sku, one per sku: the `attachment` row every sku also has (its
    picture) is quarantined as not_a_product, an empty row as empty_row, a product without sku as missing_sku,
    so raw = staged + quarantined still holds. -#}
with

source as (
    select * from {{ source('wine_raw', 'web') }}
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
        {{ tributary.csv_field('csv_fields', 1) }} as sku_text,
        {{ tributary.csv_field('csv_fields', 6) }} as total_sales_text,
        {{ tributary.csv_field('csv_fields', 10) }} as post_date_text,
        {{ tributary.csv_field('csv_fields', 13) }} as post_title,
        {{ tributary.csv_field('csv_fields', 15) }} as post_status,
        {{ tributary.csv_field('csv_fields', 19) }} as post_name,
        {{ tributary.csv_field('csv_fields', 26) }} as post_type
    from split
),

typed as (
    select
        *,
        {{ tributary.strip_zero_decimals('sku_text') }} as sku,
        {{ tributary.to_integer(tributary.strip_zero_decimals('total_sales_text')) }} as total_sales,
        {{ tributary.try_to_timestamp('post_date_text', '%Y-%m-%d %H:%M:%S') }} as post_date
    from fields
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when ingested_date < latest_ingested_date then 'superseded_export'
            when not is_well_formed then 'malformed_line'
            when field_count != 28 then 'wrong_field_count'
            when sku is null and post_type is null and post_title is null then 'empty_row'
            when post_type is null or post_type != 'product' then 'not_a_product'
            when sku is null then 'missing_sku'
            when total_sales is null or total_sales < 0 then 'invalid_total_sales'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        -- the same sku twice in one export: one line is kept (the smallest, to be deterministic)
        row_number() over (
            partition by row_problem, sku
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
        sku,
        -- dimensions
        post_title,
        post_name,
        post_status,
        post_type,
        post_date,
        -- measures
        total_sales,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_sku' end) as reject_reason
    from ranked
)

select * from final
