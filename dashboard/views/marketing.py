"""Marketing: campaign performance, HTTP error rates over time, event anomalies."""

import altair as alt
import streamlit as st

from dashboard import common

CAMPAIGNS = "fct_marketing__campaign_performance"
HTTP = "fct_marketing__http_errors"
ANOMALIES = "fct_marketing__event_anomalies"
CAMPAIGN_COLUMNS = ("campaign_id", "start_date", "end_date", "duration_days", "budget", "impressions", "clicks",
                    "ctr_computed", "ctr_file", "is_ctr_mismatch", "cost_per_click", "cost_per_mille")  # fmt: skip
ANOMALY_COLUMNS = ("window_start", "event_type", "country", "events", "baseline_mean", "baseline_stddev", "z_score")


def campaigns_section() -> None:
    st.subheader("Campaign performance")
    campaigns = common.fetch(f"select {', '.join(CAMPAIGN_COLUMNS)} from {common.rel(CAMPAIGNS)} order by campaign_id")
    if common.empty_note(campaigns, CAMPAIGNS):
        return
    a, b, c = st.columns(3)
    a.metric("Campaigns", f"{len(campaigns):,}")
    b.metric("Budget", f"{campaigns.budget.sum():,.2f}")
    c.metric("Clicks", f"{int(campaigns.clicks.sum()):,}")
    st.altair_chart(
        alt.Chart(campaigns)
        .mark_circle(size=70)
        .encode(
            x=alt.X("cost_per_click:Q", title="cost per click"),
            y=alt.Y("ctr_computed:Q", axis=alt.Axis(format="%"), title="click-through rate (computed)"),
            size=alt.Size("budget:Q"),
            color=alt.Color("is_ctr_mismatch:N", title="CTR in the file differs"),
            tooltip=list(CAMPAIGN_COLUMNS[:8]),
        )
    )
    st.dataframe(campaigns, hide_index=True, key="campaigns")


def http_section() -> None:
    st.subheader("HTTP error rates")
    hours = common.fetch(
        f"select url, hour_start, requests, errors_4xx, errors_5xx, error_rate from {common.rel(HTTP)}"
        " order by hour_start, url"
    )
    if common.empty_note(hours, HTTP):
        return
    urls = sorted(hours.url.dropna().unique().tolist())
    chosen = st.multiselect("URLs (all by default)", urls, default=[], key="urls")
    picked = hours[hours.url.isin(chosen)] if chosen else hours
    overall = picked.groupby("hour_start", as_index=False)[["requests", "errors_4xx", "errors_5xx"]].sum()
    overall["error_rate"] = (overall.errors_4xx + overall.errors_5xx) / overall.requests
    a, b = st.columns(2)
    a.metric("Requests", f"{int(picked.requests.sum()):,}")
    errors = picked.errors_4xx.sum() + picked.errors_5xx.sum()
    b.metric("Error rate (4xx + 5xx)", f"{errors / picked.requests.sum():.2%}")
    long = overall.melt("hour_start", ["errors_4xx", "errors_5xx"], var_name="kind", value_name="errors")
    long["rate"] = long.errors / long.hour_start.map(overall.set_index("hour_start").requests)
    st.altair_chart(
        alt.Chart(long)
        .mark_area()
        .encode(
            x=alt.X("hour_start:T", title="hour (UTC)"),
            y=alt.Y("rate:Q", stack=True, axis=alt.Axis(format="%"), title="share of requests"),
            color=alt.Color("kind:N", title=None),
            tooltip=["hour_start:T", "kind", "errors", alt.Tooltip("rate:Q", format=".2%")],
        )
    )


def anomalies_section() -> None:
    st.subheader("Event anomalies")
    windows = common.fetch(
        f"select window_start, event_type, country, events, z_score, is_anomaly from {common.rel(ANOMALIES)}"
        " order by window_start, event_type, country"
    )
    if common.empty_note(windows, ANOMALIES):
        return
    per_type = windows.groupby(["window_start", "event_type"], as_index=False)["events"].sum()
    st.caption("Events per 5-minute window; an anomaly is a window whose z-score against its baseline is out of range.")
    st.altair_chart(
        alt.Chart(per_type)
        .mark_line()
        .encode(x=alt.X("window_start:T", title="window (UTC)"), y="events:Q", color="event_type:N")
    )
    flagged = common.fetch(
        f"select {', '.join(ANOMALY_COLUMNS)} from {common.rel(ANOMALIES)} where is_anomaly"
        " order by window_start, event_type, country"
    )
    st.metric("Anomalous windows", f"{len(flagged):,}")
    if not common.empty_note(flagged, "no anomalous window"):
        st.dataframe(flagged, hide_index=True, key="anomalies")


def body() -> None:
    campaigns_section()
    http_section()
    anomalies_section()


MARTS = (CAMPAIGNS, HTTP, ANOMALIES)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Marketing: campaigns, web errors, events",
        domain="marketing",
        marts=MARTS,
        body=body,
        intro="Campaign performance, HTTP error rates per hour, anomalies in 5-minute windows of events.",
    )
