"""The stock domain in Dagster: thin ingestion assets over ingestion.stock, its jobs, schedule and sensor.

Each domain module exposes `assets`, `jobs`, `schedules` and `sensors`; definitions.py collects them.
"""

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    MaterializeResult,
    asset,
    define_asset_job,
)

from ingestion import config
from ingestion.files import ingest_files
from ingestion.stock import EVENTS_TABLE, INVENTORY_TABLE, SALES_TABLE, SOURCE
from orchestration.domains import landed_result, landing_checks, nothing_to_land, recent_days_schedule, unset_input
from orchestration.partitions import DAILY, SINGLE_RUN
from orchestration.resources import KinesisResource, LakeResource
from orchestration.streams import drain_check_specs, drain_stream, landing_sensor

GROUP = "stock"


@asset(
    key=[SOURCE, "raw_sales"],
    check_specs=landing_checks([SOURCE, "raw_sales"]),
    group_name=GROUP,
    kinds={"python", "csv"},
    backfill_policy=SINGLE_RUN,
    description="Superstore order-line exports (STOCK_SALES_CSV, a path or glob) landed in raw/stock/sales/.",
)
def raw_sales(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    settings = config.stock_settings()
    if not settings.sales_csv:
        return nothing_to_land(context, unset_input("STOCK_SALES_CSV", "export"))
    landed = ingest_files(lake.open(), SOURCE, SALES_TABLE, settings.sales_csv, settings.sales_encoding)
    return landed_result(context, landed)


@asset(
    key=[SOURCE, "raw_inventory_snapshots"],
    check_specs=landing_checks([SOURCE, "raw_inventory_snapshots"]),
    group_name=GROUP,
    kinds={"python", "csv"},
    backfill_policy=SINGLE_RUN,
    description="Optional inventory counts (STOCK_INVENTORY_CSV) landed in raw/stock/inventory_snapshots/.",
)
def raw_inventory_snapshots(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    settings = config.stock_settings()
    if not settings.inventory_csv:
        return nothing_to_land(context, unset_input("STOCK_INVENTORY_CSV", "inventory snapshot"))
    landed = ingest_files(lake.open(), SOURCE, INVENTORY_TABLE, settings.inventory_csv)
    return landed_result(context, landed)


@asset(
    key=[SOURCE, "raw_sales_events"],
    check_specs=drain_check_specs(SOURCE, EVENTS_TABLE, [SOURCE, "raw_sales_events"]),
    group_name=GROUP,
    kinds={"python", "json"},
    partitions_def=DAILY,
    backfill_policy=SINGLE_RUN,
    description=(
        "Sales-event micro-batches drained from landing/stock/sales_events/ (written by the producer) and, when "
        "STOCK_EVENTS_KINESIS_STREAM is set, from that Kinesis stream, into raw/stock/sales_events/dt=<day>/. "
        "Partitioned by day: a run drains the batches of its days (docs/orchestration.md)."
    ),
)
def raw_sales_events(context: AssetExecutionContext, lake: LakeResource, kinesis: KinesisResource) -> MaterializeResult:
    stream = config.stock_settings().events_kinesis_stream
    return drain_stream(context, lake, kinesis, SOURCE, EVENTS_TABLE, stream)


stock_job = define_asset_job(
    "stock_job",
    selection=AssetSelection.groups(GROUP),
    description="Everything of the stock domain: land the exports and the event batches, then dbt build.",
)

stock_stream_job = define_asset_job(
    "stock_stream_job",
    selection=AssetSelection.assets(raw_sales_events).downstream(),
    description="Drain new sales-event batches and update the incremental models and the marts after them.",
)

stock_daily_schedule = recent_days_schedule(
    name="stock_daily",
    job=stock_job,
    cron_schedule="0 6 * * *",
    days=2,
    description=(
        "Land the exports and the event batches of yesterday and today, and rebuild the stock marts, every morning "
        "at 06:00 UTC."
    ),
)

stock_kinesis_schedule = recent_days_schedule(
    name="stock_kinesis_every_5_minutes",
    job=stock_stream_job,
    cron_schedule="*/5 * * * *",
    description=(
        "Drain the Kinesis stream STOCK_EVENTS_KINESIS_STREAM every 5 minutes and update the models after it "
        "(the landing sensor does not see Kinesis; a run with nothing new writes nothing)."
    ),
)

stock_sales_events_sensor = landing_sensor(SOURCE, EVENTS_TABLE, stock_stream_job, "stock_sales_events_sensor")

assets = [raw_sales, raw_inventory_snapshots, raw_sales_events]
jobs = [stock_job, stock_stream_job]
schedules = [stock_daily_schedule, stock_kinesis_schedule]
sensors = [stock_sales_events_sensor]
