"""Every setting the project reads from the environment, with its documented default.

This is the one module that reads environment variables (the README's table lists them). Paths that default
inside the repository resolve against the repository root, so commands work from any working directory.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# profiles.yml lives beside dbt_project.yml, where dbt looks first: a plain `dbt build` from dbt_project/ finds it
DBT_PROFILES_DIR = DBT_PROJECT_DIR

TARGETS = ("dev", "test", "prod")

# Every variable of the configuration table (docs/configuration.md), in one place (tests/test_config.py checks
# that the two agree, and that this module reads no other). A new setting is added here, in its settings
# function, and in the table.
KNOWN_VARIABLES = frozenset(
    {
        "DBT_TARGET", "DBT_TARGET_PATH", "TRIBUTARY_DATA_DIR", "TRIBUTARY_PARTITIONS_START",
        "DUCKDB_PATH", "DUCKDB_MEMORY_LIMIT", "DUCKDB_THREADS", "DUCKDB_PUBLISH",
        "DUCKDB_PUBLISHED_PATH", "LAKE_URL",
        "STOCK_SALES_CSV", "STOCK_SALES_ENCODING", "STOCK_INVENTORY_CSV", "STOCK_EVENTS_KINESIS_STREAM",
        "VELIB_API_URL", "VELIB_GBFS_URL", "VELIB_REPLAY_DIR", "VELIB_HTTP_TIMEOUT", "VELIB_HTTP_RETRIES",
        "VELIB_HTTP_BACKOFF",
        "WINE_ERP_PATH", "WINE_WEB_PATH", "WINE_LIAISON_PATH",
        "SHOP_CLIENTS_PATH", "SHOP_ORDERS_PATH", "SHOP_ONLINE_RETAIL_PATH", "SHOP_SAMPLE_ORDERS",
        "MARKETING_TRANSACTIONS_PATH", "MARKETING_WEB_LOGS_PATH", "MARKETING_SOCIAL_POSTS_PATH",
        "MARKETING_CAMPAIGNS_PATH", "MARKETING_EVENTS_KINESIS_STREAM",
        "STREAM_SENSOR_INTERVAL_SECONDS", "DAGSTER_HOME", "DASHBOARD_HOST", "DASHBOARD_PORT",
        "DASHBOARD_CACHE_SECONDS", "DASHBOARD_CURRENCIES", "DOCS_PORT", "API_HOST", "API_PORT", "API_KEY",
        "API_EXPORT_MAX_ROWS",
        "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_CONNECT_TIMEOUT", "AWS_READ_TIMEOUT", "AWS_MAX_ATTEMPTS",
        "ATHENA_S3_STAGING_DIR", "ATHENA_S3_DATA_DIR", "ATHENA_SCHEMA", "ATHENA_WORK_GROUP", "ATHENA_CATALOG",
        "KINESIS_STREAM_PREFIX", "KINESIS_SHARD_COUNT",
    }
)  # fmt: skip

# Prefixes that belong to Tributary: a set variable that starts with one of them (in any case) and is not known
# is a mistake, such as SHOP_ORDER_PATH for SHOP_ORDERS_PATH, which would otherwise leave the setting at its
# default without a word. Generic prefixes (AWS_, DBT_, API_, STREAM_) are shared with other tools: not checked.
PROJECT_PREFIXES = (
    "STOCK_", "VELIB_", "WINE_", "SHOP_", "MARKETING_", "TRIBUTARY_", "DUCKDB_", "ATHENA_", "KINESIS_", "DASHBOARD_",
)  # fmt: skip


class UnknownVariableError(ValueError):
    """A variable with one of Tributary's prefixes that Tributary does not read."""


def check_variables(*prefixes: str) -> None:
    """Raise UnknownVariableError for every set variable that starts with one of `prefixes` and is no setting.

    Each settings function checks its own prefixes, so a misspelled shop variable stops the shop's assets
    (naming the close match) and not the other domains'."""
    problems = []
    for name in sorted(os.environ):
        prefix = next((p for p in prefixes if name.upper().startswith(p)), None)
        if prefix is None or name in KNOWN_VARIABLES:
            continue
        family = sorted(known for known in KNOWN_VARIABLES if known.startswith(prefix))
        # compared without the prefix, which every candidate shares
        match = difflib.get_close_matches(
            name.upper().removeprefix(prefix), [known.removeprefix(prefix) for known in family], n=1, cutoff=0.6
        )
        hint = f"did you mean {prefix}{match[0]}?" if match else f"the {prefix}* settings are {', '.join(family)}"
        problems.append(f"{name} is set but is not a Tributary setting: {hint}")
    if problems:
        raise UnknownVariableError(
            "; ".join(problems) + " (every variable is listed in docs/configuration.md; unset or rename it)"
        )


