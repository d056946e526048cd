"""The one read-only query layer over the marts, shared by the query API, the dashboard and the demo summary.

- `catalog()`: the tables served: the dbt models under models/marts/, and the few staging models whose yml
  says `meta: {serve: true}` (only `stg_` models; never raw, base, intermediate or quarantine), with the
  descriptions of the dbt manifest.
- `open_warehouse()`: DuckDB read-only locally (the copy that the last successful build published, see
  serving/publish.py), Athena (pyathena) when `DBT_TARGET=prod`. Both run SQL written with `?` placeholders
  and a list of parameters: values never become SQL text. `Warehouse.session()` keeps one connection, so that
  the statements of one request read one build.
- `rows_query()` / `export_query()`: the filtered, ordered `select` the API serves, built from validated
  identifiers only (the catalog's tables, the warehouse's own column names); `fetch_page()` runs it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import logging
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingestion import config

log = logging.getLogger(__name__)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
MAX_OFFSET = 2**62  # well inside the BIGINT that OFFSET takes on DuckDB and Trino
MAX_IN_VALUES = 100  # values of one `__in` filter
BATCH_ROWS = 10_000  # rows per batch when a download streams


class QueryError(ValueError):
    """A request the layer refuses; `status` is the HTTP status an API should answer with."""

    status = 422


class NotFound(QueryError):
    status = 404


class WarehouseUnavailable(RuntimeError):
    """The warehouse is not built yet (or cannot be reached): a message for a person, not a traceback. It names
    no server path and no process: the details go to the server's log."""


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
    layer: str = "mart"  # "mart" or "staging" (a stg_ model its yml serves: meta.serve)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def manifest_path() -> Path:
    return config.dbt_target_dir() / "manifest.json"


def _layer(node: Mapping[str, Any]) -> str | None:
    """'mart' for models/marts/…, 'staging' for a served stg_ model (meta.serve), else None (not served)."""
    fqn = node.get("fqn", [])
    if node.get("resource_type") != "model" or len(fqn) < 4:
        return None
    if fqn[1] == "marts":
        return "mart"
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    # only the cleaned rows of staging: a serve flag on a base_ or qua_ model (raw lines, rejects) is ignored
    if fqn[1] == "staging" and meta.get("serve") is True and node["name"].startswith("stg_"):
        return "staging"
    return None


def catalog(manifest: Path | None = None) -> dict[str, Table]:
    """The tables served, by name: the marts of the dbt manifest (models whose path is models/marts/<domain>/…)
    and the staging models it flags `meta.serve` (models/staging/<domain>/stg_…)."""
    path = manifest or manifest_path()
    if not path.exists():
        log.warning("no dbt manifest at %s", path)
        raise WarehouseUnavailable("no dbt manifest yet: run `make manifest` (or `make demo`) first")
    try:
        nodes = json.loads(path.read_text())["nodes"].values()
    except (ValueError, KeyError) as error:  # being rewritten (`make manifest`, dbt parse) or damaged
        log.warning("cannot read the dbt manifest %s: %s", path, error)
        raise WarehouseUnavailable("the dbt manifest is being written or is unreadable: try again shortly") from error
    tables = {}
    for node in nodes:
        layer = _layer(node)
        if layer is None:
            continue
        columns = tuple(
            Column(name=name, description=(props.get("description") or "").strip(), data_type=props.get("data_type"))
            for name, props in node.get("columns", {}).items()
        )
        name = node.get("alias") or node["name"]
        description = (node.get("description") or "").strip()
        tables[name] = Table(name=name, domain=node["fqn"][2], description=description, columns=columns, layer=layer)
    return dict(sorted(tables.items()))


