"""The read-only query API over the marts (`make api`, or `python -m serving.api`); docs/api.md is the reference.

Endpoints: `GET /api/health`, `GET /api/tables`, `GET /api/tables/{name}`, `GET /api/tables/{name}/rows`,
`GET /api/tables/{name}/export`; the OpenAPI description at `/openapi.json`, interactive docs at `/docs`, served
from local files (fastapi-offline's copy of Swagger UI: no CDN, the page renders offline).
Every table it serves is in `serving.warehouse.catalog` (the marts, and the staging models flagged
`meta.serve` in dbt); every statement is built by `serving.warehouse` from identifiers the warehouse itself
listed, with the client's values as bound parameters. With `API_KEY` set, `/api/tables…` requires it in the
`X-API-Key` header. Errors are JSON `{"detail": "..."}`: 401 no or wrong key, 404 unknown table or column, 422
bad parameter, 503 when the warehouse or a table is not there yet; no error names a server path or process.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hmac
import io
import ipaddress
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel

from ingestion import config
from serving.warehouse import (
    DEFAULT_LIMIT,
    MAX_IN_VALUES,
    MAX_LIMIT,
    MAX_OFFSET,
    OPERATORS,
    DuckDBWarehouse,
    NotFound,
    QueryError,
    RowsRequest,
    Table,
    Warehouse,
    WarehouseUnavailable,
    built_tables,
    catalog,
    count_query,
    export_query,
    fetch_page,
    manifest_path,
    open_warehouse,
    table_types,
    to_csv_value,
)

log = logging.getLogger(__name__)

ROWS_PARAMETERS = ("limit", "offset", "order_by", "columns")
EXPORT_PARAMETERS = (*ROWS_PARAMETERS, "format")
API_KEY_HEADER = "X-API-Key"
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


class Unauthorized(QueryError):
    status = 401


class ColumnOut(BaseModel):
    name: str
    description: str
    data_type: str | None = None


class TableOut(BaseModel):
    name: str
    domain: str
    layer: Literal["mart", "staging"]
    description: str
    built: bool
    columns: list[ColumnOut]


class TablesOut(BaseModel):
    tables: list[TableOut]


class RowsOut(BaseModel):
    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
    limit: int
    offset: int
    total: int
    has_more: bool


class HealthOut(BaseModel):
    status: str
    warehouse: str
    marts: int
    staging: int
    built: int
    published_at: str | None = None


class ErrorOut(BaseModel):
    detail: str


ERRORS = {
    401: {"model": ErrorOut, "description": f"API_KEY is set and the {API_KEY_HEADER} header is missing or wrong"},
    404: {"model": ErrorOut, "description": "unknown table or column"},
    422: {"model": ErrorOut, "description": "a bad parameter (its name is in the message)"},
    503: {"model": ErrorOut, "description": "the warehouse, the manifest or this table is not built yet"},
}

FILTERS_DOC = (
    "Any other query parameter filters on a column: `<column>=<value>` (equality) or `<column>__<op>=<value>` "
    f"with op one of {', '.join(OPERATORS)}: `price__gte=10`, `country__in=FR,DE` (1 to {MAX_IN_VALUES} "
    "comma-separated values), `end_date__isnull=true`. Numbers, booleans, dates and timestamps compare as values "
    "(a value the column's type cannot hold is a 422 naming the parameter); other types on their text form. "
    "Filters combine with `and`."
)


class _ManifestCatalog:
    """`catalog()` read again only when the manifest file changes (`make manifest` while the API runs)."""

    def __init__(self, manifest: FilePath | None) -> None:
        self.manifest = manifest
        self._stamp: tuple[int, int] | None = None
        self._tables: dict[str, Table] = {}

    def tables(self) -> dict[str, Table]:
        path = self.manifest or manifest_path()
        try:
            stat = path.stat()
        except FileNotFoundError:
            return catalog(path)  # raises WarehouseUnavailable with the way out
        if (stat.st_mtime_ns, stat.st_size) != self._stamp:
            try:
                self._tables, self._stamp = catalog(path), (stat.st_mtime_ns, stat.st_size)
            except WarehouseUnavailable:
                if not self._tables:
                    raise
                # dbt is rewriting it: keep serving the tables read last, read it again next request
        return self._tables


def _table_out(table: Table, built: bool) -> TableOut:
    return TableOut(
        name=table.name,
        domain=table.domain,
        layer=table.layer,
        description=table.description,
        built=built,
        columns=[ColumnOut(name=c.name, description=c.description, data_type=c.data_type) for c in table.columns],
    )


def _validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _single_values(request: Request, reserved: tuple[str, ...]) -> dict[str, str]:
    """The filters of a request (its parameters other than `reserved`); a parameter given twice is a 422."""
    items = request.query_params.multi_items()
    seen: set[str] = set()
    for key, _ in items:
        if key in seen:
            raise QueryError(f"parameter {key!r} is given more than once")
        seen.add(key)
    return {key: value for key, value in items if key not in reserved}


def _published_at(warehouse: Warehouse) -> str | None:
    if isinstance(warehouse, DuckDBWarehouse) and warehouse.path.exists():
        stamp = dt.datetime.fromtimestamp(warehouse.path.stat().st_mtime, dt.UTC)
        return stamp.isoformat(timespec="seconds")
    return None


def _csv_chunks(columns: list[str], batches: Iterator[list[tuple]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for rows in batches:
        writer.writerows([to_csv_value(value) for value in row] for row in rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def _parquet_file(columns: list[str], batches: Iterator[Any]) -> tempfile.SpooledTemporaryFile:
    """The selection as one Parquet file (built whole: Parquet writes its footer last), in memory up to 64 MB
    and in a temporary file past that."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    writer = None
    for batch in batches:
        if writer is None:
            writer = pq.ParquetWriter(out, batch.schema)
        writer.write_batch(batch)
    if writer is None:  # no row: an empty file with the columns (as text: no row says their types)
        writer = pq.ParquetWriter(out, pa.schema([(name, pa.string()) for name in columns]))
    writer.close()
    out.seek(0)
    return out


