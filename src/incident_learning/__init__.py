"""Turn adult social care incidents into learning that measurably changes practice.

The model (:mod:`incident_learning.model`) records incidents, what was
learned from them, the actions taken and how those actions were embedded
through training, supervision, reflective practice, coaching and service
changes, shared, and checked for effect. :mod:`incident_learning.serialization`
reads and writes the versioned JSON format.

Examples:
    >>> import incident_learning as il
    >>> from incident_learning import samples
    >>> log = samples.small_log()
    >>> log.get("ACT-0001", il.Action).strength
    <ActionStrength.INTERMEDIATE: 'intermediate'>
"""

from importlib.metadata import version as _version

from incident_learning import analysis, exceptions, model, samples, serialization
from incident_learning.exceptions import (
    DateParseError,
    IllegalTransitionError,
    IncidentLearningError,
    InvalidDataError,
    InvalidRecordError,
    Problem,
    UnknownRecordError,
    UnsupportedFormatError,
)
from incident_learning.model import (
    Action,
    ActionKind,
    ActionStatus,
    ActionStrength,
    CoachingSession,
    ContributingFactor,
    EffectivenessReview,
    EventType,
    GovernanceMeeting,
    HarmLevel,
    Incident,
    LearningLog,
    LearningPoint,
    LearningResponse,
    LearningShare,
    LocalCode,
    PersonAffected,
    PhysicalHarm,
    Provider,
    PsychologicalHarm,
    Record,
    ReflectivePracticeSession,
    Service,
    ServiceChange,
    ServiceExposure,
    StaffConfidenceCheck,
    StaffMember,
    SupervisionSession,
    Team,
    TrainingSession,
    parse_date,
    parse_datetime,
)
from incident_learning.serialization import (
    FORMAT,
    dump_json,
    dump_jsonl,
    load_json,
    load_jsonl,
)

__version__ = _version("incident_learning")

__all__ = [
    "FORMAT",
    "Action",
    "ActionKind",
    "ActionStatus",
    "ActionStrength",
    "CoachingSession",
    "ContributingFactor",
    "DateParseError",
    "EffectivenessReview",
    "EventType",
    "GovernanceMeeting",
    "HarmLevel",
    "IllegalTransitionError",
    "Incident",
    "IncidentLearningError",
    "InvalidDataError",
    "InvalidRecordError",
    "LearningLog",
    "LearningPoint",
    "LearningResponse",
    "LearningShare",
    "LocalCode",
    "PersonAffected",
    "PhysicalHarm",
    "Problem",
    "Provider",
    "PsychologicalHarm",
    "Record",
    "ReflectivePracticeSession",
    "Service",
    "ServiceChange",
    "ServiceExposure",
    "StaffConfidenceCheck",
    "StaffMember",
    "SupervisionSession",
    "Team",
    "TrainingSession",
    "UnknownRecordError",
    "UnsupportedFormatError",
    "__version__",
    "analysis",
    "dump_json",
    "dump_jsonl",
    "exceptions",
    "load_json",
    "load_jsonl",
    "model",
    "parse_date",
    "parse_datetime",
    "samples",
    "serialization",
]
