"""The shop's customer model: segments and churn, trained from `fct_shop__customer_features`, evaluated on a time
split, saved in the lake under a version, published when it beats the rule and the baseline, and scoring the
current snapshot. docs/shop-ml.md describes the method; `python -m ml` runs it from a shell.

- `train(warehouse, lake)`: read the snapshots the split needs, fit and evaluate, write the artefact
  (`models/shop/customer_model/<version>/`) and the metric tables (`ml/shop/{churn_metrics,churn_calibration,
  segment_selection}/<version>.parquet`), and publish the version when the model earns it.
- `score(warehouse, lake)`: the published version scores the current snapshot into
  `ml/shop/customer_scores/scores.parquet` (replaced at each scoring).
- `reproduce(lake, version)`: fit again from the rows and parameters saved with a version, and compare.

The SQL is plain selects over the mart with `?` parameters: DuckDB and Athena alike (serving/warehouse.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ingestion.lake import Lake
from ml import store
from ml.churn import (
    FEATURES,
    LABEL,
    RULE,
    ChurnModel,
    ChurnParams,
    Evaluation,
    NotEnoughHistory,
    SplitPlan,
    evaluate,
    fit_churn,
    plan_split,
)
from ml.segmentation import RFM, Segmentation, SegmentationParams, fit_segments
from serving.warehouse import Warehouse

DOMAIN = "shop"
MODEL = "customer_model"
FEATURES_MART = "fct_shop__customer_features"
COLUMNS = ("customer_id", "as_of_date", "is_current", *FEATURES, "country", RULE, LABEL)  # FEATURES ⊇ RFM

TABLES = {  # the Parquet tables dbt reads (source shop_ml, models/staging/shop/_shop_ml__sources.yml)
    "customer_scores": pa.schema(
        [
            ("customer_id", pa.string()),
            ("as_of_date", pa.date32()),
            ("model_version", pa.string()),
            ("segment_id", pa.int64()),
            ("segment", pa.string()),
            ("churn_probability", pa.float64()),
            ("churn_threshold", pa.float64()),
            ("scored_at", pa.timestamp("ms")),
        ]
    ),
    "churn_metrics": pa.schema(
        [
            ("model_version", pa.string()),
            ("trained_at", pa.timestamp("ms")),
            ("scorer", pa.string()),
            ("train_from_date", pa.date32()),
            ("train_to_date", pa.date32()),
            ("eval_as_of_date", pa.date32()),
            ("horizon_days", pa.int64()),
            ("eval_customers", pa.int64()),
            ("eval_churners", pa.int64()),
            ("predicted_churners", pa.int64()),
            ("roc_auc", pa.float64()),
            ("threshold", pa.float64()),
            ("precision_at_threshold", pa.float64()),
            ("recall_at_threshold", pa.float64()),
            ("brier_score", pa.float64()),
            ("is_published", pa.bool_()),
        ]
    ),
    "churn_calibration": pa.schema(
        [
            ("model_version", pa.string()),
            ("probability_bin", pa.int64()),
            ("bin_lower", pa.float64()),
            ("bin_upper", pa.float64()),
            ("customers", pa.int64()),
            ("mean_predicted", pa.float64()),
            ("observed_rate", pa.float64()),
        ]
    ),
    "segment_selection": pa.schema(
        [
            ("model_version", pa.string()),
            ("k", pa.int64()),
            ("silhouette", pa.float64()),
            ("inertia", pa.float64()),
            ("is_chosen", pa.bool_()),
        ]
    ),
}
SCORES_FILE = "scores"


def table_key(table: str, file: str) -> str:
    return f"ml/{DOMAIN}/{table}/{file}.parquet"


@dataclass(frozen=True)
class ShopModelParams:
    segmentation: SegmentationParams = field(default_factory=SegmentationParams)
    churn: ChurnParams = field(default_factory=ChurnParams)

    def as_dict(self) -> dict:
        return {"segmentation": dataclasses.asdict(self.segmentation), "churn": dataclasses.asdict(self.churn)}

    @classmethod
    def from_dict(cls, values: dict) -> ShopModelParams:
        return cls(SegmentationParams(**values["segmentation"]), ChurnParams(**values["churn"]))


# ------------------------------------------------------------------------------------------------ reading


def snapshot_summary(warehouse: Warehouse) -> pd.DataFrame:
    """One row per snapshot date of the features: is_current, customers, labelled rows, horizon_days."""
    names, rows = warehouse.fetch(
        "select as_of_date, max(case when is_current then 1 else 0 end) as is_current, count(*) as customers,"
        " count(is_churned_in_horizon) as labelled, max(horizon_days) as horizon_days"
        f" from {warehouse.relation(FEATURES_MART)} group by as_of_date order by as_of_date"
    )
    return pd.DataFrame.from_records(rows, columns=names)


def load_features(warehouse: Warehouse, dates: Sequence[dt.date]) -> pd.DataFrame:
    """The feature rows of `dates`, ordered by date and customer, in the types the models read."""
    if not dates:
        return canonical(pd.DataFrame(columns=list(COLUMNS)))
    placeholders = ", ".join("cast(? as date)" for _ in dates)
    names, rows = warehouse.fetch(
        f"select {', '.join(COLUMNS)} from {warehouse.relation(FEATURES_MART)}"
        f" where as_of_date in ({placeholders}) order by as_of_date, customer_id",
        [d.isoformat() for d in dates],
    )
    return canonical(pd.DataFrame.from_records(rows, columns=names))


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Fixed columns and types (text, dates as datetime.date, numbers as float, flags as bool, the label as 1.0,
    0.0 or NaN), whatever engine or file the rows came from: the same rows always hash the same."""
    out = pd.DataFrame(index=range(len(frame)))
    values = frame.reset_index(drop=True)
    out["customer_id"] = values["customer_id"].astype(str)
    out["as_of_date"] = [d if isinstance(d, dt.date) else pd.Timestamp(d).date() for d in values["as_of_date"]]
    out["is_current"] = values["is_current"].astype(bool)
    for column in FEATURES:
        out[column] = pd.to_numeric(values[column].astype(object), errors="raise").astype(float)
    out["country"] = values["country"].astype(object).where(values["country"].notna(), None)
    out[RULE] = values[RULE].astype(bool)
    out[LABEL] = [np.nan if pd.isna(v) else float(bool(v)) for v in values[LABEL]]
    return out


