"""A first look at a log: how many records, and how far their loops have got."""

from collections import Counter
from datetime import date

import attrs

from incident_learning.model import (
    Action,
    ActionStatus,
    EffectivenessReview,
    EmbeddingRecord,
    Incident,
    LearningLog,
    Provider,
    Service,
)

__all__ = ["LogSummary", "log_summary"]


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
