"""The report's content: immutable values computed from the analyses, one per section.

Nothing here reads free text or names: every string that reaches the page is
an identifier, a code, a service name, a date, a number or a sentence the
analyses build from those.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final, TypeVar

import attrs

from incident_learning.analysis import (
    ActionTrace,
    ChartKind,
    ConcernKind,
    CultureIndicator,
    Direction,
    GapKind,
    LoopStatus,
    action_effect,
    action_strength_profile,
    action_trace,
    factor_themes,
    incident_series,
    learning_reach,
    loop_gaps,
    recurrence,
    repeated_low_harm,
    reporting_culture,
)
from incident_learning.analysis.series import count_chart
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import (
    RECORD,
    GraphIndex,
    NodeKind,
    graph_index,
    nodes_of_kind,
)
from incident_learning.model.action import Action
from incident_learning.model.incident import Incident
from incident_learning.model.vocab import ActionKind, ActionStatus, ActionStrength
from incident_learning.report._charts import SvgFigure, rules_in_words, spc_figure

if TYPE_CHECKING:
    from incident_learning.analysis.gaps import Gap
    from incident_learning.analysis.spc import Chart
    from incident_learning.graph import LearningGraph

__all__ = [
    "MAX_ACTION_CARDS",
    "MAX_CATEGORY_CHARTS",
    "MAX_EFFECT_CHARTS",
    "MAX_ROWS",
    "MAX_SERVICE_CHARTS",
    "ActionCard",
    "Culture",
    "CultureRow",
    "Evidence",
    "EvidenceItem",
    "GapRow",
    "Headline",
    "LearningLoop",
    "MonthRow",
    "Reach",
    "ReachRow",
    "ReportContext",
    "Scope",
    "Warnings",
    "report_context",
]

MAX_ACTION_CARDS: Final = 50
"""At most this many action cards, most urgent first; the rest are counted."""
MAX_EFFECT_CHARTS: Final = 12
"""At most this many cards carry an SPC chart of the action's effect."""
MAX_CATEGORY_CHARTS: Final = 4
"""SPC charts for the most frequent categories (besides all incidents)."""
MAX_SERVICE_CHARTS: Final = 8
"""Reporting-rate charts for at most this many services."""
MAX_ROWS: Final = 60
"""At most this many rows in each long table (gaps, reach, warnings)."""
_TABLE_CATEGORIES: Final = 6
E = TypeVar("E")
_CLOSED: Final = frozenset(
    {LoopStatus.VERIFIED_EFFECTIVE, LoopStatus.FOUND_INEFFECTIVE, LoopStatus.REJECTED}
)


# --- the values ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Scope:
    """What the report covers.

    Attributes:
        provider: The provider's name (its identifier when given a graph).
        services: The services covered, as ``(id, name)``, sorted by id.
        all_services: Whether every service of the provider is covered.
        start: The first day of the period, ``None`` for all time.
        end: The last day of the period.
        as_of: The day loops, gaps and warnings are judged on.
    """

    provider: str
    services: tuple[tuple[str, str], ...]
    all_services: bool
    start: date | None
    end: date
    as_of: date

    @property
    def service_ids(self) -> frozenset[str]:
        """The identifiers of the services covered."""
        return frozenset(service for service, _ in self.services)

    def covers(self, day: date) -> bool:
        """Return whether *day* is within the period."""
        return (self.start is None or day >= self.start) and day <= self.end


@attrs.frozen(kw_only=True)
class MonthRow:
    """One month of the headline table: counts per category shown, other, total."""

    month: date
    counts: tuple[int, ...]
    other: int
    total: int


@attrs.frozen(kw_only=True)
class Headline:
    """Incidents by month and category, with SPC charts.

    Attributes:
        incidents: Incidents in scope.
        near_misses: Those that did not reach the person.
        categories: The primary categories shown as columns, most first.
        by_category: Every primary category with its count, most first.
        rows: One row per month.
        charts: All incidents, then the most frequent categories.
    """

    incidents: int
    near_misses: int
    categories: tuple[str, ...]
    by_category: tuple[tuple[str, int], ...]
    rows: tuple[MonthRow, ...]
    charts: tuple[SvgFigure, ...]


@attrs.frozen(kw_only=True)
class CultureRow:
    """One service's reporting culture indicators over the period."""

    service: str
    name: str
    incidents: int
    reporting_rate: float | None
    rate_unit: str
    near_miss_share: float | None
    low_harm_share: float | None
    median_report_delay: float | None
    learning_response_share: float | None
    drop: str | None


@attrs.frozen(kw_only=True)
class Culture:
    """Reporting culture: a row and a reporting chart per service."""

    rows: tuple[CultureRow, ...]
    charts: tuple[SvgFigure, ...]
    charts_not_shown: int


