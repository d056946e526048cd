"""The read-only query API over real HTTP on 127.0.0.1 (uvicorn started here), on a real warehouse: the wine and
marketing groups materialized through Dagster once for the module, from the hand-made files of
test_wine_pipeline and test_marketing_pipeline (social posts and campaigns only), and read as readers read it:
the copy the build published (serving/publish.py).

Figures by hand (test_wine_pipeline's docstring): ten products join, product_id 1–10 with skus 101, 102, 103,
'bon-cadeau-25-euros', 105–110; P1–P9 cost 10 €, P10 110 € (the one premium); units sold 1, 2, 3, 0, 1, 1, 1, 1,
1, 2; revenue 10 × units, and 220 for P10. Social posts (test_marketing_pipeline's POSTS): ann on 1 and 2 Nov
2024 (10 and 5 likes, 2 and 1 retweets), bob on 3 Nov (3, 0); bob's negative likes and ann's repeated post are
quarantined. Campaigns C1 (500 €, 100 clicks, 10,000 impressions) and C2 (90 €, 30, 2,000) are staged.
The stock, velib and shop marts are not built: they answer 503.

Injection attempts go in every place a client controls (table name, filter names, operators and values,
order_by, columns, limit, offset, the export's format, the API key header); each must fail cleanly (the right
status, a JSON body) and leave every table of the warehouse as it was (names, row counts and a checksum of the
contents, and the bytes of the live and published files).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
import duckdb
import pyarrow.parquet as pq
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
    count_query,
    export_query,
    filter_condition,
    manifest_path,
    rows_query,
    trino_literal,
)
from tests.conftest import INPUT_ENV, REPO_ROOT, materialize_assets
from tests.test_marketing_pipeline import CAMPAIGNS, POSTS
from tests.test_wine_pipeline import ERP_ROWS, LIAISON_CSV, WEB_ROWS, write_xlsx
from tests.trino_check import problems, strip_literals

REVENUE = "fct_wine__product_revenue"
POSTS_TABLE = "stg_marketing__social_posts"
CAMPAIGNS_TABLE = "stg_marketing__campaigns"
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
STAGED_POSTS = [  # (user_name, posted_at, likes, retweets)
    ("ann", "2024-11-01T10:00:00", 10, 2),
    ("ann", "2024-11-02T10:00:00", 5, 1),
    ("bob", "2024-11-03T10:00:00", 3, 0),
]
TIMEOUT = 30
API_KEY = "k3y-for-tests-0123456789"


# --- the warehouse and the server, once for the module


def land_inputs(root: Path, env: pytest.MonkeyPatch) -> None:
    """The wine files and the marketing social posts and campaigns of the module, and the settings to land them."""
    inputs = root / "inputs"
    inputs.mkdir()
    write_xlsx(inputs / "erp.xlsx", ERP_COLUMNS, ERP_ROWS)
    write_xlsx(inputs / "web.xlsx", WEB_COLUMNS, WEB_ROWS)
    (inputs / "liaison.csv").write_text(LIAISON_CSV)
    (inputs / "social.json").write_text(json.dumps(POSTS))
    (inputs / "campaigns.json").write_text(json.dumps(CAMPAIGNS))
    env.setenv("DBT_TARGET", "test")
    env.setenv("TRIBUTARY_DATA_DIR", str(root / "data"))
    env.setenv("LAKE_URL", f"file://{root / 'lake'}")
    env.setenv("DUCKDB_PATH", str(root / "warehouse.duckdb"))
    for name in (*INPUT_ENV, "DUCKDB_PUBLISH", "DUCKDB_PUBLISHED_PATH"):
        env.delenv(name, raising=False)
    env.setenv("WINE_ERP_PATH", str(inputs / "erp.xlsx"))
    env.setenv("WINE_WEB_PATH", str(inputs / "web.xlsx"))
    env.setenv("WINE_LIAISON_PATH", str(inputs / "liaison.csv"))
    env.setenv("MARKETING_SOCIAL_POSTS_PATH", str(inputs / "social.json"))
    env.setenv("MARKETING_CAMPAIGNS_PATH", str(inputs / "campaigns.json"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The live warehouse, built; the build published its copy in published/ beside it."""
    root = tmp_path_factory.mktemp("api")
    with pytest.MonkeyPatch.context() as env:
        land_inputs(root, env)
        assert materialize_assets(selection=AssetSelection.groups("wine", "marketing")).success
    return root / "warehouse.duckdb"


@pytest.fixture(scope="module")
def warehouse(built) -> Path:
    """The published copy: what the API reads."""
    published = built.parent / "published" / built.name
    assert published.exists()
    return published


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


NO_KEY = config.ApiSettings(host="127.0.0.1", port=0)


@pytest.fixture(scope="module")
def api(warehouse) -> str:
    with serve(create_app(DuckDBWarehouse(warehouse), settings=NO_KEY)) as url:
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


def direct_tables(warehouse: Path, prefix: str) -> set[str]:
    return {
        n
        for (n,) in direct(
            warehouse, f"select table_name from information_schema.tables where table_name like '{prefix}%'"
        )
    }


