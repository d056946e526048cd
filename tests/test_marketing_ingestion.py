"""The marketing generators, producer and landing functions, without Dagster; then the generated sample through
`group:marketing` with the counts the generator announces."""

import csv
import json
import re

import duckdb
import pytest
from dagster import AssetSelection

from ingestion import config
from ingestion.files import IngestionError, ingest_files
from ingestion.lake import LocalLake
from ingestion.marketing import CLICK_EVENT_FIELDS, EVENT_TYPES, WEB_LOGS_CSV_TABLE, WEB_LOGS_TABLE
from ingestion.marketing.generate import generate_all
from ingestion.marketing.land import web_log_table
from ingestion.marketing.producer import ClickEventProducer
from tests.conftest import REPO_ROOT, materialize_assets, query

CLF = re.compile(
    r'^\S+ - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(GET|POST) \S+ HTTP/1\.1" (\d{3}) \S+$'
)


def registered_codes() -> set[int]:
    with (REPO_ROOT / "seeds" / "marketing" / "marketing_http_status_codes.csv").open() as handle:
        return {int(row["status_code"]) for row in csv.DictReader(handle)}


def test_generator_is_deterministic_and_scales(tmp_path):
    first = generate_all(tmp_path / "a", seed=3, scale=0.1)
    generate_all(tmp_path / "b", seed=3, scale=0.1)
    for name in ("transactions.csv", "web_logs.log", "web_logs.csv", "social_posts.json", "ad_campaigns.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    bigger = generate_all(tmp_path / "c", seed=3, scale=0.3)
    assert (first.transactions, first.posts, first.campaigns) == (100 + 6, 30, 10)
    assert (bigger.transactions, bigger.posts, bigger.campaigns) == (300 + 6, 90, 30)


def test_generated_logs_have_registered_status_codes_only(tmp_path):
    generate_all(tmp_path, seed=9, scale=1)
    codes = registered_codes()
    lines = (tmp_path / "web_logs.log").read_text().splitlines()
    parsed = [CLF.match(line) for line in lines]
    assert sum(m is None for m in parsed) == 1  # the one truncated line
    log_codes = {int(m.group(2)) for m in parsed if m}
    with (tmp_path / "web_logs.csv").open() as handle:
        csv_codes = {int(row["Status_Code"]) for row in csv.DictReader(handle)}
    assert log_codes | csv_codes <= codes
    assert {404, 500} <= log_codes  # errors are there to count


def test_generated_campaigns_carry_the_announced_faults(tmp_path):
    summary = generate_all(tmp_path, seed=42)
    campaigns = json.loads((tmp_path / "ad_campaigns.json").read_text())
    impossible = [c for c in campaigns if c["clicks"] > c["impressions"] or c["end_date"] < c["start_date"]]
    mismatched = [
        c for c in campaigns if c not in impossible and abs(c["ctr"] - c["clicks"] / c["impressions"]) > 0.0001
    ]
    assert len(impossible) == summary.faulty_campaigns > 0
    assert len(mismatched) == summary.ctr_mismatches > 0


def test_web_log_files_are_told_apart_by_content(tmp_path):
    def file(name, data):
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    log = file("a.txt", b'1.2.3.4 - - [29/Nov/2024:13:05:00 +0000] "GET / HTTP/1.1" 200 5\n')
    shaped = file("b.dat", b"\xef\xbb\xbfip_address, URL,Timestamp,Status_Code\n1.2.3.4,/,2024-11-29 13:00:00,200\n")
    assert web_log_table(log, "a.txt") == WEB_LOGS_TABLE
    assert web_log_table(shaped, "b.dat") == WEB_LOGS_CSV_TABLE  # by name: any order, case, spaces
    assert web_log_table(file("c.log", b"\xef\xbb\xbf" + log.read_bytes()), "c.log") == WEB_LOGS_TABLE
    with pytest.raises(IngestionError, match="bom.log: the file is empty"):
        web_log_table(file("bom.log", b"\xef\xbb\xbf\n"), "bom.log")  # a byte-order mark and nothing else
    with pytest.raises(IngestionError, match="other.json: neither Apache Common Log Format"):
        web_log_table(file("other.json", b'{"a": 1}\n'), "other.json")
    with pytest.raises(
        IngestionError, match="wrong.csv: neither .*first line: .IP_Address,URL,Status_Code,Timestamp,Extra"
    ):
        web_log_table(file("wrong.csv", b"IP_Address,URL,Status_Code,Timestamp,Extra\n"), "wrong.csv")


def test_json_is_parsed_one_row_per_record(tmp_path):
    lake = LocalLake(tmp_path / "lake")

    def land(name, data):
        (tmp_path / name).write_bytes(data)
        return ingest_files(lake, "marketing", "social_posts", str(tmp_path / name), all_or_nothing=True)

    def rows(landed):
        columns = "_line_number, user_name, message, likes, _parse_error"
        return duckdb.sql(f"select {columns} from read_parquet('{lake.uri(landed.parsed_key)}') order by 1").fetchall()

    # an array: one row per element, numbered by position; key case and spaces do not matter
    [array] = land(
        "p.json",
        b'[\n  {"User": "a",\n   " message ": "x\\ny", "likes": 3, "post_date": "2024-01-01 10:00:00",\n'
        b' "retweets": 0},\n'
        b'  {"user": "b", "likes": 1.5}, 7\n]\n',
    )
    assert rows(array) == [
        (1, "a", "x\ny", "3", None),
        (2, "b", None, "1.5", None),
        (3, None, None, None, "malformed_json"),
    ]
    # JSON lines: one row per physical line, a broken line is one row with its reason
    [lines] = land(
        "p.jsonl",
        b'{"user": "c", "message": "m", "post_date": "x", "likes": 0, "retweets": 0}\r\n\n{"user": "d", "mess\n',
    )
    assert rows(lines) == [
        (1, "c", "m", "0", None),
        (2, None, None, None, "empty_line"),
        (3, None, None, None, "malformed_json"),
    ]
    with pytest.raises(IngestionError, match="bad.json: not a valid JSON array"):
        land("bad.json", b'[{"user": "a"},')
    with pytest.raises(IngestionError, match="empty.json: the file is empty"):
        land("empty.json", b"  \n")
    with pytest.raises(IngestionError, match="pretty.json: one JSON document over several lines"):
        land("pretty.json", b'{\n  "data": [{"user": "a"}]\n}\n')
    with pytest.raises(IngestionError, match=r"keys.json: required key\(s\) 'user', 'message'"):
        land("keys.json", b'[{"name": "a"}]')


def test_producer_events_and_bursts():
    producer = ClickEventProducer(seed=4, duplicate_rate=0.0)
    events = [producer.event() for _ in range(500)]
    assert {e["event_type"] for e in events} == set(EVENT_TYPES)
    assert len({e["event_id"] for e in events}) == 500
    assert tuple(events[0]) == CLICK_EVENT_FIELDS
    burst = producer.event("cart_abandoned", "FR")
    assert (burst["event_type"], burst["country"]) == ("cart_abandoned", "FR")


def test_producer_backfills_simulated_minutes_with_a_burst_in_the_last_batch(project_env, capsys):
    import datetime as dt

    from ingestion.lake import open_lake
    from ingestion.marketing.producer import main

    main(["--batches", "4", "--batch-size", "5", "--backfill-minutes", "20", "--burst", "cart_abandoned:FR:3",
          "--seed", "1", "--duplicate-rate", "0"])  # fmt: skip
    keys = open_lake().list("landing/marketing/click_events/")
    assert len(keys) == 4 and len(capsys.readouterr().out.splitlines()) == 4
    times = [dt.datetime.strptime(k.rsplit("/", 1)[-1].split("Z")[0], "%Y%m%dT%H%M%S%f") for k in sorted(keys)]
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [dt.timedelta(minutes=5)] * 3
    # the last batch in the middle of the last complete 5-minute window (minute 2 of it), the first 15 minutes before
    age = dt.datetime.now(dt.UTC).replace(tzinfo=None) - times[-1]
    assert dt.timedelta(minutes=3) <= age < dt.timedelta(minutes=8) and times[-1].minute % 5 == 2
    assert times[-1].second == 0
    batches = [[json.loads(line) for line in open_lake().get(k).decode().splitlines()] for k in sorted(keys)]
    assert [len(b) for b in batches] == [5, 5, 5, 8]
    burst = batches[-1][5:]
    assert {(e["event_type"], e["country"]) for e in burst} == {("cart_abandoned", "FR")}
    # its events, up to a minute late, all fall in that one window: the anomaly mart sees one burst
    windows = {dt.datetime.fromisoformat(e["event_time"]).replace(second=0).minute // 5 for e in batches[-1]}
    assert windows == {times[-1].minute // 5}
    with pytest.raises(SystemExit):
        main(["--batches", "1", "--burst", "refund:FR:3"])  # not an event type


def test_marketing_settings_default_to_the_generated_sample(project_env, monkeypatch):
    assert config.marketing_settings().transactions_path is None  # no sample yet: nothing to land
    sample = project_env / "data" / "samples" / "marketing"
    generate_all(sample, scale=0.01)
    settings = config.marketing_settings()
    assert settings.transactions_path == str(sample / "transactions.csv")
    assert settings.web_logs_path == str(sample / "web_logs.*")
    assert settings.campaigns_path == str(sample / "ad_campaigns.json")
    monkeypatch.setenv("MARKETING_SOCIAL_POSTS_PATH", "s3://bucket/posts/*.json")
    assert config.marketing_settings().social_posts_path == "s3://bucket/posts/*.json"


def test_generated_sample_builds_every_marketing_mart(project_env):
    sample = project_env / "data" / "samples" / "marketing"
    summary = generate_all(sample, seed=42, scale=0.2)
    assert materialize_assets(selection=AssetSelection.groups("marketing")).success
    db = project_env / "warehouse.duckdb"
    assert query(db, "select count(*) from main.qua_marketing__transactions") == [(summary.dirty_transactions,)]
    assert query(db, "select count(*) from main.stg_marketing__transactions") == [
        (summary.transactions - summary.dirty_transactions,)
    ]
    assert query(db, "select reject_reason, count(*) from main.qua_marketing__web_logs group by 1") == [
        ("malformed_line", 1)
    ]
    assert query(db, "select count(*) from main.stg_marketing__web_logs") == [
        (summary.log_lines - 1 + summary.csv_log_rows,)
    ]
    assert query(db, "select count(*) from main.qua_marketing__campaigns") == [(summary.faulty_campaigns,)]
    assert query(db, "select count(*) from main.fct_marketing__campaign_performance where is_ctr_mismatch") == [
        (summary.ctr_mismatches,)
    ]
    assert query(db, "select sum(posts) from main.fct_marketing__social_engagement where dimension = 'user'") == [
        (summary.posts,)
    ]
    for mart in ("sales_by_product_payment", "http_errors", "campaign_performance", "social_engagement"):
        assert query(db, f"select count(*) > 0 from main.fct_marketing__{mart}") == [(True,)], mart
