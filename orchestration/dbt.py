"""The dbt wiring: one DbtProject, one translator, one @dbt_assets over the whole project.

dbt sources carrying `meta.dagster.asset_key` map onto the Python ingestion asset that writes them, so the
asset graph is one lineage from raw file to mart; dbt tests surface as asset checks; every asset is grouped
by its domain folder (models/<layer>/<domain>/, seeds/<domain>/), owned by its domain's dbt group, and each
materialization carries its row count, its column types and the results of its dbt tests. The base models of
the time-based sources are partitioned by day and every model follows its sources by an automation condition
(orchestration/partitions.py, orchestration/automation.py: the translator's hooks below).
"""

import contextlib
import dataclasses
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AutomationCondition,
    Config,
    MetadataValue,
    Output,
    TableColumn,
    TableSchema,
)
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluation
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator

from ingestion import config
from ingestion.duckdb_httpfs import ensure_httpfs
from orchestration import automation, locks, partitions
from orchestration.dbt_cli import ORCHESTRATED_BUILD_EXCLUDES, dbt_executable, parse_dbt_project
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
        project_dir=config.DBT_PROJECT_DIR,
        profiles_dir=config.DBT_PROFILES_DIR,
        target=config.dbt_target(),
        target_path=config.dbt_target_dir(),
    )
    if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
        parse_dbt_project()
    return dbt_project


dbt_project = project()


