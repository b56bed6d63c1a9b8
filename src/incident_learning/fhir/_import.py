"""Reading FHIR R5 (and converted R4) AdverseEvents and Bundles into a log."""

from __future__ import annotations

import contextlib
import enum
import json
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from incident_learning._collector import collector_paused
from incident_learning.exceptions import InvalidDataError, Problem
from incident_learning.fhir._export import ACTION_EXTENSION, FACTOR_EXTENSION
from incident_learning.fhir._shared import (
    DERIVED_SYSTEM,
    INCIDENT_CATEGORY,
    LOCAL_PREFIX,
    RECORD_EXTENSION,
    RECORD_ID_SYSTEM,
    RECORD_KIND_SYSTEM,
    REFERENCE,
    SERIOUSNESS_SYSTEM,
    VALUE_KEYS,
    VOCABULARY_SYSTEMS,
    FieldCodec,
    codecs_of,
)
from incident_learning.model import (
    RECORD_TYPES,
    Incident,
    LearningLog,
    LocalCode,
    Record,
)
from incident_learning.model.codes import BUILT_IN_VOCABULARIES
from incident_learning.serialization.converter import (
    problems_of,
    structure_detailed,
    structure_fast,
)
from incident_learning.serialization.format import checked_log

__all__ = ["R4_FIELDS", "FhirImport", "from_fhir", "loads_fhir_json"]

_KINDS: Final = {cls.record_kind: cls for cls in RECORD_TYPES}

_BY_RESOURCE: Final = {
    "AdverseEvent": "incident",
    "Task": "action",
    "Location": "service",
    "PractitionerRole": "staff_member",
}
"""Record kinds fixed by the resource type; Organization and Basic carry a kind code."""

R4_FIELDS: Final = {
    "event": "code",
    "date": "occurrenceDateTime",
    "resultingCondition": "resultingEffect",
    "contributor": "participant.actor",
    "subjectMedicalHistory": "supportingInfo.itemReference",
    "referenceDocument": "supportingInfo.itemReference",
    "severity": "(none: R5 dropped it)",
}
"""AdverseEvent elements only R4 has, and what R5 calls them."""

# AdverseEvent elements the reader maps, and those it knows to be derived.
_READ: Final = frozenset(
    {
        "resourceType",
        "id",
        "meta",
        "identifier",
        "status",
        "actuality",
        "category",
        "code",
        "occurrenceDateTime",
        "occurrencePeriod",
        "detected",
        "recordedDate",
        "location",
        "recorder",
        "participant",
        "mitigatingAction",
        "note",
        "extension",
        "subject",
        "contained",
        "seriousness",
        "outcome",
        "contributingFactor",
        "preventiveAction",
    }
)

_REQUIRED: Final = {
    "service": "location",
    "category": "category",
    "occurred": "occurrence[x]",
    "reported_at": "detected or recordedDate",
    "description": "note",
    "recorded_by": "record extension",
    "recorded_at": "meta.lastUpdated",
}
"""Incident fields the model requires, with the element they come from."""

_SERIOUSNESS_R4: Final = {"Serious": "serious", "Non-serious": "non-serious"}


@attrs.frozen(kw_only=True)
class FhirImport:
    """What :func:`from_fhir` read: the log, and everything it could not hold.

    Attributes:
        log: The log: the records of *into* (if given) and those read.
        fhir_version: ``"R5"``, or ``"R4"`` for R4 input converted to R5.
        not_held: Every element or code read but not held by the model, each
            with where it was (path, field) and its value; nothing is dropped
            unreported.
        conversions: What was converted or filled in, in reading order: the
            R4 -> R5 renames, and model fields taken from defaults or from
            another element.
    """

    log: LearningLog
    fhir_version: str
    not_held: tuple[Problem, ...]
    conversions: tuple[str, ...]


def _summary(value: object) -> object:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return text if len(text) <= 120 else f"{text[:117]}..."


