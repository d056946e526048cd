{#- The combination of `columns` is unique (dbt_utils.unique_combination_of_columns, written here because the
    dbt hub is out of reach). -#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