class TributaryTranslator(DagsterDbtTranslator):
    """Group = the domain folder of the node: models/<layer>/<domain>/…, seeds/<domain>/… (the dbt group
    dbt_project.yml gives each domain folder). Owners = the owner of that dbt group (models/_groups.yml), as the
    Dagster team `team:<owner name>` when it has no email."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        group = super().get_group_name(dbt_resource_props)
        if group:
            return group
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed" and len(fqn) >= 3:
            return fqn[1]
        return fqn[2] if len(fqn) >= 4 else None

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        owners = super().get_owners(dbt_resource_props)  # meta.dagster.owners, or the dbt group owner's email
        if owners:
            return list(owners)
        # dagster-dbt passes the node's dbt group as a mapping here (name, owner), not as its name
        group = dbt_resource_props.get("group")
        name = (group.get("owner") or {}).get("name") if isinstance(group, Mapping) else None
        return [f"team:{name}"] if name else None

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
    args = ["build", *ORCHESTRATED_BUILD_EXCLUDES]
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
    """The body of a @dbt_assets: one `dbt build` of the run's selection, its events given to Dagster with the
    row count, the column types and the dbt test results of every table it built.

    The events are held until dbt ends: a model's tests run after it, and on DuckDB the warehouse can be read only
    once dbt has closed it. Then, under the warehouse's writer lock (no other dbt starts meanwhile), the built
    tables are read and a successful build is published for readers. A failed build gives its events too (what
    was built, what failed), then fails the step."""
    prepare_dbt_environment(lake, warehouse)
    report_current_writer(context, warehouse)
    invocation = dbt.cli(dbt_build_args(run_config.full_refresh, run_config.vars), context=context)
    events: list = []
    failure: Exception | None = None
    try:
        events.extend(invocation.stream())
    except Exception as error:
        failure = error
    published = None
    with warehouse_lock(context, warehouse, "read the built tables and publish the warehouse"):
        started = time.monotonic()
        tables = built_tables_metadata(invocation, events)
        context.log.info(
            f"row counts and columns of {len(tables)} built tables read in {time.monotonic() - started:.2f} s"
        )
        if failure is None:
            try:
                published = warehouse.publish()  # None on Athena or with publishing off
            except Exception as error:  # readers keep the previous build; the step fails once its events are given
                failure = error
    yield from with_build_metadata(context, events, tables)
    if failure is not None:
        raise failure
    if published:
        context.log.info(f"published the warehouse for readers: {published.path} in {published.seconds:.2f} s")


def warehouse_lock(context: AssetExecutionContext, warehouse: WarehouseResource, purpose: str):
    """DuckDB: the writer lock, for the block. Athena: nothing to lock."""
    if not warehouse.is_duckdb:
        return contextlib.nullcontext()
    return locks.exclusive(lock_path(warehouse.duckdb_path), purpose, on_wait=context.log.info)


def unique_id(event: Any) -> str | None:
    value = event.metadata.get("unique_id")
    return getattr(value, "text", value)


def built_tables_metadata(invocation: Any, events: list) -> dict[str, dict[str, Any]]:
    """unique_id → row count and columns of each table (not view) the run materialized, read once dbt has ended.

    Relation names come from the manifest this run wrote (on DuckDB the database is the file's name, which may
    differ from the one the project was parsed with). Athena: dagster-dbt's `fetch_row_counts()` and
    `fetch_column_metadata()`, through the dbt adapter. DuckDB: one read-only connection, closed before the
    warehouse is published. dagster-dbt's adapter would open the file from this process and keep it open until the
    process ends (dbt-duckdb's `keep_open` is on by default), so that the next dbt of the run, and the
    publication, could not open it."""
    materialized = [e for e in events if isinstance(e, (Output, AssetMaterialization)) and unique_id(e)]
    if not materialized:
        return {}
    try:
        manifest = invocation.get_artifact("manifest.json")
    except FileNotFoundError:  # dbt failed before writing one
        return {}
    if config.dbt_target() == "prod":
        run = dataclasses.replace(invocation, manifest=manifest)
        fetched = DbtEventIterator(iter(materialized), run).fetch_row_counts()
        fetched = fetched.fetch_column_metadata(with_column_lineage=False)
        keys = ("dagster/row_count", "dagster/column_schema")
        return {unique_id(e): {k: e.metadata[k] for k in keys if k in e.metadata} for e in fetched}
    nodes = {}
    for event in materialized:
        node = manifest["nodes"].get(unique_id(event)) or {}
        if node.get("relation_name") and node["config"].get("materialized") not in ("view", "ephemeral"):
            nodes[node["unique_id"]] = node
    metadata: dict[str, dict[str, Any]] = {}
    with duckdb.connect(str(config.duckdb_path()), read_only=True) as con:
        columns: dict[tuple[str, str], list[TableColumn]] = {}
        described = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns"
            " order by table_schema, table_name, ordinal_position"
        ).fetchall()
        for schema, table, column, data_type in described:
            columns.setdefault((schema, table), []).append(TableColumn(name=column, type=data_type))
        for uid, node in nodes.items():
            [(rows,)] = con.execute(f"select count(*) from {node['relation_name']}").fetchall()
            schema = TableSchema(columns=columns.get((node["schema"], node["alias"]), []))
            metadata[uid] = {
                "dagster/row_count": MetadataValue.int(rows),
                "dagster/column_schema": MetadataValue.table_schema(schema),
            }
    return metadata


CheckEvent = AssetCheckResult | AssetCheckEvaluation


def test_metadata(checks: Iterable[CheckEvent]) -> dict[str, Any]:
    """The dbt test results of one asset, as materialization metadata: counts, and the failing tests by name."""
    checks = list(checks)
    failing = sorted(f"{check.check_name} ({check.severity.value.lower()})" for check in checks if not check.passed)
    metadata: dict[str, Any] = {
        "dbt/tests_passed": sum(1 for check in checks if check.passed),
        "dbt/tests_failed": len(failing),
    }
    if failing:
        metadata["dbt/failing_tests"] = MetadataValue.text(", ".join(failing))
    return metadata


def with_build_metadata(
    context: AssetExecutionContext, events: Iterable[Any], tables: Mapping[str, Mapping[str, Any]]
) -> Iterator[Any]:
    """The events, in their order, each materialization with its table's row count and columns and the results of
    the tests run on it."""
    events = list(events)
    checks: dict[AssetKey, list[CheckEvent]] = {}
    for event in events:
        if isinstance(event, CheckEvent):
            checks.setdefault(event.asset_key, []).append(event)
    for event in events:
        if isinstance(event, Output):
            key = context.asset_key_for_output(event.output_name)
        elif isinstance(event, AssetMaterialization):
            key = event.asset_key
        else:
            yield event
            continue
        extra = {**tables.get(unique_id(event), {}), **(test_metadata(checks[key]) if key in checks else {})}
        yield event.with_metadata({**event.metadata, **extra}) if extra else event


def dbt_resource() -> DbtCliResource:
    # the in-process dbt adapter only where the row counts are fetched through it (Athena: built_tables_metadata)
    return TributaryDbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(config.DBT_PROFILES_DIR),
        dbt_executable=dbt_executable(),
        in_process_adapter=config.dbt_target() == "prod",
    )
