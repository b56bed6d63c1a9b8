"""Walks over the learning graph that several analyses share.

The graph has no hub nodes (services and staff live in the index), so the
ancestors or descendants of one record are bounded by its own loop: these
walks cost what they touch, never the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Final

import networkx as nx

from incident_learning.graph import KIND, RECORD, RELATION, NodeKind, Relation
from incident_learning.model import (
    Action,
    CoachingSession,
    EffectivenessReview,
    GovernanceMeeting,
    Incident,
    LearningResponse,
    LearningShare,
    Record,
    ReflectivePracticeSession,
    ServiceChange,
    StaffConfidenceCheck,
    StaffMember,
    SupervisionSession,
    TrainingSession,
)

if TYPE_CHECKING:
    from incident_learning.graph import GraphIndex, LearningGraph

__all__ = [
    "ancestors_of_kind",
    "carriers",
    "factor_incidents",
    "first_occurred",
    "record_date",
    "staff_service",
]

_DATE_FIELDS: Final[dict[type[Record], str]] = {
    LearningResponse: "started_on",
    TrainingSession: "held_on",
    SupervisionSession: "held_on",
    ReflectivePracticeSession: "held_on",
    CoachingSession: "held_on",
    ServiceChange: "effective_from",
    GovernanceMeeting: "held_on",
    LearningShare: "shared_on",
    EffectivenessReview: "reviewed_on",
    StaffConfidenceCheck: "checked_on",
}
"""The field holding the day each kind of record happened on."""


def record_date(record: Record) -> date:
    """Return the day *record* happened on, for timelines and delays.

    An incident's day is the day it occurred (the first of an estimated
    period); a session, meeting, share, review or check has its own date
    field. A contributing factor, learning point or action has no date of its
    own: the day its first version was recorded stands in. Dates and times
    are calendar days in the offset they were recorded in.
    """
    if isinstance(record, Incident):
        return record.occurred_on
    field = _DATE_FIELDS.get(type(record))
    if field is not None:
        day: date = getattr(record, field)
        return day
    if isinstance(record, Action) and record.status_history:
        # The earliest change is when the action entered its lifecycle.
        return min(record.status_history[0].at, record.recorded_at).date()
    return record.recorded_at.date()


def _of_kind(
    graph: LearningGraph, nodes: Iterable[str], kinds: frozenset[NodeKind]
) -> tuple[str, ...]:
    data = graph.nodes
    return tuple(sorted(node for node in nodes if data[node][KIND] in kinds))


def ancestors_of_kind(
    graph: LearningGraph, node: str, kinds: Iterable[NodeKind]
) -> tuple[str, ...]:
    """Return the records *node* came from that are of *kinds*, sorted by id."""
    return _of_kind(graph, nx.ancestors(graph, node), frozenset(kinds))


def first_occurred(graph: LearningGraph, incidents: Iterable[str]) -> date | None:
    """Return the earliest day any of *incidents* occurred; ``None`` for none."""
    days = [graph.nodes[node][RECORD].occurred_on for node in incidents]
    return min(days) if days else None


def staff_service(index: GraphIndex, member: StaffMember) -> str | None:
    """Return the service *member* works at: their own, else their team's."""
    if member.service is not None:
        return member.service
    team = index.teams.get(member.team) if member.team is not None else None
    return None if team is None else team.service


_CARRIER_KINDS: Final = frozenset(
    {
        NodeKind.TRAINING_SESSION,
        NodeKind.SUPERVISION_SESSION,
        NodeKind.REFLECTIVE_PRACTICE_SESSION,
        NodeKind.COACHING_SESSION,
        NodeKind.SERVICE_CHANGE,
        NodeKind.LEARNING_SHARE,
    }
)


def carriers(graph: LearningGraph, action_id: str) -> list[Record]:
    """Return the records that carry the action into practice, sorted by id.

    They are the training, supervision, reflective practice, coaching,
    service changes and learning shares that name the action, and the
    governance meetings that reviewed it and circulated it to services. A
    meeting that only reviewed it carries it nowhere.
    """
    data = graph.nodes
    found = []
    for node in sorted(graph.succ[action_id]):
        kind = data[node][KIND]
        record = data[node][RECORD]
        if kind in _CARRIER_KINDS or (
            isinstance(record, GovernanceMeeting) and record.circulated_to
        ):
            found.append(record)
    return found


def factor_incidents(
    graph: LearningGraph, factor: str, cache: dict[str, frozenset[str]] | None = None
) -> frozenset[str]:
    """Return the incidents *factor* is linked to, directly or through its response.

    A factor names the incidents it contributed to (``contributed_to_by``),
    or was found by a learning response (``identified``) that reviewed them.
    Pass a *cache* to share the answers within one analysis.
    """
    if cache is not None and factor in cache:
        return cache[factor]
    pred = graph.pred
    found: set[str] = set()
    for source, data in pred[factor].items():
        if data[RELATION] is Relation.CONTRIBUTED_TO_BY:
            found.add(source)
        else:
            # The only other edge into a factor comes from the learning
            # response that found it, and only incidents point into that.
            found.update(pred[source])
    linked = frozenset(found)
    if cache is not None:
        cache[factor] = linked
    return linked
