{#- True when `expr` matches the regular expression `pattern` anywhere (anchor it with ^…$ for a full match).
    DuckDB: regexp_matches (RE2); Trino: regexp_like (Java regex). Patterns here stay in the common subset. -#}
{% macro regexp_like(expr, pattern) %}
    {{ return(adapter.dispatch('regexp_like', 'tributary')(expr, pattern)) }}
{% endmacro %}

{% macro default__regexp_like(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regexp_like(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}
