"""The churn model, its time split, and its comparison with the existing rule and a trivial baseline.

Rows are customers at snapshot dates (`fct_shop__customer_features`): the features describe a customer from the
orders up to the snapshot date, the label says whether the customer made no sale order in the `horizon` days
after it (NULL while those days are not all observed).

The time split (`plan_split`), never a random one:
- evaluation snapshot: the latest snapshot whose labels are known;
- training snapshots of the evaluated model: the latest `train_snapshots` snapshots whose horizon ends on or
  before the evaluation snapshot (snapshot + horizon <= evaluation date), so every label the model learns from
  was known on the evaluation date: the evaluation is what the model would have scored then, on customers whose
  future it could not see;
- the published (deployed) model is then fitted the same way on the latest `train_snapshots` labelled
  snapshots, the evaluation one included, and scores the current snapshot.

Scorers compared on the evaluation window: `model` (this module's classifier), `rule` (the existing rule: no sale
order in shop_churn_days days, `is_churned_by_rule`, a score of 0 or 1) and `baseline` (every customer gets the
churn rate of the training rows). The model earns its place (`beats_baselines`) when its ROC AUC is above the
rule's (and above 0.5) and its Brier score below the rule's and the baseline's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from ml.evaluation import BinaryMetrics, binary_metrics, reliability_table

FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "average_order_value",
    "mean_days_between_orders",
    "returns_share",
    "recent_orders",
    "recent_revenue",
)
LABEL = "is_churned_in_horizon"
RULE = "is_churned_by_rule"
SCORERS = ("model", "rule", "baseline")


class NotEnoughHistory(ValueError):
    """The features cannot train or judge a model (too few labelled snapshots, customers or churners)."""


@dataclass(frozen=True)
class ChurnParams:
    train_snapshots: int = 12  # snapshots stacked to train each model (a year of month ends)
    threshold: float = 0.5  # flagged = probability >= this: more likely than not to churn
    min_eval_customers: int = 200  # fewer customers on the evaluation window cannot judge a model
    min_class_customers: int = 20  # at least this many churners and non-churners, to train and to evaluate
    regularization: float = 1.0  # C of the logistic regression: the inverse of the L2 penalty

    def __post_init__(self) -> None:
        if self.train_snapshots < 1:
            raise ValueError(f"train_snapshots={self.train_snapshots}: at least 1")
        if not 0 < self.threshold < 1:
            raise ValueError(f"threshold={self.threshold}: between 0 and 1 (exclusive)")


@dataclass(frozen=True)
class SplitPlan:
    horizon_days: int
    current_date: dt.date
    eval_date: dt.date
    train_dates: tuple[dt.date, ...]  # of the evaluated model
    deploy_dates: tuple[dt.date, ...]  # of the published model

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """Every snapshot the training reads."""
        return tuple(sorted({*self.train_dates, *self.deploy_dates, self.eval_date, self.current_date}))


def plan_split(snapshots: pd.DataFrame, horizon_days: int, params: ChurnParams) -> SplitPlan:
    """The snapshots of the time split, from one row per snapshot date: as_of_date, is_current, customers,
    labelled (rows with a known label)."""
    if snapshots.empty:
        raise NotEnoughHistory("fct_shop__customer_features is empty: no customer to learn from")
    current = snapshots.loc[snapshots.is_current.astype(bool), "as_of_date"]
    if current.empty:
        raise NotEnoughHistory("fct_shop__customer_features has no current snapshot (is_current)")
    labelled = sorted(snapshots.loc[snapshots.labelled > 0, "as_of_date"])
    if not labelled:
        raise NotEnoughHistory(
            f"no snapshot has a known label yet: the history must be longer than the {horizon_days}-day horizon "
            "plus a month"
        )
    eval_date = labelled[-1]
    horizon = dt.timedelta(days=horizon_days)
    train = [d for d in labelled if d + horizon <= eval_date][-params.train_snapshots :]
    if not train:
        raise NotEnoughHistory(
            f"no snapshot ends its {horizon_days}-day horizon by the evaluation date {eval_date}: the history must "
            f"cover two horizons (about {2 * horizon_days} days) and a month"
        )
    deploy = labelled[-params.train_snapshots :]
    return SplitPlan(horizon_days, max(current), eval_date, tuple(train), tuple(deploy))


def check_leakage(plan: SplitPlan) -> None:
    """The invariant of the split: every training label of the evaluated model was known on the evaluation date."""
    late = [d for d in plan.train_dates if d + dt.timedelta(days=plan.horizon_days) > plan.eval_date]
    if late:
        raise AssertionError(f"training snapshots {late} see past the evaluation date {plan.eval_date}")


@dataclass
class ChurnModel:
    """A fitted classifier, with the size and churn rate of its training rows (the baseline's probability)."""

    classifier: Pipeline
    train_rows: int
    train_churn_rate: float

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The probability of churn of each row."""
        return self.classifier.predict_proba(design_matrix(frame))[:, 1]

    def coefficients(self) -> dict[str, float]:
        """The logistic regression's weights per standardised input (the log features, then the indicator of a
        missing mean_days_between_orders: a customer with one order): what the model learned, readable."""
        imputer = self.classifier.named_steps["simpleimputer"]
        names = list(FEATURES) + [f"missing_{FEATURES[i]}" for i in imputer.indicator_.features_]
        weights = self.classifier.named_steps["logisticregression"].coef_[0]
        return {name: float(w) for name, w in zip(names, weights, strict=True)}


def design_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's inputs: every feature as sign(x) · log(1 + |x|) (counts, days and amounts have long tails;
    amounts can be negative after returns). NULLs stay (the imputer fills them and flags them)."""
    missing = [c for c in FEATURES if c not in frame.columns]
    if missing:
        raise ValueError(f"the churn model needs the columns {', '.join(missing)}")
    values = frame[list(FEATURES)].astype(float)
    return np.sign(values) * np.log1p(values.abs())


