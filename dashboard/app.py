"""The Tributary dashboard: one page per domain over the marts (`make dashboard`).

Run from the repository root: `python -m dashboard` (host and port from ingestion/config.py), or
`streamlit run dashboard/app.py`.
"""

import streamlit as st

st.set_page_config(page_title="Tributary", layout="wide")

PAGES = [
    st.Page("views/home.py", title="Overview", default=True),
    st.Page("views/stock.py", title="Stock", url_path="stock"),
    st.Page("views/velib.py", title="Vélib'", url_path="velib"),
    st.Page("views/wine.py", title="Wine", url_path="wine"),
    st.Page("views/shop.py", title="Shop", url_path="shop"),
    st.Page("views/shop_ml.py", title="Shop segments and churn", url_path="shop_ml"),
    st.Page("views/marketing.py", title="Marketing", url_path="marketing"),
]

st.navigation(PAGES).run()
