"""Sample data for the stock domain, shaped like the real Superstore export.

`generate_sales_csv` writes the 21-column Superstore schema in cp1252 with `M/D/YYYY` dates and postal codes
without leading zeros, plus a handful of dirty rows that staging must quarantine (an unparseable date, a
negative and a non-numeric quantity, a missing product, a truncated line, a repeated row). Fixed seed:
the same arguments (and end date) give the same bytes.

    python -m ingestion.stock.generate --rows 5000 --out .data/samples/stock
    python -m ingestion.stock.generate --rows 1e7 --products 5000 --clean   # the benchmark's scale
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from ingestion import config
from ingestion.stock import INVENTORY_COLUMNS, SUPERSTORE_COLUMNS

SUB_CATEGORIES = {
    "Furniture": ["Bookcases", "Chairs", "Furnishings", "Tables"],
    "Office Supplies": ["Binders", "Paper", "Storage", "Art"],
    "Technology": ["Phones", "Accessories", "Machines", "Copiers"],
}
PLACES = {  # region -> (city, state, postal code)
    "West": [("Seattle", "Washington", 98103), ("Los Angeles", "California", 90036)],
    "East": [("New York City", "New York", 10035), ("Providence", "Rhode Island", 2908)],
    "Central": [("Chicago", "Illinois", 60610), ("Houston", "Texas", 77095)],
    "South": [("Henderson", "Kentucky", 42420), ("Jacksonville", "Florida", 32216)],
}
# Names with characters outside ASCII that cp1252 encodes, as in the real export.
NAME_FLAVOURS = ["Café", "Señorita", "Hôtel", "Crème", "Tête-à-tête", "Bush’s", "Jardín"]
SHIP_MODES = ["Standard Class", "Second Class", "First Class", "Same Day"]
SEGMENTS = ["Consumer", "Corporate", "Home Office"]


@dataclass(frozen=True)
class Product:
    product_id: str
    category: str
    sub_category: str
    name: str
    unit_price: float


@dataclass(frozen=True)
class SampleSummary:
    rows_written: int  # data lines in the file, dirty ones included
    dirty_rows: int  # lines staging must quarantine
    first_date: dt.date
    last_date: dt.date


def catalogue(n_products: int = 60, seed: int = 42) -> list[Product]:
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    products = []
    for i in range(n_products):
        category = list(SUB_CATEGORIES)[i % len(SUB_CATEGORIES)]
        sub_category = rng.choice(SUB_CATEGORIES[category])
        flavour = rng.choice(NAME_FLAVOURS) if i % 5 == 0 else fake.last_name()
        name = f"{flavour} {fake.word().title()} {sub_category.rstrip('s')}"
        product_id = f"{category[:3].upper()}-{sub_category[:2].upper()}-{10000000 + i * 137}"
        products.append(Product(product_id, category, sub_category, name, round(rng.uniform(5, 900), 2)))
    return products


def _mdy(day: dt.date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def generate_sales_csv(
    out: Path,
    rows: int = 5000,
    seed: int = 42,
    end: dt.date | None = None,
    years: int = 2,
    n_products: int = 60,
    dirty: bool = True,
) -> SampleSummary:
    """Order dates span `years` up to `end` (default yesterday, so the event stream continues the history)."""
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=365 * years)
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    products = catalogue(n_products, seed)
    customers = [(f"{fake.random_uppercase_letter()}{fake.random_uppercase_letter()}-{10000 + i}", fake.name())
                 for i in range(max(rows // 8, 10))]  # fmt: skip
    lines = _sales_records(rng, products, customers, start, end, rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not dirty:  # streamed to the file: 1e7 rows (about 1 GB) never sit in memory
        with out.open("w", encoding="cp1252", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(SUPERSTORE_COLUMNS)
            writer.writerows(lines)
        return SampleSummary(rows, 0, start, end)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SUPERSTORE_COLUMNS)
    records = list(lines)
    dirty_rows = 0
    if len(records) >= 10:
        bad = [list(r) for r in rng.sample(records, 5)]
        bad[0][2] = "13/45/2016"  # unparseable order date
        bad[1][18] = "-2"  # negative quantity
        bad[2][18] = "three"  # non-numeric quantity
        bad[3][13] = ""  # missing product id
        for i, row in enumerate(bad[:4]):
            row[0] = str(rows + i + 1)
        records.extend(bad[:4])
        records.append(list(records[len(records) // 2]))  # the same line exported twice
        dirty_rows = 6  # the five above and the truncated line below
    for record in records:
        writer.writerow(record)
    if dirty_rows:
        buffer.write(f"{rows + 10},CA-2017-000001,1/2/2017,1/4/2017\r\n")  # truncated line
    out.write_bytes(buffer.getvalue().encode("cp1252"))
    return SampleSummary(len(records) + (1 if dirty_rows else 0), dirty_rows, start, end)


def _sales_records(
    rng: random.Random,
    products: list[Product],
    customers: list[tuple[str, str]],
    start: dt.date,
    end: dt.date,
    rows: int,
) -> Iterator[list[str]]:
    """The clean order lines, one list of 21 fields each, drawn from `rng` in file order."""
    span = (end - start).days
    row_id = 0
    while row_id < rows:
        order_day = start + dt.timedelta(days=rng.randint(0, span))
        order_id = f"CA-{order_day.year}-{rng.randint(100000, 999999)}"
        customer_id, customer_name = rng.choice(customers)
        region = rng.choice(list(PLACES))
        city, state, postal = rng.choice(PLACES[region])
        ship_day = order_day + dt.timedelta(days=rng.randint(0, 6))
        for _ in range(rng.randint(1, 4)):
            if row_id >= rows:
                break
            row_id += 1
            product = rng.choice(products)
            quantity = rng.randint(1, 9)
            discount = rng.choice([0, 0, 0, 0.1, 0.2, 0.3])
            sales = round(product.unit_price * quantity * (1 - discount), 4)
            yield [
                str(row_id), order_id, _mdy(order_day), _mdy(ship_day), rng.choice(SHIP_MODES), customer_id,
                customer_name, rng.choice(SEGMENTS), "United States", city, state, str(postal), region,
                product.product_id, product.category, product.sub_category, product.name, f"{sales:g}",
                str(quantity), f"{discount:g}", f"{round(sales * rng.uniform(-0.2, 0.4), 4):g}",
            ]  # fmt: skip


def generate_inventory_csv(out: Path, sales_csv: Path, pairs: int = 5, seed: int = 42) -> int:
    """An inventory snapshot for a few (product, region) pairs of `sales_csv`, counted 10 days before its end."""
    rng = random.Random(seed)
    with sales_csv.open(encoding="cp1252", newline="") as handle:
        reader = csv.DictReader(handle)
        seen: dict[tuple[str, str], dt.date] = {}
        for row in reader:
            try:
                day = dt.datetime.strptime(row["Order Date"], "%m/%d/%Y").date()
            except (TypeError, ValueError):
                continue
            if row.get("Product ID"):
                key = (row["Product ID"], row["Region"])
                seen[key] = max(seen.get(key, day), day)
    if not seen:
        return 0
    last = max(seen.values())
    chosen = rng.sample(sorted(seen), min(pairs, len(seen)))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INVENTORY_COLUMNS)
        for product_id, region in chosen:
            writer.writerow([product_id, region, rng.randint(0, 40), (last - dt.timedelta(days=10)).isoformat()])
    return len(chosen)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=lambda v: int(float(v)), default=5000, help="order lines (default 5000)")
    parser.add_argument(
        "--products", type=int, default=60, help="catalogue size (default 60; a stock team's catalogue: thousands)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=config.samples_dir() / "stock", help="output folder")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="last order date (default yesterday)")
    parser.add_argument("--clean", action="store_true", help="no dirty rows")
    args = parser.parse_args(argv)
    if args.products < 1:
        parser.error(f"--products must be at least 1, not {args.products}")
    summary = generate_sales_csv(
        args.out / "superstore_sales.csv", args.rows, args.seed, end=args.end, n_products=args.products,
        dirty=not args.clean,
    )  # fmt: skip
    pairs = generate_inventory_csv(args.out / "inventory_snapshot.csv", args.out / "superstore_sales.csv")
    print(
        f"wrote {args.out / 'superstore_sales.csv'}: {summary.rows_written} lines "
        f"({summary.dirty_rows} dirty, {args.products} products), and an inventory snapshot of {pairs} pairs"
    )


if __name__ == "__main__":
    main()
