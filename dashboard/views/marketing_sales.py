"""Marketing: sales by payment method and by product, filtered by period, payment method and product."""

import altair as alt
import streamlit as st

from dashboard import common
from dashboard import format as fmt

DAILY = "fct_marketing__daily_sales"
PAIRS = "fct_marketing__sales_by_product_payment"
PAIR_COLUMNS = {
    "product": fmt.text("Product"),
    "payment_method": fmt.text("Payment method"),
    "transactions": fmt.integer("Transactions"),
    "revenue": fmt.amount("Revenue", "marketing"),
    "average_basket": fmt.amount("Average basket", "marketing"),
    "first_transaction_at": fmt.moment("First"),
    "last_transaction_at": fmt.moment("Last"),
}


def body() -> None:
    first, last = common.fetch_row(f"select min(transaction_date), max(transaction_date) from {common.rel(DAILY)}")
    if first is None:
        st.info(f"No rows: {DAILY}.")
        return
    methods = common.fetch(f"select distinct payment_method from {common.rel(DAILY)} order by payment_method")
    products = common.fetch(f"select distinct product from {common.rel(DAILY)} order by product")
    a, b, c = st.columns(3)
    start, end = common.period("Days", common.as_date(first), common.as_date(last), key="days", container=a)
    chosen_methods = common.choose("Payment methods", methods.payment_method.tolist(), key="methods", container=b)
    chosen_products = common.choose("Products (all by default)", products["product"].tolist(), "products", c, [])
    if not chosen_methods:
        st.info("Choose at least one payment method.")
        return
    where = (
        " where transaction_date between cast(? as date) and cast(? as date)"
        f" and payment_method in {common.in_list(chosen_methods)}"
    )
    params = [start.isoformat(), end.isoformat(), *chosen_methods]
    if chosen_products:
        where += f" and product in {common.in_list(chosen_products)}"
        params += chosen_products
    transactions, revenue = common.fetch_row(
        f"select sum(transactions), sum(revenue) from {common.rel(DAILY)}{where}", params
    )
    if not transactions:
        st.info(f"No transaction between {fmt.date(start)} and {fmt.date(end)} in the selection.")
        return
    x, y = st.columns(2)
    x.metric("Transactions in the selection", fmt.number(transactions))
    y.metric("Revenue in the selection", fmt.money(revenue, "marketing"))

    st.subheader("Revenue by payment method")
    by_method = common.fetch(
        f"select payment_method, product, sum(transactions) as transactions, sum(revenue) as revenue"
        f" from {common.rel(DAILY)}{where} group by payment_method, product order by payment_method, product",
        params,
    )
    money = fmt.money_title("revenue", "marketing")
    st.altair_chart(
        alt.Chart(by_method)
        .mark_bar()
        .encode(
            x=alt.X("sum(revenue):Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            y=alt.Y("payment_method:N", sort="-x", title=None),
            color=alt.Color("product:N", title="product"),
            tooltip=[
                alt.Tooltip("payment_method:N", title="payment method"),
                alt.Tooltip("product:N", title="product"),
                alt.Tooltip("revenue:Q", title=money, format=fmt.TOOLTIP_MONEY),
                alt.Tooltip("transactions:Q", title="transactions", format=","),
            ],
        ),
        key="methods_chart",
    )
    st.subheader("Revenue by week and payment method")
    weekly = common.fetch(f"select transaction_date, payment_method, revenue from {common.rel(DAILY)}{where}", params)
    st.altair_chart(
        alt.Chart(weekly)
        .mark_bar()
        .encode(
            x=alt.X("yearweek(transaction_date):T", title="week", axis=alt.Axis(format=fmt.AXIS_DATE)),
            y=alt.Y("sum(revenue):Q", title=money, axis=alt.Axis(format=fmt.AXIS_NUMBER)),
            color=alt.Color("payment_method:N", title="payment method"),
            tooltip=[
                alt.Tooltip("yearweek(transaction_date):T", title="week", format=fmt.AXIS_DATE),
                alt.Tooltip("payment_method:N", title="payment method"),
                alt.Tooltip("sum(revenue):Q", title=money, format=fmt.TOOLTIP_MONEY),
            ],
        ),
        key="weekly_chart",
    )
    st.subheader("Product × payment method, over all days")
    st.caption("Average basket = revenue / transactions of the pair (fct_marketing__sales_by_product_payment).")
    pair_where = f" where payment_method in {common.in_list(chosen_methods)}"
    pair_params = list(chosen_methods)
    if chosen_products:
        pair_where += f" and product in {common.in_list(chosen_products)}"
        pair_params += chosen_products
    pairs = common.fetch(
        f"select {', '.join(PAIR_COLUMNS)} from {common.rel(PAIRS)}{pair_where} order by revenue desc, product",
        pair_params,
    )
    fmt.table(pairs, PAIR_COLUMNS, key="pairs")


MARTS = (DAILY, PAIRS)  # what the page reads (its dbt exposure declares the same)

# Streamlit runs a page as __main__; importing it (tests/test_docs.py) only reads MARTS
if __name__ == "__main__":
    common.page(
        "Marketing: sales by payment method",
        domain="marketing",
        marts=MARTS,
        body=body,
        intro="Sales transactions by payment method and product (the transactions export).",
    )
