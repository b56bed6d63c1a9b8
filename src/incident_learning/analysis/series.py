"""Incident series: counts by week or month, gaps filled with zeros, and exposure for rates.

:func:`incident_series` counts the incidents of a graph by week or month,
for any services, categories, harm levels or contributing factor domains,
with every period in the range present (a month with no incidents is a
zero, not a missing point). Where the log records exposure (occupied bed
days or hours of care, :class:`~incident_learning.model.organisation.ServiceExposure`),
the series carries it too, so rates such as falls per 1,000 occupied bed
days follow (:meth:`IncidentSeries.rates`), ready for a u-chart.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

import attrs
from dateutil.relativedelta import relativedelta

from incident_learning import _html
from incident_learning.analysis._walk import factor_incidents
from incident_learning.analysis.spc import Chart, Direction, c_chart, u_chart
from incident_learning.graph import RECORD, NodeKind, graph_index
from incident_learning.model import (
    ContributingFactor,
    FactorFramework,
    HarmLevel,
    Incident,
    ServiceExposure,
)

if TYPE_CHECKING:
    from incident_learning.graph import GraphIndex, LearningGraph

__all__ = [
    "ExposureUnit",
    "Frequency",
    "IncidentSeries",
    "incident_series",
    "period_of",
]


@enum.unique
class Frequency(enum.StrEnum):
    """How a series groups time: ISO weeks (Monday first) or calendar months."""

    WEEK = "week"
    MONTH = "month"


@enum.unique
class ExposureUnit(enum.StrEnum):
    """What a series' exposure counts: occupied bed days or hours of care."""

    OCCUPIED_BED_DAYS = "occupied_bed_days"
    CARE_HOURS = "care_hours"


def period_of(day: date, frequency: Frequency) -> date:
    """Return the first day of the week (a Monday) or month that *day* falls in.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis import Frequency, period_of
        >>> period_of(date(2025, 3, 13), Frequency.MONTH)
        datetime.date(2025, 3, 1)
        >>> period_of(date(2025, 3, 13), Frequency.WEEK)  # a Thursday
        datetime.date(2025, 3, 10)
    """
    if frequency is Frequency.MONTH:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


_STEP: Final = {
    Frequency.WEEK: relativedelta(weeks=1),
    Frequency.MONTH: relativedelta(months=1),
}


def _periods(first: date, last: date, frequency: Frequency) -> list[date]:
    step = _STEP[frequency]
    periods = []
    period = period_of(first, frequency)
    while period <= last:
        periods.append(period)
        period += step
    return periods


