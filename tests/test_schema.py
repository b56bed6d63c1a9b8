"""Tests for the JSON Schema of the format: shipped, valid, and true to the library."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples, serialization
from incident_learning.exceptions import InvalidDataError
from incident_learning.model import LearningLog, PersonAffected
from incident_learning.serialization.schema import (
    DOCUMENT_SCHEMA_FILE,
    LINE_SCHEMA_FILE,
    _define,
    json_lines_schema,
    json_schema,
    schema_text,
    shipped_schema,
)

CHECKER = jsonschema.FormatChecker()


def _document_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_schema(), format_checker=CHECKER)


def _line_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_lines_schema(), format_checker=CHECKER)


def _errors(document: dict[str, Any]) -> list[str]:
    return [error.message for error in _document_validator().iter_errors(document)]


class TestShippedSchema:
    @pytest.mark.parametrize(
        ("name", "build"),
        [(DOCUMENT_SCHEMA_FILE, json_schema), (LINE_SCHEMA_FILE, json_lines_schema)],
    )
    def test_the_shipped_files_match_the_model(self, name: str, build: Any) -> None:
        """The schema files in the package are exactly what the model generates."""
        assert shipped_schema(name) == build()
        assert schema_text(build()).endswith("}\n")

    @pytest.mark.parametrize("build", [json_schema, json_lines_schema])
    def test_the_schemas_are_valid_draft_2020_12(self, build: Any) -> None:
        """Both schemas are themselves valid JSON Schema (draft 2020-12)."""
        jsonschema.Draft202012Validator.check_schema(build())

    def test_every_section_and_record_type_is_described(self) -> None:
        """Each document section points at the definition of its record type."""
        schema = json_schema()
        for section, cls in serialization.SECTIONS.items():
            assert schema["properties"][section]["items"] == {
                "$ref": f"#/$defs/{cls.__name__}"
            }
            assert schema["$defs"][cls.__name__]["additionalProperties"] is False

    def test_required_fields_are_those_without_defaults(self) -> None:
        """A field is required exactly when the record has no default for it."""
        incident = json_schema()["$defs"]["Incident"]
        assert "description" in incident["required"]
        assert "immediate_actions" not in incident["required"]
        assert incident["properties"]["event_type"]["default"] == "incident"


class TestWrittenDocumentsValidate:
    def test_the_example_provider_validates(self) -> None:
        """The bundled example, as written, validates as a document and line by line."""
        log = samples.example_log()
        _document_validator().validate(json.loads(serialization.dumps_json(log)))
        validator = _line_validator()
        # split on newlines only: str.splitlines also breaks at U+2028
        for line in serialization.dumps_jsonl(log).rstrip("\n").split("\n"):
            validator.validate(json.loads(line))

    @strategies.log_settings()
    @given(strategies.logs())
    def test_any_written_log_validates(self, log: LearningLog) -> None:
        """Every document the library writes validates against the schema."""
        _document_validator().validate(json.loads(serialization.dumps_json(log)))
        validator = _line_validator()
        # split on newlines only: str.splitlines also breaks at U+2028
        for line in serialization.dumps_jsonl(log).rstrip("\n").split("\n"):
            validator.validate(json.loads(line))


class TestSchemaRefusesWhatTheLibraryRefuses:
    @pytest.mark.parametrize(
        ("section", "field", "value"),
        [
            ("incidents", "event_type", "near_miss"),
            ("incidents", "recorded_at", "2025-03-03T09:00:00"),
            ("incidents", "occurred", "01/03/2025"),
            ("incidents", "service", "SVC OAK"),
            ("incidents", "description", "   "),
            ("actions", "learning_points", []),
            ("services", "name", 7),
            ("staff_members", "nickname", "Al"),
        ],
    )
    def test_a_bad_value_fails_both(
        self, section: str, field: str, value: object
    ) -> None:
        """A value the loader refuses is refused by the schema as well."""
        document = json.loads(serialization.dumps_json(samples.small_log()))
        document[section][0][field] = value
        assert _errors(document)
        with pytest.raises(InvalidDataError):
            serialization.from_document(document)

    def test_a_newer_format_string_still_matches_the_pattern(self) -> None:
        """The schema checks the shape of the format string; the reader its version."""
        document = json.loads(serialization.dumps_json(samples.small_log()))
        document["format"] = "incident_learning/one"
        assert _errors(document)


class TestDefinitions:
    def test_a_value_object_used_twice_is_defined_once(self) -> None:
        """Defining a class already defined changes nothing."""
        defs: dict[str, Any] = {}
        _define(PersonAffected, defs)
        first = dict(defs)
        _define(PersonAffected, defs)
        assert defs == first
