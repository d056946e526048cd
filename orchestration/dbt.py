"""The dbt wiring: one DbtProject, one translator, one @dbt_assets over the whole project.

dbt sources carrying `meta.dagster.asset_key` map onto the Python ingestion asset that writes them, so the
asset graph is one lineage from raw file to mart; dbt tests surface as asset checks; every asset is grouped
by its domain folder (models/<layer>/<domain>/, seeds/<domain>/).
"""

import os
from collections.abc import Mapping
from typing import Any

import yaml
from dagster import AssetExecutionContext, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ingestion import config
from ingestion import config as settings  # `config` is also the run config's name in the asset bodies
from ingestion.duckdb_httpfs import ensure_httpfs
from orchestration import locks
from orchestration.dbt_cli import dbt_executable, parse_dbt_project
from orchestration.warehouse_lock import current_writer, lock_path
from serving.publish import publish_build

# One writer at a time. DuckDB (dev, test): every dbt process takes the warehouse's writer lock before it opens
# the file (orchestration/warehouse_lock.py), and the kernel releases it when that process ends, however it
# ends. Athena (prod) has no file to lock: dbt runs there queue in the Dagster pool "warehouse" (limit 1,
# dagster.yaml), and run monitoring frees the slot of a run whose process died (orchestration/run_launcher.py).
WAREHOUSE_POOL = "warehouse" if config.dbt_target() == "prod" else None


dbt_project = DbtProject(
    project_dir=config.DBT_PROJECT_DIR,
    profiles_dir=config.DBT_PROFILES_DIR,
    target=config.dbt_target(),
)
if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
    parse_dbt_project()  # `dagster dev` re-parses so edits to models show up; a fresh clone has no manifest


class TributaryTranslator(DagsterDbtTranslator):
    """Group = the domain folder of the node: models/<layer>/<domain>/…, seeds/<domain>/…"""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        group = super().get_group_name(dbt_resource_props)
        if group:
            return group
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed" and len(fqn) >= 3:
            return fqn[1]
        return fqn[2] if len(fqn) >= 4 else None


translator = TributaryTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtRunConfig(Config):
    """Run configuration of the dbt assets (launchpad or `dagster asset materialize --config`)."""

    full_refresh: bool = False
    vars: dict[str, Any] = {}


def dbt_build_args(full_refresh: bool = False, dbt_vars: Mapping[str, Any] | None = None) -> list[str]:
    """The arguments of the one `dbt build` a run makes (selection is added by dagster-dbt)."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", yaml.safe_dump(dict(dbt_vars), default_flow_style=True, sort_keys=True).strip()]
    return args


def prepare_dbt_environment() -> None:
    """dbt runs as a subprocess: give it the same warehouse and lake as the Python side, as absolute paths."""
    os.environ.update(config.dbt_environment())
    if config.dbt_target() != "prod":
        config.duckdb_path().parent.mkdir(parents=True, exist_ok=True)
        if config.lake_url().startswith("s3://"):
            ensure_httpfs()  # the profile loads httpfs for an S3 lake: have it installed, offline


# The models that read what the shop's model writes (source shop_ml) are their own @dbt_assets, in
# orchestration/domains/shop_ml.py: they come after Python assets that come after this definition's models, and one
# definition on both sides of them would make Dagster split every run into several dbt invocations.
SHOP_ML_OUTPUTS = "source:shop_ml+"


def report_current_writer(context: AssetExecutionContext) -> None:
    """Say, in the run's log, when another process writes the DuckDB warehouse: this run's dbt waits for it.

    The wait itself happens in the dbt process (orchestration/warehouse_lock.py), which holds the lock."""
    if config.dbt_target() == "prod":
        return
    writer = current_writer(config.duckdb_path())
    if writer is not None:
        context.log.info(
            f"the warehouse {config.duckdb_path()} is being written by {locks.describe(writer)}: "
            "dbt waits for that process to end (finished, failed or killed) before it starts"
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=SHOP_ML_OUTPUTS,
    pool=WAREHOUSE_POOL,
)
def tributary_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig):
    yield from dbt_build(context, dbt, config)


def dbt_build(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig):
    """The body of a @dbt_assets: one `dbt build` of the run's selection, events streamed to Dagster."""
    prepare_dbt_environment()
    report_current_writer(context)
    yield from dbt.cli(dbt_build_args(config.full_refresh, config.vars), context=context).stream()
    # reached only when the build succeeded (a failed one raises above): readers switch to it in one rename, taken
    # under the writer's lock, so that no other dbt writes the file while it is copied
    if settings.dbt_target() == "prod" or not settings.duckdb_publish():
        return
    with locks.exclusive(lock_path(settings.duckdb_path()), "publish the warehouse", on_wait=context.log.info):
        published = publish_build()
    if published:
        context.log.info(f"published the warehouse for readers: {published.path} in {published.seconds:.2f} s")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project, profiles_dir=str(config.DBT_PROFILES_DIR), dbt_executable=dbt_executable()
    )
