"""Tests for incident_learning.model.vocab: stored values, ranks and codes."""

from __future__ import annotations

import enum

import pytest

from incident_learning.model import vocab
from incident_learning.model.vocab import (
    ActionKind,
    ActionStatus,
    ActionStrength,
    CqcCriterion,
    CqcRegulation,
    EventType,
    HarmLevel,
    PhysicalHarm,
    PsychologicalHarm,
    ResponseMethod,
    ServiceType,
    StaffRole,
)

GOLDEN: dict[type[enum.Enum], list[str]] = {
    vocab.ServiceType: [
        "residential_home", "nursing_home", "supported_living", "home_care",
        "day_service", "extra_care", "shared_lives",
    ],
    vocab.StaffRole: [
        "care_worker", "support_worker", "senior_care_worker", "nurse", "team_leader",
        "deputy_manager", "registered_manager", "quality_lead", "trainer",
        "nominated_individual", "other",
    ],
    vocab.EventType: ["incident", "outcome", "risk", "good_care"],
    vocab.OccurrencePrecision: ["exact", "date_only", "estimated_period"],
    vocab.PhysicalHarm: ["none", "low", "moderate", "severe", "fatal"],
    vocab.PsychologicalHarm: ["none", "low", "moderate", "severe"],
    vocab.HarmLevel: ["none", "low", "moderate", "severe", "fatal"],
    vocab.CqcRegulation: ["reg_16", "reg_18"],
    vocab.CqcCriterion: [
        "death", "serious_injury", "abuse_or_allegation", "service_disruption",
        "police_incident", "dols_application",
    ],
    vocab.CandourStep: [
        "notified_in_person", "apology_given", "support_offered",
        "written_follow_up", "record_kept",
    ],
    vocab.ResponseMethod: [
        "swarm_huddle", "after_action_review", "mdt_review", "psii",
        "thematic_review", "reflective_review", "local_review",
    ],
    vocab.FactorFramework: ["care", "seips", "london_protocol", "ycff"],
    vocab.LearningScope: ["service", "organisation", "system"],
    vocab.ActionStrength: ["weaker", "intermediate", "stronger"],
    vocab.ActionKind: [
        "physical_change", "forcing_function", "standardised_process",
        "leadership_action", "redundancy", "staffing_change", "software_change",
        "reduced_distraction", "checklist", "standard_communication",
        "care_plan_change", "supervision", "reflective_practice", "coaching",
        "double_check", "warning", "policy", "training", "further_study",
    ],
    vocab.ActionStatus: [
        "proposed", "agreed", "rejected", "in_progress", "completed",
        "verified_effective", "found_ineffective",
    ],
    vocab.ChangeArea: [
        "policy_or_procedure", "care_plan", "environment", "equipment", "staffing", "rota",
    ],
    vocab.MeetingLevel: ["service", "organisation", "board"],
    vocab.DiscussionSetting: [
        "team_meeting", "handover", "supervision", "reflective_practice",
        "governance_meeting", "bulletin",
    ],
    vocab.ReviewVerdict: ["effective", "partly_effective", "not_effective"],
}  # fmt: skip


class TestStoredValues:
    """Stored enum values never change: a rename shows up here."""

    @pytest.mark.parametrize("cls", list(GOLDEN), ids=lambda cls: cls.__name__)
    def test_values_are_pinned(self, cls: type[enum.Enum]) -> None:
        """The stored values of each enumeration, in declaration order."""
        assert [member.value for member in cls] == GOLDEN[cls]

    def test_every_public_enumeration_is_pinned(self) -> None:
        """Every enumeration the module exports has a golden list."""
        exported = {getattr(vocab, name) for name in vocab.__all__}
        assert exported == set(GOLDEN)

    @pytest.mark.parametrize("cls", list(GOLDEN), ids=lambda cls: cls.__name__)
    def test_values_are_lower_snake_text(self, cls: type[enum.Enum]) -> None:
        """Every value is lower_snake text equal to the member itself."""
        for member in cls:
            assert member.value == member.value.lower().replace(" ", "_")
            assert member == member.value


