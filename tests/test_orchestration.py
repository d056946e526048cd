import datetime as dt
import json
import re
import subprocess

import pytest
from dagster import AssetKey, DagsterInstance, RunRequest, SkipReason, build_sensor_context

from ingestion.config import dbt_target_dir
from ingestion.lake import LocalLake
from ingestion.stream import write_micro_batch
from orchestration.dbt import dbt_build_args, dbt_resource
from orchestration.definitions import defs
from orchestration.domains import marketing, stock
from orchestration.resources import LakeResource
from orchestration.streams import landing_sensor


def ingestion_keys(graph) -> set[AssetKey]:
    return {key for key in graph.get_all_asset_keys() if "dbt" not in graph.get(key).kinds}


def manifest() -> dict:
    return json.loads((dbt_target_dir() / "manifest.json").read_text())


def test_definitions_load_with_one_connected_graph():
    graph = defs.resolve_asset_graph()
    ingestion = ingestion_keys(graph)
    assert {AssetKey(["stock", "raw_sales"]), AssetKey(["velib", "raw_station_status"])} <= ingestion
    # every dbt model reaches an ingestion asset upstream: one lineage from file to mart
    for key in graph.get_all_asset_keys() - ingestion:
        if key.path[0] == "seeds":
            continue
        upstream = set(graph.upstream_key_iterator(key))
        assert upstream & ingestion, f"{key.to_user_string()} does not reach an ingestion asset"
    assert AssetKey(["stock", "raw_sales_events"]) in set(graph.upstream_key_iterator(AssetKey("fct_stock__risk")))
    upstream_of_reports = set(graph.upstream_key_iterator(AssetKey(["wine", "reports"])))
    assert {
        AssetKey(["wine", "raw_erp"]),
        AssetKey(["wine", "raw_web"]),
        AssetKey(["wine", "raw_liaison"]),
    } <= upstream_of_reports
    assert AssetKey("fct_wine__product_revenue") in upstream_of_reports
    upstream_of_rfm = set(graph.upstream_key_iterator(AssetKey("fct_shop__customer_rfm")))
    assert {AssetKey(["shop", "raw_orders"]), AssetKey(["shop", "raw_online_retail"])} <= upstream_of_rfm


def test_every_dbt_source_maps_to_the_ingestion_asset_that_writes_it():
    graph = defs.resolve_asset_graph()
    python_assets = ingestion_keys(graph)
    sources = manifest()["sources"].values()
    assert sources
    for source in sources:
        key = AssetKey(source["meta"]["dagster"]["asset_key"])
        assert key in python_assets, f"{source['unique_id']} maps to {key}, which no ingestion asset writes"
        # the asset feeds the models that read this source: a base model of its domain for a raw source
        readers = {
            node.split(".")[-1] for node in manifest()["child_map"][source["unique_id"]] if node.startswith("model.")
        }
        children = {child.to_user_string() for child in graph.get(key).child_keys}
        assert readers and readers <= children, (key, readers, children)
        if source["meta"]["lake"].get("format", "lines") == "lines":
            domain = source["source_name"].removesuffix("_raw")
            assert any(child.startswith(f"base_{domain}__") for child in children), (key, children)


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
    no_unit_tests = ["--exclude-resource-type", "unit_test"]  # they run in CI, not in every run
    assert dbt_build_args() == ["build", *no_unit_tests]
    assert dbt_build_args(full_refresh=True) == ["build", *no_unit_tests, "--full-refresh"]
    assert dbt_build_args(dbt_vars={"stock_risk_rule": "seed_rule", "stock_demand_window_days": 30}) == [
        "build",
        *no_unit_tests,
        "--vars",
        "{stock_demand_window_days: 30, stock_risk_rule: seed_rule}",
    ]


def test_the_dbt_resource_knows_dbt_version_without_asking_dbt(monkeypatch):
    """dagster-dbt runs `dbt --version` before each command; the project's resource reads dbt-core's version from
    the package metadata (the executable is the one beside this Python): the same version, and no subprocess."""
    resource = dbt_resource()
    answer = subprocess.run([resource.dbt_executable, "--version"], capture_output=True, text=True, check=True)
    [core] = re.findall(r"installed: (\d+\.\d+\.\d+)", answer.stdout)

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_subprocess)  # how dagster-dbt asks
    assert str(dbt_resource()._cli_version) == core
    assert dbt_resource()._initialize_dbt_core_adapter(["build"]) is None  # DuckDB: no in-process adapter


