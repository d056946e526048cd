"""One module per domain (`assets`, `jobs`, `schedules`, `sensors`), and what their ingestion assets share."""

import datetime as dt

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    DefaultScheduleStatus,
    Failure,
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

INPUTS_LANDED = "inputs_landed"


def landing_checks(*keys) -> list[AssetCheckSpec]:
    """The check every file-landing asset reports: each input file was landed (one that cannot be, unreadable or
    not the contract's columns, is skipped and named here, and never blocks the others; when none of them can be,
    the asset fails)."""
    return [
        AssetCheckSpec(INPUTS_LANDED, asset=key, description="Every input file could be read and landed.")
        for key in keys
    ]


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


def unset_input(variable: str, what: str) -> str:
    """Why an input lands nothing: on prod no sample stands in for it; on dev and test the sample is absent too."""
    if not config.uses_samples():
        return f"{variable} is not set (DBT_TARGET={config.dbt_target()}: no sample stands in): no {what} to land"
    return f"{variable} is not set and there is no generated sample: no {what} to land"


def nothing_to_land(context: AssetExecutionContext, why: str, asset_key: AssetKey | None = None) -> MaterializeResult:
    """An input that is not configured: nothing lands, and the run's log and the metadata say so. On prod this is
    what an unset input gives (no generated sample stands in: ingestion/config.py's `uses_samples`)."""
    if config.dbt_target() == "prod":
        context.log.warning(why)
    else:
        context.log.info(why)
    landed = landed_result(context, [], asset_key)
    return MaterializeResult(
        asset_key=asset_key,
        metadata={**landed.metadata, "nothing_to_land": MetadataValue.text(why)},
        check_results=landed.check_results,
    )


def landed_result(
    context: AssetExecutionContext, landed: list[LandedFile], asset_key: AssetKey | None = None
) -> MaterializeResult:
    """The metadata of an ingestion asset: files matched, files delivered (the others were nothing new), the
    records parsed and rejected by the reader, and the columns the contract does not know (dropped) or lacks."""
    failed = [f for f in landed if f.error]
    written = [f for f in landed if f.written]
    for f in failed:
        context.log.error(f"not landed: {f.error}")
    if failed and len(failed) == len(landed):
        # not one input could be read: a green run that lands nothing would hide it (a wrong path, a file saved in
        # another format). Some files unreadable among good ones: the good ones land, the check names the others.
        raise Failure(
            description="no input file could be landed: " + "; ".join(f.error for f in failed),
            metadata={"files_not_landed": MetadataValue.json([f.error for f in failed])},
        )
    for f in landed:
        if f.error:
            continue
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
            "files_not_landed": MetadataValue.json([f.error for f in failed]),
        },
        check_results=[
            AssetCheckResult(
                check_name=INPUTS_LANDED,
                asset_key=asset_key,
                passed=not failed,
                severity=AssetCheckSeverity.ERROR,
                metadata={"errors": MetadataValue.json([f.error for f in failed])},
                description=(
                    f"{len(failed)} input file(s) could not be landed (the others were): "
                    + "; ".join(f.error for f in failed)
                    if failed
                    else f"{len(landed)} input file(s), every one landed or already there"
                ),
            )
        ],
    )
