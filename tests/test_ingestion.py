import datetime as dt

import pytest

from ingestion.files import IngestionError, ingest_csv
from ingestion.lake import LocalLake
from ingestion.stock import SUPERSTORE_COLUMNS

HEADER = ",".join(SUPERSTORE_COLUMNS)
LINE = (
    "1,CA-1,1/15/2024,1/17/2024,Second Class,C-1,Zoë Café,Consumer,United States,Henderson,Kentucky,42420,"
    'South,FUR-CH-1,Furniture,Chairs,"Chair, ‘Señor’ edition",300,3,0,41.9'
)
DAY = dt.date(2024, 2, 1)


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def ingest(lake, pattern, today=DAY):
    return ingest_csv(lake, "stock", "sales", str(pattern), "cp1252", SUPERSTORE_COLUMNS, today=today)


def test_cp1252_export_lands_as_utf8_with_the_same_characters(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    src = write(tmp_path / "export.csv", f"{HEADER}\r\n{LINE}\r\n".encode("cp1252"))
    [landed] = ingest(lake, src)
    assert landed.written
    assert landed.key.startswith("raw/stock/sales/dt=2024-02-01/export-") and landed.key.endswith(".csv")
    assert lake.get(landed.key).decode("utf-8") == f"{HEADER}\r\n{LINE}\r\n"


def test_reingesting_the_same_file_on_another_day_adds_nothing(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    src = write(tmp_path / "export.csv", f"{HEADER}\n{LINE}\n".encode("cp1252"))
    [first] = ingest(lake, src)
    [again] = ingest(lake, src, today=DAY + dt.timedelta(days=3))
    assert not again.written and again.key == first.key
    assert lake.list("raw/stock/sales/") == [first.key]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b"  \r\n", "the file is empty"),
        (f"{HEADER}\n{LINE}\n".encode("utf-16"), r"binary content \(NUL bytes\)"),
        (HEADER.encode() + b"\n1,\x81\n", r"cannot be decoded as cp1252 \(byte 0x81 at offset \d+\)"),
        (b"\x89PNG\r\n\x1a\n rest of an image", "not the expected CSV"),
        (b"id,name\n1,x\n", r"lacks column\(s\) \['Row ID'"),
        (",".join(reversed(SUPERSTORE_COLUMNS)).encode() + b"\n", "order differs"),
        (f"{HEADER},Extra".encode() + b"\n", r"has extra column\(s\) \['Extra'\]"),
    ],
    ids=["empty", "blank", "utf16", "undecodable", "not-csv", "other-schema", "reordered", "extra-column"],
)
def test_unreadable_files_fail_naming_the_file_and_write_nothing(tmp_path, content, problem):
    lake = LocalLake(tmp_path / "lake")
    write(tmp_path / "a_good.csv", f"{HEADER}\n{LINE}\n".encode("cp1252"))
    bad = write(tmp_path / "b_bad.csv", content)
    with pytest.raises(IngestionError, match=problem) as error:
        ingest(lake, tmp_path / "*.csv")
    assert str(bad) in str(error.value)
    assert lake.list("raw/") == []  # the good file of the same batch was not landed either


def test_no_matching_file(tmp_path):
    with pytest.raises(IngestionError, match="no file matches"):
        ingest(LocalLake(tmp_path / "lake"), tmp_path / "missing-*.csv")


def test_s3_input_glob(tmp_path, moto_s3):
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="exports")
    s3.put_object(Bucket="exports", Key="superstore/2024/a.csv", Body=f"{HEADER}\n{LINE}\n".encode("cp1252"))
    s3.put_object(Bucket="exports", Key="superstore/2024/readme.txt", Body=b"not me")
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, "s3://exports/superstore/*/*.csv")
    assert landed.source_path == "s3://exports/superstore/2024/a.csv"
    assert lake.get(landed.key).decode() == f"{HEADER}\n{LINE}\n"
