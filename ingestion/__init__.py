"""Ingestion: sources → the raw zone of the lake. Plain Python; Dagster assets are thin wrappers."""
