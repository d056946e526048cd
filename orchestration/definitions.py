"""The one Definitions object of Tributary (`dagster dev -m orchestration.definitions`).

Each domain is a module of orchestration/domains/ exposing `assets`, `jobs`, `schedules` and `sensors`; the dbt
models of every domain are one multi-asset (one dbt invocation per run), but for the models after the shop
model's outputs (`shop_ml_dbt_assets`, orchestration/domains/shop_ml.py), a second build after its Python steps.
"""

from dagster import Definitions

from orchestration.dbt import dbt_resource, tributary_dbt_assets
from orchestration.domains import marketing, shop, shop_ml, stock, velib, wine

DOMAINS = [stock, velib, wine, shop, shop_ml, marketing]

defs = Definitions(
    assets=[*(a for d in DOMAINS for a in d.assets), tributary_dbt_assets],
    jobs=[j for d in DOMAINS for j in d.jobs],
    schedules=[s for d in DOMAINS for s in d.schedules],
    sensors=[s for d in DOMAINS for s in d.sensors],
    resources={"dbt": dbt_resource()},
)
