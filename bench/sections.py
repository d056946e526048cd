"""The sections of the benchmark besides the marts: the cost of landing a cp1252 export, dbt's fixed cost, the
1 GB memory limit, the stream micro-batches (incremental), a month of Vélib' snapshots and the freshness of the
stream with the Dagster daemon running its sensor. Each takes the run's Options and returns a JSON-able dict
that bench/report.py renders."""

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

from bench import athena, data
from bench.land import land
from bench.project import STREAM_SELECTION, VELIB_SELECTION, selection
from bench.run import (
    BIN,
    REPO,
    Options,
    Run,
    build_command,
    command_env,
    dbt_command,
    dbt_env,
    dbt_node_times,
    fresh_warehouse,
    land_command,
    log,
    measured,
    project_build,
    project_end_to_end,
)
from ingestion.lake import open_lake
from ingestion.stock import EVENTS_TABLE, SOURCE
from ingestion.stock.producer import CatalogueItem, SalesEventProducer
from ingestion.stream import drain_landing, write_micro_batch

HISTORY_BATCH = 10_000  # history events per batch file
HISTORY_DAYS = 20  # the history is spread over the days before today, a few batch files a day
STREAM_EXPORT_ROWS = 100_000  # the export under the stream's history (its products are the events')
EVENTS_PREFIX = f"parsed/{SOURCE}/{EVENTS_TABLE}/"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _stock_sizes(sizes: dict[str, list[int]]) -> list[int]:
    return sorted(sizes.get("stock") or [100_000])


