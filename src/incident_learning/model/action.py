"""Actions: what will change, who owns it, how strong it is, and its lifecycle."""

from collections.abc import Iterator, Mapping
from datetime import date, datetime

import attrs

from incident_learning.exceptions import IllegalTransitionError
from incident_learning.model.base import (
    PersonalData,
    Record,
    Validated,
    personal,
    refers_to,
    user_reference,
)
from incident_learning.model.vocab import ActionKind, ActionStatus, ActionStrength

__all__ = ["TRANSITIONS", "Action", "EffectivenessMeasure", "StatusChange"]

_S = ActionStatus
_DONE = frozenset({_S.COMPLETED, _S.VERIFIED_EFFECTIVE, _S.FOUND_INEFFECTIVE})

TRANSITIONS: Mapping[ActionStatus, frozenset[ActionStatus]] = {
    _S.PROPOSED: frozenset({_S.AGREED, _S.REJECTED}),
    _S.AGREED: frozenset({_S.IN_PROGRESS, _S.COMPLETED, _S.REJECTED}),
    _S.IN_PROGRESS: frozenset({_S.COMPLETED, _S.REJECTED}),
    _S.COMPLETED: frozenset({_S.VERIFIED_EFFECTIVE, _S.FOUND_INEFFECTIVE}),
    _S.REJECTED: frozenset(),
    _S.VERIFIED_EFFECTIVE: frozenset(),
    _S.FOUND_INEFFECTIVE: frozenset(),
}
"""The statuses an action may move to from each status.

An action found ineffective, verified effective or rejected is final: new
learning from it is a new action.
"""


@attrs.frozen(kw_only=True)
class StatusChange(Validated):
    """One move in an action's lifecycle: to what, by whom, when, and why.

    Attributes:
        status: The status moved to.
        by: Who made the decision.
        at: When.
        reason: Why; required for a rejection.
    """

    status: ActionStatus
    by: str = attrs.field(metadata=user_reference())
    at: datetime
    reason: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        if self.status is ActionStatus.REJECTED and self.reason is None:
            yield "reason", None, "is required when an action is rejected"


@attrs.frozen(kw_only=True)
class EffectivenessMeasure(Validated):
    """How the action's effect will be judged: what, target, by when, by whom.

    Attributes:
        measure: What is measured (a process or an outcome).
        target: The value that counts as success, as written.
        by: The date by which it is measured.
        measured_by: The staff member who measures it.
    """

    measure: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    target: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    by: date
    measured_by: str = attrs.field(metadata=refers_to("staff_member"))


