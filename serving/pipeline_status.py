"""What Dagster recorded about the marts, read from its instance folder (`DAGSTER_HOME`): when each mart was last
materialized, and the latest result of each dbt test (dagster-dbt records every dbt test of a build as an asset
check evaluation, with the failing rows count).

For the dashboard and the wine reports, through the query layer: nothing here imports the orchestration code (whose
import loads the dbt project). The dbt tests are found in the manifest (`dbt_project/target/manifest.json`), keyed
the way dagster-dbt keys them: the check is named after the test and belongs to the asset of the model the test
is attached to (tests/test_orchestration.py checks that the keys equal the definitions' checks).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestion import config
from serving.warehouse import manifest_path


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    test: str  # the dbt test's name
    asset: str  # the model it checks
    status: str  # pass, warn, fail, or not_run
    failing_rows: int


@contextlib.contextmanager
def dagster_instance(home: Path | None = None) -> Iterator[Any]:
    """The Dagster instance in `home` (default DAGSTER_HOME), or None when there is no instance folder."""
    home = home or config.dagster_home()
    if not home.is_dir():
        yield None
        return
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


def last_materializations(marts: Sequence[str], home: Path | None = None) -> dict[str, dt.datetime]:
    """The latest Dagster materialization of each mart (the end of the dbt build that wrote it); empty when there
    is no instance or no record."""
    from dagster import AssetKey

    with dagster_instance(home) as instance:
        if instance is None:
            return {}
        events = instance.get_latest_materialization_events([AssetKey(name) for name in marts])
    return {
        key.to_user_string(): dt.datetime.fromtimestamp(event.timestamp, dt.UTC)
        for key, event in events.items()
        if event is not None
    }


def _node_domain(node: Mapping[str, Any]) -> str | None:
    """The domain folder of a model or seed: models/<layer>/<domain>/…, seeds/<domain>/…"""
    fqn = node.get("fqn", [])
    if node.get("resource_type") == "seed":
        return fqn[1] if len(fqn) >= 3 else None
    return fqn[2] if len(fqn) >= 4 else None


def _asset_path(node: Mapping[str, Any]) -> list[str]:
    """dagster-dbt's default key of a model or seed: meta.dagster.asset_key, else its custom schema and name."""
    meta_key = (node.get("config", {}).get("meta", {}) or node.get("meta", {})).get("dagster", {}).get("asset_key")
    if meta_key:
        return list(meta_key)
    schema = node.get("config", {}).get("schema")
    return [schema, node["name"]] if schema else [node["name"]]


def dbt_test_checks(domain: str, manifest: Path | None = None) -> list[tuple[list[str], str]]:
    """(asset key path, check name) of every dbt test on a model or seed of `domain`, sorted by asset and name."""
    nodes = json.loads((manifest or manifest_path()).read_text())["nodes"]
    by_name = {node["name"]: unique_id for unique_id, node in nodes.items() if node.get("resource_type") != "test"}
    checks = []
    for node in nodes.values():
        if node.get("resource_type") != "test":
            continue
        # a generic test's attached node; a singular test's only parent, or the model its meta.dagster.ref names
        parents = node.get("depends_on", {}).get("nodes", [])
        ref = (node.get("config", {}).get("meta", {}) or node.get("meta", {})).get("dagster", {}).get("ref", {})
        attached = node.get("attached_node") or (parents[0] if len(parents) == 1 else by_name.get(ref.get("name")))
        target = nodes.get(attached) if attached else None
        if target is not None and _node_domain(target) == domain:
            checks.append((_asset_path(target), node["name"]))
    return sorted(checks, key=lambda check: ("/".join(check[0]), check[1]))


def latest_test_results(
    domain: str, home: Path | None = None, manifest: Path | None = None, instance: Any = None
) -> list[TestResult] | None:
    """Each dbt test of the domain's models at its latest evaluation recorded by Dagster (`not_run` when it has
    none), from `instance` or the one in `home` (default DAGSTER_HOME); None without a Dagster instance."""
    from dagster import AssetCheckKey, AssetCheckSeverity, AssetKey

    keys = [AssetCheckKey(AssetKey(path), name) for path, name in dbt_test_checks(domain, manifest)]
    if instance is not None:
        records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    else:
        with dagster_instance(home) as opened:
            if opened is None:
                return None
            records = opened.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    results = []
    for key in keys:
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
