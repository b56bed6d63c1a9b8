"""Tests for incident_learning.model.organisation."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import ServiceExposure, StaffMember, StaffRole, Team


class TestStaffMember:
    """A member of staff and their time in post."""

    def test_left_before_started_is_refused(self) -> None:
        """left_on before started_on is refused on left_on."""
        with pytest.raises(
            InvalidRecordError, match="left_on: is before started_on"
        ) as caught:
            attrs.evolve(samples.staff_member(), left_on=date(2020, 1, 1))
        assert caught.value.problems[0].value == date(2020, 1, 1)

    @pytest.mark.parametrize(
        ("started", "left", "day", "in_post"),
        [
            (None, None, date(2000, 1, 1), True),
            (date(2025, 1, 1), None, date(2024, 12, 31), False),
            (date(2025, 1, 1), None, date(2025, 1, 1), True),
            (None, date(2025, 1, 1), date(2025, 1, 1), True),
            (None, date(2025, 1, 1), date(2025, 1, 2), False),
        ],
    )
    def test_in_post_on(
        self, started: date | None, left: date | None, day: date, *, in_post: bool
    ) -> None:
        """A member is in post from the first to the last day, both included."""
        member = StaffMember(
            id="S-1",
            role=StaffRole.NURSE,
            started_on=started,
            left_on=left,
            recorded_by="R",
            recorded_at=samples.AT,
        )
        assert member.in_post_on(day) is in_post

    @given(strategies.staff_members())
    def test_generated_staff_are_valid(self, member: StaffMember) -> None:
        """Generated staff members satisfy their invariants."""
        assert attrs.evolve(member) == member


class TestServiceExposure:
    """Exposure needs bed days or care hours over a forward period."""

    def test_days_counts_both_ends(self) -> None:
        """A month from the 1st to the 31st is 31 days."""
        assert samples.service_exposure().days == 31

    def test_needs_bed_days_or_hours(self) -> None:
        """Without bed days or care hours there is no exposure."""
        with pytest.raises(
            InvalidRecordError,
            match="occupied_bed_days: is missing and so is care_hours",
        ):
            attrs.evolve(samples.service_exposure(), occupied_bed_days=None)

    def test_period_must_run_forwards(self) -> None:
        """period_end before period_start is refused."""
        with pytest.raises(
            InvalidRecordError, match="period_end: is before period_start"
        ):
            attrs.evolve(samples.service_exposure(), period_end=date(2025, 2, 1))

    def test_negative_care_hours_are_refused(self) -> None:
        """Care hours must not be negative."""
        with pytest.raises(
            InvalidRecordError, match="care_hours: must not be negative"
        ):
            attrs.evolve(samples.service_exposure(), care_hours=-1.0)

    def test_care_hours_alone_are_enough(self) -> None:
        """Care hours alone are exposure enough."""
        exposure = attrs.evolve(
            samples.service_exposure(), occupied_bed_days=None, care_hours=0.0
        )
        assert exposure.care_hours == 0.0

    def test_all_problems_at_once(self) -> None:
        """Every broken rule is reported in one error."""
        with pytest.raises(InvalidRecordError) as caught:
            ServiceExposure(
                id="E-1",
                service="S",
                period_start=date(2025, 2, 1),
                period_end=date(2025, 1, 1),
                care_hours=-2.5,
                staff_in_post=1,
                recorded_by="R",
                recorded_at=samples.AT,
            )
        assert [p.field for p in caught.value.problems] == ["period_end", "care_hours"]

    def test_bed_days_must_be_a_count(self) -> None:
        """Negative bed days are refused by type."""
        with pytest.raises(InvalidRecordError, match="occupied_bed_days"):
            attrs.evolve(samples.service_exposure(), occupied_bed_days=-1)


class TestSmallRecords:
    """Providers, services and teams."""

    def test_samples_are_valid(self) -> None:
        """The sample provider, service and team hold their fields."""
        assert samples.provider().name == "Oakvale Care Group"
        assert samples.service().provider == "PRV-OAKVALE"
        assert samples.team().service == "SVC-OAK"

    def test_team_needs_a_service_reference(self) -> None:
        """A team's service must be an identifier."""
        with pytest.raises(
            InvalidRecordError, match="service: 'Oak House' is not an identifier"
        ):
            Team(
                id="T",
                service="Oak House",
                name="N",
                recorded_by="R",
                recorded_at=samples.AT,
            )
