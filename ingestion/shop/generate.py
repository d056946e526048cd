"""Sample data for the shop domain in the original team's schema: clients.csv and achats.csv.

Clean rows (a few order dates in the French DD/MM/YYYY form, which staging standardises) plus realistic dirt
that staging must handle: missing names and countries, bad emails, future and malformed sign-up and order
dates, negative and extreme amounts, repeated clients and orders, orders of unknown clients, truncated lines.
Fixed seed: the same arguments (and end date) give the same bytes.

    python -m ingestion.shop.generate --orders 10000 --out .data/samples/shop
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
class ShopSample:
    clients_path: Path
    orders_path: Path
    clients_rows: int  # data lines written, dirty ones included
    orders_rows: int
    clients_dirty: int  # client lines staging must quarantine (the other dirt is kept and measured)
    orders_dirty: int  # order lines staging must quarantine
    first_date: dt.date
    last_date: dt.date


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
) -> ShopSample:
    """Write `out/clients.csv` and `out/achats.csv`: `orders` order rows (1e3 to 1e6), about one client per
    eight orders, order dates over `years` up to `end` (default yesterday)."""
    if not MIN_ORDERS <= orders <= MAX_ORDERS:
        raise ValueError(f"orders must be between {MIN_ORDERS:,} and {MAX_ORDERS:,}, not {orders:,}")
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=365 * years)
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
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
    return ShopSample(clients_path, orders_path, len(clients), orders_lines, clients_dirty, orders_dirty, start, end)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=float, default=10_000, help="order rows, 1e3 to 1e6 (default 1e4)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=config.samples_dir() / "shop", help="output folder")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="last order date (default yesterday)")
    parser.add_argument("--clean", action="store_true", help="no dirty rows")
    args = parser.parse_args(argv)
    sample = generate(args.out, int(args.orders), args.seed, end=args.end, dirty=not args.clean)
    print(
        f"wrote {sample.clients_path} ({sample.clients_rows:,} lines, {sample.clients_dirty} to quarantine) and "
        f"{sample.orders_path} ({sample.orders_rows:,} lines, {sample.orders_dirty} to quarantine), "
        f"{sample.first_date} … {sample.last_date}"
    )


if __name__ == "__main__":
    main()
