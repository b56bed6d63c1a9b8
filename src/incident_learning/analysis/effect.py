"""The effect of an action: did the incidents it targets fall once it was embedded?

:func:`action_effect` takes the incidents an action targets, counts them by
month (or week) before and after the day the action was first carried into
practice, and reads the change with a statistical process control chart
whose limits are fixed on the months before: an improvement, no change, or
a concern, with the rule that fired. Beside the numbers it lists the
effectiveness reviews and the staff confidence checks linked to the action,
the people's judgement and the staff's own view.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Final

import attrs

from incident_learning import _html
from incident_learning.analysis._walk import (
    ancestors_of_kind,
    carriers,
    record_date,
)
from incident_learning.analysis.series import (
    Frequency,
    IncidentSeries,
    count_chart,
    incident_series,
    period_of,
)
from incident_learning.analysis.spc import (
    Chart,
    ChartKind,
    Direction,
    Rule,
    Variation,
)
from incident_learning.graph import (
    KIND,
    RECORD,
    NodeKind,
    build_graph,
    record_of,
)
from incident_learning.model import (
    Action,
    ContributingFactor,
    FactorFramework,
    Incident,
    LearningLog,
    ReviewVerdict,
    StaffConfidenceCheck,
)

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = ["ActionEffect", "ConfidenceReading", "EffectVerdict", "action_effect"]


@enum.unique
class EffectVerdict(enum.StrEnum):
    """What the chart says happened to the targeted incidents after embedding."""

    IMPROVEMENT = "improvement"
    """Special cause variation in the improving direction (fewer incidents)."""
    NO_CHANGE = "no_change"
    """Only common cause variation after embedding."""
    CONCERN = "concern"
    """Special cause variation in the worsening direction (more incidents)."""
    NOT_EMBEDDED = "not_embedded"
    """Nothing has carried the action into practice, so there is no after."""
    TOO_LITTLE_DATA = "too_little_data"
    """Fewer than the minimum periods before or after embedding."""


@attrs.frozen(kw_only=True)
class ConfidenceReading:
    """One staff confidence check, as read for an action's effect.

    Attributes:
        check: The check's identifier.
        checked_on: When.
        service: The service whose staff were asked.
        mean_score: The mean self-rating.
        scale_max: The top of the scale.
        respondents: How many answered.
    """

    check: str
    checked_on: date
    service: str
    mean_score: float
    scale_max: int
    respondents: int


@attrs.frozen(kw_only=True)
class ActionEffect:
    """Whether the incidents an action targets changed after it was embedded.

    Attributes:
        action: The action's identifier.
        services: The services watched: the action's, else its incidents'.
        categories: The incident categories watched: the primary categories
            of the incidents behind the action.
        factor_domains: The factor domains watched, used only when the
            action has no incidents behind it.
        embedded_on: The first day a record carried the action into
            practice; ``None`` if none has.
        series: The targeted incidents by period, over the whole range.
        baseline_periods: How many periods before embedding the chart's
            limits are fixed on.
        after_periods: How many periods after the one embedding happened
            in (which belongs to neither side), up to *until* if given.
        later_actions: Other actions that came from the incidents watched,
            first embedded after this one, as ``(action, day)`` by day: what
            changed afterwards may be theirs too.
        chart: The chart of the periods before and after (a u-chart of the
            rate where exposure is known, else a c-chart of counts);
            ``None`` if there is too little data.
        verdict: What the chart says.
        rules: The special-cause rules that fired after embedding, behind
            the verdict.
        mean_before: The mean per period before embedding.
        mean_after: The mean per period after it.
        reviews: The effectiveness reviews of the action, oldest first.
        latest_review_verdict: The latest review's verdict.
        confidence: Staff confidence checks linked to the action or its
            learning, oldest first.
    """

    action: str
    services: tuple[str, ...]
    categories: tuple[str, ...]
    factor_domains: tuple[tuple[FactorFramework, str], ...]
    embedded_on: date | None
    series: IncidentSeries
    baseline_periods: int
    after_periods: int
    later_actions: tuple[tuple[str, date], ...]
    chart: Chart | None
    verdict: EffectVerdict
    rules: tuple[Rule, ...]
    mean_before: float | None
    mean_after: float | None
    reviews: tuple[str, ...]
    latest_review_verdict: ReviewVerdict | None
    confidence: tuple[ConfidenceReading, ...]

    @property
    def confidence_change(self) -> float | None:
        """The change in mean confidence from the first check to the last; ``None`` with fewer than two."""
        if len(self.confidence) < 2:
            return None
        return self.confidence[-1].mean_score - self.confidence[0].mean_score

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the effect as HTML for notebooks: the verdict, its chart, the checks.

        Args:
            max_rows: The most rows a table shows (the chart keeps the latest).

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import action_effect
            >>> effect = action_effect(samples.example_log(), "ACT-0001")
            >>> html = effect._repr_html_()
            >>> "<caption>Effect of action ACT-0001: " in html, "il-chart" in html
            (True, True)
        """
        return _html.block(
            "effect action-effect",
            _html.fields(
                f"Effect of action {self.action}: {_html.words(self.verdict)}",
                [
                    ("verdict", self.verdict),
                    ("rules behind it", self.rules),
                    ("embedded on", self.embedded_on),
                    ("services", self.services),
                    ("categories", self.categories),
                    (
                        "factor domains",
                        tuple(f"{d} ({f.value})" for f, d in self.factor_domains),
                    ),
                    ("baseline periods", self.baseline_periods),
                    ("after periods", self.after_periods),
                    ("mean before", self.mean_before),
                    ("mean after", self.mean_after),
                    (
                        "later actions",
                        tuple(
                            f"{a} ({day.isoformat()})" for a, day in self.later_actions
                        ),
                    ),
                    ("effectiveness reviews", self.reviews),
                    ("latest review verdict", self.latest_review_verdict),
                    ("confidence change", self.confidence_change),
                ],
            ),
            (
                self.series._repr_html_(max_rows=max_rows)
                if self.chart is None
                else self.chart._repr_html_(max_rows=max_rows)
            ),
            _html.table(
                "Staff confidence checks",
                [
                    "check",
                    "checked on",
                    "service",
                    "mean score",
                    "scale max",
                    "respondents",
                ],
                self.confidence,
                lambda reading: [
                    reading.check,
                    reading.checked_on,
                    reading.service,
                    reading.mean_score,
                    reading.scale_max,
                    reading.respondents,
                ],
                max_rows=max_rows,
            ),
        )


