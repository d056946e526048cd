"""The shop's customer model in Dagster (ml/, docs/shop-ml.md): thin assets over `ml.shop`.

    fct_shop__customer_features (dbt) → shop/customer_model (+ its metric tables) → shop/customer_scores
        → stg_shop__ml_* → fct_shop__customer_scores, fct_shop__customer_segments, fct_shop__churn_model_*,
          fct_shop__segment_selection (dbt: `shop_ml_dbt_assets`, the models after source shop_ml)

- `shop/customer_model` trains a version (segments and churn), writes its artefact and its metric tables
  (`shop/churn_metrics`, `shop/churn_calibration`, `shop/segment_selection`, the Parquet sources the metric marts
  read), and publishes it when the model beats the rule and the baseline. Its blocking check
  `beats_rule_and_baseline` fails otherwise: the run stops there, nothing downstream scores, and the published
  version stays the previous one. When the features cannot train or judge a model (too little history: see
  `ml.churn.NotEnoughHistory`), nothing is written and the check says why, as a warning, and the assets after
  it are skipped.
- `shop/customer_scores` scores the current snapshot with the published version; skipped (with a message) while
  no version is published.

Retraining is `shop_ml_job` on the weekly `shop_ml_weekly` schedule; scoring runs in `shop_job` too (after every
shop build), with the published model. Both read the warehouse, so they hold the `warehouse` pool as dbt does.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    Config,
    DefaultScheduleStatus,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
    multi_asset,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.automation import FOLLOWS_ITS_SOURCES
from orchestration.dbt import SHOP_ML_OUTPUTS, WAREHOUSE_POOL, DbtRunConfig, dbt_build, dbt_project, translator
from orchestration.partitions import SINGLE_RUN
from orchestration.resources import LakeResource, WarehouseResource

# ml/ (scikit-learn, pandas) is imported inside the assets: every process that loads the definitions (each run,
# the code server) would otherwise pay for importing it.

GROUP = "shop"
MODEL_KEY = AssetKey([GROUP, "customer_model"])
SCORES_KEY = AssetKey([GROUP, "customer_scores"])
METRIC_TABLES = ("churn_metrics", "churn_calibration", "segment_selection")
METRIC_TABLE_KEYS = {table: AssetKey([GROUP, table]) for table in METRIC_TABLES}
FEATURES_KEY = AssetKey("fct_shop__customer_features")  # ml.shop.FEATURES_MART
CHECK = "beats_rule_and_baseline"


class ShopModelConfig(Config):
    """Parameters of a training run (launchpad or `--config`); the defaults are ml.shop.ShopModelParams' (written
    here so that loading the definitions does not import scikit-learn; tests/test_orchestration.py checks them)."""

    k_min: int = 3
    k_max: int = 8
    seed: int = 42
    train_snapshots: int = 12
    threshold: float = 0.5
    min_eval_customers: int = 200

    def params(self):
        from ml import shop as shop_model
        from ml.churn import ChurnParams
        from ml.segmentation import SegmentationParams

        return shop_model.ShopModelParams(
            SegmentationParams(k_min=self.k_min, k_max=self.k_max, seed=self.seed),
            ChurnParams(
                train_snapshots=self.train_snapshots,
                threshold=self.threshold,
                min_eval_customers=self.min_eval_customers,
            ),
        )


def _metrics_metadata(meta: dict) -> dict:
    """The evaluation as asset metadata: one figure per scorer and metric, the split, the segments."""
    flat = {}
    for scorer, metrics in meta["metrics"].items():
        for name in ("roc_auc", "precision", "recall", "brier_score"):
            value = metrics[name]
            flat[f"{scorer}_{name}"] = MetadataValue.float(float(value)) if value is not None else MetadataValue.null()
    return {
        "version": meta["version"],
        "published": meta["beats_baselines"],
        "verdict": meta["verdict"],
        **flat,
        "eval_as_of_date": meta["split"]["eval_date"],
        "eval_customers": meta["rows"]["eval"],
        "train_snapshots": MetadataValue.json(meta["split"]["train_dates"]),
        "segments": MetadataValue.md(
            "| segment | customers | median recency (days) | median orders | median monetary |\n|---|---|---|---|---|\n"
            + "\n".join(
                f"| {s['name']} | {s['customers']:,} | {s['median_recency_days']:g} | {s['median_frequency']:g} | "
                f"{s['median_monetary']:,.2f} |"
                for s in meta["segments"]
            )
        ),
        "calibration": MetadataValue.json(meta["calibration"]),
    }


@multi_asset(
    specs=[
        AssetSpec(
            MODEL_KEY,
            deps=[FEATURES_KEY],
            kinds={"python", "scikitlearn"},
            skippable=True,
            description=(
                "The shop's customer model (segments and churn), trained from fct_shop__customer_features on a time "
                "split and saved in the lake under models/shop/customer_model/<version>/; published when it beats "
                "the rule and the baseline (ml/shop.py, docs/shop-ml.md)."
            ),
        ),
        *(
            AssetSpec(
                key,
                deps=[FEATURES_KEY],
                kinds={"python", "parquet"},
                skippable=True,
                description=f"The {table} of each trained version, ml/shop/{table}/<version>.parquet in the lake.",
            )
            for table, key in METRIC_TABLE_KEYS.items()
        ),
    ],
    check_specs=[
        AssetCheckSpec(
            CHECK,
            asset=MODEL_KEY,
            blocking=True,
            description=(
                "The churn model beats the existing rule (higher ROC AUC) and the baseline (lower Brier score than "
                "both) on the evaluation window; otherwise the version is not published and nothing scores with it."
            ),
        )
    ],
    group_name=GROUP,
    pool=WAREHOUSE_POOL,
    backfill_policy=SINGLE_RUN,
)
def customer_model(
    context: AssetExecutionContext, config: ShopModelConfig, lake: LakeResource, warehouse: WarehouseResource
):
    from ml import shop as shop_model
    from ml.churn import NotEnoughHistory

    try:
        result = shop_model.train(warehouse.reader(), lake.open(), config.params())
    except NotEnoughHistory as reason:
        context.log.warning(f"no model trained: {reason}")
        yield AssetCheckResult(
            asset_key=MODEL_KEY,
            check_name=CHECK,
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"not trained: {reason}",
        )
        return
    for key in result.keys:
        context.log.info(f"wrote {key}")
    context.log.info(f"version {result.version}: {result.verdict}; published: {result.published}")
    yield MaterializeResult(asset_key=MODEL_KEY, metadata=_metrics_metadata(result.metadata))
    for table, key in METRIC_TABLE_KEYS.items():
        yield MaterializeResult(
            asset_key=key, metadata={"key": shop_model.table_key(table, result.version), "version": result.version}
        )
    yield AssetCheckResult(
        asset_key=MODEL_KEY,
        check_name=CHECK,
        passed=result.published,
        description=result.verdict,
        metadata={"version": result.version},
    )


@asset(
    key=SCORES_KEY,
    deps=[MODEL_KEY, FEATURES_KEY],
    group_name=GROUP,
    kinds={"python", "parquet"},
    output_required=False,
    pool=WAREHOUSE_POOL,
    backfill_policy=SINGLE_RUN,
    automation_condition=FOLLOWS_ITS_SOURCES,
    description=(
        "The published model's scores (segment, churn probability) of every customer at the current as-of date, "
        "ml/shop/customer_scores/scores.parquet in the lake; skipped while no version is published."
    ),
)
def customer_scores(context: AssetExecutionContext, lake: LakeResource, warehouse: WarehouseResource):
    from ml import shop as shop_model

    result = shop_model.score(warehouse.reader(), lake.open())
    if result is None:
        context.log.warning(
            "no published shop model yet: nothing scored. Train one with shop_ml_job "
            "(dagster asset materialize -m orchestration.definitions --select 'shop/customer_model*')"
        )
        return
    context.log.info(f"scored {result.customers:,} customers as of {result.as_of_date} with {result.version}")
    yield MaterializeResult(
        metadata={
            "version": result.version,
            "as_of_date": str(result.as_of_date),
            "customers": result.customers,
            "at_risk": result.at_risk,
            "segments": MetadataValue.json(result.segments),
            "key": result.key,
        }
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=SHOP_ML_OUTPUTS,
    name="shop_ml_dbt_assets",
    pool=WAREHOUSE_POOL,
    backfill_policy=SINGLE_RUN,
)
def shop_ml_dbt_assets(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    lake: LakeResource,
    warehouse: WarehouseResource,
    config: DbtRunConfig,
):
    """The models after the model's outputs (staging of source shop_ml and the score and metric marts): one dbt
    build after the Python assets, the same as tributary_dbt_assets' (orchestration/dbt.py)."""
    yield from dbt_build(context, dbt, lake, warehouse, config)


shop_ml_job = define_asset_job(
    "shop_ml_job",
    selection=AssetSelection.assets(customer_model).downstream(),
    description="Retrain the shop's customer model, then score with it (if published) and rebuild the score marts.",
)

shop_ml_weekly_schedule = ScheduleDefinition(
    name="shop_ml_weekly",
    job=shop_ml_job,
    cron_schedule="30 5 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Retrain the shop's customer model on Mondays at 05:30 UTC (after shop_daily's build).",
)

assets = [customer_model, customer_scores, shop_ml_dbt_assets]
jobs = [shop_ml_job]
schedules = [shop_ml_weekly_schedule]
sensors = []
