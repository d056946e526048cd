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


def pytest_configure(config):
    """Parse the dbt project once, before any test module imports the Dagster definitions, so they load the
    models as they are on disk (not a stale manifest)."""
    from orchestration.dbt_cli import parse_dbt_project  # not orchestration.dbt: that loads the manifest

    parse_dbt_project()


@pytest.fixture
def project_env(tmp_path, monkeypatch) -> Path:
    """A private lake (file://), warehouse and data folder; every input variable unset (so the shop assets
    generate their sample, at the smallest scale to keep runs short)."""
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("TRIBUTARY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LAKE_URL", f"file://{tmp_path / 'lake'}")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    for name in INPUT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOP_SAMPLE_ORDERS", "1000")
    return tmp_path


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).fetchall()


def materialize_assets(selection=None, run_config=None, raise_on_error=True, instance=None):
    """Materialize through Dagster, in process, as `dagster asset materialize` would (into `instance` when given,
    e.g. a persistent one whose records a test reads back; else an ephemeral one)."""
    from dagster import materialize

    from orchestration.dbt import dbt_resource, tributary_dbt_assets
    from orchestration.definitions import DOMAINS

    return materialize(
        [*(a for d in DOMAINS for a in d.assets), tributary_dbt_assets],
        resources={"dbt": dbt_resource()},
        selection=selection,
        run_config=run_config,
        raise_on_error=raise_on_error,
        instance=instance,
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
