"""The command-line tool ``incident-learning``: check, summarise, trace, find gaps, report.

Installed as the console script ``incident-learning``; ``python -m
incident_learning`` runs the same tool. Subcommands::

    incident-learning validate FILE
    incident-learning summary FILE
    incident-learning trace FILE ACTION_ID
    incident-learning trace FILE --incident INCIDENT_ID [--as-of DATE]
    incident-learning gaps FILE [--as-of DATE] [--fail-on-gaps]
    incident-learning report FILE -o HTML [--as-of DATE] [--service ID ...]
                             [--from DATE] [--to DATE]
    incident-learning demo [--out DIR]
    incident-learning schema [--lines]
    incident-learning export FILE --to FORMAT -o OUT [--profile P] [--key-file KEY]
                             [--history] [--bom]
    incident-learning import SOURCE -o LOG [--from FORMAT] [--into LOG]
                             [--mapping NAME_OR_TOML] [--strict] [--rejects PATH]
                             [--recorded-by WHO] [--recorded-at WHEN]
                             [--encoding ENC] [--defaults JSON] [--r4 convert]

Exit codes: 0 done (gaps found included, unless ``--fail-on-gaps``); 1 the
data is invalid, rows were rejected by ``import``, or gaps were found with
``--fail-on-gaps``; 2 a usage
error (bad option, bad date, an identifier that is not in the log) or a file
that cannot be read or written. Errors are one line on standard error,
``incident-learning: error: ...``, never a traceback unless ``--debug``.
See ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Final, NoReturn, TextIO

import incident_learning
from incident_learning._cli_output import (
    Progress,
    dumps,
    gaps_data,
    import_csv_data,
    import_fhir_data,
    record_count,
    render_action_trace,
    render_gaps,
    render_import,
    render_incident_trace,
    render_log_headline,
)
from incident_learning.analysis import (
    action_trace,
    incident_trace,
    learning_summary,
    log_summary,
    loop_gaps,
)
from incident_learning.exceptions import (
    DateParseError,
    IncidentLearningError,
    InvalidDataError,
    UnknownRecordError,
)
from incident_learning.graph import LearningGraph, build_graph
from incident_learning.model import (
    Action,
    Incident,
    LearningLog,
    Record,
    parse_date,
    parse_datetime,
)
from incident_learning.samples.example import DATA_FILE, END, write_example
from incident_learning.serialization import (
    dump_json,
    dump_jsonl,
    dumps_json,
    loads_json,
    loads_jsonl,
)
from incident_learning.serialization.format import write_atomically
from incident_learning.serialization.schema import (
    json_lines_schema,
    json_schema,
    schema_text,
)

__all__ = ["main"]

PROG: Final = "incident-learning"

EXIT_OK: Final = 0
"""Done; finding gaps is the job, so gaps found exit 0 too."""
EXIT_INVALID: Final = 1
"""The data is invalid, rows were rejected, or gaps were found with ``--fail-on-gaps``."""
EXIT_USAGE: Final = 2
"""A usage error, or a file that cannot be read or written."""

_JSONL_SUFFIXES: Final = (".jsonl", ".ndjson")
_CHUNK = 1 << 20
"""Bytes read at a time while a progress bar is shown."""

_EPILOG: Final = """\
exit codes:
  0  done (gaps found included, unless --fail-on-gaps)
  1  the data is invalid, rows were rejected by import, or gaps were found
     with --fail-on-gaps
  2  usage error, unknown identifier or bad date, or a file that cannot be read

Files ending .jsonl or .ndjson are read as JSON Lines, others as a JSON document.
Dates are read day-first (UK): 31/12/2025, 31 Dec 2025 or 2025-12-31."""


class _CommandError(Exception):
    """An error to report in one line, with the exit code it ends the run with."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on standard error."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error in one line and exit with code 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


# --- reading -----------------------------------------------------------------


