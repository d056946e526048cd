"""The stock risk history (fct_stock__risk_history) through Dagster, on three days of hand-made sales: one row per
pair per day across three runs on three days, a rerun of a day replaces it (a full refresh keeps the history), and
a backfill of a past day (stock_as_of_date set, the history asset alone) fills that day only.

Chair A (Chairs: R 14, L 7, safety 7, so S = 28 days of demand), West; reviews every 14 days from 1970-01-01, the
last one on 2024-03-28 for the three days (2024-03-29 is day 19,811 and 19,811 mod 14 = 1). A 90-day window:
- day 1, as of 03-29: 90 (01-15) + 9 (03-29) = 99 units → demand 1.1, S 30.8, 9 sold since the review → on hand
  21.8, cover 19.8 ≥ L + safety = 14 → LOW;
- day 2, as of 03-30: + 9 → 108 → demand 1.2, S 33.6, 18 since → 15.6, cover 13: ≥ 7, < 14 → MEDIUM;
- day 3, as of 03-31: + 20 → 128 → demand 128/90, S 39.82, 38 since → 1.82, cover 1.28 < 7 → HIGH;
- backfill as of 03-15 (day 19,797, last review 03-14): 90 units (01-15) → demand 1.0, S 28, nothing since →
  on hand 28, cover 28 → LOW.
Paper B, East (R 7, L 3, safety 3): 5 units on 02-01 only; a pair every day.
"""

import datetime as dt

import pytest
from dagster import AssetSelection

from ingestion.stock import SUPERSTORE_COLUMNS
from tests.conftest import backfill_risk_history, last_run_sql, materialize_assets, query

STOCK = AssetSelection.groups("stock")
PRODUCTS = {"FUR-CH-1": ("Furniture", "Chairs", "Chair A"), "OFF-PA-1": ("Office Supplies", "Paper", "Paper B")}


def line(row_id: int, date: str, product: str, region: str, qty: int) -> str:
    category, sub_category, name = PRODUCTS[product]
    return (
        f"{row_id},CA-{row_id},{date},{date},Standard Class,C-1,Jo Café,Consumer,United States,Austin,Texas,"
        f"78701,{region},{product},{category},{sub_category},{name},{qty * 10},{qty},0,1.5"
    )


DAYS = {  # the export of each day: the lines sold that day (the first also holds the past)
    dt.date(2024, 3, 29): [
        line(1, "1/15/2024", "FUR-CH-1", "West", 90),
        line(2, "2/1/2024", "OFF-PA-1", "East", 5),
        line(3, "3/29/2024", "FUR-CH-1", "West", 9),
    ],
    dt.date(2024, 3, 30): [line(4, "3/30/2024", "FUR-CH-1", "West", 9)],
    dt.date(2024, 3, 31): [line(5, "3/31/2024", "FUR-CH-1", "West", 20)],
}
CHAIR = {  # as-of date → (on hand, days of cover, risk level) of Chair A, by hand (module docstring)
    dt.date(2024, 3, 15): (28.0, 28.0, "LOW"),
    dt.date(2024, 3, 29): (21.8, 21.8 / 1.1, "LOW"),
    dt.date(2024, 3, 30): (15.6, 13.0, "MEDIUM"),
    dt.date(2024, 3, 31): (28 * 128 / 90 - 38, (28 * 128 / 90 - 38) / (128 / 90), "HIGH"),  # 1.82, 1.28
}


@pytest.fixture
def exports(project_env, monkeypatch):
    """STOCK_SALES_CSV is a folder's glob: each day adds that day's export to it (landing skips the files
    already landed)."""
    folder = project_env / "exports"
    folder.mkdir()
    monkeypatch.setenv("STOCK_SALES_CSV", str(folder / "*.csv"))
    return folder


def add_export(folder, day: dt.date) -> None:
    text = "\r\n".join([",".join(SUPERSTORE_COLUMNS), *DAYS[day]]) + "\r\n"
    (folder / f"sales-{day}.csv").write_bytes(text.encode("cp1252"))


def history(db) -> list[tuple]:
    return query(
        db,
        "select as_of_date, product_id, region, on_hand, days_of_cover, risk_level, invocation_id"
        " from main.fct_stock__risk_history order by as_of_date, product_id, region",
    )


def current_risk(db) -> list[tuple]:
    return query(
        db,
        "select as_of_date, product_id, region, on_hand, days_of_cover, risk_level"
        " from main.fct_stock__risk order by product_id, region",
    )


def chair(rows: list[tuple]) -> dict:
    return {r[0]: (r[3], r[4], r[5]) for r in rows if r[1] == "FUR-CH-1"}


def assert_chair(found: dict, days) -> None:
    assert set(found) == set(days)
    for day in days:
        on_hand, cover, level = CHAIR[day]
        assert found[day][0] == pytest.approx(on_hand, abs=1e-6), day
        assert found[day][1] == pytest.approx(cover, abs=1e-6), day
        assert found[day][2] == level, day


