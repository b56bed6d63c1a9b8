"""Tests for the W3C PROV export: PROV-JSON and PROV-N, checked with prov and the schema."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import prov
import pytest
from prov.model import ProvActivity, ProvAgent, ProvDocument, ProvEntity

from incident_learning import samples
from incident_learning.analysis import action_trace, incident_trace
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import (
    LOOP_TYPES,
    LearningGraph,
    NodeKind,
    build_graph,
    nodes_of_kind,
)
from incident_learning.model import TrainingSession
from incident_learning.model.base import REFERS_TO
from incident_learning.prov import (  # the private tables are checked against the model
    _AGENTS,
    _ENTITIES,
    NAMESPACE,
    PREFIX,
    dumps_prov_json,
    to_prov_json,
    to_prov_n,
)
from incident_learning.samples.example import example_log

SCHEMA_PATH = Path(__file__).parent / "data" / "prov" / "prov-json.schema.json"
RECORD_TYPES = ("entity", "activity", "agent")


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _example_graph() -> LearningGraph:
    return build_graph(example_log())


def _small_graph() -> LearningGraph:
    return build_graph(samples.small_log())


def _cases() -> list[tuple[str, LearningGraph, frozenset[str] | None]]:
    small = _small_graph()
    example = _example_graph()
    return [
        ("small log", small, None),
        ("small action trace", small, action_trace(small, "ACT-0001").records),
        ("example log", example, None),
        ("example action trace", example, action_trace(example, "ACT-0004").records),
        (
            "example incident trace",
            example,
            incident_trace(
                example, nodes_of_kind(example, NodeKind.INCIDENT)[0]
            ).records,
        ),
    ]


CASES = pytest.mark.parametrize(
    ("graph", "records"),
    [pytest.param(graph, records, id=name) for name, graph, records in _cases()],
)


def _count(document: dict[str, Any]) -> int:
    return sum(len(items) for name, items in document.items() if name != "prefix")


def _ids(document: dict[str, Any], kind: str) -> set[str]:
    return set(document.get(kind, {}))


def _prov_ids(loaded: Any, kind: type[Any]) -> set[str]:
    return {str(record.identifier) for record in loaded.get_records(kind)}


class TestProvJson:
    """The PROV-JSON document is valid and loads with prov as it is."""

    def test_validates_against_the_w3c_schema(self) -> None:
        """The schema declares draft-04, and the chosen validator accepts it."""
        schema = _schema()
        validator = jsonschema.validators.validator_for(schema)
        assert validator is jsonschema.Draft4Validator
        validator.check_schema(schema)

    @CASES
    def test_valid(self, graph: LearningGraph, records: frozenset[str] | None) -> None:
        """Each document validates against the W3C PROV-JSON schema."""
        jsonschema.Draft4Validator(_schema()).validate(
            to_prov_json(graph, records=records)
        )

    @CASES
    def test_loads_with_prov(
        self, graph: LearningGraph, records: frozenset[str] | None
    ) -> None:
        """prov reads every record back, with the same entities, activities, agents."""
        ours = to_prov_json(graph, records=records)
        loaded = ProvDocument.deserialize(
            content=dumps_prov_json(graph, records=records), format="json"
        )
        assert len(list(loaded.get_records())) == _count(ours)

        for name, cls in zip(
            RECORD_TYPES, (ProvEntity, ProvActivity, ProvAgent), strict=True
        ):
            assert _prov_ids(loaded, cls) == _ids(ours, name)

    def test_prefix(self) -> None:
        """The one namespace is the documented URN."""
        assert to_prov_json(_small_graph())["prefix"] == {PREFIX: NAMESPACE}

    def test_mapping_of_the_small_log(self) -> None:
        """Kinds land on the documented PROV classes, relations read back to the cause."""
        doc = to_prov_json(_small_graph())
        assert _ids(doc, "entity") == {
            "il:ACT-0001",
            "il:CF-0001",
            "il:INC-0001",
            "il:LP-0001",
        }
        assert "il:LR-0001" in doc["activity"]
        assert doc["entity"]["il:ACT-0001"]["prov:type"][1]["$"] == "prov:Plan"
        assert _ids(doc, "agent") == {
            "il:STAFF-CW1",
            "il:STAFF-CW2",
            "il:STAFF-RM",
            "il:SVC-OAK",
        }
        relations = {
            (name, tuple(sorted(body.items())))
            for name in ("used", "wasGeneratedBy", "wasDerivedFrom", "wasInformedBy")
            for body in doc[name].values()
        }
        assert (
            "used",
            (("prov:activity", "il:LR-0001"), ("prov:entity", "il:INC-0001")),
        ) in relations
        assert (
            "wasGeneratedBy",
            (("prov:activity", "il:LR-0001"), ("prov:entity", "il:CF-0001")),
        ) in relations
        assert (
            "wasDerivedFrom",
            (
                ("prov:generatedEntity", "il:ACT-0001"),
                ("prov:usedEntity", "il:LP-0001"),
            ),
        ) in relations
        assert (
            "wasInformedBy",
            (("prov:informant", "il:GOV-0001"), ("prov:informed", "il:SHR-0001")),
        ) in relations

    def test_every_edge_is_one_relation(self) -> None:
        """The whole log's document has one relation per graph edge, plus associations."""
        graph = _example_graph()
        doc = to_prov_json(graph)
        edges = sum(
            len(doc.get(name, {}))
            for name in ("used", "wasGeneratedBy", "wasDerivedFrom", "wasInformedBy")
        )
        assert edges == graph.number_of_edges()
        assert len(doc["entity"]) + len(doc["activity"]) == graph.number_of_nodes()

    def test_activity_times(self) -> None:
        """Activities start on their date; a finished learning response also ends."""
        activities = to_prov_json(_small_graph())["activity"]
        assert activities["il:TRN-0001"]["prov:startTime"] == "2025-03-20T00:00:00"
        assert "prov:endTime" not in activities["il:TRN-0001"]
        assert activities["il:LR-0001"]["prov:endTime"] == "2025-03-03T00:00:00"


