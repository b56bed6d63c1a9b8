"""What happened: incidents, the people affected, and the regulatory facts."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import attrs

from incident_learning.model.base import (
    IS_ID,
    PersonalData,
    Record,
    Validated,
    personal,
    refers_to,
)
from incident_learning.model.vocab import (
    CandourStep,
    CqcCriterion,
    CqcRegulation,
    EventType,
    HarmLevel,
    OccurrencePrecision,
    PhysicalHarm,
    PsychologicalHarm,
)

__all__ = [
    "CandourStepTaken",
    "CqcNotification",
    "DutyOfCandour",
    "Incident",
    "PersonAffected",
    "RiddorReport",
    "SafeguardingReferral",
]


@attrs.frozen(kw_only=True)
class PersonAffected(Validated):
    """A person an incident affected, with harm on LFPSE's two separate scales.

    Attributes:
        person: A stable pseudonymous reference to the person supported,
            never a name.
        physical_harm: Physical harm to this person.
        psychological_harm: Psychological harm to this person.

    Examples:
        >>> from incident_learning.model import PersonAffected
        >>> from incident_learning.model.vocab import PhysicalHarm, PsychologicalHarm
        >>> PersonAffected(
        ...     person="P-0017",
        ...     physical_harm=PhysicalHarm.LOW,
        ...     psychological_harm=PsychologicalHarm.MODERATE,
        ... ).harm
        <HarmLevel.MODERATE: 'moderate'>
    """

    person: str = attrs.field(metadata={**personal(PersonalData.PERSON), IS_ID: True})
    physical_harm: PhysicalHarm = PhysicalHarm.NONE
    psychological_harm: PsychologicalHarm = PsychologicalHarm.NONE

    @property
    def harm(self) -> HarmLevel:
        """The worse of this person's physical and psychological harm."""
        physical, psychological = self.physical_harm, self.psychological_harm
        return (
            physical.harm_level
            if physical.rank >= psychological.rank
            else psychological.harm_level
        )


@attrs.frozen(kw_only=True)
class CqcNotification(Validated):
    """A notification to CQC under the Registration Regulations 2009.

    Attributes:
        criterion: Why it was notifiable; the regulation follows from it.
        notified_on: When CQC was notified; ``None`` while it is still due.

    Examples:
        >>> from incident_learning.model import CqcNotification
        >>> from incident_learning.model.vocab import CqcCriterion
        >>> CqcNotification(criterion=CqcCriterion.SERIOUS_INJURY).regulation
        <CqcRegulation.REG_18: 'reg_18'>
    """

    criterion: CqcCriterion
    notified_on: date | None = None

    @property
    def regulation(self) -> CqcRegulation:
        """The regulation the notification is made under."""
        return self.criterion.regulation


@attrs.frozen(kw_only=True)
class SafeguardingReferral(Validated):
    """A referral to the local authority under the Care Act 2014, s42.

    Attributes:
        referred_on: When the referral was made.
        local_authority: The authority referred to.
        reference: The authority's reference, if given.
    """

    referred_on: date
    local_authority: str
    reference: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )


@attrs.frozen(kw_only=True)
class RiddorReport(Validated):
    """A report to HSE under RIDDOR 2013.

    RIDDOR is never inferred from "went to hospital": an injury is reportable
    only where it arose out of or in connection with a work activity, a
    judgement recorded here by a person.

    Attributes:
        reported_on: When HSE was told; ``None`` while it is still due.
        reference: HSE's reference, if given.
    """

    reported_on: date | None = None
    reference: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )


@attrs.frozen(kw_only=True)
class CandourStepTaken(Validated):
    """One step of the Duty of Candour, done on a date."""

    step: CandourStep
    on: date


@attrs.frozen(kw_only=True)
class DutyOfCandour(Validated):
    """Whether the Duty of Candour (Regulation 20) applies, and the steps done.

    Attributes:
        applicable: Whether the duty applies to the incident.
        steps: The steps done so far, each with its date.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.model import CandourStepTaken, DutyOfCandour
        >>> from incident_learning.model.vocab import CandourStep
        >>> duty = DutyOfCandour(
        ...     applicable=True,
        ...     steps=(
        ...         CandourStepTaken(
        ...             step=CandourStep.NOTIFIED_IN_PERSON, on=date(2025, 3, 2)
        ...         ),
        ...     ),
        ... )
        >>> [step.value for step in duty.outstanding]
        ['apology_given', 'support_offered', 'written_follow_up', 'record_kept']
    """

    applicable: bool
    steps: tuple[CandourStepTaken, ...] = ()

    @property
    def outstanding(self) -> tuple[CandourStep, ...]:
        """The steps not yet done, in their usual order; none if not applicable."""
        if not self.applicable:
            return ()
        done = {taken.step for taken in self.steps}
        return tuple(step for step in CandourStep if step not in done)

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        if not self.applicable and self.steps:
            yield "steps", self.steps, "are recorded although the duty does not apply"
        done = [taken.step for taken in self.steps]
        for step in sorted(set(done)):
            if done.count(step) > 1:
                yield "steps", self.steps, f"record {step} more than once"


