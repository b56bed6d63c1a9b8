"""Pins the public API: every name exported, so additions and removals are deliberate."""

from __future__ import annotations

import types

import pytest

import incident_learning as il

PACKAGE = [
    "Action",
    "ActionKind",
    "ActionStatus",
    "ActionStrength",
    "CandourStep",
    "CandourStepTaken",
    "ChangeArea",
    "CoachingSession",
    "ContributingFactor",
    "CqcCriterion",
    "CqcNotification",
    "DateParseError",
    "DiscussionSetting",
    "DutyOfCandour",
    "EffectivenessMeasure",
    "EffectivenessReview",
    "EventType",
    "FORMAT",
    "FactorFramework",
    "GovernanceMeeting",
    "GraphIndex",
    "GraphShapeError",
    "HarmLevel",
    "IllegalTransitionError",
    "Incident",
    "IncidentLearningError",
    "InvalidDataError",
    "InvalidRecordError",
    "LearningGraph",
    "LearningLog",
    "LearningPoint",
    "LearningResponse",
    "LearningScope",
    "LearningShare",
    "LocalCode",
    "LocalTimePolicy",
    "Measurement",
    "MeetingLevel",
    "NodeKind",
    "PersonAffected",
    "PhysicalHarm",
    "Problem",
    "Provider",
    "PsychologicalHarm",
    "Record",
    "ReflectivePracticeSession",
    "Relation",
    "ResponseMethod",
    "ReviewVerdict",
    "RiddorReport",
    "SafeguardingReferral",
    "Service",
    "ServiceChange",
    "ServiceExposure",
    "ServiceType",
    "StaffConfidenceCheck",
    "StaffMember",
    "StaffRole",
    "StatusChange",
    "SupervisionSession",
    "Team",
    "TrainingSession",
    "UnknownRecordError",
    "UnsupportedFormatError",
    "__version__",
    "analysis",
    "build_graph",
    "dump_json",
    "dump_jsonl",
    "dumps_json",
    "dumps_jsonl",
    "exceptions",
    "graph",
    "graph_export",
    "graph_index",
    "load_json",
    "load_jsonl",
    "loads_json",
    "loads_jsonl",
    "model",
    "nodes_of_kind",
    "parse_date",
    "parse_datetime",
    "pseudonymised",
    "record_of",
    "samples",
    "serialization",
]

MODEL = [
    "Action",
    "ActionKind",
    "ActionStatus",
    "ActionStrength",
    "BUILT_IN_VOCABULARIES",
    "CandourStep",
    "CandourStepTaken",
    "ChangeArea",
    "CoachingSession",
    "Concept",
    "ContributingFactor",
    "CqcCriterion",
    "CqcNotification",
    "CqcRegulation",
    "DiscussionSetting",
    "DutyOfCandour",
    "EffectivenessMeasure",
    "EffectivenessReview",
    "EmbeddingRecord",
    "EventType",
    "FactorFramework",
    "GovernanceMeeting",
    "HarmLevel",
    "ID_PATTERN",
    "INCIDENT_CATEGORIES",
    "Incident",
    "LearningLog",
    "LearningPoint",
    "LearningResponse",
    "LearningScope",
    "LearningShare",
    "LocalCode",
    "LocalTimePolicy",
    "Measurement",
    "MeetingLevel",
    "OccurrencePrecision",
    "PersonAffected",
    "PersonalData",
    "PhysicalHarm",
    "Provider",
    "PsychologicalHarm",
    "RECORD_TYPES",
    "Record",
    "Reference",
    "ReflectivePracticeSession",
    "ResponseMethod",
    "ReviewVerdict",
    "RiddorReport",
    "SafeguardingReferral",
    "Service",
    "ServiceChange",
    "ServiceExposure",
    "ServiceType",
    "StaffConfidenceCheck",
    "StaffMember",
    "StaffRole",
    "StatusChange",
    "SupervisionSession",
    "TRANSITIONS",
    "Team",
    "TrainingSession",
    "Vocabulary",
    "WITHHELD",
    "factor_vocabulary",
    "parse_date",
    "parse_datetime",
    "personal_fields",
    "prefixed_id",
    "pseudonymised",
    "record_type",
    "reference_fields",
    "to_care_domain",
]

ANALYSIS = [
    "LogSummary",
    "log_summary",
]

SERIALIZATION = [
    "FORMAT",
    "FORMAT_MAJOR",
    "MIGRATIONS",
    "SECTIONS",
    "dump_json",
    "dump_jsonl",
    "dumps_json",
    "dumps_jsonl",
    "from_document",
    "iter_jsonl",
    "load_json",
    "load_jsonl",
    "loads_json",
    "loads_jsonl",
    "to_document",
]


class TestExportedMembers:
    """Each public module exports exactly the pinned names."""

    @pytest.mark.parametrize(
        ("module", "names"),
        [
            (il, PACKAGE),
            (il.model, MODEL),
            (il.analysis, ANALYSIS),
            (il.serialization, SERIALIZATION),
        ],
        ids=["incident_learning", "model", "analysis", "serialization"],
    )
    def test_all_is_pinned(self, module: types.ModuleType, names: list[str]) -> None:
        """__all__ lists exactly the pinned names, each of which exists."""
        assert sorted(module.__all__) == names
        for name in names:
            assert hasattr(module, name), name

    def test_version_is_text(self) -> None:
        """__version__ is the installed distribution's version."""
        assert isinstance(il.__version__, str)
        assert il.__version__

    def test_top_level_names_are_the_model_objects(self) -> None:
        """Names re-exported at the top level are the same objects as in their module."""
        for name in PACKAGE:
            for module in (il.model, il.exceptions, il.serialization):
                if name in getattr(module, "__all__", ()):
                    assert getattr(il, name) is getattr(module, name)
