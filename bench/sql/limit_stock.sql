-- The limit for the stock marts: one DuckDB session, the input file read once with DuckDB's CSV reader, the
-- same checks, de-duplication and rules as the dbt models (staging/stock, intermediate/stock, marts/stock),
-- no views in between. Parameters (placeholders written $$name) come from dbt_project.yml's vars and the seed.
-- The typed order lines are kept in one temporary table: both marts read them, and parsing the CSV twice
-- would cost more than holding a few columns of it.

create temp table order_lines as
with

raw as (
    select *
    from read_csv('$sales', header = true, all_varchar = true)
),

typed as (
    select
        try_cast(nullif(trim("Row ID"), '') as integer) as row_id,
        nullif(trim("Order ID"), '') as order_id,
        nullif(trim("Product ID"), '') as product_id,
        nullif(trim("Region"), '') as region,
        nullif(trim("Product Name"), '') as product_name,
        nullif(trim("Category"), '') as category,
        nullif(trim("Sub-Category"), '') as sub_category,
        cast(try_strptime(nullif(trim("Order Date"), ''), '%m/%d/%Y') as date) as order_date,
        try_cast(nullif(trim("Quantity"), '') as integer) as quantity,
        try_cast(nullif(trim("Sales"), '') as decimal(18, 4)) as sales
    from raw
),

usable as (
    select *
    from typed
    where
        row_id > 0 and order_id is not null and product_id is not null and region is not null
        and order_date is not null and quantity > 0 and sales is not null
    -- the same order line twice: one copy is kept (the project keeps the latest delivery's first copy; one
    -- input file is one delivery, and the generated inputs hold no line twice)
    qualify row_number() over (partition by order_id, row_id) = 1
)

select
    'history' as channel,
    order_id,
    product_id,
    product_name,
    category,
    sub_category,
    region,
    order_date,
    quantity,
    sales
from usable;

create temp table products as
select
    product_id,
    min(product_name) as product_name,
    min(category) as category,
    min(sub_category) as sub_category
from order_lines
group by product_id;

create table fct_stock__daily_sales as
with daily as (
    select
        order_date as sale_date,
        product_id,
        region,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(sales) as sales
    from order_lines
    group by order_date, product_id, region
)
select
    daily.sale_date, daily.product_id, daily.region,
    products.product_name, products.category, products.sub_category,
    daily.order_lines, daily.quantity, daily.sales
from daily
left join products using (product_id);

create table fct_stock__risk as
with

policies as (
    select * from read_csv('$seed_policy', header = true, all_varchar = false)
),

default_policy as (
    select * from policies where sub_category = '(default)'
),

snapshots as (
    select
        nullif(trim(product_id), '') as product_id,
        nullif(trim(region), '') as region,
        try_cast(on_hand as integer) as on_hand,
        cast(try_strptime(as_of, '%Y-%m-%d') as date) as as_of_date
    from $snapshots_relation
),

usable_snapshots as (
    select * from snapshots
    where product_id is not null and region is not null and on_hand >= 0 and as_of_date is not null
    qualify row_number() over (partition by product_id, region, as_of_date) = 1
),

as_of as (
    select coalesce($as_of_literal, max(order_date)) as as_of_date from order_lines
),

lines_to_date as (
    select order_lines.* from order_lines, as_of where order_lines.order_date <= as_of.as_of_date
),

pairs as (
    select
        product_id,
        region,
        count(distinct order_date) as sale_days,
        sum(quantity) as units_to_date
    from lines_to_date
    group by product_id, region
),

