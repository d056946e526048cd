"""The one Definitions object of Tributary (`dagster dev -m orchestration.definitions`, or `dg dev`: pyproject's
[tool.dagster] names this module).

Each domain is a module of orchestration/domains/ exposing `assets`, `jobs`, `schedules` and `sensors`; the dbt
models of every domain are one multi-asset (one dbt invocation per run), but for the models after the shop
model's outputs (`shop_ml_dbt_assets`, orchestration/domains/shop_ml.py), a second build after its Python steps.
Partitions: orchestration/partitions.py; what runs by itself: orchestration/automation.py; resources (their
settings from the environment): orchestration/resources.py.
"""

from dagster import Definitions, in_process_executor

import orchestration.instance  # noqa: F401  (Dagster's SQLite run history written without an fsync per event)
from orchestration.automation import automation_sensor
from orchestration.dbt import tributary_dbt_assets
from orchestration.domains import marketing, shop, shop_ml, stock, velib, wine
from orchestration.resources import build_resources

DOMAINS = [stock, velib, wine, shop, shop_ml, marketing]

defs = Definitions(
    assets=[*(a for d in DOMAINS for a in d.assets), tributary_dbt_assets],
    jobs=[j for d in DOMAINS for j in d.jobs],
    schedules=[s for d in DOMAINS for s in d.schedules],
    sensors=[*(s for d in DOMAINS for s in d.sensors), automation_sensor],
    resources=build_resources(),
    # The steps of a run execute in the run's process, one after the other: a run is mostly one dbt build, the
    # ingestion steps take seconds, and DuckDB has one writer anyway; a process per step would load these
    # definitions again (seconds each) for nothing.
    executor=in_process_executor,
)
