"""Tests for incident_learning.analysis.gaps: every kind of broken loop, and the policy."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import loops, strategies

from incident_learning import samples
from incident_learning.analysis import (
    DEFAULT_POLICY,
    Gap,
    GapKind,
    GapPolicy,
    LoopGaps,
    loop_gaps,
    needs_learning_response,
)
from incident_learning.graph import build_graph
from incident_learning.model import (
    ActionKind,
    ActionStatus,
    CqcCriterion,
    CqcNotification,
    HarmLevel,
    Incident,
    LearningLog,
    PersonAffected,
    PhysicalHarm,
    PsychologicalHarm,
    Record,
    SafeguardingReferral,
    StaffMember,
)

S = ActionStatus
AS_OF = date(2025, 12, 31)
AGREED = (S.AGREED, date(2025, 3, 10))
DONE = (S.COMPLETED, date(2025, 4, 10))


def _gaps(
    *records: Record, as_of: date = AS_OF, policy: GapPolicy = DEFAULT_POLICY
) -> LoopGaps:
    """Return the gaps of a log of the organisation and *records*."""
    return loop_gaps(loops.graph_of(*records), as_of=as_of, policy=policy)


def _kinds(gaps: LoopGaps) -> list[tuple[str, str]]:
    """Return each gap's kind and record, in order."""
    return [(gap.kind.value, gap.record) for gap in gaps]


def _harmless(**changes: Any) -> Incident:
    """Return an incident that harmed nobody, with *changes*."""
    nobody = PersonAffected(person="P-0001")
    return loops.incident(people_affected=(nobody,), **changes)


def _closed_loop() -> list[Record]:
    """Return an incident whose loop has no gap: responded, learned, acted, embedded, reviewed."""
    return [
        loops.incident("INC-1"),
        loops.response("LR-1", ["INC-1"]),
        loops.factor("CF-1", response="LR-1", incidents=["INC-1"]),
        loops.learning_point("LP-1", factors=["CF-1"]),
        loops.action("ACT-1", ["LP-1"], AGREED, DONE),
        loops.training("TRN-1", actions=["ACT-1"]),
        loops.review("REV-1", "ACT-1"),
    ]


class TestClosedLoop:
    """A loop with every step in place has no gap."""

    def test_no_gaps(self) -> None:
        """Responded, learned, acted, embedded and reviewed: nothing is missing."""
        assert _kinds(_gaps(*_closed_loop())) == []

    def test_empty_graph(self) -> None:
        """A log with no loop records has no gaps."""
        gaps = _gaps()
        assert len(gaps) == 0
        assert gaps.counts == ()

    def test_graph_is_not_changed(self) -> None:
        """Finding gaps leaves the graph's nodes, edges and attributes as they were."""
        graph = loops.graph_of(*_closed_loop()[:4])
        before = (list(graph.nodes(data=True)), list(graph.edges(data=True)))
        loop_gaps(graph, as_of=AS_OF)
        assert (list(graph.nodes(data=True)), list(graph.edges(data=True))) == before


