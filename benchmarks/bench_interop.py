"""Benchmark: import and export in each format against plain reading and writing of the same files.

For a generated log of N incidents (100k by default) it times, in the same
run, each format's export and import against a baseline that reads or
writes the same bytes with no model work:

- **JSON Lines**: ``dump_jsonl`` / ``load_jsonl`` against ``json.dumps`` of
  the same lines / ``json.loads`` of each line of the file.
- **tidy CSV**: ``export_csv`` / ``load_csv`` against ``csv.writer`` writing
  the same rows / ``csv.reader`` reading every file to lists.
- **incident-system CSV**: ``import_incidents`` with the ``INCIDENT_SYSTEM``
  mapping against ``csv.reader`` reading the same file.
- **FHIR R5 Bundle**: ``dumps_fhir_json`` / ``loads_fhir_json`` against
  ``json.dumps`` of the same Bundle / ``json.loads`` of its text.
- **PROV-JSON**: ``dumps_prov_json`` of the graph, and of the whole log's
  history, against ``json.dumps`` of the same document (export only: PROV is
  an audit trail, not read back).
- **Parquet** (with the ``[dataframe]`` extra): ``write_parquet`` /
  ``read_parquet`` against ``pyarrow.parquet`` writing / reading the same
  tables.

The ratio is library time over baseline time: what the model, validation
and mapping add. Run ``python benchmarks/bench_interop.py`` or with
``--incidents 10000`` for a quick look; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import incident_learning as il
from incident_learning import samples
from incident_learning.fhir import dumps_fhir_json, loads_fhir_json
from incident_learning.graph import build_graph
from incident_learning.prov import dumps_history_prov_json, dumps_prov_json
from incident_learning.serialization import dump_jsonl, load_jsonl
from incident_learning.tabular import export_csv, load_csv
from incident_learning.tabular.mapping import (
    INCIDENT_SYSTEM,
    import_incidents,
    write_incident_system_csv,
)

frames: ModuleType | None
try:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from incident_learning import frames
except ModuleNotFoundError:  # pragma: no cover - without the [dataframe] extra
    frames = None

KEY = b"benchmark pseudonym key, synthetic data only"


def _best(function: Callable[[], object], repeat: int) -> float:
    """Return the best wall time of *repeat* calls of *function*, collector as callers have it."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _read_rows(folder: Path) -> dict[str, list[list[str]]]:
    """Return every CSV file of *folder* as lists of cells."""
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            tables[path.name] = list(csv.reader(handle))
    return tables


def _write_rows(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    folder.mkdir(exist_ok=True)
    for name, rows in tables.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)


class _Rows(list[dict[str, Any]]):
    """The measured rows: library time against the baseline's, per format and operation."""

    def add(
        self, fmt: str, operation: str, library: float, baseline: float, what: str
    ) -> None:
        self.append(
            {
                "format": fmt,
                "operation": operation,
                "library_s": library,
                "baseline_s": baseline,
                "ratio": library / baseline,
                "baseline": what,
            }
        )
        print(
            f"  {fmt} {operation}: {library:.2f} s vs {baseline:.2f} s", file=sys.stderr
        )


def _json_lines(log: il.LearningLog, folder: Path, repeat: int, rows: _Rows) -> None:
    jsonl = folder / "log.jsonl"
    dump_jsonl(log, jsonl)
    decoded = [
        json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()
    ]

    def write_plain() -> None:
        text = "\n".join(json.dumps(item) for item in decoded)
        (folder / "plain.jsonl").write_text(text, encoding="utf-8")

    def read_plain() -> None:
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            json.loads(line)

    rows.add(
        "JSON Lines",
        "export",
        _best(lambda: dump_jsonl(log, folder / "again.jsonl"), repeat),
        _best(write_plain, repeat),
        "json.dumps per line, written",
    )
    rows.add(
        "JSON Lines",
        "import",
        _best(lambda: load_jsonl(jsonl), repeat),
        _best(read_plain, repeat),
        "json.loads per line",
    )


def _tidy_csv(log: il.LearningLog, folder: Path, repeat: int, rows: _Rows) -> None:
    tidy = folder / "tidy"
    export_csv(log, tidy)
    tables = _read_rows(tidy)
    rows.add(
        "tidy CSV",
        "export",
        _best(lambda: export_csv(log, folder / "tidy-again"), repeat),
        _best(lambda: _write_rows(folder / "tidy-plain", tables), repeat),
        "csv.writer, same rows",
    )
    rows.add(
        "tidy CSV",
        "import",
        _best(lambda: load_csv(tidy), repeat),
        _best(lambda: _read_rows(tidy), repeat),
        "csv.reader to lists",
    )


