"""Tests for the command-line tool ``incident-learning``: every subcommand, exit code and error."""

from __future__ import annotations

import enum
import importlib
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from importlib.metadata import entry_points
from pathlib import Path

import attrs
import pytest

from incident_learning import cli, samples, serialization
from incident_learning._cli_output import Progress, render_action_trace, to_plain
from incident_learning.analysis import (
    Disagreement,
    DisagreementKind,
    GapKind,
    action_trace,
)
from incident_learning.exceptions import (
    GraphShapeError,
    UnknownRecordError,
)
from incident_learning.graph import build_graph
from incident_learning.samples.example import write_example
from incident_learning.serialization.schema import json_lines_schema, shipped_schema

main = cli.main


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example provider, Oakvale, written as JSON Lines."""
    path = tmp_path_factory.mktemp("example") / "oakvale.jsonl"
    write_example(path)
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The small Oak House log, written as a JSON document."""
    path = tmp_path / "small.json"
    serialization.dump_json(samples.small_log(), path)
    return path


@pytest.fixture
def invalid(tmp_path: Path) -> Path:
    """The small log as JSON Lines with two invalid codes."""
    text = serialization.dumps_jsonl(samples.small_log())
    path = tmp_path / "bad.jsonl"
    path.write_text(
        text.replace('"falls"', '"fall"').replace('"care_worker"', '"carer"')
    )
    return path


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A valid document with no records at all."""
    path = tmp_path / "empty.json"
    path.write_text('{"format": "incident_learning/1"}')
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the tool on *argv*; return its exit code, standard output and error."""
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(
    capsys: pytest.CaptureFixture[str], *argv: str | Path
) -> tuple[int, object]:
    """Run the tool with ``--format json``; return its exit code and parsed output."""
    code, out, err = run(capsys, *argv, "--format", "json")
    assert err == ""
    return code, json.loads(out)


