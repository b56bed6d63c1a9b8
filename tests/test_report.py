"""The learning report: structure, accessibility, determinism, scope and privacy."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import attrs
import matplotlib as mpl
import pytest

import incident_learning as il
from incident_learning import report, samples
from incident_learning.analysis import c_chart
from incident_learning.exceptions import UnknownRecordError
from incident_learning.model.action import Action
from incident_learning.model.learning import (
    ContributingFactor,
    LearningPoint,
    LearningResponse,
)
from incident_learning.report import _context, learning_report, write_report
from incident_learning.report._charts import spc_figure

AS_OF = date(2025, 12, 31)
SECTIONS = ("headline", "culture", "loop", "cards", "reach", "warnings", "evidence")


class _Page(HTMLParser):
    """Collects the elements, attributes and text the checks need."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.h1: list[str] = []
        self.table_first_child: list[str] = []
        self.svg_titles: list[tuple[str | None, str]] = []
        self._text: list[str] | None = None
        self._expect_table_child = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        self.tags.append((tag, data))
        if self._expect_table_child:
            self.table_first_child.append(tag)
            self._expect_table_child = False
        if tag == "table":
            self._expect_table_child = True
        if tag in {"h1", "title"}:
            self._text = []
        if tag == "title" and self.stack and self.stack[-1] == "svg":
            self.svg_titles.append((data.get("id"), ""))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1" and self._text is not None:
            self.h1.append("".join(self._text))
        if (
            tag == "title"
            and self._text is not None
            and self.svg_titles
            and self.stack[-2:-1] == ["svg"]
            and not self.svg_titles[-1][1]
        ):
            self.svg_titles[-1] = (self.svg_titles[-1][0], "".join(self._text))
        if tag in {"h1", "title"}:
            self._text = None
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [data for name, data in self.tags if name == tag]


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def log() -> il.LearningLog:
    return samples.example_log()


@pytest.fixture(scope="module")
def graph(log: il.LearningLog) -> il.LearningGraph:
    return il.build_graph(log)


@pytest.fixture(scope="module")
def html(log: il.LearningLog) -> str:
    return learning_report(log, as_of=AS_OF)


@pytest.fixture(scope="module")
def page(html: str) -> _Page:
    return _parse(html)


class TestStructure:
    """The page is one accessible, self-contained HTML document."""

    def test_one_h1_naming_the_provider(self, page: _Page) -> None:
        """There is exactly one h1, the report's title with the provider's name."""
        assert page.h1 == ["Learning report: Oakvale Care Group"]

    def test_a_heading_per_section(self, page: _Page) -> None:
        """Each section has an id and a heading it is labelled by."""
        sections = {data["id"]: data for data in page.all("section")}
        assert tuple(sections) == SECTIONS
        headings = {data["id"] for data in page.all("h2")}
        for name, data in sections.items():
            assert data["aria-labelledby"] == f"{name}-h"
            assert f"{name}-h" in headings

    def test_every_table_has_a_caption(self, page: _Page) -> None:
        """A caption is the first child of every table."""
        assert len(page.all("table")) >= 8
        assert page.table_first_child == ["caption"] * len(page.all("table"))

    def test_every_chart_is_an_image_with_a_title(self, page: _Page) -> None:
        """Every svg has role img and is labelled by a non-empty title of its own."""
        svgs = page.all("svg")
        assert len(svgs) >= 10
        titles = dict(page.svg_titles)
        for svg in svgs:
            assert svg["role"] == "img"
            assert svg["aria-labelledby"] == f"{svg['id']}-title"
            assert titles[svg["aria-labelledby"]].strip()

    def test_no_scripts_and_nothing_fetched(self, html: str, page: _Page) -> None:
        """No script element, and no src or href leaves the page."""
        assert not page.all("script")
        for _, data in page.tags:
            for name in ("src", "href", "xlink:href"):
                value = data.get(name)
                assert value is None or value.startswith("#"), value
        assert "@import" not in html
        assert "url(http" not in html

    def test_ids_are_unique_and_links_resolve(self, page: _Page) -> None:
        """Every id is used once, and every in-page link names one of them."""
        ids = [data["id"] for _, data in page.tags if data.get("id")]
        assert len(ids) == len(set(ids))
        for _, data in page.tags:
            for name in ("href", "xlink:href"):
                value = data.get(name)
                if value is not None:
                    assert value[1:] in ids, value

    def test_cards_have_stable_ids(self, page: _Page) -> None:
        """Each action card is an article with the id action-<action id>."""
        cards = [data["id"] for data in page.all("article")]
        assert "action-ACT-0011" in cards
        assert cards[0] == "action-ACT-0011"  # the one overdue action comes first

    def test_print_styles(self, html: str) -> None:
        """The inline styles break pages before sections and never inside a card."""
        assert "@media print" in html
        assert "break-before: page" in html
        assert ".card, figure.chart, tr { break-inside: avoid; }" in html

    def test_evidence_maps_cqc_statements(self, html: str) -> None:
        """The CQC table names the four quality statements with data-derived findings."""
        for label in (
            "Learning culture",
            "Safe and effective staffing",
            "Learning, improvement and innovation",
            "Governance, management and sustainability",
        ):
            assert f'<th scope="row">{label}</th>' in html
        assert "968 incidents reported, 91 of them near misses (9%)" in html
        assert "How does learning inform supervision?" in html


