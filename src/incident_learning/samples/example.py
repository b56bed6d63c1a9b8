"""The example provider, Oakvale Care Group: two years of connected learning.

Oakvale runs six services: three care homes (Oak House, Elm Court and Birch
Lodge, a nursing home), a supported living scheme (Willow), a home care
branch and a day service (Ash). :func:`example_records` builds, from a fixed
seed and without reading the clock, every record of its log from
2024-01-01 to 2025-12-31: staff, monthly exposure, about a thousand incidents,
and the learning that followed. Everyone in it is synthetic: people supported
are pseudonymous references (``P-0017``), staff are known by role and id.

Three patterns the sector describes run through it, each as one connected
chain of records, from incidents to measured effect:

* **Willow (supported living)**: behaviour and distress at a steady rate
  through 2024; a thematic review, monthly reflective practice from October
  2024, and the rate falls by more than half.
* **Oak House (residential)**: falls at night with one carer covering two
  floors; reviewed at the quarterly governance meeting, shared with the other
  homes' team meetings and supervision, a rota change, night falls fall.
* **Home care**: staff unsure when risks emerge; reflective supervision and
  coaching, and staff confidence rises from 2.4 to 4.1 out of 5.

It also holds what an honest log holds: an action rejected with its reason,
an action past due and still open, an action found ineffective and replaced,
a CQC notification still due, an incident entered in error and a harm
re-graded.

:func:`example_log` loads the bundled copy, ``oakvale.jsonl``; run
``python -m incident_learning.samples.example`` to rewrite it.
"""

import math
import os
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import attrs

from incident_learning.model import (
    RECORD_TYPES,
    Action,
    ActionKind,
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
    SupervisionSession,
    Team,
    TrainingSession,
)
from incident_learning.serialization import dumps_jsonl, loads_jsonl

__all__ = [
    "DATA_FILE",
    "END",
    "EXAMPLE_LOCAL_CODES",
    "START",
    "example_log",
    "example_records",
    "write_example",
]

DATA_FILE = "oakvale.jsonl"
"""The bundled file's name, next to this module."""

START = date(2024, 1, 1)
"""The first day the example covers."""

END = date(2025, 12, 31)
"""The last day the example covers."""

_SEED = 20240101
_OPENED = datetime(2023, 12, 1, 9, 0, tzinfo=UTC)
"""When the log was set up: the organisation's records date from then."""

_LA_HOMES = "Eastshire County Council"
_LA_COMMUNITY = "Westbrook Borough Council"

_NI, _QL, _TR, _PBS = "STAFF-ORG-NI", "STAFF-ORG-QL", "STAFF-ORG-TR", "STAFF-ORG-PBS"


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _months() -> Iterator[tuple[date, date]]:
    """Yield the first and last day of every month from START to END."""
    year, month = START.year, START.month
    while date(year, month, 1) <= END:
        first = date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        yield first, nxt - timedelta(days=1)
        year, month = nxt.year, nxt.month


def _poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson count (Knuth's method: fine for small means)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# --- the organisation -------------------------------------------------------


@attrs.frozen
class _ServiceDef:
    code: str
    name: str
    service_type: ServiceType
    beds: int | None
    hours: float | None
    people: tuple[str, ...]
    teams: tuple[str, ...]
    authority: str
    # Monthly mean incidents by category, for background incidents.
    rates: tuple[tuple[str, float], ...]

    @property
    def id(self) -> str:
        return f"SVC-{self.code}"


def _manager(service: str) -> str:
    """Return the id of *service*'s registered manager.

    Oak House's is ``STAFF-RM``, the manager of the small samples' Oak House
    story; the others are ``STAFF-<SERVICE>-RM``.
    """
    return (
        "STAFF-RM"
        if service == "SVC-OAK"
        else service.replace("SVC-", "STAFF-") + "-RM"
    )


def _people(first: int, count: int) -> tuple[str, ...]:
    return tuple(f"P-{number:04d}" for number in range(first, first + count))


_SERVICES = (
    _ServiceDef(
        "OAK",
        "Oak House",
        ServiceType.RESIDENTIAL_HOME,
        40,
        None,
        _people(1, 40),
        ("DAY", "NIGHT"),
        _LA_HOMES,
        (
            ("falls", 1.6),  # daytime falls; night falls are their own pattern
            ("medication", 1.3),
            ("behaviour_and_distress", 0.8),
            ("pressure_ulcers_and_skin_damage", 0.3),
            ("infection", 0.35),
            ("unexplained_injury", 0.45),
            ("safeguarding_and_abuse", 0.12),
            ("choking", 0.08),
            ("environment", 0.15),
            ("information_and_confidentiality", 0.12),
            ("violence_and_aggression", 0.25),
            ("equipment", 0.12),
            ("death", 0.04),
        ),
    ),
    _ServiceDef(
        "ELM",
        "Elm Court",
        ServiceType.RESIDENTIAL_HOME,
        32,
        None,
        _people(41, 32),
        ("DAY", "NIGHT"),
        _LA_HOMES,
        (
            ("falls", 3.2),
            ("medication", 1.5),
            ("behaviour_and_distress", 1.0),
            ("pressure_ulcers_and_skin_damage", 0.25),
            ("infection", 0.35),
            ("unexplained_injury", 0.35),
            ("safeguarding_and_abuse", 0.12),
            ("missing_person", 0.06),
            ("violence_and_aggression", 0.3),
            ("environment", 0.15),
            ("information_and_confidentiality", 0.08),
            ("equipment", 0.08),
            ("choking", 0.06),
        ),
    ),
    _ServiceDef(
        "BIRCH",
        "Birch Lodge",
        ServiceType.NURSING_HOME,
        45,
        None,
        _people(73, 45),
        ("DAY", "NIGHT"),
        _LA_HOMES,
        (
            ("falls", 2.6),
            ("medication", 1.8),  # plus the medication pattern below
            ("infection", 0.7),
            ("choking", 0.2),
            ("behaviour_and_distress", 0.6),
            ("unexplained_injury", 0.4),
            ("equipment", 0.3),
            ("safeguarding_and_abuse", 0.12),
            ("death", 0.08),
            ("information_and_confidentiality", 0.08),
            ("environment", 0.15),
        ),
    ),
    _ServiceDef(
        "WILLOW",
        "Willow supported living",
        ServiceType.SUPPORTED_LIVING,
        None,
        3600.0,
        _people(118, 8),
        ("TEAM",),
        _LA_COMMUNITY,
        (
            ("self_harm", 0.4),
            ("violence_and_aggression", 1.0),
            ("medication", 0.8),
            ("safeguarding_and_abuse", 0.25),
            ("missing_person", 0.12),
            ("environment", 0.12),
            ("information_and_confidentiality", 0.08),
        ),
    ),
    _ServiceDef(
        "HOMECARE",
        "Oakvale Home Care",
        ServiceType.HOME_CARE,
        None,
        6200.0,
        _people(126, 60),
        ("NORTH", "SOUTH"),
        _LA_COMMUNITY,
        (
            ("medication", 2.6),
            ("falls", 1.3),
            ("safeguarding_and_abuse", 0.5),
            ("pressure_ulcers_and_skin_damage", 0.35),
            ("information_and_confidentiality", 0.25),
            ("equipment", 0.15),
            ("environment", 0.2),
            ("violence_and_aggression", 0.15),
            ("death", 0.04),
        ),
    ),
    _ServiceDef(
        "ASH",
        "Ash Day Service",
        ServiceType.DAY_SERVICE,
        None,
        2900.0,
        _people(186, 25),
        ("TEAM",),
        _LA_COMMUNITY,
        (
            ("falls", 0.35),
            ("behaviour_and_distress", 0.5),
            ("choking", 0.08),
            ("medication", 0.15),
            ("safeguarding_and_abuse", 0.08),
            ("information_and_confidentiality", 0.05),
        ),
    ),
)
_BY_CODE = {service.code: service for service in _SERVICES}
_HOMES = ("SVC-OAK", "SVC-ELM", "SVC-BIRCH")

_TEAM_NAMES = {
    "DAY": "Day team",
    "NIGHT": "Night team",
    "TEAM": "Support team",
    "NORTH": "North round",
    "SOUTH": "South round",
}

# Per service: (suffix, role, team) for the posts at the start of 2024.
_FRONT = {
    StaffRole.CARE_WORKER,
    StaffRole.SUPPORT_WORKER,
    StaffRole.SENIOR_CARE_WORKER,
    StaffRole.NURSE,
    StaffRole.TEAM_LEADER,
}


def _posts(code: str) -> list[tuple[str, StaffRole, str | None]]:
    cw, scw, sw = (
        StaffRole.CARE_WORKER,
        StaffRole.SENIOR_CARE_WORKER,
        StaffRole.SUPPORT_WORKER,
    )
    posts: list[tuple[str, StaffRole, str | None]] = [
        ("RM", StaffRole.REGISTERED_MANAGER, None)
    ]
    if code in {"OAK", "ELM"}:
        posts.append(("DM", StaffRole.DEPUTY_MANAGER, "DAY"))
        posts += [("S1", scw, "DAY"), ("S2", scw, "NIGHT")]
        workers = 7 if code == "OAK" else 6
        posts += [
            (f"{n:02d}", cw, "NIGHT" if n % 3 == 0 else "DAY")
            for n in range(1, workers + 1)
        ]
    elif code == "BIRCH":
        posts.append(("DM", StaffRole.DEPUTY_MANAGER, "DAY"))
        posts += [("N1", StaffRole.NURSE, "DAY"), ("N2", StaffRole.NURSE, "DAY")]
        posts += [("N3", StaffRole.NURSE, "NIGHT"), ("S1", scw, "DAY")]
        posts += [
            (f"{n:02d}", cw, "NIGHT" if n % 3 == 0 else "DAY") for n in range(1, 7)
        ]
    elif code == "WILLOW":
        posts.append(("TL", StaffRole.TEAM_LEADER, "TEAM"))
        posts += [(f"{n:02d}", sw, "TEAM") for n in range(1, 9)]
    elif code == "HOMECARE":
        posts.append(("TL", StaffRole.TEAM_LEADER, None))
        posts += [("S1", scw, "NORTH"), ("S2", scw, "SOUTH")]
        posts += [(f"{n:02d}", cw, "NORTH" if n % 2 else "SOUTH") for n in range(1, 8)]
    else:  # ASH
        posts += [(f"{n:02d}", sw, "TEAM") for n in range(1, 4)]
    return posts


# --- incident text ----------------------------------------------------------

_TEXT: dict[str, tuple[str, ...]] = {
    "falls": (
        "{p} found sitting on the floor beside the bed at {t}; said they slipped getting up.",
        "{p} lost balance walking to the bathroom at {t} and fell; bruise to the left arm.",
        "Unwitnessed fall: {p} found on the floor of the lounge at {t}.",
        "{p} slid from the chair to the floor at {t} while reaching for a cup.",
    ),
    "medication": (
        "Evening dose for {p} signed for but found still in the blister pack at {t}.",
        "{p} given the morning dose an hour late after the round was interrupted.",
        "Count of a controlled drug for {p} did not match the register at {t}.",
        "Prescribed cream for {p} not applied: MAR chart left blank.",
    ),
    "behaviour_and_distress": (
        "{p} became distressed at {t}, shouting and banging doors after a change to the plan for the day.",
        "{p} distressed and pushing furniture at {t}; calmed with support after 20 minutes.",
        "{p} refused personal care and became upset at {t}; hit out at a chair.",
    ),
    "safeguarding_and_abuse": (
        "{p} disclosed at {t} that money had been taken from their room.",
        "Unexplained marks and a fearful manner noted for {p}; concern raised about a visitor.",
        "Concern of self-neglect: {p} not eating, home cold and unsafe at {t} visit.",
    ),
    "pressure_ulcers_and_skin_damage": (
        "Category 2 pressure ulcer found on the sacrum of {p} during personal care.",
        "Skin tear on the shin of {p} noticed at {t}; cause not known.",
        "Red, non-blanching area on the heel of {p} found at {t}.",
    ),
    "infection": (
        "{p} unwell with vomiting and diarrhoea at {t}; isolated in room.",
        "{p} with fever and a new cough at {t}; GP called.",
    ),
    "choking": (
        "{p} coughing and choking on food at lunch at {t}; back blows given.",
        "{p} given a drink of the wrong consistency at {t}; coughing settled.",
    ),
    "missing_person": (
        "{p} not found in the building at {t}; search started and found nearby.",
        "{p} did not return from a walk when expected; found by staff in town.",
    ),
    "self_harm": (
        "{p} scratched their arms at {t} after a phone call from home.",
        "{p} banged their head on the wall at {t} when distressed.",
    ),
    "unexplained_injury": (
        "Bruise on the forearm of {p} found during personal care; no fall reported.",
        "Swelling to the hand of {p} noticed at {t}; no known cause.",
    ),
    "equipment": (
        "Hoist battery failed mid-transfer for {p} at {t}; lowered safely by hand.",
        "Pressure mattress for {p} found switched off at {t}.",
        "Sensor mat alarm for {p} not sounding when tested at {t}.",
    ),
    "environment": (
        "Hot water at the basin in {p}'s room measured 52C at {t}.",
        "Fire door propped open near {p}'s room at {t}.",
        "Loose carpet on the landing noticed at {t}.",
    ),
    "information_and_confidentiality": (
        "Handover sheet with details of {p} left in the lounge at {t}.",
        "Email about {p} sent to the wrong social worker.",
    ),
    "violence_and_aggression": (
        "{p} hit out at a member of staff during personal care at {t}.",
        "{p} kicked a member of staff at {t} when support was offered.",
        "{p} threw a cup at another person at {t}; no contact made.",
    ),
    "death": (
        "{p} found unresponsive at {t}; paramedics confirmed death.",
        "{p} died unexpectedly in hospital after admission from the service.",
    ),
}

_NEAR_MISS_TEXT: dict[str, tuple[str, ...]] = {
    "medication": (
        "Wrong strength of tablet for {p} picked at {t}; noticed on the second check before giving.",
        "Pharmacy delivered another person's medicines in {p}'s box; found at booking in.",
    ),
    "falls": ("{p} stumbled at {t}; carer caught them before they fell.",),
    "equipment": (
        "Frayed hoist sling found at the pre-use check at {t} before use with {p}.",
    ),
    "environment": (
        "Wet floor in the corridor at {t}, nobody walked on it before it was dried.",
    ),
    "information_and_confidentiality": (
        "Letter about {p} put in the wrong envelope; spotted before posting.",
    ),
    "choking": (
        "{p} offered a sandwich against their soft diet plan; stopped before eating.",
    ),
}

_IMMEDIATE: dict[str, str] = {
    "falls": "Checked for injury, helped up with the hoist, observations started, family informed.",
    "medication": "Advice from the pharmacist and GP, person observed, MAR corrected.",
    "behaviour_and_distress": "Support from the PBS plan, space given, debrief with staff.",
    "safeguarding_and_abuse": "Person made safe, manager informed, referral made.",
    "pressure_ulcers_and_skin_damage": "District nurse informed, repositioning increased, body map done.",
    "infection": "Isolated, GP informed, infection control measures put in place.",
    "choking": "Back blows given, airway cleared, GP and speech and language therapy informed.",
    "missing_person": "Search of building and grounds, police informed, person found and checked.",
    "self_harm": "First aid given, stayed with the person, GP informed.",
    "unexplained_injury": "Body map done, manager informed, staff on duty asked.",
    "equipment": "Equipment taken out of use and reported for repair.",
    "environment": "Area made safe and maintenance informed.",
    "information_and_confidentiality": "Information retrieved, data protection lead informed.",
    "violence_and_aggression": "Staff member checked and supported, PBS plan followed.",
    "death": "Emergency services called, family and GP informed.",
}

# (near-miss share, physical weights, psychological weights), none..severe.
_Harm = tuple[float, tuple[int, int, int, int], tuple[int, int, int, int]]
_HARM: dict[str, _Harm] = {
    "falls": (0.05, (48, 40, 10, 2), (72, 27, 1, 0)),
    "medication": (0.25, (80, 17, 3, 0), (95, 5, 0, 0)),
    "behaviour_and_distress": (0.0, (75, 23, 2, 0), (30, 58, 11, 1)),
    "safeguarding_and_abuse": (0.0, (72, 22, 5, 1), (25, 52, 21, 2)),
    "pressure_ulcers_and_skin_damage": (0.0, (5, 70, 23, 2), (80, 20, 0, 0)),
    "infection": (0.0, (15, 60, 22, 3), (90, 10, 0, 0)),
    "choking": (0.1, (40, 40, 15, 5), (40, 50, 10, 0)),
    "missing_person": (0.0, (80, 18, 2, 0), (40, 50, 10, 0)),
    "self_harm": (0.0, (10, 72, 16, 2), (5, 60, 32, 3)),
    "unexplained_injury": (0.0, (10, 78, 12, 0), (80, 20, 0, 0)),
    "equipment": (0.4, (60, 30, 9, 1), (85, 15, 0, 0)),
    "environment": (0.4, (85, 13, 2, 0), (95, 5, 0, 0)),
    "information_and_confidentiality": (0.3, (100, 0, 0, 0), (70, 28, 2, 0)),
    "violence_and_aggression": (0.0, (78, 20, 2, 0), (35, 56, 8, 1)),
    "death": (0.0, (0, 0, 0, 1), (1, 0, 0, 0)),
}
_PHYSICAL = (
    PhysicalHarm.NONE,
    PhysicalHarm.LOW,
    PhysicalHarm.MODERATE,
    PhysicalHarm.SEVERE,
)
_PSYCHOLOGICAL = (
    PsychologicalHarm.NONE,
    PsychologicalHarm.LOW,
    PsychologicalHarm.MODERATE,
    PsychologicalHarm.SEVERE,
)

# Factors a swarm huddle names, by incident category: (domain, description).
_HUDDLE_FACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "falls": (
        (
            "care_planning",
            "Falls risk assessment not updated after a change in mobility.",
        ),
        ("physical_environment", "Walking frame out of reach of the bed."),
        ("individual_staff", "Carer rushed between call bells at the time."),
    ),
    "medication": (
        (
            "medication_systems",
            "Medicines round interrupted by the phone and the door.",
        ),
        ("communication", "Change of dose not passed on at handover."),
    ),
    "behaviour_and_distress": (
        ("person_factors", "Pain not recognised as a cause of distress."),
        ("care_planning", "Behaviour support plan not known to the staff on shift."),
    ),
    "pressure_ulcers_and_skin_damage": (
        ("care_planning", "Repositioning chart gaps overnight."),
        ("equipment", "Pressure-relieving mattress set to the wrong weight."),
    ),
    "choking": (
        ("care_planning", "Speech and language therapy advice not in the eating plan."),
        ("communication", "Kitchen not told of the change to a soft diet."),
    ),
    "infection": (
        ("policies_and_procedures", "Isolation started late after first symptoms."),
    ),
    "safeguarding_and_abuse": (
        ("external_agencies", "Concerns already known to the GP were not shared."),
    ),
    "self_harm": (
        ("person_factors", "Distress after contact from home not anticipated."),
    ),
    "equipment": (("equipment", "No pre-use check recorded for the equipment."),),
    "death": (("person_factors", "Rapid deterioration over a few hours."),),
    "missing_person": (
        ("physical_environment", "Door alarm turned off for a delivery."),
    ),
    "violence_and_aggression": (
        ("care_planning", "Triggers in the support plan not followed by agency staff."),
    ),
    "unexplained_injury": (
        ("records_and_information", "Body maps not completed on admission."),
    ),
    "environment": (
        ("physical_environment", "Maintenance request outstanding for weeks."),
    ),
    "information_and_confidentiality": (
        ("records_and_information", "Paper handover sheets carried around the home."),
    ),
}

