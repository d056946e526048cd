"""What runs by itself (docs/orchestration.md, "What is on by default").

- **Marts follow their sources.** Every dbt model and seed carries `AutomationCondition.eager()`: once one of its
  upstream assets has a new materialization (a file landed from the UI, a drain, a replay), the automation
  sensor requests it, after its parents, in one run (one dbt build). A partitioned base model follows its source
  for the latest day; a backfill of older days brings its own downstream runs. A model over every day of a
  partitioned parent does not wait for the parent's days that were never built (`follows_partitioned`). The
  wine reports and the shop model's scores follow their marts the same way; training the shop model stays
  weekly (`shop_ml_weekly`).
- **The automation sensor is on**, evaluating every 30 s: it launches nothing until something upstream changed,
  reads no source and calls no external system.
- **The stream sensors are on** (`landing_sensor`): a look at the landing folder every 10 s, a run only when
  batches wait.
- **The schedules are off**: each pulls a source (a call to the Vélib' API every 15 minutes, Kinesis every 5
  minutes, the daily exports, the weekly retraining). Turning one on is a decision about a real source.
- **Freshness policies** on the marts people read: the daemon marks a mart WARN, then FAIL, when its last
  update is older than the window below (the UI's asset health; `dagster.yaml` needs nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    FreshnessPolicy,
)

AUTOMATION_SENSOR = "tributary_automation"
AUTOMATION_INTERVAL_SECONDS = 30


def dbt_condition(node: Mapping[str, Any]) -> AutomationCondition | None:
    """Every dbt model and seed follows its parents (the translator's hook, orchestration/dbt.py)."""
    return AutomationCondition.eager() if node.get("resource_type") in ("model", "seed", "snapshot") else None


def follows_partitioned(parents: Sequence[AssetKey]) -> AutomationCondition:
    """`eager()` for an unpartitioned model that reads a partitioned one (a mart over every day of a base model):
    the partitions of `parents` that were never built (the days since TRIBUTARY_PARTITIONS_START nobody backfilled)
    do not count as missing, or the model would wait for them forever; its other parents still must exist."""
    ignored = AutomationCondition.any_deps_missing().ignore(AssetSelection.assets(*parents))
    return AutomationCondition.eager().replace("any_deps_missing", ignored).with_label("eager")


FOLLOWS_ITS_SOURCES = AutomationCondition.eager()

automation_sensor = AutomationConditionSensorDefinition(
    AUTOMATION_SENSOR,
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
    description=(
        "Requests every asset whose automation condition is true: a mart once its sources changed "
        "(docs/orchestration.md). On by default: it reads no source and calls no external system."
    ),
)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# mart → (warn after, fail after) without a new materialization. Streams and the 15-minute Vélib' snapshots warn
# within the hour; the daily exports fail a day and two hours after their 05:00–07:00 UTC schedules; the wine
# reports are monthly.
FRESHNESS: dict[str, tuple[dt.timedelta, dt.timedelta]] = {
    "fct_stock__risk": (HOUR, DAY + 2 * HOUR),
    "fct_stock__daily_sales": (HOUR, DAY + 2 * HOUR),
    "fct_velib__stations_latest": (30 * dt.timedelta(minutes=1), HOUR),
    "fct_velib__critical_stations_2h": (30 * dt.timedelta(minutes=1), HOUR),
    "fct_marketing__event_anomalies": (15 * dt.timedelta(minutes=1), HOUR),
    "fct_marketing__sales_by_product_payment": (DAY, DAY + 2 * HOUR),
    "fct_marketing__http_errors": (DAY, DAY + 2 * HOUR),
    "fct_shop__customer_rfm": (DAY, DAY + 2 * HOUR),
    "fct_shop__customer_scores": (DAY, DAY + 2 * HOUR),
    "fct_wine__revenue_summary": (31 * DAY, 32 * DAY),
}


def freshness_policy(name: str) -> FreshnessPolicy | None:
    """The freshness policy of a mart of FRESHNESS (the translator's hook, orchestration/dbt.py), else None."""
    if name not in FRESHNESS:
        return None
    warn, fail = FRESHNESS[name]
    return FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)