def _file_chunks(file, size: int = 1024 * 1024) -> Iterator[bytes]:
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()


def create_app(
    warehouse: Warehouse | None = None,
    manifest: FilePath | None = None,
    settings: config.ApiSettings | None = None,
) -> FastAPI:
    """The API over `warehouse` (default: `open_warehouse()`, the published DuckDB copy or Athena by
    `DBT_TARGET`), the tables of `manifest` (default: dbt_project/target/manifest.json), with `settings`
    (default: from the environment, `config.api_settings()`: the API key and the download bound)."""
    warehouse = warehouse or open_warehouse()
    settings = settings or config.api_settings()
    marts = _ManifestCatalog(manifest)
    app = FastAPIOffline(
        title="Tributary query API",
        version="1.1.0",
        description=(
            "Read-only access to the marts of every domain and to a few staging tables the teams asked for "
            "(never raw, intermediate or quarantine models). Rows come by pages of `limit` (default "
            f"{DEFAULT_LIMIT}, at most {MAX_LIMIT}) from `offset`, ordered by `order_by`, with the `total` count "
            "of rows the filters keep; `/export` downloads the whole selection as CSV or Parquet. "
            + FILTERS_DOC
            + (f" Every `/api/tables` request needs the `{API_KEY_HEADER}` header." if settings.api_key else "")
        ),
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
        redoc_url=None,  # ReDoc fetches its logo from its CDN: /docs (Swagger UI) is the one offline page
    )
    key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="the API_KEY of the server")

    def require_key(given: str | None = Security(key_header)) -> None:
        # compare_digest: the time taken does not tell how much of a wrong key was right
        if settings.api_key and not (given and hmac.compare_digest(given.encode(), settings.api_key.encode())):
            raise Unauthorized(f"a valid API key is required in the {API_KEY_HEADER} header")

    protected = [Depends(require_key)] if settings.api_key else []

    @app.exception_handler(QueryError)
    def query_error(request: Request, error: QueryError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=error.status)

    @app.exception_handler(WarehouseUnavailable)
    def unavailable(request: Request, error: WarehouseUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(RequestValidationError)
    def bad_parameter(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(error)}, status_code=422)

    @app.exception_handler(Exception)
    def internal(request: Request, error: Exception) -> JSONResponse:
        log.exception("query API: %s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error ({type(error).__name__})"}, status_code=500)

    def served(name: str) -> Table:
        table = marts.tables().get(name)
        if table is None:
            raise NotFound(f"unknown table {name!r}: GET /api/tables lists the tables served")
        return table

    table_name = Path(description="a table, as listed by /api/tables")
    limit_doc = f"rows per page (1 to {MAX_LIMIT})"
    order_doc = (
        "comma-separated columns, each `col`, `-col` or `col:desc`; the remaining columns follow in table order, "
        "so that pages are stable"
    )
    columns_doc = "comma-separated columns to return, in that order (default: every column)"

    @app.get("/api/health", response_model=HealthOut, responses={503: ERRORS[503]})
    def health() -> HealthOut:
        """The warehouse answers and the manifest is readable: how many tables it serves, how many are built,
        and when the DuckDB copy read here was published (null on Athena)."""
        tables = marts.tables()
        built = built_tables(warehouse)
        return HealthOut(
            status="ok",
            warehouse=warehouse.kind,
            marts=sum(t.layer == "mart" for t in tables.values()),
            staging=sum(t.layer == "staging" for t in tables.values()),
            built=len(built & set(tables)),
            published_at=_published_at(warehouse),
        )

    @app.get(
        "/api/tables", response_model=TablesOut, responses={401: ERRORS[401], 503: ERRORS[503]}, dependencies=protected
    )
    def list_tables() -> TablesOut:
        """The tables served, with their layer, columns and descriptions from the dbt manifest, and whether
        each is built."""
        tables = marts.tables()
        built = built_tables(warehouse)
        return TablesOut(tables=[_table_out(table, table.name in built) for table in tables.values()])

    @app.get(
        "/api/tables/{name}",
        response_model=TableOut,
        responses={401: ERRORS[401], 404: ERRORS[404], 503: ERRORS[503]},
        dependencies=protected,
    )
    def describe_table(name: str = table_name) -> TableOut:
        """One table: its description and columns, and whether it is built."""
        table = served(name)
        return _table_out(table, table.name in built_tables(warehouse))

    @app.get(
        "/api/tables/{name}/rows",
        response_model=RowsOut,
        responses=ERRORS,
        dependencies=protected,
        description="A page of a table, and `total`: how many rows the filters keep. " + FILTERS_DOC,
    )
    def rows(
        request: Request,
        name: str = table_name,
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=limit_doc),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="rows skipped before the page"),
        order_by: str | None = Query(None, description=order_doc),
        columns: str | None = Query(None, description=columns_doc),
    ) -> RowsOut:
        filters = _single_values(request, ROWS_PARAMETERS)
        page = fetch_page(
            warehouse,
            served(name),
            RowsRequest(table=name, limit=limit, offset=offset, order_by=order_by, filters=filters, columns=columns),
        )
        return RowsOut(**vars(page))

    @app.get(
        "/api/tables/{name}/export",
        response_class=StreamingResponse,
        responses={
            **ERRORS,
            200: {"content": {media: {} for media in EXPORT_TYPES.values()}, "description": "the file"},
        },
        dependencies=protected,
    )
    def export(
        request: Request,
        name: str = table_name,
        format: Literal["csv", "parquet"] = Query("csv", description="csv (streamed) or parquet (built whole)"),
        limit: int | None = Query(
            None, ge=1, le=settings.export_max_rows, description="at most this many rows (default: all)"
        ),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="rows skipped first"),
        order_by: str | None = Query(None, description=order_doc),
        columns: str | None = Query(None, description=columns_doc),
    ) -> StreamingResponse:
        """Every row the filters keep, as a CSV (UTF-8, a header line, ISO dates, empty for NULL) or Parquet
        file (the engine's types). A selection of more than API_EXPORT_MAX_ROWS rows is refused (422) unless
        `limit` bounds it; the `X-Total-Count` header gives how many rows the filters keep."""
        table = served(name)
        request_ = RowsRequest(
            table=name,
            limit=limit,
            offset=offset,
            order_by=order_by,
            filters=_single_values(request, EXPORT_PARAMETERS),
            columns=columns,
        )
        # one connection for the types, the count and the rows: one build, even if a new one is published
        with contextlib.ExitStack() as stack:
            session = stack.enter_context(warehouse.session())
            types = table_types(session, table)
            count_sql, count_params = count_query(session, table, types, request_)
            total = int(session.fetch(count_sql, count_params)[1][0][0])
            selected = max(0, total - offset) if limit is None else max(0, min(limit, total - offset))
            if limit is None and selected > settings.export_max_rows:
                raise QueryError(
                    f"the selection holds {selected:,} rows, more than the {settings.export_max_rows:,} one "
                    "download may hold (API_EXPORT_MAX_ROWS): narrow it with filters, or take it in parts with "
                    "limit and offset"
                )
            names, sql, params = export_query(session, table, types, request_)
            headers = {
                "Content-Disposition": f'attachment; filename="{table.name}.{format}"',
                "X-Total-Count": str(total),
                "X-Row-Count": str(selected),
            }
            if format == "parquet":
                body = _file_chunks(_parquet_file(names, session.arrow_batches(sql, params)))
                return StreamingResponse(body, media_type=EXPORT_TYPES[format], headers=headers)
            owned = stack.pop_all()  # the stream closes the connection when the last row is sent

            def stream() -> Iterator[bytes]:
                try:
                    yield from _csv_chunks(names, session.batches(sql, params))
                finally:
                    owned.close()

            return StreamingResponse(stream(), media_type=EXPORT_TYPES[format], headers=headers)

    return app


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main() -> None:
    import uvicorn

    settings = config.api_settings()
    if not settings.api_key and not _is_loopback(settings.host):
        log.warning("the query API listens on %s without API_KEY: anyone who reaches it reads the marts", settings.host)
    uvicorn.run(create_app(settings=settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
