"""The Dagster resources: the lake, the warehouse, the Vélib' HTTP API, Kinesis (and dbt, orchestration/dbt.py).

Each resource's settings show in the UI (Deployment → Definitions → Resources) and a test swaps one by passing
another value. `ingestion/config.py` stays the one module that reads the environment: `build_resources()` takes
every value from it when the definitions load (the code server's environment). The assets ask a resource for
the object the plain-Python ingestion code takes (a `Lake`, a warehouse reader, `VelibSettings`, a Kinesis
client), so that code still runs without Dagster.

A setting that cannot be read (a misspelled variable, ingestion/config.py's UnknownVariableError, or a bad
value) does not stop the definitions from loading: the resource keeps the message, and the assets that use it
fail with it, as before (docs/operations.md: only the assets of the misspelled prefix fail).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import Field

from ingestion import config
from ingestion.lake import Lake, open_lake

T = TypeVar("T")


class SettingsError(ValueError):
    """A resource whose settings could not be read from the environment (the message says which variable)."""


class _FromEnvironment(ConfigurableResource):
    settings_error: str = Field(
        default="", description="why the settings could not be read from the environment (empty: they were)"
    )

    def check(self) -> None:
        if self.settings_error:
            raise SettingsError(self.settings_error)


class LakeResource(_FromEnvironment):
    """The lake every ingestion asset writes and dbt reads: a local folder or an S3 prefix."""

    url: str = Field(default="", description="file:///abs/path or s3://bucket/prefix (LAKE_URL)")

    def open(self) -> Lake:
        self.check()
        return open_lake(self.url)


class WarehouseResource(_FromEnvironment):
    """The warehouse dbt builds and the Python steps read (the shop model, the wine reports)."""

    target: str = Field(default="dev", description="dbt target: dev and test (DuckDB) or prod (Athena) (DBT_TARGET)")
    duckdb_path: str = Field(default="", description="the live DuckDB file dbt writes (DUCKDB_PATH); unused on prod")
    published_path: str = Field(
        default="",
        description="the read-only copy published after each successful build, which readers open "
        "(DUCKDB_PUBLISHED_PATH); empty when publishing is off (DUCKDB_PUBLISH=off): readers open the live file",
    )

    @property
    def is_duckdb(self) -> bool:
        return self.target != "prod"

    def reader(self) -> Any:
        """The query layer's warehouse (serving/warehouse.py): DuckDB read-only (the published copy), or Athena."""
        from serving.warehouse import AthenaWarehouse, DuckDBWarehouse

        self.check()
        if not self.is_duckdb:
            return AthenaWarehouse()
        return DuckDBWarehouse(Path(self.published_path or self.duckdb_path))

    def publish(self):
        """Publish the live file for readers after a successful build (None on Athena or with publishing off)."""
        from serving.publish import publish

        self.check()
        if not self.is_duckdb or not self.published_path:
            return None
        return publish(Path(self.duckdb_path), Path(self.published_path))


class VelibApiResource(_FromEnvironment):
    """The Vélib' open-data API and GBFS feeds, or a folder of saved answers to replay."""

    api_url: str = Field(default="", description="the open-data dataset's base URL (VELIB_API_URL)")
    gbfs_url: str = Field(default="", description="base URL of the GBFS feeds; empty: no GBFS (VELIB_GBFS_URL)")
    replay_dir: str = Field(default="", description="a folder of saved snapshots to replay instead (VELIB_REPLAY_DIR)")
    timeout_seconds: float = Field(default=30.0, description="deadline of each attempt (VELIB_HTTP_TIMEOUT)")
    retries: int = Field(default=3, description="attempts after the first (VELIB_HTTP_RETRIES)")
    backoff_seconds: float = Field(default=1.0, description="seconds before the first retry (VELIB_HTTP_BACKOFF)")

    def settings(self) -> config.VelibSettings:
        self.check()
        return config.VelibSettings(
            api_url=self.api_url,
            gbfs_url=self.gbfs_url or None,
            replay_dir=self.replay_dir or None,
            timeout_seconds=self.timeout_seconds,
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
        )


