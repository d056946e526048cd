"""Stream producer for stock sales events: JSON-lines micro-batches to the lake's landing area, or records to a
Kinesis stream with `--kinesis STREAM` (partition key Order_ID).

Each event is `{"Order_ID": "ORDER-<uuid4>", "event_time": "YYYY-MM-DDTHH:MM:SS", "Product_ID",
"Product_Name", "Region", "Quantity", "Sales"}`, as the original team's producer sent them: products from the
catalogue (the sales export), a random region, quantity 1–6, and `event_time` = now minus 0–15 minutes, so
events arrive out of order. Delivery is at-least-once: with probability `duplicate_rate` an event already
sent is sent again, unchanged.

    python -m ingestion.stock.producer --batches 3 --batch-size 200 --batch-seconds 0   # three batches now
    python -m ingestion.stock.producer --rate 2 --batch-seconds 10             # forever, ~2 events/s
    python -m ingestion.stock.producer --batches 3 --batch-size 200 --batch-seconds 0 \
        --kinesis tributary-stock-sales-events                                   # to Kinesis
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import io
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from ingestion import aws, config
from ingestion.files import read_inputs
from ingestion.lake import Lake, open_lake
from ingestion.stock import EVENTS_PARTITION_KEY, EVENTS_TABLE, SOURCE
from ingestion.stream import BatchSink, KinesisSink, LandingSink, write_micro_batch

REGIONS = ("West", "East", "Central", "South")


@dataclass(frozen=True)
class CatalogueItem:
    product_id: str
    product_name: str
    unit_price: float


def load_catalogue(pattern: str, encoding: str) -> list[CatalogueItem]:
    """Distinct products of the sales export(s), with their average unit price."""
    totals: dict[str, list] = {}
    for _name, data in read_inputs(pattern):
        for row in csv.DictReader(io.StringIO(data.decode(encoding, errors="replace"))):
            try:
                quantity = float(row["Quantity"])
                sales = float(row["Sales"])
            except (KeyError, TypeError, ValueError):
                continue
            if not row.get("Product ID") or quantity <= 0:
                continue
            entry = totals.setdefault(row["Product ID"], [row["Product Name"], 0.0, 0.0])
            entry[1] += sales
            entry[2] += quantity
    return [CatalogueItem(pid, name, round(s / q, 2)) for pid, (name, s, q) in sorted(totals.items())]


class SalesEventProducer:
    def __init__(
        self,
        catalogue: list[CatalogueItem],
        seed: int | None = None,
        duplicate_rate: float = 0.05,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ):
        if not catalogue:
            raise ValueError("the catalogue is empty: generate or ingest a sales export first")
        self.catalogue = catalogue
        self.rng = random.Random(seed)
        self.duplicate_rate = duplicate_rate
        self.clock = clock
        self.sent: collections.deque[dict] = collections.deque(maxlen=10_000)  # repeats come from recent events

    def event(self) -> dict:
        if self.sent and self.rng.random() < self.duplicate_rate:
            return dict(self.rng.choice(self.sent))  # at-least-once: the same event again
        item = self.rng.choice(self.catalogue)
        quantity = self.rng.randint(1, 6)
        event_time = self.clock() - dt.timedelta(seconds=self.rng.randint(0, 15 * 60))
        event = {
            "Order_ID": f"ORDER-{uuid.UUID(int=self.rng.getrandbits(128), version=4)}",
            "event_time": event_time.strftime("%Y-%m-%dT%H:%M:%S"),
            "Product_ID": item.product_id,
            "Product_Name": item.product_name,
            "Region": self.rng.choice(REGIONS),
            "Quantity": quantity,
            "Sales": round(item.unit_price * quantity, 2),
        }
        self.sent.append(event)
        return event

    def write_batch(self, lake: Lake, size: int) -> str:
        """One batch to the landing area; returns its key."""
        return write_micro_batch(lake, SOURCE, EVENTS_TABLE, [self.event() for _ in range(size)], self.clock())

    def send_batch(self, sink: BatchSink, size: int) -> str:
        """One batch through `sink` (landing area or Kinesis); returns where it went."""
        return sink.send(SOURCE, EVENTS_TABLE, [self.event() for _ in range(size)], self.clock())


def open_sink(kinesis_stream: str | None) -> BatchSink:
    if kinesis_stream:
        return KinesisSink(aws.client("kinesis"), kinesis_stream, EVENTS_PARTITION_KEY)
    return LandingSink(open_lake())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=0, help="stop after this many batches (0: run forever)")
    parser.add_argument("--batch-size", type=int, default=0, help="events per batch (default: rate × seconds)")
    parser.add_argument("--rate", type=float, default=0.3, help="events per second (default 0.3, one per 2–5 s)")
    parser.add_argument("--batch-seconds", type=float, default=30.0, help="seconds between batches")
    parser.add_argument("--duplicate-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--kinesis", metavar="STREAM", help="send to this Kinesis stream instead of the landing area")
    args = parser.parse_args(argv)
    settings = config.stock_settings()
    producer = SalesEventProducer(
        load_catalogue(settings.sales_csv, settings.sales_encoding), args.seed, args.duplicate_rate
    )
    sink = open_sink(args.kinesis)
    size = args.batch_size or max(1, round(args.rate * args.batch_seconds))
    sent = 0
    while True:
        where = producer.send_batch(sink, size)
        sent += 1
        print(f"batch {sent}: {size} events -> {where}", flush=True)
        if args.batches and sent >= args.batches:
            break
        time.sleep(args.batch_seconds)


if __name__ == "__main__":
    main()
