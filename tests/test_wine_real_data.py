"""The wine domain on the real BottleNeck files (../shared/data/bottleneck: erp.xlsx, web.xlsx, liaison.xlsx).

Reference figures from ../shared/DOMAINS.md §3: 714 joined products; 2,865 units; revenue 70,568.60 €;
price mean 32.49, population σ 27.79; 30 premium, 684 ordinary. Web: 1,513 rows = 714 products + 714
attachments + 83 empty rows + 2 products without sku. Liaison: 825 rows, 91 empty id_web.
"""

from decimal import Decimal

import pytest
from dagster import AssetSelection

from ingestion.lake import LocalLake
from tests.conftest import materialize_assets, query, shared_file
from tests.test_wine_pipeline import REPORT_CONFIG, assert_reports_match_the_marts, read_reports

pytestmark = pytest.mark.real_data


def test_bottleneck_files_end_to_end(project_env, monkeypatch):
    for name in ("erp", "web", "liaison"):
        monkeypatch.setenv(f"WINE_{name.upper()}_PATH", str(shared_file("bottleneck", f"{name}.xlsx")))
    db = project_env / "warehouse.duckdb"

    assert materialize_assets(selection=AssetSelection.groups("wine"), run_config=REPORT_CONFIG).success

    assert query(db, "select count(*) from raw_wine.erp") == [(825,)]
    assert query(db, "select count(*) from raw_wine.web") == [(1513,)]
    assert query(db, "select count(*) from raw_wine.liaison") == [(825,)]
    assert query(db, "select reject_reason, count(*) from main.qua_wine__web group by 1 order by 1") == [
        ("empty_row", 83),
        ("missing_sku", 2),
        ("not_a_product", 714),
    ]
    assert query(
        db, "select count(*) from main.qua_wine__erp union all select count(*) from main.qua_wine__liaison"
    ) == [
        (0,),
        (0,),
    ]
    assert query(db, "select count(*), count(id_web) from main.stg_wine__liaison") == [(825, 734)]

    [summary] = query(
        db,
        "select products, units, revenue, premium_products, ordinary_products, round(price_mean, 2),"
        " round(price_stddev, 2) from main.fct_wine__revenue_summary",
    )
    assert summary == (714, 2865, Decimal("70568.6000"), 30, 684, 32.49, 27.79)

    anomalies = dict(query(db, "select anomaly, count(*) from main.fct_wine__anomalies group by 1"))
    assert anomalies == {
        "onsale_product_without_web_product": 3,  # on sale, empty id_web in the liaison
        "id_web_unresolved": 20,  # 19 numeric ids and '14680-1' match no web product
        "id_web_not_numeric": 2,  # 'bon-cadeau-25-euros' and '13127-1' join all the same
        "stock_status_contradicts_quantity": 1,  # the gift card: instock with 0 in stock
    }

    reports = read_reports(LocalLake(project_env / "lake"))
    assert_reports_match_the_marts(db, reports)
    assert reports["totals"]["revenue"] == pytest.approx(70568.60)
    assert (len(reports["premium"]), len(reports["ordinary"])) == (30, 684)
    assert min(float(r["price"]) for r in reports["premium"]) == 88.4