@attrs.frozen(kw_only=True)
class IncidentSeries:
    """Incidents counted by period, with the exposure behind them where known.

    Attributes:
        frequency: Weeks or months.
        periods: The first day of each period, every period of the range.
        counts: The incidents in each period (0 where none).
        incidents: The incidents of each period, by identifier.
        exposure: The exposure in each period, summed over the series'
            services; ``None`` where some service's exposure does not cover
            the whole period, and everywhere when there is no unit.
        exposure_unit: What the exposure counts; ``None`` if the services'
            exposure records do not all give the same measure.
        services: The services counted (empty: all).
        categories: The categories counted (empty: all).
        harm: The harm levels counted (empty: all).
        factor_domains: The factor domains counted, as
            ``(framework, domain)`` (empty: all).
    """

    frequency: Frequency
    periods: tuple[date, ...]
    counts: tuple[int, ...]
    incidents: tuple[tuple[str, ...], ...]
    exposure: tuple[float | None, ...]
    exposure_unit: ExposureUnit | None
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    harm: tuple[HarmLevel, ...] = ()
    factor_domains: tuple[tuple[FactorFramework, str], ...] = ()

    @property
    def total(self) -> int:
        """The incidents in the whole series."""
        return sum(self.counts)

    def rates(self, *, per: float = 1000.0) -> tuple[float | None, ...]:
        """Return the incidents per *per* units of exposure in each period.

        ``None`` where the exposure is unknown or zero.

        Examples:
            >>> from incident_learning.analysis import incident_series
            >>> from incident_learning.graph import build_graph
            >>> from incident_learning.samples import example_log
            >>> falls = incident_series(
            ...     build_graph(example_log()),
            ...     services=["SVC-OAK"],
            ...     categories=["falls"],
            ... )
            >>> falls.exposure_unit
            <ExposureUnit.OCCUPIED_BED_DAYS: 'occupied_bed_days'>
            >>> round(falls.rates()[0], 2)  # falls per 1,000 bed days, January 2024
            5.0
        """
        return tuple(
            None if exposure is None or exposure <= 0 else count * per / exposure
            for count, exposure in zip(self.counts, self.exposure, strict=True)
        )

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the series as HTML for notebooks: its filters, shape and periods.

        Args:
            max_rows: The most periods listed, the latest kept.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import incident_series
            >>> series = incident_series(
            ...     il.build_graph(samples.example_log()), categories=["falls"]
            ... )
            >>> html = series._repr_html_(max_rows=3)
            >>> "<caption>Incidents by month: " in html, "earlier</span>" in html
            (True, True)
        """
        unit = self.exposure_unit
        rates = self.rates()
        columns = ["period", "incidents", "exposure", "per 1,000", "which"]
        return _html.block(
            "series",
            _html.fields(
                f"Incidents by {self.frequency.value}: {self.total} in "
                f"{_html.plural(len(self.periods), 'period')}",
                [
                    ("shape", _html.sparkline([float(c) for c in self.counts]) or None),
                    ("from", self.periods[0] if self.periods else None),
                    ("to", self.periods[-1] if self.periods else None),
                    ("exposure unit", unit),
                    ("services", self.services or "all"),
                    ("categories", self.categories or "all"),
                    ("harm", self.harm or "all"),
                    (
                        "factor domains",
                        tuple(f"{d} ({f.value})" for f, d in self.factor_domains)
                        or "all",
                    ),
                ],
            ),
            _html.table(
                "Periods, latest last",
                columns,
                range(len(self.periods)),
                lambda at: [
                    self.periods[at],
                    self.counts[at],
                    self.exposure[at],
                    rates[at],
                    self.incidents[at],
                ],
                max_rows=max_rows,
                latest=True,
            ),
        )


def _ids(values: Iterable[str] | None, name: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        msg = f"{name} must be a collection of identifiers, not the single string {values!r}"
        raise TypeError(msg)
    return tuple(sorted(set(values)))


def _domains(
    values: Iterable[tuple[FactorFramework, str] | str] | None,
) -> tuple[tuple[FactorFramework, str], ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        msg = "factor_domains must be a collection of domains, not a single string"
        raise TypeError(msg)
    # A bare domain code is in the library's own care framework.
    found = {
        (FactorFramework.CARE, value) if isinstance(value, str) else value
        for value in values
    }
    return tuple(sorted(found))


def _candidates(
    index: GraphIndex,
    graph: LearningGraph,
    services: tuple[str, ...],
    categories: tuple[str, ...],
) -> Iterator[str]:
    """Yield the incidents worth checking, from the narrowest index at hand.

    With both services and categories named, the smaller of the two lists
    is read: a category spans every service, so at a million incidents the
    services' records are far fewer than the category's incidents.
    """
    by_service = sum(len(index.by_service.get(s, ())) for s in services)
    by_category = sum(len(index.incidents_by_category.get(c, ())) for c in categories)
    if categories and not (services and by_service < by_category):
        seen: set[str] = set()
        for category in categories:
            for node in index.incidents_by_category.get(category, ()):
                if node not in seen:
                    seen.add(node)
                    yield node
    elif services:
        nodes = graph.nodes
        for service in services:
            for node in index.by_service.get(service, ()):
                if isinstance(nodes[node][RECORD], Incident):
                    yield node
    else:
        yield from index.by_kind.get(NodeKind.INCIDENT, ())


def _domain_incidents(
    graph: LearningGraph,
    index: GraphIndex,
    domains: tuple[tuple[FactorFramework, str], ...],
) -> set[str]:
    wanted = set(domains)
    nodes = graph.nodes
    found: set[str] = set()
    for node in index.by_kind.get(NodeKind.CONTRIBUTING_FACTOR, ()):
        factor: ContributingFactor = nodes[node][RECORD]
        if (factor.framework, factor.domain) in wanted:
            found.update(factor_incidents(graph, node))
    return found


def _unit(records: Sequence[ServiceExposure]) -> ExposureUnit | None:
    if not records:
        return None
    if all(r.occupied_bed_days is not None for r in records):
        return ExposureUnit.OCCUPIED_BED_DAYS
    if all(r.care_hours is not None for r in records):
        return ExposureUnit.CARE_HOURS
    return None


def _exposure(
    records: Sequence[ServiceExposure],
    unit: ExposureUnit,
    start: date,
    end: date,
) -> float | None:
    """Return one service's exposure from *start* to *end*, apportioned by day.

    A record covering part of the period counts for the days it shares with
    it; ``None`` if the records leave a day of the period uncovered.
    """
    covered = 0
    total = 0.0
    for record in records:
        first = max(record.period_start, start)
        last = min(record.period_end, end)
        if first > last:
            continue
        days = (last - first).days + 1
        amount = (
            record.occupied_bed_days
            if unit is ExposureUnit.OCCUPIED_BED_DAYS
            else record.care_hours
        )
        assert amount is not None  # noqa: S101 - _unit checked every record
        covered += days
        total += amount * days / record.days
    return total if covered >= (end - start).days + 1 else None


def incident_series(  # noqa: PLR0913 - each filter is a keyword a caller names
    graph: LearningGraph,
    *,
    frequency: Frequency = Frequency.MONTH,
    start: date | None = None,
    end: date | None = None,
    services: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    harm: Iterable[HarmLevel] | None = None,
    factor_domains: Iterable[tuple[FactorFramework, str] | str] | None = None,
) -> IncidentSeries:
    """Return the incidents of *graph* counted by week or month, zero-filled.

    Each filter narrows the incidents counted; filters combine with *and*,
    the values within one with *or*:

    * *services*: incidents at any of these services;
    * *categories*: incidents with any of these categories, primary or
      secondary (as the graph's index lists them);
    * *harm*: incidents whose harm (the worst to anyone affected) is one of
      these; an incident naming no one affected has no harm and is left out;
    * *factor_domains*: incidents a contributing factor of one of these
      domains contributed to, directly or through the learning response that
      found it; a bare code is a domain of the ``care`` framework.

    The range runs from the period of *start* to that of *end*; by default
    from the first to the last month in which any incident in the graph
    occurred, so series for different services line up. Incidents are placed
    by the day they occurred (the first day of an estimated period).

    Exposure comes from the services' exposure records (all services when
    none are named), apportioned by day to each period.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        frequency: Weeks (ISO, Monday first) or months.
        start: The first day of the range.
        end: The last day of the range.
        services: Services to count.
        categories: Categories to count.
        harm: Harm levels to count.
        factor_domains: Factor domains to count.

    Raises:
        ValueError: *end* is before *start*.
        TypeError: A filter is a single string rather than a collection.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis import incident_series
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.samples import example_log
        >>> willow = incident_series(
        ...     build_graph(example_log()),
        ...     services=["SVC-WILLOW"],
        ...     categories=["behaviour_and_distress"],
        ...     start=date(2024, 1, 1),
        ...     end=date(2024, 6, 30),
        ... )
        >>> [period.strftime("%b") for period in willow.periods]
        ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun']
        >>> willow.counts
        (11, 10, 11, 10, 11, 12)
    """
    index = graph_index(graph)
    wanted_services = _ids(services, "services")
    wanted_categories = _ids(categories, "categories")
    levels = tuple(sorted(set(harm or ()), key=lambda level: level.rank))
    domains = _domains(factor_domains)
    if start is None or end is None:
        months = list(index.incidents_by_month)
        first = date(*months[0], 1) if months else None
        last = (
            date(*months[-1], 1) + relativedelta(months=1, days=-1) if months else None
        )
        start = start if start is not None else first
        end = end if end is not None else last
    if start is not None and end is not None and end < start:
        msg = f"end ({end}) is before start ({start})"
        raise ValueError(msg)
    periods = [] if start is None or end is None else _periods(start, end, frequency)
    buckets: list[list[str]] = [[] for _ in periods]
    if start is not None and end is not None:
        _fill(
            buckets,
            graph,
            index,
            start=start,
            end=end,
            frequency=frequency,
            services=wanted_services,
            categories=wanted_categories,
            levels=frozenset(levels),
            linked=_domain_incidents(graph, index, domains) if domains else None,
        )
    for bucket in buckets:
        bucket.sort()
    exposure, unit = _series_exposure(index, wanted_services, periods, frequency)
    return IncidentSeries(
        frequency=frequency,
        periods=tuple(periods),
        counts=tuple(len(bucket) for bucket in buckets),
        incidents=tuple(tuple(bucket) for bucket in buckets),
        exposure=exposure,
        exposure_unit=unit,
        services=wanted_services,
        categories=wanted_categories,
        harm=levels,
        factor_domains=domains,
    )


def _fill(  # noqa: PLR0913 - the filters of incident_series, passed on
    buckets: list[list[str]],
    graph: LearningGraph,
    index: GraphIndex,
    *,
    start: date,
    end: date,
    frequency: Frequency,
    services: tuple[str, ...],
    categories: tuple[str, ...],
    levels: frozenset[HarmLevel],
    linked: set[str] | None,
) -> None:
    """Put each incident that passes the filters in its period's bucket."""
    first = period_of(start, frequency)
    slot = {
        period: position
        for position, period in enumerate(_periods(first, end, frequency))
    }
    service_set = frozenset(services)
    category_set = frozenset(categories)
    nodes = graph.nodes
    for node in _candidates(index, graph, services, categories):
        incident: Incident = nodes[node][RECORD]
        day = incident.occurred_on
        if not start <= day <= end:
            continue
        if service_set and incident.service not in service_set:
            continue
        if category_set and category_set.isdisjoint(incident.categories):
            continue
        if levels and incident.harm not in levels:
            continue
        if linked is not None and node not in linked:
            continue
        buckets[slot[period_of(day, frequency)]].append(node)


