"""The benchmark (bench/): its canonical checksums, its ntile, and its smoke test, which is CI's check that the
three implementations of the stock and shop marts (dbt, one DuckDB session, pandas) compute the same rows.

The smoke test runs at 1e4 rows (1e5 is `make bench-quick`): enough for every rule to matter (240 product-region
pairs, RFM quintiles over about a thousand customers), small enough for CI. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from bench import checksum
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
    # the risk mart covers every product-region pair of the sample: 60 products × 4 regions
    assert measurements["marts/stock/10000/limit"]["checksums"]["fct_stock__risk"][0] == 240
    assert "| stock | 1e4 | project: dbt build |" in (results / "results.md").read_text()


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
