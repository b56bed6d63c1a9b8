"""Benchmark: load and dump a log of incidents as JSON Lines, against baselines.

Everything is measured in one run on the same data, so the ratios hold on any
machine:

* **load**: ``loads_jsonl(bytes)`` (bytes to validated, integrity-checked
  records) against ``orjson.loads`` and the stdlib ``json.loads`` of the same
  lines. The baselines run with the cyclic garbage collector as a caller
  would have it (on) and, for the strict comparison, paused as the library
  pauses it during a bulk load.
* **dump**: ``dumps_jsonl(log)`` (records to text) against ``orjson.dumps``
  and ``json.dumps`` of the equivalent plain dicts.
* **memory**: bytes per incident held by the loaded records, against the same
  values held in ``msgspec.Struct(frozen=True)`` classes with the same fields.

Run ``python benchmarks/bench_serialization.py`` (100k incidents; ``--incidents``
to change it, ``--repeat`` for more rounds; the best round is reported).
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import attrs
import msgspec
import orjson

import incident_learning as il
import incident_learning.serialization.format as format_module
from incident_learning import samples
from incident_learning.model import Incident, PersonAffected


def _best(function: Callable[[], object], *, repeat: int, collector: bool) -> float:
    """Return the best wall time of *repeat* calls, with the collector on or paused."""
    times = []
    for _ in range(repeat):
        gc.collect()
        if not collector:
            gc.disable()
        try:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def _incident_log(incidents: int) -> il.LearningLog:
    """Return a log of *incidents* generated incidents and their organisation."""
    keep = (
        il.Provider,
        il.Service,
        il.Team,
        il.StaffMember,
        il.ServiceExposure,
        il.Incident,
    )
    return il.LearningLog(r for r in samples.generate(incidents) if isinstance(r, keep))


def _struct_mirror() -> tuple[type, type]:
    """Return msgspec Structs with the same fields as Incident and PersonAffected."""
    person = msgspec.defstruct(
        "PersonStruct",
        [(field.name, Any) for field in attrs.fields(PersonAffected)],
        frozen=True,
    )
    incident = msgspec.defstruct(
        "IncidentStruct",
        [(field.name, Any) for field in attrs.fields(Incident)],
        frozen=True,
    )
    return incident, person


def _traced(build: Callable[[], object]) -> tuple[object, int]:
    """Return what *build* returns and the bytes it still holds once built."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    built = build()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return built, held


