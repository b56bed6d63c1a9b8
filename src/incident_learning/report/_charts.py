"""SPC charts drawn with matplotlib as inline, accessible, reproducible SVG."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import attrs
import matplotlib as mpl
from markupsafe import Markup, escape
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from incident_learning.analysis.spc import Chart, ChartPoint, Rule, Variation

__all__ = ["COLOURS", "SvgFigure", "describe", "rules_in_words", "spc_figure"]

COLOURS: Final = {
    Variation.COMMON_CAUSE: "#7f7f7f",
    Variation.IMPROVEMENT: "#289de0",
    Variation.CONCERN: "#e46c0a",
    Variation.NEUTRAL: "#490092",
}
"""Point colours by variation: Making Data Count's blue and orange, grey, purple."""

# Everything the drawing depends on is set here, so a caller's rcParams or
# style sheet cannot change the file; the hash salt makes matplotlib's
# element ids the same from run to run.
_RC: Final[dict[RcKeyType, Any]] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "incident_learning",
    "svg.image_inline": True,
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 9.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100.0,
    "savefig.dpi": 100.0,
    "savefig.bbox": "standard",
    "path.simplify": False,
    "lines.linewidth": 1.2,
}
_SIZE: Final = (7.0, 2.6)
_ID: Final = re.compile(r'\bid="([^"]+)"')
_REFERENCE: Final = re.compile(r'(xlink:href="#|url\(#)([^")]+)')
_RULE_WORDS: Final = {
    Rule.BEYOND_LIMITS: "beyond limits",
    Rule.RUN: "run",
    Rule.TREND: "trend",
    Rule.TWO_OF_THREE: "two of three",
}


@attrs.frozen(kw_only=True)
class SvgFigure:
    """A chart ready to embed: its element id, alt text and ``<svg>`` markup.

    Attributes:
        id: The ``id`` of the ``<svg>`` element, unique in the report.
        alt: The chart described in words; also the SVG's ``<title>``.
        markup: The ``<svg>`` element, prolog and DOCTYPE removed.
    """

    id: str
    alt: str
    markup: Markup


_EPOCH: Final = date(1970, 1, 1).toordinal()
_MAX_TICKS: Final = 12


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _x(day: date) -> float:
    # matplotlib's date numbers (days since its default epoch, 1970), computed
    # here so the drawing needs neither its date converter nor its locators.
    return float(day.toordinal() - _EPOCH)


def describe(chart: Chart, subject: str) -> str:
    """Return *chart* described in one sentence, for its alt text.

    Args:
        chart: The SPC chart.
        subject: What is counted, e.g. ``"Falls at Oak House per month"``.

    Returns:
        The subject, the range, and each kind of special cause with the
        month it first appears, else that the variation is common cause.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis.spc import Direction, c_chart
        >>> months = [date(2024 + i // 12, i % 12 + 1, 1) for i in range(14)]
        >>> chart = c_chart([9] * 7 + [2] * 7, months, direction=Direction.DECREASE)
        >>> print(describe(chart, "Falls per month"))
        Falls per month, 2024-01 to 2025-02: mean 5.5; special cause concern from 2024-01; special cause improvement from 2024-08.
    """
    points = chart.points
    span = f"{_month(points[0].label)} to {_month(points[-1].label)}"
    mean = sum(point.centre for point in points) / len(points)
    first: dict[Variation, ChartPoint] = {}
    for point in chart.special_cause:
        first.setdefault(point.variation, point)
    if first:
        signals = "; ".join(
            f"special cause {variation.value.replace('_', ' ')} from {_month(point.label)}"
            for variation, point in sorted(
                first.items(), key=lambda item: item[1].label
            )
        )
    else:
        signals = "common cause variation only"
    return f"{subject}, {span}: mean {mean:.3g}; {signals}."


def _unique_ids(svg: str, prefix: str) -> str:
    # matplotlib numbers its groups (figure_1, axes_1, ...) the same in every
    # file; several inline charts in one page need ids of their own.
    svg = _ID.sub(lambda match: f'id="{prefix}-{match[1]}"', svg)
    return _REFERENCE.sub(lambda match: f"{match[1]}{prefix}-{match[2]}", svg)


