"""Parse a landed file once, with a real reader, into one Parquet file of the parsed zone.

A raw file stays in the lake as it came (`raw/…`); its records are parsed once, when it lands, into
`parsed/<source>/<table>/dt=<delivery date>/<delivery id>.parquet`, which the dbt sources read (DuckDB and
Athena alike read Parquet by column name, and scan only the columns a model needs). Every parsed file has
the same columns (`Contract.columns`):

    _source_file   the raw file's lake key          _delivery_id   this delivery (the parsed file's name)
    _delivered_at  when it was delivered (UTC)      _line_number   the physical line (1 = the header)
    <field> …      each contract field, as text     _raw_line      the record's text: a record the reader rejected,
    _parse_error   why the reader rejected it                          and every JSON record (CSV keeps its fields)
                   (NULL for a parsed record)

One row per physical record, so records in = staged + quarantined holds from the file to the marts: a line the
reader cannot split (an unbalanced quote, too many or too few fields, a line over the size limit, an empty
line) is a row with its text and the reader's reason, never a failed file and never a lost line. A record is one
physical line (a line break inside a quoted field splits the record into two broken lines, each quarantined).

CSV is read by DuckDB's CSV reader (parallel, strict RFC 4180), columns by header name; when it rejects lines,
they are re-read one by one with Python's csv module to give each physical line its own row and reason. JSON
lines, plain lines and spreadsheets are read in Python (they are small: event batches, logs, workbooks).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion.contracts import Contract, ContractError, HeaderMatch, match_header, normalize_name

CHUNK = 16 * 1024 * 1024
RAW_TEXT_LIMIT = 64 * 1024  # the text kept for a rejected line (the raw file keeps all of it)

# DuckDB's reject error types → the reason recorded for the line
_DUCKDB_REASONS = {
    "TOO MANY COLUMNS": "wrong_field_count",
    "MISSING COLUMNS": "wrong_field_count",
    "UNQUOTED VALUE": "malformed_line",
    "LINE SIZE OVER MAXIMUM": "line_too_long",
    "INVALID ENCODING": "invalid_encoding",
}


class ParseError(ValueError):
    """A file that cannot be parsed at all (no header, a header the contract refuses): names the file."""


@dataclass(frozen=True)
class Delivery:
    """One delivery of a raw file: the file's lake key, this delivery's id and time."""

    source_file: str
    delivery_id: str
    delivered_at: dt.datetime  # UTC

    @property
    def delivered_at_naive(self) -> dt.datetime:
        return self.delivered_at.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass
class ParseReport:
    records: int = 0  # rows written (parsed + rejected)
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    extra_columns: tuple[str, ...] = ()
    missing_optional: tuple[str, ...] = ()
    reader: str = ""  # which path read the file (for logs and the benchmark)


@dataclass(frozen=True)
class LineScan:
    """What one pass over a file's bytes tells: its physical lines and which are empty."""

    lines: int
    empty_lines: tuple[int, ...]  # 1-based numbers of lines with no character (or only '\r')


class LineCounter:
    """Counts physical lines and finds the empty ones, fed the file's bytes chunk by chunk (so that the landing's
    one pass over a file, which also hashes it, does this too). Vectorised: the line breaks of a chunk are found
    at once (numpy), and a line is empty when its break follows the previous one directly or after a lone '\r'
    (a 2.15 GB export: 0.5 s, against 3.8 s to search its bytes for "\n\n" and "\n\r\n" in Python)."""

    def __init__(self) -> None:
        self.lines = 0  # line breaks seen
        self.empty: list[int] = []
        self.offset = 0  # bytes seen
        self.last_break = -1  # the offset of the last line break (the start of the file behaves as after one)
        self.last_byte = 10

    def feed(self, chunk: bytes) -> None:
        import numpy as np

        if not chunk:
            return
        data = np.frombuffer(chunk, dtype=np.uint8)
        breaks = np.flatnonzero(data == 10)
        if breaks.size:
            at = breaks + self.offset
            gaps = np.diff(at, prepend=self.last_break)
            empty = gaps == 1
            after_cr = np.flatnonzero(gaps == 2)
            if after_cr.size:
                before = breaks[after_cr] - 1  # the byte before the break: '\r' makes the line empty
                previous = np.where(before >= 0, data[np.maximum(before, 0)], self.last_byte)
                empty[after_cr[previous == 13]] = True
            self.empty.extend((np.flatnonzero(empty) + self.lines + 1).tolist())
            self.last_break = int(at[-1])
            self.lines += int(breaks.size)
        self.offset += len(chunk)
        self.last_byte = chunk[-1]

    def result(self) -> LineScan:
        lines = self.lines + (1 if self.last_byte != 10 else 0)  # a last line without a line break
        return LineScan(lines, tuple(self.empty))


