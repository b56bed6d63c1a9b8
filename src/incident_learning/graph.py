"""The learning graph: a networkx digraph of a log's learning loop, cause to response.

:func:`build_graph` turns a :class:`~incident_learning.model.LearningLog` into
a plain :class:`networkx.DiGraph`, so every networkx algorithm works on it
(``nx.descendants(graph, action_id)`` is everything that followed an action).

* **Nodes** are the identifiers of the current records of the learning-loop
  kinds (:class:`NodeKind`), each with the attributes ``kind`` (a
  :class:`NodeKind`) and ``record`` (the record itself). Read them back with
  :func:`record_of`.
* **Edges** point from cause to response, from the record referred to to the
  record that refers to it, each with the attribute ``relation`` (a
  :class:`Relation`). They are derived from the reference fields the model
  declares, through :data:`REFERENCE_RELATIONS`: every reference between two
  loop records is exactly one edge.
* **Hubs are not nodes.** The provider, services, teams, staff and exposure
  are touched by thousands of records; a trace that walked through them would
  reach every unrelated incident at the same service. They live in a
  :class:`GraphIndex` beside the graph (:func:`graph_index`), with the loop
  records by service, incidents by category and by month.
* Records **entered in error** are left out, with every edge to or from them.

The shape is documented, with a diagram, in ``docs/graph.md``.
"""

from __future__ import annotations

import enum
import typing
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar, overload

import attrs
import networkx as nx

from incident_learning._codegen import compile_function, without_none
from incident_learning._collector import collector_paused
from incident_learning.exceptions import GraphShapeError, UnknownRecordError
from incident_learning.model.base import REFERS_TO, Record
from incident_learning.model.embedding import (
    CoachingSession,
    ReflectivePracticeSession,
    ServiceChange,
    SupervisionSession,
    TrainingSession,
)
from incident_learning.model.evaluation import StaffConfidenceCheck
from incident_learning.model.incident import Incident
from incident_learning.model.log import RECORD_TYPES
from incident_learning.model.organisation import (
    Provider,
    Service,
    ServiceExposure,
    StaffMember,
    Team,
)
from incident_learning.model.sharing import LearningShare

if TYPE_CHECKING:
    from incident_learning.model.log import LearningLog

__all__ = [
    "KIND",
    "LOOP_TYPES",
    "RECORD",
    "REFERENCE_RELATIONS",
    "RELATION",
    "GraphIndex",
    "LearningGraph",
    "NodeKind",
    "Relation",
    "build_graph",
    "graph_index",
    "nodes_of_kind",
    "record_of",
]

LearningGraph: TypeAlias = "nx.DiGraph[str]"
"""The learning graph, a plain networkx digraph keyed by record identifiers.

A string alias, because ``nx.DiGraph[str]`` fails at run time; modules that
use it add ``from __future__ import annotations``.
"""

KIND: Final = "kind"
"""The node attribute holding the node's :class:`NodeKind`."""

RECORD: Final = "record"
"""The node attribute holding the node's record."""

RELATION: Final = "relation"
"""The edge attribute holding the edge's :class:`Relation`."""

_INDEX: Final = "index"
"""The key of the :class:`GraphIndex` in the graph's own attributes."""

R = TypeVar("R", bound=Record)


@enum.unique
class NodeKind(enum.StrEnum):
    """The kind of record a node holds: the record's ``record_kind``.

    Examples:
        >>> from incident_learning.graph import NodeKind
        >>> NodeKind("learning_point") is NodeKind.LEARNING_POINT
        True
    """

    INCIDENT = "incident"
    LEARNING_RESPONSE = "learning_response"
    CONTRIBUTING_FACTOR = "contributing_factor"
    LEARNING_POINT = "learning_point"
    ACTION = "action"
    TRAINING_SESSION = "training_session"
    SUPERVISION_SESSION = "supervision_session"
    REFLECTIVE_PRACTICE_SESSION = "reflective_practice_session"
    COACHING_SESSION = "coaching_session"
    SERVICE_CHANGE = "service_change"
    GOVERNANCE_MEETING = "governance_meeting"
    LEARNING_SHARE = "learning_share"
    EFFECTIVENESS_REVIEW = "effectiveness_review"
    STAFF_CONFIDENCE_CHECK = "staff_confidence_check"


