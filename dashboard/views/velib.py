"""Vélib': the stations on a map by fill rate, the stations in shortage or saturated now, the critical top 10 and
the KPIs by arrondissement, filtered by arrondissement or commune."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

LATEST = "fct_velib__stations_latest"
CRITICAL = "fct_velib__critical_stations_2h"
AREAS = "fct_velib__arrondissement_kpis"
ALERT_COLUMNS = {
    "stationcode": fmt.text("Station"),
    "station_name": fmt.text("Name"),
    "area_name": fmt.text("Area"),
    "state": fmt.text("State"),
    "bikes": fmt.integer("Bikes"),
    "docks": fmt.integer("Free docks"),
    "capacity": fmt.integer("Capacity (docks)"),
    "fill_rate": fmt.rate("Fill rate"),
    "snapshot_at": fmt.moment("Snapshot"),
}
CRITICAL_COLUMNS = {
    "critical_rank": fmt.integer("Rank"),
    "stationcode": fmt.text("Station"),
    "station_name": fmt.text("Name"),
    "area_name": fmt.text("Area"),
    "critical_score": fmt.integer("Critical score"),
    "snapshots": fmt.integer("Snapshots"),
    "empty_snapshots": fmt.integer("Without a bike"),
    "full_snapshots": fmt.integer("Without a free dock"),
    "high_fill_snapshots": fmt.integer("≥ 90 % full"),
    "last_snapshot_at": fmt.moment("Last snapshot"),
}
AREA_COLUMNS = {
    "area_name": fmt.text("Area"),
    "area_type": fmt.text("Type"),
    "stations": fmt.integer("Stations"),
    "installed_stations": fmt.integer("Installed"),
    "bikes": fmt.integer("Bikes"),
    "docks": fmt.integer("Free docks"),
    "capacity": fmt.integer("Capacity (docks)"),
    "mean_fill_rate": fmt.rate("Mean fill rate"),
    "shortage_count": fmt.integer("In shortage"),
    "saturation_count": fmt.integer("Saturated"),
    "snapshot_at": fmt.moment("Snapshot"),
}


def areas_filter() -> list[str]:
    areas = common.fetch(
        f"select distinct area_type, arrondissement, area_name from {common.rel(LATEST)}"
        " order by area_type, arrondissement, area_name"
    ).area_name.tolist()
    return common.choose("Arrondissements and communes (all by default)", areas, key="areas", default=[])


def stations_section(areas: list[str], where: str) -> None:
    stations = common.fetch(
        "select stationcode, station_name, area_name, latitude, longitude, bikes, docks, fill_rate, is_shortage,"
        f" is_saturated, snapshot_at from {common.rel(LATEST)}{where} order by stationcode",
        areas,
    )
    if common.empty_note(stations, f"{LATEST} has no station in the chosen areas"):
        return
    a, b, c, d = st.columns(4)
    a.metric("Stations", fmt.number(len(stations)))
    b.metric("Bikes available", fmt.number(stations.bikes.sum()))
    c.metric("In shortage", fmt.number(stations.is_shortage.sum()))
    d.metric("Saturated", fmt.number(stations.is_saturated.sum()))
    newest = fmt.timestamp(stations.snapshot_at.max())
    st.caption(f"Each station as of its own latest snapshot; the newest is {newest}.")

    st.subheader("Stations by fill rate")
    located = stations.dropna(subset=["latitude", "longitude"])
    st.caption(
        f"{fmt.number(len(located))} stations with coordinates; fill rate = bikes / (bikes + free docks); grey: no "
        "bike and no dock. Drawn on a Mercator projection, without map tiles."
    )
    base = alt.Chart(located).encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
        tooltip=[
            alt.Tooltip("stationcode:N", title="station"),
            alt.Tooltip("station_name:N", title="name"),
            alt.Tooltip("area_name:N", title="area"),
            alt.Tooltip("bikes:Q", title="bikes"),
            alt.Tooltip("docks:Q", title="free docks"),
            alt.Tooltip("fill_rate:Q", title="fill rate", format=".0%"),
        ],
    )
    filled = (
        base.transform_filter("isValid(datum.fill_rate)")
        .mark_circle(size=60, opacity=0.85)
        .encode(
            color=alt.Color(
                "fill_rate:Q",
                scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]),
                title="fill rate",
                legend=alt.Legend(format=".0%"),
            )
        )
    )
    unknown = base.transform_filter("!isValid(datum.fill_rate)").mark_circle(size=60, color="#9e9e9e")
    st.altair_chart((filled + unknown).project(type="mercator").properties(height=520), key="station_map")


def alerts_section(areas: list[str], where: str) -> None:
    st.subheader("In shortage or saturated now")
    st.caption(
        "Shortage: installed and no bike. Saturated: installed and no free dock, or at least 90 % full. Each "
        "station as of its latest snapshot."
    )
    joiner = " and" if where else " where"
    alerts = common.fetch(
        "select stationcode, station_name, area_name,"
        " case when is_shortage then 'shortage' else 'saturated' end as state,"
        f" bikes, docks, capacity, fill_rate, snapshot_at from {common.rel(LATEST)}{where}{joiner}"
        " (is_shortage or is_saturated) order by is_shortage desc, area_name, stationcode",
        areas,
    )
    if not common.empty_note(alerts, "no station in shortage or saturated in the chosen areas"):
        fmt.table(alerts, ALERT_COLUMNS, key="alerts")


def critical_section(areas: list[str], where: str) -> None:
    st.subheader("Most critical stations over the last two hours")
    critical = common.fetch(
        f"select {', '.join(CRITICAL_COLUMNS)} from {common.rel(CRITICAL)}{where} order by critical_rank", areas
    )
    st.caption("Critical score = 2 × snapshots without a bike + 2 × without a free dock + snapshots ≥ 90 % full.")
    if not common.empty_note(critical, f"{CRITICAL} has no station in the chosen areas"):
        fmt.table(critical, CRITICAL_COLUMNS, key="critical")


def areas_section(areas: list[str], where: str) -> None:
    st.subheader("By arrondissement (and commune outside Paris), latest snapshot")
    rows = common.fetch(
        f"select {', '.join(AREA_COLUMNS)} from {common.rel(AREAS)}{where}"
        " order by area_type, arrondissement, area_name",
        areas,
    )
    if not common.empty_note(rows, f"{AREAS} has no row for the chosen areas"):
        fmt.table(rows, AREA_COLUMNS, key="areas_table")


def body() -> None:
    areas = areas_filter()
    where = f" where area_name in {common.in_list(areas)}" if areas else ""
    stations_section(areas, where)
    alerts_section(areas, where)
    critical_section(areas, where)
    areas_section(areas, where)


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
