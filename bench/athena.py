"""What a dbt run would cost on Athena, computed from the lake's files and the run's manifest, not guessed.

Athena bills the bytes each query scans: $5 per TB (10^12 bytes here), each query rounded up to the megabyte
(10^6 bytes) with a 10 MB minimum. A dbt run on Athena is one query per table or incremental model (two for
an incremental model that already exists: the select into a temporary table, then the merge), one per data test
and unit test; views and the raw relations are DDL, not billed. For each run the benchmark measures:

- **Lake bytes.** The queries that read the lake: an executed node whose upstream, through views, reaches a
  source. What each reads:
  - *after* (the parsed zone): the Parquet column chunks of the columns its compiled SQL names (a word match of
    the parsed columns; `count(*)` names none: Athena reads the footers only) in the files of the partitions it
    reads. A full build reads every file, except a query that reads only the deliveries from a time on
    (raw_records_since, the Vélib' reconciliation): the partitions from that day. An incremental base model on
    Athena reads the partitions from the latest one it has read minus `staging_lookback_days`
    (macros/staging/contract.sql, default__unread_records);
    a file's partition is its delivery date in production: the date of the raw file it was parsed from when its
    name carries one (a snapshot or a batch delivered when taken), else its dt= folder. (The benchmark lands a
    month of snapshots in minutes, so its own dt folders all say today.)
  - *before* (commit 7cc1346, the raw text files): every query that read a raw relation scanned every raw file
    of it, every run (text: no column pruning; its incremental models filtered after the scan on Athena). Which
    queries read which raw relations comes from 7cc1346's manifest, for the same selections
    (`athena_before.json`, written by `python -m bench.athena --derive-before`); the bytes are this lake's
    raw/ files (the original bytes, as the old layout stored them for UTF-8 inputs).
- **Lookups** (after, incremental runs): what an incremental base model reads of its own table to decide what is
  new and who wins (contract.sql): `ingested_date` and `_delivery_id` always; with `keep: first` the key and
  `reject_reason` too; with `keep: latest` or `latest_file` every column (the earlier winners of the keys
  delivered again). Sized as those columns of the built table written as Parquet (zstd), whole: an upper bound
  (Trino's dynamic filtering may skip the files whose key range misses the new keys).
- **Billed.** Each lake-reading query billed its bytes (10 MB minimum); every other query of the run at the
  10 MB minimum: what it reads of dbt's own tables is not estimated, so the total is a floor for those.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from bench.project import DBT_RUNS

PRICE_PER_TB = 5.0
TB = 10**12
MB = 10**6
MIN_BYTES = 10 * MB
BEFORE_COMMIT = "7cc1346"
BEFORE_FILE = Path(__file__).parent / "athena_before.json"
SCANNING = ("table", "incremental")  # the materializations whose build is a query that reads its inputs


def billed(scanned: int) -> int:
    """Bytes billed for one query that scans `scanned` bytes."""
    return max(MIN_BYTES, math.ceil(scanned / MB) * MB)


def price(bytes_billed: int) -> float:
    return bytes_billed / TB * PRICE_PER_TB


def lake_reads(manifest: dict, executed: list[str]) -> dict[str, list[str]]:
    """For each executed node that runs a query, the sources it reads through views (empty: it reads none)."""
    nodes = manifest["nodes"]
    out: dict[str, list[str]] = {}
    for unique_id in executed:
        node = nodes.get(unique_id) or manifest.get("unit_tests", {}).get(unique_id)
        if node is None:
            continue
        kind = node["resource_type"]
        if kind == "model" and node["config"]["materialized"] not in SCANNING:
            continue
        if kind not in ("model", "test", "unit_test"):
            continue
        if kind == "unit_test":  # fixtures replace its inputs
            out[unique_id] = []
            continue
        found: set[str] = set()
        pending = list(node["depends_on"]["nodes"])
        seen: set[str] = set()
        while pending:
            parent = pending.pop()
            if parent in seen:
                continue
            seen.add(parent)
            if parent.startswith("source."):
                found.add(parent)
            elif parent in nodes and nodes[parent]["config"].get("materialized") in ("view", "ephemeral"):
                pending.extend(nodes[parent]["depends_on"]["nodes"])
        out[unique_id] = sorted(found)
    return out


def queries(manifest: dict, executed: list[str], incremental_run: bool) -> int:
    """The queries a run of `executed` sends to Athena (see the module's docstring)."""
    count = 0
    for unique_id, _ in lake_reads(manifest, executed).items():
        node = manifest["nodes"].get(unique_id)
        count += 2 if incremental_run and node and node["config"]["materialized"] == "incremental" else 1
    return count


# --- the lake's files ---------------------------------------------------------------------------------------------

_OWN_TIME = re.compile(r"^\d{8}T\d+Z-(\d{4})(\d{2})(\d{2})T\d{6}Z-")
# raw_records_since (macros/sources/create_raw_relations.sql): a query that reads only the deliveries from a time
# on; on Athena its `dt >= date '…'` prunes the partitions before that day (the Vélib' reconciliation's window)
_SINCE = re.compile(r"delivered\._delivered_at >= timestamp '(\d{4})-(\d{2})-(\d{2})")


def delivered_since(sql: str) -> dt.date | None:
    """The first day a query reads of the lake when it reads only the deliveries from a time on (None: all)."""
    match = _SINCE.search(sql)
    return dt.date(int(match[1]), int(match[2]), int(match[3])) if match else None


def production_date(key: str) -> dt.date:
    """The partition (delivery date) a parsed file has in production: the date of the raw file it was parsed from
    when its name carries one (`<delivery time>Z-<raw time>Z-…`: a snapshot), else its dt= folder."""
    name = key.rsplit("/", 1)[-1]
    match = _OWN_TIME.match(name)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    folder = re.search(r"/dt=(\d{4}-\d{2}-\d{2})/", key)
    if not folder:
        raise ValueError(f"{key}: not in a dt= partition")
    return dt.date.fromisoformat(folder[1])


def files_under(lake: Path, prefix: str, suffix: str = "") -> list[str]:
    root = lake / prefix
    if not root.exists():
        return []
    return sorted(p.relative_to(lake).as_posix() for p in root.rglob(f"*{suffix}") if p.is_file()
                  and not p.name.startswith((".", "_")))  # fmt: skip


def column_bytes(lake: Path, keys: list[str]) -> dict[str, dict[str, int]]:
    """For each parsed file, the compressed bytes of each column (its Parquet metadata)."""
    out: dict[str, dict[str, int]] = {key: {} for key in keys}
    if not keys:
        return out
    con = duckdb.connect()
    rows = con.execute(
        "select file_name, path_in_schema, sum(total_compressed_size) from parquet_metadata(?) group by 1, 2",
        [[str(lake / key) for key in keys]],
    ).fetchall()
    con.close()
    root = str(lake) + "/"
    for file_name, column, size in rows:
        out[file_name.removeprefix(root)][column] = int(size)
    return out


def _source_prefixes(manifest: dict, source_id: str) -> tuple[str, str]:
    path = manifest["sources"][source_id]["meta"]["lake"]["path"].strip("/")
    return path + "/", "parsed/" + path.removeprefix("raw/") + "/"


def _columns_named(sql: str, columns: list[str]) -> list[str]:
    """The columns `sql` names: word matches outside quoted identifiers (a relation such as "raw_stock"."sales"
    does not name the column sales) and outside comments."""
    text = re.sub(r'"[^"]*"', " ", re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S))
    return [c for c in columns if re.search(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", text)]


def _run(target: Path) -> tuple[dict, list[dict]]:
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    return manifest, results


def _lookback_days(manifest: dict) -> int:
    import yaml

    from ingestion.config import DBT_PROJECT_DIR

    return int(
        yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"].get("staging_lookback_days", 3)
    )


def _lookup_columns(manifest: dict, model: dict, source_id: str, table_columns: list[str]) -> list[str]:
    contract = manifest["sources"][source_id]["meta"].get("contract") or {}
    keep = contract.get("keep", "all")
    if keep in ("latest", "latest_file"):
        return table_columns
    columns = ["ingested_date", "_delivery_id"]
    if keep == "first":
        columns += [*contract.get("key", []), "reject_reason"]
    return [c for c in columns if c in table_columns]


def _table_column_bytes(warehouse: Path, model: dict, columns: list[str]) -> int:
    """The bytes of `columns` of a built table, written as Parquet (zstd) the way an Iceberg table stores them."""
    if not columns:
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-athena-") as work:
        out = Path(work) / "table.parquet"
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            selected = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"copy (select {selected} from \"{model['schema']}\".\"{model['alias']}\") to '{out}' "
                        "(format parquet, compression zstd)")  # fmt: skip
            size = con.execute(f"select sum(total_compressed_size) from parquet_metadata('{out}')").fetchone()[0]
        finally:
            con.close()
    return int(size or 0)


def after_cost(lake: Path, target: Path, new_files: list[str] | None = None, warehouse: Path | None = None) -> dict:
    """What the dbt invocation whose artifacts are in `target` would scan on Athena over the parsed zone of
    `lake`. `new_files`: the parsed files landed since the previous run (None: a full build on a fresh warehouse);
    `warehouse`: the built DuckDB file, for the lookups of an incremental run."""
    manifest, results = _run(target)
    executed = [r["unique_id"] for r in results if r.get("status") in ("success", "pass", "warn", "fail")]
    code = {r["unique_id"]: r.get("compiled_code") or "" for r in results}
    reads = lake_reads(manifest, executed)
    incremental_run = new_files is not None
    lookback = _lookback_days(manifest)
    per_query: list[dict] = []
    lake_total = lookup_total = 0
    sizes_cache: dict[str, dict[str, dict[str, int]]] = {}
    for unique_id, sources in reads.items():
        if not sources:
            continue
        node = manifest["nodes"][unique_id]
        is_incremental_model = incremental_run and node["config"]["materialized"] == "incremental"
        scanned = lookup = files_read = 0
        for source_id in sources:
            _, parsed_prefix = _source_prefixes(manifest, source_id)
            if parsed_prefix not in sizes_cache:
                sizes_cache[parsed_prefix] = column_bytes(lake, files_under(lake, parsed_prefix, ".parquet"))
            sizes = sizes_cache[parsed_prefix]
            files = sorted(sizes)
            if is_incremental_model and new_files is not None:
                earlier = [f for f in files if f not in set(new_files)]
                if earlier:
                    since = max(production_date(f) for f in earlier) - dt.timedelta(days=lookback)
                    files = [f for f in files if production_date(f) >= since]
            elif (window := delivered_since(code.get(unique_id, ""))) is not None:
                files = [f for f in files if production_date(f) >= window]
            all_columns = sorted({c for f in files for c in sizes[f]})
            named = set(_columns_named(code.get(unique_id, ""), all_columns))
            scanned += sum(size for f in files for c, size in sizes[f].items() if c in named)
            files_read += len(files)
            if is_incremental_model and warehouse is not None:
                con = duckdb.connect(str(warehouse), read_only=True)
                table_columns = [row[0] for row in con.execute(
                    f"describe \"{node['schema']}\".\"{node['alias']}\"").fetchall()]  # fmt: skip
                con.close()
                lookup += _table_column_bytes(
                    warehouse, node, _lookup_columns(manifest, node, source_id, table_columns)
                )
        lake_total += scanned
        lookup_total += lookup
        per_query.append({"node": unique_id.split(".")[-1 if unique_id.startswith("model") else 2],
                          "files": files_read, "lake_bytes": scanned, "lookup_bytes": lookup})  # fmt: skip
    total_queries = queries(manifest, executed, incremental_run)
    reading = [q["lake_bytes"] + q["lookup_bytes"] for q in per_query]
    # the other queries (and the merge of each incremental model) at the minimum: what they read of dbt's own
    # tables is not estimated
    bytes_billed = sum(billed(b) for b in reading) + (total_queries - len(reading)) * MIN_BYTES
    return {
        "queries": total_queries, "lake_reading_queries": len(reading), "lake_bytes": lake_total,
        "lookup_bytes": lookup_total, "billed_bytes": bytes_billed, "price_usd": price(bytes_billed),
        "per_query": sorted(per_query, key=lambda q: -(q["lake_bytes"] + q["lookup_bytes"]))[:6],
    }  # fmt: skip


def before_cost(lake: Path, run: str, incremental_run: bool) -> dict:
    """What the same run cost at 7cc1346 (raw text relations) over this lake's raw/ files."""
    before = json.loads(BEFORE_FILE.read_text())["runs"][run]
    sizes: dict[str, int] = {}
    reading = []
    for paths in before["readers"].values():
        for path in paths:
            if path not in sizes:
                sizes[path] = sum((lake / key).stat().st_size for key in files_under(lake, path + "/"))
        reading.append(sum(sizes[path] for path in paths))
    lake_total = sum(reading)
    total_queries = before["queries_incremental" if incremental_run else "queries"]
    bytes_billed = sum(billed(b) for b in reading) + (total_queries - len(reading)) * MIN_BYTES
    return {"queries": total_queries, "lake_reading_queries": len(reading), "lake_bytes": lake_total,
            "billed_bytes": bytes_billed, "price_usd": price(bytes_billed)}  # fmt: skip


def build_cost(lake: Path, target: Path, run: str) -> dict:
    """A full build on a fresh warehouse: after (the run in `target`) and before (7cc1346)."""
    return {"after": after_cost(lake, target), "before": before_cost(lake, run, incremental_run=False)}


def incremental_cost(lake: Path, target: Path, run: str, new_files: list[str], warehouse: Path) -> dict:
    """An incremental run that read `new_files` (and the lookups): after and before."""
    return {
        "after": after_cost(lake, target, new_files, warehouse),
        "before": before_cost(lake, run, incremental_run=True),
        "new_files": len(new_files),
    }


# --- the layout before: 7cc1346's manifest ------------------------------------------------------------------------


def derive_before(commit: str = BEFORE_COMMIT) -> dict:
    """Which queries of each run in DBT_RUNS read which raw relations at `commit` (from its manifest)."""
    from ingestion.config import REPO_ROOT

    bin_dir = Path(sys.executable).parent
    runs = {}
    with tempfile.TemporaryDirectory(prefix="bench-before-") as work:
        root = Path(work)
        archive = subprocess.run(["git", "archive", commit, "dbt_project", "profiles", "seeds"], cwd=REPO_ROOT,
                                 capture_output=True, check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        env = {"DBT_TARGET": "dev", "DUCKDB_PATH": str(root / "before.duckdb"), "LAKE_URL": f"file://{root}/lake",
               "PATH": str(bin_dir), "HOME": work}  # fmt: skip
        for name, (select, indirect) in DBT_RUNS.items():
            target = root / f"target-{name}"
            completed = subprocess.run(
                [str(bin_dir / "dbt"), "ls", "--select", *select, "--indirect-selection", indirect,
                 "--resource-type", "model", "test", "unit_test", "--output", "json", "--output-keys", "unique_id",
                 "--quiet", "--project-dir", str(root / "dbt_project"), "--profiles-dir", str(root / "profiles"),
                 "--target-path", str(target)],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            executed = [json.loads(line)["unique_id"] for line in completed.stdout.splitlines() if line.startswith("{")]
            manifest = json.loads((target / "manifest.json").read_text())
            readers = {
                uid.split(".")[-1 if uid.startswith("model") else 2]: sorted(
                    manifest["sources"][source]["meta"]["lake"]["path"].strip("/") for source in sources
                )
                for uid, sources in lake_reads(manifest, executed).items() if sources
            }  # fmt: skip
            runs[name] = {
                "queries": queries(manifest, executed, incremental_run=False),
                "queries_incremental": queries(manifest, executed, incremental_run=True),
                "readers": dict(sorted(readers.items())),  # the queries that read raw files: the raw tables read
            }
    return {"commit": commit, "runs": runs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--derive-before", action="store_true", help=f"write {BEFORE_FILE.name} from {BEFORE_COMMIT}")
    args = parser.parse_args(argv)
    if args.derive_before:
        BEFORE_FILE.write_text(json.dumps(derive_before(), indent=1) + "\n")
        print(BEFORE_FILE.read_text())


if __name__ == "__main__":
    main()
