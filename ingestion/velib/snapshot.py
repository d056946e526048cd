"""Take a snapshot of Vélib' station availability and keep it raw in the lake.

Open data (`VELIB_API_URL`): one call to `exports/json` (every station); when it fails, page `records`
(`limit=100`, `offset`, `order_by=stationcode`, at most 10,000 rows) and drop repeated stationcodes (paging a
live dataset repeats rows). GBFS (`VELIB_GBFS_URL`): `station_information.json` + `station_status.json`.

A snapshot lands, as received, inside an envelope (source, ingested_at, data_timestamp, record_count,
results) at `raw/velib/<table>/dt=YYYY-MM-DD/hour=HH/<data timestamp>Z-<family>-<sha256 of results[:16]>.json`,
dated by its data timestamp (the newest `duedate` / `last_reported` in it, UTC, never later than now). The same
answer taken twice has the same key, so it lands once; a different answer for the same data time (a partial one,
then the full one) lands beside it, and staging keeps the fuller. Its station records are then parsed once into
`parsed/velib/<table>/dt=<delivery date>/<delivery id>.parquet` (one row per record, the contract's fields; a GBFS
status record carries its station_information and its bike counts by type). An empty or malformed answer raises
FetchError and writes nothing.

    python -m ingestion.velib.snapshot                      # one snapshot from VELIB_API_URL
    python -m ingestion.velib.snapshot --replay FOLDER      # land saved answers (exports/json lists,
                                                            # records pages or envelopes), for backfills
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingestion.contracts import contract_for
from ingestion.lake import Lake, raw_key
from ingestion.parse import Delivery, record_fields, write_rows
from ingestion.velib import GBFS_TABLE, OPENDATA_TABLE, SOURCE
from ingestion.velib.client import FetchError, HttpSettings, get_json

if TYPE_CHECKING:
    from ingestion.config import VelibSettings

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_ROWS = 10_000  # the records endpoint refuses offset + limit > 10,000


@dataclass(frozen=True)
class Snapshot:
    source: str  # opendata_exports, opendata_records or gbfs
    table: str
    data_timestamp: dt.datetime  # UTC
    results: Any  # as received: a list of station records, or for GBFS {station_information, station_status}
    record_count: int
    expected_count: int | None = None  # the stations the API announced (its total_count), when it said


@dataclass(frozen=True)
class LandedSnapshot:
    key: str
    written: bool
    record_count: int
    source: str
    parsed_key: str | None = None


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _check_records(records: Any, where: str) -> list[dict]:
    if not isinstance(records, list):
        raise FetchError(f"{where}: expected a list of stations, got {type(records).__name__}")
    if not records:
        raise FetchError(f"{where}: the answer holds no station")
    if not all(isinstance(r, dict) for r in records):
        raise FetchError(f"{where}: malformed answer, not every station is a JSON object")
    if not any("stationcode" in r for r in records):
        raise FetchError(f"{where}: malformed answer, no record carries a stationcode")
    return records


def _opendata_timestamp(records: list[dict], where: str) -> dt.datetime:
    stamps = []
    for record in records:
        try:
            stamps.append(_utc(dt.datetime.fromisoformat(str(record.get("duedate")))))
        except ValueError:
            continue
    if not stamps:
        raise FetchError(f"{where}: malformed answer, no record carries a readable duedate")
    return min(max(stamps), dt.datetime.now(dt.UTC))  # a station's clock in the future must not date the snapshot


def fetch_opendata(base_url: str, http: HttpSettings) -> Snapshot:
    base = base_url.rstrip("/")
    try:
        records = _check_records(get_json(f"{base}/exports/json", http), f"{base}/exports/json")
        source = "opendata_exports"
    except FetchError as export_error:
        logger.warning(f"{export_error}: paging {base}/records instead")
        try:
            records = _page_records(base, http)
        except FetchError as paging_error:
            raise FetchError(f"both endpoints failed: {export_error}; then {paging_error}") from None
        source = "opendata_records"
    return Snapshot(source, OPENDATA_TABLE, _opendata_timestamp(records, base), records, len(records))


def _page_records(base: str, http: HttpSettings) -> list[dict]:
    url = f"{base}/records"
    by_code: dict[str, dict] = {}
    offset = rows = 0
    total = None
    while True:
        page = get_json(url, http, {"limit": PAGE_SIZE, "offset": offset, "order_by": "stationcode"})
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise FetchError(f"{url}: malformed page at offset {offset} (no results list)")
        results = page["results"]
        if not isinstance(page.get("total_count"), int):
            raise FetchError(f"{url}: malformed page at offset {offset} (no total_count)")
        total = page["total_count"]
        rows += len(results)
        if not all(isinstance(record, dict) for record in results):
            raise FetchError(f"{url}: malformed page at offset {offset}, not every station is a JSON object")
        for record in results:
            # a station repeated across pages keeps its first copy; a record without code stays (staging
            # quarantines it)
            code = record.get("stationcode")
            by_code.setdefault(str(code) if code is not None else f"no-code-{len(by_code)}", record)
        offset += PAGE_SIZE
        if not results or offset >= min(total, MAX_ROWS):
            break
    if total is not None and rows < min(total, MAX_ROWS):
        raise FetchError(f"{url}: the pages held {rows} rows of the {total} announced (total_count)")
    return _check_records(list(by_code.values()), url)


def fetch_gbfs(base_url: str, http: HttpSettings) -> Snapshot:
    base = base_url.rstrip("/")
    feeds = {name: get_json(f"{base}/{name}.json", http) for name in ("station_information", "station_status")}
    for name, feed in feeds.items():
        stations = feed.get("data", {}).get("stations") if isinstance(feed, dict) else None
        if not isinstance(stations, list) or not stations:
            raise FetchError(f"{base}/{name}.json: malformed or empty GBFS feed (no data.stations list)")
    status = feeds["station_status"]["data"]["stations"]
    reported = [s.get("last_reported") for s in status if isinstance(s, dict)]
    reported = [r for r in reported if isinstance(r, int | float)]
    if not reported:
        raise FetchError(f"{base}/station_status.json: malformed GBFS feed, no last_reported")
    data_timestamp = min(dt.datetime.fromtimestamp(max(reported), dt.UTC), dt.datetime.now(dt.UTC))
    return Snapshot("gbfs", GBFS_TABLE, data_timestamp, feeds, len(status))


def envelope(snapshot: Snapshot, ingested_at: dt.datetime) -> bytes:
    body = {
        "source": snapshot.source,
        "ingested_at": _utc(ingested_at).isoformat(),
        "data_timestamp": snapshot.data_timestamp.isoformat(),
        "record_count": snapshot.record_count,
        "results": snapshot.results,
    }
    return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def results_digest(snapshot: Snapshot) -> str:
    body = json.dumps(snapshot.results, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def snapshot_key(snapshot: Snapshot) -> str:
    ts = snapshot.data_timestamp
    family = "gbfs" if snapshot.source == "gbfs" else "opendata"
    name = f"{ts:%Y%m%dT%H%M%S}Z-{family}-{results_digest(snapshot)[:16]}.json"
    return raw_key(SOURCE, snapshot.table, ts.date().isoformat(), name, hour=f"{ts:%H}")


def station_records(snapshot: Snapshot) -> list[Any]:
    """The station records of a snapshot as flat objects: an open-data answer's records as they are; a GBFS
    status record with its station_information (name, capacity, lat, lon) and its counts by bike type
    (num_bikes_available_types, a list of one-key objects) as keys of their own."""
    if snapshot.source != "gbfs":
        return list(snapshot.results)
    information = {
        str(station.get("stationCode")): station
        for station in snapshot.results["station_information"]["data"]["stations"]
        if isinstance(station, dict)
    }
    records = []
    for status in snapshot.results["station_status"]["data"]["stations"]:
        if not isinstance(status, dict):
            records.append(status)
            continue
        info = information.get(str(status.get("stationCode")), {})
        record = {key: info.get(key) for key in ("name", "capacity", "lat", "lon")}
        for kind in status.get("num_bikes_available_types") or []:
            if isinstance(kind, dict):
                record.update(kind)
        record.update({k: v for k, v in status.items() if k != "num_bikes_available_types"})
        records.append(record)
    return records


def land_parsed_snapshot(lake: Lake, snapshot: Snapshot, raw: str, delivered_at: dt.datetime | None = None) -> str:
    """Parse a landed snapshot's station records into the parsed zone (once); returns the parsed key.
    `delivered_at`: the records' delivery time (default now)."""
    contract = contract_for(SOURCE, snapshot.table)
    delivered_at = delivered_at or dt.datetime.now(dt.UTC)
    name = raw.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    delivery = Delivery(raw, f"{delivered_at:%Y%m%dT%H%M%S%f}Z-{name}", delivered_at)
    parsed = f"{contract.parsed_prefix}dt={delivered_at:%Y-%m-%d}/{delivery.delivery_id}.parquet"
    snapshot_fields = {
        "snapshot_source": snapshot.source,
        "snapshot_at": snapshot.data_timestamp.isoformat(),
        "snapshot_record_count": snapshot.record_count,
        "snapshot_expected_count": snapshot.expected_count,
    }

    def rows():
        for number, record in enumerate(station_records(snapshot), start=1):
            if isinstance(record, dict):
                yield number, record_fields({**record, **snapshot_fields}, contract), None, None
            else:
                text = json.dumps(record, ensure_ascii=False)[:65536]
                yield number, (None,) * len(contract.fields), text, "malformed_json"

    with tempfile.TemporaryDirectory(prefix="tributary-velib-") as work:
        out = Path(work) / "snapshot.parquet"
        write_rows(out, contract, delivery, rows())
        lake.put_file(parsed, out)
    return parsed


