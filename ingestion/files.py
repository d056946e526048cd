"""Land input files in the raw zone after checking they are readable.

Text lands as UTF-8: a file in another encoding (the Superstore export is cp1252) is decoded strictly with its
declared encoding and re-encoded, so its characters are unchanged and every engine reads the raw zone the
same way (DuckDB's only other built-in decoder, latin-1, rejects cp1252's 0x80–0x9f bytes).

A file lands as `raw/<source>/<table>/dt=<ingestion date>/<stem>-<sha256[:16]>.<ext>`: the content hash in
the name makes re-ingesting the same bytes (on any day) a no-op. Every input of a batch is validated before
anything is written, so an unreadable file fails the whole batch and leaves nothing partial behind.
Row-level problems (a malformed line, a bad date) are not this module's business: staging quarantines them.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import glob
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ingestion.lake import Lake, content_digest, raw_key


class IngestionError(ValueError):
    """An input file cannot be ingested; the message names the file and the problem."""


@dataclass(frozen=True)
class InputFile:
    name: str  # where it came from (path or s3:// URI), for messages
    data: bytes


@dataclass(frozen=True)
class LandedFile:
    source_path: str
    key: str
    written: bool  # False when the same bytes were already in the lake


def read_inputs(pattern: str) -> list[InputFile]:
    """Files matching a local path or glob, or an `s3://bucket/key` URI whose key may hold a glob."""
    if pattern.startswith("s3://"):
        return _read_s3_inputs(pattern)
    paths = sorted(glob.glob(str(Path(pattern).expanduser())))
    files = [Path(p) for p in paths if Path(p).is_file()]
    if not files:
        raise IngestionError(f"{pattern}: no file matches")
    return [InputFile(str(p), p.read_bytes()) for p in files]


def _read_s3_inputs(uri: str) -> list[InputFile]:
    import boto3

    parsed = urlparse(uri)
    bucket, key_pattern = parsed.netloc, parsed.path.lstrip("/")
    client = boto3.client("s3")
    literal_prefix = re.split(r"[*?\[]", key_pattern, maxsplit=1)[0]
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=literal_prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []) if fnmatch.fnmatchcase(o["Key"], key_pattern))
    if not keys:
        raise IngestionError(f"{uri}: no object matches")
    return [
        InputFile(f"s3://{bucket}/{k}", client.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in sorted(keys)
    ]


def check_csv(file: InputFile, encoding: str, expected_columns: Sequence[str]) -> InputFile:
    """Fail with a clear message unless `file` is a decodable CSV whose header holds the expected columns.

    Returns the file as UTF-8.
    """
    if not file.data.strip():
        raise IngestionError(f"{file.name}: the file is empty")
    if b"\x00" in file.data:
        raise IngestionError(f"{file.name}: binary content (NUL bytes), not a {encoding} CSV file")
    try:
        text = file.data.decode(encoding)
    except UnicodeDecodeError as error:
        raise IngestionError(
            f"{file.name}: cannot be decoded as {encoding} "
            f"(byte {file.data[error.start]:#04x} at offset {error.start}); set the encoding of this source"
        ) from None
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    header = [column.strip() for column in header]
    missing = [column for column in expected_columns if column not in header]
    if missing:
        raise IngestionError(
            f"{file.name}: not the expected CSV: header {header[:5]}{'…' if len(header) > 5 else ''} "
            f"lacks column(s) {missing}"
        )
    return InputFile(file.name, text.encode("utf-8"))


def xlsx_to_csv(file: InputFile) -> InputFile:
    """The first worksheet of an xlsx workbook as UTF-8 CSV text, every cell as text (openpyxl).

    Numbers keep Python's text form (openpyxl reads a whole number as an int: CustomerID 17850, where the
    CSV export writes 17850.0; staging accepts both); datetimes are written `YYYY-MM-DD HH:MM:SS`. The result
    lands under the input's stem with a `.csv` suffix.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for a file that is not a workbook
        raise IngestionError(f"{file.name}: not a readable xlsx workbook ({error})") from None
    sheet = workbook.worksheets[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        if all(cell is None for cell in row):
            continue
        writer.writerow(["" if cell is None else _cell_text(cell) for cell in row])
    workbook.close()
    name = str(Path(file.name).with_suffix(".csv")) if not file.name.startswith("s3://") else file.name + ".csv"
    return InputFile(name, buffer.getvalue().encode("utf-8"))


def _cell_text(cell) -> str:
    if isinstance(cell, dt.datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def land_file(lake: Lake, source: str, table: str, file: InputFile, today: dt.date) -> LandedFile:
    """Write one checked file to the raw zone, unless the same bytes already landed (any day)."""
    path = Path(urlparse(file.name).path if file.name.startswith("s3://") else file.name)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem) or "file"
    ext = path.suffix.lstrip(".").lower() or "dat"
    suffix = f"-{content_digest(file.data)[:16]}.{ext}"
    for existing in lake.list(f"raw/{source}/{table}/"):
        if existing.endswith(suffix):
            return LandedFile(file.name, existing, written=False)
    key = raw_key(source, table, today.isoformat(), stem + suffix)
    written = lake.put(key, file.data)
    return LandedFile(file.name, key, written=written)


def ingest_csv(
    lake: Lake,
    source: str,
    table: str,
    pattern: str,
    encoding: str,
    expected_columns: Sequence[str],
    today: dt.date | None = None,
) -> list[LandedFile]:
    """Check every file matching `pattern` (an `.xlsx` file is converted to CSV first), then land them all:
    all or nothing."""
    today = today or dt.datetime.now(dt.UTC).date()
    inputs = [xlsx_to_csv(f) if f.name.lower().endswith(".xlsx") else f for f in read_inputs(pattern)]
    checked = [check_csv(file, encoding, expected_columns) for file in inputs]
    return [land_file(lake, source, table, file, today) for file in checked]
