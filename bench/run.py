"""The benchmark: `make bench` (full) and `make bench-quick` (CI's smoke test).

    python -m bench.run --quick                       # 1e5 rows, one run each, agreement checked
    python -m bench.run --sizes stock=1e5,1e6,1e7 shop=1e5,1e6 --repeat 3 --products 5000
    python -m bench.run --sections incremental velib --velib 100x2

Sections (`--sections`; default all, in --quick mode only `marts`):
- marts: the stock and shop marts by each implementation from the same input files: the project end to end
  (landing into a fresh lake, then dbt build; and the same through Dagster), the limit, pandas; median wall
  time and peak RSS over `--repeat` runs, the checksums of their outputs compared, and what Athena would scan;
- encoding: landing the stock export in its own encoding (cp1252, transcoded at landing) against UTF-8;
- fixed: dbt's fixed cost (parse, a build that selects nothing);
- memory: the largest stock size end to end under DuckDB memory_limit=1GB (DUCKDB_MEMORY_LIMIT);
- incremental: a stream micro-batch drained and built by dbt, versus its size and the history's;
- velib: a month of Vélib' snapshots, then the run one more snapshot triggers, and the same over two months;
- freshness: event produced → row visible in the stock mart, with the Dagster daemon running the sensor.

Every measured command runs in a fresh process (bench/measure.py). Results are merged into
`<results>/results.json` (a later run replaces the entries it measures) and rendered by bench/report.py.
Exit status 1 when two implementations disagree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from bench import athena, checksum, data
from bench.project import MARTS, selection
from ingestion import config
from orchestration.dbt_cli import ORCHESTRATED_BUILD_EXCLUDES

REPO = config.REPO_ROOT
BIN = Path(sys.executable).parent
DEFAULT_SIZES = {"stock": [100_000, 1_000_000, 10_000_000], "shop": [100_000, 1_000_000]}
QUICK_SIZES = {"stock": [100_000], "shop": [100_000]}
# in the order they run
SECTIONS = ("marts", "encoding", "fixed", "memory", "incremental", "velib", "freshness", "shop_model")
IMPLEMENTATIONS = ("limit", "dbt", "dagster", "pandas")
# 2: the project timed end to end from the input files (issue 14); results.json of version 1 (the project's dbt
# build over a pre-landed lake) are replaced, not merged
RESULTS_VERSION = 2
# The project's settings the benchmark leaves at their defaults (a variable set in the caller's shell would
# otherwise change what is measured): DuckDB's memory limit and threads (ingestion/config.py).
DEFAULT_SETTINGS: dict[str, str | None] = {"DUCKDB_MEMORY_LIMIT": None, "DUCKDB_THREADS": None}


@dataclass
class Measurement:
    section: str
    domain: str
    size: int
    implementation: str
    walls: list[float] = field(default_factory=list)
    peaks_mib: list[float] = field(default_factory=list)
    checksums: dict[str, list] = field(default_factory=dict)
    dbt_nodes: dict = field(default_factory=dict)  # dbt only: seconds by node type and the slowest nodes
    # the project's steps, one value per run: wall seconds of "landing" and "dbt", and their peak RSS
    parts: dict[str, list[float]] = field(default_factory=dict)
    part_peaks_mib: dict[str, list[float]] = field(default_factory=dict)
    landed: list = field(default_factory=list)  # the project's landing: records and rejects per file
    athena: dict = field(default_factory=dict)  # what the dbt build would scan on Athena (bench/athena.py)

    @property
    def key(self) -> str:
        return f"{self.section}/{self.domain}/{self.size}/{self.implementation}"

    def summary(self) -> dict:
        out = asdict(self)
        if self.walls:
            out["wall_median_s"] = statistics.median(self.walls)
            out["peak_rss_median_mib"] = statistics.median(self.peaks_mib)
            out["rows_per_s"] = self.size / out["wall_median_s"] if self.size else None
        out["parts_median_s"] = {name: statistics.median(walls) for name, walls in self.parts.items() if walls}
        return out


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def command_env(env: dict[str, str | None] | None = None) -> dict[str, str]:
    """The environment of a measured command: the caller's, the project's settings at their defaults, then `env`
    (a None value removes the variable)."""
    merged: dict[str, str | None] = {**os.environ, **DEFAULT_SETTINGS, **(env or {})}
    return {key: value for key, value in merged.items() if value is not None}


def measured(
    command: list[str], env: dict[str, str | None] | None = None, cwd: Path | None = None
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `command`, run through bench.measure; raises when it fails."""
    wall, peak, _ = measured_with_log(command, env, cwd)
    return wall, peak


