"""Running the dbt CLI from Python, without building any Dagster definition (tests parse before importing them).

`python -m orchestration.dbt_cli` writes the manifest (`make manifest`, the first step of `make demo` and
`make dev`).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ingestion import config

# What a run Dagster makes builds is the data: models, seeds, snapshots and their data tests. dbt's unit tests
# check the models' SQL on fixed fixtures, whatever the data, so a run would only repeat them (25 unit tests, 5.3 s
# of a demo build's 17.7 s of dbt nodes): they run in development (`dbt build`, `make dbt-build`) and in CI
# (tests/test_dbt_conventions.py), as dbt recommends for production builds. The benchmark's dbt side does the same.
ORCHESTRATED_BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a venv works without being activated."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"


def dbt_environment() -> dict[str, str]:
    """The environment of every dbt process: the parse and the builds must see the same profile (warehouse path,
    lake URL, threads): dbt compares a hash of the profile and of the command-line target with those of its saved
    parse, and parses the whole project again when they differ ("Unable to do partial parsing because profile has
    changed": the parse ran with the relative default path, the runs with the absolute one)."""
    return {**os.environ, **config.dbt_environment()}


def parse_dbt_project(quiet: bool = True) -> None:
    """Write target/manifest.json and target/partial_parse.msgpack (`dbt parse`), which the dbt assets are built
    from and every run's dbt starts from, with the target and environment the runs use."""
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            *(["--quiet"] if quiet else []),
            "--profiles-dir",
            str(config.DBT_PROFILES_DIR),
            "--target",
            config.dbt_target(),
        ],  # fmt: skip
        cwd=config.DBT_PROJECT_DIR,
        env=dbt_environment(),
        check=True,
    )


if __name__ == "__main__":
    parse_dbt_project()
