"""The shop domain end to end through Dagster.

1. The generated sample (no shop input configured: the assets write it): every dirty line is quarantined with its
   reason, raw = staged + quarantined, revenue matches the file, the data-quality report is appended per run.
2. A hand-made Online Retail workbook (xlsx) whose figures are computed by hand below:

   536365  sale          17850  A 6 × 2.55 = 15.30, B 2 × 3.00 = 6.00 (and the B line again: exact duplicate)
   C536379 cancellation  17850  A −1 × 2.55 = −2.55
   536400  sale          —      C 10 × 1.00 = 10.00 (no CustomerID: revenue, no customer)
   536401  sale          12347  A 4 × 2.50 = 10.00
   536402  return        —      D −3 × 0 = 0
   536403  —             12347  quantity 0: quarantined

   Revenue 38.75. As of 2011-01-05 (the latest sale order). 17850: last sale 2010-12-01 → recency 35, 1 sale
   order, monetary 21.30 − 2.55 = 18.75; 12347: recency 0, 1 order, 10.00. With two customers ntile(5) gives
   scores 1 and 2: R 17850 → 1, 12347 → 2; F tie (1 order each) split by id: 12347 → 1, 17850 → 2;
   M 12347 → 1, 17850 → 2. Segments (R×F 12 and 21): Hibernating. Gini over 10 and 18.75:
   ((2·1−3)·10 + (2·2−3)·18.75) / (2 · 28.75) = 8.75 / 57.5; 80 % of 28.75 = 23 needs both customers.
"""

import csv
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from dagster import AssetSelection

from ingestion.shop import ONLINE_RETAIL_COLUMNS
from ingestion.shop.generate import generate
from tests.conftest import materialize_assets, query

SHOP = AssetSelection.groups("shop")
TABLES = ("clients", "orders", "online_retail")


def reconcile(db):
    for table in TABLES:
        [(raw, staged, quarantined)] = query(
            db,
            f"select (select count(*) from raw_shop.{table}), (select count(*) from main.stg_shop__{table}),"
            f" (select count(*) from main.qua_shop__{table})",
        )
        assert raw == staged + quarantined, table


def test_generated_sample_end_to_end(project_env):
    db = project_env / "warehouse.duckdb"
    assert materialize_assets(selection=SHOP).success

    sample_dir = project_env / "data" / "samples" / "shop"
    expected = generate(project_env / "expected", orders=1000)  # the same arguments: the same bytes
    assert (sample_dir / "achats.csv").read_bytes() == expected.orders_path.read_bytes()

    reconcile(db)
    assert query(db, "select count(*) from raw_shop.orders") == [(expected.orders_rows,)]
    assert query(db, "select count(*) from raw_shop.online_retail") == [(0,)]
    # every kind of dirt in the orders, once each at this scale
    assert query(db, "select reject_reason, count(*) from main.qua_shop__orders group by 1 order by 1") == [
        ("duplicate_order", 1),
        ("extreme_amount", 1),
        ("future_order_date", 1),
        ("invalid_amount", 1),
        ("invalid_ordered_at", 1),
        ("missing_client_id", 1),
        ("non_positive_amount", 1),
        ("unknown_client", 1),
        ("wrong_field_count", 1),
    ]
    assert query(db, "select count(*) from main.qua_shop__orders") == [(expected.orders_dirty,)]
    assert query(db, "select reject_reason, count(*) from main.qua_shop__clients group by 1 order by 1") == [
        ("duplicate_client", 1),
        ("missing_client_id", 1),
    ]

    # revenue and customers, recomputed from the file: the clean orders are the A… ids, each once
    with expected.orders_path.open(encoding="utf-8", newline="") as handle:
        clean = {r["id_achat"]: r for r in csv.DictReader(handle) if r["id_achat"].startswith("A") and r["produit"]}
    clean.pop("A9999999", None)  # the truncated line
    revenue = sum(Decimal(r["montant"]) for r in clean.values())
    assert query(db, "select sum(revenue), count(*) from main.fct_shop__orders") == [(revenue, len(clean))]
    # French DD/MM/YYYY dates are standardised (to midnight: the generator's times fall between 07:00 and 23:59)
    french = sum("/" in r["date_achat"] for r in clean.values())
    assert french > 0
    assert query(db, "select count(*) from main.stg_shop__orders where extract(hour from ordered_at) = 0") == [
        (french,)
    ]
    buyers = {r["id_client"] for r in clean.values()}
    assert query(db, "select count(*) from main.fct_shop__customer_rfm") == [(len(buyers),)]
    assert query(db, "select count(*) from main.fct_shop__customer_rfm where segment is null") == [(0,)]
    assert query(db, "select count(*) from main.fct_shop__customer_clv") == [(len(buyers),)]
    [(customers, gini, share)] = query(
        db, "select customers, gini, share_of_customers from main.fct_shop__concentration"
    )
    assert customers == len(buyers) and 0 < gini < 1 and 0 < share < 1
    # the retention matrix starts at 1 for every cohort; revenue by period sums to the total for every grain
    month_zero = "select distinct retention_rate from main.fct_shop__cohort_retention where months_since_first_order=0"
    assert query(db, month_zero) == [(1.0,)]
    per_grain = "select distinct sum(revenue) over (partition by period_grain) from main.fct_shop__revenue_by_period"
    assert query(db, per_grain) == [(revenue,)]

    # the data-quality report: one row per column of the three sources, the bad emails measured
    assert query(db, "select count(*), count(distinct invocation_id) from main.fct_shop__data_quality") == [(18, 1)]
    [(non_null, valid)] = query(
        db,
        "select non_null_rows, valid_rows from main.fct_shop__data_quality where column_name = 'email'",
    )
    assert non_null - valid == 1  # one address without @ at this scale (and one missing: completeness)
    assert query(
        db, "select rows_checked, completeness_rate from main.fct_shop__data_quality where column_name = 'Country'"
    ) == [(0, None)]

    # running again lands nothing new, changes no mart, and appends a second report
    before = query(db, "select sum(revenue), count(*) from main.fct_shop__orders")
    assert materialize_assets(selection=SHOP).success
    assert query(db, "select sum(revenue), count(*) from main.fct_shop__orders") == before
    assert query(db, "select count(*), count(distinct invocation_id) from main.fct_shop__data_quality") == [(36, 2)]


