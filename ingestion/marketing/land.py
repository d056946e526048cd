"""Landing of the marketing web logs, which come in two shapes.

Real web servers write Apache Common Log Format (or Combined, which appends the referer and user agent):

    203.0.113.9 - - [25/Nov/2024:13:55:36 +0000] "GET /products/42 HTTP/1.1" 404 512

The original team's generator wrote a CSV of the same facts (IP_Address, URL, Status_Code, Timestamp). A file whose
first line is that header (by name: case, spaces and order do not matter) lands in raw/marketing/web_logs_csv/;
any other file must be log lines and lands in raw/marketing/web_logs/. Staging parses both into one model.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from ingestion.contracts import normalize_name
from ingestion.files import IngestionError, LandedFile, ingest_files, list_inputs
from ingestion.lake import Lake
from ingestion.marketing import SOURCE, WEB_LOG_CSV_COLUMNS, WEB_LOGS_CSV_TABLE, WEB_LOGS_TABLE

# Loose on purpose: only tells a log file from something else (a spreadsheet, a JSON file); staging checks each line.
_LOG_LINE = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "')
_CSV_HEADER = {normalize_name(column) for column in WEB_LOG_CSV_COLUMNS}


def web_log_table(path: Path, name: str) -> str:
    """Which raw table a web-log file lands in; IngestionError naming it when neither shape."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    try:
        text = head.decode("utf-8-sig", errors="strict" if len(head) < 64 * 1024 else "ignore")
    except UnicodeDecodeError as error:
        raise IngestionError(f"{name}: not UTF-8 (byte offset {error.start})") from None
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        raise IngestionError(f"{name}: the file is empty")
    if {normalize_name(column) for column in first.split(",")} == _CSV_HEADER:
        return WEB_LOGS_CSV_TABLE
    if _LOG_LINE.match(first):
        return WEB_LOGS_TABLE
    raise IngestionError(
        f"{name}: neither Apache Common Log Format lines nor a CSV with header {','.join(WEB_LOG_CSV_COLUMNS)} "
        f"(first line: {first[:80]!r})"
    )


def ingest_web_logs(lake: Lake, pattern: str, now: dt.datetime | None = None) -> list[LandedFile]:
    """Tell every file matching `pattern` apart, then land each in the table of its shape; a file of neither shape
    is returned with its error (the others land)."""
    with tempfile.TemporaryDirectory(prefix="tributary-logs-") as work:
        inputs = list_inputs(pattern, Path(work))
        tables: dict[str, list[str]] = {}
        landed = []
        for file in inputs:
            try:
                tables.setdefault(web_log_table(file.path, file.name), []).append(str(file.path))
            except IngestionError as error:  # skipped and reported, never blocking the other files
                landed.append(LandedFile(file.name, "", False, error=str(error)))
        for table, paths in tables.items():
            landed += ingest_files(lake, SOURCE, table, paths, now=now)
        return landed
