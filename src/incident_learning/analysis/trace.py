"""Traces: where an action came from and where it went, and all that followed an incident.

:func:`action_trace` answers the question commissioners and inspectors ask of
one action: which incidents, responses, factors and learning led to it, how it
was carried into practice (training, supervision, reflective practice,
coaching, service changes, sharing), what the effectiveness reviews found, and
whether the loop is closed. :func:`incident_trace` answers it for one
incident, with every action that came from it and what did not happen.

Both walk only the records linked to their subject: services and staff are
not nodes of the graph, so an unrelated incident at the same service never
enters a trace, and the cost is that of the subject's own loop.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Final

import attrs
import networkx as nx

from incident_learning import _html
from incident_learning.analysis._walk import (
    ancestors_of_kind,
    carriers,
    first_occurred,
    record_date,
)
from incident_learning.analysis.gaps import (
    DEFAULT_POLICY,
    Gap,
    GapPolicy,
    record_gaps,
)
from incident_learning.graph import (
    KIND,
    RECORD,
    NodeKind,
    graph_index,
    record_of,
)
from incident_learning.model import (
    Action,
    ActionStatus,
    ChangeArea,
    CoachingSession,
    DiscussionSetting,
    EffectivenessReview,
    GovernanceMeeting,
    Incident,
    LearningResponse,
    LearningShare,
    Record,
    ReflectivePracticeSession,
    ReviewVerdict,
    ServiceChange,
    StaffConfidenceCheck,
    SupervisionSession,
    TrainingSession,
)

if TYPE_CHECKING:
    from incident_learning.graph import GraphIndex, LearningGraph

__all__ = [
    "ActionTrace",
    "Channel",
    "CoachingEvidence",
    "Disagreement",
    "DisagreementKind",
    "EffectEvidence",
    "IncidentTrace",
    "LoopStatus",
    "Origin",
    "ReflectivePracticeEvidence",
    "ServiceChangeEvidence",
    "SharingEvidence",
    "SupervisionEvidence",
    "TimelineEntry",
    "TrainingEvidence",
    "action_trace",
    "incident_trace",
]


@enum.unique
class Channel(enum.StrEnum):
    """A way learning is carried into practice, the groups of a trace.

    Examples:
        >>> from incident_learning.analysis import Channel
        >>> [channel.value for channel in Channel][:3]
        ['training', 'supervision', 'reflective_practice']
    """

    TRAINING = "training"
    SUPERVISION = "supervision"
    REFLECTIVE_PRACTICE = "reflective_practice"
    COACHING = "coaching"
    SERVICE_CHANGE = "service_change"
    SHARING = "sharing"


@enum.unique
class LoopStatus(enum.StrEnum):
    """How far an action's loop has got, from the decision of record and the evidence.

    * ``open``: nothing carries the action into practice yet;
    * ``embedded``: at least one channel carries it;
    * ``verified_effective`` / ``found_ineffective``: the action's status, set
      by a person, closes the loop either way;
    * ``rejected``: the action was rejected, with its reason.

    Examples:
        >>> from incident_learning.analysis import LoopStatus
        >>> LoopStatus("embedded").is_closed
        False
    """

    OPEN = "open"
    EMBEDDED = "embedded"
    VERIFIED_EFFECTIVE = "verified_effective"
    FOUND_INEFFECTIVE = "found_ineffective"
    REJECTED = "rejected"

    @property
    def is_closed(self) -> bool:
        """Whether the loop is closed (verified, found ineffective or rejected)."""
        return self in _CLOSED


_CLOSED: Final = frozenset(
    {LoopStatus.VERIFIED_EFFECTIVE, LoopStatus.FOUND_INEFFECTIVE, LoopStatus.REJECTED}
)


@enum.unique
class DisagreementKind(enum.StrEnum):
    """Where an action's status (the decision) and its reviews (the evidence) disagree."""

    VERIFIED_BUT_REVIEW_DISAGREES = "verified_but_review_disagrees"
    """Status verified effective, the latest review says partly or not effective."""
    INEFFECTIVE_BUT_REVIEW_EFFECTIVE = "ineffective_but_review_effective"
    """Status found ineffective, the latest review says effective."""
    CLOSED_WITHOUT_REVIEW = "closed_without_review"
    """Status verified effective or found ineffective, with no review behind it."""
    REVIEW_NOT_ACTED_ON = "review_not_acted_on"
    """A review reached a verdict; the status has not moved on to reflect it."""
    REJECTED_BUT_EMBEDDED = "rejected_but_embedded"
    """Status rejected, yet records carry the action into practice."""


