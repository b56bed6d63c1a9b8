"""Tests for incident_learning.model.action: strength and the lifecycle."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import IllegalTransitionError, InvalidRecordError
from incident_learning.model import (
    TRANSITIONS,
    Action,
    ActionKind,
    ActionStatus,
    ActionStrength,
    StatusChange,
)

AT = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
S = ActionStatus

LEGAL = [(before, after) for before in S for after in sorted(TRANSITIONS[before])]
ILLEGAL = [
    (before, after) for before in S for after in S if after not in TRANSITIONS[before]
]


def _at(status: ActionStatus) -> Action:
    """Return the sample action whose history puts it at *status*."""
    reason = "not needed" if status is S.REJECTED else None
    change = StatusChange(status=status, by="STAFF-RM", at=AT, reason=reason)
    return attrs.evolve(samples.action(), status_history=(change,))


class TestTransitionsTable:
    """TRANSITIONS is the lifecycle's single source of truth."""

    def test_table_is_pinned(self) -> None:
        """The allowed moves from each status."""
        assert {
            before.value: sorted(after) for before, after in TRANSITIONS.items()
        } == {
            "proposed": ["agreed", "rejected"],
            "agreed": ["completed", "in_progress", "rejected"],
            "in_progress": ["completed", "rejected"],
            "completed": ["found_ineffective", "verified_effective"],
            "rejected": [],
            "verified_effective": [],
            "found_ineffective": [],
        }

    def test_final_statuses_allow_no_move(self) -> None:
        """Exactly the final statuses have no way out."""
        assert {s for s in S if not TRANSITIONS[s]} == {s for s in S if s.is_final}


class TestLifecycle:
    """Actions move only as TRANSITIONS allows."""

    @pytest.mark.parametrize(("before", "after"), LEGAL)
    def test_legal_transition(self, before: ActionStatus, after: ActionStatus) -> None:
        """A legal move returns the next version with the change recorded."""
        action = _at(before)
        later = AT + timedelta(days=1)
        reason = "why" if after is S.REJECTED else None
        moved = action.transitioned(after, by="STAFF-X", at=later, reason=reason)
        assert moved.status is after
        assert moved.status_history[:-1] == action.status_history
        assert moved.status_history[-1] == StatusChange(
            status=after, by="STAFF-X", at=later, reason=reason
        )
        assert (moved.version, moved.recorded_by, moved.recorded_at) == (
            2,
            "STAFF-X",
            later,
        )
        assert moved.amendment_reason == f"status {before} -> {after}"

    @pytest.mark.parametrize(("before", "after"), ILLEGAL)
    def test_illegal_transition(
        self, before: ActionStatus, after: ActionStatus
    ) -> None:
        """An illegal move raises IllegalTransitionError naming the allowed moves."""
        action = _at(before)
        allowed = ", ".join(sorted(TRANSITIONS[before])) or "none (final)"
        with pytest.raises(IllegalTransitionError) as caught:
            action.transitioned(after, by="STAFF-X", at=AT, reason="r")
        error = caught.value
        assert (error.action_id, error.current, error.requested) == (
            "ACT-0001",
            before,
            after,
        )
        assert error.reason == f"allowed next: {allowed}"
        assert str(error) == (
            f"action ACT-0001 cannot move from {before} to {after}: allowed next: {allowed}"
        )

    def test_new_action_is_proposed(self) -> None:
        """An action with no history is proposed."""
        assert samples.action().status is S.PROPOSED
        assert samples.action().rejection_reason is None

    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_rejection_needs_a_reason(self, reason: str | None) -> None:
        """Rejecting without a reason is refused."""
        with pytest.raises(IllegalTransitionError, match="a rejection needs a reason"):
            samples.action().transitioned(
                S.REJECTED, by="STAFF-RM", at=AT, reason=reason
            )

    def test_rejected_keeps_its_reason(self) -> None:
        """A rejected action reports why."""
        rejected = samples.action().rejected(by="STAFF-RM", at=AT, reason="too costly")
        assert rejected.status is S.REJECTED
        assert rejected.rejection_reason == "too costly"

    def test_named_moves_walk_the_whole_life(self) -> None:
        """The named methods move an action from proposed to verified effective."""
        action = samples.action().agreed(by="A", at=AT)
        action = action.started(by="A", at=AT)
        action = action.completed(by="A", at=AT)
        done = action.verified_effective(by="A", at=AT, reason="falls fell")
        assert [c.status for c in done.status_history] == [
            S.AGREED,
            S.IN_PROGRESS,
            S.COMPLETED,
            S.VERIFIED_EFFECTIVE,
        ]
        assert done.version == 5
        assert done.status_history[-1].reason == "falls fell"
        ineffective = action.found_ineffective(by="A", at=AT)
        assert ineffective.status is S.FOUND_INEFFECTIVE

    def test_status_may_be_given_as_text(self) -> None:
        """transitioned accepts the stored value of a status."""
        assert samples.action().transitioned("agreed", by="A", at=AT).status is S.AGREED  # type: ignore[arg-type]

    def test_history_may_start_mid_life(self) -> None:
        """An imported action's first change may be any status."""
        assert _at(S.COMPLETED).status is S.COMPLETED

    def test_illegal_history_is_refused(self) -> None:
        """A history with an illegal step is refused at that step."""
        history = (
            StatusChange(status=S.PROPOSED, by="A", at=AT),
            StatusChange(status=S.COMPLETED, by="A", at=AT),
        )
        with pytest.raises(
            InvalidRecordError,
            match=r"status_history\[1\].status: cannot follow proposed",
        ):
            attrs.evolve(samples.action(), status_history=history)

    def test_history_must_run_forwards_in_time(self) -> None:
        """A change dated before the previous one is refused."""
        history = (
            StatusChange(status=S.PROPOSED, by="A", at=AT),
            StatusChange(status=S.AGREED, by="A", at=AT - timedelta(seconds=1)),
        )
        with pytest.raises(
            InvalidRecordError, match=r"status_history\[1\].at: is before"
        ):
            attrs.evolve(samples.action(), status_history=history)

    def test_transition_earlier_than_history_is_refused(self) -> None:
        """Moving an action at a time before its last change is refused."""
        with pytest.raises(InvalidRecordError, match="is before the previous change"):
            _at(S.PROPOSED).agreed(by="A", at=AT - timedelta(days=1))

    def test_rejected_change_needs_a_reason(self) -> None:
        """A StatusChange to rejected without a reason is refused."""
        with pytest.raises(
            InvalidRecordError, match="reason: is required when an action is rejected"
        ):
            StatusChange(status=S.REJECTED, by="A", at=AT)

    @given(strategies.actions())
    def test_generated_histories_are_legal(self, action: Action) -> None:
        """Every generated history follows TRANSITIONS."""
        history = action.status_history
        for before, after in itertools.pairwise(history):
            assert after.status in TRANSITIONS[before.status]


