"""The daily partitions of the time-based assets (docs/orchestration.md).

A partition is a UTC day of the raw zone (`raw/<source>/<table>/dt=YYYY-MM-DD/`):

- the stream drains (`stock/raw_sales_events`, `marketing/raw_click_events`) move the landing batches whose batch
  time falls in the run's days (a batch lands in the `dt=` of its time); Kinesis, read in arrival order, is
  drained by the run that covers today;
- the Vélib' snapshot assets replay the saved snapshots whose data time falls in the run's days
  (`VELIB_REPLAY_DIR`), or take a live snapshot when the run covers now (the API answers only the present);
- the dbt base models that read those sources are partitioned the same way. They read every delivery not read
  yet, whatever its day (staging is incremental by delivery, docs/staging.md): a replay of last week is
  delivered today, a late batch lands in an older day, and a read narrowed to the run's days would leave them
  unread. So partition D of a base model means "what Dagster landed for D has been staged", never less.

Everything downstream (intermediate models and marts) is unpartitioned: marts are tables over all days, the
incremental ones (Vélib' snapshots, click-event anomalies) rewrite exactly the slots new deliveries touch.

Every asset has a single-run backfill policy: a range of days is one run (one drain, one dbt build), from the
UI's backfill dialog or `dagster asset materialize --select … --partition-range 2026-11-01...2026-11-30`.
Why no window in dbt `--vars`: dbt keeps its parse only while the command-line vars stay the same, so a window
per run would make every run re-parse the whole project (docs/orchestration.md, "Overhead").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, DailyPartitionsDefinition

from ingestion import config

# end_offset=1: today is a partition (streams land into it all day), not only the complete days
DAILY = DailyPartitionsDefinition(start_date=config.partitions_start(), end_offset=1, timezone="UTC")

# one run per range of days, whatever the asset (the CLI's --partition-range requires it of every selected asset)
SINGLE_RUN = BackfillPolicy.single_run()

# The ingestion assets partitioned by day; the dbt sources they write (meta.dagster.asset_key) make the base
# models that read them partitioned too (orchestration/dbt.py's translator, `is_partitioned_model`).
PARTITIONED_INGESTION_KEYS = frozenset(
    {
        AssetKey(["stock", "raw_sales_events"]),
        AssetKey(["marketing", "raw_click_events"]),
        AssetKey(["velib", "raw_station_status"]),
        AssetKey(["velib", "raw_gbfs_station_status"]),
    }
)


def run_window(context: AssetExecutionContext) -> tuple[dt.datetime, dt.datetime] | None:
    """The run's days as [start, end) in UTC, or None for a run without a partition (every day)."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    window = context.partition_time_window
    return window.start.astimezone(dt.UTC), window.end.astimezone(dt.UTC)


def describe(window: tuple[dt.datetime, dt.datetime] | None) -> str:
    if window is None:
        return "every day"
    start, end = window
    last = (end - dt.timedelta(days=1)).date()
    return f"{start.date()}" if last == start.date() else f"{start.date()} … {last}"


def covers_now(window: tuple[dt.datetime, dt.datetime] | None) -> bool:
    """True when the run's days include the present (a live API can only be asked about now)."""
    now = dt.datetime.now(dt.UTC)
    return window is None or window[0] <= now < window[1]


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def main() -> None:
    """`python -m orchestration.partitions`: the waiting days as `first...last`, for --partition-range."""
    from ingestion.lake import open_lake

    first, last = waiting_days(open_lake(), config.velib_settings().replay_dir)
    print(f"{first}...{last}")


STREAMS = (("stock", "sales_events"), ("marketing", "click_events"))


def waiting_days(lake, replay_dir: str | None = None, with_today: bool = True) -> tuple[str, str]:
    """The first and last day that has something to land: the landing batches of the partitioned streams and the
    snapshots of a Vélib' replay folder, and today (the day Kinesis and the live Vélib' feeds are read in). The
    range `make demo` materializes. `with_today=False`: today only when nothing waits (a range over old batches
    does not record a materialization for every day between them and today)."""
    from pathlib import Path

    from ingestion.stream import batch_day, pending_batches
    from ingestion.velib.snapshot import read_saved_snapshot

    days = set()
    for source, table in STREAMS:
        days |= {day for key in pending_batches(lake, source, table) if (day := batch_day(key))}
    if replay_dir:
        for path in Path(replay_dir).glob("*.json"):
            days.add(read_saved_snapshot(path).data_timestamp.astimezone(dt.UTC).date().isoformat())
    if with_today or not days:
        days.add(today())
    # within the partitions: nothing before TRIBUTARY_PARTITIONS_START, nothing after today
    first, last = DAILY.get_first_partition_key(), DAILY.get_last_partition_key()
    return min(max(min(days), first), last), max(min(max(days), last), first)


def partitioned_sources(manifest: Mapping[str, Any]) -> frozenset[str]:
    """The unique ids of the dbt sources written by a partitioned ingestion asset."""
    return frozenset(
        unique_id
        for unique_id, source in manifest.get("sources", {}).items()
        if AssetKey(source.get("meta", {}).get("dagster", {}).get("asset_key", [])) in PARTITIONED_INGESTION_KEYS
    )


def partitioned_parents(
    manifest: Mapping[str, Any], node: Mapping[str, Any], sources: frozenset[str]
) -> list[Mapping[str, Any]]:
    """The direct parents of a dbt node that are partitioned: a partitioned source, or a partitioned base model."""
    nodes, parents = manifest.get("nodes", {}), []
    for parent in node.get("depends_on", {}).get("nodes", []):
        if parent in sources:
            parents.append(manifest["sources"][parent])
        elif parent in nodes and is_partitioned_model(nodes[parent], sources):
            parents.append(nodes[parent])
    return parents


def is_partitioned_model(node: Mapping[str, Any], sources: frozenset[str]) -> bool:
    """A base model is partitioned when it is incremental and reads a partitioned source directly."""
    return (
        node.get("resource_type") == "model"
        and node.get("config", {}).get("materialized") == "incremental"
        and any(parent in sources for parent in node.get("depends_on", {}).get("nodes", []))
    )


if __name__ == "__main__":
    main()
