"""The limit: one hand-written DuckDB session that reads the input files and computes the marts with the same
logic as the dbt models (bench/sql/limit_<domain>.sql), into a DuckDB file. No landing, no dbt, no Dagster.

    python -m bench.limit --domain stock --inputs sales.csv inventory.csv --out .data/bench/limit.duckdb
    python -m bench.limit --domain shop --inputs clients.csv achats.csv --out .data/bench/limit.duckdb
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

import duckdb

from bench.project import EMAIL_PATTERN, params

SQL_DIR = Path(__file__).parent / "sql"
EMPTY_SNAPSHOTS = (
    "(select cast(null as varchar) as product_id, cast(null as varchar) as region, cast(null as varchar) as on_hand,"
    " cast(null as varchar) as as_of where false)"
)


def _date_literal(value: str | None) -> str:
    return f"date '{value}'" if value else "cast(null as date)"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def render(domain: str, inputs: list[Path]) -> str:
    """The session's SQL; `inputs`: stock: the sales export (UTF-8) and optionally the inventory snapshot; shop:
    clients.csv and achats.csv."""
    p = params()
    expected = {
        "stock": "the sales export and, optionally, the inventory snapshot",
        "shop": "clients.csv and achats.csv",
    }
    if not (1 <= len(inputs) <= 2 if domain == "stock" else len(inputs) == 2):
        raise SystemExit(f"--inputs of {domain}: {expected[domain]}, not {len(inputs)} file(s)")
    files = [_sql_path(path) for path in inputs]
    values = {
        "sales": files[0],
        "clients": files[0],
        "orders": files[-1],
        "window_days": p.window_days,
        "anchor": p.review_anchor_date,
        "seed_estimated_stock": p.seed_estimated_stock,
        "seed_high_days": p.seed_high_days,
        "seed_medium_days": p.seed_medium_days,
        "seed_policy": str(p.policy_csv),
        "seed_segments": str(p.segments_csv),
        "snapshots_relation": (
            f"read_csv('{files[1]}', header = true, all_varchar = true)"
            if domain == "stock" and len(files) == 2
            else EMPTY_SNAPSHOTS
        ),
        "as_of_literal": _date_literal(p.as_of_date if domain == "stock" else p.shop_as_of_date),
        "max_order_amount": p.shop_max_order_amount,
        "email_pattern": EMAIL_PATTERN,
    }
    return string.Template((SQL_DIR / f"limit_{domain}.sql").read_text()).substitute(values)


def run(
    domain: str, inputs: list[Path], out: Path, memory_limit: str | None = None, threads: int | None = None
) -> None:
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    con.execute(render(domain, inputs))
    con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", choices=("stock", "shop"), required=True)
    parser.add_argument("--inputs", type=Path, nargs="+", required=True, help="the input files (see above)")
    parser.add_argument("--out", type=Path, required=True, help="DuckDB file written (replaced)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1GB")
    args = parser.parse_args(argv)
    run(args.domain, [path.resolve() for path in args.inputs], args.out, args.memory_limit)


if __name__ == "__main__":
    main()
