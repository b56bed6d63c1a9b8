"""Summaries: a first look at a log, and the learning loop at a glance."""

from __future__ import annotations

import enum
import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import attrs

from incident_learning import _html
from incident_learning.analysis._walk import (
    ancestors_of_kind,
    carriers,
    first_occurred,
    record_date,
)
from incident_learning.analysis.reach import ReachLevel, learning_reach
from incident_learning.analysis.trace import LoopStatus, loop_status_of
from incident_learning.graph import NodeKind, graph_index, record_of
from incident_learning.model import (
    Action,
    ActionKind,
    ActionStatus,
    ActionStrength,
    EffectivenessReview,
    EmbeddingRecord,
    Incident,
    LearningLog,
    Provider,
    Service,
)

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = ["LearningSummary", "LogSummary", "learning_summary", "log_summary"]

E = TypeVar("E", bound=enum.StrEnum)


@attrs.frozen(kw_only=True)
class LogSummary:
    """Counts that describe a log at a glance.

    Attributes:
    Counts are ``(name, count)`` pairs: most first, then by name (records by
    kind are by name); ``dict(summary.records)`` gives a mapping.

    Attributes:
        provider: The provider's name; ``None`` if the log has no provider.
        records: Current records by kind, withdrawn ones excluded.
        incidents_by_category: Incidents by primary category.
        incidents_by_service: Incidents by service name.
        near_misses: Incidents that did not reach the person.
        actions_by_status: Actions by status.
        embedded_actions: Actions carried by at least one embedding record.
        reviewed_actions: Actions with at least one effectiveness review.
        first_incident: The first day an incident occurred.
        last_incident: The last day an incident occurred.
    """

    provider: str | None
    records: tuple[tuple[str, int], ...]
    incidents_by_category: tuple[tuple[str, int], ...]
    incidents_by_service: tuple[tuple[str, int], ...]
    near_misses: int
    actions_by_status: tuple[tuple[str, int], ...]
    embedded_actions: int
    reviewed_actions: int
    first_incident: date | None
    last_incident: date | None

    @property
    def loop_closure_rate(self) -> float:
        """Share of actions whose loop is closed (verified, found ineffective or rejected)."""
        total = sum(count for _, count in self.actions_by_status)
        closed = sum(
            count
            for status, count in self.actions_by_status
            if ActionStatus(status).is_final
        )
        return closed / total if total else 0.0

    def render(self) -> str:
        """Return the summary as text for a terminal.

        Examples:
            >>> from incident_learning import samples
            >>> print(il.analysis.log_summary(samples.small_log()).render())
            Oakvale Care Group
              incidents: 1 (near misses: 0), 2025-03-01 to 2025-03-01
              by category: falls 1
              by service: Oak House 1
              actions: 1 (proposed 1); embedded 1, reviewed 1, loops closed 0%
              records: 21 current (action 1, coaching_session 1, ...)
        """
        total_incidents = sum(count for _, count in self.incidents_by_category)
        total_actions = sum(count for _, count in self.actions_by_status)

        def listed(counts: tuple[tuple[str, int], ...]) -> str:
            return ", ".join(f"{name} {count}" for name, count in counts)

        def day(value: date | None) -> str:
            return value.isoformat() if value else "-"

        return "\n".join(
            [
                self.provider or "(no provider)",
                (
                    f"  incidents: {total_incidents} (near misses: {self.near_misses}), "
                    f"{day(self.first_incident)} to {day(self.last_incident)}"
                ),
                f"  by category: {listed(self.incidents_by_category)}",
                f"  by service: {listed(self.incidents_by_service)}",
                (
                    f"  actions: {total_actions} ({listed(self.actions_by_status)}); "
                    f"embedded {self.embedded_actions}, "
                    f"reviewed {self.reviewed_actions}, "
                    f"loops closed {self.loop_closure_rate:.0%}"
                ),
                (
                    f"  records: {sum(count for _, count in self.records)} current "
                    f"({listed(self.records)})"
                ),
            ]
        )

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the summary as HTML for notebooks.

        Args:
            max_rows: The most counts a line lists.

        Examples:
            >>> from incident_learning import samples
            >>> html = il.analysis.log_summary(samples.small_log())._repr_html_()
            >>> "<caption>Log summary: Oak" in html
            True
            >>> '<th scope="row">loops closed</th><td>0%</td>' in html
            True
        """
        _html.check_max_rows(max_rows)
        incidents = sum(count for _, count in self.incidents_by_category)
        actions = sum(count for _, count in self.actions_by_status)
        return _html.block(
            "summary log-summary",
            _html.fields(
                f"Log summary: {self.provider or '(no provider)'}",
                [
                    ("incidents", incidents),
                    ("near misses", self.near_misses),
                    ("first incident", self.first_incident),
                    ("last incident", self.last_incident),
                    (
                        "by category",
                        _html.tally(self.incidents_by_category, max_items=max_rows),
                    ),
                    (
                        "by service",
                        _html.tally(self.incidents_by_service, max_items=max_rows),
                    ),
                    ("actions", actions),
                    (
                        "actions by status",
                        _html.tally(self.actions_by_status, max_items=max_rows),
                    ),
                    ("embedded actions", self.embedded_actions),
                    ("reviewed actions", self.reviewed_actions),
                    ("loops closed", _html.percent(self.loop_closure_rate)),
                    ("current records", sum(count for _, count in self.records)),
                    ("records by kind", _html.tally(self.records, max_items=max_rows)),
                ],
            ),
        )


def _sorted_counts(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def log_summary(log: LearningLog) -> LogSummary:
    """Return counts of a log's records and how far its learning loops have got.

    Args:
        log: The log; it is not modified.

    Examples:
        >>> from incident_learning import samples
        >>> summary = il.analysis.log_summary(samples.small_log())
        >>> summary.incidents_by_category
        (('falls', 1),)
    """
    records: Counter[str] = Counter()
    for record in log:
        if not record.entered_in_error:
            records[record.record_kind] += 1
    incidents = log.active(Incident)
    services = log.of_kind(Service)
    by_service = Counter(
        services[i.service].name if i.service in services else i.service
        for i in incidents
    )
    embedded: set[str] = set()
    for record in log:
        if isinstance(record, EmbeddingRecord) and not record.entered_in_error:
            embedded.update(record.actions)
    actions = log.active(Action)
    reviewed = {review.action for review in log.active(EffectivenessReview)}
    days = sorted(incident.occurred_on for incident in incidents)

    providers = log.of_kind(Provider)
    return LogSummary(
        provider=next(iter(providers.values())).name if providers else None,
        records=tuple(sorted(records.items())),
        incidents_by_category=_sorted_counts(Counter(i.category for i in incidents)),
        incidents_by_service=_sorted_counts(by_service),
        near_misses=sum(1 for incident in incidents if incident.is_near_miss),
        actions_by_status=_sorted_counts(
            Counter(action.status.value for action in actions)
        ),
        embedded_actions=sum(1 for action in actions if action.id in embedded),
        reviewed_actions=sum(1 for action in actions if action.id in reviewed),
        first_incident=days[0] if days else None,
        last_incident=days[-1] if days else None,
    )


@attrs.frozen(kw_only=True)
class LearningSummary:
    """The learning loop at a glance, for a manager.

    Counts are ``(member, count)`` pairs, members with none left out:
    statuses and loop statuses in lifecycle order, kinds most first then by
    name, strengths weakest first.

    Attributes:
        actions: How many actions there are.
        actions_by_status: Actions by status, the decision of record.
        actions_by_kind: Actions by kind of intervention.
        actions_by_strength: Actions by strength on the action hierarchy.
        loops_by_status: Actions by loop status (open, embedded, closed).
        embedded_actions: Actions that at least one channel carries.
        median_days_to_embedding: The median days from an action's first
            incident to the first record carrying it into practice, over
            the actions that have both; ``None`` if none do.
        learning_points: How many learning points there are.
        services_reached: For each learning point, how many of the
            provider's services it reached, at any level, by identifier.
        median_services_reached: The median of those counts; ``None``
            with no learning points.
        median_services_discussed: The median number of services where
            each learning point was discussed, the stronger evidence;
            ``None`` with no learning points.
    """

    actions: int
    actions_by_status: tuple[tuple[ActionStatus, int], ...]
    actions_by_kind: tuple[tuple[ActionKind, int], ...]
    actions_by_strength: tuple[tuple[ActionStrength, int], ...]
    loops_by_status: tuple[tuple[LoopStatus, int], ...]
    embedded_actions: int
    median_days_to_embedding: float | None
    learning_points: int
    services_reached: tuple[tuple[str, int], ...]
    median_services_reached: float | None
    median_services_discussed: float | None

    @property
    def loop_closure_rate(self) -> float | None:
        """The share of actions whose loop is closed, one way or the other.

        Closed means verified effective, found ineffective or rejected.

        ``None`` when there are no actions, rather than a misleading 0%.
        """
        if not self.actions:
            return None
        closed = sum(
            count for status, count in self.loops_by_status if status.is_closed
        )
        return closed / self.actions

    def render(self) -> str:
        """Return the summary as text for a terminal.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import learning_summary
            >>> from incident_learning.graph import build_graph
            >>> print(learning_summary(build_graph(samples.small_log())).render())
            actions: 1 (proposed 1)
              by kind: staffing change 1
              by strength: intermediate 1
              loops: embedded 1; closed 0%
              embedded: 1, a median of 13 days after the first incident
              learning points: 1, reaching a median of 1 service(s), discussed in 1
        """

        def listed(counts: tuple[tuple[enum.StrEnum, int], ...]) -> str:
            return ", ".join(
                f"{member.value.replace('_', ' ')} {count}" for member, count in counts
            )

        rate = self.loop_closure_rate
        days = self.median_days_to_embedding
        reach = self.median_services_reached
        discussed = self.median_services_discussed
        return "\n".join(
            [
                f"actions: {self.actions} ({listed(self.actions_by_status)})",
                f"  by kind: {listed(self.actions_by_kind)}",
                f"  by strength: {listed(self.actions_by_strength)}",
                (
                    f"  loops: {listed(self.loops_by_status)}; closed "
                    f"{'-' if rate is None else format(rate, '.0%')}"
                ),
                (
                    f"  embedded: {self.embedded_actions}"
                    + (
                        ""
                        if days is None
                        else f", a median of {days:g} days after the first incident"
                    )
                ),
                (
                    f"  learning points: {self.learning_points}"
                    + (
                        ""
                        if reach is None or discussed is None
                        else f", reaching a median of {reach:g} service(s), "
                        f"discussed in {discussed:g}"
                    )
                ),
            ]
        )

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the summary as HTML for notebooks.

        Args:
            max_rows: The most learning points listed with their reach.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import learning_summary
            >>> html = learning_summary(
            ...     il.build_graph(samples.small_log())
            ... )._repr_html_()
            >>> '<th scope="row">median days to embedding</th><td>13</td>' in html
            True
        """
        return _html.block(
            "summary learning-summary",
            _html.fields(
                "Learning summary",
                [
                    ("actions", self.actions),
                    ("by status", _html.tally(self.actions_by_status)),
                    ("by kind", _html.tally(self.actions_by_kind, max_items=max_rows)),
                    ("by strength", _html.tally(self.actions_by_strength)),
                    ("loops", _html.tally(self.loops_by_status)),
                    ("loops closed", _html.percent(self.loop_closure_rate)),
                    ("embedded actions", self.embedded_actions),
                    ("median days to embedding", self.median_days_to_embedding),
                    ("learning points", self.learning_points),
                    ("median services reached", self.median_services_reached),
                    ("median services discussed", self.median_services_discussed),
                ],
            ),
            _html.table(
                "Services reached by each learning point",
                ["learning point", "services reached"],
                self.services_reached,
                lambda pair: pair,
                max_rows=max_rows,
            ),
        )