def labels(frame: pd.DataFrame) -> np.ndarray:
    if frame[LABEL].isna().any():
        raise ValueError(f"{int(frame[LABEL].isna().sum())} rows have no label: they cannot train or evaluate")
    return frame[LABEL].astype(bool).astype(int).to_numpy()


def _check_classes(outcome: np.ndarray, what: str, params: ChurnParams) -> None:
    churners, stayers = int(outcome.sum()), int(len(outcome) - outcome.sum())
    if min(churners, stayers) < params.min_class_customers:
        raise NotEnoughHistory(
            f"{what}: {churners} churners and {stayers} customers who stayed; each needs at least "
            f"{params.min_class_customers} (min_class_customers)"
        )


def fit_churn(frame: pd.DataFrame, params: ChurnParams) -> ChurnModel:
    """A logistic regression on the log features, standardised; a missing mean gap (one order) is filled with
    the median and flagged. Chosen over gradient-boosted trees for being as good on the real Online Retail
    sample (docs/shop-ml.md), calibrated by construction, readable, and deterministic."""
    outcome = labels(frame)
    _check_classes(outcome, f"training rows ({len(frame)})", params)
    classifier = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True),
        StandardScaler(),
        LogisticRegression(C=params.regularization, max_iter=1_000),
    )
    classifier.fit(design_matrix(frame), outcome)
    return ChurnModel(classifier, len(frame), float(outcome.mean()))


@dataclass
class Evaluation:
    plan: SplitPlan
    metrics: dict[str, BinaryMetrics]  # by scorer
    calibration: pd.DataFrame  # the model's reliability table
    eval_predictions: np.ndarray

    @property
    def beats_baselines(self) -> bool:
        model, rule, baseline = (self.metrics[s] for s in SCORERS)
        rule_auc = rule.roc_auc if rule.roc_auc is not None else 0.5
        return (
            model.roc_auc is not None
            and model.roc_auc > max(rule_auc, 0.5)
            and model.brier_score < min(rule.brier_score, baseline.brier_score)
        )

    def verdict(self) -> str:
        model, rule, baseline = (self.metrics[s] for s in SCORERS)
        return (
            f"model ROC AUC {_fmt(model.roc_auc)} vs rule {_fmt(rule.roc_auc)}; Brier {model.brier_score:.4f} vs "
            f"rule {rule.brier_score:.4f} and baseline {baseline.brier_score:.4f}"
        )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def evaluate(frame: pd.DataFrame, plan: SplitPlan, params: ChurnParams) -> tuple[ChurnModel, Evaluation]:
    """Fit on the plan's training snapshots, score the evaluation snapshot with the model, the rule and the
    baseline."""
    check_leakage(plan)
    train = frame[frame.as_of_date.isin(plan.train_dates)]
    window = frame[frame.as_of_date == plan.eval_date]
    if len(window) < params.min_eval_customers:
        raise NotEnoughHistory(
            f"the evaluation snapshot {plan.eval_date} has {len(window)} customers; at least "
            f"{params.min_eval_customers} are needed to judge a model (min_eval_customers)"
        )
    outcome = labels(window)
    _check_classes(outcome, f"the evaluation snapshot {plan.eval_date}", params)
    model = fit_churn(train, params)
    predicted = model.predict(window)
    scores = {
        "model": (predicted, params.threshold),
        "rule": (window[RULE].astype(bool).astype(float).to_numpy(), 0.5),
        "baseline": (np.full(len(window), model.train_churn_rate), params.threshold),
    }
    metrics = {name: binary_metrics(outcome, score, threshold) for name, (score, threshold) in scores.items()}
    return model, Evaluation(plan, metrics, reliability_table(outcome, predicted), predicted)
