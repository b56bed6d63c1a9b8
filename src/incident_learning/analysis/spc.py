"""Statistical process control charts, the NHS "Making Data Count" way, to see whether a process changed.

:func:`xmr_chart` draws an XmR chart (individuals and moving ranges) from a
time series, :func:`c_chart` a chart of counts and :func:`u_chart` a chart of
rates (incidents per 1,000 occupied bed days, say). Each returns a
:class:`Chart`: every point with its centre line and process limits, the
special-cause rules it is part of, its :class:`Variation` read against the
improvement :class:`Direction`, and the :class:`Assurance` that a target
will be met.

The conventions follow NHS England's Making Data Count (MDC) guidance and
its NHS-R reference implementation, NHSRplotthedots (files under ``R/`` in
https://github.com/nhs-r-community/NHSRplotthedots):

* **Limits.** XmR: mean +/- 2.66 x mean moving range (``ptd_spc_standard.R``;
  2.66 is 3 / 1.128 rounded, so tools using ``3 / d2`` differ in the fourth
  figure). c: c-bar +/- 3 sqrt(c-bar); u: u-bar +/- 3 sqrt(u-bar / n) with n
  the point's exposure in units of ``per``. Lower limits of c and u charts
  are floored at 0.
* **Beyond a limit** means strictly above the upper or below the lower
  limit: a point on a limit is inside.
* **Run (shift).** 7 points in a row strictly on one side of the centre
  line. A point exactly on the centre is on neither side: it is not part of
  a run and ends one (``sign(y - mean)`` in ``ptd_calculate_point_type.R``).
* **Trend.** 7 points in a row each strictly higher (or lower) than the one
  before. An equal value ends the trend (``sign(diff(y))`` there too). A
  point at the turn of a rising and a falling trend takes the later trend's
  direction, as the reference does.
* **Two of three.** Of 3 consecutive points, all on the same side of the
  centre, 2 or 3 are more than two thirds of the way from the centre to
  that side's limit; those points are flagged, the third is not. Points
  beyond the limit count, following MDC's 2023 change (NHSRplotthedots
  issue #194; the R code still counts only points inside the limits). For c
  and u charts, two thirds of the way is measured to the unfloored lower
  limit (two sigma).
* **Moving-range screening.** With ``screen_moving_ranges=True``, the
  default as in ``ptd_spc(screen_outliers = TRUE)``, moving ranges of
  3.267 x the mean moving range or more are left out and the mean moving
  range is taken again before the limits are set. A series whose moving
  ranges are all 0 has nothing to screen.
* **Variation.** A point with any rule is special cause: improvement on the
  improvement side, concern on the other, neutral with no direction (the
  reference's ``special_cause_neutral_high`` / ``_low``). The side is the
  side of the centre, except for a trend point within the limits, whose side
  is the trend's direction (NHSRplotthedots issue #171).
* **Assurance** compares the target with the latest point's limits
  (``ptd_calculate_assurance_type.R``). With direction increase it is a
  pass when the target is at or below the lower limit, a fail when it is
  above the upper limit, and hit and miss otherwise; mirrored for decrease.
  (The reference calls a target exactly on the lower limit hit and miss.)
  With no direction, a target within the limits is hit and miss and one
  outside them a fail, as the process does not reach it; the reference
  gives no assurance then.
* **Few points.** Two points per segment (and per baseline) are the
  fewest that give a moving range; MDC advises 12 or more before trusting
  limits (``ptd_add_short_group_warnings.R`` warns below 12) but computes
  with fewer, and so does this module.

Rules are evaluated within a segment: a recalculation starts a new centre,
new limits and new runs. Everything runs in time linear in the number of
points, and no input is changed.
"""

from __future__ import annotations

import enum
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

import attrs

from incident_learning import _html

__all__ = [
    "Assurance",
    "Chart",
    "ChartKind",
    "ChartPoint",
    "Direction",
    "Rule",
    "Variation",
    "c_chart",
    "u_chart",
    "xmr_chart",
]

