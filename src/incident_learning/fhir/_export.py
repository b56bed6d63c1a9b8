"""Writing a log as FHIR R5: a Bundle of AdverseEvents and the records they link to."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final, Literal

from incident_learning._codegen import compile_function
from incident_learning._collector import collector_paused
from incident_learning.exceptions import InvalidDataError, Problem, UnknownRecordError
from incident_learning.fhir._shared import (
    ACTION_KIND_SYSTEM,
    ACTION_STATUS_SYSTEM,
    BOOLEAN,
    CODE,
    CQC_LOCATION_SYSTEM,
    CQC_PROVIDER_SYSTEM,
    DATE,
    DATE_OR_DATETIME,
    DATETIME,
    DECIMAL,
    DERIVED_SYSTEM,
    HARM_LEVEL_SYSTEM,
    INT32,
    INTEGER,
    LOCAL_CODE_SYSTEM,
    NESTED,
    PARTICIPATION_SYSTEM,
    PERSON_SYSTEM,
    PROFILE_SYSTEM,
    RECORD_EXTENSION,
    RECORD_ID_SYSTEM,
    RECORD_KIND_SYSTEM,
    REFERENCE,
    SERIOUSNESS_SYSTEM,
    SERVICE_TYPE_SYSTEM,
    STAFF_ROLE_SYSTEM,
    STRING,
    VOCABULARY_SYSTEMS,
    codecs_of,
    fhir_datetime,
    resource_uuid,
)
from incident_learning.model import (
    Action,
    ContributingFactor,
    Incident,
    LearningLog,
    LearningPoint,
    LearningResponse,
    Provider,
    Record,
    Service,
    StaffMember,
    Team,
)
from incident_learning.model.base import reference_fields
from incident_learning.model.codes import BUILT_IN_VOCABULARIES, factor_vocabulary
from incident_learning.model.privacy import pseudonymised
from incident_learning.model.vocab import ActionStatus, EventType

__all__ = [
    "INCIDENT_NATIVE_FIELDS",
    "TASK_STATUS",
    "Profile",
    "dumps_fhir_json",
    "to_adverse_event",
    "to_fhir_bundle",
]

Profile = Literal["shared", "internal"]
"""Which profile of the log to export: pseudonymised for sharing, or as recorded."""

# Fields every resource carries outside the record extension.
_IDENTITY: Final = frozenset({"id", "version", "recorded_at"})

INCIDENT_NATIVE_FIELDS: Final = _IDENTITY | frozenset(
    {
        "entered_in_error",
        "reached_person",
        "category",
        "secondary_categories",
        "occurred",
        "occurred_until",
        "reported_at",
        "reported_by",
        "staff_involved",
        "description",
        "immediate_actions",
        "service",
    }
)
"""The incident fields held in AdverseEvent elements; the rest go in the extension."""

TASK_STATUS: Final = {
    ActionStatus.PROPOSED: "requested",
    ActionStatus.AGREED: "accepted",
    ActionStatus.IN_PROGRESS: "in-progress",
    ActionStatus.COMPLETED: "completed",
    ActionStatus.VERIFIED_EFFECTIVE: "completed",
    ActionStatus.FOUND_INEFFECTIVE: "completed",
    ActionStatus.REJECTED: "rejected",
}
"""The FHIR ``Task.status`` of each action status (the exact one is in businessStatus)."""

_LOOP_KINDS: Final = frozenset(
    {"provider", "service", "team", "staff_member", "service_exposure", "incident"}
)
"""Kinds a subset export never follows downstream (they do not derive from incidents)."""

_PARTICIPANT: Final = {
    "coding": [
        {"system": PARTICIPATION_SYSTEM, "code": "PART", "display": "Participation"}
    ]
}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display is not None:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)]}


# --- the record extension, one generated function per class ---------------------
#
# Which fields go in the extension and how each becomes a value[x] is fixed
# by the class, so it is worked out once per class (and set of fields held
# elsewhere) and compiled into one flat function, as the JSON format's
# converter is: a loop over field descriptions costs several times more.

_Encode = Callable[[Any, Mapping[str, str]], list[Any]]
_ENCODERS: dict[tuple[type, frozenset[str]], _Encode] = {}

# The sub-extension of one value ``i`` of a field ``{n}`` of each kind.
_ELEMENTS: Final = {
    STRING: '{{"url": {n}, "valueString": i}}',
    REFERENCE: '{{"url": {n}, "valueReference": {{"reference": urn[i]}}}}',
    # _value_ is what Enum.value returns, without the descriptor call.
    CODE: '{{"url": {n}, "valueCode": i._value_}}',
    BOOLEAN: '{{"url": {n}, "valueBoolean": i}}',
    INTEGER: (
        '({{"url": {n}, "valueInteger": i}} if -INT32 <= i < INT32'
        ' else {{"url": {n}, "valueInteger64": str(i)}})'
    ),
    DECIMAL: '{{"url": {n}, "valueDecimal": float(i)}}',
    # The model holds dates as dates and times as aware datetimes.
    DATE: '{{"url": {n}, "valueDate": i.isoformat()}}',
    DATETIME: '{{"url": {n}, "valueDateTime": fhir_datetime(i)}}',
    DATE_OR_DATETIME: (
        '({{"url": {n}, "valueDateTime": fhir_datetime(i)}} if isinstance(i, datetime)'
        ' else {{"url": {n}, "valueDate": i.isoformat()}})'
    ),
    # A complex extension needs content: a value recorded with nothing in it
    # (a RIDDOR report not yet made) is a flag.
    NESTED: (
        '({{"url": {n}, "extension": p}} if (p := {encode}(i, urn))'
        ' else {{"url": {n}, "valueBoolean": True}})'
    ),
}


def _encoder(cls: type, skip: frozenset[str]) -> _Encode:
    """Return the function listing the sub-extensions of a *cls* value's fields."""
    names: dict[str, object] = {
        "INT32": INT32,
        "datetime": datetime,
        "fhir_datetime": fhir_datetime,
    }
    lines = ["def encode(o, urn):", "    parts = []", "    add = parts.append"]
    for index, codec in enumerate(codecs_of(cls)):
        if codec.name in skip:
            continue
        encode = f"E{index}"
        if codec.nested is not None:
            names[encode] = _ENCODERS.get((codec.nested, frozenset())) or _encoder(
                codec.nested, frozenset()
            )
        element = _ELEMENTS[codec.kind].format(n=repr(codec.name), encode=encode)
        indent = "    "
        lines.append(f"    x = o.{codec.name}")
        if codec.optional:
            lines.append("    if x is not None:")
            indent += "    "
        if codec.many:
            lines.append(f"{indent}for i in x:")
            indent += "    "
        else:
            lines.append(f"{indent}i = x")
        lines.append(f"{indent}add({element})")
    lines.append("    return parts")
    function: _Encode = compile_function(lines, names, "encode")
    _ENCODERS[cls, skip] = function
    return function


