"""The dashboard's front page: what each domain page shows, with a link to it."""

import streamlit as st

PAGES = (
    ("views/stock.py", "Stock", "stock-out risk per product and region, the HIGH pairs, sales by product and region"),
    ("views/velib.py", "Vélib'", "stations by fill rate on a map, the ten most critical, KPIs by arrondissement"),
    ("views/wine.py", "Wine", "revenue by product, premium vs ordinary, the data-test results"),
    ("views/shop.py", "Shop", "RFM segments, cohort retention, CLV, the Pareto curve and the Gini coefficient"),
    ("views/marketing.py", "Marketing", "campaign performance, HTTP error rates over time, event anomalies"),
)

st.title("Tributary")
st.caption(
    "Dashboards over the marts of the warehouse (DuckDB locally, Athena with DBT_TARGET=prod), read through the "
    "same query layer as the API (serving/warehouse.py). Each page says when its data was last refreshed."
)
for path, label, what in PAGES:
    st.page_link(path, label=f"{label}: {what}")
