"""Print where the warehouse is and a few headline figures from the marts (the end of `make demo`).

Through the query layer (serving/warehouse.py): the local DuckDB file read-only, or Athena when DBT_TARGET=prod;
the SQL is the subset both engines share.
"""

import json
import sys

from ingestion import config
from serving.warehouse import Warehouse, WarehouseUnavailable, manifest_path, open_warehouse


def quarantine_models() -> list[str]:
    """The quarantine models of the dbt project (qua_<source>__<table>), from the manifest."""
    nodes = json.loads(manifest_path().read_text())["nodes"].values()
    return sorted(n["name"] for n in nodes if n["resource_type"] == "model" and n["name"].startswith("qua_"))


def headline(warehouse: Warehouse) -> list[str]:
    def rows(sql: str, *marts: str) -> list[tuple]:
        """`sql` with {0}, {1}… standing for the relations of `marts` (schema-qualified for the engine)."""
        return warehouse.fetch(sql.format(*(warehouse.relation(name) for name in marts)))[1]

    lines = []
    risk = rows("select risk_level, count(*) from {0} group by risk_level order by risk_level", "fct_stock__risk")
    [as_of] = rows("select max(as_of_date), max(risk_rule) from {0}", "fct_stock__risk")
    lines.append(
        f"stock: {sum(n for _, n in risk)} product-region pairs as of {as_of[0]} ({as_of[1]}): "
        + ", ".join(f"{level} {n}" for level, n in risk)
    )
    [daily] = rows(
        "select count(*), sum(quantity), sum(sales), min(sale_date), max(sale_date) from {0}", "fct_stock__daily_sales"
    )
    lines.append(
        f"stock: {daily[0]:,} product-region-days, {daily[1] or 0:,} units, ${daily[2] or 0:,.2f} in sales, "
        f"{daily[3]} … {daily[4]}"
    )
    [velib] = rows(
        "select count(*), sum(bikes), sum(case when is_shortage then 1 else 0 end),"
        " sum(case when is_saturated then 1 else 0 end), max(snapshot_at) from {0}",
        "fct_velib__stations_latest",
    )
    [(snapshots,)] = rows("select count(distinct snapshot_at) from {0}", "fct_velib__station_snapshots")
    top = rows(
        "select stationcode, critical_score from {0} order by critical_rank limit 3", "fct_velib__critical_stations_2h"
    )
    lines.append(
        f"velib: {velib[0]} stations over {snapshots} snapshots (latest {velib[4]} UTC): {velib[1]} bikes, "
        f"{velib[2]} in shortage, {velib[3]} saturated; most critical "
        + ", ".join(f"{code} ({score})" for code, score in top)
    )
    [wine] = rows(
        "select products, units, revenue, premium_products, ordinary_products, premium_zscore_threshold from {0}",
        "fct_wine__revenue_summary",
    )
    lines.append(
        f"wine: {wine[0]:,} products, {wine[1]:,} units, {wine[2]:,.2f} € revenue; "
        f"premium (price z-score > {wine[5]:g}) {wine[3]:,}, ordinary {wine[4]:,}"
    )
    [(customers, orders)] = rows("select count(*), sum(sale_orders) from {0}", "dim_shop__customers")
    [(revenue,)] = rows("select sum(revenue) from {0}", "fct_shop__orders")
    [(as_of, gini, share, pareto)] = rows(
        "select as_of_date, gini, share_of_customers, pareto_share from {0}", "fct_shop__concentration"
    )
    lines.append(
        f"shop: {customers:,} customers, {orders or 0:,} sale orders, {revenue or 0:,.2f} in revenue as of {as_of}; "
        f"Gini {gini or 0:.3f}, {share or 0:.1%} of customers make {pareto or 0:.0%} of it"
    )
    lines.append(shop_model_line(rows))
    [sales] = rows(
        "select sum(transactions), sum(revenue), count(distinct product) from {0}",
        "fct_marketing__sales_by_product_payment",
    )
    [http] = rows("select sum(requests), sum(errors_4xx), sum(errors_5xx) from {0}", "fct_marketing__http_errors")
    [campaigns] = rows(
        "select count(*), sum(case when is_ctr_mismatch then 1 else 0 end) from {0}",
        "fct_marketing__campaign_performance",
    )
    [events] = rows(
        "select coalesce(sum(events), 0), count(distinct window_start), sum(case when is_anomaly then 1 else 0 end)"
        " from {0}",
        "fct_marketing__event_anomalies",
    )
    lines.append(
        f"marketing: {sales[0] or 0:,} transactions, {sales[1] or 0:,.2f} in revenue over {sales[2]} products; "
        f"{http[0] or 0:,} web requests ({http[1] or 0:,} 4xx, {http[2] or 0:,} 5xx); {campaigns[0]} campaigns, "
        f"{campaigns[1] or 0} with a ctr that disagrees; {events[0]:,} click events in {events[1]} five-minute "
        f"window(s), {events[2] or 0} anomalous"
    )
    built = [name for name in quarantine_models() if warehouse.columns(name)]
    quarantined = (
        rows(
            "select source_table, reject_reason, count(*) from ("
            + " union all ".join(f"select source_table, reject_reason from {{{i}}}" for i in range(len(built)))
            + ") as quarantined group by source_table, reject_reason order by 1, 2",
            *built,
        )
        if built
        else []
    )
    lines.append(
        "quarantine: "
        + (", ".join(f"{table} {reason} {n}" for table, reason, n in quarantined) or "nothing quarantined")
    )
    return lines


def shop_model_line(rows) -> str:
    """The shop's customer model: the version scoring, its segments, and how it compares with the rule."""
    segments = rows(
        "select model_version, as_of_date, segment, customers, customers_at_risk from {0} order by segment_id",
        "fct_shop__customer_segments",
    )
    if not segments:
        return "shop model: no scores yet (no version published: see docs/shop-ml.md)"
    version, as_of = segments[0][0], segments[0][1]
    metrics = {
        scorer: (auc, brier)
        for scorer, auc, brier in rows(
            "select scorer, roc_auc, brier_score from {0} where is_current", "fct_shop__churn_model_metrics"
        )
    }
    (model_auc, model_brier), (rule_auc, rule_brier) = metrics["model"], metrics["rule"]
    customers = sum(n for *_, n, _ in segments)
    at_risk = sum(n for *_, n in segments)
    return (
        f"shop model {version}: {customers:,} customers scored as of {as_of} in {len(segments)} segments ("
        + ", ".join(f"{name} {n:,}" for _, _, name, n, _ in segments)
        + f"); {at_risk:,} at risk of churning; churn ROC AUC {model_auc:.3f} (rule {rule_auc:.3f}), "
        f"Brier {model_brier:.3f} (rule {rule_brier:.3f})"
    )


def main() -> int:
    warehouse = open_warehouse()
    try:
        figures = headline(warehouse)
    except WarehouseUnavailable as error:
        print(error, file=sys.stderr)
        return 1
    if warehouse.kind == "duckdb":
        print(f"warehouse: {warehouse.path} (DuckDB, the copy the build published: `duckdb -readonly <path>`)")
    else:
        settings = config.aws_settings()
        print(f"warehouse: Athena, schema {settings.athena_schema} (work group {settings.athena_work_group})")
    print(f"lake:      {config.lake_url()}")
    for line in figures:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
