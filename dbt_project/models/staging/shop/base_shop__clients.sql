{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of clients.csv, typed and checked by the source contract (_shop__sources.yml). Only a record that
    cannot identify a client is rejected (no id, unreadable, a repeated id: the latest delivery wins); a bad
    email, a missing name or country, an unparseable or future sign-up date are kept as NULL and measured by
    fct_shop__data_quality. -#}
{%- set signup = "coalesce(" ~ tributary.try_to_date('signup_date_text', '%Y-%m-%d') ~ ", "
    ~ tributary.try_to_date('signup_date_text', '%d/%m/%Y') ~ ")" -%}
{{ tributary.stage_source('shop_raw', 'clients', derived={
    'is_valid_email': tributary.is_valid_email('email_text'),
    'email': 'case when ' ~ tributary.is_valid_email('email_text') ~ ' then email_text end',
    'signup_date': 'case when ' ~ signup ~ ' <= current_date then ' ~ signup ~ ' end',
    'is_valid_signup_date': 'coalesce(' ~ signup ~ ' <= current_date, false)',
}) }}