def scan_lines(path: Path) -> LineScan:
    """Count physical lines and find the empty ones (DuckDB's reader skips those; each must still be a row)."""
    counter = LineCounter()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            counter.feed(chunk)
    return counter.result()


def read_header(path: Path, delimiter: str, limit: int) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(limit + 1)
    if not first.strip():
        raise ParseError(f"{path.name}: the first line is empty (a CSV header is expected)")
    if len(first) > limit:
        raise ParseError(f"{path.name}: the first line is longer than {limit} bytes (not a CSV header)")
    text = first.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise ParseError(f"{path.name}: the header line is not CSV ({error})") from None


# --- CSV ---------------------------------------------------------------------------------------------------------


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _select_lineage(delivery: Delivery) -> str:
    return (
        f"{_sql_text(delivery.source_file)} as _source_file, {_sql_text(delivery.delivery_id)} as _delivery_id, "
        f"timestamp '{delivery.delivered_at_naive.isoformat(sep=' ')}' as _delivered_at"
    )


def parse_csv(
    con: Any,
    path: Path,
    contract: Contract,
    delivery: Delivery,
    out: Path,
    file_name: str | None = None,
    scan: LineScan | None = None,
) -> ParseReport:
    """Parse a UTF-8 CSV file (header first) into `out` (Parquet). `con` is a DuckDB connection; `scan`, the
    file's lines when the caller counted them already (the same for the original bytes and a UTF-8 copy)."""
    name = file_name or path.name
    header = read_header(path, contract.delimiter, contract.max_line_bytes)
    try:
        match = match_header(contract, header, name)
    except ContractError as error:
        raise ParseError(str(error)) from None
    scan = scan or scan_lines(path)
    width = match.width
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    fields = ", ".join(
        f"c{match.positions[f.name]} as {f.name}"
        if match.positions[f.name] is not None
        else f"null::varchar as {f.name}"
        for f in contract.fields
    )
    reader = (
        f"read_csv({_sql_text(str(path))}, header = true, columns = {{{columns}}}, auto_detect = false, "
        f"delim = {_sql_text(contract.delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
        f"store_rejects = true, rejects_table = 'tributary_rejects', rejects_scan = 'tributary_reject_scans', "
        f"max_line_size = {contract.max_line_bytes}, encoding = 'utf-8')"
    )
    con.execute("drop table if exists tributary_rejects; drop table if exists tributary_reject_scans")
    con.execute("set preserve_insertion_order = true")
    # One pass: the reader's records in file order, numbered as if every line were a record (1 = the header).
    accepted = _write_numbered(
        con,
        f"select {_select_lineage(delivery)}, {fields}, null::varchar as _raw_line, null::varchar as _parse_error "
        f"from {reader}",
        out,
    )
    rejects = con.sql(
        "select line_byte_position, min(error_type), min(csv_line) from tributary_rejects "
        "group by line_byte_position order by line_byte_position"
    ).fetchall()
    report = ParseReport(extra_columns=match.extra, missing_optional=match.missing_optional)
    spans = [_strip_record(text).count("\n") + 1 for _, _, text in rejects]
    data_lines = scan.lines - 1
    if (not rejects and not scan.empty_lines) and accepted == data_lines:
        report.records, report.reader = accepted, "duckdb"
        return report
    if all(span == 1 for span in spans) and accepted + len(rejects) + len(scan.empty_lines) == data_lines:
        # Every record is one line: number the accepted ones around the holes (rejected and empty lines).
        reject_lines = _line_numbers_at(path, [position for position, _, _ in rejects])
        holes = sorted(
            [(line, _DUCKDB_REASONS.get(error, "malformed_line"), _strip_record(text)) for line, (_, error, text) in
             zip(reject_lines, rejects, strict=True)]
            + [(line, "empty_line", "") for line in scan.empty_lines]
        )  # fmt: skip
        _renumber(con, out, holes, contract, delivery)
        report.records, report.reader = accepted + len(holes), "duckdb+holes"
        report.rejected = len(holes)
        report.reasons.update(reason for _, reason, _ in holes)
        return report
    # A record the reader joined across lines (a quote left open, a line break inside quotes): read every
    # physical line on its own.
    report.reader = "python"
    rows = _python_csv_rows(path, contract, match, report)
    write_rows(out, contract, delivery, rows)
    return report


