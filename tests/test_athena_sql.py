"""The Athena SQL, checked in CI without an AWS account: `dbt compile --target prod` against a moto server on
127.0.0.1, then every compiled model and test, and the raw-table statements, checked against the Trino grammar
and Trino's function list. A DuckDB-only construct fails this test with the model's name."""

import os
import re
import subprocess
from pathlib import Path

import boto3
import pytest
import sqlglot

from ingestion.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR
from orchestration.dbt_cli import dbt_executable
from tests.trino_check import functions_used, problems

LAKE = "s3://tributary-lake/lake"


@pytest.fixture
def prod_env(moto_s3, tmp_path, monkeypatch):
    for bucket in ("tributary-lake", "tributary-athena-results", "tributary-warehouse"):
        boto3.client("s3").create_bucket(Bucket=bucket)
    env = {
        **os.environ,
        "DBT_TARGET": "prod",
        "LAKE_URL": LAKE,
        "AWS_REGION": "us-east-1",
        "ATHENA_S3_STAGING_DIR": "s3://tributary-athena-results/",
        "ATHENA_S3_DATA_DIR": "s3://tributary-warehouse/",
        "ATHENA_SCHEMA": "tributary",
        "ATHENA_WORK_GROUP": "primary",
    }
    return env, tmp_path / "target"


def dbt(args: list[str], env: dict, target_path: Path) -> str:
    result = subprocess.run(
        [dbt_executable(), *args, "--profiles-dir", str(DBT_PROFILES_DIR), "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("table_type", ["hive", "iceberg"])
def test_every_compiled_model_and_test_is_trino_sql(prod_env, table_type):
    env, target_path = prod_env
    dbt(["compile", "--vars", f"{{athena_table_type: {table_type}}}"], env, target_path)
    compiled = [p for p in sorted((target_path / "compiled").rglob("*.sql")) if p.read_text().strip()]
    models = [p for p in compiled if "/models/" in p.as_posix() and "/_" not in p.as_posix()]
    assert len(models) >= 20 and len(compiled) >= 100
    failures = {
        p.relative_to(target_path / "compiled").as_posix(): found
        for p in compiled
        if (found := problems(p.read_text()))
    }
    assert not failures, "\n".join(f"{name}: {'; '.join(found)}" for name, found in failures.items())


def test_raw_relations_on_athena(prod_env):
    env, target_path = prod_env
    output = dbt(["run-operation", "print_raw_relation_ddl"], env, target_path)
    chunks = re.split(r"^-- tributary:statement (\S+)\n", output, flags=re.M)[1:]
    statements = list(zip(chunks[::2], chunks[1::2], strict=True))
    sources = {name for name, _ in statements}
    assert {"source.tributary.stock_raw.sales", "source.tributary.velib_raw.station_status"} <= sources
    parquet = {name for name, _ in statements if name.startswith("source.tributary.shop_ml.")}
    assert parquet == {f"source.tributary.shop_ml.{t}" for t in PARQUET_TABLES}
    for name, statement in statements:
        statement = statement.split("\n\x1b", 1)[0].strip()  # dbt's own log lines may follow
        table = name.rsplit(".", 1)[-1]
        domain = name.split(".")[2].removesuffix("_raw")
        if name in parquet:
            if not statement.startswith("create or replace view"):
                check_parquet_table(name, statement)
            else:
                assert not problems(statement), (name, problems(statement))
            continue
        if statement.startswith("create or replace view"):
            # the views are Trino SQL: the real grammar parses them; they read the Parquet table, dt as a date
            assert not problems(statement), (name, problems(statement))
            assert f"from raw_{domain}.{table}__parquet" in statement and "cast(dt as date) as dt" in statement
            continue
        # the external tables are Hive DDL (not Trino's grammar): sqlglot's Hive parser must recognise every clause
        # (it falls back to an opaque Command on anything it cannot parse), then check their shape
        ddl = sqlglot.parse_one(statement, read="hive")
        assert isinstance(ddl, sqlglot.exp.Create) and ddl.kind == "TABLE", (name, statement)
        assert [type(p).__name__ for p in ddl.args["properties"].expressions][:4] == [
            "ExternalProperty", "PartitionedByProperty", "FileFormatProperty", "LocationProperty",
        ], (name, statement)  # fmt: skip
        columns = [c.name for c in ddl.this.expressions]
        assert columns[:4] == ["_source_file", "_delivery_id", "_delivered_at", "_line_number"], columns
        assert columns[-2:] == ["_raw_line", "_parse_error"], columns
        location = f"{LAKE}/parsed/{domain}/{table}/"
        assert statement.startswith("create external table if not exists "), statement
        assert "stored as parquet" in statement
        assert f"location '{location}'" in statement  # one prefix per table, in the lake, not in s3_data_dir
        assert not location.startswith("s3://tributary-warehouse/")
        assert "'projection.enabled' = 'true'" in statement and "partitioned by (dt string)" in statement
        assert f"'storage.location.template' = '{location}dt=${{dt}}/" in statement


PARQUET_TABLES = ("customer_scores", "churn_metrics", "churn_calibration", "segment_selection")


def check_parquet_table(name: str, statement: str) -> None:
    """A `format: parquet` source (what the shop's model writes, ml/shop/<table>/): the external table is dropped
    (it holds no data: its files stay) and created again over the table's prefix, Parquet, with the declared
    column types in Hive's names, so it follows the yml."""
    from ml.shop import TABLES

    table = name.rsplit(".", 1)[-1]
    if statement.startswith("drop table"):
        assert statement == f"drop table if exists ml_shop.{table}__parquet"
        assert isinstance(sqlglot.parse_one(statement, read="hive"), sqlglot.exp.Drop)
        return
    ddl = sqlglot.parse_one(statement, read="hive")
    assert isinstance(ddl, sqlglot.exp.Create) and ddl.kind == "TABLE", (name, statement)
    assert [type(p).__name__ for p in ddl.args["properties"].expressions] == [
        "ExternalProperty", "FileFormatProperty", "LocationProperty",
    ], statement  # fmt: skip
    assert f"location '{LAKE}/ml/shop/{table}/'" in statement and "stored as parquet" in statement
    hive = {"string": "string", "date32[day]": "date", "int64": "bigint", "double": "double", "bool": "boolean",
            "timestamp[ms]": "timestamp"}  # fmt: skip
    columns = [(c.name, c.args["kind"].sql(dialect="hive").lower()) for c in ddl.this.expressions]
    assert columns == [(field.name, hive[str(field.type)]) for field in TABLES[table]], statement


def test_the_check_catches_duckdb_only_sql():
    assert problems("select a from t where a::int > 1")[0].startswith("not Trino syntax")
    assert problems("select a from t qualify row_number() over (partition by a) = 1")
    assert problems("select * exclude (a) from t")
    assert problems("select a from t where a ilike 'x%'")
    assert problems("select regexp_matches(a, 'x') from t") == [
        "function regexp_matches() is not a Trino function; use regexp_like (tributary.regexp_like)"
    ]
    assert (
        problems("select try(date_parse(a, '%m/%d/%Y')), element_at(b, 1) from t cross join unnest(c) as u (x)") == []
    )
    assert functions_used("select count(*) from t cross join unnest(x) as r (y)") == {"count"}
    assert functions_used("with spec (a, b) as (values (1, 2)) select max(a) from spec") == {"max"}
