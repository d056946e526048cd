{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{#- Every record of the transaction exports, typed and checked by the source contract (_marketing__sources.yml);
    incremental, append-only. The file has no transaction id: the same line delivered again (same client, time,
    product, amount, payment method) is one transaction, and the later copies are duplicate_row. -#}
{{ tributary.stage_source('marketing_raw', 'transactions', derived={
    'transaction_id': dbt.hash(
        "concat(client_id, '|', cast(transaction_at as varchar), '|', product, '|', "
        ~ "cast(amount as varchar), '|', payment_method)"
    ),
}, checks=[
    ('future_transaction_date', 'cast(transaction_at as date) > ' ~ tributary.future_date_limit()),
]) }}
