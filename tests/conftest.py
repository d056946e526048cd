"""Shared fixtures: every test gets its own lake, warehouse and data folder under tmp_path."""

import os
from pathlib import Path

import duckdb
import pytest

# The test target, decided before orchestration (and its DbtProject) is imported.
os.environ["DBT_TARGET"] = "test"

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
INPUT_ENV = (  # every domain input, unset in tests unless a test sets it
    "STOCK_SALES_CSV",
    "STOCK_SALES_ENCODING",
    "STOCK_INVENTORY_CSV",
    "VELIB_API_URL",
    "VELIB_GBFS_URL",
    "VELIB_REPLAY_DIR",
    "WINE_ERP_PATH",
    "WINE_WEB_PATH",
    "WINE_LIAISON_PATH",
    "STOCK_EVENTS_KINESIS_STREAM",
    "SHOP_CLIENTS_PATH",
    "SHOP_ORDERS_PATH",
    "SHOP_ONLINE_RETAIL_PATH",
    "MARKETING_TRANSACTIONS_PATH",
    "MARKETING_WEB_LOGS_PATH",
    "MARKETING_SOCIAL_POSTS_PATH",
    "MARKETING_CAMPAIGNS_PATH",
    "MARKETING_EVENTS_KINESIS_STREAM",
)

AWS_SETTINGS_ENV = (  # unset in the moto tests, so they see the documented defaults
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "ATHENA_S3_STAGING_DIR",
    "ATHENA_S3_DATA_DIR",
    "ATHENA_SCHEMA",
    "ATHENA_WORK_GROUP",
    "KINESIS_STREAM_PREFIX",
    "KINESIS_SHARD_COUNT",
    "STOCK_EVENTS_KINESIS_STREAM",
    "MARKETING_EVENTS_KINESIS_STREAM",
)


# The folder every `project_env` test's settings name: a symbolic link, pointed at the test's own tmp_path. dbt
# parses the whole project again (about 10 s) when its profile differs from the saved parse's, and the profile
# holds the warehouse path: with the same path in every test, each test's dbt starts from the parse below.
STABLE_ROOT: Path | None = None


def stable_settings(root: Path) -> dict[str, str]:
    return {
        "TRIBUTARY_DATA_DIR": str(root / "data"),
        "LAKE_URL": f"file://{root / 'lake'}",
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
    }


def point_stable_root(target: Path) -> Path:
    """Point STABLE_ROOT at `target` (a test's tmp_path) and return it."""
    assert STABLE_ROOT is not None, "pytest_configure sets STABLE_ROOT"
    STABLE_ROOT.unlink(missing_ok=True)
    STABLE_ROOT.symlink_to(target, target_is_directory=True)
    return STABLE_ROOT


def distributing(config) -> bool:
    """True in pytest-xdist's controller (`pytest -n 2`), which runs no test: only its workers need a parse."""
    return config.pluginmanager.getplugin("dsession") is not None


def pytest_configure(config):
    """Parse the dbt project once, before any test module imports the Dagster definitions, so they load the
    models as they are on disk (not a stale manifest), with the settings `project_env` gives every test.

    Each session (each pytest-xdist worker) has its own dbt target folder (`DBT_TARGET_PATH`, which dbt, dagster-dbt
    and `config.dbt_target_dir()` read): parallel workers, or two runs in one checkout, never overwrite each
    other's parse, and `dbt_project/target` is left as `make dev` wrote it."""
    import tempfile

    from orchestration.dbt_cli import parse_dbt_project  # not orchestration.dbt: that loads the manifest

    if distributing(config):
        return
    global STABLE_ROOT
    session = Path(tempfile.mkdtemp(prefix="tributary-tests-"))
    os.environ["DBT_TARGET_PATH"] = str(session / "dbt-target")
    os.environ["DBT_LOG_PATH"] = str(session / "dbt-logs")
    STABLE_ROOT = session / "project"
    point_stable_root(session)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in stable_settings(STABLE_ROOT).items():
            mp.setenv(name, value)
        parse_dbt_project()


def pytest_unconfigure(config):
    import shutil

    if STABLE_ROOT is not None:
        shutil.rmtree(STABLE_ROOT.parent, ignore_errors=True)


