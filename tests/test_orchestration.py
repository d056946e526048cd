import json
import re

from dagster import AssetKey, DagsterInstance, RunRequest, SkipReason, build_sensor_context

from ingestion.config import DBT_PROJECT_DIR
from ingestion.lake import LocalLake
from ingestion.stream import write_micro_batch
from orchestration.dbt import dbt_build_args
from orchestration.definitions import defs
from orchestration.domains import stock

INGESTION_KEYS = {
    AssetKey(["stock", "raw_sales"]),
    AssetKey(["stock", "raw_sales_events"]),
    AssetKey(["stock", "raw_inventory_snapshots"]),
    AssetKey(["shop", "raw_clients"]),
    AssetKey(["shop", "raw_orders"]),
    AssetKey(["shop", "raw_online_retail"]),
}
SEEDS = {AssetKey(["seeds", "stock_inventory_policy"]), AssetKey(["seeds", "shop_rfm_segments"])}


def manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def test_definitions_load_with_one_connected_graph():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert keys >= INGESTION_KEYS
    # every model reaches an ingestion asset upstream: one lineage from file to mart
    for key in keys - INGESTION_KEYS - SEEDS:
        assert graph.get(key).parent_keys, f"{key.to_user_string()} has no upstream asset"
    upstream_of_risk = graph.upstream_key_iterator(AssetKey("fct_stock__risk"))
    assert set(upstream_of_risk) >= {key for key in INGESTION_KEYS if key.path[0] == "stock"}
    upstream_of_rfm = graph.upstream_key_iterator(AssetKey("fct_shop__customer_rfm"))
    assert set(upstream_of_rfm) >= {key for key in INGESTION_KEYS if key.path[0] == "shop"}


def test_every_dbt_source_maps_to_the_ingestion_asset_that_writes_it():
    graph = defs.resolve_asset_graph()
    python_assets = {key for key in graph.get_all_asset_keys() if "dbt" not in graph.get(key).kinds}
    sources = manifest()["sources"].values()
    assert sources
    for source in sources:
        key = AssetKey(source["meta"]["dagster"]["asset_key"])
        assert key in python_assets, f"{source['unique_id']} maps to {key}, which no ingestion asset writes"
        # the asset feeds the base model that reads this source
        children = {child.to_user_string() for child in graph.get(key).child_keys}
        assert f"base_{source['source_name'].removesuffix('_raw')}__{source['name']}" in children


DOMAINS = {"stock", "velib", "wine", "shop", "marketing"}


def expected_group(key: AssetKey) -> str:
    """The domain an asset belongs to, from its name alone: [<domain>, raw_…] for ingestion assets,
    <layer>_<domain>__… for models, <domain>_… for seeds."""
    name = key.path[-1]
    if key.path[0] in DOMAINS:
        return key.path[0]
    match = re.match(r"^(base|stg|qua|int|fct|dim)_([a-z]+)__", name)
    return match.group(2) if match else name.split("_")[0]


def test_every_asset_is_in_its_domain_group():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).group_name == expected_group(key), key.to_user_string()
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} <= DOMAINS


def test_dbt_tests_are_asset_checks():
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    names = {name for _, name in checks}
    assert any(name.startswith("rows_reconcile_stg_stock__sales_") for name in names)
    assert ("fct_stock__risk", "not_null_fct_stock__risk_risk_level") in checks
    assert len(checks) >= 50


def test_dbt_build_args():
    assert dbt_build_args() == ["build"]
    assert dbt_build_args(full_refresh=True) == ["build", "--full-refresh"]
    assert dbt_build_args(dbt_vars={"stock_risk_rule": "seed_rule", "stock_demand_window_days": 30}) == [
        "build",
        "--vars",
        "{stock_demand_window_days: 30, stock_risk_rule: seed_rule}",
    ]


def test_schedule_and_jobs():
    schedule = defs.resolve_schedule_def("stock_daily")
    assert schedule.cron_schedule == "0 6 * * *"
    stream_keys = defs.resolve_job_def("stock_stream_job").asset_layer.executable_asset_keys
    assert AssetKey(["stock", "raw_sales_events"]) in stream_keys
    assert AssetKey("base_stock__sales_events") in stream_keys
    assert AssetKey(["stock", "raw_sales"]) not in stream_keys  # the stream run does not re-land exports
    assert defs.resolve_schedule_def("shop_daily").cron_schedule == "0 5 * * *"
    shop_keys = defs.resolve_job_def("shop_job").asset_layer.executable_asset_keys
    assert {AssetKey(["shop", "raw_online_retail"]), AssetKey("fct_shop__customer_rfm")} <= shop_keys
    assert not any(key.path[0] == "stock" or "stock" in key.path[-1] for key in shop_keys)


def test_sensor_requests_a_run_only_when_batches_wait(project_env):
    lake = LocalLake(project_env / "lake")
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance)
        assert isinstance(stock.stock_sales_events_sensor(context), SkipReason)
        import datetime as dt

        key = write_micro_batch(lake, "stock", "sales_events", [{"a": 1}], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        request = stock.stock_sales_events_sensor(context)
        assert isinstance(request, RunRequest)
        assert request.run_key == key
