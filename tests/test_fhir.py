"""Tests for the FHIR R5 export and import, every output checked with fhir.resources."""

from __future__ import annotations

import copy
import gc
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_learning import samples
from incident_learning.exceptions import InvalidDataError, UnknownRecordError
from incident_learning.fhir import (
    BASE,
    RECORD_EXTENSION,
    FhirImport,
    dumps_fhir_json,
    from_fhir,
    loads_fhir_json,
    to_adverse_event,
    to_fhir_bundle,
)
from incident_learning.fhir._shared import (
    RECORD_ID_SYSTEM,
    fhir_datetime,
    resource_uuid,
)
from incident_learning.model import (
    Incident,
    LearningLog,
    LocalCode,
    Record,
    RiddorReport,
    ServiceExposure,
    StaffMember,
)
from incident_learning.model.privacy import pseudonymised
from incident_learning.samples.example import example_log

from . import strategies

DATA = Path(__file__).parent / "data" / "fhir"
KEY = b"a test secret of 16+ bytes"
CATEGORY_SYSTEM = f"{BASE}/CodeSystem/incident_category"

# What a clinical example lacks and the model needs.
DEFAULTS = {
    "service": "SVC-OAK",
    "category": "medication",
    "recorded_by": "fhir-import",
    "recorded_at": "2017-01-29T13:00:00+00:00",
    "reported_at": "2017-01-29T13:00:00+00:00",
}


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def _versions(log: LearningLog) -> list[Record]:
    return list(log.all_versions())


def _validate(bundle: dict[str, Any]) -> None:
    """Validate the Bundle and each resource on its own with the R5 models."""
    Bundle.model_validate(bundle)
    for entry in bundle.get("entry", ()):
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle.get("entry", ())
        if entry["resource"]["resourceType"] == kind
    ]


@cache
def _example_bundle() -> dict[str, Any]:
    return to_fhir_bundle(example_log(), profile="internal")


def _small_event() -> dict[str, Any]:
    """The small log's incident as our AdverseEvent, in a bundle."""
    return _resources(
        to_fhir_bundle(samples.small_log(), profile="internal"), "AdverseEvent"
    )[0]


def _bundle_with(event: dict[str, Any]) -> dict[str, Any]:
    """The small log's bundle with its AdverseEvent replaced by *event*."""
    bundle = to_fhir_bundle(samples.small_log(), profile="internal")
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "AdverseEvent":
            entry["resource"] = event
    return bundle


def _foreign(**changes: Any) -> dict[str, Any]:
    """The official R5 example with *changes* (None removes an element)."""
    event = _example("r5-adverseevent-example.json")
    for key, value in changes.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return event


def _fields(error: pytest.ExceptionInfo[InvalidDataError]) -> list[str]:
    return [problem.field for problem in error.value.problems]


class TestRoundTrip:
    """A log written as FHIR and read back is the same log, every version."""

    @given(strategies.logs())
    @settings(max_examples=20)
    def test_internal_profile_round_trips_and_validates(self, log: LearningLog) -> None:
        """Every version and local code comes back; every resource is valid R5."""
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        result = from_fhir(bundle)
        assert _versions(result.log) == _versions(log)
        assert result.log.local_codes == log.local_codes
        assert result.not_held == ()
        assert result.conversions == ()
        assert to_fhir_bundle(result.log, profile="internal") == bundle

    @given(strategies.logs())
    @settings(max_examples=8)
    def test_shared_profile_round_trips_to_the_pseudonymised_log(
        self, log: LearningLog
    ) -> None:
        """The default export is the shared profile, and reads back as it."""
        bundle = to_fhir_bundle(log, key=KEY)
        _validate(bundle)
        shared = pseudonymised(log, key=KEY)
        assert _versions(from_fhir(bundle).log) == _versions(shared)

    def test_example_log_round_trips_in_both_profiles(self) -> None:
        """The bundled Oakvale example survives, internal and shared."""
        log = example_log()
        bundle = _example_bundle()
        Bundle.model_validate(bundle)
        assert _versions(from_fhir(bundle).log) == _versions(log)
        shared = to_fhir_bundle(log, key=KEY)
        Bundle.model_validate(shared)
        assert _versions(from_fhir(shared).log) == _versions(
            pseudonymised(log, key=KEY)
        )

    def test_json_text_is_deterministic_and_reads_back(self) -> None:
        """dumps_fhir_json gives the same text each time, and it loads back."""
        log = samples.small_log()
        text = dumps_fhir_json(log, key=KEY)
        assert text == dumps_fhir_json(log, key=KEY)
        compact = dumps_fhir_json(log, key=KEY, indent=None)
        assert json.loads(compact) == json.loads(text)
        loaded = loads_fhir_json(text.encode())
        assert _versions(loaded.log) == _versions(pseudonymised(log, key=KEY))

    def test_versions_share_a_full_url_and_differ_in_version_id(self) -> None:
        """Each version is an entry of its own; its fullUrl is the record's."""
        log = samples.small_log()
        action = log.get("ACT-0001")
        log.add(action.agreed(by="STAFF-RM", at=samples.AT))  # type: ignore[attr-defined]
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        tasks = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Task"]
        assert len({entry["fullUrl"] for entry in tasks}) == 1
        assert [t["resource"]["meta"]["versionId"] for t in tasks] == ["1", "2"]
        assert [t["resource"]["status"] for t in tasks] == ["requested", "accepted"]
        assert _versions(from_fhir(bundle).log) == _versions(log)

    def test_an_empty_log_is_an_empty_collection(self) -> None:
        """No records: a valid Bundle with no entries, read back as an empty log."""
        bundle = to_fhir_bundle(LearningLog(), profile="internal")
        _validate(bundle)
        assert "entry" not in bundle
        assert len(from_fhir(bundle).log) == 0


