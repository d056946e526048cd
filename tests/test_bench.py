"""The benchmark (bench/): its canonical checksums, its ntile, its Athena cost model, and its smoke test, which is
CI's check that the three implementations of the stock and shop marts (the project from the input files: landing
and dbt; one DuckDB session; pandas) compute the same rows.

The smoke test runs at 1e4 rows (1e5 is `make bench-quick`) over the benchmark's catalogue of 5,000 products:
enough for every rule to matter (thousands of product-region pairs, RFM quintiles over about a thousand
customers), small enough for CI. No timing is asserted."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from bench import athena, checksum
from bench.pandas_way import _ntile
from bench.project import MARTS
from ingestion.config import REPO_ROOT


def test_checksum_lines_are_canonical_whatever_the_types():
    con = duckdb.connect()
    con.execute(
        "create table a as select 1 as n, cast(2.5 as decimal(18, 4)) as x, date '2026-01-02' as d, 'é' as t "
        "union all select null, cast(-0.0000001 as double), null, null"
    )
    con.execute(
        "create table b as select cast(-0.0 as double) as n, -0.0000001 as x, cast(null as timestamp) as d, "
        "cast(null as varchar) as t union all select 1.0000000001, 2.5, timestamp '2026-01-02 00:00:00', 'é'"
    )
    lines = con.execute(checksum.canonical_lines_sql("a", ["n", "x", "d", "t"], con) + " order by line").fetchall()
    assert [line for (line,) in lines] == ["1.000000|2.500000|2026-01-02|é", "∅|0.000000|∅|∅"]
    # b differs from a in its types only, except its first row's n (-0.0, not NULL) and its second row's d
    # (a timestamp): the checksums differ, and the differing lines say where
    assert checksum.checksum(con, "a", ["x", "t"]) == checksum.checksum(con, "b", ["x", "t"])
    assert checksum.checksum(con, "a", ["n", "x"]) != checksum.checksum(con, "b", ["n", "x"])
    assert checksum.differing_lines(con, "a", "b", ["n", "x"]) == [("-", "∅|0.000000"), ("+", "0.000000|0.000000")]


@pytest.mark.parametrize(
    ("n", "expected"), [(7, [1, 1, 2, 2, 3, 4, 5]), (3, [1, 2, 3]), (10, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])]
)
def test_ntile_is_sql_ntile(n, expected):
    frame = pd.DataFrame({"v": range(n)})
    assert _ntile(frame, ["v"], [True]).sort_index().tolist() == expected
    sql = duckdb.sql(f"select ntile(5) over (order by v) as t from range({n}) as r(v) order by v").fetchall()
    assert [t for (t,) in sql] == expected


def test_the_three_implementations_agree(tmp_path):
    results = tmp_path / "results"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--sizes", "stock=1e4", "shop=1e4", "--work", str(tmp_path),
         "--results", str(results)],  # fmt: skip
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    measurements = json.loads((results / "results.json").read_text())["measurements"]
    for domain, marts in MARTS.items():
        runs = {name: measurements[f"marts/{domain}/10000/{name}"] for name in ("limit", "dbt", "pandas")}
        for mart in marts:
            rows, md5 = runs["limit"]["checksums"][mart]
            assert rows > 0, f"{mart} is empty"
            assert runs["dbt"]["checksums"][mart] == [rows, md5], mart
            assert runs["pandas"]["checksums"][mart] == [rows, md5], mart
    # the inputs are the generator's: 1e4 order lines over 5,000 products, read here with Python's csv module
    sales = tmp_path / "data" / "stock-10000-p5000" / "utf8" / "superstore_sales.csv"
    with sales.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 10_000
    days = [dt.datetime.strptime(line["Order Date"], "%m/%d/%Y").date() for line in lines]
    pairs = {(line["Product ID"], line["Region"]) for line in lines}  # the latest sale date is the as-of date
    triples = {(day, line["Product ID"], line["Region"]) for day, line in zip(days, lines, strict=True)}
    stock = measurements["marts/stock/10000/limit"]["checksums"]
    assert len(pairs) > 5_000  # the stock team's scale: thousands of risk pairs
    assert stock["fct_stock__risk"][0] == len(pairs)
    assert stock["fct_stock__daily_sales"][0] == len(triples)
    # the project ran end to end: every line of both files landed and parsed, none rejected, then dbt built
    project = measurements["marts/stock/10000/dbt"]
    assert {e["table"]: (e["records"], e["rejected"]) for e in project["landed"]} == {
        "stock/sales": (10_000, 0), "stock/inventory_snapshots": (5, 0),
    }  # fmt: skip
    assert set(project["parts_median_s"]) == {"landing", "dbt"}
    assert project["wall_median_s"] == pytest.approx(sum(project["parts_median_s"].values()))
    # Athena: a full build reads the one parsed export, the raw text before; every query at least 10 MB
    cost = project["athena"]
    assert cost["after"]["lake_bytes"] > 0 and cost["before"]["lake_bytes"] > sales.stat().st_size
    assert cost["after"]["billed_bytes"] >= cost["after"]["queries"] * athena.MIN_BYTES
    text = (results / "results.md").read_text()
    assert "| stock | 1e4 | project: landing + dbt build |" in text
    assert "| stock 1e4: full build |" in text


def test_athena_bills_every_query_at_least_10_mb():
    assert athena.billed(0) == 10_000_000
    assert athena.billed(10_000_001) == 11_000_000  # rounded up to the megabyte
    assert athena.price(athena.billed(2 * 10**12)) == pytest.approx(10.0)  # $5 per TB


def test_athena_partition_of_a_parsed_file_is_its_delivery_in_production():
    # a snapshot parsed today: the raw file's own time (the snapshot's) says where production would put it
    snapshot = "parsed/velib/station_status/dt=2026-12-01/20261201T020000123456Z-20261128T234500Z-opendata-ab12.parquet"
    assert athena.production_date(snapshot) == dt.date(2026, 11, 28)
    # an export or a stream batch: its dt folder (the delivery date, or the batch's time)
    export = "parsed/stock/sales/dt=2026-12-01/20261201T020000123456Z-superstore_sales-0123456789abcdef.parquet"
    assert athena.production_date(export) == dt.date(2026, 12, 1)


def test_athena_a_query_of_recent_deliveries_reads_the_partitions_from_their_day():
    # raw_records_since as DuckDB compiles it (the Vélib' reconciliation): Athena prunes the days before
    sql = "select * from x as delivered where delivered._delivered_at >= timestamp '2026-11-28 22:45:00.000000'"
    assert athena.delivered_since(sql) == dt.date(2026, 11, 28)
    assert athena.delivered_since("select * from t where _delivered_at > timestamp '2026-11-28 22:45:00'") is None


def test_athena_columns_are_the_words_outside_quoted_names():
    sql = 'select count(*) from "wh"."raw_stock"."sales" -- sales\nwhere region is not null'
    assert athena._columns_named(sql, ["sales", "region", "dt"]) == ["region"]


def test_athena_lake_reads_go_through_views_and_stop_at_tables():
    def model(name, materialized, parents):
        return {"resource_type": "model", "config": {"materialized": materialized}, "depends_on": {"nodes": parents}}

    manifest = {
        "nodes": {
            "model.p.base": model("base", "view", ["source.p.raw.t"]),
            "model.p.stg": model("stg", "view", ["model.p.base"]),
            "model.p.mart": model("mart", "table", ["model.p.stg"]),
            "model.p.top": model("top", "table", ["model.p.mart", "source.p.raw.u"]),
            "test.p.on_mart": {"resource_type": "test", "config": {}, "depends_on": {"nodes": ["model.p.mart"]}},
            "test.p.on_stg": {"resource_type": "test", "config": {}, "depends_on": {"nodes": ["model.p.stg"]}},
        },
        "unit_tests": {"unit_test.p.mart.u": {"resource_type": "unit_test", "depends_on": {"nodes": ["model.p.mart"]}}},
    }
    executed = [*manifest["nodes"], "unit_test.p.mart.u"]
    assert athena.lake_reads(manifest, executed) == {
        "model.p.mart": ["source.p.raw.t"],  # through two views
        "model.p.top": ["source.p.raw.u"],  # a table stops the walk: mart is read, not its sources
        "test.p.on_mart": [],
        "test.p.on_stg": ["source.p.raw.t"],
        "unit_test.p.mart.u": [],  # fixtures replace its inputs
    }
    # views are DDL; two tables, two tests, one unit test: 5 queries (an incremental model would be 2 in a rerun)
    assert athena.queries(manifest, executed, incremental_run=False) == 5


def test_the_shop_model_section_runs(tmp_path):
    """The shop model's section at 1e4 orders: the features build, a training and a scoring are measured, and the
    report says so (the committed results are at 1e6)."""
    results = tmp_path / "results"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sections", "shop_model", "--sizes", "shop=1e4", "--repeat", "1",
         "--work", str(tmp_path), "--results", str(results)],  # fmt: skip
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    section = json.loads((results / "results.json").read_text())["sections"]["shop_model"]
    assert section["orders"] == 10_000 and section["snapshots"] == 25
    assert len(section["train"]["walls"]) == len(section["score"]["walls"]) == 1
    assert section["roc_auc"]["model"] > section["roc_auc"]["rule"]
    assert "## Shop model: segments and churn at 1e4 orders" in (results / "results.md").read_text()


def test_dagster_overhead_names_what_the_run_spent_after_dbt():
    """The Dagster run's log gives the metadata read and the publication (summed over its dbt steps); the overhead
    table subtracts the publication, which `make dbt-build` does too."""
    from bench.report import dagster_overhead
    from bench.run import dagster_log_parts

    log_text = (
        "2026-12-02 04:00:14 +0000 - dagster - INFO - __ASSET_JOB - 8044c1c6 - tributary_dbt_assets - "
        "row counts and columns of 41 built tables read in 0.35 s\n"
        "2026-12-02 04:00:15 +0000 - dagster - INFO - __ASSET_JOB - 8044c1c6 - tributary_dbt_assets - "
        "published the warehouse for readers: /x/published/warehouse.duckdb in 1.25 s\n"
        "2026-12-02 04:00:16 +0000 - dagster - INFO - __ASSET_JOB - 8044c1c6 - shop_ml_dbt_assets - "
        "row counts and columns of 2 built tables read in 0.05 s\n"
    )
    assert dagster_log_parts(log_text) == {"metadata": pytest.approx(0.40), "publish": 1.25}
    assert dagster_log_parts("no such line") == {}
    results = {"measurements": {
        "marts/stock/1000000/dbt": {"section": "marts", "domain": "stock", "size": 1_000_000,
                                    "implementation": "dbt", "walls": [16.5], "wall_median_s": 16.5},
        "marts/stock/1000000/dagster": {"section": "marts", "domain": "stock", "size": 1_000_000,
                                        "implementation": "dagster", "walls": [20.0], "wall_median_s": 20.0,
                                        "parts_median_s": {"metadata": 0.4, "publish": 1.25}},
    }}  # fmt: skip
    assert dagster_overhead(results)[2] == "| stock | 1e6 | 16.5 | 20.0 | 3.5 | 0.40 | 1.2 | 2.2 |"
