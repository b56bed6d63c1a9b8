"""Broken loops: where learning stopped on its way from incident to changed practice.

:func:`loop_gaps` lists every broken loop in a graph, each with the reason,
the records involved and the day it opened, most urgent first. The kinds of
gap are the members of :class:`GapKind`. Which incidents need a learning
response is a policy (:class:`GapPolicy`): PSIRF asks providers to respond
where there is most to learn, not to every incident, so the caller can pass
their own; the default is :func:`needs_learning_response`.

The judgement is made as of a day the caller gives (``as_of``), never the
clock: an action's status is the one it had on that day, due dates are
measured to it, and only evidence dated on or before it counts. Records
with no date of their own (factors, learning points) count as present.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

import attrs

from incident_learning import _html
from incident_learning.analysis._walk import carriers, record_date
from incident_learning.graph import KIND, RECORD, NodeKind, graph_index
from incident_learning.model import (
    Action,
    ActionStatus,
    ActionStrength,
    ContributingFactor,
    HarmLevel,
    Incident,
    LearningPoint,
    Record,
)

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = [
    "DEFAULT_POLICY",
    "Gap",
    "GapKind",
    "GapPolicy",
    "LoopGaps",
    "loop_gaps",
    "needs_learning_response",
]


@enum.unique
class GapKind(enum.StrEnum):
    """A kind of broken loop, most urgent first.

    Compare urgency with :attr:`urgency`, never with ``<`` on the members: a
    ``StrEnum`` orders alphabetically.

    Examples:
        >>> from incident_learning.analysis import GapKind
        >>> GapKind.NO_LEARNING_RESPONSE.urgency < GapKind.ONLY_WEAKER_ACTIONS.urgency
        True
    """

    NO_LEARNING_RESPONSE = "no_learning_response"
    """An incident that needs a learning response has none."""
    OVERDUE_ACTION = "overdue_action"
    """An action is past its due date and not done."""
    ACTION_NOT_EMBEDDED = "action_not_embedded"
    """An agreed action has no training, supervision, reflective practice,
    coaching, service change or sharing carrying it."""
    ACTION_NOT_REVIEWED = "action_not_reviewed"
    """A completed action has no effectiveness review.

    The gap opens the day the action was done, or the day after its
    effectiveness measure's date if that is later."""
    LEARNING_WITHOUT_ACTION = "learning_without_action"
    """A learning point no action addresses (rejected actions do not count)."""
    ONLY_WEAKER_ACTIONS = "only_weaker_actions"
    """A learning point addressed only by weaker actions (training, policy, ...)."""
    FACTOR_WITHOUT_LEARNING = "factor_without_learning"
    """A contributing factor no learning point was drawn from."""

    @property
    def urgency(self) -> int:
        """The position in the order of urgency, 0 for the most urgent."""
        return _URGENCY[self]


_URGENCY: Final = {kind: index for index, kind in enumerate(GapKind)}


@attrs.frozen(kw_only=True)
class Gap:
    """One broken loop.

    Attributes:
        kind: What is missing.
        record: The record whose loop is broken.
        records: Every record involved, the broken one included, sorted.
        since: The day the gap opened (e.g. the day after the due date).
        message: The reason, in a sentence a manager can act on.
    """

    kind: GapKind
    record: str
    records: tuple[str, ...]
    since: date
    message: str

    def days_open(self, as_of: date) -> int:
        """Return how many days the gap has been open on *as_of*.

        Examples:
            >>> from datetime import date
            >>> from incident_learning.analysis import Gap, GapKind
            >>> gap = Gap(
            ...     kind=GapKind.OVERDUE_ACTION,
            ...     record="ACT-0001",
            ...     records=("ACT-0001",),
            ...     since=date(2025, 1, 1),
            ...     message="action ACT-0001 is overdue",
            ... )
            >>> gap.days_open(date(2025, 1, 31))
            30
        """
        return (as_of - self.since).days


def needs_learning_response(incident: Incident) -> bool:
    """Return whether *incident* needs a learning response under the default policy.

    It does if anyone affected came to moderate or worse physical or
    psychological harm, if it is a death (fatal harm, the ``death``
    category or a CQC death notification), a safeguarding concern (a
    safeguarding referral or the ``safeguarding_and_abuse`` category), or
    notifiable to CQC. Pass your own function in a :class:`GapPolicy` to
    follow your patient safety incident response plan instead.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis import needs_learning_response
        >>> needs_learning_response(samples.incident())  # moderate physical harm
        True
    """
    if (
        incident.cqc_notification is not None
        or incident.safeguarding_referral is not None
    ):
        return True
    if _SERIOUS_CATEGORIES.intersection(incident.categories):
        return True
    harm = incident.harm
    return harm is not None and harm.rank >= HarmLevel.MODERATE.rank