@attrs.frozen(kw_only=True)
class GapRow:
    """A broken loop: its kind, record, since when, and the sentence saying so."""

    kind: GapKind
    record: str
    since: date
    message: str


@attrs.frozen(kw_only=True)
class LearningLoop:
    """Actions by status, kind and strength; open loops; the loop-closure rate.

    Attributes:
        actions: Actions in scope.
        by_status: Actions by status of record, in lifecycle order.
        by_kind: Actions by kind, most first.
        by_strength: Actions by strength, weakest first.
        by_loop: Actions by loop status.
        closure_rate: The share of actions whose loop is closed, ``None``
            when there are none.
        overdue: Overdue actions, most overdue first.
        gap_counts: Open loops by kind, most urgent kind first.
        gaps: Open loops other than overdue actions, most urgent first, capped.
        gaps_not_shown: Gaps left out of *gaps* by the cap.
    """

    actions: int
    by_status: tuple[tuple[ActionStatus, int], ...]
    by_kind: tuple[tuple[ActionKind, int], ...]
    by_strength: tuple[tuple[ActionStrength, int], ...]
    by_loop: tuple[tuple[LoopStatus, int], ...]
    closure_rate: float | None
    overdue: tuple[GapRow, ...]
    gap_counts: tuple[tuple[GapKind, int], ...]
    gaps: tuple[GapRow, ...]
    gaps_not_shown: int


@attrs.frozen(kw_only=True)
class ActionCard:
    """One action from origin through embedding and sharing to effect."""

    action: str
    kind: ActionKind
    strength: ActionStrength
    status: ActionStatus
    loop_status: LoopStatus
    due: date
    days_overdue: int | None
    services: tuple[str, ...]
    incidents: int
    first_incident_on: date | None
    responses: tuple[str, ...]
    factors: tuple[str, ...]
    learning_points: tuple[str, ...]
    training: str | None
    supervision: str | None
    reflective_practice: str | None
    coaching: str | None
    service_changes: str | None
    shared_with: tuple[str, ...]
    first_shared_on: date | None
    meetings: tuple[str, ...]
    verdict: str
    spc_rules: str
    mean_before: float | None
    mean_after: float | None
    reviews: tuple[str, ...]
    latest_review_verdict: str | None
    confidence: tuple[str, ...]
    disagreements: tuple[str, ...]
    chart: SvgFigure | None

    @property
    def embedding(self) -> tuple[tuple[str, str], ...]:
        """The channels that carried the action, as ``(channel, evidence)``."""
        channels = (
            ("training", self.training),
            ("supervision", self.supervision),
            ("reflective practice", self.reflective_practice),
            ("coaching", self.coaching),
            ("service changes", self.service_changes),
        )
        return tuple((name, text) for name, text in channels if text is not None)


@attrs.frozen(kw_only=True)
class ReachRow:
    """One learning point: its first incident and its reach at each service."""

    learning_point: str
    first_incident_on: date | None
    cells: tuple[str, ...]
    reached: int


@attrs.frozen(kw_only=True)
class Reach:
    """Learning points by services: which services the learning reached."""

    services: tuple[tuple[str, str], ...]
    rows: tuple[ReachRow, ...]
    rows_not_shown: int


@attrs.frozen(kw_only=True)
class Warnings:
    """Recurrence, themes, repeated low harm, reporting drops, weaker actions."""

    recurrences: tuple[tuple[str, str, str, str, int, date], ...]
    recurrences_not_shown: int
    themes: tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...]
    low_harm_people: int
    low_harm_services: int
    low_harm: tuple[str, ...]
    low_harm_not_shown: int
    reporting_drops: tuple[str, ...]
    weaker_only_learning_points: tuple[str, ...]
    strength_by_service: tuple[tuple[str, tuple[tuple[ActionStrength, int], ...]], ...]


@attrs.frozen(kw_only=True)
class EvidenceItem:
    """One finding, with the anchor of the section that shows it."""

    text: str
    section: str


@attrs.frozen(kw_only=True)
class Evidence:
    """What the report found for one CQC quality statement or commissioners' question."""

    heading: str
    label: str
    items: tuple[EvidenceItem, ...]


@attrs.frozen(kw_only=True)
class ReportContext:
    """Everything the template shows, computed once, immutable."""

    title: str
    scope: Scope
    headline: Headline
    culture: Culture
    loop: LearningLoop
    cards: tuple[ActionCard, ...]
    cards_not_shown: int
    reach: Reach
    warnings: Warnings
    cqc: tuple[Evidence, ...]
    commissioners: tuple[Evidence, ...]


# --- scope ---------------------------------------------------------------------


