"""The shop domain in Dagster: thin ingestion assets over ingestion.shop and its job.

Clients and orders (the original team's CSVs) come from SHOP_CLIENTS_PATH / SHOP_ORDERS_PATH, or, on the dev and
test targets only, from the generated sample when no shop input is configured; Online Retail transactions from
SHOP_ONLINE_RETAIL_PATH (optional). An input that is not configured lands nothing (on prod: always, with a
warning; never generated rows): its raw relation is then empty and the models build from the other format.
"""

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    DefaultScheduleStatus,
    MaterializeResult,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from ingestion import config
from ingestion.files import ingest_files
from ingestion.shop import (
    CLIENTS_TABLE,
    ONLINE_RETAIL_TABLE,
    ORDERS_TABLE,
    SOURCE,
)
from ingestion.shop.generate import CLIENTS_FILE, ORDERS_FILE, generate
from orchestration.domains import landed_result, landing_checks, nothing_to_land, unset_input
from orchestration.domains.shop_ml import customer_model
from orchestration.partitions import SINGLE_RUN
from orchestration.resources import LakeResource

GROUP = "shop"


def _sample_path(context: AssetExecutionContext, settings: config.ShopSettings, file_name: str) -> str:
    """The generated sample file, written first when absent (fixed seed: every writer writes the same bytes).
    Only on dev and test: `settings.generates_sample` is False on prod."""
    if not settings.generates_sample:  # never fake rows in a production lake, whoever calls this
        raise RuntimeError(f"DBT_TARGET={config.dbt_target()}: the shop sample is generated on dev and test only")
    path = settings.sample_dir / file_name
    if not path.exists():
        sample = generate(settings.sample_dir, orders=settings.sample_orders)
        context.log.info(f"generated the shop sample in {settings.sample_dir}: {sample.orders_rows:,} order lines")
    return str(path)


def _unset(variable: str, what: str) -> str:
    if not config.uses_samples():
        return unset_input(variable, what)
    return f"{variable} is not set (another shop input is): no {what} to land"


@asset(
    key=[SOURCE, "raw_clients"],
    check_specs=landing_checks([SOURCE, "raw_clients"]),
    group_name=GROUP,
    kinds={"python", "csv"},
    backfill_policy=SINGLE_RUN,
    description="clients.csv (SHOP_CLIENTS_PATH, default the generated sample) landed in raw/shop/clients/.",
)
def raw_clients(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    settings = config.shop_settings()
    if settings.clients_path:
        path = settings.clients_path
    elif settings.generates_sample:
        path = _sample_path(context, settings, CLIENTS_FILE)
    else:
        return nothing_to_land(context, _unset("SHOP_CLIENTS_PATH", "clients"))
    return landed_result(context, ingest_files(lake.open(), SOURCE, CLIENTS_TABLE, path))


@asset(
    key=[SOURCE, "raw_orders"],
    check_specs=landing_checks([SOURCE, "raw_orders"]),
    group_name=GROUP,
    kinds={"python", "csv"},
    backfill_policy=SINGLE_RUN,
    description="achats.csv (SHOP_ORDERS_PATH, default the generated sample) landed in raw/shop/orders/.",
)
def raw_orders(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    settings = config.shop_settings()
    if settings.orders_path:
        path = settings.orders_path
    elif settings.generates_sample:
        path = _sample_path(context, settings, ORDERS_FILE)
    else:
        return nothing_to_land(context, _unset("SHOP_ORDERS_PATH", "orders"))
    return landed_result(context, ingest_files(lake.open(), SOURCE, ORDERS_TABLE, path))


@asset(
    key=[SOURCE, "raw_online_retail"],
    check_specs=landing_checks([SOURCE, "raw_online_retail"]),
    group_name=GROUP,
    kinds={"python", "csv"},
    description=(
        "UCI Online Retail transactions (SHOP_ONLINE_RETAIL_PATH, csv or xlsx; optional) landed as CSV in "
        "raw/shop/online_retail/."
    ),
    backfill_policy=SINGLE_RUN,
)
def raw_online_retail(context: AssetExecutionContext, lake: LakeResource) -> MaterializeResult:
    settings = config.shop_settings()
    if not settings.online_retail_path:
        return nothing_to_land(context, "SHOP_ONLINE_RETAIL_PATH is not set: no Online Retail transactions to land")
    landed = ingest_files(lake.open(), SOURCE, ONLINE_RETAIL_TABLE, settings.online_retail_path)
    return landed_result(context, landed)


shop_job = define_asset_job(
    "shop_job",
    # retraining the customer model is shop_ml_job's (weekly); this job scores with the published model
    selection=AssetSelection.groups(GROUP) - AssetSelection.assets(customer_model),
    description=(
        "The shop domain: land clients, orders and Online Retail files, dbt build, and score the customers with "
        "the published model (retraining it is shop_ml_job)."
    ),
)

shop_daily_schedule = ScheduleDefinition(
    name="shop_daily",
    job=shop_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild the shop marts every morning at 05:00 UTC.",
)

assets = [raw_clients, raw_orders, raw_online_retail]
jobs = [shop_job]
schedules = [shop_daily_schedule]
sensors = []