class TestNoLearningResponse:
    """Incidents the policy says need a learning response, and have none."""

    def test_moderate_harm_without_response(self) -> None:
        """The sample fall (moderate harm) with no response is a gap from the day it was reported."""
        gaps = _gaps(loops.incident("INC-1"))
        assert _kinds(gaps) == [("no_learning_response", "INC-1")]
        (gap,) = gaps
        assert gap.since == date(2025, 3, 1)
        assert gap.records == ("INC-1",)
        assert gap.message == "incident INC-1 needs a learning response and has none"

    def test_response_closes_it(self) -> None:
        """A learning response looking into the incident closes the gap."""
        gaps = _gaps(loops.incident("INC-1"), loops.response("LR-1", ["INC-1"]))
        assert gaps.of_kind(GapKind.NO_LEARNING_RESPONSE) == ()

    def test_response_started_after_as_of_does_not_count(self) -> None:
        """A response begun after the day judged did not exist on that day."""
        records = [loops.incident("INC-1"), loops.response("LR-1", ["INC-1"])]
        gaps = _gaps(*records, as_of=date(2025, 3, 2))
        assert _kinds(gaps) == [("no_learning_response", "INC-1")]

    def test_incident_after_as_of_is_not_judged(self) -> None:
        """An incident that had not happened on the day judged is no gap."""
        assert _kinds(_gaps(loops.incident("INC-1"), as_of=date(2025, 2, 1))) == []

    def test_low_harm_needs_none(self) -> None:
        """Under the default policy a low-harm incident needs no response."""
        assert _kinds(_gaps(_harmless())) == []

    @pytest.mark.parametrize(
        "changes",
        [
            {"cqc_notification": CqcNotification(criterion=CqcCriterion.DEATH)},
            {
                "safeguarding_referral": SafeguardingReferral(
                    referred_on=date(2025, 3, 1), local_authority="Anyshire"
                )
            },
            {"category": "death"},
            {"category": "safeguarding_and_abuse"},
            {"secondary_categories": ("safeguarding_and_abuse",)},
        ],
        ids=["cqc", "referral", "death", "safeguarding", "secondary-safeguarding"],
    )
    def test_default_policy_criteria(self, changes: dict[str, object]) -> None:
        """CQC notifications, safeguarding and deaths need a response whatever the harm."""
        assert needs_learning_response(_harmless(**changes))

    @pytest.mark.parametrize(
        ("physical", "psychological", "needed"),
        [
            (PhysicalHarm.NONE, PsychologicalHarm.NONE, False),
            (PhysicalHarm.LOW, PsychologicalHarm.LOW, False),
            (PhysicalHarm.MODERATE, PsychologicalHarm.NONE, True),
            (PhysicalHarm.NONE, PsychologicalHarm.MODERATE, True),
            (PhysicalHarm.SEVERE, PsychologicalHarm.NONE, True),
            (PhysicalHarm.FATAL, PsychologicalHarm.NONE, True),
            (PhysicalHarm.NONE, PsychologicalHarm.SEVERE, True),
        ],
    )
    def test_default_policy_harm(
        self,
        physical: PhysicalHarm,
        psychological: PsychologicalHarm,
        *,
        needed: bool,
    ) -> None:
        """Moderate or worse harm on either scale needs a response."""
        person = PersonAffected(
            person="P-0001", physical_harm=physical, psychological_harm=psychological
        )
        assert (
            needs_learning_response(loops.incident(people_affected=(person,))) is needed
        )

    def test_no_one_named_needs_none(self) -> None:
        """An incident naming no one affected has no harm to judge by."""
        assert not needs_learning_response(loops.incident(people_affected=()))

    def test_own_policy(self) -> None:
        """A caller's policy replaces the default one."""
        severe_only = GapPolicy(needs_response=lambda i: i.harm is HarmLevel.SEVERE)
        assert _kinds(_gaps(loops.incident("INC-1"), policy=severe_only)) == []

    def test_response_due_days(self) -> None:
        """With time allowed, the gap opens only once that time has passed."""
        policy = GapPolicy(response_due_days=14)
        fall = loops.incident("INC-1")
        assert _kinds(_gaps(fall, policy=policy, as_of=date(2025, 3, 14))) == []
        (gap,) = _gaps(fall, policy=policy, as_of=date(2025, 3, 15))
        assert gap.since == date(2025, 3, 15)

    @pytest.mark.parametrize("days", [-1, 1.5, True, "7"])
    def test_bad_due_days(self, days: object) -> None:
        """Days allowed must be a whole number, 0 or more."""
        with pytest.raises(
            ValueError, match="response_due_days must be a whole number"
        ):
            GapPolicy(response_due_days=days)  # type: ignore[arg-type]