@attrs.frozen(kw_only=True)
class Incident(Record):
    """An event reported at a service: an incident, an outcome, a risk or good care.

    Occurrence may be exact (an aware datetime), a date alone, or an
    estimated period (``occurred`` to ``occurred_until``), as LFPSE allows;
    nobody is forced to invent a time. The incident's harm is derived from
    the people affected, never stored.

    Attributes:
        service: The service where it happened.
        event_type: The LFPSE event type.
        reached_person: Whether it reached the person; an ``incident`` that did
            not is a near miss (FHIR ``actuality = potential``).
        category: The primary category, from the ``incident_category``
            vocabulary or a local code the log declares.
        secondary_categories: Further categories, same vocabulary.
        occurred: When it happened (or the start of the estimated period).
        occurred_until: The end of an estimated period.
        reported_at: When it was reported.
        reported_by: Who reported it.
        people_affected: Each person affected, with their harm.
        staff_involved: Staff involved.
        description: What happened, as written (may hold names).
        immediate_actions: What was done at once.
        cqc_notification: The CQC notification, if notifiable.
        safeguarding_referral: The safeguarding referral, if one was made.
        riddor_report: The RIDDOR report, if reportable.
        police_involved: Whether the police were involved.
        duty_of_candour: The Duty of Candour, if assessed.

    Examples:
        >>> from incident_learning import samples
        >>> fall = samples.incident()
        >>> fall.harm, fall.is_near_miss, fall.occurrence_precision
        (<HarmLevel.MODERATE: 'moderate'>, False, <OccurrencePrecision.EXACT: 'exact'>)
    """

    record_kind = "incident"

    service: str = attrs.field(metadata=refers_to("service"))
    event_type: EventType = EventType.INCIDENT
    reached_person: bool = True
    category: str
    secondary_categories: tuple[str, ...] = ()
    occurred: datetime | date
    occurred_until: datetime | date | None = None
    reported_at: datetime
    reported_by: str | None = attrs.field(
        default=None, metadata=refers_to("staff_member")
    )
    people_affected: tuple[PersonAffected, ...] = ()
    staff_involved: tuple[str, ...] = attrs.field(
        default=(), metadata=refers_to("staff_member")
    )
    description: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    immediate_actions: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )
    cqc_notification: CqcNotification | None = None
    safeguarding_referral: SafeguardingReferral | None = None
    riddor_report: RiddorReport | None = None
    police_involved: bool = False
    duty_of_candour: DutyOfCandour | None = None

    @property
    def harm(self) -> HarmLevel | None:
        """The worst harm to anyone affected; ``None`` when no one is named."""
        if not self.people_affected:
            return None
        return max((person.harm for person in self.people_affected), key=_rank)

    @property
    def is_near_miss(self) -> bool:
        """Whether this is an incident that did not reach the person."""
        return self.event_type is EventType.INCIDENT and not self.reached_person

    @property
    def actuality(self) -> str:
        """The FHIR ``AdverseEvent.actuality``, ``actual`` or ``potential``."""
        return "actual" if self.reached_person else "potential"

    @property
    def occurrence_precision(self) -> OccurrencePrecision:
        """How precisely the occurrence is known."""
        if self.occurred_until is not None:
            return OccurrencePrecision.ESTIMATED_PERIOD
        if isinstance(self.occurred, datetime):
            return OccurrencePrecision.EXACT
        return OccurrencePrecision.DATE_ONLY

    @property
    def occurred_on(self) -> date:
        """The calendar day it happened (the first day of an estimated period)."""
        occurred = self.occurred
        return occurred.date() if isinstance(occurred, datetime) else occurred

    @property
    def categories(self) -> tuple[str, ...]:
        """The primary category followed by the secondary ones."""
        return (self.category, *self.secondary_categories)

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        until = self.occurred_until
        if until is not None:
            if type(until) is not type(self.occurred):
                yield (
                    "occurred_until",
                    until,
                    "must be a date if occurred is a date, a date and time if it is one",
                )
            elif until < self.occurred:
                yield "occurred_until", until, "is before occurred"
        occurred = self.occurred
        # A date alone is a local calendar day: allow a day's slack for zones.
        reported_early = (
            self.reported_at < occurred
            if isinstance(occurred, datetime)
            else self.reported_at.date() < occurred - timedelta(days=1)
        )
        if reported_early:
            yield "reported_at", self.reported_at, "is before the incident occurred"
        if self.category in self.secondary_categories:
            yield (
                "secondary_categories",
                self.secondary_categories,
                "repeat the primary category",
            )
        if not self.reached_person and self.event_type is not EventType.INCIDENT:
            yield (
                "reached_person",
                False,
                "only an incident can be a near miss (not reaching the person)",
            )


def _rank(level: HarmLevel) -> int:
    return level.rank
