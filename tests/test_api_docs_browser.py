"""The API's interactive docs render in a real headless browser with the network off: Debian's Chromium driven by
Playwright (never a downloaded browser), every request to anything but the API's own loopback address refused
and recorded. FastAPI's default /docs loads Swagger UI from a CDN and stays blank here; ours serves it locally.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from serving.api import create_app
from serving.warehouse import DuckDBWarehouse
from tests.test_api import NO_KEY, REVENUE, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser_page() -> Iterator:
    """A Playwright page in headless Chromium whose requests may only reach the origin the test sets in
    `page.allowed_origin`; every other request is aborted and listed in `page.blocked`."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():  # .ci/run installs it as root; the dashboard's browser test skips the same way
        pytest.skip("needs Debian's chromium at /usr/bin/chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.blocked = []
            page.allowed_origin = None

            def only_the_api(route) -> None:
                url = route.request.url
                if page.allowed_origin and url.startswith(page.allowed_origin + "/"):
                    route.continue_()
                else:
                    page.blocked.append(url)
                    route.abort("internetdisconnected")

            context.route("**/*", only_the_api)
            yield page
        finally:
            browser.close()


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A small warehouse made by hand: three products of the wine revenue mart (110 is the best seller)."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"create table {REVENUE} as select * from (values (1, '101', 10.0), (10, '110', 220.0), (3, '103', 30.0))"
            " t(product_id, sku, revenue)"
        )
    return path


def test_docs_render_offline_and_run_a_query(warehouse, browser_page):
    page = browser_page
    with serve(create_app(DuckDBWarehouse(warehouse), settings=NO_KEY)) as url:
        page.allowed_origin = url
        page.goto(f"{url}/docs", wait_until="networkidle")
        page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
        assert page.locator(".swagger-ui h1.title").inner_text().startswith("Tributary query API")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert {p.replace("\u200b", "") for p in paths} >= {
            "/api/health",
            "/api/tables",
            "/api/tables/{name}",
            "/api/tables/{name}/rows",
            "/api/tables/{name}/export",
        }
        # run a query from the page, as a person trying the API would
        block = page.locator(".opblock-get", has=page.locator('[data-path="/api/tables/{name}/rows"]'))
        block.locator(".opblock-summary").click()
        block.locator("button.try-out__btn").click()
        block.locator('tr[data-param-name="name"] input').fill(REVENUE)
        block.locator('tr[data-param-name="columns"] input').fill("sku,revenue")
        block.locator('tr[data-param-name="order_by"] input').fill("-revenue")
        block.locator('tr[data-param-name="limit"] input').fill("1")
        block.locator("button.execute").click()
        response = block.locator(".live-responses-table .response .response-col_status").first
        response.wait_for(timeout=15_000)
        assert response.inner_text().strip() == "200"
        body = block.locator(".live-responses-table .response .microlight").first.inner_text()
        assert '"sku": "110"' in body and '"revenue": 220' in body and '"total": 3' in body

    assert page.blocked == [], page.blocked  # nothing tried to leave the machine
