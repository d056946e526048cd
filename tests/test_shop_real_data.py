"""The shop domain on the real Online Retail sample (../shared/data/online_retail, 30,000 rows).

Every figure is recomputed here with pandas, independently of the SQL: exact duplicate rows counted once,
revenue = Σ Quantity × UnitPrice (cancellations negative), customers = distinct CustomerIDs, and the whole RFM
table (as of the latest sale invoice; quintiles by ntile's rule: sort by the measure then customer id, the first
n mod 5 buckets one larger; segment from the seed's R×F map).
"""

from decimal import Decimal

import pandas as pd
import pytest
from dagster import AssetSelection

from ingestion.config import REPO_ROOT
from tests.conftest import materialize_assets, query, shared_file

pytestmark = pytest.mark.real_data


def ntile(size: int, buckets: int = 5) -> list[int]:
    """The bucket of each position 0…size−1, as SQL's ntile assigns them."""
    base, extra = divmod(size, buckets)
    scores = []
    for bucket in range(1, buckets + 1):
        scores += [bucket] * (base + (1 if bucket <= extra else 0))
    return scores


def expected_rfm(lines: pd.DataFrame) -> pd.DataFrame:
    lines = lines[lines["customer_id"] != ""]
    invoices = lines.groupby("InvoiceNo").agg(
        customer_id=("customer_id", "max"),
        date=("date", "min"),
        revenue=("revenue", "sum"),
        has_sale=("is_sale", "any"),
    )
    sales = invoices[invoices["has_sale"]]
    as_of = sales["date"].max()
    rfm = pd.DataFrame(
        {
            "last": sales.groupby("customer_id")["date"].max(),
            "frequency": sales.groupby("customer_id").size(),
            "monetary": invoices[invoices["date"] <= as_of].groupby("customer_id")["revenue"].sum(),
        }
    ).dropna(subset=["frequency"])
    rfm["recency_days"] = (as_of - rfm["last"]).dt.days
    rfm = rfm.reset_index(names="customer_id")
    for score, measure, ascending in (("r", "recency_days", False), ("f", "frequency", True), ("m", "monetary", True)):
        ordered = rfm.sort_values([measure, "customer_id"], ascending=[ascending, True])
        rfm.loc[ordered.index, f"{score}_score"] = ntile(len(rfm))
    segments = pd.read_csv(REPO_ROOT / "seeds" / "shop" / "shop_rfm_segments.csv")
    rfm = rfm.astype({"r_score": int, "f_score": int, "frequency": int}).merge(
        segments, on=["r_score", "f_score"], how="left"
    )
    return rfm.set_index("customer_id").sort_index()


def test_online_retail_sample_end_to_end(project_env, monkeypatch):
    path = shared_file("online_retail", "online_retail_sample30k.csv")
    monkeypatch.setenv("SHOP_ONLINE_RETAIL_PATH", str(path))
    db = project_env / "warehouse.duckdb"

    assert materialize_assets(selection=AssetSelection.groups("shop")).success

    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    duplicates = int(raw.duplicated().sum())
    lines = raw.drop_duplicates().copy()
    lines["customer_id"] = lines["CustomerID"].str.replace(r"\.0$", "", regex=True)
    lines["revenue"] = lines["Quantity"].astype(int) * lines["UnitPrice"].map(Decimal)
    lines["date"] = pd.to_datetime(lines["InvoiceDate"]).dt.normalize()
    lines["is_sale"] = ~lines["InvoiceNo"].str.startswith("C") & (lines["Quantity"].astype(int) > 0)

    # every input row is accounted for: staged, or quarantined as an exact duplicate
    assert len(raw) == 30_000
    assert query(db, "select count(*) from raw_shop.online_retail") == [(30_000,)]
    assert query(db, "select count(*) from main.stg_shop__online_retail") == [(len(lines),)]
    assert query(db, "select reject_reason, count(*) from main.qua_shop__online_retail group by 1") == [
        ("duplicate_row", duplicates)
    ]
    assert query(db, "select line_type, count(*) from main.stg_shop__online_retail group by 1 order by 1") == [
        ("cancellation", int(lines["InvoiceNo"].str.startswith("C").sum())),
        ("return", int((~lines["InvoiceNo"].str.startswith("C") & (lines["Quantity"].astype(int) < 0)).sum())),
        ("sale", int(lines["is_sale"].sum())),
    ]

    # revenue (lines without a customer included) and customers
    assert query(db, "select sum(revenue) from main.fct_shop__orders") == [(sum(lines["revenue"]),)]
    assert query(db, "select sum(revenue) from main.fct_shop__revenue_by_country") == [(sum(lines["revenue"]),)]
    customers = lines.loc[lines["customer_id"] != "", "customer_id"].nunique()
    assert query(db, "select count(*) from main.dim_shop__customers") == [(customers,)]

    # the RFM table, row by row
    expected = expected_rfm(lines)
    actual = pd.DataFrame(
        query(
            db,
            "select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score, segment"
            " from main.fct_shop__customer_rfm order by customer_id",
        ),
        columns=["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "segment"],
    ).set_index("customer_id")
    assert list(actual.index) == list(expected.index)
    for column in ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "segment"):
        assert actual[column].tolist() == expected[column].astype(actual[column].dtype).tolist(), column
