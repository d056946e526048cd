"""Shop segments and churn: the model's segments (size, value, recency), churn risk by segment, the customers most
likely to churn, and how the churn model compares with the rule and the baseline (docs/shop-ml.md)."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import format as fmt

SCORES = "fct_shop__customer_scores"
SEGMENTS = "fct_shop__customer_segments"
METRICS = "fct_shop__churn_model_metrics"
CALIBRATION = "fct_shop__churn_model_calibration"
TOP = 20  # customers in the at-risk list


def headline_section() -> None:
    row = common.fetch_row(
        "select max(model_version), max(as_of_date), sum(customers), sum(customers_at_risk)"
        f" from {common.rel(SEGMENTS)}"
    )
    metrics = common.fetch(
        f"select scorer, roc_auc, brier_score from {common.rel(METRICS)} where is_current order by scorer"
    )
    if row is None or row[0] is None:
        st.info(f"No rows: {SEGMENTS}.")
        return
    version, as_of, customers, at_risk = row
    st.caption(f"Model version {version}, customers scored as of {as_of}.")
    by_scorer = metrics.set_index("scorer")
    a, b, c, d = st.columns(4)
    a.metric("Customers scored", f"{int(customers):,}")
    b.metric("At risk of churning", f"{int(at_risk):,}")
    if {"model", "rule"} <= set(by_scorer.index):
        model, rule = by_scorer.loc["model"], by_scorer.loc["rule"]
        c.metric("Churn ROC AUC (model)", f"{model.roc_auc:.3f}", delta=f"{model.roc_auc - rule.roc_auc:+.3f} vs rule")
        d.metric(
            "Brier score (model)",
            f"{model.brier_score:.3f}",
            delta=f"{model.brier_score - rule.brier_score:+.3f} vs rule",
            delta_color="inverse",
        )


def segments_section() -> pd.DataFrame:
    st.subheader("Segments")
    segments = common.fetch(
        "select segment_id, segment, customers, share_of_customers, average_recency_days, average_frequency,"
        " average_monetary, revenue, share_of_revenue, average_churn_probability, customers_at_risk, share_at_risk"
        f" from {common.rel(SEGMENTS)} order by segment_id"
    )
    if common.empty_note(segments, SEGMENTS):
        return segments
    st.caption(
        "Each bubble is a segment at its customers' average recency and monetary value; its size is the number of "
        "customers, its colour the average churn probability."
    )
    st.altair_chart(
        alt.Chart(segments)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("average_recency_days:Q", title="average days since the last order"),
            y=alt.Y("average_monetary:Q", title="average net revenue per customer", scale=alt.Scale(type="symlog")),
            size=alt.Size("customers:Q", scale=alt.Scale(range=[100, 3000]), title="customers"),
            color=alt.Color(
                "average_churn_probability:Q",
                scale=alt.Scale(scheme="redyellowgreen", reverse=True, domain=[0, 1]),
                title="churn probability",
            ),
            tooltip=[
                "segment",
                "customers",
                alt.Tooltip("average_recency_days:Q", format=",.0f"),
                alt.Tooltip("average_frequency:Q", format=",.1f"),
                alt.Tooltip("average_monetary:Q", format=",.2f"),
                alt.Tooltip("average_churn_probability:Q", format=".1%"),
            ],
        )  # fmt: skip
        + alt.Chart(segments)
        .mark_text(dy=-14)
        .encode(x="average_recency_days:Q", y="average_monetary:Q", text="segment")
    )
    fmt.table(
        segments,
        {
            "segment": fmt.text("Segment"),
            "customers": fmt.integer("Customers"),
            "share_of_customers": fmt.rate("Share of customers"),
            "average_recency_days": fmt.decimal_("Average days since the last order", 0),
            "average_frequency": fmt.decimal_("Average orders", 1),
            "average_monetary": fmt.amount("Average net revenue", "shop"),
            "revenue": fmt.amount("Net revenue", "shop", 0),
            "share_of_revenue": fmt.rate("Share of revenue"),
            "average_churn_probability": fmt.rate("Average churn probability"),
            "customers_at_risk": fmt.integer("Customers at risk"),
            "share_at_risk": fmt.rate("Share at risk"),
        },
        key="segments",
    )
    return segments


def risk_section(segments: pd.DataFrame) -> None:
    st.subheader("Churn risk by segment")
    if segments.empty:
        return
    long = segments.melt(
        id_vars=["segment"],
        value_vars=["average_churn_probability", "share_at_risk"],
        var_name="measure",
        value_name="value",
    ).replace({"average_churn_probability": "mean churn probability", "share_at_risk": "share at risk"})
    st.altair_chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("segment:N", sort=list(segments.segment), title=None),
            x=alt.X("value:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title=None),
            color=alt.Color("measure:N", title=None),
            yOffset="measure:N",
            tooltip=["segment", "measure", alt.Tooltip("value:Q", format=".1%")],
        )
    )


def at_risk_section(segments: pd.DataFrame) -> None:
    st.subheader(f"The {TOP} customers most likely to churn")
    chosen = st.multiselect("Segments", list(segments.segment), key="risk_segments")
    where, params = "", []
    if chosen:
        where, params = f" where segment in {common.in_list(chosen)}", list(chosen)
    top = common.fetch(
        "select churn_risk_rank, customer_id, segment, churn_probability, recency_days, frequency, monetary,"
        f" is_churned_by_rule from {common.rel(SCORES)}{where} order by churn_risk_rank limit {TOP}",
        params,
    )
    if common.empty_note(top, "no scored customer in these segments"):
        return
    fmt.table(
        top,
        {
            "churn_risk_rank": fmt.integer("Rank"),
            "customer_id": fmt.text("Customer"),
            "segment": fmt.text("Segment"),
            "churn_probability": fmt.rate("Churn probability"),
            "recency_days": fmt.integer("Days since the last order"),
            "frequency": fmt.integer("Orders"),
            "monetary": fmt.amount("Net revenue", "shop"),
            "is_churned_by_rule": fmt.flag("Churned by the rule"),
        },
        key="at_risk",
    )


def model_section() -> None:
    st.subheader("Does the model earn its place?")
    metrics = common.fetch(
        "select scorer, eval_as_of_date, eval_customers, eval_churners, roc_auc, precision_at_threshold,"
        f" recall_at_threshold, brier_score, threshold from {common.rel(METRICS)} where is_current order by scorer"
    )
    calibration = common.fetch(
        f"select c.probability_bin, c.mean_predicted, c.observed_rate, c.customers from {common.rel(CALIBRATION)} c"
        f" inner join {common.rel(METRICS)} m on c.model_version = m.model_version"
        " where m.is_current and m.scorer = 'model' order by c.probability_bin"
    )
    if common.empty_note(metrics, METRICS):
        return
    st.caption(
        f"Evaluated on the customers of {metrics.eval_as_of_date.iloc[0]} (the latest snapshot whose churn is "
        "known), trained on earlier snapshots only; the rule is `no order in shop_churn_days days`, the baseline "
        "gives everyone the training churn rate."
    )
    fmt.table(
        metrics,
        {
            "scorer": fmt.text("Scorer"),
            "eval_customers": fmt.integer("Customers evaluated"),
            "eval_churners": fmt.integer("Churners"),
            "roc_auc": fmt.decimal_("ROC AUC", 3),
            "precision_at_threshold": fmt.rate("Precision at the threshold"),
            "recall_at_threshold": fmt.rate("Recall at the threshold"),
            "brier_score": fmt.decimal_("Brier score", 3),
            "threshold": fmt.decimal_("Threshold", 2),
        },
        key="metrics",
    )
    if calibration.empty:
        return
    st.caption("Reliability: the share that churned against the mean predicted probability, per bin.")
    diagonal = alt.Chart(pd.DataFrame({"p": [0.0, 1.0]})).mark_line(strokeDash=[4, 4], color="grey")
    st.altair_chart(
        diagonal.encode(x="p:Q", y="p:Q")
        + alt.Chart(calibration)
        .mark_line(point=True)
        .encode(
            x=alt.X("mean_predicted:Q", scale=alt.Scale(domain=[0, 1]), title="mean predicted probability"),
            y=alt.Y("observed_rate:Q", scale=alt.Scale(domain=[0, 1]), title="observed churn rate"),
            tooltip=["probability_bin", "customers", alt.Tooltip("observed_rate:Q", format=".1%")],
        )
    )


def body() -> None:
    headline_section()
    segments = segments_section()
    risk_section(segments)
    at_risk_section(segments)
    model_section()


MARTS = (SCORES, SEGMENTS, METRICS, CALIBRATION)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: segments and churn risk",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="The customer model's segments and churn scores, and its evaluation (docs/shop-ml.md).",
    )
