"""How learning spreads: governance meetings and learning shared to services."""

from collections.abc import Iterator
from datetime import date

import attrs

from incident_learning.model.base import (
    PersonalData,
    Record,
    personal,
    refers_to,
)
from incident_learning.model.embedding import EmbeddingRecord
from incident_learning.model.vocab import DiscussionSetting, MeetingLevel

__all__ = ["GovernanceMeeting", "LearningShare"]


@attrs.frozen(kw_only=True)
class GovernanceMeeting(Record):
    """A governance meeting that reviewed incidents and learning.

    Attributes:
        level: Service, organisation or board.
        held_on: When.
        service: The service, for a service-level meeting.
        incidents_reviewed: Incidents it reviewed.
        learning_points: Learning it reviewed.
        actions: Actions it reviewed.
        circulated_to: Services the learning was sent on to.
        attendees: Who attended.
        minutes: A summary of the discussion, as written.

    Examples:
        >>> from incident_learning import samples
        >>> samples.governance_meeting().level
        <MeetingLevel.ORGANISATION: 'organisation'>
    """

    record_kind = "governance_meeting"

    level: MeetingLevel
    held_on: date
    service: str | None = attrs.field(default=None, metadata=refers_to("service"))
    incidents_reviewed: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("incident")
    )
    learning_points: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("learning_point")
    )
    actions: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("action"))
    circulated_to: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("service")
    )
    attendees: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("staff_member")
    )
    minutes: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.level is MeetingLevel.SERVICE and self.service is None:
            yield "service", None, "is required for a service-level meeting"


@attrs.frozen(kw_only=True)
class LearningShare(EmbeddingRecord):
    """Learning sent to services or teams, and where they discussed it.

    Attributes:
        services: Services it was sent to.
        teams: Teams it was sent to.
        shared_by: Who sent it.
        shared_on: When.
        discussed_in: Where staff discussed it (team meeting, handover, ...).
        discussed_on: When they discussed it, if known.
        meeting: The governance meeting that sent it, if one did.

    Examples:
        >>> from incident_learning import samples
        >>> samples.learning_share().discussed_in
        <DiscussionSetting.TEAM_MEETING: 'team_meeting'>
    """

    record_kind = "learning_share"

    services: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("service"))
    teams: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("team"))
    shared_by: str = attrs.field(metadata=refers_to("staff_member"))
    shared_on: date
    discussed_in: DiscussionSetting | None = None
    discussed_on: date | None = None
    meeting: str | None = attrs.field(
        default=None, metadata=refers_to("governance_meeting")
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if not (self.services or self.teams):
            yield (
                "services",
                (),
                "is empty and so is teams: say where the learning went",
            )
        if self.discussed_on is not None and self.discussed_on < self.shared_on:
            yield "discussed_on", self.discussed_on, "is before shared_on"
