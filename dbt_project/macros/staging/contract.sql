{#- Staging from a declared source contract: one macro per model of the staging trio.

    A source declares its contract once, in its _<domain>__sources.yml:
      columns:   the fields, each with meta {header (or JSON key), type, required, formats, transform}
                 (types: text, integer, bigint, decimal, double, date, timestamp, boolean)
      meta.contract:
        key:              the columns that identify a record (for de-duplication)
        keep:             latest       the latest delivery of a key wins (exports restating the same rows)
                          first        the first delivery of a key wins (at-least-once event streams)
                          latest_file  only the latest delivery counts (each file a full snapshot)
                          all          no de-duplication
        duplicate_reason: the reason of the copies that lose (default duplicate_row)
        checks:           the domain's own checks, in order: [{reason: …, when: <SQL on the typed fields>}]

    base_<source>__<table> = {{ tributary.stage_source(...) }}: one row per raw record of the parsed relation
    (incremental: only deliveries not read yet), typed, checked, de-duplicated; reject_reason is NULL for a usable
    record. stg_ = {{ tributary.staged_rows(...) }} keeps the usable ones, qua_ = {{ tributary.quarantined_rows(...) }}
    the others with their reason and text: raw = staged + quarantined by construction, and the generic test
    rows_reconcile checks it.

    The reasons, in the order they are checked: the reader's (wrong_field_count, malformed_line, malformed_json,
    empty_line, line_too_long); empty_row (every field empty); missing_<field> (a required field empty);
    invalid_<field> (a required field that does not parse as its type); the contract's checks; then the
    de-duplication's (superseded_export, the duplicate reason). An optional field that does not parse is NULL
    and named in `warnings` (invalid_<field>, comma-separated): never a silent NULL. -#}

{% macro source_node(source_name, table_name) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name) -%}
    {%- if node is none and execute -%}
        {{ exceptions.raise_compiler_error("no source " ~ source_name ~ "." ~ table_name) }}
    {%- endif -%}
    {{ return(node) }}
{%- endmacro %}

