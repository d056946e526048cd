{#- Parse text to a date or timestamp, NULL when it does not match the format.
    `format` uses strptime letters (%Y %m %d %H %M %S); the Trino implementation translates them to
    date_parse's MySQL letters (%i for minutes, %s for seconds). -#}
{% macro try_to_timestamp(expr, format) %}
    {{ return(adapter.dispatch('try_to_timestamp', 'tributary')(expr, format)) }}
{% endmacro %}

{% macro default__try_to_timestamp(expr, format) -%}
    try(date_parse({{ expr }}, '{{ format | replace('%M', '%i') | replace('%S', '%s') }}'))
{%- endmacro %}

{% macro duckdb__try_to_timestamp(expr, format) -%}
    try_strptime({{ expr }}, '{{ format }}')
{%- endmacro %}

{% macro try_to_date(expr, format) -%}
    cast({{ tributary.try_to_timestamp(expr, format) }} as date)
{%- endmacro %}