class _Writer:
    """One export: the log, the urns of its records and the indexes it needs."""

    def __init__(self, log: LearningLog) -> None:
        self.log = log
        try:
            self.provider_id = log.provider.id
        except UnknownRecordError:
            self.provider_id = ""
        provider = self.provider_id
        self.urn: dict[str, str] = {
            record.id: f"urn:uuid:{resource_uuid(provider, record.id)}"
            for record in log
        }
        self.first_recorded: dict[str, str] = {}
        local: dict[str, dict[str, str]] = {}
        for code in log.local_codes:
            local.setdefault(code.vocabulary, {})[code.code] = code.display
        self.local = local
        self.provider_uuid = resource_uuid(provider, "")
        self._factors: dict[str, list[ContributingFactor]] | None = None
        self._actions: dict[str, list[Action]] | None = None

    # --- codes -------------------------------------------------------------

    def coding(self, vocabulary: str, code: str) -> dict[str, Any]:
        """Return the coding of *code*: built-in or the provider's local code."""
        built_in = BUILT_IN_VOCABULARIES[vocabulary]
        if code in built_in:
            return _coding(VOCABULARY_SYSTEMS[vocabulary], code, built_in[code].display)
        display = self.local[vocabulary][code]
        return _coding(LOCAL_CODE_SYSTEM(self.provider_uuid, vocabulary), code, display)

    # --- derived links ---------------------------------------------------------

    def factors_of(self, incident_id: str) -> list[ContributingFactor]:
        """Return the current factors found for *incident_id*, by id."""
        if self._factors is None:
            found: dict[str, list[ContributingFactor]] = {}
            factors = self.log.of_kind(ContributingFactor)
            for factor_id in sorted(factors):
                factor = factors[factor_id]
                for incident in factor.incidents:
                    found.setdefault(incident, []).append(factor)
            self._factors = found
        return self._factors.get(incident_id, [])

    def actions_of(self, incident_id: str) -> list[Action]:
        """Return the current actions set on learning drawn from *incident_id*."""
        if self._actions is None:
            self._actions = self._index_actions()
        return self._actions.get(incident_id, [])

    def _index_actions(self) -> dict[str, list[Action]]:
        log = self.log
        factors = log.of_kind(ContributingFactor)
        responses = log.of_kind(LearningResponse)
        sources: dict[str, set[str]] = {}
        for learning in log.of_kind(LearningPoint).values():
            derived = set(learning.incidents)
            for factor_id in learning.factors:
                derived.update(factors[factor_id].incidents)
            for response_id in learning.responses:
                derived.update(responses[response_id].incidents)
            sources[learning.id] = derived
        found: dict[str, list[Action]] = {}
        actions = log.of_kind(Action)
        for action_id in sorted(actions):
            action = actions[action_id]
            incidents: set[str] = set()
            for point in action.learning_points:
                incidents |= sources[point]
            for incident in sorted(incidents):
                found.setdefault(incident, []).append(action)
        return found

    # --- common parts ------------------------------------------------------------

    def head(self, resource_type: str, record: Record) -> dict[str, Any]:
        """Return the start every record's resource shares: id, meta, identifier."""
        urn = self.urn[record.id]
        return {
            "resourceType": resource_type,
            "id": urn[9:],
            "meta": {
                "versionId": str(record.version),
                "lastUpdated": fhir_datetime(record.recorded_at),
            },
            "identifier": [{"system": RECORD_ID_SYSTEM, "value": record.id}],
        }

    def extension(self, record: object, skip: frozenset[str]) -> dict[str, Any]:
        """Return the record extension: every field not in *skip* that has a value."""
        return {"url": RECORD_EXTENSION, "extension": self.fields(record, skip)}

    def fields(self, value: object, skip: frozenset[str] = frozenset()) -> list[Any]:
        """Return one sub-extension per value of each field of *value*."""
        cls = type(value)
        encode = _ENCODERS.get((cls, skip)) or _encoder(cls, skip)
        return encode(value, self.urn)

    def reference(self, record_id: str) -> dict[str, str]:
        """Return a reference to the resource of *record_id*."""
        return {"reference": self.urn[record_id]}

    def derived_urn(self, key: str) -> str:
        """Return the urn of a derived resource; *key* holds a space, as no id does."""
        return f"urn:uuid:{resource_uuid(self.provider_id, key)}"

    # --- resources ----------------------------------------------------------------

    def resources(self, record: Record) -> Iterator[dict[str, Any]]:
        """Yield the resources of one record version (and any it needs alone)."""
        self.first_recorded.setdefault(record.id, fhir_datetime(record.recorded_at))
        if isinstance(record, Incident):
            yield self.adverse_event(record)
        elif isinstance(record, Action):
            yield self.task(record)
        elif isinstance(record, Service):
            yield self.location(record)
            if record is self.log.get(record.id):
                yield self.people_at(record)
        elif isinstance(record, StaffMember):
            yield from self.practitioner_role(record)
        elif isinstance(record, Provider | Team):
            yield self.organisation(record)
        else:
            yield self.basic(record)

    def adverse_event(self, incident: Incident) -> dict[str, Any]:
        """Return the AdverseEvent of one version of an incident."""
        resource = self.head("AdverseEvent", incident)
        resource["status"] = (
            "entered-in-error" if incident.entered_in_error else "completed"
        )
        potential = incident.event_type is EventType.RISK or not incident.reached_person
        resource["actuality"] = "potential" if potential else "actual"
        categories = [
            {"coding": [self.coding("incident_category", code)]}
            for code in incident.categories
        ]
        resource["category"] = categories
        # The specific event is the primary category (a copy: no shared dicts).
        resource["code"] = {"coding": [dict(categories[0]["coding"][0])]}
        contained, subject = self.subject(incident)
        if contained is not None:
            resource["contained"] = [contained]
        resource["subject"] = subject
        occurred, until = incident.occurred, incident.occurred_until
        if until is None:
            resource["occurrenceDateTime"] = _when(occurred)
        else:
            resource["occurrencePeriod"] = {
                "start": _when(occurred),
                "end": _when(until),
            }
        resource["detected"] = fhir_datetime(incident.reported_at)
        resource["recordedDate"] = self.first_recorded[incident.id]
        resource["location"] = self.reference(incident.service)
        harm = incident.harm
        if harm is not None:
            serious = harm.is_moderate_or_worse
            resource["seriousness"] = {
                "coding": [
                    _coding(
                        SERIOUSNESS_SYSTEM,
                        "serious" if serious else "non-serious",
                        "Serious" if serious else "Non-serious",
                    ),
                ]
            }
            resource["outcome"] = [
                _concept(HARM_LEVEL_SYSTEM, harm.value, harm.value.capitalize())
            ]
        if incident.reported_by is not None:
            resource["recorder"] = self.reference(incident.reported_by)
        if incident.staff_involved:
            resource["participant"] = [
                {"function": _PARTICIPANT, "actor": self.reference(staff)}
                for staff in incident.staff_involved
            ]
        factors = self.factors_of(incident.id)
        if factors:
            resource["contributingFactor"] = [
                {
                    "extension": [
                        {
                            "url": FACTOR_EXTENSION,
                            "valueReference": self.reference(factor.id),
                        }
                    ],
                    "itemCodeableConcept": {
                        "coding": [
                            self.coding(
                                factor_vocabulary(factor.framework).name, factor.domain
                            )
                        ]
                    },
                }
                for factor in factors
            ]
        actions = self.actions_of(incident.id)
        if actions:
            resource["preventiveAction"] = [
                {
                    "extension": [
                        {
                            "url": ACTION_EXTENSION,
                            "valueReference": self.reference(action.id),
                        }
                    ],
                    "itemCodeableConcept": {
                        "coding": [_coding(ACTION_KIND_SYSTEM, action.kind.value)],
                        "text": action.description,
                    },
                }
                for action in actions
            ]
        if incident.immediate_actions is not None:
            resource["mitigatingAction"] = [
                {"itemCodeableConcept": {"text": incident.immediate_actions}}
            ]
        resource["note"] = [{"text": incident.description}]
        resource["extension"] = [self.extension(incident, INCIDENT_NATIVE_FIELDS)]
        return resource

    def subject(
        self, incident: Incident
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Return the contained Group (if any) and the subject reference."""
        people = incident.people_affected
        if not people:
            return None, {"reference": self.derived_urn(_people_at(incident.service))}
        if len(people) == 1:
            return None, _person(people[0].person)
        group = {
            "resourceType": "Group",
            "id": "people-affected",
            "type": "person",
            "membership": "enumerated",
            "member": [{"entity": _person(person.person)} for person in people],
        }
        return group, {"reference": "#people-affected"}

    def task(self, action: Action) -> dict[str, Any]:
        """Return the Task of one version of an action."""
        resource = self.head("Task", action)
        status = action.status
        resource["status"] = (
            "entered-in-error" if action.entered_in_error else TASK_STATUS[status]
        )
        resource["businessStatus"] = _concept(ACTION_STATUS_SYSTEM, status.value)
        resource["intent"] = "plan"
        resource["code"] = _concept(ACTION_KIND_SYSTEM, action.kind.value)
        resource["description"] = action.description
        resource["basedOn"] = [
            self.reference(point) for point in action.learning_points
        ]
        resource["owner"] = self.reference(action.owner)
        resource["restriction"] = {"period": {"end": action.due.isoformat()}}
        resource["lastModified"] = fhir_datetime(action.recorded_at)
        resource["extension"] = [self.extension(action, _IDENTITY)]
        return resource

    def location(self, service: Service) -> dict[str, Any]:
        """Return the Location of one version of a service."""
        resource = self.head("Location", service)
        if service.cqc_location_id is not None:
            resource["identifier"].append(
                {"system": CQC_LOCATION_SYSTEM, "value": service.cqc_location_id}
            )
        resource["name"] = service.name
        resource["type"] = [
            _concept(
                SERVICE_TYPE_SYSTEM,
                service.service_type.value,
                service.service_type.display,
            )
        ]
        resource["managingOrganization"] = self.reference(service.provider)
        resource["extension"] = [self.extension(service, _IDENTITY)]
        return resource

    def people_at(self, service: Service) -> dict[str, Any]:
        """Return the Group of the people a service supports: a subject for incidents."""
        key = _people_at(service.id)
        return {
            "resourceType": "Group",
            "id": self.derived_urn(key)[9:],
            "identifier": [{"system": DERIVED_SYSTEM, "value": key}],
            "type": "person",
            "membership": "definitional",
            "name": f"People supported at {service.name}",
            "managingEntity": self.reference(service.provider),
        }

    def practitioner_role(self, staff: StaffMember) -> Iterator[dict[str, Any]]:
        """Yield the PractitionerRole of a staff member, and a Practitioner if named."""
        resource = self.head("PractitionerRole", staff)
        if staff.started_on is not None or staff.left_on is not None:
            period = {}
            if staff.started_on is not None:
                period["start"] = staff.started_on.isoformat()
            if staff.left_on is not None:
                period["end"] = staff.left_on.isoformat()
            resource["period"] = period
        # A Practitioner per named version: a later version may drop the name.
        key = f"#practitioner {staff.id} {staff.version}"
        urn = self.derived_urn(key)
        if staff.display_name is not None:
            resource["practitioner"] = {"reference": urn}
        if self.provider_id:
            resource["organization"] = self.reference(self.provider_id)
        if staff.service is not None:
            resource["location"] = [self.reference(staff.service)]
        role = staff.role.value
        resource["code"] = [
            _concept(STAFF_ROLE_SYSTEM, role, role.replace("_", " ").capitalize())
        ]
        resource["extension"] = [self.extension(staff, _IDENTITY)]
        yield resource
        if staff.display_name is not None:
            yield {
                "resourceType": "Practitioner",
                "id": urn[9:],
                "identifier": [{"system": DERIVED_SYSTEM, "value": key}],
                "name": [{"text": staff.display_name}],
            }

    def organisation(self, record: Provider | Team) -> dict[str, Any]:
        """Return the Organization of a provider or a team."""
        resource = self.head("Organization", record)
        if isinstance(record, Provider):
            if record.cqc_provider_id is not None:
                resource["identifier"].append(
                    {"system": CQC_PROVIDER_SYSTEM, "value": record.cqc_provider_id}
                )
        else:
            resource["partOf"] = self.reference(self.provider_id)
        resource["type"] = [_concept(RECORD_KIND_SYSTEM, record.record_kind)]
        resource["name"] = record.name
        resource["extension"] = [self.extension(record, _IDENTITY)]
        return resource

    def basic(self, record: Record) -> dict[str, Any]:
        """Return the Basic resource of a record FHIR has no resource for."""
        resource = self.head("Basic", record)
        resource["code"] = _concept(RECORD_KIND_SYSTEM, record.record_kind)
        resource["extension"] = [self.extension(record, _IDENTITY)]
        return resource

    def code_systems(self) -> Iterator[dict[str, Any]]:
        """Yield one CodeSystem per vocabulary the log declares local codes in."""
        by_vocabulary: dict[str, list[tuple[int, Any]]] = {}
        for position, code in enumerate(self.log.local_codes):
            by_vocabulary.setdefault(code.vocabulary, []).append((position, code))
        for vocabulary in sorted(by_vocabulary):
            yield {
                "resourceType": "CodeSystem",
                "id": resource_uuid(self.provider_id, f"#local-codes {vocabulary}"),
                "url": LOCAL_CODE_SYSTEM(self.provider_uuid, vocabulary),
                "title": f"Local codes of {vocabulary}",
                "status": "active",
                "content": "complete",
                "property": [
                    {"code": "nearest", "type": "code"},
                    {"code": "position", "type": "integer"},
                ],
                "concept": [
                    {
                        "code": code.code,
                        "display": code.display,
                        "property": [
                            {"code": "nearest", "valueCode": code.nearest},
                            {"code": "position", "valueInteger": position},
                        ],
                    }
                    for position, code in by_vocabulary[vocabulary]
                ],
            }


FACTOR_EXTENSION: Final = RECORD_EXTENSION.replace("/record", "/contributing-factor")
"""The extension on ``contributingFactor`` naming the factor's own resource."""

ACTION_EXTENSION: Final = RECORD_EXTENSION.replace("/record", "/action")
"""The extension on ``preventiveAction`` naming the action's Task."""


def _people_at(service_id: str) -> str:
    return f"#people-at {service_id}"


def _person(person: str) -> dict[str, Any]:
    return {"type": "Patient", "identifier": {"system": PERSON_SYSTEM, "value": person}}


def _when(value: datetime | date) -> str:
    return fhir_datetime(value) if isinstance(value, datetime) else value.isoformat()


def _profiled(log: LearningLog, profile: str, key: bytes | None) -> LearningLog:
    if profile == "internal":
        return log
    if profile != "shared":
        message = f"{profile!r} is not a profile: use 'shared' or 'internal'"
        raise InvalidDataError(
            [Problem(field="profile", value=profile, message=message)]
        )
    if key is None:
        message = (
            "is needed for the shared profile (the pseudonymisation secret, 16 bytes "
            "or more); pass key=..., or profile='internal' for the log as recorded"
        )
        raise InvalidDataError([Problem(field="key", message=message)])
    return pseudonymised(log, key=key)


def _selected(log: LearningLog, incidents: Iterable[str]) -> set[str]:
    """Return the ids of *incidents*, the loop records from them, and what all refer to."""
    chosen = set()
    for incident_id in incidents:
        log.get(incident_id, Incident)
        chosen.add(incident_id)
    versions = list(log.all_versions())
    referrers: dict[str, set[str]] = {}
    for record in versions:
        if record.record_kind in _LOOP_KINDS:
            continue
        for reference in reference_fields(record):
            referrers.setdefault(reference.target, set()).add(record.id)
    frontier = list(chosen)
    while frontier:
        for referrer in referrers.get(frontier.pop(), ()):
            if referrer not in chosen:
                chosen.add(referrer)
                frontier.append(referrer)
    targets: dict[str, set[str]] = {}
    for record in versions:
        targets.setdefault(record.id, set()).update(
            reference.target for reference in reference_fields(record)
        )
    frontier = list(chosen)
    while frontier:
        for target in targets.get(frontier.pop(), ()):
            if target not in chosen:
                chosen.add(target)
                frontier.append(target)
    # An incident's service names the provider, so a log with incidents has one.
    chosen.add(log.provider.id)
    return chosen


def to_fhir_bundle(
    log: LearningLog,
    *,
    profile: Profile = "shared",
    key: bytes | None = None,
    incidents: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Return *log* as a FHIR R5 Bundle (type ``collection``) of plain dicts.

    Every incident becomes an AdverseEvent; the records it links to become
    Location (services), Organization (provider, teams), PractitionerRole
    (staff), Task (actions) and Basic (everything else) resources. Every
    version of every record is written, each version its own entry with the
    record's ``fullUrl`` and ``meta.versionId``. See ``docs/fhir.md`` for the
    mapping.

    Args:
        log: The log, internal profile; it is not modified.
        profile: ``"shared"`` (the default) pseudonymises the log first with
            :func:`~incident_learning.model.privacy.pseudonymised`; ``"internal"``
            exports it as recorded.
        key: The pseudonymisation secret, needed for the shared profile.
        incidents: Incident ids to export, with every loop record that derives
            from them and every record those refer to, so the bundle reads
            back as a log on its own; the whole log by default.

    Raises:
        InvalidDataError: An unknown profile, or the shared profile without a key.
        UnknownRecordError: An id in *incidents* is not an incident of the log.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.fhir import to_fhir_bundle
        >>> bundle = to_fhir_bundle(samples.small_log(), key=b"a secret of 16+ bytes")
        >>> bundle["type"], bundle["meta"]["tag"][0]["code"]
        ('collection', 'shared')
        >>> event = next(
        ...     entry["resource"]
        ...     for entry in bundle["entry"]
        ...     if entry["resource"]["resourceType"] == "AdverseEvent"
        ... )
        >>> event["actuality"], event["seriousness"]["coding"][0]["code"]
        ('actual', 'serious')
        >>> event["note"][0]["text"]
        '[withheld in the shared profile]'
    """
    # The bundle is millions of small dicts that all survive: the collector
    # would rescan them again and again.
    with collector_paused():
        log = _profiled(log, profile, key)
        chosen = None if incidents is None else _selected(log, incidents)
        writer = _Writer(log)
        entries = [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in writer.code_systems()
        ]
        entries.extend(
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for record in log.all_versions()
            if chosen is None or record.id in chosen
            for resource in writer.resources(record)
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "meta": {"tag": [_coding(PROFILE_SYSTEM, profile)]},
        "type": "collection",
    }
    if entries:
        bundle["entry"] = entries
    return bundle


def to_adverse_event(
    log: LearningLog,
    incident_id: str,
    *,
    profile: Profile = "shared",
    key: bytes | None = None,
) -> dict[str, Any]:
    """Return the AdverseEvent of the current version of one incident.

    References point at the ``urn:uuid:`` ids :func:`to_fhir_bundle` gives
    the linked records, so the resource is meant to sit in that bundle; on
    its own it is what a system receiving single events needs.

    Args:
        log: The log, internal profile; it is not modified.
        incident_id: The incident.
        profile: ``"shared"`` (the default) or ``"internal"``.
        key: The pseudonymisation secret, needed for the shared profile.

    Raises:
        UnknownRecordError: The log has no incident *incident_id*.
        InvalidDataError: An unknown profile, or the shared profile without a key.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.fhir import to_adverse_event
        >>> event = to_adverse_event(
        ...     samples.small_log(), "INC-0001", profile="internal"
        ... )
        >>> event["occurrenceDateTime"], event["category"][0]["coding"][0]["code"]
        ('2025-03-01T02:40:00+00:00', 'falls')
    """
    log.get(incident_id, Incident)
    log = _profiled(log, profile, key)
    writer = _Writer(log)
    history = log.history(incident_id)
    writer.first_recorded[incident_id] = fhir_datetime(history[0].recorded_at)
    return writer.adverse_event(log.get(incident_id, Incident))


def dumps_fhir_json(
    log: LearningLog,
    *,
    profile: Profile = "shared",
    key: bytes | None = None,
    incidents: Iterable[str] | None = None,
    indent: int | None = 2,
) -> str:
    """Return :func:`to_fhir_bundle` as JSON text: keys sorted, the same every time.

    Args:
        log: The log, internal profile.
        profile: ``"shared"`` (the default) or ``"internal"``.
        key: The pseudonymisation secret, needed for the shared profile.
        incidents: Incident ids to export; the whole log by default.
        indent: The indent, or ``None`` for the most compact text.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.fhir import dumps_fhir_json
        >>> text = dumps_fhir_json(samples.small_log(), profile="internal", indent=None)
        >>> text[:31]
        '{"entry":[{"fullUrl":"urn:uuid:'
        >>> text == dumps_fhir_json(
        ...     samples.small_log(), profile="internal", indent=None
        ... )
        True
    """
    # Paused until the bundle is freed again, so the collector never scans it.
    with collector_paused():
        bundle = to_fhir_bundle(log, profile=profile, key=key, incidents=incidents)
        text = json.dumps(
            bundle,
            indent=indent,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":") if indent is None else None,
        )
        del bundle
    return text