def _incident_system(
    log: il.LearningLog, folder: Path, repeat: int, rows: _Rows
) -> None:
    system = folder / "system.csv"
    write_incident_system_csv(log, system)
    organisation = il.LearningLog(
        record
        for record in log
        if isinstance(record, il.Provider | il.Service | il.Team | il.StaffMember)
    )

    def read_plain() -> None:
        with system.open(encoding="utf-8-sig", newline="") as handle:
            list(csv.reader(handle))

    def read() -> None:
        import_incidents(
            system, INCIDENT_SYSTEM, into=organisation, by="import", at=samples.AT
        )

    rows.add(
        "incident-system CSV",
        "import",
        _best(read, repeat),
        _best(read_plain, repeat),
        "csv.reader to lists",
    )


def _fhir(log: il.LearningLog, repeat: int, rows: _Rows) -> None:
    text = dumps_fhir_json(log, key=KEY, indent=None)
    bundle = json.loads(text)
    rows.add(
        "FHIR R5 Bundle",
        "export",
        _best(lambda: dumps_fhir_json(log, key=KEY, indent=None), repeat),
        _best(lambda: json.dumps(bundle), repeat),
        "json.dumps, same Bundle",
    )
    rows.add(
        "FHIR R5 Bundle",
        "import",
        _best(lambda: loads_fhir_json(text), repeat),
        _best(lambda: json.loads(text), repeat),
        "json.loads, same text",
    )


def _prov(log: il.LearningLog, repeat: int, rows: _Rows) -> None:
    graph = build_graph(log)
    document = json.loads(dumps_prov_json(graph))
    rows.add(
        "PROV-JSON (graph)",
        "export",
        _best(lambda: dumps_prov_json(graph), repeat),
        _best(lambda: json.dumps(document, indent=2), repeat),
        "json.dumps, same document",
    )
    history = json.loads(dumps_history_prov_json(log))
    rows.add(
        "PROV-JSON (history)",
        "export",
        _best(lambda: dumps_history_prov_json(log), repeat),
        _best(lambda: json.dumps(history, indent=2), repeat),
        "json.dumps, same document",
    )


def _parquet(log: il.LearningLog, folder: Path, repeat: int, rows: _Rows) -> None:
    if frames is None:  # pragma: no cover - without the extra
        print("  Parquet skipped: no [dataframe] extra", file=sys.stderr)
        return
    parquet = folder / "parquet"
    frames.write_parquet(log, parquet)
    arrow = {path.name: pq.read_table(path) for path in parquet.glob("*.parquet")}

    def write_plain() -> None:
        (folder / "parquet-plain").mkdir(exist_ok=True)
        for name, table in arrow.items():
            pq.write_table(table, folder / "parquet-plain" / name)

    def read_plain() -> None:
        for path in parquet.glob("*.parquet"):
            pq.read_table(path)

    rows.add(
        "Parquet",
        "export",
        _best(lambda: frames.write_parquet(log, folder / "parquet-again"), repeat),
        _best(write_plain, repeat),
        "pyarrow.parquet.write_table, same tables",
    )
    rows.add(
        "Parquet",
        "import",
        _best(lambda: frames.read_parquet(parquet), repeat),
        _best(read_plain, repeat),
        "pyarrow.parquet.read_table",
    )


def measure(incidents: int, repeat: int) -> list[dict[str, Any]]:
    """Measure every format at *incidents* and return one row per operation."""
    log = il.LearningLog(samples.generate(incidents))
    rows = _Rows()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        _json_lines(log, folder, repeat, rows)
        _tidy_csv(log, folder, repeat, rows)
        _incident_system(log, folder, repeat, rows)
        _fhir(log, repeat, rows)
        _prov(log, repeat, rows)
        _parquet(log, folder, repeat, rows)
    return list(rows)


def main() -> None:
    """Run the benchmark and print a Markdown table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    rows = measure(args.incidents, args.repeat)
    if args.json:
        print(json.dumps({"incidents": args.incidents, "rows": rows}, indent=2))
        return
    print(
        f"Python {sys.version.split()[0]}, {args.incidents:,} incidents, best of {args.repeat}"
    )
    print("| format | operation | library s | baseline s | ratio | baseline |")
    print("|---|---|---|---|---|---|")
    for item in rows:
        print(
            f"| {item['format']} | {item['operation']} | {item['library_s']:.2f} "
            f"| {item['baseline_s']:.2f} | {item['ratio']:.2f}x | {item['baseline']} |"
        )


if __name__ == "__main__":
    main()
