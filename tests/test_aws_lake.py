"""Every domain's sample ingested into an S3 lake on a moto server (real HTTP), bucket from `make aws-bootstrap`:
the expected keys, under the lake's prefix, and a second ingestion that adds nothing."""

import datetime as dt
import re

import duckdb
import pytest

from ingestion import aws
from ingestion.aws.bootstrap import bootstrap
from ingestion.files import ingest_files
from ingestion.lake import S3Lake, content_digest, open_lake
from ingestion.stock.generate import generate_inventory_csv, generate_sales_csv
from ingestion.stock.producer import CatalogueItem, SalesEventProducer
from ingestion.stream import drain_landing
from ingestion.velib.generate import generate_snapshots
from ingestion.velib.snapshot import read_saved_snapshot, replay_folder, snapshot_key

NOW = dt.datetime(2024, 7, 1, 8, 30, tzinfo=dt.UTC)  # the delivery time of the files
T0 = dt.datetime(2024, 7, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def lake(moto_aws, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("LAKE_URL", "s3://tributary-lake/dev")
    bootstrap()  # creates the lake bucket (and the rest)
    lake = open_lake()
    assert isinstance(lake, S3Lake) and lake.list("") == []
    return lake


def bucket_keys() -> list[str]:
    pages = aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket="tributary-lake")
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def ingest_stock_files(lake, samples):
    sales = ingest_files(lake, "stock", "sales", str(samples / "superstore_sales.csv"), "cp1252", now=NOW)
    inventory = ingest_files(lake, "stock", "inventory_snapshots", str(samples / "inventory_snapshot.csv"), now=NOW)
    return sales + inventory


def test_every_domain_sample_lands_in_s3_once(lake, tmp_path):
    samples = tmp_path / "samples"
    generate_sales_csv(samples / "superstore_sales.csv", rows=200, seed=1, end=dt.date(2024, 6, 30))
    generate_inventory_csv(samples / "inventory_snapshot.csv", samples / "superstore_sales.csv")
    velib_files = generate_snapshots(tmp_path / "velib", stations=20, hours=1, end=T0)

    # --- stock exports: one file per input, named by its content hash, dated by the ingestion day
    landed = ingest_stock_files(lake, samples)
    assert all(f.written for f in landed)
    for f, (table, stem) in zip(landed, [("sales", "superstore_sales"), ("inventory_snapshots", "inventory_snapshot")],
                                strict=True):  # fmt: skip
        assert f.key == f"raw/stock/{table}/dt=2024-07-01/{stem}-{content_digest(lake.get(f.key))[:16]}.csv"
    assert lake.get(landed[0].key) == (samples / "superstore_sales.csv").read_bytes()  # the original bytes
    parsed = [f.parsed_key for f in landed]
    assert all(re.fullmatch(r"parsed/stock/\w+/dt=2024-07-01/20240701T0830000000\d\dZ-\w+-\w{16}\.parquet", k)
               for k in parsed)  # fmt: skip

    # --- stock events: three producer batches through the landing area, drained to raw
    producer = SalesEventProducer([CatalogueItem("P-1", "Chair", 10.0)], seed=2, clock=lambda: T0)
    landing = [producer.write_batch(lake, 5) for _ in range(3)]
    drained = drain_landing(lake, "stock", "sales_events").drained
    events = sorted(d.raw_key for d in drained)
    parsed += [d.parsed_key for d in drained]
    assert events == sorted(k.replace("landing/stock/sales_events/", "raw/stock/sales_events/dt=2024-07-01/")
                            for k in landing)  # fmt: skip
    assert all(
        re.fullmatch(r"raw/stock/sales_events/dt=2024-07-01/20240701T083000000000Z-\w+\.jsonl", k) for k in events
    )

    # --- velib: the generated snapshots replayed, one envelope per data timestamp, partitioned by date and hour
    snapshots = replay_folder(lake, tmp_path / "velib")
    assert [s.written for s in snapshots] == [True] * 4
    velib = sorted(s.key for s in snapshots)
    assert velib == sorted(snapshot_key(read_saved_snapshot(p)) for p in velib_files)
    velib_key = r"raw/velib/station_status/dt=2024-07-01/hour=0[78]/20240701T0\d{5}Z-opendata-\w{16}\.json"
    assert all(re.fullmatch(velib_key, k) for k in velib)
    parsed += [s.parsed_key for s in snapshots]

    expected = sorted([*(f.key for f in landed), *events, *velib, *parsed])
    assert lake.list("") == expected
    assert bucket_keys() == [f"dev/{k}" for k in expected]  # under the lake's prefix, nothing else in the bucket

    # --- everything again: nothing new
    assert not any(f.written for f in ingest_stock_files(lake, samples))
    for key in events:  # a drain that died before deleting its landing copies replays them
        lake.put(key.replace("raw/stock/sales_events/dt=2024-07-01/", "landing/stock/sales_events/"), lake.get(key))
    assert sorted(d.raw_key for d in drain_landing(lake, "stock", "sales_events").drained) == events
    assert not any(s.written for s in replay_folder(lake, tmp_path / "velib"))
    assert bucket_keys() == [f"dev/{k}" for k in expected]


def test_dbt_on_duckdb_reads_an_s3_lake_as_it_reads_a_local_one(project_env, moto_aws, monkeypatch):
    """The laptop warehouse over a lake on S3 (httpfs, installed offline, with the AWS variables): the same stock
    sample through Dagster and dbt gives the same staged, quarantined and mart rows as from a local lake."""
    from dagster import AssetSelection

    from tests.conftest import materialize_assets

    sales = project_env / "data" / "samples" / "stock" / "superstore_sales.csv"
    summary = generate_sales_csv(sales, rows=300, seed=5, end=dt.date(2024, 6, 30))
    generate_inventory_csv(sales.with_name("inventory_snapshot.csv"), sales)
    stock = AssetSelection.groups("stock")

    def snapshot(db, *setup: str) -> dict[str, list[tuple]]:
        with duckdb.connect(str(db), read_only=True) as con:
            for statement in setup:  # staging views read the lake when queried: on S3, they need the secret
                con.execute(statement)
            marts = [
                ("fct_stock__daily_sales", "sale_date, product_id, region"),
                ("fct_stock__risk", "product_id, region"),
            ]
            rows = {name: con.sql(f"select * from main.{name} order by {order}").fetchall() for name, order in marts}
            for name in ("stg_stock__sales", "qua_stock__sales"):
                rows[name] = con.sql(f"select _source_file, count(*) from main.{name} group by 1 order by 1").fetchall()
        return rows

    assert materialize_assets(selection=stock).success  # the local lake of project_env
    local = snapshot(project_env / "warehouse.duckdb")

    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("LAKE_URL", "s3://tributary-lake/dev")
    monkeypatch.setenv("DUCKDB_PATH", str(project_env / "s3.duckdb"))
    bootstrap()
    assert materialize_assets(selection=stock).success
    endpoint = moto_aws.removeprefix("http://")
    remote = snapshot(
        project_env / "s3.duckdb",
        "load httpfs",
        f"create secret (type s3, key_id 'testing', secret 'testing', region 'eu-west-1', endpoint '{endpoint}',"
        " url_style 'path', use_ssl false)",
    )

    assert remote == local
    [(staged_file, staged)] = remote["stg_stock__sales"]
    assert re.fullmatch(r"raw/stock/sales/dt=\d{4}-\d{2}-\d{2}/superstore_sales-\w{16}\.csv", staged_file)
    assert staged == summary.rows_written - summary.dirty_rows
    assert sum(n for _, n in remote["qua_stock__sales"]) == summary.dirty_rows
    assert any(k.startswith("dev/raw/stock/sales/") for k in bucket_keys())
