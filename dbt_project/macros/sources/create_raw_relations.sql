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
    no file yet gets an empty view with the same columns, so a fresh lake still builds.
    Athena: an external text table <identifier>__lines over the table's own S3 prefix (one column raw_line,
    partitions by projection on the key=value folders of `files`: dt, hour), and a view <identifier> that
    adds "$path" as _source_file and dt as a date: the same three columns as on DuckDB. -#}
{% macro create_raw_relations() %}
    {% if execute %}
        {% for node in graph.sources.values() if node.meta.get('lake') %}
            {% do tributary.create_raw_relation(node) %}
        {% endfor %}
        {% if target.type == 'duckdb' %}{% do adapter.commit() %}{% endif %}
    {% endif %}
{% endmacro %}

{#- The lake root as engines read it: a local path or an s3:// URI, no trailing slash. file:// URLs are read
    literally (ingestion/config.py writes them unencoded, so a path with a space works). -#}
{% macro lake_root() -%}
    {%- set url = env_var('LAKE_URL', 'file://../.data/lake') -%}
    {%- set root = url[7:] if url.startswith('file://') else url -%}
    {{ root.rstrip('/') }}
{%- endmacro %}

{% macro create_raw_relation(node) %}
    {%- if node.meta['lake'].get('format') == 'parquet' -%}
        {{ return(adapter.dispatch('create_parquet_relation', 'tributary')(node)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('create_raw_relation', 'tributary')(node)) }}
{% endmacro %}

{% macro default__create_raw_relation(node) %}
    {{ exceptions.raise_compiler_error("create_raw_relation is not implemented for " ~ target.type) }}
{% endmacro %}

{#- The partition keys of a source: the key=value folders of its `files` glob (dt=*/hour=*/*.json → dt, hour). -#}
{% macro raw_partition_keys(lake) -%}
    {%- set keys = [] -%}
    {%- for segment in lake.get('files', 'dt=*/*').split('/') if '=' in segment -%}
        {%- do keys.append(segment.split('=')[0]) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{#- The statements that create a source's raw relation on Athena: Hive DDL for the external table, then a
    Trino view. Also printed by the operation print_raw_relation_ddl (the CI check parses the views). -#}
{% macro athena_raw_relation_statements(node) %}
    {%- set lake = node.meta['lake'] -%}
    {%- set root = tributary.lake_root() -%}
    {%- if not root.startswith('s3://') -%}
        {{ exceptions.raise_compiler_error("the athena target needs LAKE_URL=s3://bucket/prefix, not " ~ root) }}
    {%- endif -%}
    {%- set location = root.rstrip('/') ~ '/' ~ lake['path'].strip('/') ~ '/' -%}
    {%- set data_dir = target.get('s3_data_dir') or '' -%}
    {%- if data_dir and location.startswith(data_dir.rstrip('/') ~ '/') -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ node.unique_id ~ ": its lake prefix " ~ location ~ " lies under s3_data_dir " ~ data_dir
            ~ "; raw data and dbt's tables must not share a prefix") }}
    {%- endif -%}
    {%- set keys = tributary.raw_partition_keys(lake) -%}
    {%- set projection = ["'projection.enabled' = 'true'"] -%}
    {%- set template = [] -%}
    {%- for key in keys -%}
        {%- if key == 'dt' -%}
            {%- do projection.extend([
                "'projection.dt.type' = 'date'", "'projection.dt.format' = 'yyyy-MM-dd'",
                "'projection.dt.range' = '2000-01-01,NOW'", "'projection.dt.interval' = '1'",
                "'projection.dt.interval.unit' = 'DAYS'"]) -%}
        {%- elif key == 'hour' -%}
            {%- do projection.extend([
                "'projection.hour.type' = 'integer'", "'projection.hour.range' = '0,23'",
                "'projection.hour.digits' = '2'"]) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("source " ~ node.unique_id ~ ": no projection for partition " ~ key) }}
        {%- endif -%}
        {%- do template.append(key ~ '=${' ~ key ~ '}') -%}
    {%- endfor -%}
    {%- if lake.get('header', false) -%}
        {%- do projection.append("'skip.header.line.count' = '1'") -%}
    {%- endif -%}
    {%- do projection.append("'storage.location.template' = '" ~ location ~ template | join('/') ~ "/'") -%}
    {%- set lines_table = node.schema ~ '.' ~ node.identifier ~ '__lines' -%}
    {%- set ddl -%}
create external table if not exists {{ lines_table }} (raw_line string)
partitioned by ({% for key in keys %}{{ key }} string{{ ', ' if not loop.last }}{% endfor %})
row format delimited fields terminated by '\036' lines terminated by '\n'
stored as textfile
location '{{ location }}'
tblproperties ({{ projection | join(', ') }})
    {%- endset -%}
    {%- set view -%}
create or replace view {{ node.schema }}.{{ node.identifier }} as
select
    substr("$path", {{ location | length - lake['path'].strip('/') | length }}) as _source_file,
    cast(dt as date) as dt,
    raw_line
from {{ lines_table }}
    {%- endset -%}
    {{ return([ddl, view]) }}
{% endmacro %}

{% macro athena__create_raw_relation(node) %}
    {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=node.schema)) -%}
    {%- for statement in tributary.athena_raw_relation_statements(node) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log("raw relation " ~ node.schema ~ "." ~ node.identifier ~ " over " ~ tributary.lake_root() ~ "/" ~ node.meta['lake']['path'], info=true) }}
{% endmacro %}