def test_schedule_and_jobs():
    schedule = defs.resolve_schedule_def("stock_daily")
    assert schedule.cron_schedule == "0 6 * * *"
    wine_schedule = defs.resolve_schedule_def("wine_monthly")
    assert wine_schedule.cron_schedule == "0 9 15 * *" and wine_schedule.job_name == "wine_job"
    wine_keys = defs.resolve_job_def("wine_job").asset_layer.executable_asset_keys
    assert {AssetKey(["wine", "raw_web"]), AssetKey("fct_wine__revenue_summary"), AssetKey(["wine", "reports"])} <= (
        wine_keys
    )
    assert AssetKey(["stock", "raw_sales"]) not in wine_keys
    stream_keys = defs.resolve_job_def("stock_stream_job").asset_layer.executable_asset_keys
    assert AssetKey(["stock", "raw_sales_events"]) in stream_keys
    assert AssetKey("base_stock__sales_events") in stream_keys
    assert AssetKey(["stock", "raw_sales"]) not in stream_keys  # the stream run does not re-land exports
    assert defs.resolve_schedule_def("shop_daily").cron_schedule == "0 5 * * *"
    shop_keys = defs.resolve_job_def("shop_job").asset_layer.executable_asset_keys
    assert {AssetKey(["shop", "raw_online_retail"]), AssetKey("fct_shop__customer_rfm")} <= shop_keys
    assert not any(key.path[0] == "stock" or "stock" in key.path[-1] for key in shop_keys)


def sensor_context(instance, root):
    return build_sensor_context(instance=instance, resources={"lake": LakeResource(url=f"file://{root / 'lake'}")})


