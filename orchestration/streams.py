"""The Dagster side of the micro-batch streams (ingestion/stream.py): one sensor factory for every stream."""

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from ingestion.lake import open_lake
from ingestion.stream import pending_batches

ACTIVE = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def landing_sensor(source: str, table: str, job, name: str) -> SensorDefinition:
    """A sensor that launches `job` (an asset job) when batches of `source`/`table` wait in the landing area.

    It skips while a run of `job` is still active (the next evaluation picks up what arrived meanwhile), and
    keys each run by the newest waiting batch, so the same landing state never launches two runs.
    """

    @sensor(
        name=name,
        job=job,
        minimum_interval_seconds=30,
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
