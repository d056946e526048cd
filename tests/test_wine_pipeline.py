"""The wine domain end to end through Dagster: a hand-made dataset whose answers are computed by hand, and the
generated sample.

Hand-made dataset: ten products join ERP ⨝ liaison ⨝ web. P1–P9 cost 10 €, P10 110 €: mean 20, deviations
−10 (×9) and 90, population variance (9 × 100 + 8100) / 10 = 900, σ = 30; z = −1/3 for P1–P9 and 3 for P10 →
P10 premium (threshold 2), nine ordinary. Units 1+2+3+0+1+1+1+1+1 + 2 = 13; revenue 10 × 11 + 110 × 2 = 330.
P4 joins through a text sku ('bon-cadeau-25-euros'), P5 through '5.0' / '105.0' (a spreadsheet's numbers in
the CSV liaison). Anomalies: P6 negative stock, P7 'outofstock' with 5 in stock, P11 a negative price and on
sale without a web product (empty id_web), P12's id_web 999 matches no web product, web sku 120 has no liaison.
"""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from dagster import AssetSelection

from ingestion.lake import LocalLake
from ingestion.wine import ERP_COLUMNS, WEB_COLUMNS
from tests.conftest import materialize_assets, query

MONTH = "2026-11"
WINE = AssetSelection.groups("wine")
REPORT_CONFIG = {"ops": {"wine__reports": {"config": {"month": MONTH}}}}


def web_row(sku, total_sales, post_type="product", title=None, content=None):
    values = dict.fromkeys(WEB_COLUMNS)
    values.update(virtual=0, downloadable=0, rating_count=0)
    if post_type is not None:
        values.update(sku=sku, total_sales=total_sales, post_type=post_type, post_title=title or f"Wine {sku}")
        values.update(post_date=dt.datetime(2018, 2, 8, 12, 58, 52), post_content=content, post_status="publish")
    return [values[c] for c in WEB_COLUMNS]


def write_xlsx(path, header, rows):
    book = openpyxl.Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(row)
    book.save(path)


ERP_ROWS = [
    *[[i, 1, 10, 5, "instock"] for i in (1, 3, 4, 5, 8, 9)],
    [2, 1, 10.0, 5, "instock"],
    [6, 1, 10, -2, "outofstock"],  # negative stock
    [7, 1, 10, 5, "outofstock"],  # status contradicts the quantity
    [10, 1, 110, 1, "instock"],
    [11, 1, -5, 1, "instock"],  # negative price; on sale but no web product
    [12, 0, 30, 0, "outofstock"],
    ["abc", 1, 10, 1, "instock"],  # invalid_product_id
    [None, None, None, None, None],  # empty_row
    [1, 1, 10, 5, "instock"],  # duplicate_product_id
    [13, 1, "n/a", 1, "instock"],  # invalid_price
]
SALES = {101: 1, 102: 2, 103: 3, "bon-cadeau-25-euros": 0, 105: 1, 106: 1, 107: 1, 108: 1, 109: 1, 110: 2}
WEB_ROWS = [
    *[web_row(sku, n) for sku, n in SALES.items()],
    *[web_row(sku, n, "attachment") for sku, n in SALES.items()],  # not_a_product ×10
    web_row(None, None, None),  # empty_row
    web_row(None, 4, title="No sku"),  # missing_sku
    web_row(101, 1),  # duplicate_sku
    web_row(120, 7, content="Un vin.\nDeux lignes."),  # no liaison points at it
]
LIAISON_CSV = (
    "product_id,id_web\n1,101\n2,102\n3,103\n4,bon-cadeau-25-euros\n5.0,105.0\n6,106\n7,107\n8,108\n9,109\n"
    "10,110\n11,\n12,999\nx,1\n"
)


@pytest.fixture
def wine_inputs(project_env, monkeypatch):
    inputs = project_env / "inputs"
    inputs.mkdir()
    write_xlsx(inputs / "erp.xlsx", ERP_COLUMNS, ERP_ROWS)
    write_xlsx(inputs / "web.xlsx", WEB_COLUMNS, WEB_ROWS)
    (inputs / "liaison.csv").write_text(LIAISON_CSV)
    monkeypatch.setenv("WINE_ERP_PATH", str(inputs / "erp.xlsx"))
    monkeypatch.setenv("WINE_WEB_PATH", str(inputs / "web.xlsx"))
    monkeypatch.setenv("WINE_LIAISON_PATH", str(inputs / "liaison.csv"))
    return project_env


