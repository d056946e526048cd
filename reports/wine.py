"""The monthly wine reports, from the marts to `reports/wine/<YYYY-MM>/` in the lake.

- `revenue_report.xlsx`: sheet `products` (one row per joined product, fct_wine__product_revenue) and sheet
  `totals` (fct_wine__revenue_summary);
- `premium_products.csv` and `ordinary_products.csv`: the two segments of fct_wine__product_revenue;
- `data_tests.xlsx`: sheet `tests` (each data test of the domain with its status and failing rows count, as
  given by the caller, e.g. the Dagster asset checks of the latest dbt build) and sheet `anomalies`
  (fct_wine__anomalies counted by anomaly).

Plain Python over the query layer (serving/warehouse.py: DuckDB locally, Athena on prod) and a lake: the Dagster
asset (orchestration/domains/wine.py) is a thin wrapper around `write_reports`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ingestion.lake import Lake
from serving.pipeline_status import TestResult
from serving.warehouse import Warehouse

PRODUCT_COLUMNS = ("product_id", "sku", "title", "price", "total_sales", "revenue", "price_zscore", "is_premium")
TOTAL_COLUMNS = ("products", "units", "revenue", "premium_products", "ordinary_products", "price_mean",
                 "price_stddev", "premium_zscore_threshold")  # fmt: skip
FILES = ("revenue_report.xlsx", "premium_products.csv", "ordinary_products.csv", "data_tests.xlsx")


def report_prefix(month: str) -> str:
    return f"reports/wine/{month}/"


def _rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    return warehouse.fetch(sql)[1]


def _xlsx(sheets: dict[str, tuple[Sequence[str], list[Sequence]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(header: Sequence[str], rows: list[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else str(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def write_reports(warehouse: Warehouse, lake: Lake, month: str, tests: list[TestResult]) -> list[str]:
    """Write the four files of `month` (YYYY-MM), replacing a previous run's; returns their keys."""
    products = _rows(
        warehouse,
        f"select {', '.join(PRODUCT_COLUMNS)} from {warehouse.relation('fct_wine__product_revenue')}"
        " order by price_zscore desc nulls last, product_id",
    )
    [totals] = _rows(
        warehouse, f"select {', '.join(TOTAL_COLUMNS)} from {warehouse.relation('fct_wine__revenue_summary')}"
    )
    anomalies = _rows(
        warehouse,
        f"select anomaly, count(*) from {warehouse.relation('fct_wine__anomalies')} group by anomaly order by anomaly",
    )
    extract_columns = PRODUCT_COLUMNS[:-1]
    premium = [row[:-1] for row in products if row[-1]]
    ordinary = [row[:-1] for row in products if not row[-1]]
    files = {
        "revenue_report.xlsx": _xlsx(
            {
                "products": (PRODUCT_COLUMNS, products),
                "totals": (("figure", "value"), list(zip(TOTAL_COLUMNS, totals, strict=True))),
            }
        ),
        "premium_products.csv": _csv(extract_columns, premium),
        "ordinary_products.csv": _csv(extract_columns, ordinary),
        "data_tests.xlsx": _xlsx(
            {
                "tests": (
                    ("test", "asset", "status", "failing_rows"),
                    [(t.test, t.asset, t.status, t.failing_rows) for t in tests],
                ),
                "anomalies": (("anomaly", "rows"), anomalies),
            }
        ),  # fmt: skip
    }
    keys = []
    for name, data in files.items():
        key = report_prefix(month) + name
        lake.replace(key, data)
        keys.append(key)
    return keys
