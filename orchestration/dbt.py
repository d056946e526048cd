"""The dbt wiring: one DbtProject, one translator, one @dbt_assets over the whole project.

dbt sources carrying `meta.dagster.asset_key` map onto the Python ingestion asset that writes them, so the
asset graph is one lineage from raw file to mart; dbt tests surface as asset checks; every asset is grouped
by its domain folder (models/<layer>/<domain>/, seeds/<domain>/). The base models of the time-based sources are
partitioned by day and every model follows its sources by an automation condition (orchestration/partitions.py,
orchestration/automation.py: the translator's two hooks below).
"""

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from dagster import AssetExecutionContext, AutomationCondition, Config
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ingestion import config
from ingestion.duckdb_httpfs import ensure_httpfs
from orchestration import automation, locks, partitions
from orchestration.dbt_cli import dbt_executable, parse_dbt_project
from orchestration.resources import LakeResource, TributaryDbtCliResource, WarehouseResource
from orchestration.warehouse_lock import current_writer, lock_path

# One writer at a time. DuckDB (dev, test): every dbt process takes the warehouse's writer lock before it opens
# the file (orchestration/warehouse_lock.py), and the kernel releases it when that process ends, however it
# ends. Athena (prod) has no file to lock: dbt runs there queue in the Dagster pool "warehouse" (limit 1,
# dagster.yaml), and run monitoring frees the slot of a run whose process died (orchestration/run_launcher.py).
WAREHOUSE_POOL = "warehouse" if config.dbt_target() == "prod" else None


@cache
def project() -> DbtProject:
    """The one DbtProject, prepared once per process: `dagster dev` parses again so that edits to models show up,
    a fresh clone parses because it has no manifest; otherwise the manifest on disk is used (dagster-dbt's
    prepare_if_dev, with the environment and target of the runs: see orchestration/dbt_cli.py)."""
    dbt_project = DbtProject(
        project_dir=config.DBT_PROJECT_DIR, profiles_dir=config.DBT_PROFILES_DIR, target=config.dbt_target()
    )
    if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
        parse_dbt_project()
    return dbt_project


dbt_project = project()


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

    # --- partitions and automation (orchestration/partitions.py, orchestration/automation.py)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None):
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id)
        sources = partitions.partitioned_sources(manifest)
        if node and partitions.is_partitioned_model(node, sources):
            spec = spec.replace_attributes(partitions_def=partitions.DAILY)
        elif node and spec.automation_condition is not None:
            parents = partitions.partitioned_parents(manifest, node, sources)
            keys = [self.get_asset_key(parent) for parent in parents]
            if keys:  # older days of a partitioned parent never built must not block this model
                spec = spec.replace_attributes(automation_condition=automation.follows_partitioned(keys))
        if node and (freshness := automation.freshness_policy(node["name"])):
            spec = spec.replace_attributes(freshness_policy=freshness)
        return spec

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> AutomationCondition | None:
        return automation.dbt_condition(dbt_resource_props)


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


def prepare_dbt_environment(lake: LakeResource, warehouse: WarehouseResource) -> None:
    """dbt runs as a subprocess: give it the run's warehouse and lake (the resources), as absolute paths. With the
    resources' defaults this is the environment the manifest was parsed with, so dbt does not parse again."""
    lake.check()
    warehouse.check()
    os.environ.update(config.dbt_environment())
    os.environ.update({"DBT_TARGET": warehouse.target, "LAKE_URL": lake.url})
    if warehouse.is_duckdb:
        os.environ["DUCKDB_PATH"] = warehouse.duckdb_path
        Path(warehouse.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
        if lake.url.startswith("s3://"):
            ensure_httpfs()  # the profile loads httpfs for an S3 lake: have it installed, offline


# The models that read what the shop's model writes (source shop_ml) are their own @dbt_assets, in
# orchestration/domains/shop_ml.py: they come after Python assets that come after this definition's models, and one
# definition on both sides of them would make Dagster split every run into several dbt invocations.
SHOP_ML_OUTPUTS = "source:shop_ml+"


def report_current_writer(context: AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """Say, in the run's log, when another process writes the DuckDB warehouse: this run's dbt waits for it.

    The wait itself happens in the dbt process (orchestration/warehouse_lock.py), which holds the lock."""
    if not warehouse.is_duckdb:
        return
    writer = current_writer(warehouse.duckdb_path)
    if writer is not None:
        context.log.info(
            f"the warehouse {warehouse.duckdb_path} is being written by {locks.describe(writer)}: "
            "dbt waits for that process to end (finished, failed or killed) before it starts"
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=SHOP_ML_OUTPUTS,
    pool=WAREHOUSE_POOL,
    backfill_policy=partitions.SINGLE_RUN,
)
def tributary_dbt_assets(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    lake: LakeResource,
    warehouse: WarehouseResource,
    config: DbtRunConfig,
):
    yield from dbt_build(context, dbt, lake, warehouse, config)


def dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    lake: LakeResource,
    warehouse: WarehouseResource,
    run_config: DbtRunConfig,
):
    """The body of a @dbt_assets: one `dbt build` of the run's selection, events streamed to Dagster."""
    prepare_dbt_environment(lake, warehouse)
    report_current_writer(context, warehouse)
    yield from dbt.cli(dbt_build_args(run_config.full_refresh, run_config.vars), context=context).stream()
    # reached only when the build succeeded (a failed one raises above): readers switch to it in one rename, taken
    # under the writer's lock, so that no other dbt writes the file while it is copied
    if not warehouse.is_duckdb or not warehouse.published_path:
        return
    with locks.exclusive(lock_path(warehouse.duckdb_path), "publish the warehouse", on_wait=context.log.info):
        published = warehouse.publish()
    if published:
        context.log.info(f"published the warehouse for readers: {published.path} in {published.seconds:.2f} s")


def dbt_resource() -> DbtCliResource:
    return TributaryDbtCliResource(
        project_dir=dbt_project, profiles_dir=str(config.DBT_PROFILES_DIR), dbt_executable=dbt_executable()
    )
