"""Jobs, schedules and sensors. Each run makes one dbt invocation (the dbt assets are one multi-asset)."""

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from ingestion.lake import open_lake
from ingestion.stock import EVENTS_TABLE, SOURCE
from ingestion.stream import pending_batches

stock_job = define_asset_job(
    "stock_job",
    selection=AssetSelection.groups("stock"),
    description="Everything of the stock domain: land the exports and the event batches, then dbt build.",
)

stock_stream_job = define_asset_job(
    "stock_stream_job",
    selection=AssetSelection.assets([SOURCE, "raw_sales_events"]).downstream(),
    description="Drain new sales-event batches and update the incremental models and the marts after them.",
)

stock_daily_schedule = ScheduleDefinition(
    name="stock_daily",
    job=stock_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild the stock marts every morning at 06:00 UTC.",
)

ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


@sensor(
    job=stock_stream_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.STOPPED,
    description="Launches stock_stream_job when sales-event batches wait in the landing area.",
)
def stock_sales_events_sensor(context: SensorEvaluationContext):
    pending = pending_batches(open_lake(), SOURCE, EVENTS_TABLE)
    if not pending:
        return SkipReason("no sales-event batch in the landing area")
    active = context.instance.get_runs(filters=RunsFilter(job_name=stock_stream_job.name, statuses=ACTIVE), limit=1)
    if active:
        return SkipReason(f"run {active[0].run_id} is still processing earlier batches")
    # One run per state of the landing area: the newest batch names it.
    return RunRequest(run_key=pending[-1], tags={"batches": str(len(pending))})


jobs = [stock_job, stock_stream_job]
schedules = [stock_daily_schedule]
sensors = [stock_sales_events_sensor]
