"""Tests for the PROV audit trail of a log: every record version, revisions, withdrawals."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import prov
import pytest
from hypothesis import given, settings
from prov.model import ProvDocument
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import InvalidDataError, UnknownRecordError
from incident_learning.graph import build_graph
from incident_learning.model import (
    Action,
    ActionStatus,
    Incident,
    LearningLog,
    Record,
    StatusChange,
)
from incident_learning.model.privacy import pseudonymised
from incident_learning.prov import (
    NAMESPACE,
    PREFIX,
    USER_NAMESPACE,
    ReportEntity,
    dumps_history_prov_json,
    dumps_prov_json,
    history_to_prov_json,
    history_to_prov_n,
    to_prov_json,
    to_prov_n,
)
from incident_learning.samples.example import example_log

SCHEMA_PATH = Path(__file__).parent / "data" / "prov" / "prov-json.schema.json"
AT = samples.AT
IMPORTER = "datix import (batch 7)"
"""A user reference that is no staff member: it becomes a ``user:`` agent."""
FREE_TEXT = (
    "typo in the description",
    "duplicate of INC-0001",
    "owner on long-term leave",
    "moved to the new falls policy",
)


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _example() -> LearningLog:
    return example_log()


def _later(hours: int) -> datetime:
    return AT + timedelta(hours=hours)


def _corrected_log() -> LearningLog:
    """The small log with a corrected incident, a withdrawn one and an action's life."""
    log = samples.small_log()
    incident = log.get("INC-0001", Incident)
    log.add(
        incident.corrected(
            by="STAFF-RM", at=_later(1), reason=FREE_TEXT[0], description="Corrected."
        )
    )
    duplicate = attrs.evolve(incident, id="INC-0002", recorded_by=IMPORTER)
    log.add(duplicate)
    withdrawn = duplicate.marked_entered_in_error(
        by="STAFF-RM", at=_later(2), reason=FREE_TEXT[1]
    )
    log.add(withdrawn)
    # A correction of a withdrawn record keeps it withdrawn: no second invalidation.
    log.add(withdrawn.corrected(by="STAFF-RM", at=_later(3), reason=FREE_TEXT[3]))
    action = log.get("ACT-0001", Action)
    agreed = action.agreed(by="STAFF-RM", at=_later(4))
    log.add(agreed)
    log.add(agreed.corrected(by=IMPORTER, at=_later(5), reason=FREE_TEXT[3]))
    rejected = log.get("ACT-0001", Action).rejected(
        by="STAFF-RM", at=_later(6), reason=FREE_TEXT[2]
    )
    log.add(rejected)
    # An action imported mid-life: its first version already has two changes.
    imported = attrs.evolve(
        action,
        id="ACT-0002",
        recorded_by=IMPORTER,
        recorded_at=_later(7),
        status_history=(
            StatusChange(status=ActionStatus.AGREED, by="STAFF-RM", at=_later(-48)),
            StatusChange(
                status=ActionStatus.IN_PROGRESS, by="STAFF-CW1", at=_later(-24)
            ),
        ),
    )
    log.add(imported)
    log.add(imported.completed(by="STAFF-CW1", at=_later(8)))
    return log


def _cases() -> list[tuple[str, LearningLog, list[str] | None]]:
    return [
        ("small log", samples.small_log(), None),
        ("corrected log", _corrected_log(), None),
        ("corrected action", _corrected_log(), ["ACT-0001", "INC-0002"]),
        ("prefixed ids", _corrected_log().with_id_prefix("oak.vale"), None),
        ("example log", _example(), None),
    ]


CASES = pytest.mark.parametrize(
    ("log", "records"),
    [pytest.param(log, records, id=name) for name, log, records in _cases()],
)


def _count(document: dict[str, Any]) -> int:
    return sum(len(items) for name, items in document.items() if name != "prefix")


def _names(value: Any) -> list[str]:
    """The qualified names of a typed attribute value, one or a list."""
    items = value if isinstance(value, list) else [value]
    return [item["$"] for item in items]