def _scope(  # noqa: PLR0913 - the public function's options, passed on
    index: GraphIndex,
    provider: str | None,
    *,
    as_of: date,
    services: Iterable[str] | None,
    start: date | None,
    end: date | None,
) -> Scope:
    if isinstance(services, str):
        msg = "services must be a collection of service identifiers, not one string"
        raise TypeError(msg)
    known = index.services
    chosen = sorted(known) if services is None else sorted(set(services))
    for service in chosen:
        if service not in known:
            raise UnknownRecordError(service, "service")
    last = as_of if end is None else end
    if start is not None and start > last:
        msg = f"the period starts on {start}, after it ends on {last}"
        raise ValueError(msg)
    if provider is None:
        providers = sorted({record.provider for record in known.values()})
        provider = ", ".join(providers) or "no provider"
    return Scope(
        provider=provider,
        services=tuple((service, known[service].name) for service in chosen),
        all_services=set(chosen) == set(known),
        start=start,
        end=last,
        as_of=as_of,
    )


def _incidents_in_scope(graph: LearningGraph, scope: Scope) -> dict[str, Incident]:
    nodes = graph.nodes
    wanted = scope.service_ids
    found: dict[str, Incident] = {}
    for node in nodes_of_kind(graph, NodeKind.INCIDENT):
        incident: Incident = nodes[node][RECORD]
        if incident.service in wanted and scope.covers(incident.occurred_on):
            found[node] = incident
    return found


def _action_services(graph: LearningGraph, trace: ActionTrace) -> set[str]:
    action: Action = graph.nodes[trace.action][RECORD]
    if action.services:
        return set(action.services)
    return {graph.nodes[node][RECORD].service for node in trace.origin.incidents}


def _traces_in_scope(graph: LearningGraph, scope: Scope) -> list[ActionTrace]:
    """Return the traces of the actions at the scope's services live in its period.

    An action is live in the period unless its first incident came after the
    period ended or its loop was closed before the period began.
    """
    traces = []
    before = None if scope.start is None else scope.start - timedelta(days=1)
    for node in nodes_of_kind(graph, NodeKind.ACTION):
        trace = action_trace(graph, node)
        if not _action_services(graph, trace) & scope.service_ids:
            continue
        first = trace.origin.first_incident_on
        if first is not None and first > scope.end:
            continue
        action: Action = graph.nodes[node][RECORD]
        if before is not None and action.status_on(before).is_final:
            continue
        traces.append(trace)
    return traces


def _learning_in_scope(
    graph: LearningGraph, incidents: Iterable[str], traces: Sequence[ActionTrace]
) -> set[str]:
    """Return the responses, factors and learning points behind the scope."""
    kinds = {
        NodeKind.LEARNING_RESPONSE,
        NodeKind.CONTRIBUTING_FACTOR,
        NodeKind.LEARNING_POINT,
    }
    nodes = graph.nodes
    found: set[str] = set()
    stack = list(incidents)
    while stack:
        for successor in graph.successors(stack.pop()):
            if successor not in found and nodes[successor]["kind"] in kinds:
                found.add(successor)
                stack.append(successor)
    for trace in traces:
        found.update(trace.origin.learning_points)
    return found


# --- headline ------------------------------------------------------------------


def _y_label(chart: Chart, unit: str) -> str:
    if chart.kind is ChartKind.U:
        return f"per 1,000 {unit.replace('_', ' ')}"
    return "incidents"


def _where(scope: Scope) -> str:
    if scope.all_services:
        return scope.provider
    return ", ".join(name for _, name in scope.services)


