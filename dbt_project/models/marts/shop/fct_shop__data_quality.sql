{#- on_schema_change: an enforced contract needs fail or append_new_columns; a new column is added to the history
    kept so far, which a full refresh would lose -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='append_new_columns') }}
{#- The data-quality report of the shop sources, one row per run × source table × column, appended at every run
    (incremental, append: the history of the report is kept). Over the rows whose fields can be read (raw lines
    that are not empty, malformed or of the wrong field count):
    completeness_rate = non-NULL values / rows; uniqueness_rate = distinct values / non-NULL values;
    validity_rate = valid values / non-NULL values, where valid is the column's rule below (the rule staging
    applies). Rates are NULL when their denominator is 0 (e.g. a source with no file). -#}
{%- set checks = {
    'base_shop__clients': {
        'source_table': 'shop_raw.clients',
        'columns': [
            ('id_client', 'client_id', 'true'),
            ('nom', 'client_name', 'true'),
            ('email', 'email_text', 'is_valid_email'),
            ('date_inscription', 'signup_date_text', 'is_valid_signup_date'),
            ('pays', 'country', 'true'),
        ],
    },
    'base_shop__orders': {
        'source_table': 'shop_raw.orders',
        'columns': [
            ('id_achat', 'order_id', 'true'),
            ('id_client', 'client_id', 'is_known_client'),
            ('date_achat', 'ordered_at_text', 'coalesce(cast(ordered_at as date) <= current_date, false)'),
            ('montant', 'amount_text', 'coalesce(amount > 0 and amount <= ' ~ var('shop_max_order_amount') ~ ', false)'),
            ('produit', 'product', 'true'),
        ],
    },
    'base_shop__online_retail': {
        'source_table': 'shop_raw.online_retail',
        'columns': [
            ('InvoiceNo', 'invoice_no', 'true'),
            ('StockCode', 'stock_code', 'true'),
            ('Description', 'description', 'true'),
            ('Quantity', 'quantity_text', 'coalesce(quantity != 0, false)'),
            ('InvoiceDate', 'invoiced_at_text', 'invoiced_at is not null'),
            ('UnitPrice', 'unit_price_text', 'coalesce(unit_price >= 0, false)'),
            ('CustomerID', 'customer_id_text', 'customer_id is not null'),
            ('Country', 'country', 'true'),
        ],
    },
} -%}

with

{% for model, spec in checks.items() %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),

    {{ model }}_readable as (
        select * from {{ model }}
        where
            reject_reason is null
            or reject_reason not in ('empty_line', 'malformed_line', 'wrong_field_count', 'line_too_long', 'empty_row')
    ),

    {{ model }}_counts as (
        select
            (select count(*) from {{ model }}) as raw_rows,
            (
                select count(*) from {{ model }}
                where reject_reason is not null
            ) as quarantined_rows
    ),
{% endfor %}

measured as (
    {% for model, spec in checks.items() %}
        {% for column_name, expr, valid in spec['columns'] %}
            select
                '{{ spec["source_table"] }}' as source_table,
                '{{ column_name }}' as column_name,
                max(counts.raw_rows) as raw_rows,
                max(counts.quarantined_rows) as quarantined_rows,
                count(readable._line_number) as rows_checked,
                count(readable.{{ expr }}) as non_null_rows,
                count(distinct readable.{{ expr }}) as distinct_values,
                sum(case when readable.{{ expr }} is not null and {{ valid }} then 1 else 0 end) as valid_rows
            from {{ model }}_counts as counts
            left join {{ model }}_readable as readable on true
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        -- ids
        '{{ invocation_id }}' as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as run_started_at,
        source_table,
        column_name,
        -- the counts behind the rates
        raw_rows,
        quarantined_rows,
        rows_checked,
        non_null_rows,
        distinct_values,
        cast(coalesce(valid_rows, 0) as bigint) as valid_rows,
        -- rates
        cast(non_null_rows as double) / nullif(rows_checked, 0) as completeness_rate,
        cast(distinct_values as double) / nullif(non_null_rows, 0) as uniqueness_rate,
        cast(coalesce(valid_rows, 0) as double) / nullif(non_null_rows, 0) as validity_rate
    from measured
)

select * from final