class TestRoles:
    """Every staff member, team and service an activity names is an agent with a role."""

    def test_roles_of_the_small_log(self) -> None:
        """Each association carries the role of the field that names the agent."""
        doc = to_prov_json(_small_graph())
        roles = sorted(
            (body["prov:activity"], body["prov:agent"], body["prov:role"]["$"])
            for body in doc["wasAssociatedWith"].values()
        )
        assert roles == [
            ("il:CHG-0001", "il:SVC-OAK", "il:service"),
            ("il:COA-0001", "il:STAFF-CW1", "il:coachee"),
            ("il:COA-0001", "il:STAFF-RM", "il:coach"),
            ("il:GOV-0001", "il:STAFF-RM", "il:attendee"),
            ("il:GOV-0001", "il:SVC-OAK", "il:recipient"),
            ("il:LR-0001", "il:STAFF-CW1", "il:participant"),
            ("il:LR-0001", "il:STAFF-CW2", "il:participant"),
            ("il:LR-0001", "il:STAFF-RM", "il:lead"),
            ("il:REV-0001", "il:STAFF-RM", "il:reviewer"),
            ("il:RPS-0001", "il:STAFF-CW1", "il:attendee"),
            ("il:RPS-0001", "il:STAFF-CW2", "il:attendee"),
            ("il:RPS-0001", "il:STAFF-RM", "il:facilitator"),
            ("il:RPS-0001", "il:SVC-OAK", "il:service"),
            ("il:SCC-0001", "il:SVC-OAK", "il:respondent"),
            ("il:SHR-0001", "il:STAFF-RM", "il:sender"),
            ("il:SHR-0001", "il:SVC-OAK", "il:recipient"),
            ("il:SUP-0001", "il:STAFF-CW1", "il:supervisee"),
            ("il:SUP-0001", "il:STAFF-RM", "il:supervisor"),
            ("il:TRN-0001", "il:STAFF-CW1", "il:attendee"),
            ("il:TRN-0001", "il:STAFF-CW2", "il:attendee"),
            ("il:TRN-0001", "il:SVC-OAK", "il:service"),
        ]

    def test_every_agent_field_is_mapped(self) -> None:
        """Every activity field referring to staff, teams or services has a role."""
        agent_kinds = {"staff_member", "team", "service"}
        for cls in LOOP_TYPES:
            kind = NodeKind(cls.record_kind)
            if kind in _ENTITIES:
                continue
            declared = {
                (field.name, target)
                for field in attrs.fields(cls)
                for target in field.metadata.get(REFERS_TO, ())
                if target in agent_kinds
            }
            mapped = {(field, target) for field, target, _ in _AGENTS[kind]}
            assert mapped == declared, kind

    def test_one_association_per_agent_and_role(self) -> None:
        """An agent named twice in one role is associated once; in two roles, twice."""
        log = samples.small_log()
        training = log.get("TRN-0001", TrainingSession)
        log.add(
            training.corrected(
                by="STAFF-RM",
                at=samples.AT,
                reason="attendance list",
                trainer="STAFF-CW1",
                attendees=("STAFF-CW1", "STAFF-CW1", "STAFF-CW2"),
            )
        )
        doc = to_prov_json(build_graph(log), records=["TRN-0001"])
        roles = sorted(
            (body["prov:agent"], body["prov:role"]["$"])
            for body in doc["wasAssociatedWith"].values()
        )
        assert roles == [
            ("il:STAFF-CW1", "il:attendee"),
            ("il:STAFF-CW1", "il:trainer"),
            ("il:STAFF-CW2", "il:attendee"),
            ("il:SVC-OAK", "il:service"),
        ]


