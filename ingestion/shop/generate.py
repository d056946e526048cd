"""Sample data for the shop domain in the original team's schema: clients.csv and achats.csv.

Clean rows (a few order dates in the French DD/MM/YYYY form, which staging standardises) plus realistic dirt
that staging must handle: missing names and countries, bad emails, future and malformed sign-up and order
dates, negative and extreme amounts, repeated clients and orders, orders of unknown clients, truncated lines.
Fixed seed: the same arguments (and end date) give the same bytes.

With `behaviours` (`--behaviours`), customers are drawn from distinct behaviours whose answer is known, for the
segmentation and churn model (ml/, docs/shop-ml.md): `BEHAVIOURS` below. Without it, every customer buys at its
own steady rate from sign-up to the end (nobody stops buying).

    python -m ingestion.shop.generate --orders 10000 --out .data/samples/shop
    python -m ingestion.shop.generate --orders 10000 --behaviours
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from ingestion import config
from ingestion.shop import CLIENTS_COLUMNS, ORDERS_COLUMNS

COUNTRIES = ["France", "France", "France", "Belgique", "Suisse", "Canada", "Allemagne", "Espagne", "Italie"]
PRODUCTS = {  # product -> typical price in euros
    "Laptop": 899.0, "Smartphone": 599.0, "Casque audio": 129.0, "Clavier": 49.0, "Souris": 25.0,
    "Ecran 27 pouces": 279.0, "Imprimante": 149.0, "Tablette": 349.0, "Montre connectee": 199.0,
    "Enceinte": 89.0, "Disque SSD": 99.0, "Webcam": 59.0, "Chargeur": 19.0, "Cable USB-C": 9.9,
    "Sac a dos": 45.0,
}  # fmt: skip
MIN_ORDERS, MAX_ORDERS = 1_000, 1_000_000
CLIENTS_FILE, ORDERS_FILE = "clients.csv", "achats.csv"


@dataclass(frozen=True)
class Behaviour:
    """How a planted customer buys: `share` of the customers; a first order between `start_from` and
    `start_within` of the period (fractions of it); orders `gap_days` apart on average (exponential gaps, each
    `gap_growth` times the previous: a customer who fades); baskets of `basket` products of the list, about
    `price_factor` × their price; active until the end, or, with `lifetime_days`, for that many days (drawn in
    the range) and never after `stops_before_end_days` before the end: a churner."""

    share: float
    start_within: float
    gap_days: float | None  # None: a single order
    basket: tuple[int, int]
    price_factor: float = 1.0
    start_from: float = 0.0
    gap_growth: float = 1.0
    lifetime_days: tuple[int, int] | None = None
    stops_before_end_days: int = 0


# Four behaviours, distinct in recency, frequency and monetary value at the end of the period, so a clustering of
# RFM features can recover them: champions (recent, many orders, large baskets), regulars (recent, steady small
# orders), lapsed (stopped at least 180 days before the end, after a few small orders) and one-off buyers (a single
# large order in the last 40 % of the period). The churners are the lapsed (they fade: each gap 1.3 times the
# previous, then they stop) and the one-off buyers (they never come back); regulars and champions buy to the end.
BEHAVIOURS = {
    "champion": Behaviour(share=0.10, start_within=0.5, gap_days=20, basket=(2, 4), price_factor=1.5),
    "regular": Behaviour(share=0.30, start_within=0.7, gap_days=45, basket=(1, 1), price_factor=0.4),
    "lapsed": Behaviour(
        share=0.35, start_within=0.6, gap_days=25, basket=(1, 1), price_factor=0.6, gap_growth=1.3,
        lifetime_days=(60, 360), stops_before_end_days=180,
    ),
    "one_off": Behaviour(share=0.25, start_from=0.6, start_within=1.0, gap_days=None, basket=(3, 5), price_factor=2.0),
}  # fmt: skip


@dataclass(frozen=True)
class ShopSample:
    clients_path: Path
    orders_path: Path
    clients_rows: int  # data lines written, dirty ones included
    orders_rows: int
    clients_dirty: int  # client lines staging must quarantine (the other dirt is kept and measured)
    orders_dirty: int  # order lines staging must quarantine
    first_date: dt.date
    last_date: dt.date
    behaviours: dict[str, str] | None = None  # client id → planted behaviour (with `behaviours` only)


def client_id(i: int) -> str:
    return f"C{i:06d}"


def _write_atomic(path: Path, text: str) -> None:
    """Two assets may generate the same sample at once: each writes a temp file and renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def generate(
    out: Path,
    orders: int = 10_000,
    seed: int = 42,
    end: dt.date | None = None,
    years: int = 2,
    dirty: bool = True,
    behaviours: bool = False,
) -> ShopSample:
    """Write `out/clients.csv` and `out/achats.csv`: `orders` order rows (1e3 to 1e6), about one client per
    eight orders, order dates over `years` up to `end` (default yesterday). With `behaviours`, customers follow
    the planted `BEHAVIOURS` (about one client per six orders) and the sample says whose is whose."""
    if not MIN_ORDERS <= orders <= MAX_ORDERS:
        raise ValueError(f"orders must be between {MIN_ORDERS:,} and {MAX_ORDERS:,}, not {orders:,}")
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=365 * years)
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    if behaviours:
        clients, rows, planted = _planted(rng, fake, orders, start, end)
        return _write(out, clients, rows, rng, dirty, orders, start, end, planted)
    n_clients = max(orders // 8, 50)
    span = (end - start).days

    clients: list[list[str]] = []
    signup: dict[str, dt.date] = {}
    for i in range(1, n_clients + 1):
        first, last = fake.first_name(), fake.last_name()
        day = start - dt.timedelta(days=rng.randint(0, 365)) + dt.timedelta(days=rng.randint(0, span))
        signup[client_id(i)] = day
        email = f"{first}.{last}@{rng.choice(['gmail.com', 'orange.fr', 'free.fr', 'yahoo.fr'])}".lower()
        email = unicodedata.normalize("NFKD", email).encode("ascii", "ignore").decode().replace(" ", "")
        clients.append([client_id(i), f"{first} {last}", email, day.isoformat(), rng.choice(COUNTRIES)])

    # customers buy with a skewed frequency (a few loyal ones, many one-off), so RFM and Gini are not flat
    weights = [rng.paretovariate(1.2) for _ in range(n_clients)]
    buyers = rng.choices(range(n_clients), weights=weights, k=orders)
    products = list(PRODUCTS)
    rows: list[list[str]] = []
    for n, who in enumerate(buyers, start=1):
        cid = client_id(who + 1)
        first_day = max(signup[cid], start)
        day = first_day + dt.timedelta(days=rng.randint(0, max((end - first_day).days, 0)))
        moment = dt.datetime.combine(day, dt.time(rng.choice(range(7, 24)), rng.randint(0, 59), rng.randint(0, 59)))
        product = rng.choice(products)
        amount = round(PRODUCTS[product] * rng.uniform(0.8, 1.2) * rng.choice([1, 1, 1, 2, 3]), 2)
        # most exports write date and time; one order in 200 comes as a French date alone (valid, standardised)
        when = day.strftime("%d/%m/%Y") if n % 200 == 0 else moment.strftime("%Y-%m-%d %H:%M:%S")
        rows.append([f"A{n:07d}", cid, when, f"{amount:.2f}", product])
    return _write(out, clients, rows, rng, dirty, orders, start, end)


def _client_row(rng: random.Random, fake: Faker, i: int, signup: dt.date) -> list[str]:
    first, last = fake.first_name(), fake.last_name()
    email = f"{first}.{last}@{rng.choice(['gmail.com', 'orange.fr', 'free.fr', 'yahoo.fr'])}".lower()
    email = unicodedata.normalize("NFKD", email).encode("ascii", "ignore").decode().replace(" ", "")
    return [client_id(i), f"{first} {last}", email, signup.isoformat(), rng.choice(COUNTRIES)]


def _planted(
    rng: random.Random, fake: Faker, orders: int, start: dt.date, end: dt.date
) -> tuple[list[list[str]], list[list[str]], dict[str, str]]:
    """Customers drawn from `BEHAVIOURS` until there are `orders` order rows (the last customer's orders are cut
    at that count): the clients, the orders and each client's behaviour."""
    span = (end - start).days
    names, weights = list(BEHAVIOURS), [b.share for b in BEHAVIOURS.values()]
    products = list(PRODUCTS)
    clients: list[list[str]] = []
    rows: list[list[str]] = []
    planted: dict[str, str] = {}
    while len(rows) < orders:
        i = len(clients) + 1
        kind = rng.choices(names, weights=weights)[0]
        behaviour = BEHAVIOURS[kind]
        first = start + dt.timedelta(
            days=rng.randint(int(span * behaviour.start_from), int(span * behaviour.start_within))
        )
        last = end
        if behaviour.lifetime_days:
            last = min(first + dt.timedelta(days=rng.randint(*behaviour.lifetime_days)),
                       end - dt.timedelta(days=behaviour.stops_before_end_days))  # fmt: skip
            first = min(first, last)
        days = [first]
        gap = behaviour.gap_days
        while gap is not None:
            day = days[-1] + dt.timedelta(days=max(1, round(rng.expovariate(1 / gap))))
            if day > last:
                break
            days.append(day)
            gap *= behaviour.gap_growth
        clients.append(_client_row(rng, fake, i, first - dt.timedelta(days=rng.randint(0, 60))))
        planted[client_id(i)] = kind
        for day in days:
            moment = dt.datetime.combine(day, dt.time(rng.randint(7, 23), rng.randint(0, 59), rng.randint(0, 59)))
            amount = sum(PRODUCTS[rng.choice(products)] for _ in range(rng.randint(*behaviour.basket)))
            amount = round(amount * behaviour.price_factor * rng.uniform(0.8, 1.2), 2)
            n = len(rows) + 1
            when = day.strftime("%d/%m/%Y") if n % 200 == 0 else moment.strftime("%Y-%m-%d %H:%M:%S")
            rows.append([f"A{n:07d}", client_id(i), when, f"{amount:.2f}", rng.choice(products)])
    return clients, rows[:orders], planted


def _write(
    out: Path,
    clients: list[list[str]],
    rows: list[list[str]],
    rng: random.Random,
    dirty: bool,
    orders: int,
    start: dt.date,
    end: dt.date,
    planted: dict[str, str] | None = None,
) -> ShopSample:
    """Add the dirty rows (when `dirty`), write both files, and describe them."""
    clients_dirty = orders_dirty = 0
    if dirty:
        k = max(orders // 1000, 1)  # dirt grows with the scale: about 1 % of the rows
        picks = rng.sample(range(len(clients)), min(6 * k, len(clients)))
        for j, idx in enumerate(picks):
            row = clients[idx]
            kind = j % 6
            if kind == 0:
                row[2] = row[2].replace("@", " at ")  # bad email
            elif kind == 1:
                row[2] = ""  # missing email
            elif kind == 2:
                row[4] = ""  # missing country
            elif kind == 3:
                row[3] = "2099-01-01"  # sign-up in the future
            elif kind == 4:
                row[3] = "31/02/2023"  # malformed date
            else:
                row[1] = ""  # missing name
        extra_clients = [list(clients[rng.randrange(len(clients))]) for _ in range(k)]  # exported twice
        extra_clients.append(["", "Sans Identifiant", "sans.id@example.com", "2024-01-01", "France"])
        clients.extend(extra_clients)
        clients_dirty = len(extra_clients)

        bad: list[list[str]] = []
        for j in range(k):
            base = list(rows[rng.randrange(len(rows))])
            for kind, change in enumerate(
                [
                    (3, f"-{base[3]}"),  # negative amount
                    (3, "250000.00"),  # extreme amount
                    (3, "douze"),  # not a number
                    (2, "2099-06-01 10:00:00"),  # order in the future
                    (2, "2024-13-45 25:00:00"),  # malformed date
                    (1, "C999999"),  # unknown client
                    (1, ""),  # no client
                ]
            ):
                row = list(base)
                row[change[0]] = change[1]
                row[0] = f"X{j:04d}{kind}"
                bad.append(row)
            bad.append(list(rows[rng.randrange(len(rows))]))  # the same order exported twice
        rows.extend(bad)
        orders_dirty = len(bad)
        rng.shuffle(rows)

    clients_text = _csv_text(CLIENTS_COLUMNS, clients)
    orders_text = _csv_text(ORDERS_COLUMNS, rows)
    if dirty:
        orders_text += "A9999999,C000001,2024-01-0\n"  # truncated line
        orders_dirty += 1
    clients_path, orders_path = out / CLIENTS_FILE, out / ORDERS_FILE
    _write_atomic(clients_path, clients_text)
    _write_atomic(orders_path, orders_text)
    orders_lines = len(rows) + (1 if dirty else 0)
    return ShopSample(
        clients_path, orders_path, len(clients), orders_lines, clients_dirty, orders_dirty, start, end, planted
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=float, default=10_000, help="order rows, 1e3 to 1e6 (default 1e4)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=config.samples_dir() / "shop", help="output folder")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="last order date (default yesterday)")
    parser.add_argument("--clean", action="store_true", help="no dirty rows")
    parser.add_argument("--behaviours", action="store_true", help="customers from distinct planted behaviours")
    args = parser.parse_args(argv)
    sample = generate(
        args.out, int(args.orders), args.seed, end=args.end, dirty=not args.clean, behaviours=args.behaviours
    )
    print(
        f"wrote {sample.clients_path} ({sample.clients_rows:,} lines, {sample.clients_dirty} to quarantine) and "
        f"{sample.orders_path} ({sample.orders_rows:,} lines, {sample.orders_dirty} to quarantine), "
        f"{sample.first_date} … {sample.last_date}"
    )


if __name__ == "__main__":
    main()
