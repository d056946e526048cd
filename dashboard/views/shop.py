"""Shop: RFM segments, the cohort retention heat map, the CLV distribution, the Pareto curve and the Gini."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common

RFM = "fct_shop__customer_rfm"
CLV = "fct_shop__customer_clv"
COHORTS = "fct_shop__cohort_retention"
CONCENTRATION = "fct_shop__concentration"


def headline_section() -> None:
    row = common.fetch_row(f"select as_of_date, customers, total_revenue, gini from {common.rel(CONCENTRATION)}")
    if row is None:
        st.info(f"No rows: {CONCENTRATION}.")
        return
    as_of, customers, revenue, gini = row
    st.caption(f"Customer metrics as of {as_of} (the latest sale order, unless shop_as_of_date is set).")
    a, b, d = st.columns(3)
    a.metric("Customers with a positive revenue", f"{customers:,}")
    b.metric("Their net revenue", f"{revenue:,.2f}")
    d.metric("Gini coefficient", f"{gini:.3f}")


def rfm_section() -> None:
    st.subheader("RFM segments")
    segments = common.fetch(
        "select segment, count(*) as customers, sum(monetary) as revenue, avg(recency_days) as average_recency_days,"
        f" avg(frequency) as average_frequency from {common.rel(RFM)} group by segment"
        " order by count(*) desc, segment"
    )
    if common.empty_note(segments, RFM):
        return
    st.altair_chart(
        alt.Chart(segments)
        .mark_bar()
        .encode(
            x=alt.X("customers:Q"),
            y=alt.Y("segment:N", sort="-x", title=None),
            tooltip=["segment", "customers", alt.Tooltip("revenue:Q", format=",.2f")],
        )
    )
    st.dataframe(segments, hide_index=True, key="segments")


def cohort_section() -> None:
    st.subheader("Cohort retention")
    cohorts = common.fetch(
        "select cohort_month, months_since_first_order, cohort_size, active_customers, retention_rate"
        f" from {common.rel(COHORTS)} order by cohort_month, months_since_first_order"
    )
    if common.empty_note(cohorts, COHORTS):
        return
    cohorts["cohort"] = pd.to_datetime(cohorts.cohort_month).dt.strftime("%Y-%m")
    st.caption("Share of each cohort (month of the first sale order) with a sale order n months later.")
    st.altair_chart(
        alt.Chart(cohorts)
        .mark_rect()
        .encode(
            x=alt.X("months_since_first_order:O", title="months since the first order"),
            y=alt.Y("cohort:O", title="cohort"),
            color=alt.Color("retention_rate:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="retention"),
            tooltip=[
                "cohort",
                "months_since_first_order",
                "cohort_size",
                "active_customers",
                alt.Tooltip("retention_rate:Q", format=".1%"),
            ],  # fmt: skip
        )
        .properties(height=max(200, 18 * cohorts.cohort.nunique()))
    )


def clv_section() -> None:
    st.subheader("Customer lifetime value")
    clv = common.fetch(f"select customer_id, clv, is_churned from {common.rel(CLV)}")
    if common.empty_note(clv, CLV):
        return
    a, b, c = st.columns(3)
    a.metric("Median CLV", f"{clv.clv.median():,.2f}")
    b.metric("Mean CLV", f"{clv.clv.mean():,.2f}")
    c.metric("Churned customers", f"{int(clv.is_churned.sum()):,} of {len(clv):,}")
    st.altair_chart(
        alt.Chart(clv)
        .mark_bar()
        .encode(x=alt.X("clv:Q", bin=alt.Bin(maxbins=40), title="CLV"), y=alt.Y("count():Q", title="customers"))
    )


def pareto_section() -> None:
    st.subheader("Revenue concentration")
    concentration = common.fetch(
        f"select pareto_share, customers_for_pareto_share, share_of_customers, gini from {common.rel(CONCENTRATION)}"
    )
    revenue = common.fetch(f"select customer_id, monetary from {common.rel(RFM)} where monetary > 0")
    if common.empty_note(revenue, "no customer with a positive revenue") or concentration.empty:
        return
    c = concentration.iloc[0]
    st.caption(
        f"{c.share_of_customers:.1%} of the customers ({int(c.customers_for_pareto_share):,}) make "
        f"{c.pareto_share:.0%} of the revenue; Gini {c.gini:.3f} (0: everyone spends the same, 1: one customer "
        "makes it all)."
    )
    curve = revenue.sort_values(["monetary", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    curve["share_of_customers"] = (curve.index + 1) / len(curve)
    curve["share_of_revenue"] = curve.monetary.cumsum() / curve.monetary.sum()
    line = (
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X("share_of_customers:Q", axis=alt.Axis(format="%"), title="customers, largest first"),
            y=alt.Y("share_of_revenue:Q", axis=alt.Axis(format="%"), title="cumulative share of revenue"),
        )
    )
    mark = alt.Chart(pd.DataFrame({"share": [float(c.pareto_share)]})).mark_rule(strokeDash=[4, 4]).encode(y="share:Q")
    st.altair_chart(line + mark)


def body() -> None:
    headline_section()
    rfm_section()
    cohort_section()
    clv_section()
    pareto_section()


MARTS = (RFM, CLV, COHORTS, CONCENTRATION)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: customer analytics",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="RFM, CLV, churn, cohorts and concentration (README, The shop domain).",
    )