class TestStrength:
    """Strength comes from the kind unless overridden with a reason."""

    def test_strength_is_derived_from_kind(self) -> None:
        """Without an override the kind's strength applies."""
        for kind in ActionKind:
            assert attrs.evolve(samples.action(), kind=kind).strength is kind.strength

    def test_override_with_reason(self) -> None:
        """An override with a reason replaces the derived strength."""
        action = attrs.evolve(
            samples.action(),
            strength_override=ActionStrength.STRONGER,
            strength_override_reason="rota is enforced by the e-rostering system",
        )
        assert action.strength is ActionStrength.STRONGER

    @pytest.mark.parametrize(
        ("override", "reason"), [(ActionStrength.WEAKER, None), (None, "because")]
    )
    def test_override_and_reason_go_together(
        self, override: ActionStrength | None, reason: str | None
    ) -> None:
        """An override without a reason, or a reason without one, is refused."""
        with pytest.raises(
            InvalidRecordError, match="strength_override_reason: must be given exactly"
        ):
            attrs.evolve(
                samples.action(),
                strength_override=override,
                strength_override_reason=reason,
            )


class TestOverdue:
    """An action is overdue when past due and not completed or closed."""

    @pytest.mark.parametrize(
        ("status", "overdue"),
        [
            (S.PROPOSED, True),
            (S.AGREED, True),
            (S.IN_PROGRESS, True),
            (S.COMPLETED, False),
            (S.REJECTED, False),
            (S.VERIFIED_EFFECTIVE, False),
            (S.FOUND_INEFFECTIVE, False),
        ],
    )
    def test_overdue_by_status(self, status: ActionStatus, *, overdue: bool) -> None:
        """Past the due date, only open actions are overdue."""
        assert _at(status).is_overdue(as_of=date(2030, 1, 1)) is overdue

    def test_not_overdue_on_due_date(self) -> None:
        """An action is not overdue on its due date, only after it."""
        action = samples.action()
        assert not action.is_overdue(as_of=action.due)
        assert action.is_overdue(as_of=action.due + timedelta(days=1))

    def test_needs_a_learning_point(self) -> None:
        """An action must address at least one learning point."""
        with pytest.raises(
            InvalidRecordError, match="learning_points: needs at least 1 item"
        ):
            attrs.evolve(samples.action(), learning_points=())


