"""What the three implementations share: the marts compared, their columns in the dbt models' order, and the
business parameters, read from dbt_project.yml and the seeds so that no implementation hard-codes its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ingestion.config import DBT_PROJECT_DIR, REPO_ROOT

SEEDS_DIR = REPO_ROOT / "seeds"
# The marts each domain's implementations must agree on, with the columns compared (every column of the dbt
# model, in its order).
MARTS: dict[str, dict[str, list[str]]] = {
    "stock": {
        "fct_stock__daily_sales": [
            "sale_date", "product_id", "region", "product_name", "category", "sub_category", "order_lines",
            "quantity", "sales",
        ],
        "fct_stock__risk": [
            "product_id", "region", "product_name", "sub_category", "policy_sub_category", "as_of_date",
            "window_start_date", "last_review_date", "snapshot_date", "on_hand_source", "review_period_days",
            "lead_time_days", "safety_days", "units_in_window", "demand_per_day", "order_up_to_level",
            "units_since_review", "estimated_on_hand", "snapshot_on_hand", "units_since_snapshot", "on_hand",
            "days_of_cover", "seed_rule_avg_daily_sales", "seed_rule_days_remaining", "seed_rule_risk_level",
            "risk_rule", "risk_level", "risk_reason",
        ],
    },
    "shop": {
        "fct_shop__orders": [
            "order_id", "customer_id", "source_system", "country", "order_kind", "ordered_at", "order_date",
            "order_lines", "units", "revenue",
        ],
        "dim_shop__customers": [
            "customer_id", "source_system", "customer_name", "email", "signup_date", "country", "first_order_date",
            "last_order_date", "sale_orders", "revenue",
        ],
        "fct_shop__customer_rfm": [
            "customer_id", "as_of_date", "last_order_date", "recency_days", "frequency", "monetary", "r_score",
            "f_score", "m_score", "rfm_code", "segment",
        ],
    },
}  # fmt: skip
# Models outside the compared marts' lineage that tests of the selected models read (Dagster selects tests eagerly)
TESTED_AGAINST = {"shop": ["dim_shop__dates"], "stock": []}


def selection(domain: str) -> list[str]:
    """The compared marts and everything upstream, plus the domain's staging from its raw sources (its quarantine
    models, which the reconciliation tests of the staged models read) and the models that their tests compare with.

    Not the staging of the shop model's outputs (source shop_ml): a real run builds it after the model trains, so
    Dagster gives it a dbt invocation of its own (orchestration/domains/shop_ml.py), which would be timed as
    Dagster's overhead."""
    marts = [f"+{mart}" for mart in MARTS[domain]]
    return [*marts, f"source:{domain}_raw+,path:models/staging/{domain}", *TESTED_AGAINST[domain]]


STREAM_SELECTION = ["source:stock_raw.sales_events+"]  # what stock_stream_job rebuilds: all after the events
VELIB_SELECTION = ["path:models/staging/velib", "path:models/intermediate/velib", "path:models/marts/velib"]
# The dbt invocations the benchmark costs on Athena (bench/athena.py): their --select and --indirect-selection.
DBT_RUNS: dict[str, tuple[list[str], str]] = {
    "stock_build": (selection("stock"), "cautious"),
    "shop_build": (selection("shop"), "cautious"),
    "stream": (STREAM_SELECTION, "eager"),
    "velib": (VELIB_SELECTION, "eager"),
}

# the regular expression of macros/staging/validity.sql (is_valid_email)
EMAIL_PATTERN = r"^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$"


@dataclass(frozen=True)
class Params:
    window_days: int
    as_of_date: str | None
    review_anchor_date: str
    seed_estimated_stock: float
    seed_high_days: float
    seed_medium_days: float
    shop_as_of_date: str | None
    shop_max_order_amount: float
    policy_csv: Path
    segments_csv: Path


def params() -> Params:
    """The vars of dbt_project.yml (their defaults: the benchmark passes no --vars)."""
    vars_ = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    rule = vars_["stock_risk_rule"]
    if rule != "rs_policy":
        raise ValueError(f"the benchmark reproduces the rs_policy rule, not {rule!r}")
    return Params(
        window_days=int(vars_["stock_demand_window_days"]),
        as_of_date=vars_["stock_as_of_date"],
        review_anchor_date=str(vars_["stock_review_anchor_date"]),
        seed_estimated_stock=float(vars_["stock_seed_rule_estimated_stock"]),
        seed_high_days=float(vars_["stock_seed_rule_high_days"]),
        seed_medium_days=float(vars_["stock_seed_rule_medium_days"]),
        shop_as_of_date=vars_["shop_as_of_date"],
        shop_max_order_amount=float(vars_["shop_max_order_amount"]),
        policy_csv=SEEDS_DIR / "stock" / "stock_inventory_policy.csv",
        segments_csv=SEEDS_DIR / "shop" / "shop_rfm_segments.csv",
    )
