"""Tests that the fast paths of the converter agree with the cattrs reference."""

from __future__ import annotations

import json
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st
from tests import strategies

import incident_learning.serialization.format as format_module
from incident_learning import samples, serialization
from incident_learning.model import RECORD_TYPES, LearningLog, Measurement, Record
from incident_learning.serialization.converter import (
    _note_path,
    structure_detailed,
    structure_fast,
    unstructure,
    unstructure_native,
    unstructure_reference,
)


def _stdlib_only(function: Any, *args: object) -> Any:
    """Call *function* with the [fast] extra (orjson) hidden."""
    saved = format_module._orjson
    format_module._orjson = None
    try:
        return function(*args)
    finally:
        format_module._orjson = saved


class TestStructurePaths:
    @given(
        st.sampled_from(RECORD_TYPES).flatmap(
            lambda cls: strategies.RECORD_STRATEGIES[cls]
        )
    )
    def test_the_direct_path_gives_the_reference_record(self, record: Record) -> None:
        """The generated direct path builds the same record as cattrs' detailed one."""
        data = json.loads(json.dumps(unstructure(record)))
        fast = structure_fast(dict(data), type(record))
        reference = structure_detailed(dict(data), type(record))
        assert fast == reference == record
        assert unstructure(fast) == unstructure(reference)

    def test_objects_with_optional_fields_left_out_load(self) -> None:
        """Another writer may leave out fields with defaults; they take the defaults."""
        incident = samples.incident()
        data = unstructure(incident)
        for name in (
            "version",
            "entered_in_error",
            "amendment_reason",
            "riddor_report",
        ):
            del data[name]
        assert structure_fast(data, type(incident)) == incident


class TestDumpPaths:
    @strategies.log_settings()
    @given(strategies.logs())
    def test_orjson_and_the_stdlib_write_the_same_bytes(self, log: LearningLog) -> None:
        """With or without the [fast] extra, the same log gives the same text."""
        assert _stdlib_only(
            serialization.dumps_jsonl, log
        ) == serialization.dumps_jsonl(log)
        assert _stdlib_only(serialization.dumps_json, log) == serialization.dumps_json(
            log
        )

    @strategies.log_settings()
    @given(strategies.logs())
    def test_the_stdlib_reads_back_what_it_wrote(self, log: LearningLog) -> None:
        """Without the [fast] extra, a log still round-trips through both formats."""
        text = _stdlib_only(serialization.dumps_jsonl, log)
        again = _stdlib_only(serialization.loads_jsonl, text)
        assert list(again.all_versions()) == list(log.all_versions())

    def test_native_data_is_the_plain_data_once_encoded(self) -> None:
        """orjson writes the native form exactly as json writes the plain form."""
        import orjson  # noqa: PLC0415 - the [fast] extra, installed for tests

        for record in samples.small_records():
            plain = json.dumps(
                unstructure(record), separators=(",", ":"), ensure_ascii=False
            )
            assert orjson.dumps(unstructure_native(record)).decode() == plain

    def test_plain_data_holds_no_enum_members(self) -> None:
        """to_document gives plain str values, not enum members."""
        document = serialization.to_document(samples.small_log())
        kind = document["actions"][0]["kind"]
        assert type(kind) is str

    def test_every_record_type_has_every_field_written(self) -> None:
        """Every field of every record type is written, defaults included."""
        for record in samples.small_records():
            assert list(unstructure(record)) == [
                f.name for f in attrs.fields(type(record))
            ]


class TestReferenceUnstructure:
    @given(
        st.sampled_from(RECORD_TYPES).flatmap(
            lambda cls: strategies.RECORD_STRATEGIES[cls]
        )
    )
    def test_generated_unstructure_matches_cattrs(self, record: Record) -> None:
        """The generated unstructure gives what the cattrs converter gives."""
        assert unstructure(record) == unstructure_reference(record)

    def test_an_int_in_a_float_field_is_written_as_a_float(self) -> None:
        """A float field holding an int is written as a float, so rewriting is stable."""
        measurement = Measurement(name="falls per month", value=5)
        assert unstructure(measurement)["value"] == 5.0
        assert type(unstructure_reference(measurement)["value"]) is float


class TestNotePaths:
    def test_notes_that_are_not_cattrs_notes_leave_the_path(self) -> None:
        """A plain text note on an error does not change where it is reported."""
        error = ValueError("bad")
        error.add_note("a note from elsewhere")
        assert _note_path(error, "people_affected") == "people_affected"
