-- The limit for the shop marts (fct_shop__orders, dim_shop__customers, fct_shop__customer_rfm): one DuckDB
-- session, the input files clients.csv and achats.csv read once with DuckDB's CSV reader, the same checks, de-duplication and
-- rules as the dbt models (staging/shop, intermediate/shop, marts/shop) for the shop_orders source (the
-- Online Retail source is not part of the benchmark). Parameters (placeholders written $$name) from dbt_project.yml.

create temp table clients as
with

raw as (
    select *
    from read_csv('$clients', header = true, all_varchar = true)
),

typed as (
    select
        nullif(trim(id_client), '') as client_id,
        nullif(trim(nom), '') as client_name,
        lower(nullif(trim(email), '')) as email_text,
        coalesce(
            cast(try_strptime(nullif(trim(date_inscription), ''), '%Y-%m-%d') as date),
            cast(try_strptime(nullif(trim(date_inscription), ''), '%d/%m/%Y') as date)
        ) as parsed_signup_date,
        nullif(trim(pays), '') as country
    from raw
)

select
    client_id,
    client_name,
    case
        when coalesce(regexp_matches(email_text, '$email_pattern'), false) then email_text
    end as email,
    case when parsed_signup_date <= current_date then parsed_signup_date end as signup_date,
    country
from typed
where client_id is not null
-- one copy of a client twice (one input file is one delivery; the generated inputs hold no client twice)
qualify row_number() over (partition by client_id) = 1;

create temp table orders as
with

raw as (
    select *
    from read_csv('$orders', header = true, all_varchar = true)
),

typed as (
    select
        nullif(trim(id_achat), '') as order_id,
        nullif(trim(id_client), '') as client_id,
        coalesce(
            try_strptime(nullif(trim(date_achat), ''), '%Y-%m-%d %H:%M:%S'),
            try_strptime(nullif(trim(date_achat), ''), '%Y-%m-%d'),
            try_strptime(nullif(trim(date_achat), ''), '%d/%m/%Y')
        ) as ordered_at,
        try_cast(nullif(trim(montant), '') as decimal(18, 4)) as amount,
        nullif(trim(produit), '') as product
    from raw
)

select
    typed.order_id,
    typed.client_id,
    typed.ordered_at,
    typed.amount,
    clients.country
from typed
inner join clients on typed.client_id = clients.client_id
where
    typed.order_id is not null
    and typed.ordered_at is not null and cast(typed.ordered_at as date) <= current_date
    and typed.amount > 0 and typed.amount <= $max_order_amount
    and typed.product is not null
qualify row_number() over (partition by typed.order_id) = 1;

create table fct_shop__orders as
select
    order_id,
    client_id as customer_id,
    'shop_orders' as source_system,
    country,
    'sale' as order_kind,
    ordered_at,
    cast(ordered_at as date) as order_date,
    1 as order_lines,
    1 as units,
    amount as revenue
from orders;

create table dim_shop__customers as
with history as (
    select
        client_id as customer_id,
        min(cast(ordered_at as date)) as first_order_date,
        max(cast(ordered_at as date)) as last_order_date,
        count(distinct order_id) as sale_orders,
        sum(amount) as revenue
    from orders
    group by client_id
)
select
    clients.client_id as customer_id,
    'shop_orders' as source_system,
    clients.client_name as customer_name,
    clients.email,
    clients.signup_date,
    clients.country,
    history.first_order_date,
    history.last_order_date,
    coalesce(history.sale_orders, 0) as sale_orders,
    coalesce(history.revenue, 0) as revenue
from clients
left join history on clients.client_id = history.customer_id;

create table fct_shop__customer_rfm as
with

as_of as (
    select coalesce($as_of_literal, max(cast(ordered_at as date))) as as_of_date from orders
),

summary as (
    select
        orders.client_id as customer_id,
        max(as_of.as_of_date) as as_of_date,
        max(cast(orders.ordered_at as date)) as last_order_date,
        count(distinct orders.order_id) as frequency,
        sum(orders.amount) as monetary
    from orders, as_of
    where cast(orders.ordered_at as date) <= as_of.as_of_date
    group by orders.client_id
),

scored as (
    select
        *,
        date_diff('day', last_order_date, as_of_date) as recency_days,
        ntile(5) over (order by date_diff('day', last_order_date, as_of_date) desc, customer_id asc) as r_score,
        ntile(5) over (order by frequency asc, customer_id asc) as f_score,
        ntile(5) over (order by monetary asc, customer_id asc) as m_score
    from summary
),

segments as (
    select * from read_csv('$seed_segments', header = true)
)

select
    scored.customer_id,
    scored.as_of_date,
    scored.last_order_date,
    scored.recency_days,
    scored.frequency,
    scored.monetary,
    scored.r_score,
    scored.f_score,
    scored.m_score,
    cast(scored.r_score as varchar) || cast(scored.f_score as varchar) || cast(scored.m_score as varchar)
        as rfm_code,
    segments.segment
from scored
left join segments on scored.r_score = segments.r_score and scored.f_score = segments.f_score;
