"""End to end through Dagster on a small hand-made dataset whose answers are computed by hand.

As of 2024-03-31 (the latest sale), 90-day window from 2024-01-02, reviews every R days from 1970-01-01:
2024-03-31 is day 19,813, and 19,813 mod 14 = 19,813 mod 7 = 3, so the last review was 2024-03-28 for
R = 14 (Chairs, the default policy) and R = 7 (Paper). Policies from seeds/stock/stock_inventory_policy.csv:
Chairs R14 L7 safety 7; Paper R7 L3 safety 3; Gizmos has no row → (default) R14 L7 safety 7.

- Chair A, West: 80 (01-15) + 9 (03-29) + 1 (event 03-31) = 90 units in window → demand 1.0, S = 28,
  since review 10 → on hand 18, cover 18 ≥ 14 → LOW.
- Paper B, West: 82 (01-15) + 8 (03-28, a review day counts) = 90 → demand 1.0, S = 13, since review 8 →
  on hand 5, cover 5: ≥ L = 3 and < L + safety = 6 → MEDIUM.
- Gadget, East: 5 on 2023-12-20 (outside the window) + 2 (event 03-30) → demand 2/90, S = 28 × 2/90,
  since review 2 > S → on hand 0 → HIGH.
- Paper B, East: 4 on 03-30; snapshot of 10 on 03-29 wins over the estimate (0): 10 − 4 = 6 on hand,
  cover 6 / (4/90) = 135 → LOW.
"""

import datetime as dt

import pytest
from dagster import AssetSelection

from ingestion.lake import LocalLake
from ingestion.stock import SUPERSTORE_COLUMNS
from ingestion.stream import write_micro_batch
from tests.conftest import materialize_assets, query

STOCK = AssetSelection.groups("stock")

PRODUCTS = {
    "FUR-CH-1": ("Furniture", "Chairs", "Chair A"),
    "OFF-PA-1": ("Office Supplies", "Paper", "Paper B"),
    "TEC-GZ-1": ("Technology", "Gizmos", "Gadget"),
}


def line(row_id, order_id, date, product, region, qty, sales):
    category, sub_category, name = PRODUCTS.get(product, ("Furniture", "Chairs", "Chair A"))
    return (
        f"{row_id},{order_id},{date},{date},Standard Class,C-1,Jo Café,Consumer,United States,Austin,Texas,"
        f"78701,{region},{product},{category},{sub_category},{name},{sales},{qty},0,1.5"
    )


GOOD = [
    line(1, "CA-1", "1/15/2024", "FUR-CH-1", "West", 80, 8000),
    line(2, "CA-1", "1/15/2024", "OFF-PA-1", "West", 82, 410),
    line(3, "CA-2", "3/29/2024", "FUR-CH-1", "West", 9, 900),
    line(4, "CA-3", "12/20/2023", "TEC-GZ-1", "East", 5, 500),
    line(5, "CA-4", "3/30/2024", "OFF-PA-1", "East", 4, 20),
    line(6, "CA-5", "3/28/2024", "OFF-PA-1", "West", 8, 40),
]
DIRTY = {
    line(7, "CA-6", "2024-13-01", "FUR-CH-1", "West", 1, 100): "invalid_order_date",
    line(8, "CA-7", "3/1/2024", "FUR-CH-1", "West", -1, 100): "non_positive_quantity",
    line(9, "CA-8", "3/1/2024", "FUR-CH-1", "West", "2.5", 100): "invalid_quantity",
    GOOD[2] + " ": "duplicate_row",  # the same order line again (CA-2, row 3)
    "10,CA-9,1/1/2024": "wrong_field_count",
    line(11, '"CA-10', "3/1/2024", "FUR-CH-1", "West", 1, 100): "malformed_line",
    line(12, "CA-11", "3/1/2024", "", "West", 1, 100): "missing_product_id",
}


def event(order_id, time, product, region, qty, sales):
    return {"Order_ID": order_id, "event_time": time, "Product_ID": product, "Product_Name": PRODUCTS[product][2],
            "Region": region, "Quantity": qty, "Sales": sales}  # fmt: skip


BATCH_1 = [
    event("ORDER-1", "2024-03-31T10:00:00", "FUR-CH-1", "West", 1, 100.0),
    event("ORDER-2", "2024-03-30T09:00:00", "TEC-GZ-1", "East", 2, 200.0),
    event("ORDER-1", "2024-03-31T10:00:00", "FUR-CH-1", "West", 1, 100.0),  # delivered twice
    event("ORDER-4", "2024-03-31T11:00:00", "FUR-CH-1", "West", 0, 0.0),
]
TRUNCATED = '{"Order_ID": "ORDER-3", "event_ti'
BATCH_2 = [
    event("ORDER-2", "2024-03-30T09:00:00", "TEC-GZ-1", "East", 2, 200.0),  # already staged in run 1
    event("ORDER-5", "2024-03-31T12:00:00", "OFF-PA-1", "West", 6, 30.0),
]


