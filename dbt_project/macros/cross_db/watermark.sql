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
    {%- set hours = [] -%}
    {%- for slot in run_query(query).columns[0].values() -%}
        {%- do hours.append("timestamp '" ~ slot.strftime('%Y-%m-%d %H:%M:%S') ~ "'") -%}
    {%- endfor -%}
    {{ return(hours) }}
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
