"""Reporting culture: is each service reporting openly, promptly and learning from it?

Inspectors look at whether the culture is open. :func:`reporting_culture`
gives, for each service and each week or month, the indicators the sector
reads it by, each with its statistical process control chart:

* the **reporting rate**, incidents per 1,000 occupied bed days or hours of
  care where the log records exposure (else the count); more reporting of
  the same care is a sign of openness, not of worse care;
* the **share of near misses**, and of incidents with **no or low harm**: a
  high share means staff report before harm is done;
* the **median delay** from occurrence to report, in days;
* the **share of incidents with a learning response**.

A service whose reporting suddenly drops (special cause variation in the
worsening direction on its reporting chart, in its most recent periods) is
flagged: silence is a warning sign, not a success. Sudden means a point
below the lower limit, or two of three near it; a run or a trend is a
gradual change, as often the fall in incidents learning was meant to bring.
"""

from __future__ import annotations

import enum
import statistics
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import attrs

from incident_learning import _html
from incident_learning.analysis.series import (
    ExposureUnit,
    Frequency,
    IncidentSeries,
    count_chart,
    incident_series,
)
from incident_learning.analysis.spc import (
    Chart,
    ChartKind,
    Direction,
    Rule,
    Variation,
    xmr_chart,
)
from incident_learning.graph import KIND, RECORD, NodeKind, graph_index
from incident_learning.model import HarmLevel, Incident

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = [
    "CultureIndicator",
    "CultureReport",
    "IndicatorSeries",
    "ReportingDrop",
    "ServiceCulture",
    "reporting_culture",
]


@enum.unique
class CultureIndicator(enum.StrEnum):
    """An indicator of reporting culture, each with its improving direction."""

    REPORTING_RATE = "reporting_rate"
    NEAR_MISS_SHARE = "near_miss_share"
    LOW_HARM_SHARE = "low_harm_share"
    MEDIAN_REPORT_DELAY = "median_report_delay"
    LEARNING_RESPONSE_SHARE = "learning_response_share"

    @property
    def direction(self) -> Direction:
        """Which way is better (more reporting, fewer days' delay)."""
        if self is CultureIndicator.MEDIAN_REPORT_DELAY:
            return Direction.DECREASE
        return Direction.INCREASE


@attrs.frozen(kw_only=True)
class IndicatorSeries:
    """One indicator of one service over time, with its chart.

    Attributes:
        indicator: Which indicator.
        values: Its value in each period of the report; ``None`` where it
            cannot be computed (no incidents to take a share of, no exposure).
        overall: Its value over the whole range.
        chart: An XmR chart of the periods with a value (for the reporting
            rate, a u-chart of the rate or a c-chart of counts); ``None``
            with fewer than two such periods.
    """

    indicator: CultureIndicator
    values: tuple[float | None, ...]
    overall: float | None
    chart: Chart | None


@attrs.frozen(kw_only=True)
class ReportingDrop:
    """A sudden drop in a service's reporting.

    Attributes:
        periods: The recent periods showing special cause variation
            downwards on the reporting chart.
        rules: The rules that fired.
        message: The warning, in a sentence.
    """

    periods: tuple[date, ...]
    rules: tuple[Rule, ...]
    message: str


@attrs.frozen(kw_only=True)
class ServiceCulture:
    """The reporting culture indicators of one service.

    Attributes:
        service: The service's identifier.
        periods: The first day of each period.
        incidents: The incidents reported in each period.
        exposure_unit: What the reporting rate is per 1,000 of; ``None``
            when the rate is a count because exposure is unknown.
        indicators: One series per :class:`CultureIndicator`, in its order.
        reporting_drop: The drop in reporting, if one is flagged.
    """

    service: str
    periods: tuple[date, ...]
    incidents: tuple[int, ...]
    exposure_unit: ExposureUnit | None
    indicators: tuple[IndicatorSeries, ...]
    reporting_drop: ReportingDrop | None

    def indicator(self, indicator: CultureIndicator) -> IndicatorSeries:
        """Return the series of *indicator*."""
        return next(s for s in self.indicators if s.indicator is indicator)


