"""W3C PROV export of the learning loop and of the log's history: PROV-JSON and PROV-N.

Two documents, each in PROV-JSON (a dict, or sorted JSON text) and PROV-N:

* **The loop** (:func:`to_prov_json`, :func:`dumps_prov_json`,
  :func:`to_prov_n`), from the learning graph, whole or restricted to a
  trace's ``records``: incidents, contributing factors, learning points and
  actions (plans) are *entities*; learning responses, embedding records,
  meetings, shares and reviews are *activities*, timed by their dates; the
  staff, teams and services they name are *agents*, each association
  carrying the agent's ``prov:role`` (``il:trainer``, ``il:attendee``, ...).
  Each graph edge becomes one PROV relation, read the PROV way (from the
  response back to its cause).
* **The history** (:func:`history_to_prov_json`,
  :func:`dumps_history_prov_json`, :func:`history_to_prov_n`), from the
  :class:`~incident_learning.model.LearningLog`: the loop as it stands, plus
  every version of every record as its own entity (``il:ACT-0001@v2``),
  generated at its ``recorded_at``, attributed to its ``recorded_by``, a
  ``prov:Revision`` of the version before; a withdrawal (entered in error)
  invalidates the version it withdraws, and each change of an action's
  status is an activity associated with its decider.

Either may add a learning report as an entity derived from the records it
summarised (:class:`ReportEntity`).

Only identifiers, kinds, statuses and times are exported, never free text
(descriptions, amendment and status reasons) or names. The ``prov``
package is not needed: the output is plain JSON data and text (the tests
load it with ``prov`` and check it against the W3C schema). The mapping is
documented, with tables, in ``docs/prov.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from incident_learning.exceptions import InvalidDataError, Problem, UnknownRecordError
from incident_learning.graph import KIND, RECORD, NodeKind, build_graph, graph_index
from incident_learning.model.action import Action, StatusChange
from incident_learning.model.base import ID_PATTERN, Record
from incident_learning.model.organisation import StaffMember

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph
    from incident_learning.model.log import LearningLog

__all__ = [
    "NAMESPACE",
    "PREFIX",
    "USER_NAMESPACE",
    "USER_PREFIX",
    "ReportEntity",
    "dumps_history_prov_json",
    "dumps_prov_json",
    "history_to_prov_json",
    "history_to_prov_n",
    "to_prov_json",
    "to_prov_n",
]

PREFIX: Final = "il"
"""The namespace prefix of every record, agent and kind."""

NAMESPACE: Final = "urn:incident-learning:"
"""The URI the ``il`` prefix stands for."""

USER_PREFIX: Final = "user"
"""The prefix of user references that are not staff of the log."""

USER_NAMESPACE: Final = "urn:incident-learning-user:"
"""The URI the ``user`` prefix stands for.

A namespace of its own, not ``il:user:...``: identifiers may contain ``:``,
so a record ``user:x`` would otherwise share an IRI with a user ``x``.
"""

_ENTITIES: Final = frozenset(
    {
        NodeKind.INCIDENT,
        NodeKind.CONTRIBUTING_FACTOR,
        NodeKind.LEARNING_POINT,
        NodeKind.ACTION,
    }
)

_EXTRA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "action": "prov:Plan",
        "staff_member": "prov:Person",
        "team": "prov:Organization",
        "service": "prov:Organization",
    }
)
"""The PROV type each kind has beside its own ``il:`` type."""

_TIMES: Final[Mapping[NodeKind, tuple[str, str | None]]] = MappingProxyType(
    {
        NodeKind.LEARNING_RESPONSE: ("started_on", "completed_on"),
        NodeKind.TRAINING_SESSION: ("held_on", None),
        NodeKind.SUPERVISION_SESSION: ("held_on", None),
        NodeKind.REFLECTIVE_PRACTICE_SESSION: ("held_on", None),
        NodeKind.COACHING_SESSION: ("held_on", None),
        NodeKind.SERVICE_CHANGE: ("effective_from", None),
        NodeKind.GOVERNANCE_MEETING: ("held_on", None),
        NodeKind.LEARNING_SHARE: ("shared_on", None),
        NodeKind.EFFECTIVENESS_REVIEW: ("reviewed_on", None),
        NodeKind.STAFF_CONFIDENCE_CHECK: ("checked_on", None),
    }
)
"""Each activity kind's start and end date fields."""