def _absolute(value: str) -> Path:
    """An absolute, normalised path; symbolic links are kept as given (dbt's profile and Python name the same
    path, so a link to the data folder is not replaced by its target in one and not the other)."""
    return Path(os.path.abspath(Path(value).expanduser()))


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return _absolute(value) if value else default


def data_dir() -> Path:
    """Git-ignored folder for everything a run produces locally (lake, warehouse, samples, Dagster home)."""
    check_variables("TRIBUTARY_")
    return _path_from_env("TRIBUTARY_DATA_DIR", REPO_ROOT / ".data")


def dbt_target() -> str:
    """The one place that decides the environment: `DBT_TARGET` (dev, test or prod), default dev."""
    target = os.environ.get("DBT_TARGET", "dev").strip() or "dev"
    if target not in TARGETS:
        raise ValueError(f"DBT_TARGET={target!r} is not one of {', '.join(TARGETS)}")
    return target


SAMPLE_TARGETS = ("dev", "test")


def uses_samples() -> bool:
    """Generated samples stand in for unset inputs on the dev and test targets only. On prod an input that is not
    configured lands nothing (and says so): sample rows never reach a production lake."""
    return dbt_target() in SAMPLE_TARGETS


DEFAULT_PARTITIONS_START = "2024-01-01"


def partitions_start() -> str:
    """`TRIBUTARY_PARTITIONS_START` (YYYY-MM-DD, default 2024-01-01): the first day of the daily partitions of the
    time-based assets (docs/orchestration.md); a replay or a backfill cannot go earlier."""
    check_variables("TRIBUTARY_")
    value = os.environ.get("TRIBUTARY_PARTITIONS_START", "").strip() or DEFAULT_PARTITIONS_START
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"TRIBUTARY_PARTITIONS_START={value!r} is not a date YYYY-MM-DD") from None
    return value


def duckdb_path() -> Path:
    """`DUCKDB_PATH`: the live DuckDB warehouse, the file dbt writes (default `<data dir>/warehouse.duckdb`)."""
    check_variables("DUCKDB_")
    return _path_from_env("DUCKDB_PATH", data_dir() / "warehouse.duckdb")


FLAG_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def duckdb_publish() -> bool:
    """`DUCKDB_PUBLISH` (default on): after each successful build, publish a read-only copy of the warehouse that
    every reader opens (serving/publish.py). Off: readers open the live file, and a reader can then make a build
    fail on DuckDB's lock (and gets a 503 while a build writes)."""
    value = os.environ.get("DUCKDB_PUBLISH", "").strip().lower() or "on"
    if value not in FLAG_VALUES:
        raise ValueError(f"DUCKDB_PUBLISH={value!r} is not one of on, off (or true/false, 1/0, yes/no)")
    return FLAG_VALUES[value]


def duckdb_published_path() -> Path:
    """`DUCKDB_PUBLISHED_PATH`: where the published copy goes (default `published/<file name>` beside the live
    file). It keeps the live file's name: DuckDB names a file's catalog after it, and dbt's views name that
    catalog."""
    live = duckdb_path()
    return _path_from_env("DUCKDB_PUBLISHED_PATH", live.parent / "published" / live.name)


def duckdb_read_path() -> Path:
    """The DuckDB file readers open (query API, dashboard, reports, summary): the published copy, or the live
    file when `DUCKDB_PUBLISH` is off."""
    return duckdb_published_path() if duckdb_publish() else duckdb_path()


def lake_url() -> str:
    """`LAKE_URL`: `file:///abs/path`, a plain path, or `s3://bucket/prefix`. Default: `<data dir>/lake`.

    file:// URLs are literal paths (not percent-encoded), read the same way by Python and by dbt.
    """
    value = os.environ.get("LAKE_URL", "").strip()
    if not value:
        return f"file://{data_dir() / 'lake'}"
    if "://" not in value:
        return f"file://{_absolute(value)}"
    return value


def samples_dir() -> Path:
    return data_dir() / "samples"


@dataclass(frozen=True)
class StockSettings:
    sales_csv: str | None
    sales_encoding: str
    inventory_csv: str | None
    events_kinesis_stream: str | None


