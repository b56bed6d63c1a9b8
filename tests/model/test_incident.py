"""Tests for incident_learning.model.incident."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import (
    CandourStep,
    CandourStepTaken,
    CqcCriterion,
    CqcNotification,
    CqcRegulation,
    DutyOfCandour,
    EventType,
    HarmLevel,
    Incident,
    OccurrencePrecision,
    PersonAffected,
    PhysicalHarm,
    PsychologicalHarm,
)

OCCURRED = datetime(2025, 3, 1, 2, 40, tzinfo=UTC)


def _person(physical: PhysicalHarm, psychological: PsychologicalHarm) -> PersonAffected:
    return PersonAffected(
        person="P-1", physical_harm=physical, psychological_harm=psychological
    )


class TestHarm:
    """Harm is derived from the people affected, never stored."""

    @pytest.mark.parametrize("physical", list(PhysicalHarm))
    @pytest.mark.parametrize("psychological", list(PsychologicalHarm))
    def test_person_harm_is_the_worse_scale(
        self, physical: PhysicalHarm, psychological: PsychologicalHarm
    ) -> None:
        """A person's harm is the worse of physical and psychological harm."""
        harm = _person(physical, psychological).harm
        assert harm.rank == max(physical.rank, psychological.rank)

    def test_incident_harm_is_the_worst_person(self) -> None:
        """An incident's harm is the worst harm to anyone affected."""
        incident = attrs.evolve(
            samples.incident(),
            people_affected=(
                _person(PhysicalHarm.LOW, PsychologicalHarm.NONE),
                _person(PhysicalHarm.NONE, PsychologicalHarm.SEVERE),
                _person(PhysicalHarm.MODERATE, PsychologicalHarm.LOW),
            ),
        )
        assert incident.harm is HarmLevel.SEVERE

    def test_no_one_affected_means_no_harm_level(self) -> None:
        """With nobody affected the harm is None, not 'none'."""
        assert attrs.evolve(samples.incident(), people_affected=()).harm is None

    def test_default_person_is_unharmed(self) -> None:
        """A person affected defaults to no harm on both scales."""
        assert PersonAffected(person="P-1").harm is HarmLevel.NONE

    def test_a_name_is_not_a_pseudonymous_reference(self) -> None:
        """A person affected is a pseudonymous reference, never a name with spaces."""
        with pytest.raises(
            InvalidRecordError, match="person: 'Mrs Jane Example' is not an identifier"
        ):
            PersonAffected(person="Mrs Jane Example")

    def test_blank_person_is_refused(self) -> None:
        """A person affected needs a non-blank reference."""
        with pytest.raises(
            InvalidRecordError, match="person: '' is not an identifier"
        ) as caught:
            PersonAffected(person="")
        assert caught.value.kind == "person_affected"
        assert caught.value.record_id is None


class TestNearMiss:
    """A near miss is an incident that did not reach the person."""

    def test_incident_not_reaching_is_a_near_miss(self) -> None:
        """reached_person False on an incident makes it a near miss, potential actuality."""
        miss = attrs.evolve(samples.incident(), reached_person=False)
        assert miss.is_near_miss
        assert miss.actuality == "potential"

    def test_reached_incident_is_actual(self) -> None:
        """An incident that reached the person is actual and not a near miss."""
        incident = samples.incident()
        assert not incident.is_near_miss
        assert incident.actuality == "actual"

    @pytest.mark.parametrize(
        "event_type", [EventType.OUTCOME, EventType.RISK, EventType.GOOD_CARE]
    )
    def test_only_incidents_can_be_near_misses(self, event_type: EventType) -> None:
        """Another event type that did not reach the person is refused."""
        with pytest.raises(
            InvalidRecordError, match="reached_person: only an incident"
        ):
            attrs.evolve(
                samples.incident(), event_type=event_type, reached_person=False
            )

    def test_other_event_types_are_never_near_misses(self) -> None:
        """An outcome is not a near miss."""
        assert not attrs.evolve(
            samples.incident(), event_type=EventType.OUTCOME
        ).is_near_miss


