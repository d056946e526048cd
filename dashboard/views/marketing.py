"""Marketing: campaign performance, HTTP error rates per hour, and the 5-minute event windows with the anomalous
ones marked, filtered by period, URL, event type and country."""

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import format as fmt

SUMMARY = "fct_marketing__summary"
CAMPAIGNS = "fct_marketing__campaign_performance"
HTTP = "fct_marketing__http_errors"
HOURLY = "fct_marketing__http_errors_hourly"
ANOMALIES = "fct_marketing__event_anomalies"
WINDOW = dt.timedelta(minutes=5)
CAMPAIGN_COLUMNS = {
    "campaign_id": fmt.text("Campaign"),
    "start_date": fmt.day("Start"),
    "end_date": fmt.day("End"),
    "duration_days": fmt.integer("Days"),
    "budget": fmt.amount("Budget", "marketing"),
    "impressions": fmt.integer("Impressions"),
    "clicks": fmt.integer("Clicks"),
    "ctr_computed": fmt.rate("CTR (clicks / impressions)"),
    "ctr_file": fmt.rate("CTR in the file"),
    "is_ctr_mismatch": fmt.flag("CTRs differ"),
    "cost_per_click": fmt.amount("Cost per click", "marketing"),
    "cost_per_mille": fmt.amount("Cost per 1,000 impressions", "marketing"),
}
ANOMALY_COLUMNS = {
    "window_start": fmt.moment("Window start"),
    "event_type": fmt.text("Event"),
    "country": fmt.text("Country"),
    "events": fmt.integer("Events"),
    "baseline_mean": fmt.decimal_("Baseline mean", 1),
    "baseline_stddev": fmt.decimal_("Baseline std. dev.", 1),
    "z_score": fmt.decimal_("z-score", 1),
}


def headline_section() -> None:
    row = common.fetch_row(
        f"select campaigns, budget, clicks, ctr, requests, http_error_rate, event_windows, anomalous_windows"
        f" from {common.rel(SUMMARY)}"
    )
    campaigns, budget, clicks, ctr, requests, error_rate, windows, anomalous = row
    a, b, c, d = st.columns(4)
    a.metric("Campaigns", fmt.number(campaigns))
    b.metric("Budget", fmt.money(budget, "marketing"))
    c.metric("Clicks", fmt.number(clicks))
    d.metric("Click-through rate", fmt.percent(ctr, 2))
    e, f, g, h = st.columns(4)
    e.metric("Web requests", fmt.number(requests))
    f.metric("HTTP error rate (4xx + 5xx)", fmt.percent(error_rate, 2))
    g.metric("Event windows", fmt.number(windows))
    h.metric("Anomalous windows", fmt.number(anomalous))


