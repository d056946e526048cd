"""The shop's customer model (ml/, docs/shop-ml.md).

1. The metrics, computed by hand on four customers.
2. Segments on customers drawn from four distinct RFM behaviours: the clusters recover them, with readable names,
   the same at every run.
3. The time split never lets a training label look past the evaluation date.
4. Churn on synthetic feature tables written straight into a DuckDB warehouse (no dbt: fast), through the
   Dagster assets: churners planted with a signal give an AUC well above 0.5 and a published model whose scores
   land in the lake; a model worse than the baseline fails the blocking check and publishes and scores nothing;
   too little history is a warning that skips the scoring; a version is reproducible from its artefact.
5. The whole pipeline through Dagster on the generated sample with planted behaviours (dbt included): the scores
   land in the warehouse marts, the features never use an order after their snapshot date, the behaviours are
   recovered and the planted churners found.
6. The real Online Retail sample (skipped where absent).
"""

import datetime as dt
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from dagster import AssetKey, AssetSelection, DagsterInstance, materialize
from sklearn.metrics import adjusted_rand_score

from ingestion.config import dbt_target_dir
from ingestion.lake import LocalLake
from ingestion.shop.generate import generate
from ml import shop as shop_model
from ml import store
from ml.churn import ChurnParams, NotEnoughHistory, SplitPlan, check_leakage, plan_split
from ml.evaluation import binary_metrics, reliability_table
from ml.segmentation import SegmentationParams, fit_segments
from orchestration.resources import build_resources
from serving.warehouse import DuckDBWarehouse
from tests.conftest import materialize_assets, query, shared_file

# ------------------------------------------------------------------------------------------------ metrics


def test_binary_metrics_by_hand():
    # outcomes 1, 0, 1, 0 scored 0.9, 0.2, 0.4, 0.6; flagged at 0.5: the first and the last (one right, one wrong).
    # AUC: of the four (churner, stayer) pairs, (0.9, 0.2), (0.9, 0.6), (0.4, 0.2) are ranked right: 3/4.
    # Brier: (0.1² + 0.2² + 0.6² + 0.6²) / 4 = 0.77 / 4.
    m = binary_metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.6]), threshold=0.5)
    assert (m.customers, m.churners, m.predicted_churners) == (4, 2, 2)
    assert m.roc_auc == pytest.approx(0.75)
    assert (m.precision, m.recall) == (0.5, 0.5)
    assert m.brier_score == pytest.approx(0.77 / 4)
    # nothing flagged: precision undefined; one class only: AUC undefined
    none = binary_metrics(np.array([1, 1]), np.array([0.1, 0.2]), threshold=0.5)
    assert (none.precision, none.recall, none.roc_auc) == (None, 0.0, None)


def test_reliability_table_by_hand():
    # bins of width 0.1: 0.05 and 0.08 in bin 1 (one churned), 0.95 and 1.0 in bin 10 (both churned), 0.5 in bin 6
    table = reliability_table(np.array([1, 0, 1, 1, 0]), np.array([0.05, 0.08, 0.95, 1.0, 0.5]))
    assert table.to_dict(orient="list") == {
        "probability_bin": [1, 6, 10],
        "bin_lower": [0.0, 0.5, 0.9],
        "bin_upper": [0.1, 0.6, 1.0],
        "customers": [2, 1, 2],
        "mean_predicted": [pytest.approx(0.065), 0.5, pytest.approx(0.975)],
        "observed_rate": [0.5, 0.0, 1.0],
    }


# ------------------------------------------------------------------------------------------------ segments

BLOBS = {  # behaviour → (median recency days, orders, monetary): far apart on the log scale
    "champion": (5, 40, 20_000),
    "regular": (30, 8, 600),
    "lapsed": (400, 3, 150),
    "one_off": (120, 1, 2_000),
}