class Warehouse(Protocol):
    """A read-only SQL endpoint: `?` placeholders, parameters as a list, rows back as tuples."""

    kind: str
    schema: str

    def relation(self, table: str) -> str:
        """The quoted, schema-qualified name of a table (the name must come from the catalog)."""

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        """Run one read-only statement; return the column names and the rows."""

    def batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
        """Run one read-only statement; yield its rows by batches of at most `size` (for downloads)."""

    def arrow_batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[Any]:
        """Run one read-only statement; yield pyarrow RecordBatches, typed as the engine types the columns."""

    def columns(self, table: str) -> list[str]:
        """The columns of a built table, in table order (empty when it is not built)."""

    def session(self) -> contextlib.AbstractContextManager[Warehouse]:
        """The same warehouse over one connection: every statement run through it reads one build."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _DuckDBConnection:
    """One read-only connection to a DuckDB file: the statements run through it all read the same file, even
    when a build publishes a new copy meanwhile (the old file lives on until it is closed)."""

    kind = "duckdb"

    def __init__(self, path: Path, schema: str, con) -> None:
        self.path, self.schema, self._con = path, schema, con

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"

    def _execute(self, sql: str, params: Sequence[Any]):
        import duckdb

        try:
            return self._con.execute(sql, list(params))
        except duckdb.CatalogException as error:  # a table not built yet (e.g. only some domains ran)
            log.warning("%s: %s", self.path, error)
            raise WarehouseUnavailable(
                f"{str(error).splitlines()[0]} (build it first: make demo, or its domain's job)"
            ) from error

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        cursor = self._execute(sql, params)
        return [column[0] for column in cursor.description or []], cursor.fetchall()

    def batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
        cursor = self._execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield rows

    def arrow_batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[Any]:
        reader = self._execute(sql, params).fetch_record_batch(size)
        yield from reader

    def columns(self, table: str) -> list[str]:
        return list(column_types(self, table))

    @contextlib.contextmanager
    def session(self) -> Iterator[_DuckDBConnection]:
        yield self

    def close(self) -> None:
        self._con.close()


class DuckDBWarehouse:
    """A DuckDB file opened read-only: a connection per statement, or one per `session()`. Locally this is the
    copy the last successful build published (`open_warehouse`), which no writer ever opens."""

    kind = "duckdb"

    def __init__(self, path: Path, schema: str = "main") -> None:
        self.path = Path(path)
        self.schema = schema

    def connect(self) -> _DuckDBConnection:
        import duckdb

        if not self.path.exists():
            log.warning("no DuckDB warehouse at %s", self.path)
            raise WarehouseUnavailable(
                "no warehouse yet: run `make demo` first (each successful build publishes the copy read here)"
            )
        # A fresh in-memory database that attaches the file, rather than duckdb.connect(path): that one reuses the
        # database the process already has open on the same path, so a long-lived reader (the API under load,
        # whose requests overlap) would keep reading the copy it first opened after a newer one is published.
        # The alias is the file's name, as dbt's views name their catalog.
        con = duckdb.connect(":memory:")
        path = str(self.path).replace("'", "''")
        try:
            con.execute(f"attach '{path}' as {quote_identifier(self.path.stem)} (read_only)")
            con.execute(f"use {quote_identifier(self.path.stem)}")
        except duckdb.Error as error:  # another process writes this very file, or it is not a database
            con.close()
            log.warning("cannot open %s read-only: %s", self.path, error)
            raise WarehouseUnavailable(
                "the warehouse cannot be opened right now (another process is writing it?): try again shortly"
            ) from error
        return _DuckDBConnection(self.path, self.schema, con)

    @contextlib.contextmanager
    def session(self) -> Iterator[_DuckDBConnection]:
        connection = self.connect()
        try:
            yield connection
        finally:
            connection.close()

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self.session() as connection:
            return connection.fetch(sql, params)

    def batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
        with self.session() as connection:
            yield from connection.batches(sql, params, size)

    def arrow_batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[Any]:
        with self.session() as connection:
            yield from connection.arrow_batches(sql, params, size)

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

    @contextlib.contextmanager
    def _cursor(self, sql: str, params: Sequence[Any]):
        from pyathena.error import Error as AthenaError

        try:
            with self._connect() as con, con.cursor() as cursor:
                # Athena execution parameters: each `?` receives one literal, never spliced into the statement.
                # qmark per call: connect() has no such option (it would silently keep pyformat, which formats
                # values into the text)
                literals = [trino_literal(value) for value in params]
                cursor.execute(sql, literals or None, paramstyle="qmark")
                yield cursor
        except AthenaError as error:
            log.warning("Athena (work group %s): %s", self.settings.athena_work_group, error)
            raise WarehouseUnavailable("the Athena query failed: see the API's log for the reason") from error

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        with self._cursor(sql, params) as cursor:
            return [column[0] for column in cursor.description or []], list(cursor.fetchall())

    def batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
        with self._cursor(sql, params) as cursor:
            while rows := cursor.fetchmany(size):
                yield list(rows)

    def arrow_batches(self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS) -> Iterator[Any]:
        import pyarrow as pa

        with self._cursor(sql, params) as cursor:
            names = [column[0] for column in cursor.description or []]
            while rows := cursor.fetchmany(size):
                yield pa.RecordBatch.from_pylist([dict(zip(names, row, strict=True)) for row in rows])

    def columns(self, table: str) -> list[str]:
        return list(column_types(self, table))

    @contextlib.contextmanager
    def session(self) -> Iterator[AthenaWarehouse]:
        yield self  # each Athena query reads the tables as they are when it starts: no file to pin


def column_types(warehouse: Warehouse, table: str) -> dict[str, str]:
    """The columns of a built table and their types as the engine names them (`DECIMAL(18,2)`, `varchar`), in
    table order; empty when the table is not built."""
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
    """DuckDB (read-only: the published copy of the last successful build, or the live file when
    `DUCKDB_PUBLISH=off`) for the dev and test targets; Athena for prod."""
    if config.dbt_target() == "prod":
        return AthenaWarehouse()
    return DuckDBWarehouse(config.duckdb_read_path())


# --- requests: filters, ordering, column selection


@dataclass(frozen=True)
class RowsRequest:
    table: str
    limit: int | None = DEFAULT_LIMIT  # None: every row (downloads only, bounded by the API)
    offset: int = 0
    order_by: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)  # query parameter → value, as the client sent them
    columns: str | None = None  # comma-separated column names; None: every column


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


def parse_columns(selection: str | None, columns: Sequence[str]) -> list[str]:
    """`columns=a,b`: the columns to return, in that order; every one must exist, none twice."""
    if selection is None:
        return list(columns)
    names = [name.strip() for name in selection.split(",")]
    if not selection.strip() or "" in names:
        raise QueryError("columns: give column names separated by commas, e.g. columns=sku,revenue")
    for name in names:
        if name not in columns:
            raise NotFound(f"unknown column {name!r} in columns")
    if len(set(names)) != len(names):
        raise QueryError("columns: a column is named twice")
    return names


# A filter's value is always a bound parameter, as text; try_cast (DuckDB and Trino alike) gives it the column's
# type family, so that `price=10` finds 10.00. A value that is not of the family (`price=ten`) is refused with
# a 422 naming the parameter, rather than finding nothing (check_filter_value).
FILTER_CASTS = (
    (re.compile(r"^u?(tiny|small|big|huge)?int(eger)?\d*$"), "bigint"),
    (re.compile(r"^(decimal|numeric|double|float|real)\b"), "double"),
    (re.compile(r"^boolean$"), "boolean"),
    (re.compile(r"^date$"), "date"),
    # without a time zone only: DuckDB and Trino would read a zone-less value in their own session zones
    (re.compile(r"^(timestamp(_s|_ms|_ns)?|timestamp\(\d\)|timestamp( \(\d\))? without time zone|datetime)$"),
     "timestamp"),
)  # fmt: skip

# What each family accepts: the forms both engines' try_cast read the same way.
FILTER_VALUES = {
    "bigint": (re.compile(r"^[-+]?[0-9]{1,18}$"), "an integer"),
    "double": (re.compile(r"^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$"), "a number"),
    "boolean": (re.compile(r"^(true|false)$", re.IGNORECASE), "true or false"),
    "date": (re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "a date YYYY-MM-DD"),
    "timestamp": (
        re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?)?$"),
        "a date and time YYYY-MM-DD[THH:MM[:SS[.ffffff]]]",
    ),
}

# `<column>__<operator>=<value>`; `<column>=<value>` is `__eq`.
OPERATORS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "in": "in", "isnull": "is null"}
UNORDERED = ("boolean",)  # families without ranges


def _filter_cast(data_type: str | None) -> str | None:
    kind = (data_type or "").strip().lower()
    return next((cast_to for pattern, cast_to in FILTER_CASTS if pattern.search(kind)), None)


def check_filter_value(parameter: str, data_type: str | None, value: str) -> str:
    """The value as it is bound (a timestamp written `YYYY-MM-DD HH:MM:SS`, which both engines read), or a
    QueryError (422) naming the parameter when the column's type family cannot hold it, e.g. `quantity=ten`."""
    cast_to = _filter_cast(data_type)
    if cast_to is None:
        return value
    pattern, expected = FILTER_VALUES[cast_to]
    valid = bool(pattern.match(value))
    if valid and cast_to in ("date", "timestamp"):
        try:
            parsed = dt.datetime.fromisoformat(value) if cast_to == "timestamp" else dt.date.fromisoformat(value)
        except ValueError:
            valid = False
        else:
            if cast_to == "timestamp":
                value = parsed.isoformat(sep=" ")
    if not valid:
        raise QueryError(f"filter {parameter}: {value!r} is not {expected} (the column is {data_type})")
    return value