class TestOccurrence:
    """Occurrence is exact, a date alone, or an estimated period."""

    def test_exact(self) -> None:
        """An aware datetime with no end is exact."""
        incident = samples.incident()
        assert incident.occurrence_precision is OccurrencePrecision.EXACT
        assert incident.occurred_on == date(2025, 3, 1)

    def test_date_only(self) -> None:
        """A date with no end is date-only."""
        incident = attrs.evolve(samples.incident(), occurred=date(2025, 3, 1))
        assert incident.occurrence_precision is OccurrencePrecision.DATE_ONLY
        assert incident.occurred_on == date(2025, 3, 1)

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (date(2025, 2, 20), date(2025, 3, 1)),
            (OCCURRED - timedelta(hours=5), OCCURRED),
        ],
    )
    def test_estimated_period(
        self, start: datetime | date, end: datetime | date
    ) -> None:
        """An end makes an estimated period; occurred_on is its first day."""
        incident = attrs.evolve(samples.incident(), occurred=start, occurred_until=end)
        assert incident.occurrence_precision is OccurrencePrecision.ESTIMATED_PERIOD
        first_day = start.date() if isinstance(start, datetime) else start
        assert incident.occurred_on == first_day

    @pytest.mark.parametrize(
        ("start", "end"),
        [(date(2025, 3, 1), OCCURRED), (OCCURRED, date(2025, 3, 1))],
    )
    def test_period_ends_must_be_of_one_kind(
        self, start: datetime | date, end: datetime | date
    ) -> None:
        """A date period ends on a date and a timed period at a time."""
        with pytest.raises(
            InvalidRecordError, match="occurred_until: must be a date if"
        ):
            attrs.evolve(samples.incident(), occurred=start, occurred_until=end)

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (date(2025, 3, 1), date(2025, 2, 28)),
            (OCCURRED, OCCURRED - timedelta(seconds=1)),
        ],
    )
    def test_period_must_run_forwards(
        self, start: datetime | date, end: datetime | date
    ) -> None:
        """An end before the start is refused."""
        with pytest.raises(
            InvalidRecordError, match="occurred_until: is before occurred"
        ):
            attrs.evolve(samples.incident(), occurred=start, occurred_until=end)

    def test_reported_before_exact_occurrence_is_refused(self) -> None:
        """A report before the incident happened is refused."""
        with pytest.raises(
            InvalidRecordError, match="reported_at: is before the incident"
        ):
            attrs.evolve(
                samples.incident(), reported_at=OCCURRED - timedelta(minutes=1)
            )

    def test_date_only_allows_a_day_of_slack(self) -> None:
        """A date-only incident may be reported the day before, in another zone's terms."""
        incident = samples.incident()
        day_before = datetime(2025, 2, 28, 23, 30, tzinfo=UTC)
        accepted = attrs.evolve(
            incident, occurred=date(2025, 3, 1), reported_at=day_before
        )
        assert accepted.reported_at == day_before
        with pytest.raises(InvalidRecordError, match="reported_at"):
            attrs.evolve(
                incident,
                occurred=date(2025, 3, 1),
                reported_at=datetime(2025, 2, 27, 23, 0, tzinfo=UTC),
            )

    def test_naive_occurrence_is_refused(self) -> None:
        """A naive occurrence time is refused."""
        with pytest.raises(
            InvalidRecordError, match="occurred: '2025-03-01T02:40:00' has no time zone"
        ):
            attrs.evolve(samples.incident(), occurred=OCCURRED.replace(tzinfo=None))


