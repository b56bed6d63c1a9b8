"""Synthetic learning logs of any size, for demos and benchmarks.

:func:`generate` builds a log shaped like a real one (each incident followed,
on average, by a learning response, one or two contributing factors, a
learning point, an action, about three embedding records and some
effectiveness reviews: about eight records an incident), in time linear in
the number of incidents, fast enough for a million.

Speed comes from two things. Values that repeat (dates, times, people and
their harm, staff groups, status histories, measures) are built once and
shared: records are immutable, so sharing is safe. And records are built
directly, without re-running each record's validation: every value is valid
by construction, and the test suite rebuilds generated records through the
validating constructors to keep it so.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import attrs

from incident_learning._codegen import compile_function
from incident_learning._collector import collector_paused
from incident_learning.model import (
    Action,
    ActionKind,
    ActionStatus,
    ChangeArea,
    CoachingSession,
    ContributingFactor,
    DiscussionSetting,
    EffectivenessMeasure,
    EffectivenessReview,
    GovernanceMeeting,
    Incident,
    LearningPoint,
    LearningResponse,
    LearningShare,
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
)
from incident_learning.model.codes import INCIDENT_CATEGORIES, factor_vocabulary
from incident_learning.model.vocab import FactorFramework

__all__ = ["INCIDENTS_PER_SERVICE", "generate"]

INCIDENTS_PER_SERVICE: Final = 2000
"""Incidents per service when the number of services is not given (at least 5)."""

_FIRST_DAY: Final = date(2024, 1, 1)
_DAYS: Final = 731  # 2024-01-01 to 2025-12-31
_SLACK: Final = 150  # days after the last incident that follow-up may fall on
_STAFF_PER_SERVICE: Final = 12
_PEOPLE_PER_SERVICE: Final = 32
_QUARTERS: Final = 8

_NI, _QL, _TR = "STAFF-000001", "STAFF-000002", "STAFF-000003"

# --- fast construction ------------------------------------------------------------


def _maker(cls: type[Record]) -> Callable[..., Any]:
    """Return a keyword-only constructor for *cls* that skips validation.

    It sets every field, defaults included, exactly as the attrs-generated
    ``__init__`` does, but does not call ``__attrs_post_init__``: the
    generator's values are valid by construction.
    """
    fields = attrs.fields(cls)
    defaults = {
        field.name: field.default
        for field in fields
        if field.default is not attrs.NOTHING
    }
    params = ", ".join(
        f"{field.name}=_defaults[{field.name!r}]"
        if field.name in defaults
        else field.name
        for field in fields
    )
    body = "".join(f"    _set(o, {field.name!r}, {field.name})\n" for field in fields)
    source = [
        f"def make(*, {params}):",
        "    o = _new(_cls)",
        body.rstrip("\n"),
        "    return o",
    ]
    names = {
        "_new": object.__new__,
        "_set": object.__setattr__,
        "_cls": cls,
        "_defaults": defaults,
    }
    return compile_function(source, names, "make")


_incident = _maker(Incident)
_response = _maker(LearningResponse)
_factor = _maker(ContributingFactor)
_point = _maker(LearningPoint)
_action = _maker(Action)
_training = _maker(TrainingSession)
_supervision = _maker(SupervisionSession)
_reflective = _maker(ReflectivePracticeSession)
_coaching = _maker(CoachingSession)
_change = _maker(ServiceChange)
_share = _maker(LearningShare)
_review = _maker(EffectivenessReview)

# --- fixed vocabularies ------------------------------------------------------------

# Incident categories weighted roughly as in care homes: 100 slots.
_CATEGORY_WEIGHTS: Final = {
    "falls": 30,
    "medication": 16,
    "behaviour_and_distress": 14,
    "pressure_ulcers_and_skin_damage": 7,
    "violence_and_aggression": 5,
    "safeguarding_and_abuse": 4,
    "infection": 4,
    "unexplained_injury": 4,
    "equipment": 3,
    "environment": 3,
    "information_and_confidentiality": 3,
    "choking": 2,
    "self_harm": 2,
    "missing_person": 2,
    "death": 1,
}
_CATEGORIES: Final = tuple(
    code for code, weight in _CATEGORY_WEIGHTS.items() for _ in range(weight)
)
_DESCRIPTIONS: Final = {
    code: f"Synthetic {INCIDENT_CATEGORIES[code].display.lower()} incident."
    for code in _CATEGORY_WEIGHTS
}
_DOMAINS: Final = factor_vocabulary(FactorFramework.CARE).codes
_FACTOR_TEXT: Final = {
    code: f"Synthetic factor: {code.replace('_', ' ')}." for code in _DOMAINS
}
_POINT_TEXT: Final = {
    code: f"Synthetic learning about {INCIDENT_CATEGORIES[code].display.lower()}."
    for code in _CATEGORY_WEIGHTS
}
_ACTION_TEXT: Final = {
    code: f"Synthetic action on {INCIDENT_CATEGORIES[code].display.lower()}."
    for code in _CATEGORY_WEIGHTS
}
_METHODS: Final = (
    ResponseMethod.SWARM_HUDDLE,
    ResponseMethod.SWARM_HUDDLE,
    ResponseMethod.AFTER_ACTION_REVIEW,
    ResponseMethod.LOCAL_REVIEW,
    ResponseMethod.REFLECTIVE_REVIEW,
    ResponseMethod.MDT_REVIEW,
    ResponseMethod.AFTER_ACTION_REVIEW,
    ResponseMethod.PSII,
)
_KINDS: Final = tuple(ActionKind)
_AREAS: Final = tuple(ChangeArea)
_AREA_TEXT: Final = {
    area: f"Synthetic change to {area.value.replace('_', ' ')}." for area in _AREAS
}
_SERVICE_TYPES: Final = (
    ServiceType.RESIDENTIAL_HOME,
    ServiceType.NURSING_HOME,
    ServiceType.SUPPORTED_LIVING,
    ServiceType.HOME_CARE,
    ServiceType.RESIDENTIAL_HOME,
    ServiceType.DAY_SERVICE,
)
# Harm of a person reached, 16 slots: mostly none or low, some moderate, rare severe.
_HARMS: Final = (
    *[(PhysicalHarm.NONE, PsychologicalHarm.NONE)] * 5,
    *[(PhysicalHarm.NONE, PsychologicalHarm.LOW)] * 2,
    *[(PhysicalHarm.LOW, PsychologicalHarm.NONE)] * 5,
    (PhysicalHarm.LOW, PsychologicalHarm.LOW),
    (PhysicalHarm.MODERATE, PsychologicalHarm.LOW),
    (PhysicalHarm.NONE, PsychologicalHarm.MODERATE),
    (PhysicalHarm.SEVERE, PsychologicalHarm.MODERATE),
)
# Action lifecycles, 20 slots: (statuses in order, whether reviewed, verdict).
_S = ActionStatus
_LIFECYCLES: Final = (
    *[((_S.AGREED, _S.IN_PROGRESS, _S.COMPLETED), None)] * 8,
    *[
        (
            (_S.AGREED, _S.IN_PROGRESS, _S.COMPLETED, _S.VERIFIED_EFFECTIVE),
            ReviewVerdict.EFFECTIVE,
        )
    ]
    * 4,
    ((_S.AGREED, _S.COMPLETED, _S.FOUND_INEFFECTIVE), ReviewVerdict.NOT_EFFECTIVE),
    ((_S.AGREED, _S.IN_PROGRESS), None),
    ((_S.AGREED, _S.IN_PROGRESS), None),
    ((_S.AGREED,), None),
    ((_S.AGREED,), None),
    ((), None),
    ((_S.REJECTED,), None),
    ((_S.AGREED, _S.COMPLETED), ReviewVerdict.PARTLY_EFFECTIVE),
)
_REJECTION: Final = "Synthetic reason: a stronger action was agreed instead."
# Embedding records per action, 12 slots: how many (2.75 on average) and
# which kinds, by identifier prefix.
_EMBED_COUNTS: Final = (2, 3, 3, 3, 2, 3, 3, 3, 2, 3, 3, 3)
_EMBED_KINDS: Final = (
    *("SUP",) * 4,
    *("TRN",) * 2,
    *("SHR",) * 2,
    "CHG",
    "RPS",
    *("COA",) * 2,
)
_LOW_SCORES: Final = (2, 3, 2, 3, 3)
_HIGH_SCORES: Final = (4, 4, 5, 4, 3)
_WIDTH: Final = 7


class _Calendar:
    """The days and moments records fall on, built once and shared."""

    def __init__(self) -> None:
        count = _DAYS + _SLACK
        self.days = tuple(
            _FIRST_DAY + timedelta(days=offset) for offset in range(count)
        )
        self.hours = tuple(
            datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
            for day in self.days
            for hour in range(24)
        )

    def at(self, day: int, hour: int = 17) -> datetime:
        return self.hours[day * 24 + hour]


def _services(count: int) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Return per service: id, manager, front-line staff, and people supported ids."""
    width = max(5, len(str(count)))
    result = []
    for index in range(count):
        service = f"SVC-{index + 1:0{width}d}"
        first_staff = 4 + index * _STAFF_PER_SERVICE
        staff = tuple(f"STAFF-{first_staff + n:06d}" for n in range(_STAFF_PER_SERVICE))
        first_person = 1 + index * _PEOPLE_PER_SERVICE
        people = tuple(f"P-{first_person + n:07d}" for n in range(_PEOPLE_PER_SERVICE))
        result.append((service, staff[0], staff, people))
    return result


