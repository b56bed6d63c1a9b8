"""How learning is embedded in practice.

Training, supervision, reflective practice, coaching and service changes each
carry the actions and learning points they embed.
"""

from collections.abc import Iterator
from datetime import date

import attrs

from incident_learning.model.base import (
    PersonalData,
    Record,
    personal,
    refers_to,
)
from incident_learning.model.vocab import ChangeArea

__all__ = [
    "CoachingSession",
    "EmbeddingRecord",
    "ReflectivePracticeSession",
    "ServiceChange",
    "SupervisionSession",
    "TrainingSession",
]


@attrs.frozen(kw_only=True)
class EmbeddingRecord(Record):
    """Base of records that carry learning into practice.

    Attributes:
        actions: The actions this record embeds.
        learning_points: The learning points it carries.
    """

    actions: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("action"))
    learning_points: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("learning_point")
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if not (self.actions or self.learning_points):
            yield (
                "actions",
                (),
                "is empty and so is learning_points: name the learning carried",
            )


@attrs.frozen(kw_only=True)
class TrainingSession(EmbeddingRecord):
    """A training session that teaches what was learned.

    Attributes:
        topic: What it covered.
        held_on: When it was held.
        service: The service it was held for, if one.
        trainer: Who delivered it, if on the staff.
        attendees: The staff who attended.

    Examples:
        >>> from incident_learning import samples
        >>> len(samples.training_session().attendees)
        2
    """

    record_kind = "training_session"

    topic: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    held_on: date
    service: str | None = attrs.field(default=None, metadata=refers_to("service"))
    trainer: str | None = attrs.field(default=None, metadata=refers_to("staff_member"))
    attendees: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("staff_member")
    )


@attrs.frozen(kw_only=True)
class SupervisionSession(EmbeddingRecord):
    """A one-to-one supervision in which learning was discussed.

    Attributes:
        supervisee: The member of staff supervised.
        supervisor: The supervisor.
        held_on: When.
        reflective: Whether it included reflective discussion.
        notes: What was discussed, as written.

    Examples:
        >>> from incident_learning import samples
        >>> samples.supervision_session().reflective
        True
    """

    record_kind = "supervision_session"

    supervisee: str = attrs.field(metadata=refers_to("staff_member"))
    supervisor: str = attrs.field(metadata=refers_to("staff_member"))
    held_on: date
    reflective: bool = False
    notes: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.supervisee == self.supervisor:
            yield "supervisor", self.supervisor, "is the same person as the supervisee"


@attrs.frozen(kw_only=True)
class ReflectivePracticeSession(EmbeddingRecord):
    """A facilitated group session reflecting on practice.

    Attributes:
        facilitator: Who facilitated.
        attendees: The staff who took part.
        held_on: When.
        service: The service it was held for, if one.
        topic: What it reflected on.

    Examples:
        >>> from incident_learning import samples
        >>> samples.reflective_practice_session().facilitator
        'STAFF-RM'
    """

    record_kind = "reflective_practice_session"

    facilitator: str = attrs.field(metadata=refers_to("staff_member"))
    attendees: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("staff_member")
    )
    held_on: date
    service: str | None = attrs.field(default=None, metadata=refers_to("service"))
    topic: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )


@attrs.frozen(kw_only=True)
class CoachingSession(EmbeddingRecord):
    """Coaching of one or more staff in practice, e.g. on a shift.

    Attributes:
        coach: Who coached.
        coachees: Who was coached.
        held_on: When.
        topic: What it covered.

    Examples:
        >>> from incident_learning import samples
        >>> samples.coaching_session().coachees
        ('STAFF-CW1',)
    """

    record_kind = "coaching_session"

    coach: str = attrs.field(metadata=refers_to("staff_member"))
    coachees: tuple[str, ...] = attrs.field(
        metadata=refers_to("staff_member", min_items=1)
    )
    held_on: date
    topic: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )


@attrs.frozen(kw_only=True)
class ServiceChange(EmbeddingRecord):
    """A change to how a service works: policy, care plans, environment, staffing.

    Attributes:
        area: What was changed.
        description: The change, as written.
        services: The services it applies to (one or more).
        effective_from: The day it took effect.

    Examples:
        >>> from incident_learning import samples
        >>> samples.service_change().area
        <ChangeArea.ROTA: 'rota'>
    """

    record_kind = "service_change"

    area: ChangeArea
    description: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    services: tuple[str, ...] = attrs.field(metadata=refers_to("service", min_items=1))
    effective_from: date
