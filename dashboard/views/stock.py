"""Stock: the risk distribution, the HIGH pairs with their figures, sales by product and region over time."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common

RISK = "fct_stock__risk"
DAILY = "fct_stock__daily_sales"
LEVELS = ["HIGH", "MEDIUM", "LOW"]
HIGH_COLUMNS = ("product_id", "product_name", "region", "sub_category", "on_hand", "on_hand_source",
                "demand_per_day", "days_of_cover", "lead_time_days", "safety_days", "risk_reason")  # fmt: skip


def risk_section() -> None:
    levels = common.fetch(
        f"select risk_level, count(*) as pairs, max(as_of_date) as as_of_date, max(risk_rule) as risk_rule"
        f" from {common.rel(RISK)} group by risk_level"
    )
    if common.empty_note(levels, RISK):
        return
    counts = dict(zip(levels.risk_level, levels.pairs, strict=True))
    st.subheader("Risk distribution")
    st.caption(
        f"{sum(counts.values())} product × region pairs as of {levels.as_of_date.max()}, rule {levels.risk_rule.max()}"
    )
    for column, level in zip(st.columns(len(LEVELS)), LEVELS, strict=True):
        column.metric(f"{level} pairs", int(counts.get(level, 0)))
    chart = (
        alt.Chart(levels)
        .mark_bar()
        .encode(
            x=alt.X("risk_level:N", sort=LEVELS, title="risk level"),
            y=alt.Y("pairs:Q", title="pairs"),
            color=alt.Color(
                "risk_level:N", scale=alt.Scale(domain=LEVELS, range=["#d62728", "#ff9f0e", "#2ca02c"]), legend=None
            ),
        )
    )
    st.altair_chart(chart)

    st.subheader("HIGH pairs")
    high = common.fetch(
        f"select {', '.join(HIGH_COLUMNS)} from {common.rel(RISK)} where risk_level = ?"
        " order by days_of_cover, product_id, region",
        ["HIGH"],
    )
    if not common.empty_note(high, "no pair at HIGH risk"):
        st.dataframe(high, hide_index=True, key="high_pairs")


def sales_section() -> None:
    st.subheader("Sales evolution")
    bounds = common.fetch(f"select min(sale_date) as first_day, max(sale_date) as last_day from {common.rel(DAILY)}")
    regions = common.fetch(f"select distinct region from {common.rel(DAILY)} order by region").region.tolist()
    if bounds.first_day.isna().all():
        st.info(f"No rows: {DAILY} is empty.")
        return
    first, last = pd.Timestamp(bounds.first_day[0]).date(), pd.Timestamp(bounds.last_day[0]).date()
    left, right = st.columns(2)
    picked = left.date_input("Days", value=(first, last), min_value=first, max_value=last, key="days")
    chosen = right.multiselect("Regions", regions, default=regions, key="regions")
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple | list) and picked else (first, last)
    if not chosen:
        st.info("Choose at least one region.")
        return
    where = f" where sale_date between cast(? as date) and cast(? as date) and region in {common.in_list(chosen)}"
    params = [start.isoformat(), end.isoformat(), *chosen]
    sales = common.fetch(
        f"select sale_date, product_id, product_name, region, quantity, sales from {common.rel(DAILY)}{where}", params
    )
    if common.empty_note(sales, f"no sale between {start} and {end} in the chosen regions"):
        return
    total_sales, units, products_sold = common.fetch_row(
        f"select sum(sales), sum(quantity), count(distinct product_id) from {common.rel(DAILY)}{where}", params
    )
    a, b, c = st.columns(3)
    a.metric("Sales in the selection ($)", f"{total_sales:,.2f}")
    b.metric("Units in the selection", f"{int(units):,}")
    c.metric("Products sold", f"{int(products_sold):,}")

    sales["week"] = pd.to_datetime(sales.sale_date).dt.to_period("W-SUN").dt.start_time
    by_region = sales.groupby(["week", "region"], as_index=False)["sales"].sum()
    st.markdown("**Weekly sales by region**")
    st.altair_chart(
        alt.Chart(by_region)
        .mark_line(point=True)
        .encode(x=alt.X("week:T", title="week"), y=alt.Y("sales:Q", title="sales ($)"), color="region:N")
    )

    totals = (
        sales.groupby(["product_id", "product_name"], as_index=False)[["quantity", "sales"]]
        .sum()
        .sort_values(["sales", "product_id"], ascending=[False, True])
    )
    products = st.multiselect(
        "Products (the five best-selling of the selection by default)",
        totals.product_name.tolist(),
        default=totals.product_name.head(5).tolist(),
        key="products",
    )
    by_product = (
        sales[sales.product_name.isin(products)].groupby(["week", "product_name"], as_index=False)["sales"].sum()
    )
    if not by_product.empty:
        st.markdown("**Weekly sales by product**")
        st.altair_chart(
            alt.Chart(by_product)
            .mark_line(point=True)
            .encode(
                x=alt.X("week:T", title="week"),
                y=alt.Y("sales:Q", title="sales ($)"),
                color=alt.Color("product_name:N", title="product"),
            )
        )
    st.markdown("**Sales by product in the selection**")
    st.dataframe(totals, hide_index=True, key="product_totals")


def body() -> None:
    risk_section()
    sales_section()


MARTS = (RISK, DAILY)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Stock: stock-out risk",
        domain="stock",
        marts=MARTS,
        body=body,
        intro="Risk per product and region, (R, S) policy (README, The stock domain); sales of both channels.",
    )