class TestDeterminism:
    """The same data gives the same bytes."""

    def test_two_renders_are_identical(self, log: il.LearningLog, html: str) -> None:
        """Rendering the same log again gives byte-identical HTML."""
        assert learning_report(log, as_of=AS_OF) == html

    def test_the_callers_matplotlib_settings_do_not_matter(
        self, graph: il.LearningGraph
    ) -> None:
        """A caller's rcParams leave the charts unchanged."""
        plain = learning_report(graph, as_of=AS_OF, services=["SVC-ASH"])
        with mpl.rc_context(
            {"font.size": 20, "lines.linewidth": 5, "svg.hashsalt": None}
        ):
            styled = learning_report(graph, as_of=AS_OF, services=["SVC-ASH"])
        assert styled == plain

    def test_no_date_stamp(self, html: str) -> None:
        """The charts carry no creation date or metadata block."""
        assert "<dc:date>" not in html
        assert "<metadata>" not in html


class TestScope:
    """Services and dates narrow what the report shows."""

    def test_graph_input_names_the_provider_by_id(
        self, graph: il.LearningGraph
    ) -> None:
        """Given a graph, the title uses the provider identifier the services name."""
        html = learning_report(graph, as_of=AS_OF, services=["SVC-ASH"])
        assert "<h1>Learning report: PRV-OAKVALE</h1>" in html

    def test_one_service(self, graph: il.LearningGraph) -> None:
        """One service: its name in the scope, its actions only, one reach column."""
        html = learning_report(graph, as_of=AS_OF, services=["SVC-WILLOW"])
        assert "Services: Willow supported living." in html
        assert 'id="action-ACT-0004"' in html  # Willow's reflective practice
        assert 'id="action-ACT-0006"' not in html  # Birch Lodge's training
        reach = html[html.index('id="table-reach"') :]
        reach = reach[: reach.index("</thead>")]
        assert reach.count('<th scope="col">') == 4
        assert "Willow supported living" in reach

    def test_a_period(self, graph: il.LearningGraph) -> None:
        """A period starts the month table at its start and drops earlier closed loops."""
        html = learning_report(
            graph, as_of=AS_OF, start=date(2025, 7, 1), end=date(2025, 9, 30)
        )
        months = re.findall(r'<tr><th scope="row">(\d{4}-\d{2})</th>', html)
        assert months == ["2025-07", "2025-08", "2025-09"]
        assert "Period: 2025-07-01 to 2025-09-30." in html
        assert 'id="action-ACT-0006"' not in html  # found ineffective in 2024
        everything = learning_report(graph, as_of=AS_OF)
        assert 'id="action-ACT-0006"' in everything

    def test_unknown_service(self, graph: il.LearningGraph) -> None:
        """A service the graph does not hold is an UnknownRecordError."""
        with pytest.raises(UnknownRecordError, match="SVC-NOWHERE"):
            learning_report(graph, as_of=AS_OF, services=["SVC-NOWHERE"])

    def test_one_string_is_not_a_list_of_services(
        self, graph: il.LearningGraph
    ) -> None:
        """Passing one string as services is a TypeError, not a list of letters."""
        with pytest.raises(TypeError, match="not one string"):
            learning_report(graph, as_of=AS_OF, services="SVC-OAK")

    def test_start_after_end(self, graph: il.LearningGraph) -> None:
        """A period that starts after it ends is a ValueError."""
        with pytest.raises(ValueError, match="starts on 2026-01-01"):
            learning_report(graph, as_of=AS_OF, start=date(2026, 1, 1))


class TestEmpty:
    """Logs with little in them still give a whole report."""

    def test_provider_only(self) -> None:
        """A log with only its provider renders every section, empty."""
        graph = il.build_graph(il.LearningLog([samples.provider()]))
        html = learning_report(graph, as_of=AS_OF)
        page = _parse(html)
        assert page.h1 == ["Learning report: no provider"]
        assert "No incidents in this period." in html
        assert "No actions in scope." in html
        assert not page.all("svg")

    def test_small_log(self) -> None:
        """The small sample log (one incident, one action) renders its card."""
        html = learning_report(samples.small_log(), as_of=AS_OF)
        assert 'id="action-ACT-0001"' in html
        assert page_sections(html) == SECTIONS

    def test_action_naming_no_service(self) -> None:
        """An action naming no service is at the services of its incidents."""
        log = samples.small_log()
        action = log.get("ACT-0001", Action)
        log.add(action.corrected(services=(), by="STAFF-RM", at=samples.AT, reason="x"))
        html = learning_report(log, as_of=AS_OF, services=["SVC-OAK"])
        assert 'id="action-ACT-0001"' in html

    def test_no_actions(self) -> None:
        """Incidents with no learning yet give empty loop, card and reach sections."""
        records = [
            record
            for record in samples.example_records()
            if not isinstance(
                record, Action | LearningPoint | LearningResponse | ContributingFactor
            )
            and record.record_kind
            in {
                "provider",
                "service",
                "team",
                "staff_member",
                "incident",
                "service_exposure",
            }
        ]
        html = learning_report(il.LearningLog(records), as_of=AS_OF)
        assert "No actions in scope." in html
        assert "No learning points in scope." in html
        assert "No recurrence after done actions." in html


