{#- JSON text: validity and scalar extraction as text. Extraction on invalid JSON is NULL on both engines
    (DuckDB would raise, and it does not promise to short-circuit AND or CASE, so invalid text is turned
    into NULL before any JSON function sees it). -#}
{% macro json_is_object(expr) %}
    {{ return(adapter.dispatch('json_is_object', 'tributary')(expr)) }}
{% endmacro %}

{% macro default__json_is_object(expr) -%}
    try(cast(json_parse({{ expr }}) as map(varchar, json))) is not null
{%- endmacro %}

{% macro duckdb__json_is_object(expr) -%}
    coalesce(json_type(case when json_valid({{ expr }}) then {{ expr }} end) = 'OBJECT', false)
{%- endmacro %}

{% macro json_text(expr, key) %}
    {{ return(adapter.dispatch('json_text', 'tributary')(expr, key)) }}
{% endmacro %}

{% macro default__json_text(expr, key) -%}
    json_extract_scalar({{ expr }}, '$.{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(expr, key) -%}
    json_extract_string(case when json_valid({{ expr }}) then {{ expr }} end, '$.{{ key }}')
{%- endmacro %}

{#- The rows of `relation` for which `condition` holds, each repeated once per element of the JSON array at
    `path` ('$.results') of its column `expr`, with the element as JSON text (varchar on both engines: a
    JSON type would refuse the unusable rows' text) in `column`: a select statement to
    use as a subquery. A row whose text is not valid JSON, or has no array there, gives no row. With
    `keep_others`, a row for which `condition` does not hold is kept once, with `column` NULL: one pass gives
    the elements of the usable rows and the unusable rows themselves (for their quarantine).
    DuckDB unnests in the select list and applies `condition` inside the unnest, which streams. A lateral
    `cross join unnest(...)`, a filter before the unnest, or a second reader of the same rows (a union with
    the unusable ones) made DuckDB copy the column holding the whole snapshot for every element: a month of
    Vélib' snapshots (2,877 lines of 600 KB) ran out of 18 GiB of memory (make bench); this form reads them
    in 90 MB. -#}
{% macro json_array_elements(relation, expr, path, column, condition='true', keep_others=false) %}
    {{ return(adapter.dispatch('json_array_elements', 'tributary')(relation, expr, path, column, condition, keep_others)) }}
{% endmacro %}

{% macro default__json_array_elements(relation, expr, path, column, condition, keep_others) -%}
    select
        {{ relation }}.*,
        json_array_element.{{ column }}
    from {{ relation }}
    cross join unnest(
        case
            when {{ condition }}
                then try(transform(
                    cast(json_extract({{ expr }}, '{{ path }}') as array(json)), element -> json_format(element)
                ))
            {% if keep_others %}else array[cast(null as varchar)]{% endif %}
        end
    ) as json_array_element ({{ column }})
{%- endmacro %}

{% macro duckdb__json_array_elements(relation, expr, path, column, condition, keep_others) -%}
    select
        *,
        unnest(
            case
                when {{ condition }}
                    then cast(json_extract(case when json_valid({{ expr }}) then {{ expr }} end, '{{ path }}[*]') as varchar[])
                {% if keep_others %}else [cast(null as varchar)]{% endif %}
            end
        ) as {{ column }}
    from {{ relation }}
{%- endmacro %}

{#- Length of the JSON array at `path` of `expr`; NULL when there is none. -#}
{% macro json_array_length(expr, path) %}
    {{ return(adapter.dispatch('json_array_length', 'tributary')(expr, path)) }}
{% endmacro %}

{% macro default__json_array_length(expr, path) -%}
    json_array_length(json_extract({{ expr }}, '{{ path }}'))
{%- endmacro %}

{% macro duckdb__json_array_length(expr, path) -%}
    json_array_length(case when json_valid({{ expr }}) then {{ expr }} end, '{{ path }}')
{%- endmacro %}
