"""The dashboard (dashboard/): every page through Streamlit's AppTest on a warehouse built here through Dagster
from the sample generators, the values shown compared with direct queries of the marts; the messages shown when
the warehouse or the marts are missing or empty; and one real browser (headless Chromium) loading every page of
the running app (`python -m dashboard`, what `make dashboard` runs), skipped where Chromium is absent."""

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import requests
from streamlit.testing.v1 import AppTest

from tests.browser import Chromium, chromium_path
from tests.conftest import use_demo_environment

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = {  # page file → its title, as the page shows it
    "views/stock.py": "Stock: stock-out risk",
    "views/velib.py": "Vélib': station availability",
    "views/wine.py": "Wine: revenue and premium products",
    "views/shop.py": "Shop: customer analytics",
    "views/shop_ml.py": "Shop: segments and churn risk",
    "views/marketing.py": "Marketing: campaigns, web errors, events",
}


@pytest.fixture(scope="module")
def warehouse(demo_warehouse):
    """Every page reads the session's demo build (tests/conftest.py: demo_warehouse), with its Dagster instance
    (the pages read their "last refreshed" time and the wine test results from it)."""
    with pytest.MonkeyPatch.context() as mp:
        use_demo_environment(mp, demo_warehouse)
        yield demo_warehouse


