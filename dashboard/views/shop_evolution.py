"""Shop: revenue over time, by day, ISO week, month or hour, and the month-over-month growth, filtered by period."""

import datetime as dt

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

PERIODS = "fct_shop__revenue_by_period"
GROWTH = "fct_shop__monthly_growth"
GRAINS = {"month": "Month", "iso_week": "Week (Monday to Sunday)", "day": "Day", "hour": "Hour"}
GROWTH_COLUMNS = {
    "month_start": fmt.day("Month"),
    "sale_orders": fmt.integer("Sale orders"),
    "customers": fmt.integer("Customers"),
    "revenue": fmt.amount("Net revenue", "shop"),
    "previous_month_revenue": fmt.amount("Previous month", "shop"),
    "growth_rate": fmt.rate("Growth"),
}


def grain_start(grain: str, day: dt.date) -> dt.date:
    """The first day of the week or month holding `day` (the filter keeps a period that overlaps the range)."""
    if grain == "month":
        return day.replace(day=1)
    if grain == "iso_week":
        return day - dt.timedelta(days=day.weekday())
    return day


def body() -> None:
    first, last = common.fetch_row(
        f"select min(period_start), max(period_start) from {common.rel(PERIODS)} where period_grain = ?", ["day"]
    )
    if first is None:
        st.info(f"No rows: {PERIODS} has no day.")
        return
    left, right = st.columns(2)
    grain = left.selectbox("Grain", list(GRAINS), format_func=GRAINS.get, key="grain")
    start, end = common.period("Period", common.as_date(first), common.as_date(last), key="period", container=right)
    params = [grain, grain_start(grain, start).isoformat(), end.isoformat()]
    rows = common.fetch(
        f"select period_start, sale_orders, customers, revenue from {common.rel(PERIODS)}"
        " where period_grain = ? and cast(period_start as date) between cast(? as date) and cast(? as date)"
        " order by period_start",
        params,
    )
    if common.empty_note(rows, f"no order between {fmt.date(start)} and {fmt.date(end)}"):
        return
    revenue, orders = common.fetch_row(
        f"select sum(revenue), sum(sale_orders) from {common.rel(PERIODS)}"
        " where period_grain = ? and cast(period_start as date) between cast(? as date) and cast(? as date)",
        ["day", start.isoformat(), end.isoformat()],
    )
    st.caption(
        f"Net revenue (cancellations and returns deducted) per {GRAINS[grain].lower()}, {fmt.date(start)} to "
        f"{fmt.date(end)}; the weeks and months that overlap the period are drawn whole."
    )
    a, b, c = st.columns(3)
    a.metric("Net revenue in the period", fmt.money(revenue, "shop"))
    b.metric("Sale orders in the period", fmt.number(orders))
    c.metric(f"{GRAINS[grain].split(' ')[0]}s with orders", fmt.number(len(rows)))
    axis_format = fmt.AXIS_HOUR if grain == "hour" else fmt.AXIS_DATE
    money = fmt.money_title("net revenue", "shop")
    st.altair_chart(
        alt.Chart(rows)
        .mark_line(point=len(rows) <= 120)
        .encode(
            x=alt.X("period_start:T", title=GRAINS[grain].lower(), axis=alt.Axis(format=axis_format)),
            y=alt.Y("revenue:Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            tooltip=[
                alt.Tooltip("period_start:T", title="start", format=axis_format),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("sale_orders:Q", title="sale orders", format=","),
                alt.Tooltip("customers:Q", title="customers", format=","),
            ],
        ),
        key="revenue_chart",
    )

    st.subheader("Month-over-month growth")
    growth = common.fetch(
        f"select {', '.join(GROWTH_COLUMNS)} from {common.rel(GROWTH)}"
        " where month_start between cast(? as date) and cast(? as date) order by month_start",
        [grain_start("month", start).isoformat(), end.isoformat()],
    )
    if common.empty_note(growth, "no month in the period"):
        return
    st.caption("Growth = (revenue − the previous calendar month's) / the previous month's; empty when that is ≤ 0.")
    st.altair_chart(
        alt.Chart(growth.dropna(subset=["growth_rate"]))
        .mark_bar()
        .encode(
            x=alt.X("month_start:T", title="month", timeUnit="yearmonth", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("growth_rate:Q", title="growth", axis=alt.Axis(format="%")),
            color=alt.condition("datum.growth_rate >= 0", alt.value("#2ca02c"), alt.value("#d62728")),
            tooltip=[
                alt.Tooltip("month_start:T", title="month", format="%b %Y"),
                alt.Tooltip("growth_rate:Q", title="growth", format=fmt.TOOLTIP_PERCENT),
            ],
        ),
        key="growth_chart",
    )
    fmt.table(growth, GROWTH_COLUMNS, key="growth")


MARTS = (PERIODS, GROWTH)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: revenue over time",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="Net revenue by day, week, month or hour (fct_shop__revenue_by_period) and its monthly growth.",
    )
