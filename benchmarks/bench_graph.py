"""Benchmark: build the learning graph at 10k, 100k and 1M incidents.

For each size, in a fresh process so memory figures are clean, it generates a
log with ``samples.generate(n)``, then measures:

* **build**: ``build_graph(log)`` wall and CPU time (it pauses the cyclic
  collector itself, and the collector's first young-generation pass over the
  new objects runs as it returns, so it is counted);
* **baseline**: in the same run, a plain ``networkx.DiGraph`` built with
  ``add_nodes_from`` and ``add_edges_from`` from precomputed lists of the same
  nodes (with the same attribute dicts) and edges (with one attribute dict per
  relation, which networkx copies into each edge, as the library used to pass
  them), collector paused and its first pass counted the same way: the ratio
  build / baseline is what the library adds to networkx itself;
* **memory**: the log alone (resident set after loading it, and the peak
  while generating and loading it); the growth of the resident set while
  building the graph (records are shared with the log, so this is the graph
  and its index), per incident and per node and edge; and the peak resident
  set of the process up to the end of the build, log and graph together;
* **collection**: a full collection just after the build, which a caller
  pays sooner or later as the collector reaches the new objects;
* **trace**: ``nx.descendants(graph, action)`` and a direct successor walk
  for one action, median of many calls;
* **growth**: each size's time and memory per incident against the previous
  size's: 1.0 is linear.

Run ``python benchmarks/bench_graph.py`` (10k and 100k), ``--full`` to add 1M
incidents (about 8M nodes; needs roughly 14 GiB and several minutes),
``--repeat N`` to run each size N times (each in a fresh process; the run with
the fastest build is reported, with the spread of build times), and
``--json`` for machine-readable output.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import networkx as nx

import incident_learning as il
from incident_learning import samples
from incident_learning.graph import (
    KIND,
    RECORD,
    RELATION,
    NodeKind,
    Relation,
    build_graph,
    graph_index,
)


def _rss() -> int:
    """Return the resident set size of this process, in bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096


def _peak_rss() -> int:
    """Return the peak resident set size of this process so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _median_seconds(
    function: Any, graph: nx.DiGraph[str], node: str, calls: int = 2000
) -> float:
    """Return the median wall time of *calls* calls of *function*(*graph*, *node*)."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function(graph, node)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _successors(graph: nx.DiGraph[str], node: str) -> list[str]:
    """Return the direct successors of *node*: a one-step neighbour walk."""
    return list(graph.successors(node))


def measure(incidents: int) -> dict[str, Any]:
    """Measure one size in this process and return the figures."""
    start = time.perf_counter()
    log = il.LearningLog(samples.generate(incidents))
    prepared = time.perf_counter() - start
    gc.collect()
    log_bytes = _rss()
    log_peak = _peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    graph = build_graph(log)
    gc.collect(0)  # already done as build_graph returned: counted as for the baseline
    build, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    total_bytes = _rss()
    peak_bytes = _peak_rss()
    graph_bytes = total_bytes - log_bytes
    start = time.perf_counter()
    gc.collect()
    collect = time.perf_counter() - start
    nodes = graph.number_of_nodes()
    edges = graph.number_of_edges()
    actions = graph_index(graph).by_kind[NodeKind.ACTION]
    action = actions[len(actions) // 2]
    descendants = _median_seconds(nx.descendants, graph, action)
    successors = _median_seconds(_successors, graph, action)
    trace_size = len(nx.descendants(graph, action))

    node_list = [
        (node, {KIND: data[KIND], RECORD: data[RECORD]})
        for node, data in graph.nodes(data=True)
    ]
    # add_edges_from copies the attribute dict into each edge, so one per
    # relation is enough and keeps this run's peak memory down.
    edge_data = {relation: {RELATION: relation} for relation in Relation}
    edge_list = [
        (u, v, edge_data[data[RELATION]]) for u, v, data in graph.edges(data=True)
    ]
    del graph
    gc.collect()
    gc.disable()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        baseline_graph: nx.DiGraph[str] = nx.DiGraph()
        baseline_graph.add_nodes_from(node_list)
        baseline_graph.add_edges_from(edge_list)
    finally:
        gc.enable()
    gc.collect(0)
    baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "incidents": incidents,
        "records": len(log),
        "nodes": nodes,
        "edges": edges,
        "generate_and_load_s": prepared,
        "build_s": build,
        "build_cpu_s": build_cpu,
        "baseline_s": baseline,
        "baseline_cpu_s": baseline_cpu,
        "build_over_baseline": build / baseline,
        "build_cpu_over_baseline": build_cpu / baseline_cpu,
        "collect_after_build_s": collect,
        "graph_bytes_per_incident": graph_bytes / incidents,
        "graph_bytes_per_node_and_edge": graph_bytes / (nodes + edges),
        "graph_gib": graph_bytes / 2**30,
        "log_rss_gib": log_bytes / 2**30,
        "log_peak_rss_gib": log_peak / 2**30,
        "process_rss_gib": total_bytes / 2**30,
        "peak_rss_gib": peak_bytes / 2**30,
        "descendants_us": descendants * 1e6,
        "successors_us": successors * 1e6,
        "trace_nodes": trace_size,
    }


