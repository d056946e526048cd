"""Micro-batch streams: producers write JSON-lines batches to a landing area, a drain moves them to raw.

This is the one stream mechanism of the project (stock sales events use it; other domains reuse it):

    producer ──write_micro_batch──▶ landing/<source>/<table>/<UTC batch time>-<id>.jsonl
    drain    ──drain_landing─────▶ raw/<source>/<table>/dt=YYYY-MM-DD/<same name>   (then the landing copy goes)

A Dagster sensor watches the landing area and launches the drain plus the incremental dbt models. The raw
copy is written before the landing copy is deleted, and writes are idempotent, so a crash in between replays
the batch without duplicating it. Delivery stays at-least-once: repeated events are removed in staging.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ingestion.files import IngestionError
from ingestion.lake import Lake, raw_key

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


def pending_batches(lake: Lake, source: str, table: str) -> list[str]:
    return [k for k in lake.list(landing_prefix(source, table)) if k.endswith(".jsonl")]


@dataclass(frozen=True)
class DrainedBatch:
    landing_key: str
    raw_key: str
    lines: int


def _batch_date(name: str) -> str:
    match = _BATCH_NAME.match(name)
    if not match:
        raise IngestionError(f"{name}: not a micro-batch file name (<UTC yyyymmddThhmmss…>Z-<id>.jsonl)")
    return dt.datetime.strptime(match["ts"], "%Y%m%dT%H%M%S").date().isoformat()


def drain_landing(lake: Lake, source: str, table: str) -> list[DrainedBatch]:
    """Move every landed batch to the raw zone. Every batch is checked first: all or nothing."""
    checked = []
    for key in pending_batches(lake, source, table):
        try:
            data = lake.get(key)
        except FileNotFoundError:
            continue  # drained meanwhile by another run
        where = lake.uri(key)
        if not data.strip():
            raise IngestionError(f"{where}: the batch file is empty")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise IngestionError(f"{where}: not UTF-8 (byte offset {error.start})") from None
        name = key.rsplit("/", 1)[-1]
        checked.append((key, raw_key(source, table, _batch_date(name), name), data))
    drained = []
    for key, target, data in checked:
        lake.put(target, data)  # idempotent: a replay after a crash finds the same bytes there
        lake.delete(key)
        drained.append(DrainedBatch(key, target, data.count(b"\n")))
    return drained