_MIN_PERIODS: Final = 2
"""The fewest periods on each side that the chart is read with."""


def _origin(
    graph: LearningGraph, action: Action
) -> tuple[list[Incident], list[ContributingFactor]]:
    nodes = graph.nodes
    incidents: list[Incident] = []
    factors: list[ContributingFactor] = []
    for node in ancestors_of_kind(
        graph, action.id, (NodeKind.INCIDENT, NodeKind.CONTRIBUTING_FACTOR)
    ):
        record = nodes[node][RECORD]
        if isinstance(record, Incident):
            incidents.append(record)
        else:
            factors.append(record)
    return incidents, factors


def _confidence(graph: LearningGraph, action: Action) -> tuple[ConfidenceReading, ...]:
    nodes = graph.nodes
    found: dict[str, StaffConfidenceCheck] = {}
    for source in (action.id, *action.learning_points):
        if source not in nodes:
            continue
        for node in graph.succ[source]:
            if nodes[node][KIND] is NodeKind.STAFF_CONFIDENCE_CHECK:
                found[node] = nodes[node][RECORD]
    checks = sorted(found.values(), key=lambda c: (c.checked_on, c.id))
    return tuple(
        ConfidenceReading(
            check=check.id,
            checked_on=check.checked_on,
            service=check.service,
            mean_score=check.mean_score,
            scale_max=check.scale_max,
            respondents=check.respondents,
        )
        for check in checks
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _verdict(chart: Chart, after: int) -> tuple[EffectVerdict, tuple[Rule, ...]]:
    """Read the points after embedding: the latest special cause decides."""
    verdict = EffectVerdict.NO_CHANGE
    rules: tuple[Rule, ...] = ()
    for point in chart.points[len(chart.points) - after :]:
        if point.variation is Variation.IMPROVEMENT:
            found = EffectVerdict.IMPROVEMENT
        elif point.variation is Variation.CONCERN:
            found = EffectVerdict.CONCERN
        else:
            continue
        if found is not verdict:
            verdict, rules = found, ()
        rules = tuple(rule for rule in Rule if rule in {*rules, *point.rules})
    return verdict, rules


def action_effect(  # noqa: PLR0913 - options a caller names
    graph_or_log: LearningGraph | LearningLog,
    action_id: str,
    *,
    frequency: Frequency = Frequency.MONTH,
    start: date | None = None,
    end: date | None = None,
    until: date | None = None,
) -> ActionEffect:
    """Return whether the incidents *action_id* targets changed after it was embedded.

    The targeted incidents are those at the action's services (or, if it
    names none, its incidents' services) with a primary category of the
    incidents behind it; an action with no incidents behind it watches the
    domains of its contributing factors instead. They are counted by period
    over the range (by default the whole log's), and split at the day the
    action was first carried into practice (its first training,
    supervision, reflective practice, coaching, service change, share or
    circulating meeting). The period that day falls in belongs to neither
    side: practice was changing during it. Later actions that came from
    the watched incidents are listed, because what changed after them is
    theirs too; pass *until* to end the after side before one of them.

    The chart's limits are fixed on the periods before (a u-chart of the
    rate per 1,000 units of exposure where the services' exposure is known,
    else a c-chart of counts), with fewer incidents as the improving
    direction. The verdict is the latest special cause after embedding:
    improvement, concern, or no change when there is none; the rules that
    fired are listed. At least two periods are needed on each side.

    Args:
        graph_or_log: A graph made by
            :func:`~incident_learning.graph.build_graph`, or a log to build
            one from. Neither is modified.
        action_id: The action.
        frequency: Months (the default) or weeks.
        start: The first day of the range; by default the first month of
            the log's incidents.
        end: The last day of the range; by default the last month's end.
        until: The last day of the after side (periods starting after it
            are left out); by default the end of the range.

    Raises:
        UnknownRecordError: There is no action *action_id*.

    Examples:
        >>> from incident_learning.analysis import action_effect
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> graph = build_graph(example_log())
        >>> willow = action_effect(graph, "ACT-0004")  # monthly reflective practice
        >>> willow.verdict.value, [rule.value for rule in willow.rules]
        ('improvement', ['run', 'two_of_three'])
        >>> (
        ...     round(willow.mean_before, 2),
        ...     round(willow.mean_after, 2),
        ... )  # per 1,000 care hours
        (2.84, 1.13)
        >>> homecare = action_effect(graph, "ACT-0005")  # reflective supervision
        >>> [reading.mean_score for reading in homecare.confidence]
        [2.4, 3.3, 4.1]
    """
    graph = (
        build_graph(graph_or_log)
        if isinstance(graph_or_log, LearningLog)
        else graph_or_log
    )
    action = record_of(graph, action_id, Action)
    incidents, factors = _origin(graph, action)
    services = tuple(sorted(set(action.services) or {i.service for i in incidents}))
    categories = tuple(sorted({incident.category for incident in incidents}))
    domains = (
        ()
        if incidents
        else tuple(sorted({(factor.framework, factor.domain) for factor in factors}))
    )
    series = incident_series(
        graph,
        frequency=frequency,
        start=start,
        end=end,
        services=services,
        categories=categories or None,
        factor_domains=domains or None,
    )
    carried = carriers(graph, action_id)
    embedded_on = min((record_date(record) for record in carried), default=None)
    reviews = sorted(
        (
            graph.nodes[node][RECORD]
            for node in graph.succ[action_id]
            if graph.nodes[node][KIND] is NodeKind.EFFECTIVENESS_REVIEW
        ),
        key=lambda review: (review.reviewed_on, review.id),
    )
    chart: Chart | None = None
    verdict = EffectVerdict.NOT_EMBEDDED
    rules: tuple[Rule, ...] = ()
    before: list[int] = []
    after: list[int] = []
    later: list[tuple[str, date]] = []
    if embedded_on is not None:
        change = period_of(embedded_on, frequency)
        later = _later_actions(graph, action_id, series, embedded_on)
        before = [i for i, p in enumerate(series.periods) if p < change]
        after = [
            i
            for i, p in enumerate(series.periods)
            if p > change and (until is None or p <= until)
        ]
        chart, verdict, rules = _read(series, before, after)
    rates = series.rates()
    use_rates = chart is not None and chart.kind is ChartKind.U
    values = rates if use_rates else tuple(float(c) for c in series.counts)
    return ActionEffect(
        action=action_id,
        services=services,
        categories=categories,
        factor_domains=domains,
        embedded_on=embedded_on,
        series=series,
        baseline_periods=len(before),
        after_periods=len(after),
        later_actions=tuple(later),
        chart=chart,
        verdict=verdict,
        rules=rules,
        mean_before=_mean([v for i in before if (v := values[i]) is not None]),
        mean_after=_mean([v for i in after if (v := values[i]) is not None]),
        reviews=tuple(review.id for review in reviews),
        latest_review_verdict=reviews[-1].verdict if reviews else None,
        confidence=_confidence(graph, action),
    )


_TOWARDS_ACTIONS: Final = frozenset(
    {
        NodeKind.LEARNING_RESPONSE,
        NodeKind.CONTRIBUTING_FACTOR,
        NodeKind.LEARNING_POINT,
        NodeKind.ACTION,
    }
)


def _later_actions(
    graph: LearningGraph,
    action_id: str,
    series: IncidentSeries,
    embedded_on: date,
) -> list[tuple[str, date]]:
    """Return the other actions that came from the watched incidents, embedded later.

    It walks forward from each incident of the series through responses,
    factors and learning points to the actions they led to, so the cost is
    that of the watched incidents' own loops.
    """
    nodes = graph.nodes
    succ = graph.succ
    seen: set[str] = set()
    stack = [node for period in series.incidents for node in period]
    actions: set[str] = set()
    while stack:
        node = stack.pop()
        for follower in succ[node]:
            kind = nodes[follower][KIND]
            if follower in seen or kind not in _TOWARDS_ACTIONS:
                continue
            seen.add(follower)
            if kind is NodeKind.ACTION:
                actions.add(follower)
            else:
                stack.append(follower)
    actions.discard(action_id)
    found = []
    for node in actions:
        day = min((record_date(r) for r in carriers(graph, node)), default=None)
        if day is not None and day > embedded_on:
            found.append((day, node))
    return [(node, day) for day, node in sorted(found)]


def _read(
    series: IncidentSeries, before: list[int], after: list[int]
) -> tuple[Chart | None, EffectVerdict, tuple[Rule, ...]]:
    """Chart the periods either side of embedding, limits fixed on those before."""
    if len(before) < _MIN_PERIODS or len(after) < _MIN_PERIODS:
        return None, EffectVerdict.TOO_LITTLE_DATA, ()
    used = [*before, *after]
    labels = [series.periods[i] for i in used]
    counts = [series.counts[i] for i in used]
    exposure = [series.exposure[i] for i in used]
    chart = count_chart(
        counts, exposure, labels, direction=Direction.DECREASE, baseline=len(before)
    )
    verdict, rules = _verdict(chart, len(after))
    return chart, verdict, rules
