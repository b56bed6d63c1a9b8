"""Tests for incident_learning.serialization: round trips and every error path."""

from __future__ import annotations

import copy
import gc
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import strategies

from incident_learning import samples, serialization
from incident_learning.exceptions import (
    InvalidDataError,
    Problem,
    UnsupportedFormatError,
)
from incident_learning.model import (
    RECORD_TYPES,
    Incident,
    LearningLog,
    LocalCode,
    Record,
)
from incident_learning.serialization import format as fmt
from incident_learning.serialization.converter import (
    problems_of,
    structure_detailed,
    structure_fast,
    unstructure,
)

Document = dict[str, Any]


def _document() -> Document:
    return serialization.to_document(samples.small_log())


def _problems(document: object) -> tuple[Problem, ...]:
    with pytest.raises(InvalidDataError) as caught:
        serialization.from_document(document)
    return caught.value.problems


def _lines() -> list[dict[str, Any]]:
    text = serialization.dumps_jsonl(samples.small_log())
    return [json.loads(line) for line in text.splitlines()]


def _jsonl(lines: Sequence[object]) -> str:
    return "".join(f"{json.dumps(line)}\n" for line in lines)


def _versions(log: LearningLog) -> list[Record]:
    return list(log.all_versions())


class TestRecordRoundTrip:
    """Every record type survives conversion to plain data and back."""

    @pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda cls: cls.__name__)
    @given(data=st.data())
    def test_structure_of_unstructure_is_identity(
        self, cls: type[Record], data: st.DataObject
    ) -> None:
        """structure(unstructure(x)) == x for every record type, via plain JSON."""
        record = data.draw(strategies.RECORD_STRATEGIES[cls])
        plain = unstructure(record)
        assert json.loads(json.dumps(plain)) == plain
        assert structure_fast(plain, cls) == record
        assert structure_detailed(plain, cls) == record

    @given(strategies.local_codes())
    def test_local_code_round_trips(self, code: LocalCode) -> None:
        """A local code survives conversion to plain data and back."""
        assert structure_fast(unstructure(code), LocalCode) == code

    def test_fields_are_written_in_declaration_order(self) -> None:
        """Every field is written, in the order the class declares them."""
        plain = unstructure(samples.incident())
        assert list(plain)[:3] == ["id", "recorded_by", "recorded_at"]
        assert "police_involved" in plain
        assert plain["occurred"] == "2025-03-01T02:40:00+00:00"


