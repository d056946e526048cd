"""The lake: one small storage interface for raw files, a local folder or an S3 bucket/prefix.

Every ingestion module writes through `open_lake()`. Keys are `/`-separated paths relative to the lake root,
laid out as `raw/<source>/<table>/dt=YYYY-MM-DD/[hour=HH/]<file>`.

Guarantees, the same on both back ends:
- atomic: a reader never sees a half-written object (local: write to a temporary file in the same folder,
  then `os.replace`; S3: a PUT becomes visible whole);
- idempotent: putting the same bytes under the same key again is a no-op; putting *different* bytes under
  an existing key raises `LakeConflictError`, because raw data is never overwritten. Derived outputs
  (`reports/…`) and small mutable state (a stream's checkpoints, under `checkpoints/`) are rewritten with
  `replace`, atomic too, which refuses raw keys.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import urlparse

from ingestion import config


class LakeError(RuntimeError):
    """A lake operation failed."""


class LakeConflictError(LakeError):
    """A different object already exists under the key."""


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Lake(ABC):
    url: str

    @abstractmethod
    def get(self, key: str) -> bytes: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """Keys under `prefix`, sorted."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def _write(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def uri(self, key: str) -> str:
        """Where an engine (DuckDB, Athena) reads the key: a local path or an s3:// URI."""

    def put(self, key: str, data: bytes) -> bool:
        """Write `data` under `key` atomically. Returns False when the same bytes were already there."""
        _check_key(key)
        if self.exists(key):
            if content_digest(self.get(key)) == content_digest(data):
                return False
            raise LakeConflictError(f"{self.uri(key)} already exists with different content")
        self._write(key, data)
        return True

    def put_file(self, key: str, path: Path) -> bool:
        """Write the local file `path` under `key`, streamed (never whole in memory), atomically. Only for keys
        whose name identifies their content (a content hash, a delivery id): when the key exists, nothing is
        written and False is returned."""
        _check_key(key)
        if self.exists(key):
            return False
        self._write_file(key, path)
        return True

    @abstractmethod
    def _write_file(self, key: str, path: Path) -> None: ...

    def replace(self, key: str, data: bytes) -> None:
        """Write `data` under `key` atomically, replacing what is there: for derived outputs (reports) and state
        (checkpoints); raw data goes through `put`, which never overwrites."""
        _check_key(key)
        if key.startswith("raw/"):
            raise LakeError(f"{key}: raw data is never overwritten, use put")
        self._write(key, data)


def _check_key(key: str) -> None:
    parts = key.split("/")
    if key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise LakeError(f"invalid lake key {key!r}")


class LocalLake(Lake):
    def __init__(self, root: Path):
        self.root = root
        self.url = f"file://{root}"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        if not base.exists():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _write_file(self, key: str, path: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            os.close(fd)
            shutil.copyfile(path, tmp)  # in the kernel where it can (copy_file_range, sendfile): no copy through Python
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def uri(self, key: str) -> str:
        return str(self._path(key))


class S3Lake(Lake):
    """S3 through boto3 (`ingestion.aws.client`: region, timeouts, retries, `AWS_ENDPOINT_URL` for moto)."""

    def __init__(self, bucket: str, prefix: str = "", client=None):
        from ingestion import aws

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client = client or aws.client("s3")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(self.uri(key)) from None

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def list(self, prefix: str) -> list[str]:
        full = self._key(prefix)
        strip = len(self.prefix) + 1 if self.prefix else 0
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            keys.extend(obj["Key"][strip:] for obj in page.get("Contents", []))
        return sorted(keys)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def _write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def _write_file(self, key: str, path: Path) -> None:
        self.client.upload_file(str(path), self.bucket, self._key(key))  # multipart above 8 MB

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"


def open_lake(url: str | None = None) -> Lake:
    """The lake named by `url`, default `LAKE_URL` (see `ingestion.config.lake_url`)."""
    url = url or config.lake_url()
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalLake(Path(parsed.path))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise LakeError(f"LAKE_URL {url!r} names no bucket")
        return S3Lake(parsed.netloc, parsed.path)
    raise LakeError(f"LAKE_URL {url!r}: expected file:///path or s3://bucket/prefix")


def raw_key(source: str, table: str, dt: str, filename: str, hour: str | None = None) -> str:
    """The raw-zone key of a file: `raw/<source>/<table>/dt=YYYY-MM-DD/[hour=HH/]<file>`."""
    hour_part = f"hour={hour}/" if hour is not None else ""
    return f"raw/{source}/{table}/dt={dt}/{hour_part}{filename}"
