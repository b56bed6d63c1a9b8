"""Which services and teams each learning point reached, how strongly and when.

A learning point reaches a place through the records that carry it there:
the records naming it (embedding records, learning shares and governance
meetings), and the same records naming an action that addresses it. Each
carrier says how strongly it reached a place, on a :class:`ReachLevel`:

* **circulated**: the learning was sent there: a governance meeting's
  ``circulated_to`` services (on ``held_on``), or a learning share's services
  and teams (on ``shared_on``) with no record of discussion, or discussed
  only in a bulletin (a bulletin is sent, not discussed).
* **discussed**: staff engaged with it there, the stronger evidence: a share
  discussed in a team meeting, handover, supervision, reflective practice or
  governance meeting (on ``discussed_on``, else ``shared_on``); a supervision
  (the supervisee's service and team); reflective practice and training (their
  ``service`` and the attendees' services and teams); coaching (the coachees'
  services and teams); a service-level governance meeting (its own
  ``service``); and a service change (its ``services``: staff working to a
  changed rota or plan is at least as strong as discussing it).

A staff member's service is their ``service``, else their team's service;
a team reached through a share also reaches its service. Staff confidence
checks measure learning but do not carry it, and effectiveness reviews judge
an action: neither counts as reach. Records entered in error count for
nothing: carriers are not in the graph, and withdrawn services, teams and
staff are not in its index.

A learning share sent by a governance meeting carries the learning it names
(the model requires it to name some), not everything that meeting reviewed:
the ``shared_by`` edge says who sent a share, not what it said. The
meeting's own ``circulated_to`` already records where its business went.

The walk goes from each learning point to its successors and their
successors only (actions, then what carries them), and up to the incidents
it derives from; services, teams and staff come from the graph's index.
So the cost is what each learning point touches, never the size of the log.
The rules are described, with an example, in ``docs/analysis/reach.md``.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs

from incident_learning import _html
from incident_learning.analysis._walk import (
    ancestors_of_kind,
    first_occurred,
    record_date,
    staff_service,
)
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import (
    KIND,
    RECORD,
    GraphIndex,
    NodeKind,
    graph_index,
    record_of,
)
from incident_learning.model import (
    CoachingSession,
    DiscussionSetting,
    GovernanceMeeting,
    LearningPoint,
    LearningScope,
    LearningShare,
    MeetingLevel,
    Record,
    ReflectivePracticeSession,
    ServiceChange,
    SupervisionSession,
    TrainingSession,
)

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = [
    "LearningPointReach",
    "LearningReach",
    "PlaceKind",
    "PlaceReach",
    "ReachLevel",
    "learning_reach",
]


@enum.unique
class ReachLevel(enum.StrEnum):
    """How strongly a learning point reached a place, weakest first.

    Compare with :attr:`rank`: a ``StrEnum`` orders its members as strings.

    Examples:
        >>> from incident_learning.analysis.reach import ReachLevel
        >>> ReachLevel.CIRCULATED.rank < ReachLevel.DISCUSSED.rank
        True
    """

    CIRCULATED = "circulated"
    """Sent there, by a governance meeting or a learning share."""
    DISCUSSED = "discussed"
    """Staff there engaged with it (discussion, supervision, training, a change)."""

    @property
    def rank(self) -> int:
        """Position on the scale, 0 for circulated."""
        return _LEVEL_RANKS[self]


_LEVEL_RANKS: Final = {level: rank for rank, level in enumerate(ReachLevel)}


@enum.unique
class PlaceKind(enum.StrEnum):
    """What kind of place a learning point reached.

    Examples:
        >>> from incident_learning.analysis.reach import PlaceKind
        >>> PlaceKind("team") is PlaceKind.TEAM
        True
    """

    SERVICE = "service"
    TEAM = "team"


@attrs.frozen(kw_only=True)
class PlaceReach:
    """How and when one learning point reached one service or team.

    Days are counted from the learning point's first incident and are the
    true difference: a record dated before that incident (a learning point
    drawn from an older incident added later) gives a negative count.

    Attributes:
        kind: Whether *place* is a service or a team.
        place: The service's or team's identifier.
        level: The strongest level it reached the place at.
        first_reached_on: The first day it reached the place at any level.
        first_discussed_on: The first day it was discussed there; ``None``
            if it was only circulated.
        days_to_reach: Days from the first incident to *first_reached_on*;
            ``None`` if the learning point derives from no incident.
        days_to_discussion: Days from the first incident to
            *first_discussed_on*; ``None`` if either is unknown.
        records: The identifiers of the records that carried it there,
            sorted.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.reach import learning_reach
        >>> from incident_learning.graph import build_graph
        >>> reach = learning_reach(build_graph(samples.small_log()))
        >>> oak = reach.of("LP-0001").services[0]
        >>> oak.place, oak.level, oak.first_reached_on, oak.days_to_reach
        ('SVC-OAK', <ReachLevel.DISCUSSED: 'discussed'>, datetime.date(2025, 3, 12), 11)
    """

    kind: PlaceKind
    place: str
    level: ReachLevel
    first_reached_on: date
    first_discussed_on: date | None
    days_to_reach: int | None
    days_to_discussion: int | None
    records: tuple[str, ...]


@attrs.frozen(kw_only=True)
class LearningPointReach:
    """Where one learning point reached, how strongly, and where it never did.

    Attributes:
        learning_point: The learning point's identifier.
        scope: How far it was meant to reach.
        first_incident_on: The day the first incident it derives from
            occurred; ``None`` if it derives from none.
        services: The services it reached, sorted by identifier.
        teams: The teams it reached, sorted by identifier.
        not_reached: The provider's services it reached at no level, sorted.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.reach import learning_reach
        >>> from incident_learning.graph import build_graph
        >>> point = learning_reach(build_graph(samples.small_log())).of("LP-0001")
        >>> point.first_incident_on, [team.place for team in point.teams]
        (datetime.date(2025, 3, 1), ['TEAM-OAK-NIGHT'])
        >>> point.not_reached
        ()
    """

    learning_point: str
    scope: LearningScope
    first_incident_on: date | None
    services: tuple[PlaceReach, ...]
    teams: tuple[PlaceReach, ...]
    not_reached: tuple[str, ...]


@attrs.frozen(kw_only=True)
class LearningReach:
    """The reach of every learning point asked about.

    Attributes:
        points: One entry per learning point, sorted by identifier.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.reach import learning_reach
        >>> from incident_learning.graph import build_graph
        >>> reach = learning_reach(build_graph(samples.small_log()))
        >>> [point.learning_point for point in reach.points]
        ['LP-0001']
    """

    points: tuple[LearningPointReach, ...]

    def of(self, learning_point: str) -> LearningPointReach:
        """Return the reach of *learning_point*.

        Args:
            learning_point: A learning point's identifier.

        Raises:
            UnknownRecordError: The result holds no such learning point.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis.reach import learning_reach
            >>> from incident_learning.graph import build_graph
            >>> reach = learning_reach(build_graph(samples.small_log()))
            >>> reach.of("LP-0001").scope
            <LearningScope.ORGANISATION: 'organisation'>
            >>> reach.of("LP-0404")
            Traceback (most recent call last):
            ...
            incident_learning.exceptions.UnknownRecordError: no learning_point has the id 'LP-0404'
        """
        points = self.points
        # Sorted by identifier, so a binary search finds it.
        at = bisect.bisect_left(points, learning_point, key=_point_id)
        if at < len(points) and points[at].learning_point == learning_point:
            return points[at]
        raise UnknownRecordError(learning_point, LearningPoint.record_kind)

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the reach as HTML for notebooks: a row per learning point.

        Args:
            max_rows: The most learning points listed; the rest are counted.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import learning_reach
            >>> html = learning_reach(il.build_graph(samples.small_log()))._repr_html_()
            >>> "<caption>Learning reach: 1 learning point</caption>" in html
            True
        """

        def discussed(places: tuple[PlaceReach, ...]) -> tuple[str, ...]:
            return tuple(p.place for p in places if p.level is ReachLevel.DISCUSSED)

        def soonest(point: LearningPointReach) -> int | None:
            days = [
                place.days_to_reach
                for place in (*point.services, *point.teams)
                if place.days_to_reach is not None
            ]
            return min(days, default=None)

        return _html.block(
            "reach learning-reach",
            _html.table(
                f"Learning reach: {_html.plural(len(self.points), 'learning point')}",
                [
                    "learning point",
                    "scope",
                    "first incident",
                    "services reached",
                    "discussed at",
                    "teams reached",
                    "services not reached",
                    "days to first reach",
                ],
                self.points,
                lambda point: [
                    point.learning_point,
                    point.scope,
                    point.first_incident_on,
                    tuple(place.place for place in point.services),
                    discussed(point.services),
                    tuple(place.place for place in point.teams),
                    point.not_reached,
                    soonest(point),
                ],
                max_rows=max_rows,
                row_class=lambda point: "il-not-reached" if point.not_reached else None,
            ),
        )