def _memory(lines: list[bytes], incidents: int) -> dict[str, float]:
    """Return bytes per incident: records alone, msgspec Structs, a whole log."""
    structure = il.serialization.converter.structure_fast
    incident_lines = [line for line in lines[1:] if b'"type":"incident"' in line]

    def parsed(line: bytes) -> dict[str, Any]:
        # Parsed afresh inside each build, so its strings count towards it.
        item: dict[str, Any] = orjson.loads(line)
        del item["type"]
        return item

    def attrs_records() -> object:
        return [structure(parsed(line), Incident) for line in incident_lines]

    incident_struct, person_struct = _struct_mirror()

    def structs() -> object:
        built = []
        for line in incident_lines:
            record = structure(parsed(line), Incident)  # the same values
            values = {
                field.name: getattr(record, field.name)
                for field in attrs.fields(Incident)
            }
            values["people_affected"] = tuple(
                person_struct(**attrs.asdict(person, recurse=False))
                for person in record.people_affected
            )
            built.append(incident_struct(**values))
        return built

    def whole_log() -> object:
        return il.serialization.loads_jsonl(b"\n".join(lines))

    _, attrs_bytes = _traced(attrs_records)
    _, struct_bytes = _traced(structs)
    _, log_bytes = _traced(whole_log)
    return {
        "records (attrs)": attrs_bytes / incidents,
        "records (msgspec.Struct)": struct_bytes / incidents,
        "whole log, with its index": log_bytes / incidents,
    }


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    log = _incident_log(args.incidents)
    text = il.serialization.dumps_jsonl(log)
    data = text.encode()
    lines = data.splitlines()
    dicts = [orjson.loads(line) for line in lines]
    records = len(lines) - 1
    repeat = args.repeat

    def orjson_loads() -> object:
        return [orjson.loads(line) for line in lines]

    def json_loads() -> object:
        return [json.loads(line) for line in lines]

    def library_loads() -> object:
        return il.serialization.loads_jsonl(data)

    def orjson_dumps() -> object:
        return b"".join(orjson.dumps(item) + b"\n" for item in dicts)

    def json_dumps() -> object:
        return "".join(
            json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"
            for item in dicts
        )

    def library_dumps() -> object:
        return il.serialization.dumps_jsonl(log)

    def without_fast_extra(function: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            saved = format_module._orjson
            format_module._orjson = None  # as if installed without [fast]
            try:
                return function()
            finally:
                format_module._orjson = saved

        return run

    results: dict[str, float] = {
        "orjson.loads (gc on)": _best(orjson_loads, repeat=repeat, collector=True),
        "orjson.loads (gc paused)": _best(orjson_loads, repeat=repeat, collector=False),
        "json.loads (gc on)": _best(json_loads, repeat=repeat, collector=True),
        "loads_jsonl": _best(library_loads, repeat=repeat, collector=True),
        "orjson.dumps": _best(orjson_dumps, repeat=repeat, collector=False),
        "json.dumps": _best(json_dumps, repeat=repeat, collector=False),
        "dumps_jsonl": _best(library_dumps, repeat=repeat, collector=False),
        "loads_jsonl, no [fast]": _best(
            without_fast_extra(library_loads), repeat=repeat, collector=True
        ),
        "dumps_jsonl, no [fast]": _best(
            without_fast_extra(library_dumps), repeat=repeat, collector=False
        ),
    }
    memory = _memory(lines, args.incidents)
    assert library_dumps() == text, "dumping is not deterministic"  # noqa: S101

    ratios = {
        "load / orjson.loads (gc on)": results["loads_jsonl"]
        / results["orjson.loads (gc on)"],
        "load / orjson.loads (gc paused)": results["loads_jsonl"]
        / results["orjson.loads (gc paused)"],
        "load / json.loads (gc on)": results["loads_jsonl"]
        / results["json.loads (gc on)"],
        "load, no [fast] / json.loads (gc on)": results["loads_jsonl, no [fast]"]
        / results["json.loads (gc on)"],
        "dump / orjson.dumps": results["dumps_jsonl"] / results["orjson.dumps"],
        "dump, no [fast] / json.dumps": results["dumps_jsonl, no [fast]"]
        / results["json.dumps"],
        "memory / msgspec.Struct": memory["records (attrs)"]
        / memory["records (msgspec.Struct)"],
    }
    report = {
        "incidents": args.incidents,
        "records": records,
        "megabytes": round(len(data) / 1e6, 1),
        "python": platform.python_version(),
        "seconds": {name: round(value, 3) for name, value in results.items()},
        "bytes_per_incident": {name: round(value) for name, value in memory.items()},
        "ratios": {name: round(value, 2) for name, value in ratios.items()},
        "speed": {
            "load records/s": round(records / results["loads_jsonl"]),
            "dump records/s": round(records / results["dumps_jsonl"]),
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{args.incidents:,} incidents, {records:,} records, {report['megabytes']} MB "
        f"of JSON Lines, Python {report['python']}, best of {repeat}"
    )
    for name, value in results.items():
        print(f"  {name:30s} {value:8.3f} s")
    for name, value in memory.items():
        print(f"  bytes per incident, {name:26s} {value:8.0f}")
    for name, value in ratios.items():
        print(f"  {name:40s} {value:6.2f}x")


if __name__ == "__main__":
    main()