def test_one_row_per_pair_per_day_across_runs_and_a_backfill(exports):
    db = exports.parent / "warehouse.duckdb"

    # three runs on three days: each adds its day, the days before stay as they were
    recorded = []
    for day in DAYS:
        add_export(exports, day)
        assert materialize_assets(selection=STOCK).success
        rows = history(db)
        now = current_risk(db)
        assert {r[0] for r in now} == {day}  # the risk now is as of the day's latest sale
        todays = [r[:6] for r in rows if r[0] == day]
        assert todays == [r for r in now], "the history's new day is the risk of that run"
        assert [r for r in rows if r[0] != day] == recorded, "the earlier days are untouched"
        recorded = rows
    assert [(r[0], r[1], r[2]) for r in recorded] == [
        (day, product, region) for day in DAYS for product, region in (("FUR-CH-1", "West"), ("OFF-PA-1", "East"))
    ]
    assert_chair(chair(recorded), DAYS)
    assert len({r[6] for r in recorded}) == 3  # one invocation per day

    # the same day again, with a full refresh of the project: the day is replaced, not duplicated, and the
    # history survives (full_refresh is off for it)
    rebuild = {"ops": {"tributary_dbt_assets": {"config": {"full_refresh": True}}}}
    assert materialize_assets(selection=STOCK, run_config=rebuild).success
    rows = history(db)
    assert [r[:6] for r in rows] == [r[:6] for r in recorded]
    last = max(DAYS)
    assert {r[6] for r in rows if r[0] == last}.isdisjoint({r[6] for r in recorded})  # rewritten by the rerun
    assert [r for r in rows if r[0] != last] == [r for r in recorded if r[0] != last]
    recorded = rows

    # a backfill of a past day: the history asset alone with stock_as_of_date set fills 2024-03-15 only, and
    # leaves the risk now (as of 03-31) alone
    risk_before = current_risk(db)
    past = dt.date(2024, 3, 15)
    assert backfill_risk_history(past).success
    rows = history(db)
    assert [r for r in rows if r[0] != past] == recorded
    assert [(r[0], r[1], r[2]) for r in rows if r[0] == past] == [
        (past, "FUR-CH-1", "West"),
        (past, "OFF-PA-1", "East"),
    ]
    assert_chair(chair(rows), [past, *DAYS])
    assert current_risk(db) == risk_before
    # the same backfill again: still one row per pair for that day
    assert backfill_risk_history(past).success
    assert [r[:6] for r in history(db)] == [r[:6] for r in rows]
    # the day's rows are deleted by their date alone (a semi-join), never by a join of the day's rows with the new
    # ones on the date, which matches every pair with every other (1.9 s a run at 5,000 products, make bench)
    sql = " ".join(last_run_sql("fct_stock__risk_history").split())
    assert "where ( as_of_date) in ( select (as_of_date) from" in sql and " using " not in sql


def daily(db) -> list[tuple]:
    return query(
        db,
        "select sale_date, product_id, region, order_lines, quantity from main.int_stock__pair_daily_sales"
        " order by sale_date, product_id, region",
    )


def test_daily_sales_recompute_the_days_a_new_export_changes(exports):
    """int_stock__pair_daily_sales is incremental by sale day: the second export restates order line 1 (CA-1,
    row 1: 4 units on 03-28 → 6 units on 03-27; the latest export wins) and adds line 3 on 03-29. The run
    recomputes 03-27, 03-28 and 03-29 only: 03-28 loses its only line and disappears, 03-20 is left as it was
    (same run stamp), and the table equals a full refresh of it."""
    db = exports.parent / "warehouse.duckdb"

    def export(name: str, lines: list[str]) -> None:
        text = "\r\n".join([",".join(SUPERSTORE_COLUMNS), *lines]) + "\r\n"
        (exports / name).write_bytes(text.encode("cp1252"))

    export("sales-1.csv", [
        line(1, "3/28/2024", "FUR-CH-1", "West", 4),
        line(2, "3/29/2024", "OFF-PA-1", "East", 5),
        line(4, "3/20/2024", "OFF-PA-1", "East", 2),
    ])  # fmt: skip
    assert materialize_assets(selection=STOCK).success
    assert daily(db) == [
        (dt.date(2024, 3, 20), "OFF-PA-1", "East", 1, 2),
        (dt.date(2024, 3, 28), "FUR-CH-1", "West", 1, 4),
        (dt.date(2024, 3, 29), "OFF-PA-1", "East", 1, 5),
    ]
    (first_stamp,) = query(db, "select distinct _staged_through from main.int_stock__pair_daily_sales")[0]

    export("sales-2.csv", [
        line(1, "3/27/2024", "FUR-CH-1", "West", 6),
        line(3, "3/29/2024", "FUR-CH-1", "West", 1),
    ])  # fmt: skip
    assert materialize_assets(selection=STOCK).success
    expected = [
        (dt.date(2024, 3, 20), "OFF-PA-1", "East", 1, 2),
        (dt.date(2024, 3, 27), "FUR-CH-1", "West", 1, 6),
        (dt.date(2024, 3, 29), "FUR-CH-1", "West", 1, 1),
        (dt.date(2024, 3, 29), "OFF-PA-1", "East", 1, 5),
    ]
    assert daily(db) == expected
    stamps = dict(query(db, "select sale_date, max(_staged_through) from main.int_stock__pair_daily_sales group by 1"))
    assert stamps[dt.date(2024, 3, 20)] == first_stamp, "a day no new row touches is not rewritten"
    assert stamps[dt.date(2024, 3, 27)] > first_stamp and stamps[dt.date(2024, 3, 29)] > first_stamp
    # the daily mart (a view over it) carries every unit of the usable order lines: 2 + 6 + 1 + 5
    assert query(db, "select sum(quantity) from main.fct_stock__daily_sales") == [(14,)]
    # the run selected the recomputed days by literal dates (its pre-hook deleted the same)
    sql = " ".join(last_run_sql("int_stock__pair_daily_sales", folder="compiled").split())
    assert "date '2024-03-27', date '2024-03-28', date '2024-03-29'" in sql

    rebuild = {"ops": {"tributary_dbt_assets": {"config": {"full_refresh": True}}}}
    assert materialize_assets(selection=STOCK, run_config=rebuild).success
    assert daily(db) == expected
