import datetime as dt
import json

import duckdb
import pytest

from ingestion.lake import LocalLake
from ingestion.stock.producer import CatalogueItem, SalesEventProducer
from ingestion.stream import drain_landing, pending_batches, rejected_batches, write_micro_batch

T0 = dt.datetime(2024, 3, 31, 23, 59, 30, tzinfo=dt.UTC)


def test_drain_moves_batches_to_raw_partitioned_by_batch_date(tmp_path):
    lake = LocalLake(tmp_path)
    key = write_micro_batch(lake, "stock", "sales_events", [{"a": 1}, {"a": 2}], T0, batch_id="b1")
    assert key == "landing/stock/sales_events/20240331T235930000000Z-b1.jsonl"
    drained = drain_landing(lake, "stock", "sales_events").drained
    assert [(d.raw_key, d.lines) for d in drained] == [
        ("raw/stock/sales_events/dt=2024-03-31/20240331T235930000000Z-b1.jsonl", 2)
    ]
    assert pending_batches(lake, "stock", "sales_events") == []
    assert lake.get(drained[0].raw_key) == b'{"a": 1}\n{"a": 2}\n'
    # parsed once, dated by the batch's time, each record a row (the contract's keys; here none, all NULL)
    assert drained[0].parsed_key == "parsed/stock/sales_events/dt=2024-03-31/20240331T235930000000Z-b1.parquet"
    rows = duckdb.sql(
        f"select _delivered_at, _line_number, order_id from read_parquet('{lake.uri(drained[0].parsed_key)}')"
    ).fetchall()
    assert rows == [(dt.datetime(2024, 3, 31, 23, 59, 30), 1, None), (dt.datetime(2024, 3, 31, 23, 59, 30), 2, None)]


def test_a_crash_between_write_and_delete_replays_without_duplicating(tmp_path):
    lake = LocalLake(tmp_path)
    key = write_micro_batch(lake, "stock", "sales_events", [{"a": 1}], T0, batch_id="b1")
    raw = "raw/stock/sales_events/dt=2024-03-31/20240331T235930000000Z-b1.jsonl"
    lake.put(
        raw, lake.get(key)
    )  # the drain wrote the raw copy, then died before parsing it and deleting the landing one
    drain_landing(lake, "stock", "sales_events")
    assert lake.list("raw/") == [raw]
    assert lake.list("parsed/") == ["parsed/stock/sales_events/dt=2024-03-31/20240331T235930000000Z-b1.parquet"]
    assert lake.list("landing/") == []


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("20240331T235931000000Z-bad.jsonl", b'{"a": "\xff"}\n', "not UTF-8 (byte offset 7)"),
        ("20240331T235931000000Z-empty.jsonl", b"\n", "the batch file is empty"),
        ("zzz.jsonl", b"{}\n", "not a micro-batch file name"),
    ],
    ids=["undecodable", "empty", "misnamed"],
)
def test_a_file_that_cannot_be_a_batch_is_moved_aside_and_the_others_are_drained(tmp_path, name, data, reason):
    lake = LocalLake(tmp_path)
    write_micro_batch(lake, "stock", "sales_events", [{"a": 1}], T0, batch_id="good")
    lake.put(f"landing/stock/sales_events/{name}", data)
    result = drain_landing(lake, "stock", "sales_events")
    assert [d.raw_key for d in result.drained] == [
        "raw/stock/sales_events/dt=2024-03-31/20240331T235930000000Z-good.jsonl"
    ]
    [rejected] = result.rejected
    assert rejected.moved_to == f"landing/stock/sales_events/_rejected/{name}" and reason in rejected.reason
    assert lake.get(rejected.moved_to) == data  # kept for a person, with its reason beside it
    assert reason in lake.get(rejected.moved_to + ".reason").decode()
    assert pending_batches(lake, "stock", "sales_events") == []  # it never blocks the next drain
    assert rejected_batches(lake, "stock", "sales_events") == [rejected.moved_to]


def test_producer_events_are_out_of_order_and_at_least_once():
    catalogue = [CatalogueItem("FUR-CH-1", "Chair", 100.0), CatalogueItem("OFF-PA-1", "Paper", 5.0)]
    producer = SalesEventProducer(catalogue, seed=7, duplicate_rate=0.2, clock=lambda: T0)
    events = [producer.event() for _ in range(200)]
    ids = [e["Order_ID"] for e in events]
    assert len(set(ids)) < len(ids)  # repeated deliveries
    repeated = next(i for i in ids if ids.count(i) > 1)
    copies = [e for e in events if e["Order_ID"] == repeated]
    assert all(c == copies[0] for c in copies)  # a repeat is the same event
    times = [dt.datetime.fromisoformat(e["event_time"]).replace(tzinfo=dt.UTC) for e in events]
    assert times != sorted(times)  # out of order
    assert all(T0 - dt.timedelta(minutes=15) <= t <= T0 for t in times)
    for event in events:
        assert event["Order_ID"].startswith("ORDER-") and 1 <= event["Quantity"] <= 6
        assert set(event) == {
            "Order_ID",
            "event_time",
            "Product_ID",
            "Product_Name",
            "Region",
            "Quantity",
            "Sales",
        }
        unit = {"FUR-CH-1": 100.0, "OFF-PA-1": 5.0}[event["Product_ID"]]
        assert event["Sales"] == round(unit * event["Quantity"], 2)


def test_producer_is_deterministic_with_a_seed(tmp_path):
    catalogue = [CatalogueItem("P", "Product", 2.5)]
    one = SalesEventProducer(catalogue, seed=1, clock=lambda: T0)
    two = SalesEventProducer(catalogue, seed=1, clock=lambda: T0)
    assert [one.event() for _ in range(20)] == [two.event() for _ in range(20)]
    lake = LocalLake(tmp_path)
    key = one.write_batch(lake, 5)
    assert [json.loads(line)["Product_ID"] for line in lake.get(key).decode().splitlines()] == ["P"] * 5


def test_producer_needs_a_catalogue():
    with pytest.raises(ValueError, match="the catalogue is empty"):
        SalesEventProducer([])