@pytest.fixture
def project_env(tmp_path, monkeypatch) -> Path:
    """A private lake (file://), warehouse and data folder; every input variable unset (so the shop assets
    generate their sample, at the smallest scale to keep runs short). Returns STABLE_ROOT, a link to tmp_path:
    the paths the settings give (the same profile in every test, so dbt parses once)."""
    monkeypatch.setenv("DBT_TARGET", "test")
    root = point_stable_root(tmp_path)
    for name, value in stable_settings(root).items():
        monkeypatch.setenv(name, value)
    for name in INPUT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOP_SAMPLE_ORDERS", "1000")
    return root


def use_demo_environment(mp: pytest.MonkeyPatch, root: Path) -> None:
    """Point every setting at the demo build under `root` (see `demo_warehouse`)."""
    mp.setenv("DBT_TARGET", "test")
    mp.setenv("TRIBUTARY_DATA_DIR", str(root / "data"))
    mp.setenv("LAKE_URL", f"file://{root / 'lake'}")
    mp.setenv("DUCKDB_PATH", str(root / "warehouse.duckdb"))
    mp.setenv("DAGSTER_HOME", str(root / "dagster"))
    for name in INPUT_ENV:
        mp.delenv(name, raising=False)
    mp.setenv("SHOP_SAMPLE_ORDERS", "1000")
    mp.setenv("VELIB_REPLAY_DIR", str(root / "data" / "samples" / "velib"))


DEMO_INPUTS = "inputs"  # under the demo root: a copy of what the demo build read (samples, streamed batches)


def copy_demo_inputs(source: Path, target: Path) -> None:
    """Copy the generated samples and the streamed batches waiting in the landing area from one demo root to
    another, modification times kept (files are delivered oldest first)."""
    import shutil

    for part in (Path("data") / "samples", Path("lake") / "landing"):
        shutil.copytree(source / part, target / part, copy_function=shutil.copy2)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """One small `make demo` for the whole session: every domain's generated sample materialized through Dagster
    into one warehouse and a persistent Dagster instance (whose records the dashboard reads back). Read-only for
    its users, which enter its settings with `use_demo_environment`. What it read is kept under `<root>/inputs`
    (`copy_demo_inputs`), so that a test can build the very same inputs again."""
    import datetime as dt

    from dagster import DagsterInstance

    from ingestion.marketing.generate import generate_all as generate_marketing
    from ingestion.marketing.producer import main as produce_clicks
    from ingestion.shop.generate import generate as generate_shop
    from ingestion.stock.generate import generate_inventory_csv, generate_sales_csv
    from ingestion.stock.producer import main as produce_sales_events
    from ingestion.velib.generate import generate_snapshots
    from ingestion.wine.generate import generate as generate_wine

    root = tmp_path_factory.mktemp("demo")
    samples = root / "data" / "samples"
    with pytest.MonkeyPatch.context() as mp:
        use_demo_environment(mp, root)
        (samples / "stock").mkdir(parents=True)
        sales = samples / "stock" / "superstore_sales.csv"
        generate_sales_csv(sales, rows=800, seed=5, end=dt.date(2026, 6, 30))
        generate_inventory_csv(samples / "stock" / "inventory_snapshot.csv", sales, pairs=4)
        # three batches of sales events, as `make demo` sends (the stream's source freshness is checked on them)
        produce_sales_events(["--batches", "3", "--batch-size", "20", "--batch-seconds", "0", "--seed", "7"])
        generate_snapshots(samples / "velib", stations=40, hours=3, end=dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC))
        generate_wine(samples / "wine", products=60)
        # the shop sample with planted behaviours, large enough for its customer model to train and publish
        generate_shop(samples / "shop", orders=3000, end=dt.date(2026, 6, 30), behaviours=True)
        generate_marketing(samples / "marketing", scale=0.05)
        # 80 minutes of click events in 16 batches (one per five-minute window), a burst in the last one: the
        # baseline of an anomaly takes the 12 windows before, so the burst is flagged
        produce_clicks(["--batches", "16", "--batch-size", "30", "--backfill-minutes", "80",
                        "--burst", "cart_abandoned:FR:60", "--seed", "3"])  # fmt: skip
        copy_demo_inputs(root, root / DEMO_INPUTS)
        (root / "dagster").mkdir()
        with DagsterInstance.from_config(str(root / "dagster")) as instance:
            assert materialize_assets(instance=instance).success
            # three earlier weeks of the stock risk history, backfilled as docs/dashboard.md shows
            [(as_of,)] = query(root / "warehouse.duckdb", "select max(as_of_date) from main.fct_stock__risk")
            for weeks in (3, 2, 1):
                assert backfill_risk_history(as_of - dt.timedelta(weeks=weeks), instance).success
    return root


