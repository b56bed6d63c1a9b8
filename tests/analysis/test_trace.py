"""Tests for incident_learning.analysis.trace: action and incident traces."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import loops, strategies

from incident_learning import samples
from incident_learning.analysis import (
    ActionTrace,
    Channel,
    DisagreementKind,
    GapKind,
    LoopStatus,
    action_trace,
    incident_trace,
)
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import LearningGraph, NodeKind, build_graph
from incident_learning.model import (
    Action,
    ActionStatus,
    ChangeArea,
    DiscussionSetting,
    Incident,
    LearningLog,
    Record,
    ReviewVerdict,
    StaffMember,
)

S = ActionStatus
AGREED = (S.AGREED, date(2025, 3, 10))
DONE = (S.COMPLETED, date(2025, 4, 10))
VERIFIED = (S.VERIFIED_EFFECTIVE, date(2025, 10, 1))
INEFFECTIVE = (S.FOUND_INEFFECTIVE, date(2025, 10, 1))


def _origin(*statuses: tuple[ActionStatus, date], **action: Any) -> list[Record]:
    """Return two incidents, a response, two factors, a learning point and ACT-1."""
    return [
        loops.incident("INC-1", day=date(2025, 3, 1)),
        loops.incident("INC-2", day=date(2025, 2, 20)),
        loops.response("LR-1", ["INC-1"]),
        loops.factor("CF-1", response="LR-1"),
        loops.factor("CF-2", incidents=["INC-2"]),
        loops.learning_point("LP-1", factors=["CF-1", "CF-2"]),
        loops.action("ACT-1", ["LP-1"], *statuses, **action),
    ]


def _trace(*records: Record, action: str = "ACT-1") -> ActionTrace:
    """Return the trace of *action* in a log of the organisation and *records*."""
    return action_trace(loops.graph_of(*records), action)


class TestOrigin:
    """Where the action came from."""

    def test_origin(self) -> None:
        """Incidents, responses, factors and learning points behind the action, and the first day."""
        origin = _trace(*_origin()).origin
        assert origin.incidents == ("INC-1", "INC-2")
        assert origin.responses == ("LR-1",)
        assert origin.factors == ("CF-1", "CF-2")
        assert origin.learning_points == ("LP-1",)
        assert origin.first_incident_on == date(2025, 2, 20)

    def test_no_incidents(self) -> None:
        """Learning drawn from a factor with no incident has no first incident day."""
        records = [
            loops.incident("INC-1"),
            loops.response("LR-1", ["INC-1"]),
            loops.learning_point("LP-1", responses=["LR-1"]),
            loops.action("ACT-1", ["LP-1"]),
        ]
        graph = loops.graph_of(*records)
        graph.remove_node("INC-1")
        assert action_trace(graph, "ACT-1").origin.first_incident_on is None

    def test_unrelated_incident_never_enters(self) -> None:
        """Another incident at the same service, same category, stays out of the trace."""
        before = _trace(*_origin())
        after = _trace(*_origin(), loops.incident("INC-9"))
        assert after == before

    def test_unknown_action(self) -> None:
        """An id that is not an action in the graph is an UnknownRecordError."""
        graph = loops.graph_of(*_origin())
        with pytest.raises(UnknownRecordError, match="no action has the id 'INC-1'"):
            action_trace(graph, "INC-1")
        with pytest.raises(UnknownRecordError, match="'ACT-9'"):
            action_trace(graph, "ACT-9")

    def test_graph_is_not_changed(self) -> None:
        """Tracing leaves the graph's nodes, edges and attributes as they were."""
        graph = loops.graph_of(*_origin(), loops.training("TRN-1", actions=["ACT-1"]))
        before = (list(graph.nodes(data=True)), list(graph.edges(data=True)))
        action_trace(graph, "ACT-1")
        incident_trace(graph, "INC-1")
        assert (list(graph.nodes(data=True)), list(graph.edges(data=True))) == before


