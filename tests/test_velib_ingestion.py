"""The Vélib' snapshot ingestion against a real HTTP server on 127.0.0.1 that speaks the API's shapes."""

import datetime as dt
import json
import re

import duckdb
import pytest

from ingestion.lake import LocalLake
from ingestion.velib.client import FetchError, HttpSettings
from ingestion.velib.snapshot import fetch_gbfs, fetch_opendata, land_snapshot, replay_folder, take_snapshots
from tests.velib_api import Behaviour, VelibApi

FAST = HttpSettings(timeout_seconds=2, retries=3, backoff_seconds=0.01)


def station(code: str, bikes: int = 3, docks: int = 7, duedate: str = "2025-10-18T18:37:02+02:00") -> dict:
    return {"stationcode": code, "name": f"S{code}", "is_installed": "OUI", "capacity": bikes + docks,
            "numbikesavailable": bikes, "numdocksavailable": docks, "mechanical": bikes, "ebike": 0,
            "duedate": duedate, "coordonnees_geo": {"lon": 2.3, "lat": 48.8},
            "nom_arrondissement_communes": "Paris", "code_insee_commune": "75056"}  # fmt: skip


STATIONS = [station(str(1000 + i)) for i in range(250)]


def test_export_gives_every_station_in_one_call():
    with VelibApi(Behaviour(records=STATIONS)) as api:
        snapshot = fetch_opendata(api.base_url, FAST)
        paths = [r.split("?")[0] for r in api.behaviour.requests]
    assert paths == ["/api/explore/v2.1/catalog/datasets/velib-disponibilite-en-temps-reel/exports/json"]
    assert snapshot.source == "opendata_exports" and snapshot.record_count == 250
    # the data timestamp is the newest duedate, in UTC
    assert snapshot.data_timestamp == dt.datetime(2025, 10, 18, 16, 37, 2, tzinfo=dt.UTC)


def test_failed_export_falls_back_to_paging_records_in_stationcode_order():
    with VelibApi(Behaviour(records=STATIONS, export_status=500)) as api:
        snapshot = fetch_opendata(api.base_url, FAST)
        pages = [r for r in api.behaviour.requests if "/records?" in r]
    assert snapshot.source == "opendata_records"
    assert sorted(s["stationcode"] for s in snapshot.results) == sorted(s["stationcode"] for s in STATIONS)
    assert len(pages) == 3  # 250 stations, 100 a page
    assert all("order_by=stationcode" in p and "limit=100" in p for p in pages)
    assert [p for p in pages if "offset=200" in p]


def test_repeated_rows_across_pages_do_not_duplicate_stations():
    with VelibApi(Behaviour(records=STATIONS, export_status=500, overlapping_pages=True)) as api:
        snapshot = fetch_opendata(api.base_url, FAST)
    codes = [s["stationcode"] for s in snapshot.results]
    assert len(codes) == len(set(codes)) == 250


def test_503_twice_then_200_succeeds_after_retries():
    with VelibApi(Behaviour(records=STATIONS, fail_first=2)) as api:
        snapshot = fetch_opendata(api.base_url, FAST)
        assert len(api.behaviour.requests) == 3
    assert snapshot.record_count == 250


def test_a_server_that_times_out_fails_clearly_and_writes_nothing(project_env, monkeypatch):
    lake = LocalLake(project_env / "lake")
    with VelibApi(Behaviour(records=STATIONS, delay_seconds=1.5)) as api:
        monkeypatch.setenv("VELIB_API_URL", api.base_url)
        monkeypatch.setenv("VELIB_HTTP_TIMEOUT", "0.3")
        monkeypatch.setenv("VELIB_HTTP_RETRIES", "1")
        monkeypatch.setenv("VELIB_HTTP_BACKOFF", "0.01")
        with pytest.raises(FetchError, match=r"exports/json failed after 2 attempt\(s\): timed out"):
            take_snapshots(lake)
    assert lake.list("raw/") == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"[]", "holds no station"), (b'{"oops": 1}', "expected a list of stations"), (b"<html>", "did not answer JSON")],
    ids=["empty", "not-a-list", "not-json"],
)
def test_an_empty_or_malformed_answer_fails_with_a_clear_message(body, problem):
    # the export answers badly, and so does the records endpoint (no station at all)
    with VelibApi(Behaviour(records=[], export_body=body)) as api, pytest.raises(FetchError, match=problem):
        fetch_opendata(api.base_url, FAST)