def rfm_blobs(per_blob: int = 150, seed: int = 1) -> pd.DataFrame:
    """Customers drawn around four RFM centres, ±25 % multiplicative noise (frequency at least 1)."""
    rng = np.random.default_rng(seed)
    rows = []
    for behaviour, (recency, frequency, monetary) in BLOBS.items():
        for i in range(per_blob):
            noise = rng.uniform(0.75, 1.25, size=3)
            rows.append(
                {
                    "customer_id": f"{behaviour}-{i:03d}",
                    "behaviour": behaviour,
                    "recency_days": round(recency * noise[0]),
                    "frequency": max(1, round(frequency * noise[1])),
                    "monetary": monetary * noise[2],
                }
            )
    return pd.DataFrame(rows)


def test_segments_recover_distinct_behaviours_with_readable_names():
    customers = rfm_blobs()
    segmentation = fit_segments(customers)
    assert segmentation.k == 4  # the silhouette picks the number of behaviours within 3..8
    assert segmentation.selection.loc[segmentation.selection.is_chosen, "k"].tolist() == [4]
    assigned = segmentation.assign(customers)
    assert adjusted_rand_score(customers.behaviour, assigned.segment) == 1.0
    # the names read the centroids: most recent and most valuable → Champions; oldest and least valuable →
    # Hibernating; numbered by value, highest first
    names = dict(zip(customers.behaviour, assigned.segment, strict=True))
    assert names["champion"] == "Champions" and names["lapsed"] == "Hibernating"
    assert [s.name for s in segmentation.segments][0] == "Champions"
    assert [s.segment_id for s in segmentation.segments] == [1, 2, 3, 4]
    champions = segmentation.segments[0]
    assert champions.customers == 150 and 4 <= champions.median_recency_days <= 6


def test_segments_are_stable():
    """The same customers give the same segments, ids and names, whatever the order of the rows."""
    customers = rfm_blobs()
    first = fit_segments(customers).assign(customers)
    again = fit_segments(customers).assign(customers)
    pd.testing.assert_frame_equal(first, again)
    shuffled = customers.sample(frac=1, random_state=7)
    reordered = fit_segments(shuffled).assign(customers)
    pd.testing.assert_frame_equal(first, reordered)


def test_segmentation_refuses_bad_input():
    with pytest.raises(ValueError, match="k_min=1"):
        SegmentationParams(k_min=1)
    with pytest.raises(ValueError, match="too few to segment"):
        fit_segments(rfm_blobs(per_blob=5))
    with pytest.raises(ValueError, match="missing monetary"):
        fit_segments(rfm_blobs().drop(columns="monetary"))


# ------------------------------------------------------------------------------------------------ time split


def month_ends(first: dt.date, count: int) -> list[dt.date]:
    ends, month = [], first.replace(day=1)
    for _ in range(count):
        month = (month + dt.timedelta(days=32)).replace(day=1)
        ends.append(month - dt.timedelta(days=1))
    return ends


def month_ends_before(day: dt.date, count: int) -> list[dt.date]:
    """The `count` month ends before `day`, oldest first."""
    ends = [day.replace(day=1) - dt.timedelta(days=1)]
    while len(ends) < count:
        ends.append(ends[-1].replace(day=1) - dt.timedelta(days=1))
    return ends[::-1]


def summary(dates: list[dt.date], current: dt.date, horizon: int) -> pd.DataFrame:
    """The snapshot summary the split reads: labels known where snapshot + horizon <= the current date."""
    every = [*dates, current]
    labelled = [100 if d + dt.timedelta(days=horizon) <= current else 0 for d in every]
    return pd.DataFrame({"as_of_date": every, "is_current": [d == current for d in every], "customers": 100,
                         "labelled": labelled})  # fmt: skip


