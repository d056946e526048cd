"""The Dagster side of the micro-batch streams (ingestion/stream.py): one sensor factory for every stream."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    DagsterRunStatus,
    DefaultSensorStatus,
    MaterializeResult,
    RunRequest,
    RunsFilter,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from ingestion import aws, config
from ingestion.lake import open_lake
from ingestion.stream import drain_kinesis, drain_landing, pending_batches
from orchestration import locks

ACTIVE = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def landing_sensor(source: str, table: str, job, name: str) -> SensorDefinition:
    """A sensor that launches `job` (an asset job) when batches of `source`/`table` wait in the landing area.

    It looks every `STREAM_SENSOR_INTERVAL_SECONDS` (default 10), skips while a run of `job` is still active
    (the next evaluation picks up what arrived meanwhile), and keys each run by the newest waiting batch, so the
    same landing state never launches two runs.
    """

    @sensor(
        name=name,
        job=job,
        minimum_interval_seconds=config.stream_sensor_interval_seconds(),
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Launches {job.name} when {source}/{table} batches wait in landing/{source}/{table}/.",
    )
    def _sensor(context: SensorEvaluationContext):
        pending = pending_batches(open_lake(), source, table)
        if not pending:
            return SkipReason(f"no {source}/{table} batch in the landing area")
        active = context.instance.get_runs(filters=RunsFilter(job_name=job.name, statuses=ACTIVE), limit=1)
        if active:
            return SkipReason(f"run {active[0].run_id} is still processing earlier batches")
        return RunRequest(run_key=pending[-1], tags={"batches": str(len(pending))})

    return _sensor


def drain_lock_path(source: str, table: str) -> Path:
    return config.data_dir() / "locks" / f"drain-{source}-{table}.lock"


def drain_stream(
    context: AssetExecutionContext, source: str, table: str, kinesis_stream: str | None
) -> MaterializeResult:
    """The body of a stream's raw asset: drain the landing area and, when set, the Kinesis stream into raw/.

    One drain of a stream at a time, whichever job runs it: the drain holds a file lock (`drain_lock_path`)
    that the kernel releases when its process ends, so a run killed mid-drain does not block the next one (a
    Dagster pool slot would stay claimed by the dead run)."""
    lake = open_lake()
    holder = f"drain of {source}/{table} in run {context.run_id}"
    with locks.exclusive(drain_lock_path(source, table), holder, on_wait=context.log.info):
        drained = drain_landing(lake, source, table)
        if kinesis_stream:
            drained += drain_kinesis(lake, aws.client("kinesis"), kinesis_stream, source, table)
    for batch in drained:
        context.log.info(f"{batch.origin} -> {batch.raw_key} ({batch.lines} line(s))")
    context.log.info(f"drained {len(drained)} batch(es), {sum(b.lines for b in drained)} line(s)")
    return MaterializeResult(
        metadata={
            "batches": len(drained),
            "lines": sum(b.lines for b in drained),
            "kinesis_stream": kinesis_stream or "",
        }
    )
