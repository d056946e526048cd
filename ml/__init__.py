"""Machine learning on the marts: plain Python (scikit-learn, pandas), no Dagster inside.

- `evaluation`: the metrics every model is judged by (ROC AUC, precision and recall at a threshold, Brier score,
  the reliability table).
- `segmentation`: k-means on scaled RFM features, k chosen by silhouette, segments named from their centroids.
- `churn`: the snapshots of a time split, the churn model, and its comparison with the rule and a baseline.
- `store`: the lake side: versioned model artefacts, the published pointer, Parquet tables that dbt reads.
- `shop`: the shop domain's pipeline (train, score, reproduce) over `fct_shop__customer_features`.

`python -m ml --help` runs it from a shell; the Dagster assets (orchestration/domains/shop_ml.py) are thin
wrappers. docs/shop-ml.md describes the method and the figures.
"""
