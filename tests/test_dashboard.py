"""The dashboard (dashboard/): every page on the session's demo build (tests/conftest.py: demo_warehouse, every
domain through Dagster, three weeks of risk history backfilled), with the values it shows compared with direct
queries of the marts: through Streamlit's AppTest (tables, filters) and in a real headless browser (Playwright on
the system Chromium) loading every page of the running app (`python -m dashboard`, what `make dashboard` runs);
the messages shown when the warehouse or the marts are missing or empty; the formatting module on hand-computed
values; one page on hand-made marts.

The expected texts are formatted here, independently of dashboard/format.py: `$1,234.57`, `59.4%`, `30 Jun 2026`.
"""

import calendar
import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb
import pytest
import requests
from streamlit.testing.v1 import AppTest

from tests.browser import open_page, skip_reason
from tests.conftest import use_demo_environment

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = {  # page file → its title, as the page shows it
    "views/home.py": "Tributary",
    "views/stock.py": "Stock: stock-out risk",
    "views/stock_sales.py": "Stock: sales evolution",
    "views/velib.py": "Vélib': station availability",
    "views/wine.py": "Wine: revenue and premium products",
    "views/shop.py": "Shop: customer analytics",
    "views/shop_evolution.py": "Shop: revenue over time",
    "views/shop_countries.py": "Shop: revenue by country",
    "views/shop_products.py": "Shop: product performance",
    "views/shop_seasonality.py": "Shop: seasonality",
    "views/shop_quality.py": "Shop: data quality",
    "views/shop_ml.py": "Shop: segments and churn risk",
    "views/marketing.py": "Marketing: campaigns, web errors, events",
    "views/marketing_sales.py": "Marketing: sales by payment method",
    "views/marketing_social.py": "Marketing: social engagement",
}
DOMAIN_PAGES = [page for page in PAGES if page != "views/home.py"]


@pytest.fixture(scope="module")
def warehouse(demo_warehouse):
    """Every page reads the session's demo build, with its Dagster instance (the pages read their "last
    refreshed" time and the wine test results from it)."""
    with pytest.MonkeyPatch.context() as mp:
        use_demo_environment(mp, demo_warehouse)
        mp.delenv("DASHBOARD_CURRENCIES", raising=False)
        yield demo_warehouse


