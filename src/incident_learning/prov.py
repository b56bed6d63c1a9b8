"""W3C PROV export of the learning graph: PROV-JSON and PROV-N, stdlib only.

The whole log's history, or any set of records such as a trace's
``records``, becomes a PROV document: incidents, contributing factors,
learning points and actions (plans) are *entities*; learning responses,
embedding records, meetings, shares and reviews are *activities*, timed by
their dates; the staff, teams and services named as their leads,
facilitators, reviewers or services are *agents*. Each graph edge becomes one
PROV relation, read the PROV way (from the response back to its cause), and
each activity is associated with its agents.

Only identifiers, kinds and dates are exported, never free text or names.
The ``prov`` package is not needed: the output is plain JSON data and text
(the tests load it with ``prov`` and check it against the W3C schema). The
mapping is documented, with a table, in ``docs/prov.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import KIND, RECORD, NodeKind

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = [
    "NAMESPACE",
    "PREFIX",
    "dumps_prov_json",
    "to_prov_json",
    "to_prov_n",
]

PREFIX: Final = "il"
"""The namespace prefix of every record, agent and kind."""

NAMESPACE: Final = "urn:incident-learning:"
"""The URI the ``il`` prefix stands for."""

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

_AGENTS: Final[Mapping[NodeKind, tuple[tuple[str, str], ...]]] = MappingProxyType(
    {
        NodeKind.LEARNING_RESPONSE: (("lead", "staff_member"),),
        NodeKind.TRAINING_SESSION: (
            ("trainer", "staff_member"),
            ("service", "service"),
        ),
        NodeKind.SUPERVISION_SESSION: (("supervisor", "staff_member"),),
        NodeKind.REFLECTIVE_PRACTICE_SESSION: (
            ("facilitator", "staff_member"),
            ("service", "service"),
        ),
        NodeKind.COACHING_SESSION: (("coach", "staff_member"),),
        NodeKind.SERVICE_CHANGE: (("services", "service"),),
        NodeKind.GOVERNANCE_MEETING: (("service", "service"),),
        NodeKind.LEARNING_SHARE: (("shared_by", "staff_member"),),
        NodeKind.EFFECTIVENESS_REVIEW: (("reviewer", "staff_member"),),
        NodeKind.STAFF_CONFIDENCE_CHECK: (("service", "service"), ("team", "team")),
    }
)
"""Each activity kind's fields naming its agents, with the agents' kind."""

# Relation name, its PROV-JSON keys (effect first), its PROV-N arity after
# the two ids, and the id letter, by (source is an entity, target is one).
_RELATIONS: Final[Mapping[tuple[bool, bool], tuple[str, str, str, int, str]]] = (
    MappingProxyType(
        {
            (True, True): (
                "wasDerivedFrom",
                "prov:generatedEntity",
                "prov:usedEntity",
                3,
                "d",
            ),
            (False, True): ("wasGeneratedBy", "prov:entity", "prov:activity", 1, "g"),
            (True, False): ("used", "prov:activity", "prov:entity", 1, "u"),
            (False, False): (
                "wasInformedBy",
                "prov:informed",
                "prov:informant",
                0,
                "i",
            ),
        }
    )
)

_ORDER: Final = (
    "entity",
    "activity",
    "agent",
    "used",
    "wasGeneratedBy",
    "wasDerivedFrom",
    "wasInformedBy",
    "wasAssociatedWith",
)
"""The record types of the document, in the order PROV-N writes them."""


def _name(local: str) -> str:
    return f"{PREFIX}:{local}"


def _types(kind: str) -> list[str]:
    extra = _EXTRA_TYPES.get(kind)
    return [_name(kind)] if extra is None else [_name(kind), extra]


def _time(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def _selected(graph: LearningGraph, records: Iterable[str] | None) -> list[str]:
    if records is None:
        return sorted(graph.nodes)
    chosen = sorted(set(records))
    for record_id in chosen:
        if record_id not in graph.nodes:
            raise UnknownRecordError(record_id)
    return chosen


def _document(
    graph: LearningGraph, records: Iterable[str] | None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return the document as record type -> id -> PROV-JSON keys, types as lists."""
    nodes = _selected(graph, records)
    doc: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in _ORDER}
    counts = dict.fromkeys("dgiua", 0)

    def relation(name: str, letter: str, body: dict[str, Any]) -> None:
        counts[letter] += 1
        doc[name][f"{PREFIX}:_{letter}{counts[letter]}"] = body

    for node in nodes:
        data = graph.nodes[node]
        kind: NodeKind = data[KIND]
        if kind in _ENTITIES:
            doc["entity"][_name(node)] = {"prov:type": _types(kind)}
            continue
        record = data[RECORD]
        start, end = _TIMES[kind]
        body: dict[str, Any] = {"prov:type": _types(kind)}
        body["prov:startTime"] = _time(getattr(record, start))
        ended = None if end is None else getattr(record, end)
        if ended is not None:
            body["prov:endTime"] = _time(ended)
        doc["activity"][_name(node)] = body

    for source, target in sorted(graph.subgraph(nodes).edges):
        source_entity = graph.nodes[source][KIND] in _ENTITIES
        target_entity = graph.nodes[target][KIND] in _ENTITIES
        name, effect, cause, _, letter = _RELATIONS[source_entity, target_entity]
        relation(name, letter, {effect: _name(target), cause: _name(source)})

    for node in nodes:
        kind = graph.nodes[node][KIND]
        if kind in _ENTITIES:
            continue
        record = graph.nodes[node][RECORD]
        for field, agent_kind in _AGENTS[kind]:
            value = getattr(record, field)
            for agent in (value,) if isinstance(value, str) else value or ():
                doc["agent"][_name(agent)] = {"prov:type": _types(agent_kind)}
                relation(
                    "wasAssociatedWith",
                    "a",
                    {"prov:activity": _name(node), "prov:agent": _name(agent)},
                )
    return {name: records for name, records in doc.items() if records}


