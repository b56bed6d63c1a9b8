"""Hypothesis strategies: one per record type and value object, and whole logs.

Every strategy generates *valid* data only: aware datetimes, identifiers that
match :data:`~incident_learning.model.base.ID_PATTERN`, legal action
histories, and logs whose references all resolve. Invalid data is tested by
hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final, TypedDict, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import settings
from hypothesis import strategies as st

from incident_learning.model import (
    TRANSITIONS,
    Action,
    ActionKind,
    ActionStatus,
    ActionStrength,
    CandourStep,
    CandourStepTaken,
    ChangeArea,
    CoachingSession,
    ContributingFactor,
    CqcCriterion,
    CqcNotification,
    DiscussionSetting,
    DutyOfCandour,
    EffectivenessMeasure,
    EffectivenessReview,
    EventType,
    FactorFramework,
    GovernanceMeeting,
    Incident,
    LearningLog,
    LearningPoint,
    LearningResponse,
    LearningScope,
    LearningShare,
    LocalCode,
    Measurement,
    MeetingLevel,
    PersonAffected,
    PhysicalHarm,
    Provider,
    PsychologicalHarm,
    Record,
    ReflectivePracticeSession,
    ResponseMethod,
    ReviewVerdict,
    RiddorReport,
    SafeguardingReferral,
    Service,
    ServiceChange,
    ServiceExposure,
    ServiceType,
    StaffConfidenceCheck,
    StaffMember,
    StaffRole,
    StatusChange,
    SupervisionSession,
    Team,
    TrainingSession,
    factor_vocabulary,
)
from incident_learning.model.base import ID_PATTERN
from incident_learning.model.codes import INCIDENT_CATEGORIES

T = TypeVar("T")

LONDON = ZoneInfo("Europe/London")

ZONES: tuple[tzinfo, ...] = (
    UTC,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=8)),
    timezone(timedelta(hours=14)),
    LONDON,
)
"""Zones the datetimes are drawn in: UTC, fixed offsets either side, London."""

_MIN_DAY = date(1990, 1, 1)
_MAX_DAY = date(2090, 12, 31)


LOG_EXAMPLES: Final = 50
"""The most examples a property over whole logs draws under any profile.

Each example is a log of dozens of records of every kind, so 50 cover the
kinds and their links many times over; more only lengthens the suite,
which must stay under ten minutes on two cores.
"""


def log_settings(**options: Any) -> settings:
    """Return settings for a property over whole logs: the profile's, capped at :data:`LOG_EXAMPLES`."""
    examples = min(settings().max_examples, LOG_EXAMPLES)
    return settings(max_examples=examples, **options)


def evolve_unchecked(record: T, **changes: object) -> T:
    """Return ``attrs.evolve(record, **changes)`` without static type checks.

    Tests of bad input pass values of the wrong type on purpose.
    """
    evolve: Any = attrs.evolve
    result: T = evolve(record, **changes)
    return result


def ids() -> st.SearchStrategy[str]:
    """Any identifier the model accepts."""
    return st.from_regex(ID_PATTERN, fullmatch=True)


def _short_ids() -> st.SearchStrategy[str]:
    return st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/\-]{0,12}", fullmatch=True)


LINE_BREAKERS = "\x85\u2028\u2029"
"""Characters ``str.splitlines`` breaks on that JSON writes unescaped.

Text may hold them; drawn often so that a JSON Lines reader splitting on
them would be caught.
"""

_CHARACTERS = st.characters(exclude_categories=["Cs"]) | st.sampled_from(LINE_BREAKERS)


def texts() -> st.SearchStrategy[str]:
    """Non-blank text, unicode included."""
    return st.text(_CHARACTERS, min_size=1, max_size=40).filter(
        lambda text: bool(text.strip())
    )


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """Either ``None`` or a value of *strategy*."""
    return st.none() | strategy


def dates(
    min_value: date = _MIN_DAY, max_value: date = _MAX_DAY
) -> st.SearchStrategy[date]:
    """Calendar dates in a realistic range."""
    return st.dates(min_value=min_value, max_value=max_value)


