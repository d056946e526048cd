"""Sample data for the marketing domain, shaped like the original team's Faker generators (seed 004).

Writes into `--out` (default `<data dir>/samples/marketing`):

- `transactions.csv`: ClientID (uuid), ClientName, TransactionDate (YYYY-MM-DD HH:MM:SS, UTC), Product, Amount,
  PaymentMethod; plus dirty rows staging quarantines (a bad date, a negative amount, an unknown payment method,
  a missing client, a row exported twice, a truncated line).
- `web_logs.log` (Apache Common Log Format) and `web_logs.csv` (IP_Address, URL, Status_Code, Timestamp): the
  same kind of traffic in both shapes, registered HTTP status codes only (Faker's `http_status_code` can return
  unassigned ones such as 532, so codes come from a fixed list), plus one truncated log line.
- `social_posts.json`: a JSON array of {user, message with #hashtags, post_date, likes, retweets}.
- `ad_campaigns.json`: a JSON array of {campaign_id, start_date, end_date, budget, clicks, impressions, ctr},
  with the faults real exports have: clicks > impressions, a ctr that disagrees with clicks / impressions, an
  end date before the start date.

Fixed seed and a fixed end date: the same arguments give the same bytes. `--scale` multiplies every row count.

    python -m ingestion.marketing.generate --seed 42 --scale 1 --out .data/samples/marketing
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from ingestion import config
from ingestion.marketing import PAYMENT_METHODS, TRANSACTION_COLUMNS, WEB_LOG_CSV_COLUMNS

DEFAULT_END = dt.date(2024, 11, 30)
PRODUCTS = {  # product -> typical price
    "Laptop": 950.0, "Smartphone": 620.0, "Headphones": 120.0, "Monitor": 240.0, "Keyboard": 65.0,
    "Mouse": 30.0, "Tablet": 410.0, "Camera": 530.0, "Printer": 180.0, "Smartwatch": 260.0,
}  # fmt: skip
PAYMENT_WEIGHTS = (40, 25, 20, 10, 5)  # in the order of PAYMENT_METHODS
PAGES = ("/", "/products", "/products/laptop", "/products/phone", "/cart", "/checkout", "/login", "/search",
         "/blog/black-friday", "/api/v1/cart", "/static/app.js", "/account")  # fmt: skip
# Registered codes only (all in seeds/marketing/marketing_http_status_codes.csv), weighted like real traffic.
STATUS_WEIGHTS = {200: 70, 201: 2, 204: 2, 301: 3, 302: 3, 304: 5, 400: 2, 401: 2, 403: 1, 404: 6, 429: 1,
                  500: 2, 502: 1, 503: 1, 504: 1}  # fmt: skip
METHODS = ("GET", "GET", "GET", "POST")
HASHTAGS = ("#BlackFriday", "#sale", "#tech", "#newarrival", "#unboxing", "#deal", "#laptop", "#review",
            "#giveaway", "#shopping")  # fmt: skip
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class SampleSummary:
    transactions: int  # data lines, dirty ones included
    dirty_transactions: int
    log_lines: int
    csv_log_rows: int
    posts: int
    campaigns: int
    faulty_campaigns: int  # clicks > impressions or end before start: quarantined
    ctr_mismatches: int  # usable campaigns whose file ctr disagrees: flagged


def _moment(rng: random.Random, end: dt.date, days: int) -> dt.datetime:
    start = dt.datetime.combine(end - dt.timedelta(days=days - 1), dt.time())
    return start + dt.timedelta(seconds=rng.randrange(days * 86400))


def clf_time(moment: dt.datetime) -> str:
    """Apache's %t: [25/Nov/2024:13:55:36 +0000] (English month names whatever the locale)."""
    return f"[{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment.year}:{moment:%H:%M:%S} +0000]"


