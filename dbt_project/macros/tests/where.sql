{#- The `where` config of a data test, as dbt applies it (the tested relation replaced by a filtered subquery),
    with one placeholder of ours: `__recent_snapshots__` keeps the rows of the snapshots (snapshot_at) delivered
    in the last `velib_test_window_hours` hours before the relation's latest delivery, every copy of them included,
    so that a run that adds one snapshot tests the new part and what it must be compared with, not the month.
    velib_test_window_hours: 0 tests the whole history (`dbt test --vars '{velib_test_window_hours: 0}'`). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if '__recent_snapshots__' in where -%}
        {%- set where = where | replace('__recent_snapshots__', tributary.recent_snapshots(relation)) -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
{%- endmacro %}

{% macro recent_snapshots(relation) -%}
    {%- set hours = var('velib_test_window_hours') | int -%}
    {%- if hours <= 0 -%}
        1 = 1
    {%- else -%}
        snapshot_at in (
            select recent.snapshot_at from {{ relation }} as recent
            where recent._delivered_at >= (
                select {{ dbt.dateadd('hour', -hours, 'max(latest._delivered_at)') }} from {{ relation }} as latest
            )
        )
    {%- endif -%}
{%- endmacro %}
