{#- Raw relations over the lake's parsed zone, created before any model runs (on-run-start), so that models, dbt
    unit tests and data tests all read real relations.

    Every source table with `meta.lake` gets one. The landing code (ingestion/files.py, ingestion/parse.py)
    parses each delivered file once into parsed/<source>/<table>/dt=<delivery date>/<delivery id>.parquet: one
    row per physical record, the contract's fields (the source's columns whose meta has a `type`) as text, by
    name, and the lineage columns below. The relation reads those files:

      _source_file   the raw file's lake key (raw/…, the original bytes, kept untouched)
      _delivery_id   the delivery (the parsed file's name): the same file delivered again is a new delivery
      _delivered_at  when it was delivered (UTC): "the latest export wins" is decided by this, never by a name
      _line_number   the physical line of the raw file (or the record's position in a JSON document)
      <fields>       text, NULL where the file had no such column
      _raw_line      the text of a record the reader could not parse; NULL otherwise
      _parse_error   the reader's reason (wrong_field_count, malformed_line, empty_line, …); NULL otherwise
      dt             the delivery date (the partition)

    DuckDB: a view over read_parquet of the lake (a local folder, or s3:// with httpfs). A table with no file
    yet gets an empty view with the same columns, so a fresh lake still builds.
    Athena: an external Parquet table <identifier>__parquet over the table's own S3 prefix (partitions by
    projection on dt), and a view <identifier> that casts dt to a date: the same columns as on DuckDB. -#}
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

{#- The parsed zone's prefix of a source: raw/stock/sales → parsed/stock/sales. -#}
{% macro parsed_path(node) -%}
    {%- set path = node.meta['lake']['path'].strip('/') -%}
    {%- if not path.startswith('raw/') or path.split('/') | length != 3 -%}
        {{ exceptions.raise_compiler_error("source " ~ node.unique_id ~ ": meta.lake.path must be raw/<source>/<table>, not " ~ path) }}
    {%- endif -%}
    parsed/{{ path[4:] }}
{%- endmacro %}

{#- The contract's fields of a source: its columns whose meta has a `type`, in the yml's order. -#}
{% macro contract_fields(node) -%}
    {%- set fields = [] -%}
    {%- for column in node.columns.values() if column.meta and column.meta.get('type') -%}
        {%- do fields.append(column) -%}
    {%- endfor -%}
    {{ return(fields) }}
{%- endmacro %}

{#- The columns of a parsed file, in order, with their types (engine-neutral names). -#}
{% macro parsed_columns(node) -%}
    {%- set columns = [('_source_file', 'varchar'), ('_delivery_id', 'varchar'), ('_delivered_at', 'timestamp'), ('_line_number', 'bigint')] -%}
    {%- for column in tributary.contract_fields(node) -%}
        {%- do columns.append((column.name, 'varchar')) -%}
    {%- endfor -%}
    {%- do columns.extend([('_raw_line', 'varchar'), ('_parse_error', 'varchar')]) -%}
    {{ return(columns) }}
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

{#- DuckDB: the select over some parsed files of a source (a glob, or a list of files), every column named
    and typed, so that the view and the incremental models' reads have the same shape. -#}
{% macro duckdb_parsed_select(node, files) -%}
    select
        {%- for name, type in tributary.parsed_columns(node) %}
        cast({{ name }} as {{ type }}) as {{ name }},
        {%- endfor %}
        dt
    from read_parquet(
        {%- if files is string %}
        '{{ files }}',
        {%- else %}
        [{% for file in files %}'{{ file }}'{{ ', ' if not loop.last }}{% endfor %}],
        {%- endif %}
        hive_partitioning = true,
        hive_types = {'dt': 'date'},
        union_by_name = true
    )
{%- endmacro %}

{#- DuckDB: the same columns, no row (a source with no file yet, or nothing new to read). -#}
{% macro duckdb_parsed_empty(node) -%}
    select
        {%- for name, type in tributary.parsed_columns(node) %}
        cast(null as {{ type }}) as {{ name }},
        {%- endfor %}
        cast(null as date) as dt
    where 1 = 0
{%- endmacro %}

{% macro parsed_glob(node) -%}
    {{ tributary.lake_root() }}/{{ tributary.parsed_path(node) }}/dt=*/*.parquet
{%- endmacro %}

{% macro duckdb__create_raw_relation(node) %}
    {%- set pattern = tributary.parsed_glob(node) -%}
    {%- set relation = node.schema ~ '.' ~ node.identifier -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- call statement('create_raw_schema_' ~ node.identifier) -%}
        create schema if not exists {{ node.schema }}
    {%- endcall -%}
    {%- set definition -%}
        {% if found > 0 -%}
        {{ tributary.duckdb_parsed_select(node, pattern) }}
        {%- else -%}
        {{ tributary.duckdb_parsed_empty(node) }}
        {%- endif %}
    {%- endset -%}
    {%- do tributary.duckdb_replace_view(node.schema, node.identifier, definition) -%}
    {{ log("raw relation " ~ relation ~ ": " ~ found ~ " parsed file(s) under " ~ pattern, info=false) }}
{% endmacro %}

{#- DuckDB: create or replace the view schema.name as `definition`, unless it is already that view (its comment
    holds the definition's fingerprint). Creating a view over a glob with union_by_name opens every file of it
    (0.7 s for two months of Vélib' snapshots): every dbt invocation paid that, although a view over a glob sees
    new files by itself. -#}
{% macro duckdb_replace_view(schema, name, definition) %}
    {%- set fingerprint = local_md5(definition) -%}
    {%- set existing = run_query(
        "select comment from duckdb_views() where schema_name = '" ~ schema ~ "' and view_name = '" ~ name ~ "'"
    ) -%}
    {%- if existing.rows | length == 1 and existing.columns[0].values()[0] == fingerprint -%}
        {{ return(none) }}
    {%- endif -%}
    {%- call statement('create_view_' ~ name) -%}
        create or replace view {{ schema }}.{{ name }} as
        {{ definition }}
    {%- endcall -%}
    {%- call statement('comment_view_' ~ name) -%}
        comment on view {{ schema }}.{{ name }} is '{{ fingerprint }}'
    {%- endcall -%}
{% endmacro %}

{#- The statements that create a source's raw relation on Athena: Hive DDL for the external Parquet table, then
    a Trino view. Also printed by the operation print_raw_relation_ddl (the CI check parses them). -#}
{% macro athena_raw_relation_statements(node) %}
    {%- set root = tributary.lake_root() -%}
    {%- if not root.startswith('s3://') -%}
        {{ exceptions.raise_compiler_error("the athena target needs LAKE_URL=s3://bucket/prefix, not " ~ root) }}
    {%- endif -%}
    {%- set location = root.rstrip('/') ~ '/' ~ tributary.parsed_path(node) ~ '/' -%}
    {%- set data_dir = target.get('s3_data_dir') or '' -%}
    {%- if data_dir and location.startswith(data_dir.rstrip('/') ~ '/') -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ node.unique_id ~ ": its lake prefix " ~ location ~ " lies under s3_data_dir " ~ data_dir
            ~ "; raw data and dbt's tables must not share a prefix") }}
    {%- endif -%}
    {%- set hive_types = {'varchar': 'string', 'timestamp': 'timestamp', 'bigint': 'bigint'} -%}
    {%- set table = node.schema ~ '.' ~ node.identifier ~ '__parquet' -%}
    {%- set ddl -%}
create external table if not exists {{ table }} (
    {%- for name, type in tributary.parsed_columns(node) %}
    `{{ name }}` {{ hive_types[type] }}{{ ',' if not loop.last }}
    {%- endfor %}
)
partitioned by (dt string)
stored as parquet
location '{{ location }}'
tblproperties (
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '2000-01-01,NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = '{{ location }}dt=${dt}/'
)
    {%- endset -%}
    {%- set view -%}
create or replace view {{ node.schema }}.{{ node.identifier }} as
select
    {%- for name, type in tributary.parsed_columns(node) %}
    {{ name }},
    {%- endfor %}
    cast(dt as date) as dt
from {{ table }}
    {%- endset -%}
    {{ return([ddl, view]) }}
{% endmacro %}

{% macro athena__create_raw_relation(node) %}
    {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=node.schema)) -%}
    {%- for statement in tributary.athena_raw_relation_statements(node) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log("raw relation " ~ node.schema ~ "." ~ node.identifier ~ " over " ~ tributary.lake_root() ~ "/" ~ tributary.parsed_path(node), info=true) }}
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
    {%- set definition -%}
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
    {%- endset -%}
    {%- do tributary.duckdb_replace_view(node.schema, node.identifier, definition) -%}
    {{ log("parquet relation " ~ relation ~ ": " ~ found ~ " file(s) under " ~ pattern, info=true) }}
{% endmacro %}

{#- The records of a source's parsed relation delivered at or after `since` (a datetime; none: every record).
    Only the partitions from since's date are read: on DuckDB the lake is listed and only those files are opened
    (the view opens every file); on Athena the dt partitions are pruned. For checks that count the new part. -#}
{% macro raw_records_since(source_name, table_name, since=none) %}
    {{ return(adapter.dispatch('raw_records_since', 'tributary')(source_name, table_name, since)) }}
{% endmacro %}

{% macro default__raw_records_since(source_name, table_name, since) -%}
    select * from {{ source(source_name, table_name) }}
    {%- if since %}
    where
        dt >= date '{{ since.strftime("%Y-%m-%d") }}'
        and _delivered_at >= timestamp '{{ since.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
    {%- endif %}
{%- endmacro %}

{% macro duckdb__raw_records_since(source_name, table_name, since) -%}
    {%- if not since -%}
        select * from {{ source(source_name, table_name) }}
    {%- else -%}
        {%- set node = tributary.source_node(source_name, table_name) -%}
        {%- set files = [] -%}
        {%- if execute -%}
            {%- set listed = run_query(
                "select file from glob('" ~ tributary.parsed_glob(node) ~ "')"
                ~ " where regexp_extract(file, '/dt=([0-9-]+)/', 1) >= '" ~ since.strftime('%Y-%m-%d') ~ "'"
                ~ " order by file"
            ) -%}
            {%- do files.extend(listed.columns[0].values()) -%}
        {%- endif -%}
        select * from (
            {%- if files %}
            {{ tributary.duckdb_parsed_select(node, files) }}
            {%- else %}
            {{ tributary.duckdb_parsed_empty(node) }}
            {%- endif %}
        ) as delivered
        where delivered._delivered_at >= timestamp '{{ since.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
    {%- endif -%}
{%- endmacro %}
