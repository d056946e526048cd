{#- A delivery that staging mostly rejects is a fault to stop at, not a green run with empty marts (an xlsx whose
    prices are formulas without saved values, a file in the wrong encoding, a changed export): fails when, among the
    records of the base model's latest delivery date, the share quarantined for a reason other than the
    de-duplication's (superseded_export, the duplicate reason) and the contract's `expected_reasons` is above the
    contract's `max_quarantine_share` (default var max_quarantine_share, 0.9: a delivery mostly rejected, as a changed
    export or a wrong encoding gives, not the odd bad line). Fails with the counts. -#}
{% test quarantine_share(model, source_name, table_name) %}

{%- set ignored = ['superseded_export'] -%}
{%- set threshold = var('max_quarantine_share', 0.9) -%}
{%- if execute -%}
    {%- set contract = tributary.source_node(source_name, table_name).meta.get('contract') or {} -%}
    {%- do ignored.append(contract.get('duplicate_reason', 'duplicate_row')) -%}
    {%- do ignored.extend(contract.get('expected_reasons', [])) -%}
    {%- set threshold = contract.get('max_quarantine_share', threshold) -%}
{%- endif %}

with

latest as (
    select reject_reason from {{ model }}
    where ingested_date = (select max(dated.ingested_date) from {{ model }} as dated)
),

counted as (
    select
        count(*) as records,
        sum(case when reject_reason is not null and reject_reason not in ({{ tributary.sql_string_list(ignored) }}) then 1 else 0 end)
            as quarantined
    from latest
)

select
    records,
    quarantined,
    cast(quarantined as double) / records as quarantined_share,
    {{ threshold }} as max_share
from counted
where records > 0 and quarantined > {{ threshold }} * records

{% endtest %}
