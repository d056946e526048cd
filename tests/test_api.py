"""The read-only query API over real HTTP on 127.0.0.1 (uvicorn started here), on a real warehouse: the wine
group materialized through Dagster once for the module from the hand-made files of test_wine_pipeline.

Figures by hand (test_wine_pipeline's docstring): ten products join, product_id 1–10 with skus 101, 102, 103,
'bon-cadeau-25-euros', 105–110; P1–P9 cost 10 €, P10 110 € (the one premium); units sold 1, 2, 3, 0, 1, 1, 1, 1,
1, 2; revenue 10 × units, and 220 for P10. Only the wine marts are built: every other mart answers 503.

Injection attempts go in every place a client controls (table name, column filter name and value, order_by,
limit, offset); each must fail cleanly (the right status, a JSON body) and leave every table of the warehouse as
it was (names, row counts and a checksum of the contents, and the file's bytes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import duckdb
import pytest
import requests
from dagster import AssetSelection

from ingestion import config
from ingestion.wine import ERP_COLUMNS, WEB_COLUMNS
from serving.api import create_app
from serving.warehouse import (
    AthenaWarehouse,
    DuckDBWarehouse,
    QueryError,
    RowsRequest,
    catalog,
    check_filter_value,
    filter_condition,
    manifest_path,
    rows_query,
    trino_literal,
)
from tests.conftest import INPUT_ENV, REPO_ROOT, materialize_assets
from tests.test_wine_pipeline import ERP_ROWS, LIAISON_CSV, WEB_ROWS, write_xlsx
from tests.trino_check import problems, strip_literals

REVENUE = "fct_wine__product_revenue"
PRODUCTS = {  # product_id: (sku, price, units sold, revenue, is_premium)
    1: ("101", 10, 1, 10, False),
    2: ("102", 10, 2, 20, False),
    3: ("103", 10, 3, 30, False),
    4: ("bon-cadeau-25-euros", 10, 0, 0, False),
    5: ("105", 10, 1, 10, False),
    6: ("106", 10, 1, 10, False),
    7: ("107", 10, 1, 10, False),
    8: ("108", 10, 1, 10, False),
    9: ("109", 10, 1, 10, False),
    10: ("110", 110, 2, 220, True),
}
TIMEOUT = 30


# --- the warehouse and the server, once for the module


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("api")
    inputs = root / "inputs"
    inputs.mkdir()
    write_xlsx(inputs / "erp.xlsx", ERP_COLUMNS, ERP_ROWS)
    write_xlsx(inputs / "web.xlsx", WEB_COLUMNS, WEB_ROWS)
    (inputs / "liaison.csv").write_text(LIAISON_CSV)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DBT_TARGET", "test")
        env.setenv("TRIBUTARY_DATA_DIR", str(root / "data"))
        env.setenv("LAKE_URL", f"file://{root / 'lake'}")
        env.setenv("DUCKDB_PATH", str(root / "warehouse.duckdb"))
        for name in INPUT_ENV:
            env.delenv(name, raising=False)
        env.setenv("WINE_ERP_PATH", str(inputs / "erp.xlsx"))
        env.setenv("WINE_WEB_PATH", str(inputs / "web.xlsx"))
        env.setenv("WINE_LIAISON_PATH", str(inputs / "liaison.csv"))
        assert materialize_assets(selection=AssetSelection.groups("wine")).success
    return root / "warehouse.duckdb"


@contextlib.contextmanager
def serve(app):
    """uvicorn serving `app` in a thread, on a port the OS picks on 127.0.0.1; yields the base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    assert host == "127.0.0.1"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)


@pytest.fixture(scope="module")
def api(warehouse) -> str:
    with serve(create_app(DuckDBWarehouse(warehouse))) as url:
        yield url


def get(api: str, path: str, params=None) -> requests.Response:
    return requests.get(f"{api}{path}", params=params, timeout=TIMEOUT)


