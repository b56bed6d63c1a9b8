"""Render the report's content to HTML with Jinja2 templates shipped in the package."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

import jinja2

from incident_learning.graph import build_graph
from incident_learning.model.log import LearningLog
from incident_learning.report._context import (
    MAX_ACTION_CARDS,
    MAX_ROWS,
    ReportContext,
    report_context,
)

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = ["environment", "learning_report", "render", "write_report"]

_TEMPLATE: Final = "report.html.j2"


def _words(value: object) -> str:
    """Return a code as words: ``found_ineffective`` reads *found ineffective*."""
    return str(value).replace("_", " ")


def _percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.0%}"


def _number(value: float | None, digits: int = 2) -> str:
    return "\u2013" if value is None else f"{value:.{digits}f}"


def environment() -> jinja2.Environment:
    """Return the Jinja2 environment of the report's templates.

    Autoescaping is on for HTML, undefined names are errors, and the
    templates are read from the package, so an installed wheel renders the
    same as a checkout.

    Examples:
        >>> environment().get_template("report.html.j2").name
        'report.html.j2'
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("incident_learning.report", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "j2"), default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["words"] = _words
    env.filters["percent"] = _percent
    env.filters["number"] = _number
    return env


def render(context: ReportContext) -> str:
    """Return the HTML document of *context*.

    Examples:
        >>> from datetime import date
        >>> from incident_learning import samples
        >>> from incident_learning.report._context import report_context
        >>> graph = il.build_graph(samples.small_log())
        >>> html = render(
        ...     report_context(graph, provider=None, as_of=date(2025, 12, 31))
        ... )
        >>> html.startswith("<!DOCTYPE html>")
        True
    """
    env = environment()
    css = env.loader.get_source(env, "report.css")[0]  # type: ignore[union-attr]
    return env.get_template(_TEMPLATE).render(
        report=context,
        css=css,
        max_cards=MAX_ACTION_CARDS,
        max_rows=MAX_ROWS,
        version=importlib.metadata.version("incident_learning"),
    )


def learning_report(
    graph_or_log: LearningGraph | LearningLog,
    *,
    as_of: date,
    services: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> str:
    """Return the learning report of a provider, some services or a period, as HTML.

    One self-contained document: styles inline, charts as inline SVG, no
    scripts and nothing fetched. It shows identifiers, codes, service names,
    dates and counts only: never free text, names or staff identifiers (see
    ``docs/report.md``). The same data gives the same bytes.

    Args:
        graph_or_log: A graph made by :func:`~incident_learning.graph.build_graph`,
            or a log (its graph is built). Neither is modified.
        as_of: The day loops, overdue actions and warnings are judged on;
            there is no hidden clock.
        services: The services to report on; every service by default.
        start: The first day of the period; by default the first incident.
        end: The last day of the period; *as_of* by default.

    Returns:
        The HTML document.

    Raises:
        UnknownRecordError: A service is not one of the graph's.
        ValueError: *start* is after the end of the period.
        TypeError: *services* is one string rather than a collection.

    Examples:
        >>> from datetime import date
        >>> from incident_learning import samples
        >>> from incident_learning.report import learning_report
        >>> html = learning_report(samples.small_log(), as_of=date(2025, 12, 31))
        >>> "<h1>Learning report: Oakvale Care Group</h1>" in html
        True
    """
    if isinstance(graph_or_log, LearningLog):
        provider: str | None = graph_or_log.provider.name
        graph = build_graph(graph_or_log)
    else:
        provider = None
        graph = graph_or_log
    context = report_context(
        graph, provider=provider, as_of=as_of, services=services, start=start, end=end
    )
    return render(context)


def write_report(  # noqa: PLR0913 - the report's options, passed on
    path: str | os.PathLike[str],
    graph_or_log: LearningGraph | LearningLog,
    *,
    as_of: date,
    services: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> None:
    """Write the learning report to *path* as UTF-8 HTML (see :func:`learning_report`).

    Examples:
        >>> import tempfile
        >>> from datetime import date
        >>> from pathlib import Path
        >>> from incident_learning import samples
        >>> from incident_learning.report import write_report
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "report.html"
        ...     write_report(path, samples.small_log(), as_of=date(2025, 12, 31))
        ...     path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        True
    """
    html = learning_report(
        graph_or_log, as_of=as_of, services=services, start=start, end=end
    )
    # newline="" keeps the bytes identical on every platform.
    Path(path).write_text(html, encoding="utf-8", newline="")