@pytest.mark.parametrize("horizon", [30, 90, 180])
@pytest.mark.parametrize("train_snapshots", [1, 3, 12])
def test_time_split_never_leaks(horizon, train_snapshots):
    current = dt.date(2026, 6, 17)
    plan = plan_split(summary(month_ends(dt.date(2023, 12, 1), 30), current, horizon), horizon,
                      ChurnParams(train_snapshots=train_snapshots))  # fmt: skip
    gap = dt.timedelta(days=horizon)
    # the evaluation snapshot is the latest whose outcome is known on the current date
    assert plan.eval_date + gap <= current
    assert plan.eval_date == max(d for d in month_ends(dt.date(2023, 12, 1), 30) if d + gap <= current)
    # every label the evaluated model learns from was known on the evaluation date
    assert plan.train_dates and all(d + gap <= plan.eval_date for d in plan.train_dates)
    assert len(plan.train_dates) == train_snapshots
    # the published model learns from the latest labelled snapshots, the evaluation one included
    assert plan.deploy_dates[-1] == plan.eval_date and len(plan.deploy_dates) == train_snapshots
    assert plan.current_date == current and current not in plan.train_dates + plan.deploy_dates
    check_leakage(plan)


def test_the_leak_check_refuses_a_training_label_past_the_evaluation_date():
    plan = SplitPlan(90, dt.date(2026, 6, 30), dt.date(2026, 3, 31), (dt.date(2026, 1, 31),), ())
    with pytest.raises(AssertionError, match="see past the evaluation date"):
        check_leakage(plan)


def test_too_short_a_history_is_said_plainly():
    current = dt.date(2026, 6, 30)
    with pytest.raises(NotEnoughHistory, match="no snapshot has a known label yet"):
        plan_split(summary(month_ends_before(current, 2), current, 90), 90, ChurnParams())
    with pytest.raises(NotEnoughHistory, match="must cover two horizons"):
        plan_split(summary(month_ends_before(current, 4), current, 90), 90, ChurnParams())


# ------------------------------------------------------------------------------------------------ churn, fast

FEATURE_TYPES = {
    "customer_id": "varchar", "as_of_date": "date", "country": "varchar", "is_current": "boolean",
    "recency_days": "bigint", "frequency": "bigint", "monetary": "decimal(18, 4)", "tenure_days": "bigint",
    "average_order_value": "double", "mean_days_between_orders": "double", "returns_share": "double",
    "recent_orders": "bigint", "recent_revenue": "decimal(18, 4)", "is_churned_by_rule": "boolean",
    "horizon_days": "integer", "is_churned_in_horizon": "boolean",
}  # fmt: skip


def synthetic_features(
    customers: int = 400, months: int = 18, horizon: int = 90, seed: int = 3, flip_at_eval: bool = False
) -> pd.DataFrame:
    """Rows of fct_shop__customer_features for the `months` month ends before 2026-06-30 and that date. Each
    customer has a latent risk z; at each snapshot its recency grows and its order rate falls with z (with
    noise), and it churns with probability sigmoid(2.5 z): churners planted with a signal the features carry,
    partly but not only through recency (the rule's view). With `flip_at_eval`, the evaluation snapshot's
    outcomes follow −z: the past misleads, and a model fitted on it ranks churners last."""
    rng = np.random.default_rng(seed)
    current = dt.date(2026, 6, 30)
    snapshots = [*month_ends_before(current, months), current]
    labelled = [d for d in snapshots if d + dt.timedelta(days=horizon) <= current]
    eval_date = max(labelled)
    rows = []
    for c in range(customers):
        z = rng.normal()
        for d in snapshots:
            frequency = int(max(1, rng.poisson(np.exp(1.6 - 0.8 * z))))
            recency = int(np.exp(3.4 + 0.9 * z + rng.normal(0, 0.6)))
            tenure = recency + int(rng.integers(0, 300))
            churned = rng.random() < 1 / (1 + np.exp(-2.5 * (-z if flip_at_eval and d == eval_date else z)))
            monetary = round(frequency * float(rng.lognormal(4, 0.4)), 2)
            rows.append(
                {
                    "customer_id": f"C{c:05d}",
                    "as_of_date": d,
                    "country": "France" if c % 3 else "Suisse",
                    "is_current": d == current,
                    "recency_days": recency,
                    "frequency": frequency,
                    "monetary": monetary,
                    "tenure_days": tenure,
                    "average_order_value": monetary / frequency,
                    "mean_days_between_orders": (tenure - recency) / (frequency - 1) if frequency > 1 else None,
                    "returns_share": 0.0,
                    "recent_orders": int(recency < 90),
                    "recent_revenue": monetary / frequency if recency < 90 else 0.0,
                    "is_churned_by_rule": recency >= 90,
                    "horizon_days": horizon,
                    "is_churned_in_horizon": bool(churned) if d in labelled else None,
                }
            )
    return pd.DataFrame(rows)


