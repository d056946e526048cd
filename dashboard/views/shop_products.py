"""Shop: product performance. Products by revenue rank with their units sold and returned, customers and share of
the revenue."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

PRODUCTS = "fct_shop__product_performance"
COLUMNS = {
    "revenue_rank": fmt.integer("Rank"),
    "product_id": fmt.text("Product"),
    "product_name": fmt.text("Name"),
    "sale_orders": fmt.integer("Sale orders"),
    "units_sold": fmt.integer("Units sold"),
    "units_returned": fmt.integer("Units returned"),
    "customers": fmt.integer("Customers"),
    "revenue": fmt.amount("Net revenue", "shop"),
    "revenue_share": fmt.rate("Share of revenue"),
}


def body() -> None:
    products, revenue, sold, returned = common.fetch_row(
        f"select count(*), sum(revenue), sum(units_sold), sum(units_returned) from {common.rel(PRODUCTS)}"
    )
    a, b, c, d = st.columns(4)
    a.metric("Products", fmt.number(products))
    b.metric("Net revenue", fmt.money(revenue, "shop"))
    c.metric("Units sold", fmt.number(sold))
    d.metric("Units returned", fmt.number(returned))
    left, right = st.columns(2)
    top = left.number_input(
        "Products shown, by revenue rank", min_value=1, max_value=int(products), value=min(20, int(products)), key="top"
    )
    search = right.text_input("Name or id contains", key="search").strip()
    where = " where revenue_rank <= ?"
    params: list = [top]
    if search:
        where += " and (lower(product_name) like ? or lower(product_id) like ?)"
        params += [f"%{search.lower()}%"] * 2
    rows = common.fetch(f"select {', '.join(COLUMNS)} from {common.rel(PRODUCTS)}{where} order by revenue_rank", params)
    if common.empty_note(rows, "no product matches"):
        return
    money = fmt.money_title("net revenue", "shop")
    st.altair_chart(
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("revenue:Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            y=alt.Y("product_name:N", sort=alt.SortField("revenue_rank"), title=None),
            tooltip=[
                alt.Tooltip("revenue_rank:Q", title="rank"),
                alt.Tooltip("product_name:N", title="name"),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("revenue_share:Q", title="share of revenue", format=fmt.TOOLTIP_PERCENT),
                alt.Tooltip("units_sold:Q", title="units sold", format=","),
                alt.Tooltip("units_returned:Q", title="units returned", format=","),
            ],
        )
        .properties(height=max(200, 22 * len(rows))),
        key="products_chart",
    )
    fmt.table(rows, COLUMNS, key="products_table")


MARTS = (PRODUCTS,)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: product performance",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="Products by net revenue (fct_shop__product_performance: rank 1 = the highest revenue).",
    )
