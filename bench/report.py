"""Render results.json as results.md, and chart.png when matplotlib is installed (the `bench` extra).

python -m bench.report [bench/results]     # re-render from the JSON, measuring nothing
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAMES = {
    "limit": "limit (one DuckDB session)",
    "dbt": "project: landing + dbt build",
    "dagster": "project: the same through Dagster",
    "pandas": "pandas",
}
ORDER = ["limit", "dbt", "dagster", "pandas"]
GOALS_SIZE = 10_000_000
GOAL_BATCH = 10_000  # the micro-batch of the goal (events)
GIB = 1024.0


def _size(n: int) -> str:
    return f"{n:.0e}".replace("e+0", "e") if n >= 1000 else str(n)


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    if value is None or value != value:  # NaN
        return "–"
    return f"{value:,.1f}" if value >= 1 else f"{value:.2f}"


def _bytes(value: float | None) -> str:
    if value is None:
        return "–"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:,.1f} {unit}"
    return f"{value:,.0f} B"


def _usd(value: float | None) -> str:
    if value is None:
        return "–"
    return f"${value:,.2f}" if value >= 0.1 else f"${value:.4f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def marts_rows(results: dict) -> list[dict]:
    rows = [m for m in results["measurements"].values() if m["section"] == "marts" and m.get("walls")]
    return sorted(
        rows, key=lambda m: (m["domain"] != "stock", m["domain"], m["size"], ORDER.index(m["implementation"]))
    )


def _slowest(nodes: dict | None, count: int) -> str:
    """The `count` slowest dbt nodes of a run (dbt_node_times), as `name seconds, …`."""
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in (nodes or {}).get("slowest", [])[:count])


def _median(results: dict, domain: str, size: int, name: str) -> float | None:
    m = results["measurements"].get(f"marts/{domain}/{size}/{name}")
    return m["wall_median_s"] if m and m.get("walls") else None


def _agrees(results: dict, m: dict) -> str:
    reference = results["measurements"].get(f"marts/{m['domain']}/{m['size']}/limit", {}).get("checksums")
    if m["implementation"] == "limit":
        return "reference"
    return "yes" if m["checksums"] == reference else "**NO**"


def marts_table(results: dict) -> list[str]:
    lines = [
        "| domain | rows | implementation | runs | wall median (s) | landing (s) | dbt build (s) | peak RSS (MiB) | "
        "rows/s | × limit | checksums agree |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in marts_rows(results):
        limit = _median(results, m["domain"], m["size"], "limit")
        ratio = f"{m['wall_median_s'] / limit:.1f}×" if limit else "–"
        parts = m.get("parts_median_s") or {}
        lines.append(
            f"| {m['domain']} | {_size(m['size'])} | {NAMES[m['implementation']]} | {len(m['walls'])} | "
            f"{_seconds(m['wall_median_s'])} | {_seconds(parts.get('landing'))} | {_seconds(parts.get('dbt'))} | "
            f"{m['peak_rss_median_mib']:,.0f} | {m['rows_per_s']:,.0f} | {ratio} | {_agrees(results, m)} |"
        )
    return lines


def _parts(results: dict, domain: str, size: int, name: str) -> dict[str, float]:
    m = results["measurements"].get(f"marts/{domain}/{size}/{name}") or {}
    return m.get("parts_median_s") or {}


def dagster_overhead(results: dict) -> list[str]:
    """The Dagster run against the project's landing + dbt build; of the difference, what the run says it spent
    reading the built tables' metadata and publishing the warehouse (which `make dbt-build` also does)."""
    lines = [
        "| domain | rows | landing + dbt build (s) | through Dagster (s) | Dagster's overhead (s) | "
        "of which: row counts and columns (s) | of which: publishing (s) | overhead less publishing (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in marts_rows(results):
        if m["implementation"] != "dbt":
            continue
        dagster = _median(results, m["domain"], m["size"], "dagster")
        if dagster is not None:
            overhead = dagster - m["wall_median_s"]
            parts = _parts(results, m["domain"], m["size"], "dagster")
            publish = parts.get("publish")
            less = _seconds(overhead - publish) if publish is not None else "–"
            lines.append(
                f"| {m['domain']} | {_size(m['size'])} | {_seconds(m['wall_median_s'])} | {_seconds(dagster)} | "
                f"{_seconds(overhead)} | {_seconds(parts.get('metadata'))} | {_seconds(publish)} | {less} |"
            )
    return lines


def dbt_breakdown(results: dict) -> list[str]:
    lines = [
        "| domain | rows | records landed (rejected) | models (s) | tests (s) | seeds (s) | slowest nodes (s) |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for m in marts_rows(results):
        nodes = m.get("dbt_nodes") or {}
        if m["implementation"] != "dbt" or not nodes:
            continue
        by_type = nodes["seconds_by_type"]
        landed = ", ".join(f"{e['table']} {e['records']:,} ({e['rejected']:,})" for e in m.get("landed") or [])
        lines.append(
            f"| {m['domain']} | {_size(m['size'])} | {landed or '–'} | {by_type.get('model', 0):.1f} | "
            f"{by_type.get('test', 0):.1f} | {by_type.get('seed', 0):.1f} | {_slowest(nodes, 4)} |"
        )
    return lines


def _batch(results: dict, step: int) -> dict | None:
    steps = (results.get("sections", {}).get("incremental") or {}).get("history_steps") or []
    return steps[step]["batches"].get(str(GOAL_BATCH)) if len(steps) > step else None


def goals(results: dict) -> list[str]:
    """Each goal of issue 14 (and those of issue 9 still measured) with the figure measured."""
    measurements, sections = results["measurements"], results.get("sections", {})
    out = ["| goal | measured | verdict |", "|---|---|---|"]
    dbt, limit, pandas = (_median(results, "stock", GOALS_SIZE, name) for name in ("dbt", "limit", "pandas"))
    if dbt and limit:
        out.append(f"| stock at 1e7, end to end from the input file (landing + dbt build), ≤ 1.3× the limit | "
                   f"{dbt / limit:.2f}× ({_seconds(dbt)} s against {_seconds(limit)} s) | "
                   f"{_verdict(dbt / limit <= 1.3)} |")  # fmt: skip
    else:
        out.append("| stock at 1e7, end to end, ≤ 1.3× the limit | not measured | – |")
    if dbt and pandas:
        out.append(f"| stock at 1e7, at least 2× faster than pandas | {pandas / dbt:.2f}× ({_seconds(pandas)} s) | "
                   f"{_verdict(pandas / dbt >= 2)} |")  # fmt: skip
    else:
        out.append("| stock at 1e7, at least 2× faster than pandas | not measured | – |")
    peak = measurements.get(f"marts/stock/{GOALS_SIZE}/dbt", {}).get("peak_rss_median_mib")
    if peak:
        out.append(f"| stock at 1e7, peak memory ≤ 2 GiB with the default settings | {peak / GIB:.2f} GiB | "
                   f"{_verdict(peak <= 2 * GIB)} |")  # fmt: skip
    else:
        out.append("| stock at 1e7, peak memory ≤ 2 GiB with the default settings | not measured | – |")
    velib = sections.get("velib") or {}
    month, doubled = velib.get("next_snapshot"), velib.get("next_snapshot_doubled")
    if month:
        node = month["node_seconds_median"]
        wall = _seconds(month["wall_median_s"])
        out.append(f"| Vélib': the run one new snapshot triggers over a month, ≤ 5 s of dbt time | {_seconds(node)} s "
                   f"of dbt node time (dbt's wall {wall} s) | {_verdict(node <= 5)} |")  # fmt: skip
    else:
        out.append("| Vélib': the run one new snapshot triggers over a month, ≤ 5 s of dbt time | not measured | – |")
    if month and doubled:
        growth = doubled["node_seconds_median"] / month["node_seconds_median"]
        wall_growth = doubled["wall_median_s"] / month["wall_median_s"]
        out.append(f"| Vélib': flat (≤ ×1.1) when the history doubles | ×{growth:.2f} in dbt node time (×"
                   f"{wall_growth:.2f} in wall) | {_verdict(growth <= 1.1)} |")  # fmt: skip
    else:
        out.append("| Vélib': flat (≤ ×1.1) when the history doubles | not measured | – |")
    first, second = _batch(results, 0), _batch(results, 1)
    if first:
        worst = max(b["wall_median_s"] for b in (first, second) if b)
        drain = _seconds(first["drain_median_s"])
        out.append(f"| a stream micro-batch of 1e4 events through dbt, ≤ 5 s wall | {_seconds(worst)} s (dbt build; "
                   f"the drain before it {drain} s) | {_verdict(worst <= 5)} |")  # fmt: skip
    else:
        out.append("| a stream micro-batch of 1e4 events through dbt, ≤ 5 s wall | not measured | – |")
    if first and second:
        growth = second["wall_median_s"] / first["wall_median_s"]
        out.append(f"| the micro-batch flat (≤ ×1.1) when the history doubles | ×{growth:.2f} | "
                   f"{_verdict(growth <= 1.1)} |")  # fmt: skip
    else:
        out.append("| the micro-batch flat (≤ ×1.1) when the history doubles | not measured | – |")
    marts = marts_rows(results)
    if marts:
        disagree = [m for m in marts if _agrees(results, m) == "**NO**"]
        sizes = sorted({(m["domain"], m["size"]) for m in marts})
        out.append(f"| the three implementations agree by checksum at every size | {len(sizes)} sizes, "
                   f"{len(disagree)} disagreement(s) | {_verdict(not disagree)} |")  # fmt: skip
    memory = sections.get("memory")
    if memory and "dbt" in memory:
        done = memory["dbt"]["completed"]
        out.append(f"| (issue 9) stock at {_size(memory['size'])} completes under memory_limit=1GB | "
                   f"{_seconds(memory['dbt'].get('wall_s'))} s, peak {_mib(memory['dbt'].get('peak_rss_mib'))} MiB"
                   f" | {_verdict(done)} |")  # fmt: skip
    freshness = sections.get("freshness")
    if freshness and freshness.get("latency_max_s") is not None:
        worst = freshness["latency_max_s"]
        median = _seconds(freshness["latency_median_s"])
        out.append(f"| (issue 9) an event visible in the mart within 60 s | median {median} s, worst "
                   f"{_seconds(worst)} s | {_verdict(worst <= 60)} |")  # fmt: skip
    return out


def _athena_row(label: str, cost: dict | None) -> str | None:
    if not cost:
        return None
    before, after = cost.get("before") or {}, cost.get("after") or {}
    lookups = after.get("lookup_bytes")
    cells = [label]
    for side in (before, after):
        cells += [
            f"{side.get('queries', '–')} ({side.get('lake_reading_queries', '–')})",
            _bytes(side.get("lake_bytes")),
        ]
        if side is after:
            cells.append(_bytes(lookups) if lookups else "–")
        cells += [_bytes(side.get("billed_bytes")), _usd(side.get("price_usd"))]
    return "| " + " | ".join(cells) + " |"


def athena_table(results: dict) -> list[str]:
    """Before/after Athena costs of the runs measured (bench/athena.py)."""
    rows = []
    for m in marts_rows(results):
        if m["implementation"] == "dbt" and m.get("athena"):
            rows.append(_athena_row(f"{m['domain']} {_size(m['size'])}: full build", m["athena"]))
    incremental = (results.get("sections", {}).get("incremental") or {}).get("history_steps") or []
    for step in incremental:
        value = step["batches"].get(str(GOAL_BATCH))
        if value:
            rows.append(_athena_row(f"micro-batch of {_size(GOAL_BATCH)} events over {_size(step['history_events'])}",
                                    value.get("athena")))  # fmt: skip
    velib = results.get("sections", {}).get("velib") or {}
    for key, label in (("next_snapshot", "Vélib': one more snapshot over the month"),
                       ("next_snapshot_doubled", "Vélib': one more snapshot over two months")):  # fmt: skip
        if velib.get(key):
            rows.append(_athena_row(label, velib[key].get("athena")))
    rows = [row for row in rows if row]
    if not rows:
        return ["Not measured."]
    return [
        "| run | before: queries (reading the lake) | before: lake bytes | before: billed | before: price | "
        "after: queries (reading the lake) | after: lake bytes | after: lookups | after: billed | after: price |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]


def sections_text(results: dict) -> list[str]:
    sections = results.get("sections", {})
    out: list[str] = []
    encoding = sections.get("encoding")
    if encoding:
        utf8, cp1252 = encoding.get("utf-8", {}), encoding.get("cp1252", {})
        out += [
            "",
            f"## Landing the stock export in its own encoding ({_size(encoding['size'])} rows)",
            "",
            "| input | size | landing wall median (s) | peak RSS (MiB) |",
            "|---|---:|---:|---:|",
            f"| UTF-8 (the timed input) | {_bytes(utf8.get('bytes'))} | {_seconds(utf8.get('wall_median_s'))} | "
            f"{_mib(utf8.get('peak_rss_median_mib'))} |",
            f"| cp1252 (as exported: decoded and re-encoded as UTF-8 at landing) | {_bytes(cp1252.get('bytes'))} | "
            f"{_seconds(cp1252.get('wall_median_s'))} | {_mib(cp1252.get('peak_rss_median_mib'))} |",
        ]
    fixed = sections.get("fixed")
    if fixed:
        out += ["", "## dbt's fixed cost", "", "| what | wall median (s) | peak RSS (MiB) |", "|---|---:|---:|"]
        for name, value in fixed.items():
            if isinstance(value, dict) and "wall_median_s" in value:
                out.append(
                    f"| {name} | {_seconds(value['wall_median_s'])} | {_mib(value.get('peak_rss_median_mib'))} |"
                )
        nodes = fixed.get("nodes_empty_build") or {}
        if nodes:
            by_type = ", ".join(f"{k} {v:.1f} s" for k, v in nodes["seconds_by_type"].items())
            out += ["", f"The stock build on an empty lake runs {nodes['nodes']} nodes ({by_type})."]
    incremental = sections.get("incremental")
    if incremental and incremental.get("history_steps"):
        out += [
            "",
            "## Stream micro-batches (drained by ingestion.stream, then dbt build of everything after the events)",
            "",
            "| history (events) | batch (events) | drain (s) | dbt build wall median (s) | dbt node time (s) | "
            "peak RSS (MiB) | slowest nodes (s) |",
            "|---:|---:|---:|---:|---:|---:|---|",
        ]
        for step in incremental["history_steps"]:
            for size, value in step["batches"].items():
                cells = [_size(step["history_events"]), _size(int(size)), _seconds(value.get("drain_median_s")),
                         _seconds(value["wall_median_s"]), _seconds(value.get("node_seconds_median")),
                         _mib(value.get("peak_rss_median_mib")), _slowest(value.get("nodes"), 3)]  # fmt: skip
                out.append("| " + " | ".join(cells) + " |")
    velib = sections.get("velib")
    if velib and velib.get("month"):
        out += [
            "",
            f"## Vélib': snapshots of {velib['stations']:,} stations every 15 minutes ({velib['days']} days, then "
            f"{2 * velib['days']})",
            "",
            "| run | landing (s) | dbt wall median (s) | dbt node time (s) | peak RSS (MiB) | slowest nodes (s) |",
            "|---|---:|---:|---:|---:|---|",
        ]
        rows = (
            ("month", f"dbt build of the domain over {velib['snapshots']:,} snapshots ({velib['records']:,} records), "
                      "fresh warehouse"),
            ("next_snapshot", "the run one more snapshot triggers, over that month"),
            ("doubled_build", "the month before landed (history doubled), built"),
            ("next_snapshot_doubled",
             f"the run one more snapshot triggers, over {velib.get('doubled_snapshots', 0):,} snapshots"),
        )  # fmt: skip
        for key, label in rows:
            value = velib.get(key)
            if value:
                cells = [label, _seconds(value.get("landing_median_s")), _seconds(value["wall_median_s"]),
                         _seconds(value.get("node_seconds_median")), _mib(value.get("peak_rss_median_mib")),
                         _slowest(value.get("nodes"), 3)]  # fmt: skip
                out.append("| " + " | ".join(cells) + " |")
    memory = sections.get("memory")
    if memory:
        out += [
            "",
            f"## memory_limit=1GB, stock at {_size(memory['size'])} rows",
            "",
            "| implementation | completed | wall (s) | peak RSS (MiB) |",
            "|---|---|---:|---:|",
        ]
        for name in ("dbt", "limit"):
            if name in memory:
                value = memory[name]
                out.append(f"| {NAMES[name]} | {'yes' if value['completed'] else 'no'} | "
                           f"{_seconds(value.get('wall_s'))} | {_mib(value.get('peak_rss_mib'))} |")  # fmt: skip
    freshness = sections.get("freshness")
    if freshness:
        out += [
            "",
            "## Freshness (dagster-daemon running stock_sales_events_sensor)",
            "",
            f"{freshness['batches']} batches of 20 events, one every {freshness['batch_seconds']:.0f} s for "
            f"{freshness['minutes']:.0f} minutes; {freshness['runs_succeeded']} stream runs succeeded, "
            f"{freshness['runs_failed']} failed; {freshness['batches_measured']} batches seen in the marts. "
            f"Produced → visible: median {_seconds(freshness['latency_median_s'])} s, worst "
            f"{_seconds(freshness['latency_max_s'])} s. Events counted by the mart afterwards: "
            f"{freshness['events_visible_after']:,} of {freshness['events']:,}.",
        ]
    model = sections.get("shop_model")
    if model and model.get("train"):
        rows = model["rows"]
        out += [
            "",
            f"## Shop model: segments and churn at {_size(model['orders'])} orders (planted behaviours)",
            "",
            "| step | wall median (s) | peak RSS (MiB) |",
            "|---|---:|---:|",
            f"| dbt build of fct_shop__customer_features and what it reads (once) | "
            f"{_seconds(model['features']['wall_s'])} | {_mib(model['features']['peak_rss_mib'])} |",
            f"| `python -m ml train` | {_seconds(model['train']['wall_median_s'])} | "
            f"{_mib(model['train']['peak_rss_median_mib'])} |",
            f"| `python -m ml score` | {_seconds(model['score']['wall_median_s'])} | "
            f"{_mib(model['score']['peak_rss_median_mib'])} |",
            "",
            f"{model['feature_rows']:,} feature rows over {model['snapshots']} snapshots; training read "
            f"{rows['frame']:,} of them ({rows['train']:,} to train the evaluated model, {rows['eval']:,} to evaluate "
            f"it, {rows['deploy']:,} for the published one, {rows['current']:,} customers to segment and score); "
            f"{model['k']} segments; ROC AUC model {model['roc_auc']['model']:.3f}, rule "
            f"{model['roc_auc']['rule']:.3f} (version {model['version']}).",
        ]
    return out


def machine_text(results: dict) -> list[str]:
    runs = results.get("runs", [])
    if not runs:
        return []
    last = runs[-1]
    versions = ", ".join(f"{k} {v}" for k, v in last["versions"].items())
    loads = [run["load_average"][0] for run in runs]
    commits = list(dict.fromkeys(run["commit"] for run in runs))  # in order, once each
    label = "commit" if len(commits) == 1 else "commits"
    return [
        "",
        "## Machine",
        "",
        f"- {last['cpu']}, {last['cores']} cores, {last['memory_gib']} GiB RAM; {last['platform']}",
        f"- {versions}",
        f"- runs from {runs[0]['date_utc']} to {last['date_utc']} ({label} {', '.join(commits)}); 1-minute load "
        f"average at the end of each run: {', '.join(f'{x:.1f}' for x in loads)}",
    ]


def render(results: dict) -> str:
    lines = ["# Benchmark results", "", "Written by `python -m bench.run` (`make bench`); see bench/README.md for "
             "what is measured and how.", "", "## The stock and shop marts, from the input files", ""]  # fmt: skip
    lines += marts_table(results)
    lines += ["", "## Goals (issue 14)", ""] + goals(results)
    lines += ["", "## Where the project's time goes (the last run of each size)", ""] + dbt_breakdown(results)
    lines += ["", "## Dagster's overhead", ""] + dagster_overhead(results)
    lines += ["", "## What Athena would scan (bench/athena.py: before = the raw text layout of 7cc1346)", ""]
    lines += athena_table(results)
    lines += sections_text(results)
    lines += machine_text(results)
    return "\n".join(lines) + "\n"


def chart(results: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = marts_rows(results)
    groups = sorted({(m["domain"], m["size"]) for m in rows}, key=lambda g: (g[0] != "stock", g[0], g[1]))
    if not groups:
        return False
    fig, ax = plt.subplots(figsize=(10, 5))
    width = 0.2
    for i, name in enumerate(ORDER):
        values = [_median(results, domain, size, name) or 0 for domain, size in groups]
        ax.bar([g + (i - 1.5) * width for g in range(len(groups))], values, width, label=NAMES[name])
    ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), [f"{d} {_size(s)}" for d, s in groups])
    ax.set_ylabel("wall seconds, median (log scale)")
    ax.set_title("The stock and shop marts from the input files: wall time by implementation")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(results_dir: Path, results: dict) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    text = render(results)
    if (results_dir / "NOTES.md").exists():  # written by hand after a run: how it went, why goals are missed
        text = text.replace(
            "what is measured and how.\n",
            "what is measured and how. How this run went, why the goals are missed and what remains to measure: "
            "[NOTES.md](NOTES.md).\n",
            1,
        )
    if chart(results, results_dir / "chart.png"):
        text = text.replace(
            "## The stock and shop marts, from the input files\n",
            "## The stock and shop marts, from the input files\n\n![wall time](chart.png)\n",
            1,
        )
    (results_dir / "results.md").write_text(text)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    results_dir = Path(args[0]) if args else Path(__file__).parent / "results"
    write(results_dir, json.loads((results_dir / "results.json").read_text()))
    print((results_dir / "results.md").read_text())


if __name__ == "__main__":
    main()