{#- dbt run-operation print_raw_relation_ddl --target prod: every raw-relation statement, between markers. -#}
{% macro print_raw_relation_ddl() %}
    {% for node in graph.sources.values() if node.meta.get('lake') %}
        {% set parquet = node.meta['lake'].get('format') == 'parquet' %}
        {% for statement in (tributary.athena_parquet_relation_statements(node) if parquet
                             else tributary.athena_raw_relation_statements(node)) %}
            {{ print('-- tributary:statement ' ~ node.unique_id) }}
            {{ print(statement) }}
        {% endfor %}
    {% endfor %}
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
            -- the lake key (raw/…), not the path: the same file has the same name whatever LAKE_URL says
            substr(filename, {{ tributary.lake_root() | length + 2 }}) as _source_file,
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

{#- format: parquet. Tables the pipeline writes as Parquet files under their own lake prefix (the shop's model
    scores and metrics, ml/shop/<table>/), typed by the source's declared columns (`data_type` of each column:
    varchar, bigint, double, boolean, date, timestamp). The relation has `_source_file` (the lake key) and the
    declared columns, cast to their types, so both engines and the empty case give the same relation.
    DuckDB: a view over read_parquet of `path`/`files` (no file yet: an empty view of the same columns).
    Athena: an external Parquet table <identifier>__parquet over the prefix (dropped and created again, so that it
    follows the declared columns; dropping an external table deletes no file), and the view <identifier>. -#}
{% macro parquet_relation_columns(node) %}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() if column.name != '_source_file' -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error("source " ~ node.unique_id ~ ": column " ~ column.name
                ~ " declares no data_type (a parquet source types every column)") }}
        {%- endif -%}
        {%- do columns.append((column.name, column.data_type)) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro athena_parquet_relation_statements(node) %}
    {%- set lake = node.meta['lake'] -%}
    {%- set root = tributary.lake_root() -%}
    {%- if not root.startswith('s3://') -%}
        {{ exceptions.raise_compiler_error("the athena target needs LAKE_URL=s3://bucket/prefix, not " ~ root) }}
    {%- endif -%}
    {%- set location = root ~ '/' ~ lake['path'].strip('/') ~ '/' -%}
    {%- set columns = tributary.parquet_relation_columns(node) -%}
    {%- set files_table = node.schema ~ '.' ~ node.identifier ~ '__parquet' -%}
    {%- set hive_types = {'varchar': 'string'} -%}
    {%- set drop -%}
drop table if exists {{ files_table }}
    {%- endset -%}
    {%- set ddl -%}
create external table {{ files_table }} (
    {%- for name, type in columns %}
    {{ name }} {{ hive_types.get(type | lower, type | lower) }}{{ ',' if not loop.last }}
    {%- endfor %}
)
stored as parquet
location '{{ location }}'
    {%- endset -%}
    {%- set view -%}
create or replace view {{ node.schema }}.{{ node.identifier }} as
select
    substr("$path", {{ root | length + 2 }}) as _source_file,
    {%- for name, type in columns %}
    cast({{ name }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ files_table }}
    {%- endset -%}
    {{ return([drop, ddl, view]) }}
{% endmacro %}

{% macro athena__create_parquet_relation(node) %}
    {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=node.schema)) -%}
    {%- for statement in tributary.athena_parquet_relation_statements(node) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log("parquet relation " ~ node.schema ~ "." ~ node.identifier ~ " over " ~ tributary.lake_root() ~ "/" ~ node.meta['lake']['path'], info=true) }}
{% endmacro %}

{% macro duckdb__create_parquet_relation(node) %}
    {%- set lake = node.meta['lake'] -%}
    {%- set pattern = tributary.lake_root() ~ '/' ~ lake['path'] ~ '/' ~ lake.get('files', '*.parquet') -%}
    {%- set relation = node.schema ~ '.' ~ node.identifier -%}
    {%- set columns = tributary.parquet_relation_columns(node) -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- call statement('create_parquet_schema_' ~ node.identifier) -%}
        create schema if not exists {{ node.schema }}
    {%- endcall -%}
    {%- call statement('create_parquet_' ~ node.identifier) -%}
        create or replace view {{ relation }} as
        {% if found > 0 -%}
        select
            substr(filename, {{ tributary.lake_root() | length + 2 }}) as _source_file,
            {%- for name, type in columns %}
            cast({{ name }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from read_parquet('{{ pattern }}', filename = true, union_by_name = true)
        {%- else -%}
        select
            cast(null as varchar) as _source_file,
            {%- for name, type in columns %}
            cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        where 1 = 0
        {%- endif %}
    {%- endcall -%}
    {{ log("parquet relation " ~ relation ~ ": " ~ found ~ " file(s) under " ~ pattern, info=true) }}
{% endmacro %}