RETAIL_ROWS = [
    ("536365", "A", "Thing A", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850.0, "United Kingdom"),
    ("536365", "B", "Thing B", 2, dt.datetime(2010, 12, 1, 8, 26), 3.0, 17850.0, "United Kingdom"),
    ("536365", "B", "Thing B", 2, dt.datetime(2010, 12, 1, 8, 26), 3.0, 17850.0, "United Kingdom"),
    ("C536379", "A", "Thing A", -1, dt.datetime(2010, 12, 2, 9, 41), 2.55, 17850.0, "United Kingdom"),
    ("536400", "C", "Thing, C", 10, dt.datetime(2010, 12, 3, 10, 0), 1.0, None, "United Kingdom"),
    ("536401", "A", "Thing A", 4, dt.datetime(2011, 1, 5, 12, 0), 2.5, 12347.0, "Iceland"),
    ("536402", "D", "Damaged", -3, dt.datetime(2011, 1, 6, 12, 0), 0, None, "United Kingdom"),
    ("536403", "A", "Thing A", 0, dt.datetime(2011, 1, 6, 13, 0), 2.5, 12347.0, "Iceland"),
]


@pytest.fixture
def retail_workbook(project_env, monkeypatch):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(ONLINE_RETAIL_COLUMNS)
    for row in RETAIL_ROWS:
        sheet.append(row)
    path = project_env / "Online Retail.xlsx"
    workbook.save(path)
    monkeypatch.setenv("SHOP_ONLINE_RETAIL_PATH", str(path))
    return path


def test_online_retail_workbook_end_to_end(retail_workbook, project_env):
    db = project_env / "warehouse.duckdb"
    assert materialize_assets(selection=SHOP).success

    # only the Online Retail input is configured: clients and orders land nothing, and the models still build
    assert query(db, "select count(*) from raw_shop.orders") == [(0,)]
    assert not (project_env / "data" / "samples" / "shop").exists()
    reconcile(db)
    assert query(db, "select reject_reason, count(*) from main.qua_shop__online_retail group by 1 order by 1") == [
        ("duplicate_row", 1),
        ("zero_quantity", 1),
    ]
    assert query(db, "select order_id, customer_id, order_kind, revenue from main.fct_shop__orders order by 1") == [
        ("536365", "17850", "sale", Decimal("21.3000")),
        ("536400", None, "sale", Decimal("10.0000")),
        ("536401", "12347", "sale", Decimal("10.0000")),
        ("536402", None, "return", Decimal("0.0000")),
        ("C536379", "17850", "cancellation", Decimal("-2.5500")),
    ]
    assert query(
        db,
        "select customer_id, as_of_date, recency_days, frequency, monetary, r_score, f_score, m_score, segment"
        " from main.fct_shop__customer_rfm order by 1",
    ) == [
        ("12347", dt.date(2011, 1, 5), 0, 1, Decimal("10.0000"), 2, 1, 1, "Hibernating"),
        ("17850", dt.date(2011, 1, 5), 35, 1, Decimal("18.7500"), 1, 2, 2, "Hibernating"),
    ]
    [(customers, total, needed, gini)] = query(
        db, "select customers, total_revenue, customers_for_pareto_share, gini from main.fct_shop__concentration"
    )
    assert (customers, total, needed) == (2, 28.75, 2) and gini == pytest.approx(8.75 / 57.5)
    assert query(
        db,
        "select product_id, units_sold, units_returned, revenue, revenue_rank from main.fct_shop__product_performance"
        " order by revenue_rank",
    ) == [
        ("A", 10, 1, Decimal("22.7500"), 1),
        ("C", 10, 0, Decimal("10.0000"), 2),
        ("B", 2, 0, Decimal("6.0000"), 3),
        ("D", 0, 3, Decimal("0.0000"), 4),
    ]
    assert query(db, "select count(*) from main.dim_shop__customers") == [(2,)]
    assert query(db, "select min(date_day), max(date_day), count(*) from main.dim_shop__dates") == [
        (dt.date(2010, 12, 1), dt.date(2011, 1, 6), 37)
    ]
    assert query(db, "select month_start, revenue, growth_rate from main.fct_shop__monthly_growth order by 1") == [
        (dt.date(2010, 12, 1), Decimal("28.7500"), None),
        (dt.date(2011, 1, 1), Decimal("10.0000"), pytest.approx((10 - 28.75) / 28.75)),
    ]
    # 2010-12-01 and 2011-01-05 are Wednesdays (ISO 3): 21.30 + 10.00; hour 8 holds 536365's 21.30
    assert query(
        db, "select revenue from main.fct_shop__seasonality where season_type = 'weekday' and season_value = 3"
    ) == [(Decimal("31.3000"),)]
    assert query(
        db, "select revenue from main.fct_shop__seasonality where season_type = 'hour' and season_value = 8"
    ) == [(Decimal("21.3000"),)]
    assert query(
        db,
        "select non_null_rows, valid_rows, completeness_rate from main.fct_shop__data_quality"
        " where column_name = 'CustomerID'",
    ) == [(6, 6, 0.75)]
