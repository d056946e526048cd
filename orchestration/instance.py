"""How this process writes Dagster's local SQLite instance (`DAGSTER_HOME`): without an fsync per event.

Dagster's SQLite event log opens, commits and closes a connection for every event it stores (a dbt build of the
demo is about 2,000 events: a materialization per model, a check evaluation per test, the logs), and SQLite's
default `synchronous=FULL` waits for the disk at each commit: 20–25 ms on a virtual disk, so 50–100 s of a run
went to the run history, more than dbt itself. With `synchronous=OFF` SQLite hands the write to the operating
system and goes on: a process killed with `kill -9` loses nothing it committed; only a power cut or a kernel
crash may lose the last events (or, rarely, damage the file) of this local run history. Deployments that need
more keep their instance in Postgres (`storage: postgres` in dagster.yaml), which this does not touch.

Imported by orchestration/definitions.py, so it applies in every process that loads the definitions (the code
server, each run, `dagster asset materialize`); only to SQLite connections made through SQLAlchemy, which in this
project are Dagster's storage (DuckDB does not go through SQLAlchemy).
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.pool import Pool


@event.listens_for(Pool, "connect")
def _sqlite_without_fsync(dbapi_connection, _connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