def read_reports(lake: LocalLake, month: str = MONTH) -> dict:
    """The four report files opened back: sheets as lists of rows, CSVs as lists of dicts."""
    prefix = f"reports/wine/{month}/"
    revenue = openpyxl.load_workbook(io.BytesIO(lake.get(prefix + "revenue_report.xlsx")), read_only=True)
    tests = openpyxl.load_workbook(io.BytesIO(lake.get(prefix + "data_tests.xlsx")), read_only=True)

    def sheet(book, name):
        return [list(r) for r in book[name].iter_rows(values_only=True)]

    def extract(name):
        return list(csv.DictReader(io.StringIO(lake.get(prefix + name).decode("utf-8"))))

    return {
        "products": sheet(revenue, "products"),
        "totals": dict(sheet(revenue, "totals")[1:]),
        "premium": extract("premium_products.csv"),
        "ordinary": extract("ordinary_products.csv"),
        "tests": sheet(tests, "tests"),
        "anomalies": dict(sheet(tests, "anomalies")[1:]),
    }


def assert_reports_match_the_marts(db, reports):
    [(products, units, revenue, premium, ordinary)] = query(
        db, "select products, units, revenue, premium_products, ordinary_products from main.fct_wine__revenue_summary"
    )
    totals = reports["totals"]
    assert (totals["products"], totals["units"], totals["premium_products"], totals["ordinary_products"]) == (
        products, units, premium, ordinary)  # fmt: skip
    assert totals["revenue"] == pytest.approx(float(revenue))
    assert len(reports["products"]) - 1 == products
    assert sum(row[5] for row in reports["products"][1:]) == pytest.approx(float(revenue))
    assert (len(reports["premium"]), len(reports["ordinary"])) == (premium, ordinary)
    extracts = reports["premium"] + reports["ordinary"]
    assert sum(float(r["revenue"]) for r in extracts) == pytest.approx(float(revenue))
    assert sum(int(r["total_sales"]) for r in extracts) == units
    anomalies = dict(query(db, "select anomaly, count(*) from main.fct_wine__anomalies group by 1"))
    assert reports["anomalies"] == anomalies
    header, *tests = reports["tests"]
    assert header == ["test", "asset", "status", "failing_rows"]
    assert tests and all(status in ("pass", "warn") for _, _, status, _ in tests)