def test_sensor_requests_a_run_per_day_only_when_batches_wait(project_env):
    lake = LocalLake(project_env / "lake")
    with DagsterInstance.ephemeral() as instance:
        context = sensor_context(instance, project_env)
        assert isinstance(stock.stock_sales_events_sensor(context), SkipReason)

        key = write_micro_batch(lake, "stock", "sales_events", [{"a": 1}], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        [request] = stock.stock_sales_events_sensor(context)
        assert isinstance(request, RunRequest)
        assert (request.run_key, request.partition_key) == (key, "2024-01-01")
        # batches of two days: a run per day, each keyed by its newest batch (the run drains that day's batches)
        day_two, late_evening = dt.datetime(2024, 1, 2, 0, 1, tzinfo=dt.UTC), dt.datetime(2024, 1, 1, 23, tzinfo=dt.UTC)
        late = write_micro_batch(lake, "stock", "sales_events", [{"a": 2}], day_two)
        again = write_micro_batch(lake, "stock", "sales_events", [{"a": 3}], late_evening)
        requests = stock.stock_sales_events_sensor(context)
        assert [(r.partition_key, r.run_key, r.tags["batches"]) for r in requests] == [
            ("2024-01-01", again, "2"),
            ("2024-01-02", late, "1"),
        ]


def test_stream_sensor_interval_comes_from_the_environment(monkeypatch):
    assert stock.stock_sales_events_sensor.minimum_interval_seconds == 10  # the documented default
    monkeypatch.setenv("STREAM_SENSOR_INTERVAL_SECONDS", "5")
    sensor = landing_sensor("stock", "sales_events", stock.stock_stream_job, "interval_probe")
    assert sensor.minimum_interval_seconds == 5
    monkeypatch.setenv("STREAM_SENSOR_INTERVAL_SECONDS", "0")
    with pytest.raises(ValueError, match="STREAM_SENSOR_INTERVAL_SECONDS='0'"):
        landing_sensor("stock", "sales_events", stock.stock_stream_job, "interval_probe")


def test_marketing_jobs_and_click_events_sensor(project_env):
    stream_keys = defs.resolve_job_def("marketing_stream_job").asset_layer.executable_asset_keys
    assert {AssetKey(["marketing", "raw_click_events"]), AssetKey("fct_marketing__event_anomalies")} <= stream_keys
    assert AssetKey(["marketing", "raw_campaigns"]) not in stream_keys
    assert defs.resolve_schedule_def("marketing_daily").job_name == "marketing_job"
    lake = LocalLake(project_env / "lake")
    with DagsterInstance.ephemeral() as instance:
        context = sensor_context(instance, project_env)
        assert isinstance(marketing.marketing_click_events_sensor(context), SkipReason)

        key = write_micro_batch(lake, "marketing", "click_events", [{"a": 1}], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        [request] = marketing.marketing_click_events_sensor(context)
        assert isinstance(request, RunRequest) and request.run_key == key and request.partition_key == "2024-01-01"


def test_every_raw_schema_is_provisioned_on_aws():
    from ingestion.aws.bootstrap import RAW_DATABASES

    schemas = {source["schema"] for source in manifest()["sources"].values()}
    assert schemas <= set(RAW_DATABASES), (
        f"add {schemas - set(RAW_DATABASES)} to RAW_DATABASES in ingestion/aws/bootstrap.py"
    )


def test_shop_model_config_defaults_are_the_models():
    """The launchpad's defaults are written in orchestration (loading the definitions must not import
    scikit-learn); they must stay ml's."""
    from ml.churn import ChurnParams
    from ml.segmentation import SegmentationParams
    from ml.shop import FEATURES_MART
    from orchestration.domains.shop_ml import FEATURES_KEY, ShopModelConfig

    config = ShopModelConfig()
    assert (config.k_min, config.k_max, config.seed) == (
        SegmentationParams.k_min,
        SegmentationParams.k_max,
        SegmentationParams.seed,
    )
    assert (config.train_snapshots, config.threshold, config.min_eval_customers) == (
        ChurnParams.train_snapshots,
        ChurnParams.threshold,
        ChurnParams.min_eval_customers,
    )
    assert AssetKey(FEATURES_MART) == FEATURES_KEY


def test_the_dashboard_and_the_api_import_nothing_from_orchestration():
    """They read through the query layer (serving/): importing orchestration loads the dbt project, and may parse
    it, in a process that only reads marts."""
    import ast

    from ingestion.config import REPO_ROOT

    offenders = []
    for path in [*(REPO_ROOT / "dashboard").rglob("*.py"), *(REPO_ROOT / "serving").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(REPO_ROOT)}: {n}" for n in names if n.split(".")[0] == "orchestration"]
    assert offenders == []


def test_pipeline_status_names_the_checks_dagster_defines():
    """serving/pipeline_status.py keys the dbt tests from the manifest alone; they must be the definitions'
    checks, or the dashboard and the wine reports would read no result."""
    from serving.pipeline_status import dbt_test_checks

    graph = defs.resolve_asset_graph()
    for domain in ("wine", "stock"):
        expected = sorted(
            (key.asset_key.path, key.name)
            for key in graph.asset_check_keys
            if graph.get(key.asset_key).group_name == domain and "dbt" in graph.get(key.asset_key).kinds
        )
        got = sorted((path, name) for path, name in dbt_test_checks(domain))
        assert got == expected, domain
        assert len(got) >= 10


def test_no_sample_stands_in_for_an_input_on_prod(project_env, monkeypatch):
    """On prod an unset input lands nothing, and says so, even where the generated samples lie on disk."""
    from dagster import build_asset_context

    from ingestion import config
    from ingestion.shop.generate import generate as generate_shop
    from ingestion.wine.generate import generate as generate_wine
    from orchestration.domains import shop, wine

    samples = project_env / "data" / "samples"
    generate_wine(samples / "wine", products=5)
    generate_shop(samples / "shop", orders=1000)
    assert config.wine_settings().erp_path and config.shop_settings().generates_sample  # test: the samples stand in

    monkeypatch.setenv("DBT_TARGET", "prod")
    assert config.stock_settings().sales_csv is None
    assert config.stock_settings().inventory_csv is None
    assert config.wine_settings().erp_path is None
    assert config.marketing_settings().transactions_path is None
    lake = LakeResource(url=f"file://{project_env / 'lake'}")
    for asset_fn, why in (
        (shop.raw_orders, "SHOP_ORDERS_PATH is not set (DBT_TARGET=prod: no sample stands in): no orders to land"),
        (wine.raw_erp, "WINE_ERP_PATH is not set (DBT_TARGET=prod: no sample stands in): no erp file to land"),
    ):
        result = asset_fn(build_asset_context(), lake=lake)
        assert (result.metadata["files"], result.metadata["nothing_to_land"].value) == (0, why)
    assert not (project_env / "lake").exists() or not any((project_env / "lake").rglob("*.*"))
