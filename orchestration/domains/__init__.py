"""One module per domain (`assets`, `jobs`, `schedules`, `sensors`), and what their ingestion assets share."""

import datetime as dt

from dagster import (
    AssetExecutionContext,
    AssetKey,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from ingestion import config
from ingestion.files import LandedFile


def recent_days_schedule(name: str, job, cron_schedule: str, description: str, days: int = 1) -> ScheduleDefinition:
    """A schedule (stopped by default: it pulls a source, orchestration/automation.py) whose run covers the `days`
    days up to the tick's day (UTC): the partitions of the time-based assets of `job`, in one run. Two days for a
    daily job, so that the batches of the previous evening are drained with it."""

    @schedule(
        name=name,
        job=job,
        cron_schedule=cron_schedule,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.STOPPED,
        description=description,
    )
    def _schedule(context: ScheduleEvaluationContext) -> RunRequest:
        last = context.scheduled_execution_time.astimezone(dt.UTC).date()
        first = last - dt.timedelta(days=days - 1)
        if first == last:
            return RunRequest(partition_key=last.isoformat())
        return RunRequest(
            tags={ASSET_PARTITION_RANGE_START_TAG: first.isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat()}
        )

    return _schedule


def nothing_to_land(context: AssetExecutionContext, why: str, asset_key: AssetKey | None = None) -> MaterializeResult:
    """An input that is not configured: nothing lands, and the run's log and the metadata say so. On prod this is
    what an unset input gives (no generated sample stands in: ingestion/config.py's `uses_samples`)."""
    if config.dbt_target() == "prod":
        context.log.warning(why)
    else:
        context.log.info(why)
    return MaterializeResult(
        asset_key=asset_key, metadata={"files": 0, "files_written": 0, "nothing_to_land": MetadataValue.text(why)}
    )


def landed_result(
    context: AssetExecutionContext, landed: list[LandedFile], asset_key: AssetKey | None = None
) -> MaterializeResult:
    """The metadata of an ingestion asset: files matched, files delivered (the others were nothing new), the
    records parsed and rejected by the reader, and the columns the contract does not know (dropped) or lacks."""
    written = [f for f in landed if f.written]
    for f in landed:
        if f.written:
            context.log.info(
                f"{f.source_path} -> {f.key}, parsed into {f.parsed_key}: {f.records:,} record(s), "
                f"{f.rejected:,} the reader could not split{f' {f.reasons}' if f.reasons else ''}"
            )
        else:
            context.log.info(f"{f.source_path} -> {f.key}: nothing new ({f.reason})")
        if f.extra_columns:
            context.log.warning(
                f"{f.source_path}: column(s) the contract does not know, dropped: {list(f.extra_columns)}"
            )
        if f.missing_optional:
            context.log.warning(f"{f.source_path}: optional column(s) absent, NULL: {list(f.missing_optional)}")
    return MaterializeResult(
        asset_key=asset_key,
        metadata={
            "files": len(landed),
            "files_written": len(written),
            "records": sum(f.records for f in written),
            "records_rejected_by_the_reader": sum(f.rejected for f in written),
            "extra_columns": MetadataValue.json(sorted({c for f in landed for c in f.extra_columns})),
            "missing_optional_columns": MetadataValue.json(sorted({c for f in landed for c in f.missing_optional})),
            "keys": MetadataValue.json([f.key for f in landed]),
            "parsed_keys": MetadataValue.json([f.parsed_key for f in written]),
        },
    )
