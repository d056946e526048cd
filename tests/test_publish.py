"""Readers and the writer (issue 18, point 2): a successful build publishes a read-only copy of the DuckDB
warehouse in one rename (serving/publish.py) and every reader opens that copy, so a reader never blocks or breaks
a build and never sees a half-built warehouse.

Real processes throughout: DuckDB files written by real dbt builds through Dagster, the query API in its own
process (`python -m serving.api`) under several concurrent HTTP clients on 127.0.0.1, and a BI tool played by
the DuckDB CLI (the `duckdb-cli` wheel) in its own process, opening the published file read-only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
import requests
from dagster import AssetSelection

from ingestion import config
from serving.publish import PublishError, publish
from serving.warehouse import DuckDBWarehouse, catalog, open_warehouse
from tests.conftest import REPO_ROOT, materialize_assets
from tests.test_api import PRODUCTS, REVENUE, api_process, land_inputs

TIMEOUT = 30
WINE = AssetSelection.groups("wine")
MARKETING = AssetSelection.groups("marketing")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path, like: str = "%") -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select table_name from information_schema.tables where table_name like ?", [like])
        return {name for (name,) in rows.fetchall()}


# --- publish() on its own


def make_live(path: Path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table t as select ? as v", [value])


def test_publish_swaps_the_copy_and_a_reader_finishes_on_the_one_it_opened(tmp_path):
    live, published = tmp_path / "warehouse.duckdb", tmp_path / "published" / "warehouse.duckdb"
    make_live(live, 1)
    done = publish(live, published)
    assert done.path == published and done.bytes == published.stat().st_size
    reader = DuckDBWarehouse(published).connect()  # one request's connection, or a BI tool that keeps it
    try:
        make_live(live, 2)
        publish(live, published)
        assert reader.fetch("select v from t")[1] == [(1,)]  # the build it opened, whole
        # the next connection reads the new build, even while the process still has the old one open
        assert DuckDBWarehouse(published).fetch("select v from t")[1] == [(2,)]
    finally:
        reader.close()
    assert sorted(p.name for p in published.parent.iterdir()) == ["warehouse.duckdb"]  # no temporary file left


def test_publish_includes_what_is_still_in_the_write_ahead_log(tmp_path):
    """A writer that died without closing leaves its last changes in warehouse.duckdb.wal: a plain file copy
    would lose them; publish checkpoints first."""
    live, published = tmp_path / "warehouse.duckdb", tmp_path / "published" / "warehouse.duckdb"
    script = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]);"
        " c.execute('create table t as select range as v from range(1000)'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(live)], check=True, timeout=TIMEOUT)
    assert Path(f"{live}.wal").exists()
    publish(live, published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*), sum(v) from t").fetchall() == [(1000, 499500)]


def test_publish_refuses_what_would_break_readers(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    with pytest.raises(PublishError, match="no warehouse to publish at"):
        publish(live, tmp_path / "published" / "warehouse.duckdb")
    make_live(live, 1)
    with pytest.raises(PublishError, match=r"must keep the live file's name \('warehouse.duckdb', not 'copy.duckdb'\)"):
        publish(live, tmp_path / "published" / "copy.duckdb")
    with pytest.raises(PublishError, match="cannot be the live warehouse itself"):
        publish(live, live)
    # another process holds the live file (a reader misconfigured to open it, or a second writer)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True);"
         " print('open', flush=True); sys.stdin.read()", str(live)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match="another process has it open; readers must open the published copy"):
            publish(live, tmp_path / "published" / "warehouse.duckdb")
    finally:
        holder.kill()
        holder.wait(TIMEOUT)
    assert not (tmp_path / "published" / "warehouse.duckdb").exists()
    assert [p.name for p in (tmp_path / "published").iterdir()] == []


def test_publish_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.delenv("DUCKDB_PUBLISH", raising=False)
    monkeypatch.delenv("DUCKDB_PUBLISHED_PATH", raising=False)
    assert config.duckdb_publish() is True
    assert config.duckdb_published_path() == tmp_path / "published" / "w.duckdb"
    assert open_warehouse().path == tmp_path / "published" / "w.duckdb"
    monkeypatch.setenv("DUCKDB_PUBLISHED_PATH", str(tmp_path / "readers" / "w.duckdb"))
    assert open_warehouse().path == tmp_path / "readers" / "w.duckdb"
    for off in ("off", "0", "false", "No"):
        monkeypatch.setenv("DUCKDB_PUBLISH", off)
        assert config.duckdb_publish() is False and open_warehouse().path == tmp_path / "w.duckdb"
    monkeypatch.setenv("DUCKDB_PUBLISH", "sometimes")
    with pytest.raises(ValueError, match="DUCKDB_PUBLISH='sometimes' is not one of on, off"):
        config.duckdb_publish()


def test_python_m_serving_publish(tmp_path):
    """What `make dbt-build` runs after `dbt build`."""
    live = tmp_path / "warehouse.duckdb"
    make_live(live, 7)
    env = {**os.environ, "DBT_TARGET": "test", "DUCKDB_PATH": str(live), "DUCKDB_PUBLISH": "on"}
    env.pop("DUCKDB_PUBLISHED_PATH", None)
    done = subprocess.run([sys.executable, "-m", "serving.publish"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"published {tmp_path / 'published' / 'warehouse.duckdb'} (")
    assert DuckDBWarehouse(tmp_path / "published" / "warehouse.duckdb").fetch("select v from t")[1] == [(7,)]
    off = subprocess.run([sys.executable, "-m", "serving.publish"], cwd=REPO_ROOT, capture_output=True, text=True,
                         env={**env, "DUCKDB_PUBLISH": "off"}, timeout=TIMEOUT)  # fmt: skip
    assert (off.returncode, off.stdout) == (0, "publish: nothing to publish (DBT_TARGET=prod, or DUCKDB_PUBLISH=off)\n")
    failed = subprocess.run([sys.executable, "-m", "serving.publish"], cwd=REPO_ROOT, capture_output=True, text=True,
                            env={**env, "DUCKDB_PATH": str(tmp_path / "none.duckdb")}, timeout=TIMEOUT)  # fmt: skip
    assert failed.returncode == 1 and failed.stderr.startswith("publish: no warehouse to publish at")


def test_makefile_publishes_after_dbt_build():
    target = (REPO_ROOT / "Makefile").read_text().split("\ndbt-build:", 1)[1].split("\n\n", 1)[0]
    assert target.splitlines()[-2:] == [
        "\tcd dbt_project && ../$(BIN)/dbt build",
        "\t$(BIN)/python -m serving.publish",
    ]


# --- real builds


@pytest.fixture
def wine_built(tmp_path, monkeypatch) -> Path:
    """The wine group built through Dagster (and so published); the settings stay set for the test."""
    land_inputs(tmp_path, monkeypatch)
    assert materialize_assets(selection=WINE).success
    return tmp_path / "warehouse.duckdb"


def published_of(live: Path) -> Path:
    return live.parent / "published" / live.name


def test_a_failed_build_publishes_nothing(wine_built):
    published = published_of(wine_built)
    before = sha256(published)
    broken = {"ops": {"tributary_dbt_assets": {"config": {"vars": {"wine_premium_zscore_threshold": "'x'"}}}}}
    result = materialize_assets(selection=WINE, run_config=broken, raise_on_error=False)
    assert not result.success
    assert sha256(published) == before  # readers keep the last successful build
    assert materialize_assets(selection=WINE).success
    assert sha256(published) != before  # the next successful one replaces it


def test_the_api_under_load_during_a_build_answers_from_the_last_build(wine_built):
    """Four clients hammer the API (its own process) while a real build writes the live file: every answer is a
    200, and each client sees the previous build, then the new one, never a mix: `built` (how many served
    tables exist) is the wine build's count or the final count, never one of the counts in between that the
    live file goes through while dbt creates the marketing tables one by one."""
    live = wine_built
    before = len(set(catalog()) & tables(published_of(live)))
    env = {name: os.environ[name] for name in ("DUCKDB_PATH", "LAKE_URL", "TRIBUTARY_DATA_DIR")}
    env.update(DUCKDB_PUBLISH="on", DUCKDB_PUBLISHED_PATH="", API_KEY="")
    stop, lock, seen = threading.Event(), threading.Lock(), []
    deadline = time.monotonic() + 600

    def client(number: int) -> None:
        session = requests.Session()
        for _ in range(20_000):  # bounded in count and in time
            if stop.is_set() or time.monotonic() > deadline:
                return
            health = session.get(f"{url}/api/health", timeout=TIMEOUT)
            rows = session.get(f"{url}/api/tables/{REVENUE}/rows", params={"limit": 100}, timeout=TIMEOUT)
            body = rows.json()
            revenue = {r["product_id"]: r["revenue"] for r in body["rows"]} if rows.status_code == 200 else None
            with lock:
                seen.append((number, time.monotonic(), health.status_code, health.json(), rows.status_code, revenue))

    with api_process(env) as url:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1)
            started = time.monotonic()
            assert materialize_assets(selection=MARKETING).success  # the build succeeds under load
            ended = time.monotonic()
            final_served = len(set(catalog()) & tables(published_of(live)))
            time.sleep(1)
        finally:
            stop.set()
            for thread in threads:
                thread.join(TIMEOUT)

    statuses = {(health, rows) for _, _, health, _, rows, _ in seen}
    assert statuses == {(200, 200)}, [s for s in seen if s[2] != 200 or s[4] != 200][:3]
    expected_revenue = {product: values[3] for product, values in PRODUCTS.items()}
    assert all(revenue == expected_revenue for *_, revenue in seen)
    during = [s for s in seen if started < s[1] < ended]
    assert len(during) > 20, "the clients were answered while the build ran"
    counts = [health["built"] for _, _, _, health, _, _ in seen]
    assert set(counts) == {before, final_served}, sorted(set(counts))
    for number in range(4):  # each client: the previous build, then the new one, never back
        mine = [health["built"] for n, _, _, health, _, _ in seen if n == number]
        assert mine == sorted(mine) and mine[0] == before and mine[-1] == final_served
    assert {health["built"] for _, t, _, health, _, _ in seen if t < started} == {before}
    elapsed = ended - started
    print(f"\n{len(seen) * 2} requests by 4 clients, {len(during) * 2} during a {elapsed:.1f} s build, all 200")


def duckdb_cli() -> Path:
    cli = Path(sys.executable).parent / "duckdb"
    assert cli.exists(), "the duckdb CLI comes with the duckdb-cli wheel (pyproject's dev extra)"
    return cli


def test_a_bi_tool_reads_the_published_file_while_a_build_writes(wine_built):
    """The DuckDB CLI, as a BI tool would connect (a separate process, read-only, on the published file), keeps a
    session open and queries the marts while a real build writes the live warehouse; the build succeeds, every
    query answers the previous build; a new connection after the build sees the new one."""
    published = published_of(wine_built)
    bi = subprocess.Popen(
        [str(duckdb_cli()), "-readonly", "-csv", "-noheader", str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )  # fmt: skip
    query = (
        f"select count(*), sum(revenue), (select count(*) from information_schema.tables"
        f" where table_name like 'fct_marketing%') from main.{REVENUE};\n"
    )
    answers, stop = [], threading.Event()

    def ask() -> None:
        for _ in range(2_000):
            if stop.is_set():
                return
            bi.stdin.write(query)
            bi.stdin.flush()
            answers.append(bi.stdout.readline().strip())
            time.sleep(0.05)

    asker = threading.Thread(target=ask)
    try:
        asker.start()
        assert materialize_assets(selection=MARKETING).success
        stop.set()
        asker.join(TIMEOUT)
    finally:
        bi.stdin.close()
        bi.wait(TIMEOUT)
    assert len(answers) > 20
    assert set(answers) == {"10,330.0000,0"}, set(answers)  # 10 products, Σ revenue 330 €, no marketing mart yet
    fresh = subprocess.run(
        [str(duckdb_cli()), "-readonly", "-csv", "-noheader", str(published), "-c", query],
        capture_output=True, text=True, timeout=TIMEOUT, check=True,
    )  # fmt: skip
    marketing = len(tables(published, "fct_marketing%"))
    assert marketing > 0 and fresh.stdout.strip() == f"10,330.0000,{marketing}"