class TestMapping:
    """The AdverseEvent elements say what the incident says."""

    def test_incident_elements(self) -> None:
        """Each element the issue lists is mapped from the model."""
        event = _small_event()
        incident = samples.incident()
        assert event["status"] == "completed"
        assert event["actuality"] == "actual"
        assert event["category"][0]["coding"][0] == {
            "system": CATEGORY_SYSTEM,
            "code": "falls",
            "display": "Falls",
        }
        assert event["code"] == event["category"][0]
        assert event["occurrenceDateTime"] == incident.occurred.isoformat()
        assert event["detected"] == incident.reported_at.isoformat()
        assert event["recordedDate"] == incident.recorded_at.isoformat()
        assert event["seriousness"]["coding"][0]["code"] == "serious"
        assert event["outcome"][0]["coding"][0]["code"] == "moderate"
        assert event["subject"]["identifier"]["value"] == "P-0017"
        assert event["participant"][0]["function"]["coding"][0]["code"] == "PART"
        assert event["note"] == [{"text": incident.description}]
        assert event["identifier"] == [
            {"system": RECORD_ID_SYSTEM, "value": "INC-0001"}
        ]
        assert (
            event["contributingFactor"][0]["itemCodeableConcept"]["coding"][0]["code"]
            == "staffing_and_workload"
        )
        assert (
            event["preventiveAction"][0]["itemCodeableConcept"]["coding"][0]["code"]
            == samples.action().kind.value
        )
        assert event["extension"][0]["url"] == RECORD_EXTENSION

    def test_near_misses_and_risks_are_potential(self) -> None:
        """A near miss and a risk are potential events; good care is actual."""
        log = example_log()
        events = {
            e["identifier"][0]["value"]: e
            for e in _resources(_example_bundle(), "AdverseEvent")
        }
        for incident in log.of_kind(Incident).values():
            potential = incident.is_near_miss or incident.event_type.value == "risk"
            expected = "potential" if potential else "actual"
            assert events[incident.id]["actuality"] == expected

    def test_subject_is_a_group_for_several_people_or_the_service(self) -> None:
        """Several people: a contained Group; nobody named: the service's people."""
        two = samples.incident().corrected(
            by="STAFF-RM",
            at=samples.AT,
            reason="second person",
            people_affected=(
                *samples.incident().people_affected,
                attrs.evolve(samples.incident().people_affected[0], person="P-0018"),
            ),
        )
        log = samples.small_log()
        log.add(two)
        event = to_adverse_event(log, "INC-0001", profile="internal")
        assert event["subject"] == {"reference": "#people-affected"}
        assert len(event["contained"][0]["member"]) == 2
        nobody = two.corrected(
            by="STAFF-RM", at=samples.AT, reason="nobody", people_affected=()
        )
        log.add(nobody)
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        events = _resources(bundle, "AdverseEvent")
        group = next(
            e["fullUrl"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "Group"
        )
        assert events[-1]["subject"] == {"reference": group}
        assert "seriousness" not in events[-1]
        assert _versions(from_fhir(bundle).log) == _versions(log)

    def test_to_adverse_event_is_the_bundles_current_version(self) -> None:
        """The single resource equals the bundle's entry for the current version."""
        log = example_log()
        incident_id = sorted(log.of_kind(Incident))[3]
        event = to_adverse_event(log, incident_id, key=KEY)
        shared = to_fhir_bundle(log, key=KEY)
        found = [
            e
            for e in _resources(shared, "AdverseEvent")
            if e["identifier"][0]["value"] == incident_id
        ]
        assert event == found[-1]

    def test_offsets_beyond_fourteen_hours_are_written_in_utc(self) -> None:
        """FHIR offsets stop at 14:00; the same instant is written in UTC."""
        far = datetime(2025, 3, 1, 2, 40, tzinfo=timezone(timedelta(hours=15)))
        assert fhir_datetime(far) == "2025-02-28T11:40:00+00:00"
        near = datetime(2025, 3, 1, 2, 40, tzinfo=timezone(timedelta(hours=14)))
        assert fhir_datetime(near) == "2025-03-01T02:40:00+14:00"

    def test_a_report_with_nothing_recorded_is_kept(self) -> None:
        """An empty nested value (RIDDOR due, not made) is a flag, and comes back."""
        log = samples.small_log()
        log.add(
            samples.incident().corrected(
                by="STAFF-RM",
                at=samples.AT,
                reason="riddor",
                riddor_report=RiddorReport(),
            )
        )
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        assert (
            from_fhir(bundle).log.get("INC-0001", Incident).riddor_report
            == RiddorReport()
        )

    def test_local_codes_keep_their_order(self) -> None:
        """Local codes travel as CodeSystems and come back in declared order."""
        codes = (
            LocalCode(
                vocabulary="incident_category",
                code="lost_property",
                display="Lost property",
                nearest="information_and_confidentiality",
            ),
            LocalCode(
                vocabulary="care_factor_domain",
                code="agency_cover",
                display="Agency cover",
                nearest="staffing_and_workload",
            ),
            LocalCode(
                vocabulary="incident_category",
                code="a_local",
                display="A local",
                nearest="falls",
            ),
        )
        small = samples.small_log()
        log = LearningLog(small.all_versions(), local_codes=codes)
        log.add(
            samples.incident().corrected(
                by="STAFF-RM",
                at=samples.AT,
                reason="local",
                secondary_categories=("lost_property",),
            )
        )
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        assert len(_resources(bundle, "CodeSystem")) == 2
        result = from_fhir(bundle)
        assert result.log.local_codes == codes
        assert _versions(result.log) == _versions(log)


class TestSubset:
    """Exporting chosen incidents gives a bundle that reads back on its own."""

    def test_one_incident_with_what_it_links_to(self) -> None:
        """The incident, its learning and what they refer to; not unrelated incidents."""
        log = example_log()
        incident_id = "INC-0001"
        bundle = to_fhir_bundle(log, profile="internal", incidents=[incident_id])
        _validate(bundle)
        read = from_fhir(bundle).log
        assert incident_id in read
        assert len(read) < len(log)
        for record in read.all_versions():
            assert record in log.history(record.id)

    def test_an_unknown_incident_is_refused(self) -> None:
        """An id that is not an incident of the log is an UnknownRecordError."""
        with pytest.raises(UnknownRecordError, match="INC-NOPE"):
            to_fhir_bundle(
                samples.small_log(), profile="internal", incidents=["INC-NOPE"]
            )

    def test_a_log_without_provider_still_exports(self) -> None:
        """Staff with no provider or service: a PractitionerRole alone, still valid."""
        staff = samples.small_log().get("STAFF-RM", StaffMember)
        log = LearningLog([attrs.evolve(staff, service=None, team=None)])
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        assert "organization" not in _resources(bundle, "PractitionerRole")[0]
        assert _versions(from_fhir(bundle).log) == _versions(log)


class TestProfiles:
    """The shared profile is the default, and needs the caller's key."""

    def test_shared_without_key_is_refused(self) -> None:
        """No key: an error naming key and saying what to do."""
        with pytest.raises(
            InvalidDataError, match="key: is needed for the shared profile"
        ):
            to_fhir_bundle(samples.small_log())

    def test_unknown_profile_is_refused(self) -> None:
        """A profile other than shared or internal is an error naming it."""
        with pytest.raises(InvalidDataError, match="'public' is not a profile"):
            to_fhir_bundle(samples.small_log(), profile="public")  # type: ignore[arg-type]

    def test_shared_profile_holds_no_names_or_free_text(self) -> None:
        """Staff names and free text do not reach the shared bundle."""
        log = example_log()
        text = dumps_fhir_json(log, key=KEY)
        internal = dumps_fhir_json(log, profile="internal")
        incident = next(iter(log.of_kind(Incident).values()))
        assert incident.description in internal
        assert incident.description not in text
        assert '"Practitioner"' not in text


class TestOfficialExamples:
    """The official HL7 examples import in a documented way and export back."""

    def test_r5_example_imports_with_defaults_and_reports_the_rest(self) -> None:
        """Foreign codes and elements are reported; required fields come from defaults."""
        result = from_fhir(
            _example("r5-adverseevent-example.json"),
            into=samples.small_log(),
            defaults=DEFAULTS,
        )
        assert isinstance(result, FhirImport)
        assert result.fhir_version == "R5"
        incident = result.log.get("example", Incident)
        assert incident.description == "This was a mild rash on the left forearm"
        assert incident.occurred == datetime(2017, 1, 29, 12, 34, 56, tzinfo=UTC)
        assert incident.category == "medication"
        not_held = {problem.field: problem for problem in result.not_held}
        assert set(not_held) == {
            "identifier[0]",
            "suspectEntity",
            "category[0].coding[0]",
            "code.coding[0]",
            "recorder",
            "subject",
            "seriousness",
        }
        assert "product-use-error" in str(not_held["category[0].coding[0]"].value)
        assert "304386008" in str(not_held["code.coding[0]"].value)
        assert (
            "AdverseEvent: description from code.text (no note)" in result.conversions
        )
        assert "AdverseEvent: service from defaults" in result.conversions
        bundle = to_fhir_bundle(result.log, key=KEY)
        _validate(bundle)
        again = from_fhir(to_fhir_bundle(result.log, profile="internal"))
        assert _versions(again.log) == _versions(result.log)

    def test_r5_example_without_defaults_names_every_missing_field(self) -> None:
        """Without defaults: one problem per required field, naming the element."""
        with pytest.raises(InvalidDataError) as error:
            from_fhir(_example("r5-adverseevent-example.json"))
        assert _fields(error) == [
            "service",
            "category",
            "reported_at",
            "recorded_by",
            "recorded_at",
        ]
        assert "pass defaults={'service': ...}" in str(error.value)

    def test_r4_example_is_rejected_naming_the_r4_fields(self) -> None:
        """An R4 resource is recognised; the error names every R4-only element."""
        with pytest.raises(InvalidDataError) as error:
            from_fhir(_example("r4-adverseevent-example.json"), defaults=DEFAULTS)
        assert _fields(error) == [
            "event",
            "date",
            "severity",
            "identifier",
            "suspectEntity[0].instance",
        ]
        assert "r4='convert'" in str(error.value)

    def test_r4_example_converts_listing_the_renames(self) -> None:
        """With r4='convert' the renames are applied and listed; it exports as R5."""
        result = from_fhir(
            _example("r4-adverseevent-example.json"),
            into=samples.small_log(),
            defaults=DEFAULTS,
            r4="convert",
        )
        assert result.fhir_version == "R4"
        assert "AdverseEvent: R4 event -> R5 code" in result.conversions
        assert "AdverseEvent: R4 date -> R5 occurrenceDateTime" in result.conversions
        assert {p.field for p in result.not_held} >= {
            "severity",
            "suspectEntity",
            "text",
            "meta.tag",
        }
        assert result.log.get("example", Incident).occurred == datetime(
            2017, 1, 29, 12, 34, 56, tzinfo=UTC
        )
        _validate(to_fhir_bundle(result.log, key=KEY))

    def test_r4_renames_of_every_kind(self) -> None:
        """Outcome, contributor, resultingCondition and history convert too."""
        event = _example("r4-adverseevent-example.json")
        event["outcome"] = {
            "coding": [{"system": "http://example.org", "code": "resolved"}]
        }
        event["contributor"] = [{"reference": "Practitioner/x"}]
        event["resultingCondition"] = [{"reference": "Condition/x"}]
        event["subjectMedicalHistory"] = [{"reference": "Condition/y"}]
        del event["suspectEntity"]
        event["seriousness"]["coding"].append(
            {"system": "http://example.org", "code": "x"}
        )
        result = from_fhir(
            event, into=samples.small_log(), defaults=DEFAULTS, r4="convert"
        )
        held = {p.field for p in result.not_held}
        assert {
            "outcome",
            "participant[0].actor",
            "resultingEffect",
            "supportingInfo",
        } <= held
        assert any("contributor" in note for note in result.conversions)

    def test_r4_hint_on_a_bundle_is_refused_or_converted(self) -> None:
        """A Bundle saying fhirVersion 4.x is R4: refused unless converting."""
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "fhirVersion": "4.0.1",
        }
        with pytest.raises(InvalidDataError, match="fhirVersion: is not FHIR R5"):
            from_fhir(bundle)
        assert len(from_fhir(bundle, r4="convert").log) == 0
        with pytest.raises(InvalidDataError, match="fhirVersion"):
            from_fhir({**bundle, "fhirVersion": "3.0.2"}, r4="convert")


