"""The wine domain in Dagster: thin ingestion assets over ingestion.wine, the monthly reports asset, the job
and its schedule.

Each domain module exposes `assets`, `jobs`, `schedules` and `sensors`; definitions.py collects them.
"""

import datetime as dt
import re

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from ingestion.config import wine_settings
from ingestion.files import ingest_files
from ingestion.wine import (
    ERP_TABLE,
    LIAISON_TABLE,
    SOURCE,
    WEB_TABLE,
)
from orchestration.automation import FOLLOWS_ITS_SOURCES
from orchestration.domains import landed_result, landing_checks, nothing_to_land, unset_input
from orchestration.partitions import SINGLE_RUN
from orchestration.resources import LakeResource, WarehouseResource
from reports.wine import write_reports
from serving.pipeline_status import latest_test_results

GROUP = "wine"
MARTS = ("fct_wine__product_revenue", "fct_wine__revenue_summary", "fct_wine__anomalies")


def _land(
    context: AssetExecutionContext, lake: LakeResource, table: str, path: str | None, variable: str
) -> MaterializeResult:
    """Land the file(s) at `path` (xlsx or csv) in raw/wine/<table>/, or nothing when no path is configured."""
    if not path:
        return nothing_to_land(context, unset_input(variable, f"{table} file"))
    return landed_result(context, ingest_files(lake.open(), SOURCE, table, path))


@asset(
    key=[SOURCE, "raw_erp"],
    check_specs=landing_checks([SOURCE, "raw_erp"]),
    group_name=GROUP,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "xlsx"},
    description="The ERP product list (WINE_ERP_PATH, xlsx or csv) landed as CSV text in raw/wine/erp/.",
)
def raw_erp(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    return _land(context, lake, ERP_TABLE, wine_settings().erp_path, "WINE_ERP_PATH")


@asset(
    key=[SOURCE, "raw_web"],
    check_specs=landing_checks([SOURCE, "raw_web"]),
    group_name=GROUP,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "xlsx"},
    description="The WooCommerce export (WINE_WEB_PATH, xlsx or csv) landed as CSV text in raw/wine/web/.",
)
def raw_web(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    return _land(context, lake, WEB_TABLE, wine_settings().web_path, "WINE_WEB_PATH")


@asset(
    key=[SOURCE, "raw_liaison"],
    check_specs=landing_checks([SOURCE, "raw_liaison"]),
    group_name=GROUP,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "xlsx"},
    description="The ERP ↔ web liaison (WINE_LIAISON_PATH, xlsx or csv) landed as CSV text in raw/wine/liaison/.",
)
def raw_liaison(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    return _land(context, lake, LIAISON_TABLE, wine_settings().liaison_path, "WINE_LIAISON_PATH")


class WineReportsConfig(Config):
    """`month` (YYYY-MM) names the report folder; empty: the month of the run (UTC)."""

    month: str = ""


@asset(
    key=[SOURCE, "reports"],
    group_name=GROUP,
    kinds={"python", "xlsx", "csv"},
    deps=[AssetKey(name) for name in MARTS],
    backfill_policy=SINGLE_RUN,
    automation_condition=FOLLOWS_ITS_SOURCES,
    description=(
        "The monthly files under reports/wine/<YYYY-MM>/ in the lake: revenue_report.xlsx, premium_products.csv, "
        "ordinary_products.csv and data_tests.xlsx (reports/wine.py)."
    ),
)
def wine_reports(
    context: AssetExecutionContext, config: WineReportsConfig, lake: LakeResource, warehouse: WarehouseResource
) -> MaterializeResult:
    month = config.month or dt.datetime.now(dt.UTC).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError(f"month {month!r} is not YYYY-MM")
    tests = latest_test_results(GROUP, instance=context.instance)
    keys = write_reports(warehouse.reader(), lake.open(), month, tests)  # DuckDB read-only, or Athena on prod
    for key in keys:
        context.log.info(f"wrote {key}")
    return MaterializeResult(
        metadata={
            "month": month,
            "keys": MetadataValue.json(keys),
            "tests": len(tests),
            "tests_not_passing": MetadataValue.json(
                {t.test: f"{t.status} ({t.failing_rows})" for t in tests if t.status != "pass"}
            ),
        }
    )


wine_job = define_asset_job(
    "wine_job",
    selection=AssetSelection.groups(GROUP),
    description="Everything of the wine domain: land the three files, dbt build, then write the monthly reports.",
)

wine_monthly_schedule = ScheduleDefinition(
    name="wine_monthly",
    job=wine_job,
    cron_schedule="0 9 15 * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild the wine marts and write that month's reports on the 15th at 09:00 UTC.",
)

assets = [raw_erp, raw_web, raw_liaison, wine_reports]
jobs = [wine_job]
schedules = [wine_monthly_schedule]
sensors = []