class TestChannels:
    """How the action was carried into practice, channel by channel."""

    def test_training_share_of_staff(self) -> None:
        """Attendees among the services' staff in post on the last session's day."""
        left = attrs.evolve(
            samples.staff_member(), id="STAFF-LEFT", left_on=date(2025, 1, 31)
        )
        records = [
            *_origin(AGREED),
            left,
            loops.training("TRN-1", actions=["ACT-1"], attendees=["STAFF-CW1"]),
            loops.training(
                "TRN-2",
                actions=["ACT-1"],
                held_on=date(2025, 3, 25),
                attendees=["STAFF-CW1", "STAFF-ELM1"],
            ),
        ]
        training = _trace(*records).training
        assert training.sessions == ("TRN-1", "TRN-2")
        assert training.attendees == ("STAFF-CW1", "STAFF-ELM1")
        assert training.services == ("SVC-OAK",)
        # Oak House has CW1, CW2 and RM in post; the leaver and Elm's carer do not count.
        assert (training.staff_in_post, training.staff_attended) == (3, 1)
        assert training.attended_share == pytest.approx(1 / 3)

    def test_staff_counted_through_their_team(self) -> None:
        """A member of staff with only a team counts at the team's service."""
        by_team = StaffMember(
            id="STAFF-T1",
            role=samples.staff_member().role,
            team="TEAM-OAK-NIGHT",
            recorded_by="STAFF-RM",
            recorded_at=samples.AT,
        )
        nowhere = attrs.evolve(by_team, id="STAFF-X", team=None)
        records = [
            *_origin(AGREED),
            by_team,
            nowhere,
            loops.training("TRN-1", actions=["ACT-1"], attendees=["STAFF-T1"]),
        ]
        training = _trace(*records).training
        assert (training.staff_in_post, training.staff_attended) == (4, 1)

    def test_services_fall_back_to_the_incidents(self) -> None:
        """An action naming no service counts the staff of its incidents' services."""
        records = [
            *_origin(AGREED, services=()),
            loops.training("TRN-1", actions=["ACT-1"]),
        ]
        assert _trace(*records).training.services == ("SVC-OAK",)

    def test_no_training(self) -> None:
        """With no training there is no share to give."""
        training = _trace(*_origin()).training
        assert training.sessions == ()
        assert training.attended_share is None

    def test_supervision_reflective_coaching_changes(self) -> None:
        """Each embedding record lands in its own channel with its people."""
        carries: dict[str, Any] = {"actions": ("ACT-1",), "learning_points": ()}
        records = [
            *_origin(AGREED),
            attrs.evolve(samples.supervision_session(), **carries),
            attrs.evolve(
                samples.supervision_session(),
                id="SUP-2",
                supervisee="STAFF-CW2",
                reflective=False,
                **carries,
            ),
            attrs.evolve(samples.reflective_practice_session(), **carries),
            attrs.evolve(samples.coaching_session(), **carries),
            attrs.evolve(samples.service_change(), **carries),
        ]
        trace = _trace(*records)
        assert trace.supervision.sessions == ("SUP-0001", "SUP-2")
        assert trace.supervision.supervisees == ("STAFF-CW1", "STAFF-CW2")
        assert trace.supervision.reflective_sessions == ("SUP-0001",)
        assert trace.reflective_practice.sessions == ("RPS-0001",)
        assert trace.reflective_practice.attendees == ("STAFF-CW1", "STAFF-CW2")
        assert trace.coaching.sessions == ("COA-0001",)
        assert trace.coaching.coachees == ("STAFF-CW1",)
        assert trace.service_changes.changes == ("CHG-0001",)
        assert trace.service_changes.areas == (ChangeArea.ROTA,)
        assert trace.service_changes.services == ("SVC-OAK",)
        assert trace.channels == (
            Channel.SUPERVISION,
            Channel.REFLECTIVE_PRACTICE,
            Channel.COACHING,
            Channel.SERVICE_CHANGE,
        )

    def test_learning_point_carriers_belong_to_the_learning(self) -> None:
        """A session carrying only the learning point is not in the action's channels."""
        records = [*_origin(AGREED), loops.training("TRN-1", points=["LP-1"])]
        trace = _trace(*records)
        assert trace.training.sessions == ()
        assert trace.loop_status is LoopStatus.OPEN

    def test_sharing(self) -> None:
        """Meetings and their circulation, shares naming the action, and discussion."""
        discussed = attrs.evolve(
            loops.share("SHR-2", actions=["ACT-1"], shared_on=date(2025, 4, 1)),
            teams=("TEAM-OAK-NIGHT",),
            discussed_in=DiscussionSetting.HANDOVER,
        )
        records = [
            *_origin(AGREED),
            loops.meeting("GOV-1", actions=["ACT-1"], circulated_to=["SVC-OAK"]),
            loops.meeting("GOV-2", actions=["ACT-1"], held_on=date(2025, 3, 1)),
            loops.share("SHR-1", points=["LP-1"], meeting="GOV-2"),
            discussed,
        ]
        sharing = _trace(*records).sharing
        assert sharing.meetings == ("GOV-1", "GOV-2")
        # SHR-1 names only the learning point: it is the learning's, not the action's.
        assert sharing.shares == ("SHR-2",)
        assert sharing.services == ("SVC-ELM", "SVC-OAK")
        assert sharing.teams == ("TEAM-OAK-NIGHT",)
        # GOV-2 circulated nothing itself; GOV-1 circulated on 28 March.
        assert sharing.first_shared_on == date(2025, 3, 28)
        assert sharing.discussed_in == (DiscussionSetting.HANDOVER,)

    def test_meeting_alone_is_not_sharing(self) -> None:
        """A meeting that reviewed the action and sent it nowhere is not a channel."""
        records = [*_origin(AGREED), loops.meeting("GOV-1", actions=["ACT-1"])]
        trace = _trace(*records)
        assert trace.sharing.meetings == ("GOV-1",)
        assert trace.sharing.first_shared_on is None
        assert trace.channels == ()

    def test_effect(self) -> None:
        """Reviews oldest first with the latest verdict, and confidence checks."""
        records = [
            *_origin(AGREED, DONE),
            loops.review("REV-B", "ACT-1", reviewed_on=date(2025, 6, 1)),
            loops.review(
                "REV-A",
                "ACT-1",
                reviewed_on=date(2025, 9, 1),
                verdict=ReviewVerdict.PARTLY_EFFECTIVE,
            ),
            attrs.evolve(samples.staff_confidence_check(), actions=("ACT-1",)),
        ]
        effect = _trace(*records).effect
        assert effect.reviews == ("REV-B", "REV-A")
        assert effect.latest_review == "REV-A"
        assert effect.latest_verdict is ReviewVerdict.PARTLY_EFFECTIVE
        assert effect.confidence_checks == ("SCC-0001",)

    def test_withdrawn_records_do_not_count(self) -> None:
        """Training entered in error carries nothing."""
        session = loops.training("TRN-1", actions=["ACT-1"])
        withdrawn = session.marked_entered_in_error(
            by="STAFF-RM", at=samples.AT, reason="wrong action"
        )
        log = LearningLog([*loops.organisation(), *_origin(AGREED), session, withdrawn])
        assert action_trace(build_graph(log), "ACT-1").training.sessions == ()


