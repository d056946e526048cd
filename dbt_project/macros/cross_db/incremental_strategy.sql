{#- How an incremental model replaces the rows it recomputes, by engine: DuckDB delete+insert on the unique key;
    Athena insert_overwrite of the partitions the new rows touch (Hive tables, the default), or merge on the
    unique key when var athena_table_type is 'iceberg'. -#}
{% macro replace_strategy() -%}
    {%- if target.type == 'athena' -%}
        {{ return('merge' if var('athena_table_type', 'hive') == 'iceberg' else 'insert_overwrite') }}
    {%- endif -%}
    {{ return('delete+insert') }}
{%- endmacro %}
