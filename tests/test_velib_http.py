"""HTTP faults of the Vélib' sources against real servers on 127.0.0.1 that misbehave: a slow drip, a redirect
loop, 429/503 with Retry-After, a reset connection, nothing listening. Each call ends by its deadline, each
failure names the URL, and the open-data snapshot falls back to paging `records` whatever the export's fault."""

import datetime as dt
import email.utils
import time

import pytest

from ingestion.velib.client import FetchError, HttpSettings, get_json
from ingestion.velib.snapshot import fetch_opendata
from tests.test_velib_ingestion import STATIONS
from tests.velib_api import API_PATH, Behaviour, VelibApi, refused_url

QUICK = HttpSettings(timeout_seconds=2, retries=0, backoff_seconds=0.01)


def test_a_server_dripping_a_byte_every_3_s_does_not_outlive_a_5_s_deadline():
    """The reported case: one byte every 3 s, a 5 s timeout. Each read is quick, so a per-read timeout never
    fired and the call lasted as long as the server wished (the answer here would take over 4 minutes)."""
    with VelibApi(Behaviour(records=STATIONS[:2], export_fault="drip", drip_seconds=3)) as api:
        started = time.monotonic()
        with pytest.raises(FetchError) as raised:
            get_json(api.export_url, HttpSettings(timeout_seconds=5, retries=0))
        elapsed = time.monotonic() - started
    assert (
        str(raised.value) == f"GET {api.export_url} failed after 1 attempt(s): timed out, no complete answer within 5 s"
    )
    assert 4.5 < elapsed < 7  # the deadline, not the server, ended the call


def test_the_deadline_holds_for_each_attempt():
    behaviour = Behaviour(records=STATIONS[:2], export_fault="drip", drip_seconds=0.5)
    with VelibApi(behaviour) as api, pytest.raises(FetchError, match=r"failed after 3 attempt\(s\): timed out"):
        get_json(api.export_url, HttpSettings(timeout_seconds=1, retries=2, backoff_seconds=0.01))
    assert len(behaviour.requests) == 3


def test_a_redirect_loop_is_a_clear_error_naming_the_url():
    with VelibApi(Behaviour(records=STATIONS, export_fault="redirect_loop")) as api:
        with pytest.raises(FetchError) as raised:
            get_json(api.export_url, QUICK)
        assert len(api.behaviour.requests) == 1 + QUICK.max_redirects  # no retry of a loop
    assert str(raised.value) == (
        f"GET {api.export_url}: redirect loop, more than 5 redirects (the last one to {API_PATH}/exports/json)"
    )


def test_429_retry_after_in_seconds_is_honoured():
    behaviour = Behaviour(records=STATIONS, fail_first=2, fail_status=429, retry_after="1")
    with VelibApi(behaviour) as api:
        snapshot = fetch_opendata(api.base_url, HttpSettings(timeout_seconds=5, retries=3, backoff_seconds=0.01))
    assert snapshot.source == "opendata_exports" and snapshot.record_count == 250
    gaps = [b - a for a, b in zip(behaviour.request_times, behaviour.request_times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.9  # the server's 1 s, not the client's 0.01 s backoff


def test_503_retry_after_as_an_http_date_is_honoured():
    when = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), usegmt=True)
    behaviour = Behaviour(records=STATIONS, fail_first=1, fail_status=503, retry_after=when)
    with VelibApi(behaviour) as api:
        assert len(get_json(api.export_url, HttpSettings(timeout_seconds=5, retries=1, backoff_seconds=0.01))) == 250
    assert behaviour.request_times[1] - behaviour.request_times[0] >= 0.9  # the date has a one-second grain


def test_a_retry_after_longer_than_the_client_waits_fails_at_once():
    behaviour = Behaviour(records=STATIONS, fail_first=5, fail_status=503, retry_after="3600")
    with VelibApi(behaviour) as api, pytest.raises(FetchError) as raised:
        get_json(api.export_url, HttpSettings(timeout_seconds=5, retries=3, max_retry_after_seconds=60))
    assert str(raised.value) == (
        f"GET {api.export_url} answered HTTP 503 asking to retry after 3600 s, longer than the 60 s this client waits"
    )
    assert len(behaviour.requests) == 1


def test_without_retry_after_the_backoff_applies_and_the_last_status_is_named():
    behaviour = Behaviour(records=STATIONS, fail_first=10, fail_status=502)
    with VelibApi(behaviour) as api, pytest.raises(FetchError) as raised:
        get_json(api.export_url, HttpSettings(timeout_seconds=5, retries=2, backoff_seconds=0.2))
    assert str(raised.value) == f"GET {api.export_url} failed after 3 attempt(s): HTTP 502"
    gaps = [b - a for a, b in zip(behaviour.request_times, behaviour.request_times[1:], strict=False)]
    assert gaps[0] >= 0.18 and gaps[1] >= 0.38  # 0.2 s, then doubled


def test_connection_refused_names_the_url():
    url = refused_url() + "/exports/json"
    with pytest.raises(FetchError) as raised:
        get_json(url, HttpSettings(timeout_seconds=2, retries=1, backoff_seconds=0.01), {"limit": 5})
    assert str(raised.value) == f"GET {url}?limit=5 failed after 2 attempt(s): connection refused"