class TestLoopStatus:
    """The loop status follows the decision of record, then the evidence."""

    @pytest.mark.parametrize(
        ("statuses", "embedded", "expected"),
        [
            ((), False, LoopStatus.OPEN),
            ((AGREED,), False, LoopStatus.OPEN),
            ((AGREED,), True, LoopStatus.EMBEDDED),
            ((AGREED, DONE), True, LoopStatus.EMBEDDED),
            ((AGREED, DONE, VERIFIED), True, LoopStatus.VERIFIED_EFFECTIVE),
            ((AGREED, DONE, INEFFECTIVE), False, LoopStatus.FOUND_INEFFECTIVE),
            (((S.REJECTED, date(2025, 3, 9)),), False, LoopStatus.REJECTED),
        ],
    )
    def test_loop_status(
        self,
        statuses: tuple[tuple[ActionStatus, date], ...],
        *,
        embedded: bool,
        expected: LoopStatus,
    ) -> None:
        """Final statuses decide; otherwise embedded if any channel carries the action."""
        extra = [loops.training("TRN-1", actions=["ACT-1"])] if embedded else []
        trace = _trace(*_origin(*statuses), *extra)
        assert trace.loop_status is expected
        closed = {"verified_effective", "found_ineffective", "rejected"}
        assert trace.loop_status.is_closed == (expected.value in closed)

    def test_rejection_reason(self) -> None:
        """A rejected action's trace carries the reason."""
        trace = _trace(*_origin((S.REJECTED, date(2025, 3, 9)), reason="too costly"))
        assert (trace.status, trace.rejection_reason) == (S.REJECTED, "too costly")


