"""Landing of the marketing files that need more than `ingest_csv`: web server logs come in two shapes.

Real web servers write Apache Common Log Format (or Combined, which appends the referer and user agent):

    203.0.113.9 - - [25/Nov/2024:13:55:36 +0000] "GET /products/42 HTTP/1.1" 404 512

The original team's generator wrote a CSV of the same facts (IP_Address, URL, Status_Code, Timestamp). A file whose
first line is exactly that header lands in raw/marketing/web_logs_csv/ (header checked by `check_csv`); any other
file must be log lines and lands in raw/marketing/web_logs/. Staging parses both into one model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ingestion.files import IngestionError, InputFile, LandedFile, check_csv, decode_utf8, land_file, read_inputs
from ingestion.lake import Lake
from ingestion.marketing import SOURCE, WEB_LOG_CSV_COLUMNS, WEB_LOGS_CSV_TABLE, WEB_LOGS_TABLE

# Loose on purpose: only tells a log file from something else (a spreadsheet, a JSON file); staging checks each line.
_LOG_LINE = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "')
_CSV_HEADER = ",".join(WEB_LOG_CSV_COLUMNS)


def web_log_table(file: InputFile) -> tuple[str, InputFile]:
    """Which raw table a web-log file lands in, and the file as UTF-8; IngestionError naming it when neither."""
    text = decode_utf8(file)
    first = next(line for line in text.splitlines() if line.strip()).strip()
    if first.replace(" ", "") == _CSV_HEADER:
        return WEB_LOGS_CSV_TABLE, check_csv(file, "utf-8", WEB_LOG_CSV_COLUMNS)
    if _LOG_LINE.match(first):
        return WEB_LOGS_TABLE, replace(file, data=text.encode("utf-8"))  # without a byte-order mark
    raise IngestionError(
        f"{file.name}: neither Apache Common Log Format lines nor a CSV with header {_CSV_HEADER} "
        f"(first line: {first[:80]!r})"
    )


def ingest_web_logs(lake: Lake, pattern: str, today: dt.date | None = None) -> list[LandedFile]:
    """Check every file matching `pattern`, then land each in the table of its shape: all or nothing."""
    today = today or dt.datetime.now(dt.UTC).date()
    checked = [web_log_table(file) for file in read_inputs(pattern)]
    return [land_file(lake, SOURCE, table, file, today) for table, file in checked]
