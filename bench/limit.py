"""The limit: one hand-written DuckDB session that reads the raw files of the lake and computes the marts with
the same logic as the dbt models (bench/sql/limit_<domain>.sql), into a DuckDB file. No dbt, no Dagster.

    python -m bench.limit --domain stock --lake .data/bench/lake --out .data/bench/limit.duckdb
"""

from __future__ import annotations

import argparse
import glob
import string
from pathlib import Path

import duckdb

from bench.project import EMAIL_PATTERN, params

SQL_DIR = Path(__file__).parent / "sql"
EMPTY_SNAPSHOTS = (
    "(select cast(null as varchar) as product_id, cast(null as varchar) as region, cast(null as varchar) as on_hand,"
    " cast(null as varchar) as as_of, cast(null as date) as dt, cast(null as varchar) as filename where false)"
)


def _date_literal(value: str | None) -> str:
    return f"date '{value}'" if value else "cast(null as date)"


def render(domain: str, lake: Path) -> str:
    p = params()
    snapshots = f"{lake}/raw/stock/inventory_snapshots/dt=*/*.csv"
    values = {
        "lake": str(lake),
        "window_days": p.window_days,
        "anchor": p.review_anchor_date,
        "seed_estimated_stock": p.seed_estimated_stock,
        "seed_high_days": p.seed_high_days,
        "seed_medium_days": p.seed_medium_days,
        "seed_policy": str(p.policy_csv),
        "seed_segments": str(p.segments_csv),
        "snapshots_relation": (
            f"read_csv('{snapshots}', header = true, all_varchar = true, filename = true,"
            " hive_partitioning = true, hive_types = {'dt': 'date'})"
            if glob.glob(snapshots)
            else EMPTY_SNAPSHOTS
        ),
        "as_of_literal": _date_literal(p.as_of_date if domain == "stock" else p.shop_as_of_date),
        "max_order_amount": p.shop_max_order_amount,
        "email_pattern": EMAIL_PATTERN,
    }
    return string.Template((SQL_DIR / f"limit_{domain}.sql").read_text()).substitute(values)


def run(domain: str, lake: Path, out: Path, memory_limit: str | None = None, threads: int | None = None) -> None:
    if domain == "stock" and glob.glob(f"{lake}/raw/stock/sales_events/dt=*/*"):
        raise SystemExit("the limit reproduces the batch marts: land no sales events in its lake")
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    con.execute(render(domain, lake))
    con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", choices=("stock", "shop"), required=True)
    parser.add_argument("--lake", type=Path, required=True, help="the lake folder (its raw/ zone is read)")
    parser.add_argument("--out", type=Path, required=True, help="DuckDB file written (replaced)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1GB")
    args = parser.parse_args(argv)
    run(args.domain, args.lake.resolve(), args.out, args.memory_limit)


if __name__ == "__main__":
    main()
