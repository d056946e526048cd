{#- Helpers of the marketing domain's staging and marts. -#}

{#- A list of strings (a var) as an SQL list of literals: 'a', 'b'. -#}
{% macro sql_string_list(values) -%}
    {%- for value in values %}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- The request path of a URL or request target: without the query string or fragment, so that /search?q=a and
    /search?q=b count as one URL. -#}
{% macro url_path(expr) -%}
    nullif(regexp_extract({{ expr }}, '^([^?#]*)', 1), '')
{%- endmacro %}

{#- Start of the 5-minute window holding timestamp `expr` (12:07:59 → 12:05:00). -#}
{% macro five_minute_window(expr) -%}
    {{ dbt.dateadd('minute', 'cast(floor(extract(minute from ' ~ expr ~ ') / 5.0) as integer) * 5', "date_trunc('hour', " ~ expr ~ ")") }}
{%- endmacro %}