def measured_with_log(
    command: list[str], env: dict[str, str | None] | None = None, cwd: Path | None = None
) -> tuple[float, float, str]:
    """`measured`, and what the command wrote to its standard error (its log)."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.measure", "--", *command],
        env=command_env(env),
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"returncode": completed.returncode}
    if completed.returncode or result["returncode"]:
        tail = "\n".join(completed.stderr.splitlines()[-40:])
        raise RuntimeError(f"{' '.join(command)} failed ({result['returncode']}):\n{tail}")
    return result["wall_s"], result["peak_rss_mib"], completed.stderr


# What the Dagster run says it spent after dbt ended (orchestration/dbt.py logs both): reading the built tables'
# row counts and columns for the materializations' metadata, and publishing the warehouse for readers (what
# `make dbt-build` does too, after `dbt build`).
DAGSTER_LOG_PARTS = {
    "metadata": re.compile(r"row counts and columns of \d+ built tables read in ([0-9.]+) s"),
    "publish": re.compile(r"published the warehouse for readers: .* in ([0-9.]+) s"),
}


def dagster_log_parts(log_text: str) -> dict[str, float]:
    """The seconds of each DAGSTER_LOG_PARTS step found in a Dagster run's log (summed over its dbt steps)."""
    parts: dict[str, float] = {}
    for name, pattern in DAGSTER_LOG_PARTS.items():
        found = [float(seconds) for seconds in pattern.findall(log_text)]
        if found:
            parts[name] = sum(found)
    return parts


def dbt_env(warehouse: Path, lake: Path, extra: dict[str, str | None] | None = None) -> dict[str, str | None]:
    return {"DBT_TARGET": "dev", "DUCKDB_PATH": str(warehouse), "LAKE_URL": f"file://{lake}", **(extra or {})}


def dbt_command(*args: str) -> list[str]:
    return [str(BIN / "dbt"), *args, "--project-dir", str(config.DBT_PROJECT_DIR),
            "--profiles-dir", str(config.DBT_PROFILES_DIR)]  # fmt: skip


# The ingestion assets that land a domain's inputs (what `bench.land` does, through Dagster), and the settings
# that point them at the benchmark's input files (the other inputs of the domain unset).
RAW_ASSETS = {
    "stock": ["stock/raw_sales", "stock/raw_inventory_snapshots"],
    "shop": ["shop/raw_clients", "shop/raw_orders"],
}


def input_settings(domain: str, inputs: data.StockInputs | data.ShopInputs) -> dict[str, str | None]:
    if isinstance(inputs, data.StockInputs):
        return {"STOCK_SALES_CSV": str(inputs.sales), "STOCK_INVENTORY_CSV": str(inputs.inventory),
                "STOCK_SALES_ENCODING": None, "STOCK_EVENTS_KINESIS_STREAM": None}  # fmt: skip
    return {"SHOP_CLIENTS_PATH": str(inputs.clients), "SHOP_ORDERS_PATH": str(inputs.orders),
            "SHOP_ONLINE_RETAIL_PATH": None}  # fmt: skip