def campaigns_section() -> None:
    st.subheader("Campaign performance")
    campaigns = common.fetch(f"select {', '.join(CAMPAIGN_COLUMNS)} from {common.rel(CAMPAIGNS)} order by campaign_id")
    if common.empty_note(campaigns, CAMPAIGNS):
        return
    st.altair_chart(
        alt.Chart(campaigns)
        .mark_circle(size=70)
        .encode(
            x=alt.X("cost_per_click:Q", title=fmt.money_title("cost per click", "marketing")),
            y=alt.Y("ctr_computed:Q", axis=alt.Axis(format="%"), title="click-through rate (computed)"),
            size=alt.Size("budget:Q", title=fmt.money_title("budget", "marketing"), legend=alt.Legend(format=",.0f")),
            color=alt.Color("is_ctr_mismatch:N", title="CTR in the file differs"),
            tooltip=[
                alt.Tooltip("campaign_id:N", title="campaign"),
                alt.Tooltip("budget:Q", title=fmt.money_title("budget", "marketing"), format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("clicks:Q", title="clicks", format=","),
                alt.Tooltip("impressions:Q", title="impressions", format=","),
                alt.Tooltip("ctr_computed:Q", title="CTR", format=".2%"),
                alt.Tooltip("cost_per_click:Q", title="cost per click", format=fmt.TOOLTIP_MONEY),
            ],
        )
    )
    fmt.table(campaigns, CAMPAIGN_COLUMNS, key="campaigns")


def http_section() -> None:
    st.subheader("HTTP error rates")
    first, last = common.fetch_row(f"select min(hour_start), max(hour_start) from {common.rel(HOURLY)}")
    if first is None:
        st.info(f"No rows: {HOURLY}.")
        return
    urls = common.fetch(f"select distinct url from {common.rel(HTTP)} order by url").url.tolist()
    left, right = st.columns(2)
    start, end = common.period(
        "Hours between", common.as_date(first), common.as_date(last), key="http_days", container=left
    )
    chosen = common.choose("URLs (all together by default)", urls, key="urls", container=right, default=[])
    period = " cast(hour_start as date) between cast(? as date) and cast(? as date)"
    params = [start.isoformat(), end.isoformat()]
    if chosen:
        rows = common.fetch(
            f"select url, hour_start, requests, errors_4xx, errors_5xx, error_rate from {common.rel(HTTP)}"
            f" where url in {common.in_list(chosen)} and{period} order by hour_start, url",
            [*chosen, *params],
        )
    else:
        rows = common.fetch(
            f"select hour_start, requests, errors_4xx, errors_5xx, error_4xx_rate, error_5xx_rate, error_rate"
            f" from {common.rel(HOURLY)} where{period} order by hour_start",
            params,
        )
    if common.empty_note(rows, "no request in the period"):
        return
    a, b, c = st.columns(3)
    a.metric("Requests in the selection", fmt.number(rows.requests.sum()))
    b.metric("Client errors (4xx)", fmt.number(rows.errors_4xx.sum()))
    c.metric("Server errors (5xx)", fmt.number(rows.errors_5xx.sum()))
    hour = alt.X("hour_start:T", title="hour (UTC)", axis=alt.Axis(format=fmt.AXIS_HOUR))
    if chosen:
        st.caption("Error rate of each chosen URL, hour by hour: (4xx + 5xx) / requests.")
        chart = (
            alt.Chart(rows)
            .mark_line(point=True)
            .encode(
                x=hour,
                y=alt.Y("error_rate:Q", axis=alt.Axis(format="%"), title="error rate"),
                color=alt.Color("url:N", title="URL"),
                tooltip=[
                    alt.Tooltip("hour_start:T", title="hour (UTC)", format=fmt.AXIS_HOUR),
                    alt.Tooltip("url:N", title="URL"),
                    alt.Tooltip("requests:Q", title="requests", format=","),
                    alt.Tooltip("error_rate:Q", title="error rate", format=".2%"),
                ],
            )
        )
    else:
        st.caption("Every URL together, hour by hour: the share of requests answered 4xx and 5xx.")
        long = rows.melt(
            "hour_start", ["error_4xx_rate", "error_5xx_rate"], var_name="kind", value_name="rate"
        ).replace({"kind": {"error_4xx_rate": "client errors (4xx)", "error_5xx_rate": "server errors (5xx)"}})
        chart = (
            alt.Chart(long)
            .mark_area()
            .encode(
                x=hour,
                y=alt.Y("rate:Q", stack=True, axis=alt.Axis(format="%"), title="share of requests"),
                color=alt.Color("kind:N", title=None),
                tooltip=[
                    alt.Tooltip("hour_start:T", title="hour (UTC)", format=fmt.AXIS_HOUR),
                    alt.Tooltip("kind:N", title="errors"),
                    alt.Tooltip("rate:Q", title="share of requests", format=".2%"),
                ],
            )
        )
    st.altair_chart(chart, key="http_chart")


def anomalies_section() -> None:
    st.subheader("Event anomalies")
    first, last = common.fetch_row(f"select min(window_start), max(window_start) from {common.rel(ANOMALIES)}")
    if first is None:
        st.info(f"No rows: {ANOMALIES}.")
        return
    options = common.fetch(
        f"select distinct event_type, country from {common.rel(ANOMALIES)} order by event_type, country"
    )
    a, b, c = st.columns(3)
    start, end = common.period("Windows between", common.as_date(first), common.as_date(last), "event_days", a)
    types = common.choose("Event types", sorted(options.event_type.unique()), key="event_types", container=b)
    countries = common.choose(
        "Countries (all by default)", sorted(options.country.unique()), key="countries", container=c, default=[]
    )
    if not types:
        st.info("Choose at least one event type.")
        return
    where = (
        f" where event_type in {common.in_list(types)}"
        " and cast(window_start as date) between cast(? as date) and cast(? as date)"
    )
    params = [*types, start.isoformat(), end.isoformat()]
    if countries:
        where += f" and country in {common.in_list(countries)}"
        params += countries
    per_type = common.fetch(
        f"select window_start, event_type, sum(events) as events from {common.rel(ANOMALIES)}{where}"
        " group by window_start, event_type order by window_start, event_type",
        params,
    )
    flagged = common.fetch(
        f"select {', '.join(ANOMALY_COLUMNS)} from {common.rel(ANOMALIES)}{where} and is_anomaly"
        " order by window_start, event_type, country",
        params,
    )
    if common.empty_note(per_type, "no event window in the selection"):
        return
    st.caption(
        "Events per 5-minute window (UTC) and event type, over the chosen countries. Shaded in red: the windows in "
        "which a series (event type × country) is an anomaly, its z-score against the previous windows above the "
        "threshold with enough events (README, The marketing domain)."
    )
    window = alt.X("window_start:T", title="window (UTC)", axis=alt.Axis(format=fmt.AXIS_HOUR))
    lines = (
        alt.Chart(per_type)
        .mark_line(point=True)
        .encode(
            x=window,
            y=alt.Y("events:Q", title="events"),
            color=alt.Color("event_type:N", title="event"),
            tooltip=[
                alt.Tooltip("window_start:T", title="window (UTC)", format=fmt.AXIS_HOUR),
                alt.Tooltip("event_type:N", title="event"),
                alt.Tooltip("events:Q", title="events", format=","),
            ],
        )
    )
    chart = lines
    if not flagged.empty:
        bands = flagged.assign(window_end=pd.to_datetime(flagged.window_start) + WINDOW)
        chart = (
            alt.Chart(bands)
            .mark_rect(color="#d62728", opacity=0.25)
            .encode(
                x="window_start:T",
                x2="window_end:T",
                tooltip=[
                    alt.Tooltip("window_start:T", title="anomalous window (UTC)", format=fmt.AXIS_HOUR),
                    alt.Tooltip("event_type:N", title="event"),
                    alt.Tooltip("country:N", title="country"),
                    alt.Tooltip("events:Q", title="events", format=","),
                    alt.Tooltip("z_score:Q", title="z-score", format=".1f"),
                ],
            )
            + lines
        )
    st.altair_chart(chart, key="anomaly_chart")
    st.metric("Anomalous windows in the selection", fmt.number(flagged.window_start.nunique()))
    if not common.empty_note(flagged, "no anomalous window in the selection"):
        fmt.table(flagged, ANOMALY_COLUMNS, key="anomalies")


def body() -> None:
    headline_section()
    campaigns_section()
    http_section()
    anomalies_section()


MARTS = (SUMMARY, CAMPAIGNS, HTTP, HOURLY, ANOMALIES)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Marketing: campaigns, web errors, events",
        domain="marketing",
        marts=MARTS,
        body=body,
        intro="Campaign performance, HTTP error rates per hour, anomalies in 5-minute windows of click events.",
    )
