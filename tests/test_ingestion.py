"""Landing files: original bytes in raw/, records parsed once by name into parsed/ (ingestion/files.py, parse.py)."""

import datetime as dt
import os

import duckdb
import pytest

from ingestion.files import IngestionError, ingest_files
from ingestion.lake import LocalLake
from ingestion.stock import SUPERSTORE_COLUMNS

HEADER = ",".join(SUPERSTORE_COLUMNS)
LINE = (
    "1,CA-1,1/15/2024,1/17/2024,Second Class,C-1,Zoë Café,Consumer,United States,Henderson,Kentucky,42420,"
    'South,FUR-CH-1,Furniture,Chairs,"Chair, ‘Señor’ edition",300,3,0,41.9'
)
NOW = dt.datetime(2024, 2, 1, 12, 0, tzinfo=dt.UTC)


def write(path, data: bytes, modified: dt.datetime | None = None):
    path.write_bytes(data)
    if modified:
        os.utime(path, (modified.timestamp(), modified.timestamp()))
    return path


def ingest(lake, pattern, now=NOW, encoding="cp1252", all_or_nothing=True):
    return ingest_files(lake, "stock", "sales", str(pattern), encoding, now=now, all_or_nothing=all_or_nothing)


def parsed_rows(lake, key, columns="_line_number, order_id, customer_name, product_name, _parse_error"):
    return duckdb.sql(f"select {columns} from read_parquet('{lake.uri(key)}') order by _line_number").fetchall()