class KinesisResource(_FromEnvironment):
    """The Kinesis client of the stream drains (used when a stream is configured)."""

    region: str = Field(default="eu-west-1", description="AWS_REGION")
    endpoint_url: str = Field(default="", description="an AWS-compatible server; empty: AWS (AWS_ENDPOINT_URL)")
    connect_timeout: float = Field(default=10.0, description="seconds to connect (AWS_CONNECT_TIMEOUT)")
    read_timeout: float = Field(default=30.0, description="seconds to read (AWS_READ_TIMEOUT)")
    max_attempts: int = Field(default=5, description="attempts, botocore standard retries (AWS_MAX_ATTEMPTS)")

    def client(self) -> Any:
        from ingestion import aws

        self.check()
        settings = dataclasses.replace(
            config.aws_settings(),
            region=self.region,
            endpoint_url=self.endpoint_url or None,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_attempts=self.max_attempts,
        )
        return aws.client("kinesis", settings)


class TributaryDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, less two fixed costs it pays before every dbt command of a run:

    - its in-process dbt adapter, unless asked for. dagster-dbt loads the project, the profile and every macro
      into the Dagster process (about 1 s of CPU, 2–3 s on a busy machine) to hold it. Only `fetch_row_counts()`
      and `fetch_column_metadata()` use it (they query the warehouse after each model); without it they return no
      metadata, silently. A build that calls them sets `in_process_adapter=True` (orchestration/dbt.py);
    - `dbt --version` in a subprocess (dbt's whole start-up: 1.5–2.5 s), to learn dbt's version. When the
      executable is the dbt installed beside this Python, its version is dbt-core's, read from the package
      metadata instead."""

    in_process_adapter: bool = Field(
        default=False,
        description="load dbt's adapter into the Dagster process (needed by fetch_row_counts / fetch_column_metadata)",
    )

    def _initialize_dbt_core_adapter(self, args):
        return super()._initialize_dbt_core_adapter(args) if self.in_process_adapter else None

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == Path(sys.executable).with_name("dbt"):
            return version.parse(metadata.version("dbt-core"))
        return super()._cli_version


def _read(settings: Callable[[], T]) -> tuple[T | None, str]:
    try:
        return settings(), ""
    except ValueError as error:  # UnknownVariableError is a ValueError, as are bad numbers
        return None, str(error)


def lake_resource() -> LakeResource:
    url, error = _read(config.lake_url)
    return LakeResource(url=url or "", settings_error=error)


def warehouse_resource() -> WarehouseResource:
    def read() -> dict[str, str]:
        target = config.dbt_target()
        if target == "prod":
            return {"target": target}
        published = str(config.duckdb_published_path()) if config.duckdb_publish() else ""
        return {"target": target, "duckdb_path": str(config.duckdb_path()), "published_path": published}

    values, error = _read(read)
    return WarehouseResource(**(values or {}), settings_error=error)


def velib_api_resource() -> VelibApiResource:
    velib, error = _read(config.velib_settings)
    if velib is None:
        return VelibApiResource(settings_error=error)
    return VelibApiResource(
        api_url=velib.api_url,
        gbfs_url=velib.gbfs_url or "",
        replay_dir=velib.replay_dir or "",
        timeout_seconds=velib.timeout_seconds,
        retries=velib.retries,
        backoff_seconds=velib.backoff_seconds,
    )


def kinesis_resource() -> KinesisResource:
    aws, error = _read(config.aws_settings)
    if aws is None:
        return KinesisResource(settings_error=error)
    return KinesisResource(
        region=aws.region,
        endpoint_url=aws.endpoint_url or "",
        connect_timeout=aws.connect_timeout,
        read_timeout=aws.read_timeout,
        max_attempts=aws.max_attempts,
    )


def build_resources() -> dict[str, Any]:
    """Every resource of the Definitions, its settings from the environment as `ingestion.config` reads it now."""
    from orchestration.dbt import dbt_resource

    return {
        "dbt": dbt_resource(),
        "lake": lake_resource(),
        "warehouse": warehouse_resource(),
        "velib_api": velib_api_resource(),
        "kinesis": kinesis_resource(),
    }