class TestBadInput:
    """Bad input gets an error naming where and what."""

    def test_malformed_json(self) -> None:
        """Text that is not JSON."""
        with pytest.raises(InvalidDataError, match="text: is not JSON"):
            loads_fhir_json("{not json")

    @pytest.mark.parametrize("data", [[], "AdverseEvent", None])
    def test_not_an_object(self, data: object) -> None:
        """A document that is not an object."""
        with pytest.raises(InvalidDataError, match="expected a FHIR resource"):
            from_fhir(data)

    def test_wrong_resource_type(self) -> None:
        """A Patient is neither a Bundle nor an AdverseEvent."""
        with pytest.raises(
            InvalidDataError, match="resourceType: must be Bundle or AdverseEvent"
        ):
            from_fhir({"resourceType": "Patient"})

    def test_bad_options(self) -> None:
        """Defaults must name incident fields; r4 is reject or convert."""
        with pytest.raises(InvalidDataError) as error:
            from_fhir(
                {"resourceType": "Bundle"},
                defaults={"colour": "red", "id": "x"},
                r4="maybe",  # type: ignore[arg-type]
            )
        assert _fields(error) == ["defaults['colour']", "defaults['id']", "r4"]

    def test_unknown_code_in_our_system_is_refused(self) -> None:
        """A category code our system does not have is an error, not a guess."""
        event = _small_event()
        event["category"][0]["coding"][0]["code"] = "fall"
        event["code"]["coding"][0]["code"] = "choking"
        with pytest.raises(InvalidDataError) as error:
            from_fhir(_bundle_with(event))
        messages = [str(problem) for problem in error.value.problems]
        assert any(
            "category[0].coding[0]: is not a code of incident_category" in m
            for m in messages
        )

    def test_code_disagreeing_with_the_primary_category(self) -> None:
        """The event code must be the primary category when both are ours."""
        event = _small_event()
        event["code"] = {"coding": [{"system": CATEGORY_SYSTEM, "code": "choking"}]}
        with pytest.raises(
            InvalidDataError, match="is not the primary category 'falls'"
        ):
            from_fhir(_bundle_with(event))

    def test_bad_status_and_actuality(self) -> None:
        """Status and actuality outside their value sets name the element."""
        event = _small_event()
        event["status"] = "done"
        event["actuality"] = "maybe"
        with pytest.raises(InvalidDataError) as error:
            from_fhir(_bundle_with(event))
        assert {"status", "actuality"} <= set(_fields(error))

    def test_broken_reference_in_our_resource(self) -> None:
        """A reference of ours that names nothing in the bundle is an error."""
        event = _small_event()
        event["location"] = {
            "reference": "urn:uuid:00000000-0000-0000-0000-000000000000"
        }
        with pytest.raises(InvalidDataError) as error:
            from_fhir(_bundle_with(event))
        assert _fields(error) == ["location", "service"]

    def test_bad_nested_value_is_named_by_the_model(self) -> None:
        """A harm that is not on the scale is named down to the nested field."""
        event = _small_event()
        event["extension"][0]["extension"].append(
            {
                "url": "people_affected",
                "extension": [
                    {"url": "person", "valueString": "P-1"},
                    {"url": "physical_harm", "valueCode": "dreadful"},
                ],
            }
        )
        with pytest.raises(
            InvalidDataError,
            match=r"people_affected\[1\]\.physical_harm: 'dreadful' is not one of",
        ):
            from_fhir(_bundle_with(event))

    def test_bad_values_in_the_record_extension(self) -> None:
        """Wrong value[x] keys and unknown sub-extensions are named."""
        bundle = to_fhir_bundle(samples.small_log(), profile="internal")
        task = _resources(bundle, "Task")[0]
        parts = task["extension"][0]["extension"]
        parts.append({"url": "colour", "valueString": "red"})
        due = next(part for part in parts if part["url"] == "due")
        due.pop("valueDate")
        due["valueString"] = "soon"
        ref = next(part for part in parts if part["url"] == "owner")
        ref["valueReference"] = {"reference": "Practitioner/nobody"}
        with pytest.raises(InvalidDataError) as error:
            from_fhir(bundle)
        text = str(error.value)
        assert "expected one of valueDate" in text
        assert "refers to no record in the bundle" in text

    def test_version_and_integer64(self) -> None:
        """A non-numeric versionId and a bad integer64 are named by the model."""
        bundle = to_fhir_bundle(samples.small_log(), profile="internal")
        event = _resources(bundle, "AdverseEvent")[0]
        event["meta"]["versionId"] = "v1"
        check = next(
            r
            for r in _resources(bundle, "Basic")
            if r["code"]["coding"][0]["code"] == "staff_confidence_check"
        )
        part = next(
            p for p in check["extension"][0]["extension"] if p["url"] == "scale_max"
        )
        part.pop("valueInteger")
        part["valueInteger64"] = "lots"
        with pytest.raises(InvalidDataError) as error:
            from_fhir(bundle)
        assert {"version", "scale_max"} <= set(_fields(error))

    def test_bundle_shape_problems(self) -> None:
        """A bad type, entries that are not resources, a non-list entry."""
        with pytest.raises(InvalidDataError) as error:
            from_fhir(
                {
                    "resourceType": "Bundle",
                    "type": "pile",
                    "entry": [{"fullUrl": "x"}, 3],
                }
            )
        assert _fields(error) == ["type", "resource", "resource"]
        with pytest.raises(InvalidDataError, match="entry: expected a list"):
            from_fhir({"resourceType": "Bundle", "type": "collection", "entry": {}})

    def test_resources_of_no_kind_we_write(self) -> None:
        """A Basic of ours with no record kind, and a local CodeSystem of no vocabulary."""
        bundle = to_fhir_bundle(samples.small_log(), profile="internal")
        basic = _resources(bundle, "Basic")[0]
        basic["code"] = {"coding": [{"system": "http://example.org", "code": "x"}]}
        bundle["entry"].append(
            {
                "resource": {
                    "resourceType": "CodeSystem",
                    "url": f"{BASE}/CodeSystem/local/x/colours",
                    "status": "active",
                    "content": "complete",
                }
            }
        )
        with pytest.raises(InvalidDataError) as error:
            from_fhir(bundle)
        assert {"code", "url"} <= set(_fields(error))

    def test_model_refuses_what_the_elements_say(self) -> None:
        """An occurrence with no time zone is the model's error, named by field."""
        event = _small_event()
        event["occurrenceDateTime"] = "2025-03-01T02:40:00"
        with pytest.raises(InvalidDataError, match="occurred"):
            from_fhir(_bundle_with(event))