def write_features(path: Path, frame: pd.DataFrame) -> None:
    """The frame as the mart fct_shop__customer_features of a DuckDB warehouse, with the mart's column types,
    published as a build publishes it (the model reads the readers' copy, serving/warehouse.py)."""
    from serving.publish import publish_build

    with duckdb.connect(str(path)) as con:
        con.register("frame", frame)
        casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in FEATURE_TYPES.items())
        con.execute(f"create or replace table main.fct_shop__customer_features as select {casts} from frame")
    publish_build()


def run_model_assets(instance=None):
    """shop/customer_model and shop/customer_scores through Dagster, without dbt (the features are a table)."""
    from orchestration.domains.shop_ml import customer_model, customer_scores

    return materialize(
        [customer_model, customer_scores], resources=build_resources(), raise_on_error=False, instance=instance
    )


def lake_of(root: Path) -> LocalLake:
    return LocalLake(root / "lake")


def test_planted_churners_are_found_published_and_scored_through_dagster(project_env):
    write_features(project_env / "warehouse.duckdb", synthetic_features())
    with DagsterInstance.ephemeral() as instance:
        result = run_model_assets(instance)
        assert result.success
        [check] = result.get_asset_check_evaluations()
        assert check.passed and check.check_name == "beats_rule_and_baseline"
        meta = result.asset_materializations_for_node("customer_model")[0].metadata
    version = meta["version"].value
    assert meta["model_roc_auc"].value > 0.8 > meta["rule_roc_auc"].value  # the signal is found, beyond recency
    assert meta["published"].value is True
    lake = lake_of(project_env)
    assert store.published_version(lake, "shop", "customer_model") == version
    # the artefact, its metadata and the metric tables are in the lake under the version
    for file in store.ARTEFACT_FILES:
        assert lake.exists(f"models/shop/customer_model/{version}/{file}")
    metrics = store.read_parquet(lake, f"ml/shop/churn_metrics/{version}.parquet")
    assert sorted(metrics.scorer) == ["baseline", "model", "rule"] and metrics.is_published.all()
    by = metrics.set_index("scorer")
    assert by.loc["model", "roc_auc"] == pytest.approx(meta["model_roc_auc"].value)
    assert by.loc["baseline", "roc_auc"] == 0.5  # a constant ranks no one above anyone
    assert by.loc["model", "brier_score"] < by.loc["baseline", "brier_score"]
    assert by.loc["model", "eval_as_of_date"] == dt.date(2026, 3, 31)  # the latest snapshot with a known outcome
    assert by.loc["model", "train_to_date"] + dt.timedelta(days=90) <= by.loc["model", "eval_as_of_date"]
    # the scores: every customer of the current snapshot, with a segment and a probability, by that version
    scores = store.read_parquet(lake, "ml/shop/customer_scores/scores.parquet")
    assert len(scores) == 400 and set(scores.model_version) == {version}
    assert scores.as_of_date.unique().tolist() == [dt.date(2026, 6, 30)]
    assert scores.churn_probability.between(0, 1).all() and scores.segment.notna().all()


