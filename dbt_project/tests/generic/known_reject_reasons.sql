{#- Every reject_reason of a base model is one its contract can give: the reader's (wrong_field_count,
    malformed_line, malformed_json, empty_line, line_too_long), empty_row, missing_/invalid_<field> of its required
    fields, its checks, its de-duplication's (superseded_export, the duplicate reason), and `extra` (reasons of
    checks written in the model). Fails with each unknown reason and its count. -#}
{% test known_reject_reasons(model, column_name, source_name, table_name, extra=[]) %}

{%- set known = ['wrong_field_count', 'malformed_line', 'malformed_json', 'empty_line', 'line_too_long', 'empty_row'] -%}
{%- if execute -%}
    {%- set node = tributary.source_node(source_name, table_name) -%}
    {%- set contract = node.meta.get('contract') or {} -%}
    {%- for column in tributary.contract_fields(node) if column.meta.get('required') -%}
        {%- do known.extend(['missing_' ~ column.name, 'invalid_' ~ column.name]) -%}
    {%- endfor -%}
    {%- for check in contract.get('checks', []) -%}
        {%- do known.append(check['reason']) -%}
    {%- endfor -%}
    {%- do known.extend(['superseded_export', contract.get('duplicate_reason', 'duplicate_row')]) -%}
{%- endif -%}
{%- do known.extend(extra) -%}

select
    {{ column_name }} as reject_reason,
    count(*) as records
from {{ model }}
where {{ column_name }} is not null and {{ column_name }} not in ({{ tributary.sql_string_list(known) }})
group by {{ column_name }}

{% endtest %}