#: XmR limits sit this many mean moving ranges from the mean (MDC).
_XMR_LIMIT: Final = 2.66
#: Moving ranges this many times the mean moving range or more are screened.
_SCREEN_LIMIT: Final = 3.267
#: Points in a row that make a run or a trend (MDC uses 7, not 8 or 6).
_RUN_LENGTH: Final = 7
#: The fewest points a segment (or a baseline) can set limits from.
_MIN_POINTS: Final = 2


@enum.unique
class Direction(enum.StrEnum):
    """Which way is better for the measure.

    Incidents are usually :attr:`DECREASE`: fewer is better.
    """

    INCREASE = "increase"
    """Higher values are better."""
    DECREASE = "decrease"
    """Lower values are better."""
    NEITHER = "neither"
    """Neither way is better; special causes are neutral."""


@enum.unique
class Variation(enum.StrEnum):
    """What a point's variation says, read against the improvement direction."""

    COMMON_CAUSE = "common_cause"
    """No rule applies; the process's usual noise."""
    IMPROVEMENT = "improvement"
    """Special cause on the improvement side."""
    CONCERN = "concern"
    """Special cause on the other side."""
    NEUTRAL = "neutral"
    """Special cause, with no direction to judge it by."""


@enum.unique
class Rule(enum.StrEnum):
    """A special-cause rule; members are in the order a point lists them."""

    BEYOND_LIMITS = "beyond_limits"
    """A point strictly above the upper or below the lower limit."""
    RUN = "run"
    """7 or more points in a row on one side of the centre line."""
    TREND = "trend"
    """7 or more points in a row each strictly higher, or each lower."""
    TWO_OF_THREE = "two_of_three"
    """2 of 3 points on one side beyond two thirds of the way to the limit."""


@enum.unique
class Assurance(enum.StrEnum):
    """Whether the process can be relied on to meet its target."""

    PASS = "pass"  # noqa: S105 - an assurance, not a password
    """The limits are all on the right side of the target, so it will be met."""
    FAIL = "fail"
    """The limits are all on the wrong side, so it will not be met unless the process changes."""
    HIT_AND_MISS = "hit_and_miss"
    """The target lies within the limits, so it is sometimes met and sometimes not."""
    NONE = "none"
    """No target was given."""


@enum.unique
class ChartKind(enum.StrEnum):
    """The kind of control chart."""

    XMR = "xmr"
    """Individuals and moving ranges, for any measure."""
    C = "c"
    """Counts of events in equal opportunities (Poisson)."""
    U = "u"
    """Rates of events per unit of a varying exposure (Poisson)."""


@attrs.frozen(kw_only=True)
class ChartPoint:
    """One point of a chart, with its lines and what they say about it.

    Attributes:
        label: The period's first day.
        value: The plotted value; for a u-chart, the rate per ``per`` units.
        centre: The mean, c-bar or u-bar of the point's segment.
        lower: The lower process limit (floored at 0 for c and u charts).
        upper: The upper process limit.
        moving_range: The absolute difference from the previous point, for
            XmR charts; ``None`` for the first point of a segment and for c
            and u charts.
        rules: The rules this point is part of, in :class:`Rule` order.
        variation: What the rules say, read against the direction.
    """

    label: date
    value: float
    centre: float
    lower: float
    upper: float
    moving_range: float | None
    rules: tuple[Rule, ...]
    variation: Variation

    @property
    def is_special_cause(self) -> bool:
        """Whether any rule applies to this point."""
        return bool(self.rules)