def backfill_risk_history(day, instance=None):
    """Materialize fct_stock__risk_history alone with stock_as_of_date = day: that day of the history."""
    from dagster import AssetKey, AssetSelection

    return materialize_assets(
        selection=AssetSelection.assets(AssetKey("fct_stock__risk_history")),
        run_config={"ops": {"tributary_dbt_assets": {"config": {"vars": {"stock_as_of_date": day.isoformat()}}}}},
        instance=instance,
    )


def last_run_sql(model: str, folder: str = "run") -> str:
    """The SQL dbt last ran for `model` in this session (its run/ file, the newest of this session's target
    folder): what a test checks when the statement itself is the point (a literal filter, the form of a delete).
    `folder="compiled"`: the model's select as compiled for that run (an incremental model's run/ file holds only
    the statement that inserts the new rows from a temporary table)."""
    from ingestion import config

    runs = sorted(config.dbt_target_dir().rglob(f"{folder}/**/{model}.sql"), key=lambda p: p.stat().st_mtime)
    assert runs, f"dbt ran no SQL for {model} in this session"
    return runs[-1].read_text()


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).fetchall()


def materialize_assets(
    selection=None, run_config=None, raise_on_error=True, instance=None, partition_range=None, resources=None
):
    """Materialize through Dagster, in process, as `dagster asset materialize` would (into `instance` when given,
    e.g. a persistent one whose records a test reads back; else an ephemeral one), with the resources the
    environment gives now (`resources` replaces some). A selection with partitioned assets runs for
    `partition_range` (first, last day), by default the days that have something to land (the landing batches,
    the replay folder's snapshots; today when nothing waits), as `make demo` does (`--partition-range
    <first>...<last>`) but without today when older days wait: the tests' batches are of 2024, and a range to
    today would record ~1,000 days of materializations per partitioned asset (a minute per run)."""
    from dagster import AssetSelection, materialize
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from ingestion import config
    from ingestion.lake import open_lake
    from orchestration.dbt import tributary_dbt_assets
    from orchestration.definitions import DOMAINS, defs
    from orchestration.partitions import waiting_days
    from orchestration.resources import build_resources

    assets = [*(a for d in DOMAINS for a in d.assets), tributary_dbt_assets]
    graph = defs.resolve_asset_graph()
    chosen = AssetSelection.from_coercible(selection) if selection is not None else AssetSelection.all()
    tags = {}
    if any(graph.get(key).partitions_def for key in chosen.resolve(graph)):
        replay = config.velib_settings().replay_dir
        first, last = partition_range or waiting_days(open_lake(), replay, with_today=False)
        tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
    return materialize(
        assets,
        resources={**build_resources(), **(resources or {})},
        selection=selection,
        run_config=run_config,
        raise_on_error=raise_on_error,
        instance=instance,
        tags=tags,
    )


def shared_file(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (../shared/data is laid beside the repo in CI)")
    return path


@pytest.fixture
def moto_aws(monkeypatch) -> str:
    """A moto server on 127.0.0.1 (real HTTP) serving every AWS service the project uses (S3, Glue, Athena,
    Kinesis), with dummy credentials and AWS_ENDPOINT_URL pointing at it. Region us-east-1 unless a test sets
    AWS_REGION. Moto keeps its state in the process, so the fixture resets it: every test starts empty."""
    import logging

    import requests
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log (and none into a closed capsys)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for name in AWS_SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_s3(moto_aws) -> str:
    """The moto server, for tests that only use S3 (the same server serves every service)."""
    return moto_aws