NUMBERED_BATCH = 1_048_576  # records per batch streamed from DuckDB to the Parquet writer
ROW_GROUP = 122_880  # rows per Parquet row group, as DuckDB writes them (readers parallelize by row group)


# Column statistics (min/max) only where a reader can use them: the lineage. Computing them for every text
# field costs about a quarter of the writer's time (make bench) and no query filters a field of the parsed zone.
LINEAGE_STATISTICS = ["_source_file", "_delivery_id", "_delivered_at", "_line_number"]


def _write_numbered(con: Any, select: str, out: Path) -> int:
    """Write the rows of `select` (lineage, fields, problem columns) to `out` (Parquet, zstd) with `_line_number`
    after the lineage: 2, 3, … in the order DuckDB returns them (the file's order: preserve_insertion_order).

    They are numbered as they stream out of DuckDB, not with `row_number() over ()` in SQL: a window over the whole
    file makes DuckDB read it on one thread (at 1e6 Superstore lines, about twice the time of the reader alone,
    bench/README.md). DuckDB reads the next batch while the previous one is written: a thread fetches, this
    one writes (both release the GIL), so reading and writing overlap instead of taking turns. Returns the
    number of rows."""
    import queue
    import threading

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    reader = con.execute(select).to_arrow_reader(NUMBERED_BATCH)
    batches: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []
    stop = threading.Event()

    def fetch() -> None:
        try:
            for batch in reader:
                while not stop.is_set():
                    try:
                        batches.put(batch, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as error:  # noqa: BLE001 - re-raised by the writing thread
            failure.append(error)
        finally:
            batches.put(None)

    fetcher = threading.Thread(target=fetch, name="tributary-csv-fetch", daemon=True)
    fetcher.start()
    offsets = pa.array(range(NUMBERED_BATCH), pa.int64())
    written = 0
    writer = None
    try:
        while (batch := batches.get()) is not None:
            table = pa.Table.from_batches([batch])
            numbers = pc.add(offsets.slice(0, table.num_rows), pa.scalar(written + 2, pa.int64()))
            table = table.add_column(3, pa.field("_line_number", pa.int64()), numbers)
            if writer is None:
                writer = pq.ParquetWriter(
                    str(out), table.schema, compression="zstd", write_statistics=LINEAGE_STATISTICS
                )
            writer.write_table(table, row_group_size=ROW_GROUP)
            written += table.num_rows
        if failure:
            raise failure[0]
        if writer is None:  # no record: the file still gets its schema
            schema = reader.schema.insert(3, pa.field("_line_number", pa.int64()))
            writer = pq.ParquetWriter(str(out), schema, compression="zstd")
            writer.write_table(schema.empty_table())
    finally:
        stop.set()
        while fetcher.is_alive():  # unblock a fetcher waiting on a full queue
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.1)
        fetcher.join()
        if writer is not None:
            writer.close()
    return written


def _strip_record(text: str) -> str:
    """DuckDB's csv_line of a rejected record, as the line's text: CRLF files prefix it with the previous break."""
    return (text[1:] if text.startswith("\n") else text).rstrip("\r")


