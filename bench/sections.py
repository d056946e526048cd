"""The sections of the benchmark besides the marts: dbt's fixed cost, the 1 GB memory limit, the stream
micro-batches (incremental), the freshness of the stream with the Dagster daemon running its sensor, and the
shop's customer model (training and scoring).
Each returns a JSON-able dict that bench/report.py renders."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench import data
from bench.run import BIN, REPO, dbt_command, dbt_env, dbt_node_times, log, measured, selection
from ingestion.lake import open_lake
from ingestion.stock import EVENTS_TABLE, SOURCE
from ingestion.stock.producer import CatalogueItem, SalesEventProducer
from ingestion.stream import drain_landing, write_micro_batch

STREAM_SELECTION = ["source:stock_raw.sales_events+"]  # what stock_stream_job rebuilds: all after the events
HISTORY_BATCH = 10_000  # history events per batch file
HISTORY_DAYS = 20  # the history is spread over the days before today, a few batch files a day


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _stock_sizes(sizes: dict[str, list[int]]) -> list[int]:
    return sorted(sizes.get("stock") or [100_000])


def fixed(work: Path, sizes: dict[str, list[int]], repeat: int) -> dict:
    """dbt's fixed cost: a full parse, a build that selects nothing, and the stock build on an empty lake."""
    empty_lake = work / "lakes" / "empty"
    (empty_lake / "raw").mkdir(parents=True, exist_ok=True)
    warehouse = work / "out" / "fixed.duckdb"
    target = work / "target-fixed"
    env = dbt_env(warehouse, empty_lake)
    cases = {
        "dbt parse (no partial parse)": dbt_command("parse", "--no-partial-parse", "--target-path", str(target)),
        "dbt build selecting nothing": dbt_command(
            "build", "--select", "tag:bench_selects_nothing", "--target-path", str(target)
        ),  # fmt: skip
        "dbt build of the stock selection, empty lake": dbt_command(
            "build", "--select", *selection("stock"), "--indirect-selection", "cautious", "--target-path", str(target)
        ),
    }
    out = {}
    for name, command in cases.items():
        walls, peaks = [], []
        for _ in range(repeat):
            warehouse.unlink(missing_ok=True)
            wall, peak = measured(command, env=env)
            walls.append(wall)
            peaks.append(peak)
        out[name] = {"walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks)}
        log(f"fixed cost, {name}: {_median(walls):.1f} s")
    out["nodes_empty_build"] = dbt_node_times(target)
    return out


def memory(work: Path, sizes: dict[str, list[int]], repeat: int) -> dict:
    """The largest stock size through dbt (and the limit) with DuckDB memory_limit=1GB: it must finish."""
    size = _stock_sizes(sizes)[-1]
    lake = data.stock_lake(work, size)
    out: dict = {"size": size, "memory_limit": "1GB"}
    warehouse = work / "out" / f"dbt-1gb-stock-{size}.duckdb"
    warehouse.unlink(missing_ok=True)
    target = work / "target-memory"
    command = dbt_command("build", "--select", *selection("stock"), "--indirect-selection", "cautious",
                          "--target-path", str(target))  # fmt: skip
    for name, run in (
        ("dbt", lambda: measured(command, env=dbt_env(warehouse, lake, {"DUCKDB_MEMORY_LIMIT": "1GB"}))),
        (
            "limit",
            lambda: measured(
                [
                    sys.executable,
                    "-m",
                    "bench.limit",
                    "--domain",
                    "stock",
                    "--lake",
                    str(lake),
                    "--out",
                    str(work / "out" / f"limit-1gb-stock-{size}.duckdb"),
                    "--memory-limit",
                    "1GB",
                ]
            ),
        ),  # fmt: skip
    ):
        try:
            wall, peak = run()
            out[name] = {"completed": True, "wall_s": wall, "peak_rss_mib": peak}
        except RuntimeError as error:
            out[name] = {"completed": False, "error": str(error)[-1500:]}
        log(f"memory_limit=1GB, {name} at {size:,}: {out[name]}")
    out["nodes_dbt"] = dbt_node_times(target)
    return out


def _catalogue(lake: Path) -> list[CatalogueItem]:
    """The products of the export, as the producer reads them (from the landed UTF-8 copy, faster than cp1252)."""
    con = duckdb.connect()
    rows = con.execute(
        f"""select "Product ID", min("Product Name"), round(sum(cast("Sales" as double)) / sum(cast("Quantity" as
        double)), 2) from read_csv('{lake}/raw/stock/sales/dt=*/*.csv', header = true, all_varchar = true)
        group by 1 order by 1"""
    ).fetchall()
    return [CatalogueItem(pid, name, price) for pid, name, price in rows]


def _stream_lake(work: Path, name: str) -> Path:
    """A lake of its own holding the 1e5-row export (copied), so that events never reach the marts' lakes."""
    source = data.stock_lake(work, 100_000)
    lake = work / "lakes" / name
    if lake.exists():
        shutil.rmtree(lake)
    shutil.copytree(source / "raw", lake / "raw")
    return lake


def _land_events(lake: Path, producer: SalesEventProducer, events: int, batch: int, when: dt.datetime) -> None:
    """`events` events in batches of `batch`, written to the landing area as if produced at `when`, drained."""
    store = open_lake(f"file://{lake}")
    for _ in range(0, events, batch):
        producer.clock = lambda: when
        records = [producer.event() for _ in range(batch)]
        write_micro_batch(store, SOURCE, EVENTS_TABLE, records, when)
    drain_landing(store, SOURCE, EVENTS_TABLE)


def _add_history(lake: Path, producer: SalesEventProducer, events: int, days_back_from: int) -> None:
    batches = max(events // HISTORY_BATCH, 1)
    now = dt.datetime.now(dt.UTC)
    for i in range(batches):
        day = days_back_from + i % HISTORY_DAYS
        when = now - dt.timedelta(days=day, minutes=i)
        _land_events(lake, producer, HISTORY_BATCH, HISTORY_BATCH, when)


def incremental(work: Path, sizes: dict[str, list[int]], repeat: int, history: int = 1_000_000) -> dict:
    """A micro-batch of 1e3, 1e4, 1e5 events through dbt (the stream selection), over 1e6 then 2e6 events of history."""
    lake = _stream_lake(work, "incremental")
    warehouse = work / "out" / "incremental.duckdb"
    warehouse.unlink(missing_ok=True)
    target = work / "target-incremental"
    env = dbt_env(warehouse, lake)
    producer = SalesEventProducer(_catalogue(lake), seed=7)
    out: dict = {"history_steps": [], "batch_sizes": [1_000, 10_000, 100_000]}
    for step, days_back in ((1, 1), (2, 1 + HISTORY_DAYS)):
        log(f"incremental: adding {history:,} history events (step {step})")
        _add_history(lake, producer, history, days_back)
        build = dbt_command("build", "--select", *selection("stock"), *STREAM_SELECTION,
                            "--indirect-selection", "cautious", "--target-path", str(target))  # fmt: skip
        wall, _ = measured(build, env=env)
        log(f"incremental: history step {step} built in {wall:.1f} s")
        entry: dict = {"history_events": history * step, "history_build_s": wall, "batches": {}}
        for size in out["batch_sizes"]:
            walls, peaks, slowest = [], [], []
            for _ in range(repeat):
                _land_events(lake, producer, size, size, dt.datetime.now(dt.UTC))
                command = dbt_command("build", "--select", *STREAM_SELECTION, "--target-path", str(target))
                wall, peak = measured(command, env=env)
                walls.append(wall)
                peaks.append(peak)
                slowest = dbt_node_times(target, top=4)
            entry["batches"][str(size)] = {
                "walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks),
                "nodes": slowest,
            }  # fmt: skip
            log(f"incremental: history {history * step:,}, batch {size:,}: {_median(walls):.1f} s")
        out["history_steps"].append(entry)
    return out


def _runs_summary(runs: list[tuple[float, float]], target: Path) -> dict:
    """Median wall seconds and peak RSS of (wall, peak) runs, and where the last dbt run spent its time."""
    walls, peaks = [wall for wall, _ in runs], [peak for _, peak in runs]
    return {"walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks),
            "nodes": dbt_node_times(target, top=4)}  # fmt: skip


VELIB_SELECTION = ["path:models/staging/velib", "path:models/intermediate/velib", "path:models/marts/velib"]


def velib(work: Path, sizes: dict[str, list[int]], repeat: int, stations: int = 1_500, days: int = 30) -> dict:
    """A month of Vélib' snapshots (1,500 stations × 96 a day × 30 days): the domain's dbt build over it on a fresh
    warehouse, then the 15-minute run that one more snapshot triggers (`repeat` of each; the last `repeat`
    snapshots of the month are held back and landed one at a time for the second)."""
    snapshots = data.velib_snapshots(work, stations, days)
    month, later = snapshots[:-repeat], snapshots[-repeat:]
    lake = work / "lakes" / f"velib-{stations}x{days}"
    done = lake / ".complete"
    if not done.exists():
        log(f"velib: landing {len(month):,} snapshots")
        shutil.rmtree(lake, ignore_errors=True)
        data.land_velib(lake, month)
        done.touch()
    scratch = work / "lakes" / "velib-scratch"  # the month plus the snapshots landed after it
    warehouse = work / "out" / "velib.duckdb"
    target = work / "target-velib"
    build = dbt_command("build", "--select", *VELIB_SELECTION, "--target-path", str(target))
    out: dict = {"stations": stations, "days": days, "snapshots": len(month), "records": len(month) * stations}

    def timed(lake_dir: Path, what: str) -> tuple[float, float]:
        wall, peak = measured(build, env=dbt_env(warehouse, lake_dir))
        log(f"velib: {what}: {wall:.1f} s, {peak:,.0f} MiB")
        return wall, peak

    runs = []
    for _ in range(repeat):
        warehouse.unlink(missing_ok=True)
        runs.append(timed(lake, f"build over {len(month):,} snapshots"))
    out["month"] = _runs_summary(runs, target)
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(lake, scratch)
    runs = []
    for path in later:
        data.land_velib(scratch, [path])
        runs.append(timed(scratch, "one more snapshot over the month"))
    out["next_snapshot"] = _runs_summary(runs, target)
    shutil.rmtree(scratch, ignore_errors=True)
    return out


def freshness(
    work: Path, sizes: dict[str, list[int]], repeat: int, minutes: float = 4.0, batch_seconds: float = 10.0
) -> dict:
    """Event produced → visible in the stock marts, with `dagster-daemon` running stock_sales_events_sensor.

    A producer lands a batch of 20 events every `batch_seconds` for `minutes`. The sensor keys each run by the
    newest waiting batch (orchestration/streams.py), so a batch is drained by the first run whose key is at
    least its own: it is visible when that run succeeds (its dbt build has rebuilt the marts). Afterwards the
    marts are checked to hold every produced event.
    """
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    lake = _stream_lake(work, "freshness")
    warehouse = work / "out" / "freshness.duckdb"
    warehouse.unlink(missing_ok=True)
    home = work / "dagster-freshness"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copyfile(REPO / "orchestration" / "dagster.yaml", home / "dagster.yaml")  # one warehouse writer at a time
    env = {**dbt_env(warehouse, lake), "DAGSTER_HOME": str(home)}
    target = work / "target-freshness"
    measured(dbt_command("build", "--select", *selection("stock"), "--indirect-selection", "cautious",
                         "--target-path", str(target)), env=env)  # fmt: skip
    baseline = _mart_lines(warehouse)
    subprocess.run([str(BIN / "dagster"), "sensor", "start", "stock_sales_events_sensor", "-m",
                    "orchestration.definitions"], env={**os.environ, **env}, cwd=REPO, check=True,
                   capture_output=True)  # fmt: skip
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "orchestration.definitions"],
        env={**os.environ, **env}, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    producer = SalesEventProducer(_catalogue(lake), seed=11, duplicate_rate=0.0)
    store = open_lake(f"file://{lake}")
    produced: list[tuple[str, float]] = []
    events = 0
    try:
        time.sleep(5)
        end = time.time() + minutes * 60
        while time.time() < end:
            key = write_micro_batch(store, SOURCE, EVENTS_TABLE, [producer.event() for _ in range(20)],
                                    dt.datetime.now(dt.UTC))  # fmt: skip
            produced.append((key, time.time()))
            events += 20
            time.sleep(batch_seconds)
        deadline = time.time() + 300  # let the last batches through
        with DagsterInstance.from_config(str(home)) as instance:
            while time.time() < deadline:
                runs = instance.get_run_records(RunsFilter(job_name="stock_stream_job"))
                done = [r for r in runs if r.dagster_run.status == DagsterRunStatus.SUCCESS]
                keys = [r.dagster_run.tags.get("dagster/run_key", "") for r in done]
                active = [r for r in runs if r.dagster_run.status not in (DagsterRunStatus.SUCCESS,
                                                                          DagsterRunStatus.FAILURE)]  # fmt: skip
                if keys and max(keys) >= produced[-1][0] and not active:
                    break
                time.sleep(2)
            runs = instance.get_run_records(RunsFilter(job_name="stock_stream_job"))
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    succeeded = sorted(
        (r.dagster_run.tags.get("dagster/run_key", ""), r.end_time) for r in runs
        if r.dagster_run.status == DagsterRunStatus.SUCCESS and r.end_time
    )  # fmt: skip
    failed = sum(1 for r in runs if r.dagster_run.status == DagsterRunStatus.FAILURE)
    latencies = []
    for key, at in produced:
        ends = [end_time for run_key, end_time in succeeded if run_key >= key]
        if ends:
            latencies.append(min(ends) - at)
    visible = _mart_lines(warehouse) - baseline
    result = {
        "minutes": minutes, "batch_seconds": batch_seconds, "batches": len(produced), "events": events,
        "runs_succeeded": len(succeeded), "runs_failed": failed, "batches_measured": len(latencies),
        "latency_median_s": _median(latencies), "latency_max_s": max(latencies) if latencies else None,
        "events_visible_after": visible,
    }  # fmt: skip
    log(f"freshness: {result}")
    return result


def _mart_lines(warehouse: Path) -> int:
    """Order lines counted by the daily-sales mart (history and stream)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return int(con.execute("select coalesce(sum(order_lines), 0) from main.fct_stock__daily_sales").fetchone()[0])


def shop_model(work: Path, sizes: dict[str, list[int]], repeat: int) -> dict:
    """The shop's customer model (ml/, docs/shop-ml.md) at the largest shop size (1e6 orders by default): the
    generated sample with planted behaviours; the dbt build of fct_shop__customer_features and everything it reads
    (tests included), once, on a fresh warehouse; then `python -m ml train` and `python -m ml score`, `repeat` times
    each (training the same rows again gives the same version: its files are rewritten, not added)."""
    from ml import shop as shop_model_code
    from ml import store

    size = max(sizes.get("shop") or [1_000_000])
    lake = data.shop_lake(work, size, behaviours=True)
    warehouse = work / "out" / f"shop-model-{size}.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    target = work / "target-shop-model"
    env = dbt_env(warehouse, lake)
    out: dict = {"orders": size}
    build = dbt_command("build", "--select", "+fct_shop__customer_features", "--indirect-selection", "cautious",
                        "--target-path", str(target))  # fmt: skip
    wall, peak = measured(build, env=env)
    out["features"] = {"wall_s": wall, "peak_rss_mib": peak, "nodes": dbt_node_times(target, top=4)}
    log(f"shop model at {size:,} orders: features built in {wall:.1f} s")
    for step in ("train", "score"):
        runs = [measured([sys.executable, "-m", "ml", step], env=env) for _ in range(repeat)]
        walls, peaks = [w for w, _ in runs], [p for _, p in runs]
        out[step] = {"walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks)}
        log(f"shop model at {size:,} orders: {step} {_median(walls):.1f} s")
    lake_store = open_lake(f"file://{lake}")
    version = store.published_version(lake_store, shop_model_code.DOMAIN, shop_model_code.MODEL)
    meta = store.load_metadata(lake_store, shop_model_code.DOMAIN, shop_model_code.MODEL, version)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(rows, snapshots)] = con.execute(
            "select count(*), count(distinct as_of_date) from main.fct_shop__customer_features"
        ).fetchall()
    out.update(
        version=version,
        feature_rows=rows,
        snapshots=snapshots,
        rows=meta["rows"],
        k=len(meta["segments"]),
        roc_auc={scorer: m["roc_auc"] for scorer, m in meta["metrics"].items()},
    )
    return out