def test_a_cp1252_export_lands_untouched_and_its_records_parse_with_their_characters(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    data = f"{HEADER}\r\n{LINE}\r\n".encode("cp1252")
    [landed] = ingest(lake, write(tmp_path / "export.csv", data))
    assert landed.written and landed.encoding == "cp1252"
    assert landed.key.startswith("raw/stock/sales/dt=2024-02-01/export-") and landed.key.endswith(".csv")
    assert lake.get(landed.key) == data  # the original bytes, untouched
    assert landed.parsed_key.startswith("parsed/stock/sales/dt=2024-02-01/20240201T120000000000Z-export-")
    assert parsed_rows(lake, landed.parsed_key) == [(2, "CA-1", "Zoë Café", "Chair, ‘Señor’ edition", None)]


def test_a_utf8_export_is_read_as_utf8_whatever_the_declared_encoding(tmp_path):
    # Read as cp1252, "é" (C3 A9) would land as "Ã©": valid UTF-8 is taken for what it is.
    lake = LocalLake(tmp_path / "lake")
    [landed] = ingest(lake, write(tmp_path / "export.csv", f"{HEADER}\n{LINE}\n".encode()), encoding="cp1252")
    assert landed.encoding == "utf-8"
    assert parsed_rows(lake, landed.parsed_key)[0][2] == "Zoë Café"


def test_the_header_is_matched_by_name_whatever_its_order_case_spaces_and_byte_order_mark(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    columns = list(reversed(SUPERSTORE_COLUMNS))
    header = ",".join(f"  {c.upper()} " for c in columns) + ",TotalPrice"  # reordered, shouting, padded, one extra
    fields = list(reversed(next(__import__("csv").reader([LINE])))) + ["900"]
    line = ",".join(f'"{f}"' for f in fields)
    [landed] = ingest(lake, write(tmp_path / "x.csv", ("\ufeff" + header + "\n" + line + "\n").encode()))
    assert landed.extra_columns == ("TotalPrice",)
    assert parsed_rows(lake, landed.parsed_key) == [(2, "CA-1", "Zoë Café", "Chair, ‘Señor’ edition", None)]


def test_a_missing_optional_column_is_null_and_a_missing_required_one_fails_naming_file_and_column(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    keep = [i for i, c in enumerate(SUPERSTORE_COLUMNS) if c != "Profit"]
    fields = next(__import__("csv").reader([LINE]))
    header = ",".join(SUPERSTORE_COLUMNS[i] for i in keep)
    line = ",".join(f'"{fields[i]}"' for i in keep)
    [landed] = ingest(lake, write(tmp_path / "no_profit.csv", f"{header}\n{line}\n".encode()))
    assert landed.missing_optional == ("profit",)
    assert parsed_rows(lake, landed.parsed_key, "order_id, profit") == [("CA-1", None)]

    without_region = HEADER.replace(",Region,", ",")
    bad = write(tmp_path / "no_region.csv", f"{without_region}\n".encode())
    with pytest.raises(IngestionError, match=r"no_region\.csv: required column\(s\) 'region' missing"):
        ingest(lake, bad)


def test_every_physical_line_is_one_row_with_the_readers_reason(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    fields = next(__import__("csv").reader([LINE]))
    good = ",".join(f'"{f}"' for f in fields)
    lines = [
        HEADER,
        good,  # 2
        good.replace('"CA-1"', '"CA-2"') + ',"extra"',  # 3: one field too many
        "",  # 4: an empty line
        good.replace('"CA-1"', '"CA-3'),  # 5: a quote left open (a reader would swallow the lines after it)
        good.replace('"CA-1"', '"CA-4"'),  # 6
        '7,"broken',  # 7: a line break inside a quoted field: two broken lines, each with its reason
        'rest",x',  # 8: too few fields
        good.replace('"CA-1"', '"CA-5"'),  # 9
    ]
    [landed] = ingest(lake, write(tmp_path / "dirty.csv", ("\n".join(lines) + "\n").encode()))
    rows = parsed_rows(lake, landed.parsed_key, "_line_number, order_id, _parse_error")
    assert rows == [
        (2, "CA-1", None),
        (3, None, "wrong_field_count"),
        (4, None, "empty_line"),
        (5, None, "malformed_line"),
        (6, "CA-4", None),
        (7, None, "malformed_line"),
        (8, None, "wrong_field_count"),
        (9, "CA-5", None),
    ]
    assert landed.records == 8 and landed.rejected == 5  # 9 lines: the header and 8 records, nothing lost
    text = duckdb.sql(f"select _raw_line from read_parquet('{lake.uri(landed.parsed_key)}') where _line_number = 5")
    assert text.fetchone()[0].startswith('"1","CA-3,')


def test_clean_and_holed_files_are_numbered_by_the_fast_reader(tmp_path):
    # a rejected single line and an empty line: DuckDB reads the file, the holes are numbered around
    lake = LocalLake(tmp_path / "lake")
    fields = next(__import__("csv").reader([LINE]))
    good = ",".join(f'"{f}"' for f in fields)
    lines = [HEADER] + [good.replace('"CA-1"', f'"CA-{i}"') for i in range(2, 7)]
    lines[3] = lines[3] + ",extra"  # line 4
    lines.insert(5, "")  # line 6 empty, the next records move down
    [landed] = ingest(lake, write(tmp_path / "holes.csv", ("\n".join(lines) + "\n").encode()))
    rows = parsed_rows(lake, landed.parsed_key, "_line_number, order_id, _parse_error")
    assert rows == [(2, "CA-2", None), (3, "CA-3", None), (4, None, "wrong_field_count"), (5, "CA-5", None),
                    (6, None, "empty_line"), (7, "CA-6", None)]  # fmt: skip


def test_records_streamed_in_several_batches_keep_their_line_numbers(tmp_path, monkeypatch):
    # the reader's records are numbered as they stream out of DuckDB (parse._write_numbered): batches of 3
    # records and row groups of 2 here, so that numbering crosses batches, and a hole is numbered around
    from ingestion import parse

    monkeypatch.setattr(parse, "NUMBERED_BATCH", 3)
    monkeypatch.setattr(parse, "ROW_GROUP", 2)
    lake = LocalLake(tmp_path / "lake")
    fields = next(__import__("csv").reader([LINE]))
    good = ",".join(f'"{f}"' for f in fields)
    lines = [HEADER] + [good.replace('"CA-1"', f'"CA-{i}"') for i in range(2, 12)]  # CA-n on line n
    [clean] = ingest(lake, write(tmp_path / "clean.csv", ("\n".join(lines) + "\n").encode()))
    rows = parsed_rows(lake, clean.parsed_key, "_line_number, order_id")
    assert rows == [(n, f"CA-{n}") for n in range(2, 12)]
    row_groups = duckdb.sql(
        f"select count(distinct row_group_id) from parquet_metadata('{lake.uri(clean.parsed_key)}')"
    )
    assert row_groups.fetchone()[0] == 7  # batches of 3, 3, 3 and 1 records, each in row groups of at most 2
    lines[7] += ",extra"  # line 8 rejected: the records after it keep their own lines
    [holed] = ingest(lake, write(tmp_path / "holed.csv", ("\n".join(lines) + "\n").encode()), now=NOW.replace(hour=13))
    rows = parsed_rows(lake, holed.parsed_key, "_line_number, order_id, _parse_error")
    assert rows == [(n, None if n == 8 else f"CA-{n}", "wrong_field_count" if n == 8 else None) for n in range(2, 12)]


def test_the_same_bytes_again_are_no_new_delivery_unless_delivered_again_after_a_newer_export(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    old = write(tmp_path / "a.csv", f"{HEADER}\n{LINE}\n".encode(), modified=NOW - dt.timedelta(days=2))
    [first] = ingest(lake, old)
    [again] = ingest(lake, old, now=NOW + dt.timedelta(hours=1))
    assert not again.written and again.reason == "the same bytes are already the latest delivery"
    newer = write(tmp_path / "b.csv", f"{HEADER}\n{LINE.replace(',300,', ',310,')}\n".encode())
    [second] = ingest(lake, newer, now=NOW + dt.timedelta(hours=2))
    assert second.written
    # the same glob again: both unchanged since their delivery, nothing new
    assert [f.written for f in ingest(lake, tmp_path / "*.csv", now=NOW + dt.timedelta(hours=3))] == [False, False]
    # the old export delivered again (copied anew): it is the newest delivery now
    redelivered = write(tmp_path / "a_again.csv", old.read_bytes(), modified=NOW + dt.timedelta(hours=4))
    [third] = ingest(lake, redelivered, now=NOW + dt.timedelta(hours=4))
    assert third.written and third.key == first.key  # one copy of the bytes, two deliveries
    assert len(lake.list("parsed/stock/sales/")) == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b"  \r\n", "the file is empty"),
        (f"{HEADER}\n{LINE}\n".encode("utf-16"), r"binary content \(NUL bytes\)"),
        (HEADER.encode() + b"\n1,\x81\n", r"neither UTF-8 nor cp1252 \(byte 0x81 at offset \d+\)"),
        (b"\x89PNG\r\n\x1a\n rest of an image", "required column"),
        (b"id,name\n1,x\n", r"required column\(s\) 'row_id', 'order_id'"),
        (b"Row ID,Row ID\n1,2\n", "appears twice"),
    ],
    ids=["empty", "blank", "utf16", "undecodable", "not-csv", "other-schema", "repeated-column"],
)
def test_unreadable_files_fail_naming_the_file_and_write_nothing(tmp_path, content, problem):
    lake = LocalLake(tmp_path / "lake")
    write(tmp_path / "a_good.csv", f"{HEADER}\n{LINE}\n".encode("cp1252"))
    bad = write(tmp_path / "b_bad.csv", content)
    with pytest.raises(IngestionError, match=problem) as error:
        ingest(lake, tmp_path / "*.csv")
    assert str(bad) in str(error.value)
    assert lake.list("raw/") == [] and lake.list("parsed/") == []  # the good file of the batch was not landed


def test_by_default_a_bad_file_is_skipped_and_named_and_never_blocks_the_others(tmp_path):
    lake = LocalLake(tmp_path / "lake")
    write(tmp_path / "a_good.csv", f"{HEADER}\n{LINE}\n".encode("cp1252"))
    bad = write(tmp_path / "b_bad.csv", b"id,name\n1,x\n")
    landed = ingest(lake, tmp_path / "*.csv", all_or_nothing=False)
    [failed] = [f for f in landed if f.error]
    assert failed.source_path == str(bad) and not failed.written
    assert f"{bad}: required column(s) 'row_id'" in failed.error
    [good] = [f for f in landed if f.written]
    assert good.source_path.endswith("a_good.csv") and lake.exists(good.parsed_key)


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
    assert lake.get(landed.key) == f"{HEADER}\n{LINE}\n".encode("cp1252")


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64])
def test_the_chunked_probe_counts_lines_and_checks_utf8_wherever_the_chunks_are_cut(chunk_size):
    """The landing reads a file in chunks: a line break pair, a '\\r\\n' or a multi-byte character cut by a chunk's
    edge is found as in the whole text. Each case: (bytes, lines, empty lines, UTF-8 valid, first invalid byte)."""
    from ingestion.files import Utf8Check
    from ingestion.parse import LineCounter

    cases = [
        (b"", 0, [], True, None),
        (b"\n", 1, [1], True, None),
        (b"\r\n", 1, [1], True, None),
        (b"a\n\nb\n\r\n\r\nc", 6, [2, 4, 5], True, None),  # a last line without a break
        ("h\néé\n\n€,x\r\n\n".encode(), 5, [3, 5], True, None),  # multi-byte characters
        (b"ok\n\xc3", 2, [], False, 3),  # a sequence cut by the end of the file
        (b"ab\xe2\x82x\n", 1, [], False, 2),  # a sequence broken in the middle
        ("é".encode("cp1252") + b"\n", 1, [], False, 0),
    ]
    for data, lines, empty, valid, bad_offset in cases:
        counter, utf8 = LineCounter(), Utf8Check()
        for start in range(0, len(data), chunk_size):
            counter.feed(data[start : start + chunk_size])
            utf8.feed(data[start : start + chunk_size])
        utf8.finish()
        found = counter.result()
        assert (found.lines, list(found.empty_lines)) == (lines, empty), data
        assert (utf8.valid, utf8.bad_offset) == (valid, bad_offset), data
