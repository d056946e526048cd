{#- The rows of an append-only raw relation (format: lines) that an incremental model has not read yet, by
    file: a file is read once, whatever its dt partition says (a backfill, a batch that lands late).
    The model must carry `_source_file` and `ingested_date` (the raw dt) from the source.
    DuckDB: the lake is listed (glob lists names, reads nothing) to find the dt partitions holding files not
    in {{ this }}; only those partitions are scanned, so a run reads the new files, not the history.
    Elsewhere (Athena, where listing is not free): every partition is scanned and the anti-join on
    _source_file keeps the new files only; correct, but the scan grows with the history. -#}
{% macro incremental_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not is_incremental() -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
        {%- set partitions = tributary.unread_partitions(node, this) if execute else [] -%}
        select * from {{ relation }}
        where
            {% if partitions is none -%}
            true
            {%- elif partitions | length == 0 -%}
            1 = 0
            {%- else -%}
            dt in ({% for dt in partitions %}date '{{ dt }}'{{ ', ' if not loop.last }}{% endfor %})
            {%- endif %}
            and _source_file not in (
                select distinct read_before._source_file from {{ this }} as read_before
                {%- if partitions %}
                where read_before.ingested_date in (
                    {%- for dt in partitions %}date '{{ dt }}'{{ ', ' if not loop.last }}{% endfor -%}
                )
                {%- endif %}
            )
    {%- endif -%}
{%- endmacro %}

{#- The dt partitions (YYYY-MM-DD text) that hold raw files not read into `this` yet; none = scan them all. -#}
{% macro unread_partitions(node, this) %}
    {{ return(adapter.dispatch('unread_partitions', 'tributary')(node, this)) }}
{% endmacro %}

{% macro default__unread_partitions(node, this) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__unread_partitions(node, this) %}
    {%- set lake = node.meta['lake'] -%}
    {%- set root = tributary.lake_root() -%}
    {%- set pattern = root ~ '/' ~ lake['path'] ~ '/' ~ lake.get('files', 'dt=*/*') -%}
    {%- set unread = run_query(
        "select distinct regexp_extract(file, '/dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1) as dt"
        ~ " from glob('" ~ pattern ~ "')"
        ~ " where substr(file, " ~ (root | length + 2) ~ ") not in (select distinct _source_file from " ~ this ~ ")"
        ~ " order by 1"
    ) -%}
    {{ return(unread.columns[0].values() | list) }}
{% endmacro %}