review_dates as (
    select
        pairs.*,
        products.product_name,
        products.sub_category,
        coalesce(own.review_period_days, d.review_period_days) as review_period_days,
        coalesce(own.lead_time_days, d.lead_time_days) as lead_time_days,
        coalesce(own.safety_days, d.safety_days) as safety_days,
        coalesce(own.sub_category, d.sub_category) as policy_sub_category,
        as_of.as_of_date,
        cast(as_of.as_of_date - ($window_days - 1) as date) as window_start_date,
        cast(
            as_of.as_of_date
            - cast(mod(as_of.as_of_date - date '$anchor', coalesce(own.review_period_days, d.review_period_days))
                as integer)
            as date
        ) as last_review_date
    from pairs
    left join products on pairs.product_id = products.product_id
    left join policies as own on products.sub_category = own.sub_category
    cross join default_policy as d
    cross join as_of
),

latest_snapshot as (
    select s.product_id, s.region, s.as_of_date as snapshot_date, s.on_hand as snapshot_on_hand
    from usable_snapshots as s, as_of as a
    where s.as_of_date <= a.as_of_date
    qualify row_number() over (partition by s.product_id, s.region order by s.as_of_date desc) = 1
),

with_snapshot as (
    select review_dates.*, latest_snapshot.snapshot_date, latest_snapshot.snapshot_on_hand
    from review_dates
    left join latest_snapshot using (product_id, region)
),

sold as (
    select
        w.product_id,
        w.region,
        sum(case when l.order_date >= w.window_start_date then l.quantity else 0 end) as units_in_window,
        sum(case when l.order_date >= w.last_review_date then l.quantity else 0 end) as units_since_review,
        sum(case when l.order_date > w.snapshot_date then l.quantity else 0 end) as units_since_snapshot
    from with_snapshot as w
    inner join lines_to_date as l on w.product_id = l.product_id and w.region = l.region
    group by w.product_id, w.region
),

figures as (
    select
        w.*,
        sold.units_in_window,
        sold.units_since_review,
        sold.units_since_snapshot,
        cast(sold.units_in_window as double) / $window_days as demand_per_day,
        (w.review_period_days + w.lead_time_days + w.safety_days)
        * cast(sold.units_in_window as double) / $window_days as order_up_to_level
    from with_snapshot as w
    inner join sold using (product_id, region)
),

on_hand as (
    select
        *,
        greatest(order_up_to_level - units_since_review, 0) as estimated_on_hand,
        case
            when snapshot_date is not null then greatest(snapshot_on_hand - units_since_snapshot, 0)
            else greatest(order_up_to_level - units_since_review, 0)
        end as on_hand,
        case when snapshot_date is not null then 'inventory_snapshot' else 'policy_estimate' end as on_hand_source,
        cast(units_to_date as double) / sale_days as seed_rule_avg_daily_sales
    from figures
),

classified as (
    select
        *,
        case when demand_per_day > 0 then on_hand / demand_per_day end as days_of_cover,
        $seed_estimated_stock / seed_rule_avg_daily_sales as seed_rule_days_remaining
    from on_hand
)

select
    product_id, region, product_name, sub_category, policy_sub_category, as_of_date, window_start_date,
    last_review_date, snapshot_date, on_hand_source, review_period_days, lead_time_days, safety_days,
    units_in_window, demand_per_day, order_up_to_level, units_since_review, estimated_on_hand, snapshot_on_hand,
    units_since_snapshot, on_hand, days_of_cover, seed_rule_avg_daily_sales, seed_rule_days_remaining,
    case
        when seed_rule_days_remaining < $seed_high_days then 'HIGH'
        when seed_rule_days_remaining < $seed_medium_days then 'MEDIUM'
        else 'LOW'
    end as seed_rule_risk_level,
    'rs_policy' as risk_rule,
    case
        when demand_per_day = 0 then 'LOW'
        when days_of_cover < lead_time_days then 'HIGH'
        when days_of_cover < lead_time_days + safety_days then 'MEDIUM'
        else 'LOW'
    end as risk_level,
    case
        when demand_per_day = 0 then 'no_recent_demand'
        when days_of_cover < lead_time_days then 'cover_below_lead_time'
        when days_of_cover < lead_time_days + safety_days then 'cover_below_lead_time_plus_safety'
        else 'cover_sufficient'
    end as risk_reason
from classified;
