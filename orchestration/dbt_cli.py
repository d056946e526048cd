"""Running the dbt CLI from Python, without building any Dagster definition (tests parse before importing them)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ingestion import config


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a venv works without being activated."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"


def parse_dbt_project() -> None:
    """Write target/manifest.json (`dbt parse`), which the dbt assets are built from."""
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(config.DBT_PROFILES_DIR)],
        cwd=config.DBT_PROJECT_DIR,
        env={**os.environ, "DBT_TARGET": config.dbt_target()},
        check=True,
    )