def _read_bytes(path: str, progress: Progress) -> bytes:
    """Return the bytes of *path*, with a progress bar on a terminal."""
    with open(path, "rb") as file:
        if not progress.enabled:
            return file.read()
        total = os.fstat(file.fileno()).st_size
        label = f"reading {os.path.basename(path)}"
        chunks: list[bytes] = []
        done = 0
        while chunk := file.read(_CHUNK):
            chunks.append(chunk)
            done += len(chunk)
            progress.bar(label, done, total)
        progress.clear()
        return b"".join(chunks)


def _read_log(path: str, progress: Progress) -> LearningLog:
    """Read and check the log in *path*.

    Raises:
        _CommandError: The file cannot be read (exit 2).
        InvalidDataError: The data has problems.
    """
    try:
        data = _read_bytes(path, progress)
    except OSError as error:
        message = f"cannot read {path}: {error.strerror or error}"
        raise _CommandError(message, EXIT_USAGE) from error
    with progress.phase(f"checking the records of {os.path.basename(path)}"):
        if path.endswith(_JSONL_SUFFIXES):
            return loads_jsonl(data)
        return loads_json(data)


def _load(path: str, progress: Progress) -> LearningLog:
    """Read the log in *path*, or fail with its problems (exit 1)."""
    try:
        return _read_log(path, progress)
    except InvalidDataError as error:
        message = f"{path} is not valid: {error}"
        raise _CommandError(message, EXIT_INVALID) from error


def _graph(log: LearningLog, progress: Progress) -> LearningGraph:
    with progress.phase("building the learning graph"):
        return build_graph(log)


def _day(text: str) -> date:
    """Read a date typed by a person (argparse ``type``): a bad one is a usage error."""
    try:
        return parse_date(text)
    except DateParseError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _today() -> date:
    """Return today's date where the tool runs: the default day to judge gaps on."""
    return datetime.now(UTC).astimezone().date()


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _require(log: LearningLog, record_id: str, kind: type[Record], hint: str) -> None:
    """Fail (exit 2) unless *log* has a current *kind* record *record_id* in its graph."""
    name = kind.record_kind.replace("_", " ")
    if record_id not in log:
        message = f"no {name} has the id {record_id!r}"
        raise _CommandError(message, EXIT_USAGE)
    record = log.get(record_id)
    if not isinstance(record, kind):
        other = record.record_kind.replace("_", " ")
        message = f"{record_id} is {_a(other)}, not {_a(name)}{hint}"
        raise _CommandError(message, EXIT_USAGE)
    if record.entered_in_error:
        message = f"{name} {record_id} was entered in error, so it has no trace"
        raise _CommandError(message, EXIT_USAGE)


# --- the subcommands ----------------------------------------------------------


