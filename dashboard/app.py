"""The Tributary dashboard: pages per domain over the marts (`make dashboard`).

Run from the repository root: `python -m dashboard` (host and port from ingestion/config.py), or
`streamlit run dashboard/app.py`.
"""

import streamlit as st

st.set_page_config(page_title="Tributary", layout="wide")

# Each page's url_path is its file name, which its dbt exposure's url ends with (tests/test_docs.py checks it).
PAGES = {
    "": [st.Page("views/home.py", title="Overview", default=True)],
    "Stock": [
        st.Page("views/stock.py", title="Stock-out risk", url_path="stock"),
        st.Page("views/stock_sales.py", title="Sales evolution", url_path="stock_sales"),
    ],
    "Vélib'": [st.Page("views/velib.py", title="Station availability", url_path="velib")],
    "Wine": [st.Page("views/wine.py", title="Revenue and premium products", url_path="wine")],
    "Shop": [
        st.Page("views/shop.py", title="Customer analytics", url_path="shop"),
        st.Page("views/shop_ml.py", title="Segments and churn", url_path="shop_ml"),
        st.Page("views/shop_evolution.py", title="Revenue over time", url_path="shop_evolution"),
        st.Page("views/shop_countries.py", title="Revenue by country", url_path="shop_countries"),
        st.Page("views/shop_products.py", title="Product performance", url_path="shop_products"),
        st.Page("views/shop_seasonality.py", title="Seasonality", url_path="shop_seasonality"),
        st.Page("views/shop_quality.py", title="Data quality", url_path="shop_quality"),
    ],
    "Marketing": [
        st.Page("views/marketing.py", title="Campaigns, web errors, events", url_path="marketing"),
        st.Page("views/marketing_sales.py", title="Sales by payment method", url_path="marketing_sales"),
        st.Page("views/marketing_social.py", title="Social engagement", url_path="marketing_social"),
    ],
}

st.navigation(PAGES).run()