def _organisation(
    services: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]],
    calendar: _Calendar,
    rng: random.Random,
) -> list[Record]:
    opened = datetime(2023, 12, 1, 9, 0, tzinfo=UTC)
    meta: dict[str, Any] = {"recorded_by": _QL, "recorded_at": opened}
    records: list[Record] = [
        Provider(id="PRV-SYNTHETIC", name="Synthetic Care Group", **meta),
        StaffMember(id=_NI, role=StaffRole.NOMINATED_INDIVIDUAL, **meta),
        StaffMember(id=_QL, role=StaffRole.QUALITY_LEAD, **meta),
        StaffMember(id=_TR, role=StaffRole.TRAINER, **meta),
    ]
    roles = (
        StaffRole.REGISTERED_MANAGER,
        StaffRole.DEPUTY_MANAGER,
        StaffRole.SENIOR_CARE_WORKER,
        StaffRole.SENIOR_CARE_WORKER,
        *[StaffRole.CARE_WORKER] * (_STAFF_PER_SERVICE - 4),
    )
    months = [
        (calendar.days[offset], calendar.days[offset + length - 1])
        for offset, length in _month_offsets()
    ]
    for index, (service, _, staff, _people) in enumerate(services):
        service_type = _SERVICE_TYPES[index % len(_SERVICE_TYPES)]
        records.append(
            Service(
                id=service,
                provider="PRV-SYNTHETIC",
                name=f"Synthetic service {index + 1}",
                service_type=service_type,
                **meta,
            )
        )
        teams = (f"TEAM-{service[4:]}-A", f"TEAM-{service[4:]}-B")
        records.extend(
            Team(id=team, service=service, name=f"Team {team[-1]}", **meta)
            for team in teams
        )
        records.extend(
            StaffMember(
                id=member,
                role=role,
                service=service,
                team=teams[number % 2],
                started_on=date(2015, 1, 5) + timedelta(days=rng.randrange(3200)),
                **meta,
            )
            for number, (member, role) in enumerate(zip(staff, roles, strict=True))
        )
        beds = service_type.is_bed_based
        for month, (first, last) in enumerate(months):
            days = (last - first).days + 1
            records.append(
                ServiceExposure(
                    id=f"EXP-{service[4:]}-{month + 1:02d}",
                    service=service,
                    period_start=first,
                    period_end=last,
                    occupied_bed_days=(36 - rng.randrange(4)) * days if beds else None,
                    care_hours=None if beds else float(120 * days + rng.randrange(400)),
                    staff_in_post=_STAFF_PER_SERVICE,
                    recorded_by=staff[0],
                    recorded_at=calendar.at(
                        min((last - _FIRST_DAY).days + 3, _DAYS + _SLACK - 1), 10
                    ),
                )
            )
    return records


