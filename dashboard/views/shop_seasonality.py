"""Shop: seasonality. Net revenue by month of the year, day of the week and hour of the day, with each one's share
of the total and the revenue per sale order."""

import calendar

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

SEASONALITY = "fct_shop__seasonality"
SEASONS = {  # season_type → (heading, the name of each value)
    "month": ("Month of the year", {m: calendar.month_abbr[m] for m in range(1, 13)}),
    "weekday": ("Day of the week", {d: calendar.day_abbr[d - 1] for d in range(1, 8)}),
    "hour": ("Hour of the day (achats.csv dates without a time count at 0 h)", {h: f"{h:02d} h" for h in range(24)}),
}
COLUMNS = {
    "season": fmt.text("When"),
    "sale_orders": fmt.integer("Sale orders"),
    "revenue": fmt.amount("Net revenue", "shop"),
    "revenue_share": fmt.rate("Share of revenue"),
    "revenue_per_sale_order": fmt.amount("Revenue per sale order", "shop"),
}


def season_section(season_type: str) -> None:
    heading, names = SEASONS[season_type]
    rows = common.fetch(
        "select season_value, sale_orders, revenue, revenue_share, revenue_per_sale_order"
        f" from {common.rel(SEASONALITY)} where season_type = ? order by season_value",
        [season_type],
    )
    st.subheader(heading)
    if common.empty_note(rows, f"{SEASONALITY} has no {season_type} row"):
        return
    rows["season"] = rows.season_value.map(names)
    money = fmt.money_title("net revenue", "shop")
    st.altair_chart(
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("season:N", sort=list(names.values()), title=None),
            y=alt.Y("revenue_share:Q", title="share of revenue", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("season:N", title="when"),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("revenue_share:Q", title="share of revenue", format=fmt.TOOLTIP_PERCENT),
                alt.Tooltip("sale_orders:Q", title="sale orders", format=","),
            ],
        )
        .properties(height=240),
        key=f"{season_type}_chart",
    )
    fmt.table(rows, COLUMNS, key=f"{season_type}_table")


def body() -> None:
    chosen = st.segmented_control(
        "Seasons", list(SEASONS), default=list(SEASONS), selection_mode="multi", key="seasons",
        format_func=lambda season: SEASONS[season][0].split(" (")[0],
    )  # fmt: skip
    if not chosen:
        st.info("Choose at least one season.")
    for season_type in SEASONS:
        if season_type in (chosen or []):
            season_section(season_type)


MARTS = (SEASONALITY,)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: seasonality",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="Net revenue by month, weekday and hour over the whole history (fct_shop__seasonality).",
    )