class TestFactorsAndLearning:
    """Factors with no learning, learning with no action or only weaker actions."""

    def test_factor_without_learning(self) -> None:
        """A factor no learning point was drawn from is a gap."""
        records = [
            loops.incident("INC-1"),
            loops.response("LR-1", ["INC-1"]),
            loops.factor("CF-1", response="LR-1"),
        ]
        (gap,) = _gaps(*records)
        assert (gap.kind, gap.record) == (GapKind.FACTOR_WITHOUT_LEARNING, "CF-1")
        assert gap.since == samples.AT.date()

    def test_learning_without_action(self) -> None:
        """A learning point no action addresses is a gap."""
        (gap,) = _gaps(
            loops.incident("INC-1", people_affected=()),
            loops.learning_point("LP-1", incidents=["INC-1"]),
        )
        assert (gap.kind, gap.record) == (GapKind.LEARNING_WITHOUT_ACTION, "LP-1")
        assert gap.message == "learning point LP-1 has no action addressing it"

    def test_only_rejected_actions_leave_learning_without_action(self) -> None:
        """A rejected action does not address the learning; the gap names it."""
        records = [
            loops.incident("INC-1", people_affected=()),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.action("ACT-1", ["LP-1"], (S.REJECTED, date(2025, 3, 10))),
        ]
        (gap,) = _gaps(*records)
        assert gap.kind is GapKind.LEARNING_WITHOUT_ACTION
        assert gap.records == ("ACT-1", "LP-1")
        assert gap.message.endswith("(1 rejected)")

    def test_rejected_after_as_of_still_addresses(self) -> None:
        """An action rejected after the day judged still addressed the learning on that day."""
        records = [
            loops.incident("INC-1", people_affected=()),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.action(
                "ACT-1", ["LP-1"], AGREED, (S.REJECTED, date(2025, 6, 1)), due=AS_OF
            ),
            loops.training("TRN-1", actions=["ACT-1"]),
        ]
        assert _kinds(_gaps(*records, as_of=date(2025, 5, 1))) == []

    def test_only_weaker_actions(self) -> None:
        """Learning addressed only by training is a gap that names the actions."""
        records = [
            loops.incident("INC-1", people_affected=()),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.action("ACT-1", ["LP-1"], kind=ActionKind.TRAINING, due=AS_OF),
            loops.action("ACT-2", ["LP-1"], kind=ActionKind.POLICY, due=AS_OF),
        ]
        (gap,) = _gaps(*records)
        assert gap.kind is GapKind.ONLY_WEAKER_ACTIONS
        assert gap.records == ("ACT-1", "ACT-2", "LP-1")
        assert gap.message == (
            "learning point LP-1 is addressed only by weaker actions (policy, training)"
        )

    def test_one_stronger_action_is_enough(self) -> None:
        """A single intermediate or stronger action alongside training closes it."""
        records = [
            loops.incident("INC-1", people_affected=()),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.action("ACT-1", ["LP-1"], kind=ActionKind.TRAINING, due=AS_OF),
            loops.action("ACT-2", ["LP-1"], kind=ActionKind.CHECKLIST, due=AS_OF),
        ]
        assert _kinds(_gaps(*records)) == []


