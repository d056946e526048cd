{#- The rows of an append-only raw relation (format: lines) that an incremental model has not read yet:
    files not in {{ this }}, looked for only in the dt partitions from the newest one read, minus
    `stream_lookback_days` (default 1) for files that land late. The dt filter prunes whole partitions, so a
    run reads the new files, not the history. On a first run (or a full refresh) it is every row. -#}
{% macro incremental_source(source_relation) -%}
    {%- set since = none -%}
    {%- if is_incremental() and execute -%}
        {%- set since = run_query(
            "select cast(" ~ dbt.dateadd('day', -var('stream_lookback_days', 1), 'max(ingested_date)')
            ~ " as date) from " ~ this
        ).columns[0].values()[0] -%}
    {%- endif -%}
    select * from {{ source_relation }}
    {%- if is_incremental() %}
    where
        {% if since is not none -%}
        dt >= date '{{ since }}' and
        {% endif -%}
        _source_file not in (
            select distinct _source_file from {{ this }}
            {%- if since is not none %}
            where ingested_date >= date '{{ since }}'
            {%- endif %}
        )
    {%- endif %}
{%- endmacro %}