def rows(root: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def money(value) -> str:
    return f"{value:,.2f}"


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [PAGES[page]]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def floats(values) -> list:
    return [float(v) if isinstance(v, Decimal) else v for v in values]


def assert_refreshed_from_dagster(at: AppTest, root: Path, marts: tuple[str, ...]) -> None:
    """The "last refreshed" line is the latest Dagster materialization of the page's marts."""
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        events = instance.get_latest_materialization_events([AssetKey(name) for name in marts])
    latest = max(dt.datetime.fromtimestamp(e.timestamp, dt.UTC) for e in events.values())
    [line] = [c.value for c in at.caption if c.value.startswith("Last refreshed:")]
    assert line.startswith(f"Last refreshed: {latest:%Y-%m-%d %H:%M:%S} UTC (the latest Dagster materialization")


def test_stock_page(warehouse):
    at = open_page("views/stock.py")
    shown = metrics(at)
    counts = dict(rows(warehouse, "select risk_level, count(*) from main.fct_stock__risk group by risk_level"))
    assert sum(counts.values()) > 0
    for level in ("HIGH", "MEDIUM", "LOW"):
        assert shown[f"{level} pairs"] == str(counts.get(level, 0))
    high = at.dataframe[0].value
    expected = rows(
        warehouse,
        "select product_id, region, on_hand, days_of_cover from main.fct_stock__risk where risk_level = 'HIGH'"
        " order by days_of_cover, product_id, region",
    )
    assert len(high) == counts["HIGH"] > 0
    assert list(high[["product_id", "region"]].itertuples(index=False, name=None)) == [r[:2] for r in expected]
    assert floats(high.on_hand) == floats(r[2] for r in expected)

    total, units = rows(warehouse, "select sum(sales), sum(quantity) from main.fct_stock__daily_sales")[0]
    assert shown["Sales in the selection ($)"] == money(total)
    assert shown["Units in the selection"] == f"{units:,}"

    # the filters: one region and one month
    at.multiselect(key="regions").set_value(["West"]).run()
    at.date_input(key="days").set_value((dt.date(2026, 3, 1), dt.date(2026, 3, 31))).run()
    assert not at.exception
    total, units, products = rows(
        warehouse,
        "select sum(sales), sum(quantity), count(distinct product_id) from main.fct_stock__daily_sales"
        " where region = 'West' and sale_date between date '2026-03-01' and date '2026-03-31'",
    )[0]
    shown = metrics(at)
    assert shown["Sales in the selection ($)"] == money(total)
    assert shown["Units in the selection"] == f"{units:,}"
    assert shown["Products sold"] == str(products)
    product_totals = at.dataframe[1].value
    assert len(product_totals) == products
    assert round(product_totals.sales.sum(), 2) == round(float(total), 2)
    assert_refreshed_from_dagster(at, warehouse, ("fct_stock__risk", "fct_stock__daily_sales"))


def test_velib_page(warehouse):
    at = open_page("views/velib.py")
    stations, bikes, shortage, saturated = rows(
        warehouse,
        "select count(*), sum(bikes), count(*) filter (where is_shortage), count(*) filter (where is_saturated)"
        " from main.fct_velib__stations_latest",
    )[0]
    assert stations == 40
    assert metrics(at) == {
        "Stations": str(stations),
        "Bikes available": f"{bikes:,}",
        "In shortage": str(shortage),
        "Saturated": str(saturated),
    }
    critical, areas = at.dataframe[0].value, at.dataframe[1].value
    expected = rows(
        warehouse, "select stationcode, critical_score from main.fct_velib__critical_stations_2h order by critical_rank"
    )
    assert len(expected) == 10
    assert list(critical[["stationcode", "critical_score"]].itertuples(index=False, name=None)) == expected
    expected = rows(
        warehouse,
        "select area_name, bikes, shortage_count from main.fct_velib__arrondissement_kpis"
        " order by area_type, arrondissement, area_name",
    )
    assert list(areas[["area_name", "bikes", "shortage_count"]].itertuples(index=False, name=None)) == expected
    assert len(at.get("vega_lite_chart")) == 1  # the map
    assert_refreshed_from_dagster(
        at,
        warehouse,
        ("fct_velib__stations_latest", "fct_velib__critical_stations_2h", "fct_velib__arrondissement_kpis"),
    )


def test_wine_page(warehouse):
    at = open_page("views/wine.py")
    products, units, revenue, premium, ordinary = rows(
        warehouse,
        "select products, units, revenue, premium_products, ordinary_products from main.fct_wine__revenue_summary",
    )[0]
    shown = metrics(at)
    assert products > 0 and premium > 0
    assert shown["Products"] == f"{products:,}"
    assert shown["Units sold"] == f"{units:,}"
    assert shown["Revenue (€)"] == money(revenue)
    assert shown["Premium products"] == str(premium)
    assert shown["Ordinary products"] == str(ordinary)

    by_product, segments, tests, anomalies = (frame.value for frame in at.dataframe)
    expected = rows(
        warehouse, "select product_id, revenue from main.fct_wine__product_revenue order by revenue desc, product_id"
    )
    assert list(by_product.product_id) == [r[0] for r in expected]
    assert floats(by_product.revenue) == floats(r[1] for r in expected)
    assert segments.set_index("segment").products.to_dict() == {"premium": premium, "ordinary": ordinary}
    assert round(segments.revenue.sum(), 2) == round(float(revenue), 2)

    # the data tests: Dagster's latest evaluation of each dbt test of the domain
    status = dict(zip(tests.test, tests.status, strict=True))
    assert status["unique_fct_wine__product_revenue_product_id"] == "pass"
    assert set(status.values()) <= {"pass", "warn", "fail"}
    onsale_without_web = rows(
        warehouse, "select count(*) from main.fct_wine__anomalies where anomaly = 'onsale_product_without_web_product'"
    )[0][0]
    failing = dict(zip(tests.test, tests.failing_rows, strict=True))
    assert failing["assert_wine_onsale_products_have_a_web_product"] == onsale_without_web
    assert status["assert_wine_onsale_products_have_a_web_product"] == ("warn" if onsale_without_web else "pass")
    assert shown["Tests pass"] == str(sum(s == "pass" for s in status.values()))
    expected = rows(
        warehouse,
        "select source_table, anomaly, count(*) from main.fct_wine__anomalies group by all order by 1, 2",
    )
    assert list(anomalies.itertuples(index=False, name=None)) == expected


def test_shop_page(warehouse):
    at = open_page("views/shop.py")
    customers, revenue, gini, share = rows(
        warehouse, "select customers, total_revenue, gini, share_of_customers from main.fct_shop__concentration"
    )[0]
    shown = metrics(at)
    assert customers > 0
    assert shown["Customers with a positive revenue"] == f"{customers:,}"
    assert shown["Their net revenue"] == money(revenue)
    assert shown["Gini coefficient"] == f"{gini:.3f}"
    clv = [float(v) for (v,) in rows(warehouse, "select clv from main.fct_shop__customer_clv")]
    churned = rows(warehouse, "select count(*) from main.fct_shop__customer_clv where is_churned")[0][0]
    assert shown["Median CLV"] == money(statistics.median(clv))
    assert shown["Churned customers"] == f"{churned:,} of {len(clv):,}"
    [segments] = (frame.value for frame in at.dataframe)
    expected = rows(
        warehouse,
        "select segment, count(*) from main.fct_shop__customer_rfm group by segment order by count(*) desc, segment",
    )
    assert list(segments[["segment", "customers"]].itertuples(index=False, name=None)) == expected
    assert any(f"{share:.1%} of the customers" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 4  # segments, cohort heat map, CLV, Pareto


def test_shop_ml_page(warehouse):
    at = open_page("views/shop_ml.py")
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


def test_marketing_page(warehouse):
    at = open_page("views/marketing.py")
    campaigns, budget, clicks = rows(
        warehouse, "select count(*), sum(budget), sum(clicks) from main.fct_marketing__campaign_performance"
    )[0]
    requests_, errors = rows(
        warehouse, "select sum(requests), sum(errors_4xx + errors_5xx) from main.fct_marketing__http_errors"
    )[0]
    [(flagged,)] = rows(warehouse, "select count(*) from main.fct_marketing__event_anomalies where is_anomaly")
    assert campaigns > 0 and requests_ > 0  # the demo build has the marketing sample
    assert metrics(at) == {
        "Campaigns": f"{campaigns:,}",
        "Budget": money(budget),
        "Clicks": f"{clicks:,}",
        "Requests": f"{requests_:,}",
        "Error rate (4xx + 5xx)": f"{errors / requests_:.2%}",
        "Anomalous windows": f"{flagged:,}",
    }


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
        open_page(page)
    assert len(statements) > 20
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


def test_pages_without_a_warehouse_or_with_empty_marts(tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "absent.duckdb"))
    monkeypatch.setenv("DUCKDB_PUBLISH", "off")  # marts made by hand below: no build publishes them
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no-dagster"))
    for page in PAGES:
        at = open_page(page)
        [info] = at.info
        assert info.value.startswith("The warehouse is not built yet: no warehouse yet: run `make demo` first")
    # the stock marts exist but hold no row; the other pages' marts are not built
    with duckdb.connect(str(tmp_path / "absent.duckdb")) as con:
        con.execute("create table fct_stock__risk (product_id varchar, region varchar, risk_level varchar)")
        con.execute("create table fct_stock__daily_sales (sale_date date, region varchar, sales decimal(18, 2))")
    at = open_page("views/stock.py")
    [info] = at.info
    assert info.value.startswith("The stock marts are built but empty")
    at = open_page("views/velib.py")
    [warning] = at.warning
    assert warning.value.startswith("Not built yet: fct_velib__stations_latest, fct_velib__critical_stations_2h")
    assert "group:velib" in warning.value


def test_marketing_page_on_hand_made_marts(tmp_path, monkeypatch):
    """The marketing page on three small marts of its column contract, made by hand:
    clicks 10 + 30 = 40, budget 100.50 + 200 = 300.50; requests 100 + 100 + 50 with 5 + 5 + 0 errors → 10 / 250
    = 4.00 %; one anomalous window of three."""
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "marketing.duckdb"))
    monkeypatch.setenv("DUCKDB_PUBLISH", "off")  # marts made by hand: no build publishes them
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no-dagster"))
    with duckdb.connect(str(tmp_path / "marketing.duckdb")) as con:
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
            "create table fct_marketing__event_anomalies as select * from (values"
            " (timestamp '2026-01-01 10:00:00', 'click', 'FR', 10, 3, 10.0, 1.0, 0.0, false),"
            " (timestamp '2026-01-01 10:05:00', 'click', 'FR', 11, 3, 10.0, 1.0, 1.0, false),"
            " (timestamp '2026-01-01 10:10:00', 'click', 'FR', 40, 3, 10.0, 1.0, 30.0, true))"
            " t(window_start, event_type, country, events, baseline_windows, baseline_mean, baseline_stddev,"
            " z_score, is_anomaly)"
        )
    at = open_page("views/marketing.py")
    assert not at.warning and not at.info
    shown = metrics(at)
    assert shown["Campaigns"] == "2"
    assert shown["Budget"] == "300.50"
    assert shown["Clicks"] == "40"
    assert shown["Requests"] == "250"
    assert shown["Error rate (4xx + 5xx)"] == "4.00%"
    assert shown["Anomalous windows"] == "1"
    campaigns, anomalies = (frame.value for frame in at.dataframe)
    assert list(campaigns.campaign_id) == ["C1", "C2"]
    assert list(anomalies.z_score) == [30.0]
    # one URL chosen: /a only → 5 errors over 150 requests
    at.multiselect(key="urls").set_value(["/a"]).run()
    assert metrics(at)["Error rate (4xx + 5xx)"] == "3.33%"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


