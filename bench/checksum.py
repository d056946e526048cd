"""Canonical checksums of a mart, so that three implementations with different types can be compared.

Each row becomes one line of text, its columns in the dbt model's order: numbers (integers, decimals, doubles
alike) rounded to 6 decimals and written `%.6f`; dates `YYYY-MM-DD`; timestamps `YYYY-MM-DD HH:MM:SS`; text as
is; NULL as `∅`. The lines are sorted and the checksum is the MD5 of their concatenation, with the row count.
6 decimals: far below any figure the marts report (money has 4), far above float noise (a float sum of 1e7
sales is exact to about 1e-8 relative), so pandas' floats and DuckDB's decimals agree when the logic does.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
           "FLOAT", "DOUBLE", "DECIMAL")  # fmt: skip


@dataclass(frozen=True)
class Checksum:
    rows: int
    md5: str


def canonical_lines_sql(relation: str, columns: list[str], con: duckdb.DuckDBPyConnection) -> str:
    """A query giving one canonical text line per row of `relation` (a table name or a read_parquet(...))."""
    types = {name: kind for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}
    missing = [c for c in columns if c not in types]
    if missing:
        raise ValueError(f"{relation} lacks the columns {missing}")
    parts = []
    for column in columns:
        kind = types[column].upper()
        quoted = f'"{column}"'
        if kind.startswith(NUMERIC):
            text = f"printf('%.6f', round(cast({quoted} as double), 6) + 0.0)"
        elif kind.startswith("TIMESTAMP"):
            text = f"strftime(cast({quoted} as timestamp), '%Y-%m-%d %H:%M:%S')"
        elif kind == "DATE":
            text = f"strftime({quoted}, '%Y-%m-%d')"
        else:
            text = f"cast({quoted} as varchar)"
        parts.append(f"coalesce({text}, '∅')")
    return f"select concat_ws('|', {', '.join(parts)}) as line from {relation}"


def checksum(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> Checksum:
    lines = canonical_lines_sql(relation, columns, con)
    rows, md5 = con.execute(
        f"select count(*), md5(coalesce(string_agg(line, chr(10) order by line), '')) from ({lines})"
    ).fetchone()
    return Checksum(int(rows), str(md5))


def differing_lines(
    con: duckdb.DuckDBPyConnection, left: str, right: str, columns: list[str], limit: int = 3
) -> list[tuple[str, str]]:
    """A few lines of `left` not in `right` ('-') and of `right` not in `left` ('+'), to say how they differ."""
    a, b = canonical_lines_sql(left, columns, con), canonical_lines_sql(right, columns, con)
    query = (
        f"(select '-' as side, line from (({a}) except all ({b})) order by line limit {limit}) union all "
        f"(select '+' as side, line from (({b}) except all ({a})) order by line limit {limit})"
    )
    return [(side, line) for side, line in con.execute(query).fetchall()]