_HUDDLE_POINTS: dict[str, str] = {
    "falls": "After a fall, update the falls plan the same day and check aids are in reach.",
    "medication": "Medicines rounds need protected time; changes to doses go on the handover sheet.",
    "behaviour_and_distress": "Consider pain first when someone becomes distressed.",
    "pressure_ulcers_and_skin_damage": "Check repositioning charts at each handover, nights too.",
    "choking": "Eating and drinking plans reach the kitchen the day they change.",
    "infection": "Isolate at the first symptom, not at diagnosis.",
    "safeguarding_and_abuse": "Share safeguarding concerns with the GP and social worker together.",
    "self_harm": "Plan support around contact from home for people at risk of self-harm.",
    "equipment": "Record a pre-use check of every hoist and sling.",
    "death": "Use soft signs of deterioration to call for help earlier.",
    "missing_person": "Door alarms stay on; deliveries use the side entrance.",
    "violence_and_aggression": "Agency staff read the support plan's triggers before a shift.",
    "unexplained_injury": "Complete a body map on admission and after every injury.",
    "environment": "Chase maintenance requests that put people at risk within a week.",
    "information_and_confidentiality": "Handover sheets stay in the office.",
}

_HUDDLE_KIND: dict[str, ActionKind] = {
    "falls": ActionKind.CARE_PLAN_CHANGE,
    "medication": ActionKind.REDUCED_DISTRACTION,
    "behaviour_and_distress": ActionKind.CARE_PLAN_CHANGE,
    "pressure_ulcers_and_skin_damage": ActionKind.CHECKLIST,
    "choking": ActionKind.STANDARD_COMMUNICATION,
    "infection": ActionKind.POLICY,
    "safeguarding_and_abuse": ActionKind.STANDARD_COMMUNICATION,
    "self_harm": ActionKind.CARE_PLAN_CHANGE,
    "equipment": ActionKind.CHECKLIST,
    "death": ActionKind.TRAINING,
    "missing_person": ActionKind.FORCING_FUNCTION,
    "violence_and_aggression": ActionKind.CARE_PLAN_CHANGE,
    "unexplained_injury": ActionKind.CHECKLIST,
    "environment": ActionKind.LEADERSHIP_ACTION,
    "information_and_confidentiality": ActionKind.POLICY,
}


@attrs.define
class _Spec:
    """An incident before it has an id (ids follow time order)."""

    service: str
    category: str
    occurred: datetime | date
    reported_at: datetime
    reporter: str
    people: tuple[PersonAffected, ...]
    description: str
    key: str | None = None
    until: datetime | date | None = None
    reached: bool = True
    event_type: EventType = EventType.INCIDENT
    secondary: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    cqc: CqcNotification | None = None
    safeguarding: SafeguardingReferral | None = None
    riddor: RiddorReport | None = None
    police: bool = False
    candour: DutyOfCandour | None = None
    regraded: tuple[PhysicalHarm, str] | None = None
    withdrawn: str | None = None


def _candour(day: date, *, steps: int = 5) -> DutyOfCandour:
    offsets = (1, 1, 2, 8, 9)
    taken = tuple(
        CandourStepTaken(step=step, on=day + timedelta(days=offset))
        for step, offset in list(zip(CandourStep, offsets, strict=True))[:steps]
    )
    return DutyOfCandour(applicable=True, steps=taken)


def _month_of(day: date) -> date:
    return day.replace(day=1)


