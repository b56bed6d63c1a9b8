"""What the FHIR writer and reader share: canonical URLs, ids, code systems, field codecs.

Every record field that FHIR has no element for travels in one complex
extension per resource, :data:`RECORD_EXTENSION`, with one sub-extension per
field named by the field (``people_affected``, ``due``, ...). The value type
follows the field's declared type, so the codec is derived once per record
class from the model's own declarations, as the JSON format's is.
"""

from __future__ import annotations

import enum
import hashlib
import typing
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

import attrs

from incident_learning._codegen import without_none
from incident_learning.model.base import REFERS_TO
from incident_learning.model.codes import BUILT_IN_VOCABULARIES

__all__ = [
    "BASE",
    "CODE_SYSTEM",
    "DERIVED_SYSTEM",
    "LOCAL_CODE_SYSTEM",
    "PERSON_SYSTEM",
    "RECORD_EXTENSION",
    "RECORD_ID_SYSTEM",
    "FieldCodec",
    "codecs_of",
    "fhir_datetime",
    "resource_uuid",
]

BASE: Final = "https://incident-learning.example/fhir"
"""The library's canonical base URL: extensions, code systems, naming systems."""

RECORD_EXTENSION: Final = f"{BASE}/StructureDefinition/record"
"""The complex extension holding a record's fields that FHIR has no element for."""

RECORD_ID_SYSTEM: Final = f"{BASE}/NamingSystem/record-id"
"""The identifier system of record identifiers (``INC-0001``)."""

PERSON_SYSTEM: Final = f"{BASE}/NamingSystem/person"
"""The identifier system of pseudonymous references to people supported."""

DERIVED_SYSTEM: Final = f"{BASE}/NamingSystem/derived"
"""The identifier system of resources derived from records (groups, practitioners)."""

CQC_PROVIDER_SYSTEM: Final = f"{BASE}/NamingSystem/cqc-provider-id"
CQC_LOCATION_SYSTEM: Final = f"{BASE}/NamingSystem/cqc-location-id"


def CODE_SYSTEM(name: str) -> str:  # noqa: N802 - reads as the constant it stands for
    """Return the URL of the library's code system *name* (a vocabulary or enum)."""
    return f"{BASE}/CodeSystem/{name}"


def LOCAL_CODE_SYSTEM(provider_uuid: str, vocabulary: str) -> str:  # noqa: N802
    """Return the URL of a provider's local codes of *vocabulary*."""
    return f"{BASE}/CodeSystem/local/{provider_uuid}/{vocabulary}"


LOCAL_PREFIX: Final = f"{BASE}/CodeSystem/local/"

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, BASE).bytes

# The RFC 9562 variant digit of a version 5 UUID, by the hash's hex digit.
_VARIANT: Final = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def resource_uuid(provider: str, record_id: str) -> str:
    """Return the resource id of *record_id* of *provider*: a name-based UUID.

    The same record always gets the same id, and two providers' ``INC-0001``
    get different ones, so bundles of two providers can sit side by side.
    It is ``uuid.uuid5`` of the library's namespace, spelt out: an export
    makes one per record, and building :class:`uuid.UUID` objects cost a
    third of the time of writing the ids.

    Examples:
        >>> import uuid
        >>> from incident_learning.fhir._shared import BASE, resource_uuid
        >>> namespace = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
        >>> resource_uuid("PRV-1", "INC-0001") == str(
        ...     uuid.uuid5(namespace, "PRV-1" + chr(0x1F) + "INC-0001")
        ... )
        True
    """
    name = f"{provider}\x1f{record_id}".encode()
    digest = hashlib.sha1(_NAMESPACE + name, usedforsecurity=False).hexdigest()
    return (
        f"{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-"
        f"{_VARIANT[digest[16]]}{digest[17:20]}-{digest[20:32]}"
    )


_MAX_OFFSET: Final = timedelta(hours=14)


