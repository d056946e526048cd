"""The pandas way the original teams used: read the input files with pandas and compute the same marts as the dbt
models (same checks, de-duplication and rules), written as tables of a DuckDB file.

    python -m bench.pandas_way --domain stock --inputs sales.csv inventory.csv --out .data/bench/pandas.duckdb
    python -m bench.pandas_way --domain shop --inputs clients.csv achats.csv --out .data/bench/pandas.duckdb
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.project import EMAIL_PATTERN, MARTS, params


def _read(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """An input file as text (only `columns` when given, as a careful pandas user would), trimmed, empty as None."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", usecols=columns)
    return frame.apply(lambda c: c.str.strip()).replace("", None)


SALES_COLUMNS = ["Row ID", "Order ID", "Order Date", "Region", "Product ID", "Category", "Sub-Category", "Product Name",
                 "Sales", "Quantity"]  # fmt: skip


def _first_copy(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key: the first in the file (the project keeps the latest delivery's first copy; one input file
    is one delivery)."""
    return frame.drop_duplicates(keys, keep="first")


def _int(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.where(series.str.fullmatch(r"-?[0-9]{1,9}", na=False)), errors="coerce")


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.where(series.str.fullmatch(r"-?[0-9]{1,14}([.][0-9]+)?", na=False)), errors="coerce")


def _write(out: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, columns: list[str]) -> None:
    """The mart as a table of a DuckDB file, like the other implementations' (DuckDB reads the DataFrame)."""
    selected = frame[columns]  # noqa: F841 (read by name in the SQL)
    out.execute(f"create table {name} as select * from selected")


def stock(inputs: list[Path], out: duckdb.DuckDBPyConnection) -> None:
    p = params()
    raw = _read(inputs[0], SALES_COLUMNS)
    sales = pd.DataFrame({
        "row_id": _int(raw["Row ID"]), "order_id": raw["Order ID"], "product_id": raw["Product ID"],
        "region": raw["Region"], "product_name": raw["Product Name"], "category": raw["Category"],
        "sub_category": raw["Sub-Category"],
        "order_date": pd.to_datetime(raw["Order Date"], format="%m/%d/%Y", errors="coerce"),
        "quantity": _int(raw["Quantity"]), "sales": _num(raw["Sales"]),
    })  # fmt: skip
    del raw
    usable = (
        (sales["row_id"] > 0) & sales["order_id"].notna() & sales["product_id"].notna() & sales["region"].notna()
        & sales["order_date"].notna() & (sales["quantity"] > 0) & sales["sales"].notna()
    )  # fmt: skip
    lines = _first_copy(sales[usable], ["order_id", "row_id"])
    del sales
    products = lines.groupby("product_id", as_index=False).agg(
        product_name=("product_name", "min"), category=("category", "min"), sub_category=("sub_category", "min")
    )

    daily = lines.groupby(["order_date", "product_id", "region"], as_index=False).agg(
        order_lines=("order_id", "size"), quantity=("quantity", "sum"), sales=("sales", "sum")
    )
    daily = daily.rename(columns={"order_date": "sale_date"}).merge(products, on="product_id", how="left")
    daily["sale_date"] = daily["sale_date"].dt.date
    _write(out, "fct_stock__daily_sales", daily, MARTS["stock"]["fct_stock__daily_sales"])

    as_of = pd.Timestamp(p.as_of_date) if p.as_of_date else lines["order_date"].max()
    window_start = as_of - pd.Timedelta(days=p.window_days - 1)
    to_date = lines[lines["order_date"] <= as_of]
    pairs = to_date.groupby(["product_id", "region"], as_index=False).agg(
        sale_days=("order_date", "nunique"), units_to_date=("quantity", "sum")
    )
    policies = pd.read_csv(p.policy_csv)
    default = policies[policies["sub_category"] == "(default)"].iloc[0]
    risk = pairs.merge(products[["product_id", "product_name", "sub_category"]], on="product_id", how="left")
    risk = risk.merge(
        policies.drop(columns="note").rename(columns={"sub_category": "policy_sub_category"}),
        left_on="sub_category", right_on="policy_sub_category", how="left",
    )  # fmt: skip
    for column in ("review_period_days", "lead_time_days", "safety_days", "policy_sub_category"):
        risk[column] = risk[column].fillna(default[column if column != "policy_sub_category" else "sub_category"])
    for column in ("review_period_days", "lead_time_days", "safety_days"):
        risk[column] = risk[column].astype("int64")
    anchor = pd.Timestamp(p.review_anchor_date)
    risk["as_of_date"] = as_of
    risk["window_start_date"] = window_start
    since_anchor = (as_of - anchor).days
    risk["last_review_date"] = as_of - pd.to_timedelta(since_anchor % risk["review_period_days"], unit="D")

    snapshots = _read(inputs[1]) if len(inputs) > 1 else pd.DataFrame()
    if len(snapshots):
        snapshots["on_hand"] = _int(snapshots["on_hand"])
        snapshots["as_of_date"] = pd.to_datetime(snapshots["as_of"], format="%Y-%m-%d", errors="coerce")
        ok = (
            snapshots["product_id"].notna() & snapshots["region"].notna() & (snapshots["on_hand"] >= 0)
            & snapshots["as_of_date"].notna()
        )  # fmt: skip
        snapshots = _first_copy(snapshots[ok], ["product_id", "region", "as_of_date"])
        snapshots = snapshots[snapshots["as_of_date"] <= as_of].sort_values("as_of_date", ascending=False)
        latest = snapshots.drop_duplicates(["product_id", "region"])[["product_id", "region", "as_of_date", "on_hand"]]
        latest = latest.rename(columns={"as_of_date": "snapshot_date", "on_hand": "snapshot_on_hand"})
    else:
        latest = pd.DataFrame(columns=["product_id", "region", "snapshot_date", "snapshot_on_hand"])
    risk = risk.merge(latest, on=["product_id", "region"], how="left")

    joined = to_date[["product_id", "region", "order_date", "quantity"]].merge(
        risk[["product_id", "region", "last_review_date", "snapshot_date"]], on=["product_id", "region"]
    )
    quantity = joined["quantity"]
    joined["in_window"] = quantity.where(joined["order_date"] >= window_start, 0)
    joined["since_review"] = quantity.where(joined["order_date"] >= joined["last_review_date"], 0)
    joined["since_snapshot"] = quantity.where(joined["order_date"] > joined["snapshot_date"], 0)
    sold = joined.groupby(["product_id", "region"], as_index=False).agg(
        units_in_window=("in_window", "sum"),
        units_since_review=("since_review", "sum"),
        units_since_snapshot=("since_snapshot", "sum"),
    )
    risk = risk.merge(sold, on=["product_id", "region"])
    units = risk["units_in_window"].astype("float64")
    risk["demand_per_day"] = units / p.window_days
    cycle = risk["review_period_days"] + risk["lead_time_days"] + risk["safety_days"]
    risk["order_up_to_level"] = cycle * units / p.window_days
    risk["estimated_on_hand"] = (risk["order_up_to_level"] - risk["units_since_review"]).clip(lower=0)
    has_snapshot = risk["snapshot_date"].notna()
    from_snapshot = (risk["snapshot_on_hand"].astype("float64") - risk["units_since_snapshot"]).clip(lower=0)
    risk["on_hand"] = np.where(has_snapshot, from_snapshot, risk["estimated_on_hand"])
    risk["on_hand_source"] = np.where(has_snapshot, "inventory_snapshot", "policy_estimate")
    risk["seed_rule_avg_daily_sales"] = risk["units_to_date"].astype("float64") / risk["sale_days"]
    demand = risk["demand_per_day"]
    risk["days_of_cover"] = (risk["on_hand"] / demand).where(demand > 0)
    risk["seed_rule_days_remaining"] = p.seed_estimated_stock / risk["seed_rule_avg_daily_sales"]
    remaining = risk["seed_rule_days_remaining"]
    risk["seed_rule_risk_level"] = np.select(
        [remaining < p.seed_high_days, remaining < p.seed_medium_days], ["HIGH", "MEDIUM"], "LOW"
    )
    cover, lead, safety = risk["days_of_cover"], risk["lead_time_days"], risk["safety_days"]
    conditions = [demand == 0, cover < lead, cover < lead + safety]
    risk["risk_level"] = np.select(conditions, ["LOW", "HIGH", "MEDIUM"], "LOW")
    risk["risk_reason"] = np.select(
        conditions,
        ["no_recent_demand", "cover_below_lead_time", "cover_below_lead_time_plus_safety"],
        "cover_sufficient",
    )
    risk["risk_rule"] = "rs_policy"
    for column in ("as_of_date", "window_start_date", "last_review_date", "snapshot_date"):
        risk[column] = pd.to_datetime(risk[column]).dt.date
    _write(out, "fct_stock__risk", risk, MARTS["stock"]["fct_stock__risk"])


def _ntile(order: pd.DataFrame, by: list[str], ascending: list[bool], buckets: int = 5) -> pd.Series:
    """SQL's ntile(buckets) over (order by `by`): groups of sizes differing by at most one, larger ones first."""
    ranked = order.sort_values(by, ascending=ascending, kind="stable")
    n = len(ranked)
    size, extra = divmod(n, buckets)
    position = np.arange(n)
    big = extra * (size + 1)
    tile = np.where(position < big, position // (size + 1), extra + (position - big) // max(size, 1)) + 1
    return pd.Series(tile, index=ranked.index)


def shop(inputs: list[Path], out: duckdb.DuckDBPyConnection) -> None:
    p = params()
    today = dt.date.today()
    raw = _read(inputs[0])
    signup = pd.to_datetime(raw["date_inscription"], format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(raw["date_inscription"], format="%d/%m/%Y", errors="coerce")
    )
    email = raw["email"].str.lower()
    clients = pd.DataFrame({
        "client_id": raw["id_client"],
        "client_name": raw["nom"], "email": email.where(email.str.match(EMAIL_PATTERN, na=False)),
        "signup_date": signup.dt.date.where(signup.dt.date <= today), "country": raw["pays"],
    })  # fmt: skip
    clients = _first_copy(clients[clients["client_id"].notna()], ["client_id"])

    raw = _read(inputs[1])
    when = raw["date_achat"]
    ordered_at = (
        pd.to_datetime(when, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        .fillna(pd.to_datetime(when, format="%Y-%m-%d", errors="coerce"))
        .fillna(pd.to_datetime(when, format="%d/%m/%Y", errors="coerce"))
    )
    orders = pd.DataFrame({
        "order_id": raw["id_achat"],
        "client_id": raw["id_client"], "ordered_at": ordered_at, "amount": _num(raw["montant"]),
        "product": raw["produit"],
    })  # fmt: skip
    del raw
    orders = orders.merge(clients[["client_id", "country"]], on="client_id", how="inner")
    ok = (
        orders["order_id"].notna() & orders["ordered_at"].notna() & (orders["ordered_at"].dt.date <= today)
        & (orders["amount"] > 0) & (orders["amount"] <= p.shop_max_order_amount) & orders["product"].notna()
    )  # fmt: skip
    orders = _first_copy(orders[ok], ["order_id"])
    orders["order_date"] = orders["ordered_at"].dt.date

    facts = pd.DataFrame({
        "order_id": orders["order_id"], "customer_id": orders["client_id"], "source_system": "shop_orders",
        "country": orders["country"], "order_kind": "sale", "ordered_at": orders["ordered_at"],
        "order_date": orders["order_date"], "order_lines": 1, "units": 1, "revenue": orders["amount"],
    })  # fmt: skip
    _write(out, "fct_shop__orders", facts, MARTS["shop"]["fct_shop__orders"])

    history = orders.groupby("client_id", as_index=False).agg(
        first_order_date=("order_date", "min"), last_order_date=("order_date", "max"),
        sale_orders=("order_id", "nunique"), revenue=("amount", "sum"),
    )  # fmt: skip
    customers = clients.merge(history, on="client_id", how="left").rename(columns={"client_id": "customer_id"})
    customers["source_system"] = "shop_orders"
    customers = customers.rename(columns={"client_name": "customer_name"})
    customers["sale_orders"] = customers["sale_orders"].fillna(0).astype("int64")
    customers["revenue"] = customers["revenue"].fillna(0.0)
    _write(out, "dim_shop__customers", customers, MARTS["shop"]["dim_shop__customers"])

    as_of = dt.date.fromisoformat(p.shop_as_of_date) if p.shop_as_of_date else orders["order_date"].max()
    upto = orders[orders["order_date"] <= as_of]
    rfm = upto.groupby("client_id", as_index=False).agg(
        last_order_date=("order_date", "max"), frequency=("order_id", "nunique"), monetary=("amount", "sum")
    )
    rfm = rfm.rename(columns={"client_id": "customer_id"})
    rfm["as_of_date"] = as_of
    rfm["recency_days"] = (pd.Timestamp(as_of) - pd.to_datetime(rfm["last_order_date"])).dt.days
    rfm["r_score"] = _ntile(rfm, ["recency_days", "customer_id"], [False, True])
    rfm["f_score"] = _ntile(rfm, ["frequency", "customer_id"], [True, True])
    rfm["m_score"] = _ntile(rfm, ["monetary", "customer_id"], [True, True])
    rfm["rfm_code"] = rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    segments = pd.read_csv(p.segments_csv)
    rfm = rfm.merge(segments, on=["r_score", "f_score"], how="left")
    _write(out, "fct_shop__customer_rfm", rfm, MARTS["shop"]["fct_shop__customer_rfm"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", choices=("stock", "shop"), required=True)
    parser.add_argument(
        "--inputs", type=Path, nargs="+", required=True,
        help="stock: the sales export [and the inventory snapshot]; shop: clients.csv achats.csv",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, required=True, help="DuckDB file written (replaced)")
    args = parser.parse_args(argv)
    args.out.unlink(missing_ok=True)
    with duckdb.connect(str(args.out)) as out:
        (stock if args.domain == "stock" else shop)([path.resolve() for path in args.inputs], out)


if __name__ == "__main__":
    main()
