"""A first look at a log: how many records, and how far their loops have got."""

from collections import Counter
from collections.abc import Mapping

import attrs

from incident_learning.model import (
    Action,
    ActionStatus,
    EffectivenessReview,
    EmbeddingRecord,
    Incident,
    LearningLog,
    Service,
)

__all__ = ["LogSummary", "log_summary"]


@attrs.frozen(kw_only=True)
class LogSummary:
    """Counts that describe a log at a glance.

    Attributes:
        provider: The provider's name.
        records: Current records by kind, withdrawn ones excluded.
        incidents_by_category: Incidents by primary category.
        incidents_by_service: Incidents by service name.
        near_misses: Incidents that did not reach the person.
        actions_by_status: Actions by status.
        embedded_actions: Actions carried by at least one embedding record.
        reviewed_actions: Actions with at least one effectiveness review.
        first_incident: The first day an incident occurred, ISO text.
        last_incident: The last day an incident occurred, ISO text.
    """

    provider: str
    records: Mapping[str, int]
    incidents_by_category: Mapping[str, int]
    incidents_by_service: Mapping[str, int]
    near_misses: int
    actions_by_status: Mapping[str, int]
    embedded_actions: int
    reviewed_actions: int
    first_incident: str | None
    last_incident: str | None

    @property
    def loop_closure_rate(self) -> float:
        """Share of actions whose loop is closed (verified, found ineffective or rejected)."""
        total = sum(self.actions_by_status.values())
        closed = sum(
            count
            for status, count in self.actions_by_status.items()
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
        total_incidents = sum(self.incidents_by_category.values())
        total_actions = sum(self.actions_by_status.values())

        def listed(counts: Mapping[str, int]) -> str:
            return ", ".join(f"{name} {count}" for name, count in counts.items())

        kinds = ", ".join(f"{kind} {count}" for kind, count in self.records.items())
        return "\n".join(
            [
                self.provider,
                (
                    f"  incidents: {total_incidents} (near misses: {self.near_misses}), "
                    f"{self.first_incident} to {self.last_incident}"
                ),
                f"  by category: {listed(self.incidents_by_category)}",
                f"  by service: {listed(self.incidents_by_service)}",
                (
                    f"  actions: {total_actions} ({listed(self.actions_by_status)}); "
                    f"embedded {self.embedded_actions}, "
                    f"reviewed {self.reviewed_actions}, "
                    f"loops closed {self.loop_closure_rate:.0%}"
                ),
                f"  records: {sum(self.records.values())} current ({kinds})",
            ]
        )


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def log_summary(log: LearningLog) -> LogSummary:
    """Return counts of a log's records and how far its learning loops have got.

    Args:
        log: The log; it is not modified.

    Examples:
        >>> from incident_learning import samples
        >>> summary = il.analysis.log_summary(samples.small_log())
        >>> summary.incidents_by_category
        {'falls': 1}
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

    return LogSummary(
        provider=log.provider.name,
        records=dict(sorted(records.items())),
        incidents_by_category=_sorted_counts(Counter(i.category for i in incidents)),
        incidents_by_service=_sorted_counts(by_service),
        near_misses=sum(1 for incident in incidents if incident.is_near_miss),
        actions_by_status=_sorted_counts(
            Counter(action.status.value for action in actions)
        ),
        embedded_actions=sum(1 for action in actions if action.id in embedded),
        reviewed_actions=sum(1 for action in actions if action.id in reviewed),
        first_incident=days[0].isoformat() if days else None,
        last_incident=days[-1].isoformat() if days else None,
    )
