"""Workbooks land as they are (raw/) and their first sheet is parsed by header name into parsed/; unreadable ones
fail naming the file (or the cell)."""

import datetime as dt

import duckdb
import openpyxl
import pytest

from ingestion.files import IngestionError, cell_text, ingest_files
from ingestion.lake import LocalLake
from ingestion.wine import ERP_COLUMNS

NOW = dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC)


def workbook(path, rows, extra_sheet=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("other").append(extra_sheet)
    book.save(path)
    return path


def ingest(lake, path, table="erp"):
    return ingest_files(lake, "wine", table, str(path), now=NOW, all_or_nothing=True)


def parsed(lake, landed, columns="_line_number, product_id, onsale_web, price, stock_quantity, stock_status"):
    return duckdb.sql(f"select {columns} from read_parquet('{lake.uri(landed.parsed_key)}') order by 1").fetchall()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (3847, "3847"),
        (24.2, "24.2"),
        (12.0, "12.0"),
        (1e-05, "0.00001"),
        (True, "true"),
        (dt.datetime(2018, 6, 1, 13, 53, 46), "2018-06-01 13:53:46"),
        (dt.date(2018, 6, 1), "2018-06-01"),
        ("a\nb", "a\nb"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_a_workbook_lands_as_it_is_and_its_rows_parse_by_header_name(tmp_path):
    src = workbook(
        tmp_path / "erp.xlsx",
        [
            ["Stock_Status", "product_id", "price", "onsale_web", "stock_quantity"],  # any order, any case
            ["outofstock", 3847, 24.2, 1, 0],
            [None, None, None, None, None],  # an empty row is kept (staging quarantines it as empty_row)
            ['in "stock",\nreally', 3849, 34, 1, -2],
        ],
        extra_sheet=["ignored"],  # only the first sheet is read
    )
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, src)
    assert landed.written and landed.records == 3 and landed.rejected == 0
    assert landed.key.startswith("raw/wine/erp/dt=2026-11-15/erp-") and landed.key.endswith(".xlsx")
    assert lake.get(landed.key) == src.read_bytes()
    assert parsed(lake, landed) == [
        (2, "3847", "1", "24.2", "0", "outofstock"),
        (3, None, None, None, None, None),
        (4, "3849", "1", "34", "-2", 'in "stock",\nreally'),
    ]
    [again] = ingest(lake, src)
    assert not again.written and again.key == landed.key


def test_date_cells_are_read_as_dates_and_formulas_as_their_saved_values(tmp_path):
    # A Superstore export saved as xlsx has real date cells: they parse as ISO dates, which staging reads.
    src = tmp_path / "sales.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Row ID", "Order ID", "Order Date", "Region", "Product ID", "Sales", "Quantity"])
    sheet.append([1, "CA-1", dt.datetime(2024, 1, 15), "West", "FUR-1", 10.5, 2])
    book.save(src)
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest_files(lake, "stock", "sales", str(src), now=NOW)
    assert parsed(lake, landed, "order_date, sales") == [("2024-01-15 00:00:00", "10.5")]


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(tmp_path):
    # openpyxl writes formulas without computing them: a program that does so leaves no value to read
    src = workbook(tmp_path / "erp.xlsx", [list(ERP_COLUMNS), [3847, 1, "=10*2.5", 0, "instock"]])
    with pytest.raises(IngestionError, match=r"erp\.xlsx: cell C2 holds the formula =10\*2\.5 with no saved value"):
        ingest(LocalLake(tmp_path / "lake"), src)


def test_csv_input_lands_unchanged(tmp_path):
    src = tmp_path / "erp.csv"
    src.write_text("product_id,onsale_web,price,stock_quantity,stock_status\n3847.0,1,24.2,0,outofstock\n")
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, src)
    assert lake.get(landed.key) == src.read_bytes()
    assert parsed(lake, landed, "product_id") == [("3847.0",)]


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable xlsx workbook"),
        (lambda p: workbook(p, []), "the workbook's first sheet is empty"),
        (lambda p: workbook(p, [["id", "name"], [1, "x"]]), r"required column\(s\) 'product_id'"),
    ],
    ids=["bad-zip", "empty", "other-schema"],
)
def test_unreadable_workbooks_fail_naming_the_file_and_write_nothing(tmp_path, make, problem):
    bad = tmp_path / "erp.xlsx"
    make(bad)
    lake = LocalLake(tmp_path / "lake")
    with pytest.raises(IngestionError, match=problem) as error:
        ingest(lake, bad)
    assert str(bad) in str(error.value)
    assert lake.list("raw/") == []


def test_a_row_wider_than_the_header_is_one_rejected_record(tmp_path):
    src = workbook(tmp_path / "l.xlsx", [["product_id", "id_web"], [1], [2, "x", "overflow"]])
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, src, table="liaison")
    assert parsed(lake, landed, "_line_number, product_id, id_web, _parse_error") == [
        (2, "1", None, None),
        (3, None, None, "wrong_field_count"),
    ]


def test_xlsx_from_s3(tmp_path, moto_s3):
    import boto3

    src = workbook(tmp_path / "erp.xlsx", [list(ERP_COLUMNS), [3847, 1, 24.2, 0, "outofstock"]])
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bottleneck")
    s3.put_object(Bucket="bottleneck", Key="2026-11/erp.xlsx", Body=src.read_bytes())
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, "s3://bottleneck/2026-11/erp.xlsx")
    assert landed.source_path == "s3://bottleneck/2026-11/erp.xlsx" and landed.key.endswith(".xlsx")
    assert parsed(lake, landed, "product_id, stock_status") == [("3847", "outofstock")]
