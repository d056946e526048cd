"""Shop: the data-quality report of the shop sources (fct_shop__data_quality, one row per build × source table ×
column): completeness, uniqueness and validity at the latest build, and their history, filtered by source table
and period."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

QUALITY = "fct_shop__data_quality"
COLUMNS = {
    "source_table": fmt.text("Source table"),
    "column_name": fmt.text("Column"),
    "raw_rows": fmt.integer("Raw lines"),
    "quarantined_rows": fmt.integer("Quarantined"),
    "rows_checked": fmt.integer("Lines checked"),
    "non_null_rows": fmt.integer("With a value"),
    "distinct_values": fmt.integer("Distinct values"),
    "valid_rows": fmt.integer("Valid"),
    "completeness_rate": fmt.rate("Completeness"),
    "uniqueness_rate": fmt.rate("Uniqueness"),
    "validity_rate": fmt.rate("Validity"),
}
RATES = {"completeness_rate": "completeness", "uniqueness_rate": "uniqueness", "validity_rate": "validity"}


def body() -> None:
    first, last, builds = common.fetch_row(
        f"select min(run_started_at), max(run_started_at), count(distinct invocation_id) from {common.rel(QUALITY)}"
    )
    tables = common.fetch(f"select distinct source_table from {common.rel(QUALITY)} order by source_table")
    left, right = st.columns(2)
    chosen = common.choose("Source tables", tables.source_table.tolist(), key="tables", container=left)
    start, end = common.period(
        "Builds between", common.as_date(first), common.as_date(last), key="builds", container=right
    )
    if not chosen:
        st.info("Choose at least one source table.")
        return
    where = (
        f" where source_table in {common.in_list(chosen)}"
        " and cast(run_started_at as date) between cast(? as date) and cast(? as date)"
    )
    params = [*chosen, start.isoformat(), end.isoformat()]
    latest = common.fetch_row(f"select max(run_started_at) from {common.rel(QUALITY)}{where}", params)[0]
    if latest is None:
        st.info(f"No build between {fmt.date(start)} and {fmt.date(end)}.")
        return
    report = common.fetch(
        f"select {', '.join(COLUMNS)} from {common.rel(QUALITY)}{where} and run_started_at = cast(? as timestamp)"
        " order by source_table, column_name",
        [*params, f"{latest:%Y-%m-%d %H:%M:%S}"],
    )
    below = report[(report.validity_rate < 1) | (report.completeness_rate < 1)]
    a, b, c = st.columns(3)
    a.metric("Builds recorded", fmt.number(builds))
    b.metric("Latest build in the period", fmt.timestamp(latest))
    c.metric("Columns not complete or not all valid", fmt.number(len(below)))
    st.caption(
        "Over the lines whose fields can be read: completeness = lines with a value / lines checked; uniqueness = "
        "distinct values / lines with a value; validity = values passing the column's staging rule / lines with "
        "a value."
    )
    st.subheader("At the latest build")
    fmt.table(report, COLUMNS, key="report")

    st.subheader("Over the builds")
    history = common.fetch(
        f"select run_started_at, source_table, column_name, completeness_rate, validity_rate from {common.rel(QUALITY)}"
        f"{where} order by run_started_at, source_table, column_name",
        params,
    )
    history["column"] = history.source_table + "." + history.column_name
    measure = st.radio("Rate", ["validity_rate", "completeness_rate"], format_func=RATES.get, horizontal=True)
    st.altair_chart(
        alt.Chart(history)
        .mark_line(point=True)
        .encode(
            x=alt.X("run_started_at:T", title="build (UTC)", axis=alt.Axis(format=fmt.AXIS_HOUR)),
            y=alt.Y(f"{measure}:Q", title=RATES[measure], axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
            color=alt.Color("column:N", title="column"),
            tooltip=[
                alt.Tooltip("run_started_at:T", title="build", format=fmt.AXIS_HOUR),
                alt.Tooltip("column:N", title="column"),
                alt.Tooltip(f"{measure}:Q", title=RATES[measure], format=".2%"),
            ],
        ),
        key="quality_chart",
    )


MARTS = (QUALITY,)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Shop: data quality",
        domain="shop",
        marts=MARTS,
        body=body,
        intro="The quality report of the shop sources, recorded at every build (fct_shop__data_quality).",
    )
