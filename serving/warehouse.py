"""The one read-only query layer over the marts, shared by the query API, the dashboard and the demo summary.

- `catalog()`: the tables exposed (dbt models under models/marts/ only, never raw, staging, intermediate or
  quarantine), with the descriptions of the dbt manifest.
- `open_warehouse()`: DuckDB opened read-only locally, Athena (pyathena) when `DBT_TARGET=prod`. Both run SQL
  written with `?` placeholders and a list of parameters: values never become SQL text.
- `rows_query()`: the paged, filtered, ordered `select` the API serves, built from validated identifiers only;
  `fetch_page()` runs it and answers a `Page`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingestion import config

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
MAX_OFFSET = 2**62  # well inside the BIGINT that OFFSET takes on DuckDB and Trino


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
    schema: str

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
        except duckdb.Error as error:  # another process writes it (a dbt run holds the lock), or not a database
            raise WarehouseUnavailable(f"cannot open {self.path} read-only: {error}") from error

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        import duckdb

        with self._connect() as con:
            try:
                cursor = con.execute(sql, list(params))
            except duckdb.CatalogException as error:  # a mart not built yet (e.g. only some domains ran)
                first_line = str(error).splitlines()[0]
                raise WarehouseUnavailable(f"{self.path}: {first_line} (build it first: make demo)") from error
            names = [column[0] for column in cursor.description or []]
            return names, cursor.fetchall()

    def columns(self, table: str) -> list[str]:
        return list(column_types(self, table))


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
        )

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        from pyathena.error import Error as AthenaError

        try:
            with self._connect() as con, con.cursor() as cursor:
                # Athena execution parameters: each `?` receives one literal, never spliced into the statement.
                # qmark per call: connect() has no such option (it would silently keep pyformat, which formats
                # values into the text)
                literals = [trino_literal(value) for value in params]
                cursor.execute(sql, literals or None, paramstyle="qmark")
                names = [column[0] for column in cursor.description or []]
                return names, list(cursor.fetchall())
        except AthenaError as error:
            raise WarehouseUnavailable(f"Athena ({self.settings.athena_work_group}): {error}") from error

    def columns(self, table: str) -> list[str]:
        return list(column_types(self, table))


def column_types(warehouse: Warehouse, table: str) -> dict[str, str]:
    """The columns of a built mart and their types as the engine names them (`DECIMAL(18,2)`, `varchar`), in
    table order; empty when the mart is not built."""
    _, rows = warehouse.fetch(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [warehouse.schema, table],
    )
    return {name: data_type for name, data_type in rows}


def built_tables(warehouse: Warehouse) -> set[str]:
    """The names of the tables and views that exist in the warehouse's schema (one statement for all)."""
    _, rows = warehouse.fetch(
        "select table_name from information_schema.tables where table_schema = ?", [warehouse.schema]
    )
    return {name for (name,) in rows}


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


# A filter's value is always one bound parameter, as text; try_cast (DuckDB and Trino alike) gives it the column's
# type family, so that `price=10` finds 10.00. A value that is not of the family (`price=ten`) is refused with
# a 422 naming the column, rather than finding nothing (check_filter_value).
FILTER_CASTS = (
    (re.compile(r"^u?(tiny|small|big|huge)?int(eger)?\d*$"), "bigint"),
    (re.compile(r"^(decimal|numeric|double|float|real)\b"), "double"),
    (re.compile(r"^boolean$"), "boolean"),
    (re.compile(r"^date$"), "date"),
)

# What each family accepts: the forms both engines' try_cast read the same way.
FILTER_VALUES = {
    "bigint": (re.compile(r"^[-+]?[0-9]{1,18}$"), "an integer"),
    "double": (re.compile(r"^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$"), "a number"),
    "boolean": (re.compile(r"^(true|false)$", re.IGNORECASE), "true or false"),
    "date": (re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "a date YYYY-MM-DD"),
}


def _filter_cast(data_type: str | None) -> str | None:
    kind = (data_type or "").strip().lower()
    return next((cast_to for pattern, cast_to in FILTER_CASTS if pattern.search(kind)), None)


def filter_condition(name: str, data_type: str | None) -> str:
    """`<column> = ?` for one filter: typed for numbers, booleans and dates, else on the column's text form."""
    column = quote_identifier(name)
    cast_to = _filter_cast(data_type)
    return f"{column} = try_cast(? as {cast_to})" if cast_to else f"cast({column} as varchar) = ?"


def check_filter_value(name: str, data_type: str | None, value: str) -> None:
    """Refuse (QueryError, 422) a filter value the column's type family cannot hold, e.g. `quantity=ten`."""
    cast_to = _filter_cast(data_type)
    if cast_to is None:
        return
    pattern, expected = FILTER_VALUES[cast_to]
    valid = bool(pattern.match(value))
    if valid and cast_to == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            valid = False
    if not valid:
        raise QueryError(f"filter {name}: {value!r} is not {expected} (the column is {data_type})")


def rows_query(
    warehouse: Warehouse,
    table: Table,
    columns: Sequence[str] | Mapping[str, str],
    request: RowsRequest,
    *,
    peek: bool = False,
) -> tuple[str, list]:
    """The statement and parameters for a page of a mart. Identifiers come from `columns` (names, or names to
    their types: then filters compare typed values, see `filter_condition`); values are bound parameters.

    With `peek`, the statement asks for one row more than the page, to tell whether another page follows.
    """
    if not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {request.limit}")
    if not 0 <= request.offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}, not {request.offset}")
    types = columns if isinstance(columns, Mapping) else {}
    where, params = [], []
    for name, value in request.filters.items():
        if name not in columns:
            raise NotFound(f"unknown column {name!r} in table {table.name!r}")
        check_filter_value(name, types.get(name), str(value))
        where.append(filter_condition(name, types.get(name)))
        params.append(str(value))
    # then every other column, ascending: a total order, so that pages neither overlap nor skip rows on ties
    order = parse_order_by(request.order_by, columns)
    ordered = {name for name, _ in order}
    order += [(name, "asc") for name in columns if name not in ordered]
    sql = f"select * from {warehouse.relation(table.name)}"
    if where:
        sql += " where " + " and ".join(where)
    # NULLs last in both directions, written out: the same order on DuckDB and Trino
    sql += " order by " + ", ".join(f"{quote_identifier(name)} {direction} nulls last" for name, direction in order)
    # limit and offset are validated Python ints, written as integer literals (Trino takes no parameter there);
    # Trino wants OFFSET before LIMIT, which DuckDB accepts too
    sql += f" offset {int(request.offset)} limit {int(request.limit) + (1 if peek else 0)}"
    return sql, params


@dataclass(frozen=True)
class Page:
    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
    limit: int
    offset: int
    has_more: bool


def fetch_page(warehouse: Warehouse, table: Table, request: RowsRequest) -> Page:
    """One page of a mart, rows as JSON-ready objects. A mart of the catalog that is not built yet raises
    `WarehouseUnavailable` (the pipeline has not run), an unknown column `NotFound`, a bad bound `QueryError`."""
    columns = column_types(warehouse, table.name)
    if not columns:
        raise WarehouseUnavailable(f"mart {table.name!r} is not built yet: run `make demo` (or its domain's job)")
    sql, params = rows_query(warehouse, table, columns, request, peek=True)
    names, rows = warehouse.fetch(sql, params)
    page = rows[: request.limit]
    return Page(
        table=table.name,
        columns=names,
        rows=[{name: to_json_value(value) for name, value in zip(names, row, strict=True)} for row in page],
        limit=request.limit,
        offset=request.offset,
        has_more=len(rows) > request.limit,
    )


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
