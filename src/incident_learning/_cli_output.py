"""What the command-line tool writes: JSON data, text for a terminal, progress.

Private to :mod:`incident_learning.cli`. The JSON is plain data made by one
function, :func:`to_plain`, from the library's frozen results; the text
renderers take the same results and return strings, so both are tested
without a terminal.
"""

from __future__ import annotations

import contextlib
import enum
import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Final, TextIO, TypeAlias

import attrs

from incident_learning.analysis import (
    ActionTrace,
    Gap,
    IncidentTrace,
    LearningSummary,
    LogSummary,
    LoopGaps,
)
from incident_learning.exceptions import Problem

if TYPE_CHECKING:
    from incident_learning.analysis import EffectEvidence, SharingEvidence
    from incident_learning.fhir import FhirImport
    from incident_learning.model import LearningLog
    from incident_learning.tabular import ImportResult

__all__ = [
    "JSONValue",
    "Progress",
    "dumps",
    "gaps_data",
    "import_csv_data",
    "import_fhir_data",
    "record_count",
    "render_action_trace",
    "render_gaps",
    "render_import",
    "render_incident_trace",
    "render_log_headline",
    "to_plain",
]

JSONValue: TypeAlias = (
    "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
)
"""Plain JSON data, as :func:`json.dumps` writes it."""

# Derived values worth having in the JSON: properties, not attrs fields.
_DERIVED: Final[Mapping[type, tuple[str, ...]]] = {
    ActionTrace: ("channels",),
    LearningSummary: ("loop_closure_rate",),
    Problem: ("location",),
}


def to_plain(value: object) -> JSONValue:
    """Return *value* as plain JSON data.

    attrs instances become objects of their fields (and the derived values
    listed in ``_DERIVED``), enums their values, dates ISO 8601 text, tuples
    and lists arrays, sets sorted arrays; anything else unknown its text.

    Examples:
        >>> from datetime import date
        >>> from incident_learning._cli_output import to_plain
        >>> from incident_learning.analysis import Gap, GapKind
        >>> to_plain(
        ...     Gap(
        ...         kind=GapKind.OVERDUE_ACTION,
        ...         record="ACT-1",
        ...         records=("ACT-1",),
        ...         since=date(2025, 10, 1),
        ...         message="late",
        ...     )
        ... )
        {'kind': 'overdue_action', 'record': 'ACT-1', 'records': ['ACT-1'], 'since': '2025-10-01', 'message': 'late'}
    """
    if isinstance(value, enum.Enum):
        value = value.value
    cls = type(value)
    result: JSONValue
    if value is None or isinstance(value, bool | int | float | str):
        result = value
    elif isinstance(value, date):  # datetimes too
        result = value.isoformat()
    elif attrs.has(cls):
        names = [field.name for field in attrs.fields(cls)]
        names.extend(_DERIVED.get(cls, ()))
        result = {name: to_plain(getattr(value, name)) for name in names}
    elif isinstance(value, Mapping):
        result = {str(key): to_plain(item) for key, item in value.items()}
    elif isinstance(value, set | frozenset):
        result = sorted((to_plain(item) for item in value), key=json.dumps)
    elif isinstance(value, list | tuple):
        result = [to_plain(item) for item in value]
    else:
        result = str(value)
    return result