def dagster_keys(domain: str, env: dict[str, str | None]) -> list[str]:
    """The asset keys the Dagster run materializes: the domain's ingestion assets (RAW_ASSETS), and the models and
    seeds the dbt selection builds (dagster-dbt prefixes a node with its custom schema: the seeds live in `seeds`,
    the models in the default schema)."""
    completed = subprocess.run(
        [*dbt_command("ls", "--select", *selection(domain), "--resource-type", "model", "seed",
                      "--output", "json", "--output-keys", "name", "resource_type", "config", "--quiet")],  # fmt: skip
        env=command_env(env), cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    keys = list(RAW_ASSETS[domain])
    for line in completed.stdout.splitlines():
        if line.strip().startswith("{"):
            node = json.loads(line)
            if node["config"].get("materialized") == "ephemeral":
                continue  # compiled into the models that read it: no asset of its own
            schema = node["config"].get("schema")
            keys.append(f"{schema}/{node['name']}" if schema else node["name"])
    return sorted(keys)


def dagster_home(work: Path) -> Path:
    home = work / "dagster-home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return home


def dbt_target_path(work: Path, domain: str, size: int) -> Path:
    return work / "targets" / f"dbt-{domain}-{size}"


def dbt_node_times(target: Path, top: int = 6) -> dict:
    """Where a dbt invocation spent its time (run_results.json): seconds per node type, the slowest nodes."""
    path = target / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())["results"]
    by_type: dict[str, float] = {}
    for result in results:
        kind = result["unique_id"].split(".")[0]
        by_type[kind] = by_type.get(kind, 0.0) + (result.get("execution_time") or 0.0)
    ranked = sorted(results, key=lambda r: r.get("execution_time") or 0.0, reverse=True)[:top]
    slowest = [[r["unique_id"].split(".")[2 if r["unique_id"].startswith("test") else -1],
                round(r.get("execution_time") or 0.0, 2)] for r in ranked]  # fmt: skip
    return {"seconds_by_type": {k: round(v, 2) for k, v in by_type.items()}, "nodes": len(results), "slowest": slowest}


@dataclass
class Run:
    wall: float
    peak: float
    parts: dict[str, float] = field(default_factory=dict)  # the project: landing and dbt, seconds
    part_peaks: dict[str, float] = field(default_factory=dict)


