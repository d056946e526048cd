"""The read-only query API over the marts (`make api`, or `python -m serving.api`).

Endpoints: `GET /api/health`, `GET /api/tables`, `GET /api/tables/{name}`, `GET /api/tables/{name}/rows`; the
OpenAPI description at `/openapi.json`, interactive docs at `/docs`. Every table it serves is a mart of the dbt
manifest (`serving.warehouse.catalog`); every statement is built by `serving.warehouse.rows_query` from
identifiers the warehouse itself listed, with the client's values as bound parameters. Errors are JSON
`{"detail": "..."}` with the status of `QueryError` (404 unknown table or column, 422 bad parameter) or 503 when
the warehouse or a mart is not there yet.
"""

from __future__ import annotations

import logging
from pathlib import Path as FilePath
from typing import Any

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ingestion import config
from serving.warehouse import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    NotFound,
    QueryError,
    RowsRequest,
    Table,
    Warehouse,
    WarehouseUnavailable,
    built_tables,
    catalog,
    fetch_page,
    manifest_path,
    open_warehouse,
)

log = logging.getLogger(__name__)

RESERVED_PARAMETERS = ("limit", "offset", "order_by")


class ColumnOut(BaseModel):
    name: str
    description: str
    data_type: str | None = None


class TableOut(BaseModel):
    name: str
    domain: str
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
    has_more: bool


class HealthOut(BaseModel):
    status: str
    warehouse: str
    marts: int
    built: int


class ErrorOut(BaseModel):
    detail: str


ERRORS = {
    404: {"model": ErrorOut, "description": "unknown table or column"},
    422: {"model": ErrorOut, "description": "a bad parameter (limit, offset, order_by, a repeated parameter)"},
    503: {"model": ErrorOut, "description": "the warehouse, the manifest or this mart is not built yet"},
}


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
            self._tables, self._stamp = catalog(path), (stat.st_mtime_ns, stat.st_size)
        return self._tables


def _table_out(table: Table, built: bool) -> TableOut:
    return TableOut(
        name=table.name,
        domain=table.domain,
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


def create_app(warehouse: Warehouse | None = None, manifest: FilePath | None = None) -> FastAPI:
    """The API over `warehouse` (default: `open_warehouse()`, DuckDB read-only or Athena by `DBT_TARGET`) and
    the marts of `manifest` (default: dbt_project/target/manifest.json)."""
    warehouse = warehouse or open_warehouse()
    marts = _ManifestCatalog(manifest)
    app = FastAPI(
        title="Tributary query API",
        version="1.0.0",
        description=(
            "Read-only access to the marts of every domain (never raw, staging, intermediate or quarantine "
            f"models). Rows come by pages of `limit` (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}) from `offset`, "
            "ordered by `order_by`; any other query parameter is an equality filter on a column of the table."
        ),
    )

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

    def mart(name: str) -> Table:
        table = marts.tables().get(name)
        if table is None:
            raise NotFound(f"unknown table {name!r}: GET /api/tables lists the tables served")
        return table

    @app.get("/api/health", response_model=HealthOut, responses={503: ERRORS[503]})
    def health() -> HealthOut:
        """The warehouse answers and the manifest is readable: how many marts it lists, how many are built."""
        tables = marts.tables()
        built = built_tables(warehouse)
        return HealthOut(status="ok", warehouse=warehouse.kind, marts=len(tables), built=len(built & set(tables)))

    @app.get("/api/tables", response_model=TablesOut, responses={503: ERRORS[503]})
    def list_tables() -> TablesOut:
        """The marts, with their columns and descriptions from the dbt manifest, and whether each is built."""
        tables = marts.tables()
        built = built_tables(warehouse)
        return TablesOut(tables=[_table_out(table, table.name in built) for table in tables.values()])

    @app.get("/api/tables/{name}", response_model=TableOut, responses={404: ERRORS[404], 503: ERRORS[503]})
    def describe_table(name: str = Path(description="a mart, as listed by /api/tables")) -> TableOut:
        """One mart: its description and columns, and whether it is built."""
        table = mart(name)
        return _table_out(table, table.name in built_tables(warehouse))

    @app.get("/api/tables/{name}/rows", response_model=RowsOut, responses=ERRORS)
    def rows(
        request: Request,
        name: str = Path(description="a mart, as listed by /api/tables"),
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="rows per page"),
        offset: int = Query(0, ge=0, le=MAX_OFFSET, description="rows skipped before the page"),
        order_by: str | None = Query(
            None,
            description="comma-separated columns, each `col`, `-col` or `col:desc`; the remaining columns follow "
            "in table order, so that pages are stable",
        ),
    ) -> RowsOut:
        """A page of a mart. Any query parameter other than limit, offset and order_by is a filter
        `<column>=<value>`, true when the column's text form equals the value (`?risk_level=HIGH`)."""
        items = request.query_params.multi_items()
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise QueryError(f"parameter {key!r} is given more than once")
            seen.add(key)
        filters = {key: value for key, value in items if key not in RESERVED_PARAMETERS}
        page = fetch_page(
            warehouse,
            mart(name),
            RowsRequest(table=name, limit=limit, offset=offset, order_by=order_by, filters=filters),
        )
        return RowsOut(**vars(page))

    return app


def main() -> None:
    import uvicorn

    settings = config.api_settings()
    uvicorn.run(create_app(), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
