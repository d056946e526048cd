"""Stream producers through Kinesis and the Kinesis drain, on a moto server over real HTTP.

The drain writes a shard's batch to the raw zone, then moves its checkpoint: a crash in between replays the
batch (onto the same key when nothing arrived since, else into a new file whose repeated events staging
quarantines), and never loses an event.
"""

import datetime as dt
import json

import pytest
from dagster import AssetSelection

from ingestion import aws, stream
from ingestion.lake import open_lake
from ingestion.stock import EVENTS_PARTITION_KEY
from ingestion.stock.producer import CatalogueItem, SalesEventProducer, main
from ingestion.stream import (
    KinesisSink,
    StreamError,
    checkpoint_key,
    drain_kinesis,
    kinesis_batch_name,
    read_checkpoint,
)
from tests.conftest import materialize_assets, query

STREAM = "tributary-stock-sales-events"
CATALOGUE = [CatalogueItem("FUR-CH-1", "Chair", 100.0), CatalogueItem("OFF-PA-1", "Paper", 5.0)]
RAW_PREFIX = "raw/stock/sales_events/"


class FlakyKinesis:
    """A PutRecords stand-in: the records listed in `fail` fail once (throttled), the others succeed."""

    def __init__(self, fail: set[str] = frozenset(), always_fail: bool = False):
        self.calls: list[list[str]] = []
        self.fail = set(fail)
        self.always_fail = always_fail

    def put_records(self, StreamName, Records):  # noqa: N803 (boto3's argument names)
        keys = [r["PartitionKey"] for r in Records]
        self.calls.append(keys)
        failed = [k for k in keys if k in self.fail or self.always_fail]
        self.fail -= set(failed)
        results = [
            {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}
            if k in failed
            else {"SequenceNumber": "1", "ShardId": "shardId-000000000000"}
            for k in keys
        ]
        return {"FailedRecordCount": len(failed), "Records": results}


def records(n: int) -> list[dict]:
    return [{"Order_ID": f"ORDER-{i}", "Quantity": 1} for i in range(n)]


def test_put_records_in_calls_of_at_most_500_and_retries_only_the_failed_records():
    client = FlakyKinesis(fail={"ORDER-3", "ORDER-700"})
    sleeps: list[float] = []
    sink = KinesisSink(client, STREAM, EVENTS_PARTITION_KEY, sleep=sleeps.append)
    assert sink.send("stock", "sales_events", records(1200), dt.datetime.now(dt.UTC)) == (
        f"kinesis stream {STREAM} (1200 records)"
    )
    assert [len(c) for c in client.calls] == [500, 1, 500, 1, 200]
    assert client.calls[1] == ["ORDER-3"] and client.calls[3] == ["ORDER-700"]
    assert sleeps == [0.2, 0.2]  # one backoff per partial failure
    sent = [k for call in client.calls for k in call]
    assert sorted(set(sent)) == sorted(f"ORDER-{i}" for i in range(1200)) and len(sent) == 1202


def test_records_still_failing_after_every_attempt_raise():
    sleeps: list[float] = []
    sink = KinesisSink(
        FlakyKinesis(always_fail=True), STREAM, EVENTS_PARTITION_KEY, max_attempts=3, sleep=sleeps.append
    )
    with pytest.raises(StreamError, match=r"2 record\(s\) still failing after 3 attempts .*ProvisionedThroughput"):
        sink.send("stock", "sales_events", records(2), dt.datetime.now(dt.UTC))
    assert sleeps == [0.2, 0.4]  # exponential backoff between attempts


def test_a_record_without_its_partition_key_is_refused():
    with pytest.raises(StreamError, match="record without Order_ID"):
        KinesisSink(FlakyKinesis(), STREAM, EVENTS_PARTITION_KEY).send("s", "t", [{"x": 1}], dt.datetime.now(dt.UTC))


def test_batch_names_are_deterministic_from_shard_and_sequence_numbers():
    arrival = dt.datetime(2024, 3, 31, 23, 59, 30, 250000, tzinfo=dt.UTC)
    batch = [
        {"SequenceNumber": "4960", "ApproximateArrivalTimestamp": arrival},
        {"SequenceNumber": "4971", "ApproximateArrivalTimestamp": arrival + dt.timedelta(hours=1)},
    ]
    name = kinesis_batch_name("shardId-000000000001", batch)
    assert name == "20240331T235930250000Z-shardId-000000000001-4960-4971.jsonl"
    assert stream._batch_date(name) == "2024-03-31"  # the drain_landing naming rule: partition of the first record


@pytest.fixture
def kinesis(moto_aws, monkeypatch):
    """A two-shard stream and an S3 lake, both on the moto server."""
    client = aws.client("kinesis")
    client.create_stream(StreamName=STREAM, ShardCount=2)
    aws.client("s3").create_bucket(Bucket="lake")
    monkeypatch.setenv("LAKE_URL", "s3://lake/tributary")
    return client


def produce(client, n: int, seed: int) -> list[dict]:
    producer = SalesEventProducer(CATALOGUE, seed=seed, duplicate_rate=0.0)
    producer.send_batch(KinesisSink(client, STREAM, EVENTS_PARTITION_KEY), n)
    return producer.sent


def lake_events(lake) -> list[dict]:
    return [json.loads(line) for key in lake.list(RAW_PREFIX) for line in lake.get(key).decode().splitlines()]


