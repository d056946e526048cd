"""Wine: revenue by product, premium vs ordinary, and the data-test results of the domain."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import format as fmt
from ingestion import config
from serving import pipeline_status

PRODUCTS = "fct_wine__product_revenue"
SUMMARY = "fct_wine__revenue_summary"
ANOMALIES = "fct_wine__anomalies"
PRODUCT_COLUMNS = {
    "product_id": fmt.text("Product"),
    "sku": fmt.text("SKU"),
    "title": fmt.text("Name"),
    "price": fmt.amount("Price", "wine"),
    "total_sales": fmt.integer("Units sold"),
    "revenue": fmt.amount("Revenue", "wine"),
    "price_zscore": fmt.decimal_("Price z-score", 2),
    "is_premium": fmt.flag("Premium"),
}
SEGMENT_COLUMNS = {
    "segment": fmt.text("Segment"),
    "products": fmt.integer("Products"),
    "units": fmt.integer("Units sold"),
    "revenue": fmt.amount("Revenue", "wine"),
    "share_of_revenue": fmt.rate("Share of revenue"),
    "average_price": fmt.amount("Mean price", "wine"),
}
TEST_COLUMNS = {
    "test": fmt.text("dbt test"),
    "asset": fmt.text("Asset"),
    "status": fmt.text("Status"),
    "failing_rows": fmt.integer("Failing rows"),
}
ANOMALY_COLUMNS = {
    "source_table": fmt.text("Table"),
    "anomaly": fmt.text("Anomaly"),
    "anomaly_rows": fmt.integer("Rows"),
}


def summary_section() -> None:
    row = common.fetch_row(
        "select products, units, revenue, premium_products, ordinary_products, premium_zscore_threshold"
        f" from {common.rel(SUMMARY)}"
    )
    if row is None:
        st.info(f"No rows: {SUMMARY}.")
        return
    products, units, revenue, premium, ordinary, threshold = row
    a, b, c, d, e = st.columns(5)
    a.metric("Products", fmt.number(products))
    b.metric("Units sold", fmt.number(units))
    c.metric("Revenue", fmt.money(revenue, "wine"))
    d.metric("Premium products", fmt.number(premium))
    e.metric("Ordinary products", fmt.number(ordinary))
    st.caption(f"Premium: price z-score above {threshold:g}; ordinary otherwise. Amounts in euros.")


def revenue_section() -> None:
    st.subheader("Revenue by product")
    products = common.fetch(
        f"select {', '.join(PRODUCT_COLUMNS)} from {common.rel(PRODUCTS)} order by revenue desc, product_id"
    )
    if common.empty_note(products, PRODUCTS):
        return
    products["segment"] = products.is_premium.map({True: "premium", False: "ordinary"})
    money = fmt.money_title("revenue", "wine")
    st.altair_chart(
        alt.Chart(products.head(20))
        .mark_bar()
        .encode(
            x=alt.X("revenue:Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            y=alt.Y("title:N", sort="-x", title=None),
            color=alt.Color("segment:N", scale=alt.Scale(domain=["premium", "ordinary"])),
            tooltip=[
                alt.Tooltip("title:N", title="name"),
                alt.Tooltip("price:Q", title=fmt.money_title("price", "wine"), format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("total_sales:Q", title="units sold", format=","),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
            ],
        )
        .properties(title="The 20 products with the highest revenue")
    )
    fmt.table(products, PRODUCT_COLUMNS, key="products")

    st.subheader("Premium vs ordinary")
    fmt.table(segments(), SEGMENT_COLUMNS, key="segments")
    st.altair_chart(
        alt.Chart(products)
        .mark_circle(size=50)
        .encode(
            x=alt.X("price:Q", title=fmt.money_title("price", "wine")),
            y=alt.Y("revenue:Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            color=alt.Color("segment:N", scale=alt.Scale(domain=["premium", "ordinary"])),
            tooltip=[
                alt.Tooltip("title:N", title="name"),
                alt.Tooltip("price:Q", title=fmt.money_title("price", "wine"), format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("price_zscore:Q", title="price z-score", format=".2f"),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
            ],
        )
        .properties(title="Price and revenue of every product")
    )


def segments() -> pd.DataFrame:
    """The premium and ordinary figures of fct_wine__revenue_summary, one row per segment (a reshaping)."""
    measures = ("products", "units", "revenue", "revenue_share", "price_mean")
    names = [f"{segment}_{m}" for segment in ("premium", "ordinary") for m in measures]
    row = common.fetch(f"select {', '.join(names)} from {common.rel(SUMMARY)}").iloc[0]
    return pd.DataFrame(
        [[segment, *(row[f"{segment}_{m}"] for m in measures)] for segment in ("premium", "ordinary")],
        columns=["segment", "products", "units", "revenue", "share_of_revenue", "average_price"],
    )


def tests_section() -> None:
    st.subheader("Data tests")
    results = test_results()
    if results is None:
        st.info(
            f"No Dagster instance at {config.dagster_home()}: the dbt test results are recorded there "
            "(as asset checks) when the marts are built through Dagster."
        )
    elif all(r.status == "not_run" for r in results):
        st.info("No dbt test of the wine domain has been evaluated by Dagster yet.")
    else:
        frame = pd.DataFrame(
            [(r.test, r.asset, r.status, r.failing_rows) for r in results],
            columns=["test", "asset", "status", "failing_rows"],
        )
        counts = frame.status.value_counts()
        columns = st.columns(4)
        for column, status in zip(columns, ("pass", "warn", "fail", "not_run"), strict=True):
            column.metric(f"Tests {status.replace('_', ' ')}", fmt.number(counts.get(status, 0)))
        st.caption(
            "Each dbt test of the domain at its latest evaluation (the Dagster asset check of the latest build); "
            "the join tests warn rather than fail."
        )
        fmt.table(frame, TEST_COLUMNS, key="tests")
    anomalies = common.fetch(
        f"select source_table, anomaly, count(*) as anomaly_rows from {common.rel(ANOMALIES)}"
        " group by source_table, anomaly order by source_table, anomaly"
    )
    st.markdown("**Anomalies found in the data** (kept in the marts, listed in fct_wine__anomalies)")
    if not common.empty_note(anomalies, "no anomaly"):
        fmt.table(anomalies, ANOMALY_COLUMNS, key="anomalies")


def test_results():
    """The wine reports' own reading of the Dagster asset checks (serving/pipeline_status.py); None without a
    Dagster instance."""
    return pipeline_status.latest_test_results("wine")


def body() -> None:
    summary_section()
    revenue_section()
    tests_section()


MARTS = (PRODUCTS, SUMMARY, ANOMALIES)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Wine: revenue and premium products",
        domain="wine",
        marts=MARTS,
        body=body,
        intro="ERP ⨝ liaison ⨝ web shop; revenue = price × total sales (README, The wine domain).",
    )
