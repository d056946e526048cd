"""dbt run the way dbt users expect (docs/dbt.md): the marts' enforced contracts with portable types, marts that
are the same bytes for the same inputs, a plain `dbt build` from dbt_project/, source freshness read from the
delivery time, and Dagster materializations that carry row counts, column types and test results."""

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, DagsterInstance

from ingestion import config
from orchestration.dbt_cli import dbt_executable
from tests.conftest import DEMO_INPUTS, INPUT_ENV, copy_demo_inputs, materialize_assets, use_demo_environment

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a BI tool, Athena and DuckDB all read the same way; no HUGEINT, no decimal without its precision.
PORTABLE_TYPE = re.compile(r"^(varchar|bigint|integer|double|boolean|date|timestamp|decimal\(\d+, \d+\))$")

# Columns that say when or by whom a build ran, not what it computed: they differ between two builds of the same
# inputs by design (a delivery's time and id, the dbt invocation, when the model was trained or scored).
RUN_COLUMNS = {
    "fct_velib__station_snapshots": {"_delivery_id", "_delivered_at"},
    "fct_velib__stations_latest": {"_delivered_at"},
    "fct_shop__data_quality": {"invocation_id", "run_started_at"},
    "fct_shop__churn_model_metrics": {"trained_at"},
    "fct_shop__customer_scores": {"scored_at"},
    "fct_stock__risk_history": {"invocation_id", "recorded_at"},
}
# Rows a second build of the same inputs does not make: the demo backfills three earlier weeks of the risk history
# (tests/conftest.py), one plain build writes the day it assesses only.
SAME_RUN_ROWS = {"fct_stock__risk_history": "as_of_date = (select max(as_of_date) from main.fct_stock__risk)"}
# Marts that must have rows when their main input has: an empty one is a broken join or filter, not a quiet day.
NOT_EMPTY_FROM = {
    "fct_stock__daily_sales": "stg_stock__sales",
    "fct_stock__risk": "stg_stock__sales",
    "fct_velib__station_snapshots": "stg_velib__station_records",
    "fct_wine__product_revenue": "stg_wine__liaison",
    "fct_shop__orders": "stg_shop__orders",
    "fct_shop__customer_rfm": "stg_shop__orders",
    "fct_marketing__daily_sales": "stg_marketing__transactions",
    "fct_marketing__http_errors": "stg_marketing__web_logs",
    "fct_marketing__campaign_performance": "stg_marketing__campaigns",
    "fct_marketing__social_engagement": "stg_marketing__social_posts",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((config.dbt_target_dir() / "manifest.json").read_text())


def marts(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }


def duckdb_type(declared: str) -> str:
    """The name DuckDB gives a declared portable type (information_schema.columns.data_type)."""
    return declared.upper().replace(", ", ",")


# --------------------------------------------------------------------------------------------- contracts


def test_every_mart_has_an_enforced_contract_with_portable_types(manifest):
    found = marts(manifest)
    assert len(found) >= 41
    without = sorted(name for name, node in found.items() if not node["config"]["contract"]["enforced"])
    assert without == [], f"marts without an enforced contract: {without}"
    untyped = sorted(
        f"{name}.{column} ({props.get('data_type')})"
        for name, node in found.items()
        for column, props in node["columns"].items()
        if not PORTABLE_TYPE.match(props.get("data_type") or "")
    )
    assert untyped == [], f"mart columns without a portable data_type: {untyped}"


def test_the_built_marts_have_exactly_their_contract_types(demo_warehouse, manifest):
    """What BI tools see: the warehouse's columns are the declared ones, in name and type (no HUGEINT leaks)."""
    with duckdb.connect(str(demo_warehouse / "warehouse.duckdb"), read_only=True) as con:
        built = con.sql(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = 'main'"
        ).fetchall()
    built_types: dict[str, dict[str, str]] = {}
    for table, column, data_type in built:
        built_types.setdefault(table, {})[column] = data_type
    for name, node in marts(manifest).items():
        declared = {column: duckdb_type(props["data_type"]) for column, props in node["columns"].items()}
        assert built_types[name] == declared, name


def copy_project(root: Path) -> Path:
    """A fresh clone's dbt project: dbt_project/ without its build artefacts, beside the seeds."""
    shutil.copytree(
        config.DBT_PROJECT_DIR,
        root / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    (root / "seeds").symlink_to(REPO_ROOT / "seeds")
    return root / "dbt_project"


def fresh_clone_env(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a user who has never run dbt: an empty home (no ~/.dbt), no dbt or project setting."""
    home.mkdir(exist_ok=True)
    skip = {
        "DBT_PROFILES_DIR", "DBT_PROJECT_DIR", "DBT_TARGET_PATH", "DBT_LOG_PATH",
        "DUCKDB_PATH", "LAKE_URL", "TRIBUTARY_DATA_DIR", *INPUT_ENV,
    }  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in skip}
    return {**env, "HOME": str(home), "DBT_TARGET": "dev", **settings}


def run_dbt(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [dbt_executable(), "--no-use-colors", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_a_plain_dbt_command_works_from_dbt_project_on_a_fresh_clone(tmp_path):
    """No --profiles-dir, no ~/.dbt, no .data folder yet: dbt finds dbt_project/profiles.yml and the dev warehouse
    is created where the profile says (../.data/warehouse.duckdb)."""
    project = copy_project(tmp_path / "clone")
    assert not (tmp_path / "clone" / ".data").exists()
    result = run_dbt(["debug"], project, fresh_clone_env(tmp_path / "home"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All checks passed!" in result.stdout
    assert f"Using profiles.yml file at {project / 'profiles.yml'}\n" in result.stdout
    assert (tmp_path / "clone" / ".data" / "warehouse.duckdb").exists()
    assert not (tmp_path / "home" / ".dbt").exists()


def test_a_mart_that_breaks_its_contract_fails_the_build(tmp_path):
    """The same mart builds as written, and fails once its SQL gives another type than its contract declares
    (here, the sum of an integer left as DuckDB gives it: HUGEINT, where the contract says bigint)."""
    project = copy_project(tmp_path / "clone")
    env = fresh_clone_env(tmp_path / "home", LAKE_URL=f"file://{tmp_path / 'lake'}")
    built = run_dbt(["run", "--select", "+fct_wine__revenue_summary"], project, env)
    assert built.returncode == 0, built.stdout[-3000:]

    model = project / "models" / "marts" / "wine" / "fct_wine__revenue_summary.sql"
    sql = model.read_text()
    cast = "cast(coalesce(sum(total_sales), 0) as bigint) as units"
    assert cast in sql
    model.write_text(sql.replace(cast, "coalesce(sum(total_sales), 0) as units"))
    broken = run_dbt(["run", "--select", "fct_wine__revenue_summary"], project, env)
    assert broken.returncode == 1
    assert "This model has an enforced contract that failed." in broken.stdout
    assert re.search(r"\|\s*units\s*\|\s*HUGEINT\s*\|\s*BIGINT\s*\|", broken.stdout), broken.stdout[-3000:]


def test_the_key_marts_fail_when_built_empty_from_rows(manifest):
    """not_empty_from on the marts whose emptiness, while their input has rows, can only be a fault."""
    attached = {
        node["attached_node"].removeprefix("model.tributary."): node["test_metadata"]["kwargs"]["upstream"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") == "not_empty_from"
    }
    assert attached == {mart: f"ref('{upstream}')" for mart, upstream in NOT_EMPTY_FROM.items()}


# ------------------------------------------------------------------------------------------- determinism


def render(rows: list[tuple]) -> str:
    """An ordered text rendering of rows: repr gives every double to full precision (the shortest text that reads
    back as the same double), so two renderings are equal exactly when the values are."""
    return "\n".join(sorted("\x1f".join(repr(value) for value in row) for row in rows))


def digest(rows: list[tuple]) -> str:
    return hashlib.md5(render(rows).encode()).hexdigest()


def mart_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[str]:
    columns = [c for (c,) in con.sql(f"select column_name from (describe main.{mart})").fetchall()]
    return [c for c in columns if c not in RUN_COLUMNS.get(mart, set())]


def demo_copy(demo_warehouse: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the demo's warehouse (dbt's on-run-start hooks write: not to the demo's file) and the environment
    of a dbt command on it."""
    warehouse = tmp_path / "copy" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy2(demo_warehouse / "warehouse.duckdb", warehouse)
    with pytest.MonkeyPatch.context() as mp:
        use_demo_environment(mp, demo_warehouse)
        mp.setenv("DUCKDB_PATH", str(warehouse))
        return warehouse, {**os.environ, **config.dbt_environment()}


def test_every_mart_query_gives_the_same_bytes_every_time(demo_warehouse, manifest, tmp_path):
    """Each mart's SQL, run again and again on the same tables with several threads, gives the same bytes: no
    aggregate depends on the order the engine happens to add rows in (sums of doubles do: run 40 times, the
    seasonality shares of the demo came out in three versions before they were summed as decimals)."""
    warehouse, env = demo_copy(demo_warehouse, tmp_path)
    target = tmp_path / "target"
    compiled = run_dbt(["compile", "--full-refresh", "--select", "marts", "--target-path", str(target)],
                       config.DBT_PROJECT_DIR, env)  # fmt: skip
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    unstable = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set threads = 4")  # more threads, more orders in which rows can meet
        for name in marts(manifest):
            sql = nodes[f"model.tributary.{name}"]["compiled_code"]
            digests = {digest(con.sql(sql).fetchall()) for _ in range(20)}
            if len(digests) > 1:
                unstable.append(f"{name} ({len(digests)} versions)")
    assert unstable == []


def test_the_same_inputs_build_bit_identical_marts(demo_warehouse, manifest, tmp_path):
    """The demo's inputs (the very same files) landed and built again in a fresh lake and warehouse give every mart
    the same bytes, doubles included, but the columns that say when the build ran (RUN_COLUMNS)."""
    again = tmp_path / "again"
    copy_demo_inputs(demo_warehouse / DEMO_INPUTS, again)
    with pytest.MonkeyPatch.context() as mp:
        use_demo_environment(mp, again)
        (again / "dagster").mkdir()
        with DagsterInstance.from_config(str(again / "dagster")) as instance:
            assert materialize_assets(instance=instance).success
    differences = []
    with (
        duckdb.connect(str(demo_warehouse / "warehouse.duckdb"), read_only=True) as first,
        duckdb.connect(str(again / "warehouse.duckdb"), read_only=True) as second,
    ):
        for name in marts(manifest):
            columns = mart_columns(first, name)
            select = f"select {', '.join(columns)} from main.{name} where {SAME_RUN_ROWS.get(name, 'true')}"
            a, b = first.sql(select).fetchall(), second.sql(select).fetchall()
            assert a, f"{name} is empty: the comparison would prove nothing"
            if digest(a) != digest(b):
                differing = [
                    c
                    for i, c in enumerate(columns)
                    if render([r[i : i + 1] for r in a]) != render([r[i : i + 1] for r in b])
                ]
                differences.append(f"{name}: {', '.join(differing)}")
    assert differences == []


# ------------------------------------------------------------------------------------------- freshness


def test_every_source_says_how_fresh_it_must_be():
    """Every landed source reads its real delivery time, and every table has a freshness, or null with a reason
    (written as a comment beside it) at the table or the source level."""
    missing = []
    for path in sorted((config.DBT_PROJECT_DIR / "models").rglob("_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            source_config = source.get("config", {})
            for table in source["tables"]:
                table_config = table.get("config", {})
                name = f"{source['name']}.{table['name']}"
                if "freshness" not in table_config and "freshness" not in source_config:
                    missing.append(f"{name}: no freshness")
                landed = table.get("meta", {}).get("lake", {}).get("format") != "parquet"
                loaded_at = table_config.get("loaded_at_field", source_config.get("loaded_at_field"))
                if landed and loaded_at != "_delivered_at":
                    missing.append(f"{name}: loaded_at_field {loaded_at}")
    assert missing == []


def test_source_freshness_passes_right_after_the_demo(demo_warehouse, manifest, tmp_path):
    """Right after a demo build, every source with a freshness is fresh, and its age is read from the latest
    delivery time itself (not the landing day at midnight, which made every stream look hours old)."""
    warehouse, env = demo_copy(demo_warehouse, tmp_path)
    target = tmp_path / "target"
    result = run_dbt(["source", "freshness", "--target-path", str(target)], config.DBT_PROJECT_DIR, env)
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((target / "sources.json").read_text())["results"]
    checked = {r["unique_id"].removeprefix("source.tributary."): r for r in results}
    assert set(checked) == {"stock_raw.sales_events", "velib_raw.station_status", "marketing_raw.click_events"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, outcome in checked.items():
            assert outcome["status"] == "pass", (name, outcome["status"])
            source = manifest["sources"][f"source.tributary.{name}"]
            relation = f"{source['schema']}.{source['identifier']}"
            [(latest,)] = con.sql(f"select max(_delivered_at) from {relation}").fetchall()
            loaded = dt.datetime.fromisoformat(outcome["max_loaded_at"]).replace(tzinfo=None)
            assert loaded == latest, name


# ------------------------------------------------------------------------------------------- unit tests


def test_every_dbt_unit_test_passes_here_not_in_the_orchestrated_runs(demo_warehouse, manifest, tmp_path):
    """dbt's unit tests (a model's SQL on fixed fixtures) run in CI, here, and in development builds; the runs
    Dagster makes leave them out (orchestration/dbt.py, ORCHESTRATED_BUILD_EXCLUDES): every data test still runs
    there. Run on a copy of the demo's warehouse, where every tested model's inputs exist (dbt reads their column
    types)."""
    orchestrated = [json.loads(p.read_text()) for p in config.dbt_target_dir().glob("*_dbt_assets-*/run_results.json")]
    ids = [r["unique_id"] for run in orchestrated for r in run["results"]]
    assert any(i.startswith("test.") for i in ids) and not any(i.startswith("unit_test.") for i in ids)

    _, env = demo_copy(demo_warehouse, tmp_path)
    target = tmp_path / "target"
    result = run_dbt(["test", "--select", "test_type:unit", "--target-path", str(target)], config.DBT_PROJECT_DIR, env)
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {r["unique_id"] for r in results if r["status"] == "pass"}
    assert passed == set(manifest["unit_tests"]) and len(passed) >= 20


# ------------------------------------------------------------------------------------------- Dagster


def test_materializations_carry_row_counts_column_types_and_test_results(demo_warehouse, manifest):
    from dagster_dbt import get_asset_key_for_model

    from orchestration.dbt import tributary_dbt_assets

    with duckdb.connect(str(demo_warehouse / "warehouse.duckdb"), read_only=True) as con:
        [(rows,)] = con.sql("select count(*) from main.fct_stock__risk").fetchall()
        columns = con.sql("select column_name, column_type from (describe main.fct_stock__risk)").fetchall()
    tests = [
        n for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n.get("attached_node") == "model.tributary.fct_stock__risk"
    ]  # fmt: skip
    key = get_asset_key_for_model([tributary_dbt_assets], "fct_stock__risk")
    with DagsterInstance.from_config(str(demo_warehouse / "dagster")) as instance:
        metadata = instance.get_latest_materialization_event(key).asset_materialization.metadata
    assert rows > 0 and metadata["dagster/row_count"].value == rows
    schema = metadata["dagster/column_schema"].value
    assert [(c.name, c.type.upper()) for c in schema.columns] == columns
    assert metadata["dbt/tests_passed"].value == len(tests) > 0
    assert metadata["dbt/tests_failed"].value == 0
    assert "dbt/failing_tests" not in metadata


def test_test_metadata_counts_and_names_the_failing_tests():
    from orchestration.dbt import test_metadata

    key = AssetKey(["fct_stock__risk"])
    checks = [
        AssetCheckResult(asset_key=key, check_name="not_null_a", passed=True),
        AssetCheckResult(asset_key=key, check_name="unique_b", passed=False),
        AssetCheckResult(asset_key=key, check_name="in_range_c", passed=False, severity=AssetCheckSeverity.WARN),
    ]
    metadata = test_metadata(checks)
    assert metadata["dbt/tests_passed"] == 1 and metadata["dbt/tests_failed"] == 2
    assert metadata["dbt/failing_tests"].value == "in_range_c (warn), unique_b (error)"
    assert "dbt/failing_tests" not in test_metadata(checks[:1])


def test_dbt_assets_have_their_domain_team_as_owner_and_a_description(manifest):
    from orchestration.dbt import tributary_dbt_assets

    specs = list(tributary_dbt_assets.specs)
    assert len(specs) > 50
    for spec in specs:
        assert spec.owners == [f"team:{spec.group_name}"], spec.key
        assert spec.description and not spec.description.startswith("dbt model"), spec.key
