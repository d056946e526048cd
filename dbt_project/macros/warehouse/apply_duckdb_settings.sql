{#- DuckDB's memory_limit and threads for this dbt run, from DUCKDB_MEMORY_LIMIT (default 1.25GB: a build stays
    within 2 GiB on a laptop, dbt's own process included; raise it on a bigger machine) and DUCKDB_THREADS
    (default: DuckDB's own, the machine's cores). Beyond the limit DuckDB spills to disk (temp_directory, next to
    the warehouse file) instead of failing. Global settings of the database, so the on-run-start hook sets them for every model of the run.
    The same variables and defaults apply to the landing's parser (ingestion/config.py). Athena: nothing to do. -#}
{% macro apply_duckdb_settings() %}
    {%- if target.type == 'duckdb' -%}
        {%- set limit = env_var('DUCKDB_MEMORY_LIMIT', '1.25GB') | trim -%}
        {%- if not modules.re.match('^[0-9]+(\.[0-9]+)?\s*[KMGT]i?B$', limit) -%}
            {{ exceptions.raise_compiler_error("DUCKDB_MEMORY_LIMIT must be a size such as 1GB or 512MiB, not " ~ limit) }}
        {%- endif -%}
        {%- do run_query("set memory_limit = '" ~ limit ~ "'") -%}
        {%- set threads = env_var('DUCKDB_THREADS', '') | trim -%}
        {%- if threads -%}
            {%- if not threads.isdigit() or threads | int < 1 -%}
                {{ exceptions.raise_compiler_error("DUCKDB_THREADS must be a whole number >= 1, not " ~ threads) }}
            {%- endif -%}
            {%- do run_query("set threads = " ~ threads) -%}
        {%- endif -%}
        {{ log("DuckDB memory_limit " ~ limit ~ (", threads " ~ threads if threads else ""), info=true) }}
    {%- endif -%}
{% endmacro %}
