"""Small, fixed example records for docstrings, docs and tests, and the example provider.

The functions named after a record kind return one valid record of that kind,
all linked into one small story at Oak House: a fall at night, reviewed
after action, a staffing factor, a learning point, an action to change the
night rota, and the training, supervision, sharing and review that follow.
:func:`small_log` holds them all.

:func:`example_log` loads the bundled example provider, Oakvale Care Group:
two years of incidents across six services and the three patterns the sector
describes. :func:`generate` scales it for demos and benchmarks.
"""

from datetime import UTC, date, datetime

from incident_learning.model import (
    Action,
    ActionKind,
    ChangeArea,
    CoachingSession,
    ContributingFactor,
    DiscussionSetting,
    EffectivenessMeasure,
    EffectivenessReview,
    GovernanceMeeting,
    Incident,
    LearningLog,
    LearningPoint,
    LearningResponse,
    LearningScope,
    LearningShare,
    MeetingLevel,
    PersonAffected,
    PhysicalHarm,
    Provider,
    PsychologicalHarm,
    Record,
    ReflectivePracticeSession,
    ResponseMethod,
    ReviewVerdict,
    Service,
    ServiceChange,
    ServiceExposure,
    ServiceType,
    StaffConfidenceCheck,
    StaffMember,
    StaffRole,
    SupervisionSession,
    Team,
    TrainingSession,
)
from incident_learning.samples.example import example_log, example_records
from incident_learning.samples.generator import generate

__all__ = [
    "AT",
    "action",
    "coaching_session",
    "contributing_factor",
    "effectiveness_review",
    "example_log",
    "example_records",
    "generate",
    "governance_meeting",
    "incident",
    "learning_point",
    "learning_response",
    "learning_share",
    "provider",
    "reflective_practice_session",
    "service",
    "service_change",
    "service_exposure",
    "small_log",
    "small_records",
    "staff_confidence_check",
    "staff_member",
    "supervision_session",
    "team",
    "training_session",
]

AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
"""A fixed moment used as every sample's recording time."""