class TestActions:
    """Actions not embedded, overdue, not reviewed, or rejected with no reason."""

    @staticmethod
    def _loop(
        *extra: Record,
        statuses: tuple[tuple[ActionStatus, date], ...] = (AGREED,),
        **action: Any,
    ) -> list[Record]:
        """Return an incident, response and learning point, one action, and *extra*."""
        return [
            loops.incident("INC-1"),
            loops.response("LR-1", ["INC-1"]),
            loops.learning_point("LP-1", responses=["LR-1"]),
            loops.action("ACT-1", ["LP-1"], *statuses, **action),
            *extra,
        ]

    def test_agreed_not_embedded(self) -> None:
        """An agreed action nothing carries is a gap from the day it was agreed."""
        (gap,) = _gaps(*self._loop(due=AS_OF))
        assert (gap.kind, gap.since) == (GapKind.ACTION_NOT_EMBEDDED, date(2025, 3, 10))
        assert "is agreed but no training" in gap.message

    def test_proposed_is_not_judged_for_embedding(self) -> None:
        """A proposed action is not expected to be embedded yet."""
        assert _kinds(_gaps(*self._loop(statuses=(), due=AS_OF))) == []

    @pytest.mark.parametrize(
        "carrier",
        [
            loops.training("TRN-1", actions=["ACT-1"]),
            loops.share("SHR-1", actions=["ACT-1"]),
            loops.meeting("GOV-1", actions=["ACT-1"], circulated_to=["SVC-ELM"]),
        ],
        ids=["training", "share", "meeting-circulated"],
    )
    def test_embedding_closes_it(self, carrier: Record) -> None:
        """Training, a share, or a meeting that circulated the action carries it."""
        assert _kinds(_gaps(*self._loop(carrier, due=AS_OF))) == []

    def test_meeting_share_carries_only_what_it_names(self) -> None:
        """A share a meeting sent carries the learning it names, not the meeting's agenda."""
        records = self._loop(
            loops.meeting("GOV-1", actions=["ACT-1"]),
            loops.share("SHR-1", points=["LP-1"], meeting="GOV-1"),
            due=AS_OF,
        )
        assert _kinds(_gaps(*records)) == [("action_not_embedded", "ACT-1")]

    def test_meeting_that_only_reviewed_does_not_carry_it(self) -> None:
        """A meeting that reviewed the action but sent it nowhere does not embed it."""
        records = self._loop(loops.meeting("GOV-1", actions=["ACT-1"]), due=AS_OF)
        assert _kinds(_gaps(*records)) == [("action_not_embedded", "ACT-1")]

    def test_embedding_after_as_of_does_not_count(self) -> None:
        """Training held after the day judged had not embedded the action on that day."""
        records = self._loop(
            loops.training("TRN-1", actions=["ACT-1"], held_on=date(2025, 6, 1)),
            due=AS_OF,
        )
        assert _kinds(_gaps(*records, as_of=date(2025, 5, 1))) == [
            ("action_not_embedded", "ACT-1")
        ]

    def test_overdue(self) -> None:
        """An open action past its due date is overdue from the day after it."""
        records = self._loop(loops.training("TRN-1", actions=["ACT-1"]))
        (gap,) = _gaps(*records, as_of=date(2025, 5, 2))
        assert (gap.kind, gap.since) == (GapKind.OVERDUE_ACTION, date(2025, 5, 1))
        assert gap.message == (
            "action ACT-1 was due on 2025-04-30 and is 2 days overdue (agreed)"
        )
        (one_day,) = _gaps(*records, as_of=date(2025, 5, 1))
        assert "is 1 day overdue" in one_day.message

    def test_not_overdue_when_done_by_the_day(self) -> None:
        """An action done after its due date is no longer overdue once done."""
        records = self._loop(
            loops.training("TRN-1", actions=["ACT-1"]),
            loops.review("REV-1", "ACT-1"),
            statuses=(AGREED, (S.COMPLETED, date(2025, 5, 5))),
        )
        assert _kinds(_gaps(*records, as_of=date(2025, 5, 3))) == [
            ("overdue_action", "ACT-1")
        ]
        assert _kinds(_gaps(*records, as_of=date(2025, 10, 1))) == []

    def test_done_without_review(self) -> None:
        """A completed action with no review is a gap from the day it was done."""
        records = self._loop(
            loops.training("TRN-1", actions=["ACT-1"]), statuses=(AGREED, DONE)
        )
        (gap,) = _gaps(*records)
        assert (gap.kind, gap.since) == (GapKind.ACTION_NOT_REVIEWED, DONE[1])
        assert gap.message == (
            "action ACT-1 was done on 2025-04-10 with no effectiveness review"
        )

    def test_review_not_due_before_the_measure_date(self) -> None:
        """A review planned for a later date is not missing until that date."""
        records = self._loop(
            loops.training("TRN-1", actions=["ACT-1"]),
            statuses=(AGREED, DONE),
            measure_by=date(2025, 9, 30),
        )
        assert _kinds(_gaps(*records, as_of=date(2025, 9, 30))) == []
        (gap,) = _gaps(*records, as_of=date(2025, 10, 1))
        assert (gap.kind, gap.since) == (GapKind.ACTION_NOT_REVIEWED, date(2025, 10, 1))

    def test_review_before_measure_date_is_ignored_for_since(self) -> None:
        """A measure date before completion leaves the gap opening on completion."""
        records = self._loop(
            loops.training("TRN-1", actions=["ACT-1"]),
            statuses=(AGREED, DONE),
            measure_by=date(2025, 4, 1),
        )
        (gap,) = _gaps(*records)
        assert gap.since == DONE[1]

    def test_rejected_with_reason_is_no_gap(self) -> None:
        """A rejection with its reason closes the action's own loop."""
        records = self._loop(statuses=((S.REJECTED, date(2025, 3, 9)),))
        assert _kinds(_gaps(*records)) == [("learning_without_action", "LP-1")]

    def test_action_recorded_after_as_of_is_not_judged(self) -> None:
        """An action first recorded after the day judged did not exist then."""
        base = self._loop(
            statuses=((S.AGREED, date(2025, 3, 25)),), due=date(2025, 3, 1)
        )
        late = attrs.evolve(base[3], recorded_at=loops.moment(date(2025, 3, 20)))
        assert _kinds(_gaps(*base[:3], late, as_of=date(2025, 3, 10))) == [
            ("learning_without_action", "LP-1")
        ]
        assert _kinds(_gaps(*base[:3], late, as_of=date(2025, 3, 21))) == [
            ("overdue_action", "ACT-1")
        ]