def _accessible(svg: str, figure_id: str, alt: str) -> Markup:
    start = svg.index("<svg")
    head_end = svg.index(">", start)
    title_id = f"{figure_id}-title"
    head = svg[start:head_end].replace(
        "<svg", f'<svg id="{figure_id}" role="img" aria-labelledby="{title_id}"', 1
    )
    title = f'<title id="{title_id}">{escape(alt)}</title>'
    body = _unique_ids(svg[head_end + 1 :], figure_id).rstrip()
    return Markup(f"{head}>{title}{body}")  # noqa: S704 - matplotlib escapes its text


def spc_figure(
    chart: Chart,
    *,
    figure_id: str,
    subject: str,
    y_label: str,
    marks: Sequence[tuple[date, str]] = (),
) -> SvgFigure:
    """Draw *chart* as an accessible inline SVG.

    The points are joined in grey, each coloured by its variation; the
    centre line is solid, the process limits dashed, a target dotted, and
    any *marks* (a day and a label, such as when an action was embedded)
    are vertical lines. The legend names only what the chart shows.

    Args:
        chart: The SPC chart, with at least one point.
        figure_id: The ``id`` of the ``<svg>`` element; it prefixes every id
            inside it.
        subject: What is counted, for the alt text.
        y_label: The y axis label.
        marks: Days to mark with a vertical line, with their legend labels.

    Returns:
        The figure; the same arguments give the same bytes.

    Examples:
        >>> from datetime import date
        >>> from incident_learning.analysis.spc import c_chart
        >>> months = [date(2024, month, 1) for month in range(1, 7)]
        >>> figure = spc_figure(
        ...     c_chart([3, 4, 2, 5, 3, 4], months),
        ...     figure_id="falls",
        ...     subject="Falls per month",
        ...     y_label="incidents",
        ... )
        >>> figure.markup.startswith(
        ...     '<svg id="falls" role="img" aria-labelledby="falls-title"'
        ... )
        True
    """
    alt = describe(chart, subject)
    days = [_x(point.label) for point in chart.points]
    # Label at most a dozen periods, evenly, so long series stay legible.
    step = -(-len(days) // _MAX_TICKS)
    ticks = chart.points[::step]
    with mpl.rc_context(_RC):
        figure = Figure(figsize=_SIZE, layout="constrained")
        axes = figure.add_subplot()
        axes.plot(days, [p.value for p in chart.points], color="#b0b0b0", zorder=1)
        axes.plot(days, [p.centre for p in chart.points], color="#404040", label="mean")
        axes.plot(days, [p.upper for p in chart.points], "--", color="#404040", lw=0.9)
        axes.plot(
            days,
            [p.lower for p in chart.points],
            "--",
            color="#404040",
            lw=0.9,
            label="process limits",
        )
        if chart.target is not None:
            axes.axhline(chart.target, ls=":", color="#008000", label="target")
        for variation, colour in COLOURS.items():
            points = [p for p in chart.points if p.variation is variation]
            if points:
                axes.scatter(
                    [_x(p.label) for p in points],
                    [p.value for p in points],
                    s=18,
                    color=colour,
                    zorder=3,
                    label=variation.value.replace("_", " "),
                )
        for day, label in marks:
            axes.axvline(_x(day), color="#000000", lw=0.8, ls="-.", label=label)
        axes.set_xticks(
            [_x(p.label) for p in ticks], [_month(p.label) for p in ticks], rotation=45
        )
        axes.set_ylabel(y_label)
        axes.set_ylim(bottom=0)
        handles, labels = axes.get_legend_handles_labels()
        axes.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
        )
        out = io.StringIO()
        figure.savefig(
            out,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    return SvgFigure(
        id=figure_id, alt=alt, markup=_accessible(out.getvalue(), figure_id, alt)
    )


def rules_in_words(rules: Sequence[Rule]) -> str:
    """Return SPC *rules* as words, e.g. ``"run, two of three"``."""
    return ", ".join(_RULE_WORDS[rule] for rule in rules)
