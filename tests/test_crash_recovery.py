"""Crash safety with real processes: a run killed with `kill -9` in the middle of its dbt build never blocks the
next one, which finishes by itself and gives the same marts as a run nobody touched.

The runs are real `dagster asset materialize` processes (and, for the daemon, a real `dagster-daemon run` that
launches runs through its code server), the kills are real SIGKILLs, the warehouse a real DuckDB file. The writer
lock is also checked alone: held by a process that is then killed, and waited for by a real dbt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import AssetSelection, DagsterInstance, DagsterRunStatus, RunsFilter

from ingestion.config import REPO_ROOT
from orchestration import locks
from orchestration.warehouse_lock import current_writer, lock_path
from tests.conftest import INPUT_ENV, materialize_assets

BIN = Path(sys.executable).parent
VELIB_MARTS = (
    "fct_velib__station_snapshots",
    "fct_velib__stations_latest",
    "fct_velib__critical_stations_2h",
    "fct_velib__arrondissement_kpis",
)
DBT_PROGRESS = re.compile(r"\d+ of \d+ (OK|PASS)")
# the delivery's own name and time (the landing's clock): differ between any two landings of the same snapshots
LINEAGE = {"_source_file", "_delivery_id", "_delivered_at"}


# --- processes --------------------------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command(pid: int) -> list[str]:
    try:
        return [part.decode() for part in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if part]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def dbt_build_under(pid: int) -> int | None:
    return next((p for p in descendants(pid) if "build" in command(p) and command(p)[1:2] == [str(BIN / "dbt")]), None)


def wait_for(predicate, timeout: float, what: str, poll: float = 0.2, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    tail = log.read_text()[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


def kill_session(pid: int) -> None:
    """SIGKILL what is left of a session this test started (an orphaned Dagster step can hang for ever)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --- environments -----------------------------------------------------------------------------------------------


def velib_environment(root: Path, samples: Path) -> dict[str, str]:
    """A private warehouse, lake and Dagster instance (with the project's dagster.yaml) replaying `samples`."""
    (root / "dagster").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", root / "dagster" / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if k not in INPUT_ENV}
    env.update(
        DBT_TARGET="test",
        TRIBUTARY_DATA_DIR=str(root / "data"),
        LAKE_URL=f"file://{root / 'lake'}",
        DUCKDB_PATH=str(root / "warehouse.duckdb"),
        DAGSTER_HOME=str(root / "dagster"),
        VELIB_REPLAY_DIR=str(samples),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def marts(db: Path) -> dict[str, list[tuple]]:
    """The velib marts, rows sorted, without the lineage columns. Floats rounded to 9 decimals: a mean over
    DuckDB's parallel aggregation may differ in its last bit between any two builds, killed or not (issue 18's
    determinism point)."""

    def value(v):
        return round(v, 9) if isinstance(v, float) else v

    with duckdb.connect(str(db), read_only=True) as con:
        result = {}
        for table in VELIB_MARTS:
            columns = [name for (name, *_) in con.sql(f"describe main.{table}").fetchall() if name not in LINEAGE]
            rows = con.sql(f"select {', '.join(columns)} from main.{table}").fetchall()
            result[table] = sorted((tuple(map(value, row)) for row in rows), key=repr)
        return result


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    from ingestion.velib.generate import generate_snapshots

    folder = tmp_path_factory.mktemp("velib-samples")
    generate_snapshots(folder, stations=40, hours=3, end=dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC), seed=2)
    return folder


@pytest.fixture(scope="module")
def untouched_marts(tmp_path_factory, samples) -> dict[str, list[tuple]]:
    """The marts of one run nobody killed, from the same snapshots."""
    root = tmp_path_factory.mktemp("untouched")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in velib_environment(root, samples).items():
            mp.setenv(name, value)
        assert materialize_assets(selection=AssetSelection.groups("velib")).success
    result = marts(root / "warehouse.duckdb")
    assert len(result["fct_velib__station_snapshots"]) == 40 * 12  # 40 stations, 12 snapshots
    return result


SAMPLE_DAY = "2026-06-30"  # the day of the `samples` snapshots: the partition the runs land and build


def materialize_cli(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "dagster"),
            "asset",
            "materialize",
            "-m",
            "orchestration.definitions",
            "--select",
            "group:velib",
            "--partition-range",
            f"{SAMPLE_DAY}...{SAMPLE_DAY}",
        ],  # fmt: skip
        cwd=REPO_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the test can kill all of it, and only it
    )


# --- the writer lock alone --------------------------------------------------------------------------------------

HOLD = """
import sys, time
from orchestration import locks
with locks.exclusive(sys.argv[1], "the test's holder"):
    print("held", flush=True)
    time.sleep(600)
"""