def test_a_model_worse_than_the_baseline_fails_its_check_and_is_not_published(project_env):
    lake = lake_of(project_env)
    # first a good version, published and scoring
    write_features(project_env / "warehouse.duckdb", synthetic_features())
    assert run_model_assets().success
    good = store.published_version(lake, "shop", "customer_model")
    scores_before = lake.get("ml/shop/customer_scores/scores.parquet")
    # then the past misleads: on the evaluation window the outcomes follow the opposite of what it learnt
    write_features(project_env / "warehouse.duckdb", synthetic_features(flip_at_eval=True))
    result = run_model_assets()
    assert not result.success  # the blocking check fails the run
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and "model ROC AUC 0." in check.description
    bad = check.metadata["version"].value
    assert bad != good
    metrics = store.read_parquet(lake, f"ml/shop/churn_metrics/{bad}.parquet").set_index("scorer")
    assert metrics.loc["model", "roc_auc"] < 0.5 and not metrics.is_published.any()  # written, for people to see
    # not published, and nothing scored with it: the scores are still the good version's
    assert store.published_version(lake, "shop", "customer_model") == good
    assert lake.get("ml/shop/customer_scores/scores.parquet") == scores_before
    written = {event.asset_key for event in result.get_asset_materialization_events()}
    assert AssetKey(["shop", "customer_scores"]) not in written


def test_too_little_history_warns_and_skips_the_scores(project_env):
    # five month ends: the latest labelled one is 2026-03-31, and no earlier one ends its 90 days by then
    write_features(project_env / "warehouse.duckdb", synthetic_features(months=5))
    result = run_model_assets()
    assert result.success  # a warning, not a failure: the shop's other marts are not held back
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity.value == "WARN"
    assert check.description.startswith("not trained: no snapshot ends its 90-day horizon")
    assert not result.get_asset_materialization_events()
    assert lake_of(project_env).list("") == []  # nothing written


def test_scoring_without_a_published_model_is_skipped(project_env):
    from orchestration.domains.shop_ml import customer_scores

    write_features(project_env / "warehouse.duckdb", synthetic_features(customers=100, months=5))
    result = materialize([customer_scores], resources=build_resources(), raise_on_error=False)
    assert result.success and not result.get_asset_materialization_events()
    assert lake_of(project_env).list("") == []