def _headline(
    graph: LearningGraph, scope: Scope, incidents: dict[str, Incident]
) -> Headline:
    start = scope.start
    if start is None and incidents:
        start = min(incident.occurred_on for incident in incidents.values())
    by_month: dict[date, Counter[str]] = {}
    if start is not None:
        month = start.replace(day=1)
        while month <= scope.end:
            by_month[month] = Counter()
            month = (month + timedelta(days=31)).replace(day=1)
    for incident in incidents.values():
        by_month[incident.occurred_on.replace(day=1)][incident.category] += 1
    totals: Counter[str] = Counter(incident.category for incident in incidents.values())
    by_category = tuple(sorted(totals.items(), key=lambda item: (-item[1], item[0])))
    shown = tuple(category for category, _ in by_category[:_TABLE_CATEGORIES])
    rows = tuple(
        MonthRow(
            month=month,
            counts=tuple(counts[category] for category in shown),
            other=sum(counts.values()) - sum(counts[category] for category in shown),
            total=sum(counts.values()),
        )
        for month, counts in by_month.items()
    )
    charts: list[SvgFigure] = []
    if len(rows) >= 2:  # a chart needs one moving range
        services = sorted(scope.service_ids)
        subjects: list[tuple[str, list[str] | None]] = [("all incidents", None)]
        subjects += [
            (category, [category]) for category, _ in by_category[:MAX_CATEGORY_CHARTS]
        ]
        for number, (label, categories) in enumerate(subjects):
            series = incident_series(
                graph,
                start=rows[0].month,
                end=scope.end,
                services=services,
                categories=categories,
            )
            # More reporting overall can mean openness, so the total has no
            # better direction; fewer incidents of one kind is better.
            direction = Direction.NEITHER if categories is None else Direction.DECREASE
            chart = count_chart(
                series.counts, series.exposure, series.periods, direction=direction
            )
            unit = series.exposure_unit.value if series.exposure_unit else ""
            name = label.replace("_", " ").capitalize()
            charts.append(
                spc_figure(
                    chart,
                    figure_id=f"chart-headline-{number}",
                    subject=f"{name} at {_where(scope)} per month"
                    + (
                        " per 1,000 " + unit.replace("_", " ")
                        if chart.kind is ChartKind.U
                        else ""
                    ),
                    y_label=_y_label(chart, unit),
                )
            )
    return Headline(
        incidents=len(incidents),
        near_misses=sum(not incident.reached_person for incident in incidents.values()),
        categories=shown,
        by_category=by_category,
        rows=rows,
        charts=tuple(charts),
    )


# --- reporting culture ---------------------------------------------------------


def _culture(graph: LearningGraph, scope: Scope, first_month: date | None) -> Culture:
    if first_month is None:
        return Culture(rows=(), charts=(), charts_not_shown=0)
    report = reporting_culture(
        graph, start=first_month, end=scope.end, services=sorted(scope.service_ids)
    )
    names = dict(scope.services)
    rows: list[CultureRow] = []
    charts: list[SvgFigure] = []
    for service in report.services:
        rate = service.indicator(CultureIndicator.REPORTING_RATE)
        unit = service.exposure_unit
        rows.append(
            CultureRow(
                service=service.service,
                name=names[service.service],
                incidents=sum(service.incidents),
                reporting_rate=rate.overall,
                rate_unit=(
                    f"per 1,000 {unit.value.replace('_', ' ')}"
                    if unit is not None
                    else "incidents"
                ),
                near_miss_share=service.indicator(
                    CultureIndicator.NEAR_MISS_SHARE
                ).overall,
                low_harm_share=service.indicator(
                    CultureIndicator.LOW_HARM_SHARE
                ).overall,
                median_report_delay=service.indicator(
                    CultureIndicator.MEDIAN_REPORT_DELAY
                ).overall,
                learning_response_share=service.indicator(
                    CultureIndicator.LEARNING_RESPONSE_SHARE
                ).overall,
                drop=None
                if service.reporting_drop is None
                else service.reporting_drop.message,
            )
        )
        if rate.chart is not None and len(charts) < MAX_SERVICE_CHARTS:
            label = _y_label(rate.chart, unit.value if unit is not None else "")
            charts.append(
                spc_figure(
                    rate.chart,
                    figure_id=f"chart-culture-{service.service}",
                    subject=f"Reporting at {names[service.service]} per month ({label})",
                    y_label=label,
                )
            )
    with_chart = sum(
        service.indicator(CultureIndicator.REPORTING_RATE).chart is not None
        for service in report.services
    )
    return Culture(
        rows=tuple(rows),
        charts=tuple(charts),
        charts_not_shown=with_chart - len(charts),
    )


# --- the learning loop ---------------------------------------------------------


def _in_order(counter: Counter[E], order: Iterable[E]) -> tuple[tuple[E, int], ...]:
    return tuple((member, counter[member]) for member in order if counter[member])


def _gap_row(gap: Gap) -> GapRow:
    return GapRow(
        kind=gap.kind, record=gap.record, since=gap.since, message=gap.message
    )


def _gaps_in_scope(
    graph: LearningGraph, scope: Scope, records: set[str]
) -> tuple[Gap, ...]:
    gaps = loop_gaps(graph, as_of=scope.as_of).gaps
    return tuple(gap for gap in gaps if gap.record in records)