def hold_in_child(path: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_lock_is_free_the_moment_its_holder_is_killed(tmp_path):
    path = tmp_path / "x.lock"
    assert locks.holder(path) is None
    child = hold_in_child(path)
    try:
        holder = locks.holder(path)
        assert holder["pid"] == child.pid and holder["command"] == "the test's holder"
        messages = []
        started = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)  # the holder cannot release anything itself
        with locks.exclusive(path, "the test", on_wait=messages.append):
            assert locks.holder(path)["pid"] == os.getpid()
        assert time.monotonic() - started < 5
    finally:
        child.kill()
        child.wait()
    assert locks.holder(path) is None  # left the block: released; the file stays, nobody holds it


def test_dbt_waits_for_the_writer_then_goes_on_when_it_is_killed(project_env):
    """A real dbt on the same warehouse waits while another process holds the writer lock, names it, and runs as
    soon as that process is killed with SIGKILL."""
    db = project_env / "warehouse.duckdb"
    holder = hold_in_child(lock_path(db))
    env = {k: v for k, v in os.environ.items() if k not in INPUT_ENV}
    env["DUCKDB_PATH"] = str(db)
    dbt = subprocess.Popen(
        [str(BIN / "dbt"), "debug"],
        cwd=REPO_ROOT / "dbt_project",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        for line in dbt.stdout:
            lines.append(line)
            if "waiting for" in line:
                break
        assert f"held by pid {holder.pid}" in lines[-1] and "the test's holder" in lines[-1], "".join(lines)
        time.sleep(2)
        assert dbt.poll() is None  # still waiting
        os.kill(holder.pid, signal.SIGKILL)
        rest = dbt.communicate(timeout=120)[0]
    finally:
        holder.kill()
        holder.wait()
        dbt.kill()
    assert dbt.returncode == 0, rest
    assert "All checks passed!" in rest and re.search(r"got .*writer\.lock after \d+ s", rest)
    assert current_writer(db) is None


def test_a_drain_waits_for_a_drain_in_progress_and_not_for_a_dead_one(project_env):
    """The stream drains hold a file lock instead of a Dagster pool: a drain waits while another process holds it
    and goes on as soon as that process is killed (a pool slot of a killed run stayed claimed for ever)."""
    import threading

    from ingestion.lake import LocalLake
    from ingestion.stream import write_micro_batch
    from orchestration.streams import drain_lock_path

    lake = LocalLake(project_env / "lake")
    write_micro_batch(lake, "stock", "sales_events", [{"a": 1}], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    path = drain_lock_path("stock", "sales_events")
    holder = hold_in_child(path)
    killed_at: list[float] = []

    def waiting_for_the_lock() -> bool:  # this process (the in-process run) has the lock file open
        return any(os.path.realpath(fd) == os.path.realpath(path) for fd in Path("/proc/self/fd").iterdir())

    def kill_when_waiting() -> None:
        with contextlib.suppress(AssertionError):
            wait_for(waiting_for_the_lock, 120, "the drain to wait for the lock")
            time.sleep(1)
            killed_at.append(time.time())
            os.kill(holder.pid, signal.SIGKILL)

    threading.Thread(target=kill_when_waiting, daemon=True).start()
    try:
        result = materialize_assets(selection=AssetSelection.keys(["stock", "raw_sales_events"]))
    finally:
        holder.kill()
        holder.wait()
    assert result.success and killed_at, "the drain did not wait for the lock"
    [raw] = lake.list("raw/stock/sales_events/")
    assert lake.list("landing/") == []
    # the batch reached raw/ only after the holder was killed: the drain waited for it
    assert (project_env / "lake" / raw).stat().st_mtime >= killed_at[0]


# --- killed runs ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("killed", ["whole run", "orchestrating process"])
def test_a_run_killed_mid_build_does_not_block_the_next_one(tmp_path, samples, untouched_marts, killed):
    """kill -9 a `dagster asset materialize` in the middle of its dbt build: the whole process group (as a host
    crash or the OOM killer of a container would), or only the orchestrating process (its step and dbt go on as
    orphans). The next run needs no human: it finishes and gives the untouched run's marts. The killed run stays
    STARTED in the instance until run monitoring sees its process is gone and marks it failed."""
    env = velib_environment(tmp_path, samples)
    first = materialize_cli(env, tmp_path / "first.log")
    try:
        log = tmp_path / "first.log"
        dbt = wait_for(lambda: dbt_build_under(first.pid), 240, "the first run's dbt build", log=log)
        wait_for(lambda: len(DBT_PROGRESS.findall(log.read_text())) >= 8, 120, "a few dbt nodes", 0.05, log)
        if killed == "whole run":
            os.killpg(first.pid, signal.SIGKILL)
        else:
            os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert "RUN_SUCCESS" not in log.read_text()
        if killed == "whole run":
            wait_for(lambda: not alive(dbt), 10, "dbt to die with the rest")  # mid-build

        second = materialize_cli(env, tmp_path / "second.log")
        try:
            assert second.wait(timeout=600) == 0, (tmp_path / "second.log").read_text()[-3000:]
        finally:
            kill_session(second.pid)
    finally:
        kill_session(first.pid)
    assert marts(tmp_path / "warehouse.duckdb") == untouched_marts

    # Dagster's run monitoring asks the run launcher of dagster.yaml whether each STARTED run's process lives
    from dagster._daemon.monitoring.run_monitoring import monitor_started_run

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        killed_run, recovered = sorted(instance.get_run_records(), key=lambda r: r.create_timestamp)
        assert recovered.dagster_run.status == DagsterRunStatus.SUCCESS
        assert killed_run.dagster_run.status == DagsterRunStatus.STARTED  # nothing could report its end
        health = instance.run_launcher.check_run_worker_health(killed_run.dagster_run)
        assert health.msg == f"the run's process (pid {first.pid}) is gone"
        monitor_started_run(instance, None, killed_run, logging.getLogger("test"))  # what the daemon does each poll
        assert instance.get_run_by_id(killed_run.dagster_run.run_id).status == DagsterRunStatus.FAILURE


def test_the_health_check_tells_a_live_run_from_a_dead_one(tmp_path):
    """A run whose RUN_START came from a live process is RUNNING (never failed by monitoring); from a process
    that has ended, NOT_FOUND; without RUN_START yet, RUNNING."""
    from dagster import DagsterEvent, DagsterEventType, EventLogEntry
    from dagster._core.storage.dagster_run import DagsterRun

    ended = subprocess.Popen(["true"])
    ended.wait()
    (tmp_path / "dagster").mkdir()
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", tmp_path / "dagster" / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        for pid, expected in ((os.getpid(), "RUNNING"), (ended.pid, "NOT_FOUND"), (None, "RUNNING")):
            run = instance.add_run(DagsterRun(job_name="velib_job", status=DagsterRunStatus.STARTED))
            if pid:
                event = DagsterEvent(DagsterEventType.RUN_START.value, run.job_name, pid=pid)
                instance.store_event(EventLogEntry(None, "DEBUG", "", run.run_id, time.time(), dagster_event=event))
            health = instance.run_launcher.check_run_worker_health(run)
            assert health.status.value == expected, (pid, health)


def test_a_daemon_run_killed_mid_build_does_not_block_the_next_one(tmp_path, samples, untouched_marts):
    """The same through `dagster-daemon run`: a launched run's worker (and its step and dbt) killed with SIGKILL
    is marked failed without a human, and the next launched run finishes with the untouched run's marts."""
    env = velib_environment(tmp_path, samples)
    with DagsterInstance.from_config(env["DAGSTER_HOME"]):
        pass  # create the instance's databases now: the daemon and `dagster job launch` must not race to do it
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "orchestration.definitions"],
        cwd=REPO_ROOT,
        env=env,
        stdout=(tmp_path / "daemon.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def launch() -> str:
        out = subprocess.run(
            [
                str(BIN / "dagster"),
                "job",
                "launch",
                "-m",
                "orchestration.definitions",
                "-j",
                "velib_job",
                "--tags",
                json.dumps({"dagster/partition": SAMPLE_DAY}),
            ],  # fmt: skip
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        # the newest run of velib_job (the automation sensor, on by default, may launch runs of its own)
        with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            return instance.get_runs(filters=RunsFilter(job_name="velib_job"), limit=1)[0].run_id

    def status(run_id: str) -> DagsterRunStatus:
        with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            return instance.get_run_by_id(run_id).status

    daemon_log = tmp_path / "daemon.log"
    try:
        first = launch()
        dbt = wait_for(lambda: dbt_build_under(daemon.pid), 300, "the launched run's dbt build", log=daemon_log)
        # the steps run in the run worker's process (in_process_executor): the worker is dbt's parent
        worker = int(Path(f"/proc/{dbt}/stat").read_text().rsplit(")", 1)[1].split()[1])
        time.sleep(1.0)
        for pid in (worker, dbt):  # the run's processes, not the daemon nor its code server
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: status(first) == DagsterRunStatus.FAILURE, 180, "run 1 marked failed", 1, daemon_log)

        second = launch()
        finished = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE)
        wait_for(lambda: status(second) in finished, 600, "run 2 to finish", 1, daemon_log)
        assert status(second) == DagsterRunStatus.SUCCESS, daemon_log.read_text()[-3000:]
    finally:
        kill_session(daemon.pid)
        daemon.wait()
    assert marts(tmp_path / "warehouse.duckdb") == untouched_marts
    # the lock's record names its last holder: run 2, which after its dbt build (taking the lock from the killed
    # dbt's record) reads the built tables and publishes under the lock (orchestration/dbt.py)
    last = json.loads(lock_path(tmp_path / "warehouse.duckdb").read_text())["command"]
    assert last == "read the built tables and publish the warehouse"
