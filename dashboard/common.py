"""What every dashboard page shares: queries through the one query layer (serving/warehouse.py), the state of a
page's marts (a message instead of a traceback when they are missing or empty), and the "last refreshed" line.

The SQL of the pages is plain selects over the marts, with `?` parameters: it runs on DuckDB and on Athena alike.
A page filters mart rows and sums or counts them for the selection it shows; every ratio, share, rank, median or
curve comes from a mart (rules live in dbt). Numbers are formatted by dashboard/format.py.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ingestion import config
from serving import pipeline_status
from serving.warehouse import DuckDBWarehouse, Warehouse, WarehouseUnavailable, built_tables, open_warehouse

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refresh:
    """When the marts of a page were last refreshed, and what that time is (said on the page)."""

    at: dt.datetime | None
    meaning: str

    @property
    def text(self) -> str:
        when = self.at.strftime("%Y-%m-%d %H:%M:%S UTC") if self.at else "unknown"
        return f"Last refreshed: {when} ({self.meaning})."


def _plain(value: Any) -> Any:
    # Decimals (DuckDB decimal columns, Athena's decimal) become floats, which charts and tables handle
    return float(value) if isinstance(value, decimal.Decimal) else value


def _frame(names: Sequence[str], rows: Sequence[tuple]) -> pd.DataFrame:
    return pd.DataFrame.from_records([tuple(_plain(v) for v in row) for row in rows], columns=list(names))


@st.cache_data(ttl=config.dashboard_settings().cache_seconds, show_spinner=False)
def _athena_rows(schema: str, sql: str, params: tuple) -> tuple[list[str], list[tuple]]:
    return open_warehouse().fetch(sql, list(params))


def warehouse() -> Warehouse:
    return open_warehouse()


def rel(table: str) -> str:
    """The quoted, schema-qualified name of a mart, for the page's SQL."""
    return warehouse().relation(table)


def _rows(sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
    """One select through the query layer. Athena results are cached (Athena bills the bytes it scans); DuckDB is
    read as it is at every page run."""
    wh = warehouse()
    if wh.kind == "athena":
        return _athena_rows(wh.schema, sql, tuple(params))
    return wh.fetch(sql, params)


def fetch(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """A select as a DataFrame (decimals as floats, for charts and tables)."""
    return _frame(*_rows(sql, params))


def fetch_row(sql: str, params: Sequence[Any] = ()) -> tuple | None:
    """The first row of a select as the warehouse returns it (decimals stay exact: for the figures a page shows
    as numbers); None when there is no row."""
    _, rows = _rows(sql, params)
    return rows[0] if rows else None


def in_list(values: Sequence[Any]) -> str:
    """`(?, ?, …)` for an `in` filter over `values` (which go as parameters)."""
    return "(" + ", ".join("?" for _ in values) + ")"


def refresh(marts: Sequence[str]) -> Refresh:
    """Dagster's latest materialization of the page's marts; without one (marts built by `dbt build` alone), the
    time the DuckDB file was last written, which any build of any domain moves."""
    times = pipeline_status.last_materializations(marts)
    if times:
        oldest = min(times, key=times.get)
        meaning = "the latest Dagster materialization of this page's marts"
        if times[oldest] != max(times.values()):
            meaning += f"; the oldest is {oldest} at {times[oldest]:%Y-%m-%d %H:%M:%S} UTC"
        unrecorded = [name for name in marts if name not in times]
        if unrecorded:
            meaning += f"; no Dagster record of {', '.join(unrecorded)}"
        return Refresh(max(times.values()), meaning)
    wh = warehouse()
    if isinstance(wh, DuckDBWarehouse) and wh.path.exists():
        mtime = dt.datetime.fromtimestamp(wh.path.stat().st_mtime, dt.UTC)
        return Refresh(mtime, "no Dagster record of these marts: when the DuckDB warehouse file was last written")
    return Refresh(None, "no Dagster record of these marts")


@dataclass(frozen=True)
class MartState:
    missing: tuple[str, ...]
    rows: dict[str, int]

    @property
    def all_empty(self) -> bool:
        return not self.missing and all(n == 0 for n in self.rows.values())


def mart_state(marts: Sequence[str]) -> MartState:
    wh = warehouse()
    built = built_tables(wh)
    missing = tuple(name for name in marts if name not in built)
    rows = {}
    for name in marts:
        if name not in missing:
            _, [(count,)] = _rows(f"select count(*) from {wh.relation(name)}")
            rows[name] = int(count)
    return MartState(missing, rows)


def page(title: str, domain: str, marts: Sequence[str], body: Callable[[], None], intro: str = "") -> None:
    """Render one domain page: the title, then a message and a stop when the marts are not there or empty, else
    the last-refreshed line and the body. Errors become one message, never a traceback."""
    st.title(title)
    if intro:
        st.caption(intro)
    build = f"`make demo`, or the Dagster UI (`make dev`: materialize the group {domain}; docs/orchestration.md)"
    try:
        state = mart_state(marts)
    except WarehouseUnavailable as error:
        st.info(f"The warehouse is not built yet: {error}.")
        return
    if state.missing:
        st.warning(f"Not built yet: {', '.join(state.missing)}. Build the {domain} marts with {build}.")
        return
    if state.all_empty:
        st.info(f"The {domain} marts are built but empty ({', '.join(marts)}): land the domain's data, then {build}.")
        return
    st.caption(refresh(marts).text)
    try:
        body()
    except WarehouseUnavailable as error:
        st.info(f"The warehouse cannot be read: {error}.")
    except Exception as error:  # e.g. a mart built by an older version lacks a column the page reads
        LOG.exception("page %s failed", title)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        st.error(
            f"A query of this page failed ({first_line}). If the {domain} marts were built by an older version of "
            f"the project, rebuild them with {build}; the server log has the details."
        )


def empty_note(frame: pd.DataFrame, what: str) -> bool:
    """True (and a note on the page) when a section has no rows."""
    if frame.empty:
        st.info(f"No rows: {what}.")
        return True
    return False


def period(label: str, first: dt.date, last: dt.date, key: str, container=st) -> tuple[dt.date, dt.date]:
    """A date-range filter between `first` and `last` (both by default); a half-picked range counts as one day."""
    picked = container.date_input(label, value=(first, last), min_value=first, max_value=last, key=key)
    if isinstance(picked, tuple | list):
        if not picked:
            return first, last
        return picked[0], picked[-1]
    return picked, picked


def choose(label: str, options: Sequence[Any], key: str, container=st, default: Sequence[Any] | None = None) -> list:
    """A multi-choice filter; every option chosen by default (or `default`)."""
    chosen = default if default is not None else list(options)
    return container.multiselect(label, list(options), default=list(chosen), key=key)


def as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()