class TestLogRoundTrip:
    """Whole logs survive JSON and JSON Lines, deterministically."""

    @strategies.log_settings()
    @given(strategies.logs())
    def test_json_lines_round_trips_and_agrees_with_json(
        self, log: LearningLog
    ) -> None:
        """A log read back from JSON Lines equals it, dumps identically, and matches JSON."""
        text = serialization.dumps_jsonl(log)
        assert serialization.dumps_jsonl(log) == text
        loaded = serialization.loads_jsonl(text)
        assert _versions(loaded) == _versions(log)
        assert loaded.local_codes == log.local_codes
        assert serialization.dumps_jsonl(loaded) == text
        from_json = serialization.loads_json(serialization.dumps_json(log))
        assert _versions(from_json) == _versions(loaded)
        assert serialization.dumps_jsonl(from_json) == text

    @strategies.log_settings()
    @given(strategies.logs())
    def test_json_round_trips(self, log: LearningLog) -> None:
        """A log read back from a JSON document equals it and dumps identically."""
        text = serialization.dumps_json(log)
        assert serialization.dumps_json(log) == text
        loaded = serialization.loads_json(text)
        assert _versions(loaded) == _versions(log)
        assert serialization.dumps_json(loaded) == text
        assert serialization.dumps_json(
            loaded, indent=False
        ) == serialization.dumps_json(log, indent=False)

    def test_multiple_versions_round_trip_with_history(self) -> None:
        """A JSON Lines document with several versions of a record keeps its history."""
        log = samples.small_log()
        action = log.get("ACT-0001")
        agreed = action.agreed(by="STAFF-RM", at=samples.AT)  # type: ignore[attr-defined]
        log.add(agreed)
        log.add(agreed.started(by="STAFF-RM", at=samples.AT))
        incident = log.get("INC-0001")
        log.add(incident.corrected(by="STAFF-RM", at=samples.AT, reason="typo"))
        loaded = serialization.loads_jsonl(serialization.dumps_jsonl(log))
        assert loaded.history("ACT-0001") == log.history("ACT-0001")
        assert [record.version for record in loaded.history("ACT-0001")] == [1, 2, 3]
        assert loaded.history("INC-0001") == (incident, log.get("INC-0001"))

    def test_versions_may_come_in_any_order(self) -> None:
        """Versions listed newest first in a file are still read as one history."""
        incident = samples.incident()
        fixed = incident.corrected(by="STAFF-RM", at=samples.AT, reason="typo")
        lines = _lines()
        index = next(i for i, line in enumerate(lines) if line.get("id") == "INC-0001")
        lines.insert(index, {"type": "incident", **unstructure(fixed)})
        loaded = serialization.loads_jsonl(_jsonl(lines))
        assert loaded.history("INC-0001") == (incident, fixed)

    def test_header_line_lists_format_and_local_codes(self) -> None:
        """The first JSON Lines line is the header and each record carries its type."""
        lines = _lines()
        assert lines[0] == {"format": "incident_learning/1", "local_codes": []}
        assert lines[1]["type"] == "provider"
        assert len(lines) == 1 + len(samples.small_log())

    def test_blank_lines_are_skipped(self) -> None:
        """Blank lines in JSON Lines are ignored."""
        text = serialization.dumps_jsonl(samples.small_log()).replace("\n", "\n\n")
        assert len(serialization.loads_jsonl(text)) == 21

    def test_bytes_are_read_like_text(self) -> None:
        """JSON and JSON Lines may be given as bytes."""
        log = samples.small_log()
        jsonl = serialization.dumps_jsonl(log).encode()
        document = serialization.dumps_json(log).encode()
        assert _versions(serialization.loads_jsonl(jsonl)) == _versions(log)
        assert _versions(serialization.loads_json(document)) == _versions(log)

    def test_files_round_trip_without_leftovers(self, tmp_path: Path) -> None:
        """dump_json/dump_jsonl write files load_json/load_jsonl read, leaving no temporaries."""
        log = samples.small_log()
        serialization.dump_json(log, tmp_path / "log.json")
        serialization.dump_jsonl(log, tmp_path / "log.jsonl")
        assert _versions(serialization.load_json(tmp_path / "log.json")) == _versions(
            log
        )
        assert _versions(serialization.load_jsonl(tmp_path / "log.jsonl")) == _versions(
            log
        )
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "log.json",
            "log.jsonl",
        ]

    def test_local_codes_round_trip(self) -> None:
        """Declared local codes, and records using them, survive a round trip."""
        code = LocalCode(
            vocabulary="incident_category",
            code="lost_property",
            display="Lost property",
            nearest="information_and_confidentiality",
        )
        incident = samples.incident()
        records = [
            incident.corrected(
                by="X", at=samples.AT, reason="recoded", category="lost_property"
            )
            if record == incident
            else record
            for record in samples.small_records()
        ]
        records.insert(0, incident)
        log = LearningLog(records, local_codes=[code])
        for dumps, loads in (
            (serialization.dumps_json, serialization.loads_json),
            (serialization.dumps_jsonl, serialization.loads_jsonl),
        ):
            loaded = loads(dumps(log))
            assert loaded.local_codes == (code,)
            assert loaded.get("INC-0001", Incident).category == "lost_property"

    def test_stdlib_json_backend_reads_and_writes_the_same(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without orjson the stdlib json module reads and writes equivalent documents."""
        log = samples.small_log()
        with_orjson = (serialization.dumps_json(log), serialization.dumps_jsonl(log))
        monkeypatch.setattr(fmt, "_orjson", None)
        assert (
            serialization.dumps_json(log),
            serialization.dumps_jsonl(log),
        ) == with_orjson
        assert _versions(serialization.loads_json(with_orjson[0])) == _versions(log)
        assert _versions(serialization.loads_jsonl(with_orjson[1])) == _versions(log)
        assert serialization.dumps_json(log, indent=False).count("\n") == 1

    @pytest.mark.parametrize("enabled", [True, False])
    def test_garbage_collector_state_is_restored(self, *, enabled: bool) -> None:
        """Loading pauses the cyclic collector and leaves it as it found it."""
        text = serialization.dumps_jsonl(samples.small_log())
        was = gc.isenabled()
        try:
            if enabled:
                gc.enable()
            else:
                gc.disable()
            serialization.loads_jsonl(text)
            assert gc.isenabled() is enabled
            with pytest.raises(InvalidDataError):
                serialization.loads_jsonl(text.replace('"falls"', '"fall"'))
            assert gc.isenabled() is enabled
        finally:
            if was:
                gc.enable()


class TestFormatHeader:
    """The format string is checked before anything else."""

    @pytest.mark.parametrize("found", ["incident_learning/2", "incident_learning/10"])
    def test_newer_major_is_refused(self, found: str) -> None:
        """A document of a newer major version raises UnsupportedFormatError."""
        document = _document()
        document["format"] = found
        with pytest.raises(
            UnsupportedFormatError, match="upgrade incident_learning"
        ) as caught:
            serialization.from_document(document)
        assert caught.value.found == found
        assert caught.value.supported == "incident_learning/1"
        assert caught.value.problems[0].field == "format"

    def test_newer_major_in_json_lines_is_refused(self) -> None:
        """A JSON Lines header of a newer major version raises UnsupportedFormatError."""
        lines: list[object] = [*_lines()]
        lines[0] = {"format": "incident_learning/2"}
        with pytest.raises(UnsupportedFormatError):
            serialization.loads_jsonl(_jsonl(lines))

    @pytest.mark.parametrize("found", ["incident_learning/0", "incident_learning/01"])
    def test_major_zero_or_padded_is_not_a_format(self, found: str) -> None:
        """Version 0 never existed, and versions are written without zero padding."""
        with pytest.raises(InvalidDataError, match=f"format: is '{found}'"):
            serialization.from_document({"format": found})

    def test_a_huge_version_is_not_a_format(self) -> None:
        """A version of thousands of digits is refused as a problem, not a crash."""
        found = "incident_learning/" + "9" * 5000
        with pytest.raises(InvalidDataError, match="format: is"):
            serialization.from_document({"format": found})

    @pytest.mark.parametrize(
        "found", [None, "incident_learning", "incident_learning/x", "other/1", 1]
    )
    def test_missing_or_garbled_format_is_refused(self, found: object) -> None:
        """A missing or garbled format names the field and the expected value."""
        document = _document()
        document["format"] = found
        if found is None:
            del document["format"]
        (problem,) = _problems(document)
        assert problem.field == "format"
        assert problem.value == found
        assert "expected 'incident_learning/1'" in problem.message
        assert not isinstance(problem, UnsupportedFormatError)

    def test_document_that_is_not_an_object_is_refused(self) -> None:
        """A document that is not an object is refused."""
        (problem,) = _problems([1, 2])
        assert problem.message == "expected an object with a 'format'"

    def test_text_that_is_not_json_is_refused(self) -> None:
        """Text that is not JSON raises InvalidDataError saying so."""
        with pytest.raises(InvalidDataError, match="not valid JSON"):
            serialization.loads_json("{")

    def test_empty_json_lines_is_refused(self) -> None:
        """JSON Lines without a header line is refused at line 1."""
        with pytest.raises(InvalidDataError, match="line 1: is missing") as caught:
            serialization.loads_jsonl("")
        assert caught.value.problems[0].path == "line 1"

    def test_header_that_is_not_json_is_refused(self) -> None:
        """A header line that is not JSON is reported at line 1."""
        with pytest.raises(InvalidDataError, match="line 1: not valid JSON"):
            serialization.loads_jsonl("format\n")

    def test_header_that_is_not_an_object_is_refused(self) -> None:
        """A header line that is not an object is reported at line 1."""
        with pytest.raises(InvalidDataError, match="line 1: expected an object"):
            serialization.loads_jsonl("[]\n")


class TestDocumentProblems:
    """Every problem in a document is reported, with where it is."""

    def test_message_format_names_path_id_and_field(self) -> None:
        """A bad enum value is rendered as path (id).field: message."""
        document = _document()
        document["incidents"][0]["people_affected"][0]["physical_harm"] = "moderat"
        with pytest.raises(InvalidDataError) as caught:
            serialization.from_document(document)
        assert str(caught.value) == (
            "incidents[0] (id INC-0001).people_affected[0].physical_harm: 'moderat' "
            "is not one of 'none', 'low', 'moderate', 'severe', 'fatal'"
        )
        (problem,) = caught.value.problems
        assert problem.path == "incidents[0]"
        assert problem.record_id == "INC-0001"
        assert problem.field == "people_affected[0].physical_harm"
        assert problem.value == "moderat"

    def test_every_problem_is_reported_at_once(self) -> None:
        """Several broken records give several problems, each with path, id and field."""
        document = _document()
        document["incidents"][0]["event_type"] = "incidnet"
        document["services"][0]["service_type"] = "care_home"
        document["actions"][0]["due"] = "30/04/2025"
        document["teams"][0]["colour"] = "red"
        del document["learning_points"][0]["statement"]
        problems = _problems(document)
        located = {(p.path, p.record_id, p.field) for p in problems}
        assert located == {
            ("incidents[0]", "INC-0001", "event_type"),
            ("services[0]", "SVC-OAK", "service_type"),
            ("actions[0]", "ACT-0001", "due"),
            ("teams[0]", "TEAM-OAK-NIGHT", "colour"),
            ("learning_points[0]", "LP-0001", "statement"),
        }
        by_field = {p.field: p for p in problems}
        assert by_field["statement"].message == "is required but missing"
        assert by_field["colour"].value == "red"
        assert "is not a field here" in by_field["colour"].message
        assert (
            by_field["due"].message
            == "'30/04/2025' is not an ISO 8601 date (yyyy-mm-dd)"
        )

    def test_several_problems_in_one_record_are_all_reported(self) -> None:
        """One record with several bad fields reports each of them."""
        document = _document()
        document["incidents"][0]["event_type"] = "x"
        document["incidents"][0]["occurred"] = "yesterday"
        fields = {p.field for p in _problems(document)}
        assert fields == {"event_type", "occurred"}

    def test_dangling_references_name_record_and_field(self) -> None:
        """A reference to a missing record names the record, field and target."""
        document = _document()
        document["learning_responses"][0]["incidents"] = ["INC-0001", "INC-9999"]
        (problem,) = _problems(document)
        assert problem.path == "learning_responses[0]"
        assert problem.record_id == "LR-0001"
        assert problem.field == "incidents[1]"
        assert problem.value == "INC-9999"
        assert problem.message == "refers to 'INC-9999', which is not in the log"

    def test_reference_to_record_that_failed_to_load_is_not_reported_again(
        self,
    ) -> None:
        """Records referring to a record that failed to load report only its own problem."""
        document = _document()
        document["incidents"][0]["category"] = 7
        document["incidents"][0]["occurred"] = "not a time"
        problems = _problems(document)
        assert {p.path for p in problems} == {"incidents[0]"}
        assert all(not p.message.startswith("refers to") for p in problems)

    def test_reference_to_record_without_id_is_reported(self) -> None:
        """A record that is not even an object leaves references to it dangling."""
        document = _document()
        document["incidents"][0] = 5
        problems = _problems(document)
        assert problems[0].path == "incidents[0]"
        assert problems[0].message == "expected an object, found int"
        assert any(p.value == "INC-0001" for p in problems[1:])

    def test_naive_datetime_is_refused(self) -> None:
        """A date and time without an offset is refused, not assumed to be UTC."""
        document = _document()
        document["incidents"][0]["reported_at"] = "2025-03-01T03:05:00"
        (problem,) = _problems(document)
        assert problem.field == "reported_at"
        assert problem.message == "'2025-03-01T03:05:00' has no time zone"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("occurred", 5, "5 is not an ISO 8601 date (yyyy-mm-dd)"),
            (
                "occurred",
                "2025-13-01",
                "'2025-13-01' is not an ISO 8601 date (yyyy-mm-dd)",
            ),
            ("reported_at", 5, "expected an ISO 8601 date and time, found a number 5"),
            (
                "reported_at",
                "2025-03-01Tnoon",
                "'2025-03-01Tnoon' is not an ISO 8601 date and time",
            ),
            ("occurred_until", "soon", "'soon' is not an ISO 8601 date (yyyy-mm-dd)"),
            ("staff_involved", "STAFF-CW1", "expected a list, found text 'STAFF-CW1'"),
            (
                "staff_involved",
                ["STAFF-CW1", 1],
                "expected text, found a number 1",
            ),
            ("staff_involved", [None], "expected text, found null None"),
            (
                "event_type",
                ["incident"],
                "['incident'] is not one of 'incident', 'outcome', 'risk', 'good_care'",
            ),
        ],
    )
    def test_wrong_values_are_refused(
        self, field: str, value: object, message: str
    ) -> None:
        """Badly typed or shaped values are reported with a message a person can act on."""
        document = _document()
        document["incidents"][0][field] = value
        (problem,) = _problems(document)
        # A bad list item may be placed on the item (field[i]) or on the list.
        assert problem.field.startswith(field)
        assert problem.message.endswith(message)

    def test_null_estimated_end_is_accepted(self) -> None:
        """An explicit null for an optional date-or-time field reads as None."""
        document = _document()
        document["incidents"][0]["occurred_until"] = None
        log = serialization.from_document(document)
        assert log.get("INC-0001", Incident).occurred_until is None

    def test_invariant_broken_in_file_is_reported_by_field(self) -> None:
        """A record that breaks an invariant is reported like any other problem."""
        document = _document()
        document["incidents"][0]["reported_at"] = "2025-02-01T00:00:00+00:00"
        (problem,) = _problems(document)
        assert problem.field == "reported_at"
        assert problem.message == "is before the incident occurred"

    def test_nested_problems_carry_the_nested_path(self) -> None:
        """Problems inside nested objects name the full dotted, indexed path."""
        document = _document()
        document["incidents"][0]["people_affected"][0]["person"] = " "
        document["incidents"][0]["people_affected"].append({"person": "P-2", "mood": 1})
        problems = _problems(document)
        assert {(p.field, p.message) for p in problems} == {
            (
                "people_affected[0].person",
                "' ' is not an identifier (1-128 letters, digits or . _ : / -, starting with a letter or digit)",
            ),
            (
                "people_affected[1].mood",
                (
                    "'mood' is not a field here; check the spelling, or the file "
                    "was written by a newer version of incident_learning"
                ),
            ),
        }
        assert {p.value for p in problems} == {" ", 1}

    def test_unknown_section_is_refused(self) -> None:
        """A section that is not a record kind is named with the known ones."""
        document = _document()
        document["incident"] = []
        (problem,) = _problems(document)
        assert problem.field == "incident"
        assert problem.message.startswith(
            "'incident' is not a section; sections are providers"
        )

    def test_section_that_is_not_a_list_is_refused(self) -> None:
        """A section must be a list of records."""
        document = _document()
        document["providers"] = {}
        problems = _problems(document)
        assert problems[0].path == "providers"
        assert problems[0].message == "expected a list of records"

    def test_local_codes_that_are_not_a_list_are_refused(self) -> None:
        """local_codes must be a list."""
        document = _document()
        document["local_codes"] = {}
        (problem,) = _problems(document)
        assert (problem.path, problem.message) == ("local_codes", "expected a list")

    def test_bad_local_code_is_reported_by_index(self) -> None:
        """A local code missing fields is reported under local_codes[i]."""
        document = _document()
        document["local_codes"] = [{"vocabulary": "incident_category", "code": "x"}]
        problems = _problems(document)
        assert {(p.path, p.field) for p in problems} == {
            ("local_codes[0]", "display"),
            ("local_codes[0]", "nearest"),
        }

    def test_missing_local_codes_means_none(self) -> None:
        """A document without local_codes declares none."""
        document = _document()
        del document["local_codes"]
        assert serialization.from_document(document).local_codes == ()

    def test_log_problems_from_a_file_carry_their_path(self) -> None:
        """Integrity problems of a loaded log point at the record's place in the file."""
        document = _document()
        document["incidents"][0]["category"] = "fall"
        (problem,) = _problems(document)
        assert str(problem).startswith(
            "incidents[0] (id INC-0001).category: 'fall' is not a code"
        )

    def test_two_providers_in_a_file_are_refused(self) -> None:
        """A file with two providers is refused with InvalidDataError, not a crash."""
        document = _document()
        second = dict(document["providers"][0], id="PRV-OTHER")
        document["providers"].append(second)
        (problem,) = _problems(document)
        assert problem.field == "providers"


WRONG_TYPES = [
    pytest.param("services", "name", 1, id="number-for-text"),
    pytest.param("incidents", "version", "1", id="text-for-int"),
    pytest.param("incidents", "police_involved", 1, id="number-for-bool"),
    pytest.param("service_exposures", "care_hours", "1.5", id="text-for-float"),
    pytest.param("service_exposures", "staff_in_post", 42.0, id="float-for-int"),
    pytest.param("staff_confidence_checks", "scores", ["2", 3], id="text-in-int-list"),
    pytest.param("staff_confidence_checks", "scores", [True], id="bool-in-int-list"),
    pytest.param("incidents", "reached_person", "true", id="text-for-bool"),
    pytest.param("incidents", "description", ["x"], id="list-for-text"),
]


class TestNoCoercion:
    """Wrong JSON types are refused, never coerced."""

    @pytest.mark.parametrize(("section", "field", "value"), WRONG_TYPES)
    def test_wrong_json_type_is_refused(
        self, section: str, field: str, value: object
    ) -> None:
        """A value of the wrong JSON type is a problem naming the field."""
        document = _document()
        document[section][0][field] = value
        (problem,) = _problems(document)
        assert problem.field.startswith(field)
        assert problem.message.startswith("expected")

    def test_wrong_type_for_datetime_is_refused(self) -> None:
        """A number where a date and time is expected is refused."""
        document = _document()
        document["incidents"][0]["recorded_at"] = 1_700_000_000
        (problem,) = _problems(document)
        assert problem.message.startswith("expected an ISO 8601 date and time")


class TestListsAreLists:
    """A list field given something else is refused as a whole, not iterated."""

    @pytest.mark.parametrize(
        ("section", "field", "value"),
        [
            ("incidents", "people_affected", "x"),
            ("staff_confidence_checks", "scores", "x"),
            ("effectiveness_reviews", "measurements", {}),
        ],
    )
    def test_non_list_is_refused(self, section: str, field: str, value: object) -> None:
        """Text or an object where a list belongs is one problem on the field."""
        document = _document()
        document[section][0][field] = value
        (problem,) = _problems(document)
        assert problem.field == field
        assert problem.message.startswith("expected a list")


class TestJsonLinesProblems:
    """JSON Lines problems are reported by line number, all at once."""

    def test_bad_json_line_reports_the_line_number(self) -> None:
        """A line that is not JSON is reported as line N, counting from 1."""
        text = serialization.dumps_jsonl(samples.small_log()).splitlines()
        text.append('{"type": "incident",')
        with pytest.raises(InvalidDataError) as caught:
            serialization.loads_jsonl("\n".join(text))
        (problem,) = caught.value.problems
        assert problem.path == f"line {len(text)}"
        assert problem.message.startswith("not valid JSON")

    @pytest.mark.parametrize("kind", ["incidnet", None, 3])
    def test_unknown_type_is_refused(self, kind: object) -> None:
        """A line whose type is unknown or missing names the type field."""
        lines: list[object] = [*_lines()]
        line = {"id": "X-1"} if kind is None else {"type": kind, "id": "X-1"}
        lines.append(line)
        with pytest.raises(InvalidDataError) as caught:
            serialization.loads_jsonl(_jsonl(lines))
        (problem,) = caught.value.problems
        assert (problem.path, problem.field, problem.value) == (
            f"line {len(lines)}",
            "type",
            kind,
        )
        assert "expected one of provider, service" in problem.message

    def test_line_that_is_not_an_object_is_refused(self) -> None:
        """A line holding a list instead of a record is refused."""
        lines: list[object] = [*_lines(), [1]]
        with pytest.raises(
            InvalidDataError, match=f"line {len(lines)}: expected an object, found list"
        ):
            serialization.loads_jsonl(_jsonl(lines))

    def test_several_bad_lines_are_all_reported(self) -> None:
        """Problems on several lines are reported together, each with its line."""
        lines = _lines()
        lines[7]["category"] = "fall"
        lines[9]["domain"] = "staffing"
        lines[5]["role"] = "boss"
        with pytest.raises(InvalidDataError) as caught:
            serialization.loads_jsonl(_jsonl(list(lines)))
        assert {(p.path, p.field) for p in caught.value.problems} == {
            ("line 6", "role"),
            ("line 8", "category"),
            ("line 10", "domain"),
        }

    def test_bad_local_code_in_header_is_reported(self) -> None:
        """A bad local code in the header is placed under line 1."""
        lines: list[object] = [*_lines()]
        lines[0] = {"format": "incident_learning/1", "local_codes": [{"code": "x"}]}
        with pytest.raises(InvalidDataError) as caught:
            serialization.loads_jsonl(_jsonl(lines))
        assert {p.path for p in caught.value.problems} == {"line 1.local_codes[0]"}

    @pytest.mark.parametrize("breaker", list(strategies.LINE_BREAKERS))
    def test_unicode_line_separators_in_text_round_trip(self, breaker: str) -> None:
        """Text holding a Unicode line separator survives a JSON Lines round trip."""
        incident = samples.incident()
        fixed = incident.corrected(
            by="STAFF-RM", at=samples.AT, reason="note", description=f"a{breaker}b"
        )
        log = samples.small_log()
        log.add(fixed)
        loaded = serialization.loads_jsonl(serialization.dumps_jsonl(log))
        assert loaded.get("INC-0001") == fixed


class TestProblemsOf:
    """The converter turns cattrs' exception groups into located problems."""

    def _problems_of(self, data: dict[str, Any], cls: type[Record]) -> list[Problem]:
        with pytest.raises(Exception) as caught:  # noqa: PT011 - any cattrs error
            structure_detailed(data, cls)
        return list(problems_of(caught.value, data))

    def test_missing_nested_item_reads_as_none(self) -> None:
        """A problem past the end of a list reports the value as None."""
        data = unstructure(samples.incident())
        data["people_affected"] = [{"person": "P-1", "physical_harm": "bad"}]
        (problem,) = self._problems_of(data, Incident)
        assert problem.field == "people_affected[0].physical_harm"
        assert problem.value == "bad"

    def test_record_without_string_id_has_no_record_id(self) -> None:
        """A record whose id is not text reports no record id."""
        data = unstructure(samples.incident())
        data["id"] = ["INC-1"]
        problems = self._problems_of(data, Incident)
        assert [p.record_id for p in problems] == [None]

    def test_plain_exception_is_one_problem(self) -> None:
        """An error that is not an exception group is one problem for the record."""
        (problem,) = problems_of(ValueError("broken"), ["not", "a", "mapping"])
        assert (problem.record_id, problem.field, problem.message) == (
            None,
            "",
            "broken",
        )

    def test_value_lookup_tolerates_short_lists_and_scalars(self) -> None:
        """Looking a path up in data that lacks it yields None."""
        from incident_learning.serialization.converter import _value_at  # noqa: PLC0415

        assert _value_at({"a": [1]}, "a[3]") is None
        assert _value_at({"a": 1}, "a.b") is None
        assert _value_at({"a": [{"b": 2}]}, "a[0].b") == 2


class TestSections:
    """The sections of a document match the record kinds."""

    def test_sections_are_kind_plurals_in_record_order(self) -> None:
        """SECTIONS maps each record kind's plural to its class, causes first."""
        assert list(serialization.SECTIONS.values()) == list(RECORD_TYPES)
        assert serialization.SECTIONS["incidents"] is Incident
        assert f"incident_learning/{serialization.FORMAT_MAJOR}" == serialization.FORMAT
        assert dict(serialization.MIGRATIONS) == {}

    def test_document_lists_every_section(self) -> None:
        """to_document writes every section, empty ones too."""
        document = serialization.to_document(LearningLog([samples.provider()]))
        assert list(document) == ["format", "local_codes", *serialization.SECTIONS]
        assert document["incidents"] == []

    def test_iter_jsonl_yields_lines_without_newlines(self) -> None:
        """iter_jsonl yields one line per record and no newline characters."""
        lines = list(serialization.iter_jsonl(samples.small_log()))
        assert len(lines) == 22
        assert all("\n" not in line for line in lines)

    def test_copy_of_document_is_independent(self) -> None:
        """to_document returns fresh plain data each time."""
        first = _document()
        second = copy.deepcopy(first)
        first["incidents"].clear()
        assert _document() == second


class TestHeaderAndOrder:
    """The JSON Lines header is strict, and output depends only on the records."""

    def test_an_unknown_header_field_is_refused(self) -> None:
        """A misspelt header field is a problem, not silently ignored."""
        text = serialization.dumps_jsonl(samples.small_log()).replace(
            '"local_codes":[]', '"local_code":[]', 1
        )
        with pytest.raises(
            InvalidDataError,
            match=r"line 1\.local_code: 'local_code' is not a header field",
        ):
            serialization.loads_jsonl(text)

    def test_a_line_of_unknown_type_does_not_make_references_dangle(self) -> None:
        """A record with an unknown type is reported once; references to it are not."""
        text = serialization.dumps_jsonl(samples.small_log()).replace(
            '"type":"team"', '"type":"squad"', 1
        )
        with pytest.raises(InvalidDataError) as caught:
            serialization.loads_jsonl(text)
        assert [problem.field for problem in caught.value.problems] == ["type"]

    def test_the_same_records_in_another_order_write_the_same_text(self) -> None:
        """Output is sorted by kind and id, whatever order the records came in."""
        records = samples.small_records()
        forwards = serialization.dumps_jsonl(LearningLog(records))
        backwards = serialization.dumps_jsonl(LearningLog(tuple(reversed(records))))
        assert forwards == backwards


class TestUnknownTypeWithoutId:
    def test_a_line_of_unknown_type_and_no_id_is_reported(self) -> None:
        """A line with an unknown type and no id is still reported by its line."""
        lines: list[object] = [*_lines(), {"type": "squad"}]
        with pytest.raises(
            InvalidDataError, match=f"line {len(lines)}.type: 'type' is 'squad'"
        ):
            serialization.loads_jsonl(_jsonl(lines))