class TestOrderAndResult:
    """Gaps come most urgent first, and the result is an immutable value."""

    def test_order(self) -> None:
        """By urgency of kind, then oldest first, then by record."""
        records = [
            loops.incident("INC-2", day=date(2025, 2, 1)),
            loops.incident("INC-1", day=date(2025, 2, 1)),
            loops.incident("INC-0", day=date(2025, 3, 1)),
            loops.learning_point("LP-1", incidents=["INC-0"]),
            loops.action("ACT-1", ["LP-1"], AGREED),
        ]
        assert _kinds(_gaps(*records)) == [
            ("no_learning_response", "INC-1"),
            ("no_learning_response", "INC-2"),
            ("no_learning_response", "INC-0"),
            ("overdue_action", "ACT-1"),
            ("action_not_embedded", "ACT-1"),
        ]

    def test_accessors(self) -> None:
        """counts, of_kind and involving select from the gaps in order."""
        records = [
            loops.incident("INC-1"),
            loops.incident("INC-2"),
            loops.learning_point("LP-1", incidents=["INC-1"]),
        ]
        gaps = _gaps(*records)
        assert gaps.as_of == AS_OF
        assert gaps.counts == (
            (GapKind.NO_LEARNING_RESPONSE, 2),
            (GapKind.LEARNING_WITHOUT_ACTION, 1),
        )
        assert [g.record for g in gaps.of_kind(GapKind.NO_LEARNING_RESPONSE)] == [
            "INC-1",
            "INC-2",
        ]
        assert [g.record for g in gaps.involving("LP-1")] == ["LP-1"]
        assert gaps.involving("INC-9") == ()

    def test_immutable(self) -> None:
        """Neither the result nor a gap can be changed."""
        gaps = _gaps(loops.incident("INC-1"))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            gaps.gaps = ()  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            gaps.gaps[0].record = "x"  # type: ignore[misc]

    def test_days_open(self) -> None:
        """A gap has been open the days from the day it opened."""
        (gap,) = _gaps(loops.incident("INC-1"))
        assert gap.days_open(date(2025, 3, 11)) == 10

    def test_withdrawn_records_are_not_judged(self) -> None:
        """An incident entered in error is no gap."""
        fall = loops.incident("INC-1").marked_entered_in_error(
            by="STAFF-RM", at=samples.AT, reason="duplicate"
        )
        log = LearningLog([*loops.organisation(), loops.incident("INC-1"), fall])
        assert _kinds(loop_gaps(build_graph(log), as_of=AS_OF)) == []

    def test_urgency_follows_declaration(self) -> None:
        """Urgency is the declaration order of the kinds, 0 first."""
        assert [kind.urgency for kind in GapKind] == list(range(len(GapKind)))

    def test_example_story(self) -> None:
        """The example's overdue e-MAR action and unembedded falls action are found."""
        gaps = loop_gaps(build_graph(samples.example_log()), as_of=date(2025, 12, 31))
        assert [g.record for g in gaps.of_kind(GapKind.OVERDUE_ACTION)] == ["ACT-0011"]
        assert [g.record for g in gaps.of_kind(GapKind.ACTION_NOT_EMBEDDED)] == [
            "ACT-0049"
        ]
        assert "ACT-0006" not in {g.record for g in gaps}


# --- property: a gap disappears when the missing record is added -------------


def _remedy(log: LearningLog, gap: Gap) -> Record | None:
    """Return the record whose absence makes *gap*, valid in *log*; ``None`` if none fixes it."""
    day = date(2000, 1, 1)
    if gap.kind is GapKind.NO_LEARNING_RESPONSE:
        response = loops.response("FIX-LR", [gap.record], started_on=day)
        return attrs.evolve(response, lead=None, participants=())
    if gap.kind is GapKind.FACTOR_WITHOUT_LEARNING:
        return loops.learning_point("FIX-LP", factors=[gap.record])
    if gap.kind in {GapKind.LEARNING_WITHOUT_ACTION, GapKind.ONLY_WEAKER_ACTIONS}:
        owner = min(log.of_kind(StaffMember))
        action = loops.action("FIX-ACT", [gap.record], services=())
        return attrs.evolve(action, owner=owner, effectiveness_measure=None)
    if gap.kind is GapKind.ACTION_NOT_EMBEDDED:
        session = loops.training(
            "FIX-TRN", actions=[gap.record], held_on=day, attendees=()
        )
        return attrs.evolve(session, service=None)
    if gap.kind is GapKind.ACTION_NOT_REVIEWED:
        return attrs.evolve(
            loops.review("FIX-REV", gap.record, reviewed_on=day), reviewer=None
        )
    return None


@strategies.log_settings()
@given(log=strategies.logs(min_each=1), pick=st.integers(min_value=0))
def test_gap_disappears_when_missing_record_added(log: LearningLog, pick: int) -> None:
    """Adding the record a gap says is missing removes that gap."""
    far = date(2100, 1, 1)
    gaps = [g for g in loop_gaps(build_graph(log), as_of=far) if _remedy(log, g)]
    if not gaps:
        return
    gap = gaps[pick % len(gaps)]
    remedy = _remedy(log, gap)
    assert remedy is not None
    fixed = LearningLog([*log.all_versions(), remedy], local_codes=log.local_codes)
    after = loop_gaps(build_graph(fixed), as_of=far)
    assert all((g.kind, g.record) != (gap.kind, gap.record) for g in after)
    assert timedelta(0) <= far - gap.since
