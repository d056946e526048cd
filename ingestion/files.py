"""Land input files in the raw zone after checking they are readable.

Text lands as UTF-8: a file in another encoding (the Superstore export is cp1252) is decoded strictly with its
declared encoding and re-encoded, so its characters are unchanged and every engine reads the raw zone the
same way (DuckDB's only other built-in decoder, latin-1, rejects cp1252's 0x80–0x9f bytes).

A file lands as `raw/<source>/<table>/dt=<ingestion date>/<stem>-<sha256[:16]>.<ext>`: the content hash in
the name makes re-ingesting the same bytes (on any day) a no-op. Every input of a batch is validated before
anything is written, so an unreadable file fails the whole batch and leaves nothing partial behind.
Row-level problems (a malformed line, a bad date) are not this module's business: staging quarantines them.

Spreadsheets (xlsx) land as CSV text: `xlsx_to_csv` reads the first sheet with openpyxl and writes every cell as
text, one record per physical line, so staging does the typing exactly as for a CSV export (`ingest_table`).
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import glob
import io
import json
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

from ingestion.lake import Lake, content_digest, raw_key


class IngestionError(ValueError):
    """An input file cannot be ingested; the message names the file and the problem."""


@dataclass(frozen=True)
class InputFile:
    name: str  # where it came from (path or s3:// URI), for messages
    data: bytes
    ext: str | None = None  # extension of the landed file when it differs from the name's (xlsx landed as csv)


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
    from ingestion import aws

    parsed = urlparse(uri)
    bucket, key_pattern = parsed.netloc, parsed.path.lstrip("/")
    client = aws.client("s3")
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
    """Fail with a clear message unless `file` is a decodable CSV whose header is exactly the expected
    columns, in order.

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
    if header != list(expected_columns):
        missing = [column for column in expected_columns if column not in header]
        extra = [column for column in header if column not in expected_columns]
        problem = (
            f"lacks column(s) {missing}" if missing else f"has extra column(s) {extra}" if extra else "order differs"
        )
        raise IngestionError(
            f"{file.name}: not the expected CSV (staging reads fields by position): header "
            f"{header[:5]}{'…' if len(header) > 5 else ''} {problem}; expected {list(expected_columns)}"
        )
    return replace(file, data=text.encode("utf-8"))


def land_file(lake: Lake, source: str, table: str, file: InputFile, today: dt.date) -> LandedFile:
    """Write one checked file to the raw zone, unless the same bytes already landed (any day)."""
    path = Path(urlparse(file.name).path if file.name.startswith("s3://") else file.name)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem) or "file"
    ext = file.ext or path.suffix.lstrip(".").lower() or "dat"
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
    """Check every file matching `pattern`, then land them all: all or nothing.

    An xlsx input (told by its content or name) is converted with `xlsx_to_csv` first and lands as UTF-8 CSV.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    inputs = [xlsx_to_csv(file) if is_xlsx(file) else file for file in read_inputs(pattern)]
    checked = [check_csv(file, "utf-8" if file.ext == "csv" else encoding, expected_columns) for file in inputs]
    return [land_file(lake, source, table, file, today) for file in checked]


XLSX_MAGIC = b"PK\x03\x04"  # an xlsx file is a zip archive


def is_xlsx(file: InputFile) -> bool:
    return file.data.startswith(XLSX_MAGIC) or file.name.lower().endswith((".xlsx", ".xlsm"))


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: empty for an empty cell, numbers without exponent (12.0 stays 12.0, staging
    reads it), dates in ISO format. Line breaks inside a cell are written as the two characters `\\n` (and a
    backslash as `\\\\`), so that every record stays on one physical line of the raw file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def xlsx_to_csv(file: InputFile) -> InputFile:
    """The first sheet of an xlsx file as UTF-8 CSV text: every cell as text (`cell_text`), every row kept
    (an empty row becomes a line of empty fields, so staging counts and quarantines it), all rows as wide as
    the widest. Fails with IngestionError naming the file when it is not a readable workbook."""
    import openpyxl

    with warnings.catch_warnings():  # openpyxl warns about Excel extensions it does not read (noise)
        warnings.simplefilter("ignore", UserWarning)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise IngestionError(f"{file.name}: not a readable xlsx workbook ({error})") from None
        try:
            sheet = workbook.worksheets[0]
            rows = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    while rows and not any(rows[-1]):  # trailing blank rows are the sheet's extent, not data
        rows.pop()
    if not rows:
        raise IngestionError(f"{file.name}: the workbook's first sheet is empty")
    width = max(len(row) for row in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(row + [""] * (width - len(row)) for row in rows)
    return replace(file, data=out.getvalue().encode("utf-8"), ext="csv")


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def decode_utf8(file: InputFile, what: str = "") -> str:
    """The text of a UTF-8 input without its byte-order mark; IngestionError naming the file when it is empty or
    not UTF-8 (`what` says what the file should be, for the message)."""
    try:
        text = file.data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise IngestionError(f"{file.name}: not UTF-8 (byte offset {error.start}){what}") from None
    if not text.strip():
        raise IngestionError(f"{file.name}: the file is empty")
    return text


def json_to_lines(file: InputFile) -> InputFile:
    """A JSON file as JSON lines, one record per physical line (raw relations read one row per line).

    A file whose content starts with `[` is a JSON array of objects: it must parse (else IngestionError naming
    the file), and each element is written compactly on its own line, unchanged otherwise. Any other file is taken
    as JSON lines already and lands as received (blank lines dropped): a line that does not parse is one row that
    staging quarantines, not a failed file. A single JSON object spread over several lines is neither: an error."""
    text = decode_utf8(file, "; JSON is UTF-8")
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise IngestionError(f"{file.name}: not a valid JSON array ({error})") from None
        if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
            raise IngestionError(f"{file.name}: a JSON array whose elements are not all objects (records)")
        lines = [json.dumps(record, ensure_ascii=False) for record in records]
    else:
        lines = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
        if len(lines) > 1 and not _parses(lines[0]) and _parses(text):
            raise IngestionError(
                f"{file.name}: one JSON document over several lines; expected a JSON array of records or JSON lines"
            )
    if not lines:
        raise IngestionError(f"{file.name}: no record")
    return replace(file, data=("\n".join(lines) + "\n").encode("utf-8"), ext="jsonl")


def ingest_json_records(
    lake: Lake, source: str, table: str, pattern: str, today: dt.date | None = None
) -> list[LandedFile]:
    """Land every JSON file matching `pattern` (an array of records, or JSON lines) as JSON lines: all or nothing."""
    today = today or dt.datetime.now(dt.UTC).date()
    checked = [json_to_lines(file) for file in read_inputs(pattern)]
    return [land_file(lake, source, table, file, today) for file in checked]