@attrs.frozen(kw_only=True)
class CultureReport:
    """Reporting culture indicators per service.

    Attributes:
        frequency: Weeks or months.
        services: One entry per service, by identifier.
    """

    frequency: Frequency
    services: tuple[ServiceCulture, ...]

    @property
    def flagged(self) -> tuple[ServiceCulture, ...]:
        """The services whose reporting has dropped."""
        return tuple(s for s in self.services if s.reporting_drop is not None)

    def of(self, service: str) -> ServiceCulture:
        """Return the indicators of *service*.

        Raises:
            KeyError: The report has no such service.
        """
        for entry in self.services:
            if entry.service == service:
                return entry
        raise KeyError(service)

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the report as HTML for notebooks: each indicator over the whole range.

        Shares show as percentages; the reporting rate is per 1,000 of the
        exposure unit shown, or a count where there is none. A service whose
        reporting dropped has the class ``il-signal`` and the warning in its
        last column.

        Args:
            max_rows: The most services listed; the rest are counted.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import reporting_culture
            >>> report = reporting_culture(il.build_graph(samples.example_log()))
            >>> html = report._repr_html_()
            >>> "<caption>Reporting culture by month: 6 services, " in html
            True
        """

        def overall(series: IndicatorSeries) -> object:
            if series.indicator.value.endswith("_share"):
                return _html.percent(series.overall)
            return series.overall

        def row(service: ServiceCulture) -> list[object]:
            drop = service.reporting_drop
            return [
                service.service,
                sum(service.incidents),
                service.exposure_unit,
                *(overall(series) for series in service.indicators),
                None if drop is None else drop.message,
            ]

        return _html.block(
            "culture",
            _html.table(
                f"Reporting culture by {self.frequency.value}: "
                f"{_html.plural(len(self.services), 'service')}, "
                f"{len(self.flagged)} with a drop in reporting",
                [
                    "service",
                    "incidents",
                    "rate per 1,000 of",
                    *(_html.words(indicator) for indicator in CultureIndicator),
                    "reporting drop",
                ],
                self.services,
                row,
                max_rows=max_rows,
                row_class=lambda s: None if s.reporting_drop is None else "il-signal",
            ),
        )


_LOW: Final = frozenset({HarmLevel.NONE, HarmLevel.LOW})
_SUDDEN: Final = (Rule.BEYOND_LIMITS, Rule.TWO_OF_THREE)


def _delay_days(incident: Incident) -> float:
    """Days from occurrence to report, from the latest moment it could have happened."""
    occurred = incident.occurred_until or incident.occurred
    if isinstance(occurred, datetime):
        return (incident.reported_at - occurred).total_seconds() / 86400
    # A date alone: count whole days to the day it was reported.
    return float((incident.reported_at.date() - occurred).days)


def _share(values: Sequence[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _xmr(
    values: Sequence[float | None], periods: Sequence[date], direction: Direction
) -> Chart | None:
    known = [(p, v) for p, v in zip(periods, values, strict=True) if v is not None]
    if len(known) < 2:
        return None
    return xmr_chart([v for _, v in known], [p for p, _ in known], direction=direction)


def _per_period(
    series: IncidentSeries,
    incidents: dict[str, Incident],
    measure: Callable[[list[Incident]], float | None],
) -> tuple[float | None, ...]:
    return tuple(
        measure([incidents[node] for node in period]) for period in series.incidents
    )


def _service_culture(
    graph: LearningGraph,
    series: IncidentSeries,
    recent_periods: int,
) -> ServiceCulture:
    nodes = graph.nodes
    every = [node for period in series.incidents for node in period]
    incidents: dict[str, Incident] = {node: nodes[node][RECORD] for node in every}
    responded = {
        node
        for node in every
        if any(nodes[s][KIND] is NodeKind.LEARNING_RESPONSE for s in graph.succ[node])
    }

    def near_miss(group: list[Incident]) -> float | None:
        return _share([i.is_near_miss for i in group])

    def low_harm(group: list[Incident]) -> float | None:
        return _share([i.harm in _LOW for i in group if i.harm is not None])

    def delay(group: list[Incident]) -> float | None:
        return _median([_delay_days(i) for i in group])

    def response(group: list[Incident]) -> float | None:
        return _share([i.id in responded for i in group])

    everything = list(incidents.values())
    periods = series.periods
    rates = series.rates()
    has_rate = series.exposure_unit is not None and all(r is not None for r in rates)
    reporting = (
        count_chart(
            series.counts,
            series.exposure,
            series.periods,
            direction=Direction.INCREASE,
        )
        if len(periods) > 1
        else None
    )
    exposure_total = sum(e or 0.0 for e in series.exposure)
    indicators = [
        IndicatorSeries(
            indicator=CultureIndicator.REPORTING_RATE,
            values=rates if has_rate else tuple(float(c) for c in series.counts),
            overall=(
                series.total * 1000 / exposure_total
                if has_rate and exposure_total
                else (series.total / len(periods) if periods else None)
            ),
            chart=reporting,
        )
    ]
    for indicator, measure in (
        (CultureIndicator.NEAR_MISS_SHARE, near_miss),
        (CultureIndicator.LOW_HARM_SHARE, low_harm),
        (CultureIndicator.MEDIAN_REPORT_DELAY, delay),
        (CultureIndicator.LEARNING_RESPONSE_SHARE, response),
    ):
        values = _per_period(series, incidents, measure)
        indicators.append(
            IndicatorSeries(
                indicator=indicator,
                values=values,
                overall=measure(everything),
                chart=_xmr(values, periods, indicator.direction),
            )
        )
    return ServiceCulture(
        service=series.services[0],
        periods=periods,
        incidents=series.counts,
        exposure_unit=series.exposure_unit if has_rate else None,
        indicators=tuple(indicators),
        reporting_drop=_drop(reporting, recent_periods),
    )


def _drop(chart: Chart | None, recent_periods: int) -> ReportingDrop | None:
    if chart is None:
        return None
    recent = chart.points[-recent_periods:]
    # Sudden means a point below the lower limit or two of three near it:
    # a run or a trend is a gradual change, often the fall in incidents that
    # learning was meant to bring, not staff falling silent.
    low = [
        p
        for p in recent
        if p.variation is Variation.CONCERN and not set(_SUDDEN).isdisjoint(p.rules)
    ]
    if not low:
        return None
    rules = tuple(rule for rule in _SUDDEN if any(rule in p.rules for p in low))
    what = "rate" if chart.kind is ChartKind.U else "count"
    return ReportingDrop(
        periods=tuple(p.label for p in low),
        rules=rules,
        message=(
            f"reporting {what} fell: special cause variation downwards in "
            f"{len(low)} of the last {len(recent)} periods "
            f"({', '.join(rule.value.replace('_', ' ') for rule in rules)})"
        ),
    )


def reporting_culture(  # noqa: PLR0913 - options a caller names
    graph: LearningGraph,
    *,
    frequency: Frequency = Frequency.MONTH,
    start: date | None = None,
    end: date | None = None,
    services: Iterable[str] | None = None,
    recent_periods: int = 3,
) -> CultureReport:
    """Return each service's reporting culture indicators over time, with their charts.

    For each service (all of the provider's by default) and each period:
    the reporting rate per 1,000 units of exposure (occupied bed days or
    hours of care) where the log covers every period, else the count; the
    share of near misses; the share of no- or low-harm incidents among those
    naming someone affected; the median delay from occurrence to report in
    days (from the end of an estimated period, the latest it could have
    happened); and the share with a learning response. Each has an overall
    value and an SPC chart (a u- or c-chart for reporting, XmR for the
    rest), with more reporting, more near misses, more low-harm reports,
    shorter delays and more responses as the improving directions.

    A service is flagged when its reporting chart shows a sudden drop (a
    point below the lower limit, or two of three near it) in any of its
    *recent_periods* latest periods.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        frequency: Months (the default) or weeks.
        start: The first day of the range; by default the log's first month.
        end: The last day; by default the end of the log's last month.
        services: The services to report on; all by default.
        recent_periods: How many of the latest periods a drop is looked for in.

    Raises:
        ValueError: *recent_periods* is not a positive whole number.

    Examples:
        >>> from incident_learning.analysis import CultureIndicator, reporting_culture
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> report = reporting_culture(build_graph(example_log()))
        >>> oak = report.of("SVC-OAK")
        >>> oak.exposure_unit.value
        'occupied_bed_days'
        >>> delay = oak.indicator(CultureIndicator.MEDIAN_REPORT_DELAY)
        >>> round(delay.overall, 2)  # days: most are reported within hours
        0.08
        >>> [service.service for service in report.flagged]
        []
    """
    if (
        isinstance(recent_periods, bool)
        or not isinstance(recent_periods, int)
        or recent_periods < 1
    ):
        msg = (
            f"recent_periods must be a whole number, 1 or more, not {recent_periods!r}"
        )
        raise ValueError(msg)
    index = graph_index(graph)
    chosen = sorted(set(index.services if services is None else services))
    return CultureReport(
        frequency=frequency,
        services=tuple(
            _service_culture(
                graph,
                incident_series(
                    graph,
                    frequency=frequency,
                    start=start,
                    end=end,
                    services=[service],
                ),
                recent_periods,
            )
            for service in chosen
        ),
    )
