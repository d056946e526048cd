{#- Every raw line of the liaison files (product_id, id_web), typed and checked; only the latest file counts.
    An empty id_web is usable (the product has no web counterpart); id_web is text, because some are not numbers
    ('13127-1', 'bon-cadeau-25-euros') and the web skus are the same text. -#}
with

source as (
    select * from {{ source('wine_raw', 'liaison') }}
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
        {{ tributary.csv_field('csv_fields', 2) }} as id_web_text
    from split
),

typed as (
    select
        *,
        {{ tributary.to_integer(tributary.strip_zero_decimals('product_id_text')) }} as product_id,
        {{ tributary.strip_zero_decimals('id_web_text') }} as id_web
    from fields
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when ingested_date < latest_ingested_date then 'superseded_export'
            when not is_well_formed then 'malformed_line'
            when field_count != 2 then 'wrong_field_count'
            when product_id_text is null and id_web is null then 'empty_row'
            when product_id_text is null then 'missing_product_id'
            when product_id is null then 'invalid_product_id'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        -- the same product twice in one file: one line is kept (the smallest, to be deterministic)
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
        id_web,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_product_id' end) as reject_reason
    from ranked
)

select * from final
