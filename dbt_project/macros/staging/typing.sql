{#- Typing helpers for staging: text to numbers without engine-specific leniency (DuckDB's try_cast accepts
    '3.0' as an integer, Trino's does not), so the same rows pass on both engines. -#}
{% macro to_decimal(expr, precision=18, scale=4) -%}
    case
        when {{ tributary.regexp_like(expr, '^-?[0-9]{1,' ~ (precision - scale) ~ '}([.][0-9]+)?$') }}
            then cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
    end
{%- endmacro %}

{% macro to_integer(expr) -%}
    case
        when {{ tributary.regexp_like(expr, '^-?[0-9]{1,9}$') }} then cast({{ expr }} as integer)
    end
{%- endmacro %}

{% macro to_double(expr) -%}
    case
        when {{ tributary.regexp_like(expr, '^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$') }}
            then cast({{ expr }} as double)
    end
{%- endmacro %}

{#- OUI/NON (Paris open data), 1/0 (GBFS), true/false to a boolean; anything else is NULL. -#}
{% macro to_boolean(expr) -%}
    case
        when upper({{ expr }}) in ('OUI', '1', 'TRUE') then true
        when upper({{ expr }}) in ('NON', '0', 'FALSE') then false
    end
{%- endmacro %}

{#- Integral text written with a zero decimal part by a spreadsheet round trip ('15298.0', '12.00') without it;
    any other text unchanged. Apply it to ids and counts before comparing or casting them. -#}
{% macro strip_zero_decimals(expr) -%}
    case
        when {{ tributary.regexp_like(expr, '^-?[0-9]+[.]0+$') }} then substr({{ expr }}, 1, strpos({{ expr }}, '.') - 1)
        else {{ expr }}
    end
{%- endmacro %}

{#- The latest date a record may carry: the run date plus `future_date_tolerance_days` (a clock a day ahead is
    not a fault); a later date is a fault of the source and is quarantined, so that it never drives an as-of date. -#}
{% macro future_date_limit() -%}
    {{ dbt.dateadd('day', var('future_date_tolerance_days', 1), 'current_date') }}
{%- endmacro %}
