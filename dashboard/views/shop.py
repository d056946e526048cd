"""Shop: customer analytics. RFM segments, cohort retention, churn and CLV, and the revenue concentration (the
Pareto curve and the Gini coefficient)."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import format as fmt

SUMMARY = "fct_shop__summary"
SEGMENTS = "fct_shop__rfm_segments"
CLV = "fct_shop__customer_clv"
COHORTS = "fct_shop__cohort_retention"
CURVE = "fct_shop__pareto_curve"
CONCENTRATION = "fct_shop__concentration"
SEGMENT_COLUMNS = {
    "segment": fmt.text("Segment"),
    "customers": fmt.integer("Customers"),
    "share_of_customers": fmt.rate("Share of customers"),
    "revenue": fmt.amount("Net revenue", "shop"),
    "share_of_revenue": fmt.rate("Share of revenue"),
    "average_recency_days": fmt.decimal_("Mean days since last order", 1),
    "average_frequency": fmt.decimal_("Mean orders", 2),
    "average_revenue": fmt.amount("Mean revenue", "shop"),
}
CURVE_POINTS = 400  # the curve is drawn through at most this many customers (every n-th, and the last)


def headline_section() -> None:
    summary = common.fetch_row(
        "select as_of_date, customers, sale_orders, revenue, average_order_value, churned_customers, churn_rate,"
        f" median_clv, mean_clv from {common.rel(SUMMARY)}"
    )
    if summary is None:
        st.info(f"No rows: {SUMMARY}.")
        return
    as_of, customers, orders, revenue, aov, churned, churn_rate, median_clv, mean_clv = summary
    st.caption(f"Customer metrics as of {fmt.date(as_of)} (the latest sale order, unless shop_as_of_date is set).")
    a, b, c, d = st.columns(4)
    a.metric("Customers", fmt.number(customers))
    b.metric("Sale orders", fmt.number(orders))
    c.metric("Net revenue", fmt.money(revenue, "shop"))
    d.metric("Average order value", fmt.money(aov, "shop"))
    e, f, g, h = st.columns(4)
    e.metric("Churned customers", fmt.number(churned))
    f.metric("Churn rate", fmt.percent(churn_rate))
    g.metric("Median CLV", fmt.money(median_clv, "shop"))
    h.metric("Mean CLV", fmt.money(mean_clv, "shop"))


def rfm_section() -> None:
    st.subheader("RFM segments")
    segments = common.fetch(
        f"select {', '.join(SEGMENT_COLUMNS)} from {common.rel(SEGMENTS)} order by customers desc, segment"
    )
    if common.empty_note(segments, SEGMENTS):
        return
    st.altair_chart(
        alt.Chart(segments)
        .mark_bar()
        .encode(
            x=alt.X("customers:Q", title="customers"),
            y=alt.Y("segment:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("segment:N", title="segment"),
                alt.Tooltip("customers:Q", title="customers", format=","),
                alt.Tooltip("share_of_customers:Q", title="share of customers", format=fmt.TOOLTIP_PERCENT),
                alt.Tooltip("revenue:Q", title=fmt.money_title("net revenue", "shop"), format=fmt.TOOLTIP_MONEY),
            ],
        )
    )
    fmt.table(segments, SEGMENT_COLUMNS, key="segments")


def cohort_section() -> None:
    st.subheader("Cohort retention")
    cohorts = common.fetch(
        "select cohort_month, months_since_first_order, cohort_size, active_customers, retention_rate"
        f" from {common.rel(COHORTS)} order by cohort_month, months_since_first_order"
    )
    if common.empty_note(cohorts, COHORTS):
        return
    cohorts["cohort"] = pd.to_datetime(cohorts.cohort_month).dt.strftime("%b %Y")
    order = cohorts.drop_duplicates("cohort").cohort.tolist()
    st.caption("Share of each cohort (the month of its first sale order) with a sale order n months later.")
    st.altair_chart(
        alt.Chart(cohorts)
        .mark_rect()
        .encode(
            x=alt.X("months_since_first_order:O", title="months since the first order"),
            y=alt.Y("cohort:O", title="cohort", sort=order),
            color=alt.Color(
                "retention_rate:Q",
                scale=alt.Scale(scheme="blues", domain=[0, 1]),
                title="retention",
                legend=alt.Legend(format=".0%"),
            ),
            tooltip=[
                alt.Tooltip("cohort:O", title="cohort"),
                alt.Tooltip("months_since_first_order:O", title="months later"),
                alt.Tooltip("cohort_size:Q", title="cohort customers", format=","),
                alt.Tooltip("active_customers:Q", title="active customers", format=","),
                alt.Tooltip("retention_rate:Q", title="retention", format=fmt.TOOLTIP_PERCENT),
            ],
        )
        .properties(height=max(200, 18 * len(order)))
    )


def clv_section() -> None:
    st.subheader("Customer lifetime value")
    clv = common.fetch(f"select clv from {common.rel(CLV)}")
    if common.empty_note(clv, CLV):
        return
    st.caption("CLV = average order value × orders per month × the expected lifespan (shop_clv_lifespan_months).")
    st.altair_chart(
        alt.Chart(clv)
        .mark_bar()
        .encode(
            x=alt.X(
                "clv:Q",
                bin=alt.Bin(maxbins=40),
                title=fmt.money_title("CLV", "shop"),
                axis=alt.Axis(format=fmt.AXIS_NUMBER),
            ),
            y=alt.Y("count():Q", title="customers"),
        )
    )


def pareto_section() -> None:
    st.subheader("Revenue concentration")
    concentration = common.fetch_row(
        f"select pareto_share, customers_for_pareto_share, share_of_customers, gini, customers"
        f" from {common.rel(CONCENTRATION)}"
    )
    pareto_share, pareto_customers, share_of_customers, gini, customers = concentration
    if not customers:
        st.info("No rows: no customer with a positive revenue.")
        return
    st.caption(
        f"{fmt.percent(share_of_customers)} of the customers ({fmt.number(pareto_customers)}) make "
        f"{fmt.percent(pareto_share, 0)} of the revenue; Gini {float(gini):.3f} (0: everyone spends the same, 1: one "
        "customer makes it all)."
    )
    st.metric("Gini coefficient", f"{float(gini):.3f}")
    step = max(1, -(-int(customers) // CURVE_POINTS))  # a drawing resolution, not a figure
    curve = common.fetch(
        f"select revenue_rank, share_of_customers, cumulative_revenue_share from {common.rel(CURVE)}"
        " where mod(revenue_rank, ?) = 0 or revenue_rank = customers or revenue_rank = 1 order by revenue_rank",
        [step],
    )
    line = (
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X("share_of_customers:Q", axis=alt.Axis(format="%"), title="customers, largest first"),
            y=alt.Y("cumulative_revenue_share:Q", axis=alt.Axis(format="%"), title="cumulative share of revenue"),
            tooltip=[
                alt.Tooltip("revenue_rank:Q", title="customers", format=","),
                alt.Tooltip("share_of_customers:Q", title="share of customers", format=fmt.TOOLTIP_PERCENT),
                alt.Tooltip("cumulative_revenue_share:Q", title="share of revenue", format=fmt.TOOLTIP_PERCENT),
            ],
        )
    )
    mark = alt.Chart(pd.DataFrame({"share": [float(pareto_share)]})).mark_rule(strokeDash=[4, 4]).encode(y="share:Q")
    st.altair_chart(line + mark, key="pareto")


def body() -> None:
    headline_section()
    rfm_section()
    cohort_section()
    clv_section()
    pareto_section()


MARTS = (SUMMARY, SEGMENTS, CLV, COHORTS, CURVE, CONCENTRATION)  # what the page reads (its dbt exposure too)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: customer analytics",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="RFM, CLV, churn, cohorts and concentration (README, The shop domain). Amounts in the shop's currency.",
    )