class TestForeignElements:
    """Elements of foreign AdverseEvents: read where the model holds them, else reported."""

    def test_elements_read_from_a_foreign_event(self) -> None:
        """Period, recordedDate, notes, mitigating text and status are read."""
        event = _foreign(
            occurrenceDateTime=None,
            occurrencePeriod={"start": "2017-01-28", "end": "2017-01-29"},
            recordedDate="2017-01-30T09:00:00+00:00",
            note=[{"text": "Found a rash."}, {"text": "Seen by the GP."}],
            mitigatingAction=[
                {"itemCodeableConcept": {"text": "Cream applied."}},
                {
                    "itemCodeableConcept": {
                        "coding": [{"system": "http://snomed.info/sct", "code": "1"}]
                    }
                },
            ],
            status="in-progress",
            meta={"lastUpdated": "2017-01-30T09:05:00+00:00", "versionId": "7"},
            extension=[{"url": "http://example.org/x", "valueString": "y"}],
            contributingFactor=[{"itemCodeableConcept": {"text": "busy"}}],
            location={"reference": "Location/elsewhere"},
        )
        defaults = {
            "service": "SVC-OAK",
            "category": "medication",
            "recorded_by": "fhir-import",
        }
        result = from_fhir(event, into=samples.small_log(), defaults=defaults)
        incident = result.log.get("example", Incident)
        assert incident.occurred_until is not None
        assert incident.description == "Found a rash.\n\nSeen by the GP."
        assert incident.immediate_actions == "Cream applied."
        assert incident.reported_at == datetime(2017, 1, 30, 9, tzinfo=UTC)
        assert incident.recorded_at == datetime(2017, 1, 30, 9, 5, tzinfo=UTC)
        held = {p.field for p in result.not_held}
        assert {
            "status",
            "mitigatingAction[1]",
            "meta.versionId",
            "extension[0]",
            "contributingFactor[0]",
            "location",
        } <= held
        assert any("reported_at from recordedDate" in c for c in result.conversions)

    def test_detected_and_recorded_date_and_timing(self) -> None:
        """Detected wins over recordedDate (reported); a Timing is not held."""
        event = _foreign(
            occurrenceDateTime=None,
            occurrenceTiming={"event": ["2017-01-29T12:00:00+00:00"]},
            detected="2017-01-29T13:00:00+00:00",
            recordedDate="2017-01-29T14:00:00+00:00",
        )
        with pytest.raises(InvalidDataError) as error:
            from_fhir(
                event,
                into=samples.small_log(),
                defaults={k: v for k, v in DEFAULTS.items() if k != "reported_at"},
            )
        assert _fields(error) == ["occurred"]

    def test_period_without_start(self) -> None:
        """An occurrence period must start."""
        event = _foreign(
            occurrenceDateTime=None, occurrencePeriod={"end": "2017-01-29"}
        )
        with pytest.raises(
            InvalidDataError, match=r"occurrencePeriod\.start: is required"
        ):
            from_fhir(event, into=samples.small_log(), defaults=DEFAULTS)

    def test_entered_in_error_and_participants(self) -> None:
        """Status entered-in-error is held; foreign participants are reported."""
        event = _foreign(
            status="entered-in-error",
            participant=[{"actor": {"reference": "Practitioner/x"}}, "odd"],
        )
        with pytest.raises(InvalidDataError, match="entered_in_error"):
            from_fhir(event, into=samples.small_log(), defaults=DEFAULTS)

    def test_foreign_resources_in_a_bundle_are_reported(self) -> None:
        """A Patient in a bundle is reported, and so are unknown Bundle elements."""
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "identifier": {"value": "x"},
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "example"}},
                {"fullUrl": "urn:uuid:1", "resource": _foreign()},
            ],
        }
        result = from_fhir(bundle, into=samples.small_log(), defaults=DEFAULTS)
        messages = [str(p) for p in result.not_held]
        assert any("a Patient is not a record" in m for m in messages)
        assert any(m.startswith("identifier:") for m in messages)
        assert "example" in result.log

    def test_foreign_recorder_resolving_to_our_staff(self) -> None:
        """A foreign event may point at our records by their fullUrl."""
        bundle = to_fhir_bundle(samples.small_log(), profile="internal")
        role = next(
            e
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "PractitionerRole"
        )
        location = next(
            e for e in bundle["entry"] if e["resource"]["resourceType"] == "Location"
        )
        event = _foreign(
            id="foreign-1",
            recorder={"reference": role["fullUrl"]},
            participant=[{"actor": {"reference": role["fullUrl"]}}],
            location={"reference": location["fullUrl"]},
            category=[
                {
                    "coding": [
                        {"system": CATEGORY_SYSTEM, "code": "medication"},
                        {"system": CATEGORY_SYSTEM, "code": "medication"},
                    ]
                }
            ],
            code={"coding": [{"system": CATEGORY_SYSTEM, "code": "medication"}]},
            note=[{"text": "Rash."}],
            identifier=[{"system": RECORD_ID_SYSTEM, "value": "foreign-1"}],
        )
        bundle["entry"].append({"fullUrl": "urn:uuid:foreign-1", "resource": event})
        defaults = {
            k: v for k, v in DEFAULTS.items() if k not in ("service", "category")
        }
        result = from_fhir(bundle, defaults=defaults)
        incident = result.log.get("foreign-1", Incident)
        assert incident.reported_by == incident.staff_involved[0]
        assert incident.category == "medication"

    def test_code_alone_gives_the_category(self) -> None:
        """With no category, our code's coding is the primary category."""
        event = _foreign(
            category=None,
            code={"coding": [{"system": CATEGORY_SYSTEM, "code": "falls"}]},
            note=[{"text": "A fall."}],
        )
        defaults = {k: v for k, v in DEFAULTS.items() if k != "category"}
        result = from_fhir(event, into=samples.small_log(), defaults=defaults)
        assert result.log.get("example", Incident).category == "falls"

    def test_an_unchanged_input_is_not_modified(self) -> None:
        """Reading never changes the caller's data."""
        event = _example("r4-adverseevent-example.json")
        before = copy.deepcopy(event)
        from_fhir(event, into=samples.small_log(), defaults=DEFAULTS, r4="convert")
        assert event == before