def _line_numbers_at(path: Path, positions: Sequence[int]) -> list[int]:
    """The 1-based line numbers of byte offsets (sorted), counting line breaks before each."""
    numbers = []
    pending = list(positions)
    seen = 0
    offset = 0
    with path.open("rb") as handle:
        while pending and (chunk := handle.read(CHUNK)):
            while pending and pending[0] < offset + len(chunk):
                numbers.append(seen + chunk.count(b"\n", 0, pending[0] - offset) + 1)
                pending.pop(0)
            seen += chunk.count(b"\n")
            offset += len(chunk)
    numbers.extend(seen + 1 for _ in pending)
    return numbers


def _renumber(con: Any, out: Path, holes: list[tuple[int, str, str]], contract: Contract, delivery: Delivery) -> None:
    """Rewrite `out` with the accepted records' real line numbers, plus one row per hole."""
    con.execute("create or replace temp table tributary_holes (line bigint, reason varchar, raw varchar)")
    con.executemany(
        "insert into tributary_holes values (?, ?, ?)",
        [(line, reason, raw[:RAW_TEXT_LIMIT]) for line, reason, raw in holes],
    )
    # accepted record k (numbered k + 1 by the first pass) sits on line k + 1 + (holes before it): segment i
    # between holes i and i + 1 starts at accepted record (hole_i − i) and is shifted by i.
    con.execute(
        """
        create or replace temp table tributary_shifts as
        select first_numbered, max(shift) as shift  -- adjacent holes start the same segment
        from (
            select
                line - row_number() over (order by line) + 1 as first_numbered,
                row_number() over (order by line) as shift
            from tributary_holes
        )
        group by first_numbered
        """
    )
    nulls = ", ".join(f"null::varchar as {name}" for name in contract.field_names)
    fixed = out.with_name(out.stem + ".renumbered.parquet")
    con.execute(
        f"""
        copy (
            select parsed.* replace (parsed._line_number + coalesce(shifts.shift, 0) as _line_number)
            from read_parquet({_sql_text(str(out))}) as parsed
            asof left join tributary_shifts as shifts on parsed._line_number >= shifts.first_numbered
            union all
            select {_select_lineage(delivery)}, line, {nulls}, raw, reason from tributary_holes
        ) to {_sql_text(str(fixed))} (format parquet, compression zstd)
        """
    )
    os.replace(fixed, out)


def _split_line(text: str, delimiter: str) -> list[str] | None:
    """The fields of one CSV line, or None when it is not well formed (an unbalanced or misplaced quote)."""
    if '"' not in text:
        return text.split(delimiter)
    try:
        rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _python_csv_rows(path: Path, contract: Contract, match: HeaderMatch, report: ParseReport) -> Iterator[tuple]:
    positions = [match.positions[name] for name in contract.field_names]
    with path.open("rb") as handle:
        handle.readline()  # the header
        for number, raw in enumerate(handle, start=2):
            line = raw.rstrip(b"\n").rstrip(b"\r")
            problem, fields = None, None
            if not line:
                problem = "empty_line"
            elif len(line) > contract.max_line_bytes:
                problem = "line_too_long"
            else:
                fields = _split_line(line.decode("utf-8"), contract.delimiter)
                if fields is None:
                    problem = "malformed_line"
                elif len(fields) != match.width:
                    problem = "wrong_field_count"
            report.records += 1
            if problem:
                report.rejected += 1
                report.reasons[problem] += 1
                yield number, (None,) * len(positions), line[:RAW_TEXT_LIMIT].decode("utf-8", "replace"), problem
            else:
                yield number, tuple(None if p is None else fields[p] for p in positions), None, None


# --- writing rows (the Python readers) --------------------------------------------------------------------------