def _in_order(counter: Counter[E], order: Iterable[E]) -> tuple[tuple[E, int], ...]:
    return tuple((member, counter[member]) for member in order if counter[member])


def learning_summary(graph: LearningGraph) -> LearningSummary:
    """Return the learning loop at a glance: actions, closure, time to embed, reach.

    An action is embedded when a training, supervision, reflective practice,
    coaching, service change or learning share names it, or a governance
    meeting circulated it (as :func:`~incident_learning.analysis.action_trace`
    counts it). Its days to embedding run from the day its first incident
    occurred to the day of the first such record; reach is
    :func:`~incident_learning.analysis.learning_reach`'s. It runs in time
    linear in the graph and never changes it.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.

    Examples:
        >>> from incident_learning.analysis import learning_summary
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> summary = learning_summary(build_graph(example_log()))
        >>> summary.actions, f"{summary.loop_closure_rate:.0%}"
        (49, '18%')
        >>> summary.median_days_to_embedding
        51.5
        >>> summary.median_services_reached, summary.median_services_discussed
        (6.0, 0.0)
    """
    index = graph_index(graph)
    actions = [
        record_of(graph, node, Action)
        for node in index.by_kind.get(NodeKind.ACTION, ())
    ]
    by_status: Counter[ActionStatus] = Counter()
    by_kind: Counter[ActionKind] = Counter()
    by_strength: Counter[ActionStrength] = Counter()
    by_loop: Counter[LoopStatus] = Counter()
    delays: list[int] = []
    embedded = 0
    for action in actions:
        by_status[action.status] += 1
        by_kind[action.kind] += 1
        by_strength[action.strength] += 1
        carried = carriers(graph, action.id)
        by_loop[loop_status_of(action, embedded=bool(carried))] += 1
        if carried:
            embedded += 1
            incidents = ancestors_of_kind(graph, action.id, (NodeKind.INCIDENT,))
            first = first_occurred(graph, incidents)
            if first is not None:
                delays.append((min(record_date(r) for r in carried) - first).days)
    reach = learning_reach(graph)
    reached = tuple(
        (point.learning_point, len(point.services)) for point in reach.points
    )
    return LearningSummary(
        actions=len(actions),
        actions_by_status=_in_order(by_status, ActionStatus),
        actions_by_kind=tuple(
            sorted(by_kind.items(), key=lambda item: (-item[1], item[0].value))
        ),
        actions_by_strength=_in_order(by_strength, ActionStrength),
        loops_by_status=_in_order(by_loop, LoopStatus),
        embedded_actions=embedded,
        median_days_to_embedding=statistics.median(delays) if delays else None,
        learning_points=len(reached),
        services_reached=reached,
        median_services_reached=(
            statistics.median(count for _, count in reached) if reached else None
        ),
        median_services_discussed=(
            statistics.median(
                sum(place.level is ReachLevel.DISCUSSED for place in point.services)
                for point in reach.points
            )
            if reached
            else None
        ),
    )