def dumps(value: object) -> str:
    """Return *value* as deterministic JSON text: keys sorted, indented, a final newline.

    Examples:
        >>> from incident_learning._cli_output import dumps
        >>> print(dumps({"b": (1, 2), "a": None}), end="")
        {
          "a": null,
          "b": [
            1,
            2
          ]
        }
    """
    return (
        json.dumps(to_plain(value), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def gaps_data(gaps: LoopGaps) -> dict[str, JSONValue]:
    """Return the broken loops as JSON data, each gap with its days open.

    Examples:
        >>> from datetime import date
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import gaps_data
        >>> from incident_learning.analysis import loop_gaps
        >>> graph = il.build_graph(samples.small_log())
        >>> data = gaps_data(loop_gaps(graph, as_of=date(2025, 12, 31)))
        >>> data["counts"], data["gaps"][0]["since"], data["gaps"][0]["days_open"]
        ([['overdue_action', 1]], '2025-05-01', 244)
    """
    return {
        "as_of": to_plain(gaps.as_of),
        "counts": to_plain(gaps.counts),
        "gaps": [
            {**_fields(gap), "days_open": gap.days_open(gaps.as_of)} for gap in gaps
        ],
    }


def record_count(log: LearningLog) -> int:
    """Return how many record versions *log* holds, earlier versions included."""
    return sum(1 for _ in log.all_versions())


def import_csv_data(
    result: ImportResult, source: str, output: str
) -> dict[str, JSONValue]:
    """Return what a CSV import did as JSON data: counts, every rejected row, the files.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import import_csv_data
        >>> from incident_learning.tabular import export_csv, import_folder
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = export_csv(samples.small_log(), folder)
        >>> data = import_csv_data(import_folder(folder), str(folder), "log.jsonl")
        >>> data["rows_read"] == data["imported_rows"], data["rejected"]
        (True, [])
    """
    return {
        "source": source,
        "output": output,
        "rows_read": result.rows_read,
        "imported_rows": result.imported_rows,
        "imported": len(result.imported),
        "blank_lines": result.blank_lines,
        "rejected": [
            {
                "file": row.file,
                "line": row.line,
                "column": row.column,
                "reason": row.reason,
            }
            for row in result.rejected
        ],
        "encoding": to_plain(result.encoding),
        "duplicate_columns": to_plain(result.duplicate_columns),
        "unused_columns": to_plain(result.unused_columns),
        "missing_columns": to_plain(result.missing_columns),
        "rejects": None if result.rejects is None else str(result.rejects),
        "records": record_count(result.log),
    }


def import_fhir_data(
    result: FhirImport, source: str, output: str
) -> dict[str, JSONValue]:
    """Return what a FHIR import did as JSON data: the version, what was not held.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import import_fhir_data
        >>> from incident_learning.fhir import from_fhir, to_fhir_bundle
        >>> bundle = to_fhir_bundle(samples.small_log(), profile="internal")
        >>> data = import_fhir_data(from_fhir(bundle), "in.json", "log.jsonl")
        >>> data["fhir_version"], data["not_held"], data["records"]
        ('R5', [], 21)
    """
    return {
        "source": source,
        "output": output,
        "fhir_version": result.fhir_version,
        "conversions": list(result.conversions),
        "not_held": [
            {"location": problem.location, "message": problem.message}
            for problem in result.not_held
        ],
        "records": record_count(result.log),
    }


_SHOWN_ROWS: Final = 20
"""Rejected rows or unheld elements listed in text; JSON lists them all."""


def _listed(title: str, lines: Sequence[str], more: str) -> list[str]:
    if not lines:
        return []
    shown = [f"  {line}" for line in lines[:_SHOWN_ROWS]]
    if len(lines) > _SHOWN_ROWS:
        shown.append(f"  ... and {len(lines) - _SHOWN_ROWS} more ({more})")
    return [title, *shown]


def render_import(data: Mapping[str, JSONValue]) -> str:
    """Return what an import did (from :func:`import_csv_data` or :func:`import_fhir_data`) as text.

    Examples:
        >>> from incident_learning._cli_output import render_import
        >>> print(
        ...     render_import(
        ...         {
        ...             "source": "in.json",
        ...             "output": "log.jsonl",
        ...             "fhir_version": "R4",
        ...             "conversions": ["AdverseEvent: event -> code"],
        ...             "not_held": [
        ...                 {
        ...                     "location": "entry[0].resource.severity",
        ...                     "message": "has no R5 element",
        ...                 }
        ...             ],
        ...             "records": 7,
        ...         }
        ...     )
        ... )
        Read FHIR R4 from in.json.
        Converted:
          AdverseEvent: event -> code
        Reported, not imported:
          entry[0].resource.severity: has no R5 element
        Wrote the log to log.jsonl (7 records).
    """
    lines: list[str] = []
    if "fhir_version" in data:
        lines.append(f"Read FHIR {data['fhir_version']} from {data['source']}.")
        conversions = [str(item) for item in _list(data["conversions"])]
        lines += _listed("Converted:", conversions, "see --format json")
        not_held = [
            f"{_dict(item)['location']}: {_dict(item)['message']}"
            for item in _list(data["not_held"])
        ]
        lines += _listed("Reported, not imported:", not_held, "see --format json")
    else:
        rejected = _list(data["rejected"])
        encodings = ", ".join(
            sorted({str(v) for v in _dict(data["encoding"]).values()})
        )
        read = data["rows_read"]
        lines.append(
            f"Read {read} row{'' if read == 1 else 's'} from {data['source']} ({encodings}): "
            f"imported {data['imported_rows']}, rejected {len(rejected)}, "
            f"blank {data['blank_lines']}."
        )
        rows = []
        for item in rejected:
            row = _dict(item)
            column = f", column {row['column']!r}" if row["column"] else ""
            rows.append(f"{row['file']} line {row['line']}{column}: {row['reason']}")
        lines += _listed("Rejected:", rows, "see the rejects file or --format json")
        for key, title in (
            ("duplicate_columns", "Duplicate columns (not used)"),
            ("missing_columns", "Missing columns (read as blank)"),
        ):
            for file, columns in sorted(_dict(data[key]).items()):
                names = ", ".join(repr(str(name)) for name in _list(columns))
                lines.append(f"{title} in {file}: {names}")
        if data["rejects"] is not None and rejected:
            lines.append(
                f"Wrote the rejected rows to {data['rejects']}: fix them there and "
                "import that file the same way."
            )
        elif data["rejects"] is not None:
            lines.append(
                f"Nothing was rejected: {data['rejects']} holds the header only."
            )
    lines.append(f"Wrote the log to {data['output']} ({data['records']} records).")
    return "\n".join(lines) + "\n"


def _list(value: JSONValue) -> list[JSONValue]:
    assert isinstance(value, list)  # noqa: S101 - made by this module
    return value


def _dict(value: JSONValue) -> dict[str, JSONValue]:
    assert isinstance(value, dict)  # noqa: S101 - made by this module
    return value


def _fields(value: object) -> dict[str, JSONValue]:
    plain = to_plain(value)
    assert isinstance(plain, dict)  # noqa: S101 - value is an attrs instance
    return plain


# --- text ----------------------------------------------------------------------

_SHOWN_IDS: Final = 6
"""How many identifiers a line of text names before it counts the rest."""


def _words(value: enum.Enum | str) -> str:
    text = value.value if isinstance(value, enum.Enum) else value
    return str(text).replace("_", " ")


def _ids(ids: Sequence[str]) -> str:
    if not ids:
        return "none"
    shown = ", ".join(ids[:_SHOWN_IDS])
    rest = len(ids) - _SHOWN_IDS
    return f"{shown} and {rest} more" if rest > 0 else shown


def _counted(name: str, ids: Sequence[str]) -> str:
    return f"{name} ({len(ids)}): {_ids(ids)}" if ids else f"{name}: none"


@attrs.frozen
class _Node:
    """One line of a tree and the lines below it."""

    label: str
    children: tuple[_Node, ...] = ()


def _tree_lines(node: _Node, prefix: str = "") -> Iterator[str]:
    """Yield the lines below *node*, drawn with *prefix* before each."""
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        yield f"{prefix}{'└─ ' if last else '├─ '}{child.label}"
        yield from _tree_lines(child, prefix + ("   " if last else "│  "))


def _render_tree(root: _Node) -> list[str]:
    return [root.label, *_tree_lines(root)]


def _chain(labels: Iterable[str], last: _Node) -> _Node:
    """Return *labels* nested one inside the other, with *last* innermost."""
    node = last
    for label in reversed(list(labels)):
        node = _Node(label, (node,))
    return node


def _sharing(sharing: SharingEvidence) -> _Node:
    parts = [
        _counted(name, ids)
        for name, ids in (
            ("governance meetings", sharing.meetings),
            ("learning shares", sharing.shares),
            ("services reached", sharing.services),
            ("teams reached", sharing.teams),
        )
        if ids
    ]
    if not parts:
        return _Node("sharing: none")
    if sharing.first_shared_on is not None:
        parts.append(f"first shared on {sharing.first_shared_on}")
    if sharing.discussed_in:
        settings = ", ".join(_words(setting) for setting in sharing.discussed_in)
        parts.append(f"discussed in {settings}")
    return _Node("sharing", tuple(_Node(part) for part in parts))


def _effect(effect: EffectEvidence) -> _Node:
    reviews = _counted("effectiveness reviews", effect.reviews)
    if effect.latest_verdict is not None:
        reviews += f"; latest {_words(effect.latest_verdict)}"
    checks = _counted("staff confidence checks", effect.confidence_checks)
    return _Node("effect", (_Node(reviews), _Node(checks)))


def _action_node(trace: ActionTrace, label: str) -> _Node:
    """Return the action, with its channels, sharing and effect below it."""
    training = trace.training
    attended = ""
    if training.attended_share is not None:
        attended = (
            f"; {training.staff_attended} of {training.staff_in_post} staff in post "
            f"attended ({training.attended_share:.0%})"
        )
    changes = trace.service_changes
    where = ""
    if changes.changes:
        areas = ", ".join(_words(area) for area in changes.areas)
        where = f"; {areas} at {_ids(changes.services)}"
    children = [
        _Node(_counted("training", training.sessions) + attended),
        _Node(_counted("supervision", trace.supervision.sessions)),
        _Node(_counted("reflective practice", trace.reflective_practice.sessions)),
        _Node(_counted("coaching", trace.coaching.sessions)),
        _Node(_counted("service changes", changes.changes) + where),
        _sharing(trace.sharing),
        _effect(trace.effect),
    ]
    if trace.rejection_reason is not None:
        children.insert(0, _Node(f"rejected: {trace.rejection_reason}"))
    children.extend(_Node(f"disagreement: {d.message}") for d in trace.disagreements)
    return _Node(label, tuple(children))


def _status(trace: ActionTrace) -> str:
    return f"{_words(trace.status)}; loop {_words(trace.loop_status)}"


def render_action_trace(trace: ActionTrace) -> str:
    """Return an action's trace as a tree, from its incidents to its effect.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import render_action_trace
        >>> from incident_learning.analysis import action_trace
        >>> graph = il.build_graph(samples.small_log())
        >>> print(render_action_trace(action_trace(graph, "ACT-0001")))
        action ACT-0001: proposed; loop embedded
        incidents (1): INC-0001, first on 2025-03-01
        └─ learning responses (1): LR-0001
           └─ contributing factors (1): CF-0001
              └─ learning points (1): LP-0001
                 └─ action ACT-0001
                    ├─ training (1): TRN-0001; 2 of 3 staff in post attended (67%)
                    ├─ supervision: none
                    ...
                    ├─ effect
                    │  ├─ effectiveness reviews (1): REV-0001; latest effective
                    │  └─ staff confidence checks (1): SCC-0001
                    └─ disagreement: the latest review (REV-0001, 2025-09-30) says effective but the status is still proposed
    """
    origin = trace.origin
    first = f", first on {origin.first_incident_on}" if origin.first_incident_on else ""
    root = _chain(
        [
            _counted("incidents", origin.incidents) + first,
            _counted("learning responses", origin.responses),
            _counted("contributing factors", origin.factors),
            _counted("learning points", origin.learning_points),
        ],
        _action_node(trace, f"action {trace.action}"),
    )
    return "\n".join([f"action {trace.action}: {_status(trace)}", *_render_tree(root)])


def _gap_line(gap: Gap, as_of: date | None) -> str:
    opened = (
        f"since {gap.since}"
        if as_of is None
        else f"open {gap.days_open(as_of)} days (since {gap.since})"
    )
    return f"{_words(gap.kind)}, {opened}: {gap.message}"


def render_incident_trace(trace: IncidentTrace, *, as_of: date | None) -> str:
    """Return an incident's trace as a tree with each action, then what is missing.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import render_incident_trace
        >>> from incident_learning.analysis import incident_trace
        >>> graph = il.build_graph(samples.small_log())
        >>> print(render_incident_trace(incident_trace(graph, "INC-0001"), as_of=None))
        incident INC-0001
        └─ learning responses (1): LR-0001
           └─ contributing factors (1): CF-0001
              └─ learning points (1): LP-0001
                 └─ actions (1): ACT-0001
                    └─ ACT-0001: proposed; loop embedded
        ...
        reviewed at governance meetings: GOV-0001
        missing: nothing
    """
    actions = _Node(
        _counted("actions", [action.action for action in trace.actions]),
        tuple(
            _action_node(action, f"{action.action}: {_status(action)}")
            for action in trace.actions
        ),
    )
    root = _Node(
        f"incident {trace.incident}",
        (
            _chain(
                [
                    _counted("learning responses", trace.responses),
                    _counted("contributing factors", trace.factors),
                    _counted("learning points", trace.learning_points),
                ],
                actions,
            ),
        ),
    )
    lines = _render_tree(root)
    lines.append(f"reviewed at governance meetings: {_ids(trace.meetings)}")
    judged = f", as of {as_of}" if as_of is not None else ""
    if trace.missing:
        lines.append(f"missing ({len(trace.missing)}){judged}:")
        lines.extend(f"  {_gap_line(gap, as_of)}" for gap in trace.missing)
    else:
        lines.append(f"missing{judged}: nothing")
    return "\n".join(lines)


def render_gaps(gaps: LoopGaps) -> str:
    """Return the broken loops, grouped by kind, most urgent first.

    Examples:
        >>> from datetime import date
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import render_gaps
        >>> from incident_learning.analysis import loop_gaps
        >>> graph = il.build_graph(samples.small_log())
        >>> print(render_gaps(loop_gaps(graph, as_of=date(2025, 12, 31))))
        as of 2025-12-31: 1 broken loop
        <BLANKLINE>
        overdue action (1)
            244 days  action ACT-0001 was due on 2025-04-30 and is 245 days overdue (proposed)
    """
    if not gaps.gaps:
        return f"as of {gaps.as_of}: no broken loops"
    plural = "s" * (len(gaps) != 1)
    lines = [f"as of {gaps.as_of}: {len(gaps)} broken loop{plural}"]
    for kind, count in gaps.counts:
        lines.extend(["", f"{_words(kind)} ({count})"])
        for gap in gaps.of_kind(kind):
            days = gap.days_open(gaps.as_of)
            lines.append(
                f"  {days:>5} {'day ' if days == 1 else 'days'}  {gap.message}"
            )
    return "\n".join(lines)


def render_log_headline(summary: LogSummary) -> str:
    """Return the first look at a log: provider, incidents and records.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning._cli_output import render_log_headline
        >>> from incident_learning.analysis import log_summary
        >>> print(render_log_headline(log_summary(samples.small_log())))
        Oakvale Care Group
          incidents: 1 (near misses: 0), 2025-03-01 to 2025-03-01
          records: 21 current
    """
    incidents = sum(count for _, count in summary.incidents_by_category)
    span = (
        f", {summary.first_incident} to {summary.last_incident}"
        if summary.first_incident is not None
        else ""
    )
    return "\n".join(
        [
            summary.provider or "(no provider)",
            f"  incidents: {incidents} (near misses: {summary.near_misses}){span}",
            f"  records: {sum(count for _, count in summary.records)} current",
        ]
    )


# --- progress --------------------------------------------------------------------


class Progress:
    """Progress of long work on a terminal: a bar for bytes read, a line per phase.

    It writes to *stream* only when *enabled*: on a terminal and not asked to be
    quiet (see :meth:`for_stream`). Each line is drawn over the last and
    cleared when its work is done, so the tool's output follows on a clean
    line.
    """

    #: Seconds between two redraws of a bar.
    interval: Final = 0.1
    #: Characters in a bar.
    width: Final = 24

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._drawn = 0
        self._last_draw = -float("inf")

    @classmethod
    def for_stream(cls, stream: TextIO, *, quiet: bool) -> Progress:
        """Return progress drawn on *stream* if it is a terminal and not *quiet*."""
        return cls(stream, enabled=not quiet and stream.isatty())

    def _draw(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(text)

    def clear(self) -> None:
        """Remove the line drawn last, if any."""
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0

    def bar(self, label: str, done: int, total: int) -> None:
        """Draw *label* with a bar of *done* bytes out of *total*, at most every :attr:`interval`."""
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        total = max(total, done)
        filled = self.width * done // total
        self._draw(
            f"{label} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done / total:4.0%} {done / 1e6:.1f}/{total / 1e6:.1f} MB"
        )

    @contextlib.contextmanager
    def phase(self, label: str) -> Iterator[None]:
        """Show *label* while the work in the ``with`` block runs, then clear it."""
        if self.enabled:
            self._draw(f"{label}...")
        try:
            yield
        finally:
            self.clear()
