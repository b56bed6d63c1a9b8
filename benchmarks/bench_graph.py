"""Benchmark: build the learning graph at 10k, 100k and 1M incidents.

For each size, in a fresh process so memory figures are clean, it generates a
log with ``samples.generate(n)``, then measures:

* **build**: ``build_graph(log)`` wall time (it pauses the cyclic collector
  itself);
* **baseline**: in the same run, a plain ``networkx.DiGraph`` built with
  ``add_nodes_from`` and ``add_edges_from`` from precomputed lists of the same
  nodes (with the same attribute dicts) and edges, collector paused: the
  ratio build / baseline is what the library adds to networkx itself;
* **memory**: the growth of the process's resident set while building the
  graph (records are shared with the log, so this is the graph and its
  index), per incident; and the whole process (log and graph) at the end;
* **trace**: ``nx.descendants(graph, action)`` and a direct successor walk
  for one action, median of many calls;
* **growth**: each size's time and memory per incident against the previous
  size's: 1.0 is linear.

Run ``python benchmarks/bench_graph.py`` (10k and 100k), ``--full`` to add 1M
incidents (about 8M nodes; needs roughly 10 GiB and several minutes), and
``--json`` for machine-readable output.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
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
    build_graph,
    graph_index,
)


def _rss() -> int:
    """Return the resident set size of this process, in bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096


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
    before = _rss()
    start = time.perf_counter()
    graph = build_graph(log)
    build = time.perf_counter() - start
    graph_bytes = _rss() - before
    total_bytes = _rss()
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
    edge_list = [
        (u, v, {RELATION: data[RELATION]}) for u, v, data in graph.edges(data=True)
    ]
    del graph
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        baseline_graph: nx.DiGraph[str] = nx.DiGraph()
        baseline_graph.add_nodes_from(node_list)
        baseline_graph.add_edges_from(edge_list)
        baseline = time.perf_counter() - start
    finally:
        gc.enable()
    return {
        "incidents": incidents,
        "records": len(log),
        "nodes": nodes,
        "edges": edges,
        "generate_and_load_s": prepared,
        "build_s": build,
        "baseline_s": baseline,
        "build_over_baseline": build / baseline,
        "graph_bytes_per_incident": graph_bytes / incidents,
        "graph_bytes_per_node_and_edge": graph_bytes / (nodes + edges),
        "process_rss_gib": total_bytes / 2**30,
        "descendants_us": descendants * 1e6,
        "successors_us": successors * 1e6,
        "trace_nodes": trace_size,
    }


def main() -> None:
    """Run the sizes, each in its own process, and print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also run 1M incidents")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--sizes", type=int, nargs="*", help="incident counts (default 10k 100k)"
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
        output = subprocess.run(  # noqa: S603 - this script, run again
            [sys.executable, __file__, "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
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
        if not args.json:
            print(f"done {size:,} incidents", file=sys.stderr)
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
    header = (
        "| incidents | nodes | edges | build s | plain DiGraph s | ratio "
        "| graph B/incident | B/(node+edge) | RSS GiB | descendants us "
        "| successors us | growth t | growth mem |"
    )
    print(header)
    print("|---" * 13 + "|")
    for r in results:
        print(
            f"| {r['incidents']:,} | {r['nodes']:,} | {r['edges']:,} "
            f"| {r['build_s']:.2f} | {r['baseline_s']:.2f} "
            f"| {r['build_over_baseline']:.2f}x "
            f"| {r['graph_bytes_per_incident']:,.0f} "
            f"| {r['graph_bytes_per_node_and_edge']:,.0f} "
            f"| {r['process_rss_gib']:.2f} "
            f"| {r['descendants_us']:.1f} | {r['successors_us']:.2f} "
            f"| {r.get('time_growth_per_incident', float('nan')):.2f} "
            f"| {r.get('memory_growth_per_incident', float('nan')):.2f} |"
        )


if __name__ == "__main__":
    main()
