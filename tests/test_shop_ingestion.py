"""Shop ingestion: the sample generator, xlsx conversion, and the assets' choice of input."""

import csv
import datetime as dt

import duckdb
import openpyxl
import pytest
from dagster import AssetSelection

from ingestion.files import IngestionError, ingest_files
from ingestion.lake import LocalLake
from ingestion.shop import CLIENTS_COLUMNS, ONLINE_RETAIL_COLUMNS, ORDERS_COLUMNS
from ingestion.shop.generate import generate
from tests.conftest import materialize_assets

END = dt.date(2024, 6, 30)


def test_generator_is_deterministic_and_scales(tmp_path):
    first = generate(tmp_path / "a", orders=2000, end=END)
    second = generate(tmp_path / "b", orders=2000, end=END)
    assert first.orders_path.read_bytes() == second.orders_path.read_bytes()
    assert first.clients_path.read_bytes() == second.clients_path.read_bytes()
    # 2,000 clean orders; at this scale (k = 2) 7 kinds of bad order and a repeated order twice, plus a truncated line
    assert (first.orders_rows, first.orders_dirty) == (2000 + 2 * 8 + 1, 2 * 8 + 1)
    with first.orders_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ORDERS_COLUMNS
    assert len(rows) - 1 == first.orders_rows
    with first.clients_path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == CLIENTS_COLUMNS
    for orders in (999, 1_000_001):
        with pytest.raises(ValueError, match="between 1,000 and 1,000,000"):
            generate(tmp_path / "c", orders=orders, end=END)


def test_an_online_retail_workbook_parses_by_header_name(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(ONLINE_RETAIL_COLUMNS)
    workbook.active.append(["536365", "85123A", "WHITE, HEART", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850.0,
                            "United Kingdom"])  # fmt: skip
    workbook.save(tmp_path / "retail.xlsx")
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest_files(lake, "shop", "online_retail", str(tmp_path / "retail.xlsx"))
    assert landed.key.endswith(".xlsx")
    row = duckdb.sql(
        "select invoice_no, stock_code, description, quantity, invoiced_at, unit_price, customer_id, country "
        f"from read_parquet('{lake.uri(landed.parsed_key)}')"
    ).fetchall()
    assert row == [("536365", "85123A", "WHITE, HEART", "6", "2010-12-01 08:26:00", "2.55", "17850", "United Kingdom")]
    # the same workbook again adds nothing
    [again] = ingest_files(lake, "shop", "online_retail", str(tmp_path / "retail.xlsx"))
    assert not again.written


def test_a_broken_workbook_fails_naming_the_file_and_writes_nothing(tmp_path):
    bad = tmp_path / "retail.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    lake = LocalLake(tmp_path / "lake")
    with pytest.raises(IngestionError, match="retail.xlsx: not a readable xlsx workbook"):
        ingest_files(lake, "shop", "online_retail", str(bad), all_or_nothing=True)
    assert lake.list("raw/") == []


def test_unconfigured_online_retail_lands_nothing(project_env):
    result = materialize_assets(selection=AssetSelection.assets(["shop", "raw_online_retail"]))
    assert result.success
    [materialization] = result.asset_materializations_for_node("shop__raw_online_retail")
    assert materialization.metadata["files"].value == 0
    assert not (project_env / "lake" / "raw").exists()