def _validate(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    path: str = args.file
    try:
        log = _read_log(path, progress)
    except InvalidDataError as error:
        problems = error.problems
        if args.format == "json":
            report = {"file": path, "valid": False, "records": None}
            out.write(dumps({**report, "problems": problems}))
        else:
            plural = "s" * (len(problems) != 1)
            out.write(f"{path}: {len(problems)} problem{plural} found\n")
            out.writelines(f"  {problem}\n" for problem in problems)
        return EXIT_INVALID
    records = record_count(log)
    if args.format == "json":
        report = {"file": path, "valid": True, "records": records}
        out.write(dumps({**report, "problems": ()}))
    else:
        out.write(f"{path}: valid, {records} records\n")
    return EXIT_OK


def _summary_text(log: LearningLog, graph: LearningGraph) -> str:
    return (
        f"{render_log_headline(log_summary(log))}\n\n"
        f"{learning_summary(graph).render()}\n"
    )


def _summary(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    log = _load(args.file, progress)
    graph = _graph(log, progress)
    with progress.phase("summarising"):
        if args.format == "json":
            text = dumps({"log": log_summary(log), "learning": learning_summary(graph)})
        else:
            text = _summary_text(log, graph)
    out.write(text)
    return EXIT_OK


def _trace(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    if (args.action_id is None) == (args.incident is None):
        args.parser.error("give either ACTION_ID or --incident INCIDENT_ID")
    if args.as_of is not None and args.incident is None:
        args.parser.error("--as-of applies to --incident traces only")
    log = _load(args.file, progress)
    if args.incident is not None:
        _require(log, args.incident, Incident, "; trace an action without --incident")
    else:
        _require(log, args.action_id, Action, "; trace it with --incident")
    graph = _graph(log, progress)
    with progress.phase("tracing"):
        if args.incident is not None:
            trace = incident_trace(graph, args.incident, as_of=args.as_of)
            text = render_incident_trace(trace, as_of=args.as_of)
            value: object = trace
        else:
            value = action = action_trace(graph, args.action_id)
            text = render_action_trace(action)
    out.write(dumps(value) if args.format == "json" else text + "\n")
    return EXIT_OK


def _gaps(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    as_of: date = args.as_of or _today()
    graph = _graph(_load(args.file, progress), progress)
    with progress.phase("finding broken loops"):
        gaps = loop_gaps(graph, as_of=as_of)
    if args.format == "json":
        out.write(dumps(gaps_data(gaps)))
    else:
        out.write(render_gaps(gaps) + "\n")
    if args.fail_on_gaps and gaps.gaps:
        return EXIT_INVALID
    return EXIT_OK


def _demo(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    folder = Path(args.out)
    path = folder / DATA_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with progress.phase("writing the example provider"):
            write_example(path)
    except OSError as error:
        message = f"cannot write {path}: {error.strerror or error}"
        raise _CommandError(message, EXIT_USAGE) from error
    log = _load(str(path), progress)
    graph = _graph(log, progress)
    records = record_count(log)
    out.write(f"Wrote the example provider to {path} ({records} records).\n")
    report = folder / REPORT_FILE
    try:
        _write_report(report, log, progress, as_of=END)
    except _CommandError as error:
        # The example is written either way; the report needs the [report] extra.
        out.write(f"No report: {error}\n\n")
    else:
        out.write(f"Wrote its learning report to {report}.\n\n")
    out.write(_summary_text(log, graph))
    end = END.strftime("%d/%m/%Y")
    out.write(
        "\nTry next:\n"
        f"  {PROG} gaps {path} --as-of {end}\n"
        f"  {PROG} trace {path} ACT-0004\n"
        f"  {PROG} trace {path} --incident INC-0939 --as-of {end}\n"
    )
    return EXIT_OK


def _extra_module(name: str) -> ModuleType:
    """Return the module *name* that needs an extra, or say how to install it.

    The report needs ``[report]`` and Parquet ``[dataframe]``; the module's
    own error message says how to install the extra.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        raise _CommandError(str(error), EXIT_USAGE) from error


def _write_report(
    path: Path,
    log: LearningLog,
    progress: Progress,
    **options: Any,
) -> None:
    report = _extra_module("incident_learning.report")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with progress.phase("drawing the report"):
            report.write_report(path, log, **options)
    except OSError as error:
        message = f"cannot write {path}: {error.strerror or error}"
        raise _CommandError(message, EXIT_USAGE) from error


def _report(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    as_of: date = args.as_of or _today()
    log = _load(args.file, progress)
    try:
        _write_report(
            Path(args.output),
            log,
            progress,
            as_of=as_of,
            services=args.service or None,
            start=args.start,
            end=args.end,
        )
    except ValueError as error:
        # A period that ends before it starts is a usage error, not bad data.
        raise _CommandError(str(error), EXIT_USAGE) from error
    out.write(f"Wrote the learning report to {args.output}.\n")
    return EXIT_OK


def _schema(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    del progress
    out.write(schema_text(json_lines_schema() if args.lines else json_schema()))
    return EXIT_OK


def _write_log(log: LearningLog, path: str, progress: Progress) -> None:
    """Write *log* to *path*: JSON Lines for ``.jsonl``/``.ndjson``, else a JSON document."""
    with progress.phase(f"writing {os.path.basename(path)}"):
        if path.endswith(_JSONL_SUFFIXES):
            dump_jsonl(log, path)
        else:
            dump_json(log, path)


def _read_key(path: str | None, profile: str) -> bytes | None:
    """Return the pseudonym key in the file *path* (surrounding whitespace dropped)."""
    if path is None:
        if profile == "shared":
            message = (
                "the shared profile pseudonymises with the provider's key: "
                "pass --key-file KEY, or --profile internal for an internal export"
            )
            raise _CommandError(message, EXIT_USAGE)
        return None
    try:
        with open(path, "rb") as file:
            return file.read().strip()
    except OSError as error:
        message = f"cannot read {path}: {error.strerror or error}"
        raise _CommandError(message, EXIT_USAGE) from error


EXPORT_FORMATS: Final = ("jsonl", "json", "csv", "fhir", "prov", "prov-n", "parquet")
"""What ``export --to`` writes: a file, or a folder for ``csv`` and ``parquet``."""


def _export_text(args: argparse.Namespace, log: LearningLog, progress: Progress) -> str:
    """Return the text of a one-file export of *log* in ``args.to``."""
    if args.to == "json":
        return dumps_json(log)
    if args.to == "fhir":
        from incident_learning.fhir import dumps_fhir_json  # noqa: PLC0415 - on demand

        key = _read_key(args.key_file, args.profile)
        with progress.phase("writing FHIR R5 resources"):
            return dumps_fhir_json(log, profile=args.profile, key=key)
    from incident_learning import prov  # noqa: PLC0415 - on demand

    if args.history:
        if args.to == "prov":
            return prov.dumps_history_prov_json(log)
        return prov.history_to_prov_n(log)
    graph = _graph(log, progress)
    if args.to == "prov":
        return prov.dumps_prov_json(graph)
    return prov.to_prov_n(graph)


def _export(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    if args.history and args.to not in ("prov", "prov-n"):
        message = "--history goes with --to prov or --to prov-n"
        raise _CommandError(message, EXIT_USAGE)
    log = _load(args.file, progress)
    output: str = args.output
    try:
        if args.to == "jsonl":
            _write_log(log, output, progress)
            what = "the log as JSON Lines"
        elif args.to == "csv":
            from incident_learning.tabular import export_csv  # noqa: PLC0415

            with progress.phase("writing CSV tables"):
                paths = export_csv(log, output, bom=args.bom)
            what = f"{len(paths)} CSV files"
        elif args.to == "parquet":
            frames = _extra_module("incident_learning.frames")
            with progress.phase("writing Parquet tables"):
                paths = frames.write_parquet(log, output)
            what = f"{len(paths)} Parquet files"
        else:
            text = _export_text(args, log, progress)
            write_atomically(output, text)
            what = {
                "json": "the log as a JSON document",
                "fhir": f"a FHIR R5 Bundle ({args.profile} profile)",
                "prov": "PROV-JSON",
                "prov-n": "PROV-N",
            }[args.to]
    except OSError as error:
        message = f"cannot write {output}: {error.strerror or error}"
        raise _CommandError(message, EXIT_USAGE) from error
    out.write(f"Wrote {what} to {output}.\n")
    return EXIT_OK


IMPORT_FORMATS: Final = ("csv", "csv-folder", "fhir")
"""What ``import --from`` reads; found from the source when not given."""

MAPPINGS: Final = ("incident-system", "tidy")
"""The ready mappings ``import --mapping`` knows by name; anything else is a TOML file."""


def _import_format(source: str, given: str | None) -> str:
    if given is not None:
        return given
    if os.path.isdir(source):
        return "csv-folder"
    if source.lower().endswith(".csv"):
        return "csv"
    if source.lower().endswith(".json"):
        return "fhir"
    message = (
        f"cannot tell what {source} holds: pass --from {{{','.join(IMPORT_FORMATS)}}}"
    )
    raise _CommandError(message, EXIT_USAGE)


def _into(args: argparse.Namespace, progress: Progress) -> LearningLog | None:
    return None if args.into is None else _load(args.into, progress)


def _mapping(name: str) -> Any:
    from incident_learning.tabular import mapping  # noqa: PLC0415 - on demand

    if name == "incident-system":
        return mapping.INCIDENT_SYSTEM
    if name == "tidy":
        return mapping.TIDY_INCIDENTS
    return mapping.load_mapping(name)


def _recorded_at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).astimezone()
    try:
        return parse_datetime(text, zone="Europe/London")
    except DateParseError as error:
        message = f"--recorded-at: {error}"
        raise _CommandError(message, EXIT_USAGE) from error


def _import_csv(args: argparse.Namespace, fmt: str, progress: Progress) -> Any:
    from incident_learning import tabular  # noqa: PLC0415 - on demand

    into = _into(args, progress)
    with progress.phase(f"importing {os.path.basename(args.source)}"):
        if fmt == "csv-folder":
            return tabular.import_folder(
                args.source, into=into, strict=args.strict, rejects=args.rejects
            )
        if into is None:
            message = (
                "importing incidents needs the provider's log, with its services "
                "and staff: pass --into LOG"
            )
            raise _CommandError(message, EXIT_USAGE)
        if args.mapping is None:
            message = (
                "say how the columns map: --mapping incident-system, "
                "--mapping tidy, or --mapping FILE.toml"
            )
            raise _CommandError(message, EXIT_USAGE)
        return tabular.import_incidents(
            args.source,
            _mapping(args.mapping),
            into=into,
            by=args.recorded_by,
            at=_recorded_at(args.recorded_at),
            strict=args.strict,
            rejects=args.rejects,
            encoding=args.encoding,
        )


def _import_fhir(args: argparse.Namespace, progress: Progress) -> Any:
    from incident_learning.fhir import loads_fhir_json  # noqa: PLC0415 - on demand

    defaults: object = None
    try:
        data = _read_bytes(args.source, progress)
        if args.defaults is not None:
            with open(args.defaults, "rb") as file:
                defaults = json.loads(file.read())
    except OSError as error:
        message = f"cannot read {error.filename}: {error.strerror or error}"
        raise _CommandError(message, EXIT_USAGE) from error
    except ValueError as error:
        message = f"{args.defaults} is not JSON: {error}"
        raise _CommandError(message, EXIT_USAGE) from error
    if defaults is not None and not isinstance(defaults, dict):
        message = f"{args.defaults} must hold a JSON object of incident fields"
        raise _CommandError(message, EXIT_USAGE)
    into = _into(args, progress)
    with progress.phase(f"importing {os.path.basename(args.source)}"):
        return loads_fhir_json(data, into=into, defaults=defaults, r4=args.r4)


def _import(args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    fmt = _import_format(args.source, args.from_)
    if fmt == "fhir":
        for option in ("mapping", "rejects", "encoding"):
            if getattr(args, option) is not None:
                message = f"--{option} is for CSV; a FHIR import reports what it does not hold"
                raise _CommandError(message, EXIT_USAGE)
        result = _import_fhir(args, progress)
        _write_log(result.log, args.output, progress)
        data = import_fhir_data(result, args.source, args.output)
        rejected = False
    else:
        if args.defaults is not None:
            message = "--defaults is for FHIR; a CSV mapping gives defaults"
            raise _CommandError(message, EXIT_USAGE)
        result = _import_csv(args, fmt, progress)
        _write_log(result.log, args.output, progress)
        data = import_csv_data(result, args.source, args.output)
        rejected = bool(result.rejected)
    if args.format == "json":
        out.write(dumps(data))
    else:
        out.write(render_import(data))
    return EXIT_INVALID if rejected else EXIT_OK


REPORT_FILE: Final = "report.html"
"""The name of the report ``demo`` writes beside the example."""


# --- the parser -----------------------------------------------------------------

_Command = Callable[[argparse.Namespace, TextIO, Progress], int]


def _parser() -> _Parser:
    # Options every subcommand takes, before or after its name. SUPPRESS keeps
    # a subcommand's default from overwriting a value given before it.
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an error",
    )
    common.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show no progress, even on a terminal",
    )
    data = _Parser(add_help=False)
    data.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (the default) or JSON for programs",
    )
    file = _Parser(add_help=False)
    file.add_argument(
        "file", metavar="FILE", help="a log: a JSON document, or JSON Lines (.jsonl)"
    )
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="Check a learning log and follow its incidents to changed practice.",
        epilog=_EPILOG,
        formatter_class=formatter,
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {incident_learning.__version__}",
    )
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", dest="command", required=True
    )

    def command(
        name: str, run: _Command, summary: str, parents: list[_Parser]
    ) -> _Parser:
        sub: _Parser = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=_EPILOG,
            formatter_class=formatter,
            parents=[*parents, common],
        )
        sub.set_defaults(run=run, parser=sub)
        return sub

    command(
        "validate",
        _validate,
        "Check a log and list every problem with where it is; exit 1 if any.",
        [file, data],
    )
    command(
        "summary",
        _summary,
        "Summarise a log: incidents, actions, loop-closure rate, reach.",
        [file, data],
    )
    trace = command(
        "trace",
        _trace,
        "Trace an action from its incidents to its effect, or all that followed an incident.",
        [file, data],
    )
    trace.add_argument("action_id", metavar="ACTION_ID", nargs="?", help="an action")
    trace.add_argument(
        "--incident", metavar="INCIDENT_ID", help="trace this incident instead"
    )
    trace.add_argument(
        "--as-of",
        metavar="DATE",
        type=_day,
        help="with --incident: the day to judge missing steps on (default: none)",
    )
    gaps = command(
        "gaps",
        _gaps,
        "List the broken loops, most urgent first.",
        [file, data],
    )
    gaps.add_argument(
        "--as-of",
        metavar="DATE",
        type=_day,
        help="the day to judge on (default: today)",
    )
    gaps.add_argument(
        "--fail-on-gaps", action="store_true", help="exit 1 if any gap is found"
    )
    demo = command(
        "demo",
        _demo,
        "Write the bundled example provider to a folder and summarise it.",
        [],
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        default="incident-learning-demo",
        help="the folder to write to (default: ./incident-learning-demo)",
    )
    report = command(
        "report",
        _report,
        "Write the learning report, one self-contained HTML file.",
        [file],
    )
    report.add_argument(
        "-o",
        "--output",
        metavar="HTML",
        required=True,
        help="the file to write the report to",
    )
    report.add_argument(
        "--as-of",
        metavar="DATE",
        type=_day,
        help="the day to judge open loops on (default: today)",
    )
    report.add_argument(
        "--service",
        metavar="SERVICE_ID",
        action="append",
        help="report on this service (repeat for more; default: all)",
    )
    report.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        type=_day,
        help="the first day of the period (default: the first incident)",
    )
    report.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        type=_day,
        help="the last day of the period (default: --as-of)",
    )
    schema = command("schema", _schema, "Print the JSON Schema of the file format.", [])
    schema.add_argument(
        "--lines",
        action="store_true",
        help="the schema of one JSON Lines line instead of a JSON document",
    )
    _add_export(command("export", _export, _EXPORT_HELP, [file]))
    _add_import(command("import", _import, _IMPORT_HELP, [data]))
    return parser


_EXPORT_HELP: Final = (
    "Write a log as JSON Lines, JSON, tidy CSV, FHIR R5, PROV or Parquet."
)
_IMPORT_HELP: Final = (
    "Import incidents from CSV, a tidy CSV folder or FHIR, and write the log."
)


def _add_export(export: _Parser) -> None:
    export.add_argument(
        "--to", required=True, choices=EXPORT_FORMATS, help="the format to write"
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        help="the file to write (a folder for csv and parquet)",
    )
    export.add_argument(
        "--profile",
        choices=("shared", "internal"),
        default="shared",
        help="fhir: pseudonymised for sharing (the default, needs --key-file) or internal",
    )
    export.add_argument(
        "--key-file",
        metavar="KEY",
        help="fhir: a file holding the provider's pseudonym key (16 bytes or more)",
    )
    export.add_argument(
        "--history",
        action="store_true",
        help="prov, prov-n: every version of every record, not the learning graph",
    )
    export.add_argument(
        "--bom",
        action="store_true",
        help="csv: start each file with a byte-order mark, for Excel",
    )


def _add_import(importing: _Parser) -> None:
    importing.add_argument(
        "source",
        metavar="SOURCE",
        help="a CSV file, a tidy CSV folder or a FHIR JSON file",
    )
    importing.add_argument(
        "-o",
        "--output",
        metavar="LOG",
        required=True,
        help="where to write the log: .jsonl for JSON Lines, else a JSON document",
    )
    importing.add_argument(
        "--from",
        dest="from_",
        choices=IMPORT_FORMATS,
        help="what SOURCE holds (default: a folder is csv-folder, .csv csv, .json fhir)",
    )
    importing.add_argument(
        "--into",
        metavar="LOG",
        help="the provider's log to import into (services, staff); needed for csv",
    )
    importing.add_argument(
        "--mapping",
        metavar="NAME_OR_TOML",
        help="csv: incident-system, tidy, or a TOML mapping file",
    )
    importing.add_argument(
        "--strict", action="store_true", help="stop at the first bad row"
    )
    importing.add_argument(
        "--rejects",
        metavar="PATH",
        help="csv: write the rejected rows here, to fix and import again",
    )
    importing.add_argument(
        "--recorded-by",
        metavar="WHO",
        default="csv-import",
        help="csv: who is recorded as entering rows that name nobody (default: csv-import)",
    )
    importing.add_argument(
        "--recorded-at",
        metavar="WHEN",
        help="csv: when rows that give no time were recorded, UK time unless an offset is given (default: now)",
    )
    importing.add_argument(
        "--encoding", help="csv: the file's encoding (default: UTF-8, else cp1252)"
    )
    importing.add_argument(
        "--defaults",
        metavar="JSON",
        help="fhir: a JSON file of incident fields for what a foreign resource lacks",
    )
    importing.add_argument(
        "--r4",
        choices=("reject", "convert"),
        default="reject",
        help="fhir: refuse an R4 resource (the default) or convert it to R5",
    )


COMMANDS: Final = (
    "validate",
    "summary",
    "trace",
    "gaps",
    "report",
    "demo",
    "schema",
    "export",
    "import",
)
"""The subcommands' names."""


# --- running -----------------------------------------------------------------------


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {message}\n")


def _exit_code(error: BaseException) -> int:
    """Return the exit code for *error*, raised while running a subcommand."""
    if isinstance(error, _CommandError):
        return error.code
    if isinstance(error, UnknownRecordError | OSError):
        return EXIT_USAGE
    return EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line *argv* (by default the program's) and return the exit code.

    Args:
        argv: The arguments after the program's name.

    Returns:
        0, 1 or 2; see the module's documentation.

    Examples:
        >>> from incident_learning.cli import main
        >>> main(["schema"])  # doctest: +ELLIPSIS
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
        ...
        0
    """
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:  # --help, --version, or a usage error
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    debug: bool = getattr(args, "debug", False)
    progress = Progress.for_stream(sys.stderr, quiet=getattr(args, "quiet", False))
    run: _Command = args.run
    try:
        code = run(args, sys.stdout, progress)
        sys.stdout.flush()
    except SystemExit as exit_:  # a usage error found after parsing
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python
        # from reporting the closed pipe again when it flushes at exit.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
    except KeyboardInterrupt:
        if debug:
            raise
        _error("interrupted")
        return 130
    except (IncidentLearningError, OSError, ValueError, _CommandError) as error:
        if debug:
            raise
        _error(str(error))
        return _exit_code(error)
    return code