def _relations(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list(doc.get(name, {}).values())


def _check_round_trip(text: str, provn: str, document: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(_schema()).validate(document)
    from_json = ProvDocument.deserialize(content=text, format="json")
    from_n = prov.read(io.StringIO(provn), format="provn")
    assert from_json == from_n
    assert len(list(from_json.get_records())) == _count(document)


def _versions(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: body
        for key, body in doc["entity"].items()
        if "il:record_version" in _names(body["prov:type"])
    }


class TestValid:
    """The history validates, loads with prov, and its PROV-N reads back the same."""

    @CASES
    def test_valid_and_loads(self, log: LearningLog, records: list[str] | None) -> None:
        """Schema-valid PROV-JSON; prov reads the JSON and the PROV-N as one document."""
        _check_round_trip(
            dumps_history_prov_json(log, records=records),
            history_to_prov_n(log, records=records),
            history_to_prov_json(log, records=records),
        )

    # Each example parses two documents with prov: a few dozen logs cover the
    # kinds, versions and odd identifiers the strategy draws, within seconds.
    @settings(max_examples=25)
    @given(strategies.logs())
    def test_any_log(self, log: LearningLog) -> None:
        """Any valid log: valid, loads, one entity per version beside the loop's."""
        doc = history_to_prov_json(log)
        _check_round_trip(dumps_history_prov_json(log), history_to_prov_n(log), doc)
        versions = list(log.all_versions())
        assert set(_versions(doc)) == {
            f"il:{record.id}@v{record.version}" for record in versions
        }
        loop_entities = to_prov_json(build_graph(log)).get("entity", {})
        assert len(doc["entity"]) == len(versions) + len(loop_entities)
        invalidated = sum(
            1
            for record_id in {record.id for record in versions}
            if log.get(record_id).entered_in_error
        )
        assert len(doc.get("wasInvalidatedBy", {})) == invalidated

    def test_holds_the_loop(self) -> None:
        """The loop part is the graph export: its entities, activities and agents."""
        log = _example()
        loop = to_prov_json(build_graph(log))
        history = history_to_prov_json(log)
        for name in ("entity", "activity", "agent"):
            assert set(loop[name]) <= set(history[name])
        assert history["prefix"] == {PREFIX: NAMESPACE}


class TestVersions:
    """Every version is an entity, generated, attributed, revised, withdrawn."""

    def test_version_entity(self) -> None:
        """A version names its record, kind and number, and no free text."""
        doc = history_to_prov_json(_corrected_log())
        body = doc["entity"]["il:INC-0001@v2"]
        assert body == {
            "prov:type": {"$": "il:record_version", "type": "prov:QUALIFIED_NAME"},
            "il:record": {"$": "il:INC-0001", "type": "prov:QUALIFIED_NAME"},
            "il:kind": {"$": "il:incident", "type": "prov:QUALIFIED_NAME"},
            "il:version": 2,
        }

    def test_one_entity_per_version(self) -> None:
        """The example log's history has exactly one entity per record version."""
        log = _example()
        versions = _versions(history_to_prov_json(log))
        assert len(versions) == len(list(log.all_versions())) > len(log)

    def test_generated_at_recorded_at_and_attributed(self) -> None:
        """Each version is generated at its recorded_at, attributed to its recorder."""
        log = _corrected_log()
        doc = history_to_prov_json(log)
        generated = {
            body["prov:entity"]: body for body in _relations(doc, "wasGeneratedBy")
        }
        attributed = {
            body["prov:entity"]: body["prov:agent"]
            for body in _relations(doc, "wasAttributedTo")
        }
        for record in log.all_versions():
            name = f"il:{record.id}@v{record.version}"
            assert generated[name]["prov:time"] == record.recorded_at.isoformat()
            assert (
                datetime.fromisoformat(generated[name]["prov:time"]).utcoffset()
                is not None
            )
        assert attributed["il:INC-0001@v2"] == "il:STAFF-RM"
        assert attributed["il:INC-0002@v1"] == "user:datix%20import%20%28batch%207%29"

    def test_user_agents(self) -> None:
        """A recorder who is no staff member is a user agent in its own namespace."""
        doc = history_to_prov_json(_corrected_log())
        assert doc["prefix"]["user"] == USER_NAMESPACE
        agent = doc["agent"]["user:datix%20import%20%28batch%207%29"]
        assert agent == {"prov:type": {"$": "il:user", "type": "prov:QUALIFIED_NAME"}}
        assert doc["agent"]["il:STAFF-RM"]["prov:type"][1]["$"] == "prov:Person"

    def test_revisions_chain(self) -> None:
        """Each later version is a prov:Revision of the one before, and only those."""
        log = _corrected_log()
        doc = history_to_prov_json(log)
        revisions = {
            (body["prov:generatedEntity"], body["prov:usedEntity"])
            for body in _relations(doc, "wasDerivedFrom")
            if body.get("prov:type", {}).get("$") == "prov:Revision"
        }
        expected = {
            (f"il:{r.id}@v{r.version}", f"il:{r.id}@v{r.version - 1}")
            for r in log.all_versions()
            if r.version > 1
        }
        assert revisions == expected

    def test_entered_in_error(self) -> None:
        """A withdrawal is typed so and invalidates the version it withdraws, once."""
        doc = history_to_prov_json(_corrected_log())
        withdrawal = doc["entity"]["il:INC-0002@v2"]
        assert _names(withdrawal["prov:type"]) == [
            "il:record_version",
            "il:entered_in_error",
        ]
        assert _relations(doc, "wasInvalidatedBy") == [
            {"prov:entity": "il:INC-0002@v1", "prov:time": _later(2).isoformat()}
        ]
        # The withdrawn incident is not part of the loop, only of the history.
        assert "il:INC-0002" not in doc["entity"]
        assert "il:INC-0002@v3" in doc["entity"]

    def test_no_free_text(self) -> None:
        """Amendment and status reasons, descriptions and names never appear."""
        log = _corrected_log()
        text = dumps_history_prov_json(log) + history_to_prov_n(log)
        for reason in FREE_TEXT:
            assert reason not in text
        assert "Corrected." not in text
        assert "status proposed -> agreed" not in text
        for record in log.all_versions():
            for field in ("description", "name", "statement", "topic"):
                value = getattr(record, field, None)
                if value:
                    assert value not in text

    def test_shared_profile(self) -> None:
        """Exporting the pseudonymised log gives pseudonyms, never the staff ids."""
        shared = pseudonymised(_corrected_log(), key=b"sixteen bytes or more")
        text = dumps_history_prov_json(shared)
        assert "STAFF-RM" not in text
        assert "datix" not in text
        assert '"il:S-' in text


class TestStatusChanges:
    """Each status an action moved to is an activity with its decider and time."""

    def test_transition_is_the_recording(self) -> None:
        """A lifecycle move generates its version and used the version before."""
        doc = history_to_prov_json(_corrected_log(), records=["ACT-0001"])
        agreed = doc["activity"]["il:ACT-0001@status1"]
        assert agreed == {
            "prov:type": {"$": "il:status_change", "type": "prov:QUALIFIED_NAME"},
            "prov:startTime": _later(4).isoformat(),
            "prov:endTime": _later(4).isoformat(),
            "il:status": {"$": "il:agreed", "type": "prov:QUALIFIED_NAME"},
        }
        rejected = doc["activity"]["il:ACT-0001@status2"]
        assert rejected["il:status"]["$"] == "il:rejected"
        assert len([k for k in doc["activity"] if "@status" in k]) == 2
        assert {
            "prov:entity": "il:ACT-0001@v2",
            "prov:activity": "il:ACT-0001@status1",
            "prov:time": _later(4).isoformat(),
        } in _relations(doc, "wasGeneratedBy")
        assert {
            "prov:activity": "il:ACT-0001@status1",
            "prov:entity": "il:ACT-0001@v1",
            "prov:time": _later(4).isoformat(),
        } in _relations(doc, "used")
        revision = next(
            body
            for body in _relations(doc, "wasDerivedFrom")
            if body["prov:generatedEntity"] == "il:ACT-0001@v4"
        )
        assert revision["prov:activity"] == "il:ACT-0001@status2"

    def test_decider(self) -> None:
        """The decider is associated with the change in the role il:decider."""
        doc = history_to_prov_json(_corrected_log(), records=["ACT-0001"])
        assert {
            "prov:activity": "il:ACT-0001@status1",
            "prov:agent": "il:STAFF-RM",
            "prov:role": {"$": "il:decider", "type": "prov:QUALIFIED_NAME"},
        } in _relations(doc, "wasAssociatedWith")

    def test_correction_of_an_action_is_no_status_change(self) -> None:
        """A correction is generated with no activity; the statuses are not repeated."""
        doc = history_to_prov_json(_corrected_log(), records=["ACT-0001"])
        generation = next(
            body
            for body in _relations(doc, "wasGeneratedBy")
            if body["prov:entity"] == "il:ACT-0001@v3"
        )
        assert "prov:activity" not in generation

    def test_imported_history_influenced_the_first_version(self) -> None:
        """Changes made before the record was entered influenced it; later ones made it."""
        doc = history_to_prov_json(_corrected_log(), records=["ACT-0002"])
        assert sorted(
            (body["prov:influencee"], body["prov:influencer"])
            for body in _relations(doc, "wasInfluencedBy")
        ) == [
            ("il:ACT-0002@v1", "il:ACT-0002@status1"),
            ("il:ACT-0002@v1", "il:ACT-0002@status2"),
        ]
        assert (
            doc["activity"]["il:ACT-0002@status3"]["il:status"]["$"] == "il:completed"
        )
        deciders = {
            body["prov:activity"]: body["prov:agent"]
            for body in _relations(doc, "wasAssociatedWith")
            if body["prov:role"]["$"] == "il:decider"
        }
        assert deciders == {
            "il:ACT-0002@status1": "il:STAFF-RM",
            "il:ACT-0002@status2": "il:STAFF-CW1",
            "il:ACT-0002@status3": "il:STAFF-CW1",
        }


class TestRestriction:
    """``records=`` exports those records' histories and the loop among them."""

    def test_only_the_named_records(self) -> None:
        """The versions are exactly the named records'."""
        log = _corrected_log()
        doc = history_to_prov_json(log, records=["INC-0001", "INC-0002"])
        assert set(_versions(doc)) == {
            "il:INC-0001@v1",
            "il:INC-0001@v2",
            "il:INC-0002@v1",
            "il:INC-0002@v2",
            "il:INC-0002@v3",
        }
        assert set(doc["entity"]) - set(_versions(doc)) == {"il:INC-0001"}

    def test_empty(self) -> None:
        """No records: only the prefix."""
        assert history_to_prov_json(_corrected_log(), records=[]) == {
            "prefix": {PREFIX: NAMESPACE}
        }

    def test_unknown_record(self) -> None:
        """A record id not in the log is an error, not skipped."""
        with pytest.raises(UnknownRecordError, match="NOPE"):
            history_to_prov_json(_corrected_log(), records=["INC-0001", "NOPE"])


class TestDeterminism:
    def test_same_text_in_any_order(self) -> None:
        """The same records, added in another order, give the same text."""
        log = _corrected_log()
        shuffled = LearningLog(list(log.all_versions())[::-1])
        assert dumps_history_prov_json(log) == dumps_history_prov_json(shuffled)
        assert history_to_prov_n(log) == history_to_prov_n(shuffled)

    def test_log_unchanged(self) -> None:
        """Exporting leaves the log as it was."""
        log = _corrected_log()
        before = list(log.all_versions())
        history_to_prov_json(log)
        assert list(log.all_versions()) == before


class TestProvNNames:
    """Identifiers PROV-N cannot write bare are escaped and read back the same."""

    def test_colons_and_trailing_dots(self) -> None:
        """A merged log's ids hold ':'; an id may end in '.'; a user may start with '-'."""
        log = samples.small_log()
        incident = log.get("INC-0001", Incident)
        odd: Record = attrs.evolve(incident, id="INC-9.", recorded_by="-odd.")
        log.add(odd)
        merged = log.with_id_prefix("oak")
        provn = history_to_prov_n(merged)
        assert r"il:oak\:INC-9\.@v1" not in provn  # '.' before '@' is not last
        assert r"il:oak\:INC-9.@v1" in provn
        assert r"user:\-odd\." in provn
        _check_round_trip(
            dumps_history_prov_json(merged),
            provn,
            history_to_prov_json(merged),
        )
        graph = build_graph(merged)
        records = ["oak:INC-9."]
        loop = to_prov_n(graph, records=records)
        assert r"il:oak\:INC-9\." in loop
        _check_round_trip(
            dumps_prov_json(graph, records=records),
            loop,
            to_prov_json(graph, records=records),
        )


class TestReport:
    """A learning report is an entity derived from the records it summarised."""

    REPORT_AT = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)

    def test_default_derivations(self) -> None:
        """By default the report derives from every exported incident and action."""
        graph = build_graph(samples.small_log())
        report = ReportEntity(id="REPORT-Q1", generated_at=self.REPORT_AT)
        doc = to_prov_json(graph, report=report)
        assert doc["entity"]["il:REPORT-Q1"] == {
            "prov:type": {"$": "il:learning_report", "type": "prov:QUALIFIED_NAME"}
        }
        used = {
            body["prov:usedEntity"]
            for body in _relations(doc, "wasDerivedFrom")
            if body["prov:generatedEntity"] == "il:REPORT-Q1"
        }
        assert used == {"il:INC-0001", "il:ACT-0001"}
        assert {
            "prov:entity": "il:REPORT-Q1",
            "prov:time": "2025-04-01T12:00:00+00:00",
        } in _relations(doc, "wasGeneratedBy")
        assert "wasAttributedTo" not in doc
        _check_round_trip(
            dumps_prov_json(graph, report=report), to_prov_n(graph, report=report), doc
        )

    def test_named_records_and_author(self) -> None:
        """Named records are used as given; the author is attributed."""
        graph = build_graph(samples.small_log())
        report = ReportEntity(
            id="REPORT-Q1",
            generated_at=self.REPORT_AT,
            author="STAFF-RM",
            records=("LP-0001", "INC-0001", "INC-0001"),
        )
        doc = to_prov_json(graph, report=report)
        used = [
            body["prov:usedEntity"]
            for body in _relations(doc, "wasDerivedFrom")
            if body["prov:generatedEntity"] == "il:REPORT-Q1"
        ]
        assert used == ["il:INC-0001", "il:LP-0001"]
        assert {"prov:entity": "il:REPORT-Q1", "prov:agent": "il:STAFF-RM"} in (
            _relations(doc, "wasAttributedTo")
        )

    def test_in_the_history(self) -> None:
        """The history takes a report too, its author a user when no staff member."""
        log = _corrected_log()
        report = ReportEntity(
            id="REPORT-Q1", generated_at=self.REPORT_AT, author="board pack"
        )
        doc = history_to_prov_json(log, report=report)
        assert {"prov:entity": "il:REPORT-Q1", "prov:agent": "user:board%20pack"} in (
            _relations(doc, "wasAttributedTo")
        )
        used = {
            body["prov:usedEntity"]
            for body in _relations(doc, "wasDerivedFrom")
            if body["prov:generatedEntity"] == "il:REPORT-Q1"
        }
        # The withdrawn incident is no part of the loop the report read.
        assert used == {"il:INC-0001", "il:ACT-0001", "il:ACT-0002"}
        _check_round_trip(
            dumps_history_prov_json(log, report=report),
            history_to_prov_n(log, report=report),
            doc,
        )

    def test_bad_report(self) -> None:
        """Every problem with the report is named, by field."""
        graph = build_graph(samples.small_log())
        naive = datetime(2025, 4, 1)  # noqa: DTZ001 - the error under test
        report = ReportEntity(
            id="INC-0001",
            generated_at=naive,
            author=" ",
            records=("TRN-0001", "NOPE"),
        )
        with pytest.raises(InvalidDataError) as caught:
            to_prov_json(graph, report=report)
        message = str(caught.value)
        assert (
            "report (id INC-0001).id: is already the id of a record or agent" in message
        )
        assert "generated_at: must be a date and time with a time zone" in message
        assert "author: must be non-blank text" in message
        assert "records[0]: 'TRN-0001' is not an incident" in message
        assert "records[1]: 'NOPE'" in message

    def test_id_must_be_an_identifier(self) -> None:
        """A report id that is no identifier is refused."""
        report = ReportEntity(id="a report", generated_at=self.REPORT_AT)
        with pytest.raises(InvalidDataError, match="'a report' is not an identifier"):
            history_to_prov_n(samples.small_log(), report=report)
