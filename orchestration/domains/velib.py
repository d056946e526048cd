"""The velib domain in Dagster: snapshot assets (open data, GBFS), the job, the 15-minute schedule.

Replay (backfills, demos without network): set VELIB_REPLAY_DIR, or give the snapshot asset a
`replay_folder` in its run config; every saved snapshot of the folder lands once.
"""

from collections.abc import Callable

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from ingestion.config import velib_settings
from ingestion.lake import Lake, open_lake
from ingestion.velib import GBFS_TABLE, OPENDATA_TABLE, SOURCE
from ingestion.velib.client import FetchError
from ingestion.velib.snapshot import LandedSnapshot, take_gbfs_snapshot, take_snapshots

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


def _take(
    context: AssetExecutionContext, source: str, take: Callable[[Lake], list[LandedSnapshot]], other_source: bool
) -> MaterializeResult:
    """Take a snapshot of one source. When it fails and another Vélib' source is configured, the failure is
    reported (an ERROR log line and a failing `source_answered` check) instead of failing the step: a failed
    step would keep the other source's snapshot out of the marts. The only source failing fails the run."""
    lake = open_lake()
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
    description=(
        "One snapshot of the Paris open-data dataset velib-disponibilite-en-temps-reel (VELIB_API_URL: exports/json, "
        "falling back to paged records), kept raw in raw/velib/station_status/; or a replayed folder."
    ),
)
def raw_station_status(context: AssetExecutionContext, config: SnapshotConfig) -> MaterializeResult:
    gbfs_configured = bool(velib_settings().gbfs_url)
    return _take(context, "the open-data API", lambda lake: take_snapshots(lake, config.replay_folder), gbfs_configured)


@asset(
    key=GBFS_KEY,
    group_name=GROUP,
    kinds={"python", "json"},
    check_specs=[_source_check(GBFS_KEY, "GBFS feed")],
    description="One snapshot of the GBFS feeds (VELIB_GBFS_URL), kept raw in raw/velib/gbfs_station_status/.",
)
def raw_gbfs_station_status(context: AssetExecutionContext) -> MaterializeResult:
    if not velib_settings().gbfs_url:
        context.log.info("VELIB_GBFS_URL is not set: no GBFS snapshot taken")
    return _take(context, "the GBFS feed", take_gbfs_snapshot, other_source=True)  # open data is always configured


velib_job = define_asset_job(
    "velib_job",
    selection=AssetSelection.groups(GROUP),
    description="Take a Vélib' snapshot and update the KPIs.",
)

velib_every_15_minutes = ScheduleDefinition(
    name="velib_every_15_minutes",
    job=velib_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="A snapshot every 15 minutes, as the original team took them.",
)

assets = [raw_station_status, raw_gbfs_station_status]
jobs = [velib_job]
schedules = [velib_every_15_minutes]
sensors = []