def digest(frame: pd.DataFrame, plan: SplitPlan, params: ShopModelParams) -> str:
    """The content digest that names a version: its rows, split and parameters."""
    hashed = frame.assign(as_of_date=frame.as_of_date.astype(str))
    h = hashlib.sha256(pd.util.hash_pandas_object(hashed, index=False).to_numpy().tobytes())
    h.update(json.dumps({"plan": dataclasses.asdict(plan), "params": params.as_dict()}, default=str).encode())
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------ training


@dataclass
class Trained:
    """The outcome of fitting on a frame: nothing is written yet."""

    version: str
    plan: SplitPlan
    params: ShopModelParams
    segmentation: Segmentation
    evaluated: ChurnModel
    evaluation: Evaluation
    churn: ChurnModel  # the published candidate, fitted on plan.deploy_dates

    @property
    def beats_baselines(self) -> bool:
        return self.evaluation.beats_baselines

    def estimators(self) -> dict:
        return {"segmentation": self.segmentation, "churn_evaluated": self.evaluated, "churn": self.churn}


def train_from_frame(frame: pd.DataFrame, plan: SplitPlan, params: ShopModelParams) -> Trained:
    """Fit the segmentation (current snapshot), the evaluated churn model and the published one. Pure: the same
    frame, plan and parameters give the same models and metrics."""
    current = frame[frame.as_of_date == plan.current_date]
    minimum = max(params.segmentation.k_max * 10, 50)
    if len(current) < minimum:
        raise NotEnoughHistory(f"the current snapshot {plan.current_date} has {len(current)} customers; segments "
                               f"need at least {minimum}")  # fmt: skip
    evaluated, evaluation = evaluate(frame, plan, params.churn)
    churn = fit_churn(frame[frame.as_of_date.isin(plan.deploy_dates)], params.churn)
    segmentation = fit_segments(current, params.segmentation)
    version = f"{plan.current_date:%Y%m%d}-{digest(frame, plan, params)[:10]}"
    return Trained(version, plan, params, segmentation, evaluated, evaluation, churn)