@attrs.frozen(kw_only=True)
class Disagreement:
    """One place where the decision of record and the evidence disagree.

    Attributes:
        kind: What disagrees.
        message: The disagreement, in a sentence.
        records: The action and the reviews or records involved, sorted.
    """

    kind: DisagreementKind
    message: str
    records: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Origin:
    """Where an action came from: the records its learning points derive from.

    Attributes:
        incidents: The incidents behind it.
        responses: The learning responses.
        factors: The contributing factors.
        learning_points: The learning points it addresses.
        first_incident_on: The day the first of the incidents occurred.
    """

    incidents: tuple[str, ...]
    responses: tuple[str, ...]
    factors: tuple[str, ...]
    learning_points: tuple[str, ...]
    first_incident_on: date | None


@attrs.frozen(kw_only=True)
class TrainingEvidence:
    """Training that carried the action.

    Attributes:
        sessions: The training sessions.
        attendees: Everyone who attended any of them.
        services: The services the action applies to, whose staff count.
        staff_in_post: Staff of those services in post on the day of the
            last session.
        staff_attended: How many of those attended a session.
    """

    sessions: tuple[str, ...]
    attendees: tuple[str, ...]
    services: tuple[str, ...]
    staff_in_post: int
    staff_attended: int

    @property
    def attended_share(self) -> float | None:
        """The share of the services' staff in post who attended; ``None`` if none are known."""
        if not self.staff_in_post:
            return None
        return self.staff_attended / self.staff_in_post


@attrs.frozen(kw_only=True)
class SupervisionEvidence:
    """Supervision that carried the action.

    Attributes:
        sessions: The supervision sessions.
        supervisees: The staff supervised.
        reflective_sessions: The sessions that included reflective discussion.
    """

    sessions: tuple[str, ...]
    supervisees: tuple[str, ...]
    reflective_sessions: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ReflectivePracticeEvidence:
    """Reflective practice sessions that carried the action.

    Attributes:
        sessions: The sessions.
        attendees: The staff who took part in any of them.
    """

    sessions: tuple[str, ...]
    attendees: tuple[str, ...]


@attrs.frozen(kw_only=True)
class CoachingEvidence:
    """Coaching that carried the action.

    Attributes:
        sessions: The coaching sessions.
        coachees: The staff coached in any of them.
    """

    sessions: tuple[str, ...]
    coachees: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ServiceChangeEvidence:
    """Changes to how services work that carried the action.

    Attributes:
        changes: The service changes.
        areas: What they changed (policy, care plan, rota, ...).
        services: The services changed.
    """

    changes: tuple[str, ...]
    areas: tuple[ChangeArea, ...]
    services: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SharingEvidence:
    """How the action was shared beyond where it started.

    Attributes:
        meetings: Governance meetings that reviewed the action.
        shares: Learning shares that name it.
        services: Services it was circulated or sent to.
        teams: Teams it was sent to.
        first_shared_on: The first day it was circulated or sent anywhere.
        discussed_in: Where staff discussed it (team meeting, handover, ...).
    """

    meetings: tuple[str, ...]
    shares: tuple[str, ...]
    services: tuple[str, ...]
    teams: tuple[str, ...]
    first_shared_on: date | None
    discussed_in: tuple[DiscussionSetting, ...]


@attrs.frozen(kw_only=True)
class EffectEvidence:
    """The evidence of the action's effect.

    Attributes:
        reviews: The effectiveness reviews, oldest first (then by id).
        latest_review: The latest review, if any.
        latest_verdict: Its verdict.
        confidence_checks: Staff confidence checks linked to the action,
            oldest first.
    """

    reviews: tuple[str, ...]
    latest_review: str | None
    latest_verdict: ReviewVerdict | None
    confidence_checks: tuple[str, ...]


@attrs.frozen(kw_only=True)
class TimelineEntry:
    """One dated step of a trace.

    Attributes:
        on: The day.
        record: The record it belongs to.
        kind: The record's kind.
        event: What happened, in a few words.
    """

    on: date
    record: str
    kind: NodeKind
    event: str