def crash_on_checkpoint(monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("killed between the lake write and the checkpoint")

    monkeypatch.setattr(stream, "save_checkpoint", crash)


def test_drain_writes_batches_then_checkpoints_and_a_crash_replays_onto_the_same_keys(kinesis, monkeypatch):
    sent = produce(kinesis, 40, seed=1)
    lake = open_lake()
    shards = [s["ShardId"] for s in kinesis.list_shards(StreamName=STREAM)["Shards"]]

    with monkeypatch.context() as patch:
        crash_on_checkpoint(patch)
        with pytest.raises(RuntimeError, match="killed between"):
            drain_kinesis(lake, kinesis, STREAM, "stock", "sales_events")
    assert len(lake.list(RAW_PREFIX)) == 1  # the first shard's batch was written, its checkpoint was not
    assert lake.list("checkpoints/") == []

    drained = drain_kinesis(lake, kinesis, STREAM, "stock", "sales_events")
    keys = lake.list(RAW_PREFIX)
    assert sorted(b.raw_key for b in drained) == keys  # the replayed batch landed on the key written before
    assert sum(b.lines for b in drained) == 40
    assert sorted(e["Order_ID"] for e in lake_events(lake)) == sorted(e["Order_ID"] for e in sent)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for key in keys:
        assert key.startswith(f"{RAW_PREFIX}dt={today}/") and "Z-shardId-00000000000" in key
    # a checkpoint per shard that received records: its last sequence number, after the write
    for shard in {b.origin.split("/")[3] for b in drained}:
        checkpoint = json.loads(lake.get(checkpoint_key(STREAM, shard)))
        assert checkpoint["sequence_number"] == read_checkpoint(lake, STREAM, shard)
        assert checkpoint["raw_key"] in keys and shard in shards

    assert drain_kinesis(lake, kinesis, STREAM, "stock", "sales_events") == []  # nothing new: nothing written
    more = produce(kinesis, 10, seed=2)
    drained = drain_kinesis(lake, kinesis, STREAM, "stock", "sales_events")
    assert sum(b.lines for b in drained) == 10  # only what arrived after the checkpoints
    assert len(lake_events(lake)) == 50 and {e["Order_ID"] for e in more} <= {e["Order_ID"] for e in lake_events(lake)}


def test_the_producer_command_sends_to_kinesis(kinesis, project_env, monkeypatch, capsys):
    from ingestion.stock.generate import generate_sales_csv

    monkeypatch.setenv("LAKE_URL", "s3://lake/tributary")
    sales = project_env / "data" / "samples" / "stock" / "superstore_sales.csv"
    generate_sales_csv(sales, rows=50, seed=3, end=dt.date(2024, 6, 30))
    main(["--batches", "2", "--batch-size", "30", "--batch-seconds", "0", "--seed", "4", "--kinesis", STREAM])
    assert capsys.readouterr().out.splitlines() == [
        f"batch 1: 30 events -> kinesis stream {STREAM} (30 records)",
        f"batch 2: 30 events -> kinesis stream {STREAM} (30 records)",
    ]
    lake = open_lake()
    assert sum(b.lines for b in drain_kinesis(lake, kinesis, STREAM, "stock", "sales_events")) == 60
    assert open_lake().list("landing/") == []  # nothing went to the landing area


def test_stock_pipeline_reads_kinesis_events_exactly_once_after_a_crash(kinesis, project_env, monkeypatch):
    """Through Dagster and dbt: the asset drains Kinesis when STOCK_EVENTS_KINESIS_STREAM is set; a run killed
    between the write and the checkpoint, more events, a second run: every event once in staging."""
    from ingestion.stock.generate import generate_sales_csv

    monkeypatch.setenv("LAKE_URL", (project_env / "lake").as_uri())  # DuckDB reads the lake: a local one here
    monkeypatch.setenv("STOCK_EVENTS_KINESIS_STREAM", STREAM)
    sales = project_env / "data" / "samples" / "stock" / "superstore_sales.csv"
    generate_sales_csv(sales, rows=100, seed=5, end=dt.date(2024, 6, 30))
    first = produce(kinesis, 30, seed=6)

    with monkeypatch.context() as patch:
        crash_on_checkpoint(patch)
        assert not materialize_assets(selection=AssetSelection.groups("stock"), raise_on_error=False).success
    assert open_lake().list("checkpoints/") == []
    second = produce(kinesis, 20, seed=7)  # arrives before the replay: the replayed batch is larger, a new key
    assert materialize_assets(selection=AssetSelection.groups("stock")).success

    db = project_env / "warehouse.duckdb"
    expected = sorted({e["Order_ID"] for e in first + second})
    assert len(expected) == 50
    staged = query(db, "select order_id from main.stg_stock__sales_events order by 1")
    assert [o for (o,) in staged] == expected
    lines = query(db, "select order_id from main.int_stock__order_lines where channel = 'stream' order by 1")
    assert [o for (o,) in lines] == expected
    [(raw, duplicates)] = query(
        db,
        "select (select count(*) from raw_stock.sales_events),"
        " (select count(*) from main.qua_stock__sales_events where reject_reason = 'duplicate_event')",
    )
    assert duplicates > 0 and raw == 50 + duplicates  # the events replayed into a new file are quarantined


def test_every_record_lands_as_one_line_even_a_broken_one():
    assert stream._record_line(b'{"a": 1}') == '{"a": 1}\n'
    assert stream._record_line(b'{"a":\n 1}\r\n') == '{"a":  1}  \n'  # pretty-printed JSON: still one line
    assert stream._record_line(b'{"a": "\xff"}') == '{"a": "\\xff"}\n'  # lands; staging quarantines it
