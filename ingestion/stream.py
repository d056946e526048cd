"""Micro-batch streams: producers send JSON records, a drain writes them to raw as JSON-lines batch files.

This is the one stream mechanism of the project (stock sales events use it; other domains reuse it), with two
transports that end in the same raw layout, so the dbt models read either unchanged:

    producer ──LandingSink (write_micro_batch)─▶ landing/<source>/<table>/<UTC batch time>Z-<id>.jsonl
    drain    ──drain_landing─────▶ raw/<source>/<table>/dt=YYYY-MM-DD/<same name>   (then the landing copy goes)

    producer ──KinesisSink (put_records)───────▶ Kinesis stream <prefix>-<source>-<table>, key = entity id
    drain    ──drain_kinesis─────▶ raw/<source>/<table>/dt=YYYY-MM-DD/<UTC arrival>Z-<shard>-<first>-<last>.jsonl
                                   then checkpoints/kinesis/<stream>/<shard>.json = last sequence number

Each batch is also parsed once into the parsed zone (`parsed/<source>/<table>/dt=…/<batch name>.parquet`,
`ingestion.parse.parse_json_lines`), which the dbt source reads; its delivery time is the batch's time.

A Dagster sensor watches the landing area and launches the drain plus the incremental dbt models. The raw
copy and the parsed file are written before the landing copy is deleted (or the Kinesis checkpoint is moved),
and writes are idempotent, so a crash in between replays the batch without losing it; a Kinesis batch is named
by its shard and first/last sequence numbers, so a replayed batch lands on the same key. Delivery stays
at-least-once: repeated events are removed in staging.

A landing file that cannot be a batch (empty, not UTF-8, a name without its batch time) never blocks the
stream: it is moved aside to `landing/<source>/<table>/_rejected/` with a `.reason` file beside it, reported
by the drain (and a failing asset check), and the batches after it are drained.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ingestion.contracts import contract_for
from ingestion.files import IngestionError
from ingestion.lake import Lake, raw_key
from ingestion.parse import Delivery, parse_json_lines

_BATCH_NAME = re.compile(r"^(?P<ts>\d{8}T\d{6})(?P<frac>\d*)Z-[A-Za-z0-9_-]+\.jsonl$")


def landing_prefix(source: str, table: str) -> str:
    return f"landing/{source}/{table}/"


def write_micro_batch(
    lake: Lake,
    source: str,
    table: str,
    records: Iterable[Mapping[str, Any]],
    batch_time: dt.datetime,
    batch_id: str | None = None,
) -> str:
    """Write one JSON-lines batch to the landing area; returns its key."""
    batch_id = batch_id or uuid.uuid4().hex[:12]
    stamp = batch_time.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    body = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    key = f"{landing_prefix(source, table)}{stamp}Z-{batch_id}.jsonl"
    lake.put(key, body.encode("utf-8"))
    return key


REJECTED = "_rejected/"


def pending_batches(lake: Lake, source: str, table: str) -> list[str]:
    prefix = landing_prefix(source, table)
    return [k for k in lake.list(prefix) if not k[len(prefix) :].startswith(REJECTED)]


def rejected_batches(lake: Lake, source: str, table: str) -> list[str]:
    """Landing files moved aside (each with a `.reason` file): they wait for a person."""
    prefix = landing_prefix(source, table) + REJECTED
    return [k for k in lake.list(prefix) if not k.endswith(".reason")]


@dataclass(frozen=True)
class DrainedBatch:
    origin: str  # the landing key, or kinesis://<stream>/<shard>/<first>-<last>
    raw_key: str
    lines: int
    parsed_key: str = ""
    rejected_records: int = 0


@dataclass(frozen=True)
class RejectedBatch:
    origin: str  # the landing key it had
    moved_to: str
    reason: str


@dataclass
class DrainResult:
    drained: list[DrainedBatch]
    rejected: list[RejectedBatch]


def _batch_time(name: str) -> dt.datetime:
    match = _BATCH_NAME.match(name)
    if not match:
        raise IngestionError(f"{name}: not a micro-batch file name (<UTC yyyymmddThhmmss…>Z-<id>.jsonl)")
    stamp = dt.datetime.strptime(match["ts"], "%Y%m%dT%H%M%S")
    micros = int((match["frac"] or "0")[:6].ljust(6, "0"))
    return stamp.replace(microsecond=micros, tzinfo=dt.UTC)


def _batch_date(name: str) -> str:
    return _batch_time(name).date().isoformat()


def batch_day(key: str) -> str | None:
    """The UTC day (YYYY-MM-DD) a landing batch lands in (its raw `dt=`), None for a name without its batch time."""
    name = key.rsplit("/", 1)[-1]
    return _batch_date(name) if _BATCH_NAME.match(name) else None


def land_parsed_batch(
    lake: Lake, source: str, table: str, raw: str, data: bytes, delivered_at: dt.datetime
) -> tuple[str, int]:
    """Parse one raw JSON-lines batch into the parsed zone (once: an existing parsed file is kept).
    Returns the parsed key and the records the reader rejected."""
    import tempfile
    from pathlib import Path

    contract = contract_for(source, table)
    name = raw.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    parsed = f"{contract.parsed_prefix}dt={delivered_at:%Y-%m-%d}/{name}.parquet"
    if lake.exists(parsed):
        return parsed, 0
    with tempfile.TemporaryDirectory(prefix="tributary-batch-") as work:
        source_path = Path(work) / "batch.jsonl"
        source_path.write_bytes(data)
        out = Path(work) / "batch.parquet"
        report = parse_json_lines(
            source_path, contract, Delivery(raw, name, delivered_at), out, raw, require_keys=False
        )
        lake.put_file(parsed, out)
    return parsed, report.rejected


def _check_batch(lake: Lake, key: str, data: bytes) -> str | None:
    """Why a landing file cannot be drained, or None."""
    name = key.rsplit("/", 1)[-1]
    if not name.endswith(".jsonl") or not _BATCH_NAME.match(name):
        return "not a micro-batch file name (<UTC yyyymmddThhmmss…>Z-<id>.jsonl)"
    if not data.strip():
        return "the batch file is empty"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8 (byte offset {error.start})"
    return None


def _move_aside(lake: Lake, source: str, table: str, key: str, data: bytes, reason: str) -> RejectedBatch:
    name = key.rsplit("/", 1)[-1]
    target = f"{landing_prefix(source, table)}{REJECTED}{name}"
    lake.replace(target, data)
    lake.replace(f"{target}.reason", (reason + "\n").encode("utf-8"))
    lake.delete(key)
    return RejectedBatch(key, target, reason)


def drain_landing(
    lake: Lake, source: str, table: str, between: tuple[dt.datetime, dt.datetime] | None = None
) -> DrainResult:
    """Move every landed batch to the raw zone (and parse it); a file that cannot be a batch is moved aside with
    its reason, and the others are drained all the same. `between` (start, end), UTC: only the batches whose time
    is in [start, end) (a Dagster partition's days); a file that cannot be a batch has no time and is moved aside
    by any drain."""
    result = DrainResult([], [])
    for key in pending_batches(lake, source, table):
        name = key.rsplit("/", 1)[-1]
        if between is not None and _BATCH_NAME.match(name) and not between[0] <= _batch_time(name) < between[1]:
            continue
        try:
            data = lake.get(key)
        except FileNotFoundError:
            continue  # drained meanwhile by another run
        problem = _check_batch(lake, key, data)
        if problem:
            result.rejected.append(_move_aside(lake, source, table, key, data, f"{lake.uri(key)}: {problem}"))
            continue
        target = raw_key(source, table, _batch_date(name), name)
        lake.put(target, data)  # idempotent: a replay after a crash finds the same bytes there
        parsed, rejected = land_parsed_batch(lake, source, table, target, data, _batch_time(name))
        lake.delete(key)
        result.drained.append(DrainedBatch(key, target, data.count(b"\n"), parsed, rejected))
    return result


# --- transports the producers send through -----------------------------------------------------------------


class BatchSink(Protocol):
    def send(self, source: str, table: str, records: Sequence[Mapping[str, Any]], batch_time: dt.datetime) -> str:
        """Deliver one batch of records; returns where it went (for logs)."""
        ...


@dataclass(frozen=True)
class LandingSink:
    """Batches as files in the lake's landing area (`write_micro_batch`)."""

    lake: Lake

    def send(self, source: str, table: str, records: Sequence[Mapping[str, Any]], batch_time: dt.datetime) -> str:
        return self.lake.uri(write_micro_batch(self.lake, source, table, records, batch_time))


class StreamError(RuntimeError):
    """Records could not be delivered to, or read from, a stream."""


PUT_RECORDS_MAX_RECORDS = 500  # Kinesis limits per PutRecords call
PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024
RECORD_MAX_BYTES = 1024 * 1024


@dataclass
class KinesisSink:
    """Records to a Kinesis stream with PutRecords: ≤ 500 records and ≤ 5 MiB per call, the failed records of a
    partial failure sent again with exponential backoff. The partition key is a field of the record (the
    entity's id), so the events of one entity stay in order on one shard."""

    client: Any
    stream: str
    partition_key: str
    max_attempts: int = 5
    backoff_seconds: float = 0.2
    sleep: Callable[[float], None] = time.sleep

    def send(self, source: str, table: str, records: Sequence[Mapping[str, Any]], batch_time: dt.datetime) -> str:
        entries = [self._entry(record) for record in records]
        for chunk in _put_records_chunks(entries):
            self._put(chunk)
        return f"kinesis stream {self.stream} ({len(entries)} records)"

    def _entry(self, record: Mapping[str, Any]) -> dict[str, Any]:
        data = json.dumps(record, ensure_ascii=False).encode("utf-8")
        key = str(record.get(self.partition_key) or "")
        if not key:
            raise StreamError(f"record without {self.partition_key} (the partition key): {data[:200]!r}")
        if len(data) + len(key.encode()) > RECORD_MAX_BYTES:
            raise StreamError(f"record {key} is larger than Kinesis' 1 MiB")
        return {"Data": data, "PartitionKey": key}

    def _put(self, entries: list[dict[str, Any]]) -> None:
        pending = entries
        for attempt in range(self.max_attempts):
            response = self.client.put_records(StreamName=self.stream, Records=pending)
            if not response.get("FailedRecordCount"):
                return
            results = response["Records"]
            errors = sorted({r["ErrorCode"] for r in results if r.get("ErrorCode")})
            pending = [entry for entry, result in zip(pending, results, strict=True) if result.get("ErrorCode")]
            if attempt + 1 < self.max_attempts:
                self.sleep(self.backoff_seconds * 2**attempt)
        raise StreamError(
            f"{self.stream}: {len(pending)} record(s) still failing after {self.max_attempts} attempts ({errors})"
        )


def _put_records_chunks(entries: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_size = len(entry["Data"]) + len(entry["PartitionKey"].encode())
        if chunk and (len(chunk) == PUT_RECORDS_MAX_RECORDS or size + entry_size > PUT_RECORDS_MAX_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(entry)
        size += entry_size
    if chunk:
        yield chunk


# --- the Kinesis drain ---------------------------------------------------------------------------------------


def checkpoint_key(stream: str, shard_id: str) -> str:
    return f"checkpoints/kinesis/{stream}/{shard_id}.json"


def read_checkpoint(lake: Lake, stream: str, shard_id: str) -> str | None:
    """The last sequence number of `shard_id` already in the raw zone (None: read from the oldest record)."""
    key = checkpoint_key(stream, shard_id)
    if not lake.exists(key):
        return None
    return json.loads(lake.get(key))["sequence_number"]


def save_checkpoint(lake: Lake, stream: str, shard_id: str, sequence_number: str, raw: str) -> None:
    body = {
        "stream": stream,
        "shard_id": shard_id,
        "sequence_number": sequence_number,
        "raw_key": raw,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    lake.replace(checkpoint_key(stream, shard_id), (json.dumps(body, indent=2) + "\n").encode("utf-8"))


def kinesis_batch_name(shard_id: str, records: Sequence[Mapping[str, Any]]) -> str:
    """Deterministic from the records: the first one's arrival time (UTC), the shard, first and last sequence
    numbers. Arrival times and sequence numbers never change, so a replayed batch gets the same name."""
    first, last = records[0], records[-1]
    stamp = first["ApproximateArrivalTimestamp"].astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}Z-{shard_id}-{first['SequenceNumber']}-{last['SequenceNumber']}.jsonl"


def _record_line(data: bytes) -> str:
    """One record, one line. A record that is not UTF-8 lands with its bad bytes escaped and line breaks inside a
    record become spaces (JSON whitespace): the line still lands, and staging quarantines what does not parse."""
    text = data.decode("utf-8", errors="backslashreplace")
    return text.replace("\r", " ").replace("\n", " ") + "\n"


def _shard_ids(client: Any, stream: str) -> list[str]:
    shards: list[str] = []
    kwargs: dict[str, Any] = {"StreamName": stream}
    while True:
        page = client.list_shards(**kwargs)
        shards.extend(s["ShardId"] for s in page["Shards"])
        if not page.get("NextToken"):
            return shards
        kwargs = {"NextToken": page["NextToken"]}


def _shard_iterator(client: Any, stream: str, shard_id: str, after: str | None) -> str:
    position = (
        {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": after}
        if after
        else {"ShardIteratorType": "TRIM_HORIZON"}
    )
    return client.get_shard_iterator(StreamName=stream, ShardId=shard_id, **position)["ShardIterator"]


def _drain_shard(
    lake: Lake, client: Any, stream: str, shard_id: str, source: str, table: str, limit: int
) -> list[DrainedBatch]:
    iterator: str | None = _shard_iterator(client, stream, shard_id, read_checkpoint(lake, stream, shard_id))
    drained = []
    while iterator:
        response = client.get_records(ShardIterator=iterator, Limit=limit)
        records = response["Records"]
        if records:
            name = kinesis_batch_name(shard_id, records)
            target = raw_key(source, table, _batch_date(name), name)
            data = "".join(_record_line(r["Data"]) for r in records).encode("utf-8")
            lake.put(target, data)
            parsed, rejected = land_parsed_batch(lake, source, table, target, data, _batch_time(name))
            # only now: a crash before this line replays the batch onto the same key
            save_checkpoint(lake, stream, shard_id, records[-1]["SequenceNumber"], target)
            origin = f"kinesis://{stream}/{shard_id}/{records[0]['SequenceNumber']}-{records[-1]['SequenceNumber']}"
            drained.append(DrainedBatch(origin, target, len(records), parsed, rejected))
        if response.get("MillisBehindLatest", 0) == 0:
            break  # caught up with the tip of the shard
        iterator = response.get("NextShardIterator")  # None: a closed shard read to its end
    return drained


def drain_kinesis(
    lake: Lake, client: Any, stream: str, source: str, table: str, limit: int = 10_000
) -> list[DrainedBatch]:
    """Write the records of every shard since its checkpoint to the raw zone, one batch file per GetRecords
    answer, and move each shard's checkpoint after its batch is written (at-least-once, never lost)."""
    drained = []
    for shard_id in _shard_ids(client, stream):
        drained.extend(_drain_shard(lake, client, stream, shard_id, source, table, limit))
    return drained
