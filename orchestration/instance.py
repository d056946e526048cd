"""How this process writes Dagster's local SQLite instance (`DAGSTER_HOME`): without an fsync per event, and
through one connection per database file (TributarySqliteEventLogStorage, below).

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

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool, StaticPool


@event.listens_for(Pool, "connect")
def _sqlite_without_fsync(dbapi_connection, _connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


class TributarySqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, keeping one connection per database file instead of one per event.

    The stock class builds an SQLAlchemy engine, opens a connection, commits, closes it and disposes of the
    engine for every event it stores, and compiles its statements again each time (SQLAlchemy caches them per
    engine): 3.7 ms an event here, 1.3 s for the ~350 events of a stock run at 1e6 rows (a planned event, a
    step output and an evaluation per dbt test). This class keeps an engine and its one connection per file
    (0.75 ms an event). Each event is still its own committed transaction, taken under the storage's lock as
    before; an idle connection holds no SQLite lock, so other processes (the daemon, the webserver, other runs)
    write the same files as before. An engine is dropped when Dagster forgets its database (`wipe`, `upgrade`),
    in a forked child (a connection is not shared across processes), and beyond `MAX_ENGINES` files, the least
    recently used first (the webserver reads many runs' files).

    Used by TributaryInstance (below) in the instance's folder, where Dagster's own would be; runs and schedules
    stay in Dagster's stock SQLite storage.
    """

    MAX_ENGINES = 16

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Any):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():  # a forked child: the parent's connections are not its own
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is not None and shard in self._initialized_dbs:
            self._engines.move_to_end(shard)
            return engine
        if engine is not None:  # wiped or upgraded since: initialize the database again
            self._engines.pop(shard).dispose()
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=StaticPool,  # one connection, used under self._db_lock only
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        self._initdb(engine)
        self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > self.MAX_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        # asked before storing each check evaluation; a table, once there, stays (only an upgrade adds tables)
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


class TributarySqliteStorage(DagsterSqliteStorage):
    """Dagster's default storage (SQLite files in the instance's folder) with TributarySqliteEventLogStorage as its
    event log, in the same folder (`history/runs`)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = TributarySqliteEventLogStorage(self._event_log_storage._base_dir)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Any):
        return cls.from_local(inst_data=inst_data, **config_value)


class TributaryInstance(DagsterInstance):
    """The project's Dagster instance (`instance_class` in orchestration/dagster.yaml): Dagster's, whose default
    storage, used when dagster.yaml sets none, is TributarySqliteStorage in the instance's folder (DAGSTER_HOME,
    or the folder given to `DagsterInstance.from_config`). A `storage:` section (Postgres in a deployment)
    replaces it as it would replace Dagster's default."""

    @classmethod
    def config_schema(cls) -> dict:
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, ConfigurableClassData | None]:
        defaults = dict(InstanceRef.config_defaults(base_dir))
        defaults["storage"] = ConfigurableClassData(
            __name__, TributarySqliteStorage.__name__, yaml.dump({"base_dir": base_dir}, default_flow_style=False)
        )
        return defaults