class TestDisagreements:
    """Where the status and the reviews disagree, the trace says so."""

    @pytest.mark.parametrize(
        ("statuses", "verdicts", "expected"),
        [
            ((AGREED, DONE, VERIFIED), ("effective",), []),
            (
                (AGREED, DONE, VERIFIED),
                ("effective", "not_effective"),
                [DisagreementKind.VERIFIED_BUT_REVIEW_DISAGREES],
            ),
            (
                (AGREED, DONE, VERIFIED),
                ("partly_effective",),
                [DisagreementKind.VERIFIED_BUT_REVIEW_DISAGREES],
            ),
            ((AGREED, DONE, INEFFECTIVE), ("not_effective",), []),
            ((AGREED, DONE, INEFFECTIVE), ("partly_effective",), []),
            (
                (AGREED, DONE, INEFFECTIVE),
                ("effective",),
                [DisagreementKind.INEFFECTIVE_BUT_REVIEW_EFFECTIVE],
            ),
            ((AGREED, DONE, VERIFIED), (), [DisagreementKind.CLOSED_WITHOUT_REVIEW]),
            ((AGREED, DONE, INEFFECTIVE), (), [DisagreementKind.CLOSED_WITHOUT_REVIEW]),
            ((AGREED, DONE), (), []),
            ((AGREED, DONE), ("effective",), [DisagreementKind.REVIEW_NOT_ACTED_ON]),
            (
                (AGREED, DONE),
                ("not_effective",),
                [DisagreementKind.REVIEW_NOT_ACTED_ON],
            ),
            ((AGREED, DONE), ("partly_effective",), []),
        ],
    )
    def test_status_against_reviews(
        self,
        statuses: tuple[tuple[ActionStatus, date], ...],
        verdicts: tuple[str, ...],
        expected: list[DisagreementKind],
    ) -> None:
        """The latest review is compared with the status of record."""
        reviews = [
            loops.review(
                f"REV-{index}",
                "ACT-1",
                reviewed_on=date(2025, 6, 1 + index),
                verdict=ReviewVerdict(verdict),
            )
            for index, verdict in enumerate(verdicts)
        ]
        trace = _trace(*_origin(*statuses), *reviews)
        assert [d.kind for d in trace.disagreements] == expected

    def test_message_names_the_review(self) -> None:
        """The disagreement names the latest review, its day and its verdict."""
        records = [
            *_origin(AGREED, DONE, VERIFIED),
            loops.review("REV-1", "ACT-1", verdict=ReviewVerdict.NOT_EFFECTIVE),
        ]
        (disagreement,) = _trace(*records).disagreements
        assert disagreement.message == (
            "the status is verified effective but the latest review "
            "(REV-1, 2025-09-30) says not effective"
        )
        assert disagreement.records == ("ACT-1", "REV-1")

    def test_rejected_but_embedded(self) -> None:
        """A rejected action that training still carries is flagged."""
        records = [
            *_origin((S.REJECTED, date(2025, 3, 9))),
            loops.training("TRN-1", actions=["ACT-1"]),
        ]
        (disagreement,) = _trace(*records).disagreements
        assert disagreement.kind is DisagreementKind.REJECTED_BUT_EMBEDDED
        assert disagreement.records == ("ACT-1", "TRN-1")

    def test_rejected_and_not_embedded(self) -> None:
        """A rejected action nothing carries has no disagreement."""
        assert _trace(*_origin((S.REJECTED, date(2025, 3, 9)))).disagreements == ()


