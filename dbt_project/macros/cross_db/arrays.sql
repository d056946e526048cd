{#- Arrays: size and 1-based element access returning NULL past the end, on both engines. -#}
{% macro array_size(expr) %}
    {{ return(adapter.dispatch('array_size', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__array_size(expr) -%}
    cardinality({{ expr }})
{%- endmacro %}

{% macro duckdb__array_size(expr) -%}
    len({{ expr }})
{%- endmacro %}

{% macro array_get(expr, index) %}
    {{ return(adapter.dispatch('array_get', 'tributary')(expr, index)) }}
{% endmacro %}

{% macro default__array_get(expr, index) -%}
    element_at({{ expr }}, {{ index }})
{%- endmacro %}

{% macro duckdb__array_get(expr, index) -%}
    {{ expr }}[{{ index }}]
{%- endmacro %}
