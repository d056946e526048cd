"""Customer segments: k-means on scaled RFM features, k chosen by silhouette, segments named from their centroids.

Features: log(1 + recency_days), log(1 + frequency), log(1 + monetary) with monetary floored at 0 (net revenue
can be negative after returns), each standardised (mean 0, standard deviation 1): the logarithms tame the long
tails of frequency and monetary so that a handful of large customers does not make its own clusters, and the
scaling gives the three the same weight.

k: every k of the range is fitted (k-means++, `n_init` starts, a fixed seed) on a fixed random sample of at most
`fit_sample` customers; the k with the highest silhouette (on a sample of at most `silhouette_sample` of them, the
same for every k) wins, the smaller k on a tie; that k is then fitted on every customer. The samples bound the
cost of the search (a million orders make over 100,000 customers) without changing what a cluster is.

Names: each segment's centroid is read back in the original units (the median recency, frequency and monetary of
its customers) and placed among all customers: its recency as a percentile (recent: in the most recent third,
lapsing: the middle third, lapsed: the oldest third) and its value as the mean of its frequency and monetary
percentiles (high, mid, low thirds). The two levels name it in the RFM map's vocabulary (`NAMES`). Segments are
numbered by value, highest first (then the most recent first); two segments with the same name are numbered
(`At Risk`, `At Risk 2`) in that order.

Stability: the same customers, features, range and seed give the same segments, names and numbers (k-means with
a fixed seed is deterministic). What changes them: retraining on other data (new orders move the centroids and
may change k), another range or seed, another scikit-learn version. Between two trainings, scoring assigns
customers to the saved centroids, so a customer changes segment only when its own figures move it across a
boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

RFM = ("recency_days", "frequency", "monetary")

# (recency level, value level) → name, in the vocabulary of the RFM segment map (seeds/shop/shop_rfm_segments.csv)
NAMES = {
    ("recent", "high"): "Champions",
    ("recent", "mid"): "Potential Loyalists",
    ("recent", "low"): "New",
    ("lapsing", "high"): "Loyal",
    ("lapsing", "mid"): "Need Attention",
    ("lapsing", "low"): "About to Sleep",
    ("lapsed", "high"): "Can't Lose",
    ("lapsed", "mid"): "At Risk",
    ("lapsed", "low"): "Hibernating",
}


@dataclass(frozen=True)
class SegmentationParams:
    k_min: int = 3
    k_max: int = 8
    seed: int = 42
    n_init: int = 10
    fit_sample: int = 20_000
    silhouette_sample: int = 5_000

    def __post_init__(self) -> None:
        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(f"segment range k_min={self.k_min}, k_max={self.k_max}: need 2 <= k_min <= k_max")
        if min(self.silhouette_sample, self.fit_sample) < 100:
            raise ValueError(
                f"fit_sample={self.fit_sample}, silhouette_sample={self.silhouette_sample}: at least 100 customers"
            )


@dataclass(frozen=True)
class Segment:
    segment_id: int
    name: str
    customers: int
    median_recency_days: float
    median_frequency: float
    median_monetary: float
    recency_level: str
    value_level: str


@dataclass
class Segmentation:
    """A fitted segmentation: the scaler and k-means of the chosen k, and the readable segments."""

    scaler: StandardScaler
    kmeans: KMeans
    segments: list[Segment]
    selection: pd.DataFrame  # k, silhouette, inertia, is_chosen: one row per k tried
    cluster_to_segment: dict[int, int] = field(default_factory=dict)  # k-means label → segment_id

    @property
    def k(self) -> int:
        return len(self.segments)

    def assign(self, frame: pd.DataFrame) -> pd.DataFrame:
        """segment_id and segment (the name) of each customer of `frame` (RFM columns), by the nearest centroid."""
        labels = self.kmeans.predict(self.scaler.transform(rfm_matrix(frame)))
        ids = np.array([self.cluster_to_segment[int(label)] for label in labels], dtype=int)
        names = {s.segment_id: s.name for s in self.segments}
        return pd.DataFrame({"segment_id": ids, "segment": [names[i] for i in ids]}, index=frame.index)


def rfm_matrix(frame: pd.DataFrame) -> np.ndarray:
    """The three clustering features, before scaling: log(1 + x), monetary floored at 0."""
    missing = [c for c in RFM if c not in frame.columns]
    if missing:
        raise ValueError(f"the segmentation needs the columns {', '.join(RFM)}; missing {', '.join(missing)}")
    values = frame[list(RFM)].astype(float).to_numpy()
    if np.isnan(values).any():
        raise ValueError("recency_days, frequency and monetary must not be NULL for the segmentation")
    values[:, 2] = np.maximum(values[:, 2], 0.0)
    return np.log1p(np.maximum(values, 0.0))


def _percentile(population: np.ndarray, value: float) -> float:
    """Mid-rank percentile of `value` among `population` (ties count half): 0 … 1."""
    below = np.sum(population < value)
    equal = np.sum(population == value)
    return float((below + 0.5 * equal) / len(population))


def _level(percentile: float, names: tuple[str, str, str]) -> str:
    return names[0] if percentile < 1 / 3 else names[1] if percentile < 2 / 3 else names[2]


def fit_segments(frame: pd.DataFrame, params: SegmentationParams | None = None) -> Segmentation:
    """Fit the segmentation on the customers of `frame` (one row per customer, RFM columns)."""
    params = params or SegmentationParams()
    raw = rfm_matrix(frame)
    if len(frame) < max(params.k_max * 10, 50):
        raise ValueError(
            f"{len(frame)} customers are too few to segment into up to {params.k_max} clusters "
            f"(at least {max(params.k_max * 10, 50)})"
        )
    scaler = StandardScaler().fit(raw)
    scaled = scaler.transform(raw)
    rng = np.random.RandomState(params.seed)
    fitted = scaled[np.sort(rng.choice(len(scaled), size=min(params.fit_sample, len(scaled)), replace=False))]
    scored = rng.choice(len(fitted), size=min(params.silhouette_sample, len(fitted)), replace=False)
    runs = []
    for k in range(params.k_min, params.k_max + 1):
        kmeans = KMeans(n_clusters=k, n_init=params.n_init, random_state=params.seed).fit(fitted)
        labels = kmeans.labels_[scored]
        silhouette = float(silhouette_score(fitted[scored], labels)) if len(set(labels)) > 1 else -1.0
        runs.append((k, silhouette, float(kmeans.inertia_), kmeans))
    best = max(runs, key=lambda run: (round(run[1], 6), -run[0]))
    selection = pd.DataFrame(
        [(k, s, i, k == best[0]) for k, s, i, _ in runs], columns=["k", "silhouette", "inertia", "is_chosen"]
    )
    kmeans = best[3]
    if len(fitted) < len(scaled):  # the chosen k, on every customer
        kmeans = KMeans(n_clusters=best[0], n_init=params.n_init, random_state=params.seed).fit(scaled)
    return _name(frame, scaler, kmeans, selection)


def _name(frame: pd.DataFrame, scaler: StandardScaler, kmeans: KMeans, selection: pd.DataFrame) -> Segmentation:
    values = frame[list(RFM)].astype(float)
    recency, frequency, monetary = (values[c].to_numpy() for c in RFM)
    described = []
    for cluster in range(kmeans.n_clusters):
        members = values[kmeans.labels_ == cluster]
        median = members.median()
        recency_pct = _percentile(recency, median.recency_days)
        value_pct = (_percentile(frequency, median.frequency) + _percentile(monetary, median.monetary)) / 2
        recency_level = _level(recency_pct, ("recent", "lapsing", "lapsed"))
        value_level = _level(value_pct, ("low", "mid", "high"))
        described.append((cluster, len(members), median, recency_pct, value_pct, recency_level, value_level))
    # numbered by value (highest first), then the most recent first, then the cluster's centroid (a total order)
    described.sort(key=lambda d: (-d[4], d[3], tuple(kmeans.cluster_centers_[d[0]])))
    segments, seen, mapping = [], {}, {}
    for segment_id, (cluster, size, median, _, _, recency_level, value_level) in enumerate(described, start=1):
        name = NAMES[(recency_level, value_level)]
        if name == "New" and median.frequency > 1:
            name = "Promising"  # recent but few orders, not a first order
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} {seen[name]}"
        mapping[cluster] = segment_id
        segments.append(
            Segment(
                segment_id=segment_id,
                name=name,
                customers=int(size),
                median_recency_days=float(median.recency_days),
                median_frequency=float(median.frequency),
                median_monetary=float(median.monetary),
                recency_level=recency_level,
                value_level=value_level,
            )
        )
    return Segmentation(scaler, kmeans, segments, selection, mapping)