def stock_settings() -> StockSettings:
    """Inputs of the stock domain.

    `STOCK_SALES_CSV`: a path or glob of Superstore exports (default: the generated sample on dev and test; unset
    on prod: nothing to land).
    `STOCK_SALES_ENCODING`: their encoding (default cp1252, as the real export).
    `STOCK_INVENTORY_CSV`: optional inventory snapshot (product_id, region, on_hand, as_of); default: the
    generated sample when it exists (dev and test).
    `STOCK_EVENTS_KINESIS_STREAM`: a Kinesis stream of sales events; when set, `stock/raw_sales_events` drains
    it as well as the landing folder (default unset: landing folder only).
    """
    check_variables("STOCK_")
    sample = samples_dir() / "stock"
    inventory = os.environ.get("STOCK_INVENTORY_CSV")
    if inventory is None and uses_samples() and (sample / "inventory_snapshot.csv").exists():
        inventory = str(sample / "inventory_snapshot.csv")
    sales = os.environ.get("STOCK_SALES_CSV", "").strip() or None
    return StockSettings(
        sales_csv=sales or (str(sample / "superstore_sales.csv") if uses_samples() else None),
        sales_encoding=os.environ.get("STOCK_SALES_ENCODING", "cp1252"),
        inventory_csv=inventory or None,
        events_kinesis_stream=os.environ.get("STOCK_EVENTS_KINESIS_STREAM") or None,
    )


@dataclass(frozen=True)
class VelibSettings:
    api_url: str
    gbfs_url: str | None
    replay_dir: str | None
    timeout_seconds: float
    retries: int
    backoff_seconds: float


def velib_settings() -> VelibSettings:
    """Inputs of the velib domain.

    `VELIB_API_URL`: the open-data dataset's base URL (default the real Paris API).
    `VELIB_GBFS_URL`: base URL of the GBFS feeds (station_information.json, station_status.json); unset: no GBFS.
    `VELIB_REPLAY_DIR`: a folder of saved snapshot files; when set, the snapshot asset replays it instead of
    calling the API (backfills, demos without network).
    `VELIB_HTTP_TIMEOUT` (seconds, default 30: the deadline of each attempt, connect to last byte),
    `VELIB_HTTP_RETRIES` (attempts after the first, default 3), `VELIB_HTTP_BACKOFF` (seconds before the first
    retry, doubled each time, when the server sends no Retry-After; default 1).
    """
    check_variables("VELIB_")
    from ingestion.velib import DEFAULT_API_URL

    return VelibSettings(
        api_url=os.environ.get("VELIB_API_URL") or DEFAULT_API_URL,
        gbfs_url=os.environ.get("VELIB_GBFS_URL") or None,
        replay_dir=os.environ.get("VELIB_REPLAY_DIR") or None,
        timeout_seconds=float(os.environ.get("VELIB_HTTP_TIMEOUT", "30")),
        retries=int(os.environ.get("VELIB_HTTP_RETRIES", "3")),
        backoff_seconds=float(os.environ.get("VELIB_HTTP_BACKOFF", "1")),
    )


@dataclass(frozen=True)
class WineSettings:
    erp_path: str | None
    web_path: str | None
    liaison_path: str | None


def wine_settings() -> WineSettings:
    """Inputs of the wine domain, each an xlsx or CSV file (a path, a glob, or `s3://bucket/key*`).

    `WINE_ERP_PATH`, `WINE_WEB_PATH`, `WINE_LIAISON_PATH`; default: the generated sample
    (`<data dir>/samples/wine/{erp,web,liaison}.xlsx`) when it exists on dev and test, else None (nothing to land).
    """
    check_variables("WINE_")
    sample = samples_dir() / "wine"

    def setting(name: str, file: str) -> str | None:
        value = os.environ.get(name, "").strip()
        if value:
            return value
        return str(sample / file) if uses_samples() and (sample / file).exists() else None

    return WineSettings(
        erp_path=setting("WINE_ERP_PATH", "erp.xlsx"),
        web_path=setting("WINE_WEB_PATH", "web.xlsx"),
        liaison_path=setting("WINE_LIAISON_PATH", "liaison.xlsx"),
    )


@dataclass(frozen=True)
class MarketingSettings:
    transactions_path: str | None
    web_logs_path: str | None
    social_posts_path: str | None
    campaigns_path: str | None
    events_kinesis_stream: str | None


