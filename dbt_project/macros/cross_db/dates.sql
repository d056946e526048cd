{#- ISO day of the week, 1 = Monday … 7 = Sunday. DuckDB's extract(dow) counts from Sunday = 0, so each
    engine gets its own function. -#}
{% macro iso_day_of_week(expr) %}
    {{ return(adapter.dispatch('iso_day_of_week', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__iso_day_of_week(expr) -%}
    day_of_week({{ expr }})
{%- endmacro %}

{% macro duckdb__iso_day_of_week(expr) -%}
    isodow({{ expr }})
{%- endmacro %}