def rows(root: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def one(root: Path, sql: str, params=()) -> tuple:
    [row] = rows(root, sql, params)
    return row


# ---------------------------------------------------------------- the texts a person reads, formatted here


def n(value) -> str:
    return f"{int(value):,}"


def cur(symbol: str, value) -> str:
    cents = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return ("-" if cents < 0 else "") + f"{symbol}{abs(cents):,.2f}"


def usd(value) -> str:
    return cur("$", value)


def eur(value) -> str:
    return cur("€", value)


def pct(rate, decimals: int = 1) -> str:
    return f"{Decimal(str(rate)) * 100:.{decimals}f}%"


def day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def utc(value: dt.datetime) -> str:
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


# ---------------------------------------------------------------- what each page must show, from the marts


def expected_metrics(page: str, root: Path) -> dict[str, str]:
    """The metrics a page shows with its default filters, label → text, from direct queries of the marts."""
    name = Path(page).stem
    if name in ("home", "stock"):
        levels = dict(rows(root, "select risk_level, count(*) from main.fct_stock__risk group by 1"))
        shown = {f"{level} pairs": n(levels.get(level, 0)) for level in ("HIGH", "MEDIUM", "LOW")}
        if name == "stock":
            return shown
        stations, bikes, shortage, saturated = velib_counts(root)
        products, revenue, premium = one(
            root, "select products, revenue, premium_products from main.fct_wine__revenue_summary"
        )
        customers, shop_revenue, aov, churn = one(
            root, "select customers, revenue, average_order_value, churn_rate from main.fct_shop__summary"
        )
        sales, ctr, errors, anomalous = one(
            root, "select revenue, ctr, http_error_rate, anomalous_windows from main.fct_marketing__summary"
        )
        return {
            **shown,
            "Stations": n(stations),
            "Bikes available": n(bikes),
            "In shortage": n(shortage),
            "Saturated": n(saturated),
            "Products": n(products),
            "Revenue": eur(revenue),
            "Premium products": n(premium),
            "Customers": n(customers),
            "Net revenue": eur(shop_revenue),
            "Average order value": eur(aov),
            "Churn rate": pct(churn),
            "Sales revenue": usd(sales),
            "Click-through rate": pct(ctr, 2),
            "HTTP error rate": pct(errors, 2),
            "Anomalous event windows": n(anomalous),
        }
    if name == "stock_sales":
        sales, units, products = one(
            root, "select sum(sales), sum(quantity), count(distinct product_id) from main.fct_stock__daily_sales"
        )
        return {"Sales in the selection": usd(sales), "Units in the selection": n(units), "Products sold": n(products)}
    if name == "velib":
        stations, bikes, shortage, saturated = velib_counts(root)
        return {
            "Stations": n(stations),
            "Bikes available": n(bikes),
            "In shortage": n(shortage),
            "Saturated": n(saturated),
        }
    if name == "wine":
        products, units, revenue, premium, ordinary = one(
            root,
            "select products, units, revenue, premium_products, ordinary_products from main.fct_wine__revenue_summary",
        )
        return {
            "Products": n(products),
            "Units sold": n(units),
            "Revenue": eur(revenue),
            "Premium products": n(premium),
            "Ordinary products": n(ordinary),
        }
    if name == "shop":
        customers, orders, revenue, aov, churned, churn, median, mean = one(
            root,
            "select customers, sale_orders, revenue, average_order_value, churned_customers, churn_rate, median_clv,"
            " mean_clv from main.fct_shop__summary",
        )
        [gini] = one(root, "select gini from main.fct_shop__concentration")
        return {
            "Customers": n(customers),
            "Sale orders": n(orders),
            "Net revenue": eur(revenue),
            "Average order value": eur(aov),
            "Churned customers": n(churned),
            "Churn rate": pct(churn),
            "Median CLV": eur(median),
            "Mean CLV": eur(mean),
            "Gini coefficient": f"{gini:.3f}",
        }
    if name == "shop_ml":
        customers, at_risk = one(
            root, "select count(*), count(*) filter (where is_at_risk) from main.fct_shop__customer_scores"
        )
        (model_auc, model_brier) = one(
            root,
            "select roc_auc, brier_score from main.fct_shop__churn_model_metrics where is_current and scorer = 'model'",
        )
        return {
            "Customers scored": n(customers),
            "At risk of churning": n(at_risk),
            "Churn ROC AUC (model)": f"{model_auc:.3f}",
            "Brier score (model)": f"{model_brier:.3f}",
        }
    if name == "shop_evolution":
        revenue, orders = one(
            root,
            "select sum(revenue), sum(sale_orders) from main.fct_shop__revenue_by_period where period_grain = 'day'",
        )
        [months] = one(root, "select count(*) from main.fct_shop__revenue_by_period where period_grain = 'month'")
        return {
            "Net revenue in the period": eur(revenue),
            "Sale orders in the period": n(orders),
            "Months with orders": n(months),
        }
    if name == "shop_countries":
        countries, revenue, orders = one(
            root, "select count(*), sum(revenue), sum(sale_orders) from main.fct_shop__revenue_by_country"
        )
        return {"Countries": n(countries), "Net revenue": eur(revenue), "Sale orders": n(orders)}
    if name == "shop_products":
        products, revenue, sold, returned = one(
            root,
            "select count(*), sum(revenue), sum(units_sold), sum(units_returned)"
            " from main.fct_shop__product_performance",
        )
        return {
            "Products": n(products),
            "Net revenue": eur(revenue),
            "Units sold": n(sold),
            "Units returned": n(returned),
        }
    if name == "shop_seasonality":
        return {}
    if name == "shop_quality":
        builds, latest = one(
            root, "select count(distinct invocation_id), max(run_started_at) from main.fct_shop__data_quality"
        )
        [flawed] = one(
            root,
            "select count(*) from main.fct_shop__data_quality where run_started_at = ?"
            " and (validity_rate < 1 or completeness_rate < 1)",
            [latest],
        )
        return {
            "Builds recorded": n(builds),
            "Latest build in the period": utc(latest),
            "Columns not complete or not all valid": n(flawed),
        }
    if name == "marketing":
        campaigns, budget, clicks, ctr, requests_, errors, windows, anomalous = one(
            root,
            "select campaigns, budget, clicks, ctr, requests, http_error_rate, event_windows, anomalous_windows"
            " from main.fct_marketing__summary",
        )
        hourly = one(
            root, "select sum(requests), sum(errors_4xx), sum(errors_5xx) from main.fct_marketing__http_errors_hourly"
        )
        [flagged] = one(
            root, "select count(distinct window_start) from main.fct_marketing__event_anomalies where is_anomaly"
        )
        return {
            "Campaigns": n(campaigns),
            "Budget": usd(budget),
            "Clicks": n(clicks),
            "Click-through rate": pct(ctr, 2),
            "Web requests": n(requests_),
            "HTTP error rate (4xx + 5xx)": pct(errors, 2),
            "Event windows": n(windows),
            "Anomalous windows": n(anomalous),
            "Requests in the selection": n(hourly[0]),
            "Client errors (4xx)": n(hourly[1]),
            "Server errors (5xx)": n(hourly[2]),
            "Anomalous windows in the selection": n(flagged),
        }
    if name == "marketing_sales":
        transactions, revenue = one(root, "select sum(transactions), sum(revenue) from main.fct_marketing__daily_sales")
        return {"Transactions in the selection": n(transactions), "Revenue in the selection": usd(revenue)}
    if name == "marketing_social":
        posts, likes, retweets, engagement = one(
            root, "select posts, likes, retweets, engagement from main.fct_marketing__summary"
        )
        return {"Posts": n(posts), "Likes": n(likes), "Retweets": n(retweets), "Engagement": n(engagement)}
    raise AssertionError(f"no expectation for {page}")


def velib_counts(root: Path) -> tuple:
    return one(
        root,
        "select count(*), sum(bikes), count(*) filter (where is_shortage), count(*) filter (where is_saturated)"
        " from main.fct_velib__stations_latest",
    )


def expected_tables(page: str, root: Path) -> list[tuple[int, list[str] | None] | None]:
    """The tables a page shows with its default filters, in order: (rows, the first column's values in order, or
    None where that column is a date), or None for a table not read from a mart; from direct queries."""
    name = Path(page).stem

    def first_column(sql: str, params=()) -> tuple[int, list[str]]:
        values = [str(r[0]) for r in rows(root, sql, params)]
        return len(values), values

    if name == "stock":
        high = first_column(
            "select product_id from main.fct_stock__risk where risk_level = 'HIGH'"
            " order by days_of_cover, product_id, region"
        )
        [(product, region)] = rows(
            root,
            "select product_id, region from main.fct_stock__risk where risk_level = 'HIGH'"
            " order by days_of_cover, product_id, region limit 1",
        )
        [days] = one(
            root,
            "select count(*) from main.fct_stock__risk_history where product_id = ? and region = ?",
            [product, region],
        )
        return [high, (days, None)]
    if name == "stock_sales":
        return [
            first_column(
                "select product_id from main.fct_stock__daily_sales group by product_id"
                " order by sum(sales) desc, product_id"
            )
        ]
    if name == "velib":
        return [
            first_column(
                "select stationcode from main.fct_velib__stations_latest where is_shortage or is_saturated"
                " order by is_shortage desc, area_name, stationcode"
            ),
            first_column("select critical_rank from main.fct_velib__critical_stations_2h order by critical_rank"),
            first_column(
                "select area_name from main.fct_velib__arrondissement_kpis"
                " order by area_type, arrondissement, area_name"
            ),
        ]
    if name == "wine":
        return [
            first_column("select product_id from main.fct_wine__product_revenue order by revenue desc, product_id"),
            (2, ["premium", "ordinary"]),  # from fct_wine__revenue_summary (test_wine_page_data_tests)
            None,  # the data-test results come from the Dagster instance (test_wine_page_data_tests)
            first_column(
                "select source_table from main.fct_wine__anomalies group by source_table, anomaly order by 1, anomaly"
            ),
        ]
    if name == "shop":
        return [first_column("select segment from main.fct_shop__rfm_segments order by customers desc, segment")]
    if name == "shop_evolution":
        [months] = one(root, "select count(*) from main.fct_shop__monthly_growth")
        return [(months, None)]
    if name == "shop_countries":
        return [
            first_column(
                "select coalesce(country, '(unknown)') from main.fct_shop__revenue_by_country"
                " order by revenue desc, coalesce(country, '(unknown)')"
            )
        ]
    if name == "shop_products":
        return [first_column("select revenue_rank from main.fct_shop__product_performance where revenue_rank <= 20")]
    if name == "shop_seasonality":  # months, weekdays (1 = Monday) and hours by name
        names = {
            "month": lambda v: calendar.month_abbr[v],
            "weekday": lambda v: calendar.day_abbr[v - 1],
            "hour": lambda v: f"{v:02d} h",
        }
        tables = []
        for season, name_of in names.items():
            values = rows(
                root, "select season_value from main.fct_shop__seasonality where season_type = ? order by 1", [season]
            )
            tables.append((len(values), [name_of(v) for (v,) in values]))
        return tables
    if name == "shop_ml":
        return [
            first_column("select segment from main.fct_shop__customer_segments order by segment_id"),
            first_column(
                "select churn_risk_rank from main.fct_shop__customer_scores order by churn_risk_rank limit 20"
            ),
            first_column("select scorer from main.fct_shop__churn_model_metrics where is_current order by scorer"),
        ]
    if name == "shop_quality":
        return [
            first_column(
                "select source_table from main.fct_shop__data_quality"
                " where run_started_at = (select max(run_started_at) from main.fct_shop__data_quality)"
                " order by source_table, column_name"
            )
        ]
    if name == "marketing":
        [flagged] = one(root, "select count(*) from main.fct_marketing__event_anomalies where is_anomaly")
        return [
            first_column("select campaign_id from main.fct_marketing__campaign_performance order by campaign_id"),
            (flagged, None),
        ]
    if name == "marketing_sales":
        return [
            first_column(
                "select product from main.fct_marketing__sales_by_product_payment order by revenue desc, product"
            )
        ]
    if name == "marketing_social":
        return [
            first_column(
                "select engagement_rank from main.fct_marketing__social_engagement where dimension = ?"
                " and engagement_rank <= 15 order by engagement_rank",
                [dimension],
            )
            for dimension in ("hashtag", "user")
        ]
    return []


# ---------------------------------------------------------------- AppTest


def open_page_app(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == [PAGES[page]]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def assert_tables(at: AppTest, expected: list[tuple[int, list[str] | None]], page: str) -> None:
    frames = [frame.value for frame in at.dataframe]
    assert len(frames) == len(expected), page
    for frame, want in zip(frames, expected, strict=True):
        if want is None:
            continue
        count, first = want
        assert len(frame) == count, page
        if first is not None:
            assert [str(v) for v in frame.iloc[:, 0]] == first, page


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_shows_the_marts_figures(warehouse, page):
    """With its default filters, each page's metrics and tables are the marts' (formatted for people)."""
    at = open_page_app(page)
    assert not at.warning and not [i.value for i in at.info if not i.value.startswith("No rows")], page
    shown = metrics(at)
    expected = expected_metrics(page, warehouse)
    if page == "views/wine.py":  # plus the data-test counts, from Dagster (test_wine_page)
        shown = {k: v for k, v in shown.items() if not k.startswith("Tests ")}
    assert shown == expected
    assert_tables(at, expected_tables(page, warehouse), page)
    if page != "views/home.py":
        assert_refreshed_from_dagster(at, warehouse, page)


def test_every_table_has_labels_for_people_and_formats(warehouse):
    """No snake_case header: every column of every table has a label; numbers and dates have a format (thousands
    separators, currency, percent); amounts say their currency."""
    for page in PAGES:
        at = open_page_app(page)
        for frame in at.dataframe:
            config = json.loads(frame.proto.columns)
            for column in frame.value.columns:
                props = config.get(column)
                assert props and props.get("label"), (page, column)
                assert "_" not in props["label"], (page, column, props["label"])
                kind = props["type_config"]["type"]
                if kind == "number":
                    assert props["type_config"].get("format"), (page, column)
                if kind in ("date", "datetime"):
                    assert props["type_config"].get("format"), (page, column)
                fmt = props["type_config"].get("format", "")
                if "$" in fmt or "€" in fmt:
                    assert "($)" in props["label"] or "(€)" in props["label"], (page, column)


def assert_refreshed_from_dagster(at: AppTest, root: Path, page: str) -> None:
    """The "last refreshed" line is the latest Dagster materialization of the page's marts."""
    import importlib

    from dagster import AssetKey, DagsterInstance

    marts = importlib.import_module(f"dashboard.views.{Path(page).stem}").MARTS
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        events = instance.get_latest_materialization_events([AssetKey(name) for name in marts])
    latest = max(dt.datetime.fromtimestamp(e.timestamp, dt.UTC) for e in events.values())
    [line] = [c.value for c in at.caption if c.value.startswith("Last refreshed:")]
    assert line.startswith(f"Last refreshed: {latest:%Y-%m-%d %H:%M:%S} UTC (the latest Dagster materialization")


def test_stock_page_filters_and_history(warehouse):
    at = open_page_app("views/stock.py")
    # three weeks backfilled before the day of the build: four days, each with every pair of its day
    days = rows(
        warehouse,
        "select as_of_date, count(*), count(*) filter (where risk_level = 'HIGH')"
        " from main.fct_stock__risk_history group by 1 order by 1",
    )
    [(as_of,)] = rows(warehouse, "select max(as_of_date) from main.fct_stock__risk")
    assert [d for d, _, _ in days] == [as_of - dt.timedelta(weeks=w) for w in (3, 2, 1, 0)]
    assert any(f"(4 days from {day(days[0][0])} to {day(as_of)})" in c.value for c in at.caption)
    # the pair shown by default is the first HIGH pair, with its history day by day
    [(product, region, name)] = rows(
        warehouse,
        "select product_id, region, product_name from main.fct_stock__risk where risk_level = 'HIGH'"
        " order by days_of_cover, product_id, region limit 1",
    )
    assert at.selectbox(key="pair").value == f"{name} ({product}), {region}"
    history = at.dataframe[1].value
    expected = rows(
        warehouse,
        "select as_of_date, risk_level, on_hand from main.fct_stock__risk_history where product_id = ? and region = ?"
        " order by as_of_date",
        [product, region],
    )
    assert list(history.risk_level) == [r[1] for r in expected]
    assert [ts.date() for ts in history.as_of_date] == [r[0] for r in expected]
    assert list(history.on_hand) == [r[2] for r in expected]

    # one region: the counts now and the history are that region's
    at.multiselect(key="regions").set_value(["West"]).run()
    assert not at.exception
    west = dict(
        rows(warehouse, "select risk_level, count(*) from main.fct_stock__risk where region = 'West' group by 1")
    )
    assert {k: v for k, v in metrics(at).items()} == {
        f"{lv} pairs": n(west.get(lv, 0)) for lv in ("HIGH", "MEDIUM", "LOW")
    }
    high = at.dataframe[0].value
    assert set(high.region) <= {"West"} and len(high) == west.get("HIGH", 0)
    # one day of the history: only that day's rows feed the pair's table
    first = days[0][0]
    at.date_input(key="history_days").set_value((first, first)).run()
    assert not at.exception
    product, region = at.selectbox(key="pair").value.rsplit(" (", 1)[1].split("), ")
    expected = rows(
        warehouse,
        "select as_of_date from main.fct_stock__risk_history where product_id = ? and region = ? and as_of_date = ?",
        [product, region, first],
    )
    assert [ts.date() for ts in at.dataframe[-1].value.as_of_date] == [first] == [r[0] for r in expected]


def test_stock_sales_page_filters(warehouse):
    at = open_page_app("views/stock_sales.py")
    at.multiselect(key="regions").set_value(["West"]).run()
    at.date_input(key="days").set_value((dt.date(2026, 3, 1), dt.date(2026, 3, 31))).run()
    assert not at.exception
    total, units, products = one(
        warehouse,
        "select sum(sales), sum(quantity), count(distinct product_id) from main.fct_stock__daily_sales"
        " where region = 'West' and sale_date between date '2026-03-01' and date '2026-03-31'",
    )
    assert metrics(at) == {
        "Sales in the selection": usd(total),
        "Units in the selection": n(units),
        "Products sold": n(products),
    }
    totals = at.dataframe[0].value
    assert len(totals) == products
    assert round(totals.sales.sum(), 2) == round(float(total), 2)


def test_velib_page_area_filter(warehouse):
    at = open_page_app("views/velib.py")
    [(area,)] = rows(
        warehouse,
        "select area_name from main.fct_velib__stations_latest where is_shortage or is_saturated"
        " group by area_name order by count(*) desc, area_name limit 1",
    )
    at.multiselect(key="areas").set_value([area]).run()
    stations, bikes, shortage, saturated = one(
        warehouse,
        "select count(*), sum(bikes), count(*) filter (where is_shortage), count(*) filter (where is_saturated)"
        " from main.fct_velib__stations_latest where area_name = ?",
        [area],
    )
    assert metrics(at) == {
        "Stations": n(stations),
        "Bikes available": n(bikes),
        "In shortage": n(shortage),
        "Saturated": n(saturated),
    }
    alerts = at.dataframe[0].value
    assert (
        set(alerts.area_name) == {area}
        and len(alerts)
        == shortage
        + saturated
        - one(
            warehouse,
            "select count(*) from main.fct_velib__stations_latest where area_name = ? and is_shortage and is_saturated",
            [area],
        )[0]
    )
    assert set(alerts.state) <= {"shortage", "saturated"}


def test_wine_page_data_tests(warehouse):
    at = open_page_app("views/wine.py")
    tests = at.dataframe[2].value
    status = dict(zip(tests.test, tests.status, strict=True))
    assert status["unique_fct_wine__product_revenue_product_id"] == "pass"
    assert set(status.values()) <= {"pass", "warn", "fail"}
    [onsale_without_web] = one(
        warehouse, "select count(*) from main.fct_wine__anomalies where anomaly = 'onsale_product_without_web_product'"
    )
    failing = dict(zip(tests.test, tests.failing_rows, strict=True))
    assert failing["assert_wine_onsale_products_have_a_web_product"] == onsale_without_web
    assert metrics(at)["Tests pass"] == n(sum(s == "pass" for s in status.values()))
    segments = at.dataframe[1].value
    premium, ordinary, premium_share, ordinary_share = one(
        warehouse,
        "select premium_revenue, ordinary_revenue, premium_revenue_share, ordinary_revenue_share"
        " from main.fct_wine__revenue_summary",
    )
    assert list(segments.segment) == ["premium", "ordinary"]
    assert list(segments.revenue) == [float(premium), float(ordinary)]
    assert list(segments.share_of_revenue) == [premium_share, ordinary_share]


def test_shop_pages_filters(warehouse):
    # revenue over time: one month at the day grain
    at = open_page_app("views/shop_evolution.py")
    at.selectbox(key="grain").set_value("day").run()
    [(month,)] = rows(
        warehouse,
        "select cast(max(period_start) as date) from main.fct_shop__revenue_by_period where period_grain = 'month'",
    )
    end = rows(
        warehouse,
        "select cast(max(period_start) as date) from main.fct_shop__revenue_by_period where period_grain = 'day'",
    )[0][0]
    at.date_input(key="period").set_value((month, end)).run()
    assert not at.exception
    revenue, orders, days = one(
        warehouse,
        "select sum(revenue), sum(sale_orders), count(*) from main.fct_shop__revenue_by_period"
        " where period_grain = 'day' and cast(period_start as date) between ? and ?",
        [month, end],
    )
    assert metrics(at) == {
        "Net revenue in the period": eur(revenue),
        "Sale orders in the period": n(orders),
        "Days with orders": n(days),
    }
    # revenue by country: one country
    at = open_page_app("views/shop_countries.py")
    [(country, revenue, orders, share)] = rows(
        warehouse,
        "select country, revenue, sale_orders, revenue_share from main.fct_shop__revenue_by_country"
        " where country is not null order by revenue desc limit 1",
    )
    at.multiselect(key="countries").set_value([country]).run()
    assert metrics(at) == {"Countries": "1", "Net revenue": eur(revenue), "Sale orders": n(orders)}
    assert list(at.dataframe[0].value.revenue_share) == [share]
    # product performance: the top 3 by rank
    at = open_page_app("views/shop_products.py")
    at.number_input(key="top").set_value(3).run()
    expected = rows(
        warehouse,
        "select revenue_rank, product_id, revenue_share from main.fct_shop__product_performance"
        " where revenue_rank <= 3 order by revenue_rank",
    )
    shown = at.dataframe[0].value
    assert list(shown[["revenue_rank", "product_id", "revenue_share"]].itertuples(index=False, name=None)) == expected
    # data quality: one source table
    at = open_page_app("views/shop_quality.py")
    at.multiselect(key="tables").set_value(["shop_raw.orders"]).run()
    report = at.dataframe[0].value
    expected = rows(
        warehouse,
        "select column_name, validity_rate from main.fct_shop__data_quality where source_table = 'shop_raw.orders'"
        " and run_started_at = (select max(run_started_at) from main.fct_shop__data_quality) order by column_name",
    )
    assert list(report[["column_name", "validity_rate"]].itertuples(index=False, name=None)) == expected


def test_shop_ml_page(warehouse):
    at = open_page_app("views/shop_ml.py")
    version, customers, at_risk = rows(
        warehouse,
        "select max(model_version), count(*), sum(case when is_at_risk then 1 else 0 end)"
        " from main.fct_shop__customer_scores",
    )[0]
    (model_auc, model_brier), (rule_auc, rule_brier) = rows(
        warehouse,
        "select roc_auc, brier_score from main.fct_shop__churn_model_metrics where is_current and scorer in"
        " ('model', 'rule') order by scorer",
    )
    assert customers > 0
    assert metrics(at) == {
        "Customers scored": f"{customers:,}",
        "At risk of churning": f"{at_risk:,}",
        "Churn ROC AUC (model)": f"{model_auc:.3f}",
        "Brier score (model)": f"{model_brier:.3f}",
    }
    assert [m.delta for m in at.metric][2:] == [f"{model_auc - rule_auc:+.3f} vs rule",
                                                f"{model_brier - rule_brier:+.3f} vs rule"]  # fmt: skip
    assert any(c.value.startswith(f"Model version {version}, customers scored as of ") for c in at.caption)
    segments, top, evaluation = (frame.value for frame in at.dataframe)
    expected = rows(
        warehouse,
        "select segment, customers, average_churn_probability from main.fct_shop__customer_segments"
        " order by segment_id",
    )
    assert list(segments[["segment", "customers"]].itertuples(index=False, name=None)) == [e[:2] for e in expected]
    assert segments.average_churn_probability.tolist() == pytest.approx([e[2] for e in expected])
    # the top at-risk customers, most likely first; then only those of one segment
    expected = rows(
        warehouse, "select customer_id from main.fct_shop__customer_scores order by churn_risk_rank limit 20"
    )
    assert top.customer_id.tolist() == [c for (c,) in expected]
    assert sorted(evaluation.scorer) == ["baseline", "model", "rule"]
    assert len(at.get("vega_lite_chart")) == 3  # segments, risk by segment, reliability
    segment = segments.segment.iloc[-1]
    at.multiselect(key="risk_segments").set_value([segment]).run()
    assert not at.exception
    expected = rows(
        warehouse,
        "select customer_id from main.fct_shop__customer_scores where segment = ? order by churn_risk_rank limit 20",
        [segment],
    )
    assert at.dataframe[1].value.customer_id.tolist() == [c for (c,) in expected]
    assert set(at.dataframe[1].value.segment) == {segment}


def test_marketing_pages_filters(warehouse):
    at = open_page_app("views/marketing_sales.py")
    at.multiselect(key="methods").set_value(["PayPal"]).run()
    transactions, revenue = one(
        warehouse,
        "select sum(transactions), sum(revenue) from main.fct_marketing__daily_sales where payment_method = 'PayPal'",
    )
    assert metrics(at) == {"Transactions in the selection": n(transactions), "Revenue in the selection": usd(revenue)}
    assert set(at.dataframe[0].value.payment_method) == {"PayPal"}

    at = open_page_app("views/marketing.py")
    # the burst of the demo (cart_abandoned in FR) is the anomalous window
    flagged = at.dataframe[1].value
    assert list(zip(flagged.event_type, flagged.country, strict=True)) == [("cart_abandoned", "FR")]
    at.multiselect(key="countries").set_value(["DE"]).run()
    assert len(at.dataframe) == 1  # the campaigns; no anomalous window in DE
    assert metrics(at)["Anomalous windows in the selection"] == "0"
    [(url,)] = rows(
        warehouse, "select url from main.fct_marketing__http_errors group by url order by count(*) desc, url limit 1"
    )
    at.multiselect(key="urls").set_value([url]).run()
    requests_, errors_4xx, errors_5xx = one(
        warehouse,
        "select sum(requests), sum(errors_4xx), sum(errors_5xx) from main.fct_marketing__http_errors where url = ?",
        [url],
    )
    shown = metrics(at)
    assert shown["Requests in the selection"] == n(requests_)
    assert shown["Client errors (4xx)"] == n(errors_4xx)
    assert shown["Server errors (5xx)"] == n(errors_5xx)


def test_every_statement_the_pages_run_is_trino_sql(warehouse, monkeypatch):
    """What runs on DuckDB here runs on Athena in production: every statement the pages send through the query
    layer (recorded while they render) parses with the real Trino grammar and uses only Trino's functions."""
    from serving.warehouse import DuckDBWarehouse
    from tests.trino_check import problems

    statements = []
    fetch = DuckDBWarehouse.fetch

    def recording_fetch(self, sql, params=()):
        statements.append(sql)
        return fetch(self, sql, params)

    monkeypatch.setattr(DuckDBWarehouse, "fetch", recording_fetch)
    for page in PAGES:
        open_page_app(page)
    assert len(statements) > 60
    found = {sql: problems(sql) for sql in statements}
    assert not {sql: p for sql, p in found.items() if p}


def test_every_mart_column_built_is_in_the_yml(warehouse):
    """The warehouse's side of the docs check (tests/test_docs.py): no mart column the yml does not describe."""
    from serving.warehouse import catalog

    marts = catalog()
    built = rows(
        warehouse,
        "select table_name, column_name from information_schema.columns where table_schema = 'main'"
        f" and table_name in ({', '.join('?' for _ in marts)}) order by table_name, ordinal_position",
        list(marts),
    )
    assert {table for table, _ in built} == set(marts)  # every mart of the project is built here
    missing = [f"{table}.{column}" for table, column in built if column not in marts[table].column_names]
    assert not missing, f"mart columns in the warehouse but not in the yml: {', '.join(missing)}"


# ---------------------------------------------------------------- no warehouse, empty marts, hand-made marts


def test_pages_without_a_warehouse_or_with_empty_marts(tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "absent.duckdb"))
    monkeypatch.setenv("DUCKDB_PUBLISH", "off")  # marts made by hand below: no build publishes them
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no-dagster"))
    for page in PAGES:
        at = open_page_app(page)
        [info] = at.info
        assert info.value.startswith("The warehouse is not built yet: no warehouse yet: run `make demo` first"), page
    # the stock marts exist but hold no row; the other pages' marts are not built
    with duckdb.connect(str(tmp_path / "absent.duckdb")) as con:
        con.execute(
            "create table fct_stock__risk (product_id varchar, region varchar, risk_level varchar, as_of_date date)"
        )
        con.execute("create table fct_stock__risk_history (product_id varchar, region varchar, as_of_date date)")
        con.execute("create table fct_stock__daily_sales (sale_date date, region varchar, sales decimal(18, 2))")
    at = open_page_app("views/stock.py")
    [info] = at.info
    assert info.value.startswith("The stock marts are built but empty")
    at = open_page_app("views/velib.py")
    [warning] = at.warning
    assert warning.value.startswith("Not built yet: fct_velib__stations_latest, fct_velib__critical_stations_2h")
    assert "materialize the group velib" in warning.value
    at = open_page_app("views/home.py")  # the built domain shows its (empty) figures, the others say so
    assert metrics(at) == {"HIGH pairs": "0", "MEDIUM pairs": "0", "LOW pairs": "0"}
    notes = [c.value for c in at.caption if c.value.startswith("Not built yet")]
    assert len(notes) == 4 and "fct_shop__summary" in " ".join(notes)


def test_a_mart_older_than_the_page_gives_a_message(tmp_path, monkeypatch):
    """A warehouse built before a column was added: the page says what failed and how to rebuild, no traceback."""
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "old.duckdb"))
    monkeypatch.setenv("DUCKDB_PUBLISH", "off")  # a mart made by hand below: no build publishes it
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no-dagster"))
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("create table fct_shop__revenue_by_country as select 'FR' as country, 10.0 as revenue")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page("views/shop_countries.py").run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("A query of this page failed (Binder Error: Referenced column")
    assert "materialize the group shop" in error.value


