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

{#- Text split on a literal delimiter into an array of text ('' gives one empty element, NULL gives NULL). -#}
{% macro split_text(expr, delimiter) %}
    {{ return(adapter.dispatch('split_text', 'tributary')(expr, delimiter)) }}
{% endmacro %}

{% macro default__split_text(expr, delimiter) -%}
    split({{ expr }}, '{{ delimiter }}')
{%- endmacro %}

{% macro duckdb__split_text(expr, delimiter) -%}
    string_split({{ expr }}, '{{ delimiter }}')
{%- endmacro %}