def _point_id(point: LearningPointReach) -> str:
    return point.learning_point


# --- what each carrier reaches ------------------------------------------------

_Hit: TypeAlias = tuple[PlaceKind, str, ReachLevel, date]
"""A place reached at a level on a day, by one record."""

_CIRCULATED: Final = ReachLevel.CIRCULATED
_DISCUSSED: Final = ReachLevel.DISCUSSED
_SERVICE: Final = PlaceKind.SERVICE
_TEAM: Final = PlaceKind.TEAM


def _team_service(index: GraphIndex, team: str) -> str | None:
    record = index.teams.get(team)
    return None if record is None else record.service


def _team_places(index: GraphIndex, team: str) -> Iterator[tuple[PlaceKind, str]]:
    # A team sits in a service: reaching the team reaches the service too.
    yield _TEAM, team
    service = _team_service(index, team)
    if service is not None:
        yield _SERVICE, service


def _staff_places(
    index: GraphIndex, staff: Iterable[str]
) -> Iterator[tuple[PlaceKind, str]]:
    for member_id in staff:
        # A withdrawn staff member is not in the index: no evidence of them.
        member = index.staff.get(member_id)
        if member is None:
            continue
        if member.team is not None:
            yield _TEAM, member.team
        service = staff_service(index, member)
        if service is not None:
            yield _SERVICE, service