def marketing_settings() -> MarketingSettings:
    """Inputs of the marketing domain, each a path, a glob, or `s3://bucket/key*`.

    `MARKETING_TRANSACTIONS_PATH`: sales transactions CSV (ClientID, ClientName, TransactionDate, Product, Amount,
    PaymentMethod). `MARKETING_WEB_LOGS_PATH`: web server logs, Apache Common/Combined Log Format lines or the CSV
    shape (IP_Address, URL, Status_Code, Timestamp), told apart by content. `MARKETING_SOCIAL_POSTS_PATH`: social
    posts JSON. `MARKETING_CAMPAIGNS_PATH`: ad campaigns JSON. JSON is an array of records or JSON lines.
    Default of each: the generated sample in `<data dir>/samples/marketing` (transactions.csv, web_logs.*,
    social_posts.json, ad_campaigns.json) when it exists on dev and test, else None (nothing to land).
    `MARKETING_EVENTS_KINESIS_STREAM`: a Kinesis stream of click events; when set, `marketing/raw_click_events`
    drains it as well as the landing folder (default unset: landing folder only).
    """
    check_variables("MARKETING_")
    sample = samples_dir() / "marketing"

    def setting(name: str, pattern: str) -> str | None:
        value = os.environ.get(name, "").strip()
        if value:
            return value
        return str(sample / pattern) if uses_samples() and any(sample.glob(pattern)) else None

    return MarketingSettings(
        transactions_path=setting("MARKETING_TRANSACTIONS_PATH", "transactions.csv"),
        web_logs_path=setting("MARKETING_WEB_LOGS_PATH", "web_logs.*"),
        social_posts_path=setting("MARKETING_SOCIAL_POSTS_PATH", "social_posts.json"),
        campaigns_path=setting("MARKETING_CAMPAIGNS_PATH", "ad_campaigns.json"),
        events_kinesis_stream=os.environ.get("MARKETING_EVENTS_KINESIS_STREAM") or None,
    )


@dataclass(frozen=True)
class AwsSettings:
    region: str
    endpoint_url: str | None
    athena_staging_dir: str
    athena_data_dir: str
    athena_schema: str
    athena_work_group: str
    kinesis_stream_prefix: str
    kinesis_shard_count: int
    connect_timeout: float
    read_timeout: float
    max_attempts: int


def aws_settings() -> AwsSettings:
    """AWS: the clients of every service and what `make aws-bootstrap` provisions.

    `AWS_REGION` (default eu-west-1); `AWS_ENDPOINT_URL`: an AWS-compatible server for every service (a moto
    server in tests; default unset: the real endpoints). Credentials come from the usual boto3 chain.
    `ATHENA_S3_STAGING_DIR` (default s3://tributary-athena-results/), `ATHENA_S3_DATA_DIR` (default
    s3://tributary-warehouse/), `ATHENA_SCHEMA` (default tributary), `ATHENA_WORK_GROUP` (default primary):
    the same variables and defaults as the `prod` dbt target in dbt_project/profiles.yml.
    `KINESIS_STREAM_PREFIX` (default tributary): streams are named `<prefix>-<source>-<table>`;
    `KINESIS_SHARD_COUNT` (default 1): shards of a stream that bootstrap creates.
    `AWS_CONNECT_TIMEOUT`, `AWS_READ_TIMEOUT` (seconds, default 10 and 30), `AWS_MAX_ATTEMPTS` (default 5,
    botocore's standard retry mode: exponential backoff with jitter on throttling and 5xx).
    """
    check_variables("ATHENA_", "KINESIS_")
    return AwsSettings(
        region=os.environ.get("AWS_REGION") or "eu-west-1",
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        athena_staging_dir=os.environ.get("ATHENA_S3_STAGING_DIR") or "s3://tributary-athena-results/",
        athena_data_dir=os.environ.get("ATHENA_S3_DATA_DIR") or "s3://tributary-warehouse/",
        athena_schema=os.environ.get("ATHENA_SCHEMA") or "tributary",
        athena_work_group=os.environ.get("ATHENA_WORK_GROUP") or "primary",
        kinesis_stream_prefix=os.environ.get("KINESIS_STREAM_PREFIX") or "tributary",
        kinesis_shard_count=int(os.environ.get("KINESIS_SHARD_COUNT") or "1"),
        connect_timeout=float(os.environ.get("AWS_CONNECT_TIMEOUT") or "10"),
        read_timeout=float(os.environ.get("AWS_READ_TIMEOUT") or "30"),
        max_attempts=int(os.environ.get("AWS_MAX_ATTEMPTS") or "5"),
    )