def direct(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def fingerprint(warehouse: Path) -> dict:
    """Every relation of the warehouse with its row count and a checksum of its rows, and the file's bytes."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.sql(
            "select table_schema, table_name, table_type from information_schema.tables order by all"
        ).fetchall()
        contents = {
            (schema, name): con.sql(
                f"select count(*), md5(coalesce(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar)),"
                f' \'\')) from "{schema}"."{name}" as t'
            ).fetchone()
            for schema, name, _ in relations
        }
    return {
        "relations": relations,
        "contents": contents,
        "file": hashlib.sha256(warehouse.read_bytes()).hexdigest(),
    }


def manifest_marts() -> set[str]:
    """The models under models/marts/, read from the manifest here (not through serving.warehouse)."""
    nodes = json.loads(manifest_path().read_text())["nodes"].values()
    return {
        n["name"]
        for n in nodes
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")
    }


# --- listing


def test_lists_the_marts_only_with_their_descriptions(api, warehouse):
    response = get(api, "/api/tables")
    assert response.status_code == 200
    tables = {t["name"]: t for t in response.json()["tables"]}
    assert set(tables) == manifest_marts()
    assert {"fct_wine__product_revenue", "fct_stock__risk", "dim_shop__customers"} <= set(tables)
    assert not [n for n in tables if n.split("_", 1)[0] in ("base", "stg", "qua", "int", "raw")]
    built = {name for name, t in tables.items() if t["built"]}
    assert built == {"fct_wine__anomalies", "fct_wine__product_revenue", "fct_wine__revenue_summary"}

    revenue = tables[REVENUE]
    assert revenue["domain"] == "wine" and revenue["description"].startswith("Revenue and price segment")
    columns = {c["name"]: c["description"] for c in revenue["columns"]}
    assert list(columns)[:3] == ["product_id", "sku", "title"]
    assert columns["revenue"] == "price × total_sales, in euros."
    assert all(columns.values()), "every column is described in the manifest"
    # the columns listed are the columns built
    assert list(columns) == [n for (n,) in direct(warehouse, f"select column_name from (describe main.{REVENUE})")]

    one = get(api, f"/api/tables/{REVENUE}")
    assert one.status_code == 200 and one.json() == revenue


def test_health_openapi_and_docs(api):
    health = get(api, "/api/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "warehouse": "duckdb", "marts": len(manifest_marts()), "built": 3}
    spec = get(api, "/openapi.json").json()
    assert {"/api/health", "/api/tables", "/api/tables/{name}", "/api/tables/{name}/rows"} <= set(spec["paths"])
    parameters = {p["name"] for p in spec["paths"]["/api/tables/{name}/rows"]["get"]["parameters"]}
    assert parameters == {"name", "limit", "offset", "order_by"}
    docs = get(api, "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# --- rows: paging, filtering, ordering


def test_default_page_and_shape(api):
    body = get(api, f"/api/tables/{REVENUE}/rows").json()
    assert (body["table"], body["limit"], body["offset"], body["has_more"]) == (REVENUE, 10, 0, False)
    assert body["columns"][:3] == ["product_id", "sku", "title"]
    rows = body["rows"]
    assert [set(r) for r in rows] == [set(body["columns"])] * 10
    got = {r["product_id"]: (r["sku"], r["price"], r["total_sales"], r["revenue"], r["is_premium"]) for r in rows}
    assert got == PRODUCTS
    premium = next(r for r in rows if r["is_premium"])
    assert premium["price_zscore"] == 3 and premium["price_mean"] == 20 and premium["price_stddev"] == 30


def test_paging_matches_a_direct_query(api, warehouse):
    columns = [n for (n,) in direct(warehouse, f"select column_name from (describe main.{REVENUE})")]
    expected = direct(warehouse, f"select * from main.{REVENUE} order by revenue desc, product_id")
    seen, offset = [], 0
    while True:
        body = get(api, f"/api/tables/{REVENUE}/rows", {"limit": 3, "offset": offset, "order_by": "-revenue"}).json()
        assert (body["limit"], body["offset"]) == (3, offset)
        seen += body["rows"]
        offset += 3
        if not body["has_more"]:
            break
    assert offset == 12  # pages at 0, 3, 6, 9: the last holds one row
    assert [r["product_id"] for r in seen] == [row[columns.index("product_id")] for row in expected]
    assert [r["revenue"] for r in seen] == [220, 30, 20, 10, 10, 10, 10, 10, 10, 0]
    # past the end: an empty page, not an error
    past = get(api, f"/api/tables/{REVENUE}/rows", {"offset": 10}).json()
    assert past["rows"] == [] and past["has_more"] is False
    assert get(api, f"/api/tables/{REVENUE}/rows", {"limit": 9}).json()["has_more"] is True
    assert len(get(api, f"/api/tables/{REVENUE}/rows", {"limit": 1000}).json()["rows"]) == 10


def test_filters(api):
    def ids(**params):
        response = get(api, f"/api/tables/{REVENUE}/rows", params)
        assert response.status_code == 200, response.text
        return sorted(r["product_id"] for r in response.json()["rows"])

    assert ids(is_premium="true") == [10]
    assert ids(total_sales="1") == [1, 5, 6, 7, 8, 9]
    assert ids(total_sales="1", price="10") == [1, 5, 6, 7, 8, 9]
    assert ids(total_sales="2") == [2, 10]
    assert ids(total_sales="2", is_premium="false") == [2]
    assert ids(sku="bon-cadeau-25-euros") == [4]
    assert ids(sku="bon-cadeau") == []  # equality, not a pattern
    assert ids(total_sales="1", limit="2", offset="4") == [8, 9]


def test_ordering(api):
    def order(order_by, **params):
        body = get(api, f"/api/tables/{REVENUE}/rows", {"order_by": order_by, **params}).json()
        return [(r["total_sales"], r["product_id"]) for r in body["rows"]]

    by_units_desc = [(3, 3), (2, 2), (2, 10), (1, 1), (1, 5), (1, 6), (1, 7), (1, 8), (1, 9), (0, 4)]
    # ties follow the other columns in table order (product_id first)
    assert order("-total_sales") == by_units_desc
    assert order("total_sales:desc") == by_units_desc
    assert order("total_sales:DESC, -product_id") == [(3, 3), (2, 10), (2, 2), (1, 9), (1, 8), (1, 7), (1, 6),
                                                      (1, 5), (1, 1), (0, 4)]  # fmt: skip
    assert order("total_sales") == [(0, 4), (1, 1), (1, 5), (1, 6), (1, 7), (1, 8), (1, 9), (2, 2), (2, 10), (3, 3)]
    assert order("-price", limit=2) == [(2, 10), (1, 1)]


def test_a_mart_not_built_yet_answers_503(api):
    response = get(api, "/api/tables/fct_stock__risk/rows")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "mart 'fct_stock__risk' is not built yet: run `make demo` (or its domain's job)"
    }


def test_no_warehouse_or_no_manifest_answers_503(tmp_path):
    with serve(create_app(DuckDBWarehouse(tmp_path / "absent.duckdb"))) as url:
        for path in ("/api/health", "/api/tables", f"/api/tables/{REVENUE}", f"/api/tables/{REVENUE}/rows"):
            response = get(url, path)
            assert response.status_code == 503, path
            assert response.json() == {"detail": f"no warehouse at {tmp_path / 'absent.duckdb'}: run `make demo` first"}
    with serve(create_app(DuckDBWarehouse(tmp_path / "absent.duckdb"), manifest=tmp_path / "manifest.json")) as url:
        response = get(url, "/api/tables")
        assert response.status_code == 503 and response.json()["detail"].startswith("no dbt manifest at")


def test_a_warehouse_being_written_answers_503_then_serves(warehouse, tmp_path):
    """While another process holds DuckDB's write lock (a dbt run), requests answer 503; once it lets go, 200."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(warehouse, copy)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True);"
         " sys.stdin.read()", str(copy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "locked"
        with serve(create_app(DuckDBWarehouse(copy))) as url:
            response = get(url, f"/api/tables/{REVENUE}/rows")
            assert response.status_code == 503
            assert response.json()["detail"].startswith(f"cannot open {copy} read-only:")
            writer.communicate("", timeout=TIMEOUT)
            response = get(url, f"/api/tables/{REVENUE}/rows")
            assert response.status_code == 200 and len(response.json()["rows"]) == 10
    finally:
        writer.kill()
        writer.wait(TIMEOUT)


# --- injection attempts: every one fails cleanly and changes nothing

NON_MART = object()  # stands for every relation of the warehouse that is not a mart (filled in by the test)
ATTEMPTS = [
    # (table, query parameters, expected status)
    (f"{REVENUE}; drop table {REVENUE}", {}, 404),
    (f"{REVENUE}' or '1'='1", {}, 404),
    (f"{REVENUE} --", {}, 404),
    (f"{REVENUE}/*", {}, 404),
    (f"main.{REVENUE}", {}, 404),
    (f'"{REVENUE}"', {}, 404),
    ("information_schema.tables", {}, 404),
    ("qua_wine__erp", {}, 404),
    ("stg_wine__erp", {}, 404),
    ("base_wine__web", {}, 404),
    ("int_wine__products", {}, 404),
    ("stock_raw.sales", {}, 404),
    # column names: filters and order_by
    (REVENUE, {f"sku; drop table {REVENUE}": "1"}, 404),
    (REVENUE, {"1 or 1": "1"}, 404),
    (REVENUE, {"sku--": "101"}, 404),
    (REVENUE, {"sku/**/": "101"}, 404),
    (REVENUE, {'"sku"': "101"}, 404),
    (REVENUE, {"reject_reason": "x"}, 404),
    (REVENUE, {"no_such_column": "1"}, 404),
    (REVENUE, {"order_by": f"product_id; drop table {REVENUE}"}, 404),
    (REVENUE, {"order_by": "product_id desc"}, 404),
    (REVENUE, {"order_by": "1"}, 404),
    (REVENUE, {"order_by": "(select 1)"}, 404),
    (REVENUE, {"order_by": "product_id -- x"}, 404),
    (REVENUE, {"order_by": "product_id:desc; drop table x"}, 422),
    (REVENUE, {"order_by": "product_id:sideways"}, 422),
    # values: bound parameters, so they match nothing (and never run)
    (REVENUE, {"sku": f"'; drop table {REVENUE}; --"}, 200),
    (REVENUE, {"sku": "101' or '1'='1"}, 200),
    (REVENUE, {"sku": "1 or 1=1"}, 200),
    (REVENUE, {"sku": "101 --"}, 200),
    (REVENUE, {"sku": "101 /* */"}, 200),
    (REVENUE, {"sku": "101\x00"}, 200),
    (REVENUE, {"sku": "101; checkpoint"}, 200),
    # a value the column's type cannot hold: refused before any query
    (REVENUE, {"product_id": "1 or 1=1"}, 422),
    (REVENUE, {"product_id": "1; drop table x"}, 422),
    # bounds and types
    (REVENUE, {"limit": "1001"}, 422),
    (REVENUE, {"limit": str(10**12)}, 422),
    (REVENUE, {"limit": str(10**40)}, 422),
    (REVENUE, {"limit": "0"}, 422),
    (REVENUE, {"limit": "-1"}, 422),
    (REVENUE, {"limit": "ten"}, 422),
    (REVENUE, {"limit": "1 or 1=1"}, 422),
    (REVENUE, {"limit": "10; drop table x"}, 422),
    (REVENUE, {"limit": "5.5"}, 422),
    (REVENUE, {"limit": ""}, 422),
    (REVENUE, {"offset": "-1"}, 422),
    (REVENUE, {"offset": str(10**40)}, 422),
    (REVENUE, {"offset": "1e3"}, 422),
    (REVENUE, {"offset": "0x10"}, 422),
    (REVENUE, [("limit", "1"), ("limit", "2")], 422),
    (REVENUE, [("sku", "101"), ("sku", "102")], 422),
    (NON_MART, {}, 404),
]


@pytest.mark.parametrize("table, params, status", ATTEMPTS, ids=[str(i) for i in range(len(ATTEMPTS))])
def test_injection_attempts_fail_cleanly_and_change_nothing(api, warehouse, table, params, status):
    before = fingerprint(warehouse)
    if table is NON_MART:
        # every relation of the warehouse that is not a mart: raw, staging, intermediate, quarantine, seeds
        others = [(schema, n) for (schema, n, _) in before["relations"] if not n.startswith(("fct_", "dim_"))]
        names = {n for _, n in others}
        assert {"qua_wine__web", "stg_wine__liaison", "base_wine__erp", "int_wine__products", "web"} <= names
        requests_made = [(n, params) for n in sorted(names)] + [(f"{s}.{n}", params) for s, n in others]
    else:
        requests_made = [(table, params)]
    for name, query in requests_made:
        response = requests.get(
            f"{api}/api/tables/{requests.utils.quote(name, safe='')}/rows", params=query, timeout=TIMEOUT
        )
        assert response.status_code == status, (name, query, response.text)
        body = response.json()
        if status == 200:
            assert body["rows"] == [] and body["table"] == REVENUE
        else:
            assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
            assert "Traceback" not in body["detail"]
    assert fingerprint(warehouse) == before
    # and the table still answers, whole
    assert len(get(api, f"/api/tables/{REVENUE}/rows", {"limit": 100}).json()["rows"]) == 10


def test_a_value_filter_is_not_a_pattern_nor_sql(api):
    """The positive control of the value attempts above: the same filter with a real value finds its row."""
    rows = get(api, f"/api/tables/{REVENUE}/rows", {"sku": "101"}).json()["rows"]
    assert [(r["product_id"], r["revenue"]) for r in rows] == [(1, 10)]


# --- `python -m serving.api` (what `make api` runs): the settings from the environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_m_serving_api_listens_where_configured(warehouse):
    port = free_port()
    env = {**os.environ, "DBT_TARGET": "test", "DUCKDB_PATH": str(warehouse), "API_PORT": str(port)}
    env.pop("API_HOST", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "serving.api"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the API did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["built"] == 3
        rows = requests.get(f"http://127.0.0.1:{port}/api/tables/{REVENUE}/rows?is_premium=true", timeout=5).json()
        assert [r["sku"] for r in rows["rows"]] == ["110"]
    finally:
        process.terminate()
        process.wait(TIMEOUT)


def test_api_settings(monkeypatch):
    monkeypatch.delenv("API_HOST", raising=False)
    monkeypatch.delenv("API_PORT", raising=False)
    assert config.api_settings() == config.ApiSettings(host="127.0.0.1", port=8000)
    monkeypatch.setenv("API_HOST", "0.0.0.0")
    monkeypatch.setenv("API_PORT", "8123")
    assert config.api_settings() == config.ApiSettings(host="0.0.0.0", port=8123)


# --- the Athena path: the same query builder, Trino SQL, values as execution parameters

HOSTILE = [f"'; drop table {REVENUE}; --", "101' or '1'='1", "1 or 1=1", "a'' --", "x /* y */", "it's", "\\'", ""]
COLUMNS = {  # as Athena's information_schema names the types
    "product_id": "integer",
    "sku": "varchar",
    "title": "varchar",
    "is_premium": "boolean",
    "price": "decimal(18,2)",
    "total_sales": "bigint",
    "revenue": "double",
}


def athena_statement(warehouse, filters, order_by="-revenue, sku:asc") -> tuple[str, list]:
    table = catalog()[REVENUE]
    request = RowsRequest(table=REVENUE, limit=25, offset=50, order_by=order_by, filters=filters)
    return rows_query(warehouse, table, COLUMNS, request, peek=True)


def test_athena_rows_query_is_trino_sql(monkeypatch):
    monkeypatch.setenv("ATHENA_SCHEMA", "tributary")
    athena = AthenaWarehouse()
    filters = {"sku": HOSTILE[0], "is_premium": "true", "price": "10", "total_sales": "42"}
    sql, params = athena_statement(athena, filters)
    assert problems(sql) == [], sql
    assert sql == (
        f'select * from "tributary"."{REVENUE}" where cast("sku" as varchar) = ?'
        ' and "is_premium" = try_cast(? as boolean) and "price" = try_cast(? as double)'
        ' and "total_sales" = try_cast(? as bigint)'
        ' order by "revenue" desc nulls last, "sku" asc nulls last,'
        ' "product_id" asc nulls last, "title" asc nulls last, "is_premium" asc nulls last, "price" asc nulls last,'
        ' "total_sales" asc nulls last offset 50 limit 26'
    )
    assert params == [HOSTILE[0], "true", "10", "42"]
    # the same builder on DuckDB: only the relation differs
    duck_sql, duck_params = athena_statement(DuckDBWarehouse(Path("unused.duckdb")), {"sku": HOSTILE[0]})
    assert duck_sql.startswith(f'select * from "main"."{REVENUE}" where cast("sku" as varchar) = ?')
    assert duck_params == [HOSTILE[0]]


@pytest.mark.parametrize(
    "data_type, condition",
    [
        ("INTEGER", '"c" = try_cast(? as bigint)'),
        ("UBIGINT", '"c" = try_cast(? as bigint)'),
        ("DECIMAL(18,2)", '"c" = try_cast(? as double)'),
        ("DOUBLE", '"c" = try_cast(? as double)'),
        ("BOOLEAN", '"c" = try_cast(? as boolean)'),
        ("DATE", '"c" = try_cast(? as date)'),
        ("VARCHAR", 'cast("c" as varchar) = ?'),
        ("TIMESTAMP WITH TIME ZONE", 'cast("c" as varchar) = ?'),
        ("interval", 'cast("c" as varchar) = ?'),
        (None, 'cast("c" as varchar) = ?'),
    ],
)
def test_filter_condition_by_type(data_type, condition):
    assert filter_condition("c", data_type) == condition


@pytest.mark.parametrize(
    "data_type, good, bad",
    [
        ("INTEGER", ["3", "-12", "+7"], ["ten", "3.0", "1 or 1=1", "", "0x10", "1" * 19]),
        ("DECIMAL(18,2)", ["10", "10.00", "-0.5", ".5", "1e3"], ["ten", "10,5", "1..2", "", "nan"]),
        ("BOOLEAN", ["true", "FALSE"], ["yes", "1", ""]),
        ("DATE", ["2026-11-28", "2024-02-29"], ["2026-02-30", "28/11/2026", "2026-11-28 10:00", ""]),
        ("VARCHAR", ["anything", "", "1 or 1=1"], []),
    ],
)
def test_filter_values_are_checked_against_the_column_type(data_type, good, bad):
    for value in good:
        check_filter_value("c", data_type, value)
    for value in bad:
        expected = rf"filter c: {re.escape(repr(value))} is not .+ \(the column is {re.escape(data_type)}\)"
        with pytest.raises(QueryError, match=expected):
            check_filter_value("c", data_type, value)


def test_a_filter_value_of_the_wrong_type_is_a_422_naming_the_column(api):
    response = requests.get(f"{api}/api/tables/{REVENUE}/rows", params={"product_id": "ten"}, timeout=TIMEOUT)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert re.fullmatch(r"filter product_id: 'ten' is not an integer \(the column is [A-Z]*INT[A-Z]*\)", detail)


@pytest.mark.parametrize("value", HOSTILE)
def test_trino_literal_is_one_literal(value):
    statement = f"select * from t where c = {trino_literal(value)} and d = 1"
    assert problems(statement) == []
    # with the literal taken out, nothing of the value is left in the statement
    assert strip_literals(statement) == "select * from t where c = '' and d = 1"


def test_trino_literal_of_other_types():
    assert [trino_literal(v) for v in (None, True, False, 3, 2.5)] == ["NULL", "TRUE", "FALSE", "3", "2.5"]


def test_athena_fetch_sends_values_as_execution_parameters(moto_aws):
    """AthenaWarehouse.fetch against the moto server: StartQueryExecution receives the statement with its `?`
    and the values as execution parameters (moto records both); the canned result comes back as rows."""
    header = {"Data": [{"VarCharValue": "product_id"}, {"VarCharValue": "sku"}]}
    row = {"Data": [{"VarCharValue": "10"}, {"VarCharValue": "110"}]}
    column_info = [
        {"Name": name, "Type": "varchar", "CatalogName": "awsdatacatalog", "SchemaName": "tributary",
         "TableName": REVENUE, "Label": name, "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN",
         "CaseSensitive": True}
        for name in ("product_id", "sku")
    ]  # fmt: skip
    requests.post(
        f"{moto_aws}/moto-api/static/athena/query-results",
        json={"region": "us-east-1", "results": [{"rows": [header, row], "column_info": column_info}]},
        timeout=TIMEOUT,
    ).raise_for_status()
    boto3.client("s3").create_bucket(Bucket="tributary-athena-results")

    athena = AthenaWarehouse(config.aws_settings())
    sql, params = athena_statement(athena, {"sku": HOSTILE[0], "title": HOSTILE[2]})
    names, rows = athena.fetch(sql, params)
    assert names == ["product_id", "sku"] and rows == [("10", "110")]

    client = boto3.client("athena")
    [execution_id] = client.list_query_executions()["QueryExecutionIds"]
    execution = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    assert execution["Query"] == sql
    assert execution["ExecutionParameters"] == ["'''; drop table fct_wine__product_revenue; --'", "'1 or 1=1'"]
    assert "drop table" not in execution["Query"] and "1=1" not in execution["Query"]
    assert execution["WorkGroup"] == "primary"
