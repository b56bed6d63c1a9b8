"""Small builders for hand-made learning loops, for the analysis tests.

Every builder starts from the matching sample record (``samples.incident()``
and so on) and changes only what a test names, so a test reads as the story
it checks. The organisation is the sample one: Oak House (``SVC-OAK``) with
its night team and three staff, plus Elm Court (``SVC-ELM``) with one carer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from incident_learning import samples
from incident_learning.graph import LearningGraph, build_graph
from incident_learning.model import (
    Action,
    ActionKind,
    ActionStatus,
    ContributingFactor,
    EffectivenessReview,
    GovernanceMeeting,
    Incident,
    LearningLog,
    LearningPoint,
    LearningResponse,
    LearningShare,
    Record,
    ReviewVerdict,
    ServiceExposure,
    StatusChange,
    TrainingSession,
)

__all__ = [
    "action",
    "exposures",
    "factor",
    "graph_of",
    "incident",
    "learning_point",
    "log_of",
    "meeting",
    "moment",
    "monthly_incidents",
    "organisation",
    "response",
    "review",
    "share",
    "training",
]

_ORGANISATION = frozenset({"provider", "service", "team", "staff_member"})


def moment(day: date) -> datetime:
    """Return nine in the morning, UTC, on *day*."""
    return datetime.combine(day, time(9), tzinfo=UTC)


def organisation() -> list[Record]:
    """Return the sample provider, Oak House and its staff, and Elm Court."""
    records = [r for r in samples.small_records() if r.record_kind in _ORGANISATION]
    elm = attrs.evolve(samples.service(), id="SVC-ELM", name="Elm Court")
    carer = attrs.evolve(
        samples.staff_member(), id="STAFF-ELM1", service="SVC-ELM", team=None
    )
    return [*records, elm, carer]


def incident(
    record_id: str = "INC-1",
    *,
    day: date = date(2025, 3, 1),
    service: str = "SVC-OAK",
    category: str = "falls",
    **changes: Any,
) -> Incident:
    """Return the sample fall (moderate harm) as *record_id*, on *day* at *service*."""
    return attrs.evolve(
        samples.incident(),
        id=record_id,
        service=service,
        category=category,
        occurred=day,
        reported_at=moment(day),
        **changes,
    )


def response(
    record_id: str, incidents: Iterable[str], *, started_on: date = date(2025, 3, 3)
) -> LearningResponse:
    """Return an after action review of *incidents*."""
    return attrs.evolve(
        samples.learning_response(),
        id=record_id,
        incidents=tuple(incidents),
        started_on=started_on,
        completed_on=None,
    )


def factor(
    record_id: str,
    *,
    incidents: Iterable[str] = (),
    response: str | None = None,
    domain: str = "staffing_and_workload",
) -> ContributingFactor:
    """Return a contributing factor to *incidents*, found by *response* if given."""
    return attrs.evolve(
        samples.contributing_factor(),
        id=record_id,
        incidents=tuple(incidents),
        response=response,
        domain=domain,
    )


def learning_point(
    record_id: str,
    *,
    factors: Iterable[str] = (),
    incidents: Iterable[str] = (),
    responses: Iterable[str] = (),
) -> LearningPoint:
    """Return an organisation-wide learning point drawn from the records named."""
    return attrs.evolve(
        samples.learning_point(),
        id=record_id,
        factors=tuple(factors),
        incidents=tuple(incidents),
        responses=tuple(responses),
    )


def action(  # noqa: PLR0913 - builders name every field a test may change
    record_id: str,
    points: Iterable[str],
    *statuses: tuple[ActionStatus, date],
    kind: ActionKind = ActionKind.STAFFING_CHANGE,
    due: date = date(2025, 4, 30),
    services: Iterable[str] = ("SVC-OAK",),
    measure_by: date | None = None,
    reason: str = "not needed",
) -> Action:
    """Return an action addressing *points*, moved through *statuses* on their days.

    The history is written directly, so a test can start an action at any
    status; a rejection gets *reason*.
    """
    history = tuple(
        StatusChange(
            status=status,
            by="STAFF-RM",
            at=moment(day),
            reason=reason if status is ActionStatus.REJECTED else None,
        )
        for status, day in statuses
    )
    base = samples.action()
    measure = base.effectiveness_measure
    assert measure is not None
    return attrs.evolve(
        base,
        id=record_id,
        learning_points=tuple(points),
        kind=kind,
        due=due,
        services=tuple(services),
        status_history=history,
        effectiveness_measure=(
            None if measure_by is None else attrs.evolve(measure, by=measure_by)
        ),
    )


def training(
    record_id: str,
    *,
    actions: Iterable[str] = (),
    points: Iterable[str] = (),
    held_on: date = date(2025, 3, 20),
    attendees: Iterable[str] = ("STAFF-CW1", "STAFF-CW2"),
) -> TrainingSession:
    """Return a training session at Oak House carrying *actions* and *points*."""
    return attrs.evolve(
        samples.training_session(),
        id=record_id,
        actions=tuple(actions),
        learning_points=tuple(points),
        held_on=held_on,
        attendees=tuple(attendees),
    )


def meeting(  # noqa: PLR0913 - builders name every field a test may change
    record_id: str,
    *,
    held_on: date = date(2025, 3, 28),
    incidents: Iterable[str] = (),
    points: Iterable[str] = (),
    actions: Iterable[str] = (),
    circulated_to: Iterable[str] = (),
) -> GovernanceMeeting:
    """Return an organisation governance meeting reviewing the records named."""
    return attrs.evolve(
        samples.governance_meeting(),
        id=record_id,
        held_on=held_on,
        incidents_reviewed=tuple(incidents),
        learning_points=tuple(points),
        actions=tuple(actions),
        circulated_to=tuple(circulated_to),
    )


def share(  # noqa: PLR0913 - builders name every field a test may change
    record_id: str,
    *,
    actions: Iterable[str] = (),
    points: Iterable[str] = (),
    meeting: str | None = None,
    services: Iterable[str] = ("SVC-ELM",),
    shared_on: date = date(2025, 3, 29),
) -> LearningShare:
    """Return a share to *services*, not (yet) discussed there."""
    return attrs.evolve(
        samples.learning_share(),
        id=record_id,
        actions=tuple(actions),
        learning_points=tuple(points),
        meeting=meeting,
        services=tuple(services),
        shared_on=shared_on,
        discussed_in=None,
        discussed_on=None,
    )


def review(
    record_id: str,
    action_id: str,
    *,
    reviewed_on: date = date(2025, 9, 30),
    verdict: ReviewVerdict = ReviewVerdict.EFFECTIVE,
) -> EffectivenessReview:
    """Return an effectiveness review of *action_id*."""
    return attrs.evolve(
        samples.effectiveness_review(),
        id=record_id,
        action=action_id,
        reviewed_on=reviewed_on,
        verdict=verdict,
    )


def log_of(*records: Record) -> LearningLog:
    """Return a log of the organisation and *records*."""
    return LearningLog([*organisation(), *records])


def graph_of(*records: Record) -> LearningGraph:
    """Return the graph of a log of the organisation and *records*."""
    return build_graph(log_of(*records))


def exposures(
    service: str,
    first: date,
    months: int,
    *,
    bed_days: int | None = 900,
    care_hours: float | None = None,
) -> list[ServiceExposure]:
    """Return *months* monthly exposure records for *service* from the month of *first*."""
    records = []
    for number in range(months):
        start = first.replace(day=1) + relativedelta(months=number)
        end = start + relativedelta(months=1, days=-1)
        records.append(
            ServiceExposure(
                id=f"EXP-{service}-{start:%Y-%m}",
                service=service,
                period_start=start,
                period_end=end,
                occupied_bed_days=bed_days,
                care_hours=care_hours,
                staff_in_post=10,
                recorded_by="STAFF-RM",
                recorded_at=samples.AT,
            )
        )
    return records


def monthly_incidents(
    per_month: Sequence[int],
    *,
    start: date = date(2024, 1, 1),
    service: str = "SVC-OAK",
    category: str = "falls",
) -> list[Incident]:
    """Return *per_month[i]* incidents in month i from *start*, one a day from the 1st.

    Identifiers are ``INC-<service>-<category>-<month>-<n>``, so two calls for
    different services or categories never collide.
    """
    records: list[Incident] = []
    for month, count in enumerate(per_month):
        first = start.replace(day=1) + relativedelta(months=month)
        records.extend(
            incident(
                f"INC-{service}-{category}-{month:02}-{number}",
                day=first + relativedelta(days=number % 28),
                service=service,
                category=category,
            )
            for number in range(count)
        )
    return records