@dataclass(frozen=True)
class ShopSettings:
    clients_path: str | None
    orders_path: str | None
    online_retail_path: str | None
    sample_dir: Path
    sample_orders: int

    @property
    def generates_sample(self) -> bool:
        """True when clients and orders come from the generated sample: no shop input is configured, on the dev
        or test target (on prod nothing is generated: the shop lands nothing until its inputs are set)."""
        no_input = self.clients_path is None and self.orders_path is None and self.online_retail_path is None
        return no_input and uses_samples()


def shop_settings() -> ShopSettings:
    """Inputs of the shop domain.

    `SHOP_CLIENTS_PATH`, `SHOP_ORDERS_PATH`: clients.csv and achats.csv (paths or globs, UTF-8).
    `SHOP_ONLINE_RETAIL_PATH`: the UCI Online Retail transactions (csv or xlsx, path or glob); optional.
    When none of the three is set, clients and orders come from a generated sample in `<data dir>/samples/shop`
    (written on first use, `SHOP_SAMPLE_ORDERS` order rows, default 10,000), on the dev and test targets only: on
    prod nothing is generated and the shop lands nothing. When only the Online Retail path is set, the
    clients/orders source lands nothing.
    """
    check_variables("SHOP_")
    sample = samples_dir() / "shop"
    clients = os.environ.get("SHOP_CLIENTS_PATH") or None
    orders = os.environ.get("SHOP_ORDERS_PATH") or None
    online_retail = os.environ.get("SHOP_ONLINE_RETAIL_PATH") or None
    return ShopSettings(
        clients_path=clients,
        orders_path=orders,
        online_retail_path=online_retail,
        sample_dir=sample,
        sample_orders=int(float(os.environ.get("SHOP_SAMPLE_ORDERS", "10000"))),
    )


API_KEY_MIN_LENGTH = 16


@dataclass(frozen=True)
class ApiSettings:
    host: str
    port: int
    api_key: str | None = field(default=None, repr=False)  # never in a log line
    export_max_rows: int = 1_000_000


def api_settings() -> ApiSettings:
    """The read-only query API (`make api`, `python -m serving.api`).

    `API_HOST` (default 127.0.0.1: this machine only; 0.0.0.0 to listen on every interface), `API_PORT`
    (default 8000). `API_KEY`: when set (at least 16 characters), every `/api/tables…` request must carry it in
    the `X-API-Key` header (default unset: no key, for a laptop). `API_EXPORT_MAX_ROWS` (default 1,000,000):
    the most rows one CSV or Parquet download may hold.
    """
    key = os.environ.get("API_KEY", "").strip() or None
    if key is not None and len(key) < API_KEY_MIN_LENGTH:
        raise ValueError(f"API_KEY is too short: use at least {API_KEY_MIN_LENGTH} characters (e.g. a random token)")
    export_max = os.environ.get("API_EXPORT_MAX_ROWS", "").strip() or "1000000"
    if not export_max.isdigit() or int(export_max) < 1:
        raise ValueError(f"API_EXPORT_MAX_ROWS={export_max!r} is not a whole number of rows >= 1")
    return ApiSettings(
        host=os.environ.get("API_HOST", "").strip() or "127.0.0.1",
        port=int(os.environ.get("API_PORT", "").strip() or "8000"),
        api_key=key,
        export_max_rows=int(export_max),
    )


DEFAULT_DUCKDB_MEMORY_LIMIT = "1.25GB"