def page_sections(html: str) -> tuple[str | None, ...]:
    return tuple(data["id"] for data in _parse(html).all("section"))


class TestCaps:
    """Long lists are cut to a bounded size, and what is left out is counted."""

    def test_caps(
        self, graph: il.LearningGraph, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Small caps cut cards, charts and rows, and say how many are not shown."""
        monkeypatch.setattr(_context, "MAX_ACTION_CARDS", 3)
        monkeypatch.setattr(_context, "MAX_EFFECT_CHARTS", 1)
        monkeypatch.setattr(_context, "MAX_SERVICE_CHARTS", 1)
        monkeypatch.setattr(_context, "MAX_ROWS", 2)
        html = learning_report(graph, as_of=AS_OF)
        page = _parse(html)
        assert len(page.all("article")) == 3
        assert "The first 3 of 49 actions are shown; 46 are not." in html
        assert len([s for s in page.all("svg") if "effect" in str(s["id"])]) == 1
        assert "5 more services' reporting charts are not shown." in html
        assert "(the first 2; 144 more not shown)" in html
        assert "more not shown" in html[html.index('id="table-reach"') :]


class TestPrivacy:
    """The page shows identifiers, codes and counts, never free text or names."""

    def test_no_free_text_names_or_staff(self) -> None:
        """No description, finding, statement, reason, display name or staff id appears."""
        example = samples.example_log()
        records = [
            attrs.evolve(record, display_name=f"Ms Secret Person {number}")
            if isinstance(record, il.StaffMember)
            else record
            for number, record in enumerate(example.all_versions())
        ]
        log = il.LearningLog(records, local_codes=example.local_codes)
        html = learning_report(log, as_of=AS_OF)
        texts: set[str] = set()
        for record in log.all_versions():
            for name in (
                "description",
                "immediate_actions",
                "findings",
                "statement",
                "display_name",
                "rejection_reason",
                "amendment_reason",
            ):
                value = getattr(record, name, None)
                if isinstance(value, str) and len(value) > 12:
                    texts.add(value)
            measure = getattr(record, "effectiveness_measure", None)
            if measure is not None:
                texts.update((measure.measure, measure.target))
        assert len(texts) > 1000
        leaked = sorted(text for text in texts if text in html)
        assert not leaked
        assert "Ms Secret Person" not in html
        assert "STAFF-" not in html


class TestCharts:
    """SPC charts as accessible SVG."""

    def test_target_and_marks(self) -> None:
        """A target and a marked day appear in the legend as text."""
        months = [date(2024, month, 1) for month in range(1, 13)]
        chart = c_chart([5, 4, 6, 5, 4, 7, 3, 2, 3, 2, 2, 3], months, target=4)
        figure = spc_figure(
            chart,
            figure_id="probe",
            subject="Falls per month",
            y_label="incidents",
            marks=[(date(2024, 7, 1), "embedded")],
        )
        assert ">target</text>" in figure.markup
        assert ">embedded</text>" in figure.markup
        assert figure.alt.startswith("Falls per month, 2024-01 to 2024-12: mean")


class TestWriteAndInstall:
    """Writing the file, and the message when the extra is missing."""

    def test_write_report(self, tmp_path: Path, graph: il.LearningGraph) -> None:
        """write_report writes what learning_report returns, as UTF-8."""
        path = tmp_path / "report.html"
        write_report(path, graph, as_of=AS_OF, services=["SVC-ASH"])
        expected = learning_report(graph, as_of=AS_OF, services=["SVC-ASH"])
        assert path.read_bytes() == expected.encode("utf-8")

    @pytest.mark.parametrize("missing", ["jinja2", "matplotlib"])
    def test_missing_library(
        self, monkeypatch: pytest.MonkeyPatch, missing: str
    ) -> None:
        """Without Jinja2 or matplotlib, importing the report says what to install."""
        monkeypatch.setitem(sys.modules, missing, None)
        spec = importlib.util.spec_from_file_location(
            "_report_probe", Path(report.__file__)
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        with pytest.raises(
            ModuleNotFoundError, match=r'install "incident_learning\[report\]"'
        ) as info:
            spec.loader.exec_module(module)
        assert info.value.name == missing
