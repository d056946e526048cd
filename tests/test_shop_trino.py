"""The shop models compile for the Athena (Trino) target and parse as Trino SQL, with none of the DuckDB-only
functions or syntax that STYLE.md lists. A smoke check without an Athena account: `dbt compile` on the prod
target with no cache population and no introspection never connects."""

import subprocess

import sqlglot

from ingestion import config
from orchestration.dbt import dbt_executable

DUCKDB_ONLY = ("isodow(", "try_strptime(", "regexp_matches(", "len(", "::", " qualify ", " ilike ", " exclude ",
               "quantile_cont(", "strptime(")  # fmt: skip


def test_shop_models_compile_to_trino_sql(tmp_path, monkeypatch):
    for name, value in {"DBT_TARGET": "prod", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        monkeypatch.setenv(name, value)
    subprocess.run(
        [dbt_executable(), "--no-populate-cache", "compile", "--no-introspect", "--quiet", "--target", "prod",
         "--profiles-dir", str(config.DBT_PROFILES_DIR), "--target-path", str(tmp_path),
         "--select", "path:models/staging/shop", "path:models/intermediate/shop", "path:models/marts/shop"],
        cwd=config.DBT_PROJECT_DIR,
        check=True,
    )  # fmt: skip
    compiled = sorted((tmp_path / "compiled" / "tributary" / "models").glob("*/shop/*.sql"))
    assert len(compiled) >= 25
    for path in compiled:
        sql = path.read_text()
        sqlglot.parse_one(sql, read="trino")  # raises on SQL Trino cannot parse
        lowered = " ".join(sql.lower().split())
        assert not [token for token in DUCKDB_ONLY if token in lowered], path.name