def test_marketing_page_on_hand_made_marts(tmp_path, monkeypatch):
    """The marketing page on small marts of its column contract, made by hand: clicks 10 + 30 = 40 over 2,000
    impressions (2.00 %), budget 100.50 + 200 = $300.50; requests 100 + 100 + 50 with 5 + 5 + 0 errors → 10 /
    250 = 4.00 %; one anomalous window of three, marked; the URL filter shows that URL's own figures."""
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "marketing.duckdb"))
    monkeypatch.setenv("DUCKDB_PUBLISH", "off")  # marts made by hand: no build publishes them
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no-dagster"))
    monkeypatch.setenv("DASHBOARD_CURRENCIES", "marketing=€")
    with duckdb.connect(str(tmp_path / "marketing.duckdb")) as con:
        con.execute(
            "create table fct_marketing__summary as select * from (values"
            " (2, 300.50, 40, 2000, 0.02, 250, 10, 0.04, 3, 1)) t(campaigns, budget, clicks, impressions, ctr,"
            " requests, http_errors, http_error_rate, event_windows, anomalous_windows)"
        )
        con.execute(
            "create table fct_marketing__campaign_performance as select * from (values"
            " ('C1', date '2026-01-01', date '2026-01-10', 10, 100.50, 10, 1000, 0.01, 0.01, false, 10.05, 100.5),"
            " ('C2', date '2026-02-01', date '2026-02-05', 5, 200.00, 30, 1000, 0.05, 0.03, true, 6.6667, 200.0))"
            " t(campaign_id, start_date, end_date, duration_days, budget, clicks, impressions, ctr_file,"
            " ctr_computed, is_ctr_mismatch, cost_per_click, cost_per_mille)"
        )
        con.execute(
            "create table fct_marketing__http_errors as select * from (values"
            " ('/a', timestamp '2026-01-01 10:00:00', 100, 5, 0, 0.05),"
            " ('/b', timestamp '2026-01-01 10:00:00', 100, 0, 5, 0.05),"
            " ('/a', timestamp '2026-01-01 11:00:00', 50, 0, 0, 0.0))"
            " t(url, hour_start, requests, errors_4xx, errors_5xx, error_rate)"
        )
        con.execute(
            "create table fct_marketing__http_errors_hourly as select * from (values"
            " (timestamp '2026-01-01 10:00:00', 2, 200, 5, 5, 0.025, 0.025, 0.05),"
            " (timestamp '2026-01-01 11:00:00', 1, 50, 0, 0, 0.0, 0.0, 0.0))"
            " t(hour_start, urls, requests, errors_4xx, errors_5xx, error_4xx_rate, error_5xx_rate, error_rate)"
        )
        con.execute(
            "create table fct_marketing__event_anomalies as select * from (values"
            " (timestamp '2026-01-01 10:00:00', 'click', 'FR', 10, 3, 10.0, 1.0, 0.0, false),"
            " (timestamp '2026-01-01 10:05:00', 'click', 'FR', 11, 3, 10.0, 1.0, 1.0, false),"
            " (timestamp '2026-01-01 10:10:00', 'click', 'FR', 40, 3, 10.0, 1.0, 30.0, true))"
            " t(window_start, event_type, country, events, baseline_windows, baseline_mean, baseline_stddev,"
            " z_score, is_anomaly)"
        )
    at = open_page_app("views/marketing.py")
    assert not at.warning and not at.info
    assert metrics(at) == {
        "Campaigns": "2",
        "Budget": "€300.50",
        "Clicks": "40",
        "Click-through rate": "2.00%",
        "Web requests": "250",
        "HTTP error rate (4xx + 5xx)": "4.00%",
        "Event windows": "3",
        "Anomalous windows": "1",
        "Requests in the selection": "250",
        "Client errors (4xx)": "5",
        "Server errors (5xx)": "5",
        "Anomalous windows in the selection": "1",
    }
    campaigns, anomalies = (frame.value for frame in at.dataframe)
    assert list(campaigns.campaign_id) == ["C1", "C2"]
    assert list(anomalies.z_score) == [30.0]
    # the anomaly chart: the events line and the marked window, 10:10 to 10:15
    spec = json.loads(at.get("vega_lite_chart")[2].proto.spec)
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["rect", "line"]
    # one URL chosen: /a only → 150 requests, 5 client errors, its own error rate per hour
    at.multiselect(key="urls").set_value(["/a"]).run()
    shown = metrics(at)
    assert (shown["Requests in the selection"], shown["Client errors (4xx)"], shown["Server errors (5xx)"]) == (
        "150",
        "5",
        "0",
    )


