"""The organisation: provider, services, teams, staff, and per-period exposure."""

from collections.abc import Iterator
from datetime import date

import attrs

from incident_learning.model.base import (
    PersonalData,
    Record,
    personal,
    refers_to,
)
from incident_learning.model.vocab import ServiceType, StaffRole

__all__ = ["Provider", "Service", "ServiceExposure", "StaffMember", "Team"]


@attrs.frozen(kw_only=True)
class Provider(Record):
    """The registered provider whose learning a log holds.

    Attributes:
        name: The provider's registered name.
        cqc_provider_id: CQC's provider identifier, e.g. ``1-101234567``.

    Examples:
        >>> from incident_learning import samples
        >>> samples.provider().name
        'Oakvale Care Group'
    """

    record_kind = "provider"

    name: str
    cqc_provider_id: str | None = None


@attrs.frozen(kw_only=True)
class Service(Record):
    """A service the provider runs: a home, a supported living scheme, a branch.

    Attributes:
        provider: The provider's identifier.
        name: The service's name.
        service_type: What kind of service it is.
        cqc_location_id: CQC's location identifier, if registered as one.

    Examples:
        >>> from incident_learning import samples
        >>> samples.service().service_type
        <ServiceType.RESIDENTIAL_HOME: 'residential_home'>
    """

    record_kind = "service"

    provider: str = attrs.field(metadata=refers_to("provider"))
    name: str
    service_type: ServiceType
    cqc_location_id: str | None = None


@attrs.frozen(kw_only=True)
class Team(Record):
    """A team within a service (a unit, a shift pattern, a locality).

    Examples:
        >>> from incident_learning.model import Team
        >>> from incident_learning import samples
        >>> Team(
        ...     id="TEAM-OAK-DAY",
        ...     service="SVC-OAK",
        ...     name="Day team",
        ...     recorded_by="STAFF-RM",
        ...     recorded_at=samples.AT,
        ... ).name
        'Day team'
    """

    record_kind = "team"

    service: str = attrs.field(metadata=refers_to("service"))
    name: str


@attrs.frozen(kw_only=True)
class StaffMember(Record):
    """A member of staff, known by role; a name is optional personal data.

    Attributes:
        role: The staff member's role.
        service: The service they work at, if one.
        team: Their team, if one.
        display_name: A name, only where the provider wants one kept.
        started_on: First day in post, for staff-in-post counts.
        left_on: Last day in post.

    Examples:
        >>> from incident_learning import samples
        >>> samples.staff_member().role
        <StaffRole.CARE_WORKER: 'care_worker'>
    """

    record_kind = "staff_member"

    role: StaffRole
    service: str | None = attrs.field(default=None, metadata=refers_to("service"))
    team: str | None = attrs.field(default=None, metadata=refers_to("team"))
    display_name: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.STAFF)
    )
    started_on: date | None = None
    left_on: date | None = None

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.started_on and self.left_on and self.left_on < self.started_on:
            yield "left_on", self.left_on, "is before started_on"

    def in_post_on(self, day: date) -> bool:
        """Return whether the staff member was in post on *day*.

        Examples:
            >>> from datetime import date
            >>> from incident_learning import samples
            >>> samples.staff_member().in_post_on(date(2025, 6, 1))
            True
        """
        started = self.started_on is None or self.started_on <= day
        return started and (self.left_on is None or day <= self.left_on)


@attrs.frozen(kw_only=True)
class ServiceExposure(Record):
    """A service's activity and staffing over a period, for rates and coverage.

    Rates need exposure: occupied bed days for bed-based services, hours of
    care delivered for home care and supported living. Coverage needs staff
    in post.

    Attributes:
        service: The service's identifier.
        period_start: First day of the period.
        period_end: Last day of the period (included).
        occupied_bed_days: Occupied bed days in the period, where beds apply.
        care_hours: Hours of care delivered in the period, where they apply.
        staff_in_post: Staff in post (head count) during the period.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.model import ServiceExposure
        >>> from incident_learning import samples
        >>> ServiceExposure(
        ...     id="EXP-OAK-2025-01",
        ...     service="SVC-OAK",
        ...     period_start=date(2025, 1, 1),
        ...     period_end=date(2025, 1, 31),
        ...     occupied_bed_days=1178,
        ...     staff_in_post=42,
        ...     recorded_by="STAFF-RM",
        ...     recorded_at=samples.AT,
        ... ).days
        31
    """

    record_kind = "service_exposure"

    service: str = attrs.field(metadata=refers_to("service"))
    period_start: date
    period_end: date
    occupied_bed_days: int | None = None
    care_hours: float | None = None
    staff_in_post: int

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.period_end - self.period_start).days + 1

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if self.period_end < self.period_start:
            yield "period_end", self.period_end, "is before period_start"
        if self.occupied_bed_days is None and self.care_hours is None:
            yield (
                "occupied_bed_days",
                None,
                "is missing and so is care_hours: exposure needs one of them",
            )
        if self.care_hours is not None and self.care_hours < 0:
            yield "care_hours", self.care_hours, "must not be negative"
