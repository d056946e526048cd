"""Stock: the risk now (pairs per level, the HIGH pairs with their figures) and its daily history (pairs per level
over time, the history of one pair), filtered by region and period."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

RISK = "fct_stock__risk"
HISTORY = "fct_stock__risk_history"
LEVELS = ["HIGH", "MEDIUM", "LOW"]
COLOURS = alt.Scale(domain=LEVELS, range=["#d62728", "#ff9f0e", "#2ca02c"])
HIGH_COLUMNS = {
    "product_id": fmt.text("Product"),
    "product_name": fmt.text("Name"),
    "region": fmt.text("Region"),
    "sub_category": fmt.text("Sub-category"),
    "on_hand": fmt.decimal_("On hand (units)", 1),
    "on_hand_source": fmt.text("On hand from"),
    "demand_per_day": fmt.decimal_("Demand (units/day)", 2),
    "days_of_cover": fmt.decimal_("Cover (days)", 1),
    "lead_time_days": fmt.integer("Lead time (days)"),
    "safety_days": fmt.integer("Safety (days)"),
    "risk_reason": fmt.text("Why"),
}
PAIR_COLUMNS = {
    "as_of_date": fmt.day("As of"),
    "risk_level": fmt.text("Risk"),
    "on_hand": fmt.decimal_("On hand (units)", 1),
    "demand_per_day": fmt.decimal_("Demand (units/day)", 2),
    "days_of_cover": fmt.decimal_("Cover (days)", 1),
    "lead_time_days": fmt.integer("Lead time (days)"),
    "risk_reason": fmt.text("Why"),
}


def regions_filter() -> list[str]:
    regions = common.fetch(f"select distinct region from {common.rel(RISK)} order by region").region.tolist()
    return common.choose("Regions", regions, key="regions")


def risk_section(regions: list[str]) -> None:
    where = f" where region in {common.in_list(regions)}"
    levels = common.fetch(
        f"select risk_level, count(*) as pairs from {common.rel(RISK)}{where} group by risk_level", regions
    )
    as_of, rule = common.fetch_row(f"select max(as_of_date), max(risk_rule) from {common.rel(RISK)}")
    counts = dict(zip(levels.risk_level, levels.pairs, strict=True))
    st.subheader("Risk now")
    st.caption(
        f"{fmt.number(sum(counts.values()))} product × region pairs as of {fmt.date(as_of)} (rule {rule}): HIGH when "
        "the days of cover are below the supplier lead time, MEDIUM below lead time + safety days."
    )
    for column, level in zip(st.columns(len(LEVELS)), LEVELS, strict=True):
        column.metric(f"{level} pairs", fmt.number(counts.get(level, 0)))
    if levels.empty:
        st.info("No pair in the chosen regions.")
        return
    st.altair_chart(
        alt.Chart(levels)
        .mark_bar()
        .encode(
            x=alt.X("risk_level:N", sort=LEVELS, title="risk level", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("pairs:Q", title="pairs", axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            color=alt.Color("risk_level:N", scale=COLOURS, legend=None),
            tooltip=[alt.Tooltip("risk_level:N", title="risk"), alt.Tooltip("pairs:Q", title="pairs")],
        )
        .properties(height=220)
    )

    st.subheader("HIGH pairs")
    high = common.fetch(
        f"select {', '.join(HIGH_COLUMNS)} from {common.rel(RISK)}{where} and risk_level = ?"
        " order by days_of_cover, product_id, region",
        [*regions, "HIGH"],
    )
    if not common.empty_note(high, "no pair at HIGH risk in the chosen regions"):
        fmt.table(high, HIGH_COLUMNS, key="high_pairs")


def history_section(regions: list[str]) -> None:
    st.subheader("Risk history")
    first, last, days = common.fetch_row(
        f"select min(as_of_date), max(as_of_date), count(distinct as_of_date) from {common.rel(HISTORY)}"
    )
    if first is None:
        st.info(f"No day recorded yet in {HISTORY}: every build of the stock marts records its as-of date.")
        return
    st.caption(
        f"One row per pair per day, recorded by each build ({fmt.count(days, 'day')} from {fmt.date(first)} to "
        f"{fmt.date(last)}); a backfill (stock_as_of_date set) fills a past day."
    )
    start, end = common.period("As-of dates", common.as_date(first), common.as_date(last), key="history_days")
    where = f" where region in {common.in_list(regions)} and as_of_date between cast(? as date) and cast(? as date)"
    params = [*regions, start.isoformat(), end.isoformat()]
    counts = common.fetch(
        f"select as_of_date, risk_level, count(*) as pairs from {common.rel(HISTORY)}{where}"
        " group by as_of_date, risk_level order by as_of_date, risk_level",
        params,
    )
    if common.empty_note(counts, "no recorded day in the chosen period and regions"):
        return
    # a level without a pair on a day is drawn at 0, not left out
    counts = (
        counts.pivot(index="as_of_date", columns="risk_level", values="pairs")
        .reindex(columns=LEVELS)
        .fillna(0)
        .reset_index()
        .melt("as_of_date", var_name="risk_level", value_name="pairs")
    )
    st.markdown("**Pairs per risk level, day by day**")
    st.altair_chart(
        alt.Chart(counts)
        .mark_line(point=True)
        .encode(
            x=alt.X("as_of_date:T", title="as of", axis=alt.Axis(format=fmt.AXIS_DATE)),
            y=alt.Y("pairs:Q", title="pairs", axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            color=alt.Color("risk_level:N", scale=COLOURS, title="risk"),
            tooltip=[
                alt.Tooltip("as_of_date:T", title="as of", format=fmt.AXIS_DATE),
                alt.Tooltip("risk_level:N", title="risk"),
                alt.Tooltip("pairs:Q", title="pairs"),
            ],
        ),
        key="history_chart",
    )

    pairs = common.fetch(
        f"select distinct product_id, product_name, region from {common.rel(HISTORY)}{where}"
        " order by product_id, region",
        params,
    )
    labels = {
        f"{row.product_name} ({row.product_id}), {row.region}": (row.product_id, row.region)
        for row in pairs.itertuples()
    }
    high = common.fetch_row(
        f"select product_id, region from {common.rel(RISK)} where region in {common.in_list(regions)}"
        " and risk_level = ? order by days_of_cover, product_id, region",
        [*regions, "HIGH"],
    )
    default = next((i for i, pair in enumerate(labels.values()) if pair == tuple(high or ())), 0)
    chosen = st.selectbox("Pair (the first HIGH pair by default)", list(labels), index=default, key="pair")
    product_id, region = labels[chosen]
    history = common.fetch(
        f"select {', '.join(PAIR_COLUMNS)} from {common.rel(HISTORY)} where product_id = ? and region = ?"
        " and as_of_date between cast(? as date) and cast(? as date) order by as_of_date",
        [product_id, region, start.isoformat(), end.isoformat()],
    )
    st.altair_chart(
        alt.Chart(history)
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True), color="#9e9e9e")
        .encode(
            x=alt.X("as_of_date:T", title="as of", axis=alt.Axis(format=fmt.AXIS_DATE)),
            y=alt.Y("days_of_cover:Q", title="days of cover", axis=alt.Axis(format=",.1f")),
            tooltip=[
                alt.Tooltip("as_of_date:T", title="as of", format=fmt.AXIS_DATE),
                alt.Tooltip("risk_level:N", title="risk"),
                alt.Tooltip("on_hand:Q", title="on hand (units)", format=",.1f"),
                alt.Tooltip("days_of_cover:Q", title="cover (days)", format=",.1f"),
            ],
        )
        + alt.Chart(history)
        .mark_point(size=90, filled=True)
        .encode(
            x="as_of_date:T",
            y="days_of_cover:Q",
            color=alt.Color("risk_level:N", scale=COLOURS, title="risk"),
        ),
        key="pair_chart",
    )
    fmt.table(history, PAIR_COLUMNS, key="pair_history")


def body() -> None:
    regions = regions_filter()
    if not regions:
        st.info("Choose at least one region.")
        return
    risk_section(regions)
    history_section(regions)


MARTS = (RISK, HISTORY)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Stock: stock-out risk",
        domain="stock",
        marts=MARTS,
        body=body,
        intro="Risk per product and region, (R, S) policy (README, The stock domain), now and day by day.",
    )
