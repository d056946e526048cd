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

{#- ISO 8601 text with a UTC offset (2025-10-18T18:37:02+02:00) to a UTC timestamp without time zone; NULL when
    it does not parse. -#}
{% macro try_iso8601_to_utc(expr) %}
    {{ return(adapter.dispatch('try_iso8601_to_utc', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__try_iso8601_to_utc(expr) -%}
    cast(at_timezone(try(from_iso8601_timestamp({{ expr }})), 'UTC') as timestamp)
{%- endmacro %}

{% macro duckdb__try_iso8601_to_utc(expr) -%}
    cast(timezone('UTC', coalesce(
        try_strptime(regexp_replace({{ expr }}, 'Z$', '+00:00'), '%Y-%m-%dT%H:%M:%S%z'),
        try_strptime(regexp_replace({{ expr }}, 'Z$', '+00:00'), '%Y-%m-%dT%H:%M:%S.%f%z')
    )) as timestamp)
{%- endmacro %}

{#- Epoch seconds (a number) to a UTC timestamp without time zone. -#}
{% macro epoch_to_utc(expr) %}
    {{ return(adapter.dispatch('epoch_to_utc', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__epoch_to_utc(expr) -%}
    cast(at_timezone(from_unixtime({{ expr }}), 'UTC') as timestamp)
{%- endmacro %}

{% macro duckdb__epoch_to_utc(expr) -%}
    cast(timezone('UTC', to_timestamp({{ expr }})) as timestamp)
{%- endmacro %}