# --- listing


def test_lists_the_marts_and_the_served_staging_tables_with_their_descriptions(api, warehouse):
    response = get(api, "/api/tables")
    assert response.status_code == 200
    tables = {t["name"]: t for t in response.json()["tables"]}
    assert set(tables) == manifest_marts() | {POSTS_TABLE, CAMPAIGNS_TABLE}
    assert {"fct_wine__product_revenue", "fct_stock__risk", "dim_shop__customers"} <= set(tables)
    # the staging tables served are the two the yml flags, never base_, qua_, int_ or raw relations
    assert {n: t["layer"] for n, t in tables.items() if t["layer"] != "mart"} == {
        POSTS_TABLE: "staging",
        CAMPAIGNS_TABLE: "staging",
    }
    assert not [n for n in tables if n.split("_", 1)[0] in ("base", "qua", "int", "raw")]
    assert "stg_marketing__transactions" not in tables  # staged, not flagged: client names stay in the warehouse
    built = {name for name, t in tables.items() if t["built"]}
    assert built == direct_tables(warehouse, "fct_wine") | direct_tables(warehouse, "fct_marketing") | {
        POSTS_TABLE,
        CAMPAIGNS_TABLE,
    }
    assert {"fct_wine__anomalies", "fct_wine__product_revenue", "fct_wine__revenue_summary"} <= built

    revenue = tables[REVENUE]
    assert revenue["domain"] == "wine" and revenue["description"].startswith("Revenue and price segment")
    columns = {c["name"]: c["description"] for c in revenue["columns"]}
    assert list(columns)[:3] == ["product_id", "sku", "title"]
    assert columns["revenue"] == "price × total_sales, in euros."
    assert all(columns.values()), "every column is described in the manifest"
    # the columns listed are the columns built
    assert list(columns) == [n for (n,) in direct(warehouse, f"select column_name from (describe main.{REVENUE})")]
    posts = tables[POSTS_TABLE]
    assert posts["domain"] == "marketing" and posts["description"] == "Usable social posts, one per post_id."
    assert [c["name"] for c in posts["columns"]][:6] == ["post_id", "user_name", "message", "posted_at", "likes",
                                                         "retweets"]  # fmt: skip

    one = get(api, f"/api/tables/{REVENUE}")
    assert one.status_code == 200 and one.json() == revenue


