"""xlsx inputs land as CSV text (every cell as text, one record per line); unreadable ones fail naming the file."""

import datetime as dt

import openpyxl
import pytest

from ingestion.files import IngestionError, InputFile, cell_text, ingest_csv, xlsx_to_csv
from ingestion.lake import LocalLake
from ingestion.wine import ERP_COLUMNS

DAY = dt.date(2026, 11, 15)


def workbook(path, rows, extra_sheet=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("other").append(extra_sheet)
    book.save(path)
    return path


def ingest(lake, path):
    return ingest_csv(lake, "wine", "erp", str(path), "utf-8", ERP_COLUMNS, today=DAY)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (3847, "3847"),
        (24.2, "24.2"),
        (12.0, "12.0"),
        (1e-05, "0.00001"),
        (True, "true"),
        (dt.datetime(2018, 6, 1, 13, 53, 46), "2018-06-01 13:53:46"),
        (dt.date(2018, 6, 1), "2018-06-01"),
        ("a\nb\r\nc\\d", "a\\nb\\nc\\\\d"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_xlsx_lands_as_csv_text_one_record_per_line(tmp_path):
    src = workbook(
        tmp_path / "erp.xlsx",
        [
            list(ERP_COLUMNS),
            [3847, 1, 24.2, 0, "outofstock"],
            [None, None, None, None, None],  # an empty row is kept, as a line of empty fields
            [3849, 1, 34, -2, 'in "stock",\nreally'],
        ],
        extra_sheet=["ignored"],  # only the first sheet is read
    )
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, src)
    assert landed.written
    assert landed.key.startswith("raw/wine/erp/dt=2026-11-15/erp-") and landed.key.endswith(".csv")
    assert lake.get(landed.key).decode("utf-8") == (
        "product_id,onsale_web,price,stock_quantity,stock_status\n"
        "3847,1,24.2,0,outofstock\n"
        ",,,,\n"
        '3849,1,34,-2,"in ""stock"",\\nreally"\n'
    )
    # the conversion is deterministic: the same workbook adds nothing
    [again] = ingest(lake, src)
    assert not again.written and again.key == landed.key


def test_csv_input_lands_unchanged(tmp_path):
    src = tmp_path / "erp.csv"
    src.write_text("product_id,onsale_web,price,stock_quantity,stock_status\n3847.0,1,24.2,0,outofstock\n")
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, src)
    assert lake.get(landed.key) == src.read_bytes()


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable xlsx workbook"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n"), "not a readable xlsx workbook"),
        (lambda p: workbook(p, []), "the workbook's first sheet is empty"),
        (lambda p: workbook(p, [["id", "name"], [1, "x"]]), r"lacks column\(s\) \['product_id'"),
    ],
    ids=["bad-zip", "not-xlsx", "empty", "other-schema"],
)
def test_unreadable_workbooks_fail_naming_the_file_and_write_nothing(tmp_path, make, problem):
    bad = tmp_path / "erp.xlsx"
    make(bad)
    lake = LocalLake(tmp_path / "lake")
    with pytest.raises(IngestionError, match=problem) as error:
        ingest(lake, bad)
    assert str(bad) in str(error.value)
    assert lake.list("raw/") == []


def test_xlsx_to_csv_pads_short_rows(tmp_path):
    src = workbook(tmp_path / "l.xlsx", [["product_id", "id_web"], [1]])
    converted = xlsx_to_csv(InputFile(str(src), src.read_bytes()))
    assert converted.ext == "csv" and converted.data == b"product_id,id_web\n1,\n"


def test_xlsx_from_s3(tmp_path, moto_s3):
    import boto3

    src = workbook(tmp_path / "erp.xlsx", [list(ERP_COLUMNS), [3847, 1, 24.2, 0, "outofstock"]])
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bottleneck")
    s3.put_object(Bucket="bottleneck", Key="2026-11/erp.xlsx", Body=src.read_bytes())
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, "s3://bottleneck/2026-11/erp.xlsx")
    assert landed.source_path == "s3://bottleneck/2026-11/erp.xlsx" and landed.key.endswith(".csv")
    assert lake.get(landed.key).decode().splitlines()[1] == "3847,1,24.2,0,outofstock"
