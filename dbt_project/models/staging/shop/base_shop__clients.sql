{{ config(materialized='table') }}
{#- A table, not a view: the regex parse of every raw line is the costly step, and stg_, qua_, the
    data-quality report and their tests all read it, so it runs once per build (1e6 orders stay minutes).

    Every raw line of clients.csv, split, typed and checked. Only a line that cannot identify a client is
    quarantined (no id, malformed, repeated id); a bad email, a missing name or country, an unparseable or
    future sign-up date are kept (as NULL) and measured by fct_shop__data_quality. -#}
with

source as (
    select * from {{ source('shop_raw', 'clients') }}
),

split as (
    {{ tributary.csv_lines('source') }}
),

fields as (
    select
        _source_file,
        ingested_date,
        raw_line,
        is_well_formed,
        {{ tributary.array_size('csv_fields') }} as field_count,
        {{ tributary.csv_field('csv_fields', 1) }} as client_id,
        {{ tributary.csv_field('csv_fields', 2) }} as client_name,
        lower({{ tributary.csv_field('csv_fields', 3) }}) as email_text,
        {{ tributary.csv_field('csv_fields', 4) }} as signup_date_text,
        {{ tributary.csv_field('csv_fields', 5) }} as country
    from split
),

typed as (
    select
        *,
        {{ tributary.is_valid_email('email_text') }} as is_valid_email,
        coalesce(
            {{ tributary.try_to_date('signup_date_text', '%Y-%m-%d') }},
            {{ tributary.try_to_date('signup_date_text', '%d/%m/%Y') }}
        ) as parsed_signup_date
    from fields
),

checked as (
    select
        *,
        case
            when raw_line is null then 'empty_line'
            when not is_well_formed then 'malformed_line'
            when field_count != 5 then 'wrong_field_count'
            when client_id is null then 'missing_client_id'
        end as row_problem
    from typed
),

ranked as (
    select
        *,
        -- the same client in several exports or twice in one: the latest export wins
        row_number() over (
            partition by row_problem, client_id
            order by ingested_date desc, _source_file desc, raw_line asc
        ) as occurrence
    from checked
),

final as (
    select
        -- lineage
        _source_file,
        ingested_date,
        raw_line,
        -- ids
        client_id,
        -- attributes as read (for the data-quality report)
        email_text,
        signup_date_text,
        -- attributes
        client_name,
        case when is_valid_email then email_text end as email,
        is_valid_email,
        case when parsed_signup_date <= current_date then parsed_signup_date end as signup_date,
        coalesce(parsed_signup_date <= current_date, false) as is_valid_signup_date,
        country,
        -- check
        coalesce(row_problem, case when occurrence > 1 then 'duplicate_client' end) as reject_reason
    from ranked
)

select * from final