def test_health_openapi_and_docs(api, warehouse):
    health = get(api, "/api/health")
    assert health.status_code == 200
    built = len(direct_tables(warehouse, "fct_wine") | direct_tables(warehouse, "fct_marketing")) + 2
    published_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(warehouse.stat().st_mtime))
    assert health.json() == {
        "status": "ok",
        "warehouse": "duckdb",
        "marts": len(manifest_marts()),
        "staging": 2,
        "built": built,
        "published_at": published_at,
    }
    spec = get(api, "/openapi.json").json()
    paths = {"/api/health", "/api/tables", "/api/tables/{name}", "/api/tables/{name}/rows", "/api/tables/{name}/export"}
    assert paths <= set(spec["paths"])
    parameters = {p["name"] for p in spec["paths"]["/api/tables/{name}/rows"]["get"]["parameters"]}
    assert parameters == {"name", "limit", "offset", "order_by", "columns"}
    parameters = {p["name"] for p in spec["paths"]["/api/tables/{name}/export"]["get"]["parameters"]}
    assert parameters == {"name", "format", "limit", "offset", "order_by", "columns"}
    assert "price__gte=10" in spec["paths"]["/api/tables/{name}/rows"]["get"]["description"]
    assert "securitySchemes" not in spec.get("components", {})  # no key configured: none asked for
    docs = get(api, "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # the assets are served here, not from a CDN (tests/test_api_docs_browser.py renders the page offline)
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/static-offline-docs/") for a in assets), assets
    for asset in assets:
        assert get(api, asset).status_code == 200, asset
    assert get(api, "/redoc").status_code == 404  # ReDoc loads its logo from a CDN: not served


# --- rows: paging, filtering, ordering


def test_default_page_and_shape(api):
    body = get(api, f"/api/tables/{REVENUE}/rows").json()
    assert (body["table"], body["limit"], body["offset"], body["total"], body["has_more"]) == (
        REVENUE,
        10,
        0,
        10,
        False,
    )
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
        assert (body["limit"], body["offset"], body["total"]) == (3, offset, 10)
        seen += body["rows"]
        offset += 3
        if not body["has_more"]:
            break
    assert offset == 12  # pages at 0, 3, 6, 9: the last holds one row
    assert [r["product_id"] for r in seen] == [row[columns.index("product_id")] for row in expected]
    assert [r["revenue"] for r in seen] == [220, 30, 20, 10, 10, 10, 10, 10, 10, 0]
    # past the end: an empty page with the total, not an error
    past = get(api, f"/api/tables/{REVENUE}/rows", {"offset": 10}).json()
    assert (past["rows"], past["total"], past["has_more"]) == ([], 10, False)
    assert get(api, f"/api/tables/{REVENUE}/rows", {"limit": 9}).json()["has_more"] is True
    assert len(get(api, f"/api/tables/{REVENUE}/rows", {"limit": 1000}).json()["rows"]) == 10


def ids(api, **params) -> list[int]:
    response = get(api, f"/api/tables/{REVENUE}/rows", params)
    assert response.status_code == 200, response.text
    return sorted(r["product_id"] for r in response.json()["rows"])


def test_filters(api):
    assert ids(api, is_premium="true") == [10]
    assert ids(api, total_sales="1") == [1, 5, 6, 7, 8, 9]
    assert ids(api, total_sales="1", price="10") == [1, 5, 6, 7, 8, 9]
    assert ids(api, total_sales="2") == [2, 10]
    assert ids(api, total_sales="2", is_premium="false") == [2]
    assert ids(api, sku="bon-cadeau-25-euros") == [4]
    assert ids(api, sku="bon-cadeau") == []  # equality, not a pattern
    assert ids(api, total_sales="1", limit="2", offset="4") == [8, 9]


def test_range_and_set_filters(api):
    # units sold 1, 2, 3, 0, 1, 1, 1, 1, 1, 2; price 10 but P10 110; revenue 10 × units, P10 220
    assert ids(api, total_sales__gte="2") == [2, 3, 10]
    assert ids(api, total_sales__gt="2") == [3]
    assert ids(api, total_sales__lt="1") == [4]
    assert ids(api, total_sales__lte="1") == [1, 4, 5, 6, 7, 8, 9]
    assert ids(api, total_sales__ne="1") == [2, 3, 4, 10]
    assert ids(api, total_sales__eq="3") == [3]
    assert ids(api, price__gte="10.5") == [10]  # a decimal column against a number
    assert ids(api, revenue__gte="20", revenue__lt="220") == [2, 3]  # a range: both bounds
    assert ids(api, product_id__in="1,3,10") == [1, 3, 10]
    assert ids(api, product_id__in="4") == [4]
    assert ids(api, sku__in="101,bon-cadeau-25-euros,nope") == [1, 4]  # text: each value whole
    assert ids(api, sku__gte="109") == [4, 9, 10]  # text ranges compare the text: '109' < '110' < 'bon…'
    assert ids(api, is_premium__in="true") == [10]
    assert ids(api, is_premium__ne="true") == list(range(1, 10))
    assert ids(api, sku__isnull="false") == list(range(1, 11))
    assert ids(api, sku__isnull="true") == []
    body = get(api, f"/api/tables/{REVENUE}/rows", {"total_sales__lte": "1", "limit": 2, "order_by": "-product_id"})
    assert (body.json()["total"], [r["product_id"] for r in body.json()["rows"]]) == (7, [9, 8])


def test_date_and_timestamp_filters_on_a_staging_table(api):
    """The marketing team's own example (`GET /api/query-table/?table=kafka_ing_social_data&limit=10`), asked of
    the staged social posts, then narrowed by a timestamp range and a count."""

    def posts(**params):
        response = get(api, f"/api/tables/{POSTS_TABLE}/rows", {"order_by": "posted_at", **params})
        assert response.status_code == 200, response.text
        return [(r["user_name"], r["posted_at"], r["likes"], r["retweets"]) for r in response.json()["rows"]]

    assert posts(limit=10) == STAGED_POSTS
    assert posts(posted_at__gte="2024-11-02") == STAGED_POSTS[1:]
    assert posts(posted_at__lt="2024-11-02T10:00:00") == STAGED_POSTS[:1]
    assert posts(posted_at__gt="2024-11-02 10:00") == STAGED_POSTS[2:]
    assert posts(posted_at="2024-11-03T10:00:00") == STAGED_POSTS[2:]
    assert posts(likes__gte=5, user_name="ann") == STAGED_POSTS[:2]
    assert posts(user_name__in="bob,cy") == STAGED_POSTS[2:]
    campaigns = get(
        api,
        f"/api/tables/{CAMPAIGNS_TABLE}/rows",
        {"start_date": "2024-11-01", "end_date__gte": "2024-11-05", "columns": "campaign_id,budget,clicks"},
    )
    assert campaigns.json()["rows"] == [{"campaign_id": "C1", "budget": 500, "clicks": 100}]


def test_column_selection(api):
    body = get(api, f"/api/tables/{REVENUE}/rows", {"columns": "revenue,sku", "order_by": "-revenue", "limit": 2})
    assert body.status_code == 200
    assert (body.json()["columns"], body.json()["rows"]) == (
        ["revenue", "sku"],
        [{"revenue": 220, "sku": "110"}, {"revenue": 30, "sku": "103"}],
    )
    # a filter or an order on a column that is not selected still works
    body = get(api, f"/api/tables/{REVENUE}/rows", {"columns": "sku", "is_premium": "true"}).json()
    assert body["rows"] == [{"sku": "110"}] and body["total"] == 1
    assert get(api, f"/api/tables/{REVENUE}/rows", {"columns": " sku , title "}).json()["columns"] == ["sku", "title"]


@pytest.mark.parametrize(
    "params, status, detail",
    [
        ({"price__gte": "ten"}, 422, r"filter price__gte: 'ten' is not a number \(the column is DECIMAL\(18,4\)\)"),
        ({"product_id__in": "1,two"}, 422, r"filter product_id__in: 'two' is not an integer \(the column is INTEGER\)"),
        ({"product_id__in": "1,,2"}, 422, r"filter product_id__in: '' is not an integer .*"),
        ({"product_id__in": ""}, 422, r"filter product_id__in: give 1 to 100 values separated by commas"),
        ({"product_id__in": ",".join(["1"] * 101)}, 422, r"filter product_id__in: give 1 to 100 values .*"),
        ({"is_premium__gt": "true"}, 422, r"filter is_premium__gt: a BOOLEAN column takes eq, ne, in or isnull, .*"),
        ({"is_premium__ne": "maybe"}, 422, r"filter is_premium__ne: 'maybe' is not true or false .*"),
        ({"sku__isnull": "yes"}, 422, r"filter sku__isnull: 'yes' is not true or false"),
        ({"price__between": "1"}, 422, r"filter price__between: unknown operator 'between' \(one of eq, .*"),
        ({"price__": "1"}, 422, r"filter price__: unknown operator '' .*"),
        ({"nope__gte": "1"}, 404, r"unknown column 'nope' in table 'fct_wine__product_revenue'"),
        ({"columns": "sku,nope"}, 404, r"unknown column 'nope' in columns"),
        ({"columns": "sku,,title"}, 422, r"columns: give column names separated by commas, .*"),
        ({"columns": ""}, 422, r"columns: give column names .*"),
        ({"columns": "sku,sku"}, 422, r"columns: a column is named twice"),
    ],
)
def test_bad_filters_and_columns_answer_with_the_parameter_named(api, params, status, detail):
    response = get(api, f"/api/tables/{REVENUE}/rows", params)
    assert response.status_code == status, response.text
    assert re.fullmatch(detail, response.json()["detail"]), response.json()["detail"]


def test_a_timestamp_filter_value_is_checked(api):
    response = get(api, f"/api/tables/{POSTS_TABLE}/rows", {"posted_at__gte": "2024-13-01"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("filter posted_at__gte: '2024-13-01' is not a date and time")


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


# --- downloads


def test_csv_export_of_a_filtered_selection(api):
    params = {"total_sales__gte": "2", "columns": "product_id,sku,price,is_premium", "order_by": "-revenue"}
    response = get(api, f"/api/tables/{REVENUE}/export", params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{REVENUE}.csv"'
    assert (response.headers["x-total-count"], response.headers["x-row-count"]) == ("3", "3")
    assert (
        response.text
        == "product_id,sku,price,is_premium\n10,110,110.0000,true\n3,103,10.0000,false\n2,102,10.0000,false\n"
    )
    # the whole table by default (no page size), and a part with limit and offset
    whole = list(csv.DictReader(io.StringIO(get(api, f"/api/tables/{REVENUE}/export").text)))
    assert {int(r["product_id"]): int(r["total_sales"]) for r in whole} == {k: v[2] for k, v in PRODUCTS.items()}
    part = get(api, f"/api/tables/{REVENUE}/export", {"columns": "product_id", "limit": 2, "offset": 8})
    assert (part.text, part.headers["x-total-count"], part.headers["x-row-count"]) == ("product_id\n9\n10\n", "10", "2")
    posts = get(
        api, f"/api/tables/{POSTS_TABLE}/export", {"columns": "user_name,posted_at,message", "user_name": "bob"}
    )
    assert posts.text == "user_name,posted_at,message\nbob,2024-11-03T10:00:00,No tags here\n"
    empty = get(api, f"/api/tables/{REVENUE}/export", {"sku": "none", "columns": "sku"})
    assert (empty.status_code, empty.text, empty.headers["x-total-count"]) == (200, "sku\n", "0")


def test_parquet_export_keeps_the_types(api, warehouse):
    response = get(
        api, f"/api/tables/{REVENUE}/export", {"format": "parquet", "is_premium": "false", "order_by": "product_id"}
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == [n for (n,) in direct(warehouse, f"select column_name from (describe main.{REVENUE})")]
    assert str(table.schema.field("price").type) == "decimal128(18, 4)"
    assert table.column("product_id").to_pylist() == list(range(1, 10))
    assert [float(v) for v in table.column("revenue").to_pylist()] == [10, 20, 30, 0, 10, 10, 10, 10, 10]
    posts = get(api, f"/api/tables/{POSTS_TABLE}/export", {"format": "parquet", "columns": "posted_at,likes"})
    table = pq.read_table(io.BytesIO(posts.content))
    assert str(table.schema.field("posted_at").type).startswith("timestamp")
    assert sorted(table.column("likes").to_pylist()) == [3, 5, 10]


def test_an_export_larger_than_the_bound_is_refused(warehouse):
    settings = config.ApiSettings(host="127.0.0.1", port=0, export_max_rows=4)
    with serve(create_app(DuckDBWarehouse(warehouse), settings=settings)) as url:
        response = get(url, f"/api/tables/{REVENUE}/export")
        assert response.status_code == 422
        assert response.json()["detail"] == (
            "the selection holds 10 rows, more than the 4 one download may hold (API_EXPORT_MAX_ROWS): narrow it"
            " with filters, or take it in parts with limit and offset"
        )
        assert get(url, f"/api/tables/{REVENUE}/export", {"total_sales": "1", "limit": 4}).status_code == 200
        assert get(url, f"/api/tables/{REVENUE}/export", {"offset": 6}).status_code == 200  # 4 rows left
        response = get(url, f"/api/tables/{REVENUE}/export", {"limit": 5})
        assert response.status_code == 422 and response.json()["detail"].startswith("limit: Input should be less")
        assert get(url, f"/api/tables/{REVENUE}/export", {"format": "xlsx"}).json()["detail"].startswith("format: ")


# --- the API key


def test_an_api_key_guards_the_tables_when_set(warehouse):
    settings = config.ApiSettings(host="127.0.0.1", port=0, api_key=API_KEY)
    with serve(create_app(DuckDBWarehouse(warehouse), settings=settings)) as url:
        for path in (
            "/api/tables",
            f"/api/tables/{REVENUE}",
            f"/api/tables/{REVENUE}/rows",
            f"/api/tables/{REVENUE}/export",
        ):
            for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": API_KEY[:-1]}, {"X-API-Key": API_KEY + "x"},
                            {"X-API-Key": ""}, {"Authorization": f"Bearer {API_KEY}"}):  # fmt: skip
                response = requests.get(f"{url}{path}", headers=headers, timeout=TIMEOUT)
                assert response.status_code == 401, (path, headers)
                assert response.json() == {"detail": "a valid API key is required in the X-API-Key header"}
            response = requests.get(f"{url}{path}", headers={"X-API-Key": API_KEY}, timeout=TIMEOUT)
            assert response.status_code == 200, path
        # a probe, the docs and the description need no key; the description says how to send it
        assert get(url, "/api/health").status_code == 200 and get(url, "/docs").status_code == 200
        spec = get(url, "/openapi.json").json()
        assert spec["components"]["securitySchemes"] == {
            "APIKeyHeader": {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "the API_KEY of the server",
            }
        }


def test_api_key_settings(monkeypatch):
    monkeypatch.setenv("API_KEY", "short")
    with pytest.raises(ValueError, match="API_KEY is too short: use at least 16 characters"):
        config.api_settings()
    monkeypatch.setenv("API_KEY", API_KEY)
    assert config.api_settings().api_key == API_KEY
    assert API_KEY not in repr(config.api_settings())  # never in a log line
    monkeypatch.setenv("API_KEY", "  ")
    assert config.api_settings().api_key is None
    monkeypatch.setenv("API_EXPORT_MAX_ROWS", "0")
    with pytest.raises(ValueError, match="API_EXPORT_MAX_ROWS='0' is not a whole number of rows >= 1"):
        config.api_settings()


# --- not built, not there: 503 with a message that names no server path or process


def assert_no_server_detail(detail: str, *paths: Path) -> None:
    for path in paths:
        assert str(path) not in detail and path.name not in detail, detail
    assert not re.search(r"PID|pid \d|/tmp|/work|\.duckdb", detail), detail


def test_a_table_not_built_yet_answers_503(api):
    response = get(api, "/api/tables/fct_stock__risk/rows")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "table 'fct_stock__risk' is not built yet: run `make demo` (or its domain's job)"
    }


def test_no_warehouse_or_no_manifest_answers_503(tmp_path):
    absent = tmp_path / "absent.duckdb"
    with serve(create_app(DuckDBWarehouse(absent), settings=NO_KEY)) as url:
        for path in ("/api/health", "/api/tables", f"/api/tables/{REVENUE}", f"/api/tables/{REVENUE}/rows"):
            response = get(url, path)
            assert response.status_code == 503, path
            assert response.json() == {
                "detail": "no warehouse yet: run `make demo` first (each successful build publishes the copy read here)"
            }
    with serve(create_app(DuckDBWarehouse(absent), manifest=tmp_path / "manifest.json", settings=NO_KEY)) as url:
        response = get(url, "/api/tables")
        assert response.status_code == 503
        assert response.json() == {"detail": "no dbt manifest yet: run `make manifest` (or `make demo`) first"}
        assert_no_server_detail(response.json()["detail"], tmp_path)


def test_a_manifest_being_rewritten_keeps_the_tables_read_last(warehouse, tmp_path):
    """`make manifest` (dbt parse) rewrites target/manifest.json while the API runs: a request that reads it half
    written keeps the tables read last; with none read yet it answers 503, not 500."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest_path().read_text())
    with serve(create_app(DuckDBWarehouse(warehouse), manifest=manifest, settings=NO_KEY)) as url:
        assert get(url, f"/api/tables/{REVENUE}/rows").status_code == 200
        manifest.write_text('{"nodes": {"model.tributary.')  # half written
        response = get(url, f"/api/tables/{REVENUE}/rows")
        assert response.status_code == 200 and response.json()["total"] == 10
    with serve(create_app(DuckDBWarehouse(warehouse), manifest=manifest, settings=NO_KEY)) as url:
        response = get(url, "/api/tables")
        assert response.status_code == 503
        assert response.json() == {"detail": "the dbt manifest is being written or is unreadable: try again shortly"}


def test_a_writer_on_the_live_file_does_not_reach_readers_of_the_published_copy(built, warehouse, tmp_path):
    """Another process holds DuckDB's write lock on the live file (as dbt does while it builds): the API reads the
    published copy and answers 200. With publishing off it reads the live file and answers 503, with a body that
    names neither the file nor the writer's process."""
    live = tmp_path / "warehouse.duckdb"
    live.write_bytes(built.read_bytes())
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True);"
         " sys.stdin.read()", str(live)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "locked"
        with serve(create_app(DuckDBWarehouse(warehouse), settings=NO_KEY)) as url:
            response = get(url, f"/api/tables/{REVENUE}/rows")
            assert response.status_code == 200 and response.json()["total"] == 10
        with serve(create_app(DuckDBWarehouse(live), settings=NO_KEY)) as url:
            response = get(url, f"/api/tables/{REVENUE}/rows")
            assert response.status_code == 503
            detail = response.json()["detail"]
            assert (
                detail == "the warehouse cannot be opened right now (another process is writing it?): try again shortly"
            )
            assert_no_server_detail(detail, live)
            assert str(writer.pid) not in detail
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
    # operators: the name after `__` must be one of the list, the column before it one of the table's
    (REVENUE, {"sku__eq; drop table x": "1"}, 422),
    (REVENUE, {"sku__in--": "101"}, 422),
    (REVENUE, {"sku__gte/**/": "101"}, 422),
    (REVENUE, {"sku__like": "%"}, 422),
    (REVENUE, {"sku;--__gte": "1"}, 404),
    (REVENUE, {"sku__gte__lte": "1"}, 404),
    (REVENUE, {"__gte": "1"}, 404),
    (REVENUE, {"reject_reason__isnull": "true"}, 404),
    # operator values: bound parameters too (each `in` value is its own parameter)
    (REVENUE, {"sku__in": "101','102"}, 200),
    (REVENUE, {"sku__in": "1) or (1=1"}, 200),
    (REVENUE, {"sku__in": "x') union select * from information_schema.tables --"}, 200),
    (REVENUE, {"sku__lt": "' or '1'='1"}, 200),
    (REVENUE, {"title__gt": "zzz'; drop table x; --"}, 200),
    (REVENUE, {"product_id__in": "1) or (1=1"}, 422),
    (REVENUE, {"product_id__gte": "0 or 1=1"}, 422),
    (REVENUE, {"price__lt": "1; drop table x"}, 422),
    (REVENUE, {"sku__isnull": "true) or (1=1"}, 422),
    (REVENUE, {"is_premium__in": "true,1=1"}, 422),
    # column selection: names only, each one of the table's
    (REVENUE, {"columns": f"sku; drop table {REVENUE}"}, 404),
    (REVENUE, {"columns": "*"}, 404),
    (REVENUE, {"columns": "count(*)"}, 404),
    (REVENUE, {"columns": "sku from main.qua_wine__web --"}, 404),
    (REVENUE, {"columns": '"sku"'}, 404),
    (REVENUE, {"columns": "__total_rows"}, 404),
    (REVENUE, {"columns": "reject_reason"}, 404),
    (REVENUE, [("columns", "sku"), ("columns", "title")], 422),
    (NON_MART, {}, 404),
]

EXPORT_ONLY = [
    (REVENUE, {"format": "csv; drop table x"}, 422),
    (REVENUE, {"format": "../../etc/passwd"}, 422),
    (REVENUE, {"format": "parquet' or '1'='1"}, 422),
    (REVENUE, {"limit": str(10**40)}, 422),
    (REVENUE, {"limit": "1 or 1=1"}, 422),
    (REVENUE, {"offset": "-1"}, 422),
]


def attempts(table, params, before) -> list[tuple[str, object]]:
    if table is not NON_MART:
        return [(table, params)]
    # every relation of the warehouse that is not served: raw, base, staging, intermediate, quarantine, seeds
    served = (POSTS_TABLE, CAMPAIGNS_TABLE)
    others = [
        (schema, n) for (schema, n, _) in before["relations"] if not n.startswith(("fct_", "dim_")) and n not in served
    ]
    names = {n for _, n in others}
    assert {"qua_wine__web", "stg_wine__liaison", "base_wine__erp", "int_wine__products", "web"} <= names
    assert {"qua_marketing__social_posts", "base_marketing__social_posts", "stg_marketing__transactions"} <= names
    return [(n, params) for n in sorted(names)] + [(f"{s}.{n}", params) for s, n in others]


ALL_ATTEMPTS = [("rows", *a) for a in ATTEMPTS] + [
    ("export", *a) for a in ATTEMPTS if "limit" not in dict(a[1])  # the export's limit has its own bound
] + [("export", *a) for a in EXPORT_ONLY]  # fmt: skip


@pytest.mark.parametrize(
    "endpoint, table, params, status", ALL_ATTEMPTS, ids=[str(i) for i in range(len(ALL_ATTEMPTS))]
)
def test_injection_attempts_fail_cleanly_and_change_nothing(api, built, warehouse, endpoint, table, params, status):
    before = fingerprint(warehouse)
    live = hashlib.sha256(built.read_bytes()).hexdigest()
    for name, query in attempts(table, params, before):
        response = requests.get(
            f"{api}/api/tables/{requests.utils.quote(name, safe='')}/{endpoint}", params=query, timeout=TIMEOUT
        )
        assert response.status_code == status, (name, query, response.text)
        if status == 200 and endpoint == "rows":
            body = response.json()
            assert body["rows"] == [] and body["table"] == REVENUE and body["total"] == 0
        elif status == 200:
            assert response.text.count("\n") == 1 and response.headers["x-total-count"] == "0"  # the header line only
        else:
            body = response.json()
            assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
            assert "Traceback" not in body["detail"]
    assert fingerprint(warehouse) == before
    assert hashlib.sha256(built.read_bytes()).hexdigest() == live
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


@contextlib.contextmanager
def api_process(env: dict[str, str]):
    """`python -m serving.api` (what `make api` runs) in its own process, on a free loopback port; yields its URL."""
    port = free_port()
    env = {**os.environ, "DBT_TARGET": "test", **env, "API_HOST": "127.0.0.1", "API_PORT": str(port)}
    # its output to a file: a pipe nobody reads fills up with access-log lines and blocks the server under load
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "serving.api"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise AssertionError(f"the API stopped: {log.read().decode()}")
                try:
                    requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "the API did not start"
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(TIMEOUT)


def test_python_m_serving_api_reads_the_published_copy_with_the_configured_key(built, warehouse):
    env = {"DUCKDB_PATH": str(built), "API_KEY": API_KEY}
    for name in ("DUCKDB_PUBLISH", "DUCKDB_PUBLISHED_PATH", "API_EXPORT_MAX_ROWS"):
        env[name] = os.environ.get(name, "")  # unset: the defaults
    with api_process(env) as url:
        response = requests.get(f"{url}/api/health", timeout=5)
        assert response.status_code == 200
        assert response.json()["published_at"] == time.strftime(
            "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(warehouse.stat().st_mtime)
        )
        path = f"{url}/api/tables/{REVENUE}/rows?is_premium=true"
        assert requests.get(path, timeout=5).status_code == 401
        rows = requests.get(path, headers={"X-API-Key": API_KEY}, timeout=5).json()
        assert [r["sku"] for r in rows["rows"]] == ["110"]


def test_api_settings(monkeypatch):
    monkeypatch.delenv("API_HOST", raising=False)
    monkeypatch.delenv("API_PORT", raising=False)
    monkeypatch.delenv("API_KEY", raising=False)
    monkeypatch.delenv("API_EXPORT_MAX_ROWS", raising=False)
    assert config.api_settings() == config.ApiSettings(host="127.0.0.1", port=8000, api_key=None, export_max_rows=10**6)
    monkeypatch.setenv("API_HOST", "0.0.0.0")
    monkeypatch.setenv("API_PORT", "8123")
    monkeypatch.setenv("API_EXPORT_MAX_ROWS", "5000")
    assert config.api_settings() == config.ApiSettings(host="0.0.0.0", port=8123, export_max_rows=5000)


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


def athena_statement(warehouse, filters, order_by="-revenue, sku:asc", columns=None) -> tuple[str, list]:
    table = catalog()[REVENUE]
    request = RowsRequest(table=REVENUE, limit=25, offset=50, order_by=order_by, filters=filters, columns=columns)
    return rows_query(warehouse, table, COLUMNS, request)


def test_athena_rows_query_is_trino_sql(monkeypatch):
    monkeypatch.setenv("ATHENA_SCHEMA", "tributary")
    athena = AthenaWarehouse()
    filters = {"sku": HOSTILE[0], "is_premium": "true", "price__gte": "10", "total_sales__in": "4,2",
               "title__isnull": "false", "revenue__lt": "1e3", "sku__ne": HOSTILE[1]}  # fmt: skip
    sql, params = athena_statement(athena, filters, columns="sku,revenue")
    assert problems(sql) == [], sql
    assert sql == (
        f'select "sku", "revenue", count(*) over () as "__total_rows" from "tributary"."{REVENUE}"'
        ' where cast("sku" as varchar) = ? and "is_premium" = try_cast(? as boolean)'
        ' and "price" >= try_cast(? as double) and "total_sales" in (try_cast(? as bigint), try_cast(? as bigint))'
        ' and "title" is not null and "revenue" < try_cast(? as double) and cast("sku" as varchar) <> ?'
        ' order by "revenue" desc nulls last, "sku" asc nulls last,'
        ' "product_id" asc nulls last, "title" asc nulls last, "is_premium" asc nulls last, "price" asc nulls last,'
        ' "total_sales" asc nulls last offset 50 limit 25'
    )
    assert params == [HOSTILE[0], "true", "10", "4", "2", "1e3", HOSTILE[1]]
    # the same builder on DuckDB: only the relation differs
    duck_sql, duck_params = athena_statement(DuckDBWarehouse(Path("unused.duckdb")), {"sku": HOSTILE[0]})
    assert duck_sql.startswith(
        f'select "product_id", "sku", "title", "is_premium", "price", "total_sales", "revenue",'
        f' count(*) over () as "__total_rows" from "main"."{REVENUE}" where cast("sku" as varchar) = ?'
    )
    assert duck_params == [HOSTILE[0]]


def test_athena_export_and_count_queries_are_trino_sql(monkeypatch):
    monkeypatch.setenv("ATHENA_SCHEMA", "tributary")
    athena = AthenaWarehouse()
    table = catalog()[REVENUE]
    request = RowsRequest(table=REVENUE, limit=None, filters={"sku__in": "a,b"}, columns="sku", order_by="-sku")
    names, sql, params = export_query(athena, table, COLUMNS, request)
    assert names == ["sku"] and params == ["a", "b"] and problems(sql) == [], sql
    assert sql.startswith(f'select "sku" from "tributary"."{REVENUE}" where cast("sku" as varchar) in (?, ?)')
    assert "limit" not in sql and "offset" not in sql
    sql, params = count_query(athena, table, COLUMNS, request)
    assert sql == f'select count(*) from "tributary"."{REVENUE}" where cast("sku" as varchar) in (?, ?)'
    assert problems(sql) == []


@pytest.mark.parametrize(
    "data_type, condition",
    [
        ("INTEGER", '"c" = try_cast(? as bigint)'),
        ("UBIGINT", '"c" = try_cast(? as bigint)'),
        ("DECIMAL(18,2)", '"c" = try_cast(? as double)'),
        ("DOUBLE", '"c" = try_cast(? as double)'),
        ("BOOLEAN", '"c" = try_cast(? as boolean)'),
        ("DATE", '"c" = try_cast(? as date)'),
        ("TIMESTAMP", '"c" = try_cast(? as timestamp)'),
        ("timestamp(3)", '"c" = try_cast(? as timestamp)'),  # as Athena names it
        ("VARCHAR", 'cast("c" as varchar) = ?'),
        ("TIMESTAMP WITH TIME ZONE", 'cast("c" as varchar) = ?'),
        ("timestamp(3) with time zone", 'cast("c" as varchar) = ?'),
        ("interval", 'cast("c" as varchar) = ?'),
        (None, 'cast("c" as varchar) = ?'),
    ],
)
def test_filter_condition_by_type(data_type, condition):
    assert filter_condition("c", data_type) == condition
    assert problems(f"select 1 from t where {condition}") == []


@pytest.mark.parametrize(
    "operator, values, condition",
    [
        ("lt", 1, '"c" < try_cast(? as bigint)'),
        ("lte", 1, '"c" <= try_cast(? as bigint)'),
        ("gt", 1, '"c" > try_cast(? as bigint)'),
        ("gte", 1, '"c" >= try_cast(? as bigint)'),
        ("ne", 1, '"c" <> try_cast(? as bigint)'),
        ("in", 3, '"c" in (try_cast(? as bigint), try_cast(? as bigint), try_cast(? as bigint))'),
        ("isnull", 0, '"c" is null'),
    ],
)
def test_filter_condition_by_operator(operator, values, condition):
    assert filter_condition("c", "BIGINT", operator, values) == condition
    assert problems(f"select 1 from t where {condition}") == []


@pytest.mark.parametrize(
    "data_type, good, bad",
    [
        ("INTEGER", ["3", "-12", "+7"], ["ten", "3.0", "1 or 1=1", "", "0x10", "1" * 19]),
        ("DECIMAL(18,2)", ["10", "10.00", "-0.5", ".5", "1e3"], ["ten", "10,5", "1..2", "", "nan"]),
        ("BOOLEAN", ["true", "FALSE"], ["yes", "1", ""]),
        ("DATE", ["2026-11-28", "2024-02-29"], ["2026-02-30", "28/11/2026", "2026-11-28 10:00", ""]),
        ("TIMESTAMP", ["2026-11-28", "2026-11-28T10:00", "2026-11-28 10:00:05.25"],
         ["2026-11-28T25:00", "2026-11-28T10:00+01:00", "2026-11-28 10", "now", ""]),
        ("VARCHAR", ["anything", "", "1 or 1=1"], []),
    ],
)  # fmt: skip
def test_filter_values_are_checked_against_the_column_type(data_type, good, bad):
    for value in good:
        check_filter_value("c", data_type, value)
    for value in bad:
        expected = rf"filter c: {re.escape(repr(value))} is not .+ \(the column is {re.escape(data_type)}\)"
        with pytest.raises(QueryError, match=expected):
            check_filter_value("c", data_type, value)


def test_timestamp_values_are_bound_in_the_form_both_engines_read():
    assert check_filter_value("c", "TIMESTAMP", "2026-11-28") == "2026-11-28 00:00:00"
    assert check_filter_value("c", "TIMESTAMP", "2026-11-28T10:05") == "2026-11-28 10:05:00"
    assert check_filter_value("c", "timestamp(3)", "2026-11-28 10:05:01.5") == "2026-11-28 10:05:01.500000"


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
