"""Tests for incident_learning.analysis.summary."""

from __future__ import annotations

from datetime import date

import attrs
import networkx as nx
import pytest
from tests import loops

from incident_learning import samples
from incident_learning.analysis import (
    LogSummary,
    LoopStatus,
    learning_summary,
    log_summary,
)
from incident_learning.exceptions import GraphShapeError
from incident_learning.graph import build_graph
from incident_learning.model import (
    ActionKind,
    ActionStatus,
    ActionStrength,
    EmbeddingRecord,
    LearningLog,
    Record,
)

AT = samples.AT


def _log_with(*extra: Record) -> LearningLog:
    log = samples.small_log()
    for record in extra:
        log.add(record)
    return log


class TestLogSummary:
    """log_summary counts records and how far loops have got."""

    def test_small_log(self, small_log: LearningLog) -> None:
        """The sample log has one fall, one proposed action, embedded and reviewed."""
        summary = log_summary(small_log)
        assert summary.provider == "Oakvale Care Group"
        assert sum(dict(summary.records).values()) == 21
        assert dict(summary.records)["staff_member"] == 3
        assert [kind for kind, _ in summary.records] == sorted(dict(summary.records))
        assert dict(summary.incidents_by_category) == {"falls": 1}
        assert dict(summary.incidents_by_service) == {"Oak House": 1}
        assert summary.near_misses == 0
        assert dict(summary.actions_by_status) == {"proposed": 1}
        assert (summary.embedded_actions, summary.reviewed_actions) == (1, 1)
        assert (summary.first_incident, summary.last_incident) == (
            date(2025, 3, 1),
            date(2025, 3, 1),
        )
        assert summary.loop_closure_rate == 0.0

    def test_does_not_change_the_log(self, small_log: LearningLog) -> None:
        """The log is not modified."""
        before = list(small_log.all_versions())
        log_summary(small_log)
        assert list(small_log.all_versions()) == before

    def test_hand_built_log(self) -> None:
        """Counts sort by size then name; withdrawn records and near misses are handled."""
        base = samples.incident()
        miss = attrs.evolve(
            base,
            id="INC-0002",
            category="medication",
            reached_person=False,
            occurred=date(2025, 2, 1),
        )
        third = attrs.evolve(
            base, id="INC-0003", category="medication", service="SVC-OAK"
        )
        fourth = attrs.evolve(base, id="INC-0004", category="choking")
        withdrawn = fourth.marked_entered_in_error(by="STAFF-RM", at=AT, reason="dup")
        action = samples.action().agreed(by="STAFF-RM", at=AT)
        second_action = attrs.evolve(samples.action(), id="ACT-0002")
        rejected = second_action.rejected(by="STAFF-RM", at=AT, reason="cost")
        log = _log_with(miss, third, fourth, withdrawn, action, second_action, rejected)
        summary = log_summary(log)
        assert dict(summary.incidents_by_category) == {"medication": 2, "falls": 1}
        assert dict(summary.incidents_by_service) == {"Oak House": 3}
        assert summary.near_misses == 1
        assert dict(summary.actions_by_status) == {"agreed": 1, "rejected": 1}
        assert summary.loop_closure_rate == 0.5
        assert (summary.first_incident, summary.last_incident) == (
            date(2025, 2, 1),
            date(2025, 3, 1),
        )
        assert dict(summary.records)["incident"] == 3
        assert summary.embedded_actions == 1
        assert summary.reviewed_actions == 1

    def test_log_without_incidents_or_actions(self) -> None:
        """A log of only a provider and service has no dates and a zero closure rate."""
        log = LearningLog([samples.provider(), samples.service()])
        summary = log_summary(log)
        assert (summary.first_incident, summary.last_incident) == (None, None)
        assert dict(summary.actions_by_status) == {}
        assert summary.loop_closure_rate == 0.0
        assert dict(summary.records) == {"provider": 1, "service": 1}

    def test_withdrawn_embedding_does_not_count(self) -> None:
        """An embedding record entered in error does not embed its actions."""
        log = samples.small_log()
        for record in list(log):
            if isinstance(record, EmbeddingRecord):
                log.add(
                    record.marked_entered_in_error(by="STAFF-RM", at=AT, reason="x")
                )
        assert log_summary(log).embedded_actions == 0

    def test_render(self, small_log: LearningLog) -> None:
        """render gives a short text report."""
        text = log_summary(small_log).render()
        lines = text.splitlines()
        assert lines[0] == "Oakvale Care Group"
        assert lines[1] == "  incidents: 1 (near misses: 0), 2025-03-01 to 2025-03-01"
        assert lines[4].startswith(
            "  actions: 1 (proposed 1); embedded 1, reviewed 1, loops closed 0%"
        )
        assert lines[5].startswith(
            "  records: 21 current (action 1, coaching_session 1,"
        )

    def test_summary_is_a_frozen_value(self) -> None:
        """A summary is immutable."""
        summary = log_summary(samples.small_log())
        assert isinstance(summary, LogSummary)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            summary.near_misses = 3  # type: ignore[misc]