def _loop(
    graph: LearningGraph, traces: Sequence[ActionTrace], gaps: Sequence[Gap]
) -> LearningLoop:
    actions: list[Action] = [graph.nodes[trace.action][RECORD] for trace in traces]
    by_status = Counter(trace.status for trace in traces)
    by_kind = Counter(action.kind for action in actions)
    by_strength = Counter(action.strength for action in actions)
    by_loop = Counter(trace.loop_status for trace in traces)
    closed = sum(by_loop[status] for status in _CLOSED)
    overdue = [gap for gap in gaps if gap.kind is GapKind.OVERDUE_ACTION]
    others = [gap for gap in gaps if gap.kind is not GapKind.OVERDUE_ACTION]
    return LearningLoop(
        actions=len(traces),
        by_status=_in_order(by_status, ActionStatus),
        by_kind=tuple(
            sorted(by_kind.items(), key=lambda item: (-item[1], item[0].value))
        ),
        by_strength=_in_order(by_strength, ActionStrength),
        by_loop=_in_order(by_loop, LoopStatus),
        closure_rate=closed / len(traces) if traces else None,
        overdue=tuple(_gap_row(gap) for gap in overdue),
        gap_counts=_in_order(Counter(gap.kind for gap in gaps), GapKind),
        gaps=tuple(_gap_row(gap) for gap in others[:MAX_ROWS]),
        gaps_not_shown=max(0, len(others) - MAX_ROWS),
    )


# --- action cards --------------------------------------------------------------


def _card_order(
    graph: LearningGraph, traces: Sequence[ActionTrace], overdue: Sequence[Gap]
) -> list[ActionTrace]:
    """Order the cards: overdue, then open loops, then closed loops.

    Overdue actions come most overdue first, open loops by due date, closed
    loops most recently moved first.
    """
    rank = {gap.record: number for number, gap in enumerate(overdue)}

    def key(trace: ActionTrace) -> tuple[int, int, str]:
        action: Action = graph.nodes[trace.action][RECORD]
        if trace.action in rank:
            return (0, rank[trace.action], trace.action)
        if trace.loop_status not in _CLOSED:
            return (1, action.due.toordinal(), trace.action)
        # A closed loop is a final status, which only a status change sets.
        last = action.status_history[-1].at.date()
        return (2, -last.toordinal(), trace.action)

    return sorted(traces, key=key)


def _sessions(sessions: Sequence[str], detail: str = "") -> str | None:
    if not sessions:
        return None
    return f"{len(sessions)} session(s): {', '.join(sessions)}{detail}"


def _card(
    graph: LearningGraph, trace: ActionTrace, scope: Scope, *, chart: bool
) -> ActionCard:
    action: Action = graph.nodes[trace.action][RECORD]
    effect = action_effect(graph, trace.action, end=scope.end)
    training = trace.training
    share = training.attended_share
    supervision = trace.supervision
    figure = None
    if chart and effect.chart is not None:
        marks = [] if effect.embedded_on is None else [(effect.embedded_on, "embedded")]
        categories = ", ".join(
            category.replace("_", " ") for category in effect.categories
        )
        figure = spc_figure(
            effect.chart,
            figure_id=f"chart-effect-{trace.action}",
            subject=(
                f"Incidents targeted by {trace.action} ({categories}) per month"
                f", limits from before embedding; verdict {effect.verdict.value.replace('_', ' ')}"
            ),
            y_label=_y_label(
                effect.chart,
                effect.series.exposure_unit.value
                if effect.series.exposure_unit
                else "",
            ),
            marks=marks,
        )
    overdue = (
        (scope.as_of - action.due).days
        if action.is_overdue(as_of=scope.as_of)
        else None
    )
    return ActionCard(
        action=trace.action,
        kind=action.kind,
        strength=action.strength,
        status=trace.status,
        loop_status=trace.loop_status,
        due=action.due,
        days_overdue=overdue,
        services=tuple(sorted(_action_services(graph, trace))),
        incidents=len(trace.origin.incidents),
        first_incident_on=trace.origin.first_incident_on,
        responses=trace.origin.responses,
        factors=trace.origin.factors,
        learning_points=trace.origin.learning_points,
        training=_sessions(
            training.sessions,
            ""
            if share is None
            else f"; {training.staff_attended} of {training.staff_in_post} staff in post attended ({share:.0%})",
        ),
        supervision=_sessions(
            supervision.sessions,
            f"; {len(supervision.reflective_sessions)} reflective; {len(supervision.supervisees)} staff supervised",
        ),
        reflective_practice=_sessions(
            trace.reflective_practice.sessions,
            f"; {len(trace.reflective_practice.attendees)} staff took part",
        ),
        coaching=_sessions(
            trace.coaching.sessions, f"; {len(trace.coaching.coachees)} staff coached"
        ),
        service_changes=(
            None
            if not trace.service_changes.changes
            else f"{', '.join(trace.service_changes.changes)} ("
            + ", ".join(
                area.value.replace("_", " ") for area in trace.service_changes.areas
            )
            + ")"
        ),
        shared_with=trace.sharing.services,
        first_shared_on=trace.sharing.first_shared_on,
        meetings=trace.sharing.meetings,
        verdict=effect.verdict.value,
        spc_rules=rules_in_words(effect.rules),
        mean_before=effect.mean_before,
        mean_after=effect.mean_after,
        reviews=effect.reviews,
        latest_review_verdict=(
            None
            if effect.latest_review_verdict is None
            else effect.latest_review_verdict.value
        ),
        confidence=tuple(
            f"{reading.checked_on}: {reading.mean_score:.1f} of {reading.scale_max}"
            f" ({reading.respondents} staff, {reading.service})"
            for reading in effect.confidence
        ),
        disagreements=tuple(item.message for item in trace.disagreements),
        chart=figure,
    )


