"""Closed vocabularies of the model: enumerations whose stored values never change.

Every enumeration is a :class:`enum.StrEnum` with explicit lower_snake values;
the value is what files hold. Scales carry an explicit :attr:`rank` because
string enums order alphabetically, and where a national standard has its own
code (LFPSE harm levels, CQC criteria) the member exposes it too.

Open vocabularies (incident categories, contributing-factor domains), which a
provider can extend with local codes, live in :mod:`incident_learning.model.codes`.
"""

import enum

__all__ = [
    "ActionKind",
    "ActionStatus",
    "ActionStrength",
    "CandourStep",
    "ChangeArea",
    "CqcCriterion",
    "CqcRegulation",
    "DiscussionSetting",
    "EventType",
    "FactorFramework",
    "HarmLevel",
    "LearningScope",
    "MeetingLevel",
    "OccurrencePrecision",
    "PhysicalHarm",
    "PsychologicalHarm",
    "ResponseMethod",
    "ReviewVerdict",
    "ServiceType",
    "StaffRole",
]


@enum.unique
class ServiceType(enum.StrEnum):
    """The kind of adult social care service registered with CQC.

    Examples:
        >>> ServiceType("supported_living").display
        'Supported living'
    """

    RESIDENTIAL_HOME = "residential_home"
    NURSING_HOME = "nursing_home"
    SUPPORTED_LIVING = "supported_living"
    HOME_CARE = "home_care"
    DAY_SERVICE = "day_service"
    EXTRA_CARE = "extra_care"
    SHARED_LIVES = "shared_lives"

    @property
    def display(self) -> str:
        """The name people use for the service type."""
        return self.value.replace("_", " ").capitalize()

    @property
    def is_bed_based(self) -> bool:
        """Whether exposure is counted in occupied bed days (else care hours)."""
        return self in {ServiceType.RESIDENTIAL_HOME, ServiceType.NURSING_HOME}


@enum.unique
class StaffRole(enum.StrEnum):
    """A member of staff's role; no personal name is needed to record one.

    Examples:
        >>> StaffRole.REGISTERED_MANAGER.is_manager
        True
    """

    CARE_WORKER = "care_worker"
    SUPPORT_WORKER = "support_worker"
    SENIOR_CARE_WORKER = "senior_care_worker"
    NURSE = "nurse"
    TEAM_LEADER = "team_leader"
    DEPUTY_MANAGER = "deputy_manager"
    REGISTERED_MANAGER = "registered_manager"
    QUALITY_LEAD = "quality_lead"
    TRAINER = "trainer"
    NOMINATED_INDIVIDUAL = "nominated_individual"
    OTHER = "other"

    @property
    def is_manager(self) -> bool:
        """Whether the role manages a service or the organisation."""
        return self in {
            StaffRole.DEPUTY_MANAGER,
            StaffRole.REGISTERED_MANAGER,
            StaffRole.NOMINATED_INDIVIDUAL,
        }


@enum.unique
class EventType(enum.StrEnum):
    """The four LFPSE event types.

    A near miss is not a fifth type: it is an ``incident`` that did not reach
    the person (FHIR ``actuality = potential``).

    Examples:
        >>> EventType.GOOD_CARE.display
        'Good care'
    """

    INCIDENT = "incident"
    OUTCOME = "outcome"
    RISK = "risk"
    GOOD_CARE = "good_care"

    @property
    def display(self) -> str:
        """The LFPSE display text."""
        return self.value.replace("_", " ").capitalize()


@enum.unique
class OccurrencePrecision(enum.StrEnum):
    """How precisely an incident's occurrence is known (LFPSE allows estimates)."""

    EXACT = "exact"
    DATE_ONLY = "date_only"
    ESTIMATED_PERIOD = "estimated_period"


class _Scale(enum.StrEnum):
    """A scale whose members are declared from least to most severe."""

    @property
    def rank(self) -> int:
        """Position on the scale, 0 for the least severe.

        Compare ranks, never members: a ``StrEnum`` orders alphabetically.
        """
        return _RANKS[self]


@enum.unique
class PhysicalHarm(_Scale):
    """Level of physical harm to one person (LFPSE code system).

    Examples:
        >>> PhysicalHarm.MODERATE.lfpse_code
        3
        >>> PhysicalHarm.NONE < PhysicalHarm.LOW  # compares the strings!
        False
        >>> PhysicalHarm.NONE.rank < PhysicalHarm.LOW.rank
        True
    """

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"
    FATAL = "fatal"

    @property
    def lfpse_code(self) -> int:
        """The LFPSE *Level of Physical Harm* code, from 5 (none) to 1 (fatal)."""
        return 5 - self.rank

    @property
    def harm_level(self) -> "HarmLevel":
        """The same level on the combined scale."""
        return HarmLevel(self.value)