def provider() -> Provider:
    """Return the sample provider, Oakvale Care Group."""
    return Provider(
        id="PRV-OAKVALE",
        name="Oakvale Care Group",
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def service() -> Service:
    """Return the sample service, Oak House, a residential home."""
    return Service(
        id="SVC-OAK",
        provider="PRV-OAKVALE",
        name="Oak House",
        service_type=ServiceType.RESIDENTIAL_HOME,
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def team() -> Team:
    """Return the sample night team at Oak House."""
    return Team(
        id="TEAM-OAK-NIGHT",
        service="SVC-OAK",
        name="Night team",
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def service_exposure() -> ServiceExposure:
    """Return Oak House's occupied bed days and staff in post for March 2025."""
    return ServiceExposure(
        id="EXP-OAK-2025-03",
        service="SVC-OAK",
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        occupied_bed_days=1178,
        staff_in_post=42,
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def staff_member() -> StaffMember:
    """Return a sample care worker at Oak House."""
    return StaffMember(
        id="STAFF-CW1",
        role=StaffRole.CARE_WORKER,
        service="SVC-OAK",
        team="TEAM-OAK-NIGHT",
        started_on=date(2023, 5, 1),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def _staff() -> tuple[StaffMember, ...]:
    return (
        staff_member(),
        StaffMember(
            id="STAFF-CW2",
            role=StaffRole.CARE_WORKER,
            service="SVC-OAK",
            recorded_by="STAFF-RM",
            recorded_at=AT,
        ),
        StaffMember(
            id="STAFF-RM",
            role=StaffRole.REGISTERED_MANAGER,
            service="SVC-OAK",
            recorded_by="STAFF-RM",
            recorded_at=AT,
        ),
    )


def incident() -> Incident:
    """Return a sample fall at night with moderate physical harm."""
    return Incident(
        id="INC-0001",
        service="SVC-OAK",
        category="falls",
        occurred=datetime(2025, 3, 1, 2, 40, tzinfo=UTC),
        reported_at=datetime(2025, 3, 1, 3, 5, tzinfo=UTC),
        reported_by="STAFF-CW1",
        people_affected=(
            PersonAffected(
                person="P-0017",
                physical_harm=PhysicalHarm.MODERATE,
                psychological_harm=PsychologicalHarm.LOW,
            ),
        ),
        staff_involved=("STAFF-CW1",),
        description="Found on the floor of her room at 02:40; hip pain.",
        immediate_actions="First aid, paramedics called, family informed.",
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def learning_response() -> LearningResponse:
    """Return a sample after action review of the fall."""
    return LearningResponse(
        id="LR-0001",
        method=ResponseMethod.AFTER_ACTION_REVIEW,
        incidents=("INC-0001",),
        started_on=date(2025, 3, 3),
        completed_on=date(2025, 3, 3),
        lead="STAFF-RM",
        participants=("STAFF-CW1", "STAFF-CW2"),
        findings="One carer covered two floors at night; checks were missed.",
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def contributing_factor() -> ContributingFactor:
    """Return a sample staffing factor found by the review."""
    return ContributingFactor(
        id="CF-0001",
        domain="staffing_and_workload",
        description="One carer covering two floors between 01:00 and 04:00.",
        response="LR-0001",
        incidents=("INC-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def learning_point() -> LearningPoint:
    """Return a sample organisation-wide learning point."""
    return LearningPoint(
        id="LP-0001",
        statement="Night checks slip when one carer covers two floors.",
        factors=("CF-0001",),
        scope=LearningScope.ORGANISATION,
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def action() -> Action:
    """Return a sample proposed action: change the night rota."""
    return Action(
        id="ACT-0001",
        description="Roster a second waking night carer on the upper floor.",
        learning_points=("LP-0001",),
        owner="STAFF-RM",
        due=date(2025, 4, 30),
        kind=ActionKind.STAFFING_CHANGE,
        services=("SVC-OAK",),
        effectiveness_measure=EffectivenessMeasure(
            measure="Night-time falls per month",
            target="Below the pre-change mean for three months",
            by=date(2025, 9, 30),
            measured_by="STAFF-RM",
        ),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def training_session() -> TrainingSession:
    """Return a sample training session on night checks."""
    return TrainingSession(
        id="TRN-0001",
        topic="Night checks and falls prevention",
        held_on=date(2025, 3, 20),
        service="SVC-OAK",
        attendees=("STAFF-CW1", "STAFF-CW2"),
        actions=("ACT-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def supervision_session() -> SupervisionSession:
    """Return a sample reflective supervision discussing the learning."""
    return SupervisionSession(
        id="SUP-0001",
        supervisee="STAFF-CW1",
        supervisor="STAFF-RM",
        held_on=date(2025, 3, 12),
        reflective=True,
        learning_points=("LP-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def reflective_practice_session() -> ReflectivePracticeSession:
    """Return a sample reflective practice session."""
    return ReflectivePracticeSession(
        id="RPS-0001",
        facilitator="STAFF-RM",
        attendees=("STAFF-CW1", "STAFF-CW2"),
        held_on=date(2025, 3, 26),
        service="SVC-OAK",
        learning_points=("LP-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def coaching_session() -> CoachingSession:
    """Return a sample coaching session on a night shift."""
    return CoachingSession(
        id="COA-0001",
        coach="STAFF-RM",
        coachees=("STAFF-CW1",),
        held_on=date(2025, 3, 14),
        topic="Prioritising checks on a busy night",
        actions=("ACT-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def service_change() -> ServiceChange:
    """Return a sample rota change at Oak House."""
    return ServiceChange(
        id="CHG-0001",
        area=ChangeArea.ROTA,
        description="Second waking night carer on the upper floor.",
        services=("SVC-OAK",),
        effective_from=date(2025, 4, 1),
        actions=("ACT-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def governance_meeting() -> GovernanceMeeting:
    """Return a sample quarterly governance meeting that reviewed the fall."""
    return GovernanceMeeting(
        id="GOV-0001",
        level=MeetingLevel.ORGANISATION,
        held_on=date(2025, 3, 28),
        incidents_reviewed=("INC-0001",),
        learning_points=("LP-0001",),
        actions=("ACT-0001",),
        circulated_to=("SVC-OAK",),
        attendees=("STAFF-RM",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def learning_share() -> LearningShare:
    """Return a sample share of the learning to Oak House's team meeting."""
    return LearningShare(
        id="SHR-0001",
        services=("SVC-OAK",),
        shared_by="STAFF-RM",
        shared_on=date(2025, 3, 29),
        discussed_in=DiscussionSetting.TEAM_MEETING,
        discussed_on=date(2025, 4, 2),
        meeting="GOV-0001",
        learning_points=("LP-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def effectiveness_review() -> EffectivenessReview:
    """Return a sample review finding the rota change effective."""
    return EffectivenessReview(
        id="REV-0001",
        action="ACT-0001",
        reviewed_on=date(2025, 9, 30),
        reviewer="STAFF-RM",
        verdict=ReviewVerdict.EFFECTIVE,
        evidence="Night falls fell from 4.2 to 1.5 a month.",
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def staff_confidence_check() -> StaffConfidenceCheck:
    """Return a sample confidence check before the coaching."""
    return StaffConfidenceCheck(
        id="SCC-0001",
        service="SVC-OAK",
        topic="Prioritising night checks",
        checked_on=date(2025, 3, 10),
        scores=(2, 3, 2, 3),
        actions=("ACT-0001",),
        recorded_by="STAFF-RM",
        recorded_at=AT,
    )


def small_records() -> tuple[Record, ...]:
    """Return one record of every kind, linked into one story."""
    return (
        provider(),
        service(),
        team(),
        service_exposure(),
        *_staff(),
        incident(),
        learning_response(),
        contributing_factor(),
        learning_point(),
        action(),
        training_session(),
        supervision_session(),
        reflective_practice_session(),
        coaching_session(),
        service_change(),
        governance_meeting(),
        learning_share(),
        effectiveness_review(),
        staff_confidence_check(),
    )


def small_log() -> LearningLog:
    """Return a log holding :func:`small_records`.

    Examples:
        >>> from incident_learning import samples
        >>> len(samples.small_log())
        21
    """
    return LearningLog(small_records())