def _series_exposure(
    index: GraphIndex,
    services: tuple[str, ...],
    periods: list[date],
    frequency: Frequency,
) -> tuple[tuple[float | None, ...], ExposureUnit | None]:
    chosen = services or tuple(index.services)
    by_service = {service: index.exposures.get(service, ()) for service in chosen}
    unit = _unit([record for records in by_service.values() for record in records])
    if unit is None or not all(by_service.values()):
        return tuple(None for _ in periods), None
    step = _STEP[frequency]
    values: list[float | None] = []
    for period in periods:
        last = period + step - timedelta(days=1)
        amounts = [
            _exposure(records, unit, period, last) for records in by_service.values()
        ]
        values.append(
            None if any(a is None for a in amounts) else sum(a or 0.0 for a in amounts)
        )
    return tuple(values), unit


def count_chart(
    counts: Sequence[int],
    exposure: Sequence[float | None],
    labels: Sequence[date],
    *,
    direction: Direction,
    baseline: int | None = None,
) -> Chart:
    """Return a u-chart of the rate where every period has exposure, else a c-chart.

    The one rule the analyses and the report chart incident counts by: a rate
    only where it is known for every period, never a guessed one.
    """
    if all(value is not None and value > 0 for value in exposure):
        known = [float(value or 0.0) for value in exposure]
        return u_chart(counts, known, labels, direction=direction, baseline=baseline)
    return c_chart(counts, labels, direction=direction, baseline=baseline)