def _json_value(value: Any) -> Any:
    if isinstance(value, list):
        typed = [{"$": item, "type": "prov:QUALIFIED_NAME"} for item in value]
        return typed[0] if len(typed) == 1 else typed
    return value


def to_prov_json(
    graph: LearningGraph, *, records: Iterable[str] | None = None
) -> dict[str, Any]:
    """Return the PROV-JSON document of *graph*, or of the given records.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        records: The record ids to export, for example a trace's
            ``records``; every record of the graph by default. Relations are
            those between these records, with the agents of their activities.

    Returns:
        A new dict in PROV-JSON form: ``prefix``, then one object per record
        type present, each keyed by identifier. Relation ids (``il:_u1``,
        ``il:_g1``, ...) are numbered in sorted order, so equal input gives
        equal output.

    Raises:
        UnknownRecordError: A record in *records* is not a node of *graph*.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.prov import to_prov_json
        >>> doc = to_prov_json(build_graph(samples.small_log()), records=["INC-0001"])
        >>> doc["entity"]
        {'il:INC-0001': {'prov:type': {'$': 'il:incident', 'type': 'prov:QUALIFIED_NAME'}}}
    """
    document: dict[str, Any] = {"prefix": {PREFIX: NAMESPACE}}
    for name, items in _document(graph, records).items():
        document[name] = {
            key: {attr: _json_value(value) for attr, value in body.items()}
            for key, body in items.items()
        }
    return document


def dumps_prov_json(
    graph: LearningGraph,
    *,
    records: Iterable[str] | None = None,
    indent: int | None = 2,
) -> str:
    """Return :func:`to_prov_json` as JSON text, keys sorted, the same every time.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        records: The record ids to export; every record by default.
        indent: The indent, or ``None`` for one line.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.prov import dumps_prov_json
        >>> graph = build_graph(samples.small_log())
        >>> dumps_prov_json(graph, records=["INC-0001"], indent=None)[:46]
        '{"entity": {"il:INC-0001": {"prov:type": {"$":'
    """
    return json.dumps(
        to_prov_json(graph, records=records),
        indent=indent,
        sort_keys=True,
        ensure_ascii=False,
    )


def _provn_types(body: Mapping[str, Any]) -> str:
    return "[" + ", ".join(f"prov:type='{item}'" for item in body["prov:type"]) + "]"


def to_prov_n(graph: LearningGraph, *, records: Iterable[str] | None = None) -> str:
    """Return the same document as :func:`to_prov_json`, in PROV-N.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        records: The record ids to export; every record by default.

    Raises:
        UnknownRecordError: A record in *records* is not a node of *graph*.

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
          used(il:_u1; il:LR-0001, il:INC-0001, -)
          wasAssociatedWith(il:_a1; il:LR-0001, il:STAFF-RM, -)
        endDocument
    """
    lines = ["document", f"  prefix {PREFIX} <{NAMESPACE}>"]
    for name, items in _document(graph, records).items():
        for key, body in items.items():
            if name in ("entity", "agent"):
                lines.append(f"  {name}({key}, {_provn_types(body)})")
            elif name == "activity":
                start = body["prov:startTime"]
                end = body.get("prov:endTime", "-")
                types = _provn_types(body)
                lines.append(f"  activity({key}, {start}, {end}, {types})")
            elif name == "wasAssociatedWith":
                activity, agent = body["prov:activity"], body["prov:agent"]
                lines.append(f"  wasAssociatedWith({key}; {activity}, {agent}, -)")
            else:
                _, effect, cause, arity, _ = next(
                    spec for spec in _RELATIONS.values() if spec[0] == name
                )
                rest = ", -" * arity
                lines.append(f"  {name}({key}; {body[effect]}, {body[cause]}{rest})")
    lines.append("endDocument")
    return "\n".join(lines)