_SERIOUS_CATEGORIES: Final = frozenset({"death", "safeguarding_and_abuse"})


def _non_negative(
    instance: object, attribute: attrs.Attribute[int], value: int
) -> None:
    del instance
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = (
            f"{attribute.name} must be a whole number of days, 0 or more, not {value!r}"
        )
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class GapPolicy:
    """Which incidents need a learning response, and how soon.

    Attributes:
        needs_response: Whether an incident needs a learning response.
        response_due_days: Days after an incident is reported before a
            missing response counts as a gap (0: at once).

    Examples:
        >>> from incident_learning.analysis import GapPolicy
        >>> from incident_learning.model import HarmLevel
        >>> policy = GapPolicy(
        ...     needs_response=lambda incident: incident.harm is HarmLevel.SEVERE,
        ...     response_due_days=14,
        ... )
        >>> policy.response_due_days
        14
    """

    needs_response: Callable[[Incident], bool] = needs_learning_response
    response_due_days: int = attrs.field(default=0, validator=_non_negative)


DEFAULT_POLICY: Final = GapPolicy()
"""The documented default: :func:`needs_learning_response`, due at once."""


@attrs.frozen(kw_only=True)
class LoopGaps:
    """Every broken loop in a graph as of a day, most urgent first.

    Gaps are ordered by :attr:`GapKind.urgency`, then oldest first, then by
    record.

    Attributes:
        as_of: The day the loops were judged on.
        gaps: The gaps.
    """

    as_of: date
    gaps: tuple[Gap, ...]

    def __len__(self) -> int:
        """Return the number of gaps."""
        return len(self.gaps)

    def __iter__(self) -> Iterator[Gap]:
        """Iterate over the gaps, most urgent first."""
        return iter(self.gaps)

    def of_kind(self, kind: GapKind) -> tuple[Gap, ...]:
        """Return the gaps of *kind*, most urgent first."""
        return tuple(gap for gap in self.gaps if gap.kind is kind)

    def involving(self, record_id: str) -> tuple[Gap, ...]:
        """Return the gaps that involve the record *record_id*."""
        return tuple(gap for gap in self.gaps if record_id in gap.records)

    @property
    def counts(self) -> tuple[tuple[GapKind, int], ...]:
        """How many gaps of each kind there are, in order of urgency, kinds with none left out."""
        found: dict[GapKind, int] = {}
        for gap in self.gaps:
            found[gap.kind] = found.get(gap.kind, 0) + 1
        return tuple((kind, found[kind]) for kind in GapKind if kind in found)

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the gaps as HTML for notebooks: counts by kind, then the most urgent.

        Args:
            max_rows: The most gaps listed; the rest are counted.

        Examples:
            >>> from datetime import date
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import loop_gaps
            >>> graph = il.build_graph(samples.example_log())
            >>> html = loop_gaps(graph, as_of=date(2025, 1, 1))._repr_html_(max_rows=5)
            >>> "<caption>Loop gaps as of 2025-01-01: " in html, "more</span>" in html
            (True, True)
        """
        as_of = self.as_of
        return _html.block(
            "gaps loop-gaps",
            _html.table(
                f"Loop gaps as of {as_of.isoformat()}: {_html.plural(len(self.gaps), 'gap')}",
                ["kind", "gaps"],
                self.counts,
                lambda count: count,
                max_rows=max_rows,
            ),
            _html.table(
                "Gaps, most urgent first",
                ["kind", "record", "since", "days open", "message", "records"],
                self.gaps,
                lambda gap: [
                    gap.kind,
                    gap.record,
                    gap.since,
                    gap.days_open(as_of),
                    gap.message,
                    gap.records,
                ],
                max_rows=max_rows,
                row_class=lambda gap: _html.css(gap.kind),
            ),
        )


# --- the checks, one per kind of record --------------------------------------

_AGREED: Final = frozenset(
    {
        ActionStatus.AGREED,
        ActionStatus.IN_PROGRESS,
        ActionStatus.COMPLETED,
        ActionStatus.VERIFIED_EFFECTIVE,
        ActionStatus.FOUND_INEFFECTIVE,
    }
)
_DONE: Final = frozenset(
    {
        ActionStatus.COMPLETED,
        ActionStatus.VERIFIED_EFFECTIVE,
        ActionStatus.FOUND_INEFFECTIVE,
    }
)


class _Judge:
    """The checks of one call, sharing the graph, the day and the policy."""

    def __init__(
        self, graph: LearningGraph, as_of: date | None, policy: GapPolicy
    ) -> None:
        self.graph = graph
        self.as_of = as_of
        self.policy = policy

    def exists(self, record: Record) -> bool:
        """Whether *record* existed on the day judged (dated on or before it)."""
        return self.as_of is None or record_date(record) <= self.as_of

    def status(self, action: Action) -> ActionStatus:
        return action.status if self.as_of is None else action.status_on(self.as_of)

    def successors(self, node: str, kinds: frozenset[NodeKind]) -> list[Record]:
        """The records of *kinds* that follow *node* and existed on the day."""
        data = self.graph.nodes
        found = []
        for succ in self.graph.succ[node]:
            if data[succ][KIND] in kinds:
                record: Record = data[succ][RECORD]
                if self.exists(record):
                    found.append(record)
        return found

    def gaps(self, node: str) -> Iterator[Gap]:
        record: Incident | ContributingFactor | LearningPoint | Action
        record = self.graph.nodes[node][RECORD]
        if not self.exists(record):
            return
        if isinstance(record, Incident):
            yield from self.incident(record)
        elif isinstance(record, ContributingFactor):
            yield from self.factor(record)
        elif isinstance(record, LearningPoint):
            yield from self.learning_point(record)
        else:  # only the _CHECKED kinds reach here
            yield from self.action(record)

    def incident(self, incident: Incident) -> Iterator[Gap]:
        if not self.policy.needs_response(incident):
            return
        since = incident.reported_at.date() + timedelta(
            days=self.policy.response_due_days
        )
        if self.as_of is not None and since > self.as_of:
            return
        if self.successors(incident.id, _RESPONSE):
            return
        yield Gap(
            kind=GapKind.NO_LEARNING_RESPONSE,
            record=incident.id,
            records=(incident.id,),
            since=since,
            message=f"incident {incident.id} needs a learning response and has none",
        )

    def factor(self, factor: ContributingFactor) -> Iterator[Gap]:
        if self.successors(factor.id, _LEARNING):
            return
        yield Gap(
            kind=GapKind.FACTOR_WITHOUT_LEARNING,
            record=factor.id,
            records=(factor.id,),
            since=record_date(factor),
            message=f"contributing factor {factor.id} has no learning point drawn from it",
        )

    def learning_point(self, point: LearningPoint) -> Iterator[Gap]:
        actions = [
            action
            for action in self.successors(point.id, _ACTION)
            if isinstance(action, Action)
        ]
        live = [a for a in actions if self.status(a) is not ActionStatus.REJECTED]
        since = record_date(point)
        if not live:
            rejected = f" ({len(actions)} rejected)" if actions else ""
            yield Gap(
                kind=GapKind.LEARNING_WITHOUT_ACTION,
                record=point.id,
                records=tuple(sorted((point.id, *(a.id for a in actions)))),
                since=since,
                message=f"learning point {point.id} has no action addressing it{rejected}",
            )
        elif all(a.strength is ActionStrength.WEAKER for a in live):
            kinds = ", ".join(sorted({a.kind.value.replace("_", " ") for a in live}))
            yield Gap(
                kind=GapKind.ONLY_WEAKER_ACTIONS,
                record=point.id,
                records=tuple(sorted((point.id, *(a.id for a in live)))),
                since=since,
                message=(
                    f"learning point {point.id} is addressed only by weaker actions "
                    f"({kinds})"
                ),
            )

    def action(self, action: Action) -> Iterator[Gap]:
        status = self.status(action)
        history = action.status_history
        if status is ActionStatus.REJECTED:
            # A rejection always carries its reason: the model refuses one
            # without, so there is no "rejected with no reason" gap to find.
            return
        if self.as_of is not None and action.is_overdue(as_of=self.as_of):
            days = (self.as_of - action.due).days
            yield Gap(
                kind=GapKind.OVERDUE_ACTION,
                record=action.id,
                records=(action.id,),
                since=action.due + timedelta(days=1),
                message=(
                    f"action {action.id} was due on {action.due} and is {days} "
                    f"day{'s' * (days != 1)} overdue ({status.value.replace('_', ' ')})"
                ),
            )
        if status in _AGREED and not self.embedded(action.id):
            agreed = next(c for c in history if c.status in _AGREED)
            yield Gap(
                kind=GapKind.ACTION_NOT_EMBEDDED,
                record=action.id,
                records=(action.id,),
                since=agreed.at.date(),
                message=(
                    f"action {action.id} is {status.value.replace('_', ' ')} but no "
                    "training, supervision, reflective practice, coaching, service "
                    "change or sharing carries it"
                ),
            )
        if status in _DONE:
            yield from self.review(action)

    def embedded(self, action_id: str) -> bool:
        return any(self.exists(r) for r in carriers(self.graph, action_id))

    def review(self, action: Action) -> Iterator[Gap]:
        if self.successors(action.id, _REVIEW):
            return
        since = action.completed_on
        assert since is not None  # noqa: S101 - a done status has a done change
        measure = action.effectiveness_measure
        if measure is not None and measure.by >= since:
            # The review is due by the measure's date: missing the day after.
            since = measure.by + timedelta(days=1)
        if self.as_of is not None and since > self.as_of:
            return
        yield Gap(
            kind=GapKind.ACTION_NOT_REVIEWED,
            record=action.id,
            records=(action.id,),
            since=since,
            message=f"action {action.id} was done on {action.completed_on} with no effectiveness review",
        )


_RESPONSE: Final = frozenset({NodeKind.LEARNING_RESPONSE})
_LEARNING: Final = frozenset({NodeKind.LEARNING_POINT})
_ACTION: Final = frozenset({NodeKind.ACTION})
_REVIEW: Final = frozenset({NodeKind.EFFECTIVENESS_REVIEW})
_CHECKED: Final = frozenset(
    {
        NodeKind.INCIDENT,
        NodeKind.CONTRIBUTING_FACTOR,
        NodeKind.LEARNING_POINT,
        NodeKind.ACTION,
    }
)


def _sort_key(gap: Gap) -> tuple[int, date, str]:
    return (gap.kind.urgency, gap.since, gap.record)


def record_gaps(
    graph: LearningGraph,
    nodes: Iterable[str],
    *,
    as_of: date | None,
    policy: GapPolicy = DEFAULT_POLICY,
) -> tuple[Gap, ...]:
    """Return the gaps of the records *nodes*, most urgent first.

    With *as_of* ``None`` no day is judged: statuses are the current ones,
    every record counts, and nothing is overdue or not yet due.
    """
    judge = _Judge(graph, as_of, policy)
    data = graph.nodes
    gaps = [
        gap
        for node in nodes
        if data[node][KIND] in _CHECKED
        for gap in judge.gaps(node)
    ]
    gaps.sort(key=_sort_key)
    return tuple(gaps)


def loop_gaps(
    graph: LearningGraph, *, as_of: date, policy: GapPolicy = DEFAULT_POLICY
) -> LoopGaps:
    """Return every broken loop in *graph* as of the day *as_of*, most urgent first.

    The kinds of gap, in order of urgency, are the members of
    :class:`GapKind`. Each gap names the record whose loop is broken, the
    records involved, the day it opened and the reason. It runs in time
    linear in the graph and never changes *graph*.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
        as_of: The day to judge on: statuses as they stood, due dates
            measured to it, evidence dated after it left out. There is no
            default: a report for a quarter's end passes that day.
        policy: Which incidents need a learning response, and how soon.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis import GapKind, loop_gaps
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> gaps = loop_gaps(build_graph(example_log()), as_of=date(2025, 12, 31))
        >>> for kind, count in gaps.counts:
        ...     print(f"{kind.value}: {count}")
        no_learning_response: 86
        overdue_action: 1
        action_not_embedded: 1
        action_not_reviewed: 37
        learning_without_action: 15
        only_weaker_actions: 7
        >>> print(gaps.of_kind(GapKind.OVERDUE_ACTION)[0].message)
        action ACT-0011 was due on 2025-09-30 and is 92 days overdue (in progress)
    """
    index = graph_index(graph)
    nodes = [
        node
        for kind in (
            NodeKind.INCIDENT,
            NodeKind.CONTRIBUTING_FACTOR,
            NodeKind.LEARNING_POINT,
            NodeKind.ACTION,
        )
        for node in index.by_kind.get(kind, ())
    ]
    return LoopGaps(
        as_of=as_of, gaps=record_gaps(graph, nodes, as_of=as_of, policy=policy)
    )
