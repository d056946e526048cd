"""Dagster orchestration of Tributary: ingestion assets, dbt assets, schedules and sensors. No business logic."""

import warnings

# Every asset has a single-run backfill policy (orchestration/partitions.py); the parameter is marked beta in
# Dagster 1.13, which would print one warning per asset in every process that loads the definitions.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", module="dagster")
