"""The benchmark's inputs: the files the project's own generators write, at a fixed seed and end date, generated
once under the benchmark's work folder and kept (a later run reuses them). Generating them is not timed.

- stock: the Superstore export as the generator writes it (cp1252, like the real one) and, transcoded once, the
  same rows as UTF-8: the timed input that all three implementations read; plus the inventory snapshot.
- shop: clients.csv and achats.csv (UTF-8).
- Vélib': a month (or more) of saved open-data answers, one every 15 minutes.

The clean variants of the generators are used (`--clean`): the three implementations apply the same checks, but
only the project keeps every rejected line in quarantine, which the others have no equivalent of.
"""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SEED = 42
END = dt.date(2026, 11, 28)  # last order date of every generated file: the same bytes on every run
PRODUCTS = 5_000  # the stock team's catalogue: thousands of products (the demo's generator default is 60)
CHUNK = 64 * 1024 * 1024


@dataclass(frozen=True)
class StockInputs:
    sales: Path  # UTF-8: the timed input, read by every implementation
    inventory: Path  # the inventory snapshot (UTF-8)
    sales_cp1252: Path  # the generator's output, in the real export's encoding (the transcoding path)
    rows: int
    products: int

    @property
    def files(self) -> list[Path]:
        return [self.sales, self.inventory]


@dataclass(frozen=True)
class ShopInputs:
    clients: Path
    orders: Path
    rows: int

    @property
    def files(self) -> list[Path]:
        return [self.clients, self.orders]


def _generate(module: str, out: Path, args: list[str]) -> None:
    done = out / ".generated"
    if done.exists():
        return
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [sys.executable, "-m", module, *args, "--seed", str(SEED), "--end", END.isoformat(), "--clean"]
    subprocess.run([*command, "--out", str(out)], check=True, stdout=sys.stderr)
    done.write_text(" ".join(command) + "\n")


def transcode(source: Path, target: Path, encoding: str) -> None:
    """`source` (in `encoding`) rewritten as UTF-8 at `target`, streamed, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".tmp-{target.name}")
    decoder = codecs.getincrementaldecoder(encoding)()
    with source.open("rb") as reader, temporary.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            writer.write(decoder.decode(chunk).encode("utf-8"))
        writer.write(decoder.decode(b"", final=True).encode("utf-8"))
    temporary.replace(target)


def stock_inputs(work: Path, rows: int, products: int = PRODUCTS) -> StockInputs:
    """`rows` order lines over a catalogue of `products` (cp1252 as generated, and its UTF-8 copy) and the
    inventory snapshot the generator derives from them."""
    folder = work / "data" / f"stock-{rows}-p{products}"
    _generate("ingestion.stock.generate", folder, ["--rows", str(rows), "--products", str(products)])
    utf8 = folder / "utf8"
    sales = utf8 / "superstore_sales.csv"
    if not sales.exists():
        transcode(folder / "superstore_sales.csv", sales, "cp1252")
    inventory = utf8 / "inventory_snapshot.csv"
    if not inventory.exists():
        shutil.copyfile(folder / "inventory_snapshot.csv", inventory)  # ASCII: UTF-8 already
    return StockInputs(sales, inventory, folder / "superstore_sales.csv", rows, products)


def shop_inputs(work: Path, orders: int, behaviours: bool = False) -> ShopInputs:
    """clients.csv and achats.csv of `orders` orders (with `behaviours`: customers drawn from the generator's planted
    behaviours, the shop model's benchmark)."""
    folder = work / "data" / (f"shop-behaviours-{orders}" if behaviours else f"shop-{orders}")
    _generate("ingestion.shop.generate", folder, ["--orders", str(orders), *(["--behaviours"] if behaviours else [])])
    return ShopInputs(folder / "clients.csv", folder / "achats.csv", orders)


def inputs_for(work: Path, domain: str, size: int, products: int = PRODUCTS) -> StockInputs | ShopInputs:
    return stock_inputs(work, size, products) if domain == "stock" else shop_inputs(work, size)


VELIB_END = dt.datetime(2026, 11, 28, 23, 45, tzinfo=dt.UTC)  # the last snapshot of every generated series


def velib_snapshots(work: Path, stations: int, days: int) -> list[Path]:
    """`days` of Vélib' snapshots of `stations` stations, one every 15 minutes, saved as the open-data API's
    answers by the project's generator (fixed seed and end); generated once, oldest first."""
    from ingestion.velib.generate import generate_snapshots

    folder = work / "data" / f"velib-{stations}x{days}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_snapshots(folder, stations=stations, hours=days * 24, end=VELIB_END, seed=SEED)
        done.touch()
    return sorted(folder.glob("*.json"))


VELIB_DELAY = dt.timedelta(minutes=1)  # a snapshot lands this long after its data time


def land_velib(lake: Path, snapshots: list[Path]) -> None:
    """Land saved snapshots with the project's own code (ingestion.velib.snapshot), one file at a time, each
    delivered a minute after its data time, as the live feed delivers them: the history is a month of
    quarter-hourly deliveries, not a month delivered in the minutes before the measured run."""
    from ingestion.lake import LocalLake
    from ingestion.velib.snapshot import land_snapshot, read_saved_snapshot

    target = LocalLake(lake)
    for path in snapshots:
        snapshot = read_saved_snapshot(path)
        land_snapshot(target, snapshot, ingested_at=snapshot.data_timestamp + VELIB_DELAY)
