"""Issue 18's bad inputs, reproduced on small real files through landing, dbt and Dagster: each ends in a record
quarantined with its reason, a failing check, or a figure that stays right; none in a silent loss or a wrong
figure. (The crash and HTTP cases are in test_crash_recovery.py and test_velib_http.py, readers and writers in
test_publish.py.)"""

import datetime as dt
import json

from dagster import AssetSelection

from ingestion.stock import SUPERSTORE_COLUMNS
from tests.conftest import materialize_assets, query

STOCK = AssetSelection.groups("stock")
VELIB = AssetSelection.groups("velib")


def sale(row_id, order_date="3/1/2024", quantity="2", sales="100", name="Jo", profit="10", ship="3/3/2024"):
    fields = [
        str(row_id), f"CA-{row_id}", order_date, ship, "First Class", "C-1", name, "Consumer", "United States",
        "Austin", "Texas", "78701", "West", "FUR-CH-1", "Furniture", "Chairs", "Chair", sales, quantity, "0", profit,
    ]  # fmt: skip
    return ",".join(fields)


def land(project_env, monkeypatch, name: str, lines: list[str]) -> None:
    path = project_env / name
    path.write_text(",".join(SUPERSTORE_COLUMNS) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("STOCK_SALES_CSV", str(path))


def test_bad_values_are_quarantined_with_their_reason_and_never_move_a_figure(project_env, monkeypatch):
    db = project_env / "warehouse.duckdb"
    huge = "x" * (3 * 1024 * 1024)  # one line over the 2 MiB a line may hold
    land(project_env, monkeypatch, "export.csv", [
        sale(1),
        sale(2, order_date="3/2/2024", quantity="3", sales="150"),
        sale(3, order_date="12/31/2099"),  # 3: a future date must not become the as-of date
        sale(4, quantity="999999999"),  # 7: one stray quantity must not make the units a billion
        sale(5, sales="-50"),  # 7: a negative sale is no sale
        sale(6, name="Jo\x1eSmith"),  # 8: a control byte is a character of its field, not a field separator
        sale(7, profit="n/a", ship="soon"),  # 8: unparseable optional values: NULL, and said so
        sale(8, name=huge),  # 10: an over-long line is one quarantined line, the file lands
    ])  # fmt: skip
    assert materialize_assets(selection=STOCK).success

    assert dict(
        query(db, "select row_id, reject_reason from main.base_stock__sales where reject_reason is not null")
    ) == {
        3: "future_order_date",
        4: "implausible_quantity",
        5: "negative_sales",
    } | {None: "line_too_long"}  # the reader could not split line 9: no row_id, its reason
    assert query(db, "select _line_number from main.qua_stock__sales where reject_reason = 'line_too_long'") == [(9,)]
    # the figures count the four usable lines only, and the as-of date is the latest real sale
    assert query(db, "select sum(quantity), sum(sales) from main.stg_stock__sales") == [(2 + 3 + 2 + 2, 450)]
    assert query(db, "select distinct as_of_date from main.fct_stock__risk") == [(dt.date(2024, 3, 2),)]
    assert query(db, "select customer_name from main.stg_stock__sales where row_id = 6") == [("Jo\x1eSmith",)]
    assert query(db, "select profit, ship_date, warnings from main.base_stock__sales where row_id = 7") == [
        (None, None, "invalid_ship_date,invalid_profit")
    ]
    [(raw, staged, quarantined)] = query(
        db,
        "select (select count(*) from raw_stock.sales), (select count(*) from main.stg_stock__sales),"
        " (select count(*) from main.qua_stock__sales)",
    )
    assert (raw, staged, quarantined) == (8, 4, 4)


def test_a_delivery_staging_mostly_rejects_fails_its_check_instead_of_emptying_the_marts(project_env, monkeypatch):
    # 9: e.g. an export whose quantities are all text: every line quarantined must not be a green, empty run
    land(project_env, monkeypatch, "export.csv", [sale(i, quantity="two") for i in range(1, 5)])
    result = materialize_assets(selection=STOCK, raise_on_error=False)
    assert not result.success
    [share] = [
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name.startswith("quarantine_share") and c.asset_key.path[-1] == "base_stock__sales"
    ]
    assert not share.passed
    db = project_env / "warehouse.duckdb"
    assert query(db, "select reject_reason, count(*) from main.base_stock__sales group by 1") == [
        ("invalid_quantity", 4)
    ]
    # the models after the failed check are not built: no mart says there were no sales
    assert query(db, "select count(*) from information_schema.tables where table_name = 'fct_stock__risk'") == [(0,)]


def test_a_fuller_velib_answer_for_the_same_data_time_replaces_a_partial_one(project_env, monkeypatch):
    # 5: 3 of 5 stations landed first, then the full answer for the same data time: the marts show 5 stations
    def station(code, bikes):
        return {"stationcode": code, "name": f"S{code}", "is_installed": "OUI", "capacity": 10,
                "numbikesavailable": bikes, "numdocksavailable": 10 - bikes, "mechanical": bikes, "ebike": 0,
                "duedate": "2025-10-18T16:00:00+00:00", "coordonnees_geo": {"lon": 2.3, "lat": 48.8},
                "nom_arrondissement_communes": "Paris", "code_insee_commune": "75056"}  # fmt: skip

    saved = project_env / "saved"
    saved.mkdir()
    full = [station(f"{n}001", n) for n in range(1, 6)]
    (saved / "a_partial.json").write_text(json.dumps(full[:3]))
    (saved / "b_full.json").write_text(json.dumps(full))
    monkeypatch.setenv("VELIB_REPLAY_DIR", str(saved))
    assert materialize_assets(selection=VELIB).success
    db = project_env / "warehouse.duckdb"
    assert query(db, "select count(*), sum(bikes) from main.fct_velib__stations_latest") == [(5, 15)]
    assert query(db, "select reject_reason, count(*) from main.qua_velib__station_records group by 1") == [
        ("duplicate_station", 3)
    ]
