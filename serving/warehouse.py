"""The one read-only query layer over the marts, shared by the query API, the dashboard and the demo summary.

- `catalog()`: the tables exposed (dbt models under models/marts/ only, never raw, staging, intermediate or
  quarantine), with the descriptions of the dbt manifest.
- `open_warehouse()`: DuckDB opened read-only locally, Athena (pyathena) when `DBT_TARGET=prod`. Both run SQL
  written with `?` placeholders and a list of parameters: values never become SQL text.
- `rows_query()`: the paged, filtered, ordered `select` the API serves, built from validated identifiers only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingestion import config

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10


class QueryError(ValueError):
    """A request the layer refuses; `status` is the HTTP status an API should answer with."""

    status = 422


class NotFound(QueryError):
    status = 404


class WarehouseUnavailable(RuntimeError):
    """The warehouse is not built yet (or cannot be reached): a message for a person, not a traceback."""


@dataclass(frozen=True)
class Column:
    name: str
    description: str = ""
    data_type: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    domain: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def manifest_path() -> Path:
    return config.DBT_PROJECT_DIR / "target" / "manifest.json"


def catalog(manifest: Path | None = None) -> dict[str, Table]:
    """The marts of the dbt manifest (models whose path is models/marts/<domain>/…), by name."""
    path = manifest or manifest_path()
    if not path.exists():
        raise WarehouseUnavailable(f"no dbt manifest at {path}: run `make manifest` (or `make demo`) first")
    nodes = json.loads(path.read_text())["nodes"].values()
    tables = {}
    for node in nodes:
        fqn = node.get("fqn", [])
        if node.get("resource_type") != "model" or len(fqn) < 4 or fqn[1] != "marts":
            continue
        columns = tuple(
            Column(name=name, description=(props.get("description") or "").strip(), data_type=props.get("data_type"))
            for name, props in node.get("columns", {}).items()
        )
        name = node.get("alias") or node["name"]
        description = (node.get("description") or "").strip()
        tables[name] = Table(name=name, domain=fqn[2], description=description, columns=columns)
    return dict(sorted(tables.items()))


class Warehouse(Protocol):
    """A read-only SQL endpoint: `?` placeholders, parameters as a list, rows back as tuples."""

    kind: str

    def relation(self, table: str) -> str:
        """The quoted, schema-qualified name of a mart (the name must come from the catalog)."""

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        """Run one read-only statement; return the column names and the rows."""

    def columns(self, table: str) -> list[str]:
        """The columns of a built mart, in table order (empty when the mart is not built)."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBWarehouse:
    """The local warehouse file, opened read-only for each statement (the pipeline keeps the write lock short)."""

    kind = "duckdb"

    def __init__(self, path: Path, schema: str = "main") -> None:
        self.path = Path(path)
        self.schema = schema

    def _connect(self):
        import duckdb

        if not self.path.exists():
            raise WarehouseUnavailable(f"no warehouse at {self.path}: run `make demo` first")
        try:
            return duckdb.connect(str(self.path), read_only=True)
        except duckdb.IOException as error:
            raise WarehouseUnavailable(f"cannot open {self.path} read-only: {error}") from error

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self._connect() as con:
            cursor = con.execute(sql, list(params))
            names = [column[0] for column in cursor.description or []]
            return names, cursor.fetchall()

    def columns(self, table: str) -> list[str]:
        _, rows = self.fetch(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [self.schema, table],
        )
        return [name for (name,) in rows]


def trino_literal(value: Any) -> str:
    """A value as a Trino literal, for Athena's execution parameters (which take literals, not bare strings)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QueryError(f"not a finite number: {value!r}")
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class AthenaWarehouse:
    """Athena over the Glue catalog, with the settings of the `prod` dbt target (ingestion/config.py)."""

    kind = "athena"

    def __init__(self, settings: config.AwsSettings | None = None) -> None:
        self.settings = settings or config.aws_settings()
        self.schema = self.settings.athena_schema

    def _connect(self):
        from pyathena import connect

        s = self.settings
        return connect(
            s3_staging_dir=s.athena_staging_dir,
            region_name=s.region,
            work_group=s.athena_work_group,
            schema_name=s.athena_schema,
            endpoint_url=f"{s.endpoint_url.rstrip('/')}/" if s.endpoint_url else None,
            paramstyle="qmark",
        )

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self._connect() as con, con.cursor() as cursor:
            # Athena execution parameters: each `?` receives one literal, never spliced into the statement text
            cursor.execute(sql, [trino_literal(value) for value in params] if params else None)
            names = [column[0] for column in cursor.description or []]
            return names, list(cursor.fetchall())

    def columns(self, table: str) -> list[str]:
        _, rows = self.fetch(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [self.schema, table],
        )
        return [name for (name,) in rows]


def open_warehouse() -> Warehouse:
    """DuckDB (read-only) for the dev and test targets; Athena for prod."""
    if config.dbt_target() == "prod":
        return AthenaWarehouse()
    return DuckDBWarehouse(config.duckdb_path())


@dataclass(frozen=True)
class RowsRequest:
    table: str
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    order_by: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)


def parse_order_by(order_by: str | None, columns: Sequence[str]) -> list[tuple[str, str]]:
    """`col`, `-col` (descending) or `col:desc`, comma-separated; every column must exist."""
    if not order_by:
        return []
    terms = []
    for raw in order_by.split(","):
        term = raw.strip()
        direction = "asc"
        if term.startswith("-"):
            term, direction = term[1:], "desc"
        elif ":" in term:
            term, direction = term.rsplit(":", 1)
            direction = direction.lower()
            if direction not in ("asc", "desc"):
                raise QueryError(f"order_by direction must be asc or desc, not {direction!r}")
        if term not in columns:
            raise NotFound(f"unknown column {term!r} in order_by")
        terms.append((term, direction))
    return terms


def rows_query(warehouse: Warehouse, table: Table, columns: Sequence[str], request: RowsRequest) -> tuple[str, list]:
    """The statement and parameters for a page of a mart. Identifiers come from `columns`; values are parameters."""
    if not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {request.limit}")
    if request.offset < 0:
        raise QueryError(f"offset must be 0 or more, not {request.offset}")
    where, params = [], []
    for name, value in request.filters.items():
        if name not in columns:
            raise NotFound(f"unknown column {name!r} in table {table.name!r}")
        # compared as text: the same on DuckDB and Trino, whatever the column type
        where.append(f"cast({quote_identifier(name)} as varchar) = ?")
        params.append(str(value))
    order = parse_order_by(request.order_by, columns) or [(columns[0], "asc")]
    sql = f"select * from {warehouse.relation(table.name)}"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by " + ", ".join(f"{quote_identifier(name)} {direction}" for name, direction in order)
    # limit and offset are validated Python ints, written as integer literals (Trino takes no parameter there);
    # Trino wants OFFSET before LIMIT, which DuckDB accepts too
    sql += f" offset {int(request.offset)} limit {int(request.limit)}"
    return sql, params


def to_json_value(value: Any) -> Any:
    """A warehouse value as JSON: dates and timestamps in ISO 8601, decimals as numbers, NaN as null."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    return value
