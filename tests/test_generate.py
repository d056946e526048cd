import csv
import datetime as dt
import io

from ingestion.stock import INVENTORY_COLUMNS, SUPERSTORE_COLUMNS
from ingestion.stock.generate import generate_inventory_csv, generate_sales_csv
from ingestion.stock.producer import load_catalogue

END = dt.date(2024, 6, 30)


def test_sample_looks_like_the_real_export(tmp_path):
    out = tmp_path / "sales.csv"
    summary = generate_sales_csv(out, rows=300, seed=1, end=END)
    data = out.read_bytes()
    text = data.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == SUPERSTORE_COLUMNS
    assert summary.rows_written == len(rows) - 1 == 300 + 6
    assert summary.dirty_rows == 6
    assert any(b > 0x7F for b in data)  # characters outside ASCII, in cp1252
    clean = [r for r in rows[1:] if len(r) == 21 and r[0].isdigit() and int(r[0]) <= 300]
    dates = {dt.datetime.strptime(r[2], "%m/%d/%Y").date() for r in clean}
    assert max(dates) <= END and min(dates) >= END - dt.timedelta(days=730)
    assert any(len(r[2].split("/")[0]) == 1 for r in clean)  # M/D/YYYY, not zero-padded
    # the dirty rows, one of each kind staging must quarantine
    assert sum(1 for r in rows[1:] if len(r) != 21) == 1
    assert any(r[2] == "13/45/2016" for r in rows[1:])
    assert any(r[18] == "-2" for r in rows[1:] if len(r) == 21)
    assert any(r[18] == "three" for r in rows[1:] if len(r) == 21)
    assert any(r[13] == "" for r in rows[1:] if len(r) == 21)


def test_same_arguments_same_bytes(tmp_path):
    generate_sales_csv(tmp_path / "a.csv", rows=100, seed=3, end=END)
    generate_sales_csv(tmp_path / "b.csv", rows=100, seed=3, end=END)
    generate_sales_csv(tmp_path / "c.csv", rows=100, seed=4, end=END)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_inventory_snapshot_and_catalogue_come_from_the_sales(tmp_path):
    sales = tmp_path / "sales.csv"
    generate_sales_csv(sales, rows=200, seed=2, end=END, dirty=False)
    pairs = generate_inventory_csv(tmp_path / "inv.csv", sales, pairs=4)
    rows = list(csv.DictReader((tmp_path / "inv.csv").open()))
    assert pairs == len(rows) == 4
    assert tuple(rows[0]) == INVENTORY_COLUMNS
    assert {r["as_of"] for r in rows} == {(END - dt.timedelta(days=10)).isoformat()}
    catalogue = load_catalogue(str(sales), "cp1252")
    assert {r["product_id"] for r in rows} <= {item.product_id for item in catalogue}
    assert all(item.unit_price > 0 for item in catalogue)


def test_catalogue_size_is_an_option(tmp_path):
    from ingestion.stock.generate import main

    main(["--rows", "2e4", "--products", "500", "--clean", "--seed", "5", "--end", END.isoformat(),
          "--out", str(tmp_path / "big")])  # fmt: skip
    main(["--rows", "2000", "--clean", "--seed", "5", "--end", END.isoformat(), "--out", str(tmp_path / "demo")])
    big = list(csv.DictReader((tmp_path / "big" / "superstore_sales.csv").open(encoding="cp1252", newline="")))
    demo = list(csv.DictReader((tmp_path / "demo" / "superstore_sales.csv").open(encoding="cp1252", newline="")))
    assert len(big) == 20_000 and len(demo) == 2_000
    # 20,000 draws among 500 products: every product sells (a product left out has odds of about 1e-17)
    assert len({row["Product ID"] for row in big}) == 500
    assert len({row["Product ID"] for row in demo}) == 60  # the demo's default catalogue is unchanged