def duckdb_memory_limit() -> str:
    """`DUCKDB_MEMORY_LIMIT`: DuckDB's memory_limit, a size such as `1GB` (default 1.25GB, so that a build stays
    within 2 GiB of memory on a laptop: dbt's own process and what DuckDB does not count come on top, make bench;
    raise it on a bigger machine). Beyond it DuckDB spills to disk (a temporary folder next to the warehouse)
    instead of failing. Applied to dbt runs by the on-run-start macro apply_duckdb_settings and to the landing's
    parser."""
    check_variables("DUCKDB_")
    return os.environ.get("DUCKDB_MEMORY_LIMIT", "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT


def duckdb_threads() -> int:
    """`DUCKDB_THREADS`: DuckDB's threads (default: the machine's cores)."""
    check_variables("DUCKDB_")
    value = os.environ.get("DUCKDB_THREADS", "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"DUCKDB_THREADS={value!r} is not a whole number >= 1")
    return int(value)


def stream_sensor_interval_seconds() -> int:
    """`STREAM_SENSOR_INTERVAL_SECONDS` (default 10): how often a stream's landing sensor looks for batches.

    An event waits at most this long before a run is launched for it (plus one run when a run is already
    active), so it bounds the freshness of the stream marts. A look is one listing of the landing folder."""
    value = os.environ.get("STREAM_SENSOR_INTERVAL_SECONDS", "").strip() or "10"
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise ValueError(f"STREAM_SENSOR_INTERVAL_SECONDS={value!r} is not a whole number of seconds >= 1")
    return seconds


def dbt_target_dir() -> Path:
    """dbt's target folder (the manifest, the saved parse, each run's artifacts): `DBT_TARGET_PATH`, the variable
    dbt itself reads, relative to `dbt_project/` or absolute; default `dbt_project/target`. The test suite gives
    each of its processes its own, so that parallel workers do not overwrite each other's parse."""
    return DBT_PROJECT_DIR / (os.environ.get("DBT_TARGET_PATH", "").strip() or "target")


def dbt_environment() -> dict[str, str]:
    """Environment handed to every dbt invocation, so dbt and Python agree on where things are."""
    environment = {
        "DBT_TARGET": dbt_target(),
        "DUCKDB_PATH": str(duckdb_path()),
        "LAKE_URL": lake_url(),
    }
    environment["DUCKDB_MEMORY_LIMIT"] = duckdb_memory_limit()
    environment["DUCKDB_THREADS"] = str(duckdb_threads())
    return environment


def dagster_home() -> Path:
    """`DAGSTER_HOME`: Dagster's instance folder (run history, asset materializations, asset checks).

    Default `<data dir>/dagster`, the folder the Makefile exports for `make demo` and `make dev`. Read here for
    the consumers that look at the instance without running Dagster (the dashboard's "last refreshed" and the
    wine page's data-test results)."""
    return _path_from_env("DAGSTER_HOME", data_dir() / "dagster")


@dataclass(frozen=True)
class DashboardSettings:
    host: str
    port: int
    cache_seconds: int
    currencies: dict[str, str]  # domain → the currency symbol its amounts are shown with


# The currency each domain's amounts are in: the Superstore export is in US dollars, the wine shop in euros, the
# shop sample and achats.csv in euros (UCI Online Retail is in pounds: DASHBOARD_CURRENCIES=shop=£), the marketing
# transactions in US dollars.
DEFAULT_CURRENCIES = {"stock": "$", "wine": "€", "shop": "€", "marketing": "$"}


def _currencies(value: str) -> dict[str, str]:
    currencies = dict(DEFAULT_CURRENCIES)
    for item in filter(None, (part.strip() for part in value.split(","))):
        domain, _, symbol = item.partition("=")
        domain, symbol = domain.strip(), symbol.strip()
        if domain not in DEFAULT_CURRENCIES or not symbol:
            raise ValueError(
                f"DASHBOARD_CURRENCIES: {item!r} is not <domain>=<symbol> with a domain among "
                f"{', '.join(DEFAULT_CURRENCIES)} (e.g. DASHBOARD_CURRENCIES='shop=£,marketing=€')"
            )
        currencies[domain] = symbol
    return currencies


def dashboard_settings() -> DashboardSettings:
    """The Streamlit dashboard (`make dashboard`).

    `DASHBOARD_HOST` (default 127.0.0.1) and `DASHBOARD_PORT` (default 8501): where it listens.
    `DASHBOARD_CACHE_SECONDS` (default 600): how long a query result over Athena is reused (each Athena query
    is billed by the bytes it scans); DuckDB queries are never cached, so a page shows the file as it is.
    `DASHBOARD_CURRENCIES` (default `stock=$,wine=€,shop=€,marketing=$`): the currency symbol of each domain's
    amounts; name only the domains to change (`shop=£` for UCI Online Retail).
    """
    check_variables("DASHBOARD_")
    return DashboardSettings(
        host=os.environ.get("DASHBOARD_HOST", "").strip() or "127.0.0.1",
        port=int(os.environ.get("DASHBOARD_PORT", "").strip() or "8501"),
        cache_seconds=int(os.environ.get("DASHBOARD_CACHE_SECONDS", "").strip() or "600"),
        currencies=_currencies(os.environ.get("DASHBOARD_CURRENCIES", "")),
    )
