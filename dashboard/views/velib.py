"""Vélib': a map of the stations coloured by fill rate, the critical top 10, the KPIs by arrondissement."""

import altair as alt
import streamlit as st

from dashboard import common

LATEST = "fct_velib__stations_latest"
CRITICAL = "fct_velib__critical_stations_2h"
AREAS = "fct_velib__arrondissement_kpis"
CRITICAL_COLUMNS = ("critical_rank", "stationcode", "station_name", "area_name", "critical_score", "snapshots",
                    "empty_snapshots", "full_snapshots", "high_fill_snapshots", "last_snapshot_at")  # fmt: skip
AREA_COLUMNS = ("area_name", "area_type", "stations", "installed_stations", "bikes", "docks", "capacity",
                "mean_fill_rate", "shortage_count", "saturation_count", "snapshot_at")  # fmt: skip


def stations_section() -> None:
    stations = common.fetch(
        "select stationcode, station_name, area_name, latitude, longitude, bikes, docks, fill_rate, is_shortage,"
        f" is_saturated, snapshot_at from {common.rel(LATEST)} order by stationcode"
    )
    if common.empty_note(stations, LATEST):
        return
    a, b, c, d = st.columns(4)
    a.metric("Stations", f"{len(stations):,}")
    b.metric("Bikes available", f"{int(stations.bikes.sum()):,}")
    c.metric("In shortage", int(stations.is_shortage.sum()))
    d.metric("Saturated", int(stations.is_saturated.sum()))
    st.caption(f"Each station as of its own latest snapshot; the newest is {stations.snapshot_at.max()} UTC.")

    st.subheader("Stations by fill rate")
    located = stations.dropna(subset=["latitude", "longitude"])
    st.caption(
        f"{len(located)} stations with coordinates, bikes / (bikes + free docks); grey: no bike and no dock. "
        "Drawn on a Mercator projection, without map tiles."
    )
    base = alt.Chart(located).encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
        tooltip=[
            "stationcode",
            "station_name",
            "area_name",
            "bikes",
            "docks",
            alt.Tooltip("fill_rate:Q", format=".0%"),
        ],  # fmt: skip
    )
    filled = (
        base.transform_filter("isValid(datum.fill_rate)")
        .mark_circle(size=60, opacity=0.85)
        .encode(
            color=alt.Color("fill_rate:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]), title="fill rate")
        )
    )
    unknown = base.transform_filter("!isValid(datum.fill_rate)").mark_circle(size=60, color="#9e9e9e")
    chart = (filled + unknown).project(type="mercator").properties(height=520)
    st.altair_chart(chart, key="station_map")


def critical_section() -> None:
    st.subheader("Most critical stations over the last two hours")
    critical = common.fetch(f"select {', '.join(CRITICAL_COLUMNS)} from {common.rel(CRITICAL)} order by critical_rank")
    st.caption("critical score = 2 × snapshots without a bike + 2 × without a free dock + snapshots ≥ 90 % full.")
    if not common.empty_note(critical, CRITICAL):
        st.dataframe(critical, hide_index=True, key="critical")


def areas_section() -> None:
    st.subheader("By arrondissement (and commune outside Paris), latest snapshot")
    areas = common.fetch(
        f"select {', '.join(AREA_COLUMNS)} from {common.rel(AREAS)} order by area_type, arrondissement, area_name"
    )
    if not common.empty_note(areas, AREAS):
        st.dataframe(areas, hide_index=True, key="areas")


def body() -> None:
    stations_section()
    critical_section()
    areas_section()


MARTS = (LATEST, CRITICAL, AREAS)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Vélib': station availability",
        domain="velib",
        marts=MARTS,
        body=body,
        intro="Availability KPIs from the snapshots taken every 15 minutes (README, The velib domain).",
    )
