"""The velib domain in Dagster: snapshot assets (open data, GBFS), the job, the 15-minute schedule.

Replay (backfills, demos without network): set VELIB_REPLAY_DIR, or give the snapshot asset a
`replay_folder` in its run config; every saved snapshot of the folder lands once.
"""

from dagster import (
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

from ingestion.lake import open_lake
from ingestion.velib import GBFS_TABLE, OPENDATA_TABLE, SOURCE
from ingestion.velib.snapshot import take_gbfs_snapshot, take_snapshots

GROUP = "velib"


class SnapshotConfig(Config):
    replay_folder: str | None = None  # land the saved snapshots of this folder instead of calling the API


def _result(context: AssetExecutionContext, lake, landed) -> MaterializeResult:
    for snapshot in landed:
        state = "written" if snapshot.written else "already in the lake"
        context.log.info(f"{snapshot.source}: {snapshot.record_count} stations -> {lake.uri(snapshot.key)} ({state})")
    return MaterializeResult(
        metadata={
            "snapshots": len(landed),
            "snapshots_written": sum(s.written for s in landed),
            "stations": sum(s.record_count for s in landed),
            "keys": MetadataValue.json([s.key for s in landed]),
        }
    )


@asset(
    key=[SOURCE, f"raw_{OPENDATA_TABLE}"],
    group_name=GROUP,
    kinds={"python", "json"},
    description=(
        "One snapshot of the Paris open-data dataset velib-disponibilite-en-temps-reel (VELIB_API_URL: exports/json, "
        "falling back to paged records), kept raw in raw/velib/station_status/; or a replayed folder."
    ),
)
def raw_station_status(context: AssetExecutionContext, config: SnapshotConfig) -> MaterializeResult:
    lake = open_lake()
    return _result(context, lake, take_snapshots(lake, config.replay_folder))


@asset(
    key=[SOURCE, f"raw_{GBFS_TABLE}"],
    group_name=GROUP,
    kinds={"python", "json"},
    description="One snapshot of the GBFS feeds (VELIB_GBFS_URL), kept raw in raw/velib/gbfs_station_status/.",
)
def raw_gbfs_station_status(context: AssetExecutionContext) -> MaterializeResult:
    lake = open_lake()
    landed = take_gbfs_snapshot(lake)
    if not landed:
        context.log.info("VELIB_GBFS_URL is not set: no GBFS snapshot taken")
    return _result(context, lake, landed)


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