@enum.unique
class Relation(enum.StrEnum):
    """How the source of an edge led to its target, read cause to response.

    An export that needs the opposite reading (PROV's ``wasDerivedFrom``)
    reverses the edge.

    Examples:
        >>> from incident_learning.graph import Relation
        >>> Relation.ADDRESSED_BY
        <Relation.ADDRESSED_BY: 'addressed_by'>
    """

    REVIEWED_BY = "reviewed_by"
    """incident -> learning response that looked into it."""
    IDENTIFIED = "identified"
    """learning response -> contributing factor it found."""
    CONTRIBUTED_TO_BY = "contributed_to_by"
    """incident -> contributing factor that contributed to it."""
    INFORMED = "informed"
    """incident, learning response or factor -> learning point drawn from it."""
    ADDRESSED_BY = "addressed_by"
    """learning point -> action that addresses it."""
    EMBEDDED_BY = "embedded_by"
    """action or learning point -> record that carries it into practice."""
    REVIEWED_AT = "reviewed_at"
    """incident, learning point or action -> governance meeting that reviewed it."""
    SHARED_BY = "shared_by"
    """governance meeting -> learning share it sent."""
    EVALUATED_BY = "evaluated_by"
    """action -> effectiveness review of it."""


LOOP_TYPES: Final[tuple[type[Record], ...]] = tuple(
    cls
    for cls in RECORD_TYPES
    if cls not in (Provider, Service, Team, StaffMember, ServiceExposure)
)
"""The record types that become nodes, causes first."""

_EMBEDDING: Final = (
    TrainingSession,
    SupervisionSession,
    ReflectivePracticeSession,
    CoachingSession,
    ServiceChange,
    LearningShare,
    StaffConfidenceCheck,
)

REFERENCE_RELATIONS: Final[Mapping[tuple[str, str], Relation]] = MappingProxyType(
    {
        ("learning_response", "incidents"): Relation.REVIEWED_BY,
        ("contributing_factor", "response"): Relation.IDENTIFIED,
        ("contributing_factor", "incidents"): Relation.CONTRIBUTED_TO_BY,
        ("learning_point", "factors"): Relation.INFORMED,
        ("learning_point", "incidents"): Relation.INFORMED,
        ("learning_point", "responses"): Relation.INFORMED,
        ("action", "learning_points"): Relation.ADDRESSED_BY,
        **{
            (cls.record_kind, field): Relation.EMBEDDED_BY
            for cls in _EMBEDDING
            for field in ("actions", "learning_points")
        },
        ("governance_meeting", "incidents_reviewed"): Relation.REVIEWED_AT,
        ("governance_meeting", "learning_points"): Relation.REVIEWED_AT,
        ("governance_meeting", "actions"): Relation.REVIEWED_AT,
        ("learning_share", "meeting"): Relation.SHARED_BY,
        ("effectiveness_review", "action"): Relation.EVALUATED_BY,
    }
)
"""The relation of each reference field between loop records.

Keyed by ``(record kind, field name)`` of the referring record. The edge
always runs from the record referred to (the cause) to the referring record
(the response): a learning response's ``incidents`` field makes the edges
``incident -reviewed_by-> learning_response``.
"""


