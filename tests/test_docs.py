"""The dbt docs: every mart and mart column described, and the exposures (each dashboard page, the query API)
declaring the marts they read, so the lineage in `make docs` runs from the raw source to the page.

Reads dbt_project/target/manifest.json, which conftest's pytest_configure writes with `dbt parse` before any
test runs. The check that every column built in the warehouse is in the yml needs a built warehouse: it is in
tests/test_dashboard.py, on the build the dashboard tests share."""

import importlib
import json

import pytest

from ingestion import config

PAGES_DIR = config.REPO_ROOT / "dashboard" / "views"


def page_modules() -> list[str]:
    """Every page of the dashboard: the modules of dashboard/views/ (home is the front page, at /)."""
    return sorted(path.stem for path in PAGES_DIR.glob("*.py") if not path.stem.startswith("_"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((config.dbt_target_dir() / "manifest.json").read_text())


def marts(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }


def test_every_mart_and_mart_column_is_described(manifest):
    found = marts(manifest)
    assert len(found) >= 29  # stock 2, velib 4, wine 3, shop 20
    undescribed = [name for name, node in found.items() if not node["description"].strip()]
    undescribed += [
        f"{name}.{column}"
        for name, node in found.items()
        for column, props in node["columns"].items()
        if not (props.get("description") or "").strip()
    ]
    assert not undescribed, f"marts or columns without a description: {', '.join(sorted(undescribed))}"


def exposure_refs(exposure: dict) -> set[str]:
    return {node_id.split(".")[-1] for node_id in exposure["depends_on"]["nodes"]}


def test_every_dashboard_page_is_an_exposure_with_the_marts_it_reads(manifest):
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    built = marts(manifest)
    names = page_modules()
    assert {"home", "stock", "stock_sales", "shop_evolution", "shop_quality", "marketing_social"} <= set(names)
    for name in names:
        page = importlib.import_module(f"dashboard.views.{name}")  # a page renders only when Streamlit runs it
        assert set(page.MARTS) <= set(built), f"dashboard/views/{name}.py reads marts the project does not have"
        exposure = exposures.get(f"dashboard_{name}")
        assert exposure is not None, f"no exposure dashboard_{name} for dashboard/views/{name}.py"
        assert exposure["type"] == "dashboard"
        assert exposure_refs(exposure) == set(page.MARTS), name
        assert exposure["url"].endswith("/" if name == "home" else f"/{name}"), name


def test_the_query_api_exposure_reads_every_table_it_serves(manifest):
    from serving.warehouse import catalog

    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    api = exposures["query_api"]
    assert api["type"] == "application"
    served = set(marts(manifest)) | {"stg_marketing__social_posts", "stg_marketing__campaigns"}
    assert exposure_refs(api) == set(catalog()) == served