class TestTimeline:
    """Every dated step, oldest first."""

    def test_timeline(self) -> None:
        """Records and status changes in order of day, then kind, then record."""
        response = attrs.evolve(
            loops.response("LR-1", ["INC-1"]), completed_on=date(2025, 3, 5)
        )
        discussed = attrs.evolve(
            loops.share("SHR-1", actions=["ACT-1"], shared_on=date(2025, 4, 1)),
            discussed_in=DiscussionSetting.TEAM_MEETING,
        )
        records = [
            *(r if r.id != "LR-1" else response for r in _origin(AGREED, DONE)),
            discussed,
            loops.review("REV-1", "ACT-1", reviewed_on=date(2025, 6, 1)),
            attrs.evolve(samples.staff_confidence_check(), actions=("ACT-1",)),
        ]
        timeline = [
            (entry.on.isoformat(), entry.record, entry.event)
            for entry in _trace(*records).timeline
        ]
        assert timeline == [
            ("2025-02-20", "INC-2", "incident occurred"),
            ("2025-03-01", "INC-1", "incident occurred"),
            ("2025-03-03", "LR-1", "learning response started"),
            ("2025-03-03", "CF-1", "contributing factor recorded"),
            ("2025-03-03", "CF-2", "contributing factor recorded"),
            ("2025-03-03", "LP-1", "learning point recorded"),
            ("2025-03-05", "LR-1", "learning response completed"),
            ("2025-03-10", "ACT-1", "action agreed"),
            ("2025-03-10", "SCC-0001", "staff confidence checked: mean 2.5 of 5"),
            ("2025-04-01", "SHR-1", "learning discussed (team meeting)"),
            ("2025-04-01", "SHR-1", "learning shared"),
            ("2025-04-10", "ACT-1", "action completed"),
            ("2025-06-01", "REV-1", "effectiveness reviewed: effective"),
        ]

    def test_action_without_history(self) -> None:
        """A proposed action's one step is its recording."""
        entries = [e for e in _trace(*_origin()).timeline if e.kind is NodeKind.ACTION]
        assert [(e.on, e.event) for e in entries] == [
            (samples.AT.date(), "action recorded")
        ]