@attrs.frozen(kw_only=True)
class GraphIndex:
    """Look-ups kept beside the graph, so analyses need not rescan it.

    Every sequence is a tuple of identifiers sorted by their text. Records
    entered in error appear nowhere.

    Attributes:
        by_kind: The nodes of each kind present.
        by_service: The loop records naming each service in any field
            (incidents, learning points, actions, embedding records,
            meetings and shares, and the services they circulate to).
        incidents_by_category: The incidents of each category, primary or
            secondary (an incident appears under each of its categories).
        incidents_by_month: The incidents by ``(year, month)`` of the day
            they occurred (the first day of an estimated period).
        services: The services by identifier: hubs, not nodes.
        teams: The teams by identifier.
        staff: The staff members by identifier.
        staff_by_service: The staff of each service: their own service, else
            their team's.
        exposures: Each service's exposure records, by first day.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph, graph_index
        >>> index = graph_index(build_graph(samples.small_log()))
        >>> index.incidents_by_month[2025, 3]
        ('INC-0001',)
        >>> sorted(index.services)
        ['SVC-OAK']
    """

    by_kind: Mapping[NodeKind, tuple[str, ...]]
    by_service: Mapping[str, tuple[str, ...]]
    incidents_by_category: Mapping[str, tuple[str, ...]]
    incidents_by_month: Mapping[tuple[int, int], tuple[str, ...]]
    services: Mapping[str, Service]
    teams: Mapping[str, Team]
    staff: Mapping[str, StaffMember]
    staff_by_service: Mapping[str, tuple[str, ...]]
    exposures: Mapping[str, tuple[ServiceExposure, ...]]


# --- per-class building, generated once ---------------------------------------

_Adjacency: TypeAlias = dict[str, dict[str, dict[str, Any]]]
_Builder = Callable[
    [
        Iterable[Any],
        dict[str, dict[str, Any]],
        _Adjacency,
        _Adjacency,
        defaultdict[str, list[str]],
        Callable[[str], None],
    ],
    None,
]
_BUILDERS: dict[type[Record], _Builder] = {}


class _NodeData:
    """Makes node attribute dicts: each an ordinary ``dict``, compact.

    A dict read from an instance's ``__dict__`` shares its key table with
    every other instance of the class (CPython's key-sharing dictionaries,
    PEP 412), so it holds only its values: 96 bytes on CPython 3.11 against
    184 for a dict literal. It is a plain ``dict`` in every other way;
    adding or deleting a key gives that one dict its own table, so an edit
    to one node never reaches another. The instance itself is dropped.
    """


class _EdgeData:
    """Makes edge attribute dicts, compact as :class:`_NodeData` makes nodes'."""


def _builder(cls: type[Record]) -> _Builder:
    """Return the generated function adding the records of *cls* to a graph.

    For each record not entered in error it adds the node to the graph's
    node, successor and predecessor dicts *N*, *S* and *P*, and the edges
    from every node it refers to (a reference to anything not a node, such
    as a withdrawn record, is no edge); it appends the id to *B* (by
    service) under every service the record names, and passes it to *A*.
    Every reference runs to an earlier type of :data:`LOOP_TYPES`, so one
    pass in that order finds each edge's source already a node.
    """
    try:
        return _BUILDERS[cls]
    except KeyError:
        pass
    attrs.resolve_types(cls)
    names: dict[str, object] = {
        "k": NodeKind(cls.record_kind),
        "new": object.__new__,
        "E": _EdgeData,
        "Nd": _NodeData,
    }
    body: list[str] = []
    for field in attrs.fields(cls):
        relation = REFERENCE_RELATIONS.get((cls.record_kind, field.name))
        if relation is not None:
            data = f"D{len(names)}"
            names[data] = relation
            # A new dict per edge, shared by the edge's two ends as add_edge
            # shares it: each edge's data is its own (see _EdgeData).
            action = [
                "s = S.get(t)",
                "if s is not None:",
                f"    e = new(E); e.{RELATION} = {data}",
                "    s[i] = p[t] = e.__dict__",
            ]
        elif "service" in field.metadata.get(REFERS_TO, ()):
            action = ["B[t].append(i)"]
        else:
            continue
        if typing.get_origin(without_none(field.type)[0]) is tuple:
            body.append(f"        for t in r.{field.name}:")
        else:
            body += [f"        t = r.{field.name}", "        if t is not None:"]
        body += [f"            {line}" for line in action]
    lines = [
        "def build(records, N, S, P, B, A):",
        "    for r in records:",
        "        if r.entered_in_error: continue",
        "        i = r.id",
        # Fresh dicts each: a caller's add_edge or attribute change must
        # touch this node only.
        f"        n = new(Nd); n.{KIND} = k; n.{RECORD} = r",
        "        N[i] = n.__dict__",
        "        S[i] = {}",
        "        P[i] = p = {}",
        "        A(i)",
        *body,
    ]
    function: _Builder = compile_function(lines, names, "build")
    _BUILDERS[cls] = function
    return function


