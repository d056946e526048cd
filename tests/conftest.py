"""Shared fixtures: every test gets its own lake, warehouse and data folder under tmp_path."""

import os
from pathlib import Path

import duckdb
import pytest

# The test target, decided before orchestration (and its DbtProject) is imported.
os.environ["DBT_TARGET"] = "test"

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
STOCK_ENV = ("STOCK_SALES_CSV", "STOCK_SALES_ENCODING", "STOCK_INVENTORY_CSV")
SHOP_ENV = ("SHOP_CLIENTS_PATH", "SHOP_ORDERS_PATH", "SHOP_ONLINE_RETAIL_PATH")


def pytest_configure(config):
    """Parse the dbt project once, before any test module imports the Dagster definitions, so they load the
    models as they are on disk (not a stale manifest)."""
    from orchestration.dbt import parse_dbt_project

    parse_dbt_project()


@pytest.fixture
def project_env(tmp_path, monkeypatch) -> Path:
    """A private lake (file://), warehouse and data folder; stock and shop inputs unset (so the shop assets
    generate their sample, at the smallest scale to keep runs short)."""
    monkeypatch.setenv("DBT_TARGET", "test")
    monkeypatch.setenv("TRIBUTARY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LAKE_URL", (tmp_path / "lake").as_uri())
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    for name in STOCK_ENV + SHOP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOP_SAMPLE_ORDERS", "1000")
    return tmp_path


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).fetchall()


def materialize_assets(selection=None, run_config=None, raise_on_error=True):
    """Materialize through Dagster, in process, as `dagster asset materialize` would."""
    from dagster import materialize

    from orchestration.dbt import dbt_resource, tributary_dbt_assets
    from orchestration.definitions import DOMAINS

    return materialize(
        [*(a for d in DOMAINS for a in d.assets), tributary_dbt_assets],
        resources={"dbt": dbt_resource()},
        selection=selection,
        run_config=run_config,
        raise_on_error=raise_on_error,
    )


def shared_file(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (../shared/data is laid beside the repo in CI)")
    return path


@pytest.fixture
def moto_s3(monkeypatch):
    """A moto S3 server on 127.0.0.1 (real HTTP), with dummy credentials and AWS_ENDPOINT_URL pointing at it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield f"http://{host}:{port}"
    server.stop()