@dataclass(frozen=True)
class TrainingResult:
    version: str
    published: bool
    verdict: str
    keys: list[str]
    metadata: dict


def _metric_tables(trained: Trained, trained_at: dt.datetime) -> dict[str, pd.DataFrame]:
    plan, version = trained.plan, trained.version
    metrics = pd.DataFrame(
        [
            {
                "model_version": version,
                "trained_at": trained_at,
                "scorer": scorer,
                "train_from_date": min(plan.train_dates),
                "train_to_date": max(plan.train_dates),
                "eval_as_of_date": plan.eval_date,
                "horizon_days": plan.horizon_days,
                "eval_customers": m.customers,
                "eval_churners": m.churners,
                "predicted_churners": m.predicted_churners,
                "roc_auc": m.roc_auc,
                "threshold": m.threshold,
                "precision_at_threshold": m.precision,
                "recall_at_threshold": m.recall,
                "brier_score": m.brier_score,
                "is_published": trained.beats_baselines,
            }
            for scorer, m in trained.evaluation.metrics.items()
        ]
    )
    calibration = trained.evaluation.calibration.assign(model_version=version)
    selection = trained.segmentation.selection.assign(model_version=version)
    return {"churn_metrics": metrics, "churn_calibration": calibration, "segment_selection": selection}


def metadata(trained: Trained, trained_at: dt.datetime, frame: pd.DataFrame) -> dict:
    plan = trained.plan
    return {
        "domain": DOMAIN,
        "model": MODEL,
        "version": trained.version,
        "trained_at": trained_at.isoformat(),
        "params": trained.params.as_dict(),
        "features": {"churn": list(FEATURES), "segmentation": list(RFM), "label": LABEL, "rule": RULE},
        "split": {
            "horizon_days": plan.horizon_days,
            "current_date": plan.current_date.isoformat(),
            "eval_date": plan.eval_date.isoformat(),
            "train_dates": [d.isoformat() for d in plan.train_dates],
            "deploy_dates": [d.isoformat() for d in plan.deploy_dates],
        },
        "rows": {
            "frame": len(frame),
            "train": trained.evaluated.train_rows,
            "eval": trained.evaluation.metrics["model"].customers,
            "deploy": trained.churn.train_rows,
            "current": int((frame.as_of_date == plan.current_date).sum()),
        },
        "metrics": {scorer: m.as_dict() for scorer, m in trained.evaluation.metrics.items()},
        "coefficients": trained.churn.coefficients(),
        "calibration": trained.evaluation.calibration.to_dict(orient="records"),
        "beats_baselines": trained.beats_baselines,
        "verdict": trained.evaluation.verdict(),
        "segments": [dataclasses.asdict(s) for s in trained.segmentation.segments],
        "segment_selection": trained.segmentation.selection.to_dict(orient="records"),
        "code_versions": store.code_versions(),
    }


