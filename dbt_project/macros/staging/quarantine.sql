{#- The quarantine model of a source: the records of its base_ model that staging rejected, where they come from
    (the raw file and its line), their text and the reason. Every source's qua_ model is this, so they all have
    the same shape. `source_table` names the raw relation; a base model that reads several passes
    `source_table_sql`, an SQL expression. -#}
{% macro quarantine_rows(base_model, source_table=none, source_table_sql=none) -%}
with

checked as (
    select * from {{ base_model }}
),

final as (
    select
        {{ source_table_sql or ("'" ~ source_table ~ "'") }} as source_table,
        _source_file,
        _delivery_id,
        _line_number,
        ingested_date,
        raw_line,
        reject_reason
    from checked
    where reject_reason is not null
)

select * from final
{%- endmacro %}