class TestWithoutProvider:
    def test_a_log_without_a_provider_is_summarised(self) -> None:
        """A log with no provider yet is summarised, not a crash."""
        summary = log_summary(LearningLog())
        assert summary.provider is None
        assert summary.render().splitlines()[0] == "(no provider)"
        assert "- to -" in summary.render()

    def test_the_summary_is_hashable(self) -> None:
        """The summary is an immutable value: equal summaries hash alike."""
        assert hash(log_summary(samples.small_log())) == hash(
            log_summary(samples.small_log())
        )


class TestLearningSummary:
    """The learning loop at a glance, over the graph."""

    def test_hand_built(self) -> None:
        """Counts by status, kind, strength and loop, delay to embedding and reach."""
        records = [
            loops.incident("INC-1", day=date(2025, 3, 1)),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.learning_point("LP-2", incidents=["INC-1"]),
            loops.action(
                "ACT-1",
                ["LP-1"],
                (ActionStatus.AGREED, date(2025, 3, 5)),
                kind=ActionKind.TRAINING,
            ),
            loops.action("ACT-2", ["LP-1"], (ActionStatus.AGREED, date(2025, 3, 5))),
            loops.action(
                "ACT-3",
                ["LP-2"],
                (ActionStatus.REJECTED, date(2025, 3, 5)),
                kind=ActionKind.TRAINING,
            ),
            loops.training("TRN-1", actions=["ACT-1"], held_on=date(2025, 3, 11)),
            loops.meeting(
                "GOV-1",
                actions=["ACT-2"],
                circulated_to=["SVC-ELM"],
                held_on=date(2025, 3, 21),
            ),
        ]
        summary = learning_summary(loops.graph_of(*records))
        assert summary.actions == 3
        assert summary.actions_by_status == (
            (ActionStatus.AGREED, 2),
            (ActionStatus.REJECTED, 1),
        )
        assert summary.actions_by_kind == (
            (ActionKind.TRAINING, 2),
            (ActionKind.STAFFING_CHANGE, 1),
        )
        assert summary.actions_by_strength == (
            (ActionStrength.WEAKER, 2),
            (ActionStrength.INTERMEDIATE, 1),
        )
        assert summary.loops_by_status == (
            (LoopStatus.EMBEDDED, 2),
            (LoopStatus.REJECTED, 1),
        )
        assert summary.loop_closure_rate == pytest.approx(1 / 3)
        assert summary.embedded_actions == 2
        # Training 10 days after the incident, the meeting 20 days after.
        assert summary.median_days_to_embedding == 15
        assert summary.learning_points == 2
        # LP-1: Oak House (training there), Elm Court (circulated); LP-2: none.
        assert summary.services_reached == (("LP-1", 2), ("LP-2", 0))
        assert summary.median_services_reached == 1
        assert summary.median_services_discussed == 0.5

    def test_empty(self) -> None:
        """A graph with no actions or learning has no rates and says so."""
        summary = learning_summary(loops.graph_of())
        assert summary.actions == 0
        assert summary.loop_closure_rate is None
        assert summary.median_days_to_embedding is None
        assert summary.median_services_reached is None
        assert summary.median_services_discussed is None
        assert summary.render().splitlines() == [
            "actions: 0 ()",
            "  by kind: ",
            "  by strength: ",
            "  loops: ; closed -",
            "  embedded: 0",
            "  learning points: 0",
        ]

    def test_embedded_without_incidents_has_no_delay(self) -> None:
        """An embedded action whose learning has no incident gives no delay."""
        records = [
            loops.incident("INC-1"),
            loops.response("LR-1", ["INC-1"]),
            loops.learning_point("LP-1", responses=["LR-1"]),
            loops.action("ACT-1", ["LP-1"]),
            loops.training("TRN-1", actions=["ACT-1"]),
        ]
        graph = loops.graph_of(*records)
        graph.remove_node("INC-1")
        summary = learning_summary(graph)
        assert summary.embedded_actions == 1
        assert summary.median_days_to_embedding is None

    def test_example(self) -> None:
        """The example provider: 49 actions, 9 of them closed, embedded 51.5 days on."""
        summary = learning_summary(build_graph(samples.example_log()))
        assert summary.actions == 49
        assert sum(n for s, n in summary.loops_by_status if s.is_closed) == 9
        assert summary.median_days_to_embedding == 51.5
        assert "actions: 49" in summary.render()

    def test_a_graph_not_built_by_build_graph_is_refused(self) -> None:
        """A plain networkx graph without the index is a GraphShapeError."""
        with pytest.raises(GraphShapeError, match="not made by build_graph"):
            learning_summary(nx.DiGraph())