def _sorted_values(groups: Mapping[Any, list[str]]) -> dict[Any, tuple[str, ...]]:
    return {key: tuple(sorted(ids)) for key, ids in sorted(groups.items())}


def build_graph(log: LearningLog) -> LearningGraph:
    """Return the learning graph of *log*: its loop records, linked cause to response.

    Nodes are the identifiers of the current records of the kinds in
    :class:`NodeKind`, with attributes ``kind`` and ``record``; edges carry
    ``relation``. Records entered in error, and every edge to or from them,
    are left out. Services, teams, staff, the provider and exposure are not
    nodes; the :class:`GraphIndex` beside the graph holds them.

    It runs in time linear in the records, with the cyclic garbage collector
    paused (and restored) while it builds.

    Args:
        log: The learning log. It is not modified.

    Returns:
        A new :class:`networkx.DiGraph`; the caller owns it.

    Examples:
        >>> import networkx as nx
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> graph = build_graph(samples.small_log())
        >>> graph.number_of_nodes(), graph.number_of_edges()
        (14, 17)
        >>> graph.edges["LP-0001", "ACT-0001"]["relation"]
        <Relation.ADDRESSED_BY: 'addressed_by'>
        >>> sorted(nx.descendants(graph, "ACT-0001"))
        ['CHG-0001', 'COA-0001', 'GOV-0001', 'REV-0001', 'SCC-0001', 'SHR-0001', 'TRN-0001']
    """
    graph: LearningGraph = nx.DiGraph()
    # The build fills DiGraph's own dicts (node -> attributes; node ->
    # successor -> edge data; node -> predecessor -> the same edge data),
    # the dict-of-dict-of-dict structure its docstring documents and that
    # networkx's own relabel and set_edge_attributes write: add_node and
    # add_edges_from, with a call, dict or tuple per item and a second pass
    # over the records, made the build about 1.4 times slower. A new graph
    # has no cache for add_edges_from to clear; tests check the result
    # equals its build, order included.
    nodes: dict[str, dict[str, Any]] = graph._node  # type: ignore[attr-defined]
    succ: _Adjacency = graph._succ  # type: ignore[attr-defined]
    pred: _Adjacency = graph._pred  # type: ignore[attr-defined]
    with collector_paused():
        by_kind: dict[NodeKind, tuple[str, ...]] = {}
        by_service: defaultdict[str, list[str]] = defaultdict(list)
        for cls in LOOP_TYPES:
            ids: list[str] = []
            records = log.of_kind(cls).values()
            _builder(cls)(records, nodes, succ, pred, by_service, ids.append)
            if ids:
                ids.sort()
                by_kind[NodeKind(cls.record_kind)] = tuple(ids)
        by_category: defaultdict[str, list[str]] = defaultdict(list)
        by_month: defaultdict[tuple[int, int], list[str]] = defaultdict(list)
        for incident in log.of_kind(Incident).values():
            if incident.entered_in_error:
                continue
            for category in incident.categories:
                by_category[category].append(incident.id)
            day = incident.occurred_on
            by_month[day.year, day.month].append(incident.id)
        graph.graph[_INDEX] = GraphIndex(
            by_kind=MappingProxyType(by_kind),
            by_service=MappingProxyType(_sorted_values(by_service)),
            incidents_by_category=MappingProxyType(_sorted_values(by_category)),
            incidents_by_month=MappingProxyType(_sorted_values(by_month)),
            services=_active(log, Service),
            teams=(teams := _active(log, Team)),
            staff=(staff := _active(log, StaffMember)),
            staff_by_service=_staff_by_service(staff, teams),
            exposures=_exposures(log),
        )
    return graph