RENDERED = """(() => {{
  const text = document.body ? document.body.innerText : "";
  return text.includes({title!r}) && !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]').length >= {elements};
}})()"""
ELEMENTS = 'document.querySelectorAll(\'[data-testid="stMain"] [data-testid="stElementContainer"]\').length'


def test_every_page_in_a_real_browser(warehouse, tmp_path):
    if chromium_path() is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it when root)")
    port = free_port()
    env = {**os.environ, "DASHBOARD_PORT": str(port), "DASHBOARD_HOST": "127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard"],
        cwd=APP.parents[1],
        env=env,
        stdout=(tmp_path / "streamlit.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "streamlit.log").read_text()
            try:
                if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "streamlit did not answer its health check"
            time.sleep(0.5)
        with Chromium(tmp_path / "chromium-profile") as browser:
            for page, title in {"views/home.py": "Tributary", **PAGES}.items():
                name = Path(page).stem
                browser.goto(f"http://127.0.0.1:{port}/" + ("" if name == "home" else name))
                # rendered: the title, no script running, and the page's elements (a message page has fewer)
                elements = 2 if name in ("home", "marketing") else 6
                assert browser.wait_for(RENDERED.format(title=title, elements=elements)), f"{name} did not render"
                previous = -1  # until the page stops growing (charts and tables arrive after the title)
                while (count := browser.evaluate(ELEMENTS)) != previous:
                    previous = count
                    time.sleep(1)
                errors = browser.evaluate(
                    'document.querySelectorAll(\'[data-testid="stException"], [data-testid="stAlertContentError"]\')'
                    ".length"
                )
                assert errors == 0, f"{name} shows an error: {browser.evaluate('document.body.innerText')[:2000]}"
                text = browser.evaluate("document.body.innerText")
                assert "Page not found" not in text
                if name not in ("home", "marketing"):
                    assert "Last refreshed:" in text
                    assert browser.evaluate("document.querySelectorAll('[data-testid=\"stMetric\"]').length") > 0
                    assert browser.evaluate("document.querySelectorAll('.vega-embed').length") > 0
                shot = browser.screenshot(tmp_path / f"{name}.png")
                assert shot.stat().st_size > 10_000
    finally:
        server.terminate()
        server.wait(timeout=30)