@dataclass(frozen=True)
class Filter:
    parameter: str  # as the client wrote it: `price__gte`
    column: str
    operator: str
    value: str


def parse_filter(parameter: str, value: str, columns: Sequence[str], table: str) -> Filter:
    """`column=value` (equality) or `column__op=value`; the column must be one of `columns`."""
    if parameter in columns:
        return Filter(parameter, parameter, "eq", value)
    column, separator, operator = parameter.rpartition("__")
    if separator and column in columns:
        if operator not in OPERATORS:
            raise QueryError(
                f"filter {parameter}: unknown operator {operator!r} (one of {', '.join(OPERATORS)}; docs/api.md)"
            )
        return Filter(parameter, column, operator, value)
    raise NotFound(f"unknown column {column if separator else parameter!r} in table {table!r}")


def filter_condition(name: str, data_type: str | None, operator: str = "eq", values: int = 1) -> str:
    """The condition of one filter, with `?` for its values: typed for numbers, booleans, dates and timestamps
    (`"c" >= try_cast(? as double)`), on the column's text form otherwise (`cast("c" as varchar) = ?`)."""
    column = quote_identifier(name)
    cast_to = _filter_cast(data_type)
    if operator == "isnull":
        return f"{column} is null"  # `is not null` for isnull=false: see filter_sql
    placeholder = f"try_cast(? as {cast_to})" if cast_to else "?"
    left = column if cast_to else f"cast({column} as varchar)"
    if operator == "in":
        return f"{left} in ({', '.join([placeholder] * values)})"
    return f"{left} {OPERATORS[operator]} {placeholder}"