def fresh_warehouse(path: Path) -> None:
    """No warehouse file (nor its WAL, spill folder or published copy): the seeds, views and tables are all built."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)
    shutil.rmtree(path.parent / "published", ignore_errors=True)


def project_build(*args: str) -> list[str]:
    """`dbt build` as the project's runs make it: without dbt's unit tests, which run in CI
    (ORCHESTRATED_BUILD_EXCLUDES)."""
    return dbt_command("build", *ORCHESTRATED_BUILD_EXCLUDES, *args)


def build_command(domain: str, target: Path) -> list[str]:
    # cautious: the tests of the selected models, less those that also read a model left out; a target path of
    # its own, so that run_results.json is this run's whatever else runs
    return project_build("--select", *selection(domain), "--indirect-selection", "cautious",
                         "--target-path", str(target))  # fmt: skip


def land_command(domain: str, lake: Path, files: list[Path], encoding: str | None = None) -> list[str]:
    command = [sys.executable, "-m", "bench.land", "--domain", domain, "--lake", str(lake),
               "--inputs", *map(str, files)]  # fmt: skip
    return command + (["--encoding", encoding] if encoding else [])


def saved_parse(target: Path, env: dict[str, str | None]) -> None:
    """dbt's parse into `target` with the build's settings, untimed, as the Dagster runs start from the parse
    `make manifest` saves: the first build of a new target folder would otherwise time a whole parse (about 8 s)
    that the later ones skip. Quick when the saved parse is current (dbt parses partially)."""
    parsed = subprocess.run(dbt_command("parse", "--quiet", "--target-path", str(target)), env=command_env(env),
                            cwd=REPO, capture_output=True, text=True)  # fmt: skip
    if parsed.returncode != 0:
        raise RuntimeError(f"dbt parse into {target} failed:\n{(parsed.stdout + parsed.stderr)[-3000:]}")


def project_end_to_end(
    domain: str,
    inputs: data.StockInputs | data.ShopInputs,
    lake: Path,
    warehouse: Path,
    target: Path,
    extra: dict[str, str | None] | None = None,
) -> Run:
    """The project from the input files: landed into a fresh lake (bench.land: ingest_files, what the ingestion
    assets run), then `dbt build` on a fresh warehouse; two measured processes, one after the other, from a saved
    parse."""  # fmt: skip
    fresh_warehouse(warehouse)
    env = dbt_env(warehouse, lake, extra)
    saved_parse(target, env)
    land_wall, land_peak = measured(land_command(domain, lake, inputs.files), env=env)
    dbt_wall, dbt_peak = measured(build_command(domain, target), env=env)
    return Run(land_wall + dbt_wall, max(land_peak, dbt_peak), {"landing": land_wall, "dbt": dbt_wall},
               {"landing": land_peak, "dbt": dbt_peak})  # fmt: skip


def run_implementation(
    name: str, domain: str, size: int, inputs: data.StockInputs | data.ShopInputs, out: Path, work: Path
) -> Run:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = [str(path) for path in inputs.files]
    if name in ("limit", "pandas"):
        module = "bench.limit" if name == "limit" else "bench.pandas_way"
        command = [sys.executable, "-m", module, "--domain", domain, "--inputs", *files, "--out", str(out)]
        return Run(*measured(command))
    lake = project_lake(work, domain, size)
    if name == "dbt":
        return project_end_to_end(domain, inputs, lake, out, dbt_target_path(work, domain, size))
    if name == "dagster":
        fresh_warehouse(out)
        shutil.rmtree(lake, ignore_errors=True)
        env = {**dbt_env(out, lake), **input_settings(domain, inputs), "DAGSTER_HOME": str(dagster_home(work))}
        nodes = ",".join(dagster_keys(domain, env))
        # the manifest parsed with this run's environment, as `make manifest` does for the demo and `dagster dev`
        # (not timed): otherwise dbt parses the whole project again inside the run ("profile has changed")
        subprocess.run([sys.executable, "-m", "orchestration.dbt_cli"], env=command_env(env), cwd=REPO, check=True)
        # the stream's base model is partitioned by day (orchestration/partitions.py), and reads every delivery not
        # read yet whatever the run's day: today's partition
        today = dt.datetime.now(dt.UTC).date().isoformat()
        days = f"{today}...{today}"
        command = [str(BIN / "dagster"), "asset", "materialize", "-m", "orchestration.definitions", "--select", nodes,
                   "--partition-range", days]  # fmt: skip
        wall, peak, log_text = measured_with_log(command, env=env)
        parts = dagster_log_parts(log_text)
        return Run(wall, peak, parts, {part: peak for part in parts})
    raise ValueError(name)


def project_lake(work: Path, domain: str, size: int) -> Path:
    """The lake the project lands a size's inputs into (replaced by every run)."""
    return work / "lakes" / f"{domain}-{size}"