def _cards(
    graph: LearningGraph,
    traces: Sequence[ActionTrace],
    overdue: Sequence[Gap],
    scope: Scope,
) -> tuple[tuple[ActionCard, ...], int]:
    ordered = _card_order(graph, traces, overdue)[:MAX_ACTION_CARDS]
    cards: list[ActionCard] = []
    charts = 0
    for trace in ordered:
        card = _card(graph, trace, scope, chart=charts < MAX_EFFECT_CHARTS)
        charts += card.chart is not None
        cards.append(card)
    return tuple(cards), len(traces) - len(cards)


# --- reach ---------------------------------------------------------------------


def _reach(graph: LearningGraph, scope: Scope, points: set[str]) -> Reach:
    report = learning_reach(graph, learning_points=sorted(points))
    columns = [service for service, _ in scope.services]
    ordered = sorted(
        report.points,
        key=lambda point: (
            -(point.first_incident_on or date.min).toordinal(),
            point.learning_point,
        ),
    )
    rows = []
    for point in ordered[:MAX_ROWS]:
        levels = {place.place: place.level.value for place in point.services}
        cells = tuple(levels.get(service, "") for service in columns)
        rows.append(
            ReachRow(
                learning_point=point.learning_point,
                first_incident_on=point.first_incident_on,
                cells=cells,
                reached=sum(bool(cell) for cell in cells),
            )
        )
    return Reach(
        services=scope.services,
        rows=tuple(rows),
        rows_not_shown=max(0, len(ordered) - MAX_ROWS),
    )


# --- warnings ------------------------------------------------------------------


def _warnings(  # noqa: PLR0913 - what each warning is narrowed by
    graph: LearningGraph,
    scope: Scope,
    *,
    traces: Sequence[ActionTrace],
    incidents: dict[str, Incident],
    points: set[str],
    culture: Culture,
) -> Warnings:
    wanted = scope.service_ids
    done = [
        trace.action
        for trace in traces
        if graph.nodes[trace.action][RECORD].completed_on is not None
    ]
    flags = [
        flag
        for flag in recurrence(graph, actions=done).flags
        if flag.service in wanted and scope.covers(flag.first_repeat_on)
    ]
    flags.sort(key=lambda flag: (-flag.first_repeat_on.toordinal(), flag.action))
    themes = []
    for theme in factor_themes(graph).themes:
        count = sum(incident in incidents for incident in theme.incidents)
        if count >= 2:
            where = tuple((s, n) for s, n in theme.services if s in wanted)
            themes.append((theme.label, count, where))
    themes.sort(key=lambda item: (-item[1], item[0]))
    concerns = [
        concern
        for concern in repeated_low_harm(graph, as_of=scope.as_of)
        if set(concern.services) & wanted
        and concern.first_on <= scope.end
        and (scope.start is None or concern.last_on >= scope.start)
    ]
    concerns.sort(key=lambda concern: (-concern.last_on.toordinal(), concern.subject))
    profile = action_strength_profile(graph, as_of=scope.as_of)
    return Warnings(
        recurrences=tuple(
            (
                flag.action,
                flag.service,
                flag.match.value.replace("_", " "),
                str(flag.key).replace("_", " "),
                len(flag.repeat_incidents),
                flag.first_repeat_on,
            )
            for flag in flags[:MAX_ROWS]
        ),
        recurrences_not_shown=max(0, len(flags) - MAX_ROWS),
        themes=tuple(themes[:10]),
        low_harm_people=sum(c.kind is ConcernKind.PERSON for c in concerns),
        low_harm_services=sum(c.kind is ConcernKind.SERVICE for c in concerns),
        low_harm=tuple(concern.message for concern in concerns[:MAX_ROWS]),
        low_harm_not_shown=max(0, len(concerns) - MAX_ROWS),
        reporting_drops=tuple(
            f"{row.name}: {row.drop}" for row in culture.rows if row.drop is not None
        ),
        weaker_only_learning_points=tuple(
            point for point in profile.weaker_only_learning_points if point in points
        ),
        strength_by_service=tuple(
            (mix.subject, mix.counts)
            for mix in profile.services
            if mix.subject in wanted
        ),
    )


# --- evidence ------------------------------------------------------------------