def train(
    warehouse: Warehouse, lake: Lake, params: ShopModelParams | None = None, now: dt.datetime | None = None
) -> TrainingResult:
    """Train, evaluate and save a version; publish it when the model beats the rule and the baseline.
    Raises NotEnoughHistory when the features cannot train or judge a model (nothing is written then)."""
    params = params or ShopModelParams()
    trained_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    summary = snapshot_summary(warehouse)
    horizon = int(summary.horizon_days.max()) if not summary.empty else 0
    plan = plan_split(summary, horizon, params.churn)
    frame = load_features(warehouse, plan.dates)
    trained = train_from_frame(frame, plan, params)
    meta = metadata(trained, trained_at, frame)
    keys = store.save_artefact(lake, DOMAIN, MODEL, trained.version, trained.estimators(), meta, frame)
    for table, rows in _metric_tables(trained, trained_at).items():
        keys.append(store.write_table(lake, table_key(table, trained.version), rows, TABLES[table]))
    if trained.beats_baselines:
        keys.append(store.publish(lake, DOMAIN, MODEL, trained.version, trained_at.isoformat()))
    return TrainingResult(trained.version, trained.beats_baselines, trained.evaluation.verdict(), keys, meta)


def reproduce(lake: Lake, version: str) -> dict:
    """Fit again from the rows, split and parameters saved with `version`, and compare with what it saved: the same
    version name, the same metrics, the same probabilities on the current snapshot."""
    artefact = store.load_artefact(lake, DOMAIN, MODEL, version)
    meta = artefact.metadata
    split = meta["split"]
    plan = SplitPlan(
        horizon_days=split["horizon_days"],
        current_date=dt.date.fromisoformat(split["current_date"]),
        eval_date=dt.date.fromisoformat(split["eval_date"]),
        train_dates=tuple(dt.date.fromisoformat(d) for d in split["train_dates"]),
        deploy_dates=tuple(dt.date.fromisoformat(d) for d in split["deploy_dates"]),
    )
    frame = canonical(artefact.training_frame)
    again = train_from_frame(frame, plan, ShopModelParams.from_dict(meta["params"]))
    current = frame[frame.as_of_date == plan.current_date]
    saved = artefact.estimators["churn"].predict(current)
    metrics = {scorer: m.as_dict() for scorer, m in again.evaluation.metrics.items()}
    return {
        "version": version,
        "same_version": again.version == version,
        "same_metrics": metrics == meta["metrics"],
        "max_probability_difference": float(np.max(np.abs(again.churn.predict(current) - saved), initial=0.0)),
        "metrics": metrics,
    }


# ------------------------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class ScoringResult:
    version: str
    as_of_date: dt.date
    customers: int
    at_risk: int
    segments: dict[str, int]
    key: str


def score(warehouse: Warehouse, lake: Lake, now: dt.datetime | None = None) -> ScoringResult | None:
    """Score the current snapshot with the published version; None when no version was ever published."""
    version = store.published_version(lake, DOMAIN, MODEL)
    if version is None:
        return None
    artefact = store.load_artefact(lake, DOMAIN, MODEL, version)
    summary = snapshot_summary(warehouse)
    current = summary.loc[summary.is_current == 1, "as_of_date"]
    if current.empty:
        raise NotEnoughHistory(f"{FEATURES_MART} has no current snapshot to score")
    frame = load_features(warehouse, [max(current)])
    segmentation: Segmentation = artefact.estimators["segmentation"]
    churn: ChurnModel = artefact.estimators["churn"]
    threshold = float(artefact.metadata["params"]["churn"]["threshold"])
    scored_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    scores = pd.concat([frame[["customer_id", "as_of_date"]], segmentation.assign(frame)], axis=1).assign(
        model_version=version,
        churn_probability=churn.predict(frame),
        churn_threshold=threshold,
        scored_at=scored_at,
    )
    key = store.write_table(lake, table_key("customer_scores", SCORES_FILE), scores, TABLES["customer_scores"])
    return ScoringResult(
        version=version,
        as_of_date=max(current),
        customers=len(scores),
        at_risk=int((scores.churn_probability >= threshold).sum()),
        segments={str(k): int(v) for k, v in scores.segment.value_counts().sort_index().items()},
        key=key,
    )
