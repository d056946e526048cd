"""Wine: revenue by product, premium vs ordinary, and the data-test results of the domain."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common
from ingestion import config
from serving import pipeline_status

PRODUCTS = "fct_wine__product_revenue"
SUMMARY = "fct_wine__revenue_summary"
ANOMALIES = "fct_wine__anomalies"
PRODUCT_COLUMNS = ("product_id", "sku", "title", "price", "total_sales", "revenue", "price_zscore", "is_premium")


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
    a.metric("Products", f"{products:,}")
    b.metric("Units sold", f"{units:,}")
    c.metric("Revenue (€)", f"{revenue:,.2f}")
    d.metric("Premium products", f"{premium:,}")
    e.metric("Ordinary products", f"{ordinary:,}")
    st.caption(f"Premium: price z-score above {threshold:g}; ordinary otherwise.")


def revenue_section() -> None:
    st.subheader("Revenue by product")
    products = common.fetch(
        f"select {', '.join(PRODUCT_COLUMNS)} from {common.rel(PRODUCTS)} order by revenue desc, product_id"
    )
    if common.empty_note(products, PRODUCTS):
        return
    products["segment"] = products.is_premium.map({True: "premium", False: "ordinary"})
    top = products.head(20)
    st.altair_chart(
        alt.Chart(top)
        .mark_bar()
        .encode(
            x=alt.X("revenue:Q", title="revenue (€)"),
            y=alt.Y("title:N", sort="-x", title=None),
            color=alt.Color("segment:N", scale=alt.Scale(domain=["premium", "ordinary"])),
            tooltip=["product_id", "title", "price", "total_sales", "revenue"],
        )
        .properties(title="The 20 products with the highest revenue")
    )
    st.dataframe(products.drop(columns="segment"), hide_index=True, key="products")

    st.subheader("Premium vs ordinary")
    segments = common.fetch(
        "select case when is_premium then 'premium' else 'ordinary' end as segment, count(*) as products,"
        " sum(total_sales) as units, sum(revenue) as revenue, avg(price) as average_price"
        f" from {common.rel(PRODUCTS)} group by case when is_premium then 'premium' else 'ordinary' end"
        " order by segment desc"
    )
    st.dataframe(segments, hide_index=True, key="segments")
    st.altair_chart(
        alt.Chart(products)
        .mark_circle(size=50)
        .encode(
            x=alt.X("price:Q", title="price (€)"),
            y=alt.Y("revenue:Q", title="revenue (€)"),
            color=alt.Color("segment:N", scale=alt.Scale(domain=["premium", "ordinary"])),
            tooltip=["title", "price", "price_zscore", "revenue"],
        )
        .properties(title="Price and revenue of every product")
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
            column.metric(f"Tests {status}", int(counts.get(status, 0)))
        st.caption(
            "Each dbt test of the domain at its latest evaluation (the Dagster asset check of the latest build); "
            "the join tests warn rather than fail."
        )
        st.dataframe(frame, hide_index=True, key="tests")
    anomalies = common.fetch(
        f"select source_table, anomaly, count(*) as anomaly_rows from {common.rel(ANOMALIES)}"
        " group by source_table, anomaly order by source_table, anomaly"
    )
    st.markdown("**Anomalies found in the data** (kept in the marts, listed in fct_wine__anomalies)")
    if not common.empty_note(anomalies, "no anomaly"):
        st.dataframe(anomalies, hide_index=True, key="anomalies")


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
