{#- The latest value of `column` in this incremental model, less `lookback_hours`, as an SQL timestamp literal,
    read with a query when the model runs; none on a full build, at parse time, or when the table is empty.
    A literal and not a subquery: with it DuckDB skips the row groups before it (their min/max statistics) and
    Athena the files and partitions, so a run reads the new rows, not the history. -#}
{% macro incremental_since(column, lookback_hours=1) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = run_query('select max(' ~ column ~ ') from ' ~ this).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = latest - modules.datetime.timedelta(hours=lookback_hours) -%}
    {{ return("timestamp '" ~ since.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'") }}
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
