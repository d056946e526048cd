{#- The median of `expr`. DuckDB: the exact median (quantile_cont at 0.5, interpolating between the two middle
    values). Trino/Athena: approx_percentile at 0.5 (Trino has no exact percentile; its error is small and it
    returns one of the values, not an interpolation). -#}
{% macro median(expr) %}
    {{ return(adapter.dispatch('median', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__median(expr) -%}
    approx_percentile({{ expr }}, 0.5)
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}