def _unambiguous(moment: datetime) -> bool:
    # A wall time in the autumn fold never compares equal across zones
    # (PEP 495), so a London time there could not survive a round trip
    # through a fixed offset; see the report on serialization.
    return moment.replace(fold=0).utcoffset() == moment.replace(fold=1).utcoffset()


def aware_datetimes(
    min_value: datetime = datetime(1990, 1, 1),  # noqa: DTZ001 - hypothesis bound
    max_value: datetime = datetime(2090, 12, 31),  # noqa: DTZ001 - hypothesis bound
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in UTC, fixed offsets and Europe/London."""
    return st.datetimes(
        min_value=min_value,
        max_value=max_value,
        timezones=st.sampled_from(ZONES),
        allow_imaginary=False,
    ).filter(_unambiguous)


def _later(draw: st.DrawFn, moment: datetime, max_days: int = 30) -> datetime:
    delta = draw(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=max_days))
    )
    zone = draw(st.sampled_from(ZONES))
    later = (moment + delta).astimezone(zone)
    return later if _unambiguous(later) else later.astimezone(UTC)


class _Meta(TypedDict):
    recorded_by: str
    recorded_at: datetime


class _Carried(TypedDict):
    actions: tuple[str, ...]
    learning_points: tuple[str, ...]


def _meta(draw: st.DrawFn) -> _Meta:
    return {
        "recorded_by": draw(texts()),
        "recorded_at": draw(aware_datetimes()),
    }


def _subset(draw: st.DrawFn, pool: Sequence[str], min_size: int = 0) -> tuple[str, ...]:
    if not pool:
        return ()
    return tuple(
        draw(
            st.lists(st.sampled_from(pool), min_size=min_size, max_size=3, unique=True)
        )
    )


def _one(draw: st.DrawFn, pool: Sequence[str] | None) -> str:
    return draw(ids() if pool is None else st.sampled_from(pool))


def _maybe(draw: st.DrawFn, pool: Sequence[str] | None) -> str | None:
    if pool is not None and not pool:
        return None
    return draw(optional(ids() if pool is None else st.sampled_from(pool)))


def _many(
    draw: st.DrawFn, pool: Sequence[str] | None, min_size: int = 0
) -> tuple[str, ...]:
    if pool is None:
        return tuple(draw(st.lists(ids(), min_size=min_size, max_size=3)))
    return _subset(draw, pool, min_size)


@attrs.frozen(kw_only=True)
class Pools:
    """Identifiers a record may refer to, by kind; ``None`` means any identifier."""

    services: Sequence[str] | None = None
    teams: Sequence[str] | None = None
    staff: Sequence[str] | None = None
    incidents: Sequence[str] | None = None
    responses: Sequence[str] | None = None
    factors: Sequence[str] | None = None
    points: Sequence[str] | None = None
    actions: Sequence[str] | None = None
    meetings: Sequence[str] | None = None
    categories: Sequence[str] = INCIDENT_CATEGORIES.codes
    local: Sequence[LocalCode] = ()


ANY = Pools()
"""Pools that let a record refer to any identifier at all."""


# --- value objects -----------------------------------------------------------


@st.composite
def people_affected(draw: st.DrawFn) -> PersonAffected:
    """A person affected with any pair of harm levels."""
    return PersonAffected(
        person=draw(ids()),
        physical_harm=draw(st.sampled_from(PhysicalHarm)),
        psychological_harm=draw(st.sampled_from(PsychologicalHarm)),
    )


@st.composite
def cqc_notifications(draw: st.DrawFn) -> CqcNotification:
    """A CQC notification, notified or still due."""
    return CqcNotification(
        criterion=draw(st.sampled_from(CqcCriterion)),
        notified_on=draw(optional(dates())),
    )


@st.composite
def safeguarding_referrals(draw: st.DrawFn) -> SafeguardingReferral:
    """A safeguarding referral, with or without a reference."""
    return SafeguardingReferral(
        referred_on=draw(dates()),
        local_authority=draw(texts()),
        reference=draw(optional(texts())),
    )


@st.composite
def riddor_reports(draw: st.DrawFn) -> RiddorReport:
    """A RIDDOR report, made or still due."""
    return RiddorReport(
        reported_on=draw(optional(dates())), reference=draw(optional(texts()))
    )


@st.composite
def candour_steps(draw: st.DrawFn) -> CandourStepTaken:
    """One Duty of Candour step done on a date."""
    return CandourStepTaken(step=draw(st.sampled_from(CandourStep)), on=draw(dates()))


@st.composite
def duties_of_candour(draw: st.DrawFn) -> DutyOfCandour:
    """A Duty of Candour: not applicable, or applicable with some steps done."""
    applicable = draw(st.booleans())
    steps = (
        tuple(
            draw(
                st.lists(
                    candour_steps(), max_size=5, unique_by=lambda taken: taken.step
                )
            )
        )
        if applicable
        else ()
    )
    return DutyOfCandour(applicable=applicable, steps=steps)


@st.composite
def status_changes(draw: st.DrawFn, status: ActionStatus | None = None) -> StatusChange:
    """One status change; a rejection always carries a reason."""
    status = draw(st.sampled_from(ActionStatus)) if status is None else status
    reason = draw(texts() if status is ActionStatus.REJECTED else optional(texts()))
    return StatusChange(
        status=status, by=draw(texts()), at=draw(aware_datetimes()), reason=reason
    )


@st.composite
def status_histories(draw: st.DrawFn) -> tuple[StatusChange, ...]:
    """A legal action history: any first status, then moves allowed by TRANSITIONS."""
    length = draw(st.integers(0, 4))
    history: list[StatusChange] = []
    for _ in range(length):
        if history:
            allowed = sorted(TRANSITIONS[history[-1].status])
            if not allowed:
                break
            change = draw(status_changes(draw(st.sampled_from(allowed))))
            change = attrs.evolve(change, at=_later(draw, history[-1].at))
        else:
            change = draw(status_changes())
        history.append(change)
    return tuple(history)


@st.composite
def effectiveness_measures(
    draw: st.DrawFn, pools: Pools | None = None
) -> EffectivenessMeasure:
    """How an action's effect will be judged."""
    return EffectivenessMeasure(
        measure=draw(texts()),
        target=draw(texts()),
        by=draw(dates()),
        measured_by=_one(draw, (pools or ANY).staff),
    )


@st.composite
def measurements(draw: st.DrawFn) -> Measurement:
    """A measured value: any finite float, negative and large ones too.

    Floats only: an int in a float field is read back as a float, so the
    second dump would write ``5.0`` where the first wrote ``5`` (reported).
    """
    value = draw(
        st.floats(allow_nan=False, allow_infinity=False)
        | st.sampled_from([0.0, -0.0, -1e300, 1e300, 5e-324, -7.5])
    )
    start = draw(optional(dates()))
    end = None if start is None else draw(optional(dates(min_value=start)))
    return Measurement(
        name=draw(texts()),
        value=value,
        unit=draw(optional(texts())),
        period_start=start,
        period_end=end,
    )


@st.composite
def local_codes(draw: st.DrawFn, vocabulary: str | None = None) -> LocalCode:
    """A local code for a built-in vocabulary, nearest a built-in code."""
    if vocabulary is None:
        vocabulary = draw(
            st.sampled_from(
                [INCIDENT_CATEGORIES.name]
                + [factor_vocabulary(framework).name for framework in FactorFramework]
            )
        )
    from incident_learning.model.codes import BUILT_IN_VOCABULARIES  # noqa: PLC0415

    built_in = BUILT_IN_VOCABULARIES[vocabulary]
    code = draw(
        st.from_regex(r"local_[a-z_]{1,12}", fullmatch=True).filter(
            lambda candidate: candidate not in built_in
        )
    )
    return LocalCode(
        vocabulary=vocabulary,
        code=code,
        display=draw(texts()),
        nearest=draw(st.sampled_from(built_in.codes)),
    )


# --- records -------------------------------------------------------------------


@st.composite
def providers(draw: st.DrawFn, record_id: str | None = None) -> Provider:
    """A provider."""
    return Provider(
        id=record_id or draw(ids()),
        name=draw(texts()),
        cqc_provider_id=draw(optional(texts())),
        **_meta(draw),
    )


@st.composite
def services(
    draw: st.DrawFn, record_id: str | None = None, provider: str | None = None
) -> Service:
    """A service of a provider."""
    return Service(
        id=record_id or draw(ids()),
        provider=provider or draw(ids()),
        name=draw(texts()),
        service_type=draw(st.sampled_from(ServiceType)),
        cqc_location_id=draw(optional(texts())),
        **_meta(draw),
    )


@st.composite
def teams(draw: st.DrawFn, record_id: str | None = None, pools: Pools = ANY) -> Team:
    """A team within a service."""
    return Team(
        id=record_id or draw(ids()),
        service=_one(draw, pools.services),
        name=draw(texts()),
        **_meta(draw),
    )


@st.composite
def staff_members(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> StaffMember:
    """A member of staff, with or without service, team, name and dates in post."""
    started = draw(optional(dates()))
    left = draw(optional(dates(min_value=started or _MIN_DAY)))
    return StaffMember(
        id=record_id or draw(ids()),
        role=draw(st.sampled_from(StaffRole)),
        service=_maybe(draw, pools.services),
        team=_maybe(draw, pools.teams),
        display_name=draw(optional(texts())),
        started_on=started,
        left_on=left,
        **_meta(draw),
    )


@st.composite
def service_exposures(
    draw: st.DrawFn, record_id: str | None = None, pools: Pools = ANY
) -> ServiceExposure:
    """A service's exposure over a period: bed days, care hours or both."""
    start = draw(dates())
    bed_days = draw(optional(st.integers(0, 10**6)))
    hours = draw(
        st.floats(min_value=0, max_value=1e9, allow_nan=False)
        if bed_days is None
        else optional(st.floats(min_value=0, max_value=1e9, allow_nan=False))
    )
    return ServiceExposure(
        id=record_id or draw(ids()),
        service=_one(draw, pools.services),
        period_start=start,
        period_end=draw(dates(min_value=start)),
        occupied_bed_days=bed_days,
        care_hours=hours,
        staff_in_post=draw(st.integers(0, 10_000)),
        **_meta(draw),
    )


@st.composite
def incidents(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> Incident:
    """An incident of any event type, exact, date-only or over an estimated period."""
    precision = draw(st.sampled_from(["exact", "date_only", "period"]))
    occurred: datetime | date
    until: datetime | date | None = None
    if precision == "date_only" or (precision == "period" and draw(st.booleans())):
        occurred = draw(dates())
        if precision == "period":
            until = draw(
                dates(min_value=occurred, max_value=occurred + timedelta(days=60))
            )
        reported_at = draw(
            aware_datetimes(
                min_value=datetime.combine(occurred, datetime.min.time()),
                max_value=datetime.combine(
                    occurred + timedelta(days=90), datetime.min.time()
                ),
            )
        )
    else:
        occurred = draw(aware_datetimes())
        if precision == "period":
            until = _later(draw, occurred)
        reported_at = _later(draw, occurred)
    event_type = draw(st.sampled_from(EventType))
    categories = pools.categories
    primary = draw(st.sampled_from(categories))
    secondary = _subset(draw, [code for code in categories if code != primary])
    return Incident(
        id=record_id or draw(ids()),
        service=_one(draw, pools.services),
        event_type=event_type,
        reached_person=draw(st.booleans())
        if event_type is EventType.INCIDENT
        else True,
        category=primary,
        secondary_categories=secondary,
        occurred=occurred,
        occurred_until=until,
        reported_at=reported_at,
        reported_by=_maybe(draw, pools.staff),
        people_affected=tuple(draw(st.lists(people_affected(), max_size=3))),
        staff_involved=_many(draw, pools.staff),
        description=draw(texts()),
        immediate_actions=draw(optional(texts())),
        cqc_notification=draw(optional(cqc_notifications())),
        safeguarding_referral=draw(optional(safeguarding_referrals())),
        riddor_report=draw(optional(riddor_reports())),
        police_involved=draw(st.booleans()),
        duty_of_candour=draw(optional(duties_of_candour())),
        **_meta(draw),
    )


@st.composite
def learning_responses(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> LearningResponse:
    """A learning response into one or more incidents."""
    start = draw(dates())
    return LearningResponse(
        id=record_id or draw(ids()),
        method=draw(st.sampled_from(ResponseMethod)),
        incidents=_many(draw, pools.incidents, min_size=1),
        started_on=start,
        completed_on=draw(optional(dates(min_value=start))),
        lead=_maybe(draw, pools.staff),
        participants=_many(draw, pools.staff),
        findings=draw(optional(texts())),
        **_meta(draw),
    )


@st.composite
def contributing_factors(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> ContributingFactor:
    """A contributing factor in any framework, found by a response or in incidents."""
    framework = draw(st.sampled_from(FactorFramework))
    vocabulary = factor_vocabulary(framework)
    codes = list(vocabulary.codes) + [
        code.code for code in pools.local if code.vocabulary == vocabulary.name
    ]
    response = _maybe(draw, pools.responses)
    found_in = _many(draw, pools.incidents, min_size=0 if response else 1)
    return ContributingFactor(
        id=record_id or draw(ids()),
        framework=framework,
        domain=draw(st.sampled_from(codes)),
        description=draw(texts()),
        response=response,
        incidents=found_in,
        **_meta(draw),
    )


@st.composite
def learning_points(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> LearningPoint:
    """A learning point derived from factors, incidents or responses."""
    factors = _many(draw, pools.factors)
    responses = _many(draw, pools.responses)
    found_in = _many(draw, pools.incidents, min_size=0 if factors or responses else 1)
    scope = draw(st.sampled_from(LearningScope))
    service = _maybe(draw, pools.services)
    if scope is LearningScope.SERVICE and service is None:
        service = _one(draw, pools.services)
    return LearningPoint(
        id=record_id or draw(ids()),
        statement=draw(texts()),
        factors=factors,
        incidents=found_in,
        responses=responses,
        scope=scope,
        service=service,
        **_meta(draw),
    )


@st.composite
def actions(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> Action:
    """An action at any point of a legal lifecycle, strength overridden or not."""
    override = draw(optional(st.sampled_from(ActionStrength)))
    return Action(
        id=record_id or draw(ids()),
        description=draw(texts()),
        learning_points=_many(draw, pools.points, min_size=1),
        owner=_one(draw, pools.staff),
        due=draw(dates()),
        kind=draw(st.sampled_from(ActionKind)),
        services=_many(draw, pools.services),
        strength_override=override,
        strength_override_reason=None if override is None else draw(texts()),
        effectiveness_measure=draw(optional(effectiveness_measures(pools))),
        status_history=draw(status_histories()),
        **_meta(draw),
    )


def _carried(draw: st.DrawFn, pools: Pools) -> _Carried:
    carried = _many(draw, pools.actions)
    points = _many(draw, pools.points, min_size=0 if carried else 1)
    return {"actions": carried, "learning_points": points}


@st.composite
def training_sessions(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> TrainingSession:
    """A training session carrying actions or learning points."""
    return TrainingSession(
        id=record_id or draw(ids()),
        topic=draw(texts()),
        held_on=draw(dates()),
        service=_maybe(draw, pools.services),
        trainer=_maybe(draw, pools.staff),
        attendees=_many(draw, pools.staff),
        **_carried(draw, pools),
        **_meta(draw),
    )


@st.composite
def supervision_sessions(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> SupervisionSession:
    """A supervision between two different members of staff."""
    staff = pools.staff
    if staff is None:
        pair = draw(st.lists(ids(), min_size=2, max_size=2, unique=True))
    else:
        pair = draw(
            st.lists(st.sampled_from(staff), min_size=2, max_size=2, unique=True)
        )
    return SupervisionSession(
        id=record_id or draw(ids()),
        supervisee=pair[0],
        supervisor=pair[1],
        held_on=draw(dates()),
        reflective=draw(st.booleans()),
        notes=draw(optional(texts())),
        **_carried(draw, pools),
        **_meta(draw),
    )


@st.composite
def reflective_practice_sessions(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> ReflectivePracticeSession:
    """A reflective practice session."""
    return ReflectivePracticeSession(
        id=record_id or draw(ids()),
        facilitator=_one(draw, pools.staff),
        attendees=_many(draw, pools.staff),
        held_on=draw(dates()),
        service=_maybe(draw, pools.services),
        topic=draw(optional(texts())),
        **_carried(draw, pools),
        **_meta(draw),
    )


@st.composite
def coaching_sessions(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> CoachingSession:
    """A coaching session with one or more coachees."""
    return CoachingSession(
        id=record_id or draw(ids()),
        coach=_one(draw, pools.staff),
        coachees=_many(draw, pools.staff, min_size=1),
        held_on=draw(dates()),
        topic=draw(optional(texts())),
        **_carried(draw, pools),
        **_meta(draw),
    )


@st.composite
def service_changes(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> ServiceChange:
    """A change to one or more services."""
    return ServiceChange(
        id=record_id or draw(ids()),
        area=draw(st.sampled_from(ChangeArea)),
        description=draw(texts()),
        services=_many(draw, pools.services, min_size=1),
        effective_from=draw(dates()),
        **_carried(draw, pools),
        **_meta(draw),
    )


@st.composite
def governance_meetings(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> GovernanceMeeting:
    """A governance meeting at any level; a service-level one names its service."""
    level = draw(st.sampled_from(MeetingLevel))
    service = _maybe(draw, pools.services)
    if level is MeetingLevel.SERVICE and service is None:
        service = _one(draw, pools.services)
    return GovernanceMeeting(
        id=record_id or draw(ids()),
        level=level,
        held_on=draw(dates()),
        service=service,
        incidents_reviewed=_many(draw, pools.incidents),
        learning_points=_many(draw, pools.points),
        actions=_many(draw, pools.actions),
        circulated_to=_many(draw, pools.services),
        attendees=_many(draw, pools.staff),
        minutes=draw(optional(texts())),
        **_meta(draw),
    )


@st.composite
def learning_shares(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> LearningShare:
    """Learning shared to services or teams, discussed or not."""
    team_list = _many(draw, pools.teams)
    shared_on = draw(dates())
    return LearningShare(
        id=record_id or draw(ids()),
        services=_many(draw, pools.services, min_size=0 if team_list else 1),
        teams=team_list,
        shared_by=_one(draw, pools.staff),
        shared_on=shared_on,
        discussed_in=draw(optional(st.sampled_from(DiscussionSetting))),
        discussed_on=draw(optional(dates(min_value=shared_on))),
        meeting=_maybe(draw, pools.meetings),
        **_carried(draw, pools),
        **_meta(draw),
    )


@st.composite
def effectiveness_reviews(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> EffectivenessReview:
    """A review of an action, with measurements or none."""
    return EffectivenessReview(
        id=record_id or draw(ids()),
        action=_one(draw, pools.actions),
        reviewed_on=draw(dates()),
        reviewer=_maybe(draw, pools.staff),
        verdict=draw(st.sampled_from(ReviewVerdict)),
        evidence=draw(texts()),
        measurements=tuple(draw(st.lists(measurements(), max_size=3))),
        **_meta(draw),
    )


@st.composite
def staff_confidence_checks(
    draw: st.DrawFn,
    record_id: str | None = None,
    pools: Pools = ANY,
) -> StaffConfidenceCheck:
    """A confidence check whose scores lie on its scale."""
    scale_max = draw(st.integers(2, 10))
    return StaffConfidenceCheck(
        id=record_id or draw(ids()),
        service=_one(draw, pools.services),
        team=_maybe(draw, pools.teams),
        topic=draw(texts()),
        checked_on=draw(dates()),
        scale_max=scale_max,
        scores=tuple(draw(st.lists(st.integers(1, scale_max), min_size=1, max_size=8))),
        **_carried(draw, pools),
        **_meta(draw),
    )


RECORD_STRATEGIES: dict[type[Record], st.SearchStrategy[Record]] = {
    Provider: providers(),
    Service: services(),
    Team: teams(),
    StaffMember: staff_members(),
    ServiceExposure: service_exposures(),
    Incident: incidents(),
    LearningResponse: learning_responses(),
    ContributingFactor: contributing_factors(),
    LearningPoint: learning_points(),
    Action: actions(),
    TrainingSession: training_sessions(),
    SupervisionSession: supervision_sessions(),
    ReflectivePracticeSession: reflective_practice_sessions(),
    CoachingSession: coaching_sessions(),
    ServiceChange: service_changes(),
    GovernanceMeeting: governance_meetings(),
    LearningShare: learning_shares(),
    EffectivenessReview: effectiveness_reviews(),
    StaffConfidenceCheck: staff_confidence_checks(),
}
"""One strategy per record type, references not resolved (any identifiers)."""


# --- logs --------------------------------------------------------------------------


def _versions(draw: st.DrawFn, record: Record) -> list[Record]:
    """The record and, sometimes, later corrected versions of it."""
    history = [record]
    for _ in range(draw(st.integers(0, 2))):
        latest = history[-1]
        if latest.entered_in_error:
            break
        at = _later(draw, latest.recorded_at)
        if draw(st.booleans()):
            history.append(
                latest.marked_entered_in_error(
                    by=draw(texts()), at=at, reason=draw(texts())
                )
            )
        else:
            history.append(
                latest.corrected(by=draw(texts()), at=at, reason=draw(texts()))
            )
    return history


def _action_versions(draw: st.DrawFn, action: Action) -> list[Action]:
    """The action and the versions its lifecycle moves make."""
    history = [action]
    for _ in range(draw(st.integers(0, 3))):
        latest = history[-1]
        allowed = sorted(TRANSITIONS[latest.status])
        if not allowed:
            break
        to = draw(st.sampled_from(allowed))
        previous = (
            latest.status_history[-1].at
            if latest.status_history
            else latest.recorded_at
        )
        history.append(
            latest.transitioned(
                to,
                by=draw(texts()),
                at=_later(draw, max(previous, latest.recorded_at)),
                reason=draw(texts()) if to is ActionStatus.REJECTED else None,
            )
        )
    return history


@st.composite
def logs(draw: st.DrawFn, min_each: int = 0) -> LearningLog:
    """A valid learning log: every reference resolves, codes are known.

    Every record kind appears up to twice (at least *min_each* times, where
    the kind can exist); some records have later versions; sometimes the log
    declares local codes and uses them.
    """
    counter = iter(range(10**6))
    records: list[Record] = []

    def new_id(prefix: str) -> str:
        return f"{prefix}{next(counter)}.{draw(_short_ids())}"

    def make(
        prefix: str,
        strategy: Callable[[str, Pools], st.SearchStrategy[Record]],
        pools: Pools,
        at_least: int = min_each,
    ) -> list[str]:
        made = []
        for _ in range(draw(st.integers(at_least, max(at_least, 2)))):
            record = draw(strategy(new_id(prefix), pools))
            if isinstance(record, Action):
                records.extend(_action_versions(draw, record))
            else:
                records.extend(_versions(draw, record))
            made.append(record.id)
        return made

    local = draw(
        st.lists(
            local_codes(),
            max_size=3,
            unique_by=lambda code: (code.vocabulary, code.code),
        )
    )
    pools = Pools(
        categories=[
            *INCIDENT_CATEGORIES.codes,
            *(
                code.code
                for code in local
                if code.vocabulary == INCIDENT_CATEGORIES.name
            ),
        ],
        local=local,
    )
    provider = draw(providers(new_id("PRV")))
    records.extend(_versions(draw, provider))
    pools = attrs.evolve(
        pools, services=make("SVC", lambda i, _: services(i, provider.id), pools, 1)
    )
    pools = attrs.evolve(pools, teams=make("TEAM", teams, pools))
    pools = attrs.evolve(pools, staff=make("STAFF", staff_members, pools, 2))
    make("EXP", service_exposures, pools)
    pools = attrs.evolve(pools, incidents=make("INC", incidents, pools, 1))
    pools = attrs.evolve(pools, responses=make("LR", learning_responses, pools))
    pools = attrs.evolve(pools, factors=make("CF", contributing_factors, pools))
    pools = attrs.evolve(pools, points=make("LP", learning_points, pools, 1))
    pools = attrs.evolve(pools, actions=make("ACT", actions, pools))
    for prefix, strategy in (
        ("TRN", training_sessions),
        ("SUP", supervision_sessions),
        ("RPS", reflective_practice_sessions),
        ("COA", coaching_sessions),
        ("CHG", service_changes),
    ):
        make(prefix, strategy, pools)
    pools = attrs.evolve(pools, meetings=make("GOV", governance_meetings, pools))
    make("SHR", learning_shares, pools)
    make("SCC", staff_confidence_checks, pools)
    if pools.actions:
        make("REV", effectiveness_reviews, pools)
    order = draw(st.permutations(range(len(records))))
    return LearningLog([records[index] for index in order], local_codes=local)