def test_the_same_snapshot_twice_lands_once(tmp_path):
    lake = LocalLake(tmp_path)
    with VelibApi(Behaviour(records=STATIONS)) as api:
        first = land_snapshot(lake, fetch_opendata(api.base_url, FAST))
        second = land_snapshot(lake, fetch_opendata(api.base_url, FAST))
    assert first.written and not second.written and first.key == second.key
    assert re.fullmatch(
        r"raw/velib/station_status/dt=2025-10-18/hour=16/20251018T163702Z-opendata-\w{16}\.json", first.key
    )
    body = json.loads(lake.get(first.key))
    assert body["source"] == "opendata_exports" and body["record_count"] == 250 and body["results"] == STATIONS
    assert set(body) == {"source", "ingested_at", "data_timestamp", "record_count", "results"}
    # its records are parsed once: one row per station, the contract's fields by JSON key
    rows = duckdb.sql(
        f"select _line_number, stationcode, bikes, snapshot_source, snapshot_record_count "
        f"from read_parquet('{lake.uri(first.parsed_key)}') order by 1 limit 2"
    ).fetchall()
    assert rows == [
        (1, STATIONS[0]["stationcode"], str(STATIONS[0]["numbikesavailable"]), "opendata_exports", "250"),
        (2, STATIONS[1]["stationcode"], str(STATIONS[1]["numbikesavailable"]), "opendata_exports", "250"),
    ]


def test_a_fuller_answer_for_the_same_data_time_lands_beside_a_partial_one(tmp_path):
    lake = LocalLake(tmp_path)
    with VelibApi(Behaviour(records=STATIONS[:100])) as api:
        partial = land_snapshot(lake, fetch_opendata(api.base_url, FAST))
    with VelibApi(Behaviour(records=STATIONS)) as api:
        full = land_snapshot(lake, fetch_opendata(api.base_url, FAST))
    assert partial.written and full.written and partial.key != full.key  # staging keeps the fuller one
    assert (partial.record_count, full.record_count) == (100, 250)


def test_a_station_clock_in_the_future_does_not_date_the_snapshot():
    stations = [station("1001"), station("1002", duedate="2099-01-01T00:00:00+00:00")]
    with VelibApi(Behaviour(records=stations)) as api:
        snapshot = fetch_opendata(api.base_url, FAST)
    assert snapshot.data_timestamp <= dt.datetime.now(dt.UTC)


def test_pages_short_of_total_count_fail():
    behaviour = Behaviour(records=STATIONS, export_status=500, total_count_bonus=50)
    with VelibApi(behaviour) as api, pytest.raises(FetchError, match=r"the pages held 250 rows of the 300 announced"):
        fetch_opendata(api.base_url, FAST)


def test_gbfs_feeds_are_kept_together(tmp_path):
    info = {"data": {"stations": [{"stationCode": "1001", "name": "A", "lat": 48.8, "lon": 2.3, "capacity": 10}]}}
    status = {"data": {"stations": [{"stationCode": "1001", "num_bikes_available": 2, "last_reported": 1645639734,
                                     "num_bikes_available_types": [{"mechanical": 1}, {"ebike": 1}]}]}}  # fmt: skip
    with VelibApi(Behaviour(gbfs={"station_information": info, "station_status": status})) as api:
        snapshot = fetch_gbfs(api.gbfs_url, FAST)
    lake = LocalLake(tmp_path)
    landed = land_snapshot(lake, snapshot)
    assert re.fullmatch(
        r"raw/velib/gbfs_station_status/dt=2022-02-23/hour=18/20220223T180854Z-gbfs-\w{16}\.json", landed.key
    )
    assert snapshot.results == {"station_information": info, "station_status": status}
    # parsed: the status record with its station_information and its bike counts by type
    rows = duckdb.sql(
        "select stationcode, station_name, capacity, bikes, mechanical_bikes, ebikes, reported_at, latitude "
        f"from read_parquet('{lake.uri(landed.parsed_key)}')"
    ).fetchall()
    assert rows == [("1001", "A", "10", "2", "1", "1", "1645639734", "48.8")]


def test_replay_lands_saved_answers_once(tmp_path):
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "a.json").write_text(json.dumps(STATIONS[:5]))  # an exports/json answer
    late = [station("2000", duedate="2025-10-18T18:52:02+02:00")]
    (saved / "b.json").write_text(json.dumps({"total_count": 1, "results": late}))  # a records page
    lake = LocalLake(tmp_path / "lake")
    assert [s.written for s in replay_folder(lake, saved)] == [True, True]
    assert [s.written for s in replay_folder(lake, saved)] == [False, False]
    assert len(lake.list("raw/velib/")) == 2 and len(lake.list("parsed/velib/")) == 2
    (saved / "c.json").write_text("not json")
    with pytest.raises(FetchError, match=r"c\.json: not a JSON file"):
        replay_folder(lake, saved)