@enum.unique
class PsychologicalHarm(_Scale):
    """Level of psychological harm to one person (LFPSE code system).

    Examples:
        >>> PsychologicalHarm.SEVERE.lfpse_code
        1
    """

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def lfpse_code(self) -> int:
        """The LFPSE *Level of Psychological Harm* code, from 4 (none) to 1 (severe)."""
        return 4 - self.rank

    @property
    def harm_level(self) -> "HarmLevel":
        """The same level on the combined scale."""
        return HarmLevel(self.value)


@enum.unique
class HarmLevel(_Scale):
    """The combined harm scale an incident's harm is derived on.

    It is the worse of the physical and psychological levels of everyone
    affected; it is never stored.

    Examples:
        >>> max([HarmLevel.LOW, HarmLevel.SEVERE], key=lambda level: level.rank)
        <HarmLevel.SEVERE: 'severe'>
    """

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"
    FATAL = "fatal"

    @property
    def is_moderate_or_worse(self) -> bool:
        """Whether the harm is moderate, severe or fatal."""
        return self.rank >= 2


@enum.unique
class CqcRegulation(enum.StrEnum):
    """The CQC (Registration) Regulations 2009 notification regulations."""

    REG_16 = "reg_16"
    REG_18 = "reg_18"

    @property
    def display(self) -> str:
        """The regulation's short title."""
        return {
            CqcRegulation.REG_16: "Regulation 16: death of a service user",
            CqcRegulation.REG_18: "Regulation 18: notification of other incidents",
        }[self]


@enum.unique
class CqcCriterion(enum.StrEnum):
    """Why an incident was notifiable to CQC.

    Examples:
        >>> CqcCriterion.DEATH.regulation
        <CqcRegulation.REG_16: 'reg_16'>
        >>> CqcCriterion.SERIOUS_INJURY.lfpse_code
        2
        >>> CqcCriterion.POLICE_INCIDENT.lfpse_code is None
        True
    """

    DEATH = "death"
    SERIOUS_INJURY = "serious_injury"
    ABUSE_OR_ALLEGATION = "abuse_or_allegation"
    SERVICE_DISRUPTION = "service_disruption"
    POLICE_INCIDENT = "police_incident"
    DOLS_APPLICATION = "dols_application"

    @property
    def regulation(self) -> CqcRegulation:
        """The regulation under which this criterion is notified."""
        return (
            CqcRegulation.REG_16 if self is CqcCriterion.DEATH else CqcRegulation.REG_18
        )

    @property
    def lfpse_code(self) -> int | None:
        """The LFPSE *CQC Criteria* code, where LFPSE has one."""
        return _CQC_LFPSE.get(self)


@enum.unique
class CandourStep(enum.StrEnum):
    """The steps of the Duty of Candour (Regulation 20), in their usual order."""

    NOTIFIED_IN_PERSON = "notified_in_person"
    APOLOGY_GIVEN = "apology_given"
    SUPPORT_OFFERED = "support_offered"
    WRITTEN_FOLLOW_UP = "written_follow_up"
    RECORD_KEPT = "record_kept"


@enum.unique
class ResponseMethod(enum.StrEnum):
    """How an incident was learned from: the PSIRF methods plus two local ones.

    Examples:
        >>> ResponseMethod.AFTER_ACTION_REVIEW.is_psirf
        True
        >>> ResponseMethod.REFLECTIVE_REVIEW.is_psirf
        False
    """

    SWARM_HUDDLE = "swarm_huddle"
    AFTER_ACTION_REVIEW = "after_action_review"
    MDT_REVIEW = "mdt_review"
    PSII = "psii"
    THEMATIC_REVIEW = "thematic_review"
    REFLECTIVE_REVIEW = "reflective_review"
    LOCAL_REVIEW = "local_review"

    @property
    def is_psirf(self) -> bool:
        """Whether the method is one the PSIRF names."""
        return self not in {
            ResponseMethod.REFLECTIVE_REVIEW,
            ResponseMethod.LOCAL_REVIEW,
        }


@enum.unique
class FactorFramework(enum.StrEnum):
    """The contributing-factor framework a factor's domain is coded in.

    ``care`` is the library's default care taxonomy; the others are mappable
    to it (see :mod:`incident_learning.model.codes`).
    """

    CARE = "care"
    SEIPS = "seips"
    LONDON_PROTOCOL = "london_protocol"
    YCFF = "ycff"


@enum.unique
class LearningScope(enum.StrEnum):
    """How far a learning point reaches."""

    SERVICE = "service"
    ORGANISATION = "organisation"
    SYSTEM = "system"


@enum.unique
class ActionStrength(_Scale):
    """Strength on the VA / RCA² action hierarchy, weakest first.

    Examples:
        >>> ActionStrength.STRONGER.rank > ActionStrength.WEAKER.rank
        True
    """

    WEAKER = "weaker"
    INTERMEDIATE = "intermediate"
    STRONGER = "stronger"