# ---------------------------------------------------------------- the formatting module


def test_format_module_on_hand_computed_values(monkeypatch):
    from dashboard import format as fmt

    monkeypatch.delenv("DASHBOARD_CURRENCIES", raising=False)
    assert fmt.money(442595.914, "stock") == "$442,595.91"  # the example, three decimals
    assert fmt.money(Decimal("336.8755"), "shop") == "€336.88"  # half to even on the exact decimal
    assert fmt.money(-12, "wine") == "-€12.00"
    assert fmt.money(None, "wine") == "–"
    assert fmt.number(1234567) == "1,234,567"
    assert fmt.number(1234.56, 1) == "1,234.6"
    assert fmt.percent(0.28571) == "28.6%"
    assert fmt.percent(0.04, 2) == "4.00%"
    assert fmt.date(dt.date(2026, 6, 30)) == "30 Jun 2026"
    assert fmt.timestamp(dt.datetime(2026, 6, 30, 12, 5, 59)) == "30 Jun 2026, 12:05 UTC"
    assert fmt.timestamp(dt.datetime(2026, 6, 30, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))) == (
        "30 Jun 2026, 12:05 UTC"
    )
    assert fmt.count(1, "day") == "1 day" and fmt.count(1200, "day") == "1,200 days"
    monkeypatch.setenv("DASHBOARD_CURRENCIES", "shop=£")
    assert fmt.money(1234.5, "shop") == "£1,234.50" and fmt.money(1, "stock") == "$1.00"
    monkeypatch.setenv("DASHBOARD_CURRENCIES", "shops=£")
    with pytest.raises(ValueError, match=r"DASHBOARD_CURRENCIES: 'shops=£' is not <domain>=<symbol>"):
        fmt.money(1, "shop")


