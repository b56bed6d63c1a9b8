"""Tests for the notebook display (``_repr_html_``) of records, the log and results."""

from __future__ import annotations

import ast
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import strategies

import incident_learning
from incident_learning import _html, samples
from incident_learning.analysis import (
    ActionEffect,
    ActionTrace,
    Assurance,
    Chart,
    ChartKind,
    CultureReport,
    Direction,
    Disagreement,
    DisagreementKind,
    FactorDomain,
    Gap,
    GapKind,
    IncidentSeries,
    IncidentTrace,
    LearningReach,
    LearningSummary,
    LogSummary,
    LoopGaps,
    LowHarmReport,
    RecurrenceReport,
    ReportingDrop,
    Rule,
    StrengthProfile,
    ThemeReport,
    action_effect,
    action_strength_profile,
    action_trace,
    c_chart,
    factor_themes,
    incident_series,
    incident_trace,
    learning_reach,
    learning_summary,
    log_summary,
    loop_gaps,
    recurrence,
    repeated_low_harm,
    reporting_culture,
    u_chart,
    xmr_chart,
)
from incident_learning.graph import LearningGraph, build_graph
from incident_learning.model import (
    Action,
    ActionStatus,
    Incident,
    LearningLog,
    Record,
)
from incident_learning.model.privacy import WITHHELD, pseudonymised
from incident_learning.model.vocab import FactorFramework

AS_OF = date(2025, 1, 1)
SCRIPT = "<script>alert('x & \"y\"')</script>"
ALLOWED_TAGS = frozenset(
    {
        "div",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "svg",
        "polyline",
        "circle",
    }
)
SELF_CLOSING = frozenset({"polyline", "circle"})


# ---------------------------------------------------------------- checking HTML


class _Checker(HTMLParser):
    """Collects what a well-formed, script-free display must not contain."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.roots = 0
        self.expect_caption = False
        self.text: list[str] = []

    def _attributes(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        if self.expect_caption and tag != "caption":
            self.problems.append(f"a table without a caption, then {tag}")
        self.expect_caption = False
        for name, value in attributes:
            if name.startswith("on") or name in {"style", "href", "src"}:
                self.problems.append(f"attribute {name}")
            if name == "class":
                for token in (value or "").split():
                    if not token.startswith("il-"):
                        self.problems.append(f"class {token}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if not self.stack:
            self.roots += 1
            if tag != "div" or "il-repr" not in (dict(attrs).get("class") or ""):
                self.problems.append("the root is not a div.il-repr")
        if tag == "table" and self.stack[-1:] == ["div"]:
            self.expect_caption = True  # only nested tables go without
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag not in SELF_CLOSING:
            self.problems.append(f"self-closing {tag}")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def well_formed(html: str) -> str:
    """Assert *html* is one balanced, script-free ``div.il-repr``; return its text."""
    assert isinstance(html, str)
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.problems == []
    assert checker.stack == []
    assert checker.roots == 1
    assert "<script" not in html.lower()
    return "".join(checker.text)


class _Rows(HTMLParser):
    """The (heading, text) of each row of the outermost field table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables = 0
        self.rows: dict[str, str] = {}
        self.cell: str | None = None
        self.heading = ""
        self.buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tables += tag == "table"
        if self.tables == 1 and tag in {"th", "td"}:
            self.cell, self.buffer = tag, []

    def handle_endtag(self, tag: str) -> None:
        if self.tables == 1 and tag == self.cell:
            text = "".join(self.buffer)
            if tag == "th":
                self.heading = text
            else:
                self.rows[self.heading] = text
            self.cell = None
        self.tables -= tag == "table"

    def handle_data(self, data: str) -> None:
        self.buffer.append(data)


class _ItemRows(HTMLParser):
    """How many item rows each table of items (not of fields) shows."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[int | None] = []  # per table: its count, None for fields
        self.counts: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = dict(attrs).get("class") or ""
        if tag == "table":
            self.open.append(None if "il-fields" in css else 0)
        elif (
            tag == "tr"
            and self.open
            and self.open[-1] is not None
            and not {"il-more", "il-empty"} & set(css.split())
        ):
            self.open[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            count = self.open.pop()
            if count is not None:
                self.counts.append(count - 1)  # less the heading row


def item_rows(html: str) -> list[int]:
    """Return the number of item rows of each table of items in *html*."""
    parser = _ItemRows()
    parser.feed(html)
    return parser.counts


def rows_of(html: str) -> dict[str, str]:
    """Return the text of each row of the first field table, by its heading."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def log() -> LearningLog:
    """The bundled Oakvale example, built once for the module."""
    return samples.example_log()