@pytest.fixture
def stock_inputs(project_env, monkeypatch):
    inputs = project_env / "inputs"
    inputs.mkdir()
    csv_text = "\r\n".join([",".join(SUPERSTORE_COLUMNS), *GOOD, *DIRTY]) + "\r\n"
    (inputs / "sales.csv").write_bytes(csv_text.encode("cp1252"))
    (inputs / "inventory.csv").write_text(
        "product_id,region,on_hand,as_of\nOFF-PA-1,East,10,2024-03-29\nOFF-PA-1,West,-3,2024-03-29\n"
    )
    monkeypatch.setenv("STOCK_SALES_CSV", str(inputs / "sales.csv"))
    monkeypatch.setenv("STOCK_INVENTORY_CSV", str(inputs / "inventory.csv"))
    return project_env


def land_batch(project_env, events, extra_lines=(), at=dt.datetime(2024, 3, 31, 23, 0, tzinfo=dt.UTC)):
    lake = LocalLake(project_env / "lake")
    key = write_micro_batch(lake, "stock", "sales_events", events, at)
    if extra_lines:  # append raw lines as a broken producer would
        body = lake.get(key) + "".join(f"{x}\n" for x in extra_lines).encode()
        lake.delete(key)
        lake.put(key, body)


def risk(db):
    rows = query(
        db,
        "select product_id, region, units_in_window, demand_per_day, order_up_to_level, last_review_date,"
        " units_since_review, on_hand, on_hand_source, days_of_cover, risk_level, risk_reason"
        " from main.fct_stock__risk order by product_id, region",
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def test_stock_end_to_end(stock_inputs):
    db = stock_inputs / "warehouse.duckdb"
    land_batch(stock_inputs, BATCH_1, extra_lines=[TRUNCATED])

    result = materialize_assets(selection=STOCK)
    assert result.success

    # --- the risk mart, figure by figure
    figures = risk(db)
    assert set(figures) == {
        ("FUR-CH-1", "West"),
        ("OFF-PA-1", "West"),
        ("TEC-GZ-1", "East"),
        ("OFF-PA-1", "East"),
    }
    review = dt.date(2024, 3, 28)
    assert figures[("FUR-CH-1", "West")] == (90, 1.0, 28.0, review, 10, 18.0, "policy_estimate", 18.0, "LOW",
                                             "cover_sufficient")  # fmt: skip
    assert figures[("OFF-PA-1", "West")] == (90, 1.0, 13.0, review, 8, 5.0, "policy_estimate", 5.0, "MEDIUM",
                                             "cover_below_lead_time_plus_safety")  # fmt: skip
    gadget = figures[("TEC-GZ-1", "East")]
    assert gadget[:2] == (2, pytest.approx(2 / 90)) and gadget[2] == pytest.approx(28 * 2 / 90)
    assert gadget[3:] == (review, 2, 0.0, "policy_estimate", 0.0, "HIGH", "cover_below_lead_time")
    paper_east = figures[("OFF-PA-1", "East")]
    assert paper_east[5:7] == (6.0, "inventory_snapshot")
    assert paper_east[7] == pytest.approx(135.0) and paper_east[8:] == ("LOW", "cover_sufficient")

    # --- daily sales: both channels, one row per day × product × region
    assert query(db, "select sum(quantity), sum(order_lines) from main.fct_stock__daily_sales") == [(191, 8)]
    assert query(
        db,
        "select quantity, sales, product_name from main.fct_stock__daily_sales"
        " where sale_date = date '2024-03-31' and product_id = 'FUR-CH-1'",
    ) == [(1, 100, "Chair A")]

    # --- nothing lost: every bad line is quarantined with its reason
    # (a line with a problem shows as read; a copy that lost to another one shows its typed fields)
    duplicate = (
        "3,CA-2,2024-03-29,2024-03-29,Standard Class,C-1,Jo Café,Consumer,United States,Austin,Texas,78701,West,"
    )
    duplicate += "FUR-CH-1,Furniture,Chairs,Chair A,900.0000,9,0.0000,1.5000"
    expected = {line: reason for line, reason in DIRTY.items() if reason != "duplicate_row"} | {
        duplicate: "duplicate_row"
    }
    assert sorted(query(db, "select raw_line, reject_reason from main.qua_stock__sales")) == sorted(expected.items())
    event_reasons = query(db, "select reject_reason, count(*) from main.qua_stock__sales_events group by 1 order by 1")
    assert event_reasons == [("duplicate_event", 1), ("malformed_json", 1), ("non_positive_quantity", 1)]
    assert query(db, "select raw_line, reject_reason from main.qua_stock__inventory_snapshots") == [
        ("OFF-PA-1,West,-3,2024-03-29", "invalid_on_hand")
    ]
    for table in ("sales", "sales_events", "inventory_snapshots"):
        [(raw, staged, quarantined)] = query(
            db,
            f"select (select count(*) from raw_stock.{table}), (select count(*) from main.stg_stock__{table}),"
            f" (select count(*) from main.qua_stock__{table})",
        )
        assert raw == staged + quarantined, table
    assert query(db, "select count(*) from raw_stock.sales") == [(13,)]

    # --- a second batch through the stream job: incremental, and the repeated ORDER-2 is caught
    land_batch(stock_inputs, BATCH_2, at=dt.datetime(2024, 4, 1, 0, 5, tzinfo=dt.UTC))
    stream = AssetSelection.assets(["stock", "raw_sales_events"]).downstream()
    assert materialize_assets(selection=stream).success
    assert query(db, "select order_id from main.stg_stock__sales_events order by 1") == [
        ("ORDER-1",),
        ("ORDER-2",),
        ("ORDER-5",),
    ]
    assert query(db, "select count(*) from main.qua_stock__sales_events where reject_reason = 'duplicate_event'") == [
        (2,)
    ]
    # Paper B West: 96 units in the window, 14 since the review, S = 13 × 96/90 → nothing left → HIGH
    assert risk(db)[("OFF-PA-1", "West")][-2:] == ("HIGH", "cover_below_lead_time")

    # a batch that lands late, in an older dt partition, is still read, once; an event dated days after its
    # batch is a clock error, quarantined
    late = [
        event("ORDER-6", "2024-03-20T08:00:00", "TEC-GZ-1", "East", 1, 100.0),
        event("ORDER-7", "2024-03-29T08:00:00", "TEC-GZ-1", "East", 1, 100.0),
    ]
    land_batch(stock_inputs, late, at=dt.datetime(2024, 3, 20, 9, 0, tzinfo=dt.UTC))
    assert materialize_assets(selection=stream).success
    assert query(db, "select order_id from main.stg_stock__sales_events where order_id in ('ORDER-6', 'ORDER-7')") == [
        ("ORDER-6",)
    ]
    future = "select count(*) from main.qua_stock__sales_events where reject_reason = 'future_event_time'"
    assert query(db, future) == [(1,)]

    # --- running everything again changes nothing
    before = query(db, "select count(*), sum(quantity) from main.int_stock__order_lines")
    assert materialize_assets(selection=STOCK).success
    assert query(db, "select count(*), sum(quantity) from main.int_stock__order_lines") == before == [(10, 198)]
    assert query(db, "select count(*) from main.base_stock__sales_events") == [(9,)]


def test_an_unreadable_export_fails_its_asset_naming_the_file(project_env, monkeypatch):
    bad = project_env / "export.csv"
    bad.write_bytes("Row ID,Order ID\n1,x\n".encode("utf-16"))
    monkeypatch.setenv("STOCK_SALES_CSV", str(bad))
    result = materialize_assets(selection=AssetSelection.assets(["stock", "raw_sales"]), raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error.cause.message if failure.event_specific_data.error.cause else ""
    assert str(bad) in (message + failure.event_specific_data.error.message)
    assert "binary content" in (message + failure.event_specific_data.error.message)
    assert not (project_env / "lake" / "raw").exists()


def test_generated_sample_quarantines_its_dirty_rows(project_env, monkeypatch):
    from ingestion.stock.generate import generate_inventory_csv, generate_sales_csv

    sales = project_env / "data" / "samples" / "stock" / "superstore_sales.csv"
    summary = generate_sales_csv(sales, rows=400, seed=5, end=dt.date(2024, 6, 30))
    generate_inventory_csv(sales.with_name("inventory_snapshot.csv"), sales)
    assert materialize_assets(selection=STOCK).success  # defaults: the generated sample and its inventory snapshot
    db = project_env / "warehouse.duckdb"
    reasons = query(db, "select reject_reason from main.qua_stock__sales order by 1")
    assert [r for (r,) in reasons] == sorted(
        [
            "duplicate_row",
            "invalid_order_date",
            "invalid_quantity",
            "missing_product_id",
            "non_positive_quantity",
            "wrong_field_count",
        ]  # fmt: skip
    )
    assert query(db, "select count(*) from main.stg_stock__sales") == [(summary.rows_written - summary.dirty_rows,)]
    assert query(db, "select count(*) from main.fct_stock__risk where on_hand_source = 'inventory_snapshot'") == [(5,)]
    assert query(db, "select count(*) from main.fct_stock__risk where risk_level is null") == [(0,)]
