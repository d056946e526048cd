"""`make aws-bootstrap` against a moto server over real HTTP: everything created once, then reported as existing."""

import dataclasses

import pytest

from ingestion import aws
from ingestion.aws import bootstrap
from ingestion.aws.bootstrap import CREATED, EXISTS, RAW_DATABASES
from ingestion.config import aws_settings


@pytest.fixture
def aws_env(moto_aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # not us-east-1: buckets need their location constraint
    monkeypatch.setenv("LAKE_URL", "s3://acme-lake/tributary/prod")
    monkeypatch.setenv("ATHENA_S3_STAGING_DIR", "s3://acme-athena-results/queries/")
    monkeypatch.setenv("ATHENA_S3_DATA_DIR", "s3://acme-warehouse/tables/")
    monkeypatch.setenv("ATHENA_WORK_GROUP", "tributary")
    monkeypatch.setenv("KINESIS_SHARD_COUNT", "2")
    return moto_aws


EXPECTED = [
    ("s3 bucket", "acme-lake"),
    ("s3 bucket", "acme-athena-results"),
    ("s3 bucket", "acme-warehouse"),
    ("glue database", "tributary"),
    ("glue database", "tributary_seeds"),
    ("glue database", "raw_stock"),
    ("glue database", "raw_velib"),
    ("glue database", "raw_wine"),
    ("glue database", "raw_shop"),
    ("glue database", "raw_marketing"),
    ("glue database", "ml_shop"),
    ("athena work group", "tributary"),
    ("kinesis stream", "tributary-stock-sales-events"),
    ("kinesis stream", "tributary-marketing-click-events"),
]


def test_bootstrap_creates_everything_once(aws_env, capsys):
    bootstrap.main()
    first = capsys.readouterr().out
    assert "bootstrap in eu-west-1 (http://127.0.0.1:" in first
    for kind, name in EXPECTED:
        assert f"{CREATED:8} {kind} {name}\n" in first
    assert first.endswith(f"{len(EXPECTED)} created, 0 already existed\n")

    bootstrap.main()
    second = capsys.readouterr().out
    for kind, name in EXPECTED:
        assert f"{EXISTS:8} {kind} {name}\n" in second
    assert second.endswith(f"0 created, {len(EXPECTED)} already existed\n")


def test_resources_have_the_expected_settings(aws_env):
    outcomes = bootstrap.bootstrap()
    assert [(o.kind, o.name, o.status) for o in outcomes] == [(k, n, CREATED) for k, n in EXPECTED]

    s3 = aws.client("s3")
    for bucket in ("acme-lake", "acme-athena-results", "acme-warehouse"):
        assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"

    glue = aws.client("glue")
    assert {d["Name"] for d in glue.get_databases()["DatabaseList"]} == {"tributary", "tributary_seeds", *RAW_DATABASES}

    group = aws.client("athena").get_work_group(WorkGroup="tributary")["WorkGroup"]
    assert group["State"] == "ENABLED"
    assert group["Configuration"]["ResultConfiguration"]["OutputLocation"] == "s3://acme-athena-results/queries/"

    summary = aws.client("kinesis").describe_stream_summary(StreamName="tributary-stock-sales-events")
    assert summary["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2
    assert summary["StreamDescriptionSummary"]["StreamARN"].startswith("arn:aws:kinesis:eu-west-1:")


def test_an_existing_resource_with_other_settings_is_reported_not_changed(aws_env, monkeypatch):
    bootstrap.bootstrap()
    monkeypatch.setenv("ATHENA_S3_STAGING_DIR", "s3://acme-athena-results/other/")
    monkeypatch.setenv("KINESIS_SHARD_COUNT", "4")
    monkeypatch.setenv("KINESIS_STREAM_PREFIX", "acme")
    notes = {(o.kind, o.name): (o.status, o.note) for o in bootstrap.bootstrap()}
    assert notes[("athena work group", "tributary")] == (
        EXISTS,
        "output location 's3://acme-athena-results/queries/', expected 's3://acme-athena-results/other/'",
    )
    assert notes[("kinesis stream", "acme-stock-sales-events")] == (CREATED, "")  # a new prefix, a new stream
    group = aws.client("athena").get_work_group(WorkGroup="tributary")["WorkGroup"]
    assert group["Configuration"]["ResultConfiguration"]["OutputLocation"] == "s3://acme-athena-results/queries/"


def test_a_local_lake_needs_no_bucket(aws_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("LAKE_URL", tmp_path.as_uri())
    bootstrap.main()
    out = capsys.readouterr().out
    assert "is not s3://: no lake bucket" in out
    assert "acme-lake" not in out and out.endswith(f"{len(EXPECTED) - 1} created, 0 already existed\n")


def test_plan_rejects_a_staging_dir_that_is_not_s3():
    settings = dataclasses.replace(aws_settings(), athena_staging_dir="/tmp/x")
    with pytest.raises(ValueError, match="ATHENA_S3_STAGING_DIR='/tmp/x': expected s3://bucket/prefix"):
        bootstrap.plan(settings, "s3://lake/prefix")
