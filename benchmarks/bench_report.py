"""Benchmark: the learning report against loading the same file alone.

For each size it writes a generated log as JSON Lines, then times, in the
same run: **load** (``load_jsonl``, the file to a checked log) and
**report** (``load_jsonl`` then ``learning_report``, the file to the HTML
the ``report`` subcommand writes). The ratio report / load is what the
report adds; the growth is each size's time per incident against the
previous size's (1.0 is linear). Needs the ``[report]`` extra.

Run ``python benchmarks/bench_report.py`` (10k and 100k incidents) or with
``--sizes 10000`` for a quick look.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import incident_learning as il
from incident_learning import samples
from incident_learning.report import learning_report
from incident_learning.serialization import dump_jsonl, load_jsonl

AS_OF = date(2025, 12, 31)


def _best(function: Callable[[], object], repeat: int) -> float:
    """Return the best wall time of *repeat* calls of *function*."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(
        f"{'incidents':>10} {'load s':>8} {'report s':>9} {'ratio':>6} {'growth':>7} {'HTML MB':>8}"
    )
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"log-{size}.jsonl"
            dump_jsonl(il.LearningLog(samples.generate(size)), path)
            html: list[str] = []

            def load_only(path: Path = path) -> None:
                load_jsonl(path)

            def report(path: Path = path, html: list[str] = html) -> None:
                html[:] = [learning_report(load_jsonl(path), as_of=AS_OF)]

            load = _best(load_only, args.repeat)
            whole = _best(report, args.repeat)
            growth = (
                "-"
                if previous is None
                else f"{(whole / size) / (previous[1] / previous[0]):.2f}"
            )
            megabytes = len(html[0].encode("utf-8")) / 1e6
            print(
                f"{size:>10,} {load:>8.2f} {whole:>9.2f} {whole / load:>6.2f} {growth:>7} {megabytes:>8.2f}"
            )
            previous = (size, whole)


if __name__ == "__main__":
    main()