class _Oakvale:
    """Builds the example log, record by record, from one seeded generator."""

    def __init__(self) -> None:
        self.rng = random.Random(_SEED)  # noqa: S311 - sample data, not secrets
        self.records: list[Record] = []
        self.counters: dict[str, int] = {}
        self.staff: dict[str, StaffMember] = {}
        self.incidents: list[Incident] = []
        self.keyed: dict[str, Incident] = {}
        self.responded: set[str] = set()
        self.exposure: dict[tuple[str, date], ServiceExposure] = {}
        # Learning points and actions by when they were first recorded.
        self.points: list[LearningPoint] = []
        self.actions: list[Action] = []

    # --- helpers ------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        return f"{prefix}-{number:04d}"

    def add(self, *records: Record) -> None:
        self.records.extend(records)

    def in_post(
        self, service: str, day: date, roles: Iterable[StaffRole] = _FRONT
    ) -> list[str]:
        wanted = set(roles)
        return [
            member.id
            for member in self.staff.values()
            if member.service == service
            and member.role in wanted
            and member.in_post_on(day)
        ]

    def pick(self, options: Sequence[str]) -> str:
        return options[self.rng.randrange(len(options))]

    def sample(self, options: Sequence[str], count: int) -> tuple[str, ...]:
        chosen = self.rng.sample(list(options), min(count, len(options)))
        return tuple(sorted(chosen))

    def lifecycle(
        self,
        action: Action,
        *steps: tuple[str, str, datetime] | tuple[str, str, datetime, str],
    ) -> Action:
        """Add *action* and each version its status *steps* make; return the last."""
        self.add(action)
        self.actions.append(action)
        moves: dict[str, Callable[..., Action]] = {
            "agreed": Action.agreed,
            "started": Action.started,
            "completed": Action.completed,
            "verified_effective": Action.verified_effective,
            "found_ineffective": Action.found_ineffective,
            "rejected": Action.rejected,
        }
        for step in steps:
            move, by, at = step[0], step[1], step[2]
            extra = {"reason": step[3]} if len(step) == 4 else {}
            action = moves[move](action, by=by, at=at, **extra)
            self.add(action)
        return action

    def point(self, point: LearningPoint) -> LearningPoint:
        self.add(point)
        self.points.append(point)
        return point

    def monthly(
        self,
        service: str,
        predicate: Callable[[Incident], bool],
        first: date,
        last: date,
    ) -> tuple[float, float]:
        """Return the monthly mean and the rate per 1,000 exposure of matching incidents.

        Exposure is occupied bed days or care hours; periods are whole months.
        """
        counts = {month: 0 for month, _ in _months() if first <= month <= last}
        for incident in self.incidents:
            month = _month_of(incident.occurred_on)
            if (
                month in counts
                and incident.service == service
                and not incident.entered_in_error
                and predicate(incident)
            ):
                counts[month] += 1
        exposure = 0.0
        for month in counts:
            record = self.exposure[service, month]
            exposure += record.occupied_bed_days or record.care_hours or 0.0
        total = sum(counts.values())
        return round(total / len(counts), 2), round(total / exposure * 1000, 2)

    # --- the organisation ---------------------------------------------------

    def organisation(self) -> None:
        meta: dict[str, Any] = {"recorded_by": _QL, "recorded_at": _OPENED}
        self.add(Provider(id="PRV-OAKVALE", name="Oakvale Care Group", **meta))
        for service in _SERVICES:
            self.add(
                Service(
                    id=service.id,
                    provider="PRV-OAKVALE",
                    name=service.name,
                    service_type=service.service_type,
                    **meta,
                )
            )
            for team_code in service.teams:
                self.add(
                    Team(
                        id=f"TEAM-{service.code}-{team_code}",
                        service=service.id,
                        name=_TEAM_NAMES[team_code],
                        **meta,
                    )
                )
        rng = self.rng
        org = (
            (_NI, StaffRole.NOMINATED_INDIVIDUAL, date(2011, 4, 1)),
            (_QL, StaffRole.QUALITY_LEAD, date(2017, 9, 4)),
            (_TR, StaffRole.TRAINER, date(2019, 1, 7)),
            (_PBS, StaffRole.OTHER, date(2021, 6, 14)),
        )
        for staff_id, role, started in org:
            self.staff_member(
                StaffMember(id=staff_id, role=role, started_on=started, **meta)
            )
        for service in _SERVICES:
            posts = _posts(service.code)
            for suffix, role, team in posts:
                started = date(2014, 1, 6) + timedelta(days=rng.randrange(3500))
                staff_id = (
                    _manager(service.id)
                    if suffix == "RM"
                    else f"STAFF-{service.code}-{suffix}"
                )
                self.staff_member(
                    StaffMember(
                        id=staff_id,
                        role=role,
                        service=service.id,
                        team=f"TEAM-{service.code}-{team}" if team else None,
                        started_on=started,
                        **meta,
                    )
                )
            # Turnover: front-line posts that change hands during the two years.
            leavers = [post for post in posts if post[0].isdigit()][:1]
            number = sum(post[0].isdigit() for post in posts)
            for suffix, role, team in leavers:
                left = date(2024, 3, 1) + timedelta(days=rng.randrange(560))
                old = self.staff[f"STAFF-{service.code}-{suffix}"]
                self.staff_member(
                    old.corrected(
                        by=_manager(service.id),
                        at=_at(left, 17),
                        reason="Left the service.",
                        left_on=left,
                    )
                )
                number += 1
                started = left + timedelta(days=7 + rng.randrange(28))
                self.staff_member(
                    StaffMember(
                        id=f"STAFF-{service.code}-{number:02d}",
                        role=role,
                        service=service.id,
                        team=f"TEAM-{service.code}-{team}" if team else None,
                        started_on=started,
                        recorded_by=_manager(service.id),
                        recorded_at=_at(started, 8),
                    )
                )

    def staff_member(self, member: StaffMember) -> None:
        self.add(member)
        self.staff[member.id] = member

    def exposures(self) -> None:
        rng = self.rng
        for service in _SERVICES:
            for first, last in _months():
                days = (last - first).days + 1
                beds = hours = None
                if service.beds is not None:
                    occupied = service.beds - rng.choice((0, 1, 1, 2, 2, 3, 4))
                    beds = occupied * days - rng.randrange(12)
                else:
                    # Every service has beds or care hours: exposure needs one.
                    assert service.hours is not None  # noqa: S101
                    hours = round(
                        service.hours * days / 30 * rng.uniform(0.94, 1.06), 1
                    )
                in_post = sum(
                    1
                    for member in self.staff.values()
                    if member.service == service.id
                    and (member.started_on or START) <= last
                    and (member.left_on is None or member.left_on >= first)
                )
                record = ServiceExposure(
                    id=f"EXP-{service.code}-{first:%Y-%m}",
                    service=service.id,
                    period_start=first,
                    period_end=last,
                    occupied_bed_days=beds,
                    care_hours=hours,
                    staff_in_post=in_post,
                    recorded_by=_manager(service.id),
                    recorded_at=_at(last, 18),
                )
                self.exposure[service.id, first] = record
                self.add(record)

    # --- incidents ------------------------------------------------------------

    def harm(self, category: str, person: str) -> tuple[bool, PersonAffected]:
        near, physical, psychological = _HARM[category]
        rng = self.rng
        if rng.random() < near:
            return False, PersonAffected(person=person)
        return True, PersonAffected(
            person=person,
            physical_harm=rng.choices(_PHYSICAL, physical)[0],
            psychological_harm=rng.choices(_PSYCHOLOGICAL, psychological)[0],
        )

    def background(
        self,
        service: _ServiceDef,
        category: str,
        first: date,
        last: date,
        *,
        night: bool = False,
    ) -> _Spec:
        """Return one incident of *category* at a random moment of the month."""
        rng = self.rng
        day = first + timedelta(days=rng.randrange(2, (last - first).days + 1))
        if night:
            hour = rng.choice((22, 23, 0, 1, 2, 3, 4, 5))
        elif service.code == "ASH":
            hour = rng.randrange(9, 16)
        else:
            hour = rng.randrange(7, 22)
        occurred_at = _at(day, hour, rng.randrange(60))
        frequent = service.people[: max(3, len(service.people) // 5)]
        person = self.pick(frequent if rng.random() < 0.4 else service.people)
        reached, affected = self.harm(category, person)
        texts = (
            _TEXT[category]
            if reached
            else _NEAR_MISS_TEXT.get(category, _TEXT[category])
        )
        description = self.pick(texts).format(p=person, t=f"{occurred_at:%H:%M}")
        reporters = self.in_post(service.id, day) or self.in_post(
            service.id, day, StaffRole
        )
        reporter = self.pick(reporters)
        spec = _Spec(
            service=service.id,
            category=category,
            occurred=occurred_at,
            reported_at=occurred_at + timedelta(minutes=10 + rng.randrange(230)),
            reporter=reporter,
            people=(affected,),
            description=description,
            reached=reached,
            staff=(reporter,),
        )
        roll = rng.random()
        if (
            category in {"unexplained_injury", "pressure_ulcers_and_skin_damage"}
            and roll < 0.6
        ):
            # Found, not seen: an estimated period of a couple of days.
            spec.occurred = day - timedelta(days=2)
            spec.until = day
            spec.reported_at = _at(day, 10 + rng.randrange(7), rng.randrange(60))
        elif category == "missing_person":
            spec.until = occurred_at + timedelta(minutes=30 + rng.randrange(120))
            spec.reported_at = spec.until + timedelta(minutes=15)
            spec.police = True
            spec.cqc = CqcNotification(
                criterion=CqcCriterion.POLICE_INCIDENT,
                notified_on=day + timedelta(days=1),
            )
        elif roll < 0.06:
            spec.occurred = day
            spec.reported_at = _at(day, 16 + rng.randrange(5), rng.randrange(60))
        self.regulatory(spec, service, day)
        return spec

    def regulatory(self, spec: _Spec, service: _ServiceDef, day: date) -> None:
        """Fill in the notifications and duties an incident triggers."""
        worst = spec.people[0]
        if spec.category == "death":
            spec.event_type = EventType.OUTCOME
            spec.cqc = CqcNotification(
                criterion=CqcCriterion.DEATH, notified_on=day + timedelta(days=1)
            )
            return
        if spec.category == "safeguarding_and_abuse":
            spec.safeguarding = SafeguardingReferral(
                referred_on=day, local_authority=service.authority
            )
            spec.cqc = CqcNotification(
                criterion=CqcCriterion.ABUSE_OR_ALLEGATION,
                notified_on=day + timedelta(days=1),
            )
        if (
            worst.physical_harm is PhysicalHarm.SEVERE
            or worst.psychological_harm is PsychologicalHarm.SEVERE
        ):
            spec.cqc = spec.cqc or CqcNotification(
                criterion=CqcCriterion.SERIOUS_INJURY,
                notified_on=day + timedelta(days=1),
            )
            spec.candour = _candour(day)
        elif worst.physical_harm is PhysicalHarm.MODERATE and self.rng.random() < 0.3:
            spec.candour = _candour(day)

    def incident_specs(self) -> list[_Spec]:
        rng = self.rng
        specs: list[_Spec] = []
        for first, last in _months():
            for service in _SERVICES:
                for category, mean in service.rates:
                    specs.extend(
                        self.background(service, category, first, last)
                        for _ in range(_poisson(rng, mean))
                    )
            # Oak House, falls at night: high until the rota change of August 2024.
            oak = _BY_CODE["OAK"]
            night_falls = (
                rng.randint(4, 6) if first < date(2024, 8, 1) else rng.randint(1, 2)
            )
            specs.extend(
                self.background(oak, "falls", first, last, night=True)
                for _ in range(night_falls)
            )
            # Willow, behaviour and distress: steady, then falls with reflective practice.
            willow = _BY_CODE["WILLOW"]
            if first < date(2024, 10, 1):
                behaviour = rng.randint(9, 12)
            elif first == date(2024, 10, 1):
                behaviour = 7
            else:
                behaviour = rng.randint(3, 5)
            specs.extend(
                self.background(willow, "behaviour_and_distress", first, last)
                for _ in range(behaviour)
            )
            # Birch Lodge, pressure ulcers: unmoved by training, lower after the SSKIN bundle.
            birch = _BY_CODE["BIRCH"]
            ulcers = (
                rng.randint(2, 4) if first < date(2025, 2, 1) else rng.randint(0, 2)
            )
            specs.extend(
                self.background(birch, "pressure_ulcers_and_skin_damage", first, last)
                for _ in range(ulcers)
            )
            # Birch Lodge, medication errors rise in early 2025 (agency nurses).
            if date(2025, 1, 1) <= first <= date(2025, 4, 1):
                specs.extend(
                    self.background(birch, "medication", first, last)
                    for _ in range(rng.randint(2, 3))
                )
            # Home care: late escalation of deterioration in 2024.
            homecare = _BY_CODE["HOMECARE"]
            if first < date(2025, 1, 1) and rng.random() < 0.5:
                spec = self.background(homecare, "infection", first, last)
                spec.description = (
                    f"{spec.people[0].person} unwell at the morning visit; not escalated "
                    "until the teatime visit, admitted to hospital."
                )
                specs.append(spec)
        specs.extend(self.key_specs())
        return specs

    def key_specs(self) -> list[_Spec]:
        """Return the hand-authored incidents the stories start from."""

        def person(
            ref: str,
            physical: PhysicalHarm = PhysicalHarm.NONE,
            psychological: PsychologicalHarm = PsychologicalHarm.NONE,
        ) -> tuple[PersonAffected, ...]:
            return (
                PersonAffected(
                    person=ref, physical_harm=physical, psychological_harm=psychological
                ),
            )

        def serious(day: date) -> CqcNotification:
            return CqcNotification(
                criterion=CqcCriterion.SERIOUS_INJURY,
                notified_on=day + timedelta(days=1),
            )

        moderate, severe = PhysicalHarm.MODERATE, PhysicalHarm.SEVERE
        return [
            _Spec(
                key="oak_night_fall",
                service="SVC-OAK",
                category="falls",
                occurred=datetime(2024, 3, 14, 2, 50, tzinfo=UTC),
                reported_at=datetime(2024, 3, 14, 3, 20, tzinfo=UTC),
                reporter="STAFF-OAK-03",
                people=person("P-0007", severe, PsychologicalHarm.MODERATE),
                staff=("STAFF-OAK-03", "STAFF-OAK-S2"),
                description=(
                    "P-0007 found on the floor of her upstairs room at 02:50, unable to "
                    "get up; the only waking carer upstairs was helping someone "
                    "downstairs. Hip fracture confirmed in hospital."
                ),
                cqc=serious(date(2024, 3, 14)),
                candour=_candour(date(2024, 3, 14)),
            ),
            _Spec(
                key="willow_staff_injury",
                service="SVC-WILLOW",
                category="violence_and_aggression",
                secondary=("behaviour_and_distress",),
                occurred=datetime(2024, 5, 20, 19, 40, tzinfo=UTC),
                reported_at=datetime(2024, 5, 20, 21, 5, tzinfo=UTC),
                reporter="STAFF-WILLOW-TL",
                people=person("P-0122", psychological=PsychologicalHarm.MODERATE),
                staff=("STAFF-WILLOW-04", "STAFF-WILLOW-TL"),
                description=(
                    "P-0122 very distressed after a cancelled visit; pushed a support "
                    "worker, who fell against a door frame and was off work for more "
                    "than seven days with a shoulder injury."
                ),
                riddor=RiddorReport(reported_on=date(2024, 6, 3)),
            ),
            _Spec(
                key="elm_bed_fall",
                service="SVC-ELM",
                category="falls",
                occurred=datetime(2024, 9, 2, 4, 30, tzinfo=UTC),
                reported_at=datetime(2024, 9, 2, 5, 0, tzinfo=UTC),
                reporter="STAFF-ELM-03",
                people=person("P-0050", moderate),
                staff=("STAFF-ELM-03",),
                description=(
                    "P-0050 rolled out of bed at 04:30 and cut her head on the bedside "
                    "table; stitches at the minor injuries unit."
                ),
                candour=_candour(date(2024, 9, 2)),
            ),
            _Spec(
                key="birch_hoist",
                service="SVC-BIRCH",
                category="equipment",
                secondary=("falls",),
                occurred=datetime(2024, 9, 5, 10, 20, tzinfo=UTC),
                reported_at=datetime(2024, 9, 5, 11, 0, tzinfo=UTC),
                reporter="STAFF-BIRCH-04",
                people=person("P-0080", moderate, PsychologicalHarm.LOW),
                staff=("STAFF-BIRCH-04", "STAFF-BIRCH-05"),
                description=(
                    "A sling strap tore during a hoist transfer; P-0080 slipped to the "
                    "floor and was taken to hospital with a fractured wrist."
                ),
                riddor=RiddorReport(reported_on=date(2024, 9, 12)),
                cqc=serious(date(2024, 9, 5)),
                candour=_candour(date(2024, 9, 5)),
            ),
            _Spec(
                key="hc_neglect",
                service="SVC-HOMECARE",
                category="safeguarding_and_abuse",
                secondary=("pressure_ulcers_and_skin_damage",),
                occurred=datetime(2024, 10, 21, 8, 15, tzinfo=UTC),
                reported_at=datetime(2024, 10, 21, 9, 30, tzinfo=UTC),
                reporter="STAFF-HOMECARE-S1",
                people=person("P-0140", moderate, PsychologicalHarm.LOW),
                staff=("STAFF-HOMECARE-05", "STAFF-HOMECARE-S1"),
                description=(
                    "P-0140 found with a category 3 pressure ulcer, little food in the "
                    "house; carers had noticed him eating less for two weeks but had not "
                    "said so."
                ),
                safeguarding=SafeguardingReferral(
                    referred_on=date(2024, 10, 21), local_authority=_LA_COMMUNITY
                ),
                cqc=CqcNotification(
                    criterion=CqcCriterion.ABUSE_OR_ALLEGATION,
                    notified_on=date(2024, 10, 22),
                ),
                candour=_candour(date(2024, 10, 21)),
            ),
            _Spec(
                key="hc_deterioration",
                service="SVC-HOMECARE",
                category="infection",
                occurred=datetime(2024, 11, 8, 9, 5, tzinfo=UTC),
                reported_at=datetime(2024, 11, 8, 17, 40, tzinfo=UTC),
                reporter="STAFF-HOMECARE-06",
                people=person("P-0152", moderate),
                staff=("STAFF-HOMECARE-06",),
                description=(
                    "P-0152 breathless and confused at the morning visit; the carer was "
                    "unsure whether to call anyone. Admitted with a chest infection after "
                    "the teatime visit."
                ),
            ),
            _Spec(
                key="hc_risk",
                service="SVC-HOMECARE",
                category="information_and_confidentiality",
                event_type=EventType.RISK,
                occurred=datetime(2025, 1, 9, 14, 0, tzinfo=UTC),
                reported_at=datetime(2025, 1, 9, 15, 10, tzinfo=UTC),
                reporter="STAFF-HOMECARE-TL",
                people=(),
                description="Key safe codes for the north round shared in a group message.",
            ),
            _Spec(
                key="birch_choking",
                service="SVC-BIRCH",
                category="choking",
                occurred=datetime(2025, 2, 11, 12, 40, tzinfo=UTC),
                reported_at=datetime(2025, 2, 11, 13, 30, tzinfo=UTC),
                reporter="STAFF-BIRCH-N1",
                people=person("P-0095", severe, PsychologicalHarm.MODERATE),
                staff=("STAFF-BIRCH-N1", "STAFF-BIRCH-04"),
                description=(
                    "P-0095 choked on a sandwich at lunch although his plan said minced "
                    "and moist; back blows and abdominal thrusts, admitted with "
                    "aspiration pneumonia."
                ),
                cqc=serious(date(2025, 2, 11)),
                candour=_candour(date(2025, 2, 11)),
            ),
            _Spec(
                key="willow_good_care",
                service="SVC-WILLOW",
                category="behaviour_and_distress",
                event_type=EventType.GOOD_CARE,
                occurred=date(2025, 4, 17),
                reported_at=datetime(2025, 4, 17, 18, 0, tzinfo=UTC),
                reporter="STAFF-WILLOW-TL",
                people=person("P-0119"),
                description=(
                    "Staff noticed P-0119 pacing before a dentist visit and used the "
                    "early strategies in his PBS plan; the visit went ahead calmly."
                ),
            ),
            _Spec(
                key="elm_regrade",
                service="SVC-ELM",
                category="falls",
                occurred=datetime(2025, 5, 16, 14, 10, tzinfo=UTC),
                reported_at=datetime(2025, 5, 16, 14, 40, tzinfo=UTC),
                reporter="STAFF-ELM-04",
                people=person("P-0044", PhysicalHarm.LOW),
                description="P-0044 tripped on the step into the garden; sore wrist.",
                regraded=(moderate, "Hospital X-ray found a wrist fracture."),
            ),
            _Spec(
                key="oak_duplicate",
                service="SVC-OAK",
                category="medication",
                occurred=datetime(2025, 6, 3, 8, 20, tzinfo=UTC),
                reported_at=datetime(2025, 6, 3, 11, 0, tzinfo=UTC),
                reporter="STAFF-OAK-05",
                people=person("P-0012"),
                description="Morning dose of P-0012 given late after the round was interrupted.",
                withdrawn="Duplicate: the senior on duty had already reported this error.",
            ),
            _Spec(
                key="elm_recent",
                service="SVC-ELM",
                category="falls",
                occurred=datetime(2025, 12, 29, 15, 20, tzinfo=UTC),
                reported_at=datetime(2025, 12, 29, 15, 45, tzinfo=UTC),
                reporter="STAFF-ELM-05",
                people=person("P-0061", severe),
                staff=("STAFF-ELM-05",),
                description="P-0061 fell in the dining room; suspected hip fracture, taken to hospital.",
                cqc=CqcNotification(criterion=CqcCriterion.SERIOUS_INJURY),
                candour=_candour(date(2025, 12, 29), steps=2),
            ),
        ]

    def build_incidents(self) -> None:
        specs = self.incident_specs()
        specs.sort(key=lambda spec: (spec.reported_at, spec.service, spec.description))
        for spec in specs:
            record = Incident(
                id=self.new_id("INC"),
                service=spec.service,
                event_type=spec.event_type,
                reached_person=spec.reached,
                category=spec.category,
                secondary_categories=spec.secondary,
                occurred=spec.occurred,
                occurred_until=spec.until,
                reported_at=spec.reported_at,
                reported_by=spec.reporter,
                people_affected=spec.people,
                staff_involved=spec.staff or (spec.reporter,),
                description=spec.description,
                immediate_actions=(
                    _IMMEDIATE[spec.category]
                    if spec.event_type is EventType.INCIDENT
                    else None
                ),
                cqc_notification=spec.cqc,
                safeguarding_referral=spec.safeguarding,
                riddor_report=spec.riddor,
                police_involved=spec.police,
                duty_of_candour=spec.candour,
                recorded_by=spec.reporter,
                recorded_at=spec.reported_at,
            )
            self.add(record)
            manager = _manager(spec.service)
            later = spec.reported_at + timedelta(days=2)
            if spec.regraded is not None:
                harm, reason = spec.regraded
                affected = attrs.evolve(spec.people[0], physical_harm=harm)
                record = record.corrected(
                    by=manager, at=later, reason=reason, people_affected=(affected,)
                )
                self.add(record)
            if spec.withdrawn is not None:
                record = record.marked_entered_in_error(
                    by=manager, at=later, reason=spec.withdrawn
                )
                self.add(record)
            self.incidents.append(record)
            if spec.key is not None:
                self.keyed[spec.key] = record

    def select(
        self,
        service: str,
        first: date,
        last: date,
        predicate: Callable[[Incident], bool] = lambda incident: True,
    ) -> tuple[str, ...]:
        """Return the ids of active incidents at *service* in a period, in order."""
        return tuple(
            incident.id
            for incident in self.incidents
            if incident.service == service
            and first <= incident.occurred_on <= last
            and incident.event_type is EventType.INCIDENT
            and not incident.entered_in_error
            and predicate(incident)
        )

    def response(  # noqa: PLR0913, PLR0917 - mirrors the record's fields
        self,
        method: ResponseMethod,
        incidents: tuple[str, ...],
        started: date,
        completed: date | None,
        lead: str,
        participants: tuple[str, ...],
        findings: str,
    ) -> LearningResponse:
        record = LearningResponse(
            id=self.new_id("LR"),
            method=method,
            incidents=incidents,
            started_on=started,
            completed_on=completed,
            lead=lead,
            participants=participants,
            findings=findings,
            recorded_by=lead,
            recorded_at=_at(completed or started, 16),
        )
        self.add(record)
        self.responded.update(incidents)
        return record

    def factors(
        self, response: LearningResponse, *found: tuple[str, str]
    ) -> tuple[str, ...]:
        ids = []
        for domain, description in found:
            factor = ContributingFactor(
                id=self.new_id("CF"),
                domain=domain,
                description=description,
                response=response.id,
                incidents=response.incidents if len(response.incidents) <= 3 else (),
                recorded_by=response.recorded_by,
                recorded_at=response.recorded_at,
            )
            self.add(factor)
            ids.append(factor.id)
        return tuple(ids)

    # --- pattern a: Willow, reflective practice ---------------------------------

    def willow(self) -> None:
        wil, rm, tl = "SVC-WILLOW", "STAFF-WILLOW-RM", "STAFF-WILLOW-TL"

        def behaviour(incident: Incident) -> bool:
            return incident.category == "behaviour_and_distress"

        review = self.response(
            ResponseMethod.THEMATIC_REVIEW,
            self.select(wil, date(2024, 1, 1), date(2024, 7, 31), behaviour),
            date(2024, 8, 5),
            date(2024, 9, 2),
            _PBS,
            (rm, tl, *self.sample(self.in_post(wil, date(2024, 8, 5)), 3)),
            "Most distress followed changes to routine or unfamiliar staff; early signs "
            "were seen but not acted on; PBS plans were out of date and rarely read.",
        )
        factors = self.factors(
            review,
            (
                "person_factors",
                "Distress follows changes to routine and unfamiliar staff.",
            ),
            (
                "pbs_plan",
                "PBS plans not reviewed since people moved in; proactive strategies not used.",
            ),
            ("communication", "Handover does not pass on early signs of distress."),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement=(
                    "Staff respond to distress instead of preventing it: regular shared "
                    "reflection on each person's early signs and PBS plan is needed."
                ),
                factors=factors,
                responses=(review.id,),
                service=wil,
                recorded_by=_PBS,
                recorded_at=_at(date(2024, 9, 2), 17),
            )
        )
        action = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description=(
                    "Monthly facilitated reflective practice for the Willow team on "
                    "each person's PBS plan and early signs of distress."
                ),
                learning_points=(point.id,),
                owner=rm,
                due=date(2024, 10, 31),
                kind=ActionKind.REFLECTIVE_PRACTICE,
                services=(wil,),
                effectiveness_measure=EffectivenessMeasure(
                    measure="Behaviour and distress incidents per month at Willow",
                    target="At least halved against the January-September 2024 mean for six months",
                    by=date(2025, 6, 30),
                    measured_by=_QL,
                ),
                recorded_by=_PBS,
                recorded_at=_at(date(2024, 9, 2), 17),
            ),
            ("agreed", rm, _at(date(2024, 9, 9), 11)),
            ("started", rm, _at(date(2024, 10, 1), 9)),
            ("completed", rm, _at(date(2025, 1, 31), 15)),
        )
        self.add(
            TrainingSession(
                id=self.new_id("TRN"),
                topic="Positive behaviour support: early signs and proactive strategies",
                held_on=date(2024, 9, 24),
                service=wil,
                trainer=_PBS,
                attendees=tuple(self.in_post(wil, date(2024, 9, 24))),
                actions=(action.id,),
                learning_points=(point.id,),
                recorded_by=_TR,
                recorded_at=_at(date(2024, 9, 24), 17),
            ),
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.CARE_PLAN,
                description=(
                    "Every tenant's PBS plan reviewed with them and their family; early "
                    "signs and proactive strategies set out on one page."
                ),
                services=(wil,),
                effective_from=date(2024, 10, 14),
                actions=(action.id,),
                learning_points=(point.id,),
                recorded_by=rm,
                recorded_at=_at(date(2024, 10, 14), 12),
            ),
        )
        topics = (
            "Early signs of distress: what we notice first",
            "When plans change: preparing people for the unexpected",
            "Agency and new staff: passing on what works",
            "A difficult shift, talked through",
            "Proactive strategies that worked this month",
        )
        for index, (first, _) in enumerate(_months()):
            if first < date(2024, 10, 1):
                continue
            held = first + timedelta(days=7 + self.rng.randrange(7))
            self.add(
                ReflectivePracticeSession(
                    id=self.new_id("RPS"),
                    facilitator=_PBS,
                    attendees=self.sample(
                        self.in_post(wil, held), 4 + self.rng.randrange(4)
                    ),
                    held_on=held,
                    service=wil,
                    topic=topics[index % len(topics)],
                    actions=(action.id,),
                    learning_points=(point.id,),
                    recorded_by=_PBS,
                    recorded_at=_at(held, 16),
                )
            )
        for checked, scores in (
            (date(2024, 9, 16), (3, 2, 3, 4, 3, 2, 3, 3)),
            (date(2025, 3, 17), (4, 4, 3, 4, 5, 4, 4, 3)),
            (date(2025, 9, 15), (4, 5, 4, 4, 4, 5, 4, 3)),
        ):
            self.add(
                StaffConfidenceCheck(
                    id=self.new_id("SCC"),
                    service=wil,
                    team="TEAM-WILLOW-TEAM",
                    topic="Supporting people when they become distressed",
                    checked_on=checked,
                    scores=scores,
                    actions=(action.id,),
                    recorded_by=_PBS,
                    recorded_at=_at(checked, 15),
                )
            )
        before = self.monthly(wil, behaviour, date(2024, 1, 1), date(2024, 9, 30))
        after = self.monthly(wil, behaviour, date(2024, 10, 1), date(2025, 6, 30))
        reviewed = date(2025, 7, 14)
        self.add(
            EffectivenessReview(
                id=self.new_id("REV"),
                action=action.id,
                reviewed_on=reviewed,
                reviewer=_QL,
                verdict=ReviewVerdict.EFFECTIVE,
                evidence=(
                    f"Behaviour and distress incidents fell from {before[0]} a month "
                    f"(January-September 2024) to {after[0]} (October 2024-June 2025); "
                    "staff confidence rose from 2.9 to 3.9 out of 5."
                ),
                measurements=(
                    Measurement(
                        name="Behaviour and distress incidents per month",
                        value=before[0],
                        unit="incidents/month",
                        period_start=date(2024, 1, 1),
                        period_end=date(2024, 9, 30),
                    ),
                    Measurement(
                        name="Behaviour and distress incidents per month",
                        value=after[0],
                        unit="incidents/month",
                        period_start=date(2024, 10, 1),
                        period_end=date(2025, 6, 30),
                    ),
                    Measurement(
                        name="Behaviour and distress incidents per 1,000 care hours",
                        value=before[1],
                        unit="per 1,000 care hours",
                        period_start=date(2024, 1, 1),
                        period_end=date(2024, 9, 30),
                    ),
                    Measurement(
                        name="Behaviour and distress incidents per 1,000 care hours",
                        value=after[1],
                        unit="per 1,000 care hours",
                        period_start=date(2024, 10, 1),
                        period_end=date(2025, 6, 30),
                    ),
                ),
                recorded_by=_QL,
                recorded_at=_at(reviewed, 15),
            )
        )
        self.add(
            action.verified_effective(
                by=_QL, at=_at(reviewed, 16), reason="Review found the fall sustained."
            )
        )

    # --- pattern b: Oak House night falls, governance and sharing ---------------

    def oak(self) -> None:
        oak, rm, dm = "SVC-OAK", _manager("SVC-OAK"), "STAFF-OAK-DM"
        fall = self.keyed["oak_night_fall"]

        def night_fall(incident: Incident) -> bool:
            occurred = incident.occurred
            return (
                incident.category == "falls"
                and isinstance(occurred, datetime)
                and (occurred.hour >= 22 or occurred.hour < 6)
            )

        aar = self.response(
            ResponseMethod.AFTER_ACTION_REVIEW,
            (fall.id,),
            date(2024, 3, 18),
            date(2024, 3, 18),
            rm,
            ("STAFF-OAK-03", "STAFF-OAK-S2", dm),
            "Meant to happen: two-hourly checks upstairs. Happened: one carer covered "
            "both floors from 01:00 while the other took a break and helped downstairs.",
        )
        staffing = self.factors(
            aar,
            (
                "staffing_and_workload",
                "One waking carer covers two floors between 01:00 and 05:00.",
            ),
        )
        thematic = self.response(
            ResponseMethod.THEMATIC_REVIEW,
            tuple(
                i
                for i in self.select(
                    oak, date(2024, 1, 1), date(2024, 5, 31), night_fall
                )
            ),
            date(2024, 5, 13),
            date(2024, 6, 7),
            _QL,
            (rm, dm, "STAFF-OAK-S2", "STAFF-OAK-06"),
            "Two in three falls were at night, most upstairs between 01:00 and 05:00, "
            "when one carer covered both floors; sensor mats upstairs were often off.",
        )
        more = self.factors(
            thematic,
            (
                "staffing_and_workload",
                "Night rota leaves the upper floor uncovered during breaks.",
            ),
            ("equipment", "Sensor mats upstairs unplugged to stop false alarms."),
            (
                "communication",
                "Night handover does not say who is at high risk of falling.",
            ),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement=(
                    "Night checks slip and falls rise when one carer covers two floors: "
                    "night staffing must match where people at risk of falling sleep."
                ),
                factors=staffing + more,
                responses=(aar.id, thematic.id),
                scope=LearningScope.ORGANISATION,
                recorded_by=_QL,
                recorded_at=_at(date(2024, 6, 7), 17),
            )
        )
        proposed = _at(date(2024, 6, 7), 17)
        governance = _at(date(2024, 6, 20), 15)
        rota = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Roster a second waking night carer on the upper floor, 22:00-07:00.",
                learning_points=(point.id,),
                owner=rm,
                due=date(2024, 7, 31),
                kind=ActionKind.STAFFING_CHANGE,
                services=(oak,),
                effectiveness_measure=EffectivenessMeasure(
                    measure="Falls between 22:00 and 06:00 per month at Oak House",
                    target="Below 2 a month for six months",
                    by=date(2025, 1, 31),
                    measured_by=_QL,
                ),
                recorded_by=rm,
                recorded_at=proposed,
            ),
            ("agreed", _NI, governance),
            ("started", rm, _at(date(2024, 7, 1))),
            ("completed", rm, _at(date(2024, 8, 1))),
        )
        handover = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Add a falls-risk flag to the night handover sheet.",
                learning_points=(point.id,),
                owner=dm,
                due=date(2024, 7, 15),
                kind=ActionKind.STANDARD_COMMUNICATION,
                services=(oak,),
                recorded_by=rm,
                recorded_at=proposed,
            ),
            ("agreed", rm, governance),
            ("completed", dm, _at(date(2024, 7, 8), 12)),
        )
        night_map = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description=(
                    "Each home manager maps where people at high risk of falls sleep "
                    "and checks night staffing against the map."
                ),
                learning_points=(point.id,),
                owner=_QL,
                due=date(2024, 9, 30),
                kind=ActionKind.LEADERSHIP_ACTION,
                services=("SVC-ELM", "SVC-BIRCH"),
                recorded_by=_NI,
                recorded_at=governance,
            ),
            ("agreed", _NI, governance + timedelta(minutes=5)),
            ("started", _QL, _at(date(2024, 7, 1))),
            ("completed", _QL, _at(date(2024, 9, 26), 16)),
        )
        meeting = self.gov_id(date(2024, 6, 20))
        self.add(
            LearningShare(
                id=self.new_id("SHR"),
                teams=("TEAM-OAK-NIGHT",),
                services=(oak,),
                shared_by=rm,
                shared_on=date(2024, 6, 21),
                discussed_in=DiscussionSetting.HANDOVER,
                discussed_on=date(2024, 6, 21),
                meeting=meeting,
                learning_points=(point.id,),
                actions=(rota.id, handover.id),
                recorded_by=rm,
                recorded_at=_at(date(2024, 6, 21), 22),
            )
        )
        for home, shared, discussed in (
            ("SVC-ELM", date(2024, 6, 24), date(2024, 7, 3)),
            ("SVC-BIRCH", date(2024, 6, 24), date(2024, 7, 4)),
        ):
            self.add(
                LearningShare(
                    id=self.new_id("SHR"),
                    services=(home,),
                    shared_by=_QL,
                    shared_on=shared,
                    discussed_in=DiscussionSetting.TEAM_MEETING,
                    discussed_on=discussed,
                    meeting=meeting,
                    learning_points=(point.id,),
                    actions=(night_map.id,),
                    recorded_by=_manager(home),
                    recorded_at=_at(discussed, 16),
                )
            )
        # Supervision at the other homes (and Oak's night staff) carries it on.
        for home, supervisor in (
            ("SVC-OAK", "STAFF-OAK-S2"),
            ("SVC-ELM", "STAFF-ELM-DM"),
            ("SVC-BIRCH", "STAFF-BIRCH-N1"),
        ):
            staff = [s for s in self.in_post(home, date(2024, 7, 8)) if s != supervisor]
            for supervisee in self.sample(staff, 4):
                held = date(2024, 7, 8) + timedelta(days=self.rng.randrange(45))
                self.add(
                    SupervisionSession(
                        id=self.new_id("SUP"),
                        supervisee=supervisee,
                        supervisor=supervisor,
                        held_on=held,
                        reflective=self.rng.random() < 0.6,
                        notes="Talked through the Oak House night falls learning and how night checks are covered here.",
                        learning_points=(point.id,),
                        recorded_by=supervisor,
                        recorded_at=_at(held, 15),
                    )
                )
        self.add(
            TrainingSession(
                id=self.new_id("TRN"),
                topic="Falls prevention at night: checks, sensor mats and the post-fall huddle",
                held_on=date(2024, 7, 15),
                service=oak,
                trainer=_TR,
                attendees=self.sample(self.in_post(oak, date(2024, 7, 15)), 9),
                actions=(rota.id, handover.id),
                learning_points=(point.id,),
                recorded_by=_TR,
                recorded_at=_at(date(2024, 7, 15), 17),
            ),
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.POLICY_OR_PROCEDURE,
                description="Night handover sheet flags everyone at high risk of falling.",
                services=(oak,),
                effective_from=date(2024, 7, 8),
                actions=(handover.id,),
                recorded_by=dm,
                recorded_at=_at(date(2024, 7, 8), 12),
            ),
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.ROTA,
                description="Second waking night carer on the upper floor, 22:00-07:00.",
                services=(oak,),
                effective_from=date(2024, 8, 1),
                actions=(rota.id,),
                learning_points=(point.id,),
                recorded_by=rm,
                recorded_at=_at(date(2024, 7, 24), 12),
            ),
        )
        before = self.monthly(oak, night_fall, date(2024, 1, 1), date(2024, 7, 31))
        after = self.monthly(oak, night_fall, date(2024, 8, 1), date(2025, 1, 31))
        reviewed = date(2025, 2, 20)
        self.add(
            EffectivenessReview(
                id=self.new_id("REV"),
                action=rota.id,
                reviewed_on=reviewed,
                reviewer=_QL,
                verdict=ReviewVerdict.EFFECTIVE,
                evidence=(
                    f"Night falls fell from {before[0]} a month (January-July 2024) to "
                    f"{after[0]} (August 2024-January 2025), below the target of 2."
                ),
                measurements=(
                    Measurement(
                        name="Falls at night per month",
                        value=before[0],
                        unit="falls/month",
                        period_start=date(2024, 1, 1),
                        period_end=date(2024, 7, 31),
                    ),
                    Measurement(
                        name="Falls at night per month",
                        value=after[0],
                        unit="falls/month",
                        period_start=date(2024, 8, 1),
                        period_end=date(2025, 1, 31),
                    ),
                    Measurement(
                        name="Falls at night per 1,000 occupied bed days",
                        value=before[1],
                        unit="per 1,000 occupied bed days",
                        period_start=date(2024, 1, 1),
                        period_end=date(2024, 7, 31),
                    ),
                    Measurement(
                        name="Falls at night per 1,000 occupied bed days",
                        value=after[1],
                        unit="per 1,000 occupied bed days",
                        period_start=date(2024, 8, 1),
                        period_end=date(2025, 1, 31),
                    ),
                ),
                recorded_by=_QL,
                recorded_at=_at(reviewed, 15),
            )
        )
        self.add(rota.verified_effective(by=_QL, at=_at(reviewed, 16)))

    # --- pattern c: home care, confidence ---------------------------------------

    def homecare(self) -> None:
        hc, rm, tl = "SVC-HOMECARE", "STAFF-HOMECARE-RM", "STAFF-HOMECARE-TL"
        seniors = ("STAFF-HOMECARE-S1", "STAFF-HOMECARE-S2")
        review = self.response(
            ResponseMethod.MDT_REVIEW,
            (self.keyed["hc_neglect"].id, self.keyed["hc_deterioration"].id),
            date(2024, 11, 12),
            date(2024, 12, 3),
            rm,
            (_QL, tl, *seniors),
            "Carers saw the changes (eating less, breathless, confused) but were unsure "
            "whether they mattered or whom to tell; supervision rarely left room to "
            "talk through a worry.",
        )
        factors = self.factors(
            review,
            (
                "training_and_competence",
                "Staff unsure which signs of deterioration or self-neglect to escalate.",
            ),
            (
                "supervision_and_leadership",
                "Supervision covers tasks and rotas, not worries about people.",
            ),
            (
                "communication",
                "No clear route to escalate a concern during a visit or out of hours.",
            ),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement=(
                    "Home care workers notice risks emerging but are unsure when and how "
                    "to escalate; they need space to talk cases through and coaching on "
                    "the round."
                ),
                factors=factors,
                responses=(review.id,),
                service=hc,
                recorded_by=rm,
                recorded_at=_at(date(2024, 12, 3), 17),
            )
        )
        topic = "Recognising and escalating deterioration and self-neglect"
        action = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description=(
                    "Monthly reflective supervision for every care worker with a case "
                    "discussion on deterioration and self-neglect, and coaching on the "
                    "round by the senior carers."
                ),
                learning_points=(point.id,),
                owner=rm,
                due=date(2025, 4, 30),
                kind=ActionKind.SUPERVISION,
                services=(hc,),
                effectiveness_measure=EffectivenessMeasure(
                    measure=f"Staff confidence (1-5): {topic.lower()}",
                    target="Mean of 3.5 or more",
                    by=date(2025, 6, 30),
                    measured_by=_QL,
                ),
                recorded_by=rm,
                recorded_at=_at(date(2024, 12, 3), 17),
            ),
            ("agreed", _NI, _at(date(2024, 12, 12), 15)),
            ("started", rm, _at(date(2025, 1, 20))),
            ("completed", rm, _at(date(2025, 5, 2), 12)),
        )
        checks = (
            (date(2025, 1, 15), (2, 3, 2, 2, 3, 2, 3, 2, 3, 2)),
            (date(2025, 3, 20), (3, 4, 3, 3, 4, 3, 3, 3, 4, 3)),
            (date(2025, 6, 16), (4, 4, 5, 4, 4, 3, 4, 5, 4, 4)),
        )
        for checked, scores in checks:
            self.add(
                StaffConfidenceCheck(
                    id=self.new_id("SCC"),
                    service=hc,
                    topic=topic,
                    checked_on=checked,
                    scores=scores,
                    actions=(action.id,),
                    recorded_by=_QL,
                    recorded_at=_at(checked, 15),
                )
            )
        self.add(
            TrainingSession(
                id=self.new_id("TRN"),
                topic="Soft signs of deterioration and when to call for help",
                held_on=date(2025, 2, 5),
                service=hc,
                trainer=_TR,
                attendees=tuple(self.in_post(hc, date(2025, 2, 5))),
                actions=(action.id,),
                learning_points=(point.id,),
                recorded_by=_TR,
                recorded_at=_at(date(2025, 2, 5), 17),
            ),
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.POLICY_OR_PROCEDURE,
                description="Escalation flowchart in every visit folder and in the rostering app, with the on-call senior's number.",
                services=(hc,),
                effective_from=date(2025, 2, 1),
                actions=(action.id,),
                recorded_by=rm,
                recorded_at=_at(date(2025, 1, 30), 12),
            ),
        )
        workers = (StaffRole.CARE_WORKER,)
        for month in (
            date(2025, 2, 1),
            date(2025, 3, 1),
            date(2025, 4, 1),
            date(2025, 5, 1),
        ):
            for supervisee in self.in_post(hc, month, workers):
                held = month + timedelta(days=3 + self.rng.randrange(22))
                self.add(
                    SupervisionSession(
                        id=self.new_id("SUP"),
                        supervisee=supervisee,
                        supervisor=self.pick((tl, *seniors)),
                        held_on=held,
                        reflective=True,
                        notes="Case discussion: a person who seemed different at a visit, and what to do next time.",
                        actions=(action.id,),
                        learning_points=(point.id,),
                        recorded_by=tl,
                        recorded_at=_at(held, 16),
                    )
                )
        for week in range(8):
            held = date(2025, 2, 10) + timedelta(days=7 * week + self.rng.randrange(4))
            coach = seniors[week % 2]
            self.add(
                CoachingSession(
                    id=self.new_id("COA"),
                    coach=coach,
                    coachees=self.sample(self.in_post(hc, held, workers), 1 + week % 2),
                    held_on=held,
                    topic="On the round: what to check when someone seems different, and whom to call",
                    actions=(action.id,),
                    recorded_by=coach,
                    recorded_at=_at(held, 17),
                )
            )
        reviewed = date(2025, 6, 23)
        first, last = checks[0], checks[-1]
        self.add(
            EffectivenessReview(
                id=self.new_id("REV"),
                action=action.id,
                reviewed_on=reviewed,
                reviewer=_QL,
                verdict=ReviewVerdict.EFFECTIVE,
                evidence="Staff confidence rose from 2.4 to 4.1 out of 5; two escalations since March were timely.",
                measurements=tuple(
                    Measurement(
                        name="Mean staff confidence",
                        value=sum(scores) / len(scores),
                        unit="score out of 5",
                        period_start=checked,
                        period_end=checked,
                    )
                    for checked, scores in (first, last)
                ),
                recorded_by=_QL,
                recorded_at=_at(reviewed, 15),
            )
        )
        self.add(action.verified_effective(by=_QL, at=_at(reviewed, 16)))

    # --- what else an honest log holds ------------------------------------------

    def birch_pressure(self) -> None:
        """Training that did not work, found ineffective and replaced."""
        birch, rm, dm = "SVC-BIRCH", "STAFF-BIRCH-RM", "STAFF-BIRCH-DM"

        def ulcer(incident: Incident) -> bool:
            return incident.category == "pressure_ulcers_and_skin_damage"

        review = self.response(
            ResponseMethod.THEMATIC_REVIEW,
            self.select(birch, date(2024, 1, 1), date(2024, 3, 31), ulcer),
            date(2024, 4, 8),
            date(2024, 4, 26),
            dm,
            (rm, "STAFF-BIRCH-N1", "STAFF-BIRCH-N2"),
            "Repositioning and skin checks varied between carers and shifts; charts had gaps at night.",
        )
        factors = self.factors(
            review,
            (
                "training_and_competence",
                "Repositioning technique and skin checks vary between carers.",
            ),
            ("care_planning", "Repositioning frequency not set for each person."),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement="Skin checks and repositioning must be done the same way by everyone, every shift.",
                factors=factors,
                responses=(review.id,),
                service=birch,
                recorded_by=dm,
                recorded_at=_at(date(2024, 4, 26), 16),
            )
        )
        training = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Refresher training for all care staff on repositioning and skin checks.",
                learning_points=(point.id,),
                owner=dm,
                due=date(2024, 6, 30),
                kind=ActionKind.TRAINING,
                services=(birch,),
                effectiveness_measure=EffectivenessMeasure(
                    measure="New pressure ulcers and skin damage per month at Birch Lodge",
                    target="Fewer than 1.5 a month by December 2024",
                    by=date(2024, 12, 12),
                    measured_by=rm,
                ),
                recorded_by=dm,
                recorded_at=_at(date(2024, 4, 26), 16),
            ),
            ("agreed", rm, _at(date(2024, 5, 2), 10)),
            ("started", dm, _at(date(2024, 5, 20))),
            ("completed", dm, _at(date(2024, 6, 28), 15)),
        )
        for held in (date(2024, 6, 12), date(2024, 6, 26)):
            self.add(
                TrainingSession(
                    id=self.new_id("TRN"),
                    topic="Repositioning and skin checks (refresher)",
                    held_on=held,
                    service=birch,
                    trainer=_TR,
                    attendees=self.sample(self.in_post(birch, held), 6),
                    actions=(training.id,),
                    learning_points=(point.id,),
                    recorded_by=_TR,
                    recorded_at=_at(held, 17),
                )
            )
        before = self.monthly(birch, ulcer, date(2024, 1, 1), date(2024, 6, 30))
        after = self.monthly(birch, ulcer, date(2024, 7, 1), date(2024, 11, 30))
        reviewed = date(2024, 12, 12)
        self.add(
            EffectivenessReview(
                id=self.new_id("REV"),
                action=training.id,
                reviewed_on=reviewed,
                reviewer=rm,
                verdict=ReviewVerdict.NOT_EFFECTIVE,
                evidence=(
                    f"Pressure ulcers and skin damage: {before[0]} a month before the "
                    f"training, {after[0]} after. Charts still had gaps at night."
                ),
                measurements=(
                    Measurement(
                        name="Pressure ulcers and skin damage per month",
                        value=before[0],
                        unit="incidents/month",
                        period_start=date(2024, 1, 1),
                        period_end=date(2024, 6, 30),
                    ),
                    Measurement(
                        name="Pressure ulcers and skin damage per month",
                        value=after[0],
                        unit="incidents/month",
                        period_start=date(2024, 7, 1),
                        period_end=date(2024, 11, 30),
                    ),
                ),
                recorded_by=rm,
                recorded_at=_at(reviewed, 14),
            )
        )
        self.add(
            training.found_ineffective(
                by=rm,
                at=_at(reviewed, 15),
                reason="No fall in pressure damage after training.",
            )
        )
        second = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement=(
                    "Training alone did not change practice: a standard SSKIN bundle, "
                    "checked each shift by the nurse in charge, is needed."
                ),
                responses=(review.id,),
                factors=factors,
                service=birch,
                recorded_by=rm,
                recorded_at=_at(reviewed, 16),
            )
        )
        bundle = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="SSKIN bundle for everyone at risk, checked at each shift by the nurse in charge.",
                learning_points=(second.id,),
                owner=rm,
                due=date(2025, 2, 28),
                kind=ActionKind.STANDARDISED_PROCESS,
                services=(birch,),
                effectiveness_measure=EffectivenessMeasure(
                    measure="New pressure ulcers and skin damage per month at Birch Lodge",
                    target="Below 1.5 a month for six months",
                    by=date(2025, 8, 31),
                    measured_by=_QL,
                ),
                recorded_by=rm,
                recorded_at=_at(reviewed, 16),
            ),
            ("agreed", _NI, _at(date(2024, 12, 19), 15)),
            ("started", rm, _at(date(2025, 1, 6))),
            ("completed", rm, _at(date(2025, 2, 28), 12)),
        )
        self.add(
            TrainingSession(
                id=self.new_id("TRN"),
                topic="The SSKIN bundle and the nurse in charge's shift check",
                held_on=date(2025, 1, 20),
                service=birch,
                trainer="STAFF-BIRCH-N1",
                attendees=self.sample(self.in_post(birch, date(2025, 1, 20)), 8),
                actions=(bundle.id,),
                recorded_by=_TR,
                recorded_at=_at(date(2025, 1, 20), 17),
            ),
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.POLICY_OR_PROCEDURE,
                description="SSKIN bundle and a shift check by the nurse in charge.",
                services=(birch,),
                effective_from=date(2025, 2, 1),
                actions=(bundle.id,),
                recorded_by=rm,
                recorded_at=_at(date(2025, 1, 28), 12),
            ),
        )
        for held, coachee in (
            (date(2025, 2, 6), "STAFF-BIRCH-05"),
            (date(2025, 2, 13), "STAFF-BIRCH-06"),
        ):
            self.add(
                CoachingSession(
                    id=self.new_id("COA"),
                    coach="STAFF-BIRCH-N2",
                    coachees=(coachee,),
                    held_on=held,
                    topic="Skin checks during personal care, on shift",
                    actions=(bundle.id,),
                    recorded_by="STAFF-BIRCH-N2",
                    recorded_at=_at(held, 18),
                )
            )
        before = self.monthly(birch, ulcer, date(2024, 1, 1), date(2025, 1, 31))
        after = self.monthly(birch, ulcer, date(2025, 2, 1), date(2025, 7, 31))
        reviewed = date(2025, 8, 28)
        self.add(
            EffectivenessReview(
                id=self.new_id("REV"),
                action=bundle.id,
                reviewed_on=reviewed,
                reviewer=_QL,
                verdict=ReviewVerdict.EFFECTIVE,
                evidence=f"Pressure damage fell from {before[0]} to {after[0]} a month after the bundle began.",
                measurements=(
                    Measurement(
                        name="Pressure ulcers and skin damage per month",
                        value=before[0],
                        unit="incidents/month",
                        period_start=date(2024, 1, 1),
                        period_end=date(2025, 1, 31),
                    ),
                    Measurement(
                        name="Pressure ulcers and skin damage per month",
                        value=after[0],
                        unit="incidents/month",
                        period_start=date(2025, 2, 1),
                        period_end=date(2025, 7, 31),
                    ),
                ),
                recorded_by=_QL,
                recorded_at=_at(reviewed, 15),
            )
        )
        self.add(bundle.verified_effective(by=_QL, at=_at(reviewed, 16)))

    def birch_medication(self) -> None:
        """An action past its due date and still open."""
        birch, rm = "SVC-BIRCH", "STAFF-BIRCH-RM"
        review = self.response(
            ResponseMethod.THEMATIC_REVIEW,
            self.select(
                birch,
                date(2025, 1, 1),
                date(2025, 3, 31),
                lambda i: i.category == "medication",
            ),
            date(2025, 4, 7),
            date(2025, 4, 22),
            "STAFF-BIRCH-N1",
            (rm, "STAFF-BIRCH-N2", "STAFF-BIRCH-N3"),
            "Most errors were on rounds run by agency nurses new to the home's paper MAR charts.",
        )
        factors = self.factors(
            review,
            (
                "agency_staff",
                "Agency nurses unfamiliar with the home's medicines system.",
            ),
            (
                "medication_systems",
                "Handwritten MAR entries hard to read; changes crossed out.",
            ),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement="Paper MAR charts fail nurses who do not know the home; errors cluster on agency rounds.",
                factors=factors,
                responses=(review.id,),
                service=birch,
                recorded_by="STAFF-BIRCH-N1",
                recorded_at=_at(date(2025, 4, 22), 16),
            )
        )
        self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Move Birch Lodge from paper MAR charts to electronic MAR.",
                learning_points=(point.id,),
                owner=rm,
                due=date(2025, 9, 30),
                kind=ActionKind.SOFTWARE_CHANGE,
                services=(birch,),
                effectiveness_measure=EffectivenessMeasure(
                    measure="Medication incidents per 1,000 occupied bed days at Birch Lodge",
                    target="Back to the 2024 rate within three months of go-live",
                    by=date(2026, 1, 31),
                    measured_by=_QL,
                ),
                recorded_by=rm,
                recorded_at=_at(date(2025, 4, 22), 17),
            ),
            ("agreed", _NI, _at(date(2025, 5, 8), 14)),
            ("started", rm, _at(date(2025, 6, 2))),
        )
        checklist = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Induction checklist for agency nurses before their first medicines round.",
                learning_points=(point.id,),
                owner="STAFF-BIRCH-N1",
                due=date(2025, 5, 31),
                kind=ActionKind.CHECKLIST,
                services=(birch,),
                recorded_by=rm,
                recorded_at=_at(date(2025, 4, 22), 17),
            ),
            ("agreed", rm, _at(date(2025, 4, 24), 10)),
            ("completed", "STAFF-BIRCH-N1", _at(date(2025, 5, 30), 15)),
        )
        self.add(
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.POLICY_OR_PROCEDURE,
                description="Agency nurse medicines induction checklist.",
                services=(birch,),
                effective_from=date(2025, 6, 1),
                actions=(checklist.id,),
                recorded_by=rm,
                recorded_at=_at(date(2025, 5, 30), 16),
            )
        )

    def elm_bed(self) -> None:
        """An action rejected with its reason, and the one agreed instead."""
        elm, rm, dm = "SVC-ELM", "STAFF-ELM-RM", "STAFF-ELM-DM"
        fall = self.keyed["elm_bed_fall"]
        huddle = self.response(
            ResponseMethod.SWARM_HUDDLE,
            (fall.id,),
            date(2024, 9, 2),
            date(2024, 9, 2),
            dm,
            ("STAFF-ELM-03", "STAFF-ELM-S2"),
            "P-0050 is restless at night and has rolled out of bed twice; her bed is at standard height.",
        )
        factors = self.factors(
            huddle,
            (
                "equipment",
                "Standard-height bed with no crash mat for a restless sleeper.",
            ),
            ("care_planning", "Falls plan did not cover falls from bed."),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement="For people who fall from bed, lower the fall (low-low beds, crash mats) rather than restrain.",
                factors=factors,
                responses=(huddle.id,),
                service=elm,
                recorded_by=dm,
                recorded_at=_at(date(2024, 9, 2), 12),
            )
        )
        self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Fit bed rails to the beds of residents who have fallen from bed.",
                learning_points=(point.id,),
                owner=rm,
                due=date(2024, 9, 30),
                kind=ActionKind.PHYSICAL_CHANGE,
                services=(elm,),
                recorded_by=dm,
                recorded_at=_at(date(2024, 9, 2), 12),
            ),
            (
                "rejected",
                rm,
                _at(date(2024, 9, 5), 11),
                (
                    "Bed rails are a restriction and an entrapment risk for restless "
                    "residents; low-low beds with crash mats agreed instead."
                ),
            ),
        )
        beds = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="Low-low beds with crash mats for residents at risk of falling from bed.",
                learning_points=(point.id,),
                owner=rm,
                due=date(2024, 10, 31),
                kind=ActionKind.PHYSICAL_CHANGE,
                services=(elm,),
                effectiveness_measure=EffectivenessMeasure(
                    measure="Injuries from falls from bed at Elm Court",
                    target="None in six months",
                    by=date(2025, 4, 30),
                    measured_by=rm,
                ),
                recorded_by=rm,
                recorded_at=_at(date(2024, 9, 5), 11),
            ),
            ("agreed", _NI, _at(date(2024, 9, 9), 10)),
            ("started", rm, _at(date(2024, 9, 16))),
            ("completed", rm, _at(date(2024, 10, 25), 15)),
        )
        self.add(
            ServiceChange(
                id=self.new_id("CHG"),
                area=ChangeArea.EQUIPMENT,
                description="Four low-low beds and crash mats in place.",
                services=(elm,),
                effective_from=date(2024, 10, 21),
                actions=(beds.id,),
                recorded_by=rm,
                recorded_at=_at(date(2024, 10, 21), 16),
            )
        )

    def birch_choking(self) -> None:
        """A severe incident whose learning went to every service that serves food."""
        rm = "STAFF-BIRCH-RM"
        choking = self.keyed["birch_choking"]
        review = self.response(
            ResponseMethod.MDT_REVIEW,
            (choking.id,),
            date(2025, 2, 13),
            date(2025, 2, 27),
            rm,
            (_QL, "STAFF-BIRCH-N1", "STAFF-BIRCH-04"),
            "Speech and language therapy changed P-0095's diet to minced and moist; the "
            "kitchen's list still showed the old diet and the agency carer followed it.",
        )
        factors = self.factors(
            review,
            ("communication", "Diet changes reach the kitchen by word of mouth."),
            (
                "agency_staff",
                "Agency carer relied on the kitchen list, not the eating plan.",
            ),
        )
        point = self.point(
            LearningPoint(
                id=self.new_id("LP"),
                statement=(
                    "Eating and drinking plans (IDDSI levels) must reach the kitchen and "
                    "every shift on the day they change."
                ),
                factors=factors,
                responses=(review.id,),
                scope=LearningScope.ORGANISATION,
                recorded_by=_QL,
                recorded_at=_at(date(2025, 2, 27), 16),
            )
        )
        services = ("SVC-OAK", "SVC-ELM", "SVC-BIRCH", "SVC-ASH")
        action = self.lifecycle(
            Action(
                id=self.new_id("ACT"),
                description="One IDDSI diet sheet per person, updated and signed by the nurse or senior the day SALT advice changes, copied to the kitchen.",
                learning_points=(point.id,),
                owner=_QL,
                due=date(2025, 4, 30),
                kind=ActionKind.STANDARD_COMMUNICATION,
                services=services,
                effectiveness_measure=EffectivenessMeasure(
                    measure="Meals served at the wrong texture (audit and incidents)",
                    target="None in six months",
                    by=date(2025, 10, 31),
                    measured_by=_QL,
                ),
                recorded_by=_QL,
                recorded_at=_at(date(2025, 2, 27), 17),
            ),
            ("agreed", _NI, _at(date(2025, 3, 20), 15)),
            ("started", _QL, _at(date(2025, 3, 24))),
            ("completed", _QL, _at(date(2025, 4, 25), 12)),
        )
        meeting = self.gov_id(date(2025, 3, 20))
        for index, service in enumerate(services):
            discussed = date(2025, 3, 26) + timedelta(days=index * 2)
            self.add(
                LearningShare(
                    id=self.new_id("SHR"),
                    services=(service,),
                    shared_by=_QL,
                    shared_on=date(2025, 3, 21),
                    discussed_in=DiscussionSetting.TEAM_MEETING,
                    discussed_on=discussed,
                    meeting=meeting,
                    learning_points=(point.id,),
                    actions=(action.id,),
                    recorded_by=_manager(service),
                    recorded_at=_at(discussed, 16),
                )
            )
        self.add(
            TrainingSession(
                id=self.new_id("TRN"),
                topic="IDDSI textures and the diet sheet",
                held_on=date(2025, 4, 8),
                trainer=_TR,
                attendees=tuple(
                    staff
                    for service in services
                    for staff in self.sample(self.in_post(service, date(2025, 4, 8)), 3)
                ),
                actions=(action.id,),
                learning_points=(point.id,),
                recorded_by=_TR,
                recorded_at=_at(date(2025, 4, 8), 17),
            )
        )
        reviewed = date(2025, 10, 30)
        self.add(
            EffectivenessReview(
                id=self.new_id("REV"),
                action=action.id,
                reviewed_on=reviewed,
                reviewer=_QL,
                verdict=ReviewVerdict.EFFECTIVE,
                evidence="Monthly kitchen audits found no meal at the wrong texture from May to October 2025.",
                measurements=(
                    Measurement(
                        name="Meals at the wrong texture found by audit",
                        value=0.0,
                        unit="meals",
                        period_start=date(2025, 5, 1),
                        period_end=date(2025, 10, 31),
                    ),
                ),
                recorded_by=_QL,
                recorded_at=_at(reviewed, 15),
            )
        )
        self.add(action.verified_effective(by=_QL, at=_at(reviewed, 16)))

    # --- everyday learning: huddles after harm ----------------------------------

    def huddles(self) -> None:
        """Swarm huddles (or after action reviews) after moderate or worse harm."""
        rng = self.rng
        last_day = END - timedelta(days=10)
        for incident in list(self.incidents):
            harm = incident.harm
            if (
                incident.id in self.responded
                or incident.entered_in_error
                or harm is None
                or incident.occurred_on > last_day
                or not harm.is_moderate_or_worse
            ):
                continue
            severe = harm.rank >= 3
            if not severe and rng.random() > 0.4:
                continue
            service = incident.service
            rm = _manager(service)
            day = incident.reported_at.date() + timedelta(days=1 + rng.randrange(3))
            method = (
                ResponseMethod.AFTER_ACTION_REVIEW
                if severe
                else ResponseMethod.SWARM_HUDDLE
            )
            if incident.category == "death":
                method = ResponseMethod.MDT_REVIEW
            staff = tuple(s for s in incident.staff_involved if s != rm)
            response = self.response(
                method,
                (incident.id,),
                day,
                day,
                rm,
                staff,
                f"Reviewed {incident.description[0].lower()}{incident.description[1:]}",
            )
            found = _HUDDLE_FACTORS[incident.category]
            factors = self.factors(response, found[rng.randrange(len(found))])
            point = self.point(
                LearningPoint(
                    id=self.new_id("LP"),
                    statement=_HUDDLE_POINTS[incident.category],
                    factors=factors,
                    responses=(response.id,),
                    service=service,
                    recorded_by=rm,
                    recorded_at=_at(day, 17),
                )
            )
            if rng.random() < 0.25:
                continue  # learning drawn, no action (yet): a loop left open
            due = day + timedelta(days=28)
            measured = rng.random() < 0.5
            action = Action(
                id=self.new_id("ACT"),
                description=f"{_HUDDLE_POINTS[incident.category]} ({incident.id})",
                learning_points=(point.id,),
                owner=rm,
                due=due,
                kind=_HUDDLE_KIND[incident.category],
                services=(service,),
                effectiveness_measure=(
                    EffectivenessMeasure(
                        measure=f"Repeat {incident.category.replace('_', ' ')} incidents for the person",
                        target="None in three months",
                        by=due + timedelta(days=90),
                        measured_by=rm,
                    )
                    if measured
                    else None
                ),
                recorded_by=rm,
                recorded_at=_at(day, 17),
            )
            steps: list[tuple[str, str, datetime]] = [
                ("agreed", rm, _at(day + timedelta(days=2), 10))
            ]
            done = day + timedelta(days=10 + rng.randrange(30))
            if done <= END:
                steps.append(("completed", rm, _at(done, 15)))
            action = self.lifecycle(action, *steps)
            by = (
                action.effectiveness_measure.by
                if action.effectiveness_measure
                else None
            )
            if done <= END and by is not None and by <= END and rng.random() < 0.4:
                verdict = (
                    ReviewVerdict.EFFECTIVE
                    if rng.random() < 0.7
                    else ReviewVerdict.PARTLY_EFFECTIVE
                )
                self.add(
                    EffectivenessReview(
                        id=self.new_id("REV"),
                        action=action.id,
                        reviewed_on=by,
                        reviewer=rm,
                        verdict=verdict,
                        evidence=(
                            "No repeat in three months."
                            if verdict is ReviewVerdict.EFFECTIVE
                            else "One repeat, with less harm; plan adjusted."
                        ),
                        recorded_by=rm,
                        recorded_at=_at(by, 14),
                    )
                )
                if verdict is ReviewVerdict.EFFECTIVE:
                    self.add(action.verified_effective(by=rm, at=_at(by, 15)))

    # --- governance -----------------------------------------------------------------

    def gov_id(self, held: date) -> str:
        return f"GOV-{_GOVERNANCE.index(held) + 1:04d}"

    def governance(self) -> None:
        """Quarterly organisation-level meetings, each followed by a bulletin."""
        managers = tuple(_manager(service.id) for service in _SERVICES)
        everywhere = tuple(service.id for service in _SERVICES)
        previous = START - timedelta(days=1)
        for held in _GOVERNANCE:

            def window(day: date, start: date = previous, end: date = held) -> bool:
                return start < day <= end

            incidents = tuple(
                incident.id
                for incident in self.incidents
                if window(incident.reported_at.date())
                and not incident.entered_in_error
                and incident.harm is not None
                and incident.harm.is_moderate_or_worse
            )
            points = tuple(p.id for p in self.points if window(p.recorded_at.date()))
            actions = tuple(
                dict.fromkeys(
                    record.id
                    for record in self.records
                    if isinstance(record, Action) and window(record.recorded_at.date())
                )
            )
            meeting = GovernanceMeeting(
                id=self.gov_id(held),
                level=MeetingLevel.ORGANISATION,
                held_on=held,
                incidents_reviewed=incidents,
                learning_points=points,
                actions=actions,
                circulated_to=everywhere,
                attendees=(_NI, _QL, *managers),
                minutes=(
                    f"Quarterly quality and safety meeting: {len(incidents)} incidents of "
                    f"moderate or worse harm, {len(points)} learning points and "
                    f"{len(actions)} actions reviewed."
                ),
                recorded_by=_QL,
                recorded_at=_at(held, 17),
            )
            self.add(meeting)
            wide = tuple(
                p.id
                for p in self.points
                if p.id in points and p.scope is not LearningScope.SERVICE
            )
            if wide:
                shared = held + timedelta(days=4)
                self.add(
                    LearningShare(
                        id=self.new_id("SHR"),
                        services=everywhere,
                        shared_by=_QL,
                        shared_on=shared,
                        discussed_in=DiscussionSetting.BULLETIN,
                        meeting=meeting.id,
                        learning_points=wide,
                        recorded_by=_QL,
                        recorded_at=_at(shared, 12),
                    )
                )
            previous = held

    def build(self) -> tuple[Record, ...]:
        self.organisation()
        self.exposures()
        self.build_incidents()
        self.oak()
        self.willow()
        self.homecare()
        self.birch_pressure()
        self.elm_bed()
        self.birch_choking()
        self.birch_medication()
        self.huddles()
        self.governance()
        order = {cls: index for index, cls in enumerate(RECORD_TYPES)}
        return tuple(sorted(self.records, key=lambda record: order[type(record)]))