@attrs.frozen(kw_only=True)
class Action(Record):
    """Something a learning point says will change, with one accountable owner.

    Its strength on the action hierarchy is derived from its kind, unless
    overridden with a reason. Its status is the decision of record, moved on
    by the transition methods, each of which returns a new version that
    keeps the whole history.

    Attributes:
        description: What will be done.
        learning_points: The learning points it addresses (one or more).
        owner: The one accountable owner, a staff member with authority.
        due: When it is due.
        kind: The intervention type on the action hierarchy.
        services: The services it applies to.
        strength_override: A strength other than the kind's default.
        strength_override_reason: Why the default was overridden.
        effectiveness_measure: How its effect will be judged.
        status_history: Every status change so far, oldest first.

    Examples:
        >>> from incident_learning import samples
        >>> action = samples.action()
        >>> action.status, action.strength
        (<ActionStatus.PROPOSED: 'proposed'>, <ActionStrength.INTERMEDIATE: 'intermediate'>)
        >>> agreed = action.agreed(by="STAFF-RM", at=samples.AT)
        >>> agreed.status, agreed.version
        (<ActionStatus.AGREED: 'agreed'>, 2)
        >>> agreed.verified_effective(by="STAFF-RM", at=samples.AT)
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.IllegalTransitionError: action ACT-0001 cannot move from agreed to verified_effective: allowed next: completed, in_progress, rejected
    """

    record_kind = "action"
    _changed_by_methods = ("status_history",)

    description: str = attrs.field(metadata=personal(PersonalData.FREE_TEXT))
    learning_points: tuple[str, ...] = attrs.field(
        metadata=refers_to("learning_point", min_items=1)
    )
    owner: str = attrs.field(metadata=refers_to("staff_member"))
    due: date
    kind: ActionKind
    services: tuple[str, ...] = attrs.field(default=(), metadata=refers_to("service"))
    strength_override: ActionStrength | None = None
    strength_override_reason: str | None = attrs.field(
        default=None, metadata=personal(PersonalData.FREE_TEXT)
    )
    effectiveness_measure: EffectivenessMeasure | None = None
    status_history: tuple[StatusChange, ...] = ()

    @property
    def status(self) -> ActionStatus:
        """The current status, the last change's, or ``proposed`` with none."""
        history = self.status_history
        return history[-1].status if history else ActionStatus.PROPOSED

    @property
    def strength(self) -> ActionStrength:
        """The strength on the action hierarchy, the override or else the kind's."""
        return self.strength_override or self.kind.strength

    @property
    def rejection_reason(self) -> str | None:
        """Why the action was rejected, if it was."""
        if self.status is ActionStatus.REJECTED:
            return self.status_history[-1].reason
        return None

    @property
    def completed_on(self) -> date | None:
        """The day the action was done, its first change to a done status.

        The done statuses are completed, verified effective and found
        ineffective (an import may start an action's history past completed).
        ``None`` if it has not been done, including when it was rejected.
        The day is the change's calendar day in the offset it was recorded in.

        Examples:
            >>> from incident_learning import samples
            >>> action = samples.action().agreed(by="STAFF-RM", at=samples.AT)
            >>> print(action.completed_on)
            None
            >>> action.completed(by="STAFF-RM", at=samples.AT).completed_on
            datetime.date(2025, 3, 3)
        """
        for change in self.status_history:
            if change.status in _DONE:
                return change.at.date()
        return None

    def status_on(self, day: date) -> ActionStatus:
        """Return the status at the end of *day*: the last change made on or before it.

        Before its first change an action counts as proposed. The day of a
        change is its calendar day in the offset it was recorded in.

        Examples:
            >>> from datetime import date
            >>> from incident_learning import samples
            >>> action = samples.action().agreed(by="STAFF-RM", at=samples.AT)
            >>> action.status_on(date(2025, 3, 2)), action.status_on(date(2025, 3, 3))
            (<ActionStatus.PROPOSED: 'proposed'>, <ActionStatus.AGREED: 'agreed'>)
        """
        status = ActionStatus.PROPOSED
        for change in self.status_history:
            if change.at.date() > day:
                break
            status = change.status
        return status

    def is_overdue(self, *, as_of: date) -> bool:
        """Return whether the action was past due and not yet done on *as_of*.

        Done means completed, verified effective, found ineffective or
        rejected by the end of *as_of* (see :meth:`status_on`), so a report
        for a past date sees the action as it stood then.

        Examples:
            >>> from datetime import date
            >>> from incident_learning import samples
            >>> samples.action().is_overdue(as_of=date(2030, 1, 1))
            True
        """
        status = self.status_on(as_of)
        done = status.is_final or status is ActionStatus.COMPLETED
        return not done and as_of > self.due

    def transitioned(
        self,
        to: ActionStatus,
        *,
        by: str,
        at: datetime,
        reason: str | None = None,
    ) -> "Action":
        """Return the next version of this action, moved to status *to*.

        Args:
            to: The new status.
            by: Who decided.
            at: When.
            reason: Why; required to reject.

        Raises:
            IllegalTransitionError: The lifecycle does not allow the move,
                or a rejection has no reason.
        """
        current = self.status
        if to not in ActionStatus._value2member_map_:
            raise IllegalTransitionError(
                self.id, current, str(to), "it is not a status"
            )
        to = ActionStatus(to)
        if self.entered_in_error:
            raise IllegalTransitionError(
                self.id, current, to, "the action was entered in error"
            )
        if to not in TRANSITIONS[current]:
            allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
            raise IllegalTransitionError(
                self.id, current, to, f"allowed next: {allowed}"
            )
        if to is ActionStatus.REJECTED and not (reason and reason.strip()):
            raise IllegalTransitionError(
                self.id, current, to, "a rejection needs a reason"
            )
        change = StatusChange(status=to, by=by, at=at, reason=reason)
        return attrs.evolve(
            self,
            status_history=(*self.status_history, change),
            version=self.version + 1,
            recorded_by=by,
            recorded_at=at,
            amendment_reason=f"status {current} -> {to}",
        )

    def agreed(self, *, by: str, at: datetime) -> "Action":
        """Return this action agreed (see :meth:`transitioned`)."""
        return self.transitioned(ActionStatus.AGREED, by=by, at=at)

    def rejected(self, *, by: str, at: datetime, reason: str) -> "Action":
        """Return this action rejected, with the reason (see :meth:`transitioned`)."""
        return self.transitioned(ActionStatus.REJECTED, by=by, at=at, reason=reason)

    def started(self, *, by: str, at: datetime) -> "Action":
        """Return this action in progress (see :meth:`transitioned`)."""
        return self.transitioned(ActionStatus.IN_PROGRESS, by=by, at=at)

    def completed(self, *, by: str, at: datetime) -> "Action":
        """Return this action completed (see :meth:`transitioned`)."""
        return self.transitioned(ActionStatus.COMPLETED, by=by, at=at)

    def verified_effective(
        self, *, by: str, at: datetime, reason: str | None = None
    ) -> "Action":
        """Return this action verified effective (see :meth:`transitioned`)."""
        return self.transitioned(
            ActionStatus.VERIFIED_EFFECTIVE, by=by, at=at, reason=reason
        )

    def found_ineffective(
        self, *, by: str, at: datetime, reason: str | None = None
    ) -> "Action":
        """Return this action found ineffective (see :meth:`transitioned`)."""
        return self.transitioned(
            ActionStatus.FOUND_INEFFECTIVE, by=by, at=at, reason=reason
        )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        yield from super()._invariants()
        if (self.strength_override is None) != (self.strength_override_reason is None):
            yield (
                "strength_override_reason",
                self.strength_override_reason,
                "must be given exactly when strength_override is",
            )
        # The first change records the status the action entered the log at
        # (an import may start mid-life); every later one must be legal.
        history = self.status_history
        for index in range(1, len(history)):
            before, after = history[index - 1], history[index]
            if after.status not in TRANSITIONS[before.status]:
                yield (
                    f"status_history[{index}].status",
                    after.status,
                    f"cannot follow {before.status}",
                )
            if after.at < before.at:
                yield (
                    f"status_history[{index}].at",
                    after.at,
                    "is before the previous change",
                )
