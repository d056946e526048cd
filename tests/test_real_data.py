"""The stock domain on the real Furniture export (../shared/data/superstore, read as cp1252).

Reference figures from ../shared/DOMAINS.md §1: 2,121 rows; Σ Sales 741,999.80; Σ Quantity 8,028;
1,764 orders; 375 products; 1,099 (product, region) pairs; orders 2014-01-06 … 2017-12-30.
"""

import datetime as dt
from decimal import Decimal

import pytest
from dagster import AssetKey, AssetSelection

from tests.conftest import materialize_assets, query, shared_file

STOCK = AssetSelection.groups("stock")

pytestmark = pytest.mark.real_data


def test_furniture_export_end_to_end(project_env, monkeypatch):
    monkeypatch.setenv("STOCK_SALES_CSV", str(shared_file("superstore", "stores_sales_forecasting.csv")))
    monkeypatch.setenv("STOCK_SALES_ENCODING", "cp1252")
    db = project_env / "warehouse.duckdb"

    assert materialize_assets(selection=STOCK).success

    assert query(db, "select count(*) from raw_stock.sales") == [(2121,)]
    assert query(db, "select count(*) from main.qua_stock__sales") == [(0,)]
    assert query(
        db,
        "select count(*), count(distinct order_id), count(distinct product_id), round(sum(sales), 2),"
        " sum(quantity), min(order_date), max(order_date) from main.stg_stock__sales",
    ) == [(2121, 1764, 375, Decimal("741999.80"), 8028, dt.date(2014, 1, 6), dt.date(2017, 12, 30))]
    # Σ quantity is carried into both marts
    assert query(db, "select sum(quantity) from main.fct_stock__daily_sales") == [(8028,)]
    assert query(db, "select count(*) from main.fct_stock__risk") == [(1099,)]
    # cp1252 characters survive (0xD2/0xD3 are Ò/Ó in cp1252)
    assert query(db, "select count(*) from main.stg_stock__sales where product_name like '%Ò%'")[0][0] > 0

    # the default policy does not put every pair in one class
    levels = dict(query(db, "select risk_level, count(*) from main.fct_stock__risk group by 1"))
    assert sum(levels.values()) == 1099
    assert len(levels) >= 2, levels
    assert query(db, "select max(as_of_date) from main.fct_stock__risk") == [(dt.date(2017, 12, 30),)]

    # the original team's rule, by contrast, puts every pair in one class: why it is not the default
    seed_rule = {"ops": {"tributary_dbt_assets": {"config": {"vars": {"stock_risk_rule": "seed_rule"}}}}}
    assert materialize_assets(
        selection=AssetSelection.assets(AssetKey("fct_stock__risk")), run_config=seed_rule
    ).success
    assert query(db, "select distinct risk_rule, risk_level from main.fct_stock__risk") == [("seed_rule", "HIGH")]
