"""The marketing domain end to end through Dagster, on small hand-made files whose answers are computed by hand.

Transactions: Laptop × Credit Card 1000.00 + 800.00 = 1800.00 over 2 (basket 900), Laptop × PayPal 500.50,
Mouse × Credit Card 20.00 (its second, identical line is a duplicate); five bad lines quarantined.
Web logs, both shapes: /cart in the 13:00 UTC hour gets 200 (13:05), 404 (13:10, `/cart?id=3` is /cart), 503
(14:20 +0100 = 13:20 UTC) and 500 (CSV, 13:30): 4 requests, 1 4xx, 2 5xx, error rate 3/4; /cart at 14:00 one 200;
/login at 13:00 one 301 (Combined Log Format line). Quarantined: 532 (unassigned), a truncated line, a
non-numeric status, an unparseable timestamp.
Social posts: ann 2 posts (10 + 5 likes, 2 + 1 retweets), bob 1 (3, 0), cy 1 (4, 4); #sale on ann's two posts
(once each, whatever the case) → 2 posts, 15 likes, 3 retweets; #tech on ann's first and cy's → 2, 14, 6.
Campaigns: C1 100 clicks / 10,000 impressions = 0.01 as filed, budget 500 → 5 per click, 50 per thousand, 10 days;
C2 30 / 2,000 = 0.015 but filed 1.5 → flagged; 90 → 3 per click, 45 per thousand, 1 day. C3 (more clicks than
impressions), C4 (ends before it starts), C5 (ctr "n/a") quarantined.
"""

import json

import pytest
from dagster import AssetSelection

from tests.conftest import materialize_assets, query

MARKETING = AssetSelection.groups("marketing")

TRANSACTIONS = {
    "good": [
        "c1,Ann,2024-11-01 10:00:00,Laptop,1000.00,Credit Card",
        "c2,Bob,2024-11-02 11:00:00,Laptop,800.00,Credit Card",
        "c1,Ann,2024-11-03 12:00:00,Laptop,500.50,PayPal",
        "c3,Cy,2024-11-04 13:00:00,Mouse,20.00,Credit Card",
    ],
    "bad": {
        "c3,Cy,2024-11-04 13:00:00,Mouse,20.00,Credit Card": "duplicate_row",
        "c4,Di,2024-02-30 10:00:00,Mouse,20.00,Cash": "invalid_transaction_at",
        "c4,Di,2024-11-05 10:00:00,Mouse,-5.00,Cash": "non_positive_amount",
        "c4,Di,2024-11-05 10:00:00,Mouse,5.00,Barter": "unknown_payment_method",
        ",Di,2024-11-05 10:00:00,Mouse,5.00,Cash": "missing_client_id",
        "c4,Di,2024-11-05": "wrong_field_count",
    },
}
LOG_LINES = {
    '10.0.0.1 - - [29/Nov/2024:13:05:00 +0000] "GET /cart HTTP/1.1" 200 512': None,
    '10.0.0.2 - - [29/Nov/2024:13:10:00 +0000] "GET /cart?id=3 HTTP/1.1" 404 128': None,
    '10.0.0.3 - - [29/Nov/2024:14:20:00 +0100] "POST /cart HTTP/1.1" 503 -': None,
    '10.0.0.4 - - [29/Nov/2024:13:59:59 +0000] "GET /login HTTP/1.1" 301 0 "-" "Mozilla/5.0 (X11)"': None,
    '10.0.0.5 - - [29/Nov/2024:13:15:00 +0000] "GET /cart HTTP/1.1" 532 10': "unknown_status_code",
    "10.0.0.6 - - [29/Nov/20": "malformed_line",
}
CSV_LOG_ROWS = {
    "10.0.0.7,/cart,500,2024-11-29 13:30:00": None,
    "10.0.0.8,/cart,200,2024-11-29 14:00:00": None,
    "10.0.0.9,/login,abc,2024-11-29 13:00:00": "invalid_status_code",
    "10.0.0.9,/login,200,29/11/2024 13:00": "invalid_requested_at",
}