def _meeting_day(quarter: int) -> int:
    """Return the day (offset) of a service's governance meeting in *quarter*."""
    return (quarter + 1) * _DAYS // _QUARTERS + 10


def _month_offsets() -> list[tuple[int, int]]:
    """Return (first day offset, length) of each of the 24 months."""
    result = []
    for month in range(24):
        year, number = 2024 + month // 12, month % 12 + 1
        first = date(year, number, 1)
        following = date(year + number // 12, number % 12 + 1, 1)
        result.append(((first - _FIRST_DAY).days, (following - first).days))
    return result


_Unit = tuple[str, str, tuple[str, ...], tuple[str, ...]]


class _Builder:
    """One pass over the incidents, with the shared pools it draws values from."""

    def __init__(self, incidents: int, services: int, seed: int) -> None:
        self.incidents = incidents
        self.services = services
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.bits = self.rng.getrandbits
        self.calendar = calendar = _Calendar()
        self.days, self.at = calendar.days, calendar.at
        self.units = units = _services(services)
        self.records = _organisation(units, calendar, self.rng)
        self.append = self.records.append
        # Per-service pools, shared by every record that needs them.
        self.people_pools = [
            tuple(
                (
                    PersonAffected(
                        person=people[n % len(people)],
                        physical_harm=_HARMS[n % len(_HARMS)][0],
                        psychological_harm=_HARMS[n % len(_HARMS)][1],
                    ),
                )
                for n in range(64)
            )
            for _, _, _, people in units
        ]
        self.near_pools = [
            tuple((PersonAffected(person=person),) for person in people)
            for _, _, _, people in units
        ]
        self.front = front = [staff[4:] for _, _, staff, _ in units]
        self.singles = [tuple((member,) for member in staff) for staff in front]
        self.groups = [
            tuple(
                tuple(sorted({staff[(start + k) % len(staff)] for k in range(size)}))
                for start in range(len(staff))
                for size in (2, 4, 6)
            )
            for staff in front
        ]
        self.measures = [
            EffectivenessMeasure(
                measure="Incidents of this kind per month",
                target="Below the pre-change mean for three months",
                by=self.days[_DAYS + 90],
                measured_by=manager,
            )
            for _, manager, _, _ in units
        ]
        # Status histories by week and lifecycle, built on first use.
        self.histories: dict[tuple[int, int], tuple[StatusChange, ...]] = {}
        self.review_evidence = {
            ReviewVerdict.EFFECTIVE: "Synthetic review: the measure met its target.",
            ReviewVerdict.PARTLY_EFFECTIVE: "Synthetic review: some improvement.",
            ReviewVerdict.NOT_EFFECTIVE: "Synthetic review: no change in the measure.",
        }
        self.review_measurements = (
            Measurement(
                name="Incidents per month before", value=4.0, unit="incidents/month"
            ),
            Measurement(
                name="Incidents per month after", value=2.0, unit="incidents/month"
            ),
        )
        self.quarter_points: dict[tuple[int, int], list[str]] = {}
        self.quarter_actions: dict[tuple[int, int], str] = {}
        # The quarter of the last governance meeting held on or before each day.
        meeting_days = [_meeting_day(quarter) for quarter in range(_QUARTERS)]
        self.last_meeting = [
            sum(1 for held in meeting_days if held <= day) - 1
            for day in range(len(self.days))
        ]
        # Running numbers for each kind's identifiers.
        self.counts = dict.fromkeys(("LR", "CF", "LP", "ACT", "REV", *_EMBED_KINDS), 0)

    def next_id(self, prefix: str) -> str:
        counts = self.counts
        counts[prefix] += 1
        return f"{prefix}-{counts[prefix]:0{_WIDTH}d}"

    def run(self) -> list[Record]:
        incidents = self.incidents
        span = max(incidents, 1)
        unit = 0
        for i in range(incidents):
            r = self.bits(40)
            mode = i % 10
            if mode != 9:  # the tenth incident joins its predecessor's cluster
                unit = r % self.services
            day = i * _DAYS // span
            incident_id, category = self.incident(i + 1, unit, day, r)
            if mode == 9:
                continue  # learned from in the previous incident's cluster response
            cluster = mode == 8 and i + 1 < incidents
            covered = (
                (incident_id, f"INC-{i + 2:0{_WIDTH}d}") if cluster else (incident_id,)
            )
            self.learn(unit, day, category, covered)
        self.governance()
        return self.records

    def incident(self, number: int, unit: int, day: int, r: int) -> tuple[str, str]:
        service, _, _, _ = self.units[unit]
        crew = self.front[unit]
        hour = (r >> 12) % 24
        category = _CATEGORIES[(r >> 17) % len(_CATEGORIES)]
        who = (r >> 24) % len(crew)
        reporter = crew[who]
        at = self.at
        reported = at(day, hour + 1) if hour < 23 else at(day + 1, 0)
        near = (r >> 28) % 16 == 0
        people = (
            self.near_pools[unit][(r >> 32) % _PEOPLE_PER_SERVICE]
            if near
            else self.people_pools[unit][(r >> 32) % 64]
        )
        incident_id = f"INC-{number:0{_WIDTH}d}"
        self.append(
            _incident(
                id=incident_id,
                service=service,
                reached_person=not near,
                category=category,
                occurred=at(day, hour),
                reported_at=reported,
                reported_by=reporter,
                people_affected=people,
                staff_involved=self.singles[unit][who],
                description=_DESCRIPTIONS[category],
                recorded_by=reporter,
                recorded_at=reported,
            )
        )
        return incident_id, category

    def learn(
        self, unit: int, day: int, category: str, covered: tuple[str, ...]
    ) -> None:
        """Add a learning response for *covered*, its factors and learning points."""
        service, manager, _, _ = self.units[unit]
        append, next_id = self.append, self.next_id
        r = self.bits(48)
        started = day + 1 + r % 5
        done = started + (r >> 3) % 10
        cluster = len(covered) > 1
        response_id = next_id("LR")
        completed_at = self.at(done)
        groups = self.groups[unit]
        append(
            _response(
                id=response_id,
                method=ResponseMethod.THEMATIC_REVIEW
                if cluster
                else _METHODS[(r >> 7) % 8],
                incidents=covered,
                started_on=self.days[started],
                completed_on=self.days[done],
                lead=manager,
                participants=groups[(r >> 10) % len(groups)],
                findings="Synthetic findings.",
                recorded_by=manager,
                recorded_at=completed_at,
            )
        )
        factor_ids = []
        for k in range(1 + (r >> 16) % 2):
            domain = _DOMAINS[(r >> (18 + 4 * k)) % len(_DOMAINS)]
            factor_id = next_id("CF")
            factor_ids.append(factor_id)
            append(
                _factor(
                    id=factor_id,
                    domain=domain,
                    description=_FACTOR_TEXT[domain],
                    response=response_id,
                    incidents=covered,
                    recorded_by=manager,
                    recorded_at=completed_at,
                )
            )
        factors = tuple(factor_ids)
        quarter = min(day * _QUARTERS // _DAYS, _QUARTERS - 1)
        listed = self.quarter_points.setdefault((unit, quarter), [])
        for _ in range(2 if cluster else 1):
            point_id = next_id("LP")
            append(
                _point(
                    id=point_id,
                    statement=_POINT_TEXT[category],
                    factors=factors,
                    responses=(response_id,),
                    service=service,
                    recorded_by=manager,
                    recorded_at=completed_at,
                )
            )
            if len(listed) < 5:
                listed.append(point_id)
            action_id = self.act(unit, done, category, point_id)
            self.quarter_actions.setdefault((unit, quarter), action_id)

    def act(self, unit: int, done: int, category: str, point_id: str) -> str:
        """Add an action on *point_id*, the records embedding it and its review."""
        service, manager, _, _ = self.units[unit]
        r = self.bits(56)
        lifecycle = r % len(_LIFECYCLES)
        statuses, verdict = _LIFECYCLES[lifecycle]
        week = done // 7
        history = self.histories.get((week, lifecycle))
        if history is None:
            history = tuple(
                StatusChange(
                    status=status,
                    by=_QL,
                    at=self.at(week * 7 + 7 + 14 * step, 12),
                    reason=_REJECTION if status is ActionStatus.REJECTED else None,
                )
                for step, status in enumerate(statuses)
            )
            self.histories[week, lifecycle] = history
        action_id = self.next_id("ACT")
        measured = verdict is not None or (r >> 5) % 2 == 0
        self.append(
            _action(
                id=action_id,
                description=_ACTION_TEXT[category],
                learning_points=(point_id,),
                owner=manager,
                due=self.days[done + 28],
                kind=_KINDS[(r >> 6) % len(_KINDS)],
                services=(service,),
                effectiveness_measure=self.measures[unit] if measured else None,
                status_history=history,
                recorded_by=manager,
                recorded_at=self.at(done),
            )
        )
        slot = (r >> 11) % 12
        for e in range(_EMBED_COUNTS[slot]):
            kind = _EMBED_KINDS[(slot + e * 5) % 12]
            held = done + 7 + 7 * e + (r >> (16 + e)) % 7
            self.embed(
                kind, unit, held, category, action_id, point_id, r >> (20 + 3 * e)
            )
        if verdict is not None:
            # Reviewed on the day of the last status change, just before it.
            reviewed = week * 7 + 7 + 14 * (len(statuses) - 1)
            self.append(
                _review(
                    id=self.next_id("REV"),
                    action=action_id,
                    reviewed_on=self.days[reviewed],
                    reviewer=_QL,
                    verdict=verdict,
                    evidence=self.review_evidence[verdict],
                    measurements=self.review_measurements,
                    recorded_by=_QL,
                    recorded_at=self.at(reviewed, 11),
                )
            )
        return action_id

    def embed(  # noqa: PLR0913, PLR0917 - a hot path: plain positional arguments
        self,
        kind: str,
        unit: int,
        held: int,
        category: str,
        action: str,
        point: str,
        r: int,
    ) -> None:
        """Add one embedding record of *kind* (a code of ``_EMBED_KINDS``)."""
        service, manager, staff, _ = self.units[unit]
        record_id = self.next_id(kind)
        held_on, held_at = self.days[held], self.at(held)
        actions, points = (action,), (point,)
        crew = self.front[unit]
        groups = self.groups[unit]
        record: Record
        if kind == "SUP":
            record = _supervision(
                id=record_id,
                supervisee=crew[r % len(crew)],
                supervisor=staff[1],
                held_on=held_on,
                reflective=(r >> 9) % 2 == 0,
                actions=actions,
                learning_points=points,
                recorded_by=staff[1],
                recorded_at=held_at,
            )
        elif kind == "TRN":
            record = _training(
                id=record_id,
                topic=_POINT_TEXT[category],
                held_on=held_on,
                service=service,
                trainer=_TR,
                attendees=groups[(r >> 10) % len(groups)],
                actions=actions,
                learning_points=points,
                recorded_by=_TR,
                recorded_at=held_at,
            )
        elif kind == "SHR":
            meeting = self.last_meeting[held]
            record = _share(
                id=record_id,
                services=(self.units[(unit + 1 + r % 3) % self.services][0],),
                shared_by=manager,
                shared_on=held_on,
                discussed_in=DiscussionSetting.TEAM_MEETING,
                discussed_on=self.days[held + 3],
                meeting=_meeting_id(unit, meeting) if meeting >= 0 else None,
                actions=actions,
                learning_points=points,
                recorded_by=manager,
                recorded_at=held_at,
            )
        elif kind == "CHG":
            area = _AREAS[(r >> 10) % len(_AREAS)]
            record = _change(
                id=record_id,
                area=area,
                description=_AREA_TEXT[area],
                services=(service,),
                effective_from=held_on,
                actions=actions,
                learning_points=points,
                recorded_by=manager,
                recorded_at=held_at,
            )
        elif kind == "RPS":
            record = _reflective(
                id=record_id,
                facilitator=staff[1],
                attendees=groups[(r >> 10) % len(groups)],
                held_on=held_on,
                service=service,
                topic=_POINT_TEXT[category],
                actions=actions,
                learning_points=points,
                recorded_by=staff[1],
                recorded_at=held_at,
            )
        else:  # "COA"
            record = _coaching(
                id=record_id,
                coach=staff[2],
                coachees=self.singles[unit][r % len(crew)],
                held_on=held_on,
                topic=_POINT_TEXT[category],
                actions=actions,
                learning_points=points,
                recorded_by=staff[2],
                recorded_at=held_at,
            )
        self.append(record)

    def governance(self) -> None:
        """Add each service's quarterly governance meeting and confidence check."""
        for unit, (service, manager, staff, _) in enumerate(self.units):
            for quarter in range(_QUARTERS):
                held = _meeting_day(quarter)
                self.append(
                    GovernanceMeeting(
                        id=_meeting_id(unit, quarter),
                        level=MeetingLevel.SERVICE,
                        held_on=self.days[held],
                        service=service,
                        learning_points=tuple(
                            self.quarter_points.get((unit, quarter), ())
                        ),
                        attendees=(manager, staff[1], _QL),
                        recorded_by=manager,
                        recorded_at=self.at(held),
                    )
                )
                action = self.quarter_actions.get((unit, quarter))
                if action is not None:
                    self.append(
                        StaffConfidenceCheck(
                            id=f"SCC-{unit * _QUARTERS + quarter + 1:0{_WIDTH}d}",
                            service=service,
                            topic="Synthetic confidence topic",
                            checked_on=self.days[held],
                            scores=_LOW_SCORES
                            if quarter < _QUARTERS // 2
                            else _HIGH_SCORES,
                            actions=(action,),
                            recorded_by=_QL,
                            recorded_at=self.at(held),
                        )
                    )


def _meeting_id(unit: int, quarter: int) -> str:
    return f"GOV-{unit * _QUARTERS + quarter + 1:0{_WIDTH}d}"


def generate(
    incidents: int, *, seed: int = 0, services: int | None = None
) -> list[Record]:
    """Generate a synthetic, valid log of *incidents* incidents and what followed them.

    Each incident is followed, on average, by about 0.9 learning responses
    (one in ten shares a cluster with the next incident), 1.35 contributing
    factors, one learning point, one action, 2.75 embedding records
    (supervision, training, sharing, service changes, reflective practice,
    coaching) and 0.3 effectiveness reviews: about 8.3 records an incident,
    plus the provider, services, teams, staff, monthly exposure and
    quarterly governance meetings and confidence checks of each service.
    Incidents fall between 2024-01-01 and 2025-12-31, follow-up up to
    mid-2026. Identifiers are the kind's prefix and a zero-padded number
    (``INC-0000042``). It runs in time linear in *incidents*.

    Args:
        incidents: How many incidents, exactly.
        seed: The seed: the same seed gives the same records.
        services: How many services; by default one per
            ``INCIDENTS_PER_SERVICE`` incidents, at least 5.

    Returns:
        Every record, one version each, ready for
        :class:`~incident_learning.model.LearningLog`.

    Raises:
        ValueError: *incidents* is negative or *services* less than 1.

    Examples:
        >>> from incident_learning.samples import generate
        >>> records = generate(100)
        >>> len([r for r in records if isinstance(r, il.Incident)])
        100
        >>> log = il.LearningLog(records)
        >>> len(log.of_kind(il.Service))
        5
        >>> generate(100, seed=1) == generate(100, seed=1)
        True
    """
    if incidents < 0:
        msg = f"incidents must be 0 or more, not {incidents}"
        raise ValueError(msg)
    if services is None:
        services = max(5, incidents // INCIDENTS_PER_SERVICE)
    if services < 1:
        msg = f"services must be 1 or more, not {services}"
        raise ValueError(msg)
    with collector_paused():
        return _Builder(incidents, services, seed).run()
