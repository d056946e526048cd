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

{#- One row per element of the JSON array at `path` ('$.results') of `expr`: a join clause exposing each element
    as JSON text (varchar on both engines) in `alias`.`column`. Rows whose text is not valid JSON, or has no array there, give no row. -#}
{% macro json_array_rows(expr, path, alias, column) %}
    {{ return(adapter.dispatch('json_array_rows', 'tributary')(expr, path, alias, column)) }}
{% endmacro %}

{% macro default__json_array_rows(expr, path, alias, column) -%}
    cross join unnest(
        try(transform(cast(json_extract({{ expr }}, '{{ path }}') as array(json)), element -> json_format(element)))
    ) as {{ alias }} ({{ column }})
{%- endmacro %}

{% macro duckdb__json_array_rows(expr, path, alias, column) -%}
    cross join unnest(
        json_extract(case when json_valid({{ expr }}) then {{ expr }} end, '{{ path }}[*]')
    ) as {{ alias }} ({{ column }})
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
