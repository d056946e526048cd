"""Click events through the stream (landing area → drain → incremental staging → anomaly mart), in the order a day of
traffic would arrive, with a clock the test moves: one batch per 5-minute window.

Steady traffic from the producer (100 events a window, fixed weights) flags nothing; a burst of cart_abandoned
events from France in one window is flagged, alone. Each run of the stream job only adds: a batch file is read once,
and a run with nothing new changes nothing.
"""

import datetime as dt

from dagster import AssetSelection

from ingestion.lake import LocalLake
from ingestion.marketing.producer import ClickEventProducer
from ingestion.stream import LandingSink
from tests.conftest import materialize_assets, query

# the stream job's assets, but the headline summary, which also reads the transactions (not built here: on a fresh
# warehouse it cannot find their relation)
STREAM = AssetSelection.assets(["marketing", "raw_click_events"]).downstream() - AssetSelection.assets(
    "fct_marketing__summary"
)
T0 = dt.datetime(2024, 11, 29, 8, 0, tzinfo=dt.UTC)
WINDOWS = 24  # two hours: the baseline (12 windows) is full for the last 12


class RecordingSink(LandingSink):
    """The landing sink, keeping what it sent, so the test knows every series' windows."""

    sent: list

    def send(self, source, table, records, batch_time):
        self.sent.extend(records)
        return super().send(source, table, records, batch_time)


def series_windows(events) -> dict[tuple[str, str], dict[int, int]]:
    """Events per (event type, country) and window number (0 = 08:00), repeated deliveries counted once."""
    seen, windows = set(), {}
    for event in events:
        if event["event_id"] in seen:
            continue
        seen.add(event["event_id"])
        window = int((dt.datetime.fromisoformat(event["event_time"] + "+00:00") - T0).total_seconds() // 300)
        counts = windows.setdefault((event["event_type"], event["country"]), {})
        counts[window] = counts.get(window, 0) + 1
    return windows


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def anomalies(db):
    return query(
        db,
        "select strftime(window_start, '%H:%M'), event_type, country, events from main.fct_marketing__event_anomalies"
        " where is_anomaly order by 1, 2, 3",
    )


def test_click_events_stream_steady_then_burst(project_env):
    db = project_env / "warehouse.duckdb"
    sink = RecordingSink(LocalLake(project_env / "lake"))
    sink.sent = []
    clock = Clock()
    producer = ClickEventProducer(seed=1, clock=clock)
    # a batch at minute 4 of each window, its events 0–60 s old: all in that window
    for window in range(WINDOWS):
        clock.now = T0 + dt.timedelta(minutes=5 * window + 4)
        producer.send_batch(sink, 100)

    assert materialize_assets(selection=STREAM).success
    [(raw, staged, quarantined)] = query(
        db,
        "select (select count(*) from raw_marketing.click_events),"
        " (select count(*) from main.stg_marketing__click_events),"
        " (select count(*) from main.qua_marketing__click_events)",
    )
    assert raw == 100 * WINDOWS and staged + quarantined == raw
    assert query(db, "select distinct reject_reason from main.qua_marketing__click_events") == [("duplicate_event",)]
    # a series has a row in every window from its first event on (0 when it had none), and a z-score once its
    # 12-window baseline is full and not all zeros
    series = series_windows(sink.sent)
    assert len(series) == 20  # 4 event types × 5 countries
    rows = scored = 0
    for counts in series.values():
        first = min(counts)
        rows += WINDOWS - first
        scored += sum(1 for w in range(first + 12, WINDOWS) if any(counts.get(b) for b in range(w - 12, w)))
    assert query(db, "select count(*), count(distinct window_start) from main.fct_marketing__event_anomalies") == [
        (rows, WINDOWS)
    ]
    assert query(db, "select count(*) from main.fct_marketing__event_anomalies where z_score is not null") == [
        (scored,)
    ]
    assert scored > 200
    assert anomalies(db) == []  # steady traffic: nothing flagged
    stored = query(db, "select * from main.fct_marketing__event_anomalies order by 1, 2, 3")

    # --- the next window carries a burst of 40 abandoned carts from France on top of the steady traffic
    clock.now = T0 + dt.timedelta(minutes=5 * WINDOWS + 4)
    burst = [producer.event() for _ in range(100)] + [producer.event("cart_abandoned", "FR") for _ in range(40)]
    sink.send("marketing", "click_events", burst, clock.now)
    assert materialize_assets(selection=STREAM).success
    in_burst_window = series_windows(sink.sent)[("cart_abandoned", "FR")][WINDOWS]  # the 40, and steady ones
    assert in_burst_window >= 40
    assert anomalies(db) == [("10:00", "cart_abandoned", "FR", in_burst_window)]
    # only added: the earlier windows are untouched, the new one has its 20 rows
    earlier = "select * from main.fct_marketing__event_anomalies where window_start < timestamp '2024-11-29 10:00'"
    assert query(db, earlier + " order by 1, 2, 3") == stored
    assert query(db, "select count(*) from main.fct_marketing__event_anomalies") == [(rows + 20,)]
    assert query(db, "select count(*) from main.base_marketing__click_events") == [(100 * WINDOWS + 140,)]

    # --- a run with nothing new changes nothing, and duplicates nothing
    before = query(db, "select * from main.fct_marketing__event_anomalies order by 1, 2, 3")
    assert materialize_assets(selection=STREAM).success
    assert query(db, "select * from main.fct_marketing__event_anomalies order by 1, 2, 3") == before
    assert query(db, "select count(*) from main.base_marketing__click_events") == [(100 * WINDOWS + 140,)]

    # --- a batch that lands late, into window 5 (08:25): that window and the 12 after it get new baselines, and
    # the incremental result is exactly what a full rebuild gives
    clock.now = T0 + dt.timedelta(minutes=5 * 5 + 4)
    sink.send("marketing", "click_events", [producer.event("purchase", "DE") for _ in range(30)], clock.now)
    assert materialize_assets(selection=STREAM).success
    after = query(db, "select * from main.fct_marketing__event_anomalies order by 1, 2, 3")
    changed = {(row[0], row[1], row[2]) for row in set(after) - set(before)}
    assert min(changed)[0] == dt.datetime(2024, 11, 29, 8, 25) and max(changed)[0] == dt.datetime(2024, 11, 29, 9, 25)
    rebuild = {"ops": {"tributary_dbt_assets": {"config": {"full_refresh": True}}}}
    assert materialize_assets(selection=STREAM, run_config=rebuild).success
    assert query(db, "select * from main.fct_marketing__event_anomalies order by 1, 2, 3") == after
