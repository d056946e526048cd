"""The DuckDB warehouse's writer lock, taken by every dbt process before it opens the warehouse.

DuckDB allows one writing process per database file. The `dev` and `test` profiles load this module as a
dbt-duckdb plugin (`plugins: [{module: orchestration.warehouse_lock}]` in dbt_project/profiles.yml), so any dbt
that opens the warehouse (a Dagster run, `make dbt-build`, `dbt build` by hand, the benchmark) first takes an
exclusive flock on `<warehouse file>.writer.lock` and keeps it until the process ends. A second dbt waits,
saying whom it waits for, and starts when the first one ends, whether it finished, failed or was killed: the
kernel releases the lock with the process, so a killed run never blocks the next one.

The lock is held by the dbt process itself, the one that writes, not by the Dagster step that started it: a
step killed while its dbt goes on does not free the warehouse before that dbt is gone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration import locks

IN_MEMORY = (":memory:", "")


def lock_path(database: str | Path) -> Path:
    """The lock file beside the warehouse file."""
    database = Path(database).expanduser().resolve()
    return database.with_name(database.name + ".writer.lock")


def current_writer(database: str | Path) -> dict | None:
    """The process writing the warehouse now (pid, host, command, since), or None."""
    return locks.holder(lock_path(database))


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        # called by dbt-duckdb right before duckdb.connect(creds.path), each time it opens the database
        path = str(creds.path or "")
        if path in IN_MEMORY or path.startswith(("md:", "motherduck:")):
            return
        from dbt.adapters.events.logging import AdapterLogger

        logger = AdapterLogger("DuckDB")
        locks.hold_until_exit(lock_path(path), locks.current_command(), on_wait=logger.info)
