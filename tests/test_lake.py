import pytest

from ingestion.lake import LakeConflictError, LakeError, LocalLake, S3Lake, open_lake, raw_key


def test_raw_key_layout():
    assert raw_key("stock", "sales", "2024-01-02", "a.csv") == "raw/stock/sales/dt=2024-01-02/a.csv"
    assert raw_key("velib", "status", "2024-01-02", "s.json", hour="07") == (
        "raw/velib/status/dt=2024-01-02/hour=07/s.json"
    )


def test_open_lake_by_url(tmp_path):
    lake = open_lake(tmp_path.as_uri())
    assert isinstance(lake, LocalLake) and lake.root == tmp_path
    with pytest.raises(LakeError, match="expected file:///path or s3://bucket/prefix"):
        open_lake("ftp://example/x")
    with pytest.raises(LakeError, match="names no bucket"):
        open_lake("s3:///prefix")


def test_local_put_is_atomic_and_idempotent(tmp_path):
    lake = LocalLake(tmp_path)
    assert lake.put("raw/a/b/dt=2024-01-01/x.csv", b"one") is True
    assert lake.put("raw/a/b/dt=2024-01-01/x.csv", b"one") is False  # same bytes: nothing to do
    with pytest.raises(LakeConflictError, match="already exists with different content"):
        lake.put("raw/a/b/dt=2024-01-01/x.csv", b"two")
    assert lake.get("raw/a/b/dt=2024-01-01/x.csv") == b"one"
    assert lake.list("raw/a/") == ["raw/a/b/dt=2024-01-01/x.csv"]
    # no temporary file left behind
    assert [p.name for p in (tmp_path / "raw/a/b/dt=2024-01-01").iterdir()] == ["x.csv"]


def test_replace_rewrites_derived_outputs_but_never_raw_data(tmp_path):
    lake = LocalLake(tmp_path)
    lake.replace("reports/wine/2026-11/a.csv", b"one")
    lake.replace("reports/wine/2026-11/a.csv", b"two")  # a re-run rewrites its report
    assert lake.get("reports/wine/2026-11/a.csv") == b"two"
    assert [p.name for p in (tmp_path / "reports/wine/2026-11").iterdir()] == ["a.csv"]
    lake.put("raw/a/b/dt=2024-01-01/x.csv", b"one")
    with pytest.raises(LakeError, match="raw data is never overwritten"):
        lake.replace("raw/a/b/dt=2024-01-01/x.csv", b"two")
    assert lake.get("raw/a/b/dt=2024-01-01/x.csv") == b"one"


def test_local_rejects_keys_escaping_the_root(tmp_path):
    lake = LocalLake(tmp_path)
    for key in ("../x", "/abs", "a//b", "a/./b"):
        with pytest.raises(LakeError, match="invalid lake key"):
            lake.put(key, b"x")


def test_local_delete_and_missing_prefix(tmp_path):
    lake = LocalLake(tmp_path)
    assert lake.list("nothing/") == []
    lake.put("landing/s/t/a.jsonl", b"{}\n")
    lake.delete("landing/s/t/a.jsonl")
    assert not lake.exists("landing/s/t/a.jsonl")


def test_s3_lake_against_a_local_s3_server(moto_s3):
    """Real S3 API calls over HTTP to a moto server on 127.0.0.1."""
    import boto3

    boto3.client("s3").create_bucket(Bucket="tributary-lake")
    lake = open_lake("s3://tributary-lake/env/dev")
    assert isinstance(lake, S3Lake)
    assert lake.put("raw/stock/sales/dt=2024-01-01/a.csv", b"h\n1\n") is True
    assert lake.put("raw/stock/sales/dt=2024-01-01/a.csv", b"h\n1\n") is False
    with pytest.raises(LakeConflictError):
        lake.put("raw/stock/sales/dt=2024-01-01/a.csv", b"other")
    assert lake.list("raw/stock/") == ["raw/stock/sales/dt=2024-01-01/a.csv"]
    assert lake.uri("raw/x") == "s3://tributary-lake/env/dev/raw/x"
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="tributary-lake")["Contents"]]
    assert keys == ["env/dev/raw/stock/sales/dt=2024-01-01/a.csv"]
    lake.delete("raw/stock/sales/dt=2024-01-01/a.csv")
    assert lake.list("raw/") == []