def test_wine_end_to_end(wine_inputs):
    db = wine_inputs / "warehouse.duckdb"
    lake = LocalLake(wine_inputs / "lake")
    assert materialize_assets(selection=WINE, run_config=REPORT_CONFIG).success

    # --- the marts, figure by figure
    rows = query(
        db,
        "select product_id, sku, price, total_sales, revenue, price_zscore, is_premium"
        " from main.fct_wine__product_revenue order by product_id",
    )
    assert [r[0] for r in rows] == list(range(1, 11))
    assert rows[3][1] == "bon-cadeau-25-euros" and rows[4][1] == "105"
    for product_id, _, price, _, revenue, zscore, is_premium in rows:
        if product_id == 10:
            assert (price, revenue, is_premium) == (110, 220, True) and zscore == pytest.approx(3.0)
        else:
            assert (price, is_premium) == (10, False) and zscore == pytest.approx(-1 / 3)
    # premium: product 10 (2 units, 220 €); ordinary: the nine others at 10 € (11 units, 110 €)
    assert query(db, "select * from main.fct_wine__revenue_summary") == [
        (10, 13, 330, 1, 9, pytest.approx(20.0), pytest.approx(30.0), 2.0,
         2, 11, 220, 110, pytest.approx(2 / 3), pytest.approx(1 / 3), 110, 10)
    ]  # fmt: skip

    # --- anomalies are reported, not dropped
    assert sorted(query(db, "select anomaly, product_id, web_id from main.fct_wine__anomalies")) == sorted(
        [
            ("negative_stock_quantity", 6, None),
            ("stock_status_contradicts_quantity", 7, None),
            ("negative_price", 11, None),
            ("onsale_product_without_web_product", 11, None),
            ("id_web_unresolved", 12, "999"),
            ("id_web_not_numeric", 4, "bon-cadeau-25-euros"),
            ("web_product_without_liaison", None, "120"),
        ]
    )

    # --- nothing lost: every unusable line is quarantined with its reason, raw = staged + quarantined
    reasons = query(
        db,
        "select source_table, reject_reason, count(*) from (select * from main.qua_wine__erp"
        " union all select * from main.qua_wine__web union all select * from main.qua_wine__liaison)"
        " group by all order by all",
    )
    assert reasons == [
        ("wine_raw.erp", "duplicate_product_id", 1),
        ("wine_raw.erp", "empty_row", 1),
        ("wine_raw.erp", "invalid_price", 1),
        ("wine_raw.erp", "invalid_product_id", 1),
        ("wine_raw.liaison", "invalid_product_id", 1),
        ("wine_raw.web", "duplicate_sku", 1),
        ("wine_raw.web", "empty_row", 1),
        ("wine_raw.web", "missing_sku", 1),
        ("wine_raw.web", "not_a_product", 10),
    ]
    for table, raw in (("erp", 16), ("web", 24), ("liaison", 13)):
        [(raw_rows, staged, quarantined)] = query(
            db,
            f"select (select count(*) from raw_wine.{table}), (select count(*) from main.stg_wine__{table}),"
            f" (select count(*) from main.qua_wine__{table})",
        )
        assert raw_rows == raw == staged + quarantined, table

    # --- the reports, opened back
    reports = read_reports(lake)
    assert_reports_match_the_marts(db, reports)
    assert reports["totals"]["revenue"] == 330 and reports["totals"]["units"] == 13
    assert [(r["product_id"], r["sku"], r["revenue"]) for r in reports["premium"]] == [("10", "110", "220.0000")]
    statuses = {test: (status, failing) for test, _, status, failing in reports["tests"][1:]}
    assert statuses["assert_wine_onsale_products_have_a_web_product"] == ("warn", 1)
    assert statuses["relationships_stg_wine__liaison_id_web__sku__ref_stg_wine__web_"] == ("warn", 1)
    assert statuses["relationships_stg_wine__web_sku__id_web__ref_stg_wine__liaison_"] == ("warn", 1)
    assert statuses["unique_stg_wine__erp_product_id"] == ("pass", 0)

    # --- running again lands nothing new and rewrites the reports with the same figures
    before = lake.list("raw/wine/")
    assert materialize_assets(selection=WINE, run_config=REPORT_CONFIG).success
    assert lake.list("raw/wine/") == before
    assert read_reports(lake)["totals"] == reports["totals"]


def test_generated_sample_through_dagster(project_env):
    from ingestion.wine.generate import generate

    summary = generate(project_env / "data" / "samples" / "wine", products=120, seed=3)
    db = project_env / "warehouse.duckdb"
    assert materialize_assets(selection=WINE).success  # defaults: the generated sample

    reasons = dict(query(db, "select reject_reason, count(*) from main.qua_wine__web group by 1"))
    # every sku has a product row and an attachment row; the other rows are empty or products without sku
    with_sku = (summary.web_rows - summary.empty_web_rows - summary.web_products_without_sku) // 2
    assert reasons == {
        "not_a_product": with_sku,
        "empty_row": summary.empty_web_rows,
        "missing_sku": summary.web_products_without_sku,
    }
    anomalies = dict(query(db, "select anomaly, count(*) from main.fct_wine__anomalies group by 1"))
    assert anomalies["negative_price"] == summary.negative_prices
    assert anomalies["negative_stock_quantity"] == summary.negative_stocks
    assert anomalies["id_web_unresolved"] == 1 and anomalies["id_web_not_numeric"] == 2
    assert anomalies["stock_status_contradicts_quantity"] == summary.status_contradictions
    for table in ("erp", "web", "liaison"):
        [(raw, staged, quarantined)] = query(
            db,
            f"select (select count(*) from raw_wine.{table}), (select count(*) from main.stg_wine__{table}),"
            f" (select count(*) from main.qua_wine__{table})",
        )
        assert raw == staged + quarantined, table
    [(products, premium)] = query(db, "select products, premium_products from main.fct_wine__revenue_summary")
    assert products > 80 and premium >= 1
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")  # no config: the month of the run
    assert_reports_match_the_marts(db, read_reports(LocalLake(project_env / "lake"), month))