class TestEdges:
    """Rarer shapes on both sides."""

    def test_counts_beyond_32_bits_are_integer64(self) -> None:
        """A whole number past 2**31 is written as valueInteger64 and read back."""
        log = samples.small_log()
        exposure = next(iter(log.of_kind(ServiceExposure).values()))
        log.add(
            exposure.corrected(
                by="STAFF-RM", at=samples.AT, reason="big", occupied_bed_days=2**40
            )
        )
        bundle = to_fhir_bundle(log, profile="internal")
        _validate(bundle)
        assert '"valueInteger64": "1099511627776"' in json.dumps(bundle)
        assert _versions(from_fhir(bundle).log) == _versions(log)

    def test_a_partial_r4_resource_converts(self) -> None:
        """An R4 resource with only severity: the rest is left as it is."""
        event = _foreign(
            severity={"coding": [{"system": "http://example.org", "code": "mild"}]},
            suspectEntity=[{"instanceReference": {"reference": "Medication/x"}}, "odd"],
            identifier=["odd", {"system": "http://example.org", "value": "1"}],
            category=["odd", {"coding": "odd"}],
            code=None,
            contributingFactor=["odd"],
            note=[{"text": "A rash."}],
        )
        result = from_fhir(
            event, into=samples.small_log(), defaults=DEFAULTS, r4="convert"
        )
        assert (
            result.conversions[0]
            == "AdverseEvent: R4 suspectEntity.instance -> R5 suspectEntity.instanceReference"
        )
        held = {p.field for p in result.not_held}
        assert {
            "severity",
            "identifier[0]",
            "identifier[1]",
            "contributingFactor[0]",
        } <= held

    def test_no_occurrence_no_note_no_text(self) -> None:
        """Nothing says when or what: both are named as missing."""
        event = _foreign(occurrenceDateTime=None, code={"coding": []})
        with pytest.raises(InvalidDataError) as error:
            from_fhir(event, into=samples.small_log(), defaults=DEFAULTS)
        assert _fields(error) == ["occurred", "description"]

    def test_a_resource_with_no_id(self) -> None:
        """No identifier and no id: the model names the id."""
        with pytest.raises(InvalidDataError, match="id"):
            from_fhir(_foreign(id=None), into=samples.small_log(), defaults=DEFAULTS)

    def test_foreign_items_on_our_event_are_reported(self) -> None:
        """A contributing factor we did not write is reported, not dropped."""
        event = _small_event()
        event["contributingFactor"].append("odd")
        result = from_fhir(_bundle_with(event))
        assert [p.field for p in result.not_held] == ["contributingFactor[1]"]

    def test_a_local_code_without_display_is_named(self) -> None:
        """A local code concept missing its display is an error naming the concept."""
        url = f"{BASE}/CodeSystem/local/x/incident_category"
        system = {
            "resourceType": "CodeSystem",
            "url": url,
            "status": "active",
            "content": "complete",
            "concept": [{"code": "lost", "property": []}],
        }
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": system}],
        }
        with pytest.raises(InvalidDataError, match=r"concept\[0\]: needs a code"):
            from_fhir(bundle)