def fixed(options: Options) -> dict:
    """dbt's fixed cost: a full parse, a build that selects nothing, and the stock build on an empty lake."""
    work, repeat = options.work, options.repeat
    empty_lake = work / "lakes" / "empty"
    (empty_lake / "raw").mkdir(parents=True, exist_ok=True)
    warehouse = work / "out" / "fixed" / "fixed.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    target = work / "targets" / "fixed"
    env = dbt_env(warehouse, empty_lake)
    cases = {
        "dbt parse (no partial parse)": dbt_command("parse", "--no-partial-parse", "--target-path", str(target)),
        "dbt build selecting nothing": dbt_command(
            "build", "--select", "tag:bench_selects_nothing", "--target-path", str(target)
        ),  # fmt: skip
        "dbt build of the stock selection, empty lake": build_command("stock", target),
    }
    out = {}
    for name, command in cases.items():
        walls, peaks = [], []
        for _ in range(repeat):
            fresh_warehouse(warehouse)
            wall, peak = measured(command, env=env)
            walls.append(wall)
            peaks.append(peak)
        out[name] = {"walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks)}
        log(f"fixed cost, {name}: {_median(walls):.1f} s")
    out["nodes_empty_build"] = dbt_node_times(target)
    return out


def encoding(options: Options) -> dict:
    """What landing the stock export costs in its own encoding (cp1252: decoded and re-encoded as UTF-8 before it
    is parsed) against the same rows in UTF-8, at the largest stock size; the export alone, into a fresh lake."""
    size = _stock_sizes(options.sizes)[-1]
    inputs = data.stock_inputs(options.work, size, options.products)
    lake = options.work / "lakes" / "encoding"
    cases = {"utf-8": (inputs.sales, None), "cp1252": (inputs.sales_cp1252, "cp1252")}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(options.repeat):
        for name, (path, declared) in cases.items():  # interleaved
            runs[name].append(measured(land_command("stock", lake, [path], declared)))
            log(f"encoding: landing the {name} export ({size:,} rows): {runs[name][-1][0]:.1f} s")
    shutil.rmtree(lake, ignore_errors=True)
    out: dict = {"size": size, "products": options.products}
    for name, (path, _) in cases.items():
        walls = [wall for wall, _ in runs[name]]
        out[name] = {"bytes": path.stat().st_size, "walls": walls, "wall_median_s": _median(walls),
                     "peak_rss_median_mib": _median([peak for _, peak in runs[name]])}  # fmt: skip
    return out


def memory(options: Options) -> dict:
    """The largest stock size end to end (landing and dbt) and the limit with DuckDB memory_limit=1GB: both must
    finish."""
    work = options.work
    size = _stock_sizes(options.sizes)[-1]
    inputs = data.stock_inputs(work, size, options.products)
    out: dict = {"size": size, "memory_limit": "1GB"}
    warehouse = work / "out" / "memory" / f"stock-{size}.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lake = work / "lakes" / "memory"
    target = work / "targets" / "memory"
    limited = {"DUCKDB_MEMORY_LIMIT": "1GB"}
    limit_command = [sys.executable, "-m", "bench.limit", "--domain", "stock", "--inputs",
                     *map(str, inputs.files), "--out", str(work / "out" / "memory" / f"limit-stock-{size}.duckdb"),
                     "--memory-limit", "1GB"]  # fmt: skip
    for name, run in (
        ("dbt", lambda: project_end_to_end("stock", inputs, lake, warehouse, target, limited)),
        ("limit", lambda: Run(*measured(limit_command))),
    ):
        try:
            result = run()
            out[name] = {"completed": True, "wall_s": result.wall, "peak_rss_mib": result.peak,
                         "parts_s": result.parts}  # fmt: skip
        except RuntimeError as error:
            out[name] = {"completed": False, "error": str(error)[-1500:]}
        log(f"memory_limit=1GB, {name} at {size:,}: {out[name]}")
    out["nodes_dbt"] = dbt_node_times(target)
    shutil.rmtree(lake, ignore_errors=True)
    return out


def _catalogue(sales_csv: Path) -> list[CatalogueItem]:
    """The products of the export, as the producer reads them (from the UTF-8 input, with DuckDB: faster)."""
    con = duckdb.connect()
    rows = con.execute(
        """select "Product ID", min("Product Name"), round(sum(cast("Sales" as double)) / sum(cast("Quantity" as
        double)), 2) from read_csv(?, header = true, all_varchar = true) group by 1 order by 1""",
        [str(sales_csv)],
    ).fetchall()
    return [CatalogueItem(pid, name, price) for pid, name, price in rows]


def _stream_lake(options: Options, name: str) -> tuple[Path, list[CatalogueItem]]:
    """A fresh lake of its own holding the 1e5-row export, landed by the project's code; the export's catalogue."""
    inputs = data.stock_inputs(options.work, STREAM_EXPORT_ROWS, options.products)
    lake = options.work / "lakes" / name
    land("stock", lake, inputs.files)
    return lake, _catalogue(inputs.sales)


def _land_events(lake: Path, producer: SalesEventProducer, events: int, batch: int, when: dt.datetime) -> float:
    """`events` events in batches of `batch`, written to the landing area as if produced at `when`, then drained
    by the project's code (ingestion.stream.drain_landing: raw copy and parsed file). Returns the drain's seconds."""
    store = open_lake(f"file://{lake}")
    for _ in range(0, events, batch):
        producer.clock = lambda: when
        records = [producer.event() for _ in range(batch)]
        write_micro_batch(store, SOURCE, EVENTS_TABLE, records, when)
    start = time.perf_counter()
    drain_landing(store, SOURCE, EVENTS_TABLE)
    return time.perf_counter() - start


def _add_history(lake: Path, producer: SalesEventProducer, events: int, days_back_from: int) -> None:
    batches = max(events // HISTORY_BATCH, 1)
    now = dt.datetime.now(dt.UTC)
    for i in range(batches):
        day = days_back_from + i % HISTORY_DAYS
        when = now - dt.timedelta(days=day, minutes=i)
        _land_events(lake, producer, HISTORY_BATCH, HISTORY_BATCH, when)


def _node_seconds(target: Path) -> float:
    """The sum of the execution times of a dbt invocation's nodes (run_results.json)."""
    times = dbt_node_times(target).get("seconds_by_type", {})
    return round(sum(times.values()), 2)


def incremental(options: Options) -> dict:
    """Micro-batches of `stream_batches` events drained and built by dbt (the stream selection) over
    `stream_history` events of history, then over twice as many."""
    work, repeat, history = options.work, options.repeat, options.stream_history
    lake, catalogue = _stream_lake(options, "incremental")
    warehouse = work / "out" / "incremental" / "incremental.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    fresh_warehouse(warehouse)
    target = work / "targets" / "incremental"
    env = dbt_env(warehouse, lake)
    producer = SalesEventProducer(catalogue, seed=7)
    out: dict = {"history_steps": [], "batch_sizes": list(options.stream_batches)}
    for step, days_back in ((1, 1), (2, 1 + HISTORY_DAYS)):
        log(f"incremental: adding {history:,} history events (step {step})")
        _add_history(lake, producer, history, days_back)
        build = project_build("--select", *selection("stock"), *STREAM_SELECTION,
                              "--indirect-selection", "cautious", "--target-path", str(target))  # fmt: skip
        wall, _ = measured(build, env=env)
        log(f"incremental: history step {step} built in {wall:.1f} s")
        entry: dict = {"history_events": history * step, "history_build_s": wall, "batches": {}}
        for size in options.stream_batches:
            walls, peaks, drains, node_seconds, slowest, cost = [], [], [], [], {}, {}
            for _ in range(repeat):
                before = _parsed_files(lake, EVENTS_PREFIX)
                drains.append(_land_events(lake, producer, size, size, dt.datetime.now(dt.UTC)))
                new = sorted(_parsed_files(lake, EVENTS_PREFIX) - before)
                command = project_build("--select", *STREAM_SELECTION, "--target-path", str(target))
                wall, peak = measured(command, env=env)
                walls.append(wall)
                peaks.append(peak)
                node_seconds.append(_node_seconds(target))
                slowest = dbt_node_times(target, top=4)
                cost = athena.incremental_cost(lake, target, "stream", new, warehouse)
            entry["batches"][str(size)] = {
                "walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks),
                "drain_s": drains, "drain_median_s": _median(drains), "node_seconds": node_seconds,
                "node_seconds_median": _median(node_seconds), "nodes": slowest, "athena": cost,
            }  # fmt: skip
            log(f"incremental: history {history * step:,}, batch {size:,}: drained in {_median(drains):.1f} s, "
                f"dbt {_median(walls):.1f} s")  # fmt: skip
        out["history_steps"].append(entry)
    return out


def _parsed_files(lake: Path, prefix: str) -> set[str]:
    """The lake keys of the parsed files under `prefix` (parsed/<source>/<table>/)."""
    root = lake / prefix
    return {path.relative_to(lake).as_posix() for path in root.rglob("*.parquet")} if root.exists() else set()


def _runs_summary(runs: list[tuple[float, float]], target: Path) -> dict:
    """Median wall seconds and peak RSS of (wall, peak) runs, and where the last dbt run spent its time."""
    walls, peaks = [wall for wall, _ in runs], [peak for _, peak in runs]
    return {"walls": walls, "wall_median_s": _median(walls), "peak_rss_median_mib": _median(peaks),
            "nodes": dbt_node_times(target, top=4)}  # fmt: skip


VELIB_PREFIX = "parsed/velib/station_status/"


def velib(options: Options) -> dict:
    """Vélib' snapshots of `velib_stations` stations every 15 minutes: the domain's dbt build over a month
    (`velib_days`) on a fresh warehouse; then the run one more snapshot triggers (`repeat` snapshots landed one at a
    time, each followed by the build); then the month before landed too (the history doubled, built once with a
    full refresh), and the run one more snapshot triggers again. Snapshots are landed by the project's code
    (land_snapshot), each delivered a minute after its data time (data.land_velib)."""
    work, repeat = options.work, options.repeat
    stations, days = options.velib_stations, options.velib_days
    snapshots = data.velib_snapshots(work, stations, 2 * days)  # two months, oldest first
    half = len(snapshots) // 2
    earlier, month = snapshots[:half], snapshots[half : -2 * repeat]
    next_month, next_doubled = snapshots[-2 * repeat : -repeat], snapshots[-repeat:]
    base = work / "lakes" / f"velib-{stations}x{days}-timed"  # delivered at their data times (data.land_velib)
    if not (base / ".complete").exists():
        log(f"velib: landing {len(month):,} snapshots")
        shutil.rmtree(base, ignore_errors=True)
        data.land_velib(base, month)
        (base / ".complete").touch()
    lake = work / "lakes" / "velib-scratch"  # the month, then the snapshots landed after it
    warehouse = work / "out" / "velib" / "velib.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    target = work / "targets" / "velib"
    build = project_build("--select", *VELIB_SELECTION, "--target-path", str(target))
    out: dict = {"stations": stations, "days": days, "snapshots": len(month), "records": len(month) * stations}

    def timed(what: str, full_refresh: bool = False) -> tuple[float, float]:
        wall, peak = measured([*build, "--full-refresh"] if full_refresh else build, env=dbt_env(warehouse, lake))
        log(f"velib: {what}: {wall:.1f} s, {peak:,.0f} MiB")
        return wall, peak

    runs = []
    for _ in range(repeat):
        fresh_warehouse(warehouse)
        shutil.rmtree(lake, ignore_errors=True)
        # hard links: the lake never rewrites a file (a write is a new file renamed into place), so the month
        # landed once stays as it is
        shutil.copytree(base, lake, copy_function=os.link)
        runs.append(timed(f"build over {len(month):,} snapshots"))
    out["month"] = _runs_summary(runs, target)

    def next_snapshots(paths: list[Path], what: str) -> dict:
        runs, landing, node_seconds, cost = [], [], [], {}
        for path in paths:
            before = _parsed_files(lake, VELIB_PREFIX)
            start = time.perf_counter()
            data.land_velib(lake, [path])
            landing.append(time.perf_counter() - start)
            new = sorted(_parsed_files(lake, VELIB_PREFIX) - before)
            runs.append(timed(what))
            node_seconds.append(_node_seconds(target))
            cost = athena.incremental_cost(lake, target, "velib", new, warehouse)
        return _runs_summary(runs, target) | {
            "landing_s": landing, "landing_median_s": _median(landing), "node_seconds": node_seconds,
            "node_seconds_median": _median(node_seconds), "athena": cost,
        }  # fmt: skip

    out["next_snapshot"] = next_snapshots(next_month, "one more snapshot over the month")
    # the month before, delivered in its time: a warehouse that has held two months (a full refresh builds it; an
    # incremental run reads the deliveries of the last hour, and these are a month older)
    log(f"velib: landing the {len(earlier):,} snapshots of the month before (the history doubled)")
    data.land_velib(lake, earlier)
    doubled = timed("two months, built (full refresh)", full_refresh=True)
    out["doubled_build"] = {"snapshots": len(earlier), **_runs_summary([doubled], target)}
    out["doubled_snapshots"] = len(earlier) + len(month) + len(next_month)
    out["next_snapshot_doubled"] = next_snapshots(next_doubled, "one more snapshot over two months")
    shutil.rmtree(lake, ignore_errors=True)
    return out


def freshness(options: Options, minutes: float = 4.0, batch_seconds: float = 10.0) -> dict:
    """Event produced → visible in the stock marts, with `dagster-daemon` running stock_sales_events_sensor.

    A producer lands a batch of 20 events every `batch_seconds` for `minutes`. The sensor keys each run by the
    newest waiting batch (orchestration/streams.py), so a batch is drained by the first run whose key is at
    least its own: it is visible when that run succeeds (its dbt build has rebuilt the marts). Afterwards the
    marts are checked to hold every produced event.
    """
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    work = options.work
    lake, catalogue = _stream_lake(options, "freshness")
    warehouse = work / "out" / "freshness" / "freshness.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    fresh_warehouse(warehouse)
    home = work / "dagster-freshness"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copyfile(REPO / "orchestration" / "dagster.yaml", home / "dagster.yaml")  # one warehouse writer at a time
    env = command_env({**dbt_env(warehouse, lake), "DAGSTER_HOME": str(home)})
    measured(build_command("stock", work / "targets" / "freshness"), env=env)
    baseline = _mart_lines(warehouse)
    subprocess.run([str(BIN / "dagster"), "sensor", "start", "stock_sales_events_sensor", "-m",
                    "orchestration.definitions"], env=env, cwd=REPO, check=True,
                   capture_output=True)  # fmt: skip
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "orchestration.definitions"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    producer = SalesEventProducer(catalogue, seed=11, duplicate_rate=0.0)
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


def shop_model(options: Options) -> dict:
    """The shop's customer model (ml/, docs/shop-ml.md) at the largest shop size (1e6 orders by default): the
    generated sample with planted behaviours; the dbt build of fct_shop__customer_features and everything it reads
    (tests included), once, on a fresh warehouse; then `python -m ml train` and `python -m ml score`, `repeat` times
    each (training the same rows again gives the same version: its files are rewritten, not added)."""
    from ml import shop as shop_model_code
    from ml import store

    work, repeat = options.work, options.repeat
    size = max(options.sizes.get("shop") or [1_000_000])
    inputs = data.shop_inputs(work, size, behaviours=True)
    lake = work / "lakes" / f"shop-model-{size}"
    land("shop", lake, inputs.files)  # untimed: the model's cost is what this section measures
    warehouse = work / "out" / f"shop-model-{size}.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    target = work / "target-shop-model"
    # plain dbt builds publish no read-only copy: the model reads the warehouse it built
    env = dbt_env(warehouse, lake, {"DUCKDB_PUBLISH": "off"})
    out: dict = {"orders": size}
    build = project_build("--select", "+fct_shop__customer_features", "--indirect-selection", "cautious",
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