def write_rows(out: Path, contract: Contract, delivery: Delivery, rows: Iterable[tuple]) -> None:
    """Write (line_number, field values, raw text, parse error) rows as a parsed file (Parquet, zstd)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = contract.field_names
    schema = pa.schema(
        [("_source_file", pa.string()), ("_delivery_id", pa.string()), ("_delivered_at", pa.timestamp("us")),
         ("_line_number", pa.int64()), *((name, pa.string()) for name in names),
         ("_raw_line", pa.string()), ("_parse_error", pa.string())]
    )  # fmt: skip
    with pq.ParquetWriter(str(out), schema, compression="zstd") as writer:
        batch: list[tuple] = []
        written = False
        for row in rows:
            batch.append(row)
            if len(batch) == 100_000:
                writer.write_table(_table(pa, schema, delivery, names, batch))
                batch, written = [], True
        if batch or not written:  # a file without a record still gets its schema
            writer.write_table(_table(pa, schema, delivery, names, batch))


def _table(pa: Any, schema: Any, delivery: Delivery, names: Sequence[str], batch: list[tuple]) -> Any:
    n = len(batch)
    columns: dict[str, list] = {
        "_source_file": [delivery.source_file] * n,
        "_delivery_id": [delivery.delivery_id] * n,
        "_delivered_at": [delivery.delivered_at_naive] * n,
        "_line_number": [row[0] for row in batch],
    }
    for index, name in enumerate(names):
        columns[name] = [row[1][index] for row in batch]
    columns["_raw_line"] = [row[2] for row in batch]
    columns["_parse_error"] = [row[3] for row in batch]
    return pa.table(columns, schema=schema)


# --- JSON lines, plain lines, spreadsheets ------------------------------------------------------------------------


def json_text(value: Any) -> str | None:
    """A JSON value as the text staging types: strings as they are, numbers and booleans as JSON writes them,
    objects and arrays as compact JSON, null as NULL."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def record_fields(record: dict, contract: Contract, extra: Counter | None = None) -> tuple:
    """A JSON object's contract fields as text, its keys matched by name (case, spaces and punctuation do not
    matter); a field named a.b is key b inside object a."""
    keys = {normalize_name(str(key)): value for key, value in record.items()}
    known: set[str] = set()
    values = []
    for f in contract.fields:
        value = None
        for name in f.names:
            if "." in name:
                head, _, rest = name.partition(".")
                inner = keys.get(normalize_name(head))
                if isinstance(inner, dict):
                    value = {normalize_name(str(k)): v for k, v in inner.items()}.get(normalize_name(rest))
                    known.add(normalize_name(head))
                    if value is not None:
                        break
            elif name in keys:
                value = keys[name]
                known.add(name)
                break
        values.append(json_text(value))
    if extra is not None:
        extra.update(key for key in keys if key not in known)
    return tuple(values)


def _json_records(path: Path, contract: Contract, name: str) -> Iterator[tuple[int, Any, bytes | None]]:
    """(position, record or None, raw text when it is not a record) of a JSON file: a JSON array of records
    (position = index + 1), or JSON lines (position = line number; a line that does not parse has no record)."""
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"["):
        try:
            document = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ParseError(f"{name}: not a valid JSON array ({error})") from None
        if not isinstance(document, list):
            raise ParseError(f"{name}: not a JSON array of records")
        for position, element in enumerate(document, start=1):
            yield position, element, json.dumps(element, ensure_ascii=False).encode("utf-8")
        return
    with path.open("rb") as handle:
        lines = 0
        for number, raw in enumerate(handle, start=1):
            lines = number
            line = raw.rstrip(b"\n").rstrip(b"\r")
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip() or len(line) > contract.max_line_bytes:
                yield number, None, line
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                record = None
            if number == 2 and lines and record is None and _whole_document(path):
                raise ParseError(f"{name}: one JSON document over several lines; expected a JSON array or JSON lines")
            yield number, record, line


def _whole_document(path: Path) -> bool:
    try:
        json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return True