_STAFF, _TEAM, _SERVICE = "staff_member", "team", "service"

_AGENTS: Final[Mapping[NodeKind, tuple[tuple[str, str, str], ...]]] = MappingProxyType(
    {
        NodeKind.LEARNING_RESPONSE: (
            ("lead", _STAFF, "lead"),
            ("participants", _STAFF, "participant"),
        ),
        NodeKind.TRAINING_SESSION: (
            ("trainer", _STAFF, "trainer"),
            ("attendees", _STAFF, "attendee"),
            ("service", _SERVICE, "service"),
        ),
        NodeKind.SUPERVISION_SESSION: (
            ("supervisor", _STAFF, "supervisor"),
            ("supervisee", _STAFF, "supervisee"),
        ),
        NodeKind.REFLECTIVE_PRACTICE_SESSION: (
            ("facilitator", _STAFF, "facilitator"),
            ("attendees", _STAFF, "attendee"),
            ("service", _SERVICE, "service"),
        ),
        NodeKind.COACHING_SESSION: (
            ("coach", _STAFF, "coach"),
            ("coachees", _STAFF, "coachee"),
        ),
        NodeKind.SERVICE_CHANGE: (("services", _SERVICE, "service"),),
        NodeKind.GOVERNANCE_MEETING: (
            ("service", _SERVICE, "service"),
            ("attendees", _STAFF, "attendee"),
            ("circulated_to", _SERVICE, "recipient"),
        ),
        NodeKind.LEARNING_SHARE: (
            ("shared_by", _STAFF, "sender"),
            ("services", _SERVICE, "recipient"),
            ("teams", _TEAM, "recipient"),
        ),
        NodeKind.EFFECTIVENESS_REVIEW: (("reviewer", _STAFF, "reviewer"),),
        NodeKind.STAFF_CONFIDENCE_CHECK: (
            ("service", _SERVICE, "respondent"),
            ("team", _TEAM, "respondent"),
        ),
    }
)
"""Each activity kind's fields naming agents: the field, the agents' kind, their role.

Every staff, team and service field of the activity records is here (a
test checks it against the model's references).
"""

# Relation name, its PROV-JSON keys (effect first), and the id letter, by
# (source is an entity, target is one).
_RELATIONS: Final[Mapping[tuple[bool, bool], tuple[str, str, str]]] = MappingProxyType(
    {
        (True, True): ("wasDerivedFrom", "prov:generatedEntity", "prov:usedEntity"),
        (False, True): ("wasGeneratedBy", "prov:entity", "prov:activity"),
        (True, False): ("used", "prov:activity", "prov:entity"),
        (False, False): ("wasInformedBy", "prov:informed", "prov:informant"),
    }
)

_POSITIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "used": ("prov:activity", "prov:entity", "prov:time"),
        "wasGeneratedBy": ("prov:entity", "prov:activity", "prov:time"),
        "wasInvalidatedBy": ("prov:entity", "prov:activity", "prov:time"),
        "wasDerivedFrom": (
            "prov:generatedEntity",
            "prov:usedEntity",
            "prov:activity",
            "prov:generation",
            "prov:usage",
        ),
        "wasInformedBy": ("prov:informed", "prov:informant"),
        "wasInfluencedBy": ("prov:influencee", "prov:influencer"),
        "wasAttributedTo": ("prov:entity", "prov:agent"),
        "wasAssociatedWith": ("prov:activity", "prov:agent", "prov:plan"),
    }
)
"""Each relation's PROV-N arguments after its id, as PROV-JSON keys, in order."""

_LETTERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "used": "u",
        "wasGeneratedBy": "g",
        "wasInvalidatedBy": "v",
        "wasDerivedFrom": "d",
        "wasInformedBy": "i",
        "wasInfluencedBy": "n",
        "wasAttributedTo": "t",
        "wasAssociatedWith": "a",
    }
)
"""The letter of each relation's ids: ``il:_u1``, ``il:_g1``, ..."""

_ORDER: Final = ("entity", "activity", "agent", *_POSITIONS)
"""The record types of the document, in the order PROV-N writes them."""

_TIME_KEYS: Final = frozenset({"prov:time", "prov:startTime", "prov:endTime"})

# Characters PROV-N escapes with a backslash anywhere in a local name.
_PROVN_ESCAPED: Final = re.compile(r"[=',:;\[\]()]")
# What a user reference keeps as it is; anything else is percent-encoded.
_USER_KEPT: Final = re.compile(r"[A-Za-z0-9_.\-]")

_Body = dict[str, Any]


def _name(local: str) -> str:
    return f"{PREFIX}:{local}"


def _types(kind: str) -> list[str]:
    extra = _EXTRA_TYPES.get(kind)
    return [_name(kind)] if extra is None else [_name(kind), extra]


def _time(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def _moment(moment: datetime) -> str:
    return moment.isoformat()


def _version(record_id: str, version: int) -> str:
    # '@' is not allowed in identifiers, so no version name is a record's.
    return _name(f"{record_id}@v{version}")


def _user(reference: str) -> str:
    encoded = "".join(
        char
        if _USER_KEPT.fullmatch(char)
        else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in reference
    )
    return f"{USER_PREFIX}:{encoded}"


class _Document:
    """A PROV document being built: record type -> id -> PROV-JSON keys.

    Qualified-name attribute values (types, roles, ...) are held as lists of
    names and written typed; every other value is written as it is.
    """

    def __init__(self) -> None:
        self.records: dict[str, dict[str, _Body]] = {name: {} for name in _ORDER}
        self.counts = dict.fromkeys(_LETTERS.values(), 0)
        self.prefixes = {PREFIX: NAMESPACE}

    def relation(self, name: str, body: _Body) -> str:
        letter = _LETTERS[name]
        self.counts[letter] += 1
        key = f"{PREFIX}:_{letter}{self.counts[letter]}"
        self.records[name][key] = body
        return key

    def agent(self, name: str, kind: str) -> None:
        self.records["agent"].setdefault(name, {"prov:type": _types(kind)})

    def has(self, name: str) -> bool:
        return any(
            name in self.records[kind] for kind in ("entity", "activity", "agent")
        )

    def items(self) -> Iterator[tuple[str, dict[str, _Body]]]:
        return ((name, items) for name, items in self.records.items() if items)


def _selected(graph: LearningGraph, records: Iterable[str] | None) -> list[str]:
    if records is None:
        return sorted(graph.nodes)
    chosen = sorted(set(records))
    for record_id in chosen:
        if record_id not in graph.nodes:
            raise UnknownRecordError(record_id)
    return chosen


def _loop(doc: _Document, graph: LearningGraph, nodes: list[str]) -> None:
    """Add the loop records *nodes* of *graph*, their relations and agents."""
    for node in nodes:
        data = graph.nodes[node]
        kind: NodeKind = data[KIND]
        if kind in _ENTITIES:
            doc.records["entity"][_name(node)] = {"prov:type": _types(kind)}
            continue
        record = data[RECORD]
        start, end = _TIMES[kind]
        body: _Body = {"prov:type": _types(kind)}
        body["prov:startTime"] = _time(getattr(record, start))
        ended = None if end is None else getattr(record, end)
        if ended is not None:
            body["prov:endTime"] = _time(ended)
        doc.records["activity"][_name(node)] = body

    for source, target in sorted(graph.subgraph(nodes).edges):
        source_entity = graph.nodes[source][KIND] in _ENTITIES
        target_entity = graph.nodes[target][KIND] in _ENTITIES
        name, effect, cause = _RELATIONS[source_entity, target_entity]
        doc.relation(name, {effect: _name(target), cause: _name(source)})

    for node in nodes:
        kind = graph.nodes[node][KIND]
        if kind in _ENTITIES:
            continue
        record = graph.nodes[node][RECORD]
        seen: set[tuple[str, str]] = set()
        for field, agent_kind, role in _AGENTS[kind]:
            value = getattr(record, field)
            for agent in (value,) if isinstance(value, str) else value or ():
                if (agent, role) in seen:
                    continue
                seen.add((agent, role))
                doc.agent(_name(agent), agent_kind)
                doc.relation(
                    "wasAssociatedWith",
                    {
                        "prov:activity": _name(node),
                        "prov:agent": _name(agent),
                        "prov:role": [_name(role)],
                    },
                )


@attrs.frozen(kw_only=True)
class ReportEntity:
    """A learning report to add to an export, as an entity derived from its records.

    A report (for example the HTML of :func:`incident_learning.report.learning_report`)
    is a product of the log, not a record in it, so the caller names it
    and says when it was made. In the document it is an entity typed
    ``il:learning_report``, generated at *generated_at*, derived
    (``wasDerivedFrom``) from each record it summarised and, when
    *author* is given, attributed to the author.

    Attributes:
        id: The report's identifier, e.g. ``REPORT-2025-Q1``; it must not
            be the identifier of anything else in the document.
        generated_at: When it was made (timezone-aware).
        author: Who made it: a staff identifier, or a user reference
            written like ``recorded_by``; ``None`` to leave it out.
        records: The records it summarised, each an entity of the export
            (an incident, contributing factor, learning point or action);
            ``None`` for every incident and action exported.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from incident_learning.prov import ReportEntity
        >>> ReportEntity(id="REPORT-Q1", generated_at=datetime(2025, 4, 1, tzinfo=UTC))
        ReportEntity(id='REPORT-Q1', generated_at=datetime.datetime(2025, 4, 1, 0, 0, tzinfo=datetime.timezone.utc), author=None, records=None)
    """

    id: str
    generated_at: datetime
    author: str | None = None
    records: tuple[str, ...] | None = None


def _report_problems(report: ReportEntity, doc: _Document) -> Iterator[Problem]:
    def problem(field: str, value: object, message: str) -> Problem:
        return Problem(
            path="report",
            record_id=report.id,
            field=field,
            value=value,
            message=message,
        )

    if not isinstance(report.id, str) or not ID_PATTERN.fullmatch(report.id):
        yield problem("id", report.id, f"{report.id!r} is not an identifier")
    elif doc.has(_name(report.id)):
        yield problem("id", report.id, "is already the id of a record or agent")
    if not isinstance(report.generated_at, datetime) or (
        report.generated_at.utcoffset() is None
    ):
        message = "must be a date and time with a time zone"
        yield problem("generated_at", report.generated_at, message)
    if report.author is not None and not (
        isinstance(report.author, str) and report.author.strip()
    ):
        yield problem("author", report.author, "must be non-blank text")
    for index, record_id in enumerate(report.records or ()):
        if _name(str(record_id)) not in doc.records["entity"]:
            message = f"{record_id!r} is not an incident, factor, learning point or action of the export"
            yield problem(f"records[{index}]", record_id, message)


def _report(doc: _Document, report: ReportEntity, staff: Mapping[str, object]) -> None:
    problems = list(_report_problems(report, doc))
    if problems:
        raise InvalidDataError(problems)
    name = _name(report.id)
    if report.records is None:
        wanted = (_types(NodeKind.INCIDENT), _types(NodeKind.ACTION))
        used = [
            key
            for key, body in doc.records["entity"].items()
            if body["prov:type"] in wanted
        ]
    else:
        used = [_name(record_id) for record_id in sorted(set(report.records))]
    doc.records["entity"][name] = {"prov:type": [_name("learning_report")]}
    doc.relation(
        "wasGeneratedBy",
        {"prov:entity": name, "prov:time": _moment(report.generated_at)},
    )
    for key in used:
        doc.relation(
            "wasDerivedFrom", {"prov:generatedEntity": name, "prov:usedEntity": key}
        )
    if report.author is not None:
        doc.relation(
            "wasAttributedTo",
            {"prov:entity": name, "prov:agent": _agent(doc, report.author, staff)},
        )


def _agent(doc: _Document, reference: str, staff: Mapping[str, object]) -> str:
    """Return the agent of a user reference, declaring it: a staff member or a user."""
    if reference in staff:
        name = _name(reference)
        doc.agent(name, _STAFF)
        return name
    name = _user(reference)
    doc.prefixes[USER_PREFIX] = USER_NAMESPACE
    doc.agent(name, "user")
    return name


def _loop_document(
    graph: LearningGraph, records: Iterable[str] | None, report: ReportEntity | None
) -> _Document:
    doc = _Document()
    _loop(doc, graph, _selected(graph, records))
    if report is not None:
        staff = graph_index(graph).staff if report.author is not None else {}
        _report(doc, report, staff)
    return doc


# --- history -----------------------------------------------------------------


def _status_changes(
    doc: _Document,
    record_id: str,
    changes: Iterable[StatusChange],
    seen: dict[StatusChange, str],
    staff: Mapping[str, object],
) -> list[str]:
    """Add the status changes not yet *seen* as activities; return their names."""
    added = []
    for change in changes:
        if change in seen:
            continue
        name = _name(f"{record_id}@status{len(seen) + 1}")
        seen[change] = name
        at = _moment(change.at)
        doc.records["activity"][name] = {
            "prov:type": [_name("status_change")],
            "prov:startTime": at,
            "prov:endTime": at,
            "il:status": [_name(change.status.value)],
        }
        doc.relation(
            "wasAssociatedWith",
            {
                "prov:activity": name,
                "prov:agent": _agent(doc, change.by, staff),
                "prov:role": [_name("decider")],
            },
        )
        added.append(name)
    return added


def _versions(
    doc: _Document, versions: tuple[Record, ...], staff: Mapping[str, object]
) -> None:
    """Add every version of one record, its revisions, status changes, withdrawal."""
    seen: dict[StatusChange, str] = {}
    before: Record | None = None
    for record in versions:
        name = _version(record.id, record.version)
        types = [_name("record_version")]
        if record.entered_in_error:
            types.append(_name("entered_in_error"))
        doc.records["entity"][name] = {
            "prov:type": types,
            "il:record": [_name(record.id)],
            "il:kind": [_name(record.record_kind)],
            "il:version": record.version,
        }
        at = _moment(record.recorded_at)
        made_by: str | None = None
        if isinstance(record, Action):
            added = _status_changes(doc, record.id, record.status_history, seen, staff)
            last = record.status_history[-1] if added else None
            if (
                last is not None
                and len(added) == 1
                and (last.by, last.at) == (record.recorded_by, record.recorded_at)
            ):
                # Made by Action.transitioned: the decision is the recording.
                made_by = added[0]
            else:
                for activity in added:
                    doc.relation(
                        "wasInfluencedBy",
                        {"prov:influencee": name, "prov:influencer": activity},
                    )
        generation: _Body = {"prov:entity": name, "prov:time": at}
        if made_by is not None:
            generation["prov:activity"] = made_by
        doc.relation("wasGeneratedBy", generation)
        doc.relation(
            "wasAttributedTo",
            {"prov:entity": name, "prov:agent": _agent(doc, record.recorded_by, staff)},
        )
        if before is not None:
            previous = _version(before.id, before.version)
            if made_by is not None:
                doc.relation(
                    "used",
                    {
                        "prov:activity": made_by,
                        "prov:entity": previous,
                        "prov:time": at,
                    },
                )
            revision: _Body = {
                "prov:generatedEntity": name,
                "prov:usedEntity": previous,
                "prov:type": ["prov:Revision"],
            }
            if made_by is not None:
                revision["prov:activity"] = made_by
            doc.relation("wasDerivedFrom", revision)
            if record.entered_in_error and not before.entered_in_error:
                doc.relation(
                    "wasInvalidatedBy", {"prov:entity": previous, "prov:time": at}
                )
        before = record


def _history_document(
    log: LearningLog, records: Iterable[str] | None, report: ReportEntity | None
) -> _Document:
    graph = build_graph(log)
    staff = log.of_kind(StaffMember)
    if records is None:
        chosen: set[str] | None = None
        nodes = sorted(graph.nodes)
    else:
        chosen = set(records)
        for record_id in sorted(chosen):
            if record_id not in log:
                raise UnknownRecordError(record_id)
        nodes = sorted(record_id for record_id in chosen if record_id in graph.nodes)
    doc = _Document()
    _loop(doc, graph, nodes)
    group: list[Record] = []
    for record in log.all_versions():
        if chosen is not None and record.id not in chosen:
            continue
        if group and group[0].id != record.id:
            _versions(doc, tuple(group), staff)
            group = []
        group.append(record)
    if group:
        _versions(doc, tuple(group), staff)
    if report is not None:
        _report(doc, report, staff)
    return doc


# --- writing -----------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, list):
        typed = [{"$": item, "type": "prov:QUALIFIED_NAME"} for item in value]
        return typed[0] if len(typed) == 1 else typed
    return value


def _json(doc: _Document) -> dict[str, Any]:
    document: dict[str, Any] = {"prefix": dict(doc.prefixes)}
    for name, items in doc.items():
        document[name] = {
            key: {attr: _json_value(value) for attr, value in body.items()}
            for key, body in items.items()
        }
    return document


def _dumps(document: dict[str, Any], indent: int | None) -> str:
    return json.dumps(document, indent=indent, sort_keys=True, ensure_ascii=False)


def _provn_name(name: str) -> str:
    """Return a qualified name as PROV-N spells it, its local part escaped."""
    prefix, _, local = name.partition(":")
    escaped = _PROVN_ESCAPED.sub(lambda match: "\\" + match.group(), local)
    if escaped.startswith(("-", ".")):
        # PROV-N's local names cannot start with a bare '-' or '.' ...
        escaped = "\\" + escaped
    if escaped.endswith(".") and not escaped.endswith("\\."):
        # ... nor end with a bare '.'.
        escaped = escaped[:-1] + "\\."
    return f"{prefix}:{escaped}"


def _provn_attributes(body: Mapping[str, Any], skip: Iterable[str]) -> str:
    pairs: list[str] = []
    for key, value in body.items():
        if key in skip:
            continue
        if isinstance(value, list):
            pairs.extend(f"{key}='{_provn_name(item)}'" for item in value)
        else:
            pairs.append(f"{key}={value}")
    return f", [{', '.join(pairs)}]" if pairs else ""


def _provn(doc: _Document) -> str:
    lines = ["document"]
    lines.extend(f"  prefix {prefix} <{uri}>" for prefix, uri in doc.prefixes.items())
    for name, items in doc.items():
        for key, body in items.items():
            if name in ("entity", "agent"):
                attributes = _provn_attributes(body, ())
                lines.append(f"  {name}({_provn_name(key)}{attributes})")
            elif name == "activity":
                start = body["prov:startTime"]
                end = body.get("prov:endTime", "-")
                attributes = _provn_attributes(body, _TIME_KEYS)
                lines.append(
                    f"  activity({_provn_name(key)}, {start}, {end}{attributes})"
                )
            else:
                positions = _POSITIONS[name]
                arguments = ", ".join(
                    "-"
                    if (value := body.get(position)) is None
                    else value
                    if position in _TIME_KEYS
                    else _provn_name(value)
                    for position in positions
                )
                attributes = _provn_attributes(body, positions)
                lines.append(f"  {name}({key}; {arguments}{attributes})")
    lines.append("endDocument")
    return "\n".join(lines)


# --- the public functions --------------------------------------------------------


def to_prov_json(
    graph: LearningGraph,
    *,
    records: Iterable[str] | None = None,
    report: ReportEntity | None = None,
) -> dict[str, Any]:
    """Return the PROV-JSON document of *graph*, or of the given records.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        records: The record ids to export, for example a trace's
            ``records``; every record of the graph by default. Relations are
            those between these records, with the agents of their activities.
        report: A learning report to add, derived from the exported records.

    Returns:
        A new dict in PROV-JSON form: ``prefix``, then one object per record
        type present, each keyed by identifier. Relation ids (``il:_u1``,
        ``il:_g1``, ...) are numbered in sorted order, so equal input gives
        equal output.

    Raises:
        UnknownRecordError: A record in *records* is not a node of *graph*.
        InvalidDataError: The *report* is not valid here (each problem named).

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.prov import to_prov_json
        >>> doc = to_prov_json(build_graph(samples.small_log()), records=["INC-0001"])
        >>> doc["entity"]
        {'il:INC-0001': {'prov:type': {'$': 'il:incident', 'type': 'prov:QUALIFIED_NAME'}}}
    """
    return _json(_loop_document(graph, records, report))


def dumps_prov_json(
    graph: LearningGraph,
    *,
    records: Iterable[str] | None = None,
    report: ReportEntity | None = None,
    indent: int | None = 2,
) -> str:
    """Return :func:`to_prov_json` as JSON text, keys sorted, the same every time.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        records: The record ids to export; every record by default.
        report: A learning report to add, derived from the exported records.
        indent: The indent, or ``None`` for one line.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.prov import dumps_prov_json
        >>> graph = build_graph(samples.small_log())
        >>> dumps_prov_json(graph, records=["INC-0001"], indent=None)[:46]
        '{"entity": {"il:INC-0001": {"prov:type": {"$":'
    """
    return _dumps(to_prov_json(graph, records=records, report=report), indent)


def to_prov_n(
    graph: LearningGraph,
    *,
    records: Iterable[str] | None = None,
    report: ReportEntity | None = None,
) -> str:
    """Return the same document as :func:`to_prov_json`, in PROV-N.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        records: The record ids to export; every record by default.
        report: A learning report to add, derived from the exported records.

    Raises:
        UnknownRecordError: A record in *records* is not a node of *graph*.
        InvalidDataError: The *report* is not valid here.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.prov import to_prov_n
        >>> graph = build_graph(samples.small_log())
        >>> print(to_prov_n(graph, records=["INC-0001", "LR-0001"]))
        document
          prefix il <urn:incident-learning:>
          entity(il:INC-0001, [prov:type='il:incident'])
          activity(il:LR-0001, 2025-03-03T00:00:00, 2025-03-03T00:00:00, [prov:type='il:learning_response'])
          agent(il:STAFF-RM, [prov:type='il:staff_member', prov:type='prov:Person'])
          agent(il:STAFF-CW1, [prov:type='il:staff_member', prov:type='prov:Person'])
          agent(il:STAFF-CW2, [prov:type='il:staff_member', prov:type='prov:Person'])
          used(il:_u1; il:LR-0001, il:INC-0001, -)
          wasAssociatedWith(il:_a1; il:LR-0001, il:STAFF-RM, -, [prov:role='il:lead'])
          wasAssociatedWith(il:_a2; il:LR-0001, il:STAFF-CW1, -, [prov:role='il:participant'])
          wasAssociatedWith(il:_a3; il:LR-0001, il:STAFF-CW2, -, [prov:role='il:participant'])
        endDocument
    """
    return _provn(_loop_document(graph, records, report))


def history_to_prov_json(
    log: LearningLog,
    *,
    records: Iterable[str] | None = None,
    report: ReportEntity | None = None,
) -> dict[str, Any]:
    """Return the PROV-JSON audit trail of *log*: the loop and every record version.

    The document holds what :func:`to_prov_json` holds for the log's graph
    (records entered in error left out), and, for every version of every
    record of any kind, an entity ``il:<id>@v<version>`` typed
    ``il:record_version`` with the attributes ``il:record``, ``il:kind``
    and ``il:version``. Each version is generated at its ``recorded_at``
    and attributed to its ``recorded_by`` (the staff member of that id, or
    else a ``user:`` agent); each later version is a ``prov:Revision`` of
    the one before; a version that withdraws the record as entered in error
    is typed ``il:entered_in_error`` and invalidates the version before it
    at its time. Each status an action moved to is an activity
    ``il:<id>@status<n>`` at its time, associated with its decider (role
    ``il:decider``); the version it made is generated by it.

    No free text is exported: not the amendment reasons, not the reasons
    for status changes. To share the trail, export the shared profile
    (:func:`~incident_learning.model.privacy.pseudonymised`), whose staff
    identifiers and user references are pseudonyms.

    Args:
        log: The log; it is not modified.
        records: The record ids whose history to export (any kind), for
            example a trace's ``records``; every record by default. The loop
            part is restricted to the same records.
        report: A learning report to add, derived from the exported records.

    Raises:
        UnknownRecordError: A record in *records* is not in *log*.
        InvalidDataError: The *report* is not valid here.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.prov import history_to_prov_json
        >>> log = samples.small_log()
        >>> log.add(log.get("ACT-0001", il.Action).agreed(by="STAFF-RM", at=samples.AT))
        >>> doc = history_to_prov_json(log, records=["ACT-0001"])
        >>> sorted(doc["entity"])
        ['il:ACT-0001', 'il:ACT-0001@v1', 'il:ACT-0001@v2']
        >>> doc["activity"]["il:ACT-0001@status1"]["il:status"]["$"]
        'il:agreed'
        >>> [d["prov:type"]["$"] for d in doc["wasDerivedFrom"].values()]
        ['prov:Revision']
    """
    return _json(_history_document(log, records, report))


def dumps_history_prov_json(
    log: LearningLog,
    *,
    records: Iterable[str] | None = None,
    report: ReportEntity | None = None,
    indent: int | None = 2,
) -> str:
    """Return :func:`history_to_prov_json` as JSON text, keys sorted, the same every time.

    Args:
        log: The log; it is not modified.
        records: The record ids whose history to export; every record by default.
        report: A learning report to add, derived from the exported records.
        indent: The indent, or ``None`` for one line.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.prov import dumps_history_prov_json
        >>> text = dumps_history_prov_json(samples.small_log(), indent=None)
        >>> '"il:INC-0001@v1"' in text
        True
    """
    return _dumps(history_to_prov_json(log, records=records, report=report), indent)


def history_to_prov_n(
    log: LearningLog,
    *,
    records: Iterable[str] | None = None,
    report: ReportEntity | None = None,
) -> str:
    """Return the same document as :func:`history_to_prov_json`, in PROV-N.

    Args:
        log: The log; it is not modified.
        records: The record ids whose history to export; every record by default.
        report: A learning report to add, derived from the exported records.

    Raises:
        UnknownRecordError: A record in *records* is not in *log*.
        InvalidDataError: The *report* is not valid here.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.prov import history_to_prov_n
        >>> print(history_to_prov_n(samples.small_log(), records=["SVC-OAK"]))
        document
          prefix il <urn:incident-learning:>
          entity(il:SVC-OAK@v1, [prov:type='il:record_version', il:record='il:SVC-OAK', il:kind='il:service', il:version=1])
          agent(il:STAFF-RM, [prov:type='il:staff_member', prov:type='prov:Person'])
          wasGeneratedBy(il:_g1; il:SVC-OAK@v1, -, 2025-03-03T09:00:00+00:00)
          wasAttributedTo(il:_t1; il:SVC-OAK@v1, il:STAFF-RM)
        endDocument
    """
    return _provn(_history_document(log, records, report))
