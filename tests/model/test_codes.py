"""Tests for incident_learning.model.codes: open vocabularies and their mapping."""

from __future__ import annotations

import pytest

from incident_learning.model import (
    BUILT_IN_VOCABULARIES,
    INCIDENT_CATEGORIES,
    Concept,
    FactorFramework,
    LocalCode,
    Vocabulary,
    factor_vocabulary,
    to_care_domain,
)

CASES = [
    (framework, code)
    for framework in FactorFramework
    for code in factor_vocabulary(framework).codes
]


class TestVocabulary:
    """A vocabulary is an ordered, indexed set of concepts."""

    def test_lookup_and_membership(self) -> None:
        """Codes are found by code; unknown codes are not members."""
        assert INCIDENT_CATEGORIES["falls"] == Concept(code="falls", display="Falls")
        assert "falls" in INCIDENT_CATEGORIES
        assert "fall" not in INCIDENT_CATEGORIES
        with pytest.raises(KeyError):
            INCIDENT_CATEGORIES["fall"]

    def test_codes_keep_declaration_order(self) -> None:
        """codes lists the codes in declaration order, without repeats."""
        codes = INCIDENT_CATEGORIES.codes
        assert codes[:3] == ("falls", "medication", "behaviour_and_distress")
        assert len(codes) == len(set(codes)) == 15

    def test_built_in_vocabularies_by_name(self) -> None:
        """The built-in vocabularies are the incident categories and four factor taxonomies."""
        assert sorted(BUILT_IN_VOCABULARIES) == [
            "care_factor_domain",
            "incident_category",
            "london_protocol_factor_domain",
            "seips_factor_domain",
            "ycff_factor_domain",
        ]
        for framework in FactorFramework:
            vocabulary = factor_vocabulary(framework)
            assert BUILT_IN_VOCABULARIES[vocabulary.name] is vocabulary

    def test_concept_mapping_is_not_part_of_equality(self) -> None:
        """Two concepts with the same code and display are equal whatever they map to."""
        mapped = Concept(
            code="x", display="X", maps_to={FactorFramework.SEIPS: "tasks"}
        )
        assert mapped == Concept(code="x", display="X")

    def test_vocabulary_is_a_value(self) -> None:
        """A vocabulary built from the same concepts is equal."""
        concepts = (Concept(code="a", display="A"),)
        assert Vocabulary("v", concepts) == Vocabulary("v", concepts)

    def test_local_code_holds_its_fields(self) -> None:
        """A local code is a frozen value naming its vocabulary and nearest code."""
        code = LocalCode(
            vocabulary="incident_category", code="x", display="X", nearest="falls"
        )
        assert (code.vocabulary, code.code, code.display, code.nearest) == (
            "incident_category",
            "x",
            "X",
            "falls",
        )


class TestCareMapping:
    """Every framework's codes map to a care domain."""

    @pytest.mark.parametrize(("framework", "code"), CASES)
    def test_every_code_maps_to_a_care_code(
        self, framework: FactorFramework, code: str
    ) -> None:
        """to_care_domain returns a care code for every code of every framework."""
        assert to_care_domain(framework, code) in factor_vocabulary(
            FactorFramework.CARE
        )

    def test_care_maps_to_itself(self) -> None:
        """A care code maps to itself."""
        for code in factor_vocabulary(FactorFramework.CARE).codes:
            assert to_care_domain(FactorFramework.CARE, code) == code

    def test_care_concepts_map_to_real_codes(self) -> None:
        """Each care concept names a built-in code of each other framework."""
        for concept in factor_vocabulary(FactorFramework.CARE).concepts:
            assert set(concept.maps_to) == set(FactorFramework) - {FactorFramework.CARE}
            for framework, code in concept.maps_to.items():
                assert code in factor_vocabulary(framework)

    @pytest.mark.parametrize(
        ("framework", "code", "care"),
        [
            (FactorFramework.YCFF, "staff_workload", "staffing_and_workload"),
            (FactorFramework.YCFF, "active_failures", "individual_staff"),
            (FactorFramework.YCFF, "scheduling", "staffing_and_workload"),
            (
                FactorFramework.YCFF,
                "support_from_central_functions",
                "roles_and_responsibilities",
            ),
            (FactorFramework.SEIPS, "organisation", "staffing_and_workload"),
            (FactorFramework.LONDON_PROTOCOL, "patient", "person_factors"),
        ],
    )
    def test_first_care_domain_wins(
        self, framework: FactorFramework, code: str, care: str
    ) -> None:
        """The first care domain naming a code wins; unmapped YCFF codes have a fixed one."""
        assert to_care_domain(framework, code) == care

    @pytest.mark.parametrize("framework", list(FactorFramework))
    def test_unknown_code_raises_key_error(self, framework: FactorFramework) -> None:
        """A code the framework lacks raises KeyError."""
        with pytest.raises(KeyError):
            to_care_domain(framework, "no_such_code")
