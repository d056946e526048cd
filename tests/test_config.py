"""Settings from the environment: one list of known variables, the same as the documented table, and a
misspelled variable with one of Tributary's prefixes is an error naming the close match."""

import re

import pytest
from dagster import AssetSelection

from ingestion import config
from ingestion.config import KNOWN_VARIABLES, PROJECT_PREFIXES, UnknownVariableError
from tests.conftest import REPO_ROOT, materialize_assets

TABLE_HEADER = re.compile(r"^\|\s*variable\s*\|\s*default\s*\|\s*meaning\s*\|\s*$", re.IGNORECASE)


def documented_variables() -> set[str]:
    """The names in the first column of every configuration table (`| variable | default | meaning |`) of the
    README and of docs/, wherever the table lives."""
    names = set()
    for path in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        in_table = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if TABLE_HEADER.match(line):
                in_table = True
            elif in_table and line.startswith("|"):
                names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
            else:
                in_table = False
    return names


def test_the_known_variables_are_the_documented_ones():
    documented = documented_variables()
    assert "SHOP_ORDERS_PATH" in documented  # the table was found
    assert sorted(KNOWN_VARIABLES - documented) == [], "known to config.py, missing from the Configuration table"
    assert sorted(documented - KNOWN_VARIABLES) == [], "documented, missing from config.KNOWN_VARIABLES"


def test_config_reads_only_known_variables():
    """Every variable name written in config.py, and every project-prefixed env_var() of the profiles and the
    dbt project, is a known one: a setting cannot be read without being listed (and so documented)."""
    source = (REPO_ROOT / "ingestion" / "config.py").read_text()
    block = source[source.index("KNOWN_VARIABLES = ") : source.index("class UnknownVariableError")]
    named = set(re.findall(r"[\"'`]([A-Z][A-Z0-9]*_[A-Z0-9_]+)[\"'`]", source.replace(block, "")))
    assert named and sorted(named - KNOWN_VARIABLES) == []
    dbt_files = [REPO_ROOT / "dbt_project" / "profiles.yml", *(REPO_ROOT / "dbt_project").rglob("*.sql")]
    dbt_files = [p for p in dbt_files if "target" not in p.relative_to(REPO_ROOT).parts]
    read_by_dbt = {n for p in dbt_files for n in re.findall(r"env_var\(\s*['\"]([A-Z0-9_]+)", p.read_text())}
    assert sorted(n for n in read_by_dbt if n.startswith(PROJECT_PREFIXES) and n not in KNOWN_VARIABLES) == []


def test_a_misspelled_variable_names_the_close_match(monkeypatch):
    monkeypatch.setenv("SHOP_ORDER_PATH", "/data/achats.csv")
    with pytest.raises(UnknownVariableError, match=r"SHOP_ORDER_PATH is set .*did you mean SHOP_ORDERS_PATH\?"):
        config.shop_settings()
    config.velib_settings()  # another domain's settings are not stopped by the shop's mistake


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("VELIB_HTTP_TIMOUT", config.velib_settings, r"did you mean VELIB_HTTP_TIMEOUT\?"),
        ("wine_erp_path", config.wine_settings, r"wine_erp_path is set .*did you mean WINE_ERP_PATH\?"),
        ("STOCK_EVENTS_STREAM", config.stock_settings, r"did you mean STOCK_EVENTS_KINESIS_STREAM\?"),
        ("DUCKDB_PAHT", config.duckdb_path, r"did you mean DUCKDB_PATH\?"),
        ("ATHENA_WORKGROUP", config.aws_settings, r"did you mean ATHENA_WORK_GROUP\?"),
        ("TRIBUTARY_DATADIR", config.data_dir, r"did you mean TRIBUTARY_DATA_DIR\?"),
        ("MARKETING_FOO", config.marketing_settings, r"the MARKETING_\* settings are MARKETING_CAMPAIGNS_PATH, "),
    ],
)
def test_unknown_variables_of_each_prefix(monkeypatch, name, settings, message):
    monkeypatch.setenv(name, "x")
    with pytest.raises(UnknownVariableError, match=message):
        settings()


def test_variables_of_other_tools_are_left_alone(monkeypatch):
    for name in ("STOCKHOLM_OFFICE", "AWS_PROFILE", "DBT_PROFILES_DIR", "API_KEY", "SHOPIFY_TOKEN"):
        monkeypatch.setenv(name, "x")
    for settings in (config.stock_settings, config.shop_settings, config.aws_settings, config.dashboard_settings):
        settings()


def test_a_misspelled_variable_fails_the_asset_instead_of_landing_nothing(project_env, monkeypatch, tmp_path):
    """The reported case: clients set, orders misspelled. Before, the orders asset landed 0 orders with one
    INFO line and the run was green; now the asset fails and says which variable was meant."""
    clients = tmp_path / "clients.csv"
    clients.write_text("id_client,nom,email,date_inscription,pays\nC1,Ann,ann@example.com,2024-01-02,France\n")
    orders = tmp_path / "achats.csv"
    orders.write_text("id_achat,id_client,date_achat,montant,produit\nA1,C1,2024-02-03,12.50,Tea\n")
    monkeypatch.setenv("SHOP_CLIENTS_PATH", str(clients))
    monkeypatch.setenv("SHOP_ORDER_PATH", str(orders))
    result = materialize_assets(selection=AssetSelection.keys(["shop", "raw_orders"]), raise_on_error=False)
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    cause = failure.step_failure_data.error.cause
    assert cause.cls_name == "UnknownVariableError" and "did you mean SHOP_ORDERS_PATH?" in cause.message
