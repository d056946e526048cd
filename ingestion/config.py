"""Every setting the project reads from the environment, with its documented default.

This is the one module that reads environment variables (the README's table lists them). Paths that default
inside the repository resolve against the repository root, so commands work from any working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_PROFILES_DIR = REPO_ROOT / "profiles"

TARGETS = ("dev", "test", "prod")


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def data_dir() -> Path:
    """Git-ignored folder for everything a run produces locally (lake, warehouse, samples, Dagster home)."""
    return _path_from_env("TRIBUTARY_DATA_DIR", REPO_ROOT / ".data")


def dbt_target() -> str:
    """The one place that decides the environment: `DBT_TARGET` (dev, test or prod), default dev."""
    target = os.environ.get("DBT_TARGET", "dev").strip() or "dev"
    if target not in TARGETS:
        raise ValueError(f"DBT_TARGET={target!r} is not one of {', '.join(TARGETS)}")
    return target


def duckdb_path() -> Path:
    return _path_from_env("DUCKDB_PATH", data_dir() / "warehouse.duckdb")


def lake_url() -> str:
    """`LAKE_URL`: `file:///abs/path`, a plain path, or `s3://bucket/prefix`. Default: `<data dir>/lake`."""
    value = os.environ.get("LAKE_URL", "").strip()
    if not value:
        return (data_dir() / "lake").as_uri()
    if "://" not in value:
        return Path(value).expanduser().resolve().as_uri()
    return value


def samples_dir() -> Path:
    return data_dir() / "samples"


@dataclass(frozen=True)
class StockSettings:
    sales_csv: str
    sales_encoding: str
    inventory_csv: str | None


def stock_settings() -> StockSettings:
    """Inputs of the stock domain.

    `STOCK_SALES_CSV`: a path or glob of Superstore exports (default: the generated sample).
    `STOCK_SALES_ENCODING`: their encoding (default cp1252, as the real export).
    `STOCK_INVENTORY_CSV`: optional inventory snapshot (product_id, region, on_hand, as_of); default: the
    generated sample when it exists.
    """
    sample = samples_dir() / "stock"
    inventory = os.environ.get("STOCK_INVENTORY_CSV")
    if inventory is None and (sample / "inventory_snapshot.csv").exists():
        inventory = str(sample / "inventory_snapshot.csv")
    return StockSettings(
        sales_csv=os.environ.get("STOCK_SALES_CSV", str(sample / "superstore_sales.csv")),
        sales_encoding=os.environ.get("STOCK_SALES_ENCODING", "cp1252"),
        inventory_csv=inventory or None,
    )


@dataclass(frozen=True)
class ShopSettings:
    clients_path: str | None
    orders_path: str | None
    online_retail_path: str | None
    sample_dir: Path
    sample_orders: int

    @property
    def generates_sample(self) -> bool:
        """True when clients and orders come from the generated sample: no shop input is configured."""
        return self.clients_path is None and self.orders_path is None and self.online_retail_path is None


def shop_settings() -> ShopSettings:
    """Inputs of the shop domain.

    `SHOP_CLIENTS_PATH`, `SHOP_ORDERS_PATH`: clients.csv and achats.csv (paths or globs, UTF-8).
    `SHOP_ONLINE_RETAIL_PATH`: the UCI Online Retail transactions (csv or xlsx, path or glob); optional.
    When none of the three is set, clients and orders come from a generated sample in `<data dir>/samples/shop`
    (written on first use, `SHOP_SAMPLE_ORDERS` order rows, default 10,000). When only the Online Retail path is
    set, the clients/orders source lands nothing.
    """
    sample = samples_dir() / "shop"
    clients = os.environ.get("SHOP_CLIENTS_PATH") or None
    orders = os.environ.get("SHOP_ORDERS_PATH") or None
    online_retail = os.environ.get("SHOP_ONLINE_RETAIL_PATH") or None
    return ShopSettings(
        clients_path=clients,
        orders_path=orders,
        online_retail_path=online_retail,
        sample_dir=sample,
        sample_orders=int(float(os.environ.get("SHOP_SAMPLE_ORDERS", "10000"))),
    )


def dbt_environment() -> dict[str, str]:
    """Environment handed to every dbt invocation, so dbt and Python agree on where things are."""
    return {
        "DBT_TARGET": dbt_target(),
        "DUCKDB_PATH": str(duckdb_path()),
        "LAKE_URL": lake_url(),
    }
