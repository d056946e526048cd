"""How a churn scorer is judged on an evaluation window: ranking (ROC AUC), decisions at a threshold (precision,
recall), probabilities (Brier score, reliability table). Scorers are arrays of probabilities in [0, 1]; a rule
that says yes or no is the probability 1 or 0."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

RELIABILITY_BINS = 10


@dataclass(frozen=True)
class BinaryMetrics:
    customers: int
    churners: int
    predicted_churners: int
    roc_auc: float | None  # None when the window holds one class only (AUC is undefined)
    threshold: float
    precision: float | None  # None when nothing is flagged
    recall: float | None  # None when there is no churner
    brier_score: float

    def as_dict(self) -> dict:
        return asdict(self)


def binary_metrics(outcome: np.ndarray, probability: np.ndarray, threshold: float) -> BinaryMetrics:
    """The metrics of one scorer: `outcome` 1 = churned, `probability` its score; flagged = score >= threshold."""
    outcome = np.asarray(outcome, dtype=int)
    probability = np.asarray(probability, dtype=float)
    if len(outcome) == 0 or len(outcome) != len(probability):
        raise ValueError(f"binary_metrics needs as many scores as outcomes, at least one ({len(outcome)} outcomes)")
    flagged = probability >= threshold
    true_positives = int(np.sum(flagged & (outcome == 1)))
    churners = int(outcome.sum())
    both_classes = 0 < churners < len(outcome)
    return BinaryMetrics(
        customers=len(outcome),
        churners=churners,
        predicted_churners=int(flagged.sum()),
        roc_auc=float(roc_auc_score(outcome, probability)) if both_classes else None,
        threshold=float(threshold),
        precision=true_positives / int(flagged.sum()) if flagged.any() else None,
        recall=true_positives / churners if churners else None,
        brier_score=float(brier_score_loss(outcome, probability)),
    )


def reliability_table(outcome: np.ndarray, probability: np.ndarray, bins: int = RELIABILITY_BINS) -> pd.DataFrame:
    """Predicted probabilities in `bins` bins of equal width ([0, 0.1), …, [0.9, 1] for ten; a probability of
    exactly 1 goes to the last): per bin that holds any customer, their count, their mean predicted probability
    and the share that churned. Calibrated: mean_predicted ≈ observed_rate in every bin."""
    outcome = np.asarray(outcome, dtype=float)
    probability = np.asarray(probability, dtype=float)
    index = np.minimum((probability * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"bin": index + 1, "probability": probability, "outcome": outcome})
    table = (
        frame.groupby("bin")
        .agg(customers=("outcome", "size"), mean_predicted=("probability", "mean"), observed_rate=("outcome", "mean"))
        .reset_index()
        .rename(columns={"bin": "probability_bin"})
    )
    table.insert(1, "bin_lower", (table.probability_bin - 1) / bins)
    table.insert(2, "bin_upper", table.probability_bin / bins)
    return table