def post(user, message, day, likes, retweets):
    return {"user": user, "message": message, "post_date": f"2024-11-{day:02d} 10:00:00", "likes": likes,
            "retweets": retweets}  # fmt: skip


POSTS = [
    post("ann", "Great deal #Sale #tech", 1, 10, 2),
    post("ann", "More #sale and #SALE", 2, 5, 1),
    post("bob", "No tags here", 3, 3, 0),
    post("bob", "#tech rocks", 4, -1, 0),  # invalid_likes
    post("ann", "Great deal #Sale #tech", 1, 10, 2),  # the same post again: duplicate_post
]


def campaign(campaign_id, start, end, budget, clicks, impressions, ctr):
    return {"campaign_id": campaign_id, "start_date": start, "end_date": end, "budget": budget, "clicks": clicks,
            "impressions": impressions, "ctr": ctr}  # fmt: skip


CAMPAIGNS = [
    campaign("C1", "2024-11-01", "2024-11-10", 500, 100, 10_000, 0.01),
    campaign("C2", "2024-11-01", "2024-11-01", 90, 30, 2_000, 1.5),
    campaign("C3", "2024-11-01", "2024-11-05", 100, 600, 500, 1.2),
    campaign("C4", "2024-11-10", "2024-11-01", 100, 10, 500, 0.02),
    campaign("C5", "2024-11-01", "2024-11-05", 100, 10, 500, "n/a"),
]


@pytest.fixture
def marketing_inputs(project_env, monkeypatch):
    inputs = project_env / "inputs"
    inputs.mkdir()
    header = "ClientID,ClientName,TransactionDate,Product,Amount,PaymentMethod"
    lines = [header, *TRANSACTIONS["good"], *TRANSACTIONS["bad"]]
    (inputs / "transactions.csv").write_text("\n".join(lines) + "\n")
    (inputs / "logs").mkdir()
    (inputs / "logs" / "access.log").write_text("\n".join(LOG_LINES) + "\n")
    (inputs / "logs" / "access.csv").write_text(
        "IP_Address,URL,Status_Code,Timestamp\n" + "\n".join(CSV_LOG_ROWS) + "\n"
    )
    (inputs / "social_1.json").write_text(json.dumps(POSTS, indent=2))
    cy = json.dumps(post("cy", "#Tech", 5, 4, 4))
    (inputs / "social_2.jsonl").write_text(f'{cy}\n{{"user": "cy", "mess\n')  # JSON lines, the last one cut short
    (inputs / "campaigns.json").write_text(json.dumps(CAMPAIGNS))
    monkeypatch.setenv("MARKETING_TRANSACTIONS_PATH", str(inputs / "transactions.csv"))
    monkeypatch.setenv("MARKETING_WEB_LOGS_PATH", str(inputs / "logs" / "*"))
    monkeypatch.setenv("MARKETING_SOCIAL_POSTS_PATH", str(inputs / "social_*"))
    monkeypatch.setenv("MARKETING_CAMPAIGNS_PATH", str(inputs / "campaigns.json"))
    return project_env


