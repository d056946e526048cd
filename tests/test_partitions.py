"""Daily partitions of the time-based assets (orchestration/partitions.py): three days of stock sales events, click
events and Vélib' snapshots, built day by day (one partition, then a backfill of the other two from the command
line) and in one run over every day, give the same marts.

The streams wait in the landing area and the snapshots in a replay folder, stamped with their days; a run for some
days lands only those days' batches and snapshots, the next ones wait for their own run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, AssetSelection, DagsterInstance

from ingestion.config import REPO_ROOT
from ingestion.lake import LocalLake
from ingestion.marketing.producer import ClickEventProducer
from ingestion.stock.producer import CatalogueItem, SalesEventProducer
from ingestion.stream import LandingSink, pending_batches
from ingestion.velib.generate import generate_snapshots
from tests.conftest import INPUT_ENV, materialize_assets

BIN = Path(sys.executable).parent
DAYS = ["2026-06-28", "2026-06-29", "2026-06-30"]
PARTITIONED = [
    AssetKey(["stock", "raw_sales_events"]),
    AssetKey(["marketing", "raw_click_events"]),
    AssetKey(["velib", "raw_station_status"]),
    AssetKey(["velib", "raw_gbfs_station_status"]),
]
# the partitioned assets, everything downstream of them, and the dbt models and seeds those read besides (the sales
# exports' staging, empty here: no export lands): on a fresh warehouse a model needs the relations it reads to
# exist. Without the dbt tests: some of those upstream models' tests read models outside
# the selection (their quarantine); the backfill below runs the tests of everything downstream. The ingestion
# assets keep their own checks (each asset reports them whenever it runs).
STREAMS = (
    AssetSelection.assets(*PARTITIONED).downstream().upstream() - AssetSelection.kind("python")
).without_checks() | AssetSelection.assets(*PARTITIONED)
MARTS = (
    "fct_stock__daily_sales",
    "fct_stock__risk",
    "fct_velib__station_snapshots",
    "fct_velib__stations_latest",
    "fct_velib__critical_stations_2h",
    "fct_marketing__event_anomalies",
)
LINEAGE = {"_source_file", "_delivery_id", "_delivered_at"}  # the delivery's own name and time: differ per landing


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A landing area with the batches of three days (every 2 hours, each day, from 01:03) and a folder of Vélib'
    snapshots (12 per day, 09:00–12:00 UTC)."""
    root = tmp_path_factory.mktemp("template")
    lake = LocalLake(root / "lake")
    clock = {"now": dt.datetime(2026, 6, 28, tzinfo=dt.UTC)}
    catalogue = [CatalogueItem("FUR-CH-1", "Chair", 120.0), CatalogueItem("OFF-PA-1", "Paper", 6.5)]
    sales = SalesEventProducer(catalogue, seed=4, duplicate_rate=0.05, clock=lambda: clock["now"])
    clicks = ClickEventProducer(seed=4, clock=lambda: clock["now"])
    sink = LandingSink(lake)
    for day in DAYS:
        for hour in range(1, 24, 2):  # odd hours: an event is dated up to 15 minutes before its batch, same day
            clock["now"] = dt.datetime.fromisoformat(day).replace(hour=hour, minute=3, tzinfo=dt.UTC)
            sales.send_batch(sink, 5)
            clicks.send_batch(sink, 30)
        end = dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)
        generate_snapshots(root / "velib", stations=15, hours=3, end=end, seed=DAYS.index(day))
    return root


def environment(root: Path, template: Path) -> dict[str, str]:
    """A private lake (a copy of the template's landing area), warehouse and Dagster instance."""
    shutil.copytree(template / "lake", root / "lake")
    (root / "dagster").mkdir()
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", root / "dagster" / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if k not in INPUT_ENV}
    env.update(
        DBT_TARGET="test",
        TRIBUTARY_DATA_DIR=str(root / "data"),
        LAKE_URL=f"file://{root / 'lake'}",
        DUCKDB_PATH=str(root / "warehouse.duckdb"),
        DAGSTER_HOME=str(root / "dagster"),
        VELIB_REPLAY_DIR=str(template / "velib"),
    )
    return env


def marts(db: Path) -> dict[str, list[tuple]]:
    """Every row of the marts, sorted, without the lineage columns; floats to 9 decimals (a mean over DuckDB's
    parallel aggregation may differ in its last bit between two builds)."""

    def value(v):
        return round(v, 9) if isinstance(v, float) else v

    with duckdb.connect(str(db), read_only=True) as con:
        result = {}
        for table in MARTS:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                [table],
            ).fetchall() if c not in LINEAGE]  # fmt: skip
            rows = con.sql(f"select {', '.join(columns)} from main.{table}").fetchall()
            result[table] = sorted((tuple(map(value, row)) for row in rows), key=repr)
    return result


def materialized_days(instance: DagsterInstance, key: AssetKey) -> list[str]:
    return sorted(instance.get_materialized_partitions(key))


def test_day_by_day_and_a_backfill_give_the_marts_of_one_run(tmp_path, template, monkeypatch):
    # --- one run over every day
    full = environment(tmp_path / "full", template)
    for name, value in full.items():
        monkeypatch.setenv(name, value)
    assert materialize_assets(selection=STREAMS).success
    expected = marts(tmp_path / "full" / "warehouse.duckdb")
    assert len(expected["fct_velib__station_snapshots"]) == 15 * 12 * 3  # 15 stations, 12 snapshots a day
    assert {row[0].date().isoformat() for row in expected["fct_marketing__event_anomalies"]} == set(DAYS)
    assert len({row[0] for row in expected["fct_stock__daily_sales"]}) == 3  # a sale date per day

    # --- day by day: the first day alone, in process
    env = environment(tmp_path / "daily", template)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    lake = LocalLake(tmp_path / "daily" / "lake")
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        assert materialize_assets(selection=STREAMS, partition_range=(DAYS[0], DAYS[0]), instance=instance).success
        # only that day's batches left the landing area, and only its partitions are materialized
        waiting = {key.rsplit("/", 1)[-1][:8] for key in pending_batches(lake, "stock", "sales_events")}
        assert waiting == {"20260629", "20260630"}
        for key in (*PARTITIONED, AssetKey("base_stock__sales_events"), AssetKey("base_velib__opendata_records")):
            assert materialized_days(instance, key) == DAYS[:1], key
        with duckdb.connect(env["DUCKDB_PATH"], read_only=True) as con:
            days = con.sql("select distinct snapshot_date from main.fct_velib__station_snapshots").fetchall()
        assert days == [(dt.date(2026, 6, 28),)]

    # --- the other two days: a backfill from the command line, one run for the range
    # --select `key*`: the partitioned assets and everything downstream of them (what they read besides was built by
    # the first day's run)
    selection = ",".join(f"{key.to_user_string()}*" for key in PARTITIONED)
    backfill = subprocess.run(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "orchestration.definitions",
            "--select",
            selection,
            "--partition-range",
            f"{DAYS[1]}...{DAYS[2]}",
        ],  # fmt: skip
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert backfill.returncode == 0, backfill.stdout[-3000:] + backfill.stderr[-3000:]
    assert pending_batches(lake, "stock", "sales_events") == []
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        for key in (*PARTITIONED, AssetKey("base_marketing__click_events")):
            assert materialized_days(instance, key) == DAYS, key

    assert marts(tmp_path / "daily" / "warehouse.duckdb") == expected

    # --- a day run again lands nothing new and changes nothing
    assert materialize_assets(selection=STREAMS, partition_range=(DAYS[1], DAYS[1])).success
    assert marts(tmp_path / "daily" / "warehouse.duckdb") == expected