def parse_json_lines(
    path: Path,
    contract: Contract,
    delivery: Delivery,
    out: Path,
    file_name: str | None = None,
    require_keys: bool = True,
) -> ParseReport:
    """Parse a JSON file (an array of records, or JSON lines) into `out`: one row per record. A line or element
    that is not a JSON object is a row with its text and reason `malformed_json`; an empty line `empty_line`.
    With `require_keys`, a required key that no record of the file carries is an error naming the file (an export
    of the wrong shape); a stream's batch never fails that way: its records are staged and quarantined one by
    one, so that one bad producer never blocks the stream."""
    name = file_name or path.name
    report = ParseReport(reader="python-json")
    extra: Counter = Counter()
    present: set[str] = set()

    def rows() -> Iterator[tuple]:
        for number, record, raw in _json_records(path, contract, name):
            report.records += 1
            if not isinstance(record, dict):
                assert raw is not None
                problem = (
                    "empty_line" if not raw.strip()
                    else "line_too_long" if len(raw) > contract.max_line_bytes
                    else "malformed_json"
                )  # fmt: skip
                report.rejected += 1
                report.reasons[problem] += 1
                yield number, (None,) * len(contract.fields), raw[:RAW_TEXT_LIMIT].decode("utf-8", "replace"), problem
                continue
            values = record_fields(record, contract, extra)
            present.update(n for n, value in zip(contract.field_names, values, strict=True) if value is not None)
            # the record's text is kept (JSON files are small): a record staging rejects shows as it came
            text = raw if raw is not None else json.dumps(record, ensure_ascii=False).encode("utf-8")
            yield number, values, text[:RAW_TEXT_LIMIT].decode("utf-8", "replace"), None

    write_rows(out, contract, delivery, rows())
    parsed = report.records - report.rejected
    if not report.records:
        raise ParseError(f"{name}: no record")
    missing = [f for f in contract.fields if f.required and f.name not in present]
    if parsed and missing and require_keys:
        raise ParseError(
            f"{name}: required key(s) {', '.join(repr(f.header) for f in missing)} in none of its {parsed} record(s)"
        )
    report.extra_columns = tuple(sorted(extra))
    report.missing_optional = tuple(f.name for f in contract.fields if not f.required and f.name not in present)
    return report


def parse_plain_lines(path: Path, contract: Contract, delivery: Delivery, out: Path) -> ParseReport:
    """Every physical line as the contract's one field (log files): staging parses the line itself."""
    if len(contract.fields) != 1:
        raise ParseError(f"{contract.source_name}.{contract.table}: format lines needs exactly one field")
    report = ParseReport(reader="python-lines")

    def rows() -> Iterator[tuple]:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip(b"\n").rstrip(b"\r")
                report.records += 1
                text = line[:RAW_TEXT_LIMIT].decode("utf-8", "replace")
                if not line.strip():
                    report.rejected += 1
                    report.reasons["empty_line"] += 1
                    yield number, (None,), text, "empty_line"
                elif len(line) > contract.max_line_bytes:
                    report.rejected += 1
                    report.reasons["line_too_long"] += 1
                    yield number, (None,), text, "line_too_long"
                else:
                    yield number, (line.decode("utf-8"),), None, None

    write_rows(out, contract, delivery, rows())
    return report


def parse_table_rows(
    rows: Sequence[Sequence[str | None]], contract: Contract, delivery: Delivery, out: Path, file_name: str
) -> ParseReport:
    """Rows already split into cells (a spreadsheet's sheet, as text): the first is the header, matched by name;
    each other row is a record numbered by its row in the sheet. A row of empty cells is kept (staging
    quarantines it); a row wider than the header is `wrong_field_count`."""
    if not rows:
        raise ParseError(f"{file_name}: no header row")
    header = [cell or "" for cell in rows[0]]
    while header and not header[-1].strip():
        header.pop()
    try:
        match = match_header(contract, header, file_name)
    except ContractError as error:
        raise ParseError(str(error)) from None
    positions = [match.positions[name] for name in contract.field_names]
    report = ParseReport(reader="python-sheet", extra_columns=match.extra, missing_optional=match.missing_optional)

    def records() -> Iterator[tuple]:
        for number, row in enumerate(rows[1:], start=2):
            report.records += 1
            cells = [None if cell is None or cell == "" else cell for cell in row]
            if any(cell is not None for cell in cells[match.width :]):
                report.rejected += 1
                report.reasons["wrong_field_count"] += 1
                text = ",".join("" if c is None else str(c) for c in cells)
                yield number, (None,) * len(positions), text[:RAW_TEXT_LIMIT], "wrong_field_count"
                continue
            yield number, tuple(None if p is None or p >= len(cells) else cells[p] for p in positions), None, None

    write_rows(out, contract, delivery, records())
    return report


def csv_text_rows(text: str) -> list[list[str]]:
    """A small CSV text as rows (for tests and converters)."""
    return list(csv.reader(io.StringIO(text)))
