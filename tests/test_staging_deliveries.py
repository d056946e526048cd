"""Real files through landing, staging and the marts: columns by name, every line accounted for, and the latest
delivery winning by delivery time (issue 14). Figures computed by hand below."""

import datetime as dt
import os
import shutil

import pytest
from dagster import AssetSelection

from tests.conftest import materialize_assets, query

SALES = AssetSelection.groups("stock")

# Three order lines of the Furniture export, by field name
BASE = {
    "Row ID": "1", "Order ID": "CA-1", "Order Date": "3/1/2024", "Ship Date": "3/3/2024", "Ship Mode": "First Class",
    "Customer ID": "C-1", "Customer Name": "Zoë", "Segment": "Consumer", "Country": "United States",
    "City": "Austin", "State": "Texas", "Postal Code": "78701", "Region": "West", "Product ID": "FUR-CH-1",
    "Category": "Furniture", "Sub-Category": "Chairs", "Product Name": "Chair, deluxe", "Sales": "100",
    "Quantity": "2", "Discount": "0", "Profit": "10",
}  # fmt: skip


def row(**changes) -> dict:
    return {**BASE, **{k.replace("_", " "): v for k, v in changes.items()}}


def csv_line(record: dict, columns: list[str]) -> str:
    return ",".join(f'"{record.get(c, "")}"' if "," in record.get(c, "") else record.get(c, "") for c in columns)


def export(path, columns, records, extra_lines=(), bom=False, modified=None, header=None):
    lines = [",".join(header or columns), *(csv_line(r, columns) for r in records), *extra_lines]
    path.write_bytes((("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8"))
    if modified:
        os.utime(path, (modified.timestamp(), modified.timestamp()))
    return path


def units(db) -> dict:
    return dict(query(db, "select order_id || '/' || cast(row_id as varchar), quantity from main.stg_stock__sales"))


def accounting(db) -> tuple[int, int, int]:
    [(raw, staged, quarantined)] = query(
        db,
        "select (select count(*) from raw_stock.sales), (select count(*) from main.stg_stock__sales),"
        " (select count(*) from main.qua_stock__sales)",
    )
    assert raw == staged + quarantined
    return raw, staged, quarantined


@pytest.fixture
def exports(project_env, monkeypatch):
    folder = project_env / "exports"
    folder.mkdir()
    monkeypatch.setenv("STOCK_SALES_ENCODING", "cp1252")
    return folder


def test_columns_by_name_every_line_accounted_and_the_latest_delivery_wins(exports, project_env, monkeypatch):
    db = project_env / "warehouse.duckdb"
    day = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    # Export A: columns reordered, shouting, an extra TotalPrice, no Profit (optional), a byte-order mark; an
    # unbalanced quote (which a reader would let swallow the next line) and an empty line.
    columns = [c for c in reversed(list(BASE)) if c != "Profit"] + ["TotalPrice"]
    a = export(
        exports / "a.csv",
        columns,
        [row(), row(Row_ID="2", Product_ID="OFF-PA-1", Quantity="5", Sales="25")],
        # a quote opened and never closed (a reader would let it swallow the next lines), an empty line
        extra_lines=['5,"CA-9,1/1/2024', "", csv_line(row(Row_ID="4", Order_ID="CA-3", Quantity="1"), columns)],
        bom=True,
        modified=day,
        header=[f" {c.upper()} " for c in columns],
    )
    monkeypatch.setenv("STOCK_SALES_CSV", str(a))
    result = materialize_assets(selection=SALES)
    assert result.success
    [landed] = result.asset_materializations_for_node("stock__raw_sales")
    assert landed.metadata["extra_columns"].value == [" TOTALPRICE "]  # dropped, and said so
    assert units(db) == {"CA-1/1": 2, "CA-1/2": 5, "CA-3/4": 1}
    assert query(db, "select profit from main.stg_stock__sales where row_id = 1") == [(None,)]  # optional, absent
    assert sorted(query(db, "select _line_number, reject_reason from main.qua_stock__sales")) == [
        (4, "malformed_line"),
        (5, "empty_line"),
    ]
    assert accounting(db) == (5, 3, 2)

    # Export B, the same day, corrects line CA-1/1 (3 units): the later delivery wins, the earlier copy is kept
    # in quarantine. A is in the same folder again, unchanged since its delivery: nothing new from it.
    export(exports / "b.csv", list(BASE), [row(Quantity="3", Sales="150")], modified=day + dt.timedelta(hours=1))
    monkeypatch.setenv("STOCK_SALES_CSV", str(exports / "*.csv"))
    assert materialize_assets(selection=SALES).success
    assert units(db) == {"CA-1/1": 3, "CA-1/2": 5, "CA-3/4": 1}
    assert query(db, "select quantity from main.fct_stock__daily_sales where product_id = 'FUR-CH-1'") == [(4,)]
    assert accounting(db) == (6, 3, 3)

    # A delivered again (the same bytes, copied anew after B): it is the newest delivery, so its CA-1/1 (2 units)
    # wins again; its bytes are stored once, its records counted again (and its copies quarantined)
    shutil.copyfile(a, exports / "a_again.csv")
    monkeypatch.setenv("STOCK_SALES_CSV", str(exports / "a_again.csv"))
    assert materialize_assets(selection=SALES).success
    assert units(db) == {"CA-1/1": 2, "CA-1/2": 5, "CA-3/4": 1}
    assert query(db, "select quantity from main.fct_stock__daily_sales where product_id = 'FUR-CH-1'") == [(3,)]
    assert accounting(db) == (11, 3, 8)
    assert len(list((project_env / "lake" / "raw" / "stock" / "sales").rglob("*.csv"))) == 2  # A's bytes once

    # a full refresh rebuilds everything from the parsed files and gives the same answer
    assert materialize_assets(selection=SALES, run_config={
        "ops": {"tributary_dbt_assets": {"config": {"full_refresh": True}}}}).success  # fmt: skip
    assert units(db) == {"CA-1/1": 2, "CA-1/2": 5, "CA-3/4": 1}
    assert accounting(db) == (11, 3, 8)


def test_a_file_without_a_required_column_fails_its_check_naming_file_and_column(exports, project_env, monkeypatch):
    good = export(exports / "good.csv", list(BASE), [row()])
    bad = export(exports / "no_region.csv", [c for c in BASE if c != "Region"], [row()])
    monkeypatch.setenv("STOCK_SALES_CSV", str(exports / "*.csv"))
    result = materialize_assets(selection=AssetSelection.assets(["stock", "raw_sales"]))
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == "inputs_landed" and not check.passed
    assert f"{bad}: required column(s) 'region' missing from the header" in check.description
    # the other file of the folder landed all the same: one bad file never blocks the others
    [landed] = result.asset_materializations_for_node("stock__raw_sales")
    assert landed.metadata["files_written"].value == 1 and str(good) not in check.description
