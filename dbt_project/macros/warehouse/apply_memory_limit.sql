{#- DuckDB's memory_limit for this dbt run, from DUCKDB_MEMORY_LIMIT (e.g. 1GB; default unset: DuckDB's own default,
    80% of the RAM). Beyond it DuckDB spills to disk (temp_directory, next to the warehouse file) instead of
    failing. A global setting of the database, so the on-run-start hook sets it for every model of the run.
    Athena: nothing to do. -#}
{% macro apply_memory_limit() %}
    {%- set limit = env_var('DUCKDB_MEMORY_LIMIT', '') | trim -%}
    {%- if limit and target.type == 'duckdb' -%}
        {%- if not modules.re.match('^[0-9]+(\.[0-9]+)?\s*[KMGT]i?B$', limit) -%}
            {{ exceptions.raise_compiler_error("DUCKDB_MEMORY_LIMIT must be a size such as 1GB or 512MiB, not " ~ limit) }}
        {%- endif -%}
        {%- do run_query("set memory_limit = '" ~ limit ~ "'") -%}
        {{ log("DuckDB memory_limit " ~ limit, info=true) }}
    {%- endif -%}
{% endmacro %}
