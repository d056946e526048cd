"""Run one command and report its wall time and peak memory, as one JSON line on stdout.

    python -m bench.measure -- dbt build --select ...

A fresh process per measurement, so that `getrusage(RUSAGE_CHILDREN).ru_maxrss` (the peak resident set of the
largest process of the tree, once each has been waited for) belongs to this command alone. The command's own
output goes to stderr, untouched, so the JSON line is the only thing on stdout.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        print("usage: python -m bench.measure -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    start = time.perf_counter()
    completed = subprocess.run(args, stdout=sys.stderr, check=False)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"returncode": completed.returncode, "wall_s": wall, "peak_rss_mib": peak_kib / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