def _staff_by_service(
    staff: Mapping[str, StaffMember], teams: Mapping[str, Team]
) -> Mapping[str, tuple[str, ...]]:
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for member in staff.values():
        service = member.service
        team = member.team
        if service is None and team is not None and team in teams:
            service = teams[team].service
        if service is not None:
            groups[service].append(member.id)
    return MappingProxyType(_sorted_values(groups))


def _exposures(log: LearningLog) -> Mapping[str, tuple[ServiceExposure, ...]]:
    groups: defaultdict[str, list[ServiceExposure]] = defaultdict(list)
    for record in log.active(ServiceExposure):
        groups[record.service].append(record)
    return MappingProxyType(
        {
            service: tuple(sorted(records, key=lambda r: (r.period_start, r.id)))
            for service, records in sorted(groups.items())
        }
    )


def _active(log: LearningLog, kind: type[R]) -> Mapping[str, R]:
    # log.active already leaves out records entered in error.
    records = sorted(log.active(kind), key=lambda record: record.id)
    return MappingProxyType({record.id: record for record in records})


def graph_index(graph: LearningGraph) -> GraphIndex:
    """Return the :class:`GraphIndex` that :func:`build_graph` keeps beside *graph*.

    Args:
        graph: A graph made by :func:`build_graph`. It is not modified.

    Raises:
        GraphShapeError: *graph* was not made by :func:`build_graph`.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph, graph_index
        >>> graph_index(build_graph(samples.small_log())).by_service["SVC-OAK"][:3]
        ('ACT-0001', 'CHG-0001', 'GOV-0001')
    """
    index = graph.graph.get(_INDEX)
    if not isinstance(index, GraphIndex):
        msg = "the graph has no index: it was not made by build_graph"
        raise GraphShapeError(msg)
    return index


@overload
def record_of(graph: LearningGraph, node_id: str) -> Record: ...
@overload
def record_of(graph: LearningGraph, node_id: str, kind: type[R]) -> R: ...
def record_of(
    graph: LearningGraph, node_id: str, kind: type[Record] = Record
) -> Record:
    """Return the record on node *node_id* of *graph*, checked to be a *kind*.

    The one way to read records back from nodes: it narrows the type for
    the type checker and reports a missing node or a record of another kind
    the same way.

    Args:
        graph: A graph made by :func:`build_graph`. It is not modified.
        node_id: The node, a record identifier.
        kind: The record class expected.

    Raises:
        UnknownRecordError: *graph* has no node *node_id*, or its record is
            not a *kind*.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph, record_of
        >>> graph = build_graph(samples.small_log())
        >>> record_of(graph, "ACT-0001", il.Action).owner
        'STAFF-RM'
        >>> record_of(graph, "ACT-0001", il.Incident)
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.UnknownRecordError: no incident has the id 'ACT-0001'
    """
    data = graph.nodes.get(node_id)
    record = None if data is None else data.get(RECORD)
    if not isinstance(record, kind):
        raise UnknownRecordError(node_id, None if kind is Record else kind.record_kind)
    return record


def nodes_of_kind(graph: LearningGraph, kind: NodeKind) -> tuple[str, ...]:
    """Return the nodes of *graph* holding records of *kind*, sorted by identifier.

    Args:
        graph: A graph made by :func:`build_graph`. It is not modified.
        kind: The node kind.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import NodeKind, build_graph, nodes_of_kind
        >>> nodes_of_kind(build_graph(samples.small_log()), NodeKind.ACTION)
        ('ACT-0001',)
    """
    return tuple(
        sorted(node for node, data in graph.nodes(data=True) if data.get(KIND) is kind)
    )