@attrs.frozen(kw_only=True)
class ActionTrace:
    """Where one action came from, how it was carried into practice and its effect.

    Attributes:
        action: The action's identifier.
        status: Its status, the decision of record.
        rejection_reason: Why it was rejected, if it was.
        origin: The incidents, responses, factors and learning behind it.
        training: Training that carried it.
        supervision: Supervision that carried it.
        reflective_practice: Reflective practice that carried it.
        coaching: Coaching that carried it.
        service_changes: Service changes that carried it.
        sharing: Governance meetings and shares that spread it.
        effect: Effectiveness reviews and staff confidence checks.
        timeline: Every dated step, oldest first.
        loop_status: How far the loop has got.
        disagreements: Where the status and the reviews disagree.
    """

    action: str
    status: ActionStatus
    rejection_reason: str | None
    origin: Origin
    training: TrainingEvidence
    supervision: SupervisionEvidence
    reflective_practice: ReflectivePracticeEvidence
    coaching: CoachingEvidence
    service_changes: ServiceChangeEvidence
    sharing: SharingEvidence
    effect: EffectEvidence
    timeline: tuple[TimelineEntry, ...]
    loop_status: LoopStatus
    disagreements: tuple[Disagreement, ...]

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The channels that carry the action, in :class:`Channel` order."""
        present = {
            Channel.TRAINING: self.training.sessions,
            Channel.SUPERVISION: self.supervision.sessions,
            Channel.REFLECTIVE_PRACTICE: self.reflective_practice.sessions,
            Channel.COACHING: self.coaching.sessions,
            Channel.SERVICE_CHANGE: self.service_changes.changes,
            Channel.SHARING: self.sharing.services or self.sharing.teams,
        }
        return tuple(channel for channel, records in present.items() if records)

    @property
    def records(self) -> frozenset[str]:
        """Every record in the trace, the action included."""
        origin, sharing, effect = self.origin, self.sharing, self.effect
        return frozenset(
            (
                self.action,
                *origin.incidents,
                *origin.responses,
                *origin.factors,
                *origin.learning_points,
                *self.training.sessions,
                *self.supervision.sessions,
                *self.reflective_practice.sessions,
                *self.coaching.sessions,
                *self.service_changes.changes,
                *sharing.meetings,
                *sharing.shares,
                *effect.reviews,
                *effect.confidence_checks,
            )
        )

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the trace as HTML for notebooks: origin, channels, sharing, effect.

        Args:
            max_rows: The most rows a table shows (the timeline keeps the
                latest).

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import action_trace
            >>> trace = action_trace(il.build_graph(samples.small_log()), "ACT-0001")
            >>> html = trace._repr_html_()
            >>> "<caption>Action trace ACT-0001: embedded</caption>" in html
            True
        """
        origin, training, sharing, effect = (
            self.origin,
            self.training,
            self.sharing,
            self.effect,
        )
        channels = self.channels
        path = [
            _html.plural(len(origin.incidents), "incident"),
            _html.plural(len(origin.factors), "factor"),
            _html.plural(len(origin.learning_points), "learning point"),
            self.action,
            ", ".join(_html.words(c) for c in channels) or "not carried into practice",
            "not reviewed"
            if effect.latest_verdict is None
            else f"reviewed: {_html.words(effect.latest_verdict)}",
        ]
        attended = (
            f"{training.staff_attended} of {training.staff_in_post} staff in post"
        )
        if training.attended_share is not None:
            attended += f" ({_html.percent(training.attended_share)})"
        supervision = self.supervision
        embedding = [
            (Channel.TRAINING, training.sessions, training.attendees, attended),
            (
                Channel.SUPERVISION,
                supervision.sessions,
                supervision.supervisees,
                f"{len(supervision.reflective_sessions)} with reflective discussion",
            ),
            (
                Channel.REFLECTIVE_PRACTICE,
                self.reflective_practice.sessions,
                self.reflective_practice.attendees,
                None,
            ),
            (
                Channel.COACHING,
                self.coaching.sessions,
                self.coaching.coachees,
                None,
            ),
            (
                Channel.SERVICE_CHANGE,
                self.service_changes.changes,
                self.service_changes.services,
                _html.listing(self.service_changes.areas),
            ),
        ]
        return _html.block(
            "trace action-trace",
            _html.fields(
                f"Action trace {self.action}: {_html.words(self.loop_status)}",
                [
                    ("loop", " → ".join(path)),
                    ("status", self.status),
                    ("loop status", self.loop_status),
                    ("rejection reason", self.rejection_reason),
                    ("channels", channels),
                ],
            ),
            _html.fields(
                "Origin",
                [
                    ("incidents", origin.incidents),
                    ("first incident on", origin.first_incident_on),
                    ("learning responses", origin.responses),
                    ("contributing factors", origin.factors),
                    ("learning points", origin.learning_points),
                ],
            ),
            _html.table(
                "Channels into practice",
                ["channel", "records", "people or services", "detail"],
                embedding,
                lambda row: row,
                max_rows=max_rows,
                row_class=lambda row: None if row[1] else "il-empty",
            ),
            _html.fields(
                "Sharing",
                [
                    ("governance meetings", sharing.meetings),
                    ("learning shares", sharing.shares),
                    ("services", sharing.services),
                    ("teams", sharing.teams),
                    ("first shared on", sharing.first_shared_on),
                    ("discussed in", sharing.discussed_in),
                ],
            ),
            _html.fields(
                "Effect",
                [
                    ("effectiveness reviews", effect.reviews),
                    ("latest review", effect.latest_review),
                    ("latest verdict", effect.latest_verdict),
                    ("staff confidence checks", effect.confidence_checks),
                ],
            ),
            _disagreements_html(self.disagreements, max_rows=max_rows),
            _timeline_html(self.timeline, max_rows=max_rows),
        )


