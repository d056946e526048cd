"""The readers of the marts outside dbt (the demo summary, the wine reports) go through the query layer: on the
demo pipeline they print the marts' figures, and every statement they send is Trino SQL, so the same code runs on
Athena (DBT_TARGET=prod)."""

import datetime as dt

import pytest

from ingestion.lake import open_lake
from serving.warehouse import DuckDBWarehouse
from tests import trino_check
from tests.conftest import INPUT_ENV, materialize_assets


class RecordingWarehouse(DuckDBWarehouse):
    """The DuckDB warehouse, keeping every statement it runs."""

    def __init__(self, path):
        super().__init__(path)
        self.statements: list[str] = []

    def fetch(self, sql, params=()):
        self.statements.append(sql)
        return super().fetch(sql, params)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Every domain's generated sample through Dagster into one warehouse, as `make demo` does (smaller)."""
    from ingestion.marketing.generate import generate_all as generate_marketing
    from ingestion.stock.generate import generate_inventory_csv, generate_sales_csv
    from ingestion.velib.generate import generate_snapshots
    from ingestion.wine.generate import generate as generate_wine

    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_TARGET", "test")
        mp.setenv("TRIBUTARY_DATA_DIR", str(root / "data"))
        mp.setenv("LAKE_URL", f"file://{root / 'lake'}")
        mp.setenv("DUCKDB_PATH", str(root / "warehouse.duckdb"))
        for name in INPUT_ENV:
            mp.delenv(name, raising=False)
        mp.setenv("SHOP_SAMPLE_ORDERS", "1000")
        samples = root / "data" / "samples"
        sales = samples / "stock" / "superstore_sales.csv"
        generate_sales_csv(sales, rows=400, seed=5, end=dt.date(2024, 6, 30))
        generate_inventory_csv(sales.with_name("inventory_snapshot.csv"), sales)
        generate_snapshots(samples / "velib", stations=30, hours=1, end=dt.datetime(2024, 7, 1, 8, 30, tzinfo=dt.UTC))
        generate_wine(samples / "wine", products=40)
        generate_marketing(samples / "marketing", scale=0.05)
        mp.setenv("VELIB_REPLAY_DIR", str(samples / "velib"))
        assert materialize_assets().success
        yield root


def test_summary_prints_the_marts_figures_and_sends_trino_sql(demo):
    from orchestration import summary

    warehouse = RecordingWarehouse(demo / "warehouse.duckdb")
    lines = summary.headline(warehouse)
    direct = DuckDBWarehouse(demo / "warehouse.duckdb")
    [(pairs,)] = direct.fetch("select count(*) from main.fct_stock__risk")[1]
    [(stations, bikes)] = direct.fetch("select count(*), sum(bikes) from main.fct_velib__stations_latest")[1]
    assert lines[0].startswith(f"stock: {pairs} product-region pairs as of ")
    assert lines[2].startswith(f"velib: {stations} stations over 4 snapshots") and f": {bikes} bikes," in lines[2]
    assert lines[3].startswith("wine: ")
    assert lines[5].startswith("marketing: 50 transactions, ") and "; 10 campaigns, " in lines[5]
    quarantined = lines[-1]
    assert quarantined.startswith("quarantine: ") and "stock_raw.sales duplicate_row 1" in quarantined
    for sql in warehouse.statements:
        assert trino_check.problems(sql) == [], sql


def test_wine_reports_send_trino_sql(demo):
    from reports.wine import write_reports

    warehouse = RecordingWarehouse(demo / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAKE_URL", f"file://{demo / 'lake'}")
        keys = write_reports(warehouse, open_lake(), "2024-07", [])
    assert len(keys) == 4 and len(warehouse.statements) == 3
    for sql in warehouse.statements:
        assert trino_check.problems(sql) == [], sql
