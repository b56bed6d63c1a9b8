"""Open vocabularies: incident categories and contributing-factor domains.

A provider codes its incidents and factors from built-in vocabularies, and may
add *local codes* that a log declares explicitly, each with a display text and
the nearest built-in code, so analyses across providers still line up. A code
that is neither built in nor declared is an error naming the vocabulary.

The default factor taxonomy, ``care``, is written for adult social care and
maps to the three frameworks the sector uses: SEIPS (work system), the London
Protocol and the Yorkshire Contributory Factors Framework (YCFF).
"""

import functools
from collections.abc import Mapping

import attrs

from incident_learning.model.vocab import FactorFramework

__all__ = [
    "BUILT_IN_VOCABULARIES",
    "INCIDENT_CATEGORIES",
    "Concept",
    "LocalCode",
    "Vocabulary",
    "factor_vocabulary",
    "to_care_domain",
]


@attrs.frozen(kw_only=True)
class Concept:
    """One code in a vocabulary.

    Attributes:
        code: The stored lower_snake code.
        display: The text people read.
        maps_to: For the ``care`` factor taxonomy, the nearest code in each
            other framework.
    """

    code: str
    display: str
    maps_to: Mapping[FactorFramework, str] = attrs.field(factory=dict, eq=False)


@attrs.frozen
class Vocabulary:
    """A named, ordered set of concepts.

    Examples:
        >>> INCIDENT_CATEGORIES["falls"].display
        'Falls'
        >>> "fall" in INCIDENT_CATEGORIES
        False
    """

    name: str
    concepts: tuple[Concept, ...]

    @functools.cached_property
    def _by_code(self) -> dict[str, Concept]:
        return {concept.code: concept for concept in self.concepts}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Concept:
        return self._by_code[code]

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes in declaration order."""
        return tuple(concept.code for concept in self.concepts)


@attrs.frozen(kw_only=True)
class LocalCode:
    """A code a provider adds to a built-in vocabulary.

    A local code is data, not a fork: it names the built-in code it is nearest
    to, so reports that compare providers can still group it.

    Attributes:
        vocabulary: The vocabulary it extends, e.g. ``incident_category`` or
            ``care_factor_domain`` (see :data:`BUILT_IN_VOCABULARIES`).
        code: The new code; it must not clash with a built-in one.
        display: The text people read.
        nearest: The built-in code of the same vocabulary it is closest to.

    Examples:
        >>> LocalCode(
        ...     vocabulary="incident_category",
        ...     code="lost_property",
        ...     display="Lost property",
        ...     nearest="information_and_confidentiality",
        ... ).nearest
        'information_and_confidentiality'
    """

    vocabulary: str
    code: str
    display: str
    nearest: str


def _concepts(*pairs: tuple[str, str]) -> tuple[Concept, ...]:
    return tuple(Concept(code=code, display=display) for code, display in pairs)


INCIDENT_CATEGORIES = Vocabulary(
    "incident_category",
    _concepts(
        ("falls", "Falls"),
        ("medication", "Medication"),
        ("behaviour_and_distress", "Behaviour and distress"),
        ("safeguarding_and_abuse", "Safeguarding and abuse"),
        ("pressure_ulcers_and_skin_damage", "Pressure ulcers and skin damage"),
        ("infection", "Infection"),
        ("choking", "Choking"),
        ("missing_person", "Missing person"),
        ("self_harm", "Self-harm"),
        ("unexplained_injury", "Unexplained injury"),
        ("equipment", "Equipment"),
        ("environment", "Environment"),
        ("information_and_confidentiality", "Information and confidentiality"),
        ("violence_and_aggression", "Violence and aggression (incl. towards staff)"),
        ("death", "Deaths"),
    ),
)
"""The care-home incident categories staff use (see ``DOMAIN.md``)."""

_SEIPS = Vocabulary(
    "seips_factor_domain",
    _concepts(
        ("person", "Person"),
        ("tasks", "Tasks"),
        ("tools_and_technology", "Tools and technology"),
        ("organisation", "Organisation"),
        ("internal_environment", "Internal environment"),
        ("external_environment", "External environment"),
    ),
)

_LONDON = Vocabulary(
    "london_protocol_factor_domain",
    _concepts(
        ("institutional", "Institutional context"),
        ("organisational_and_management", "Organisational and management"),
        ("work_environment", "Work environment"),
        ("team", "Team (incl. supervision and seeking help)"),
        ("individual_staff", "Individual staff"),
        ("task_and_technology", "Task and technology"),
        ("patient", "Person supported"),
    ),
)

_YCFF = Vocabulary(
    "ycff_factor_domain",
    _concepts(
        ("active_failures", "Active failures"),
        ("communication_systems", "Communication systems"),
        ("equipment_and_supplies", "Equipment and supplies"),
        ("external_policy_context", "External policy context"),
        ("design_of_equipment", "Design of equipment and supplies"),
        ("individual_factors", "Individual factors"),
        ("lines_of_responsibility", "Lines of responsibility"),
        ("management_of_staff", "Management of staff and staffing levels"),
        ("patient_factors", "Person factors"),
        ("physical_environment", "Physical environment"),
        ("policy_and_procedures", "Policy and procedures"),
        ("safety_culture", "Safety culture"),
        ("scheduling", "Scheduling and bed management"),
        ("staff_workload", "Staff workload"),
        ("supervision_and_leadership", "Supervision and leadership"),
        ("support_from_central_functions", "Support from central functions"),
        ("task_characteristics", "Task characteristics"),
        ("team_factors", "Team factors"),
        ("training_and_education", "Training and education"),
    ),
)

_S, _L, _Y = (
    FactorFramework.SEIPS,
    FactorFramework.LONDON_PROTOCOL,
    FactorFramework.YCFF,
)


def _care(code: str, display: str, seips: str, london: str, ycff: str) -> Concept:
    return Concept(
        code=code, display=display, maps_to={_S: seips, _L: london, _Y: ycff}
    )


_CARE = Vocabulary(
    "care_factor_domain",
    (
        _care(
            "communication",
            "Communication and handover",
            "tasks",
            "team",
            "communication_systems",
        ),
        _care(
            "staffing_and_workload",
            "Staffing and workload",
            "organisation",
            "work_environment",
            "staff_workload",
        ),
        _care(
            "agency_staff",
            "Agency and unfamiliar staff",
            "organisation",
            "work_environment",
            "management_of_staff",
        ),
        _care(
            "training_and_competence",
            "Training and competence",
            "person",
            "individual_staff",
            "training_and_education",
        ),
        _care(
            "supervision_and_leadership",
            "Supervision and leadership",
            "organisation",
            "team",
            "supervision_and_leadership",
        ),
        _care(
            "policies_and_procedures",
            "Policies and procedures",
            "organisation",
            "organisational_and_management",
            "policy_and_procedures",
        ),
        _care(
            "care_planning",
            "Care and support planning (incl. PBS plans)",
            "tasks",
            "task_and_technology",
            "task_characteristics",
        ),
        _care(
            "person_factors",
            "Person supported: health, needs and behaviour",
            "person",
            "patient",
            "patient_factors",
        ),
        _care(
            "family_involvement",
            "Family and advocate involvement",
            "external_environment",
            "patient",
            "patient_factors",
        ),
        _care(
            "equipment",
            "Equipment and assistive technology",
            "tools_and_technology",
            "task_and_technology",
            "equipment_and_supplies",
        ),
        _care(
            "physical_environment",
            "Physical environment",
            "internal_environment",
            "work_environment",
            "physical_environment",
        ),
        _care(
            "medication_systems",
            "Medication systems",
            "tools_and_technology",
            "task_and_technology",
            "design_of_equipment",
        ),
        _care(
            "records_and_information",
            "Records and information",
            "tools_and_technology",
            "task_and_technology",
            "communication_systems",
        ),
        _care("team_working", "Team working", "organisation", "team", "team_factors"),
        _care(
            "individual_staff",
            "Individual staff (fatigue, stress, judgement)",
            "person",
            "individual_staff",
            "individual_factors",
        ),
        _care(
            "safety_culture",
            "Safety and learning culture",
            "organisation",
            "organisational_and_management",
            "safety_culture",
        ),
        _care(
            "roles_and_responsibilities",
            "Roles and lines of responsibility",
            "organisation",
            "organisational_and_management",
            "lines_of_responsibility",
        ),
        _care(
            "external_agencies",
            "Other agencies and commissioning",
            "external_environment",
            "institutional",
            "external_policy_context",
        ),
    ),
)

_FACTOR_VOCABULARIES = {
    FactorFramework.CARE: _CARE,
    FactorFramework.SEIPS: _SEIPS,
    FactorFramework.LONDON_PROTOCOL: _LONDON,
    FactorFramework.YCFF: _YCFF,
}

BUILT_IN_VOCABULARIES: Mapping[str, Vocabulary] = {
    vocabulary.name: vocabulary
    for vocabulary in (INCIDENT_CATEGORIES, *_FACTOR_VOCABULARIES.values())
}
"""Every built-in vocabulary by name, the names local codes extend."""


def factor_vocabulary(framework: FactorFramework) -> Vocabulary:
    """Return the built-in vocabulary of factor domains for *framework*.

    Examples:
        >>> factor_vocabulary(FactorFramework.SEIPS).codes[:2]
        ('person', 'tasks')
    """
    return _FACTOR_VOCABULARIES[framework]


def to_care_domain(framework: FactorFramework, code: str) -> str:
    """Return the ``care`` domain nearest to *code* of *framework*.

    The first ``care`` domain that maps to the code wins, so the mapping is
    fixed and documented by the order of the ``care`` vocabulary.

    Raises:
        KeyError: The code is not a built-in code of *framework*.

    Examples:
        >>> to_care_domain(FactorFramework.YCFF, "staff_workload")
        'staffing_and_workload'
        >>> to_care_domain(FactorFramework.CARE, "equipment")
        'equipment'
    """
    if framework is FactorFramework.CARE:
        return _CARE[code].code
    vocabulary = _FACTOR_VOCABULARIES[framework]
    vocabulary[code]  # raise KeyError for a code the framework lacks
    for concept in _CARE.concepts:
        if concept.maps_to[framework] == code:
            return concept.code
    return _UNMAPPED_YCFF[code]


# YCFF domains that no care domain names as its nearest, with their nearest one.
_UNMAPPED_YCFF = {
    "active_failures": "individual_staff",
    "scheduling": "staffing_and_workload",
    "support_from_central_functions": "roles_and_responsibilities",
}