class TestRestriction:
    """Restricting to records exports those records and the links among them."""

    def test_trace_gives_only_its_records(self) -> None:
        """An action trace's document holds exactly the trace's records."""
        graph = _example_graph()
        trace = action_trace(graph, "ACT-0004").records
        doc = to_prov_json(graph, records=trace)
        exported = _ids(doc, "entity") | _ids(doc, "activity")
        assert exported == {f"il:{record}" for record in trace}
        for name in ("used", "wasGeneratedBy", "wasDerivedFrom", "wasInformedBy"):
            for body in doc.get(name, {}).values():
                assert set(body.values()) <= exported

    def test_empty_selection(self) -> None:
        """No records, no records: only the prefix."""
        assert to_prov_json(_small_graph(), records=[]) == {
            "prefix": {PREFIX: NAMESPACE}
        }

    def test_unknown_record(self) -> None:
        """A record id that is no node is an error, not silently skipped."""
        with pytest.raises(UnknownRecordError):
            to_prov_json(_small_graph(), records=["INC-0001", "NOPE"])


class TestNoFreeText:
    """Only ids, kinds and dates are exported."""

    @pytest.mark.parametrize("graph", [_small_graph(), _example_graph()])
    def test_no_free_text(self, graph: LearningGraph) -> None:
        """No description, statement, topic or minutes reaches the output."""
        text = dumps_prov_json(graph) + to_prov_n(graph)
        for _, data in graph.nodes(data=True):
            record = data["record"]
            for field in ("description", "statement", "topic", "minutes", "findings"):
                value = getattr(record, field, None)
                if value:
                    assert value not in text

    def test_only_ids_kinds_and_dates(self) -> None:
        """Every string in the document is a qualified name or a time."""
        doc = to_prov_json(_example_graph())

        def strings(value: Any) -> list[str]:
            if isinstance(value, dict):
                return [s for item in value.values() for s in strings(item)]
            if isinstance(value, list):
                return [s for item in value for s in strings(item)]
            return [value]

        for name in (*RECORD_TYPES, "used", "wasAssociatedWith"):
            for key, body in doc[name].items():
                assert key.startswith("il:")
                for value in strings(body):
                    assert value.startswith(("il:", "prov:")) or value[4] == "-"


class TestDeterminism:
    def test_same_text_every_time(self) -> None:
        """Two builds of the same log give the same text, in any record order."""
        records = sorted(_small_graph().nodes)
        first = dumps_prov_json(_small_graph(), records=records)
        again = dumps_prov_json(build_graph(samples.small_log()), records=records[::-1])
        assert first == again
        assert to_prov_n(_small_graph()) == to_prov_n(_small_graph(), records=records)

    def test_keys_sorted(self) -> None:
        """The JSON text's keys are sorted; indent=None gives one line."""
        text = dumps_prov_json(_small_graph(), indent=None)
        assert "\n" not in text
        assert text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)


class TestProvN:
    """The PROV-N text parses with prov into the same document as the PROV-JSON."""

    @CASES
    def test_parses_to_the_json_document(
        self, graph: LearningGraph, records: frozenset[str] | None
    ) -> None:
        """prov reads our PROV-N and our PROV-JSON into equal documents."""
        from_n = prov.read(
            io.StringIO(to_prov_n(graph, records=records)), format="provn"
        )
        from_json = ProvDocument.deserialize(
            content=dumps_prov_json(graph, records=records), format="json"
        )
        assert from_n == from_json
        assert len(list(from_n.get_records())) == _count(
            to_prov_json(graph, records=records)
        )

    def test_shape(self) -> None:
        """A document, its prefix, then one statement a line."""
        lines = to_prov_n(_small_graph()).splitlines()
        assert lines[0] == "document"
        assert lines[1] == f"  prefix il <{NAMESPACE}>"
        assert lines[-1] == "endDocument"