class TestGuardedChanges:
    def test_a_correction_cannot_rewrite_the_lifecycle(self) -> None:
        """The status history changes only through transitions."""
        agreed = samples.action().agreed(by="STAFF-RM", at=samples.AT)
        with pytest.raises(
            InvalidRecordError, match="status_history cannot be changed"
        ):
            agreed.corrected(
                by="STAFF-RM", at=samples.AT, reason="x", status_history=()
            )

    def test_a_correction_cannot_reinstate_a_withdrawn_record(self) -> None:
        """A record entered in error stays withdrawn: corrections cannot undo it."""
        withdrawn = samples.action().marked_entered_in_error(
            by="STAFF-RM", at=samples.AT, reason="duplicate"
        )
        with pytest.raises(
            InvalidRecordError, match="entered_in_error cannot be changed"
        ):
            withdrawn.corrected(
                by="STAFF-RM", at=samples.AT, reason="x", entered_in_error=False
            )

    def test_an_action_entered_in_error_does_not_move(self) -> None:
        """No transition applies to an action withdrawn as entered in error."""
        withdrawn = samples.action().marked_entered_in_error(
            by="STAFF-RM", at=samples.AT, reason="duplicate"
        )
        with pytest.raises(IllegalTransitionError, match="entered in error"):
            withdrawn.agreed(by="STAFF-RM", at=samples.AT)

    def test_an_unknown_status_is_an_illegal_transition(self) -> None:
        """Asking for a status that does not exist is refused in the error tree."""
        with pytest.raises(IllegalTransitionError, match="it is not a status"):
            samples.action().transitioned("done", by="STAFF-RM", at=samples.AT)  # type: ignore[arg-type]


class TestStatusOverTime:
    """The status on a past day and the day the action was done come from the history."""

    def test_status_on_follows_the_history(self) -> None:
        """Each day sees the last change made on or before it, proposed before any."""
        agreed = samples.action().agreed(by="STAFF-RM", at=AT)
        done = agreed.completed(by="STAFF-RM", at=AT + timedelta(days=3))
        assert done.status_on(AT.date() - timedelta(days=1)) is S.PROPOSED
        assert done.status_on(AT.date()) is S.AGREED
        assert done.status_on(AT.date() + timedelta(days=2)) is S.AGREED
        assert done.status_on(AT.date() + timedelta(days=3)) is S.COMPLETED

    @pytest.mark.parametrize(
        ("status", "done"),
        [
            (S.PROPOSED, False),
            (S.AGREED, False),
            (S.IN_PROGRESS, False),
            (S.REJECTED, False),
            (S.COMPLETED, True),
            (S.VERIFIED_EFFECTIVE, True),
            (S.FOUND_INEFFECTIVE, True),
        ],
    )
    def test_completed_on_by_first_status(
        self, status: ActionStatus, *, done: bool
    ) -> None:
        """A history starting at a done status was done on that change's day."""
        assert _at(status).completed_on == (AT.date() if done else None)

    def test_completed_on_is_the_first_done_change(self) -> None:
        """Verifying later does not move the day the action was done."""
        done = (
            samples.action()
            .agreed(by="STAFF-RM", at=AT)
            .completed(by="STAFF-RM", at=AT + timedelta(days=5))
            .verified_effective(by="STAFF-RM", at=AT + timedelta(days=90))
        )
        assert done.completed_on == AT.date() + timedelta(days=5)

    def test_overdue_as_it_stood_on_the_day(self) -> None:
        """An action done late was overdue between its due date and the day it was done."""
        action = attrs.evolve(samples.action(), due=AT.date())
        done = action.agreed(by="STAFF-RM", at=AT).completed(
            by="STAFF-RM", at=AT + timedelta(days=10)
        )
        assert done.is_overdue(as_of=AT.date() + timedelta(days=5))
        assert not done.is_overdue(as_of=AT.date() + timedelta(days=10))
