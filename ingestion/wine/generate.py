"""Sample data for the wine domain, shaped like the real BottleNeck files (three xlsx workbooks).

- erp.xlsx (product_id, onsale_web, price, stock_quantity, stock_status): prices as Excel numbers (whole ones
  come back as integers, others as floats), a few negative prices and stock quantities, stock_status
  contradicting stock_quantity on some rows;
- web.xlsx, the 28-column WooCommerce export: a `product` row and an `attachment` row per sku, empty rows
  (only the 0/1 flags filled, as in the real export), products without sku, a gift card with a text sku;
- liaison.xlsx (product_id, id_web): empty id_web for products not on the web, non-numeric id_web ('13127-1',
  'bon-cadeau-25-euros'), and one id_web that matches no web product.

Fixed seed: the same arguments give the same rows.

    python -m ingestion.wine.generate --products 120 --out .data/samples/wine
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from ingestion import config
from ingestion.wine import ERP_COLUMNS, LIAISON_COLUMNS, WEB_COLUMNS

APPELLATIONS = ["Saint-Joseph", "Côte Rôtie", "Condrieu", "Crozes-Hermitage", "Chablis", "Pommard", "Sancerre",
                "Bandol", "Gigondas", "Pauillac", "Meursault", "Cornas"]  # fmt: skip
COLOURS = ["Rouge", "Blanc", "Rosé"]


@dataclass(frozen=True)
class SampleSummary:
    erp_rows: int
    web_rows: int
    liaison_rows: int
    empty_web_rows: int
    web_products_without_sku: int
    negative_prices: int
    negative_stocks: int
    status_contradictions: int


def _web_row(sku, total_sales, post_type, title, when: dt.datetime, product_number: int) -> list:
    slug = title.lower().replace(" ", "-")
    is_product = post_type == "product"
    values = {
        "sku": sku, "virtual": 0, "downloadable": 0, "rating_count": 0, "average_rating": 0,
        "total_sales": total_sales, "tax_status": "taxable" if is_product else None, "tax_class": None,
        "post_author": 2, "post_date": when, "post_date_gmt": when - dt.timedelta(hours=1), "post_content": None,
        "post_title": title, "post_excerpt": f"{title}.\nUn vin de garde." if is_product else None,
        "post_status": "publish", "comment_status": "closed", "ping_status": "closed", "post_password": None,
        "post_name": slug, "post_modified": when + dt.timedelta(days=30),
        "post_modified_gmt": when + dt.timedelta(days=30, hours=-1), "post_content_filtered": None,
        "post_parent": 0,
        "guid": f"https://www.bottle-neck.fr/?post_type=product&#038;p={product_number}" if is_product
        else f"https://www.bottle-neck.fr/wp-content/uploads/2020/03/{slug}.jpg",
        "menu_order": 0, "post_type": post_type, "post_mime_type": None if is_product else "image/jpeg",
        "comment_count": 0,
    }  # fmt: skip
    return [values[column] for column in WEB_COLUMNS]


EMPTY_WEB_ROW = [0 if column in ("virtual", "downloadable", "rating_count") else None for column in WEB_COLUMNS]


def generate(out: Path, products: int = 120, seed: int = 3) -> SampleSummary:
    """Write erp.xlsx, web.xlsx and liaison.xlsx under `out`."""
    import openpyxl

    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    erp, web, liaison = [], [], []
    negative_prices = negative_stocks = contradictions = without_sku = 0
    for i in range(products):
        product_id = 3847 + i * 3
        on_sale = 0 if i % 9 == 8 else 1
        # prices around 30 €, a few grands crus far above (the premium ones)
        price = round(rng.uniform(180, 260), 1) if i % 23 == 5 else round(rng.lognormvariate(3.2, 0.45), 1)
        if i % 5 == 0:
            price = float(round(price))  # a whole price: openpyxl reads it back as an integer
        stock = rng.choice([0, 0, rng.randint(1, 150)])
        status = "instock" if stock > 0 else "outofstock"
        if i % 31 == 7:
            price, negative_prices = -price, negative_prices + 1
        if i % 37 == 11:
            stock, status, negative_stocks = -rng.randint(1, 5), "outofstock", negative_stocks + 1
        if i % 17 == 3:  # the status says the opposite of the quantity
            status, contradictions = ("outofstock" if status == "instock" else "instock"), contradictions + 1
        erp.append([product_id, on_sale, price, stock, status])

        if i == 4:
            id_web = "bon-cadeau-25-euros"
            title = "Bon cadeau de 25€"
        elif i == 10:
            id_web = "13127-1"
            title = f"{fake.last_name()} {rng.choice(APPELLATIONS)} Magnum {rng.randint(2010, 2019)}"
        else:
            id_web = 10000 + i * 7
            title = f"{fake.last_name()} {rng.choice(APPELLATIONS)} {rng.choice(COLOURS)} {rng.randint(2010, 2019)}"
        if on_sale == 0 and i % 2 == 0:
            liaison.append([product_id, None])  # not on the web: no web id
            continue
        if i == 13:
            liaison.append([product_id, "14680-1"])  # a web id that matches no web product
            continue
        liaison.append([product_id, id_web])
        when = dt.datetime(2018, 2, 8, 12, 0, 0) + dt.timedelta(days=i, minutes=7 * i)
        total_sales = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20])
        web.append(_web_row(id_web, total_sales, "product", title, when, product_id))
        web.append(_web_row(id_web, total_sales, "attachment", title, when, product_id))
        if i % 11 == 2:
            web.append(list(EMPTY_WEB_ROW))
        if i % 40 == 20:  # a product published without its sku
            web.append(_web_row(None, 0, "product", f"{title} (sans sku)", when, product_id))
            without_sku += 1
    rng.shuffle(web)

    out.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
        ("erp", ERP_COLUMNS, erp),
        ("web", WEB_COLUMNS, web),
        ("liaison", LIAISON_COLUMNS, liaison),
    ):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Sheet1"
        sheet.append(list(header))
        for row in rows:
            sheet.append(row)
        workbook.save(out / f"{name}.xlsx")
    return SampleSummary(
        erp_rows=len(erp),
        web_rows=len(web),
        liaison_rows=len(liaison),
        empty_web_rows=sum(1 for row in web if row == EMPTY_WEB_ROW),
        web_products_without_sku=without_sku,
        negative_prices=negative_prices,
        negative_stocks=negative_stocks,
        status_contradictions=contradictions,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=120)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=config.samples_dir() / "wine")
    args = parser.parse_args(argv)
    summary = generate(args.out, products=args.products, seed=args.seed)
    print(f"wrote {args.out}/erp.xlsx, web.xlsx, liaison.xlsx: {summary}")


if __name__ == "__main__":
    main()