{#- A field's text as staging reads it: trimmed, empty as NULL, then its `transform`: lower, upper, or
    strip_zero_decimals (an id a spreadsheet wrote as 15298.0 is 15298). -#}
{% macro field_text(column) -%}
    {%- set expr = tributary.trimmed_text(column.name) -%}
    {%- set transform = column.meta.get('transform') -%}
    {%- if transform in ('lower', 'upper') -%}{{ transform }}({{ expr }})
    {%- elif transform == 'strip_zero_decimals' -%}{{ tributary.strip_zero_decimals(expr) }}
    {%- elif transform -%}
        {{ exceptions.raise_compiler_error("field " ~ column.name ~ ": unknown transform " ~ transform) }}
    {%- else -%}{{ expr }}{%- endif -%}
{%- endmacro %}

{#- A text trimmed of spaces at both ends, empty as NULL. DuckDB: only a text that starts or ends with a space or
    a no-break space (U+00A0), or starts with any other non-ASCII character, goes through trim() (which also
    strips the other Unicode spaces); the test is a byte comparison, three times cheaper than trim() on every
    field of every record (make bench). A text ending with another Unicode space (U+2000–U+3000) keeps it. -#}
{% macro trimmed_text(expr) -%}
    {{ return(adapter.dispatch('trimmed_text', 'tributary')(expr)) }}
{%- endmacro %}

{% macro default__trimmed_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{% macro duckdb__trimmed_text(expr) -%}
    case
        when {{ expr }} = '' then null
        when {{ expr }} like ' %' or {{ expr }} like '% ' or {{ expr }} like chr(160) || '%' or {{ expr }} like '%' || chr(160)
            or {{ expr }} >= chr(128)
            then nullif(trim({{ expr }}), '')
        else {{ expr }}
    end
{%- endmacro %}

{#- A field's text (`expr`) typed by its contract type; NULL when it does not parse. -#}
{% macro typed_field(expr, column) -%}
    {%- set type = column.meta['type'] -%}
    {%- set formats = column.meta.get('formats', []) -%}
    {%- if type == 'text' -%}
        {{ expr }}
    {%- elif type == 'integer' -%}
        case when {{ tributary.regexp_like(expr, '^-?[0-9]{1,9}([.]0+)?$') }} then cast({{ dbt.split_part(expr, "'.'", 1) }} as integer) end
    {%- elif type == 'bigint' -%}
        case when {{ tributary.regexp_like(expr, '^-?[0-9]{1,18}([.]0+)?$') }} then cast({{ dbt.split_part(expr, "'.'", 1) }} as bigint) end
    {%- elif type == 'decimal' -%}
        {{ tributary.to_decimal(expr, 18, column.meta.get('scale', 4)) }}
    {%- elif type == 'double' -%}
        {{ tributary.to_double(expr) }}
    {%- elif type == 'boolean' -%}
        {{ tributary.to_boolean(expr) }}
    {%- elif type in ('date', 'timestamp') -%}
        {%- if not formats -%}
            {{ exceptions.raise_compiler_error("field " ~ column.name ~ ": a " ~ type ~ " needs meta.formats") }}
        {%- endif -%}
        {%- set parsed = [] -%}
        {%- for format in formats -%}
            {%- if format == 'iso8601' -%}
                {%- do parsed.append(tributary.try_iso8601_to_utc(expr)) -%}
            {%- elif format == 'epoch' -%}
                {%- do parsed.append(tributary.epoch_to_utc(tributary.to_double(expr))) -%}
            {%- else -%}
                {%- do parsed.append(tributary.try_to_timestamp(expr, format)) -%}
            {%- endif -%}
        {%- endfor -%}
        cast({{ 'coalesce(' ~ parsed | join(', ') ~ ')' if parsed | length > 1 else parsed[0] }} as {{ type }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("field " ~ column.name ~ ": unknown type " ~ type) }}
    {%- endif -%}
{%- endmacro %}

{#- The rows of a source's parsed relation that `this` has not read yet (every row on a full build).
    DuckDB: the lake is listed (a glob reads no data) and only the parsed files of deliveries absent from
    `this` are read. Athena (listing S3 is not free): the partitions from the latest one read minus
    `staging_lookback_days` (a late event batch lands in an older day), minus the deliveries already read. -#}
{% macro unread_records(source_name, table_name) %}
    {{ return(adapter.dispatch('unread_records', 'tributary')(source_name, table_name)) }}
{% endmacro %}

{% macro default__unread_records(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not is_incremental() -%}
        select * from {{ relation }}
    {%- else -%}
        select * from {{ relation }}
        where
            dt >= (
                select {{ dbt.dateadd('day', -1 * var('staging_lookback_days', 3), 'coalesce(max(ingested_date), date \'1900-01-01\')') }}
                from {{ this }}
            )
            and _delivery_id not in (select distinct read_before._delivery_id from {{ this }} as read_before)
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__unread_records(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not is_incremental() -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set node = tributary.source_node(source_name, table_name) -%}
        {%- set files = [] -%}
        {%- if execute -%}
            {%- set unread = run_query(
                "select file from glob('" ~ tributary.parsed_glob(node) ~ "')"
                ~ " where regexp_extract(file, '([^/]+)[.]parquet$', 1) not in"
                ~ " (select distinct _delivery_id from " ~ this ~ ") order by file"
            ) -%}
            {%- do files.extend(unread.columns[0].values()) -%}
        {%- endif -%}
        {%- if files -%}
            {{ tributary.duckdb_parsed_select(node, files) }}
        {%- else -%}
            {{ tributary.duckdb_parsed_empty(node) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- A field written back as CSV: quoted (quotes doubled) when it holds the delimiter, a quote or a line break;
    empty when NULL. -#}
{% macro csv_quoted(expr, delimiter=',') -%}
    case
        when {{ expr }} is null then ''
        when strpos({{ expr }}, '{{ delimiter }}') > 0 or strpos({{ expr }}, '"') > 0 or strpos({{ expr }}, chr(10)) > 0
            then '"' || replace({{ expr }}, '"', '""') || '"'
        else {{ expr }}
    end
{%- endmacro %}

{#- `not materialized` before the body of a CTE that several others read (or that such a CTE reads: inlined,
    it is read several times too), where the engine has the keyword. DuckDB would otherwise compute such a CTE
    once and keep its rows: every record with all its fields, spilled past the memory limit and read back by each
    reader (profiled at 1e7 Superstore lines: 12 s of base_stock__sales's 24 s; make bench: 24.7 -> 17 s).
    Inlined, each reader computes only the columns it needs: the count of keys reads the key fields only, and
    the ranking reads the few repeated keys. Trino has no such keyword and plans the CTE itself. -#}
{% macro inlined_cte() -%}
    {{- 'not materialized' if target.type == 'duckdb' else '' -}}
{%- endmacro %}

{#- The incremental strategy of a base model that rewrites earlier rows (keep: latest, latest_file): DuckDB
    delete+insert on the record's identity; Athena merge (the base models are Iceberg tables there). -#}
{% macro record_strategy() -%}
    {{ return('merge' if target.type == 'athena' else 'delete+insert') }}
{%- endmacro %}

{#- base_<source>__<table>: every raw record typed, checked and de-duplicated (see the top of this file).
    `derived`: extra columns (name → SQL over the typed fields and the `<field>__text` texts), computed before the
    checks and kept in the output; `checks`: extra (reason, SQL) pairs after the contract's own (for checks that
    need a macro, which yml cannot call). `meta.contract.prefer` (an ORDER BY fragment over the typed fields)
    ranks the copies of a key before the delivery order (e.g. the fuller snapshot first). -#}
{% macro stage_source(source_name, table_name, derived={}, checks=[]) -%}
    {%- set node = tributary.source_node(source_name, table_name) -%}
    {%- if not execute -%}
        {#- parse time: only the dependencies matter -#}
        select * from ({{ tributary.unread_records(source_name, table_name) }}) as parse_only
        {{- return('') -}}
    {%- endif -%}
    {%- set contract = node.meta.get('contract') or {} -%}
    {%- set fields = tributary.contract_fields(node) -%}
    {%- set field_names = fields | map(attribute='name') | list -%}
    {%- set keep = contract.get('keep', 'all') -%}
    {%- set key = contract.get('key', []) -%}
    {%- set prefer = contract.get('prefer') -%}
    {%- set duplicate_reason = contract.get('duplicate_reason', 'duplicate_row') -%}
    {%- set delimiter = node.meta['lake'].get('delimiter', ',') -%}
    {%- set incremental = is_incremental() -%}
    {%- if keep not in ('latest', 'first', 'latest_file', 'all') -%}
        {{ exceptions.raise_compiler_error(source_name ~ "." ~ table_name ~ ": contract keep must be latest, first, latest_file or all, not " ~ keep) }}
    {%- endif -%}
    {%- if keep in ('latest', 'first', 'latest_file') and not key -%}
        {{ exceptions.raise_compiler_error(source_name ~ "." ~ table_name ~ ": keep " ~ keep ~ " needs a contract key") }}
    {%- endif -%}
    {%- if keep == 'first' and prefer -%}
        {{ exceptions.raise_compiler_error(source_name ~ "." ~ table_name ~ ": keep first cannot have a prefer order (an earlier copy is never displaced)") }}
    {%- endif -%}
    {%- set all_checks = [] -%}
    {%- for check in contract.get('checks', []) -%}
        {%- do all_checks.append((check['reason'], check['when'])) -%}
    {%- endfor -%}
    {%- do all_checks.extend(checks) -%}
    {%- set record_columns = field_names + (derived.keys() | list) -%}
    {%- set order = [prefer] if prefer else [] -%}
    {%- if keep == 'first' -%}
        {%- do order.extend(['_delivered_at asc', '_line_number asc']) -%}
    {%- else -%}
        {#- the latest delivery wins; within one delivery, the first copy (the others are the copies) -#}
        {%- do order.extend(['_delivered_at desc', '_line_number asc']) -%}
    {%- endif -%}
with

new_records as {{ tributary.inlined_cte() }} (
    {{ tributary.unread_records(source_name, table_name) }}
),

texts as {{ tributary.inlined_cte() }} (
    select
        -- lineage
        _source_file,
        _delivery_id,
        _delivered_at,
        _line_number,
        dt as ingested_date,
        _raw_line,
        _parse_error,
        -- the fields as read: exactly (for the text of a rejected record), then trimmed and transformed
        {%- for column in fields %}
        {{ column.name }} as {{ column.name }}__raw,
        {{ tributary.field_text(column) }} as {{ column.name }}__text{{ ',' if not loop.last }}
        {%- endfor %}
    from new_records
),

typed as {{ tributary.inlined_cte() }} (
    select
        *,
        {%- for column in fields %}
        {{ tributary.typed_field(column.name ~ '__text', column) }} as {{ column.name }}{{ ',' if not loop.last or derived }}
        {%- endfor %}
        {%- for name, expr in derived.items() %}
        {{ expr }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from texts
),

problems as {{ tributary.inlined_cte() }} (
    select
        *,
        case
            when _parse_error is not null then _parse_error
            when
                {%- for column in fields %}
                {{ column.name }}__text is null{{ ' and' if not loop.last }}
                {%- endfor %}
                then 'empty_row'
            {%- for column in fields if column.meta.get('required') %}
            when {{ column.name }}__text is null then 'missing_{{ column.name }}'
            {%- if column.meta['type'] != 'text' %}
            when {{ column.name }} is null then 'invalid_{{ column.name }}'
            {%- endif %}
            {%- endfor %}
            {%- for reason, condition in all_checks %}
            when {{ condition }} then '{{ reason }}'
            {%- endfor %}
        end as row_problem
    from typed
),

-- only what the output needs from here on: the window and the table are cheaper on narrow rows (make bench)
checked as {{ tributary.inlined_cte() }} (
    select
        _source_file,
        _delivery_id,
        _delivered_at,
        _line_number,
        ingested_date,
        {%- for column in record_columns %}
        {{ column }},
        {%- endfor %}
        row_problem,
        {%- set optional = [] -%}
        {%- for column in fields if not column.meta.get('required') and column.meta['type'] != 'text' -%}
            {%- do optional.append(column) -%}
        {%- endfor %}
        {%- if optional %}
        nullif(concat_ws(
            ','
            {%- for column in optional %},
            case when {{ column.name }}__text is not null and {{ column.name }} is null then 'invalid_{{ column.name }}' end
            {%- endfor %}
        ), '') as warnings,
        {%- else %}
        cast(null as varchar) as warnings,
        {%- endif %}
        -- a record with a problem keeps its text as read: the reader's, or its fields written back as a CSV line
        case
            when row_problem is not null then coalesce(
                _raw_line,
                concat_ws(
                    '{{ delimiter }}'
                    {%- for column in fields %},
                    {{ tributary.csv_quoted(column.name ~ '__raw', delimiter) }}
                    {%- endfor %}
                )
            )
        end as problem_text,
        false as is_existing
    from problems
),
{%- if incremental and keep == 'latest' %}

-- an earlier winner of a key this run delivers again competes with the new copies
new_keys as (
    select distinct
        {%- for column in key %}
        checked.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from checked
    where checked.row_problem is null
),

existing as (
    select
        staged._source_file,
        staged._delivery_id,
        staged._delivered_at,
        staged._line_number,
        staged.ingested_date,
        {%- for column in record_columns %}
        staged.{{ column }},
        {%- endfor %}
        cast(null as varchar) as row_problem,
        staged.warnings,
        cast(null as varchar) as problem_text,
        true as is_existing
    from {{ this }} as staged
    inner join new_keys
        on
            {%- for column in key %}
            staged.{{ column }} is not distinct from new_keys.{{ column }}{{ ' and' if not loop.last }}
            {%- endfor %}
    where staged.reject_reason is null
),
{%- endif %}
{%- if keep == 'latest_file' %}

latest_delivery as (
    select max(_delivery_id) as latest_delivery_id from checked
),
{%- endif %}

-- every record that competes for a key: this run's, and the earlier winners of the keys it delivers again
candidates as {{ tributary.inlined_cte() }} (
    select * from checked
    {%- if incremental and keep == 'latest' %}
    union all
    select * from existing
    {%- endif %}
),
{%- if keep != 'all' %}

-- the keys that more than one candidate holds (in a clean export, none): only their copies are ranked, so the
-- window sorts a handful of rows instead of every record with all its fields (make bench: the window was most
-- of this model's time). Counted on the key alone, which reads only the key's fields: a superset of the keys
-- held twice with the same problem, which the ranking's partitions are.
repeated_keys as (
    select
        {%- if keep == 'latest_file' %} _delivery_id,{% endif %}
        {%- for column in key %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from candidates
    group by
        {%- if keep == 'latest_file' %} _delivery_id,{% endif %}
        {%- for column in key %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    having count(*) > 1
),

copies as (
    select
        candidates._delivery_id,
        candidates._line_number,
        row_number() over (
            partition by
                candidates.row_problem
                {%- if keep == 'latest_file' %}, candidates._delivery_id{% endif %}
                {%- for column in key %}, candidates.{{ column }}{% endfor %}
            order by {% for term in order %}candidates.{{ term }}{{ ', ' if not loop.last }}{% endfor %}
        ) as occurrence
    from candidates
    inner join repeated_keys
        on
            {%- if keep == 'latest_file' %}
            candidates._delivery_id = repeated_keys._delivery_id and
            {%- endif %}
            {%- for column in key %}
            candidates.{{ column }} is not distinct from repeated_keys.{{ column }}{{ ' and' if not loop.last }}
            {%- endfor %}
),
{%- endif %}

ranked as (
    select
        candidates.*,
        {%- if keep == 'latest_file' %}
        candidates._delivery_id != latest_delivery.latest_delivery_id as is_superseded,
        {%- else %}
        false as is_superseded,
        {%- endif %}
        {%- if keep == 'all' %}
        1 as occurrence
        {%- else %}
        -- a record (delivery, line) is one candidate: this run reads only deliveries `this` has not read
        coalesce(copies.occurrence, 1) as occurrence
        {%- endif %}
    from candidates
    {%- if keep != 'all' %}
    left join copies
        on candidates._delivery_id = copies._delivery_id and candidates._line_number = copies._line_number
    {%- endif %}
    {%- if keep == 'latest_file' %}
    cross join latest_delivery
    {%- endif %}
),
{%- if incremental and keep == 'first' %}

-- the keys of this run's usable records that an earlier run already staged: an earlier copy wins
new_keys as (
    select distinct
        {%- for column in key %}
        ranked.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked
    where ranked.row_problem is null and ranked.occurrence = 1
),

already_staged as (
    select distinct
        {%- for column in key %}
        staged.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ this }} as staged
    inner join new_keys
        on
            {%- for column in key %}
            staged.{{ column }} = new_keys.{{ column }}{{ ' and' if not loop.last }}
            {%- endfor %}
    where staged.reject_reason is null
),
{%- endif %}

rejected as (
    select
        ranked.*,
        coalesce(
            case when ranked.is_superseded then 'superseded_export' end,
            ranked.row_problem,
            case when ranked.occurrence > 1 then '{{ duplicate_reason }}' end
            {%- if incremental and keep == 'first' %},
            case when already_staged.{{ key[0] }} is not null then '{{ duplicate_reason }}' end
            {%- endif %}
        ) as reject_reason
    from ranked
    {%- if incremental and keep == 'first' %}
    left join already_staged
        on
            {%- for column in key %}
            ranked.{{ column }} = already_staged.{{ column }}{{ ' and' if not loop.last }}
            {%- endfor %}
    {%- endif %}
),

final as (
    select
        -- lineage
        _source_file,
        _delivery_id,
        _delivered_at,
        _line_number,
        ingested_date,
        -- when this row was written: the run's start (a row rewritten by a later run, e.g. an earlier winner a new
        -- copy displaced, gets that run's); downstream incremental models find what changed since their last run
        {{ tributary.run_stamp() }} as _staged_at,
        -- the fields, typed
        {%- for column in record_columns %}
        {{ column }},
        {%- endfor %}
        -- checks
        warnings,
        reject_reason,
        -- the record as read, for a rejected one: its text when it had a problem, else (a copy that lost to
        -- another delivery, an earlier winner displaced) its typed fields written back as a CSV line
        case
            when reject_reason is not null then coalesce(
                problem_text,
                concat_ws(
                    '{{ delimiter }}'
                    {%- for column in field_names %},
                    {{ tributary.csv_quoted('cast(' ~ column ~ ' as varchar)', delimiter) }}
                    {%- endfor %}
                )
            )
        end as raw_line
    from rejected
    -- a new record, or an earlier winner that a new copy outranks (delete+insert replaces its row)
    where not is_existing or occurrence > 1
    {%- if incremental and keep == 'latest_file' %}

    -- a newer full snapshot supersedes every record of the earlier ones
    union all
    select
        {%- for name in ['_source_file', '_delivery_id', '_delivered_at', '_line_number', 'ingested_date'] %}
        staged.{{ name }},
        {%- endfor %}
        {{ tributary.run_stamp() }} as _staged_at,
        {%- for name in record_columns + ['warnings'] %}
        staged.{{ name }},
        {%- endfor %}
        'superseded_export' as reject_reason,
        coalesce(staged.raw_line, concat_ws(
            '{{ delimiter }}'
            {%- for column in field_names %},
            {{ tributary.csv_quoted('cast(staged.' ~ column ~ ' as varchar)', delimiter) }}
            {%- endfor %}
        )) as raw_line
    from {{ this }} as staged
    where
        (staged.reject_reason is null or staged.reject_reason != 'superseded_export')
        and exists (select 1 from new_records)
    {%- endif %}
)

select * from final
{%- endmacro %}

{#- stg_<source>__<table>: the usable records of the base model, with their lineage (not _staged_at: when the
    warehouse wrote a row is the base table's bookkeeping); `extra` adds columns (name → SQL over the usable
    records, e.g. a window). -#}
{% macro staged_rows(base_model, exclude=[], extra={}) -%}
with

checked as (
    select * from {{ base_model }}
    where reject_reason is null
),

final as (
    select
        {%- for column in tributary.base_columns(base_model) if column not in ['_staged_at', 'warnings', 'reject_reason', 'raw_line'] + exclude %}
        {{ column }}{{ ',' if not loop.last or extra }}
        {%- endfor %}
        {%- for name, expr in extra.items() %}
        {{ expr }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from checked
)

select * from final
{%- endmacro %}

{#- The columns of a base model as built (stg_ lists them without re-typing them); `*` before the base model
    exists (a compile on an empty warehouse). -#}
{% macro base_columns(base_model) -%}
    {%- set columns = adapter.get_columns_in_relation(base_model) if execute else [] -%}
    {{ return(columns | map(attribute='name') | list if columns else ['*']) }}
{%- endmacro %}
