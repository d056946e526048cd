"""The marketing domain in Dagster: thin ingestion assets over ingestion.marketing, its jobs, schedule and the
click-events sensor (built by the one landing-sensor factory, like the stock events).

Each domain module exposes `assets`, `jobs`, `schedules` and `sensors`; definitions.py collects them.
"""

from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    MaterializeResult,
    asset,
    define_asset_job,
    multi_asset,
)

from ingestion import config
from ingestion.files import LandedFile, ingest_files
from ingestion.marketing import (
    CAMPAIGNS_TABLE,
    CLICK_EVENTS_TABLE,
    SOCIAL_POSTS_TABLE,
    SOURCE,
    TRANSACTIONS_TABLE,
    WEB_LOGS_CSV_TABLE,
    WEB_LOGS_TABLE,
)
from ingestion.marketing.land import ingest_web_logs
from orchestration.domains import landed_result, landing_checks, nothing_to_land, recent_days_schedule, unset_input
from orchestration.partitions import DAILY, SINGLE_RUN
from orchestration.resources import KinesisResource, LakeResource
from orchestration.streams import drain_check_specs, drain_stream, landing_sensor

GROUP = "marketing"


def _land(
    context: AssetExecutionContext, path: str | None, variable: str, land: Callable[[str], list[LandedFile]]
) -> MaterializeResult:
    """Land the file(s) at `path`, or nothing when no path is configured and there is no generated sample."""
    if not path:
        return nothing_to_land(context, unset_input(variable, "file"))
    return landed_result(context, land(path))


@asset(
    key=[SOURCE, "raw_transactions"],
    check_specs=landing_checks([SOURCE, "raw_transactions"]),
    group_name=GROUP,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "csv"},
    description="Sales transactions CSV (MARKETING_TRANSACTIONS_PATH) landed in raw/marketing/transactions/.",
)
def raw_transactions(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    return _land(
        context,
        config.marketing_settings().transactions_path,
        "MARKETING_TRANSACTIONS_PATH",
        lambda path: ingest_files(lake.open(), SOURCE, TRANSACTIONS_TABLE, path),
    )


@multi_asset(
    specs=[
        AssetSpec(
            [SOURCE, "raw_web_logs"],
            group_name=GROUP,
            kinds={"python", "text"},
            description="Web server logs in Apache Common Log Format (MARKETING_WEB_LOGS_PATH) landed in "
            "raw/marketing/web_logs/.",
        ),
        AssetSpec(
            [SOURCE, "raw_web_logs_csv"],
            group_name=GROUP,
            kinds={"python", "csv"},
            description="Web server logs in the CSV shape (IP_Address, URL, Status_Code, Timestamp; from "
            "MARKETING_WEB_LOGS_PATH) landed in raw/marketing/web_logs_csv/.",
        ),
    ],
    name="raw_web_logs",
    backfill_policy=SINGLE_RUN,
    check_specs=landing_checks([SOURCE, "raw_web_logs"], [SOURCE, "raw_web_logs_csv"]),
)
def raw_web_logs(context: AssetExecutionContext, lake: LakeResource):
    """One asset per log shape (a dbt source each); one pass over MARKETING_WEB_LOGS_PATH tells them apart."""
    path = config.marketing_settings().web_logs_path
    if not path:
        why = unset_input("MARKETING_WEB_LOGS_PATH", "web log")
        for table in (WEB_LOGS_TABLE, WEB_LOGS_CSV_TABLE):
            yield nothing_to_land(context, why, asset_key=AssetKey([SOURCE, f"raw_{table}"]))
        return
    landed = ingest_web_logs(lake.open(), path)
    for table in (WEB_LOGS_TABLE, WEB_LOGS_CSV_TABLE):
        # a file of neither shape is reported with the log lines (the default shape)
        files = [
            f for f in landed if f.key.startswith(f"raw/{SOURCE}/{table}/") or (f.error and table == WEB_LOGS_TABLE)
        ]
        yield landed_result(context, files, asset_key=AssetKey([SOURCE, f"raw_{table}"]))


@asset(
    key=[SOURCE, "raw_social_posts"],
    check_specs=landing_checks([SOURCE, "raw_social_posts"]),
    group_name=GROUP,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "json"},
    description="Social posts JSON (MARKETING_SOCIAL_POSTS_PATH) landed as JSON lines in raw/marketing/social_posts/.",
)
def raw_social_posts(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    return _land(
        context,
        config.marketing_settings().social_posts_path,
        "MARKETING_SOCIAL_POSTS_PATH",
        lambda path: ingest_files(lake.open(), SOURCE, SOCIAL_POSTS_TABLE, path),
    )


@asset(
    key=[SOURCE, "raw_campaigns"],
    check_specs=landing_checks([SOURCE, "raw_campaigns"]),
    group_name=GROUP,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "json"},
    description="Ad campaigns JSON (MARKETING_CAMPAIGNS_PATH) landed as JSON lines in raw/marketing/campaigns/.",
)
def raw_campaigns(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    return _land(
        context,
        config.marketing_settings().campaigns_path,
        "MARKETING_CAMPAIGNS_PATH",
        lambda path: ingest_files(lake.open(), SOURCE, CAMPAIGNS_TABLE, path),
    )


@asset(
    key=[SOURCE, "raw_click_events"],
    check_specs=drain_check_specs(SOURCE, CLICK_EVENTS_TABLE, [SOURCE, "raw_click_events"]),
    group_name=GROUP,
    kinds={"python", "json"},
    description=(
        "Click-event micro-batches drained from landing/marketing/click_events/ (written by the producer) and, when "
        "MARKETING_EVENTS_KINESIS_STREAM is set, from that Kinesis stream, into raw/marketing/click_events/dt=<day>/. "
        "Partitioned by day: a run drains the batches of its days (docs/orchestration.md)."
    ),
    partitions_def=DAILY,
    backfill_policy=SINGLE_RUN,
)
def raw_click_events(context: AssetExecutionContext, lake: LakeResource, kinesis: KinesisResource) -> MaterializeResult:
    stream = config.marketing_settings().events_kinesis_stream
    return drain_stream(context, lake, kinesis, SOURCE, CLICK_EVENTS_TABLE, stream)


marketing_job = define_asset_job(
    "marketing_job",
    selection=AssetSelection.groups(GROUP),
    description="Everything of the marketing domain: land the files and the click-event batches, then dbt build.",
)

marketing_stream_job = define_asset_job(
    "marketing_stream_job",
    selection=AssetSelection.assets(raw_click_events).downstream(),
    description="Drain new click-event batches and update the incremental models and the anomaly mart after them.",
)

marketing_daily_schedule = recent_days_schedule(
    name="marketing_daily",
    job=marketing_job,
    cron_schedule="0 7 * * *",
    days=2,
    description=(
        "Land the day's marketing exports and the click events of yesterday and today, and rebuild the marketing "
        "marts, every morning at 07:00 UTC."
    ),
)

marketing_click_events_sensor = landing_sensor(
    SOURCE, CLICK_EVENTS_TABLE, marketing_stream_job, "marketing_click_events_sensor"
)

assets = [raw_transactions, raw_web_logs, raw_social_posts, raw_campaigns, raw_click_events]
jobs = [marketing_job, marketing_stream_job]
schedules = [marketing_daily_schedule]
sensors = [marketing_click_events_sensor]
