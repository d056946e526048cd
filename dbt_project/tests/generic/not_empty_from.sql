{#- A mart built empty from non-empty input is a fault, not a green run: fails when `upstream` has rows and the
    model has none. -#}
{% test not_empty_from(model, upstream) %}

select
    (select count(*) from {{ upstream }}) as upstream_rows,
    (select count(*) from {{ model }}) as model_rows
where
    exists (select 1 from {{ upstream }})
    and not exists (select 1 from {{ model }})

{% endtest %}
