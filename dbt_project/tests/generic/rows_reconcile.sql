{#- Nothing is lost: the raw relation has exactly as many rows as the staged model plus its quarantine.
    Fails with one row showing the three counts when they disagree. -#}
{% test rows_reconcile(model, raw, quarantine) %}

with

counts as (
    select
        (select count(*) from {{ raw }}) as raw_rows,
        (select count(*) from {{ model }}) as staged_rows,
        (select count(*) from {{ quarantine }}) as quarantined_rows
)

select *
from counts
where raw_rows != staged_rows + quarantined_rows

{% endtest %}
