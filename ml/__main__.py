"""The shop's customer model from a shell, over the warehouse and lake of the environment (DBT_TARGET, DUCKDB_PATH,
LAKE_URL: the same settings as Dagster's). The features mart must be built (the shop's dbt models).

    python -m ml train [--k-min 3 --k-max 8 --train-snapshots 12 --threshold 0.5 ...]
    python -m ml score                 # the published version scores the current snapshot
    python -m ml show [VERSION]        # a version's evaluation and segments (default: the published one)
    python -m ml reproduce VERSION     # fit again from what the version saved, and compare

The dbt marts over the scores and metrics are rebuilt by the next dbt build of the shop (or Dagster's shop_job).
"""

from __future__ import annotations

import argparse
import json
import sys

from ingestion.lake import open_lake
from ml import shop, store
from ml.churn import ChurnParams, NotEnoughHistory
from ml.segmentation import SegmentationParams
from serving.warehouse import WarehouseUnavailable, open_warehouse


def _params(args: argparse.Namespace) -> shop.ShopModelParams:
    return shop.ShopModelParams(
        SegmentationParams(k_min=args.k_min, k_max=args.k_max, seed=args.seed),
        ChurnParams(
            train_snapshots=args.train_snapshots,
            threshold=args.threshold,
            min_eval_customers=args.min_eval_customers,
            regularization=args.regularization,
        ),
    )


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "—" if value is None else format(value, spec)


def describe(meta: dict) -> list[str]:
    """A version's evaluation and segments, as lines for a person."""
    split = meta["split"]
    lines = [
        f"version {meta['version']} (trained {meta['trained_at']}; published: {meta['beats_baselines']})",
        f"evaluated on the {meta['rows']['eval']:,} customers of {split['eval_date']}, trained on "
        f"{meta['rows']['train']:,} rows of {split['train_dates'][0]} … {split['train_dates'][-1]} "
        f"(horizon {split['horizon_days']} days)",
        f"{'scorer':9} {'ROC AUC':>8} {'precision':>10} {'recall':>7} {'Brier':>7} {'flagged':>8} {'churners':>9}",
    ]
    for scorer, m in meta["metrics"].items():
        lines.append(
            f"{scorer:9} {_fmt(m['roc_auc']):>8} {_fmt(m['precision']):>10} {_fmt(m['recall']):>7} "
            f"{m['brier_score']:>7.3f} {m['predicted_churners']:>8,} {m['churners']:>9,}"
        )
    lines.append("reliability: " + ", ".join(
        f"[{b['bin_lower']:.1f}, {b['bin_upper']:.1f}) {b['customers']:,}: {b['mean_predicted']:.2f} → "
        f"{b['observed_rate']:.2f}" for b in meta["calibration"]
    ))  # fmt: skip
    chosen = [s for s in meta["segment_selection"] if s["is_chosen"]][0]
    lines.append(
        f"segments: k = {chosen['k']} (silhouette {chosen['silhouette']:.3f}; "
        + ", ".join(f"k={s['k']} {s['silhouette']:.3f}" for s in meta["segment_selection"])
        + ")"
    )
    for s in meta["segments"]:
        lines.append(
            f"  {s['segment_id']}. {s['name']:22} {s['customers']:>7,} customers; medians: recency "
            f"{s['median_recency_days']:g} days, orders {s['median_frequency']:g}, monetary {s['median_monetary']:,.2f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train, evaluate, save a version; publish it if it earns it")
    defaults_s, defaults_c = SegmentationParams(), ChurnParams()
    train.add_argument("--k-min", type=int, default=defaults_s.k_min)
    train.add_argument("--k-max", type=int, default=defaults_s.k_max)
    train.add_argument("--seed", type=int, default=defaults_s.seed)
    train.add_argument("--train-snapshots", type=int, default=defaults_c.train_snapshots)
    train.add_argument("--threshold", type=float, default=defaults_c.threshold)
    train.add_argument("--min-eval-customers", type=int, default=defaults_c.min_eval_customers)
    train.add_argument("--regularization", type=float, default=defaults_c.regularization)
    commands.add_parser("score", help="score the current snapshot with the published version")
    show = commands.add_parser("show", help="a version's evaluation and segments")
    show.add_argument("version", nargs="?", help="default: the published version")
    again = commands.add_parser("reproduce", help="fit a version again from its artefact and compare")
    again.add_argument("version")
    args = parser.parse_args(argv)

    lake = open_lake()
    try:
        if args.command == "train":
            result = shop.train(open_warehouse(), lake, _params(args))
            print("\n".join(describe(result.metadata)))
            print("published" if result.published else "NOT published: the model does not beat the rule and baseline")
            return 0 if result.published else 1
        if args.command == "score":
            scored = shop.score(open_warehouse(), lake)
            if scored is None:
                print("no published version: run `python -m ml train` first", file=sys.stderr)
                return 1
            print(f"{scored.customers:,} customers scored as of {scored.as_of_date} with {scored.version} "
                  f"({scored.at_risk:,} at risk) → {lake.uri(scored.key)}")  # fmt: skip
            return 0
        if args.command == "show":
            version = args.version or store.published_version(lake, shop.DOMAIN, shop.MODEL)
            if version is None:
                print("no published version; versions saved: " + ", ".join(store.versions(lake, "shop",
                      shop.MODEL)), file=sys.stderr)  # fmt: skip
                return 1
            print("\n".join(describe(store.load_metadata(lake, shop.DOMAIN, shop.MODEL, version))))
            return 0
        report = shop.reproduce(lake, args.version)
        print(json.dumps({k: v for k, v in report.items() if k != "metrics"}, indent=2))
        return 0 if report["same_version"] and report["same_metrics"] else 1
    except (NotEnoughHistory, WarehouseUnavailable, store.ArtefactError) as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