def generate_transactions(out: Path, rows: int, rng: random.Random, fake: Faker, end: dt.date) -> tuple[int, int]:
    """Write the transactions CSV; return its data lines and how many of them staging must quarantine."""
    clients = [(str(uuid.UUID(int=rng.getrandbits(128), version=4)), fake.name()) for _ in range(max(rows // 5, 5))]
    records = []
    for _ in range(rows):
        client_id, name = rng.choice(clients)
        product = rng.choice(list(PRODUCTS))
        amount = round(PRODUCTS[product] * rng.uniform(0.8, 1.2), 2)
        method = rng.choices(PAYMENT_METHODS, PAYMENT_WEIGHTS)[0]
        records.append(
            [client_id, name, f"{_moment(rng, end, 90):%Y-%m-%d %H:%M:%S}", product, f"{amount:.2f}", method]
        )
    dirty = [list(r) for r in rng.sample(records, 4)]
    dirty[0][2] = "2024-02-30 10:00:00"  # no such day
    dirty[1][4] = "-15.00"  # negative amount
    dirty[2][5] = "Barter"  # unknown payment method
    dirty[3][0] = ""  # missing client
    records += dirty
    records.append(list(records[len(records) // 2]))  # the same row exported twice
    truncated = f"{clients[0][0]},{clients[0][1]},2024-11-01\n"
    quarantined = len(dirty) + 1 + 1  # the dirty rows, the second copy, the truncated line
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRANSACTION_COLUMNS)
    writer.writerows(records)
    buffer.write(truncated)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return len(records) + 1, quarantined


def _request(rng: random.Random) -> tuple[str, str, int]:
    return rng.choice(METHODS), rng.choice(PAGES), rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]


def generate_web_logs(log_out: Path, csv_out: Path, lines: int, csv_rows: int, rng: random.Random, fake: Faker,
                      end: dt.date) -> None:  # fmt: skip
    ips = [fake.ipv4_public() for _ in range(50)]
    moments = sorted(_moment(rng, end, 2) for _ in range(lines))
    log = []
    for moment in moments:
        method, page, status = _request(rng)
        size = rng.randint(200, 50_000) if status != 304 else 0
        log.append(f'{rng.choice(ips)} - - {clf_time(moment)} "{method} {page} HTTP/1.1" {status} {size or "-"}')
    log.insert(len(log) // 2, f"{ips[0]} - - [{moments[0]:%d}/Nov/20")  # a line cut short by a crash
    log_out.write_text("\n".join(log) + "\n", encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(WEB_LOG_CSV_COLUMNS)
    for moment in sorted(_moment(rng, end, 2) for _ in range(csv_rows)):
        _, page, status = _request(rng)
        writer.writerow([rng.choice(ips), page, status, f"{moment:%Y-%m-%d %H:%M:%S}"])
    csv_out.write_text(buffer.getvalue(), encoding="utf-8")


def generate_social_posts(out: Path, posts: int, rng: random.Random, fake: Faker, end: dt.date) -> None:
    users = [fake.unique.user_name() for _ in range(max(posts // 8, 3))]
    records = []
    for _ in range(posts):
        tags = rng.sample(HASHTAGS, rng.randint(0, 3))
        likes = int(rng.paretovariate(1.5) * 5)
        records.append({
            "user": rng.choice(users),
            "message": " ".join([fake.sentence(nb_words=8), *tags]),
            "post_date": f"{_moment(rng, end, 30):%Y-%m-%d %H:%M:%S}",
            "likes": likes,
            "retweets": rng.randint(0, likes // 3 + 1),
        })  # fmt: skip
    out.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def generate_campaigns(out: Path, campaigns: int, rng: random.Random, end: dt.date) -> tuple[int, int]:
    records, faulty, mismatches = [], 0, 0
    for i in range(campaigns):
        start = end - dt.timedelta(days=rng.randint(10, 180))
        stop = start + dt.timedelta(days=rng.randint(0, 60))
        impressions = rng.randint(1_000, 200_000)
        clicks = int(impressions * rng.uniform(0.002, 0.08))
        ctr = round(clicks / impressions, 4)
        fault = rng.random()
        if fault < 0.03:
            clicks = impressions + rng.randint(1, 500)  # more clicks than impressions: a broken export
            faulty += 1
        elif fault < 0.06:
            start, stop = stop + dt.timedelta(days=rng.randint(1, 10)), start  # dates swapped
            faulty += 1
        elif fault < 0.12:
            ctr = round(ctr * rng.choice((10, 100, 0.5)), 4)  # ctr in the wrong unit, or stale
            mismatches += 1
        records.append({
            "campaign_id": f"CMP-{i + 1:04d}",
            "start_date": start.isoformat(),
            "end_date": stop.isoformat(),
            "budget": round(rng.uniform(500, 50_000), 2),
            "clicks": clicks,
            "impressions": impressions,
            "ctr": ctr,
        })  # fmt: skip
    out.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return faulty, mismatches


def generate_all(out: Path, seed: int = 42, scale: float = 1.0, end: dt.date = DEFAULT_END) -> SampleSummary:
    """Every marketing sample file in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)

    def n(base: int) -> int:
        return max(10, round(base * scale))

    transactions, dirty_transactions = generate_transactions(out / "transactions.csv", n(1000), rng, fake, end)
    generate_web_logs(out / "web_logs.log", out / "web_logs.csv", n(2000), n(500), rng, fake, end)
    generate_social_posts(out / "social_posts.json", n(300), rng, fake, end)
    faulty, mismatches = generate_campaigns(out / "ad_campaigns.json", n(100), rng, end)
    return SampleSummary(transactions, dirty_transactions, n(2000) + 1, n(500), n(300), n(100), faulty, mismatches)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every row count (default 1)")
    parser.add_argument("--out", type=Path, default=config.samples_dir() / "marketing", help="output folder")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=DEFAULT_END, help="last day of the data")
    args = parser.parse_args(argv)
    s = generate_all(args.out, args.seed, args.scale, args.end)
    print(
        f"wrote {args.out}: {s.transactions} transaction lines ({s.dirty_transactions} dirty), {s.log_lines} log "
        f"lines + {s.csv_log_rows} CSV log rows, {s.posts} posts, {s.campaigns} campaigns ({s.faulty_campaigns} "
        f"faulty, {s.ctr_mismatches} ctr mismatches)"
    )


if __name__ == "__main__":
    main()
