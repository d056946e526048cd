{#- JSON text: validity and scalar extraction as text. Extraction on invalid JSON is NULL on both engines
    (DuckDB would raise, and it does not promise to short-circuit AND or CASE, so invalid text is turned
    into NULL before any JSON function sees it). -#}
{% macro json_is_object(expr) %}
    {{ return(adapter.dispatch('json_is_object', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__json_is_object(expr) -%}
    try(cast(json_parse({{ expr }}) as map(varchar, json))) is not null
{%- endmacro %}

{% macro duckdb__json_is_object(expr) -%}
    coalesce(json_type(case when json_valid({{ expr }}) then {{ expr }} end) = 'OBJECT', false)
{%- endmacro %}

{% macro json_text(expr, key) %}
    {{ return(adapter.dispatch('json_text', 'tributary')(expr, key)) }}
{% endmacro %}

{% macro default__json_text(expr, key) -%}
    json_extract_scalar({{ expr }}, '$.{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(expr, key) -%}
    json_extract_string(case when json_valid({{ expr }}) then {{ expr }} end, '$.{{ key }}')
{%- endmacro %}

{#- The rows of `relation`, each repeated once per element of the JSON array at `path` ('$.results') of its
    column `expr`, with the element as JSON text (varchar on both engines) in `column`: a select statement to
    use as a subquery. Rows whose text is not valid JSON, or has no array there, give no row.
    DuckDB unnests in the select list, which streams: a lateral `cross join unnest(...)` over a column holding a
    whole snapshot made DuckDB carry that column into every element's row, and a month of Vélib' snapshots
    (2,880 lines of 600 KB) ran out of 18 GiB of memory (make bench). -#}
{% macro json_array_elements(relation, expr, path, column) %}
    {{ return(adapter.dispatch('json_array_elements', 'tributary')(relation, expr, path, column)) }}
{% endmacro %}

{% macro default__json_array_elements(relation, expr, path, column) -%}
    select
        {{ relation }}.*,
        json_array_element.{{ column }}
    from {{ relation }}
    cross join unnest(
        try(transform(cast(json_extract({{ expr }}, '{{ path }}') as array(json)), element -> json_format(element)))
    ) as json_array_element ({{ column }})
{%- endmacro %}

{% macro duckdb__json_array_elements(relation, expr, path, column) -%}
    select
        *,
        unnest(json_extract(case when json_valid({{ expr }}) then {{ expr }} end, '{{ path }}[*]')) as {{ column }}
    from {{ relation }}
{%- endmacro %}

{#- Length of the JSON array at `path` of `expr`; NULL when there is none. -#}
{% macro json_array_length(expr, path) %}
    {{ return(adapter.dispatch('json_array_length', 'tributary')(expr, path)) }}
{% endmacro %}

{% macro default__json_array_length(expr, path) -%}
    json_array_length(json_extract({{ expr }}, '{{ path }}'))
{%- endmacro %}

{% macro duckdb__json_array_length(expr, path) -%}
    json_array_length(case when json_valid({{ expr }}) then {{ expr }} end, '{{ path }}')
{%- endmacro %}
