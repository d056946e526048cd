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