@attrs.frozen(kw_only=True)
class IncidentTrace:
    """Everything that came from one incident, and what did not.

    Attributes:
        incident: The incident's identifier.
        responses: Learning responses that looked into it.
        factors: Contributing factors found.
        learning_points: Learning drawn from it.
        actions: The traces of the actions that followed, by action id.
        meetings: Governance meetings that reviewed the incident itself.
        other_records: Every other record that followed (embedding,
            sharing, effect), sorted.
        missing: The broken loops among these records (see
            :func:`~incident_learning.analysis.loop_gaps`), most urgent first.
        timeline: Every dated step, oldest first.
    """

    incident: str
    responses: tuple[str, ...]
    factors: tuple[str, ...]
    learning_points: tuple[str, ...]
    actions: tuple[ActionTrace, ...]
    meetings: tuple[str, ...]
    other_records: tuple[str, ...]
    missing: tuple[Gap, ...]
    timeline: tuple[TimelineEntry, ...]

    @property
    def records(self) -> frozenset[str]:
        """Every record in the trace, the incident included."""
        return frozenset(
            (
                self.incident,
                *self.responses,
                *self.factors,
                *self.learning_points,
                *(trace.action for trace in self.actions),
                *self.meetings,
                *self.other_records,
            )
        )

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the trace as HTML for notebooks: what followed, its actions, its gaps.

        Args:
            max_rows: The most rows a table shows (the timeline keeps the
                latest).

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import incident_trace
            >>> trace = incident_trace(il.build_graph(samples.small_log()), "INC-0001")
            >>> "<caption>Incident trace INC-0001</caption>" in trace._repr_html_()
            True
        """
        return _html.block(
            "trace incident-trace",
            _html.fields(
                f"Incident trace {self.incident}",
                [
                    ("learning responses", self.responses),
                    ("contributing factors", self.factors),
                    ("learning points", self.learning_points),
                    ("actions", tuple(trace.action for trace in self.actions)),
                    ("governance meetings", self.meetings),
                    ("other records", self.other_records),
                    ("gaps", len(self.missing)),
                ],
            ),
            _html.table(
                "Actions",
                ["action", "status", "loop status", "channels", "latest verdict"],
                self.actions,
                lambda trace: [
                    trace.action,
                    trace.status,
                    trace.loop_status,
                    trace.channels,
                    trace.effect.latest_verdict,
                ],
                max_rows=max_rows,
                row_class=lambda trace: _html.css(trace.loop_status),
            ),
            _html.table(
                "Gaps, most urgent first",
                ["kind", "record", "since", "message"],
                self.missing,
                lambda gap: [gap.kind, gap.record, gap.since, gap.message],
                max_rows=max_rows,
            ),
            _timeline_html(self.timeline, max_rows=max_rows),
        )


def _disagreements_html(
    disagreements: tuple[Disagreement, ...], *, max_rows: int
) -> str:
    return _html.table(
        "Where the status and the reviews disagree",
        ["kind", "message", "records"],
        disagreements,
        lambda found: [found.kind, found.message, found.records],
        max_rows=max_rows,
    )


def _timeline_html(timeline: tuple[TimelineEntry, ...], *, max_rows: int) -> str:
    return _html.table(
        "Timeline, latest last",
        ["on", "record", "kind", "event"],
        timeline,
        lambda entry: [entry.on, entry.record, entry.kind, entry.event],
        max_rows=max_rows,
        latest=True,
    )


# --- building blocks ---------------------------------------------------------

_ORIGIN_KINDS: Final = frozenset(
    {
        NodeKind.INCIDENT,
        NodeKind.LEARNING_RESPONSE,
        NodeKind.CONTRIBUTING_FACTOR,
        NodeKind.LEARNING_POINT,
    }
)

_EVENTS: Final[Mapping[NodeKind, str]] = {
    NodeKind.INCIDENT: "incident occurred",
    NodeKind.LEARNING_RESPONSE: "learning response started",
    NodeKind.CONTRIBUTING_FACTOR: "contributing factor recorded",
    NodeKind.LEARNING_POINT: "learning point recorded",
    NodeKind.ACTION: "action recorded",
    NodeKind.TRAINING_SESSION: "training held",
    NodeKind.SUPERVISION_SESSION: "supervision held",
    NodeKind.REFLECTIVE_PRACTICE_SESSION: "reflective practice held",
    NodeKind.COACHING_SESSION: "coaching held",
    NodeKind.SERVICE_CHANGE: "service change took effect",
    NodeKind.GOVERNANCE_MEETING: "governance meeting held",
    NodeKind.LEARNING_SHARE: "learning shared",
    NodeKind.EFFECTIVENESS_REVIEW: "effectiveness reviewed",
    NodeKind.STAFF_CONFIDENCE_CHECK: "staff confidence checked",
}
_KIND_ORDER: Final = {kind: index for index, kind in enumerate(NodeKind)}


def _events(record: Record, kind: NodeKind) -> Iterator[TimelineEntry]:
    """Yield the dated steps of one record."""
    if isinstance(record, Action):
        # An action's steps are its status changes; before any, its recording.
        if not record.status_history:
            yield TimelineEntry(
                on=record_date(record),
                record=record.id,
                kind=kind,
                event="action recorded",
            )
        for change in record.status_history:
            yield TimelineEntry(
                on=change.at.date(),
                record=record.id,
                kind=kind,
                event=f"action {change.status.value.replace('_', ' ')}",
            )
        return
    event = _EVENTS[kind]
    if isinstance(record, EffectivenessReview):
        event = f"{event}: {record.verdict.value.replace('_', ' ')}"
    elif isinstance(record, StaffConfidenceCheck):
        event = f"{event}: mean {record.mean_score:.1f} of {record.scale_max}"
    yield TimelineEntry(
        on=record_date(record), record=record.id, kind=kind, event=event
    )
    if isinstance(record, LearningResponse) and record.completed_on is not None:
        yield TimelineEntry(
            on=record.completed_on,
            record=record.id,
            kind=kind,
            event="learning response completed",
        )
    elif isinstance(record, LearningShare) and record.discussed_in is not None:
        setting = record.discussed_in.value.replace("_", " ")
        yield TimelineEntry(
            on=record.discussed_on or record.shared_on,
            record=record.id,
            kind=kind,
            event=f"learning discussed ({setting})",
        )


def _timeline(graph: LearningGraph, nodes: Iterable[str]) -> tuple[TimelineEntry, ...]:
    data = graph.nodes
    entries = [
        entry
        for node in nodes
        for entry in _events(data[node][RECORD], data[node][KIND])
    ]
    entries.sort(key=lambda e: (e.on, _KIND_ORDER[e.kind], e.record, e.event))
    return tuple(entries)


def _training(
    index: GraphIndex, sessions: list[TrainingSession], services: tuple[str, ...]
) -> TrainingEvidence:
    attendees = {staff for session in sessions for staff in session.attendees}
    in_post = 0
    attended = 0
    if sessions and services:
        # Staff of the action's services, counted on the day of the last session.
        day = max(session.held_on for session in sessions)
        staff = index.staff
        for service in services:
            for member_id in index.staff_by_service.get(service, ()):
                if staff[member_id].in_post_on(day):
                    in_post += 1
                    attended += member_id in attendees
    return TrainingEvidence(
        sessions=_ids(sessions),
        attendees=tuple(sorted(attendees)),
        services=services,
        staff_in_post=in_post,
        staff_attended=attended,
    )


def _ids(records: Iterable[Record]) -> tuple[str, ...]:
    return tuple(sorted(record.id for record in records))


def _chronological(records: Iterable[Record]) -> tuple[str, ...]:
    return tuple(
        record.id for record in sorted(records, key=lambda r: (record_date(r), r.id))
    )


def loop_status_of(action: Action, *, embedded: bool) -> LoopStatus:
    """Return the loop status of *action*, given whether any channel carries it."""
    status = action.status
    if status is ActionStatus.REJECTED:
        return LoopStatus.REJECTED
    if status is ActionStatus.VERIFIED_EFFECTIVE:
        return LoopStatus.VERIFIED_EFFECTIVE
    if status is ActionStatus.FOUND_INEFFECTIVE:
        return LoopStatus.FOUND_INEFFECTIVE
    return LoopStatus.EMBEDDED if embedded else LoopStatus.OPEN


def _disagreements(
    action: Action,
    reviews: list[EffectivenessReview],
    embedding: tuple[str, ...],
) -> Iterator[Disagreement]:
    status = action.status
    review_ids = tuple(review.id for review in reviews)
    latest = reviews[-1] if reviews else None
    if status is ActionStatus.REJECTED:
        if embedding:
            yield Disagreement(
                kind=DisagreementKind.REJECTED_BUT_EMBEDDED,
                message=(
                    f"the action was rejected, yet {len(embedding)} "
                    "record(s) carry it into practice"
                ),
                records=(action.id, *embedding),
            )
        return
    if latest is None:
        if status.is_final:
            yield Disagreement(
                kind=DisagreementKind.CLOSED_WITHOUT_REVIEW,
                message=f"the status is {status.value} with no effectiveness review behind it",
                records=(action.id,),
            )
        return
    verdict = latest.verdict
    records = tuple(sorted((action.id, *review_ids)))
    if (
        status is ActionStatus.VERIFIED_EFFECTIVE
        and verdict is not ReviewVerdict.EFFECTIVE
    ):
        yield Disagreement(
            kind=DisagreementKind.VERIFIED_BUT_REVIEW_DISAGREES,
            message=(
                f"the status is verified effective but the latest review "
                f"({latest.id}, {latest.reviewed_on}) says {verdict.value.replace('_', ' ')}"
            ),
            records=records,
        )
    elif (
        status is ActionStatus.FOUND_INEFFECTIVE and verdict is ReviewVerdict.EFFECTIVE
    ):
        yield Disagreement(
            kind=DisagreementKind.INEFFECTIVE_BUT_REVIEW_EFFECTIVE,
            message=(
                f"the status is found ineffective but the latest review "
                f"({latest.id}, {latest.reviewed_on}) says effective"
            ),
            records=records,
        )
    elif not status.is_final and verdict is not ReviewVerdict.PARTLY_EFFECTIVE:
        yield Disagreement(
            kind=DisagreementKind.REVIEW_NOT_ACTED_ON,
            message=(
                f"the latest review ({latest.id}, {latest.reviewed_on}) says "
                f"{verdict.value.replace('_', ' ')} but the status is still {status.value}"
            ),
            records=records,
        )


def _services_of(
    graph: LearningGraph, action: Action, incidents: tuple[str, ...]
) -> tuple[str, ...]:
    if action.services:
        return tuple(sorted(set(action.services)))
    return tuple(
        sorted({record_of(graph, node, Incident).service for node in incidents})
    )


def action_trace(graph: LearningGraph, action_id: str) -> ActionTrace:
    """Return where the action came from, how it was carried into practice, and its effect.

    The origin is every incident, learning response, contributing factor and
    learning point the action derives from. The channels are the records
    that carry the action itself (its ``actions`` field names it): records
    that carry only its learning points belong to the learning point, see
    :func:`~incident_learning.analysis.learning_reach`. Sharing counts the
    governance meetings that reviewed the action, the services they
    circulated it to, and the learning shares that name it: a share sent by
    a meeting carries what it names, not the meeting's whole agenda.

    The training share counts the staff of the action's services (or, if it
    names none, of its incidents' services) in post on the day of the last
    session, from the staff records.

    The loop status follows the action's status, the decision of record:
    rejected, verified effective and found ineffective close it; otherwise
    it is embedded if any channel carries the action, else open. Reviews are
    the evidence: where they disagree with the status, the trace says so.

    It walks only the action's own loop and never changes *graph*.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        action_id: The action.

    Raises:
        UnknownRecordError: *graph* has no action *action_id*.

    Examples:
        >>> from incident_learning.analysis import action_trace
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> graph = build_graph(example_log())
        >>> trace = action_trace(graph, "ACT-0004")
        >>> trace.status, trace.loop_status
        (<ActionStatus.VERIFIED_EFFECTIVE: 'verified_effective'>, <LoopStatus.VERIFIED_EFFECTIVE: 'verified_effective'>)
        >>> [channel.value for channel in trace.channels]
        ['training', 'reflective_practice', 'service_change', 'sharing']
        >>> len(trace.reflective_practice.sessions), trace.effect.latest_verdict
        (15, <ReviewVerdict.EFFECTIVE: 'effective'>)
        >>> trace.timeline[0].event
        'incident occurred'
    """
    action = record_of(graph, action_id, Action)
    index = graph_index(graph)
    origin_nodes = ancestors_of_kind(graph, action_id, _ORIGIN_KINDS)
    by_kind: dict[NodeKind, list[str]] = {kind: [] for kind in _ORIGIN_KINDS}
    data = graph.nodes
    for node in origin_nodes:
        by_kind[data[node][KIND]].append(node)
    incidents = tuple(by_kind[NodeKind.INCIDENT])
    origin = Origin(
        incidents=incidents,
        responses=tuple(by_kind[NodeKind.LEARNING_RESPONSE]),
        factors=tuple(by_kind[NodeKind.CONTRIBUTING_FACTOR]),
        learning_points=tuple(by_kind[NodeKind.LEARNING_POINT]),
        first_incident_on=first_occurred(graph, incidents),
    )
    downstream = _downstream(graph, action_id)
    training = [r for r in downstream if isinstance(r, TrainingSession)]
    supervision = [r for r in downstream if isinstance(r, SupervisionSession)]
    reflective = [r for r in downstream if isinstance(r, ReflectivePracticeSession)]
    coaching = [r for r in downstream if isinstance(r, CoachingSession)]
    changes = [r for r in downstream if isinstance(r, ServiceChange)]
    meetings = [r for r in downstream if isinstance(r, GovernanceMeeting)]
    shares = [r for r in downstream if isinstance(r, LearningShare)]
    reviews = sorted(
        (r for r in downstream if isinstance(r, EffectivenessReview)),
        key=lambda r: (r.reviewed_on, r.id),
    )
    checks = [r for r in downstream if isinstance(r, StaffConfidenceCheck)]
    sharing = SharingEvidence(
        meetings=_ids(meetings),
        shares=_ids(shares),
        services=tuple(
            sorted(
                {s for m in meetings for s in m.circulated_to}
                | {s for share in shares for s in share.services}
            )
        ),
        teams=tuple(sorted({t for share in shares for t in share.teams})),
        first_shared_on=min(
            [m.held_on for m in meetings if m.circulated_to]
            + [share.shared_on for share in shares],
            default=None,
        ),
        discussed_in=tuple(
            sorted({s.discussed_in for s in shares if s.discussed_in is not None})
        ),
    )
    embedding = [*training, *supervision, *reflective, *coaching, *changes, *shares]
    embedded = bool(carriers(graph, action_id))
    return ActionTrace(
        action=action_id,
        status=action.status,
        rejection_reason=action.rejection_reason,
        origin=origin,
        training=_training(index, training, _services_of(graph, action, incidents)),
        supervision=SupervisionEvidence(
            sessions=_ids(supervision),
            supervisees=tuple(sorted({s.supervisee for s in supervision})),
            reflective_sessions=_ids(s for s in supervision if s.reflective),
        ),
        reflective_practice=ReflectivePracticeEvidence(
            sessions=_ids(reflective),
            attendees=tuple(sorted({a for s in reflective for a in s.attendees})),
        ),
        coaching=CoachingEvidence(
            sessions=_ids(coaching),
            coachees=tuple(sorted({c for s in coaching for c in s.coachees})),
        ),
        service_changes=ServiceChangeEvidence(
            changes=_ids(changes),
            areas=tuple(sorted({c.area for c in changes})),
            services=tuple(sorted({s for c in changes for s in c.services})),
        ),
        sharing=sharing,
        effect=EffectEvidence(
            reviews=tuple(review.id for review in reviews),
            latest_review=reviews[-1].id if reviews else None,
            latest_verdict=reviews[-1].verdict if reviews else None,
            confidence_checks=_chronological(checks),
        ),
        timeline=_timeline(
            graph, (*origin_nodes, action_id, *(r.id for r in downstream))
        ),
        loop_status=loop_status_of(action, embedded=embedded),
        disagreements=tuple(_disagreements(action, reviews, _ids(embedding))),
    )


def _downstream(graph: LearningGraph, action_id: str) -> list[Record]:
    """Return the records that follow the action: each names it in a field."""
    data = graph.nodes
    return [data[node][RECORD] for node in sorted(graph.succ[action_id])]


def incident_trace(
    graph: LearningGraph,
    incident_id: str,
    *,
    as_of: date | None = None,
    policy: GapPolicy | None = None,
) -> IncidentTrace:
    """Return everything that came from one incident, and what did not.

    Everything that followed the incident in the graph: the learning
    responses that looked into it, the factors they found, the learning
    drawn, the actions (each with its :func:`action_trace`), the governance
    meetings that reviewed it and every embedding, sharing and effect record
    after them. What did not happen is the broken loops among those records,
    as :func:`~incident_learning.analysis.loop_gaps` finds them.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        incident_id: The incident.
        as_of: The day to judge the gaps on. Without it no day is judged:
            the current statuses count and nothing is overdue.
        policy: Which incidents need a learning response; by default
            ``DEFAULT_POLICY``, :func:`~incident_learning.analysis.needs_learning_response`.

    Raises:
        UnknownRecordError: *graph* has no incident *incident_id*.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis import incident_trace
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> graph = build_graph(example_log())
        >>> trace = incident_trace(graph, "INC-0939", as_of=date(2025, 12, 31))
        >>> trace.responses, trace.factors, trace.learning_points
        (('LR-0059',), ('CF-0069',), ('LP-0059',))
        >>> [(action.action, action.loop_status.value) for action in trace.actions]
        [('ACT-0049', 'open')]
        >>> print(trace.missing[0].message)
        action ACT-0049 is agreed but no training, supervision, reflective practice, coaching, service change or sharing carries it
    """
    record_of(graph, incident_id, Incident)
    data = graph.nodes
    groups: dict[NodeKind, list[str]] = {}
    for node in sorted(nx.descendants(graph, incident_id)):
        groups.setdefault(data[node][KIND], []).append(node)
    actions = groups.get(NodeKind.ACTION, [])
    own_meetings = graph.succ[incident_id]
    meetings = [
        node
        for node in groups.get(NodeKind.GOVERNANCE_MEETING, [])
        if node in own_meetings
    ]
    others = sorted(
        node
        for kind, nodes in groups.items()
        if kind not in _NAMED
        for node in nodes
        if node not in own_meetings
    )
    every = [incident_id, *(node for nodes in groups.values() for node in nodes)]
    return IncidentTrace(
        incident=incident_id,
        responses=tuple(groups.get(NodeKind.LEARNING_RESPONSE, ())),
        factors=tuple(groups.get(NodeKind.CONTRIBUTING_FACTOR, ())),
        learning_points=tuple(groups.get(NodeKind.LEARNING_POINT, ())),
        actions=tuple(action_trace(graph, action) for action in actions),
        meetings=tuple(meetings),
        other_records=tuple(others),
        missing=record_gaps(graph, every, as_of=as_of, policy=policy or DEFAULT_POLICY),
        timeline=_timeline(graph, every),
    )


_NAMED: Final = frozenset(
    {
        NodeKind.LEARNING_RESPONSE,
        NodeKind.CONTRIBUTING_FACTOR,
        NodeKind.LEARNING_POINT,
        NodeKind.ACTION,
    }
)
