"""What runs by itself (orchestration/automation.py), evaluated with Dagster's own test utility on a test instance:
a mart is requested once its source has landed, and not before, not twice; what is on by default."""

from __future__ import annotations

import datetime as dt

from dagster import (
    AssetKey,
    AssetMaterialization,
    AssetSelection,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    evaluate_automation_conditions,
)

from ingestion.wine.generate import generate as generate_wine
from orchestration.automation import AUTOMATION_SENSOR, FRESHNESS
from orchestration.definitions import defs
from tests.conftest import materialize_assets

DOMAINS = AssetSelection.groups("wine", "stock")


def requested(result) -> set[str]:
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    return {key.to_user_string() for key in keys if result.get_num_requested(key)}


def test_a_mart_is_requested_after_its_source_lands_and_once(project_env):
    generate_wine(project_env / "data" / "samples" / "wine", products=20)  # the sample WINE_ERP_PATH defaults to
    graph = defs.resolve_asset_graph()
    with DagsterInstance.ephemeral() as instance:
        # the instance's record of an earlier build: every asset of the two domains materialized (and their
        # partitioned assets for today)
        today = dt.datetime.now(dt.UTC).date().isoformat()
        for key in DOMAINS.resolve(graph):
            partition = today if graph.get(key).partitions_def else None
            instance.report_runless_asset_event(AssetMaterialization(key, partition=partition))
        first = evaluate_automation_conditions(defs, instance, asset_selection=DOMAINS)
        assert first.total_requested == 0  # nothing landed since: nothing to do

        # the ERP file lands, through Dagster as a schedule or the UI would land it
        assert materialize_assets(selection=[AssetKey(["wine", "raw_erp"])], instance=instance).success
        second = evaluate_automation_conditions(defs, instance, asset_selection=DOMAINS, cursor=first.cursor)
        wanted = requested(second)
        # the ERP's base model, everything after it up to the marts and the monthly reports, in one request
        assert {"base_wine__erp", "stg_wine__erp", "fct_wine__revenue_summary", "fct_wine__product_revenue"} <= wanted
        assert "wine/reports" in wanted
        # …not the models of the other wine files (nothing new there), nor another domain's, nor the source itself
        assert not {"base_wine__web", "base_wine__liaison", "wine/raw_erp"} & wanted
        assert not {name for name in wanted if "stock" in name}

        third = evaluate_automation_conditions(defs, instance, asset_selection=DOMAINS, cursor=second.cursor)
        assert third.total_requested == 0  # requested once: the next tick does not ask again


def test_a_partitioned_source_brings_its_latest_day_then_the_marts(project_env):
    graph = defs.resolve_asset_graph()
    selection = AssetSelection.groups("marketing")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    with DagsterInstance.ephemeral() as instance:
        # only today's partitions were ever built, as on a real instance: the days since TRIBUTARY_PARTITIONS_START
        # that nobody backfilled are missing, and must not keep the marts over every day waiting for them
        for key in selection.resolve(graph):
            partition = today if graph.get(key).partitions_def else None
            instance.report_runless_asset_event(AssetMaterialization(key, partition=partition))
        first = evaluate_automation_conditions(defs, instance, asset_selection=selection)
        assert first.total_requested == 0
        # click events of today drained (the stream sensor's run would build its downstream itself; a drain run of
        # the asset alone, from the UI, leaves it to the automation)
        instance.report_runless_asset_event(AssetMaterialization(["marketing", "raw_click_events"], partition=today))
        second = evaluate_automation_conditions(defs, instance, asset_selection=selection, cursor=first.cursor)
        # today's partition of the base model; the unpartitioned models after it cannot share its run (a run has one
        # partition definition), so they follow on the next tick, once it has landed
        assert {key for key in graph.get_all_asset_keys() if second.get_num_requested(key)} == {
            AssetKey("base_marketing__click_events")
        }
        assert second.get_requested_partitions(AssetKey("base_marketing__click_events")) == {today}
        instance.report_runless_asset_event(AssetMaterialization("base_marketing__click_events", partition=today))
        third = evaluate_automation_conditions(defs, instance, asset_selection=selection, cursor=second.cursor)
        assert requested(third) == {
            "qua_marketing__click_events",
            "stg_marketing__click_events",
            "int_marketing__event_counts",
            "fct_marketing__event_anomalies",
            "fct_marketing__summary",
        }
        fourth = evaluate_automation_conditions(defs, instance, asset_selection=selection, cursor=third.cursor)
        assert fourth.total_requested == 0


def test_what_is_on_by_default():
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    assert sensors[AUTOMATION_SENSOR].default_status == DefaultSensorStatus.RUNNING
    assert sensors["stock_sales_events_sensor"].default_status == DefaultSensorStatus.RUNNING
    assert sensors["marketing_click_events_sensor"].default_status == DefaultSensorStatus.RUNNING
    # every schedule pulls a source (an API, Kinesis, the exports) or retrains: off until someone decides
    assert {schedule.name for schedule in defs.schedules} == {
        "stock_daily", "stock_kinesis_every_5_minutes", "velib_every_15_minutes", "wine_monthly", "shop_daily",
        "shop_ml_weekly", "marketing_daily",
    }  # fmt: skip
    assert all(schedule.default_status == DefaultScheduleStatus.STOPPED for schedule in defs.schedules)
    graph = defs.resolve_asset_graph()
    # every dbt model follows its sources; the ingestion assets and the model training do not run by themselves
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        condition = node.automation_condition
        if "dbt" in node.kinds or key in {AssetKey(["wine", "reports"]), AssetKey(["shop", "customer_scores"])}:
            assert condition is not None and condition.get_label() == "eager", key
        else:
            assert condition is None, key
    for name, (warn, fail) in FRESHNESS.items():
        policy = graph.get(AssetKey(name)).freshness_policy
        assert (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta()) == (warn, fail), name
