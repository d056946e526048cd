"""Readable numbers for every page, in one place: the text of a metric or a caption, the column of a table, the
axis of a chart. Amounts carry their domain's currency (DASHBOARD_CURRENCIES) and thousands separators, rates are
percentages, dates read as `30 Jun 2026`, times say UTC, and every table column has a label for people with its
unit. Formatting only: the figures themselves come from the marts.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ingestion import config

MISSING = "–"  # shown for NULL


def currency(domain: str) -> str:
    """The currency symbol of a domain's amounts ($ stock, € wine, € shop, $ marketing unless configured)."""
    return config.dashboard_settings().currencies[domain]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, decimals: int = 0) -> str:
    """`1,234` (or `1,234.5` with decimals=1)."""
    if _missing(value):
        return MISSING
    return f"{float(value) if decimals else int(round(float(value))):,.{decimals}f}"


def count(value: Any, noun: str) -> str:
    """`1 day`, `1,234 days` (the plural with an s)."""
    if _missing(value):
        return MISSING
    return f"{number(value)} {noun}{'' if int(value) == 1 else 's'}"


def money(value: Any, domain: str, decimals: int = 2) -> str:
    """`$442,595.91`, `-€12.00`: the domain's currency, thousands separators, cents."""
    if _missing(value):
        return MISSING
    amount = decimal.Decimal(str(value)) if not isinstance(value, decimal.Decimal) else value
    rounded = amount.quantize(decimal.Decimal(1).scaleb(-decimals), rounding=decimal.ROUND_HALF_EVEN)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{currency(domain)}{abs(rounded):,.{decimals}f}"


def percent(rate: Any, decimals: int = 1) -> str:
    """A rate between 0 and 1 as a percentage: 0.2857 → `28.6%`."""
    if _missing(rate):
        return MISSING
    return f"{float(rate):.{decimals}%}"


def date(value: Any) -> str:
    """`30 Jun 2026`."""
    if _missing(value):
        return MISSING
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def timestamp(value: Any) -> str:
    """`30 Jun 2026, 12:05 UTC` (the marts hold UTC times)."""
    if _missing(value):
        return MISSING
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.tz_convert(dt.UTC).tz_localize(None)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


# ---------------------------------------------------------------- table columns


@dataclass(frozen=True)
class Column:
    """How one column of a table shows: its label for people and the kind of value (which decides the format)."""

    label: str
    kind: str = "text"  # text, integer, decimal, money, percent, date, datetime, flag
    decimals: int = 2
    domain: str | None = None  # for money: whose currency

    def config(self):
        cc = st.column_config
        if self.kind == "integer":
            return cc.NumberColumn(self.label, format="%,d")
        if self.kind == "decimal":
            return cc.NumberColumn(self.label, format=f"%,.{self.decimals}f")
        if self.kind == "money":
            symbol = currency(self.domain or "")
            return cc.NumberColumn(f"{self.label} ({symbol})", format=f"{symbol}%,.{self.decimals}f")
        if self.kind == "percent":
            return cc.NumberColumn(self.label, format="percent")
        if self.kind == "date":
            return cc.DateColumn(self.label, format="D MMM YYYY")
        if self.kind == "datetime":
            return cc.DatetimeColumn(f"{self.label} (UTC)", format="D MMM YYYY, HH:mm")
        if self.kind == "flag":
            return cc.CheckboxColumn(self.label)
        return cc.TextColumn(self.label)


def text(label: str) -> Column:
    return Column(label)


def integer(label: str) -> Column:
    return Column(label, "integer")


def decimal_(label: str, decimals: int = 2) -> Column:
    return Column(label, "decimal", decimals)


def amount(label: str, domain: str, decimals: int = 2) -> Column:
    return Column(label, "money", decimals, domain)


def rate(label: str) -> Column:
    return Column(label, "percent")


def day(label: str) -> Column:
    return Column(label, "date")


def moment(label: str) -> Column:
    return Column(label, "datetime")


def flag(label: str) -> Column:
    return Column(label, "flag")


def table(frame: pd.DataFrame, columns: Mapping[str, Column], key: str, **kwargs) -> None:
    """`frame`'s columns named in `columns`, in that order, each with its label and format; the values stay
    numbers (sorting and the CSV download work on them), the grid shows them formatted."""
    shown = frame[list(columns)].copy()
    for name, column in columns.items():
        if column.kind in ("date", "datetime"):
            shown[name] = pd.to_datetime(shown[name])
    st.dataframe(
        shown,
        hide_index=True,
        key=key,
        column_config={name: column.config() for name, column in columns.items()},
        **kwargs,
    )


# ---------------------------------------------------------------- chart axes (Vega-Lite / d3 formats)

AXIS_DATE = "%d %b %Y"
AXIS_HOUR = "%d %b %H:%M"
TOOLTIP_PERCENT = ".1%"
AXIS_NUMBER = ",.0f"
TOOLTIP_MONEY = ",.2f"


def money_title(label: str, domain: str) -> str:
    """An axis or tooltip title with the currency: `revenue ($)`."""
    return f"{label} ({currency(domain)})"