@enum.unique
class ActionKind(enum.StrEnum):
    """The intervention type of an action, from the action hierarchy.

    Examples:
        >>> ActionKind.PHYSICAL_CHANGE.strength
        <ActionStrength.STRONGER: 'stronger'>
        >>> ActionKind.TRAINING.strength
        <ActionStrength.WEAKER: 'weaker'>
    """

    # stronger
    PHYSICAL_CHANGE = "physical_change"
    FORCING_FUNCTION = "forcing_function"
    STANDARDISED_PROCESS = "standardised_process"
    LEADERSHIP_ACTION = "leadership_action"
    # intermediate
    REDUNDANCY = "redundancy"
    STAFFING_CHANGE = "staffing_change"
    SOFTWARE_CHANGE = "software_change"
    REDUCED_DISTRACTION = "reduced_distraction"
    CHECKLIST = "checklist"
    STANDARD_COMMUNICATION = "standard_communication"
    CARE_PLAN_CHANGE = "care_plan_change"
    SUPERVISION = "supervision"
    REFLECTIVE_PRACTICE = "reflective_practice"
    COACHING = "coaching"
    # weaker
    DOUBLE_CHECK = "double_check"
    WARNING = "warning"
    POLICY = "policy"
    TRAINING = "training"
    FURTHER_STUDY = "further_study"

    @property
    def strength(self) -> ActionStrength:
        """The default strength of this kind of action on the hierarchy."""
        return _KIND_STRENGTH[self]


@enum.unique
class ActionStatus(enum.StrEnum):
    """Where an action is in its lifecycle.

    The allowed moves are listed in :data:`~incident_learning.model.action.TRANSITIONS`.
    """

    PROPOSED = "proposed"
    AGREED = "agreed"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    VERIFIED_EFFECTIVE = "verified_effective"
    FOUND_INEFFECTIVE = "found_ineffective"

    @property
    def is_final(self) -> bool:
        """Whether the loop for this action is closed, one way or another."""
        return self in {
            ActionStatus.REJECTED,
            ActionStatus.VERIFIED_EFFECTIVE,
            ActionStatus.FOUND_INEFFECTIVE,
        }


@enum.unique
class ChangeArea(enum.StrEnum):
    """What a service change altered."""

    POLICY_OR_PROCEDURE = "policy_or_procedure"
    CARE_PLAN = "care_plan"
    ENVIRONMENT = "environment"
    EQUIPMENT = "equipment"
    STAFFING = "staffing"
    ROTA = "rota"


@enum.unique
class MeetingLevel(enum.StrEnum):
    """The level a governance meeting sits at."""

    SERVICE = "service"
    ORGANISATION = "organisation"
    BOARD = "board"


@enum.unique
class DiscussionSetting(enum.StrEnum):
    """Where shared learning was discussed with staff."""

    TEAM_MEETING = "team_meeting"
    HANDOVER = "handover"
    SUPERVISION = "supervision"
    REFLECTIVE_PRACTICE = "reflective_practice"
    GOVERNANCE_MEETING = "governance_meeting"
    BULLETIN = "bulletin"


@enum.unique
class ReviewVerdict(enum.StrEnum):
    """What an effectiveness review concluded about an action."""

    EFFECTIVE = "effective"
    PARTLY_EFFECTIVE = "partly_effective"
    NOT_EFFECTIVE = "not_effective"


_RANKS: dict[_Scale, int] = {
    member: index
    for scale in (PhysicalHarm, PsychologicalHarm, HarmLevel, ActionStrength)
    for index, member in enumerate(scale)
}

_CQC_LFPSE = {
    CqcCriterion.DEATH: 1,
    CqcCriterion.SERIOUS_INJURY: 2,
    CqcCriterion.ABUSE_OR_ALLEGATION: 3,
    CqcCriterion.SERVICE_DISRUPTION: 4,
}

_KIND_STRENGTH = {
    **dict.fromkeys(
        (
            ActionKind.PHYSICAL_CHANGE,
            ActionKind.FORCING_FUNCTION,
            ActionKind.STANDARDISED_PROCESS,
            ActionKind.LEADERSHIP_ACTION,
        ),
        ActionStrength.STRONGER,
    ),
    **dict.fromkeys(
        (
            ActionKind.REDUNDANCY,
            ActionKind.STAFFING_CHANGE,
            ActionKind.SOFTWARE_CHANGE,
            ActionKind.REDUCED_DISTRACTION,
            ActionKind.CHECKLIST,
            ActionKind.STANDARD_COMMUNICATION,
            ActionKind.CARE_PLAN_CHANGE,
            ActionKind.SUPERVISION,
            ActionKind.REFLECTIVE_PRACTICE,
            ActionKind.COACHING,
        ),
        ActionStrength.INTERMEDIATE,
    ),
    **dict.fromkeys(
        (
            ActionKind.DOUBLE_CHECK,
            ActionKind.WARNING,
            ActionKind.POLICY,
            ActionKind.TRAINING,
            ActionKind.FURTHER_STUDY,
        ),
        ActionStrength.WEAKER,
    ),
}