def marts_section(
    work: Path, sizes: dict[str, list[int]], repeat: int, implementations: list[str], save=lambda rows: None,
    products: int = data.PRODUCTS,
) -> list[Measurement]:  # fmt: skip
    results = []
    disagreements = []
    for domain, domain_sizes in sizes.items():
        for size in domain_sizes:
            log(f"{domain} {size:,}: preparing the input files")
            inputs = data.inputs_for(work, domain, size, products)
            # each implementation writes its marts in a folder of its own (Dagster publishes a copy beside them)
            outputs = {name: work / "out" / name / f"{domain}-{size}.duckdb" for name in implementations}
            rows = {name: Measurement("marts", domain, size, name) for name in implementations}
            for attempt in range(repeat):
                for name in implementations:  # interleaved, so a slow spell of the machine hits them all
                    run = run_implementation(name, domain, size, inputs, outputs[name], work)
                    row = rows[name]
                    row.walls.append(run.wall)
                    row.peaks_mib.append(run.peak)
                    for part, seconds in run.parts.items():
                        row.parts.setdefault(part, []).append(seconds)
                        row.part_peaks_mib.setdefault(part, []).append(run.part_peaks[part])
                    split = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in run.parts.items())
                    log(f"{domain} {size:,} {name} run {attempt + 1}/{repeat}: {run.wall:.1f} s"
                        f"{f' ({split})' if split else ''}, {run.peak:,.0f} MiB")  # fmt: skip
                    if name == "dbt":
                        target = dbt_target_path(work, domain, size)
                        row.dbt_nodes = dbt_node_times(target)
                        if attempt == repeat - 1:
                            lake = project_lake(work, domain, size)
                            row.landed = landed_files(lake)
                            row.athena = athena.build_cost(lake, target, f"{domain}_build")
            for mart, columns in MARTS[domain].items():
                sums = {}
                for name in implementations:
                    con = duckdb.connect(str(outputs[name]), read_only=True)
                    sums[name] = checksum.checksum(con, f"main.{mart}", columns)
                    rows[name].checksums[mart] = [sums[name].rows, sums[name].md5]
                    con.close()
                reference = implementations[0]
                for name in implementations[1:]:
                    if sums[name] != sums[reference]:
                        disagreements.append(
                            f"{domain} {size:,} {mart}: {name} {sums[name]} ≠ {reference} {sums[reference]}"
                        )
                        diff = _diff(outputs, reference, name, mart, columns)
                        disagreements.append("\n".join(f"  {side} {line}" for side, line in diff))
            results.extend(rows.values())
            save(list(rows.values()))  # each size as soon as it is measured: a long run keeps what it did
    if disagreements:
        raise Disagreement("\n".join(disagreements), results)
    return results


def landed_files(lake: Path) -> list[dict]:
    """What the landing wrote: each parsed file's records and rejected records (read from the parsed zone)."""
    con = duckdb.connect()
    rows = con.execute(
        f"select regexp_extract(filename, 'parsed/([^/]+/[^/]+)/', 1), count(*), count(_parse_error) "
        f"from read_parquet('{lake}/parsed/*/*/dt=*/*.parquet', filename = true, union_by_name = true) group by 1 "
        "order by 1"
    ).fetchall()
    con.close()
    return [{"table": table, "records": records, "rejected": rejected} for table, records, rejected in rows]


def _diff(outputs: dict[str, Path], a: str, b: str, mart: str, columns: list[str]) -> list[tuple[str, str]]:
    con = duckdb.connect()
    rels = []
    for name in (a, b):
        con.execute(f"attach '{outputs[name]}' as db_{name} (read_only)")
        rels.append(f"db_{name}.main.{mart}")
    return checksum.differing_lines(con, rels[0], rels[1], columns)


class Disagreement(Exception):
    def __init__(self, message: str, results: list[Measurement]):
        super().__init__(message)
        self.results = results


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        memory_kib = 0
    versions = {"python": platform.python_version()}
    from importlib.metadata import version

    for package in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt", "pandas", "numpy"):
        versions[package] = version(package)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "load_average": list(os.getloadavg()),
        "versions": versions,
        "commit": commit.strip(),
    }


def merge_results(path: Path, measurements: list[dict], extra: dict) -> dict:
    """Merge into `path`: the entries measured now replace those with the same key; the machine is appended. A file
    of another RESULTS_VERSION is replaced."""
    current = json.loads(path.read_text()) if path.exists() else {}
    if current.get("version") != RESULTS_VERSION:  # figures of another layout are not merged with these
        current = {"version": RESULTS_VERSION, "measurements": {}, "runs": [], "sections": {}}
    for entry in measurements:
        current["measurements"][entry["key"]] = entry
    for key, value in extra.items():
        current["sections"][key] = value
    current["runs"].append(machine())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=1, sort_keys=True, default=str) + "\n")
    return current


@dataclass(frozen=True)
class Options:
    """What the sections besides the marts are measured on (command-line options of the same names)."""

    work: Path
    sizes: dict[str, list[int]]
    repeat: int
    products: int = data.PRODUCTS
    velib_stations: int = 1_500
    velib_days: int = 30  # one month; the doubled history is twice as many days before its end
    stream_history: int = 1_000_000  # events of history before the micro-batches, then as many again
    stream_batches: tuple[int, ...] = (1_000, 10_000, 100_000)