def _discussed_at(places: Iterable[tuple[PlaceKind, str]], day: date) -> Iterator[_Hit]:
    for kind, place in places:
        yield kind, place, _DISCUSSED, day


def _meeting_hits(meeting: GovernanceMeeting, index: GraphIndex) -> Iterator[_Hit]:
    day = record_date(meeting)
    for service in meeting.circulated_to:
        yield _SERVICE, service, _CIRCULATED, day
    if meeting.level is MeetingLevel.SERVICE and meeting.service is not None:
        yield _SERVICE, meeting.service, _DISCUSSED, day


def _share_hits(share: LearningShare, index: GraphIndex) -> Iterator[_Hit]:
    places = [(_SERVICE, service) for service in share.services]
    for team in share.teams:
        places.extend(_team_places(index, team))
    setting = share.discussed_in
    # A bulletin is read, not discussed: it only circulates.
    discussed = setting is not None and setting is not DiscussionSetting.BULLETIN
    sent = record_date(share)
    for kind, place in places:
        yield kind, place, _CIRCULATED, sent
        if discussed:
            yield kind, place, _DISCUSSED, share.discussed_on or sent


def _supervision_hits(session: SupervisionSession, index: GraphIndex) -> Iterator[_Hit]:
    places = _staff_places(index, (session.supervisee,))
    return _discussed_at(places, record_date(session))


def _group_hits(
    session: ReflectivePracticeSession | TrainingSession, index: GraphIndex
) -> Iterator[_Hit]:
    day = record_date(session)
    if session.service is not None:
        yield _SERVICE, session.service, _DISCUSSED, day
    yield from _discussed_at(_staff_places(index, session.attendees), day)


def _coaching_hits(session: CoachingSession, index: GraphIndex) -> Iterator[_Hit]:
    return _discussed_at(_staff_places(index, session.coachees), record_date(session))


def _change_hits(change: ServiceChange, index: GraphIndex) -> Iterator[_Hit]:
    places = ((_SERVICE, service) for service in change.services)
    return _discussed_at(places, record_date(change))


# Keyed by exact class: a record of any other kind (an effectiveness review,
# a confidence check) carries nothing.
_CARRIERS: Final[Mapping[type[Record], Callable[[Any, GraphIndex], Iterator[_Hit]]]] = {
    GovernanceMeeting: _meeting_hits,
    LearningShare: _share_hits,
    SupervisionSession: _supervision_hits,
    ReflectivePracticeSession: _group_hits,
    TrainingSession: _group_hits,
    CoachingSession: _coaching_hits,
    ServiceChange: _change_hits,
}


# --- gathering ------------------------------------------------------------------


@attrs.define
class _Tally:
    """What is known so far of one place's reach."""

    level: ReachLevel
    first: date
    first_discussed: date | None = None
    records: set[str] = attrs.Factory(set)

    def add(self, level: ReachLevel, day: date, record: str) -> None:
        self.records.add(record)
        self.first = min(self.first, day)
        if level.rank > self.level.rank:
            self.level = level
        if level is _DISCUSSED and (
            self.first_discussed is None or day < self.first_discussed
        ):
            self.first_discussed = day

    def result(self, kind: PlaceKind, place: str, origin: date | None) -> PlaceReach:
        def days(day: date | None) -> int | None:
            return None if day is None or origin is None else (day - origin).days

        return PlaceReach(
            kind=kind,
            place=place,
            level=self.level,
            first_reached_on=self.first,
            first_discussed_on=self.first_discussed,
            days_to_reach=days(self.first),
            days_to_discussion=days(self.first_discussed),
            records=tuple(sorted(self.records)),
        )


