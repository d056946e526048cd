"""Dagster orchestration of Tributary: ingestion assets, dbt assets, schedules and sensors. No business logic."""
