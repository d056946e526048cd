"""`make demo`: sample data, every asset materialized through Dagster, the headline figures; quietly.

The terminal gets the phases, a progress line while Dagster runs, the figures and where to look next; everything
the commands print (Dagster's events, dbt's log) goes to `<data dir>/logs/demo-<UTC time>.log`, whose path is
printed first. `--verbose` (`make demo VERBOSE=1`) also streams it to the terminal.

    python -m orchestration.demo [--verbose]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ingestion import config
from ingestion.lake import open_lake
from orchestration.partitions import waiting_days

PYTHON = sys.executable
BIN = Path(sys.executable).parent
DBT_PROGRESS = re.compile(r"^(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")
STEP = re.compile(r" - (?:DEBUG|INFO) - \S+ - [0-9a-f-]{36} - (\S+) - ")
TAIL_LINES = 40


def samples_commands() -> list[list[str]]:
    """The sample data of every domain; stock and shop up to yesterday, the streams and Vélib' ending now."""
    return [
        [PYTHON, "-m", "ingestion.stock.generate"],
        [PYTHON, "-m", "ingestion.stock.producer", "--batches", "3", "--batch-size", "20", "--batch-seconds", "0",
         "--seed", "7"],
        [PYTHON, "-m", "ingestion.velib.generate"],
        [PYTHON, "-m", "ingestion.wine.generate"],
        [PYTHON, "-m", "ingestion.shop.generate", "--orders", "10000", "--behaviours"],
        [PYTHON, "-m", "ingestion.marketing.generate"],
        [PYTHON, "-m", "ingestion.marketing.producer", "--batches", "24", "--batch-size", "60", "--backfill-minutes",
         "120", "--burst", "cart_abandoned:FR:80", "--seed", "7"],
    ]  # fmt: skip


def materialize_command(first: str, last: str) -> list[str]:
    return [str(BIN / "dagster"), "asset", "materialize", "-m", "orchestration.definitions", "--select", "*",
            "--partition-range", f"{first}...{last}"]  # fmt: skip


class Progress:
    """What the Dagster run is doing, from its output: the step it is in, then dbt's node count."""

    def __init__(self) -> None:
        self.text = "starting (loading the definitions)"
        self.step = ""

    def feed(self, line: str) -> None:
        if match := DBT_PROGRESS.match(line):
            self.text = f"dbt build: {match[1]} of {match[2]} nodes"
        elif (step := STEP.search(line)) and step[1] != self.step:
            self.step = step[1]
            if "dbt" not in step[1]:  # the dbt steps report their nodes instead
                self.text = f"step {step[1]}"


class Demo:
    def __init__(self, log_path: Path, verbose: bool) -> None:
        self.log_path = log_path
        self.verbose = verbose
        self.tty = sys.stdout.isatty()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("w", encoding="utf-8")

    def run(self, command: Sequence[str], env: dict[str, str] | None = None, on_line: Callable | None = None) -> None:
        """Run `command`, its output to the log (and the terminal when verbose); raise on failure."""
        self.log.write(f"$ {' '.join(command)}\n")
        self.log.flush()
        process = subprocess.Popen(
            command,
            cwd=config.REPO_ROOT,
            env={**os.environ, **(env or {}), "NO_COLOR": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert process.stdout is not None
        for line in process.stdout:
            self.log.write(line)
            if self.verbose:
                sys.stdout.write(line)
            if on_line:
                on_line(line)
        self.log.flush()
        if process.wait() != 0:
            raise subprocess.CalledProcessError(process.returncode, command)

    def phase(self, number: int, total: int, title: str, body: Callable[[], None], progress: Progress | None = None):
        started = time.monotonic()
        prefix = f"[{number}/{total}] {title}"
        print(prefix + (" …" if not self.tty or self.verbose else ""), flush=True)
        stop = threading.Event()
        ticker = None
        if progress is not None and not self.verbose:
            ticker = threading.Thread(target=self._tick, args=(prefix, started, progress, stop), daemon=True)
            ticker.start()
        try:
            body()
        finally:
            stop.set()
            if ticker:
                ticker.join()
        if self.tty and progress is not None and not self.verbose:
            sys.stdout.write("\r\033[K")
        print(f"      done in {time.monotonic() - started:.0f} s", flush=True)

    def _tick(self, prefix: str, started: float, progress: Progress, stop: threading.Event) -> None:
        """A progress line: rewritten in place on a terminal, else one line every 30 s."""
        interval = 1.0 if self.tty else 30.0
        while not stop.wait(interval):
            line = f"      {time.monotonic() - started:4.0f} s  {progress.text}"
            if self.tty:
                sys.stdout.write("\r\033[K" + line[:110])
                sys.stdout.flush()
            else:
                print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="stream every command's output to the terminal too")
    args = parser.parse_args(argv)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    demo = Demo(config.data_dir() / "logs" / f"demo-{stamp}.log", args.verbose)
    started = time.monotonic()
    velib = {"VELIB_REPLAY_DIR": str(config.samples_dir() / "velib")}
    summary: list[str] = []
    print(f"Tributary demo: sample data of every domain through Dagster into DuckDB (full log: {demo.log_path})")
    try:
        demo.phase(1, 4, "dbt manifest", lambda: demo.run([PYTHON, "-m", "orchestration.dbt_cli"]))
        demo.phase(2, 4, "sample data", lambda: [demo.run(command) for command in samples_commands()])
        # the days the samples fall in (the streams' batches and the snapshots cover the last hours)
        first, last = waiting_days(open_lake(), velib["VELIB_REPLAY_DIR"])
        progress = Progress()
        demo.phase(
            3,
            4,
            f"every asset through Dagster, partitions {first} … {last} (one run: landing, dbt build, shop model)",
            lambda: demo.run(materialize_command(first, last), env=velib, on_line=progress.feed),
            progress,
        )
        demo.phase(4, 4, "headline figures", lambda: demo.run([PYTHON, "-m", "orchestration.summary"],
                                                               on_line=summary.append))  # fmt: skip
    except subprocess.CalledProcessError as error:
        demo.log.close()
        tail = demo.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-TAIL_LINES:]
        print("\n".join(["", f"failed: {' '.join(map(str, error.cmd))}", *tail]), file=sys.stderr)
        print(f"\nthe full log: {demo.log_path}", file=sys.stderr)
        return 1
    demo.log.close()
    print()
    for line in summary:
        print(line.rstrip())
    print()
    print(f"done in {time.monotonic() - started:.0f} s. Next:")
    print("  make dev        the Dagster UI on http://127.0.0.1:3000 (partitions, automation, the live streams)")
    print("  make dashboard  one page per domain on http://127.0.0.1:8501;  make api: the query API on :8000")
    print(f"  the full log    {demo.log_path}  (make demo VERBOSE=1 prints it as it goes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