class TestFastPaths:
    """What the per-class plans and the paused collector must not change."""

    @settings(max_examples=50)
    @given(st.text(), st.text())
    def test_resource_ids_are_uuid5_of_the_namespace(
        self, provider: str, record_id: str
    ) -> None:
        """The spelt-out name-based UUID is exactly ``uuid.uuid5``'s."""
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, BASE)
        expected = uuid.uuid5(namespace, f"{provider}\x1f{record_id}")
        assert resource_uuid(provider, record_id) == str(expected)

    def test_mappings_other_than_dicts_are_read_alike(self) -> None:
        """References and parts given as read-only mappings read as dicts do."""
        log = samples.small_log()
        bundle = to_fhir_bundle(log, profile="internal")
        task = _resources(bundle, "Task")[0]
        parts = task["extension"][0]["extension"]
        for index, part in enumerate(parts):
            if "valueReference" in part:
                part["valueReference"] = MappingProxyType(part["valueReference"])
            parts[index] = MappingProxyType(part)
        assert _versions(from_fhir(bundle).log) == _versions(log)

    def test_a_reference_that_is_not_an_object_is_named(self) -> None:
        """A valueReference holding text is a dangling reference, named by field."""
        bundle = to_fhir_bundle(samples.small_log(), profile="internal")
        task = _resources(bundle, "Task")[0]
        parts = task["extension"][0]["extension"]
        owner = next(part for part in parts if part["url"] == "owner")
        owner["valueReference"] = "STAFF-RM"
        with pytest.raises(InvalidDataError) as error:
            from_fhir(bundle)
        index = parts.index(owner)
        assert any(
            problem.field == f"extension[record].extension[{index}]"
            and problem.value == '"STAFF-RM"'
            and problem.message == "refers to no record in the bundle"
            for problem in error.value.problems
        )

    @pytest.mark.parametrize("enabled", [True, False])
    def test_the_collector_is_left_as_it_was(self, enabled: bool) -> None:  # noqa: FBT001
        """Writing and reading pause the collector and restore it, on errors too."""
        was = gc.isenabled()
        try:
            if not enabled:
                gc.disable()
            text = dumps_fhir_json(samples.small_log(), key=KEY)
            assert gc.isenabled() is enabled
            loads_fhir_json(text)
            assert gc.isenabled() is enabled
            with pytest.raises(InvalidDataError):
                loads_fhir_json("{not json")
            assert gc.isenabled() is enabled
            with pytest.raises(InvalidDataError):
                dumps_fhir_json(samples.small_log())
            assert gc.isenabled() is enabled
        finally:
            if was:
                gc.enable()