_GOVERNANCE = (
    date(2024, 3, 21),
    date(2024, 6, 20),
    date(2024, 9, 19),
    date(2024, 12, 12),
    date(2025, 3, 20),
    date(2025, 6, 19),
    date(2025, 9, 18),
    date(2025, 12, 11),
)
"""When the quarterly organisation-level governance meeting met."""


EXAMPLE_LOCAL_CODES: tuple[LocalCode, ...] = (
    LocalCode(
        vocabulary="care_factor_domain",
        code="pbs_plan",
        display="Positive behaviour support (PBS) plan",
        nearest="care_planning",
    ),
)
"""The local codes Oakvale declares: a factor domain its supported living
service uses, nearest to the built-in ``care_planning``."""


def example_records() -> tuple[Record, ...]:
    """Build every record of the example provider, Oakvale Care Group.

    The result is the same on every call: it comes from a fixed seed and
    never reads the clock. Every version of every record is included,
    oldest first within each record.

    Returns:
        The records, grouped by kind in ``RECORD_TYPES`` order.

    Examples:
        >>> from incident_learning.samples import example_records
        >>> from incident_learning.samples.example import EXAMPLE_LOCAL_CODES
        >>> records = example_records()
        >>> log = il.LearningLog(records, local_codes=EXAMPLE_LOCAL_CODES)
        >>> log.provider.id
        'PRV-OAKVALE'
        >>> sorted(log.of_kind(il.Service))
        ['SVC-ASH', 'SVC-BIRCH', 'SVC-ELM', 'SVC-HOMECARE', 'SVC-OAK', 'SVC-WILLOW']
    """
    return _Oakvale().build()


def example_log() -> LearningLog:
    """Load the bundled example log of Oakvale Care Group.

    It is the log of :func:`example_records`, stored as JSON Lines in
    ``oakvale.jsonl`` next to this module, so loading it is quicker than
    building it.

    Examples:
        >>> from incident_learning import samples
        >>> log = samples.example_log()
        >>> log.provider.name
        'Oakvale Care Group'
        >>> log.get("SVC-WILLOW", il.Service).service_type.display
        'Supported living'
    """
    data = resources.files("incident_learning.samples") / DATA_FILE
    return loads_jsonl(data.read_bytes())


def write_example(path: str | os.PathLike[str]) -> None:
    """Write the example log, built from :func:`example_records`, to *path* as JSON Lines.

    Args:
        path: Where to write; the bundled copy is ``oakvale.jsonl`` next to
            this module.
    """
    text = dumps_jsonl(LearningLog(example_records(), local_codes=EXAMPLE_LOCAL_CODES))
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    write_example(os.path.join(os.path.dirname(os.path.abspath(__file__)), DATA_FILE))