def parse_velib(value: str) -> tuple[int, int]:
    stations, _, days = value.lower().partition("x")
    if not (stations.isdigit() and days.isdigit() and int(stations) >= 10 and int(days) >= 1):
        raise argparse.ArgumentTypeError(
            f"--velib takes STATIONSxDAYS (at least 10 stations), e.g. 1500x30, not {value!r}"
        )
    return int(stations), int(days)


def parse_sizes(values: list[str]) -> dict[str, list[int]]:
    sizes: dict[str, list[int]] = {}
    for value in values:
        domain, _, numbers = value.partition("=")
        if domain not in MARTS or not numbers:
            raise argparse.ArgumentTypeError(f"--sizes takes domain=n,n (domain stock or shop), not {value!r}")
        sizes[domain] = [int(float(n)) for n in numbers.split(",")]
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1e5 rows, one run, marts only (CI's smoke test)")
    parser.add_argument("--sizes", nargs="+", default=None, help="domain=n,n… e.g. stock=1e5,1e6 shop=1e5")
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (median); default 3, quick 1")
    parser.add_argument("--implementations", nargs="+", choices=IMPLEMENTATIONS, default=None)
    parser.add_argument("--sections", nargs="+", choices=SECTIONS)
    parser.add_argument("--work", type=Path, default=config.data_dir() / "bench", help="data and outputs")
    parser.add_argument("--results", type=Path, default=None, help="results folder (default bench/results)")
    parser.add_argument("--products", type=int, default=data.PRODUCTS,
                        help=f"stock catalogue size (default {data.PRODUCTS:,})")  # fmt: skip
    parser.add_argument("--velib", type=parse_velib, default=(1_500, 30), metavar="STATIONSxDAYS",
                        help="Vélib': stations and days of snapshots every 15 minutes (default 1500x30)")  # fmt: skip
    parser.add_argument("--stream-history", type=lambda v: int(float(v)), default=1_000_000,
                        help="events of history before the micro-batches (default 1e6, then twice)")  # fmt: skip
    parser.add_argument("--stream-batches", type=lambda v: int(float(v)), nargs="+",
                        default=[1_000, 10_000, 100_000], help="micro-batch sizes (default 1e3 1e4 1e5)")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes) if args.sizes else (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    repeat = args.repeat or (1 if args.quick else 3)
    implementations = args.implementations or (
        ["limit", "dbt", "pandas"] if args.quick else ["limit", "dbt", "dagster", "pandas"]
    )
    if implementations[0] != "limit":
        implementations = ["limit", *[i for i in implementations if i != "limit"]]
    sections = args.sections or (["marts"] if args.quick else list(SECTIONS))
    results_dir = args.results or (args.work / "quick-results" if args.quick else REPO / "bench" / "results")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # dbt's target folder for the runs that have none of their own (the Dagster runs' parse, `dbt ls`): the work
    # folder's, so that the benchmark never replaces the parse `make dev` or a test session left
    DEFAULT_SETTINGS.update(DBT_TARGET_PATH=str(work / "targets" / "project"), DBT_LOG_PATH=str(work / "logs"))

    from bench import report
    from bench import sections as extra_sections

    results_path = results_dir / "results.json"

    def save(measurements: list[Measurement], extra: dict | None = None) -> dict:
        current = merge_results(results_path, [m.summary() | {"key": m.key} for m in measurements], extra or {})
        report.write(results_dir, current)
        return current

    options = Options(work, sizes, repeat, args.products, *args.velib, args.stream_history,
                      tuple(args.stream_batches))  # fmt: skip
    status = 0
    if "marts" in sections:
        try:
            marts_section(work, sizes, repeat, implementations, save, args.products)
        except Disagreement as error:
            log(f"the implementations disagree:\n{error}")
            status = 1
    for name in SECTIONS[1:]:
        if name in sections:
            log(f"section {name}")
            save([], {name: getattr(extra_sections, name)(options)})
    print((results_dir / "results.md").read_text())
    return status


if __name__ == "__main__":
    sys.exit(main())