@pytest.mark.parametrize(
    ("behaviour", "export_problem"),
    [
        (Behaviour(export_fault="drip", drip_seconds=0.5), "timed out, no complete answer within 2 s"),
        (Behaviour(export_fault="redirect_loop"), "redirect loop, more than 5 redirects"),
        (Behaviour(export_fault="reset"), "failed after 1 attempt(s): ConnectionError"),
        (Behaviour(export_status=429), "failed after 1 attempt(s): HTTP 429"),
        (Behaviour(export_status=403), "answered HTTP 403"),
        (Behaviour(export_body=b'{"results": "not a list"'), "did not answer JSON"),
        (Behaviour(export_body=b'{"oops": 1}'), "expected a list of stations"),
    ],
    ids=["drip", "redirect-loop", "reset", "429", "403", "not-json", "not-a-list"],
)
def test_the_export_failing_in_any_way_falls_back_to_paged_records(behaviour, export_problem, caplog):
    behaviour.records = STATIONS
    with VelibApi(behaviour) as api, caplog.at_level("WARNING", logger="ingestion.velib"):
        snapshot = fetch_opendata(api.base_url, QUICK)
    assert snapshot.source == "opendata_records" and snapshot.record_count == 250
    [warning] = [r.getMessage() for r in caplog.records if "paging" in r.getMessage()]
    assert export_problem in warning and f"{api.base_url}/exports/json" in warning


def test_when_both_endpoints_fail_the_error_names_both_urls():
    url = refused_url()
    with pytest.raises(FetchError) as raised:
        fetch_opendata(url, QUICK)
    message = str(raised.value)
    assert f"GET {url}/exports/json failed after 1 attempt(s): connection refused" in message
    assert f"GET {url}/records?limit=100&offset=0&order_by=stationcode failed after 1 attempt(s)" in message


# --- one source down never stops the other ---------------------------------------------------------------------


def gbfs_feeds(codes: list[str], last_reported: int = 1_700_000_000) -> dict[str, dict]:
    """GBFS station_information + station_status in the shape of the real feeds."""
    info = [{"station_id": int(c), "stationCode": c, "name": f"G{c}", "lat": 48.85, "lon": 2.35, "capacity": 20}
            for c in codes]  # fmt: skip
    status = [{"station_id": int(c), "stationCode": c, "num_bikes_available": 5, "num_docks_available": 15,
               "num_bikes_available_types": [{"mechanical": 3}, {"ebike": 2}], "is_installed": 1, "is_returning": 1,
               "is_renting": 1, "last_reported": last_reported} for c in codes]  # fmt: skip
    return {"station_information": {"data": {"stations": info}}, "station_status": {"data": {"stations": status}}}


def run_velib(instance):
    from dagster import AssetSelection

    from tests.conftest import materialize_assets

    return materialize_assets(selection=AssetSelection.groups("velib"), instance=instance, raise_on_error=False)


def source_checks(result) -> dict[str, object]:
    return {evaluation.asset_key.path[-1]: evaluation for evaluation in result.get_asset_check_evaluations()}


def error_lines(instance, run_id: str) -> list[str]:
    return [entry.user_message for entry in instance.all_logs(run_id) if entry.level >= 40]  # logging.ERROR


def test_the_open_data_api_down_the_gbfs_feed_still_reaches_the_marts(project_env, monkeypatch):
    from dagster import DagsterInstance

    from tests.conftest import query

    down = refused_url()
    with VelibApi(Behaviour(gbfs=gbfs_feeds(["1001", "1002", "1003"]))) as api, DagsterInstance.ephemeral() as instance:
        monkeypatch.setenv("VELIB_API_URL", down)
        monkeypatch.setenv("VELIB_GBFS_URL", api.gbfs_url)
        monkeypatch.setenv("VELIB_HTTP_RETRIES", "0")
        result = run_velib(instance)
        assert result.success
        checks = source_checks(result)
        assert checks["raw_gbfs_station_status"].passed
        assert not checks["raw_station_status"].passed
        error = checks["raw_station_status"].metadata["error"].text
        assert f"GET {down}/exports/json failed after 1 attempt(s): connection refused" in error
        [line] = error_lines(instance, result.run_id)
        assert line.startswith("the open-data API down, the other Vélib' source still goes to the marts: ")
        assert down in line
    assert query(
        project_env / "warehouse.duckdb",
        "select snapshot_source, count(*) from main.fct_velib__station_snapshots group by 1",
    ) == [("gbfs", 3)]


def test_the_gbfs_feed_down_the_open_data_still_reaches_the_marts(project_env, monkeypatch):
    from dagster import DagsterInstance

    from tests.conftest import query

    down = refused_url("/gbfs")
    with VelibApi(Behaviour(records=STATIONS)) as api, DagsterInstance.ephemeral() as instance:
        monkeypatch.setenv("VELIB_API_URL", api.base_url)
        monkeypatch.setenv("VELIB_GBFS_URL", down)
        monkeypatch.setenv("VELIB_HTTP_RETRIES", "0")
        result = run_velib(instance)
        assert result.success
        checks = source_checks(result)
        assert checks["raw_station_status"].passed and not checks["raw_gbfs_station_status"].passed
        assert f"GET {down}/station_information.json failed" in checks["raw_gbfs_station_status"].metadata["error"].text
        [line] = error_lines(instance, result.run_id)
        assert line.startswith("the GBFS feed down, the other Vélib' source still goes to the marts: ")
    assert query(
        project_env / "warehouse.duckdb",
        "select snapshot_source, count(*) from main.fct_velib__station_snapshots group by 1",
    ) == [("opendata_exports", 250)]


def test_the_only_configured_source_down_fails_the_run(project_env, monkeypatch):
    from dagster import DagsterInstance

    down = refused_url()
    monkeypatch.setenv("VELIB_API_URL", down)
    monkeypatch.setenv("VELIB_HTTP_RETRIES", "0")
    with DagsterInstance.ephemeral() as instance:
        result = run_velib(instance)
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == "velib__raw_station_status"
    cause = failure.step_failure_data.error.cause
    assert cause.cls_name == "FetchError"
    assert f"GET {down}/exports/json failed after 1 attempt(s): connection refused" in cause.message
