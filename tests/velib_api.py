"""A stand-in for the Paris open-data API and the GBFS feeds, served over real HTTP on 127.0.0.1.

It serves records in the API's own shapes (`exports/json`, paged `records` with total_count/results, GBFS
envelopes) and can misbehave on purpose: fail the export, answer 503 (or 429, with a Retry-After) a number of
times, hang past the client's timeout, repeat rows across pages as a live dataset does without order_by; and,
on the export only, drip its answer a byte at a time, redirect in a loop, or cut the connection.
"""

from __future__ import annotations

import csv
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

API_PATH = "/api/explore/v2.1/catalog/datasets/velib-disponibilite-en-temps-reel"
GBFS_PATH = "/gbfs"


def records_from_export_csv(path: Path) -> list[dict]:
    """The dataset's CSV export (French labels, ';', BOM, "lat, lon" text) as API records (machine names)."""
    records = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            lat, lon = (float(x) for x in row["Coordonnées géographiques"].split(","))
            records.append(
                {
                    "stationcode": row["Identifiant station"],
                    "name": row["Nom station"],
                    "is_installed": row["Station en fonctionnement"],
                    "capacity": int(row["Capacité de la station"]),
                    "numdocksavailable": int(row["Nombre bornettes libres"]),
                    "numbikesavailable": int(row["Nombre total vélos disponibles"]),
                    "mechanical": int(row["Vélos mécaniques disponibles"]),
                    "ebike": int(row["Vélos électriques disponibles"]),
                    "is_renting": row["Borne de paiement disponible"],
                    "is_returning": row["Retour vélib possible"],
                    "duedate": row["Actualisation de la donnée"],
                    "coordonnees_geo": {"lon": lon, "lat": lat},
                    "nom_arrondissement_communes": row["Nom communes équipées"],
                    "code_insee_commune": row["Code INSEE communes équipées"],
                }
            )
    return records


@dataclass
class Behaviour:
    records: list[dict] = field(default_factory=list)
    gbfs: dict[str, dict] = field(default_factory=dict)  # station_information / station_status bodies
    export_status: int = 200  # anything else: the export fails and clients must page `records`
    fail_first: int = 0  # answer 503 to the first N requests
    delay_seconds: float = 0.0  # sleep before answering (to trip the client's timeout)
    overlapping_pages: bool = False  # each page also repeats the previous page's last 10 rows
    total_count_bonus: int = 0  # announce more rows than the pages hold
    export_body: bytes | None = None  # answer this instead of the records (malformed answers)
    fail_status: int = 503  # the status of the first `fail_first` answers
    retry_after: str | None = None  # a Retry-After header on those answers (seconds or an HTTP date)
    export_fault: str | None = None  # on exports/json: "drip", "redirect_loop" or "reset"
    drip_seconds: float = 1.0  # "drip": one byte of the answer every drip_seconds
    requests: list[str] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)  # time.monotonic() of each request


class VelibApi:
    def __init__(self, behaviour: Behaviour):
        self.behaviour = behaviour
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{API_PATH}"

    @property
    def gbfs_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{GBFS_PATH}"

    @property
    def export_url(self) -> str:
        return f"{self.base_url}/exports/json"

    def __enter__(self) -> VelibApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        behaviour = self.behaviour

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(
                self, status: int, body: bytes, content_type: str = "application/json", headers: dict | None = None
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def _drip(self, body: bytes) -> None:
                """Headers at once, then the body one byte every drip_seconds: each read is quick, the whole
                answer takes len(body) × drip_seconds."""
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.flush()
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(behaviour.drip_seconds)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client cut the connection at its deadline

            def do_GET(self) -> None:
                behaviour.requests.append(self.path)
                behaviour.request_times.append(time.monotonic())
                if behaviour.delay_seconds:
                    time.sleep(behaviour.delay_seconds)
                if len(behaviour.requests) <= behaviour.fail_first:
                    headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else None
                    return self._send(behaviour.fail_status, b'{"error": "unavailable"}', headers=headers)
                url = urlparse(self.path)
                if url.path == f"{API_PATH}/exports/json" and behaviour.export_fault == "drip":
                    return self._drip(json.dumps(behaviour.records).encode())
                if url.path == f"{API_PATH}/exports/json" and behaviour.export_fault == "redirect_loop":
                    return self._send(302, b"", headers={"Location": self.path})  # to itself, for ever
                if url.path == f"{API_PATH}/exports/json" and behaviour.export_fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()  # an RST instead of an answer
                    return None
                if url.path == f"{API_PATH}/exports/json":
                    if behaviour.export_status != 200:
                        return self._send(behaviour.export_status, b'{"error": "export failed"}')
                    body = behaviour.export_body or json.dumps(behaviour.records).encode()
                    return self._send(200, body)
                if url.path == f"{API_PATH}/records":
                    query = parse_qs(url.query)
                    limit, offset = int(query["limit"][0]), int(query["offset"][0])
                    rows = sorted(behaviour.records, key=lambda r: str(r.get("stationcode")))
                    start = max(offset - 10, 0) if behaviour.overlapping_pages else offset
                    total = len(rows) + behaviour.total_count_bonus
                    page = {"total_count": total, "results": rows[start : offset + limit]}
                    return self._send(200, json.dumps(page).encode())
                name = url.path.removeprefix(f"{GBFS_PATH}/").removesuffix(".json")
                if url.path.startswith(GBFS_PATH) and name in behaviour.gbfs:
                    return self._send(200, json.dumps(behaviour.gbfs[name]).encode())
                return self._send(404, b'{"error": "not found"}')

        return Handler


def refused_url(path: str = API_PATH) -> str:
    """A URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
