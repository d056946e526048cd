{#- Every raw line of the inventory snapshot files (product_id, region, on_hand, as_of), typed and checked. -#}
with

source as (
    select * from {{ source('stock_raw', 'inventory_snapshots') }}
),

split as (
    {{ tributary.csv_lines('source') }}
),

typed as (
    select
        _source_file,
        ingested_date,
        raw_line,
        is_well_formed,
        {{ tributary.array_size('csv_fields') }} as field_count,
        {{ tributary.csv_field('csv_fields', 1) }} as product_id,
        {{ tributary.csv_field('csv_fields', 2) }} as region,
        {{ tributary.to_integer(tributary.csv_field('csv_fields', 3)) }} as on_hand,
        {{ tributary.try_to_date(tributary.csv_field('csv_fields', 4), '%Y-%m-%d') }} as as_of_date
    from split
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_well_formed then 'malformed_line'
            when field_count != 4 then 'wrong_field_count'
            when product_id is null then 'missing_product_id'
            when region is null then 'missing_region'
            when on_hand is null or on_hand < 0 then 'invalid_on_hand'
            when as_of_date is null then 'invalid_as_of_date'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by row_problem, product_id, region, as_of_date
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
        product_id,
        region,
        -- measures
        on_hand,
        -- timestamps
        as_of_date,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_snapshot' end) as reject_reason
    from ranked
)

select * from final