@pytest.fixture(scope="module")
def graph(log: LearningLog) -> LearningGraph:
    """The example's learning graph, built once for the module."""
    return build_graph(log)


def _months(count: int) -> list[date]:
    return [date(2024 + (index // 12), index % 12 + 1, 1) for index in range(count)]


def _gaps(count: int, message: str = "action {} is overdue") -> LoopGaps:
    gaps = tuple(
        Gap(
            kind=GapKind.OVERDUE_ACTION,
            record=f"ACT-{index:05}",
            records=(f"ACT-{index:05}",),
            since=date(2024, 1, 1),
            message=message.format(index),
        )
        for index in range(count)
    )
    return LoopGaps(as_of=AS_OF, gaps=gaps)


# ---------------------------------------------------------------- the pieces


class TestCell:
    """A value becomes escaped, readable text in a cell."""

    def test_text_is_escaped_quotes_included(self) -> None:
        """Markup characters and both quotes in text are escaped."""
        assert _html.cell(SCRIPT) == (
            "&lt;script&gt;alert(&#x27;x &amp; &quot;y&quot;&#x27;)&lt;/script&gt;"
        )

    def test_markup_passes_through(self) -> None:
        """Text already marked as HTML is not escaped twice."""
        assert _html.cell(_html.Markup("<b>x</b>")) == "<b>x</b>"

    def test_scalars_read_as_words(self) -> None:
        """None is a dash, booleans yes/no, dates and times ISO 8601."""
        moment = datetime(2025, 3, 1, 2, 40, tzinfo=UTC)
        assert _html.cell(None) == '<span class="il-none">—</span>'
        assert [_html.cell(flag) for flag in (True, False)] == ["yes", "no"]
        assert _html.cell(moment) == "2025-03-01T02:40:00+00:00"
        assert _html.cell(date(2025, 3, 1)) == "2025-03-01"
        assert _html.cell(7) == "7"

    def test_numbers_keep_four_figures_and_whole_large_ones(self) -> None:
        """Floats show four significant figures; from 10,000 every whole unit."""
        assert _html.cell(1 / 3) == "0.3333"
        assert _html.cell(5.0) == "5"
        assert _html.cell(123456.7) == "123457"

    def test_enums_show_their_value_in_words_and_whole_in_the_title(self) -> None:
        """An enum reads as words; its exact value and class are in the title."""
        assert _html.cell(ActionStatus.FOUND_INEFFECTIVE) == (
            '<span class="il-enum" title="ActionStatus: found_ineffective">'
            "found ineffective</span>"
        )

    def test_collections_list_a_capped_line(self) -> None:
        """Tuples and lists list their items; sets sort them; the rest are counted."""
        items = tuple(f"INC-{n}" for n in range(1, 14))
        assert _html.cell(items) == (
            "INC-1, INC-2, INC-3, INC-4, INC-5, INC-6, INC-7, INC-8, INC-9, INC-10 "
            '<span class="il-more">… and 3 more</span>'
        )
        assert _html.cell(["b", "a"]) == "b, a"
        assert _html.cell(frozenset({"b", "a"})) == "a, b"
        assert _html.cell({"b", "a"}, max_items=1) == (
            'a <span class="il-more">… and 1 more</span>'
        )
        assert _html.cell(()) == '<span class="il-none">—</span>'

    def test_mappings_and_attrs_values_nest_a_field_table(self) -> None:
        """A mapping or an attrs value is a caption-less table of its fields."""
        nested = _html.cell({"a": 1})
        assert nested == (
            '<table class="il-table il-fields"><tbody><tr><th scope="row">a</th>'
            "<td>1</td></tr></tbody></table>"
        )
        domain = _html.cell(FactorDomain(FactorFramework.CARE, "equipment"))
        assert '<th scope="row">domain</th><td>equipment</td>' in domain

    def test_a_tuple_of_attrs_values_is_a_table_with_a_row_each(self) -> None:
        """Items with fields are rows under a heading per field, capped."""
        changes = samples.action().agreed(by="STAFF-RM", at=samples.AT).status_history
        html = _html.cell(changes * 3, max_items=2)
        assert '<th scope="col">status</th>' in html
        assert html.count("<tr>") == 3  # the heading and two rows
        assert "… and 1 more" in html

    def test_other_objects_show_as_escaped_text(self) -> None:
        """Anything else shows as its str, escaped."""

        class Odd:
            def __str__(self) -> str:
                return "<odd>"

        assert _html.cell(Odd()) == "&lt;odd&gt;"


class TestPieces:
    """The tables, lines and marks every display is built of."""

    def test_table_shows_the_first_rows_and_counts_the_rest(self) -> None:
        """A long table stops at max_rows with one row counting what is left."""
        html = _html.table("N", ["n"], range(100), lambda n: [n], max_rows=3)
        assert html.count("<tr>") == 4  # the heading and three rows
        assert '<tr class="il-more"><td colspan="1">' in html
        assert "… and 97 more" in html
        assert "<td>2</td>" in html
        assert "<td>3</td>" not in html

    def test_latest_keeps_the_last_rows_and_counts_the_earlier(self) -> None:
        """For a time series the latest rows are kept, the earlier counted first."""
        html = _html.table(
            "N", ["n"], range(10), lambda n: [n], latest=True, max_rows=2
        )
        assert html.index("… and 8 earlier") < html.index("<td>8</td>")
        assert "<td>7</td>" not in html
        assert "<td>9</td>" in html

    def test_a_table_of_exactly_max_rows_counts_nothing(self) -> None:
        """No counting row when every row fits."""
        html = _html.table("N", ["n"], range(3), lambda n: [n], max_rows=3)
        assert "il-more" not in html

    def test_an_empty_table_says_so(self) -> None:
        """A table of no items has one row with a dash across every column."""
        html = _html.table("Gaps", ["a", "b"], [], lambda n: [n, n])
        assert '<tr class="il-empty"><td colspan="2"><span class="il-none">' in html

    def test_row_classes_mark_rows(self) -> None:
        """row_class gives some rows a class, others none."""
        html = _html.table(
            None,
            ["n"],
            [1, 2],
            lambda n: [n],
            row_class=lambda n: "il-signal" if n == 2 else None,
        )
        assert '<tr><td>1</td></tr><tr class="il-signal"><td>2</td></tr>' in html
        assert "<caption>" not in html

    @pytest.mark.parametrize("bad", [0, -1, 1.5, True, "5", None])
    def test_max_rows_must_be_a_positive_whole_number(self, bad: object) -> None:
        """Zero, negatives, floats, booleans and text are refused, naming max_rows."""
        with pytest.raises(ValueError, match=r"^max_rows: .* is not a whole number"):
            _html.check_max_rows(bad)
        with pytest.raises(ValueError, match="max_rows"):
            _html.table("N", ["n"], [1], lambda n: [n], max_rows=bad)  # type: ignore[arg-type]

    def test_fields_marks_rows_with_a_class_and_an_escaped_title(self) -> None:
        """A marked row carries its class and its note, escaped."""
        html = _html.fields("F", [("a", 1)], marks={"a": ("il-x", 'say "hi"')})
        assert '<tr class="il-x" title="say &quot;hi&quot;"><th scope="row">a' in html

    def test_block_prefixes_every_class(self) -> None:
        """Each word of the kind becomes an il- class on the root div."""
        assert _html.block("a b-c") == '<div class="il-repr il-a il-b-c"></div>'

    def test_words_plural_percent_and_tally(self) -> None:
        """The small formatters read as a manager would write them."""
        assert _html.words(GapKind.OVERDUE_ACTION) == "overdue action"
        assert _html.css(GapKind.OVERDUE_ACTION) == "il-overdue-action"
        assert (_html.plural(0, "gap"), _html.plural(1, "gap")) == ("0 gaps", "1 gap")
        assert _html.percent(0.5) == "50%"
        assert _html.percent(None) is None
        assert _html.tally([("falls", 2), ("x", 1)], max_items=1) == (
            'falls 2 <span class="il-more">… and 1 more</span>'
        )

    def test_sparkline_draws_known_values_and_dots_marked_ones(self) -> None:
        """Unknown values leave gaps; marked points get a dot; flat lines draw."""
        svg = _html.sparkline([2.0, None, 2.0], marks=[True], width=20, height=10)
        assert svg == (
            '<svg class="il-sparkline" width="20" height="10" viewBox="0 0 20 10" '
            'role="img" aria-label="2 values from 2 to 2">'
            '<polyline fill="none" stroke="currentColor" stroke-width="1" '
            'points="2.0,8.0 18.0,8.0"/>'
            '<circle cx="2.0" cy="8.0" r="2" fill="currentColor"/></svg>'
        )
        low_high = _html.sparkline([0.0, 1.0], width=10, height=10)
        assert 'points="2.0,8.0 8.0,2.0"' in low_high
        assert _html.sparkline([None, 1.0]) == ""

    def test_record_table_refuses_what_is_not_a_record(self) -> None:
        """Only attrs classes have fields to show."""
        with pytest.raises(TypeError, match="is not a record"):
            _html.record_table(object(), kind="x", personal={})

    def test_the_module_is_a_leaf(self) -> None:
        """_html imports nothing from the package, so the model may use it."""
        path = Path(incident_learning.__file__).parent / "_html.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {
            node.module or "."
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        roots = {name.split(".")[0] for name in modules}
        assert roots <= sys.stdlib_module_names | {"attrs"}
        assert "attrs" in roots


# ---------------------------------------------------------------- records


class TestRecords:
    """Every record kind shows as a field/value table."""

    @pytest.mark.parametrize(
        "record", samples.small_records(), ids=lambda record: record.record_kind
    )
    def test_every_record_kind_renders(self, record: Record) -> None:
        """Each kind has its caption, a row per field and well-formed markup."""
        html = record._repr_html_()
        well_formed(html)
        assert html.startswith(
            f'<div class="il-repr il-record il-{record.record_kind.replace("_", "-")}">'
        )
        assert f"<caption>{record.record_kind} {record.id}</caption>" in html
        rows = rows_of(html)
        assert set(rows) >= {field.name for field in attrs.fields(type(record))}
        assert rows["id"] == record.id

    def test_bookkeeping_comes_last_and_derived_values_are_marked(self) -> None:
        """Content first, then who recorded it, then values derived from the fields."""
        rows = list(rows_of(samples.action()._repr_html_()))
        assert rows[:2] == ["id", "description"]
        assert rows.index("amendment_reason") < rows.index("status")
        html = samples.action()._repr_html_()
        assert (
            '<tr class="il-derived" title="derived from the fields above">'
            '<th scope="row">status</th>'
        ) in html

    def test_personal_fields_are_shown_and_marked(self) -> None:
        """Free text and staff ids are shown, each row marked with its kind."""
        html = samples.incident()._repr_html_()
        assert (
            '<tr class="il-personal" title="personal data (free_text)">'
            '<th scope="row">description</th>'
            "<td>Found on the floor of her room at 02:40; hip pain.</td>"
        ) in html
        assert '<tr class="il-personal" title="personal data (staff)">' in html
        assert '<th scope="row">category</th>' in html
        assert '<tr><th scope="row">category</th>' in html  # not personal

    def test_a_pseudonymised_record_shows_its_pseudonyms(self) -> None:
        """The shared profile displays withheld text and pseudonyms, nothing else."""
        shared = pseudonymised(samples.small_log(), key=b"a key of sixteen bytes")
        rows = rows_of(shared.get("INC-0001", Incident)._repr_html_())
        assert rows["description"] == WITHHELD
        assert rows["reported_by"].startswith("S-")

    def test_text_is_escaped(self) -> None:
        """A description holding a script shows as text, never as markup."""
        fixed = samples.incident().corrected(
            by="STAFF-RM", at=samples.AT, reason="<b>typo</b>", description=SCRIPT
        )
        html = fixed._repr_html_()
        well_formed(html)
        assert SCRIPT not in html
        assert rows_of(html)["description"] == SCRIPT
        assert rows_of(html)["amendment_reason"] == "<b>typo</b>"

    def test_later_versions_and_withdrawals_say_so_in_the_caption(self) -> None:
        """The caption names a version after the first and a withdrawal."""
        withdrawn = samples.incident().marked_entered_in_error(
            by="STAFF-RM", at=samples.AT, reason="duplicate"
        )
        assert (
            "<caption>incident INC-0001, version 2, entered in error</caption>"
            in withdrawn._repr_html_()
        )

    def test_nested_values_are_readable_tables(self, log: LearningLog) -> None:
        """People affected and status history are tables with a row per item."""
        action = log.get("ACT-0006", Action)
        html = action._repr_html_()
        well_formed(html)
        assert '<th scope="col">status</th><th scope="col">by</th>' in html
        assert html.count("il-more") == 0  # the default cap shows the whole history
        capped = action._repr_html_(max_rows=2)
        assert f"… and {len(action.status_history) - 2} more" in capped

    @given(record=st.one_of(*strategies.RECORD_STRATEGIES.values()))
    def test_any_record_renders_its_text_exactly(self, record: Record) -> None:
        """For any valid record the markup is well formed and text reads back unchanged."""
        html = record._repr_html_()
        well_formed(html)
        rows = rows_of(html)
        for field in attrs.fields(type(record)):
            value = getattr(record, field.name)
            if type(value) is str:  # enums are str too, but read as words
                assert rows[field.name] == value


# ---------------------------------------------------------------- the log


class TestLog:
    """The log shows its provider and counts, never its records."""

    def test_example_log(self, log: LearningLog) -> None:
        """Provider, totals with earlier versions, and a row per kind present."""
        html = log._repr_html_()
        well_formed(html)
        rows = rows_of(html)
        assert rows["provider"] == "Oakvale Care Group (PRV-OAKVALE)"
        assert rows["current records"] == str(len(log))
        assert rows["record versions"] == str(sum(1 for _ in log.all_versions()))
        action_versions = sum(len(log.history(a)) - 1 for a in log.of_kind(Action))
        assert f"<tr><td>action</td><td>49</td><td>{action_versions}</td></tr>" in html

    def test_empty_log(self) -> None:
        """A log with no provider says so and lists no kinds."""
        html = LearningLog()._repr_html_()
        well_formed(html)
        assert "<caption>LearningLog: (no provider)</caption>" in html
        assert '<tr class="il-empty">' in html

    def test_kinds_are_capped(self, log: LearningLog) -> None:
        """max_rows caps the kinds listed."""
        assert "… and 16 more" in log._repr_html_(max_rows=3)

    @strategies.log_settings()
    @given(log=strategies.logs())
    def test_counts_match_the_log(self, log: LearningLog) -> None:
        """Each kind's row counts its current records and earlier versions."""
        html = log._repr_html_()
        well_formed(html)
        for kind in {type(record) for record in log}:
            current = log.of_kind(kind)
            earlier = sum(len(log.history(i)) - 1 for i in current)
            row = f"<tr><td>{kind.record_kind}</td><td>{len(current)}</td><td>{earlier}</td></tr>"
            assert row in html


# ---------------------------------------------------------------- analyses


def _results(log: LearningLog, graph: LearningGraph) -> Iterator[tuple[str, Any]]:
    yield "Action trace ACT-0006: found ineffective", action_trace(graph, "ACT-0006")
    yield "Incident trace INC-0004", incident_trace(graph, "INC-0004", as_of=AS_OF)
    yield "Loop gaps as of 2025-01-01: ", loop_gaps(graph, as_of=AS_OF)
    yield "Log summary: Oakvale Care Group", log_summary(log)
    yield "Learning summary", learning_summary(graph)
    yield "Learning reach: 60 learning points", learning_reach(graph)
    yield "Recurrences with no time limit: ", recurrence(graph)
    yield "Effect of action ACT-0006: ", action_effect(log, "ACT-0006")
    yield "c-chart: 12 points", c_chart([3] * 12, _months(12))
    yield "Incidents by month: ", incident_series(graph, categories=["falls"])
    yield "Reporting culture by month: 6 services", reporting_culture(graph)
    yield "Factor themes: 9 themes from 15 domains", factor_themes(graph)
    yield "Repeated low harm: 88 concerns", repeated_low_harm(graph)
    yield "Action strength profile", action_strength_profile(graph)


class TestAnalyses:
    """Every analysis result shows as captioned tables on the example."""

    def test_every_result_renders(self, log: LearningLog, graph: LearningGraph) -> None:
        """Each result is well formed, with its caption first."""
        seen = set()
        for caption, result in _results(log, graph):
            html = result._repr_html_()
            text = well_formed(html)
            first = html.index("<caption>") + len("<caption>")
            assert html[first:].startswith(caption), type(result).__name__
            assert text
            seen.add(type(result))
        assert seen == {
            ActionTrace,
            IncidentTrace,
            LoopGaps,
            LogSummary,
            LearningSummary,
            LearningReach,
            RecurrenceReport,
            ActionEffect,
            Chart,
            IncidentSeries,
            CultureReport,
            ThemeReport,
            LowHarmReport,
            StrengthProfile,
        }

    def test_every_result_honours_max_rows(
        self, log: LearningLog, graph: LearningGraph
    ) -> None:
        """With max_rows=1 no table lists more than one item; 0 is refused."""
        for _, result in _results(log, graph):
            html = result._repr_html_(max_rows=1)
            well_formed(html)
            assert max(item_rows(html), default=0) <= 1, type(result).__name__
            with pytest.raises(ValueError, match="max_rows"):
                result._repr_html_(max_rows=0)

    def test_repr_is_unchanged(self, log: LearningLog, graph: LearningGraph) -> None:
        """The plain repr stays the attrs one (or the log's own), not HTML."""
        for _, result in _results(log, graph):
            text = repr(result)
            assert text.startswith(f"{type(result).__name__}(")
            assert "<table" not in text
        assert repr(samples.small_log()).startswith(
            "<LearningLog provider=1, service=1"
        )
        assert repr(samples.provider()) == (
            "Provider(id='PRV-OAKVALE', recorded_by='STAFF-RM', "
            "recorded_at=datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.timezone.utc), "
            "version=1, entered_in_error=False, amendment_reason=None, "
            "name='Oakvale Care Group', cqc_provider_id=None)"
        )


class TestTraces:
    """A trace reads origin → channels → sharing → effect."""

    def test_action_trace_reads_as_a_loop(self, graph: LearningGraph) -> None:
        """The loop row follows the action from incidents to its latest review."""
        html = action_trace(graph, "ACT-0006")._repr_html_()
        rows = rows_of(html)
        assert rows["loop"] == (
            "10 incidents → 2 factors → 1 learning point → ACT-0006 → "
            "training, sharing → reviewed: not effective"
        )
        assert rows["loop status"] == "found ineffective"
        assert "<td>10 of 12 staff in post (83%)</td>" in html
        assert '<tr class="il-empty"><td><span class="il-enum"' in html  # coaching
        assert "<caption>Timeline, latest last</caption>" in html

    def test_an_unembedded_unreviewed_trace(self, graph: LearningGraph) -> None:
        """A trace with nothing carrying it says so, and shows no staff share."""
        trace = action_trace(graph, "ACT-0006")
        bare = attrs.evolve(
            trace,
            training=attrs.evolve(
                trace.training, sessions=(), staff_in_post=0, staff_attended=0
            ),
            sharing=attrs.evolve(trace.sharing, services=(), teams=()),
            effect=attrs.evolve(trace.effect, latest_verdict=None),
        )
        html = bare._repr_html_()
        well_formed(html)
        assert rows_of(html)["loop"].endswith(
            "ACT-0006 → not carried into practice → not reviewed"
        )
        assert "<td>0 of 0 staff in post</td>" in html

    def test_rejection_and_disagreements_are_shown_escaped(
        self, graph: LearningGraph
    ) -> None:
        """A rejected action's reason and any disagreement show, escaped."""
        trace = action_trace(graph, "ACT-0008")
        assert (
            rows_of(trace._repr_html_())["rejection reason"] == trace.rejection_reason
        )
        found = Disagreement(
            kind=DisagreementKind.REJECTED_BUT_EMBEDDED,
            message=SCRIPT,
            records=("ACT-0008",),
        )
        html = attrs.evolve(trace, disagreements=(found,))._repr_html_()
        well_formed(html)
        assert "rejected but embedded" in html
        assert "&lt;script&gt;" in html

    def test_incident_trace_lists_actions_and_gaps(self, graph: LearningGraph) -> None:
        """Actions carry their loop status as a class; gaps follow, most urgent first."""
        trace = incident_trace(graph, "INC-0004", as_of=AS_OF)
        html = trace._repr_html_()
        assert trace.missing
        assert f"<td>{trace.missing[0].message}</td>" in html
        done = incident_trace(graph, "INC-0001")._repr_html_()
        assert '<tr class="il-verified-effective"><td>ACT-0004</td>' in done


class TestGaps:
    """Gaps show counts by kind, then the most urgent, capped."""

    def test_ten_thousand_gaps_render_at_once(self) -> None:
        """Only the rows shown are built: 10,000 gaps cost what 7 do."""
        gaps = _gaps(10_000)
        started = time.perf_counter()
        html = gaps._repr_html_(max_rows=7)
        elapsed = time.perf_counter() - started
        well_formed(html)
        assert html.count('<tr class="il-overdue-action">') == 7
        assert "… and 9993 more" in html
        assert "<tr><td>" in html  # the count by kind
        assert "<td>10000</td>" in html
        assert elapsed < 0.5
        assert len(html) < 10_000

    def test_days_open_and_messages(self) -> None:
        """Each gap shows how long it has been open and its message, escaped."""
        html = _gaps(1, message=SCRIPT + " {}")._repr_html_()
        well_formed(html)
        assert "<td>2024-01-01</td><td>366</td>" in html
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&#x27;x &amp; &quot;y&quot;&#x27;)" in html


class TestSummaries:
    """Summaries show their headline numbers and count lines."""

    def test_log_summary(self, log: LearningLog) -> None:
        """Totals, the date range and the closure rate show; no provider says so."""
        summary = log_summary(log)
        rows = rows_of(summary._repr_html_())
        assert rows["incidents"] == str(
            sum(n for _, n in summary.incidents_by_category)
        )
        assert rows["first incident"] == "2024-01-03"
        assert rows["loops closed"] == f"{summary.loop_closure_rate:.0%}"
        assert rows["by category"].startswith("falls 277, ")
        nobody = attrs.evolve(summary, provider=None)
        assert "Log summary: (no provider)" in nobody._repr_html_()

    def test_learning_summary(self, graph: LearningGraph) -> None:
        """Counts by enum read as words; missing medians show as dashes."""
        summary = learning_summary(graph)
        html = summary._repr_html_()
        assert rows_of(html)["loops"].startswith("open 1, embedded ")
        empty = attrs.evolve(
            summary,
            actions=0,
            median_days_to_embedding=None,
            median_services_reached=None,
        )
        rows = rows_of(empty._repr_html_())
        assert rows["loops closed"] == "—"
        assert rows["median services reached"] == "—"

    def test_learning_reach(self, graph: LearningGraph) -> None:
        """A row per learning point; unreached services are marked; days are the soonest."""
        reach = learning_reach(graph)
        html = reach._repr_html_(max_rows=100)
        assert (
            html.count("<tr><td>LP-") + html.count('<tr class="il-not-reached">') == 60
        )
        point = reach.of("LP-0001")
        narrowed = attrs.evolve(
            point,
            services=(attrs.evolve(point.services[0], days_to_reach=None),),
            teams=(),
            not_reached=("SVC-X",),
        )
        one = LearningReach(points=(narrowed,))._repr_html_()
        well_formed(one)
        assert '<tr class="il-not-reached"><td>LP-0001</td>' in one
        assert one.endswith(
            '<td>SVC-X</td><td><span class="il-none">—</span></td></tr></tbody></table></div>'
        )

    def test_recurrence(self, graph: LearningGraph) -> None:
        """Flags show what the repeats share, categories and factor domains alike."""
        report = recurrence(graph, within_days=1)
        html = report._repr_html_(max_rows=500)
        assert "<caption>Recurrences within 1 day: " in html
        assert "<td>person_factors (care)</td>" in recurrence(graph)._repr_html_(
            max_rows=500
        )
        assert html.count("<tr><td>ACT-") == len(report.flags)


class TestCharts:
    """Charts show their shape and points, special causes marked."""

    def test_signals_are_marked_in_rows_and_on_the_sparkline(self) -> None:
        """Each special-cause point has the class il-signal and a dot."""
        chart = c_chart([3, 4, 2, 3, 5, 3, 4, 3, 2, 4, 3, 15], _months(12))
        html = chart._repr_html_()
        well_formed(html)
        assert html.count('<tr class="il-signal">') == len(chart.special_cause) == 1
        assert html.count("<circle") == 1
        assert "moving range" not in html

    def test_xmr_charts_show_moving_ranges(self) -> None:
        """An XmR chart has a moving range column; the first point has none."""
        chart = xmr_chart([1.0, 2.0, 4.0], _months(3), target=2.0)
        html = chart._repr_html_()
        assert html.startswith('<div class="il-repr il-chart">')
        assert "<caption>XmR chart: 3 points, 0 with special cause</caption>" in html
        assert '<th scope="col">moving range</th>' in html
        assert rows_of(html)["target"] == "2"

    def test_an_empty_chart(self) -> None:
        """A chart without points shows no shape and an empty table."""
        empty = Chart(
            kind=ChartKind.C,
            points=(),
            direction=Direction.DECREASE,
            target=None,
            assurance=Assurance.NONE,
            segments=(),
        )
        html = empty._repr_html_()
        well_formed(html)
        assert rows_of(html)["shape"] == "—"
        assert '<tr class="il-empty">' in html

    def test_long_charts_keep_the_latest_points(self) -> None:
        """A long chart lists its latest points, the earlier counted."""
        html = u_chart([2] * 30, [100.0] * 30, _months(30))._repr_html_(max_rows=5)
        assert "… and 25 earlier" in html
        assert "<td>2026-06-01</td>" in html
        assert "<td>2026-01-01</td>" not in html

    def test_series_shows_filters_and_rates(self, graph: LearningGraph) -> None:
        """Filters name what was counted; exposure and rates show where known."""
        series = incident_series(graph, services=["SVC-OAK"], categories=["falls"])
        html = series._repr_html_()
        well_formed(html)
        rows = rows_of(html)
        assert rows["services"] == "SVC-OAK"
        assert rows["harm"] == "all"
        assert rows["exposure unit"] == "occupied bed days"
        domains = incident_series(
            graph, factor_domains=[(FactorFramework.CARE, "equipment")]
        )
        assert rows_of(domains._repr_html_())["factor domains"] == "equipment (care)"

    def test_an_empty_series(self) -> None:
        """A series of no periods has no range and no shape."""
        empty = IncidentSeries(
            frequency=incident_learning.analysis.Frequency.WEEK,
            periods=(),
            counts=(),
            incidents=(),
            exposure=(),
            exposure_unit=None,
        )
        html = empty._repr_html_()
        well_formed(html)
        rows = rows_of(html)
        assert (rows["from"], rows["to"], rows["shape"]) == ("—", "—", "—")

    def test_effect_shows_its_chart_or_else_its_series(self, log: LearningLog) -> None:
        """With a chart the chart is nested; without one, the series."""
        effect = action_effect(log, "ACT-0004")
        html = effect._repr_html_()
        well_formed(html)
        assert '<div class="il-repr il-chart">' in html
        assert "<caption>Staff confidence checks</caption>" in html
        assert f"<td>{effect.confidence[0].check}</td>" in html
        bare = attrs.evolve(effect, chart=None)._repr_html_()
        assert '<div class="il-repr il-series">' in bare
        assert '<div class="il-repr il-chart">' not in bare


class TestReports:
    """Culture, themes and low-harm reports show one row per subject."""

    def test_culture_shows_shares_as_percentages_and_flags_drops(
        self, graph: LearningGraph
    ) -> None:
        """Shares are percentages; a service with a drop is a signal row with its warning."""
        report = reporting_culture(graph)
        html = report._repr_html_()
        assert '<th scope="col">near miss share</th>' in html
        oak_row = (
            "<tr><td>SVC-OAK</td><td>179</td><td>"
            '<span class="il-enum" title="ExposureUnit: occupied_bed_days">'
            "occupied bed days</span></td><td>6.371</td><td>11%</td><td>89%</td>"
        )
        assert oak_row in html
        oak = report.of("SVC-OAK")
        drop = ReportingDrop(
            periods=(date(2025, 12, 1),), rules=(Rule.RUN,), message=SCRIPT
        )
        flagged = attrs.evolve(
            report, services=(attrs.evolve(oak, reporting_drop=drop),)
        )
        shown = flagged._repr_html_()
        well_formed(shown)
        assert "1 with a drop in reporting" in shown
        assert '<tr class="il-signal"><td>SVC-OAK</td>' in shown
        assert "&lt;script&gt;" in shown

    def test_themes(self, graph: LearningGraph) -> None:
        """Themes list where they recur; domains read with their framework."""
        html = factor_themes(graph)._repr_html_()
        assert "<td>SVC-WILLOW 79, SVC-OAK 24, SVC-BIRCH 4, SVC-HOMECARE 4</td>" in html
        assert "<td>communication (care)</td><td>102</td>" in html

    def test_low_harm(self, graph: LearningGraph) -> None:
        """Concerns count by kind; each shows its subject and sentence."""
        report = repeated_low_harm(graph)
        html = report._repr_html_()
        assert rows_of(html)["by kind"] == "person 25, service 63"
        assert f"<td>{report.concerns[0].subject}</td>" in html

    def test_strength_profile_marks_weaker_only_rows(
        self, graph: LearningGraph
    ) -> None:
        """Rows whose live actions are all weaker carry il-weaker-only."""
        profile = action_strength_profile(graph)
        html = profile._repr_html_(max_rows=100)
        assert '<tr class="il-weaker-only"><td>LP-0004</td>' in html
        assert rows_of(html)["services, weaker only"] == "—"
