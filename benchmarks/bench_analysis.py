"""Benchmark: the analyses over the learning graph at 10k, 100k (and 1M) incidents.

For each size, in a fresh process, it generates a log with
``samples.generate(n)``, builds the graph, and times, best of ``--repeat``:

* **build**: ``build_graph(log)``, the baseline every ratio is against,
  measured in the same run;
* **loop_gaps**, **learning_reach**, **recurrence**, **learning_summary**:
  each over the whole graph;
* **incident_series**, **reporting_culture**, **factor_themes**,
  **repeated_low_harm**, **action_strength_profile**: the same;
* **action_trace** and **incident_trace**: a fixed sample of 1,000 subjects,
  and **action_effect** of 100 actions, reported per call;
* **growth**: each size's time per incident against the previous size's
  (1.0 is linear); for the per-call traces, the time per call (1.0 is flat).

Run ``python benchmarks/bench_analysis.py`` (10k and 100k), ``--full`` to add
1M incidents (needs about 12 GiB and several minutes), ``--json`` for
machine-readable output.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import incident_learning as il
from incident_learning import samples
from incident_learning.analysis import (
    action_effect,
    action_strength_profile,
    action_trace,
    factor_themes,
    incident_series,
    incident_trace,
    learning_reach,
    learning_summary,
    loop_gaps,
    recurrence,
    repeated_low_harm,
    reporting_culture,
)
from incident_learning.graph import LearningGraph, NodeKind, build_graph, graph_index

AS_OF = date(2100, 1, 1)
SAMPLE = 1000
WHOLE = (
    "loop_gaps",
    "learning_reach",
    "recurrence",
    "learning_summary",
    "incident_series",
    "reporting_culture",
    "factor_themes",
    "repeated_low_harm",
    "action_strength_profile",
)
PER_CALL = ("action_trace", "incident_trace", "action_effect")


def _best(function: Callable[[], object], repeat: int) -> float:
    """Return the best wall time of *repeat* calls of *function*, collector paused."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def _sample(graph: LearningGraph, kind: NodeKind) -> list[str]:
    """Return up to SAMPLE nodes of *kind*, the same choice for the same graph."""
    nodes = list(graph_index(graph).by_kind.get(kind, ()))
    return random.Random(0).sample(nodes, min(SAMPLE, len(nodes)))


def measure(incidents: int, repeat: int) -> dict[str, Any]:
    """Measure every analysis on a generated log of *incidents* incidents."""
    log = il.LearningLog(samples.generate(incidents))
    graph = build_graph(log)
    actions = _sample(graph, NodeKind.ACTION)
    chosen = _sample(graph, NodeKind.INCIDENT)
    # An effect reads a whole series: a smaller sample keeps the run short.
    effects = actions[: SAMPLE // 10]
    runs: dict[str, Callable[[], object]] = {
        "build": lambda: build_graph(log),
        "loop_gaps": lambda: loop_gaps(graph, as_of=AS_OF),
        "learning_reach": lambda: learning_reach(graph),
        "recurrence": lambda: recurrence(graph),
        "learning_summary": lambda: learning_summary(graph),
        "incident_series": lambda: incident_series(graph),
        "reporting_culture": lambda: reporting_culture(graph),
        "factor_themes": lambda: factor_themes(graph),
        "repeated_low_harm": lambda: repeated_low_harm(graph),
        "action_strength_profile": lambda: action_strength_profile(graph),
        "action_trace": lambda: [action_trace(graph, a) for a in actions],
        "incident_trace": lambda: [incident_trace(graph, i) for i in chosen],
        "action_effect": lambda: [action_effect(graph, a) for a in effects],
    }
    seconds = {name: _best(run, repeat) for name, run in runs.items()}
    return {
        "incidents": incidents,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "seconds": seconds,
        "per_call": {
            "action_trace": seconds["action_trace"] / max(len(actions), 1),
            "incident_trace": seconds["incident_trace"] / max(len(chosen), 1),
            "action_effect": seconds["action_effect"] / max(len(effects), 1),
        },
    }


def _child(incidents: int, repeat: int) -> dict[str, Any]:
    """Run :func:`measure` for one size in a fresh interpreter."""
    output = subprocess.run(  # noqa: S603 - this script, run again
        [sys.executable, __file__, "--one", str(incidents), "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def _report(results: list[dict[str, Any]]) -> str:
    """Return the results as a table, with ratios and growth."""
    lines = [
        (
            f"incident_learning {il.__version__}, Python {platform.python_version()}, "
            "best of repeats, collector paused while timing"
        ),
        "",
        f"{'incidents':>10} {'analysis':<24} {'seconds':>9} {'x build':>8} {'growth':>7}",
    ]
    previous: dict[str, Any] | None = None
    for result in results:
        n = result["incidents"]
        build = result["seconds"]["build"]
        for name in ("build", *WHOLE):
            seconds = result["seconds"][name]
            growth = "-"
            if previous is not None:
                before = previous["seconds"][name] / previous["incidents"]
                growth = f"{(seconds / n) / before:.2f}"
            lines.append(
                f"{n:>10,} {name:<24} {seconds:>9.3f} {seconds / build:>8.2f} {growth:>7}"
            )
        for name in PER_CALL:
            per = result["per_call"][name]
            growth = "-"
            if previous is not None:
                growth = f"{per / previous['per_call'][name]:.2f}"
            lines.append(
                f"{n:>10,} {name + ' (1 call)':<24} {per * 1e6:>7.1f}us {'':>8} {growth:>7}"
            )
        previous = result
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="add 1M incidents")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.repeat)))
        return
    sizes = [10_000, 100_000, *([1_000_000] if args.full else [])]
    results = [_child(n, 1 if n >= 1_000_000 else args.repeat) for n in sizes]
    print(json.dumps(results, indent=2) if args.json else _report(results))


if __name__ == "__main__":
    main()