def test_marketing_marts_by_hand(marketing_inputs):
    db = marketing_inputs / "warehouse.duckdb"
    assert materialize_assets(selection=MARKETING).success

    sales = query(
        db,
        "select product, payment_method, transactions, cast(revenue as double), average_basket"
        " from main.fct_marketing__sales_by_product_payment order by 1, 2",
    )
    assert sales == [
        ("Laptop", "Credit Card", 2, 1800.0, 900.0),
        ("Laptop", "PayPal", 1, 500.5, 500.5),
        ("Mouse", "Credit Card", 1, 20.0, 20.0),
    ]

    errors = query(
        db,
        "select url, strftime(hour_start, '%H:%M'), requests, errors_4xx, errors_5xx, error_rate"
        " from main.fct_marketing__http_errors order by 1, 2",
    )
    assert errors == [
        ("/cart", "13:00", 4, 1, 2, 0.75),
        ("/cart", "14:00", 1, 0, 0, 0.0),
        ("/login", "13:00", 1, 0, 0, 0.0),
    ]

    campaigns = query(
        db,
        "select campaign_id, duration_days, clicks, impressions, ctr_file, ctr_computed, is_ctr_mismatch,"
        " cost_per_click, cost_per_mille from main.fct_marketing__campaign_performance order by 1",
    )
    assert campaigns == [
        ("C1", 10, 100, 10_000, 0.01, 0.01, False, 5.0, 50.0),
        ("C2", 1, 30, 2_000, 1.5, 0.015, True, 3.0, 45.0),
    ]

    engagement = query(
        db,
        "select dimension, dimension_value, posts, likes, retweets, engagement"
        " from main.fct_marketing__social_engagement order by 1, 2",
    )
    assert engagement == [
        ("hashtag", "#sale", 2, 15, 3, 18),
        ("hashtag", "#tech", 2, 14, 6, 20),
        ("user", "ann", 2, 15, 3, 18),
        ("user", "bob", 1, 3, 0, 3),
        ("user", "cy", 1, 4, 4, 8),
    ]

    # --- nothing lost: every bad line is quarantined with its reason, and raw = staged + quarantined
    # a copy is a valid record: its line is written back from its typed fields (docs/staging.md)
    written_back = {
        "c3,Cy,2024-11-04 13:00:00,Mouse,20.00,Credit Card": "c3,Cy,2024-11-04 13:00:00,Mouse,20.0000,Credit Card"
    }
    assert sorted(query(db, "select raw_line, reject_reason from main.qua_marketing__transactions")) == sorted(
        (written_back.get(line, line), reason) for line, reason in TRANSACTIONS["bad"].items()
    )
    bad_logs = {line: reason for line, reason in {**LOG_LINES, **CSV_LOG_ROWS}.items() if reason}
    assert dict(query(db, "select raw_line, reject_reason from main.qua_marketing__web_logs")) == bad_logs
    assert dict(
        query(
            db,
            "select json_extract_string(raw_line, '$.campaign_id'), reject_reason from main.qua_marketing__campaigns",
        )
    ) == {  # fmt: skip
        "C3": "clicks_exceed_impressions",
        "C4": "end_before_start",
        "C5": "invalid_ctr_file",
    }
    assert sorted(r for (r,) in query(db, "select reject_reason from main.qua_marketing__social_posts")) == [
        "duplicate_post",
        "invalid_likes",
        "malformed_json",
    ]
    counts = {}
    for table, raw_tables in {
        "transactions": ["transactions"],
        "web_logs": ["web_logs", "web_logs_csv"],
        "social_posts": ["social_posts"],
        "campaigns": ["campaigns"],
    }.items():
        raw = sum(query(db, f"select count(*) from raw_marketing.{t}")[0][0] for t in raw_tables)
        [(staged, quarantined)] = query(
            db,
            f"select (select count(*) from main.stg_marketing__{table}),"
            f" (select count(*) from main.qua_marketing__{table})",
        )
        counts[table] = (raw, staged, quarantined)
    assert counts == {
        "transactions": (10, 4, 6),
        "web_logs": (10, 6, 4),
        "social_posts": (7, 4, 3),
        "campaigns": (5, 2, 3),
    }

    # --- running everything again lands nothing new and changes nothing
    before = query(db, "select count(*), sum(requests) from main.fct_marketing__http_errors")
    assert materialize_assets(selection=MARKETING).success
    assert query(db, "select count(*), sum(requests) from main.fct_marketing__http_errors") == before == [(3, 6)]
    assert query(db, "select count(*) from raw_marketing.transactions") == [(10,)]


def test_an_unreadable_campaign_file_fails_its_asset_naming_the_file(project_env, monkeypatch):
    # the only input cannot be read: the asset fails (a green run landing nothing would hide it)
    bad = project_env / "campaigns.json"
    bad.write_text('[{"campaign_id": "C1", ')
    monkeypatch.setenv("MARKETING_CAMPAIGNS_PATH", str(bad))
    result = materialize_assets(selection=AssetSelection.assets(["marketing", "raw_campaigns"]), raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.event_specific_data.error
    message = error.message + (error.cause.message if error.cause else "")
    assert str(bad) in message and "not a valid JSON array" in message
    assert not (project_env / "lake" / "raw").exists()
