"""Print where the warehouse is and a few headline figures from the marts (the end of `make demo`)."""

import sys

import duckdb

from ingestion import config


def headline(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = []
    risk = con.sql(
        "select risk_level, count(*) from main.fct_stock__risk group by risk_level order by risk_level"
    ).fetchall()
    as_of = con.sql("select max(as_of_date), max(risk_rule) from main.fct_stock__risk").fetchone()
    lines.append(
        f"stock: {sum(n for _, n in risk)} product-region pairs as of {as_of[0]} ({as_of[1]}): "
        + ", ".join(f"{level} {n}" for level, n in risk)
    )
    daily = con.sql(
        "select count(*), sum(quantity), sum(sales), min(sale_date), max(sale_date) from main.fct_stock__daily_sales"
    ).fetchone()
    lines.append(
        f"stock: {daily[0]:,} product-region-days, {daily[1]:,} units, ${daily[2]:,.2f} in sales, "
        f"{daily[3]} … {daily[4]}"
    )
    velib = con.sql(
        "select count(*), sum(bikes), sum(case when is_shortage then 1 else 0 end),"
        " sum(case when is_saturated then 1 else 0 end), max(snapshot_at) from main.fct_velib__stations_latest"
    ).fetchone()
    snapshots = con.sql("select count(distinct snapshot_at) from main.fct_velib__station_snapshots").fetchone()[0]
    top = con.sql(
        "select stationcode, critical_score from main.fct_velib__critical_stations_2h order by critical_rank limit 3"
    ).fetchall()
    lines.append(
        f"velib: {velib[0]} stations over {snapshots} snapshots (latest {velib[4]} UTC): {velib[1]} bikes, "
        f"{velib[2]} in shortage, {velib[3]} saturated; most critical "
        + ", ".join(f"{code} ({score})" for code, score in top)
    )
    wine = con.sql(
        "select products, units, revenue, premium_products, ordinary_products, premium_zscore_threshold"
        " from main.fct_wine__revenue_summary"
    ).fetchone()
    lines.append(
        f"wine: {wine[0]:,} products, {wine[1]:,} units, {wine[2]:,.2f} € revenue; "
        f"premium (price z-score > {wine[5]:g}) {wine[3]:,}, ordinary {wine[4]:,}"
    )
    customers, orders = con.sql("select count(*), sum(sale_orders) from main.dim_shop__customers").fetchone()
    revenue = con.sql("select sum(revenue) from main.fct_shop__orders").fetchone()[0] or 0
    as_of, gini, share, pareto = con.sql(
        "select as_of_date, gini, share_of_customers, pareto_share from main.fct_shop__concentration"
    ).fetchone()
    lines.append(
        f"shop: {customers:,} customers, {orders or 0:,} sale orders, {revenue:,.2f} in revenue as of {as_of}; "
        f"Gini {gini or 0:.3f}, {share or 0:.1%} of customers make {pareto:.0%} of it"
    )
    sales = con.sql(
        "select sum(transactions), sum(revenue), count(distinct product)"
        " from main.fct_marketing__sales_by_product_payment"
    ).fetchone()
    http = con.sql(
        "select sum(requests), sum(errors_4xx), sum(errors_5xx) from main.fct_marketing__http_errors"
    ).fetchone()
    campaigns = con.sql(
        "select count(*), sum(case when is_ctr_mismatch then 1 else 0 end)"
        " from main.fct_marketing__campaign_performance"
    ).fetchone()
    events = con.sql(
        "select coalesce(sum(events), 0), count(distinct window_start), sum(case when is_anomaly then 1 else 0 end)"
        " from main.fct_marketing__event_anomalies"
    ).fetchone()
    lines.append(
        f"marketing: {sales[0] or 0:,} transactions, {sales[1] or 0:,.2f} in revenue over {sales[2]} products; "
        f"{http[0] or 0:,} web requests ({http[1] or 0:,} 4xx, {http[2] or 0:,} 5xx); {campaigns[0]} campaigns, "
        f"{campaigns[1] or 0} with a ctr that disagrees; {events[0]:,} click events in {events[1]} five-minute "
        f"window(s), {events[2] or 0} anomalous"
    )
    quarantine_models = [
        name
        for (name,) in con.sql(
            "select table_name from information_schema.tables"
            " where table_schema = 'main' and starts_with(table_name, 'qua_')"
        ).fetchall()
    ]
    quarantined = (
        con.sql(
            "select source_table, reject_reason, count(*) from ("
            + " union all ".join(
                f"select source_table, reject_reason from main.{name}" for name in sorted(quarantine_models)
            )
            + ") group by all order by 1, 2"
        ).fetchall()
        if quarantine_models
        else []
    )
    lines.append(
        "quarantine: "
        + (", ".join(f"{table} {reason} {n}" for table, reason, n in quarantined) or "nothing quarantined")
    )
    return lines


def main() -> int:
    path = config.duckdb_path()
    if not path.exists():
        print(f"no warehouse at {path}: run `make demo` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        print(f"warehouse: {path} (DuckDB; open it with `duckdb {path}` or any DuckDB client)")
        print(f"lake:      {config.lake_url()}")
        for line in headline(con):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