def test_a_version_is_reproducible_from_its_artefact(project_env):
    write_features(project_env / "warehouse.duckdb", synthetic_features())
    warehouse, lake = DuckDBWarehouse(project_env / "warehouse.duckdb"), lake_of(project_env)
    first = shop_model.train(warehouse, lake, now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    # the same rows and parameters: the same version (its files rewritten in place, no second copy)
    again = shop_model.train(warehouse, lake, now=dt.datetime(2026, 7, 2, tzinfo=dt.UTC))
    assert again.version == first.version and store.versions(lake, "shop", "customer_model") == [first.version]
    report = shop_model.reproduce(lake, first.version)
    assert report["same_version"] and report["same_metrics"] and report["max_probability_difference"] == 0.0
    # another parameter, another version
    params = shop_model.ShopModelParams(churn=ChurnParams(regularization=0.1))
    assert shop_model.train(warehouse, lake, params).version != first.version
    # an artefact saved by another scikit-learn is refused with a message that says what to do
    key = f"models/shop/customer_model/{first.version}/metadata.json"
    meta = json.loads(lake.get(key))
    meta["code_versions"]["scikit-learn"] = "0.0.1"
    lake.replace(key, json.dumps(meta).encode())
    with pytest.raises(store.ArtefactError, match=r"saved with scikit-learn 0\.0\.1.*train it again"):
        store.load_artefact(lake, "shop", "customer_model", first.version)


def test_the_parquet_tables_match_their_dbt_sources():
    """What ml/shop.py writes is what the sources declare (names, order, types), so the relation dbt builds over
    the files is the one the marts expect on both engines."""
    manifest = json.loads((dbt_target_dir() / "manifest.json").read_text())
    arrow_to_sql = {"string": "varchar", "date32[day]": "date", "int64": "bigint", "double": "double",
                    "bool": "boolean", "timestamp[ms]": "timestamp"}  # fmt: skip
    for table, schema in shop_model.TABLES.items():
        source = manifest["sources"][f"source.tributary.shop_ml.{table}"]
        declared = [(c["name"], c["data_type"]) for c in source["columns"].values() if c["name"] != "_source_file"]
        assert declared == [(field.name, arrow_to_sql[str(field.type)]) for field in schema], table
        assert source["meta"]["lake"]["path"] == f"ml/shop/{table}"
        assert source["meta"]["lake"]["format"] == "parquet"


def test_jobs_and_schedule():
    from orchestration.definitions import defs

    shop_keys = defs.resolve_job_def("shop_job").asset_layer.executable_asset_keys
    ml_keys = defs.resolve_job_def("shop_ml_job").asset_layer.executable_asset_keys
    # every shop build scores with the published model, without retraining it
    assert {AssetKey(["shop", "customer_scores"]), AssetKey("fct_shop__customer_scores")} <= shop_keys
    assert AssetKey(["shop", "customer_model"]) not in shop_keys
    # retraining: the model, its tables, the scores and the marts after them, not the shop's landing
    assert {AssetKey(["shop", "customer_model"]), AssetKey(["shop", "churn_metrics"]),
            AssetKey(["shop", "customer_scores"]), AssetKey("fct_shop__churn_model_metrics")} <= ml_keys  # fmt: skip
    assert AssetKey(["shop", "raw_orders"]) not in ml_keys
    schedule = defs.resolve_schedule_def("shop_ml_weekly")
    assert schedule.cron_schedule == "30 5 * * 1" and schedule.job_name == "shop_ml_job"
    graph = defs.resolve_asset_graph()
    assert AssetKey("fct_shop__customer_features") in graph.get(AssetKey(["shop", "customer_model"])).parent_keys
    [check] = [c for c in graph.asset_check_keys if c.asset_key == AssetKey(["shop", "customer_model"])]
    assert check.name == "beats_rule_and_baseline" and graph.get_check_spec(check).blocking


# ------------------------------------------------------------------------------------------------ end to end


def test_the_planted_generator_is_deterministic_and_plants_what_it_says(tmp_path):
    end = dt.date(2026, 6, 30)
    first = generate(tmp_path / "a", orders=3000, end=end, behaviours=True, dirty=False)
    second = generate(tmp_path / "b", orders=3000, end=end, behaviours=True, dirty=False)
    assert first.orders_path.read_bytes() == second.orders_path.read_bytes()
    assert first.behaviours == second.behaviours
    orders = pd.read_csv(first.orders_path, dtype=str)
    assert len(orders) == 3000 and first.orders_dirty == 0
    orders["day"] = [
        dt.datetime.strptime(text, "%d/%m/%Y").date() if "/" in text else dt.date.fromisoformat(text[:10])
        for text in orders.date_achat
    ]
    clients = pd.read_csv(first.clients_path, dtype=str)
    assert set(clients.id_client) == set(first.behaviours) == set(orders.id_client)
    per_client = orders.groupby("id_client").agg(orders=("id_achat", "size"), last=("day", "max"))
    per_client["behaviour"] = per_client.index.map(first.behaviours)
    # lapsed customers stopped at least 180 days before the end; one-off buyers bought once, in the last 40 %
    lapsed = per_client[per_client.behaviour == "lapsed"]
    assert (lapsed["last"] <= end - dt.timedelta(days=180)).all()
    last_client = clients.id_client.iloc[-1]  # its orders may be cut at the 3,000th
    one_off = per_client[(per_client.behaviour == "one_off") & (per_client.index != last_client)]
    assert (one_off.orders == 1).all() and (one_off["last"] >= end - dt.timedelta(days=int(730 * 0.4) + 1)).all()
    mean_orders = per_client.groupby("behaviour").orders.mean()
    assert mean_orders["champion"] > mean_orders["regular"] > mean_orders["one_off"] == 1
    shares = per_client.behaviour.value_counts(normalize=True)
    assert shares["lapsed"] == pytest.approx(0.35, abs=0.07) and shares["champion"] == pytest.approx(0.10, abs=0.05)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The generated sample with planted behaviours (4,000 orders), every shop asset materialized through Dagster
    (landing, dbt, training, scoring, dbt again) into a warehouse of its own."""
    root = tmp_path_factory.mktemp("planted")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_TARGET", "test")
        mp.setenv("TRIBUTARY_DATA_DIR", str(root / "data"))
        mp.setenv("LAKE_URL", f"file://{root / 'lake'}")
        mp.setenv("DUCKDB_PATH", str(root / "warehouse.duckdb"))
        for name in ("SHOP_CLIENTS_PATH", "SHOP_ORDERS_PATH", "SHOP_ONLINE_RETAIL_PATH"):
            mp.delenv(name, raising=False)
        sample = generate(root / "data" / "samples" / "shop", orders=4000, end=dt.date(2026, 6, 30), behaviours=True)
        result = materialize_assets(selection=AssetSelection.groups("shop"))
        assert result.success
    return root, sample, result


def test_scores_land_in_the_warehouse_through_dagster(planted):
    root, _, result = planted
    db = root / "warehouse.duckdb"
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "beats_rule_and_baseline"]
    assert check.passed
    version = store.published_version(lake_of(root), "shop", "customer_model")
    # one score per customer of the current snapshot, by the published version, as of the shop's as-of date
    [(customers, as_of)] = query(db, "select count(*), max(as_of_date) from main.fct_shop__customer_features"
                                     " where is_current")  # fmt: skip
    assert query(db, "select count(*), min(model_version), max(model_version), max(as_of_date)"
                     " from main.fct_shop__customer_scores") == [(customers, version, version, as_of)]  # fmt: skip
    assert as_of == query(db, "select max(as_of_date) from main.fct_shop__customer_rfm")[0][0]
    # the marts agree with each other: segments sum to the scores, at risk = probability >= threshold
    [(segment_total, at_risk)] = query(db, "select sum(customers), sum(customers_at_risk)"
                                           " from main.fct_shop__customer_segments")  # fmt: skip
    assert segment_total == customers
    assert at_risk == query(db, "select count(*) from main.fct_shop__customer_scores"
                                " where churn_probability >= churn_threshold")[0][0]  # fmt: skip
    flags = query(db, "select scorer, is_current, is_published from main.fct_shop__churn_model_metrics order by 1")
    assert flags == [("baseline", True, True), ("model", True, True), ("rule", True, True)]
    assert query(db, "select count(*) from main.fct_shop__segment_selection where is_chosen") == [(1,)]
    assert (
        query(db, "select sum(customers) from main.fct_shop__churn_model_calibration")[0][0]
        == query(db, "select eval_customers from main.fct_shop__churn_model_metrics where scorer = 'model'")[0][0]
    )


def test_features_never_use_an_order_after_their_snapshot(planted):
    """Recomputed from the generated files with only the orders up to each snapshot date: the mart's features are
    the same, so no later order leaks into them; the label is the orders of the horizon after it."""
    root, sample, _ = planted
    db = root / "warehouse.duckdb"
    orders = pd.read_csv(sample.orders_path, dtype=str, keep_default_na=False)
    orders = orders[orders.id_achat.str.fullmatch(r"A\d{7}") & (orders.id_achat != "A9999999")]
    orders = orders.drop_duplicates("id_achat")
    orders["day"] = [
        dt.datetime.strptime(text, "%d/%m/%Y").date() if "/" in text else dt.date.fromisoformat(text[:10])
        for text in orders.date_achat
    ]
    orders["amount"] = orders.montant.astype(float)
    for snapshot in (dt.date(2025, 6, 30), dt.date(2026, 3, 31)):
        past = orders[orders.day <= snapshot].groupby("id_client")
        expected = pd.DataFrame(
            {
                "recency_days": [(snapshot - day).days for day in past.day.max()],
                "frequency": past.size(),
                "monetary": past.amount.sum().round(2),
            }
        )
        future = orders[(orders.day > snapshot) & (orders.day <= snapshot + dt.timedelta(days=90))]
        expected["churned"] = ~expected.index.isin(future.id_client)
        actual = pd.DataFrame(
            query(
                db,
                "select customer_id, recency_days, frequency, round(cast(monetary as double), 2),"
                " is_churned_in_horizon"
                f" from main.fct_shop__customer_features where as_of_date = date '{snapshot}'",
            ),  # fmt: skip
            columns=["id_client", "recency_days", "frequency", "monetary", "churned"],
        ).set_index("id_client")
        assert len(actual) > 200
        pd.testing.assert_frame_equal(actual.sort_index(), expected.sort_index(), check_dtype=False,
                                      check_names=False)  # fmt: skip


def test_planted_behaviours_are_recovered_and_churners_found(planted):
    root, sample, _ = planted
    db = root / "warehouse.duckdb"
    rows = query(db, "select customer_id, segment from main.fct_shop__customer_scores")
    truth = [sample.behaviours[customer] for customer, _ in rows]
    assert adjusted_rand_score(truth, [segment for _, segment in rows]) > 0.8
    by_behaviour = pd.DataFrame({"behaviour": truth, "segment": [s for _, s in rows]})
    top = by_behaviour.groupby("behaviour").segment.agg(lambda s: s.mode()[0])
    assert top["champion"] == "Champions"
    [(model_auc, rule_auc, model_brier, baseline_brier)] = query(
        db,
        "select max(case when scorer = 'model' then roc_auc end), max(case when scorer = 'rule' then roc_auc end),"
        " max(case when scorer = 'model' then brier_score end), max(case when scorer = 'baseline' then brier_score"
        " end) from main.fct_shop__churn_model_metrics",
    )
    assert model_auc > 0.85 and model_auc > rule_auc and model_brier < baseline_brier
    # the planted churners (lapsed and one-off buyers) are the ones the model calls at risk
    risk = dict(query(db, "select customer_id, churn_probability from main.fct_shop__customer_scores"))
    churners = [risk[c] for c, b in sample.behaviours.items() if c in risk and b in ("lapsed", "one_off")]
    stayers = [risk[c] for c, b in sample.behaviours.items() if c in risk and b in ("champion", "regular")]
    assert np.mean(churners) > 0.7 > 0.3 > np.mean(stayers)


# ------------------------------------------------------------------------------------------------ real data


@pytest.mark.real_data
def test_online_retail_sample(project_env, monkeypatch):
    """On the real sample (30,000 invoice lines, 2010-12-01 … 2011-12-09): the model is trained on month ends up
    to 2011-05-31 and judged on the customers of 2011-08-31 (the latest month end whose 90 days are observed); it
    must beat the rule and the baseline there. The figures are in docs/shop-ml.md."""
    path = shared_file("online_retail", "online_retail_sample30k.csv")
    monkeypatch.setenv("SHOP_ONLINE_RETAIL_PATH", str(path))
    db = project_env / "warehouse.duckdb"
    assert materialize_assets(selection=AssetSelection.groups("shop")).success
    metrics = {
        scorer: (auc, brier, train_to, eval_date)
        for scorer, auc, brier, train_to, eval_date in query(
            db,
            "select scorer, roc_auc, brier_score, train_to_date, eval_as_of_date"
            " from main.fct_shop__churn_model_metrics",  # fmt: skip
        )
    }
    model, rule, baseline = metrics["model"], metrics["rule"], metrics["baseline"]
    assert model[3] == dt.date(2011, 8, 31) and model[2] == dt.date(2011, 5, 31)
    assert model[0] > rule[0] > 0.5 and model[1] < min(rule[1], baseline[1])
    assert 0.65 < model[0] < 0.85  # a real signal, not a leak (a leak would read near 1)
    # the features of the current snapshot are the RFM mart's figures
    assert query(db, "select count(*) from main.fct_shop__customer_features f join main.fct_shop__customer_rfm r"
                     " on f.customer_id = r.customer_id and f.is_current where f.recency_days = r.recency_days"
                     " and f.frequency = r.frequency and f.monetary = r.monetary") == query(
        db, "select count(*) from main.fct_shop__customer_rfm")  # fmt: skip
    segments = query(db, "select segment, customers from main.fct_shop__customer_segments order by segment_id")
    assert 3 <= len(segments) <= 8 and sum(n for _, n in segments) == query(
        db, "select count(*) from main.fct_shop__customer_rfm")[0][0]  # fmt: skip