def _run(size: int) -> dict[str, Any]:
    """Measure *size* incidents in a fresh process and return its figures."""
    output = subprocess.run(  # noqa: S603 - this script, run again
        [sys.executable, __file__, "--one", str(size)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the sizes, each in its own process, and print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also run 1M incidents")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--sizes", type=int, nargs="*", help="incident counts (default 10k 100k)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per size; the fastest is shown"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    sizes = args.sizes or [10_000, 100_000]
    if args.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    results: list[dict[str, Any]] = []
    for size in sizes:
        runs = []
        for _ in range(max(args.repeat, 1)):
            runs.append(_run(size))
            if not args.json:
                print(f"done {size:,} incidents", file=sys.stderr)
        result = min(runs, key=lambda run: float(run["build_s"]))
        times = [run["build_s"] for run in runs]
        result["build_s_runs"] = times
        result["build_spread"] = max(times) / min(times)
        result["peak_rss_gib"] = max(run["peak_rss_gib"] for run in runs)
        if results:
            previous = results[-1]
            scale = result["incidents"] / previous["incidents"]
            result["time_growth_per_incident"] = (
                result["build_s"] / previous["build_s"] / scale
            )
            result["memory_growth_per_incident"] = (
                result["graph_bytes_per_incident"]
                / previous["graph_bytes_per_incident"]
            )
        results.append(result)
    if args.json:
        print(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "networkx": nx.__version__,
                    "results": results,
                },
                indent=2,
            )
        )
        return
    print(f"Python {platform.python_version()}, networkx {nx.__version__}")
    columns = (
        "incidents",
        "nodes",
        "edges",
        "build s (runs)",
        "build CPU s",
        "plain DiGraph s",
        "ratio (CPU)",
        "full collection s",
        "B/(node+edge)",
        "graph GiB",
        "log GiB",
        "peak RSS GiB",
        "descendants us",
        "growth t",
        "growth mem",
    )
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    for r in results:
        listed = ", ".join(f"{t:.2f}" for t in r["build_s_runs"])
        cells = (
            f"{r['incidents']:,}",
            f"{r['nodes']:,}",
            f"{r['edges']:,}",
            f"{r['build_s']:.2f} ({listed})",
            f"{r['build_cpu_s']:.2f}",
            f"{r['baseline_s']:.2f}",
            f"{r['build_over_baseline']:.2f}x ({r['build_cpu_over_baseline']:.2f}x)",
            f"{r['collect_after_build_s']:.2f}",
            f"{r['graph_bytes_per_node_and_edge']:,.0f}",
            f"{r['graph_gib']:.2f}",
            f"{r['log_rss_gib']:.2f}",
            f"{r['peak_rss_gib']:.2f}",
            f"{r['descendants_us']:.1f}",
            f"{r.get('time_growth_per_incident', float('nan')):.2f}",
            f"{r.get('memory_growth_per_incident', float('nan')):.2f}",
        )
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
