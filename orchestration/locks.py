"""Exclusive locks that the kernel releases when their process dies (flock on a lock file).

They guard what must have one writer at a time (the DuckDB warehouse, a stream's drain) instead of Dagster
pools: a pool slot is freed by the run that claimed it, so a run killed with `kill -9` (or by the OOM killer,
or a host crash) kept its slot and every later run waited forever. A flock belongs to an open file of the
process that holds it: however the process ends, the lock is free the moment it is gone, and the next writer
proceeds by itself. Nothing here imports Dagster or dbt: the dbt process takes the warehouse lock through the
plugin in `orchestration/warehouse_lock.py`.

The lock file holds one JSON line about its current holder (pid, host, command, since), written once the
lock is taken, so a waiting process can say whom it waits for. The file stays after release; deleting it is
harmless but useless (the lock is on the open file, not on its presence).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_SECONDS = 0.5
REPEAT_WAIT_MESSAGE_SECONDS = 300.0

_held: dict[Path, int] = {}  # lock path -> fd, for the locks this process holds for its whole life


def describe(holder: dict | None) -> str:
    if not holder:
        return "another process (its description is not written yet)"
    return f"pid {holder.get('pid')} on {holder.get('host')} ({holder.get('command')}) since {holder.get('since')}"


def holder(lock_path: Path) -> dict | None:
    """Who holds the lock now, or None when nobody does (a process that is gone holds nothing)."""
    lock_path = Path(lock_path)
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd) or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> dict | None:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def _write_holder(fd: int, command: str) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command,
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)


def _acquire(lock_path: Path, command: str, on_wait: Callable[[str], None] | None) -> int:
    """Block until this process holds the lock; return the open file that holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes (PEP 446)
    waited_since = last_message = None
    last_holder: dict | None = None
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                current = _read_holder(fd)
                now = time.monotonic()
                if waited_since is None:
                    waited_since = now
                repeat = last_message is not None and now - last_message >= REPEAT_WAIT_MESSAGE_SECONDS
                if on_wait and (last_message is None or current != last_holder or repeat):
                    on_wait(
                        f"waiting for {lock_path}: held by {describe(current)}; "
                        f"this process goes on when that one ends (waited {now - waited_since:.0f} s so far)"
                    )
                    last_message, last_holder = now, current
                time.sleep(POLL_SECONDS)
        _write_holder(fd, command)
        if on_wait and waited_since is not None:
            on_wait(f"got {lock_path} after {time.monotonic() - waited_since:.0f} s")
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def exclusive(lock_path: Path, command: str, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock for the duration of the block (waiting for the current holder, if any)."""
    fd = _acquire(Path(lock_path), command, on_wait)
    try:
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def hold_until_exit(lock_path: Path, command: str, on_wait: Callable[[str], None] | None = None) -> None:
    """Take the lock for the rest of this process's life (released by the kernel when it ends). Idempotent."""
    lock_path = Path(lock_path).resolve()
    if lock_path not in _held:
        _held[lock_path] = _acquire(lock_path, command, on_wait)


def current_command() -> str:
    """This process's command line, shortened, for the holder description."""
    text = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
    return text if len(text) <= 300 else text[:297] + "..."