def filter_sql(item: Filter, data_type: str | None) -> tuple[str, list[str]]:
    """The condition and bound values of one filter, the values checked against the column's type."""
    if item.operator == "isnull":
        wanted = item.value.lower()
        if wanted not in ("true", "false"):
            raise QueryError(f"filter {item.parameter}: {item.value!r} is not true or false")
        condition = filter_condition(item.column, data_type, "isnull")
        return (condition if wanted == "true" else condition.replace(" is null", " is not null")), []
    if item.operator in ("lt", "lte", "gt", "gte") and _filter_cast(data_type) in UNORDERED:
        raise QueryError(f"filter {item.parameter}: a {data_type} column takes eq, ne, in or isnull, not a range")
    if item.operator == "in":
        values = item.value.split(",")
        if not item.value or len(values) > MAX_IN_VALUES:
            raise QueryError(f"filter {item.parameter}: give 1 to {MAX_IN_VALUES} values separated by commas")
    else:
        values = [item.value]
    bound = [check_filter_value(item.parameter, data_type, value) for value in values]
    return filter_condition(item.column, data_type, item.operator, len(bound)), bound


@dataclass(frozen=True)
class Selection:
    """The parts of a `select` over one table, every identifier checked, every value a parameter."""

    relation: str
    columns: list[str]
    where: str
    params: list[str]
    order: str


def selection(warehouse: Warehouse, table: Table, types: Mapping[str, str], request: RowsRequest) -> Selection:
    if request.limit is not None and not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {request.limit}")
    if not 0 <= request.offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}, not {request.offset}")
    conditions, params = [], []
    for parameter, value in request.filters.items():
        item = parse_filter(parameter, str(value), list(types), table.name)
        condition, bound = filter_sql(item, types.get(item.column))
        conditions.append(condition)
        params += bound
    selected = parse_columns(request.columns, list(types))
    # then every other column, ascending: a total order, so that pages neither overlap nor skip rows on ties
    order = parse_order_by(request.order_by, list(types))
    ordered = {name for name, _ in order}
    order += [(name, "asc") for name in types if name not in ordered]
    return Selection(
        relation=warehouse.relation(table.name),
        columns=selected,
        where=(" where " + " and ".join(conditions)) if conditions else "",
        params=params,
        # NULLs last in both directions, written out: the same order on DuckDB and Trino
        order=" order by " + ", ".join(f"{quote_identifier(name)} {way} nulls last" for name, way in order),
    )


