"""The velib domain in Dagster: snapshot assets (open data, GBFS), the job, the 15-minute schedule.

The snapshot assets are partitioned by day (orchestration/partitions.py). Replay (backfills, demos without
network): set VELIB_REPLAY_DIR (the `velib_api` resource), or give the snapshot asset a `replay_folder` in its run
config; a run lands the saved snapshots whose data time falls in its days, each once. Without a replay folder a
run takes one live snapshot, which only a run covering now can do (the API answers the present only).
"""

from collections.abc import Callable

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSelection,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from ingestion.lake import Lake
from ingestion.velib import GBFS_TABLE, OPENDATA_TABLE, SOURCE
from ingestion.velib.client import FetchError
from ingestion.velib.snapshot import LandedSnapshot, take_gbfs_snapshot, take_snapshots
from orchestration import partitions
from orchestration.domains import recent_days_schedule
from orchestration.partitions import DAILY, SINGLE_RUN
from orchestration.resources import LakeResource, VelibApiResource

GROUP = "velib"
OPENDATA_KEY = [SOURCE, f"raw_{OPENDATA_TABLE}"]
GBFS_KEY = [SOURCE, f"raw_{GBFS_TABLE}"]
SOURCE_CHECK = "source_answered"


class SnapshotConfig(Config):
    replay_folder: str | None = None  # land the saved snapshots of this folder instead of calling the API


def _source_check(key: list[str], source: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        SOURCE_CHECK,
        asset=key,
        description=(
            f"The {source} answered in this run. When it fails, the error (naming the URL) is in the check's "
            "metadata and the run's log, the other Vélib' source still reaches the marts, and the marts keep "
            "this source's earlier snapshots."
        ),
    )


class PastPartitionError(FetchError):
    """A live snapshot asked for days that are over: the API answers the present only."""


def live_window_check(context: AssetExecutionContext, source: str) -> None:
    window = partitions.run_window(context)
    if not partitions.covers_now(window):
        raise PastPartitionError(
            f"{source}: a live snapshot can only be taken for today, not for {partitions.describe(window)} (the API "
            "answers the present only); to backfill past days, replay saved snapshots: set VELIB_REPLAY_DIR (or the "
            "asset's replay_folder) to a folder of them"
        )


def _take(
    context: AssetExecutionContext,
    lake: Lake,
    source: str,
    take: Callable[[Lake], list[LandedSnapshot]],
    other_source: bool,
) -> MaterializeResult:
    """Take a snapshot of one source. When it fails and another Vélib' source is configured, the failure is
    reported (an ERROR log line and a failing `source_answered` check) instead of failing the step: a failed
    step would keep the other source's snapshot out of the marts. The only source failing fails the run."""
    try:
        landed = take(lake)
    except FetchError as error:
        if not other_source:
            raise
        context.log.error(f"{source} down, the other Vélib' source still goes to the marts: {error}")
        return MaterializeResult(
            metadata={"snapshots": 0, "snapshots_written": 0, "stations": 0, "error": MetadataValue.text(str(error))},
            check_results=[
                AssetCheckResult(
                    check_name=SOURCE_CHECK,
                    passed=False,
                    severity=AssetCheckSeverity.ERROR,
                    description=f"{source} down",
                    metadata={"error": MetadataValue.text(str(error))},
                )
            ],
        )
    for snapshot in landed:
        state = "written" if snapshot.written else "already in the lake"
        context.log.info(f"{snapshot.source}: {snapshot.record_count} stations -> {lake.uri(snapshot.key)} ({state})")
    return MaterializeResult(
        metadata={
            "snapshots": len(landed),
            "snapshots_written": sum(s.written for s in landed),
            "stations": sum(s.record_count for s in landed),
            "keys": MetadataValue.json([s.key for s in landed]),
        },
        check_results=[AssetCheckResult(check_name=SOURCE_CHECK, passed=True, metadata={"snapshots": len(landed)})],
    )


@asset(
    key=OPENDATA_KEY,
    group_name=GROUP,
    kinds={"python", "json"},
    check_specs=[_source_check(OPENDATA_KEY, "open-data API")],
    partitions_def=DAILY,
    backfill_policy=SINGLE_RUN,
    description=(
        "One snapshot of the Paris open-data dataset velib-disponibilite-en-temps-reel (VELIB_API_URL: exports/json, "
        "falling back to paged records), kept raw in raw/velib/station_status/; or the saved snapshots of a replayed "
        "folder whose data time falls in the run's days."
    ),
)
def raw_station_status(
    context: AssetExecutionContext, config: SnapshotConfig, lake: LakeResource, velib_api: VelibApiResource
) -> MaterializeResult:
    settings = velib_api.settings()
    replay = config.replay_folder or settings.replay_dir
    if not replay:
        live_window_check(context, "the open-data API")
    window = partitions.run_window(context)
    return _take(
        context,
        lake.open(),
        "the open-data API",
        lambda lake: take_snapshots(lake, replay, window, settings),
        bool(settings.gbfs_url),
    )


@asset(
    key=GBFS_KEY,
    group_name=GROUP,
    kinds={"python", "json"},
    check_specs=[_source_check(GBFS_KEY, "GBFS feed")],
    partitions_def=DAILY,
    backfill_policy=SINGLE_RUN,
    description=(
        "One snapshot of the GBFS feeds (VELIB_GBFS_URL), kept raw in raw/velib/gbfs_station_status/ (live only: a "
        "run covering now takes it; saved GBFS answers replay through the open-data asset's folder)."
    ),
)
def raw_gbfs_station_status(
    context: AssetExecutionContext, lake: LakeResource, velib_api: VelibApiResource
) -> MaterializeResult:
    settings = velib_api.settings()
    if not settings.gbfs_url:
        context.log.info("VELIB_GBFS_URL is not set: no GBFS snapshot taken")
    elif not partitions.covers_now(partitions.run_window(context)):
        context.log.info("GBFS is live only: no snapshot for days that are over")
        settings = None
    take = (lambda lake: take_gbfs_snapshot(lake, settings)) if settings else (lambda lake: [])
    return _take(context, lake.open(), "the GBFS feed", take, other_source=True)  # open data is always configured


velib_job = define_asset_job(
    "velib_job",
    selection=AssetSelection.groups(GROUP),
    description="Take a Vélib' snapshot and update the KPIs.",
)

velib_every_15_minutes = recent_days_schedule(
    name="velib_every_15_minutes",
    job=velib_job,
    cron_schedule="*/15 * * * *",
    description="A snapshot every 15 minutes, as the original team took them (today's partition).",
)

assets = [raw_station_status, raw_gbfs_station_status]
jobs = [velib_job]
schedules = [velib_every_15_minutes]
sensors = []