def _plain_default(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


_TEMPLATES: dict[type, dict[str, Any]] = {}


def _template(cls: type) -> dict[str, Any]:
    """Return the plain form of *cls*'s defaults, every defaulted field present."""
    found = _TEMPLATES.get(cls)
    if found is None:
        found = {
            field.name: _plain_default(field.default)
            for field in attrs.fields(cls)
            if field.default is not attrs.NOTHING
            and not isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
        }
        _TEMPLATES[cls] = found
    return found


# Per class: each field's name, whether it is a tuple, the one value[x] key
# its value is read from (None: a nested value, or a kind with more than one
# key, read by the general path), and its codec.
_Plan = Mapping[str, tuple[str, bool, str | None, FieldCodec]]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """Return how each sub-extension of a *cls* record extension is read, by url."""
    plan = {}
    for codec in codecs_of(cls):
        keys = VALUE_KEYS.get(codec.kind, ())
        key = keys[0] if len(keys) == 1 else None
        plan[codec.name] = (codec.name, codec.many, key, codec)
    _PLANS[cls] = plan
    return plan


def _codings(concept: object) -> list[Any]:
    if isinstance(concept, Mapping):
        codings = concept.get("coding")
        if isinstance(codings, list):
            return codings
    return []


def r4_fields(resource: Mapping[str, Any]) -> list[str]:
    """Return the R4-only elements of an AdverseEvent, in a fixed order."""
    found = [name for name in R4_FIELDS if name in resource]
    if isinstance(resource.get("identifier"), Mapping):
        found.append("identifier")
    if isinstance(resource.get("outcome"), Mapping):
        found.append("outcome")
    suspects = resource.get("suspectEntity")
    if isinstance(suspects, list):
        found.extend(
            f"suspectEntity[{index}].instance"
            for index, suspect in enumerate(suspects)
            if isinstance(suspect, Mapping) and "instance" in suspect
        )
    return found


def _to_r5(  # noqa: PLR0912 - one branch per rename
    resource: Mapping[str, Any], path: str, notes: list[str]
) -> dict[str, Any]:
    """Return an R4 AdverseEvent converted to R5, noting each change."""
    converted = dict(resource)

    def note(before: str, after: str) -> None:
        notes.append(f"{path}: R4 {before} -> R5 {after}")

    if isinstance(converted.get("identifier"), Mapping):
        converted["identifier"] = [converted["identifier"]]
        note("identifier (one)", "identifier (a list)")
    if "event" in converted:
        converted["code"] = converted.pop("event")
        note("event", "code")
    if "date" in converted:
        converted["occurrenceDateTime"] = converted.pop("date")
        note("date", "occurrenceDateTime")
    if isinstance(converted.get("outcome"), Mapping):
        converted["outcome"] = [converted["outcome"]]
        note("outcome (one)", "outcome (a list)")
    if "resultingCondition" in converted:
        converted["resultingEffect"] = converted.pop("resultingCondition")
        note("resultingCondition", "resultingEffect")
    if "contributor" in converted:
        converted["participant"] = [
            {"actor": actor} for actor in converted.pop("contributor")
        ]
        note("contributor", "participant.actor")
    info = [
        {"itemReference": item}
        for name in ("subjectMedicalHistory", "referenceDocument")
        for item in converted.pop(name, ())
    ]
    if info:
        converted["supportingInfo"] = info
        note("subjectMedicalHistory and referenceDocument", "supportingInfo")
    suspects = converted.get("suspectEntity")
    if isinstance(suspects, list):
        renamed = []
        for suspect in suspects:
            if isinstance(suspect, Mapping) and "instance" in suspect:
                suspect = dict(suspect)  # noqa: PLW2901 - a converted copy
                suspect["instanceReference"] = suspect.pop("instance")
            renamed.append(suspect)
        converted["suspectEntity"] = renamed
        note("suspectEntity.instance", "suspectEntity.instanceReference")
    seriousness = converted.get("seriousness")
    for coding in _codings(seriousness):
        assert isinstance(seriousness, Mapping)  # noqa: S101 - it has codings
        if (
            coding.get("system") == SERIOUSNESS_SYSTEM
            and coding.get("code") in _SERIOUSNESS_R4
        ):
            converted["seriousness"] = {
                **seriousness,
                "coding": [
                    {**c, "code": _SERIOUSNESS_R4.get(c.get("code"), c.get("code"))}
                    for c in _codings(seriousness)
                ],
            }
            note("seriousness code Serious/Non-serious", "serious/non-serious")
            break
    if "status" not in converted:
        converted["status"] = "completed"
        note("(no status)", "status 'completed'")
    return converted


class _Reader:
    """One import: the entries, the urn index, and what was found."""

    def __init__(
        self,
        defaults: Mapping[str, Any],
        r4: str,
    ) -> None:
        self.defaults = defaults
        self.r4 = r4
        self.problems: list[Problem] = []
        self.not_held: list[Problem] = []
        self.conversions: list[str] = []
        self.records: list[Record] = []
        self.paths: list[str] = []
        self.local_codes: list[tuple[int, LocalCode]] = []
        self.local_systems: dict[str, str] = {}
        self.urns: dict[str, str] = {}
        # Ids of records that failed to read: references to them are not
        # reported again as dangling.
        self.unloaded: set[str] = set()
        self.version = "R5"

    # --- reporting -------------------------------------------------------------

    def problem(self, path: str, field: str, value: object, message: str) -> None:
        self.problems.append(
            Problem(path=path, field=field, value=value, message=message)
        )

    def unheld(self, path: str, field: str, value: object, message: str) -> None:
        self.not_held.append(
            Problem(path=path, field=field, value=_summary(value), message=message)
        )

    # --- entries -----------------------------------------------------------------

    def entries(self, data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
        """Return (path, resource) for every resource, indexing our record urns."""
        kind = data.get("resourceType")
        if kind == "AdverseEvent":
            found = [("", data)]
        else:
            if data.get("type") not in (
                "collection",
                "transaction",
                "batch",
                "searchset",
                "document",
                "message",
                "history",
                "transaction-response",
                "batch-response",
                "subscription-notification",
            ):
                self.problem("", "type", data.get("type"), "is not a Bundle type")
            raw = data.get("entry", [])
            if not isinstance(raw, list):
                self.problem("", "entry", _summary(raw), "expected a list of entries")
                raw = []
            found = []
            for index, entry in enumerate(raw):
                path = f"entry[{index}]"
                resource = (
                    entry.get("resource")
                    if type(entry) is dict or isinstance(entry, Mapping)
                    else None
                )
                if not (
                    type(resource) is dict or isinstance(resource, Mapping)
                ) or not isinstance(resource.get("resourceType"), str):
                    self.problem(
                        path,
                        "resource",
                        _summary(entry),
                        "expected a resource with a resourceType",
                    )
                    continue
                found.append((f"{path}.resource", resource))
                full_url = entry.get("fullUrl")
                record_id = _record_id(resource)
                if isinstance(full_url, str) and record_id is not None:
                    self.urns[full_url] = record_id
            for key in sorted(
                set(data) - {"resourceType", "type", "entry", "meta", "id"}
            ):
                self.unheld(
                    "", key, data[key], "is a Bundle element the model does not hold"
                )
        return found

    def r4_check(
        self, found: list[tuple[str, Mapping[str, Any]]]
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """Return the entries with R4 AdverseEvents converted, or refuse them."""
        refused: list[Problem] = []
        converted: list[tuple[str, Mapping[str, Any]]] = []
        for path, resource in found:
            if resource.get("resourceType") == "AdverseEvent":
                fields = r4_fields(resource)
                if fields:
                    self.version = "R4"
                    if self.r4 == "reject":
                        refused.extend(
                            Problem(
                                path=path,
                                field=name,
                                value=_summary(resource.get(name.split("[")[0])),
                                message=_r4_message(name),
                            )
                            for name in fields
                        )
                        continue
                    converted.append(
                        (
                            path,
                            _to_r5(resource, path or "AdverseEvent", self.conversions),
                        )
                    )
                    continue
            converted.append((path, resource))
        if refused:
            raise InvalidDataError(refused)
        return converted

    # --- resources -------------------------------------------------------------------

    def read(self, path: str, resource: Mapping[str, Any]) -> None:
        """Read one resource: a record, local codes, something derived, or not held."""
        resource_type = resource["resourceType"]
        extension = _record_extension(resource)
        if resource_type == "CodeSystem" and str(resource.get("url", "")).startswith(
            LOCAL_PREFIX
        ):
            self.read_local_codes(path, resource)
            return
        if _is_derived(resource):
            return  # a Group or Practitioner made from records: held in them
        if extension is None and resource_type != "AdverseEvent":
            self.unheld(
                path,
                "",
                resource_type,
                f"a {resource_type} is not a record the model holds",
            )
            return
        kind = _BY_RESOURCE.get(resource_type) or _kind_code(resource)
        cls = _KINDS.get(kind or "")
        if cls is None:
            self.problem(
                path,
                "code",
                kind,
                f"a {resource_type} of no record kind this library writes",
            )
            return
        plain = dict(_template(cls))
        ours = extension is not None
        if extension is not None:
            plain["id"] = _record_id(resource)
            found = resource.get("meta")
            meta: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
            version = meta.get("versionId")
            plain["version"] = (
                int(version)
                if isinstance(version, str) and version.isdigit()
                else version
            )
            plain["recorded_at"] = meta.get("lastUpdated")
            self.decode(extension, cls, plain, path, "extension[record]")
        if cls is Incident and not self.incident(path, resource, plain, ours=ours):
            record = None  # required fields are missing: each is already named
        else:
            record = self.structure(plain, cls, path)
        if record is not None:
            self.records.append(record)
            self.paths.append(path)
        elif isinstance(plain.get("id"), str):
            self.unloaded.add(plain["id"])

    def structure(self, plain: dict[str, Any], cls: type[Any], path: str) -> Any:
        with contextlib.suppress(Exception):  # a failure is re-run in detail
            return structure_fast(plain, cls)
        try:
            return structure_detailed(plain, cls)
        except (Exception, ExceptionGroup) as error:
            self.problems.extend(p.within(path) for p in problems_of(error, plain))
        return None

    def decode(
        self,
        extension: Mapping[str, Any],
        cls: type,
        plain: dict[str, Any],
        path: str,
        where: str,
    ) -> None:
        """Fill *plain* with the fields in a (nested) record extension."""
        plan = _PLANS.get(cls) or _plan(cls)
        started: set[str] = set()
        parts = extension.get("extension", [])
        for index, part in enumerate(parts if isinstance(parts, list) else ()):
            # type() first: the Mapping check is an ABC check, slow per part.
            url = (
                part.get("url")
                if type(part) is dict or isinstance(part, Mapping)
                else None
            )
            found = plan.get(url) if isinstance(url, str) else None
            if found is None:
                at = f"{where}.extension[{index}]"
                self.unheld(path, at, part, f"{url!r} is not a field of {cls.__name__}")
                continue
            name, many, key, codec = found
            if key is not None and key in part:
                value: Any = part[key]  # the one value[x] of a plain field
                if codec.kind == REFERENCE:
                    target = value.get("reference") if type(value) is dict else None
                    value = self.urns.get(target) if type(target) is str else None
                    if value is None:  # anything else takes the checked path
                        at = f"{where}.extension[{index}]"
                        value = self.resolve(part[key], path, at)
            elif codec.nested is not None:
                at = f"{where}.extension[{index}]"
                value = dict(_template(codec.nested))
                if part.get("valueBoolean") is not True:
                    self.decode(part, codec.nested, value, path, at)
            else:
                at = f"{where}.extension[{index}]"
                value = self.value(part, codec.kind, path, at)
            if many:
                # A fresh list: the template's default is shared.
                if name not in started:
                    started.add(name)
                    plain[name] = [value]
                else:
                    plain[name].append(value)
            else:
                plain[name] = value

    def value(self, part: Mapping[str, Any], kind: str, path: str, at: str) -> Any:
        """Return the plain value of one sub-extension of *kind*, not a reference.

        A reference, and a value of the one ``value[x]`` key of its kind, is
        read in :meth:`decode`; this is the general path.
        """
        for key in VALUE_KEYS[kind]:
            if key in part:
                value = part[key]
                if key == "valueInteger64" and isinstance(value, str):
                    try:
                        return int(value)
                    except ValueError:
                        return value  # the model names the wrong value
                return value
        self.problem(
            path, at, _summary(part), f"expected one of {', '.join(VALUE_KEYS[kind])}"
        )
        return None

    def resolve(self, reference: object, path: str, at: str) -> str | None:
        """Return the record id a reference names, or ``None`` with a problem."""
        target = reference.get("reference") if isinstance(reference, Mapping) else None
        record_id = self.urns.get(target) if isinstance(target, str) else None
        if record_id is None:
            self.problem(
                path, at, _summary(reference), "refers to no record in the bundle"
            )
        return record_id

    def read_local_codes(self, path: str, resource: Mapping[str, Any]) -> None:
        """Read a CodeSystem of local codes."""
        url = resource["url"]
        vocabulary = url.rsplit("/", 1)[-1]
        if vocabulary not in BUILT_IN_VOCABULARIES:
            self.problem(path, "url", url, f"{vocabulary!r} is not a vocabulary")
            return
        self.local_systems[url] = vocabulary
        for index, concept in enumerate(resource.get("concept", [])):
            properties = {
                prop.get("code"): prop.get("valueCode", prop.get("valueInteger"))
                for prop in concept.get("property", [])
            }
            code, display, nearest = (
                concept.get("code"),
                concept.get("display"),
                properties.get("nearest"),
            )
            if not (
                isinstance(code, str)
                and isinstance(display, str)
                and isinstance(nearest, str)
            ):
                message = "needs a code, a display and a nearest code (text)"
                self.problem(path, f"concept[{index}]", _summary(concept), message)
                continue
            local = LocalCode(
                vocabulary=vocabulary, code=code, display=display, nearest=nearest
            )
            position = properties.get("position")
            self.local_codes.append(
                (position if isinstance(position, int) else 10**9 + index, local)
            )

    # --- incidents -------------------------------------------------------------

    def incident(  # noqa: PLR0912, PLR0915 - one branch per element
        self,
        path: str,
        resource: Mapping[str, Any],
        plain: dict[str, Any],
        *,
        ours: bool,
    ) -> bool:
        """Fill *plain* with the incident fields held in AdverseEvent elements.

        Returns whether every field the model requires was found.
        """
        for key in resource:
            if key not in _READ:
                self.unheld(
                    path,
                    key,
                    resource[key],
                    "is an AdverseEvent element the model does not hold",
                )
        if not ours:
            plain["id"] = _record_id(resource) or resource.get("id")
            for index, identifier in enumerate(resource.get("identifier", ())):
                if not (
                    isinstance(identifier, Mapping)
                    and identifier.get("system") == RECORD_ID_SYSTEM
                ):
                    self.unheld(
                        path,
                        f"identifier[{index}]",
                        identifier,
                        "is an identifier the model does not hold (the record id is the resource id)",
                    )
            meta = resource.get("meta")
            if isinstance(meta, Mapping):
                if "lastUpdated" in meta:
                    plain["recorded_at"] = meta["lastUpdated"]
                for key in sorted(set(meta) - {"lastUpdated"}):
                    self.unheld(
                        path,
                        f"meta.{key}",
                        meta[key],
                        "is not held: a foreign resource is read as a first version",
                    )
            for index, extension in enumerate(resource.get("extension", ())):
                self.unheld(
                    path,
                    f"extension[{index}]",
                    extension,
                    "is an extension the model does not hold",
                )
        status = resource.get("status")
        if status == "entered-in-error":
            plain["entered_in_error"] = True
        elif status in ("in-progress", "unknown"):
            self.unheld(
                path,
                "status",
                status,
                "the model holds only whether an incident was entered in error",
            )
        elif status != "completed":
            self.problem(
                path,
                "status",
                status,
                "must be in-progress, completed, entered-in-error or unknown",
            )
        actuality = resource.get("actuality")
        if actuality not in ("actual", "potential"):
            self.problem(path, "actuality", actuality, "must be actual or potential")
        plain["reached_person"] = not (
            actuality == "potential"
            and plain.get("event_type", "incident") == "incident"
        )
        self.categories(path, resource, plain)
        if "occurrenceDateTime" in resource:
            plain["occurred"] = resource["occurrenceDateTime"]
        elif "occurrencePeriod" in resource:
            period = resource["occurrencePeriod"]
            if isinstance(period, Mapping) and "start" in period:
                plain["occurred"] = period["start"]
                plain["occurred_until"] = period.get("end")
            else:
                self.problem(
                    path,
                    "occurrencePeriod.start",
                    _summary(period),
                    "is required: the model needs when it began",
                )
        elif "occurrenceTiming" in resource:
            self.unheld(
                path,
                "occurrenceTiming",
                resource["occurrenceTiming"],
                "a timing is not held: the model needs one time or period",
            )
        if "detected" in resource:
            plain["reported_at"] = resource["detected"]
            if not ours and "recordedDate" in resource:
                self.unheld(
                    path,
                    "recordedDate",
                    resource["recordedDate"],
                    "is not held: detected is the time reported",
                )
        elif "recordedDate" in resource:
            plain["reported_at"] = resource["recordedDate"]
            self.conversions.append(
                f"{path or 'AdverseEvent'}: reported_at from recordedDate (no detected)"
            )
        if "location" in resource:
            service = self.local_reference(
                path, "location", resource["location"], ours=ours
            )
            if service is not None:
                plain["service"] = service
        if "recorder" in resource:
            reporter = self.local_reference(
                path, "recorder", resource["recorder"], ours=ours
            )
            if reporter is not None:
                plain["reported_by"] = reporter
        staff = []
        for index, participant in enumerate(resource.get("participant", ())):
            actor = (
                participant.get("actor") if isinstance(participant, Mapping) else None
            )
            found = self.local_reference(
                path, f"participant[{index}].actor", actor, ours=ours
            )
            if found is not None:
                staff.append(found)
        if staff:
            plain["staff_involved"] = staff
        notes = [
            note.get("text")
            for note in resource.get("note", ())
            if isinstance(note, Mapping)
        ]
        if notes:
            plain["description"] = "\n\n".join(str(text) for text in notes)
        elif isinstance(resource.get("code"), Mapping) and "text" in resource["code"]:
            plain["description"] = resource["code"]["text"]
            self.conversions.append(
                f"{path or 'AdverseEvent'}: description from code.text (no note)"
            )
        texts = []
        for index, action in enumerate(resource.get("mitigatingAction", ())):
            item = (
                action.get("itemCodeableConcept")
                if isinstance(action, Mapping)
                else None
            )
            if (
                isinstance(item, Mapping)
                and set(item) == {"text"}
                and set(action) == {"itemCodeableConcept"}
            ):
                texts.append(item["text"])
            else:
                self.unheld(
                    path,
                    f"mitigatingAction[{index}]",
                    action,
                    "only text is held (as immediate_actions)",
                )
        if texts:
            plain["immediate_actions"] = "\n\n".join(texts)
        for name, url in (
            ("contributingFactor", FACTOR_EXTENSION),
            ("preventiveAction", ACTION_EXTENSION),
        ):
            for index, item in enumerate(resource.get(name, ())):
                if not (ours and _extension_urls(item) == {url}):
                    self.unheld(
                        path,
                        f"{name}[{index}]",
                        item,
                        "is held only as the library's own records (a factor or an action)",
                    )
        if not ours:
            for name in ("subject", "seriousness", "outcome", "contained"):
                if name in resource:
                    self.unheld(
                        path,
                        name,
                        resource[name],
                        "is not held: the model derives it from the people affected",
                    )
        for name, value in self.defaults.items():
            if plain.get(name) is None:
                plain[name] = value
                self.conversions.append(
                    f"{path or 'AdverseEvent'}: {name} from defaults"
                )
        complete = True
        for name, element in _REQUIRED.items():
            if plain.get(name) is None:
                complete = False
                self.problem(
                    path,
                    name,
                    None,
                    f"is required by the model; the resource has no {element}: pass defaults={{{name!r}: ...}}",
                )
        return complete

    def local_reference(
        self, path: str, field: str, reference: object, *, ours: bool
    ) -> str | None:
        """Return the record id a reference names, or report it (foreign) or refuse it (ours)."""
        target = reference.get("reference") if isinstance(reference, Mapping) else None
        record_id = self.urns.get(target) if isinstance(target, str) else None
        if record_id is None:
            if ours:
                self.problem(
                    path,
                    field,
                    _summary(reference),
                    "refers to no record in the bundle",
                )
            else:
                self.unheld(
                    path, field, reference, "refers to no record the model holds"
                )
        return record_id

    def categories(
        self, path: str, resource: Mapping[str, Any], plain: dict[str, Any]
    ) -> None:
        """Read the incident categories: known codes only; others reported."""
        codes: list[str] = []
        for index, concept in enumerate(resource.get("category", ())):
            for position, coding in enumerate(_codings(concept)):
                code = self.category(
                    path, f"category[{index}].coding[{position}]", coding
                )
                if code is not None and code not in codes:
                    codes.append(code)
        for position, coding in enumerate(_codings(resource.get("code"))):
            code = self.category(path, f"code.coding[{position}]", coding)
            if code is not None and codes and code != codes[0]:
                self.problem(
                    path,
                    f"code.coding[{position}]",
                    code,
                    f"is not the primary category {codes[0]!r}",
                )
            elif code is not None and not codes:
                codes.append(code)
        if codes:
            plain["category"] = codes[0]
            plain["secondary_categories"] = codes[1:]

    def category(self, path: str, field: str, coding: Mapping[str, Any]) -> str | None:
        """Return an incident category code, or report a foreign one, or refuse an unknown one."""
        system, code = coding.get("system"), coding.get("code")
        if system == VOCABULARY_SYSTEMS[INCIDENT_CATEGORY]:
            if code in BUILT_IN_VOCABULARIES[INCIDENT_CATEGORY]:
                return str(code)
            self.problem(
                path, field, code, f"is not a code of {INCIDENT_CATEGORY} ({system})"
            )
            return None
        if system in self.local_systems:
            return str(code)
        self.unheld(
            path, field, coding, "is a code the model does not know (not mapped)"
        )
        return None

    def log(self, into: LearningLog | None) -> LearningLog:
        """Return the log of *into* and the records read, or raise every problem."""
        problems = self.problems
        earlier = list(into.all_versions()) if into is not None else []
        local = [
            *(into.local_codes if into is not None else ()),
            *(code for _, code in sorted(self.local_codes, key=lambda pair: pair[0])),
        ]
        return checked_log(
            [*earlier, *self.records],
            local_codes=local,
            paths=[*(["into"] * len(earlier)), *self.paths],
            problems=problems,
            unloaded=self.unloaded,
        )


_R4_RENAMED: Final = {
    "identifier": "a list of identifiers",
    "outcome": "a list of outcomes",
    "suspectEntity": "suspectEntity.instanceReference or instanceCodeableConcept",
}


def _r4_message(name: str) -> str:
    element = name.split("[", maxsplit=1)[0]
    r5 = R4_FIELDS.get(name) or _R4_RENAMED.get(element, name)
    return f"is FHIR R4 (R5: {r5}); this reader takes R5, or R4 with r4='convert'"


def _record_id(resource: Mapping[str, Any]) -> str | None:
    identifiers = resource.get("identifier")
    if isinstance(identifiers, list):
        for identifier in identifiers:
            if (
                type(identifier) is dict or isinstance(identifier, Mapping)
            ) and identifier.get("system") == RECORD_ID_SYSTEM:
                value = identifier.get("value")
                return value if isinstance(value, str) else None
    return None


def _record_extension(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    extensions = resource.get("extension")
    if isinstance(extensions, list):
        for extension in extensions:
            if (
                type(extension) is dict or isinstance(extension, Mapping)
            ) and extension.get("url") == RECORD_EXTENSION:
                return extension
    return None


def _extension_urls(item: object) -> set[object]:
    if not isinstance(item, Mapping):
        return set()
    return {
        ext.get("url") for ext in item.get("extension", ()) if isinstance(ext, Mapping)
    }


def _is_derived(resource: Mapping[str, Any]) -> bool:
    identifiers = resource.get("identifier")
    return isinstance(identifiers, list) and any(
        (type(identifier) is dict or isinstance(identifier, Mapping))
        and identifier.get("system") == DERIVED_SYSTEM
        for identifier in identifiers
    )


def _kind_code(resource: Mapping[str, Any]) -> str | None:
    concepts = (
        resource.get("type")
        if resource["resourceType"] == "Organization"
        else [resource.get("code")]
    )
    for concept in concepts if isinstance(concepts, list) else ():
        for coding in _codings(concept):
            if coding.get("system") == RECORD_KIND_SYSTEM:
                return str(coding.get("code"))
    return None


def from_fhir(
    data: object,
    *,
    into: LearningLog | None = None,
    defaults: Mapping[str, Any] | None = None,
    r4: Literal["reject", "convert"] = "reject",
) -> FhirImport:
    """Read a FHIR R5 Bundle or AdverseEvent (plain JSON data) into a log."""
    reader = _Reader(dict(defaults or {}), r4)
    _check_options(defaults, r4)
    if not isinstance(data, Mapping):
        message = "expected a FHIR resource: a JSON object"
        raise InvalidDataError([Problem(value=_summary(data), message=message)])
    kind = data.get("resourceType")
    if kind not in ("Bundle", "AdverseEvent"):
        raise InvalidDataError(
            [
                Problem(
                    field="resourceType",
                    value=kind,
                    message="must be Bundle or AdverseEvent",
                )
            ]
        )
    hint = data.get("fhirVersion")
    if (
        isinstance(hint, str)
        and not hint.startswith("5.")
        and (r4 == "reject" or not hint.startswith("4."))
    ):
        raise InvalidDataError(
            [
                Problem(
                    field="fhirVersion",
                    value=hint,
                    message="is not FHIR R5 (5.x); this reader takes R5, or R4 with r4='convert'",
                )
            ]
        )
    with collector_paused():
        found = reader.r4_check(reader.entries(data))
        for path, resource in found:
            reader.read(path, resource)
        log = reader.log(into)
    return FhirImport(
        log=log,
        fhir_version=reader.version,
        not_held=tuple(reader.not_held),
        conversions=tuple(reader.conversions),
    )


def _check_options(defaults: Mapping[str, Any] | None, r4: str) -> None:
    fields = attrs.fields_dict(Incident)
    problems = [
        Problem(
            field=f"defaults[{name!r}]",
            value=name,
            message="is not an incident field a default can fill",
        )
        for name in defaults or {}
        if name not in fields or name in ("id", "version")
    ]
    if r4 not in ("reject", "convert"):
        problems.append(
            Problem(field="r4", value=r4, message="must be 'reject' or 'convert'")
        )
    if problems:
        raise InvalidDataError(problems)


def loads_fhir_json(
    text: str | bytes,
    *,
    into: LearningLog | None = None,
    defaults: Mapping[str, Any] | None = None,
    r4: Literal["reject", "convert"] = "reject",
) -> FhirImport:
    """Read FHIR JSON text (a Bundle or an AdverseEvent) into a log; see :func:`from_fhir`."""
    # The parsed document is millions of small objects, read once and freed:
    # paused until then, the collector never scans them.
    with collector_paused():
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            message = f"is not JSON: {error}"
            raise InvalidDataError([Problem(field="text", message=message)]) from None
        read = from_fhir(data, into=into, defaults=defaults, r4=r4)
        del data
    return read
