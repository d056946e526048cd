"""`python -m dashboard`: start Streamlit on the dashboard with the host and port of ingestion/config.py."""

import os
import sys
from pathlib import Path

from ingestion import config

APP = Path(__file__).resolve().parent / "app.py"


def command() -> list[str]:
    settings = config.dashboard_settings()
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", settings.host,
        "--server.port", str(settings.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


if __name__ == "__main__":
    args = command()
    os.execv(args[0], args)
