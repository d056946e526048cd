{#- Raw relations over the lake, created before any model runs (on-run-start), so that models, dbt unit
    tests and data tests all read real relations.

    Every source table with `meta.lake` gets one. `meta.lake`:
      path:     prefix under the lake root, e.g. raw/stock/sales (its own prefix, one table per prefix)
      files:    glob under the prefix, e.g. "dt=*/*.csv"
      format:   lines (one row per physical line: _source_file, dt, raw_line)
      header:   true when each file starts with a header line to skip
      encoding: the files' encoding (utf-8, latin-1)
      max_line_size: longest line in bytes (default 2 MB; a whole JSON snapshot on one line needs more)

    DuckDB: a view over read_csv of the lake (local folder or s3:// with httpfs). A table whose prefix holds
    no file yet gets an empty view with the same columns, so a fresh lake still builds. -#}
{% macro create_raw_relations() %}
    {% if execute %}
        {% for node in graph.sources.values() if node.meta.get('lake') %}
            {% do tributary.create_raw_relation(node) %}
        {% endfor %}
        {% do adapter.commit() %}
    {% endif %}
{% endmacro %}

{% macro lake_root() -%}
    {%- set url = env_var('LAKE_URL', 'file://../.data/lake') -%}
    {{ url[7:] if url.startswith('file://') else url }}
{%- endmacro %}

{% macro create_raw_relation(node) %}
    {{ return(adapter.dispatch('create_raw_relation', 'tributary')(node)) }}
{% endmacro %}

{% macro default__create_raw_relation(node) %}
    {{ exceptions.raise_compiler_error("create_raw_relation is not implemented for " ~ target.type ~ " yet") }}
{% endmacro %}

{% macro duckdb__create_raw_relation(node) %}
    {%- set lake = node.meta['lake'] -%}
    {%- if lake.get('format', 'lines') != 'lines' -%}
        {{ exceptions.raise_compiler_error("source " ~ node.unique_id ~ ": unknown lake format " ~ lake['format']) }}
    {%- endif -%}
    {%- set pattern = tributary.lake_root() ~ '/' ~ lake['path'] ~ '/' ~ lake.get('files', 'dt=*/*') -%}
    {%- set relation = node.schema ~ '.' ~ node.identifier -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- call statement('create_raw_schema_' ~ node.identifier) -%}
        create schema if not exists {{ node.schema }}
    {%- endcall -%}
    {%- call statement('create_raw_' ~ node.identifier) -%}
        create or replace view {{ relation }} as
        {% if found > 0 -%}
        select
            filename as _source_file,
            dt,
            raw_line
        from read_csv(
            '{{ pattern }}',
            columns = {'raw_line': 'varchar'},
            header = {{ 'true' if lake.get('header', false) else 'false' }},
            delim = '{{ "\x1e" }}',
            quote = '',
            escape = '',
            auto_detect = false,
            strict_mode = false,
            encoding = '{{ lake.get("encoding", "utf-8") }}',
            max_line_size = {{ lake.get('max_line_size', 2097152) | int }},
            filename = true,
            hive_partitioning = true,
            hive_types = {'dt': 'date'}
        )
        {%- else -%}
        select
            cast(null as varchar) as _source_file,
            cast(null as date) as dt,
            cast(null as varchar) as raw_line
        where 1 = 0
        {%- endif %}
    {%- endcall -%}
    {{ log("raw relation " ~ relation ~ ": " ~ found ~ " file(s) under " ~ pattern, info=true) }}
{% endmacro %}
