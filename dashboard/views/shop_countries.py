"""Shop: net revenue by country of the order, with each country's share of the total, filtered by country."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

COUNTRIES = "fct_shop__revenue_by_country"
UNKNOWN = "(unknown)"
COLUMNS = {
    "country": fmt.text("Country"),
    "sale_orders": fmt.integer("Sale orders"),
    "customers": fmt.integer("Customers"),
    "revenue": fmt.amount("Net revenue", "shop"),
    "revenue_share": fmt.rate("Share of revenue"),
}
COUNTRY = f"coalesce(country, '{UNKNOWN}')"


def body() -> None:
    names = common.fetch(
        f"select {COUNTRY} as country from {common.rel(COUNTRIES)} order by revenue desc, {COUNTRY}"
    ).country.tolist()
    chosen = common.choose("Countries (all by default)", names, key="countries", default=[])
    where = f" where {COUNTRY} in {common.in_list(chosen)}" if chosen else ""
    rows = common.fetch(
        f"select {COUNTRY} as country, sale_orders, customers, revenue, revenue_share from {common.rel(COUNTRIES)}"
        f"{where} order by revenue desc, {COUNTRY}",
        chosen,
    )
    if common.empty_note(rows, COUNTRIES):
        return
    revenue, orders = common.fetch_row(
        f"select sum(revenue), sum(sale_orders) from {common.rel(COUNTRIES)}{where}", chosen
    )
    a, b, c = st.columns(3)
    a.metric("Countries", fmt.number(len(rows)))
    b.metric("Net revenue", fmt.money(revenue, "shop"))
    c.metric("Sale orders", fmt.number(orders))
    st.caption("Share of revenue: of the revenue of every country (not only the chosen ones).")
    money = fmt.money_title("net revenue", "shop")
    st.altair_chart(
        alt.Chart(rows.head(25))
        .mark_bar()
        .encode(
            x=alt.X("revenue:Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            y=alt.Y("country:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("country:N", title="country"),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("revenue_share:Q", title="share of revenue", format=fmt.TOOLTIP_PERCENT),
                alt.Tooltip("sale_orders:Q", title="sale orders", format=","),
            ],
        )
        .properties(title="Net revenue by country (the 25 largest of the selection)"),
        key="countries_chart",
    )
    fmt.table(rows, COLUMNS, key="countries_table")


MARTS = (COUNTRIES,)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: revenue by country",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="Net revenue per country of the order (fct_shop__revenue_by_country).",
    )
