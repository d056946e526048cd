"""The benchmark: `make bench` (full) and `make bench-quick` (CI's smoke test).

    python -m bench.run --quick                       # 1e5 rows, one run each, agreement checked
    python -m bench.run --sizes stock=1e5,1e6,1e7 shop=1e5,1e6 --repeat 3
    python -m bench.run --sections incremental fixed memory freshness

Sections (`--sections`, default all but freshness in --quick mode: only `marts`):
- marts: the stock and shop marts by each implementation (dbt build, the same through Dagster, the limit,
  pandas), median wall time and peak RSS over `--repeat` runs, and the checksums of their outputs compared;
- fixed: dbt's fixed cost (parse, a build that selects nothing);
- memory: the largest stock size by dbt under DuckDB memory_limit=1GB (DUCKDB_MEMORY_LIMIT);
- incremental: a stream micro-batch through dbt versus its size, and versus the history size;
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
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from bench import checksum, data
from bench.project import MARTS
from ingestion import config

REPO = config.REPO_ROOT
BIN = Path(sys.executable).parent
DEFAULT_SIZES = {"stock": [100_000, 1_000_000, 10_000_000], "shop": [100_000, 1_000_000]}
QUICK_SIZES = {"stock": [100_000], "shop": [100_000]}
SECTIONS = ("marts", "fixed", "memory", "incremental", "velib", "freshness", "shop_model")  # in the order they run
IMPLEMENTATIONS = ("limit", "dbt", "dagster", "pandas")


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

    @property
    def key(self) -> str:
        return f"{self.section}/{self.domain}/{self.size}/{self.implementation}"

    def summary(self) -> dict:
        out = asdict(self)
        if self.walls:
            out["wall_median_s"] = statistics.median(self.walls)
            out["peak_rss_median_mib"] = statistics.median(self.peaks_mib)
            out["rows_per_s"] = self.size / out["wall_median_s"] if self.size else None
        return out


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measured(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `command`, run through bench.measure; raises when it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.measure", "--", *command],
        env={**os.environ, **(env or {})},
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
    return result["wall_s"], result["peak_rss_mib"]


def dbt_env(warehouse: Path, lake: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"DBT_TARGET": "dev", "DUCKDB_PATH": str(warehouse), "LAKE_URL": f"file://{lake}", **(extra or {})}


def dbt_command(*args: str) -> list[str]:
    return [str(BIN / "dbt"), *args, "--project-dir", str(config.DBT_PROJECT_DIR),
            "--profiles-dir", str(config.DBT_PROFILES_DIR)]  # fmt: skip


# Models outside the compared marts' lineage that tests of the selected models read (Dagster selects tests eagerly)
TESTED_AGAINST = {"shop": ["dim_shop__dates"], "stock": []}


def selection(domain: str) -> list[str]:
    """The compared marts and everything upstream, plus the domain's staging (its quarantine models, which the
    reconciliation tests of the staged models read) and the models that their tests compare with."""
    marts = [f"+{mart}" for mart in MARTS[domain]]
    return [*marts, f"path:models/staging/{domain}", *TESTED_AGAINST[domain]]


def dagster_keys(domain: str, env: dict[str, str]) -> list[str]:
    """The asset keys of the models and seeds the selection builds (dagster-dbt prefixes a node with its custom
    schema: the seeds live in `seeds`, the models in the default schema)."""
    completed = subprocess.run(
        [*dbt_command("ls", "--select", *selection(domain), "--resource-type", "model", "seed",
                      "--output", "json", "--output-keys", "name", "resource_type", "config", "--quiet")],  # fmt: skip
        env={**os.environ, **env}, cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    keys = []
    for line in completed.stdout.splitlines():
        if line.strip().startswith("{"):
            node = json.loads(line)
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


def run_implementation(name: str, domain: str, size: int, lake: Path, out: Path, work: Path) -> tuple[float, float]:
    out.parent.mkdir(parents=True, exist_ok=True)
    if name == "limit":
        command = [sys.executable, "-m", "bench.limit", "--domain", domain, "--lake", str(lake), "--out", str(out)]
        return measured(command)
    if name == "pandas":
        command = [sys.executable, "-m", "bench.pandas_way", "--domain", domain, "--lake", str(lake), "--out", str(out)]
        return measured(command)
    out.unlink(missing_ok=True)  # a fresh warehouse each run: the seeds, the views and the tables are all built
    env = dbt_env(out, lake)
    if name == "dbt":
        # cautious: the tests of the selected models, less those that also read a model left out; a target path of
        # its own, so that run_results.json is this run's whatever else runs
        target = dbt_target_path(work, domain, size)
        command = dbt_command("build", "--select", *selection(domain), "--indirect-selection", "cautious",
                              "--target-path", str(target))  # fmt: skip
        return measured(command, env=env)
    if name == "dagster":
        env["DAGSTER_HOME"] = str(dagster_home(work))
        nodes = ",".join(dagster_keys(domain, env))
        # the manifest parsed with this run's environment, as `make manifest` does for the demo and `dagster dev`
        # (not timed): otherwise dbt parses the whole project again inside the run ("profile has changed")
        subprocess.run([sys.executable, "-m", "orchestration.dbt_cli"], env={**os.environ, **env}, cwd=REPO, check=True)
        # the stream's base model is partitioned by day (orchestration/partitions.py), and reads every delivery not
        # read yet whatever the run's day: today's partition
        today = dt.datetime.now(dt.UTC).date().isoformat()
        days = f"{today}...{today}"
        command = [str(BIN / "dagster"), "asset", "materialize", "-m", "orchestration.definitions", "--select", nodes,
                   "--partition-range", days]  # fmt: skip
        return measured(command, env=env)
    raise ValueError(name)


def marts_section(
    work: Path, sizes: dict[str, list[int]], repeat: int, implementations: list[str], save=lambda rows: None
) -> list[Measurement]:
    results = []
    disagreements = []
    for domain, domain_sizes in sizes.items():
        for size in domain_sizes:
            log(f"{domain} {size:,}: preparing the data")
            lake = data.lake_for(work, domain, size)
            outputs = {name: work / "out" / f"{name}-{domain}-{size}.duckdb" for name in implementations}
            rows = {name: Measurement("marts", domain, size, name) for name in implementations}
            for attempt in range(repeat):
                for name in implementations:  # interleaved, so a slow spell of the machine hits them all
                    wall, peak = run_implementation(name, domain, size, lake, outputs[name], work)
                    rows[name].walls.append(wall)
                    rows[name].peaks_mib.append(peak)
                    if name == "dbt":
                        rows[name].dbt_nodes = dbt_node_times(dbt_target_path(work, domain, size))
                    log(f"{domain} {size:,} {name} run {attempt + 1}/{repeat}: {wall:.1f} s, {peak:,.0f} MiB")
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
    """Merge into `path`: the entries measured now replace those with the same key; the machine is appended."""
    current = json.loads(path.read_text()) if path.exists() else {"measurements": {}, "runs": [], "sections": {}}
    for entry in measurements:
        current["measurements"][entry["key"]] = entry
    for key, value in extra.items():
        current["sections"][key] = value
    current["runs"].append(machine())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=1, sort_keys=True, default=str) + "\n")
    return current


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

    from bench import report
    from bench import sections as extra_sections

    results_path = results_dir / "results.json"

    def save(measurements: list[Measurement], extra: dict | None = None) -> dict:
        current = merge_results(results_path, [m.summary() | {"key": m.key} for m in measurements], extra or {})
        report.write(results_dir, current)
        return current

    status = 0
    if "marts" in sections:
        try:
            marts_section(work, sizes, repeat, implementations, save)
        except Disagreement as error:
            log(f"the implementations disagree:\n{error}")
            status = 1
    for name in SECTIONS[1:]:
        if name in sections:
            log(f"section {name}")
            save([], {name: getattr(extra_sections, name)(work, sizes, repeat)})
    print((results_dir / "results.md").read_text())
    return status


if __name__ == "__main__":
    sys.exit(main())
