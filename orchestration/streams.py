"""The Dagster side of the micro-batch streams (ingestion/stream.py): one sensor factory for every stream."""

from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    DagsterRunStatus,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    RunsFilter,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from ingestion import config
from ingestion.stream import batch_day, drain_kinesis, drain_landing, pending_batches, rejected_batches
from orchestration import locks, partitions
from orchestration.resources import KinesisResource, LakeResource

ACTIVE = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def landing_sensor(source: str, table: str, job, name: str) -> SensorDefinition:
    """A sensor that launches `job` (an asset job) when batches of `source`/`table` wait in the landing area.

    It looks every `STREAM_SENSOR_INTERVAL_SECONDS` (default 10), skips while a run of `job` is still active
    (the next evaluation picks up what arrived meanwhile), and requests one run per day that has waiting batches
    (the job's partition: the run drains that day's batches), keyed by the day's newest batch, so the same landing
    state never launches two runs. A file whose name carries no batch time goes with today's run, which moves it
    aside. On by default (orchestration/automation.py): one listing of the landing folder per look.
    """

    @sensor(
        name=name,
        job=job,
        minimum_interval_seconds=config.stream_sensor_interval_seconds(),
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Launches {job.name} when {source}/{table} batches wait in landing/{source}/{table}/.",
    )
    def _sensor(context: SensorEvaluationContext, lake: LakeResource):
        pending = pending_batches(lake.open(), source, table)
        if not pending:
            return SkipReason(f"no {source}/{table} batch in the landing area")
        active = context.instance.get_runs(filters=RunsFilter(job_name=job.name, statuses=ACTIVE), limit=1)
        if active:
            return SkipReason(f"run {active[0].run_id} is still processing earlier batches")
        by_day: dict[str, list[str]] = {}
        for key in pending:
            by_day.setdefault(batch_day(key) or partitions.today(), []).append(key)
        return [
            RunRequest(run_key=keys[-1], partition_key=day, tags={"batches": str(len(keys))})
            for day, keys in sorted(by_day.items())
        ]

    return _sensor


def drain_lock_path(source: str, table: str) -> Path:
    return config.data_dir() / "locks" / f"drain-{source}-{table}.lock"


def drain_stream(
    context: AssetExecutionContext,
    lake_resource: LakeResource,
    kinesis: KinesisResource,
    source: str,
    table: str,
    kinesis_stream: str | None,
) -> MaterializeResult:
    """The body of a stream's raw asset: drain the landing area and, when set, the Kinesis stream into raw/.

    A run for some days (its partitions) drains the landing batches of those days; Kinesis, read in arrival order
    from a checkpoint, cannot be read by day: the run whose days include today drains it (its batches are named
    and dated by arrival, so they land in today). One drain of a stream at a time, whichever job runs it: the
    drain holds a file lock (`drain_lock_path`) that the kernel releases when its process ends, so a run killed
    mid-drain does not block the next one (a Dagster pool slot would stay claimed by the dead run)."""
    lake = lake_resource.open()
    window = partitions.run_window(context)
    holder = f"drain of {source}/{table} in run {context.run_id}"
    with locks.exclusive(drain_lock_path(source, table), holder, on_wait=context.log.info):
        result = drain_landing(lake, source, table, between=window)
        drained = result.drained
        if kinesis_stream and partitions.covers_now(window):
            drained += drain_kinesis(lake, kinesis.client(), kinesis_stream, source, table)
        elif kinesis_stream:
            context.log.info(f"Kinesis stream {kinesis_stream}: drained by the run of today's partition, not this one")
    for batch in drained:
        context.log.info(f"{batch.origin} -> {batch.raw_key} ({batch.lines} line(s))")
    for batch in result.rejected:
        context.log.error(f"moved aside to {batch.moved_to}: {batch.reason}")
    waiting = rejected_batches(lake, source, table)
    context.log.info(
        f"drained {len(drained)} batch(es), {sum(b.lines for b in drained)} line(s) ({partitions.describe(window)})"
    )
    return MaterializeResult(
        metadata={
            "batches": len(drained),
            "lines": sum(b.lines for b in drained),
            "records_rejected_by_the_reader": sum(b.rejected_records for b in drained),
            "kinesis_stream": kinesis_stream or "",
            "files_moved_aside": MetadataValue.json([b.moved_to for b in result.rejected]),
        },
        check_results=[
            AssetCheckResult(
                check_name="no_batch_moved_aside",
                passed=not waiting,
                severity=AssetCheckSeverity.ERROR,
                metadata={"moved_aside": MetadataValue.json(waiting)},
                description=(
                    f"{len(waiting)} landing file(s) could not be drained and wait in "
                    f"landing/{source}/{table}/_rejected/ (each with a .reason file): fix or delete them"
                    if waiting
                    else "every landing file was a readable batch"
                ),
            )
        ],
    )


def drain_check_specs(source: str, table: str, asset_key) -> list[AssetCheckSpec]:
    """The check a stream's raw asset reports with every drain (see `drain_stream`)."""
    return [
        AssetCheckSpec(
            "no_batch_moved_aside",
            asset=asset_key,
            description=(
                f"No landing file of {source}/{table} was moved aside as unreadable "
                f"(landing/{source}/{table}/_rejected/)."
            ),
        )
    ]