class TestValidate:
    def test_a_valid_log_exits_0_with_its_record_count(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A valid JSON Lines log is reported valid with its number of records."""
        code, out, err = run(capsys, "validate", example)
        assert (code, out, err) == (0, f"{example}: valid, 1668 records\n", "")

    def test_a_valid_log_as_json(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON report of a valid log says so and lists no problems."""
        code, report = run_json(capsys, "validate", small)
        assert code == 0
        assert report == {
            "file": str(small),
            "valid": True,
            "records": 21,
            "problems": [],
        }

    def test_every_problem_is_printed_with_its_path_and_exits_1(
        self, invalid: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each problem is a line of output naming its line, record and field."""
        code, out, err = run(capsys, "validate", invalid)
        assert code == 1
        assert err == ""
        lines = out.splitlines()
        assert lines[0] == f"{invalid}: 3 problems found"
        assert lines[1].startswith(
            "  line 5 (id STAFF-CW1).role: 'carer' is not one of"
        )
        assert lines[3].startswith("  line 9 (id INC-0001).category: 'fall' is not")
        assert len(lines) == 4

    def test_problems_as_json(
        self, invalid: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON report lists each problem's parts and where it is."""
        code, report = run_json(capsys, "validate", invalid)
        assert code == 1
        assert isinstance(report, dict)
        assert (report["valid"], report["records"]) == (False, None)
        last = report["problems"][-1]
        assert last["path"] == "line 9"
        assert last["record_id"] == "INC-0001"
        assert last["field"] == "category"
        assert last["value"] == "fall"
        assert last["location"] == "line 9 (id INC-0001).category"

    def test_a_file_that_is_not_json_is_invalid_data(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Text that is not JSON is one problem, and exits 1."""
        path = tmp_path / "notes.json"
        path.write_text("not json")
        code, out, _ = run(capsys, "validate", path)
        assert code == 1
        assert out.splitlines()[0] == f"{path}: 1 problem found"
        assert "not valid JSON" in out

    @pytest.mark.parametrize("name", ["absent.json", "."])
    def test_a_file_that_cannot_be_read_exits_2(
        self, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing file, or a folder, is one line on standard error and exit 2."""
        path = tmp_path / name
        code, out, err = run(capsys, "validate", path)
        assert (code, out) == (2, "")
        assert err.startswith(f"incident-learning: error: cannot read {path}: ")
        assert len(err.splitlines()) == 1


class TestSummary:
    def test_the_headline_and_the_learning_summary(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The summary opens with the provider and counts, then the learning loop."""
        code, out, err = run(capsys, "summary", example)
        assert (code, err) == (0, "")
        lines = out.splitlines()
        assert lines[:3] == [
            "Oakvale Care Group",
            "  incidents: 968 (near misses: 91), 2024-01-03 to 2025-12-31",
            "  records: 1547 current",
        ]
        assert lines[4].startswith("actions: 49 (agreed 1, rejected 1")
        assert "; closed 18%" in out
        assert "reaching a median of 6 service(s)" in out

    def test_the_summary_as_json(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON summary holds both summaries, enums as their values."""
        code, summary = run_json(capsys, "summary", example)
        assert code == 0
        assert isinstance(summary, dict)
        learning = summary["learning"]
        assert learning["actions"] == 49
        assert learning["loop_closure_rate"] == pytest.approx(9 / 49)
        assert learning["actions_by_status"][0] == ["agreed", 1]
        assert summary["log"]["provider"] == "Oakvale Care Group"
        assert summary["log"]["first_incident"] == "2024-01-03"

    def test_json_output_is_deterministic_with_sorted_keys(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two runs give the same text, and every object's keys are sorted."""
        first = run(capsys, "summary", example, "--format", "json")[1]
        second = run(capsys, "summary", example, "--format", "json")[1]
        assert first == second
        assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"

    def test_an_empty_log_is_summarised(
        self, empty: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A log with no provider, incidents or actions says so, not a traceback."""
        code, out, _ = run(capsys, "summary", empty)
        assert code == 0
        assert out.startswith("(no provider)\n  incidents: 0 (near misses: 0)\n")
        assert "closed -" in out

    def test_invalid_data_exits_1_with_its_problems(
        self, invalid: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Invalid data is an error naming the file, then its problems, and exits 1."""
        code, out, err = run(capsys, "summary", invalid)
        assert (code, out) == (1, "")
        lines = err.splitlines()
        assert lines[0] == (
            f"incident-learning: error: {invalid} is not valid: 3 problems found:"
        )
        assert len(lines) == 4
        assert "Traceback" not in err


class TestTrace:
    def test_an_action_is_a_tree_from_its_incidents_to_its_effect(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The tree runs incident, response, factor, learning point, action, channels, sharing, effect."""
        code, out, err = run(capsys, "trace", example, "ACT-0004")
        assert (code, err) == (0, "")
        lines = out.splitlines()
        assert (
            lines[0] == "action ACT-0004: verified effective; loop verified effective"
        )
        assert lines[1].startswith("incidents (74): INC-0001, INC-0002, ")
        assert lines[1].endswith(" and 68 more, first on 2024-01-03")
        assert lines[2:6] == [
            "└─ learning responses (1): LR-0003",
            "   └─ contributing factors (3): CF-0005, CF-0006, CF-0007",
            "      └─ learning points (1): LP-0002",
            "         └─ action ACT-0004",
        ]
        assert "├─ training (1): TRN-0002; 9 of 10 staff in post attended (90%)" in out
        assert "├─ service changes (1): CHG-0003; care plan at SVC-WILLOW" in out
        assert "│  └─ first shared on 2024-09-19" in out
        assert lines[-1].endswith(
            "└─ staff confidence checks (3): SCC-0001, SCC-0002, SCC-0003"
        )

    def test_sharing_lists_shares_teams_and_where_it_was_discussed(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Sharing lists its meetings, shares, services, teams and discussions."""
        out = run(capsys, "trace", example, "ACT-0001")[1]
        lines = out.splitlines()
        start = lines.index("            ├─ sharing")
        assert [line[15:] for line in lines[start + 1 : start + 7]] == [
            "├─ governance meetings (3): GOV-0002, GOV-0003, GOV-0005",
            "├─ learning shares (1): SHR-0001",
            (
                "├─ services reached (6): SVC-ASH, SVC-BIRCH, SVC-ELM, SVC-HOMECARE, "
                "SVC-OAK, SVC-WILLOW"
            ),
            "├─ teams reached (1): TEAM-OAK-NIGHT",
            "├─ first shared on 2024-06-20",
            "└─ discussed in handover",
        ]

    def test_a_rejected_action_shows_its_reason(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A rejected action's reason is the first line under it."""
        out = run(capsys, "trace", example, "ACT-0008")[1]
        assert "├─ rejected: Bed rails are a restriction" in out
        assert "├─ sharing: none" not in out

    def test_an_action_as_json(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON trace holds every field, the channels and ISO dates."""
        code, trace = run_json(capsys, "trace", example, "ACT-0004")
        assert code == 0
        assert isinstance(trace, dict)
        assert trace["channels"] == [
            "training",
            "reflective_practice",
            "service_change",
            "sharing",
        ]
        assert trace["status"] == "verified_effective"
        assert len(trace["origin"]["incidents"]) == 74
        assert trace["timeline"][0]["on"] == "2024-01-03"

    def test_an_incident_with_its_actions_and_missing_steps(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An incident's tree ends with each action, then what is missing as of the day."""
        code, out, _ = run(
            capsys, "trace", example, "--incident", "INC-0939", "--as-of", "31/12/2025"
        )
        assert code == 0
        lines = out.splitlines()
        assert lines[:6] == [
            "incident INC-0939",
            "└─ learning responses (1): LR-0059",
            "   └─ contributing factors (1): CF-0069",
            "      └─ learning points (1): LP-0059",
            "         └─ actions (1): ACT-0049",
            "            └─ ACT-0049: agreed; loop open",
        ]
        assert lines[-3:] == [
            "reviewed at governance meetings: none",
            "missing (1), as of 2025-12-31:",
            (
                "  action not embedded, open 12 days (since 2025-12-19): action "
                "ACT-0049 is agreed but no training, supervision, reflective "
                "practice, coaching, service change or sharing carries it"
            ),
        ]

    def test_an_incident_without_a_day_gives_when_gaps_opened(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without --as-of the missing steps say since when, not how long."""
        out = run(capsys, "trace", example, "--incident", "INC-0939")[1]
        assert "missing (1):\n  action not embedded, since 2025-12-19: " in out

    def test_an_incident_with_nothing_missing(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An incident whose loop is whole says nothing is missing."""
        out = run(capsys, "trace", small, "--incident", "INC-0001")[1]
        assert out.endswith(
            "reviewed at governance meetings: GOV-0001\nmissing: nothing\n"
        )
        assert "disagreement: the latest review (REV-0001, 2025-09-30)" in out

    def test_an_incident_as_json(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON incident trace holds each action's trace and the gaps."""
        code, trace = run_json(
            capsys, "trace", example, "--incident", "INC-0939", "--as-of", "2025-12-31"
        )
        assert code == 0
        assert isinstance(trace, dict)
        assert [action["action"] for action in trace["actions"]] == ["ACT-0049"]
        assert trace["actions"][0]["channels"] == []
        assert trace["missing"][0]["kind"] == "action_not_embedded"

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["ACT-9999"], "no action has the id 'ACT-9999'"),
            (["--incident", "INC-9999"], "no incident has the id 'INC-9999'"),
            (
                ["INC-0001"],
                "INC-0001 is an incident, not an action; trace it with --incident",
            ),
            (
                ["--incident", "ACT-0004"],
                (
                    "ACT-0004 is an action, not an incident; "
                    "trace an action without --incident"
                ),
            ),
            (["SVC-OAK"], "SVC-OAK is a service, not an action"),
            (
                ["--incident", "INC-0713"],
                "incident INC-0713 was entered in error, so it has no trace",
            ),
        ],
    )
    def test_an_id_that_is_not_there_is_a_usage_error(
        self,
        example: Path,
        argv: list[str],
        message: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """An unknown, wrong-kind or withdrawn id is one line and exit 2."""
        code, out, err = run(capsys, "trace", example, *argv)
        assert (code, out) == (2, "")
        assert err.startswith(f"incident-learning: error: {message}")
        assert len(err.splitlines()) == 1

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ([], "give either ACTION_ID or --incident INCIDENT_ID"),
            (
                ["ACT-0004", "--incident", "INC-0001"],
                "give either ACTION_ID or --incident INCIDENT_ID",
            ),
            (
                ["ACT-0004", "--as-of", "31/12/2025"],
                "--as-of applies to --incident traces only",
            ),
        ],
    )
    def test_the_subject_must_be_one_action_or_one_incident(
        self,
        small: Path,
        argv: list[str],
        message: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Neither or both subjects, or a day for an action, are usage errors."""
        code, _, err = run(capsys, "trace", small, *argv)
        assert code == 2
        assert err == f"incident-learning trace: error: {message} (see --help)\n"

    def test_disagreements_are_listed_under_the_action(self) -> None:
        """Each disagreement between status and reviews is a line under the action."""
        trace = action_trace(build_graph(samples.small_log()), "ACT-0001")
        extra = Disagreement(
            kind=DisagreementKind.CLOSED_WITHOUT_REVIEW,
            message="closed with no review",
            records=("ACT-0001",),
        )
        unshared = attrs.evolve(trace.sharing, first_shared_on=None)
        text = render_action_trace(
            attrs.evolve(
                trace,
                sharing=unshared,
                disagreements=(*trace.disagreements, extra),
            )
        )
        assert "first shared" not in text
        assert text.splitlines()[-2:] == [
            (
                "            ├─ disagreement: the latest review (REV-0001, 2025-09-30) "
                "says effective but the status is still proposed"
            ),
            "            └─ disagreement: closed with no review",
        ]


class TestGaps:
    def test_gaps_are_grouped_most_urgent_first_with_days_open(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Gaps come by kind in order of urgency, each with its days open; exit 0."""
        code, out, err = run(capsys, "gaps", example, "--as-of", "31/12/2025")
        assert (code, err) == (0, "")
        lines = out.splitlines()
        assert lines[:4] == [
            "as of 2025-12-31: 147 broken loops",
            "",
            "no learning response (86)",
            "    719 days  incident INC-0015 needs a learning response and has none",
            # days open count from the day after the due date
        ]
        headings = [line for line in lines[1:] if line and not line.startswith(" ")]
        assert headings == [
            "no learning response (86)",
            "overdue action (1)",
            "action not embedded (1)",
            "action not reviewed (37)",
            "learning without action (15)",
            "only weaker actions (7)",
        ]
        assert (
            "     91 days  action ACT-0011 was due on 2025-09-30 and is 92 days "
            "overdue (in progress)" in lines
        )
        assert (
            "      1 day   incident INC-0964 needs a learning response and has none"
            in lines
        )

    def test_gaps_as_json(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The JSON gaps hold the day, the counts and each gap with its days open."""
        code, gaps = run_json(capsys, "gaps", example, "--as-of", "2025-12-31")
        assert code == 0
        assert isinstance(gaps, dict)
        assert gaps["as_of"] == "2025-12-31"
        assert gaps["counts"][:2] == [
            ["no_learning_response", 86],
            ["overdue_action", 1],
        ]
        overdue = gaps["gaps"][86]
        assert overdue == {
            "kind": "overdue_action",
            "record": "ACT-0011",
            "records": ["ACT-0011"],
            "since": "2025-10-01",
            "days_open": 91,
            "message": "action ACT-0011 was due on 2025-09-30 and is 92 days "
            "overdue (in progress)",
        }
        urgency = [GapKind(gap["kind"]).urgency for gap in gaps["gaps"]]
        assert urgency == sorted(urgency)

    def test_the_day_defaults_to_today(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without --as-of the loops are judged on today's date."""
        before = datetime.now(UTC).astimezone().date()
        code, gaps = run_json(capsys, "gaps", small)
        after = datetime.now(UTC).astimezone().date()
        assert code == 0
        assert isinstance(gaps, dict)
        assert gaps["as_of"] in {before.isoformat(), after.isoformat()}

    def test_fail_on_gaps_exits_1_when_there_are_gaps(
        self, example: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With --fail-on-gaps, gaps found exit 1, output unchanged."""
        code, out, _ = run(
            capsys, "gaps", example, "--as-of", "31/12/2025", "--fail-on-gaps"
        )
        assert code == 1
        assert out.startswith("as of 2025-12-31: 147 broken loops")

    def test_fail_on_gaps_exits_0_when_there_are_none(
        self, empty: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With --fail-on-gaps and nothing broken, the exit code is 0."""
        code, out, _ = run(
            capsys, "gaps", empty, "--as-of", "1/1/2026", "--fail-on-gaps"
        )
        assert (code, out) == (0, "as of 2026-01-01: no broken loops\n")

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("31/02/2025", "is not a real date"),
            ("12/25/2025", "dates are never read month-first"),
            ("yesterday", "'yesterday'"),
        ],
    )
    def test_a_bad_date_is_a_usage_error(
        self,
        small: Path,
        text: str,
        reason: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A date that is not one real day-first date is one line and exit 2."""
        code, out, err = run(capsys, "gaps", small, "--as-of", text)
        assert (code, out) == (2, "")
        assert err.startswith(
            f"incident-learning gaps: error: argument --as-of: '{text}'"
        )
        assert reason in err
        assert len(err.splitlines()) == 1


class TestDemo:
    def test_the_example_is_written_and_summarised(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The demo writes the bundled example into a new folder and summarises it."""
        folder = tmp_path / "new" / "demo"
        code, out, err = run(capsys, "demo", "--out", folder)
        assert (code, err) == (0, "")
        path = folder / "oakvale.jsonl"
        assert path.read_bytes() == serialization.dumps_jsonl(
            samples.example_log()
        ).encode("utf-8")
        lines = out.splitlines()
        assert lines[0] == f"Wrote the example provider to {path} (1668 records)."
        assert lines[1] == f"Wrote its learning report to {folder / 'report.html'}."
        assert (
            (folder / "report.html")
            .read_text(encoding="utf-8")
            .startswith("<!DOCTYPE html>")
        )
        assert lines[3] == "Oakvale Care Group"
        assert f"  incident-learning gaps {path} --as-of 31/12/2025" in lines

    def test_the_default_folder_is_in_the_working_directory(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Without --out the demo writes to ./incident-learning-demo."""
        monkeypatch.chdir(tmp_path)
        assert run(capsys, "demo")[0] == 0
        assert (tmp_path / "incident-learning-demo" / "oakvale.jsonl").is_file()

    def test_a_folder_that_cannot_be_made_exits_2(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A --out that is a file is one line and exit 2."""
        code, out, err = run(capsys, "demo", "--out", small)
        assert (code, out) == (2, "")
        assert err.startswith(
            f"incident-learning: error: cannot write {small / 'oakvale.jsonl'}: "
        )

    def test_without_the_report_extra_the_example_is_still_written(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Missing Jinja2 or matplotlib leaves out the report, says why, and exits 0."""
        _hide_the_report(monkeypatch)
        code, out, err = run(capsys, "demo", "--out", tmp_path)
        assert (code, err) == (0, "")
        assert out.splitlines()[1] == f"No report: {HIDDEN}"
        assert not (tmp_path / "report.html").exists()


HIDDEN = 'the learning report needs jinja2: install "incident_learning[report]"'


def _hide_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make importing the report fail as it does without the [report] extra."""
    real = importlib.import_module

    def without_report(name: str, package: str | None = None) -> object:
        if name == "incident_learning.report":
            raise ModuleNotFoundError(HIDDEN, name="jinja2")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without_report)


class TestReport:
    def test_the_report_is_written(
        self, example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The report of one service and period is written where -o says."""
        output = tmp_path / "out" / "willow.html"
        code, out, err = run(
            capsys,
            "report",
            example,
            "-o",
            output,
            "--as-of",
            "31/12/2025",
            "--service",
            "SVC-WILLOW",
            "--from",
            "01/01/2025",
            "--to",
            "31/12/2025",
        )
        assert (code, err) == (0, "")
        assert out == f"Wrote the learning report to {output}.\n"
        html = output.read_text(encoding="utf-8")
        assert "Willow" in html
        assert "Elm Court" not in html

    def test_as_of_defaults_to_today(
        self,
        small: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Without --as-of the report is judged on today's date."""
        monkeypatch.setattr(cli, "_today", lambda: date(2025, 6, 30))
        output = tmp_path / "r.html"
        assert run(capsys, "report", small, "-o", output)[0] == 0
        assert "2025-06-30" in output.read_text(encoding="utf-8")

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (["--service", "SVC-NOPE"], "no service has the id 'SVC-NOPE'"),
            (
                ["--from", "01/02/2025", "--to", "01/01/2025"],
                "the period starts on 2025-02-01, after it ends on 2025-01-01",
            ),
        ],
        ids=["unknown-service", "period-backwards"],
    )
    def test_bad_scope_exits_2(
        self,
        example: Path,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        extra: list[str],
        message: str,
    ) -> None:
        """An unknown service or a period that ends before it starts is a usage error."""
        code, out, err = run(
            capsys,
            "report",
            example,
            "-o",
            tmp_path / "r.html",
            "--as-of",
            "31/12/2025",
            *extra,
        )
        assert (code, out) == (2, "")
        assert err == f"incident-learning: error: {message}\n"

    def test_an_unwritable_output_exits_2(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An output inside a file cannot be written: one line, exit 2."""
        code, out, err = run(capsys, "report", small, "-o", small / "r.html")
        assert (code, out) == (2, "")
        assert err.startswith(
            f"incident-learning: error: cannot write {small / 'r.html'}"
        )

    def test_output_is_required(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without -o the command is a usage error."""
        code, _, err = run(capsys, "report", small)
        assert code == 2
        assert "-o/--output" in err

    def test_without_the_report_extra(
        self,
        small: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Without Jinja2 or matplotlib the error says how to install them, exit 2."""
        _hide_the_report(monkeypatch)
        code, out, err = run(capsys, "report", small, "-o", tmp_path / "r.html")
        assert (code, out) == (2, "")
        assert err == f"incident-learning: error: {HIDDEN}\n"


class TestSchema:
    def test_the_document_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The schema printed is the JSON Schema shipped with the package."""
        code, out, _ = run(capsys, "schema")
        assert code == 0
        assert json.loads(out) == shipped_schema()

    def test_the_json_lines_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With --lines the schema of one JSON Lines line is printed."""
        code, out, _ = run(capsys, "schema", "--lines")
        assert code == 0
        assert json.loads(out) == json_lines_schema()


class TestUsage:
    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ([], "the following arguments are required: COMMAND"),
            (["reports"], "argument COMMAND: invalid choice: 'reports'"),
            (["report", "x.json"], "the following arguments are required: -o/--output"),
            (["summary"], "the following arguments are required: FILE"),
            (["summary", "x.json", "--format", "xml"], "invalid choice: 'xml'"),
            (["schema", "--as-of", "1/1/2025"], "unrecognized arguments: --as-of"),
        ],
    )
    def test_usage_errors_are_one_line_and_exit_2(
        self, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A usage error is one line on standard error, with a pointer to --help."""
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, "")
        assert message in err
        assert err.endswith(" (see --help)\n")
        assert len(err.splitlines()) == 1

    @pytest.mark.parametrize("command", [*cli.COMMANDS, None])
    def test_help_exits_0_and_documents_the_exit_codes(
        self, command: str | None, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The tool and every subcommand have --help, with the exit codes."""
        code, out, _ = run(capsys, *([command] if command else []), "--help")
        assert code == 0
        assert out.startswith(f"usage: incident-learning {command or ''}".rstrip())
        assert "2  usage error, unknown identifier or bad date" in out

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the program's name and version."""
        code, out, _ = run(capsys, "--version")
        assert (code, out) == (0, "incident-learning 0.1.0\n")

    def test_the_console_script_runs_main(self) -> None:
        """The installed console script incident-learning is cli.main."""
        (script,) = entry_points(group="console_scripts", name="incident-learning")
        assert script.value == "incident_learning.cli:main"
        assert script.load() is cli.main

    def test_main_reads_the_program_arguments_by_default(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without arguments, main reads sys.argv."""
        monkeypatch.setattr(sys, "argv", ["incident-learning", "--version"])
        assert main() == 0
        assert capsys.readouterr().out == "incident-learning 0.1.0\n"


class TestErrors:
    @pytest.mark.parametrize("where", ["before", "after"])
    def test_debug_raises_with_the_traceback(self, tmp_path: Path, where: str) -> None:
        """With --debug, before or after the subcommand, the error propagates."""
        path = str(tmp_path / "absent.json")
        argv = ["--debug", "summary", path]
        if where == "after":
            argv = ["summary", path, "--debug"]
        with pytest.raises(Exception, match="cannot read") as raised:
            main(argv)
        assert isinstance(raised.value.__cause__, FileNotFoundError)

    @pytest.mark.parametrize(
        ("error", "code"),
        [
            (GraphShapeError("the graph has no index"), 1),
            (UnknownRecordError("X-1", "action"), 2),
            (PermissionError(13, "Permission denied"), 2),
            (ValueError("a bad value"), 1),
            (KeyboardInterrupt(), 130),
        ],
    )
    def test_errors_while_running_are_one_line_with_their_exit_code(
        self,
        small: Path,
        error: BaseException,
        code: int,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Library, system and value errors, and interrupts, are one line each."""

        def fail(log: object) -> None:
            raise error

        monkeypatch.setattr(cli, "build_graph", fail)
        result, out, err = run(capsys, "summary", small)
        assert (result, out) == (code, "")
        assert err.startswith("incident-learning: error: ")
        assert len(err.splitlines()) == 1

    def test_an_interrupt_with_debug_propagates(
        self, small: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With --debug, Ctrl-C stops with its traceback."""

        def interrupt(log: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "build_graph", interrupt)
        with pytest.raises(KeyboardInterrupt):
            main(["summary", str(small), "--debug"])

    def test_a_closed_output_stops_quietly(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """When the reader of the output goes away the tool stops without an error."""

        class ClosedPipe(io.StringIO):
            def write(self, text: str) -> int:
                raise BrokenPipeError

        monkeypatch.setattr(sys, "stdout", ClosedPipe())
        assert main(["schema"]) == 1
        assert capsys.readouterr().err == ""

    def test_a_closed_pipe_leaves_no_message_from_python(self) -> None:
        """Piping the schema into a reader that closes at once leaves stderr empty."""
        process = subprocess.Popen(
            [sys.executable, "-m", "incident_learning", "schema"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        err = process.stderr.read()
        process.stderr.close()
        assert process.wait() == 1
        assert err == b""


class FakeTerminal(io.StringIO):
    """Standard error as if it were a terminal."""

    def isatty(self) -> bool:
        return True


class TestProgress:
    def test_progress_is_shown_on_a_terminal(
        self,
        example: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """On a terminal, a bar shows bytes read and a line each phase, then clears."""
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        monkeypatch.setattr(cli, "_CHUNK", 64 * 1024)
        assert main(["gaps", str(example), "--as-of", "31/12/2025"]) == 0
        shown = terminal.getvalue()
        assert "\rreading oakvale.jsonl [" in shown
        assert "100% 1.2/1.2 MB" in shown
        assert "\rchecking the records of oakvale.jsonl..." in shown
        assert "\rbuilding the learning graph..." in shown
        assert "\rfinding broken loops..." in shown
        assert shown.endswith("\r")
        assert capsys.readouterr().out.startswith("as of 2025-12-31")

    def test_a_fast_bar_is_drawn_at_most_every_interval(self) -> None:
        """Bar updates closer together than the interval are skipped, the last is not."""
        terminal = FakeTerminal()
        progress = Progress(terminal, enabled=True)
        for done in range(1, 11):
            progress.bar("reading", done * 100, 1000)
        assert terminal.getvalue().count("\r") == 2
        assert "100%" in terminal.getvalue()

    @pytest.mark.parametrize("where", ["before", "after"])
    def test_quiet_shows_no_progress_on_a_terminal(
        self,
        small: Path,
        where: str,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """With --quiet, before or after the subcommand, nothing is drawn."""
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        argv = ["-q", "summary", str(small)]
        if where == "after":
            argv = ["summary", str(small), "--quiet"]
        assert main(argv) == 0
        assert terminal.getvalue() == ""
        assert capsys.readouterr().out.startswith("Oakvale Care Group")

    def test_no_progress_when_piped(
        self, small: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Standard error that is not a terminal gets no progress."""
        code, _, err = run(capsys, "summary", small)
        assert (code, err) == (0, "")

    def test_disabled_progress_draws_nothing(self) -> None:
        """Progress that is not enabled writes nothing at all."""
        terminal = FakeTerminal()
        progress = Progress(terminal, enabled=False)
        progress.bar("reading", 10, 10)
        with progress.phase("checking"):
            pass
        assert terminal.getvalue() == ""


class Colour(enum.Enum):
    RED = 1


class TestToPlain:
    def test_values_become_plain_json(self) -> None:
        """Enums, dates, sets, mappings and unknown objects become JSON values."""
        value = {
            "when": datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
            "day": date(2025, 1, 2),
            "kind": GapKind.OVERDUE_ACTION,
            "colour": Colour.RED,
            "ids": frozenset({"b", "a"}),
            1: [None, True, 1.5, ("x",)],
            "path": Path("a"),
        }
        assert to_plain(value) == {
            "when": "2025-01-02T03:04:00+00:00",
            "day": "2025-01-02",
            "kind": "overdue_action",
            "colour": 1,
            "ids": ["a", "b"],
            "1": [None, True, 1.5, ["x"]],
            "path": "a",
        }