def fhir_datetime(moment: datetime) -> str:
    """Return *moment* as FHIR ``dateTime`` / ``instant`` text.

    FHIR offsets run from -14:00 to +14:00; a moment recorded at a larger
    offset (which Python allows) is written in UTC: the same instant.
    """
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > _MAX_OFFSET:
        moment = moment.astimezone(UTC)
    return moment.isoformat()


# --- field codecs --------------------------------------------------------------

# The value[x] each kind of field is written as.
REFERENCE = "reference"
STRING = "string"
CODE = "code"
BOOLEAN = "boolean"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"
DATETIME = "datetime"
DATE_OR_DATETIME = "date_or_datetime"
NESTED = "nested"

INT32: Final = 2**31
"""Integers from -INT32 up to INT32 are FHIR ``integer``; others ``integer64``."""


@attrs.frozen
class FieldCodec:
    """How one field travels in the record extension."""

    name: str
    kind: str
    many: bool
    optional: bool
    nested: type | None = None


_CODECS: dict[type, tuple[FieldCodec, ...]] = {}


def _kind(tp: object, field: attrs.Attribute[Any]) -> tuple[str, type | None]:  # noqa: PLR0911
    if tp is str:
        return (REFERENCE if field.metadata.get(REFERS_TO) else STRING), None
    if tp is bool:
        return BOOLEAN, None
    if tp is int:
        return INTEGER, None
    if tp is float:
        return DECIMAL, None
    if tp is datetime:
        return DATETIME, None
    if tp is date:
        return DATE, None
    if set(typing.get_args(tp)) == {datetime, date}:
        return DATE_OR_DATETIME, None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return CODE, None
    if isinstance(tp, type) and attrs.has(tp):
        return NESTED, tp
    msg = f"no FHIR codec for field type {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


def codecs_of(cls: type) -> tuple[FieldCodec, ...]:
    """Return the codec of every field of record or value class *cls*."""
    found = _CODECS.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        codecs = []
        for field in attrs.fields(cls):
            tp, optional = without_none(field.type)
            many = typing.get_origin(tp) is tuple
            inner = typing.get_args(tp)[0] if many else tp
            kind, nested = _kind(inner, field)
            codecs.append(FieldCodec(field.name, kind, many, optional, nested))
        found = _CODECS[cls] = tuple(codecs)
    return found


VALUE_KEYS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        STRING: ("valueString",),
        REFERENCE: ("valueReference",),
        CODE: ("valueCode",),
        BOOLEAN: ("valueBoolean",),
        INTEGER: ("valueInteger", "valueInteger64"),
        DECIMAL: ("valueDecimal",),
        DATE: ("valueDate",),
        DATETIME: ("valueDateTime",),
        DATE_OR_DATETIME: ("valueDateTime", "valueDate"),
    }
)
"""The ``value[x]`` keys a field of each kind may be read from."""

# --- code systems ----------------------------------------------------------------

INCIDENT_CATEGORY: Final = "incident_category"
HARM_LEVEL_SYSTEM: Final = CODE_SYSTEM("harm-level")
EVENT_TYPE_SYSTEM: Final = CODE_SYSTEM("event-type")
RECORD_KIND_SYSTEM: Final = CODE_SYSTEM("record-kind")
SERVICE_TYPE_SYSTEM: Final = CODE_SYSTEM("service-type")
STAFF_ROLE_SYSTEM: Final = CODE_SYSTEM("staff-role")
ACTION_KIND_SYSTEM: Final = CODE_SYSTEM("action-kind")
ACTION_STATUS_SYSTEM: Final = CODE_SYSTEM("action-status")
PROFILE_SYSTEM: Final = CODE_SYSTEM("profile")

SERIOUSNESS_SYSTEM: Final = (
    "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
)
PARTICIPATION_SYSTEM: Final = (
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
)

VOCABULARY_SYSTEMS: Final[Mapping[str, str]] = MappingProxyType(
    {name: CODE_SYSTEM(name) for name in BUILT_IN_VOCABULARIES}
)
"""The code system URL of each built-in vocabulary (``incident_category``, ...)."""
