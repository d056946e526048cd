"""The benchmark of issue 9: the project (dbt, and dbt through Dagster) against a hand-written DuckDB session
(the limit) and pandas (the original teams' way), on the same generated data. `python -m bench.run --help`."""