def land_snapshot(lake: Lake, snapshot: Snapshot, ingested_at: dt.datetime | None = None) -> LandedSnapshot:
    """Write the snapshot, and parse its records, unless the same answer is already in the lake. `ingested_at`:
    when it landed (default now), the envelope's time and its records' delivery time (a replay of history, such
    as the benchmark's, passes the time each snapshot would have arrived)."""
    key = snapshot_key(snapshot)
    if lake.exists(key):
        stem = key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        parsed = [
            k for k in lake.list(contract_for(SOURCE, snapshot.table).parsed_prefix) if k.endswith(f"Z-{stem}.parquet")
        ]
        if parsed:
            return LandedSnapshot(key, False, snapshot.record_count, snapshot.source, parsed[0])
        # the raw answer landed but its records were not parsed (a crash in between): parse them now
        return LandedSnapshot(
            key, True, snapshot.record_count, snapshot.source, land_parsed_snapshot(lake, snapshot, key)
        )
    ingested_at = ingested_at or dt.datetime.now(dt.UTC)
    lake.put(key, envelope(snapshot, ingested_at))
    parsed = land_parsed_snapshot(lake, snapshot, key, ingested_at)
    return LandedSnapshot(key, True, snapshot.record_count, snapshot.source, parsed)


def read_saved_snapshot(path: Path) -> Snapshot:
    """A saved answer: an `exports/json` list, a `records` page, or an envelope written by this module."""
    where = str(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FetchError(f"{where}: not a JSON file ({error})") from None
    if isinstance(body, dict) and "source" in body and "results" in body:
        if body["source"] == "gbfs":
            ts = dt.datetime.fromisoformat(body["data_timestamp"])
            return Snapshot("gbfs", GBFS_TABLE, _utc(ts), body["results"], int(body.get("record_count", 0)))
        records = _check_records(body["results"], where)
        return Snapshot(body["source"], OPENDATA_TABLE, _opendata_timestamp(records, where), records, len(records))
    records = body["results"] if isinstance(body, dict) and "results" in body else body
    records = _check_records(records, where)
    return Snapshot("opendata_exports", OPENDATA_TABLE, _opendata_timestamp(records, where), records, len(records))


def replay_folder(
    lake: Lake, folder: Path, between: tuple[dt.datetime, dt.datetime] | None = None
) -> list[LandedSnapshot]:
    """Land every saved snapshot (*.json) of `folder`, oldest name first; all are read before any is written.
    `between` (start, end), UTC: only the snapshots whose data time is in [start, end) (a partition's days)."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FetchError(f"{folder}: no *.json snapshot to replay")
    snapshots = [read_saved_snapshot(path) for path in files]
    if between is not None:
        snapshots = [s for s in snapshots if between[0] <= s.data_timestamp < between[1]]
    return [land_snapshot(lake, snapshot) for snapshot in snapshots]


def take_snapshots(
    lake: Lake,
    replay_from: str | None = None,
    between: tuple[dt.datetime, dt.datetime] | None = None,
    settings: VelibSettings | None = None,
) -> list[LandedSnapshot]:
    """What the snapshot asset does: replay a folder when one is given (or VELIB_REPLAY_DIR is set), only the
    snapshots of `between` when given, else take one open-data snapshot from VELIB_API_URL (`settings`: default
    the environment's)."""
    from ingestion import config

    settings = settings or config.velib_settings()
    folder = replay_from or settings.replay_dir
    if folder:
        return replay_folder(lake, Path(folder), between)
    http = HttpSettings(settings.timeout_seconds, settings.retries, settings.backoff_seconds)
    return [land_snapshot(lake, fetch_opendata(settings.api_url, http))]


def take_gbfs_snapshot(lake: Lake, settings: VelibSettings | None = None) -> list[LandedSnapshot]:
    """One GBFS snapshot from VELIB_GBFS_URL; nothing when it is not set."""
    from ingestion import config

    settings = settings or config.velib_settings()
    if not settings.gbfs_url:
        return []
    http = HttpSettings(settings.timeout_seconds, settings.retries, settings.backoff_seconds)
    return [land_snapshot(lake, fetch_gbfs(settings.gbfs_url, http))]


def main(argv: list[str] | None = None) -> None:
    import argparse

    from ingestion.lake import open_lake

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replay", metavar="FOLDER", help="land the saved snapshots of FOLDER instead")
    parser.add_argument("--gbfs", action="store_true", help="take a GBFS snapshot (VELIB_GBFS_URL) too")
    args = parser.parse_args(argv)
    lake = open_lake()
    landed = take_snapshots(lake, args.replay) + (take_gbfs_snapshot(lake) if args.gbfs else [])
    for snapshot in landed:
        state = "written" if snapshot.written else "already in the lake"
        print(f"{snapshot.source}: {snapshot.record_count} stations -> {lake.uri(snapshot.key)} ({state})")


if __name__ == "__main__":
    main()