class TestCategories:
    """The primary category comes first; secondaries do not repeat it."""

    def test_categories_lists_primary_first(self) -> None:
        """categories is the primary followed by the secondaries."""
        incident = attrs.evolve(samples.incident(), secondary_categories=("equipment",))
        assert incident.categories == ("falls", "equipment")

    def test_repeated_primary_is_refused(self) -> None:
        """A secondary category repeating the primary is refused."""
        with pytest.raises(
            InvalidRecordError, match="secondary_categories: repeat the primary"
        ):
            attrs.evolve(samples.incident(), secondary_categories=("falls",))

    def test_every_problem_is_reported(self) -> None:
        """Several broken rules give several problems with fields and values."""
        with pytest.raises(InvalidRecordError) as caught:
            attrs.evolve(
                samples.incident(),
                event_type=EventType.RISK,
                reached_person=False,
                secondary_categories=("falls",),
                reported_at=OCCURRED - timedelta(days=1),
            )
        assert [(p.field, p.value) for p in caught.value.problems] == [
            ("reported_at", OCCURRED - timedelta(days=1)),
            ("secondary_categories", ("falls",)),
            ("reached_person", False),
        ]

    @given(strategies.incidents())
    def test_generated_incidents_are_consistent(self, incident: Incident) -> None:
        """Generated incidents have a harm exactly when someone is affected."""
        assert (incident.harm is None) == (not incident.people_affected)
        assert incident.categories[0] == incident.category


class TestRegulatoryFacts:
    """CQC notifications and the Duty of Candour."""

    def test_notification_regulation_follows_criterion(self) -> None:
        """A notification is made under its criterion's regulation."""
        assert (
            CqcNotification(criterion=CqcCriterion.DEATH).regulation
            is CqcRegulation.REG_16
        )

    def test_outstanding_steps_in_order(self) -> None:
        """Steps not yet done are listed in their usual order."""
        duty = DutyOfCandour(
            applicable=True,
            steps=(
                CandourStepTaken(step=CandourStep.APOLOGY_GIVEN, on=date(2025, 3, 2)),
                CandourStepTaken(step=CandourStep.RECORD_KEPT, on=date(2025, 3, 3)),
            ),
        )
        assert duty.outstanding == (
            CandourStep.NOTIFIED_IN_PERSON,
            CandourStep.SUPPORT_OFFERED,
            CandourStep.WRITTEN_FOLLOW_UP,
        )

    def test_no_steps_outstanding_when_done_or_not_applicable(self) -> None:
        """Nothing is outstanding when every step is done or the duty does not apply."""
        done = tuple(
            CandourStepTaken(step=step, on=date(2025, 3, 2)) for step in CandourStep
        )
        assert DutyOfCandour(applicable=True, steps=done).outstanding == ()
        assert DutyOfCandour(applicable=False).outstanding == ()
        assert DutyOfCandour(applicable=True).outstanding == tuple(CandourStep)

    def test_steps_without_duty_are_refused(self) -> None:
        """Steps recorded when the duty does not apply are refused."""
        step = CandourStepTaken(step=CandourStep.APOLOGY_GIVEN, on=date(2025, 3, 2))
        with pytest.raises(
            InvalidRecordError, match="steps: are recorded although"
        ) as caught:
            DutyOfCandour(applicable=False, steps=(step,))
        assert caught.value.problems[0].value == (step,)

    @given(strategies.duties_of_candour())
    def test_outstanding_never_repeats_a_done_step(self, duty: DutyOfCandour) -> None:
        """Outstanding steps are exactly those not done, when the duty applies."""
        done = {taken.step for taken in duty.steps}
        assert not done & set(duty.outstanding)
        if duty.applicable:
            assert done | set(duty.outstanding) == set(CandourStep)


class TestCandourSteps:
    def test_a_step_recorded_twice_is_refused(self) -> None:
        """Each Duty of Candour step is recorded once, with its date."""
        step = CandourStepTaken(step=CandourStep.APOLOGY_GIVEN, on=date(2025, 3, 2))
        with pytest.raises(
            InvalidRecordError, match="record apology_given more than once"
        ):
            DutyOfCandour(applicable=True, steps=(step, step))