def _of(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _carried(traces: Sequence[ActionTrace], sessions: str) -> tuple[int, int]:
    """Return how many actions a channel carried, and its sessions or records."""
    records = {
        record for trace in traces for record in getattr(trace, sessions).sessions
    }
    actions = sum(bool(getattr(trace, sessions).sessions) for trace in traces)
    return actions, len(records)


def _evidence(  # noqa: PLR0913 - one finding from each section
    graph: LearningGraph,
    *,
    traces: Sequence[ActionTrace],
    headline: Headline,
    loop: LearningLoop,
    cards: Sequence[ActionCard],
    reach: Reach,
    warnings: Warnings,
    learning: set[str],
    as_of: date,
) -> tuple[tuple[Evidence, ...], tuple[Evidence, ...]]:
    kinds = Counter(graph.nodes[node]["kind"] for node in learning)
    share = (
        f" ({headline.near_misses / headline.incidents:.0%})"
        if headline.incidents
        else ""
    )
    training = _carried(traces, "training")
    supervision = _carried(traces, "supervision")
    reflective = _carried(traces, "reflective_practice")
    coaching = _carried(traces, "coaching")
    changes = {c for trace in traces for c in trace.service_changes.changes}
    changed = sum(bool(trace.service_changes.changes) for trace in traces)
    areas = Counter(
        area.value.replace("_", " ")
        for trace in traces
        for area in trace.service_changes.areas
    )
    attended = sum(trace.training.staff_attended for trace in traces)
    reflective_supervision = {
        s for trace in traces for s in trace.supervision.reflective_sessions
    }
    loops = dict(loop.by_loop)
    rate = "none yet" if loop.closure_rate is None else f"{loop.closure_rate:.0%}"
    verdicts = Counter(card.verdict for card in cards)
    reviews = {r for trace in traces for r in trace.effect.reviews}
    checks = {c for trace in traces for c in trace.effect.confidence_checks}
    meetings = {m for trace in traces for m in trace.sharing.meetings}
    open_loops = sum(count for _, count in loop.gap_counts)
    everywhere = sum(row.reached == len(reach.services) for row in reach.rows)
    somewhere = sum(row.reached > 0 for row in reach.rows)
    cqc = (
        Evidence(
            heading="Safe",
            label="Learning culture",
            items=(
                EvidenceItem(
                    text=f"{_of(headline.incidents, 'incident')} reported, {headline.near_misses} of them near misses{share}",
                    section="headline",
                ),
                EvidenceItem(
                    text=f"{_of(kinds[NodeKind.LEARNING_RESPONSE], 'learning response')}, "
                    f"{_of(kinds[NodeKind.CONTRIBUTING_FACTOR], 'contributing factor')} and "
                    f"{_of(kinds[NodeKind.LEARNING_POINT], 'learning point')} behind them",
                    section="loop",
                ),
                EvidenceItem(
                    text=f"{_of(len(warnings.reporting_drops), 'service')} with a sudden drop in reporting",
                    section="culture",
                ),
            ),
        ),
        Evidence(
            heading="Safe",
            label="Safe and effective staffing",
            items=(
                EvidenceItem(
                    text=f"{_of(training[0], 'action')} carried by training: {_of(training[1], 'session')}, {attended} attendances",
                    section="cards",
                ),
                EvidenceItem(
                    text=f"{_of(supervision[0], 'action')} carried by supervision: {_of(supervision[1], 'session')}, {len(reflective_supervision)} reflective",
                    section="cards",
                ),
                EvidenceItem(
                    text=f"{_of(reflective[0], 'action')} carried by reflective practice ({_of(reflective[1], 'session')}) "
                    f"and {_of(coaching[0], 'action')} by coaching ({_of(coaching[1], 'session')})",
                    section="cards",
                ),
            ),
        ),
        Evidence(
            heading="Well-led",
            label="Learning, improvement and innovation",
            items=(
                EvidenceItem(
                    text=f"{_of(loops.get(LoopStatus.VERIFIED_EFFECTIVE, 0), 'action')} verified effective, "
                    f"{loops.get(LoopStatus.FOUND_INEFFECTIVE, 0)} found ineffective; loop-closure rate {rate}",
                    section="loop",
                ),
                EvidenceItem(
                    text=f"{_of(len(reviews), 'effectiveness review')} and {_of(len(checks), 'staff confidence check')}; "
                    f"SPC shows improvement after {_of(verdicts['improvement'], 'action')} shown, concern after {verdicts['concern']}",
                    section="cards",
                ),
                EvidenceItem(
                    text=f"{_of(len(warnings.recurrences) + warnings.recurrences_not_shown, 'recurrence')} after done actions, "
                    f"{_of(len(warnings.themes), 'factor theme')}",
                    section="warnings",
                ),
            ),
        ),
        Evidence(
            heading="Well-led",
            label="Governance, management and sustainability",
            items=(
                EvidenceItem(
                    text=f"{_of(len(meetings), 'governance meeting')} reviewed these actions",
                    section="cards",
                ),
                EvidenceItem(
                    text=f"{_of(len(loop.overdue), 'overdue action')} and {_of(open_loops, 'open loop')} in all on {as_of}",
                    section="loop",
                ),
                EvidenceItem(
                    text=f"{_of(len(warnings.weaker_only_learning_points), 'learning point')} relying only on weaker actions; "
                    f"{_of(warnings.low_harm_people + warnings.low_harm_services, 'possible safeguarding concern')} from repeated low-harm incidents",
                    section="warnings",
                ),
            ),
        ),
    )
    commissioners = (
        Evidence(
            heading="How does learning inform training?",
            label="training",
            items=(
                EvidenceItem(
                    text=f"{_of(training[0], 'action')} delivered through {_of(training[1], 'training session')}, {attended} attendances",
                    section="cards",
                ),
            ),
        ),
        Evidence(
            heading="How does learning inform supervision?",
            label="supervision",
            items=(
                EvidenceItem(
                    text=f"{_of(supervision[0], 'action')} taken into {_of(supervision[1], 'supervision session')} "
                    f"({len(reflective_supervision)} reflective), {_of(reflective[1], 'reflective practice session')} "
                    f"and {_of(coaching[1], 'coaching session')}",
                    section="cards",
                ),
            ),
        ),
        Evidence(
            heading="How does learning inform service development?",
            label="service development",
            items=(
                EvidenceItem(
                    text=f"{_of(changed, 'action')} led to {_of(len(changes), 'service change')}"
                    + (
                        ": "
                        + ", ".join(f"{area} {n}" for area, n in sorted(areas.items()))
                        if areas
                        else ""
                    ),
                    section="cards",
                ),
            ),
        ),
        Evidence(
            heading="Is learning shared across services?",
            label="sharing",
            items=(
                EvidenceItem(
                    text=f"of {_of(len(reach.rows), 'learning point')} shown, {somewhere} reached at least one service "
                    f"and {everywhere} reached every service covered",
                    section="reach",
                ),
            ),
        ),
    )
    return cqc, commissioners


# --- the whole report ----------------------------------------------------------


def report_context(  # noqa: PLR0913 - the public function's options, passed on
    graph: LearningGraph,
    *,
    provider: str | None,
    as_of: date,
    services: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> ReportContext:
    """Compute every section of the report from the analyses of *graph*.

    Args:
        graph: The learning graph; it is not modified.
        provider: The provider's name, or ``None`` to use its identifier.
        as_of: The day loops, gaps and warnings are judged on.
        services: The services to cover; all by default.
        start: The first day of the period; the first incident by default.
        end: The last day of the period; *as_of* by default.

    Returns:
        The report's content.

    Raises:
        UnknownRecordError: A service is not in the graph.
        ValueError: *start* is after the end of the period.
        TypeError: *services* is a single string.
    """
    index = graph_index(graph)
    scope = _scope(
        index, provider, as_of=as_of, services=services, start=start, end=end
    )
    incidents = _incidents_in_scope(graph, scope)
    traces = _traces_in_scope(graph, scope)
    learning = _learning_in_scope(graph, incidents, traces)
    points = {
        node
        for node in learning
        if graph.nodes[node]["kind"] is NodeKind.LEARNING_POINT
    }
    records = set(incidents) | learning | {trace.action for trace in traces}
    gaps = _gaps_in_scope(graph, scope, records)
    headline = _headline(graph, scope, incidents)
    culture = _culture(graph, scope, headline.rows[0].month if headline.rows else None)
    loop = _loop(graph, traces, gaps)
    overdue = [gap for gap in gaps if gap.kind is GapKind.OVERDUE_ACTION]
    cards, not_shown = _cards(graph, traces, overdue, scope)
    reach = _reach(graph, scope, points)
    warnings = _warnings(
        graph,
        scope,
        traces=traces,
        incidents=incidents,
        points=points,
        culture=culture,
    )
    cqc, commissioners = _evidence(
        graph,
        traces=traces,
        headline=headline,
        loop=loop,
        cards=cards,
        reach=reach,
        warnings=warnings,
        learning=learning,
        as_of=scope.as_of,
    )
    return ReportContext(
        title=f"Learning report: {scope.provider}",
        scope=scope,
        headline=headline,
        culture=culture,
        loop=loop,
        cards=cards,
        cards_not_shown=not_shown,
        reach=reach,
        warnings=warnings,
        cqc=cqc,
        commissioners=commissioners,
    )