# ---------------------------------------------------------------- the real browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(warehouse, tmp_path_factory):
    """`python -m dashboard` (what `make dashboard` runs) on a free loopback port, over the demo warehouse."""
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    port = free_port()
    env = {**os.environ, "DASHBOARD_PORT": str(port), "DASHBOARD_HOST": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard"], cwd=APP.parents[1], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "streamlit did not answer its health check"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


ELEMENTS = 'document.querySelectorAll(\'[data-testid="stMain"] [data-testid="stElementContainer"]\').length'
RENDERED = """(title) => {
  const text = document.body ? document.body.innerText : "";
  return text.includes(title) && !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]').length >= 3;
}"""
DRAWN = """([metrics, tables]) =>
  document.querySelectorAll('[data-testid="stMetric"]').length >= metrics
  && document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]').length >= tables"""
METRICS = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(m => [
  m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
  m.querySelector('[data-testid="stMetricValue"]').innerText.trim()])"""
# a grid draws on a canvas; its accessible table (role=grid) carries the headers, the row count and the raw values
# of the rows in view
GRIDS = """() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]')).map(t => ({
  rows: Number(t.getAttribute('aria-rowcount')) - 1,
  headers: Array.from(t.querySelectorAll('thead th')).map(c => c.innerText.trim()),
  first: Array.from(t.querySelectorAll('tbody tr')).map(r => r.children[0] ? r.children[0].innerText.trim() : '')}))"""


def settle(page, timeout: float = 90) -> None:
    """Wait until the script has finished (no "running" widget) and the page has stopped growing for two seconds:
    charts and tables arrive after the title."""
    deadline = time.monotonic() + timeout
    previous, stable = -1, 0
    while stable < 2:
        assert time.monotonic() < deadline, "the page did not settle"
        running = page.locator('[data-testid="stStatusWidget"]').count()
        count = page.evaluate(ELEMENTS)
        stable = stable + 1 if (count == previous and not running) else 0
        previous = count
        page.wait_for_timeout(1000)


def save_for_docs(shot: Path, target: Path) -> None:
    """A screenshot for the repository: 256 colours (a third of the bytes; text and charts stay sharp)."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(shot) as image:
        palette = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        palette.save(target, optimize=True)


