"""Tests for incident_learning.exceptions: the hierarchy, attributes and messages."""

from __future__ import annotations

import pytest

from incident_learning.exceptions import (
    DateParseError,
    IllegalTransitionError,
    IncidentLearningError,
    InvalidDataError,
    InvalidRecordError,
    Problem,
    UnknownRecordError,
    UnsupportedFormatError,
)

PROBLEM = Problem(
    path="incidents[3]",
    record_id="INC-0042",
    field="people_affected[0].physical_harm",
    value="moderat",
    message="'moderat' is not one of 'none', 'low', ...",
)


class TestHierarchy:
    """Every error derives from the base and from the builtin whose meaning fits."""

    @pytest.mark.parametrize(
        ("cls", "builtin"),
        [
            (InvalidRecordError, ValueError),
            (InvalidDataError, ValueError),
            (UnsupportedFormatError, InvalidDataError),
            (IllegalTransitionError, ValueError),
            (DateParseError, ValueError),
            (UnknownRecordError, KeyError),
        ],
    )
    def test_subclasses(self, cls: type[Exception], builtin: type[Exception]) -> None:
        """Each error is an IncidentLearningError and its builtin."""
        assert issubclass(cls, IncidentLearningError)
        assert issubclass(cls, builtin)

    def test_base_is_an_exception(self) -> None:
        """The base class is a plain Exception, not a ValueError."""
        assert issubclass(IncidentLearningError, Exception)
        assert not issubclass(IncidentLearningError, ValueError)


class TestProblem:
    """A problem knows where it is and renders for people."""

    def test_rendering(self) -> None:
        """path (id ...).field: message."""
        assert str(PROBLEM) == (
            "incidents[3] (id INC-0042).people_affected[0].physical_harm: "
            "'moderat' is not one of 'none', 'low', ..."
        )

    @pytest.mark.parametrize(
        ("path", "record_id", "field", "location"),
        [
            ("incidents[3]", "INC-1", "category", "incidents[3] (id INC-1).category"),
            ("incidents[3]", None, "category", "incidents[3].category"),
            ("", "INC-1", "category", "id INC-1.category"),
            ("", None, "category", "category"),
            ("incidents[3]", "INC-1", "", "incidents[3] (id INC-1)"),
            ("", "INC-1", "", "id INC-1"),
            ("line 4", None, "", "line 4"),
            ("", None, "", ""),
        ],
    )
    def test_location(
        self, path: str, record_id: str | None, field: str, location: str
    ) -> None:
        """The location joins whichever of path, id and field are present."""
        problem = Problem(path=path, record_id=record_id, field=field, message="m")
        assert problem.location == location
        assert str(problem) == (f"{location}: m" if location else "m")

    def test_within_places_under_a_path(self) -> None:
        """within puts a problem under a path, before any path it had."""
        bare = Problem(field="x", message="m")
        assert bare.within("incidents[0]").path == "incidents[0]"
        nested = Problem(path=".local_codes[0]", message="m")
        assert nested.within("line 1").path == "line 1.local_codes[0]"
        assert bare.within("a") == Problem(path="a", field="x", message="m")

    def test_defaults(self) -> None:
        """Only the message is required."""
        problem = Problem(message="m")
        assert (problem.path, problem.record_id, problem.field, problem.value) == (
            "",
            None,
            "",
            None,
        )


class TestInvalidRecordError:
    """InvalidRecordError carries the kind, id and every problem."""

    def test_one_problem(self) -> None:
        """One problem renders on one line with kind, id and field."""
        error = InvalidRecordError(
            "incident", "INC-1", [Problem(field="category", message="bad")]
        )
        assert error.kind == "incident"
        assert error.record_id == "INC-1"
        assert error.problems == (Problem(field="category", message="bad"),)
        assert "incident" in str(error)
        assert "category: bad" in str(error)

    def test_several_problems(self) -> None:
        """Several problems are counted and listed one a line."""
        problems = [Problem(field=f"f{i}", message="bad") for i in range(3)]
        text = str(InvalidRecordError("incident", None, problems))
        assert "(3 problems)" in text
        assert text.count("\n") == 3
        assert "f2: bad" in text

    def test_problem_without_field(self) -> None:
        """A problem about the whole record renders its message alone."""
        text = str(InvalidRecordError("incident", None, [Problem(message="whole")]))
        assert text.endswith(": whole")


class TestInvalidDataError:
    """InvalidDataError lists every problem, truncating long lists."""

    def test_one_problem_renders_alone(self) -> None:
        """A single problem renders as itself."""
        assert str(InvalidDataError([PROBLEM])) == str(PROBLEM)
        assert InvalidDataError([PROBLEM]).problems == (PROBLEM,)

    def test_several_problems_are_listed(self) -> None:
        """Several problems are counted and indented one a line."""
        problems = [Problem(field=f"f{i}", message="bad") for i in range(3)]
        assert str(InvalidDataError(problems)) == (
            "3 problems found:\n  f0: bad\n  f1: bad\n  f2: bad"
        )

    def test_long_lists_are_truncated(self) -> None:
        """Past twenty problems the message says how many more there are."""
        problems = [Problem(field=f"f{i}", message="bad") for i in range(25)]
        lines = str(InvalidDataError(problems)).splitlines()
        assert lines[0] == "25 problems found:"
        assert len(lines) == 22
        assert lines[-1] == "  ... and 5 more"
        assert len(InvalidDataError(problems).problems) == 25

    def test_exactly_twenty_are_not_truncated(self) -> None:
        """Twenty problems are all listed."""
        problems = [Problem(message="bad")] * 20
        assert "more" not in str(InvalidDataError(problems))


class TestOtherErrors:
    """The remaining errors keep their data and build their messages."""

    def test_unsupported_format(self) -> None:
        """UnsupportedFormatError names what was found and what is read."""
        error = UnsupportedFormatError("incident_learning/2", "incident_learning/1")
        assert (error.found, error.supported) == (
            "incident_learning/2",
            "incident_learning/1",
        )
        (problem,) = error.problems
        assert (problem.field, problem.value) == ("format", "incident_learning/2")
        assert str(error) == (
            "format: format 'incident_learning/2' is not supported: this library reads "
            "'incident_learning/1' and older versions of it; upgrade incident_learning "
            "to read newer files"
        )

    def test_illegal_transition(self) -> None:
        """IllegalTransitionError names the action and both statuses."""
        error = IllegalTransitionError(
            "ACT-1", "proposed", "completed", "allowed next: agreed"
        )
        assert (error.action_id, error.current, error.requested, error.reason) == (
            "ACT-1",
            "proposed",
            "completed",
            "allowed next: agreed",
        )
        assert str(error) == (
            "action ACT-1 cannot move from proposed to completed: allowed next: agreed"
        )

    def test_date_parse(self) -> None:
        """DateParseError quotes the text and gives the reason."""
        error = DateParseError("12/25/2026", "month-first")
        assert (error.text, error.reason) == ("12/25/2026", "month-first")
        assert str(error) == "'12/25/2026': month-first"

    @pytest.mark.parametrize(
        ("kind", "message"),
        [
            (None, "no record has the id 'X-1'"),
            ("action", "no action has the id 'X-1'"),
        ],
    )
    def test_unknown_record(self, kind: str | None, message: str) -> None:
        """UnknownRecordError reads as a sentence, not a quoted key."""
        error = UnknownRecordError("X-1", kind)
        assert (error.record_id, error.kind) == ("X-1", kind)
        assert str(error) == message
        with pytest.raises(KeyError):
            raise error
