"""The dashboard's front page: each domain's headline figures (from its marts) and links to its pages."""

from collections.abc import Callable

import streamlit as st

from dashboard import common
from dashboard import format as fmt
from serving.warehouse import WarehouseUnavailable, built_tables

RISK = "fct_stock__risk"
STATIONS = "fct_velib__stations_latest"
WINE = "fct_wine__revenue_summary"
SHOP = "fct_shop__summary"
MARKETING = "fct_marketing__summary"
DOMAINS = {  # domain → (heading, the mart of its figures, its pages: (file, label))
    "stock": ("Stock", RISK, [("views/stock.py", "Stock-out risk"), ("views/stock_sales.py", "Sales evolution")]),
    "velib": ("Vélib'", STATIONS, [("views/velib.py", "Station availability")]),
    "wine": ("Wine", WINE, [("views/wine.py", "Revenue and premium products")]),
    "shop": ("Shop", SHOP, [
        ("views/shop.py", "Customer analytics"), ("views/shop_evolution.py", "Revenue over time"),
        ("views/shop_countries.py", "Revenue by country"), ("views/shop_products.py", "Product performance"),
        ("views/shop_seasonality.py", "Seasonality"), ("views/shop_quality.py", "Data quality"),
    ]),
    "marketing": ("Marketing", MARKETING, [
        ("views/marketing.py", "Campaigns, web errors, events"),
        ("views/marketing_sales.py", "Sales by payment method"), ("views/marketing_social.py", "Social engagement"),
    ]),
}  # fmt: skip


def stock() -> None:
    as_of = common.fetch_row(f"select max(as_of_date) from {common.rel(RISK)}")[0]
    levels = common.fetch(f"select risk_level, count(*) as pairs from {common.rel(RISK)} group by risk_level")
    counts = dict(zip(levels.risk_level, levels.pairs, strict=True))
    a, b, c = st.columns(3)
    for column, level in zip((a, b, c), ("HIGH", "MEDIUM", "LOW"), strict=True):
        column.metric(f"{level} pairs", fmt.number(counts.get(level, 0)))
    st.caption(f"Stock-out risk as of {fmt.date(as_of)}.")


def velib() -> None:
    stations, bikes, shortage, saturated, newest = common.fetch_row(
        "select count(*), sum(bikes), sum(case when is_shortage then 1 else 0 end),"
        f" sum(case when is_saturated then 1 else 0 end), max(snapshot_at) from {common.rel(STATIONS)}"
    )
    a, b, c, d = st.columns(4)
    a.metric("Stations", fmt.number(stations))
    b.metric("Bikes available", fmt.number(bikes))
    c.metric("In shortage", fmt.number(shortage))
    d.metric("Saturated", fmt.number(saturated))
    st.caption(f"Latest snapshot {fmt.timestamp(newest)}.")


def wine() -> None:
    products, revenue, premium = common.fetch_row(f"select products, revenue, premium_products from {common.rel(WINE)}")
    a, b, c = st.columns(3)
    a.metric("Products", fmt.number(products))
    b.metric("Revenue", fmt.money(revenue, "wine"))
    c.metric("Premium products", fmt.number(premium))


def shop() -> None:
    as_of, customers, revenue, aov, churn_rate = common.fetch_row(
        f"select as_of_date, customers, revenue, average_order_value, churn_rate from {common.rel(SHOP)}"
    )
    a, b, c, d = st.columns(4)
    a.metric("Customers", fmt.number(customers))
    b.metric("Net revenue", fmt.money(revenue, "shop"))
    c.metric("Average order value", fmt.money(aov, "shop"))
    d.metric("Churn rate", fmt.percent(churn_rate))
    st.caption(f"As of {fmt.date(as_of)}.")


def marketing() -> None:
    revenue, ctr, error_rate, anomalous = common.fetch_row(
        f"select revenue, ctr, http_error_rate, anomalous_windows from {common.rel(MARKETING)}"
    )
    a, b, c, d = st.columns(4)
    a.metric("Sales revenue", fmt.money(revenue, "marketing"))
    b.metric("Click-through rate", fmt.percent(ctr, 2))
    c.metric("HTTP error rate", fmt.percent(error_rate, 2))
    d.metric("Anomalous event windows", fmt.number(anomalous))


FIGURES: dict[str, Callable[[], None]] = {
    "stock": stock, "velib": velib, "wine": wine, "shop": shop, "marketing": marketing,
}  # fmt: skip
MARTS = tuple(mart for _, mart, _ in DOMAINS.values())  # what the page reads (its dbt exposure declares the same)


def body() -> None:
    try:
        built = built_tables(common.warehouse())
    except WarehouseUnavailable as error:
        st.info(f"The warehouse is not built yet: {error}.")
        built = set()
    for domain, (heading, mart, pages) in DOMAINS.items():
        with st.container(border=True):
            st.subheader(heading)
            if mart not in built:
                st.caption(f"Not built yet ({mart}): `make demo`, or the {domain} job.")
            else:
                FIGURES[domain]()
            for path, label in pages:
                st.page_link(path, label=label, icon=":material/arrow_forward:")


if __name__ == "__main__":
    st.title("Tributary")
    st.caption(
        "Dashboards over the marts of the warehouse (DuckDB locally, Athena with DBT_TARGET=prod), read through the "
        "same query layer as the API (serving/warehouse.py). Each page says when its data was last refreshed."
    )
    body()