def _carriers(graph: LearningGraph, point: str) -> Iterator[tuple[str, Record]]:
    """Yield the records one step from *point*, or one step from its actions."""
    nodes = graph.nodes
    successors = graph.succ
    for node in successors[point]:
        if nodes[node][KIND] is NodeKind.ACTION:
            for further in successors[node]:
                yield further, nodes[further][RECORD]
        else:
            yield node, nodes[node][RECORD]


def _point_reach(
    graph: LearningGraph, index: GraphIndex, point: LearningPoint
) -> LearningPointReach:
    origin = first_occurred(
        graph, ancestors_of_kind(graph, point.id, (NodeKind.INCIDENT,))
    )
    known = {_SERVICE: index.services, _TEAM: index.teams}
    tallies: dict[tuple[PlaceKind, str], _Tally] = {}
    seen: set[str] = set()
    for record_id, record in _carriers(graph, point.id):
        hits = _CARRIERS.get(type(record))
        # A record reached both directly and through an action counts once.
        if hits is None or record_id in seen:
            continue
        seen.add(record_id)
        for kind, place, level, day in hits(record, index):
            # A service or team entered in error is no place to reach.
            if place not in known[kind]:
                continue
            tally = tallies.get((kind, place))
            if tally is None:
                tally = tallies[kind, place] = _Tally(level=level, first=day)
            tally.add(level, day, record_id)
    places = [
        tally.result(kind, place, origin)
        for (kind, place), tally in sorted(tallies.items())
    ]
    services = tuple(place for place in places if place.kind is _SERVICE)
    reached = {place.place for place in services}
    return LearningPointReach(
        learning_point=point.id,
        scope=point.scope,
        first_incident_on=origin,
        services=services,
        teams=tuple(place for place in places if place.kind is _TEAM),
        not_reached=tuple(sorted(set(index.services) - reached)),
    )


def learning_reach(
    graph: LearningGraph, *, learning_points: Iterable[str] | None = None
) -> LearningReach:
    """Return which services and teams each learning point reached, how and when.

    For each learning point: the services and teams it reached, each at its
    strongest :class:`ReachLevel` (circulated, or discussed), the first day
    it reached them and the first day it was discussed there, those days
    counted from its first incident, and the records that carried it; and
    the provider's services it never reached. The module documentation
    gives the rules for each kind of record.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        learning_points: The identifiers of the learning points to report on
            (a single identifier may be passed as a string); all of the
            graph's learning points when ``None``.

    Returns:
        The reach of each learning point, sorted by identifier.

    Raises:
        UnknownRecordError: An identifier in *learning_points* is not a
            learning point of *graph*.
        GraphShapeError: *graph* was not made by
            :func:`~incident_learning.graph.build_graph`.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.reach import learning_reach
        >>> from incident_learning.graph import build_graph
        >>> graph = build_graph(samples.example_log())
        >>> reach = learning_reach(graph, learning_points=["LP-0001", "LP-0060"])
        >>> night_falls = reach.of("LP-0001")
        >>> for service in night_falls.services:
        ...     print(service.place, service.level, service.days_to_discussion)
        SVC-ASH circulated None
        SVC-BIRCH discussed 182
        SVC-ELM discussed 181
        SVC-HOMECARE circulated None
        SVC-OAK discussed 169
        SVC-WILLOW circulated None
        >>> reach.of("LP-0060").not_reached
        ('SVC-ASH', 'SVC-BIRCH', 'SVC-ELM', 'SVC-HOMECARE', 'SVC-OAK', 'SVC-WILLOW')
    """
    index = graph_index(graph)
    if learning_points is None:
        ids: Iterable[str] = index.by_kind.get(NodeKind.LEARNING_POINT, ())
    elif isinstance(learning_points, str):
        ids = (learning_points,)
    else:
        ids = sorted(set(learning_points))
    # record_of checks each identifier before any work is done.
    points = [record_of(graph, point, LearningPoint) for point in ids]
    return LearningReach(
        points=tuple(_point_reach(graph, index, point) for point in points)
    )
