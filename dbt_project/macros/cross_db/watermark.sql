{#- The latest value of `column` in this incremental model, less `lookback_hours`, as an SQL timestamp literal,
    read with a query when the model runs; none on a full build, at parse time, or when the table is empty.
    A literal and not a subquery: with it DuckDB skips the row groups before it (their min/max statistics) and
    Athena the files and partitions, so a run reads the new rows, not the history. -#}
{% macro incremental_since(column, lookback_hours=1) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = tributary.max_value(this, column) -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(tributary.timestamp_literal(latest - modules.datetime.timedelta(hours=lookback_hours))) }}
{%- endmacro %}

{#- max(`column`) of `relation`, read with a query when the model runs (none when it holds no row). -#}
{% macro max_value(relation, column) -%}
    {{ return(run_query('select max(' ~ column ~ ') from ' ~ relation).columns[0].values()[0]) }}
{%- endmacro %}

{#- A datetime as an SQL timestamp literal, to the microsecond; none stays none. -#}
{% macro timestamp_literal(value) -%}
    {{ return(none if value is none else "timestamp '" ~ value.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'") }}
{%- endmacro %}

{#- The hours (SQL timestamp literals, oldest first) of the rows of `relation` whose delivery this incremental
    model has not read: delivered after `since` (none: any time) and not among its deliveries since then. Read
    with a query when the model runs, so that the model's SQL filters on literals (see incremental_since). -#}
{% macro unread_delivery_hours(relation, column, since) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select distinct {{ dbt.date_trunc('hour', 'unread.' ~ column) }} as slot
        from {{ relation }} as unread
        where
            {% if since %}unread._delivered_at > {{ since }} and {% endif -%}
            unread._delivery_id not in (
                select distinct loaded._delivery_id from {{ this }} as loaded
                {%- if since %} where loaded._delivered_at > {{ since }}{% endif %}
            )
        order by slot
    {%- endset -%}
    {{ return(tributary.column_literals(query, 'timestamp')) }}
{%- endmacro %}

{#- The values of the first column of `query` (run now) as SQL literals of `kind`: date, or timestamp (to the
    second). -#}
{% macro column_literals(query, kind) -%}
    {%- set format = '%Y-%m-%d' if kind == 'date' else '%Y-%m-%d %H:%M:%S' -%}
    {%- set literals = [] -%}
    {%- for value in run_query(query).columns[0].values() -%}
        {%- do literals.append(kind ~ " '" ~ value.strftime(format) ~ "'") -%}
    {%- endfor -%}
    {{ return(literals) }}
{%- endmacro %}

{#- max(`column`) of `relation` as a SQL timestamp literal, read with a query when the model runs; none at parse
    time, in a unit test (its inputs are fixtures, not relations), when the relation does not exist yet (a `dbt
    compile` on an empty warehouse) or holds no row. A model that filters on the literal lets the engine skip the
    row groups (DuckDB's zone maps) or the partitions (Athena) outside it, which a join with a max() subquery does
    not always do. -#}
{% macro latest_timestamp(relation, column) -%}
    {%- if not execute or relation.schema is none or relation.identifier is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) -%}
    {%- if found is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(tributary.timestamp_literal(tributary.max_value(relation, column))) }}
{%- endmacro %}

{#- The start of this dbt invocation as an SQL timestamp literal (UTC, to the microsecond): the same value in every
    model of the run. The base models stamp the rows they write with it (_staged_at); an incremental model
    downstream recomputes what was staged after its own last stamp (staged_dates). Runs on one warehouse are
    serialized (DuckDB's file lock; on Athena, Dagster's `warehouse` pool), so a later run has a later stamp. -#}
{% macro run_stamp() -%}
    {{ return(tributary.timestamp_literal(run_started_at)) }}
{%- endmacro %}

{#- The dates (SQL date literals, oldest first) of the rows staged after this incremental model's newest
    `stamp_column`: `sources` is a list of (relation, date expression over its rows), the base models whose
    rows, usable or rejected, the model aggregates by that date. A row rewritten by a later run counts too (a
    winner displaced by a new delivery: its old date must be recomputed without it). Read with a query when
    the model runs, so that its delete and its select use the same literals; none on a full build or at parse
    time (every date). -#}
{% macro staged_dates(stamp_column, sources) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = tributary.max_value(this, stamp_column) -%}
    {%- set query -%}
        {%- for relation, date_expr in sources %}
        select distinct {{ date_expr }} as staged_date
        from {{ relation }}
        where {{ date_expr }} is not null
            {%- if since is not none %} and _staged_at > {{ tributary.timestamp_literal(since) }}{% endif %}
        {{ 'union' if not loop.last }}
        {%- endfor %}
        order by staged_date
    {%- endset -%}
    {{ return(tributary.column_literals(query, 'date')) }}
{%- endmacro %}

{#- `column` in the `dates` of staged_dates: `true` when dates is none (a full build), `false` when it is empty. -#}
{% macro in_dates(column, dates) -%}
    {%- if dates is none -%}true
    {%- elif not dates -%}false
    {%- else -%}{{ column }} in ({{ dates | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- A pre-hook of an incremental model built by staged_dates: delete the rows of `this` whose `column` is one of
    the dates the run recomputes (nothing on a full build, nor when no date changed). -#}
{% macro delete_staged_dates(column, stamp_column, sources) -%}
    {%- set dates = tributary.staged_dates(stamp_column, sources) -%}
    {%- if dates -%}
        delete from {{ this }} where {{ column }} in ({{ dates | join(', ') }})
    {%- endif -%}
{%- endmacro %}