def screenshot_dir() -> Path | None:
    """DASHBOARD_SCREENSHOT_DIR=docs regenerates the README's screenshots (docs/dashboard-<page>.png)."""
    value = os.environ.get("DASHBOARD_SCREENSHOT_DIR", "").strip()
    return Path(value).resolve() if value else None


def test_every_page_in_a_real_browser(warehouse, dashboard_url, tmp_path):
    """Each page in headless Chromium: its title, no error, the marts' figures as a person reads them (metrics,
    table headers, row counts and first column), charts drawn, and no request off the machine."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with open_page() as tab:
        page = tab.page
        for path, title in PAGES.items():
            name = Path(path).stem
            page.goto(f"{dashboard_url}/{'' if name == 'home' else name}")
            page.wait_for_function(RENDERED, arg=title, timeout=90_000, polling=500)
            expected = expected_metrics(path, warehouse)
            tables = expected_tables(path, warehouse)
            # every metric and table drawn (a section reading the Dagster instance can take a while), then still
            page.wait_for_function(DRAWN, arg=[len(expected), len(tables)], timeout=90_000, polling=500)
            settle(page)
            errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count()
            text = page.inner_text("body")
            assert errors == 0, f"{name} shows an error: {text[:2000]}"
            assert "Page not found" not in text and "Not built yet" not in text, name

            shown = dict(page.evaluate(METRICS))
            assert {label: shown.get(label) for label in expected} == expected, name
            grids = page.evaluate(GRIDS)
            assert len(grids) == len(tables), name
            for grid, want in zip(grids, tables, strict=True):
                assert grid["headers"] and not [h for h in grid["headers"] if "_" in h], (name, grid["headers"])
                if want is None:
                    continue
                count, first = want
                assert grid["rows"] == count, (name, grid["headers"])
                if first is not None:
                    assert grid["first"] == first[: len(grid["first"])], (name, grid["headers"])
            if name != "home":
                assert "Last refreshed:" in text
                assert page.locator(".vega-embed").count() > 0, name
                assert page.locator(".vega-embed canvas, .vega-embed svg").count() > 0, name
            assert not tab.blocked, f"{name} asked the internet for {tab.blocked}"

            # the whole page, for the docs: the content's height as the window's
            height = page.evaluate(
                "document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().height"
            )
            page.set_viewport_size({"width": 1400, "height": min(int(height) + 120, 6000)})
            page.wait_for_timeout(1500)
            shot = tmp_path / f"dashboard-{name}.png"
            page.screenshot(path=str(shot))
            page.set_viewport_size({"width": 1400, "height": 1000})
            assert shot.stat().st_size > 20_000
            if screenshot_dir():
                save_for_docs(shot, screenshot_dir() / shot.name)


def test_the_browser_helper_refuses_the_internet():
    """tests/browser.py: a page that asks for a host off the machine gets nothing, and the request is listed."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with open_page() as tab:
        tab.page.set_content('<img src="https://cdn.example.com/x.png"><p>offline</p>')
        tab.page.wait_for_timeout(500)
        assert tab.page.inner_text("p") == "offline"
        assert [u for u in tab.blocked if re.match(r"https://cdn\.example\.com/", u)] == [
            "https://cdn.example.com/x.png"
        ]
