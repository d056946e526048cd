"""Stream producer for marketing click events: JSON-lines micro-batches to the lake's landing area (the one stream
mechanism, ingestion/stream.py, as the stock producer uses it), or records to a Kinesis stream with
`--kinesis STREAM` (partition key user_id).

Each event is `{"event_id": "<uuid4>", "event_type": "click" | "add_to_cart" | "purchase" | "cart_abandoned",
"user_id", "product", "country", "event_time": "YYYY-MM-DDTHH:MM:SS"}` (UTC). Steady traffic: event types and
countries drawn with fixed weights, `event_time` = the batch time minus 0–`max_lag_seconds`, so events arrive a
little out of order. Delivery is at-least-once: with probability `duplicate_rate` an event already sent is sent
again, unchanged (staging quarantines the repeat).

    python -m ingestion.marketing.producer --batches 3 --batch-size 200 --batch-seconds 0   # three batches now
    python -m ingestion.marketing.producer --rate 5 --batch-seconds 10                       # forever, ~5 events/s
    python -m ingestion.marketing.producer --batches 24 --batch-size 60 --backfill-minutes 120 \
        --burst cart_abandoned:FR:80    # two simulated hours at once, with a burst in the last 5 minutes
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable

from ingestion import aws
from ingestion.lake import open_lake
from ingestion.marketing import CLICK_EVENTS_PARTITION_KEY, CLICK_EVENTS_TABLE, EVENT_TYPES, SOURCE
from ingestion.marketing.generate import PRODUCTS
from ingestion.stream import BatchSink, KinesisSink, LandingSink

EVENT_WEIGHTS = (60, 20, 8, 12)  # in the order of EVENT_TYPES
COUNTRIES = {"FR": 30, "DE": 20, "GB": 20, "ES": 15, "IT": 15}


class ClickEventProducer:
    def __init__(
        self,
        seed: int | None = None,
        duplicate_rate: float = 0.02,
        max_lag_seconds: int = 60,
        users: int = 500,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ):
        self.rng = random.Random(seed)
        self.duplicate_rate = duplicate_rate
        self.max_lag_seconds = max_lag_seconds
        self.users = [f"U{i:05d}" for i in range(1, users + 1)]
        self.clock = clock
        self.sent: collections.deque[dict] = collections.deque(maxlen=10_000)

    def event(self, event_type: str | None = None, country: str | None = None) -> dict:
        """One event; `event_type` and `country` fix those fields (a burst), otherwise they are drawn."""
        if event_type is None and country is None and self.sent and self.rng.random() < self.duplicate_rate:
            return dict(self.rng.choice(self.sent))  # at-least-once: the same event again
        event_time = self.clock() - dt.timedelta(seconds=self.rng.randint(0, self.max_lag_seconds))
        event = {
            "event_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "event_type": event_type or self.rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0],
            "user_id": self.rng.choice(self.users),
            "product": self.rng.choice(list(PRODUCTS)),
            "country": country or self.rng.choices(list(COUNTRIES), list(COUNTRIES.values()))[0],
            "event_time": event_time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self.sent.append(event)
        return event

    def send_batch(self, sink: BatchSink, size: int) -> str:
        """One batch of steady traffic through `sink` (landing area or Kinesis); returns where it went."""
        return sink.send(SOURCE, CLICK_EVENTS_TABLE, [self.event() for _ in range(size)], self.clock())


def open_sink(kinesis_stream: str | None) -> BatchSink:
    if kinesis_stream:
        return KinesisSink(aws.client("kinesis"), kinesis_stream, CLICK_EVENTS_PARTITION_KEY)
    return LandingSink(open_lake())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=0, help="stop after this many batches (0: run forever)")
    parser.add_argument("--batch-size", type=int, default=0, help="events per batch (default: rate × seconds)")
    parser.add_argument("--rate", type=float, default=2.0, help="events per second (default 2)")
    parser.add_argument("--batch-seconds", type=float, default=30.0, help="seconds between batches")
    parser.add_argument("--duplicate-rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--kinesis", metavar="STREAM", help="send to this Kinesis stream instead of the landing area")
    parser.add_argument(
        "--backfill-minutes",
        type=float,
        default=0,
        help="simulate the last M minutes instead of waiting: --batches batches spread evenly over them, sent at once "
        "(the last one in the middle of the last complete 5-minute window)",
    )
    parser.add_argument(
        "--burst",
        metavar="TYPE:COUNTRY:N",
        help="add N events of one type and country to the last batch (e.g. cart_abandoned:FR:80), an anomaly to find",
    )
    args = parser.parse_args(argv)
    if args.backfill_minutes and not args.batches:
        parser.error("--backfill-minutes needs --batches")
    burst = None
    if args.burst:
        try:
            burst_type, burst_country, burst_size = args.burst.split(":")
            burst = (burst_type, burst_country, int(burst_size))
        except ValueError:
            parser.error(f"--burst {args.burst!r} is not TYPE:COUNTRY:N")
        if burst_type not in EVENT_TYPES:
            parser.error(f"--burst: {burst_type!r} is not one of {', '.join(EVENT_TYPES)}")
    now = dt.datetime.now(dt.UTC)
    step = dt.timedelta(minutes=args.backfill_minutes) / args.batches if args.backfill_minutes else None
    if step:
        # the simulated batches end in the middle of the last complete 5-minute window (the anomaly mart's), so that
        # a batch's events, up to a minute late, fall in one window whatever the minute the command runs
        now = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0) - dt.timedelta(minutes=3)
    simulated = {"at": now - step * (args.batches - 1) if step else now}
    producer = ClickEventProducer(
        args.seed, args.duplicate_rate, clock=(lambda: simulated["at"]) if step else (lambda: dt.datetime.now(dt.UTC))
    )
    sink = open_sink(args.kinesis)
    size = args.batch_size or max(1, round(args.rate * args.batch_seconds))
    sent = 0
    while True:
        last = bool(args.batches) and sent + 1 >= args.batches
        records = [producer.event() for _ in range(size)]
        if last and burst:
            records += [producer.event(burst[0], burst[1]) for _ in range(burst[2])]
        where = sink.send(SOURCE, CLICK_EVENTS_TABLE, records, producer.clock())
        sent += 1
        print(f"batch {sent}: {len(records)} events at {producer.clock():%H:%M:%S} UTC -> {where}", flush=True)
        if last:
            break
        if step:
            simulated["at"] += step
        else:
            time.sleep(args.batch_seconds)


if __name__ == "__main__":
    main()
