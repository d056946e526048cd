"""The benchmark's inputs: the project's own generators at a fixed seed and end date, landed in one lake per
(domain, size) under the benchmark's work folder, in the raw-zone layout that dbt reads
(`raw/<source>/<table>/dt=YYYY-MM-DD/<file>`, UTF-8). Generated once and kept: a later run reuses them.

The clean variants of the generators are used (`--clean`): the three implementations apply the same checks, but
only the dbt models keep every rejected line in quarantine, which the others have no equivalent of.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

SEED = 42
END = dt.date(2026, 11, 28)  # last order date of every generated file: the same bytes on every run
CHUNK = 64 * 1024 * 1024


def _generate(module: str, out: Path, args: list[str]) -> None:
    done = out / ".generated"
    if done.exists():
        return
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", module, *args, "--seed", str(SEED), "--end", END.isoformat(), "--clean"]
    subprocess.run([*command, "--out", str(out)], check=True, stdout=sys.stderr)
    done.write_text(" ".join(command) + "\n")


def _land(source: Path, lake: Path, key_prefix: str, encoding: str = "utf-8") -> None:
    """Copy one file into the raw zone as UTF-8 (cp1252 is one byte per character, so chunks decode alone)."""
    target = lake / key_prefix / f"dt={END.isoformat()}" / source.name
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".tmp-{target.name}")
    if encoding == "utf-8":
        shutil.copyfile(source, temporary)
    else:
        with source.open("rb") as reader, temporary.open("wb") as writer:
            while chunk := reader.read(CHUNK):
                writer.write(chunk.decode(encoding).encode("utf-8"))
    temporary.replace(target)


def stock_lake(work: Path, rows: int) -> Path:
    """A lake holding one Superstore export of `rows` order lines and its inventory snapshot."""
    sample = work / "data" / f"stock-{rows}"
    _generate("ingestion.stock.generate", sample, ["--rows", str(rows)])
    lake = work / "lakes" / f"stock-{rows}"
    _land(sample / "superstore_sales.csv", lake, "raw/stock/sales", encoding="cp1252")
    _land(sample / "inventory_snapshot.csv", lake, "raw/stock/inventory_snapshots")
    return lake


def shop_lake(work: Path, orders: int, behaviours: bool = False) -> Path:
    """A lake holding clients.csv and achats.csv of `orders` orders (with `behaviours`: customers drawn from the
    generator's planted behaviours, the shop model's benchmark)."""
    name = f"shop-behaviours-{orders}" if behaviours else f"shop-{orders}"
    sample = work / "data" / name
    _generate("ingestion.shop.generate", sample, ["--orders", str(orders), *(["--behaviours"] if behaviours else [])])
    lake = work / "lakes" / name
    _land(sample / "clients.csv", lake, "raw/shop/clients")
    _land(sample / "achats.csv", lake, "raw/shop/orders")
    return lake


def lake_for(work: Path, domain: str, size: int) -> Path:
    return stock_lake(work, size) if domain == "stock" else shop_lake(work, size)


VELIB_END = dt.datetime(2026, 11, 28, 23, 45, tzinfo=dt.UTC)  # the last snapshot of every generated month


def velib_snapshots(work: Path, stations: int, days: int) -> list[Path]:
    """A month (`days`) of Vélib' snapshots of `stations` stations, one every 15 minutes, saved as the open-data
    API's answers by the project's generator (fixed seed and end); generated once, oldest first."""
    from ingestion.velib.generate import generate_snapshots

    folder = work / "data" / f"velib-{stations}x{days}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_snapshots(folder, stations=stations, hours=days * 24, end=VELIB_END, seed=SEED)
        done.touch()
    return sorted(folder.glob("*.json"))


def land_velib(lake: Path, snapshots: list[Path]) -> None:
    """Land saved snapshots with the project's own code (ingestion.velib.snapshot), one file at a time."""
    from ingestion.lake import LocalLake
    from ingestion.velib.snapshot import land_snapshot, read_saved_snapshot

    target = LocalLake(lake)
    for path in snapshots:
        land_snapshot(target, read_saved_snapshot(path), ingested_at=VELIB_END)
