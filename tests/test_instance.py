"""The project's Dagster instance settings (orchestration/dagster.yaml, orchestration/instance.py): the SQLite event
log keeps one connection per file, and what it stores is what a fresh process reads back."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dagster import AssetCheckResult, AssetKey, DagsterInstance, MaterializeResult, asset, asset_check, materialize

from orchestration.instance import TributaryInstance, TributarySqliteEventLogStorage

REPO_ROOT = Path(__file__).resolve().parents[1]


@asset
def numbers() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 3})


@asset_check(asset=numbers)
def numbers_are_counted() -> AssetCheckResult:
    return AssetCheckResult(passed=True, metadata={"checked": 3})


def project_instance(home: Path) -> DagsterInstance:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return DagsterInstance.from_config(str(home))


def run_once(instance: DagsterInstance) -> str:
    result = materialize([numbers, numbers_are_counted], instance=instance)
    assert result.success
    return result.run_id


def stored(home: Path) -> tuple[int, bool | None]:
    """What a fresh instance on `home` reads: the asset's latest `rows` metadata and its check's latest outcome."""
    with DagsterInstance.from_config(str(home)) as fresh:
        event = fresh.get_latest_materialization_event(AssetKey("numbers"))
        evaluations = fresh.event_log_storage.get_asset_check_execution_history(numbers_are_counted.check_key, limit=1)
        outcome = evaluations[0].evaluation.passed if evaluations else None
        return event.asset_materialization.metadata["rows"].value, outcome


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    # another instance's folder in DAGSTER_HOME: this instance's files go to its own folder all the same
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    return tmp_path / "dagster"


def test_the_project_instance_keeps_one_connection_per_event_log_file(home: Path) -> None:
    instance = project_instance(home)
    assert isinstance(instance, TributaryInstance)
    storage = instance.event_log_storage
    assert isinstance(storage, TributarySqliteEventLogStorage)
    assert Path(storage._base_dir) == home / "history" / "runs"  # where Dagster's own would be

    run_id = run_once(instance)

    # the run's file and the index, one engine (one connection) each, without an fsync per commit
    assert set(storage._engines) == {run_id, "index"}
    with storage.run_connection(run_id) as conn:
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 0
    # committed: a fresh instance, as the webserver would be, reads the materialization and the check
    assert stored(home) == (3, True)
    [(count,)] = sqlite3.connect(home / "history" / "runs" / f"{run_id}.db").execute(
        "select count(*) from event_logs where dagster_event_type = 'ASSET_CHECK_EVALUATION'"
    )
    assert count == 1
    assert not (home.parent / "elsewhere").exists()
    instance.dispose()
    assert storage._engines == {}


def test_a_wiped_event_log_is_created_again_on_the_next_event(home: Path) -> None:
    instance = project_instance(home)
    first = run_once(instance)
    instance.event_log_storage.wipe()
    assert not (home / "history" / "runs" / f"{first}.db").exists()

    second = run_once(instance)

    assert (home / "history" / "runs" / f"{second}.db").exists()
    assert len(instance.get_records_for_run(first).records) == 0
    assert stored(home) == (3, True)


def test_files_beyond_the_engine_limit_are_closed_and_reopened(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(TributarySqliteEventLogStorage, "MAX_ENGINES", 2)
    instance = project_instance(home)
    runs = [run_once(instance) for _ in range(3)]

    storage = instance.event_log_storage
    assert len(storage._engines) == 2
    # the oldest runs' files were closed; reading them opens them again
    for run_id in runs:
        assert any(r.event_log_entry.dagster_event_type == "ASSET_MATERIALIZATION"
                   for r in instance.get_records_for_run(run_id).records)  # fmt: skip


def test_another_process_writes_while_this_one_holds_its_connections(home: Path) -> None:
    instance = project_instance(home)
    run_once(instance)  # this process now holds the index's connection open
    other = textwrap.dedent(
        f"""
        from dagster import DagsterInstance, materialize
        from tests.test_instance import numbers, numbers_are_counted
        with DagsterInstance.from_config({str(home)!r}) as instance:
            assert materialize([numbers, numbers_are_counted], instance=instance).success
        """
    )
    subprocess.run([sys.executable, "-c", other], cwd=REPO_ROOT, check=True, timeout=300)

    last = run_once(instance)  # and writes again after the other process did

    with DagsterInstance.from_config(str(home)) as fresh:
        runs = {record.run_id for record in fresh.fetch_materializations(AssetKey("numbers"), limit=10).records}
    assert len(runs) == 3 and last in runs


def test_a_storage_section_replaces_the_default_as_it_replaces_dagsters(home: Path) -> None:
    instance = project_instance(home)
    with (home / "dagster.yaml").open("a") as config:
        config.write(f"storage:\n  sqlite:\n    base_dir: {home / 'other'}\n")
    configured = DagsterInstance.from_config(str(home))
    assert type(configured.event_log_storage).__name__ == "SqliteEventLogStorage"
    assert Path(configured.event_log_storage._base_dir) == home / "other" / "history" / "runs"
    instance.dispose()
    configured.dispose()
