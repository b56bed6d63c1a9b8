"""Analyses over a learning log or its graph.

Each analysis takes its subject first and options keyword-only, returns an
immutable, sorted, typed result and never changes its input.
"""

from incident_learning.analysis.gaps import (
    DEFAULT_POLICY,
    Gap,
    GapKind,
    GapPolicy,
    LoopGaps,
    loop_gaps,
    needs_learning_response,
)
from incident_learning.analysis.reach import (
    LearningPointReach,
    LearningReach,
    PlaceKind,
    PlaceReach,
    ReachLevel,
    learning_reach,
)
from incident_learning.analysis.recurrences import (
    FactorDomain,
    Recurrence,
    RecurrenceMatch,
    RecurrenceReport,
    recurrence,
)
from incident_learning.analysis.summary import (
    LearningSummary,
    LogSummary,
    learning_summary,
    log_summary,
)
from incident_learning.analysis.trace import (
    ActionTrace,
    Channel,
    CoachingEvidence,
    Disagreement,
    DisagreementKind,
    EffectEvidence,
    IncidentTrace,
    LoopStatus,
    Origin,
    ReflectivePracticeEvidence,
    ServiceChangeEvidence,
    SharingEvidence,
    SupervisionEvidence,
    TimelineEntry,
    TrainingEvidence,
    action_trace,
    incident_trace,
)

__all__ = [
    "DEFAULT_POLICY",
    "ActionTrace",
    "Channel",
    "CoachingEvidence",
    "Disagreement",
    "DisagreementKind",
    "EffectEvidence",
    "FactorDomain",
    "Gap",
    "GapKind",
    "GapPolicy",
    "IncidentTrace",
    "LearningPointReach",
    "LearningReach",
    "LearningSummary",
    "LogSummary",
    "LoopGaps",
    "LoopStatus",
    "Origin",
    "PlaceKind",
    "PlaceReach",
    "ReachLevel",
    "Recurrence",
    "RecurrenceMatch",
    "RecurrenceReport",
    "ReflectivePracticeEvidence",
    "ServiceChangeEvidence",
    "SharingEvidence",
    "SupervisionEvidence",
    "TimelineEntry",
    "TrainingEvidence",
    "action_trace",
    "incident_trace",
    "learning_reach",
    "learning_summary",
    "log_summary",
    "loop_gaps",
    "needs_learning_response",
    "recurrence",
]