class TestScales:
    """Scales order by rank, never by their text."""

    @pytest.mark.parametrize(
        "cls", [PhysicalHarm, PsychologicalHarm, HarmLevel, ActionStrength]
    )
    def test_rank_follows_declaration(self, cls: type[vocab.PhysicalHarm]) -> None:
        """Rank is the position in the scale, 0 for the least severe."""
        assert [member.rank for member in cls] == list(range(len(cls)))

    def test_members_compare_as_text(self) -> None:
        """A StrEnum compares alphabetically, which is why rank exists."""
        assert not PhysicalHarm.NONE < PhysicalHarm.LOW
        assert PhysicalHarm.NONE.rank < PhysicalHarm.LOW.rank

    def test_lfpse_harm_codes(self) -> None:
        """LFPSE codes run from 5 (none) to 1 (fatal) and 4 to 1 for psychological."""
        assert [h.lfpse_code for h in PhysicalHarm] == [5, 4, 3, 2, 1]
        assert [h.lfpse_code for h in PsychologicalHarm] == [4, 3, 2, 1]

    def test_harm_levels_map_onto_the_combined_scale(self) -> None:
        """Each physical and psychological level has the same combined level."""
        for scale in (PhysicalHarm, PsychologicalHarm):
            for level in scale:
                assert level.harm_level is HarmLevel(level.value)

    def test_moderate_or_worse(self) -> None:
        """Moderate, severe and fatal are moderate or worse."""
        assert [h.is_moderate_or_worse for h in HarmLevel] == [
            False,
            False,
            True,
            True,
            True,
        ]


class TestProperties:
    """Derived properties of the closed vocabularies."""

    def test_cqc_criteria(self) -> None:
        """Death is notified under regulation 16, the rest under 18, with LFPSE codes."""
        assert {c: c.regulation for c in CqcCriterion} == {
            c: CqcRegulation.REG_16 if c is CqcCriterion.DEATH else CqcRegulation.REG_18
            for c in CqcCriterion
        }
        assert [c.lfpse_code for c in CqcCriterion] == [1, 2, 3, 4, None, None]
        assert CqcRegulation.REG_16.display.startswith("Regulation 16")
        assert CqcRegulation.REG_18.display.startswith("Regulation 18")

    def test_action_kind_strengths(self) -> None:
        """Each action kind has its hierarchy strength; four are stronger, five weaker."""
        strengths = [kind.strength for kind in ActionKind]
        assert strengths.count(ActionStrength.STRONGER) == 4
        assert strengths.count(ActionStrength.INTERMEDIATE) == 10
        assert strengths.count(ActionStrength.WEAKER) == 5
        assert ActionKind.TRAINING.strength is ActionStrength.WEAKER
        assert ActionKind.FORCING_FUNCTION.strength is ActionStrength.STRONGER

    def test_final_statuses(self) -> None:
        """Rejected, verified effective and found ineffective are final."""
        assert {s for s in ActionStatus if s.is_final} == {
            ActionStatus.REJECTED,
            ActionStatus.VERIFIED_EFFECTIVE,
            ActionStatus.FOUND_INEFFECTIVE,
        }

    def test_psirf_methods(self) -> None:
        """All but the two local methods are named by PSIRF."""
        assert {m for m in ResponseMethod if not m.is_psirf} == {
            ResponseMethod.REFLECTIVE_REVIEW,
            ResponseMethod.LOCAL_REVIEW,
        }

    def test_service_types(self) -> None:
        """Residential and nursing homes are bed-based and displays read as words."""
        assert {s for s in ServiceType if s.is_bed_based} == {
            ServiceType.RESIDENTIAL_HOME,
            ServiceType.NURSING_HOME,
        }
        assert ServiceType.SHARED_LIVES.display == "Shared lives"

    def test_managers(self) -> None:
        """Deputy and registered managers and the nominated individual manage."""
        assert {r for r in StaffRole if r.is_manager} == {
            StaffRole.DEPUTY_MANAGER,
            StaffRole.REGISTERED_MANAGER,
            StaffRole.NOMINATED_INDIVIDUAL,
        }

    def test_event_type_display(self) -> None:
        """Event types display as LFPSE words."""
        assert [e.display for e in EventType] == [
            "Incident",
            "Outcome",
            "Risk",
            "Good care",
        ]
