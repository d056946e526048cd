{#- Validity checks shared by staging and the data-quality report, so both judge a value the same way. -#}
{% macro is_valid_email(expr) -%}
    coalesce({{ tributary.regexp_like(expr, '^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$') }}, false)
{%- endmacro %}