class TestIncidentTrace:
    """Everything that came from one incident, and what did not."""

    def test_everything_that_followed(self) -> None:
        """Responses, factors, learning, actions, its own meetings and the rest."""
        records = [
            *_origin(AGREED, DONE),
            loops.training("TRN-1", actions=["ACT-1"]),
            loops.meeting("GOV-1", incidents=["INC-1"]),
            loops.meeting("GOV-2", points=["LP-1"]),
            loops.share("SHR-1", points=["LP-1"], meeting="GOV-2"),
        ]
        trace = incident_trace(loops.graph_of(*records), "INC-1")
        assert trace.incident == "INC-1"
        assert trace.responses == ("LR-1",)
        assert trace.factors == ("CF-1",)
        assert trace.learning_points == ("LP-1",)
        assert [a.action for a in trace.actions] == ["ACT-1"]
        assert trace.meetings == ("GOV-1",)
        assert trace.other_records == ("GOV-2", "SHR-1", "TRN-1")
        assert trace.records == {
            "INC-1", "LR-1", "CF-1", "LP-1", "ACT-1", "GOV-1", "GOV-2", "SHR-1", "TRN-1"
        }  # fmt: skip
        assert [(e.record, e.event) for e in trace.timeline][:2] == [
            ("INC-1", "incident occurred"),
            ("LR-1", "learning response started"),
        ]

    def test_what_did_not_happen(self) -> None:
        """The gaps among its records; overdue only when a day is judged."""
        records = [
            loops.incident("INC-1"),
            loops.incident("INC-2"),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.learning_point("LP-2", incidents=["INC-1"]),
            loops.action("ACT-1", ["LP-2"], AGREED),
        ]
        graph = loops.graph_of(*records)
        undated = incident_trace(graph, "INC-1")
        assert [(g.kind, g.record) for g in undated.missing] == [
            (GapKind.NO_LEARNING_RESPONSE, "INC-1"),
            (GapKind.ACTION_NOT_EMBEDDED, "ACT-1"),
            (GapKind.LEARNING_WITHOUT_ACTION, "LP-1"),
        ]
        dated = incident_trace(graph, "INC-1", as_of=date(2025, 6, 1))
        assert GapKind.OVERDUE_ACTION in {g.kind for g in dated.missing}

    def test_unknown_incident(self) -> None:
        """An id that is not an incident is an UnknownRecordError."""
        graph = loops.graph_of(*_origin())
        with pytest.raises(UnknownRecordError, match="no incident has the id 'LP-1'"):
            incident_trace(graph, "LP-1")

    def test_example_story(self) -> None:
        """Willow's reflective practice action is verified, embedded and shared everywhere."""
        graph = build_graph(samples.example_log())
        trace = action_trace(graph, "ACT-0004")
        assert trace.loop_status is LoopStatus.VERIFIED_EFFECTIVE
        assert Channel.REFLECTIVE_PRACTICE in trace.channels
        assert len(trace.reflective_practice.sessions) == 15
        assert trace.disagreements == ()
        assert len(trace.sharing.services) == 6


# --- properties ---------------------------------------------------------------


def _actions(graph: LearningGraph) -> list[str]:
    """Return the actions in *graph*, sorted."""
    return sorted(
        node
        for node, data in graph.nodes(data=True)
        if isinstance(data["record"], Action)
    )


@strategies.log_settings()
@given(log=strategies.logs(min_each=1))
def test_every_trace_node_is_in_the_graph(log: LearningLog) -> None:
    """Every record an action's or incident's trace names is a node of the graph."""
    graph = build_graph(log)
    for action in _actions(graph):
        assert action_trace(graph, action).records <= set(graph)
    for node, data in graph.nodes(data=True):
        if isinstance(data["record"], Incident):
            trace = incident_trace(graph, node)
            assert trace.records <= set(graph)
            assert {e.record for e in trace.timeline} <= trace.records


@strategies.log_settings()
@given(log=strategies.logs(min_each=1), pick=st.integers(min_value=0))
def test_unrelated_incident_never_changes_a_trace(log: LearningLog, pick: int) -> None:
    """Adding an incident linked to nothing leaves every action's trace as it was."""
    graph = build_graph(log)
    actions = _actions(graph)
    if not actions:
        return
    action = actions[pick % len(actions)]
    before = action_trace(graph, action)
    template = next(iter(log.of_kind(Incident).values()))
    stranger = attrs.evolve(
        template,
        id="UNRELATED-INCIDENT",
        version=1,
        entered_in_error=False,
        amendment_reason=None,
    )
    bigger = LearningLog([*log.all_versions(), stranger], local_codes=log.local_codes)
    assert action_trace(build_graph(bigger), action) == before
