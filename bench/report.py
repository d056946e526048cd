"""Render results.json as results.md, and chart.png when matplotlib is installed (the `bench` extra).

python -m bench.report [bench/results]     # re-render from the JSON, measuring nothing
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAMES = {
    "limit": "limit (one DuckDB session)",
    "dbt": "project: dbt build",
    "dagster": "project: dbt build through Dagster",
    "pandas": "pandas",
}
ORDER = ["limit", "dbt", "dagster", "pandas"]
GOALS_SIZE = 10_000_000


def _size(n: int) -> str:
    return f"{n:.0e}".replace("e+0", "e") if n >= 1000 else str(n)


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    if value is None or value != value:  # NaN
        return "–"
    return f"{value:,.1f}" if value >= 1 else f"{value:.2f}"


def marts_rows(results: dict, unfinished: bool = False) -> list[dict]:
    """Measured marts runs; with `unfinished`, also those stopped before the end (a `stopped` entry)."""
    rows = [
        m for m in results["measurements"].values()
        if m["section"] == "marts" and (m.get("walls") or (unfinished and m.get("stopped")))
    ]  # fmt: skip
    return sorted(
        rows, key=lambda m: (m["domain"] != "stock", m["domain"], m["size"], ORDER.index(m["implementation"]))
    )


def _slowest(nodes: dict | None, count: int) -> str:
    """The `count` slowest dbt nodes of a run (dbt_node_times), as `name seconds, …`."""
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in (nodes or {}).get("slowest", [])[:count])


def _limit_median(results: dict, domain: str, size: int) -> float | None:
    limit = results["measurements"].get(f"marts/{domain}/{size}/limit")
    return limit["wall_median_s"] if limit and limit.get("walls") else None


def marts_table(results: dict) -> list[str]:
    lines = [
        "| domain | rows | implementation | runs | wall median (s) | peak RSS (MiB) | rows/s | × limit | "
        "checksums agree |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in marts_rows(results, unfinished=True):
        limit = _limit_median(results, m["domain"], m["size"])
        if not m.get("walls"):
            stopped = m["stopped"]
            after = stopped["after_s"]
            ratio = f"> {after / limit:.1f}×" if limit else "–"
            lines.append(
                f"| {m['domain']} | {_size(m['size'])} | {NAMES[m['implementation']]} | 0 | did not finish: stopped "
                f"after {after:,.0f} | ≥ {stopped['rss_mib']:,.0f} | ≤ {m['size'] / after:,.0f} | {ratio} | – |"
            )
            continue
        ratio = f"{m['wall_median_s'] / limit:.1f}×" if limit else "–"
        reference = results["measurements"].get(f"marts/{m['domain']}/{m['size']}/limit", {}).get("checksums")
        agree = "reference" if m["implementation"] == "limit" else ("yes" if m["checksums"] == reference else "**NO**")
        lines.append(
            f"| {m['domain']} | {_size(m['size'])} | {NAMES[m['implementation']]} | {len(m['walls'])} | "
            f"{_seconds(m['wall_median_s'])} | {m['peak_rss_median_mib']:,.0f} | {m['rows_per_s']:,.0f} | {ratio} | "
            f"{agree} |"
        )
    return lines


def dagster_overhead(results: dict) -> list[str]:
    lines = [
        "| domain | rows | dbt build (s) | through Dagster (s) | Dagster's overhead (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    measurements = results["measurements"]
    for m in marts_rows(results):
        if m["implementation"] != "dbt":
            continue
        dagster = measurements.get(f"marts/{m['domain']}/{m['size']}/dagster")
        if dagster and dagster.get("walls"):
            lines.append(
                f"| {m['domain']} | {_size(m['size'])} | {_seconds(m['wall_median_s'])} | "
                f"{_seconds(dagster['wall_median_s'])} | {_seconds(dagster['wall_median_s'] - m['wall_median_s'])} |"
            )
    return lines


def dbt_breakdown(results: dict) -> list[str]:
    lines = [
        "| domain | rows | models (s) | tests (s) | seeds (s) | slowest nodes (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for m in marts_rows(results):
        nodes = m.get("dbt_nodes") or {}
        if m["implementation"] != "dbt" or not nodes:
            continue
        by_type = nodes["seconds_by_type"]
        slowest = _slowest(nodes, 4)
        lines.append(
            f"| {m['domain']} | {_size(m['size'])} | {by_type.get('model', 0):.1f} | {by_type.get('test', 0):.1f} | "
            f"{by_type.get('seed', 0):.1f} | {slowest} |"
        )
    return lines


def goals(results: dict) -> list[str]:
    """Each goal of issue 9 with the figure measured, met / missed / not measured."""
    measurements, sections = results["measurements"], results.get("sections", {})

    def median(key: str) -> float | None:
        m = measurements.get(key)
        return m["wall_median_s"] if m and m.get("walls") else None

    out = ["| goal | measured | verdict |", "|---|---|---|"]
    dbt, limit, pandas = (median(f"marts/stock/{GOALS_SIZE}/{name}") for name in ("dbt", "limit", "pandas"))
    stopped = measurements.get(f"marts/stock/{GOALS_SIZE}/dbt", {}).get("stopped")
    if stopped and not dbt:
        after, rss = stopped["after_s"], stopped["rss_mib"]
        ratio = f": > {after / limit:.1f}×" if limit else ""
        out.append(f"| project within 1.3× of the limit at 1e7 sales | dbt stopped unfinished after {after:,.0f} s"
                   f"{ratio} | missed |")  # fmt: skip
        pandas_text = f"pandas {_seconds(pandas)} s, dbt > {after:,.0f} s | missed" if pandas else "not measured | –"
        out.append(f"| at least 5× faster than pandas at 1e7 | {pandas_text} |")
        out.append(f"| peak memory at 1e7 ≤ 1.5 GB | ≥ {rss / 1024:.1f} GiB (RSS when stopped) | missed |")
    elif dbt and limit:
        out.append(f"| project within 1.3× of the limit at 1e7 sales | {dbt / limit:.1f}× | "
                   f"{'met' if dbt / limit <= 1.3 else 'missed'} |")  # fmt: skip
    else:
        out.append("| project within 1.3× of the limit at 1e7 sales | not measured | – |")
    if stopped and not dbt:
        pass
    elif dbt and pandas:
        out.append(f"| at least 5× faster than pandas at 1e7 | {pandas / dbt:.1f}× | "
                   f"{'met' if pandas / dbt >= 5 else 'missed'} |")  # fmt: skip
    else:
        out.append("| at least 5× faster than pandas at 1e7 | not measured | – |")
    peak = measurements.get(f"marts/stock/{GOALS_SIZE}/dbt", {}).get("peak_rss_median_mib")
    if stopped and not dbt:
        pass
    elif peak:
        out.append(f"| peak memory at 1e7 ≤ 1.5 GB | {peak / 1024:.2f} GiB | {'met' if peak <= 1536 else 'missed'} |")
    else:
        out.append("| peak memory at 1e7 ≤ 1.5 GB | not measured | – |")
    memory = sections.get("memory")
    if memory and "dbt" in memory:
        done = memory["dbt"]["completed"]
        out.append(f"| the 1 GB-limited run completes ({_size(memory['size'])}) | "
                   f"{_seconds(memory['dbt'].get('wall_s'))} s | {'met' if done else 'missed'} |")  # fmt: skip
    elif memory and "limit" in memory:
        limit_run = memory["limit"]
        out.append(f"| the 1 GB-limited run completes ({_size(memory['size'])}) | dbt: not run; the limit: "
                   f"{'completes' if limit_run['completed'] else 'fails'} in {_seconds(limit_run.get('wall_s'))} s, "
                   f"peak {_mib(limit_run.get('peak_rss_mib'))} MiB | not measured for dbt |")  # fmt: skip
    else:
        out.append("| the 1 GB-limited run completes | not measured | – |")
    incremental = sections.get("incremental")
    if incremental and incremental.get("history_steps"):
        steps = incremental["history_steps"]
        largest = str(max(int(s) for s in steps[0]["batches"]))
        walls = [s["batches"][largest]["wall_median_s"] for s in steps if largest in s["batches"]]
        verdict = "met" if max(walls) < 5 else "missed"
        out.append(f"| a micro-batch of up to 1e5 events through dbt in < 5 s | {_seconds(max(walls))} s at "
                   f"{_size(int(largest))} events (the largest measured) | {verdict} |")  # fmt: skip
        if len(walls) == 2:
            growth = walls[1] / walls[0]
            out.append(f"| flat when the history doubles | ×{growth:.2f} | {'met' if growth <= 1.2 else 'missed'} |")
        else:
            out.append("| flat when the history doubles | not measured | – |")
    else:
        out.append("| a micro-batch of 1e5 events through dbt in < 5 s | not measured | – |")
    freshness = sections.get("freshness")
    if freshness and freshness.get("latency_max_s") is not None:
        worst = freshness["latency_max_s"]
        out.append(f"| an event visible in the mart within 60 s | median {_seconds(freshness['latency_median_s'])} s, "
                   f"worst {_seconds(worst)} s | {'met' if worst <= 60 else 'missed'} |")  # fmt: skip
    else:
        out.append("| an event visible in the mart within 60 s | not measured | – |")
    return out


def sections_text(results: dict) -> list[str]:
    sections = results.get("sections", {})
    out: list[str] = []
    fixed = sections.get("fixed")
    if fixed:
        out += ["", "## dbt's fixed cost", "", "| what | wall median (s) | peak RSS (MiB) |", "|---|---:|---:|"]
        if fixed.get("note"):
            out[-2:-2] = [fixed["note"], ""]
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
            "## Stream micro-batches (dbt build of everything after the events source)",
            "",
            "| history (events) | batch (events) | wall median (s) | peak RSS (MiB) | slowest nodes (s) |",
            "|---:|---:|---:|---:|---|",
        ]
        if incremental.get("note"):
            out[-2:-2] = [incremental["note"], ""]
        for step in incremental["history_steps"]:
            for size, value in step["batches"].items():
                slowest = _slowest(value.get("nodes"), 3)
                out.append(
                    f"| {_size(step['history_events'])} | {_size(int(size))} | {_seconds(value['wall_median_s'])} | "
                    f"{_mib(value.get('peak_rss_median_mib'))} | {slowest} |"
                )
    velib = sections.get("velib")
    if velib and velib.get("month"):
        out += [
            "",
            f"## Vélib': a month of snapshots ({velib['stations']:,} stations × 96 a day × {velib['days']} days)",
            "",
            "| run | wall median (s) | peak RSS (MiB) | slowest nodes (s) |",
            "|---|---:|---:|---|",
        ]
        for key, label in (
            ("month", f"dbt build of the domain over {velib['snapshots']:,} snapshots ({velib['records']:,} records)"),
            ("next_snapshot", "the run one more snapshot triggers, over that month"),
        ):
            value = velib.get(key)
            if value:
                slowest = _slowest(value.get("nodes"), 3)
                out.append(f"| {label} | {_seconds(value['wall_median_s'])} | "
                           f"{_mib(value.get('peak_rss_median_mib'))} | {slowest} |")  # fmt: skip
    memory = sections.get("memory")
    if memory:
        out += [
            "",
            f"## memory_limit=1GB, stock at {_size(memory['size'])} rows",
            "",
            "| implementation | completed | wall (s) | peak RSS (MiB) |",
            "|---|---|---:|---:|",
        ]
        if memory.get("note"):
            out[-2:-2] = [memory["note"], ""]
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
             "what is measured and how.", "", "## The stock and shop marts", ""]  # fmt: skip
    lines += marts_table(results)
    lines += ["", "## Goals", ""] + goals(results)
    lines += ["", "## Where dbt's time goes (the last dbt build of each size)", ""] + dbt_breakdown(results)
    lines += ["", "## Dagster's overhead on top of dbt", ""] + dagster_overhead(results)
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
        values = []
        for domain, size in groups:
            m = results["measurements"].get(f"marts/{domain}/{size}/{name}")
            values.append(m["wall_median_s"] if m and m.get("walls") else 0)
        ax.bar([g + (i - 1.5) * width for g in range(len(groups))], values, width, label=NAMES[name])
    ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), [f"{d} {_size(s)}" for d, s in groups])
    ax.set_ylabel("wall seconds, median (log scale)")
    ax.set_title("The stock and shop marts: wall time by implementation")
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
            "## The stock and shop marts\n", "## The stock and shop marts\n\n![wall time](chart.png)\n", 1
        )
    (results_dir / "results.md").write_text(text)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    results_dir = Path(args[0]) if args else Path(__file__).parent / "results"
    write(results_dir, json.loads((results_dir / "results.json").read_text()))
    print((results_dir / "results.md").read_text())


if __name__ == "__main__":
    main()
