"""Provision, idempotently, every AWS resource the project needs: `make aws-bootstrap`.

    python -m ingestion.aws.bootstrap

Creates what is missing and reports what already exists (a second run creates nothing):
- S3 buckets: the lake (`LAKE_URL` s3://bucket/prefix), Athena's results (`ATHENA_S3_STAGING_DIR`) and the
  warehouse data (`ATHENA_S3_DATA_DIR`);
- Glue databases: `ATHENA_SCHEMA` (the models), `<ATHENA_SCHEMA>_seeds` (the seeds' custom schema) and
  `RAW_DATABASES` (the raw relations of the dbt sources);
- the Athena work group `ATHENA_WORK_GROUP`, its query results in the staging dir;
- one Kinesis stream per entry of `STREAM_SOURCES`, named `<KINESIS_STREAM_PREFIX>-<source>-<table>`.

New buckets get S3's defaults (public access blocked, SSE-S3 encryption). A resource that exists is not
changed: when its settings differ from the expected ones, the report says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from ingestion import aws, config
from ingestion.marketing import CLICK_EVENTS_TABLE
from ingestion.marketing import SOURCE as MARKETING
from ingestion.stock import EVENTS_TABLE
from ingestion.stock import SOURCE as STOCK

# Custom schemas of dbt_project.yml (`+schema: seeds`): dbt names them `<ATHENA_SCHEMA>_<suffix>`.
MODEL_SCHEMA_SUFFIXES = ("seeds",)
# The Glue databases of the raw relations: one per `schema:` of a dbt source. A new domain adds its own. ml_shop:
# the Parquet tables the shop's model writes back (source shop_ml).
RAW_DATABASES = ("raw_stock", "raw_velib", "raw_wine", "raw_shop", "raw_marketing", "ml_shop")
# The (source, table) pairs that stream through Kinesis. A new stream adds its pair.
STREAM_SOURCES = ((STOCK, EVENTS_TABLE), (MARKETING, CLICK_EVENTS_TABLE))


def kinesis_stream_name(prefix: str, source: str, table: str) -> str:
    """`<prefix>-<source>-<table>` with dashes: tributary-stock-sales-events."""
    return f"{prefix}-{source}-{table}".replace("_", "-")


CREATED = "created"
EXISTS = "exists"


@dataclass(frozen=True)
class Outcome:
    kind: str  # bucket, glue database, athena work group, kinesis stream
    name: str
    status: str  # CREATED or EXISTS
    note: str = ""

    def __str__(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.status:8} {self.kind} {self.name}{note}"


@dataclass(frozen=True)
class Plan:
    buckets: tuple[str, ...]
    databases: tuple[str, ...]
    work_group: str
    output_location: str
    streams: tuple[str, ...]
    shard_count: int
    region: str


def bucket_of(url: str, variable: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"{variable}={url!r}: expected s3://bucket/prefix")
    return parsed.netloc


def plan(settings: config.AwsSettings, lake_url: str) -> Plan:
    """What the project needs, from the configuration alone (no AWS call)."""
    buckets = [bucket_of(lake_url, "LAKE_URL")] if lake_url.startswith("s3://") else []
    buckets += [
        bucket_of(settings.athena_staging_dir, "ATHENA_S3_STAGING_DIR"),
        bucket_of(settings.athena_data_dir, "ATHENA_S3_DATA_DIR"),
    ]
    return Plan(
        buckets=tuple(dict.fromkeys(buckets)),
        databases=tuple(
            dict.fromkeys(
                [
                    settings.athena_schema,
                    *(f"{settings.athena_schema}_{suffix}" for suffix in MODEL_SCHEMA_SUFFIXES),
                    *RAW_DATABASES,
                ]
            )
        ),
        work_group=settings.athena_work_group,
        output_location=settings.athena_staging_dir,
        streams=tuple(kinesis_stream_name(settings.kinesis_stream_prefix, s, t) for s, t in STREAM_SOURCES),
        shard_count=settings.kinesis_shard_count,
        region=settings.region,
    )


def _ensure(kind: str, name: str, exists: Callable[[], str | None], create: Callable[[], None]) -> Outcome:
    """`exists` returns None when the resource is missing, else a note ('' when its settings are as expected)."""
    note = exists()
    if note is not None:
        return Outcome(kind, name, EXISTS, note)
    create()
    return Outcome(kind, name, CREATED)


def ensure_bucket(s3, name: str, region: str) -> Outcome:
    def exists() -> str | None:
        try:
            s3.head_bucket(Bucket=name)
        except Exception as error:
            if aws.error_code(error) in ("404", "NoSuchBucket", "NotFound"):
                return None
            raise
        return ""

    def create() -> None:
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=name, **location)

    return _ensure("s3 bucket", name, exists, create)


def ensure_database(glue, name: str) -> Outcome:
    def exists() -> str | None:
        try:
            glue.get_database(Name=name)
        except Exception as error:
            if aws.error_code(error) == "EntityNotFoundException":
                return None
            raise
        return ""

    def create() -> None:
        glue.create_database(DatabaseInput={"Name": name, "Description": "Tributary (make aws-bootstrap)"})

    return _ensure("glue database", name, exists, create)


def ensure_work_group(athena, name: str, output_location: str) -> Outcome:
    def exists() -> str | None:
        try:
            group = athena.get_work_group(WorkGroup=name).get("WorkGroup")
        except Exception as error:
            if aws.error_code(error) == "InvalidRequestException":
                return None
            raise
        if group is None:
            return None
        found = group.get("Configuration", {}).get("ResultConfiguration", {}).get("OutputLocation")
        return "" if found == output_location else f"output location {found!r}, expected {output_location!r}"

    def create() -> None:
        athena.create_work_group(
            Name=name,
            Description="Tributary: dbt-athena queries",
            Configuration={
                "ResultConfiguration": {"OutputLocation": output_location},
                "EnforceWorkGroupConfiguration": True,
                "PublishCloudWatchMetricsEnabled": True,
            },
        )

    return _ensure("athena work group", name, exists, create)


def ensure_stream(kinesis, name: str, shard_count: int) -> Outcome:
    def exists() -> str | None:
        try:
            summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        except Exception as error:
            if aws.error_code(error) == "ResourceNotFoundException":
                return None
            raise
        shards = summary.get("OpenShardCount")
        return "" if shards == shard_count else f"{shards} open shard(s), KINESIS_SHARD_COUNT={shard_count}"

    def create() -> None:
        kinesis.create_stream(StreamName=name, ShardCount=shard_count, StreamModeDetails={"StreamMode": "PROVISIONED"})
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})

    return _ensure("kinesis stream", name, exists, create)


def bootstrap(settings: config.AwsSettings | None = None, lake_url: str | None = None) -> list[Outcome]:
    settings = settings or config.aws_settings()
    wanted = plan(settings, lake_url or config.lake_url())
    s3, glue = aws.client("s3", settings), aws.client("glue", settings)
    athena, kinesis = aws.client("athena", settings), aws.client("kinesis", settings)
    outcomes = [ensure_bucket(s3, b, wanted.region) for b in wanted.buckets]
    outcomes += [ensure_database(glue, d) for d in wanted.databases]
    outcomes.append(ensure_work_group(athena, wanted.work_group, wanted.output_location))
    outcomes += [ensure_stream(kinesis, s, wanted.shard_count) for s in wanted.streams]
    return outcomes


def main() -> None:
    settings = config.aws_settings()
    lake_url = config.lake_url()
    where = settings.endpoint_url or "AWS"
    print(f"bootstrap in {settings.region} ({where})", flush=True)
    if not lake_url.startswith("s3://"):
        print(f"LAKE_URL={lake_url} is not s3://: no lake bucket (set LAKE_URL=s3://bucket/prefix)", flush=True)
    outcomes = bootstrap(settings, lake_url)
    for outcome in outcomes:
        print(outcome, flush=True)
    created = sum(o.status == CREATED for o in outcomes)
    print(f"{created} created, {len(outcomes) - created} already existed", flush=True)


if __name__ == "__main__":
    sys.exit(main())