TOTAL_COLUMN = "__total_rows"


def rows_query(warehouse: Warehouse, table: Table, types: Mapping[str, str], request: RowsRequest) -> tuple[str, list]:
    """The statement and parameters for a page of a table, with the count of every row the filters keep in a
    last column (`count(*) over ()`: one scan gives the page and the total). `types` maps the table's columns,
    as the warehouse lists them, to their types; identifiers come from there, values are bound parameters."""
    if request.limit is None:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if TOTAL_COLUMN in types:
        raise QueryError(f"table {table.name!r} has a column named {TOTAL_COLUMN!r}, which the API reserves")
    part = selection(warehouse, table, types, request)
    columns = ", ".join(quote_identifier(name) for name in part.columns)
    sql = f"select {columns}, count(*) over () as {quote_identifier(TOTAL_COLUMN)} from {part.relation}"
    # limit and offset are validated Python ints, written as integer literals (Trino takes no parameter there);
    # Trino wants OFFSET before LIMIT, which DuckDB accepts too
    sql += f"{part.where}{part.order} offset {int(request.offset)} limit {int(request.limit)}"
    return sql, part.params


def count_query(warehouse: Warehouse, table: Table, types: Mapping[str, str], request: RowsRequest) -> tuple[str, list]:
    """How many rows the filters keep."""
    part = selection(warehouse, table, types, request)
    return f"select count(*) from {part.relation}{part.where}", part.params


def export_query(
    warehouse: Warehouse, table: Table, types: Mapping[str, str], request: RowsRequest
) -> tuple[list[str], str, list]:
    """The selected columns, the statement and its parameters for a download: every row the filters keep
    (or `limit` of them from `offset`), in a total order."""
    part = selection(warehouse, table, types, request)
    sql = f"select {', '.join(quote_identifier(n) for n in part.columns)} from {part.relation}{part.where}{part.order}"
    if request.limit is not None or request.offset:
        sql += f" offset {int(request.offset)}"
        if request.limit is not None:
            sql += f" limit {int(request.limit)}"
    return part.columns, sql, part.params


def table_types(warehouse: Warehouse, table: Table) -> dict[str, str]:
    """The built columns of a catalog table and their types; WarehouseUnavailable when it is not built."""
    types = column_types(warehouse, table.name)
    if not types:
        raise WarehouseUnavailable(f"table {table.name!r} is not built yet: run `make demo` (or its domain's job)")
    return types


@dataclass(frozen=True)
class Page:
    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
    limit: int
    offset: int
    total: int
    has_more: bool


def fetch_page(warehouse: Warehouse, table: Table, request: RowsRequest) -> Page:
    """One page of a table, rows as JSON-ready objects, and the count of every row the filters keep. All its
    statements run on one connection (one build). A table of the catalog that is not built yet raises
    `WarehouseUnavailable`, an unknown column `NotFound`, a bad parameter `QueryError`."""
    with warehouse.session() as session:
        types = table_types(session, table)
        sql, params = rows_query(session, table, types, request)
        names, rows = session.fetch(sql, params)
        if rows:
            total = int(rows[0][-1])
        else:  # past the end (or nothing matches): the window gave no row to read the count from
            sql, params = count_query(session, table, types, request)
            total = int(session.fetch(sql, params)[1][0][0])
    names = names[:-1]
    return Page(
        table=table.name,
        columns=names,
        rows=[{name: to_json_value(value) for name, value in zip(names, row[:-1], strict=True)} for row in rows],
        limit=int(request.limit),
        offset=request.offset,
        total=total,
        has_more=request.offset + len(rows) < total,
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


def to_csv_value(value: Any) -> Any:
    """A warehouse value in a CSV cell: ISO dates and times, exact decimals, true/false, NULL as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(to_json_value(value), ensure_ascii=False)
    return to_json_value(value) if isinstance(value, bytes | float) else value
