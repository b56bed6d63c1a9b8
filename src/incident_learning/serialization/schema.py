"""The JSON Schema of the ``incident_learning/1`` format, generated from the model.

The schema is derived from the record classes' fields and metadata, so it
cannot drift from the code; the copies shipped in the package
(``incident_learning-1.schema.json`` for documents and
``incident_learning-1.line.schema.json`` for JSON Lines lines) are checked
against the generated one by the tests.

Run ``python -m incident_learning.serialization.schema`` to rewrite them.
"""

import enum
import json
import typing
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs

from incident_learning._codegen import without_none
from incident_learning.model import RECORD_TYPES, LocalCode
from incident_learning.model.base import (
    ID_PATTERN,
    IS_ID,
    MAX_SAFE_INTEGER,
    MIN_ITEMS,
    REFERS_TO,
)
from incident_learning.serialization.format import FORMAT_MAJOR, SECTIONS

__all__ = [
    "DOCUMENT_SCHEMA_FILE",
    "LINE_SCHEMA_FILE",
    "json_lines_schema",
    "json_schema",
    "schema_text",
    "shipped_schema",
]

DOCUMENT_SCHEMA_FILE: Final = f"incident_learning-{FORMAT_MAJOR}.schema.json"
LINE_SCHEMA_FILE: Final = f"incident_learning-{FORMAT_MAJOR}.line.schema.json"
_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
_BASE_URI: Final = "https://incident-learning.invalid/schema/"

_ID: Final = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}
_TEXT: Final = {"type": "string", "pattern": r"\S"}
_DATE: Final = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_DATETIME: Final = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$",
}
_FORMAT: Final = {"type": "string", "pattern": r"^incident_learning/\d+$"}


def _scalar(tp: object, *, is_id: bool, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911
    if tp is str:
        return dict(_ID if is_id else _TEXT)
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER}
    if tp is float:
        return {"type": "number"}
    if tp is datetime:
        return dict(_DATETIME)
    if tp is date:
        return dict(_DATE)
    if set(typing.get_args(tp)) == {datetime, date}:
        return {"anyOf": [dict(_DATETIME), dict(_DATE)]}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [member.value for member in tp]}
    if isinstance(tp, type) and attrs.has(tp):
        _define(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    msg = f"no schema for {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


def _field_schema(
    field: "attrs.Attribute[Any]", defs: dict[str, Any]
) -> dict[str, Any]:
    tp, optional = without_none(field.type)
    is_id = bool(field.metadata.get(REFERS_TO) or field.metadata.get(IS_ID))
    if typing.get_origin(tp) is tuple:
        schema: dict[str, Any] = {
            "type": "array",
            "items": _scalar(typing.get_args(tp)[0], is_id=is_id, defs=defs),
        }
        if field.metadata.get(MIN_ITEMS):
            schema["minItems"] = field.metadata[MIN_ITEMS]
    else:
        schema = _scalar(tp, is_id=is_id, defs=defs)
    if field.name == "version":
        schema["minimum"] = 1  # versions count from 1 (see Record)
    if field.metadata.get(REFERS_TO):
        schema["description"] = "Identifier of a " + " or ".join(
            field.metadata[REFERS_TO]
        )
    if optional:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if field.default is not attrs.NOTHING:
        default = field.default
        schema["default"] = (
            default.value
            if isinstance(default, enum.Enum)
            else (list(default) if isinstance(default, tuple) else default)
        )
    return schema


def _define(cls: type, defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # reserve the name before recursing
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    summary = (cls.__doc__ or "").strip().splitlines()[0]
    defs[cls.__name__] = {
        "type": "object",
        "description": summary,
        "properties": {field.name: _field_schema(field, defs) for field in fields},
        "required": [field.name for field in fields if field.default is attrs.NOTHING],
        "additionalProperties": False,
    }


def _definitions() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _define(LocalCode, defs)
    for cls in RECORD_TYPES:
        _define(cls, defs)
    return dict(sorted(defs.items()))


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a JSON document.

    Examples:
        >>> from incident_learning.serialization.schema import json_schema
        >>> schema = json_schema()
        >>> schema["properties"]["incidents"]["items"]
        {'$ref': '#/$defs/Incident'}
        >>> schema["$defs"]["PersonAffected"]["properties"]["physical_harm"]["enum"]
        ['none', 'low', 'moderate', 'severe', 'fatal']
    """
    properties: dict[str, Any] = {
        "format": _FORMAT,
        "local_codes": {"type": "array", "items": {"$ref": "#/$defs/LocalCode"}},
    }
    for section, cls in SECTIONS.items():
        properties[section] = {
            "type": "array",
            "items": {"$ref": f"#/$defs/{cls.__name__}"},
        }
    return {
        "$schema": _DIALECT,
        "$id": f"{_BASE_URI}{DOCUMENT_SCHEMA_FILE}",
        "title": f"incident_learning/{FORMAT_MAJOR} document",
        "type": "object",
        "properties": properties,
        "required": ["format"],
        "additionalProperties": False,
        "$defs": _definitions(),
    }


def json_lines_schema() -> dict[str, Any]:
    """Return the JSON Schema of one line of a JSON Lines file.

    The first line is a header (``format`` and ``local_codes``); every other
    line is a record whose ``type`` names its kind.

    Examples:
        >>> from incident_learning.serialization.schema import json_lines_schema
        >>> [branch["$ref"] for branch in json_lines_schema()["oneOf"]][:2]
        ['#/$defs/Header', '#/$defs/ProviderLine']
    """
    defs = _definitions()
    branches = [{"$ref": "#/$defs/Header"}]
    defs["Header"] = {
        "type": "object",
        "properties": {
            "format": _FORMAT,
            "local_codes": {"type": "array", "items": {"$ref": "#/$defs/LocalCode"}},
        },
        "required": ["format"],
        "additionalProperties": False,
    }
    for cls in RECORD_TYPES:
        record = defs[cls.__name__]
        line = {
            **record,
            "properties": {"type": {"const": cls.record_kind}, **record["properties"]},
            "required": ["type", *record["required"]],
        }
        defs[f"{cls.__name__}Line"] = line
        branches.append({"$ref": f"#/$defs/{cls.__name__}Line"})
    return {
        "$schema": _DIALECT,
        "$id": f"{_BASE_URI}{LINE_SCHEMA_FILE}",
        "title": f"incident_learning/{FORMAT_MAJOR} JSON Lines line",
        "oneOf": branches,
        "$defs": defs,
    }


def schema_text(schema: dict[str, Any]) -> str:
    """Return *schema* as the text of a shipped schema file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def shipped_schema(name: str = DOCUMENT_SCHEMA_FILE) -> dict[str, Any]:
    """Return a schema file shipped in the package, parsed.

    Examples:
        >>> from incident_learning.serialization.schema import (
        ...     json_schema,
        ...     shipped_schema,
        ... )
        >>> shipped_schema() == json_schema()
        True
    """
    text = (
        resources.files("incident_learning.serialization")
        .joinpath(name)
        .read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _write_shipped() -> None:  # pragma: no cover - a maintainer's command
    folder = Path(__file__).parent
    (folder / DOCUMENT_SCHEMA_FILE).write_text(schema_text(json_schema()), "utf-8")
    (folder / LINE_SCHEMA_FILE).write_text(schema_text(json_lines_schema()), "utf-8")


if __name__ == "__main__":  # pragma: no cover
    _write_shipped()
