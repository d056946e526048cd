"""The velib domain end to end through Dagster: the real export and GBFS files served over HTTP on 127.0.0.1,
KPIs checked against an independent computation from the files; and generated snapshots replayed."""

import collections
import datetime as dt
import json
import subprocess

import duckdb
import pytest
from dagster import AssetSelection

from ingestion.config import DBT_PROJECT_DIR
from orchestration.dbt_cli import dbt_executable
from tests.conftest import last_run_sql, materialize_assets, query, shared_file
from tests.velib_api import Behaviour, VelibApi, records_from_export_csv

VELIB = AssetSelection.groups("velib")


def area(record: dict) -> str:
    code, commune = record["stationcode"], record["nom_arrondissement_communes"]
    if commune == "Paris" and code.isdigit() and len(code) in (4, 5) and 1 <= int(code) // 1000 <= 20:
        return f"Paris {int(code) // 1000}"
    return commune or "Unknown"


def fill(record: dict) -> float | None:
    bikes, docks = record["numbikesavailable"], record["numdocksavailable"]
    return bikes / (bikes + docks) if bikes + docks else None


def expected_area_kpis(records: list[dict]) -> dict:
    """Independent computation of fct_velib__arrondissement_kpis from the file's records."""
    groups = collections.defaultdict(list)
    for record in records:
        groups[area(record)].append(record)
    result = {}
    for name, rows in groups.items():
        installed = [r for r in rows if r["is_installed"] == "OUI"]
        fills = [f for f in map(fill, rows) if f is not None]
        result[name] = (
            len(rows),
            sum(r["numbikesavailable"] for r in rows),
            sum(r["numdocksavailable"] for r in rows),
            sum(r["capacity"] for r in rows),
            round(sum(fills) / len(fills), 9) if fills else None,
            sum(1 for r in installed if r["numbikesavailable"] == 0),
            sum(1 for r in installed if r["numdocksavailable"] == 0 or (fill(r) or 0) >= 0.9),
        )
    return result


@pytest.mark.real_data
def test_real_export_and_gbfs_over_http(project_env, monkeypatch):
    records = records_from_export_csv(
        shared_file("velib", "opendata", "velib-disponibilite-en-temps-reel_2025-10-18.csv")
    )
    gbfs_dir = shared_file("velib", "gbfs_2022-02")
    gbfs = {
        name: json.loads((gbfs_dir / f"{name}.json").read_text()) for name in ("station_information", "station_status")
    }
    db = project_env / "warehouse.duckdb"
    with VelibApi(Behaviour(records=records, gbfs=gbfs, export_status=503)) as api:
        # the export is down: the asset pages `records` instead
        monkeypatch.setenv("VELIB_API_URL", api.base_url)
        monkeypatch.setenv("VELIB_GBFS_URL", api.gbfs_url)
        monkeypatch.setenv("VELIB_HTTP_BACKOFF", "0.01")
        assert materialize_assets(selection=VELIB).success
        assert any("/records?" in r for r in api.behaviour.requests)

    assert len(records) == 1495
    assert query(db, "select snapshot_source, count(*) from main.stg_velib__station_records group by 1 order by 1") == [
        ("gbfs", len(gbfs["station_status"]["data"]["stations"])),
        ("opendata_records", 1495),
    ]
    assert query(db, "select count(*) from main.qua_velib__station_records") == [(0,)]

    # the latest snapshot is the 2025 export: the area KPIs match an independent computation from the file
    rows = query(
        db,
        "select area_name, stations, bikes, docks, capacity, round(mean_fill_rate, 9), shortage_count,"
        " saturation_count from main.fct_velib__arrondissement_kpis",
    )
    assert {r[0]: tuple(r[1:]) for r in rows} == expected_area_kpis(records)
    assert sum(1 for r in rows if r[0].startswith("Paris ")) == 20

    # critical top 10 over the window: one snapshot in it, so score = 2 × empty + 2 × full + high fill
    scores = sorted(
        (-(2 * (r["numbikesavailable"] == 0) + 2 * (r["numdocksavailable"] == 0) + ((fill(r) or 0) >= 0.9)),
         r["stationcode"]) for r in records
    )  # fmt: skip
    top = query(
        db, "select stationcode, critical_score from main.fct_velib__critical_stations_2h order by critical_rank"
    )
    assert top == [(code, -score) for score, code in scores[:10]]

    # GBFS records get their commune from the open-data records of the same station
    [(gbfs_rows, with_commune)] = query(
        db, "select count(*), count(commune) from main.fct_velib__station_snapshots where snapshot_source = 'gbfs'"
    )
    codes = {r["stationcode"] for r in records}
    assert with_commune == sum(1 for s in gbfs["station_status"]["data"]["stations"] if s["stationCode"] in codes)
    assert gbfs_rows == len(gbfs["station_status"]["data"]["stations"])
    assert query(db, "select count(*) from main.fct_velib__stations_latest") == [
        (len(codes | {s["stationCode"] for s in gbfs["station_status"]["data"]["stations"]}),)
    ]


