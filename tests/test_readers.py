"""The readers of the marts outside dbt (the demo summary, the wine reports) go through the query layer: on the
demo pipeline they print the marts' figures, and every statement they send is Trino SQL, so the same code runs on
Athena (DBT_TARGET=prod)."""

import pytest

from ingestion.lake import open_lake
from serving.warehouse import DuckDBWarehouse
from tests import trino_check
from tests.conftest import use_demo_environment


class RecordingWarehouse(DuckDBWarehouse):
    """The DuckDB warehouse, keeping every statement it runs."""

    def __init__(self, path):
        super().__init__(path)
        self.statements: list[str] = []

    def fetch(self, sql, params=()):
        self.statements.append(sql)
        return super().fetch(sql, params)


@pytest.fixture(scope="module")
def demo(demo_warehouse):
    """The session's demo build (tests/conftest.py: demo_warehouse), every domain through Dagster."""
    with pytest.MonkeyPatch.context() as mp:
        use_demo_environment(mp, demo_warehouse)
        yield demo_warehouse


def test_summary_prints_the_marts_figures_and_sends_trino_sql(demo):
    from orchestration import summary

    warehouse = RecordingWarehouse(demo / "warehouse.duckdb")
    lines = summary.headline(warehouse)
    direct = DuckDBWarehouse(demo / "warehouse.duckdb")
    [(pairs,)] = direct.fetch("select count(*) from main.fct_stock__risk")[1]
    [(stations, bikes)] = direct.fetch("select count(*), sum(bikes) from main.fct_velib__stations_latest")[1]
    [(snapshots,)] = direct.fetch("select count(distinct snapshot_at) from main.fct_velib__station_snapshots")[1]
    assert lines[0].startswith(f"stock: {pairs} product-region pairs as of ")
    assert lines[2].startswith(f"velib: {stations} stations over {snapshots} snapshots")
    assert f": {bikes} bikes," in lines[2]
    assert lines[3].startswith("wine: ")
    [(transactions, campaigns)] = direct.fetch(
        "select (select sum(transactions) from main.fct_marketing__sales_by_product_payment),"
        " (select count(*) from main.fct_marketing__campaign_performance)"
    )[1]
    [(version, scored, at_risk)] = direct.fetch(
        "select max(model_version), count(*), sum(case when is_at_risk then 1 else 0 end)"
        " from main.fct_shop__customer_scores"
    )[1]
    assert lines[5].startswith(f"shop model {version}: {scored:,} customers scored as of ")
    assert f"; {at_risk:,} at risk of churning; churn ROC AUC " in lines[5]
    assert lines[6].startswith(f"marketing: {transactions:,} transactions, ")
    assert f"; {campaigns:,} campaigns, " in lines[6]
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
