"""Publish the last successful build: a read-only copy of the DuckDB warehouse that every reader opens.

DuckDB allows one writer and no reader beside it: a reader that opens the live file while dbt writes it gets
a lock error, and a reader that holds it when dbt starts makes the build fail. So readers (the query API, the
dashboard, the wine reports, the demo summary, BI tools) open a copy instead, which a successful build
replaces in one rename:

1. open the live file read-write (the build has ended and closed it) and `CHECKPOINT`, so the file alone holds
   every change (nothing left in its write-ahead log);
2. copy its bytes to a temporary file beside the published one, while that connection keeps other writers out;
3. open the temporary copy read-only once (it must be a warehouse), flush it to disk;
4. rename it over the published file (`os.replace`: atomic on one file system).

A reader that opened the previous copy keeps reading it to the end of its statement (the old file lives on
until it is closed); the next statement opens the new one. A failed build publishes nothing: readers keep the
last successful build. `DUCKDB_PUBLISH=off` turns this off (readers then open the live file);
`DUCKDB_PUBLISHED_PATH` moves the copy (docs/api.md, "Readers and builds").

    python -m serving.publish      # what `make dbt-build` runs after `dbt build`
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ingestion import config

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    """The build succeeded but its copy could not be published: readers still see the previous build."""


@dataclass(frozen=True)
class Published:
    path: Path
    bytes: int
    seconds: float


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(live: Path, published: Path) -> Published:
    """Copy the live warehouse `live` to `published`, atomically (see the module's docstring)."""
    import duckdb

    live, published = Path(live), Path(published)
    if published.name != live.name:
        raise PublishError(
            f"the published copy must keep the live file's name ({live.name!r}, not {published.name!r}): DuckDB "
            "names a file's catalog after it, and dbt's views refer to that catalog"
        )
    if published.resolve() == live.resolve():
        raise PublishError("the published copy cannot be the live warehouse itself: set another folder")
    if not live.exists():
        raise PublishError(f"no warehouse to publish at {live}: the build wrote nothing")
    started = time.monotonic()
    published.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer = duckdb.connect(str(live))
    except duckdb.Error as error:
        raise PublishError(
            f"cannot open {live} to publish it ({error}): another process has it open; readers must open the "
            f"published copy ({published}), never the live file"
        ) from error
    fd, name = tempfile.mkstemp(prefix=f".{published.name}.", suffix=".tmp", dir=published.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        with writer:
            writer.execute("checkpoint")
            shutil.copyfile(live, temporary)
        with duckdb.connect(str(temporary), read_only=True) as copy:
            copy.execute("select count(*) from information_schema.tables").fetchone()
        _fsync(temporary)
        os.replace(temporary, published)
        _fsync(published.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    done = Published(path=published, bytes=published.stat().st_size, seconds=time.monotonic() - started)
    log.info("published %s (%.1f MB) in %.2f s", published, done.bytes / 1e6, done.seconds)
    return done


def publish_build() -> Published | None:
    """Publish the configured warehouse after a successful build: None when there is nothing to do (Athena, or
    `DUCKDB_PUBLISH=off`)."""
    if config.dbt_target() == "prod" or not config.duckdb_publish():
        return None
    return publish(config.duckdb_path(), config.duckdb_published_path())


def main() -> int:
    try:
        done = publish_build()
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    if done is None:
        print("publish: nothing to publish (DBT_TARGET=prod, or DUCKDB_PUBLISH=off)")
    else:
        print(f"published {done.path} ({done.bytes / 1e6:.1f} MB) in {done.seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
