"""The wine domain in Dagster: thin ingestion assets over ingestion.wine, the monthly reports asset, the job
and its schedule.

Each domain module exposes `assets`, `jobs`, `schedules` and `sensors`; definitions.py collects them.
"""

import datetime as dt
import re

from dagster import (
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DagsterInstance,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from ingestion.config import wine_settings
from ingestion.files import ingest_files
from ingestion.lake import open_lake
from ingestion.wine import (
    ERP_TABLE,
    LIAISON_TABLE,
    SOURCE,
    WEB_TABLE,
)
from orchestration.dbt import tributary_dbt_assets
from orchestration.domains import landed_result, landing_checks
from reports.wine import TestResult, write_reports
from serving.warehouse import open_warehouse

GROUP = "wine"
MARTS = ("fct_wine__product_revenue", "fct_wine__revenue_summary", "fct_wine__anomalies")


def _land(context: AssetExecutionContext, table: str, path: str | None, variable: str) -> MaterializeResult:
    """Land the file(s) at `path` (xlsx or csv) in raw/wine/<table>/, or nothing when no path is configured."""
    if not path:
        context.log.info(f"{variable} is not set and there is no generated sample: no {table} file to land")
        return landed_result(context, [])
    return landed_result(context, ingest_files(open_lake(), SOURCE, table, path))


@asset(
    key=[SOURCE, "raw_erp"],
    check_specs=landing_checks([SOURCE, "raw_erp"]),
    group_name=GROUP,
    kinds={"python", "xlsx"},
    description="The ERP product list (WINE_ERP_PATH, xlsx or csv) landed as CSV text in raw/wine/erp/.",
)
def raw_erp(context: AssetExecutionContext) -> MaterializeResult:
    return _land(context, ERP_TABLE, wine_settings().erp_path, "WINE_ERP_PATH")


@asset(
    key=[SOURCE, "raw_web"],
    check_specs=landing_checks([SOURCE, "raw_web"]),
    group_name=GROUP,
    kinds={"python", "xlsx"},
    description="The WooCommerce export (WINE_WEB_PATH, xlsx or csv) landed as CSV text in raw/wine/web/.",
)
def raw_web(context: AssetExecutionContext) -> MaterializeResult:
    return _land(context, WEB_TABLE, wine_settings().web_path, "WINE_WEB_PATH")


@asset(
    key=[SOURCE, "raw_liaison"],
    check_specs=landing_checks([SOURCE, "raw_liaison"]),
    group_name=GROUP,
    kinds={"python", "xlsx"},
    description="The ERP ↔ web liaison (WINE_LIAISON_PATH, xlsx or csv) landed as CSV text in raw/wine/liaison/.",
)
def raw_liaison(context: AssetExecutionContext) -> MaterializeResult:
    return _land(context, LIAISON_TABLE, wine_settings().liaison_path, "WINE_LIAISON_PATH")


class WineReportsConfig(Config):
    """`month` (YYYY-MM) names the report folder; empty: the month of the run (UTC)."""

    month: str = ""


def latest_test_results(instance: DagsterInstance) -> list[TestResult]:
    """Each dbt test of the domain's assets as its latest Dagster asset check evaluation (dagster-dbt records
    every dbt test of a build as one, with the failing rows count). Used by the reports and the dashboard."""
    groups = {spec.key: spec.group_name for spec in tributary_dbt_assets.specs}
    check_keys = sorted(
        (spec.key for spec in tributary_dbt_assets.check_specs if groups.get(spec.asset_key) == GROUP),
        key=lambda key: (key.asset_key.to_user_string(), key.name),
    )
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    results = []
    for key in check_keys:
        record = records.get(key)
        evaluation = record.event.dagster_event.event_specific_data if record and record.event else None
        passed = getattr(evaluation, "passed", None)
        if passed is None:
            status, failing = "not_run", 0
        else:
            failing_value = evaluation.metadata.get("dagster_dbt/failed_row_count")
            failing = int(failing_value.value) if failing_value is not None else 0
            status = "pass" if passed else ("warn" if evaluation.severity == AssetCheckSeverity.WARN else "fail")
        results.append(TestResult(key.name, key.asset_key.to_user_string(), status, failing))
    return results


@asset(
    key=[SOURCE, "reports"],
    group_name=GROUP,
    kinds={"python", "xlsx", "csv"},
    deps=[AssetKey(name) for name in MARTS],
    description=(
        "The monthly files under reports/wine/<YYYY-MM>/ in the lake: revenue_report.xlsx, premium_products.csv, "
        "ordinary_products.csv and data_tests.xlsx (reports/wine.py)."
    ),
)
def wine_reports(context: AssetExecutionContext, config: WineReportsConfig) -> MaterializeResult:
    month = config.month or dt.datetime.now(dt.UTC).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError(f"month {month!r} is not YYYY-MM")
    tests = latest_test_results(context.instance)
    keys = write_reports(open_warehouse(), open_lake(), month, tests)  # DuckDB read-only, or Athena on prod
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
