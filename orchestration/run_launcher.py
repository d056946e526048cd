"""Dagster's default run launcher, plus the health check that lets run monitoring fail runs whose process died.

A run whose process is killed (`kill -9`, the OOM killer, a host crash) stays STARTED in the instance for ever:
nothing is left to report its end. That blocked the stream sensors (they wait while a run of their job is
active) and held a place in the run queue. Run monitoring (dagster.yaml: `run_monitoring`) asks the run
launcher whether each STARTED run's worker is alive, but the DefaultRunLauncher cannot tell. This one can, for
the runs of this machine: the process that reported RUN_START (a run worker launched by the daemon or the UI,
or the `dagster asset materialize` process of a CLI run) is looked up by pid, and a pid that no longer exists,
or that now belongs to a process started after the run, means the run is dead. Run monitoring then marks the
run failed, and `free_slots_after_run_end_seconds` frees any pool slot it held.

Runs whose records live in a shared database (not the instance folder's SQLite) may run on other machines,
where a pid means nothing: for them the check answers RUNNING, as the default launcher's absence of a check did.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from dagster import DagsterEventType, DagsterRun, DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

CLOCK_SLACK_SECONDS = 2.0


def process_start_time(pid: int) -> float | None:
    """When the process started (epoch seconds), None when no such process exists. Linux reads /proc; elsewhere
    only existence is known (0.0)."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return None
        if fields[0] == "Z":  # a zombie has ended; only its exit status is left
            return None
        boot = next(
            float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return 0.0
    return 0.0


def run_process(instance, run_id: str) -> tuple[int, float] | None:
    """(pid, time) of the RUN_START event of the run: the process that executes it, and when it said so."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START, limit=1).records
    if not records:
        return None
    entry = records[0].event_log_entry
    pid = entry.dagster_event.pid if entry.dagster_event else None
    return (pid, entry.timestamp) if pid else None


def worker_health(instance, run: DagsterRun) -> CheckRunHealthResult:
    if not isinstance(instance.run_storage, SqliteRunStorage):
        return CheckRunHealthResult(WorkerStatus.RUNNING, "runs may execute on other machines: not checked")
    process = run_process(instance, run.run_id)
    if process is None:
        return CheckRunHealthResult(WorkerStatus.RUNNING, "no RUN_START event yet")
    pid, started = process
    begun = process_start_time(pid)
    if begun is None:
        return CheckRunHealthResult(WorkerStatus.NOT_FOUND, f"the run's process (pid {pid}) is gone")
    if begun > started + CLOCK_SLACK_SECONDS:
        return CheckRunHealthResult(
            WorkerStatus.NOT_FOUND,
            f"the run's process (pid {pid}) is gone: that pid now belongs to a process started "
            f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(begun))} UTC, after the run",
        )
    return CheckRunHealthResult(WorkerStatus.RUNNING, f"pid {pid} is alive")


class LocalRunLauncher(DefaultRunLauncher):
    """DefaultRunLauncher (a process per run, on this machine) whose run workers run monitoring can check."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        return worker_health(self._instance, run)
