"""Stock: the evolution of sales, by region and by product, filtered by period and region."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import format as fmt

DAILY = "fct_stock__daily_sales"
PRODUCT_COLUMNS = {
    "product_id": fmt.text("Product"),
    "product_name": fmt.text("Name"),
    "quantity": fmt.integer("Units"),
    "sales": fmt.amount("Sales", "stock"),
}


def weekly(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum the daily rows into weeks (Monday to Sunday) for the chart."""
    frame = frame.assign(week=pd.to_datetime(frame.sale_date).dt.to_period("W-SUN").dt.start_time)
    return frame.groupby(["week", by], as_index=False)[["quantity", "sales"]].sum()


def sales_chart(frame: pd.DataFrame, colour: str, title: str, key: str) -> None:
    st.altair_chart(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="week starting", axis=alt.Axis(format=fmt.AXIS_DATE)),
            y=alt.Y("sales:Q", title=fmt.money_title("sales", "stock"), axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            color=alt.Color(f"{colour}:N", title=title),
            tooltip=[
                alt.Tooltip("week:T", title="week starting", format=fmt.AXIS_DATE),
                alt.Tooltip(f"{colour}:N", title=title),
                alt.Tooltip("sales:Q", title=fmt.money_title("sales", "stock"), format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("quantity:Q", title="units", format=","),
            ],
        ),
        key=key,
    )


def body() -> None:
    first, last = common.fetch_row(f"select min(sale_date), max(sale_date) from {common.rel(DAILY)}")
    regions = common.fetch(f"select distinct region from {common.rel(DAILY)} order by region").region.tolist()
    left, right = st.columns(2)
    start, end = common.period("Days", common.as_date(first), common.as_date(last), key="days", container=left)
    chosen = common.choose("Regions", regions, key="regions", container=right)
    if not chosen:
        st.info("Choose at least one region.")
        return
    where = f" where sale_date between cast(? as date) and cast(? as date) and region in {common.in_list(chosen)}"
    params = [start.isoformat(), end.isoformat(), *chosen]
    total_sales, units, products_sold = common.fetch_row(
        f"select sum(sales), sum(quantity), count(distinct product_id) from {common.rel(DAILY)}{where}", params
    )
    if not products_sold:
        st.info(f"No sale between {fmt.date(start)} and {fmt.date(end)} in the chosen regions.")
        return
    st.caption(f"Both channels (exports and the event stream), {fmt.date(start)} to {fmt.date(end)}.")
    a, b, c = st.columns(3)
    a.metric("Sales in the selection", fmt.money(total_sales, "stock"))
    b.metric("Units in the selection", fmt.number(units))
    c.metric("Products sold", fmt.number(products_sold))

    sales = common.fetch(
        f"select sale_date, product_id, product_name, region, quantity, sales from {common.rel(DAILY)}{where}", params
    )
    st.subheader("Weekly sales by region")
    sales_chart(weekly(sales, "region"), "region", "region", key="by_region")

    totals = common.fetch(
        f"select product_id, max(product_name) as product_name, sum(quantity) as quantity, sum(sales) as sales"
        f" from {common.rel(DAILY)}{where} group by product_id order by sum(sales) desc, product_id",
        params,
    )
    st.subheader("Weekly sales by product")
    products = st.multiselect(
        "Products (the five with the most sales in the selection by default)",
        totals.product_name.tolist(),
        default=totals.product_name.head(5).tolist(),
        key="products",
    )
    by_product = weekly(sales[sales.product_name.isin(products)], "product_name")
    if not by_product.empty:
        sales_chart(by_product, "product_name", "product", key="by_product")
    st.subheader("Sales by product in the selection")
    fmt.table(totals, PRODUCT_COLUMNS, key="product_totals")


MARTS = (DAILY,)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Stock: sales evolution",
        domain="stock",
        marts=MARTS,
        body=body,
        intro="Sales per week by region and by product, from the daily sales of both channels.",
    )
