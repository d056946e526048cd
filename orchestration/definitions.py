"""The one Definitions object of Tributary (`dagster dev -m orchestration.definitions`)."""

from dagster import Definitions

from orchestration import automation
from orchestration.assets import stock
from orchestration.dbt import dbt_resource, tributary_dbt_assets

defs = Definitions(
    assets=[*stock.assets, tributary_dbt_assets],
    jobs=automation.jobs,
    schedules=automation.schedules,
    sensors=automation.sensors,
    resources={"dbt": dbt_resource()},
)