LATEST_COLUMNS = "stationcode, snapshot_at, snapshot_source, bikes, docks, fill_rate, is_shortage, is_saturated"


def latest_state(db) -> list[tuple]:
    return query(db, f"select {LATEST_COLUMNS} from main.fct_velib__stations_latest order by stationcode")


def recomputed_latest_state(db) -> list[tuple]:
    """fct_velib__stations_latest computed from scratch: each station's latest row of the snapshots."""
    return query(
        db,
        f"select {LATEST_COLUMNS} from main.fct_velib__station_snapshots"
        " qualify row_number() over (partition by stationcode order by snapshot_at desc, snapshot_source) = 1"
        " order by stationcode",
    )


def test_generated_snapshots_replayed_incrementally(project_env, monkeypatch):
    from ingestion.velib.generate import generate_snapshots

    end = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)
    saved = project_env / "saved"
    generate_snapshots(saved, stations=40, hours=2, end=end - dt.timedelta(hours=1), seed=3)
    monkeypatch.setenv("VELIB_REPLAY_DIR", str(saved))
    db = project_env / "warehouse.duckdb"
    assert materialize_assets(selection=VELIB).success
    assert query(db, "select count(*), count(distinct snapshot_at) from main.fct_velib__station_snapshots") == [
        (320, 8)
    ]

    # replaying the same folder adds nothing; an hour more adds four snapshots, incrementally
    assert materialize_assets(selection=VELIB).success
    assert query(db, "select count(*) from main.fct_velib__station_snapshots") == [(320,)]
    later = project_env / "later"
    generate_snapshots(later, stations=40, hours=1, end=end, seed=3)  # 11:15 … 12:00
    monkeypatch.setenv("VELIB_REPLAY_DIR", str(later))
    assert materialize_assets(selection=VELIB).success
    assert query(db, "select count(*), count(distinct snapshot_at) from main.fct_velib__station_snapshots") == [
        (480, 12)
    ]
    assert latest_state(db) == recomputed_latest_state(db)
    [(newest,)] = query(db, "select max(snapshot_at) from main.fct_velib__station_snapshots")
    assert newest > dt.datetime(2025, 3, 3, 11, 45) and {row[1] for row in latest_state(db)} == {newest}
    # a backfill of older hours, replayed after newer ones, reaches the marts too
    earlier = project_env / "earlier"
    generate_snapshots(earlier, stations=40, hours=1, end=end - dt.timedelta(hours=5), seed=4)  # 06:15 … 07:00
    monkeypatch.setenv("VELIB_REPLAY_DIR", str(earlier))
    assert materialize_assets(selection=VELIB).success
    assert query(db, "select count(*), count(distinct snapshot_at) from main.fct_velib__station_snapshots") == [
        (640, 16)
    ]
    assert query(db, "select count(*) from main.fct_velib__stations_latest") == [(40,)]
    # the latest state, kept incrementally, is still what a full recomputation gives (the backfill is older)
    assert latest_state(db) == recomputed_latest_state(db)
    [(newest,)] = query(db, "select max(snapshot_at) from main.fct_velib__station_snapshots")
    assert newest > dt.datetime(2025, 3, 3, 11, 45) and {row[1] for row in latest_state(db)} == {newest}
    # nothing lost over the whole history (dbt's reconciliation counts the recent deliveries only)
    assert query(
        db,
        "select (select count(*) from raw_velib.station_status) + (select count(*) from raw_velib.gbfs_station_status),"
        " (select count(*) from main.stg_velib__station_records),"
        " (select count(*) from main.qua_velib__station_records)",
    ) == [(640, 640, 0)]
    # the quirks: capacity 0 → no fill rate; the Paris-like code outside Paris has no arrondissement
    assert query(db, "select fill_rate, is_shortage from main.fct_velib__stations_latest where capacity = 0") == [
        (None, True)
    ]
    assert query(
        db, "select arrondissement, area_name from main.fct_velib__stations_latest where stationcode = '15001'"
    ) == [(None, "Issy-les-Moulineaux")]
    assert query(db, "select count(*) from main.fct_velib__critical_stations_2h") == [(10,)]
    # the critical stations over the 2 hours up to the latest snapshot (of its feed), recomputed from every
    # snapshot: 8 of the 16 snapshot times fall in the window. The model reads the latest snapshot when it runs
    # and filters on literals (the scan skips the history): the SQL dbt ran holds them
    rows = query(
        db, "select snapshot_at, stationcode, snapshot_source, is_empty, is_full, is_high_fill"
        " from main.fct_velib__station_snapshots",
    )  # fmt: skip
    feed = {source: "gbfs" if source == "gbfs" else "opendata" for source in {r[2] for r in rows}}
    latest_at, latest_feed = max((r[0], feed[r[2]]) for r in rows)
    window = [r for r in rows if feed[r[2]] == latest_feed and latest_at - dt.timedelta(hours=2) < r[0] <= latest_at]
    assert len({r[0] for r in window}) == 8
    scores: collections.Counter = collections.Counter()
    snapshots: collections.Counter = collections.Counter()
    for _, code, _, empty, full, high_fill in window:
        scores[code] += 2 * bool(empty) + 2 * bool(full) + bool(high_fill)
        snapshots[code] += 1
    expected = sorted((-score, code) for code, score in scores.items())[:10]
    assert query(
        db, "select stationcode, critical_score, snapshots from main.fct_velib__critical_stations_2h"
        " order by critical_rank",
    ) == [(code, -score, snapshots[code]) for score, code in expected]  # fmt: skip
    assert f"snapshot_at <= timestamp '{latest_at:%Y-%m-%d %H:%M:%S.%f}'" in last_run_sql(
        "fct_velib__critical_stations_2h"
    )
    # the areas' KPIs of the latest snapshot, found the same way (a literal in the SQL dbt ran): every station of
    # that snapshot counted once, whatever the history before it
    [(newest_at,)] = query(db, "select max(snapshot_at) from main.fct_velib__station_snapshots")
    latest_rows = query(
        db,
        f"select area_name, bikes from main.fct_velib__station_snapshots where snapshot_at = timestamp '{newest_at}'",
    )
    bikes_by_area: dict[str, list[int]] = collections.defaultdict(list)
    for area, bikes in latest_rows:
        bikes_by_area[area].append(bikes)
    assert len(latest_rows) == 40 and len(bikes_by_area) > 1
    expected_areas = sorted(
        (area, len(bikes), sum(b for b in bikes if b is not None), newest_at) for area, bikes in bikes_by_area.items()
    )
    kpis = "select area_name, stations, bikes, snapshot_at from main.fct_velib__arrondissement_kpis"
    assert query(db, kpis + " order by area_name") == expected_areas
    ran = last_run_sql("fct_velib__arrondissement_kpis")
    assert f"snapshot_at = timestamp '{newest_at:%Y-%m-%d %H:%M:%S.%f}'" in ran

    # the checks over the recent deliveries (velib_test_window_hours) can fail: a second copy of a record of the
    # latest snapshot fails the uniqueness of the staged records and the reconciliation (one staged record more
    # than the raw ones)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "insert into main.base_velib__opendata_records"
            " select * replace (_line_number + 100000 as _line_number) from main.base_velib__opendata_records"
            " where reject_reason is null order by snapshot_at desc, stationcode limit 1"
        )
    target = project_env / "target-check"
    result = subprocess.run(
        [dbt_executable(), "--no-use-colors", "test", "--select", "stg_velib__station_records",
         "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert {r["unique_id"].split(".")[2] for r in results if r["status"] == "fail"} == {
        "unique_combination_stg_velib__station_records_snapshot_at__stationcode__snapshot_source",
        "assert_velib_records_reconcile",
    }