@attrs.frozen(kw_only=True)
class Chart:
    """A control chart with its points, its segments and the assurance of a target.

    Attributes:
        kind: XmR, c or u.
        points: Every point, oldest first.
        direction: The improvement direction the points were read against.
        target: The target, or ``None``.
        assurance: Whether the target will be met, judged on the latest
            point's limits; :attr:`Assurance.NONE` without a target.
        segments: The first label of each segment, oldest first.
    """

    kind: ChartKind
    points: tuple[ChartPoint, ...]
    direction: Direction
    target: float | None
    assurance: Assurance
    segments: tuple[date, ...]

    @property
    def latest(self) -> ChartPoint | None:
        """The last point, or ``None`` for a chart without points."""
        return self.points[-1] if self.points else None

    @property
    def special_cause(self) -> tuple[ChartPoint, ...]:
        """The points any rule applies to, oldest first."""
        return tuple(point for point in self.points if point.rules)

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the chart as HTML for notebooks: its shape and its latest points.

        Points where a special-cause rule applies have the class
        ``il-signal`` and a dot on the sparkline.

        Args:
            max_rows: The most points listed, the latest kept.

        Examples:
            >>> from datetime import date
            >>> from incident_learning.analysis import c_chart
            >>> labels = [date(2024, month, 1) for month in range(1, 13)]
            >>> chart = c_chart([3, 4, 2, 3, 5, 3, 4, 3, 2, 4, 3, 15], labels)
            >>> html = chart._repr_html_()
            >>> "<caption>c-chart: 12 points, 1 with special cause</caption>" in html
            True
            >>> html.count('<tr class="il-signal">')
            1
        """
        points = self.points
        columns = ["period", "value", "centre", "lower", "upper"]
        if self.kind is ChartKind.XMR:
            columns.append("moving range")
        columns += ["rules", "variation"]

        def row(point: ChartPoint) -> list[object]:
            values: list[object] = [
                point.label,
                point.value,
                point.centre,
                point.lower,
                point.upper,
            ]
            if self.kind is ChartKind.XMR:
                values.append(point.moving_range)
            return [*values, point.rules, point.variation]

        special = sum(1 for point in points if point.rules)
        name = "XmR chart" if self.kind is ChartKind.XMR else f"{self.kind.value}-chart"
        return _html.block(
            "chart",
            _html.fields(
                f"{name}: {_html.plural(len(points), 'point')}, "
                f"{special} with special cause",
                [
                    (
                        "shape",
                        _html.sparkline(
                            [point.value for point in points],
                            marks=[bool(point.rules) for point in points],
                        )
                        or None,
                    ),
                    ("direction", self.direction),
                    ("target", self.target),
                    ("assurance", self.assurance),
                    ("segments start", self.segments),
                ],
            ),
            _html.table(
                "Points, latest last",
                columns,
                points,
                row,
                max_rows=max_rows,
                row_class=lambda point: "il-signal" if point.rules else None,
                latest=True,
            ),
        )


@attrs.define
class _Lines:
    """The centre and the distance to the (unfloored) limits of each point, built up."""

    centres: list[float]
    spreads: list[float]


def xmr_chart(  # noqa: PLR0913 - the options are the issue's, keyword-only
    values: Sequence[float],
    labels: Sequence[date],
    *,
    direction: Direction = Direction.NEITHER,
    target: float | None = None,
    recalculate_at: Iterable[date] = (),
    baseline: int | None = None,
    screen_moving_ranges: bool = True,
) -> Chart:
    """Return the XmR chart of a series, with mean, moving ranges, limits and rules.

    The limits are the mean +/- 2.66 mean moving ranges of each segment (or
    of its first *baseline* points). Two points are enough to compute them;
    Making Data Count advises 12 or more before trusting them.

    Args:
        values: One value per period, oldest first; finite numbers.
        labels: The first day of each period, strictly increasing.
        direction: Which way is better.
        target: A target to judge assurance against.
        recalculate_at: Labels at which a new segment, with its own centre
            and limits, starts (a change to the process on that day).
        baseline: Take each segment's centre and limits from its first
            *baseline* points and hold them over the rest, to ask whether
            later points differ from the baseline.
        screen_moving_ranges: Leave moving ranges of 3.267 mean moving
            ranges or more out of the limits, as NHSRplotthedots does by
            default.

    Returns:
        The chart; its points are in the order of *values*.

    Raises:
        ValueError: If the arguments are inconsistent; the message names the
            argument.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis.spc import Direction, xmr_chart
        >>> falls = [5, 7, 6, 9, 4, 8, 6, 7, 5, 20, 6, 7]
        >>> months = [date(2025, month, 1) for month in range(1, 13)]
        >>> chart = xmr_chart(falls, months, direction=Direction.DECREASE)
        >>> point = chart.points[9]
        >>> round(point.centre, 2), round(point.upper, 2), point.rules
        (7.5, 16.81, (<Rule.BEYOND_LIMITS: 'beyond_limits'>,))
        >>> point.variation
        <Variation.CONCERN: 'concern'>
    """
    ys = _finite(values, "values")
    days = _labels(labels, len(ys), "values")
    bounds = _segments(days, recalculate_at, baseline)
    ranges: list[float | None] = [None] * len(ys)
    lines = _Lines([], [])
    for start, stop in bounds:
        steps = [abs(ys[i] - ys[i - 1]) for i in range(start + 1, stop)]
        ranges[start + 1 : stop] = steps
        fixed = stop if baseline is None else start + baseline
        centre = statistics.fmean(ys[start:fixed])
        spread = _XMR_LIMIT * _mean_moving_range(
            steps[: fixed - start - 1], screen=screen_moving_ranges
        )
        lines.centres.extend([centre] * (stop - start))
        lines.spreads.extend([spread] * (stop - start))
    return _chart(
        ChartKind.XMR,
        ys,
        days=days,
        lines=lines,
        ranges=ranges,
        bounds=bounds,
        floor=False,
        direction=direction,
        target=target,
    )


def c_chart(  # noqa: PLR0913 - the options are the issue's, keyword-only
    counts: Sequence[int],
    labels: Sequence[date],
    *,
    direction: Direction = Direction.NEITHER,
    target: float | None = None,
    recalculate_at: Iterable[date] = (),
    baseline: int | None = None,
) -> Chart:
    """Return the c-chart of counts of events in equal periods.

    The centre is the mean count c-bar and the limits c-bar +/- 3 sqrt(c-bar),
    the lower one floored at 0: for small, Poisson-like counts such as
    incidents a month in a service whose size does not change. When the
    exposure varies, use :func:`u_chart`.

    Args:
        counts: Events per period, oldest first; whole numbers, not negative.
        labels: The first day of each period, strictly increasing.
        direction: Which way is better.
        target: A target count to judge assurance against.
        recalculate_at: Labels at which a new segment starts.
        baseline: Take each segment's lines from its first *baseline* points.

    Returns:
        The chart; its points are in the order of *counts*.

    Raises:
        ValueError: If the arguments are inconsistent; the message names the
            argument.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis.spc import c_chart
        >>> months = [date(2025, month, 1) for month in range(1, 7)]
        >>> chart = c_chart([2, 0, 1, 3, 2, 1], months)
        >>> point = chart.latest
        >>> point.centre, point.lower, round(point.upper, 3)
        (1.5, 0.0, 5.174)
    """
    ys = _counts(counts)
    days = _labels(labels, len(ys), "counts")
    bounds = _segments(days, recalculate_at, baseline)
    lines = _Lines([], [])
    for start, stop in bounds:
        fixed = stop if baseline is None else start + baseline
        centre = statistics.fmean(ys[start:fixed])
        lines.centres.extend([centre] * (stop - start))
        lines.spreads.extend([3 * math.sqrt(centre)] * (stop - start))
    return _chart(
        ChartKind.C,
        ys,
        days=days,
        lines=lines,
        ranges=[None] * len(ys),
        bounds=bounds,
        floor=True,
        direction=direction,
        target=target,
    )


def u_chart(  # noqa: PLR0913 - the options are the issue's, keyword-only
    counts: Sequence[int],
    exposures: Sequence[float],
    labels: Sequence[date],
    *,
    per: float = 1000.0,
    direction: Direction = Direction.NEITHER,
    target: float | None = None,
    recalculate_at: Iterable[date] = (),
    baseline: int | None = None,
) -> Chart:
    """Return the u-chart of event rates over a varying exposure.

    Each point is its count per *per* units of exposure (incidents per 1,000
    occupied bed days, say). The centre u-bar is the segment's total count
    over its total exposure, and each point's limits are
    u-bar +/- 3 sqrt(u-bar / n), with n its exposure in units of *per*: a
    month with fewer bed days has wider limits. Lower limits are floored at 0.

    Args:
        counts: Events per period, oldest first; whole numbers, not negative.
        exposures: The exposure of each period (bed days, say); positive.
        labels: The first day of each period, strictly increasing.
        per: The units of exposure a rate is given per.
        direction: Which way is better.
        target: A target rate to judge assurance against.
        recalculate_at: Labels at which a new segment starts.
        baseline: Take each segment's u-bar from its first *baseline* points.

    Returns:
        The chart; its points are in the order of *counts*.

    Raises:
        ValueError: If the arguments are inconsistent; the message names the
            argument.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis.spc import u_chart
        >>> months = [date(2025, month, 1) for month in range(1, 5)]
        >>> chart = u_chart([3, 6, 2, 5], [1000, 1500, 500, 1000], months)
        >>> [point.value for point in chart.points]
        [3.0, 4.0, 4.0, 5.0]
        >>> [round(point.upper, 2) for point in chart.points]
        [10.0, 8.9, 12.49, 10.0]
    """
    whole = _counts(counts)
    sizes = _finite(exposures, "exposures")
    if len(sizes) != len(whole):
        msg = (
            f"exposures has {len(sizes)} items and counts {len(whole)}: they must match"
        )
        raise ValueError(msg)
    if not math.isfinite(per) or per <= 0:
        msg = f"per must be a positive number, got {per!r}"
        raise ValueError(msg)
    days = _labels(labels, len(whole), "counts")
    for day, size in zip(days, sizes, strict=True):
        if size <= 0:
            msg = f"exposures must be positive, got {size!r} for {day}"
            raise ValueError(msg)
    units = [size / per for size in sizes]
    rates = [count / unit for count, unit in zip(whole, units, strict=True)]
    bounds = _segments(days, recalculate_at, baseline)
    lines = _Lines([], [])
    for start, stop in bounds:
        fixed = stop if baseline is None else start + baseline
        centre = math.fsum(whole[start:fixed]) / math.fsum(units[start:fixed])
        lines.centres.extend([centre] * (stop - start))
        lines.spreads.extend(3 * math.sqrt(centre / unit) for unit in units[start:stop])
    return _chart(
        ChartKind.U,
        rates,
        days=days,
        lines=lines,
        ranges=[None] * len(rates),
        bounds=bounds,
        floor=True,
        direction=direction,
        target=target,
    )


def _finite(values: Sequence[float], name: str) -> list[float]:
    """Return *values* as floats, refusing NaN and infinities."""
    numbers = [float(value) for value in values]
    for position, number in enumerate(numbers):
        if not math.isfinite(number):
            msg = (
                f"{name} must be finite numbers, got {number!r} at position {position}"
            )
            raise ValueError(msg)
    return numbers


def _counts(counts: Sequence[int]) -> list[float]:
    """Return *counts* as floats, refusing negative and fractional counts."""
    numbers = _finite(counts, "counts")
    for position, number in enumerate(numbers):
        if number < 0 or not number.is_integer():
            msg = f"counts must be whole numbers, not negative; got {number!r} at position {position}"
            raise ValueError(msg)
    return numbers


def _labels(labels: Sequence[date], size: int, name: str) -> list[date]:
    """Return *labels* as a list, checked against the data and for order."""
    days = list(labels)
    if len(days) != size:
        msg = f"labels has {len(days)} items and {name} {size}: they must match"
        raise ValueError(msg)
    if size < _MIN_POINTS:
        msg = f"{name} needs at least {_MIN_POINTS} points to set limits, got {size}"
        raise ValueError(msg)
    for before, after in itertools.pairwise(days):
        if not before < after:
            msg = f"labels must be strictly increasing: {after} follows {before}"
            raise ValueError(msg)
    return days


def _segments(
    days: list[date], recalculate_at: Iterable[date], baseline: int | None
) -> list[tuple[int, int]]:
    """Return the ``(start, stop)`` positions of each segment, checked."""
    position = {day: index for index, day in enumerate(days)}
    starts = {0}
    for day in recalculate_at:
        if day not in position:
            msg = f"recalculate_at names {day}, which is not one of the labels"
            raise ValueError(msg)
        starts.add(position[day])
    ordered = sorted(starts)
    bounds = list(zip(ordered, [*ordered[1:], len(days)], strict=True))
    if baseline is not None and baseline < _MIN_POINTS:
        msg = f"baseline must be at least {_MIN_POINTS} points, got {baseline}"
        raise ValueError(msg)
    for start, stop in bounds:
        if stop - start < _MIN_POINTS:
            msg = (
                f"recalculate_at leaves the segment starting {days[start]} with "
                f"{stop - start} point; each needs at least {_MIN_POINTS}"
            )
            raise ValueError(msg)
        if baseline is not None and baseline > stop - start:
            msg = (
                f"baseline is {baseline} points, but the segment starting "
                f"{days[start]} has only {stop - start}"
            )
            raise ValueError(msg)
    return bounds


def _mean_moving_range(ranges: list[float], *, screen: bool) -> float:
    """Return the mean moving range, screened of large ones if asked."""
    mean = statistics.fmean(ranges)
    if screen and mean > 0:
        # The smallest range is at most the mean, so at least one survives.
        mean = statistics.fmean(r for r in ranges if r < _SCREEN_LIMIT * mean)
    return mean


def _sign(number: float) -> int:
    """Return -1, 0 or 1 as *number* is negative, zero or positive."""
    return (number > 0) - (number < 0)


def _chart(  # noqa: PLR0913 - one private assembly step shared by three charts
    kind: ChartKind,
    ys: list[float],
    *,
    days: list[date],
    lines: _Lines,
    ranges: list[float | None],
    bounds: list[tuple[int, int]],
    floor: bool,
    direction: Direction,
    target: float | None,
) -> Chart:
    """Evaluate the rules in each segment and assemble the chart."""
    direction = Direction(direction)
    if target is not None and not math.isfinite(target):
        msg = f"target must be a finite number, got {target!r}"
        raise ValueError(msg)
    centres, spreads = lines.centres, lines.spreads
    uppers = [c + s for c, s in zip(centres, spreads, strict=True)]
    lowers = [c - s for c, s in zip(centres, spreads, strict=True)]
    if floor:
        lowers = [max(0.0, lower) for lower in lowers]
    sides = [_sign(y - c) for y, c in zip(ys, centres, strict=True)]
    # Two thirds of the way to the unfloored limit: two sigma for c and u.
    far = [abs(y - c) > s * 2 / 3 for y, c, s in zip(ys, centres, spreads, strict=True)]
    flags: list[set[Rule]] = [set() for _ in ys]
    trends = [0] * len(ys)
    for start, stop in bounds:
        for i in range(start, stop):
            if ys[i] > uppers[i] or ys[i] < lowers[i]:
                flags[i].add(Rule.BEYOND_LIMITS)
        _runs(sides, flags, start, stop)
        _trends(ys, trends, flags, start, stop)
        _two_of_three(far, sides, flags, start, stop)

    points = []
    for i, day in enumerate(days):
        rules = tuple(rule for rule in Rule if rule in flags[i])
        high = sides[i] > 0
        if trends[i] and Rule.BEYOND_LIMITS not in flags[i]:
            # A trend's points can sit on either side of the centre: MDC
            # reads them by the way the trend goes.
            high = trends[i] > 0
        points.append(
            ChartPoint(
                label=day,
                value=ys[i],
                centre=centres[i],
                lower=lowers[i],
                upper=uppers[i],
                moving_range=ranges[i],
                rules=rules,
                variation=_variation(direction, special=bool(rules), high=high),
            )
        )
    return Chart(
        kind=kind,
        points=tuple(points),
        direction=direction,
        target=target,
        assurance=_assurance(direction, target, lowers[-1], uppers[-1]),
        segments=tuple(days[start] for start, _ in bounds),
    )


def _runs(sides: list[int], flags: list[set[Rule]], start: int, stop: int) -> None:
    """Flag runs of 7 or more points on one side of the centre, in one pass."""
    length = 0
    for i in range(start, stop):
        if sides[i] == 0:
            length = 0  # on the centre: on neither side, so the run ends
        elif i > start and sides[i] == sides[i - 1]:
            length += 1
        else:
            length = 1
        if length == _RUN_LENGTH:
            for j in range(i - _RUN_LENGTH + 1, i + 1):
                flags[j].add(Rule.RUN)
        elif length > _RUN_LENGTH:
            flags[i].add(Rule.RUN)


def _trends(
    ys: list[float], trends: list[int], flags: list[set[Rule]], start: int, stop: int
) -> None:
    """Flag trends of 7 or more points, each strictly beyond the last, in one pass."""
    length, way = 1, 0
    for i in range(start + 1, stop):
        step = _sign(ys[i] - ys[i - 1])
        if step == 0:
            length, way = 1, 0  # an equal value ends the trend
            continue
        if step == way:
            length += 1
        else:
            length, way = 2, step
        if length == _RUN_LENGTH:
            # Overwrites a turning point's earlier trend: the later one wins.
            for j in range(i - _RUN_LENGTH + 1, i + 1):
                flags[j].add(Rule.TREND)
                trends[j] = way
        elif length > _RUN_LENGTH:
            flags[i].add(Rule.TREND)
            trends[i] = way


def _two_of_three(
    far: list[bool], sides: list[int], flags: list[set[Rule]], start: int, stop: int
) -> None:
    """Flag 2 of 3 same-side points beyond two thirds of the way to the limit."""
    for i in range(start, stop - 2):
        window = range(i, i + 3)
        same_side = sides[i] != 0 and sides[i] == sides[i + 1] == sides[i + 2]
        if same_side and sum(far[j] for j in window) >= 2:
            for j in window:
                if far[j]:
                    flags[j].add(Rule.TWO_OF_THREE)


def _variation(direction: Direction, *, special: bool, high: bool) -> Variation:
    """Return a point's variation from whether it is special and on which side."""
    if not special:
        return Variation.COMMON_CAUSE
    if direction is Direction.NEITHER:
        return Variation.NEUTRAL
    if high == (direction is Direction.INCREASE):
        return Variation.IMPROVEMENT
    return Variation.CONCERN


def _assurance(
    direction: Direction, target: float | None, lower: float, upper: float
) -> Assurance:
    """Return the assurance of *target* against the latest limits."""
    if target is None:
        return Assurance.NONE
    if direction is Direction.INCREASE:
        if target <= lower:
            return Assurance.PASS
        return Assurance.FAIL if target > upper else Assurance.HIT_AND_MISS
    if direction is Direction.DECREASE:
        if target >= upper:
            return Assurance.PASS
        return Assurance.FAIL if target < lower else Assurance.HIT_AND_MISS
    return Assurance.HIT_AND_MISS if lower <= target <= upper else Assurance.FAIL
