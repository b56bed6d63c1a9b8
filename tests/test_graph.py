"""Tests for the learning graph: its schema, its edges, its indexes and its accessor."""

from __future__ import annotations

import gc
import re
import sys
import typing
from datetime import date

import attrs
import networkx as nx
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples
from incident_learning._codegen import without_none
from incident_learning.exceptions import GraphShapeError, UnknownRecordError
from incident_learning.graph import (
    KIND,
    LOOP_TYPES,
    RECORD,
    REFERENCE_RELATIONS,
    RELATION,
    GraphIndex,
    LearningGraph,
    NodeKind,
    Relation,
    build_graph,
    graph_index,
    nodes_of_kind,
    record_of,
)
from incident_learning.model import (
    Action,
    Incident,
    LearningLog,
    LearningPoint,
    Record,
    Service,
    StaffMember,
)
from incident_learning.model.base import REFERS_TO, reference_fields

LOOP_KINDS = frozenset(cls.record_kind for cls in LOOP_TYPES)

SMALL_EDGES = {
    ("INC-0001", "LR-0001", Relation.REVIEWED_BY),
    ("LR-0001", "CF-0001", Relation.IDENTIFIED),
    ("INC-0001", "CF-0001", Relation.CONTRIBUTED_TO_BY),
    ("CF-0001", "LP-0001", Relation.INFORMED),
    ("LP-0001", "ACT-0001", Relation.ADDRESSED_BY),
    ("ACT-0001", "TRN-0001", Relation.EMBEDDED_BY),
    ("LP-0001", "SUP-0001", Relation.EMBEDDED_BY),
    ("LP-0001", "RPS-0001", Relation.EMBEDDED_BY),
    ("ACT-0001", "COA-0001", Relation.EMBEDDED_BY),
    ("ACT-0001", "CHG-0001", Relation.EMBEDDED_BY),
    ("INC-0001", "GOV-0001", Relation.REVIEWED_AT),
    ("LP-0001", "GOV-0001", Relation.REVIEWED_AT),
    ("ACT-0001", "GOV-0001", Relation.REVIEWED_AT),
    ("GOV-0001", "SHR-0001", Relation.SHARED_BY),
    ("LP-0001", "SHR-0001", Relation.EMBEDDED_BY),
    ("ACT-0001", "REV-0001", Relation.EVALUATED_BY),
    ("ACT-0001", "SCC-0001", Relation.EMBEDDED_BY),
}
"""Every edge of the sample log's graph, with its relation."""


def _edges(graph: LearningGraph) -> list[tuple[str, str, Relation]]:
    """Return the edges of *graph* with their relations, sorted."""
    return sorted(graph.edges(data=RELATION))


def _nodes(graph: LearningGraph) -> list[tuple[str, NodeKind, Record]]:
    """Return the nodes of *graph* with their kinds and records, sorted."""
    return sorted(
        ((node, data[KIND], data[RECORD]) for node, data in graph.nodes(data=True)),
        key=lambda item: item[0],
    )


def _loop_references(cls: type, prefix: str = "") -> list[tuple[str, tuple[str, ...]]]:
    """Return every reference field of *cls*, nested ones dotted, with its kinds."""
    attrs.resolve_types(cls)
    found: list[tuple[str, tuple[str, ...]]] = []
    for field in attrs.fields(cls):
        kinds = field.metadata.get(REFERS_TO)
        if kinds:
            found.append((prefix + field.name, kinds))
            continue
        tp = without_none(field.type)[0]
        if typing.get_origin(tp) is tuple:
            tp = typing.get_args(tp)[0]
        if isinstance(tp, type) and attrs.has(tp):
            found.extend(_loop_references(tp, f"{prefix}{field.name}."))
    return found


def _withdrawn(record: Record) -> Record:
    """Return the next version of *record*, withdrawn as entered in error."""
    return record.marked_entered_in_error(
        by="STAFF-RM", at=samples.AT, reason="entered in error"
    )


def _built_with_add_edges_from(log: LearningLog) -> LearningGraph:
    """Return the graph of *log* built through networkx's public add methods.

    The reference build_graph must equal: nodes added in the same order with
    add_node, edges in the same order with add_edges_from.
    """
    graph: LearningGraph = nx.DiGraph()
    records = [
        record
        for cls in LOOP_TYPES
        for record in log.of_kind(cls).values()
        if not record.entered_in_error
    ]
    for record in records:
        graph.add_node(record.id, kind=NodeKind(record.record_kind), record=record)
    edges = []
    for record in records:
        for field in attrs.fields(type(record)):
            relation = REFERENCE_RELATIONS.get((record.record_kind, field.name))
            if relation is not None:
                value = getattr(record, field.name)
                edges += [
                    (target, record.id, {RELATION: relation})
                    for target in (value if isinstance(value, tuple) else (value,))
                    if target in graph
                ]
    graph.add_edges_from(edges)
    return graph


def _assert_same_structure(graph: LearningGraph, expected: LearningGraph) -> None:
    """Assert *graph* has *expected*'s nodes, edges and data, in the same order."""
    assert list(graph.nodes(data=True)) == list(expected.nodes(data=True))
    for node in expected:
        assert list(graph.succ[node].items()) == list(expected.succ[node].items())
        assert list(graph.pred[node].items()) == list(expected.pred[node].items())


class TestSchema:
    def test_every_reference_between_loop_kinds_is_mapped(self) -> None:
        """Each field of a loop record that refers to a loop kind has a relation."""
        for cls in LOOP_TYPES:
            for field, kinds in _loop_references(cls):
                if LOOP_KINDS.intersection(kinds):
                    assert (cls.record_kind, field) in REFERENCE_RELATIONS, field

    def test_every_mapped_field_refers_to_loop_kinds_only(self) -> None:
        """Each mapped field exists, is top level and refers only to loop kinds."""
        declared = {
            (cls.record_kind, field): kinds
            for cls in LOOP_TYPES
            for field, kinds in _loop_references(cls)
        }
        for key in REFERENCE_RELATIONS:
            assert key in declared, key
            assert LOOP_KINDS.issuperset(declared[key]), key

    def test_every_mapped_field_refers_to_earlier_loop_types(self) -> None:
        """Causes come first: build_graph's one pass finds every edge's source."""
        order = [cls.record_kind for cls in LOOP_TYPES]
        for cls in LOOP_TYPES:
            for field, kinds in _loop_references(cls):
                if (cls.record_kind, field) in REFERENCE_RELATIONS:
                    for kind in kinds:
                        assert order.index(kind) < order.index(cls.record_kind), field

    def test_every_relation_is_used(self) -> None:
        """Every relation comes from at least one reference field."""
        assert set(REFERENCE_RELATIONS.values()) == set(Relation)

    def test_node_kinds_are_the_loop_record_kinds(self) -> None:
        """The node kinds are spelt exactly as the loop records' kinds."""
        assert {kind.value for kind in NodeKind} == LOOP_KINDS


class TestBuildGraph:
    def test_nodes_are_the_loop_records_with_their_kinds(
        self, small_log: LearningLog
    ) -> None:
        """Each loop record is one node holding its kind and the record itself."""
        graph = build_graph(small_log)
        expected = sorted(
            (record.id, NodeKind(record.record_kind), record)
            for record in small_log
            if record.record_kind in LOOP_KINDS
        )
        assert _nodes(graph) == expected

    def test_every_edge_of_the_sample_has_its_relation(
        self, small_log: LearningLog
    ) -> None:
        """The sample's graph has exactly the expected edges and relations."""
        assert set(_edges(build_graph(small_log))) == SMALL_EDGES

    def test_hubs_are_not_nodes(self, small_log: LearningLog) -> None:
        """The provider, services, teams, staff and exposure are not nodes."""
        graph = build_graph(small_log)
        for hub in (
            "PRV-OAKVALE",
            "SVC-OAK",
            "TEAM-OAK-NIGHT",
            "EXP-OAK-2025-03",
            "STAFF-RM",
            "STAFF-CW1",
        ):
            assert hub in small_log
            assert hub not in graph

    def test_an_unrelated_incident_at_the_same_service_is_not_traced(
        self, small_log: LearningLog
    ) -> None:
        """Another incident at the action's service is not among its descendants."""
        small_log.add(attrs.evolve(samples.incident(), id="INC-0002"))
        graph = build_graph(small_log)
        assert "INC-0002" in graph
        assert "INC-0002" not in nx.descendants(graph, "ACT-0001")
        assert "INC-0002" not in nx.ancestors(graph, "ACT-0001")
        assert graph.degree("INC-0002") == 0

    def test_records_entered_in_error_are_left_out_with_their_edges(
        self, small_log: LearningLog
    ) -> None:
        """A withdrawn record is no node, and no edge touches it."""
        small_log.add(_withdrawn(samples.incident()))
        small_log.add(_withdrawn(samples.coaching_session()))
        graph = build_graph(small_log)
        assert "INC-0001" not in graph
        assert "COA-0001" not in graph
        expected = {
            edge
            for edge in SMALL_EDGES
            if not {"INC-0001", "COA-0001"}.intersection(edge[:2])
        }
        assert set(_edges(graph)) == expected
        index = graph_index(graph)
        assert index.incidents_by_month == {}
        assert index.incidents_by_category == {}
        assert "COA-0001" not in index.by_kind.get(NodeKind.COACHING_SESSION, ())

    def test_the_log_is_not_changed_and_the_collector_is_restored(
        self, small_log: LearningLog
    ) -> None:
        """Building reads the log only and turns the collector back on."""
        before = list(small_log.all_versions())
        build_graph(small_log)
        assert list(small_log.all_versions()) == before
        assert gc.isenabled()

    def test_an_empty_log_gives_an_empty_graph(self) -> None:
        """A log with no records gives a graph with no nodes and empty indexes."""
        graph = build_graph(LearningLog())
        assert graph.number_of_nodes() == 0
        assert graph_index(graph) == GraphIndex(
            by_kind={},
            by_service={},
            incidents_by_category={},
            incidents_by_month={},
            services={},
            teams={},
            staff={},
            staff_by_service={},
            exposures={},
        )

    def test_two_graphs_of_one_log_are_equal_and_separate(
        self, small_log: LearningLog
    ) -> None:
        """Each build returns a new graph with the same nodes and edges."""
        first, second = build_graph(small_log), build_graph(small_log)
        assert first is not second
        assert _nodes(first) == _nodes(second)
        assert _edges(first) == _edges(second)

    def test_the_graph_equals_the_add_edges_from_build(self) -> None:
        """The example's graph equals, in order, one built by networkx's add methods."""
        log = samples.example_log()
        log.add(_withdrawn(next(iter(log.active(Incident)))))
        _assert_same_structure(build_graph(log), _built_with_add_edges_from(log))

    def test_each_edge_and_node_has_its_own_attribute_dict(self) -> None:
        """Changing one edge's or node's attributes changes no other."""
        graph = build_graph(samples.example_log())
        edge_dicts = [data for _, _, data in graph.edges(data=True)]
        assert len({id(data) for data in edge_dicts}) == len(edge_dicts)
        source, target = next(iter(graph.edges))
        assert graph.succ[source][target] is graph.pred[target][source]
        graph.edges[source, target]["x"] = 1
        graph.nodes[source]["x"] = 1
        assert graph.pred[target][source]["x"] == 1
        edited = [(u, v) for u, v, data in graph.edges(data=True) if "x" in data]
        assert edited == [(source, target)]
        assert [node for node, data in graph.nodes(data=True) if "x" in data] == [
            source
        ]

    def test_compact_attribute_dicts_behave_as_plain_dicts(self) -> None:
        """Overwriting, deleting and adding keys on one compact dict leaves its peers alone."""
        graph = build_graph(samples.example_log())
        by_relation: dict[object, list[tuple[str, str]]] = {}
        for source, target, data in graph.edges(data=True):
            by_relation.setdefault(data[RELATION], []).append((source, target))
        pairs = next(edges for edges in by_relation.values() if len(edges) > 1)
        first, second = pairs[0], pairs[1]
        data = graph.edges[first]
        assert type(data) is dict
        assert data == {RELATION: graph.edges[second][RELATION]}
        relation = data[RELATION]
        data[RELATION] = "changed"
        assert graph.edges[second][RELATION] is relation
        del data[RELATION]
        assert graph.edges[first] == {}
        assert graph.edges[second] == {RELATION: relation}
        nodes = list(graph.nodes)
        node_data = graph.nodes[nodes[0]]
        assert type(node_data) is dict
        assert list(node_data) == [KIND, RECORD]
        node_data[KIND] = "changed"
        del node_data[RECORD]
        assert list(graph.nodes[nodes[1]]) == [KIND, RECORD]
        assert graph.nodes[nodes[1]][KIND] is not None
        copied = graph.copy()
        assert nx.utils.graphs_equal(copied, graph)

    @pytest.mark.skipif(
        sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11),
        reason="the sizes are CPython 3.11's",
    )
    def test_attribute_dicts_share_their_keys(self) -> None:
        """Node and edge dicts hold only their values (PEP 412 key sharing)."""
        graph = build_graph(samples.small_log())
        literal = sys.getsizeof({RELATION: None})
        for _, _, data in graph.edges(data=True):
            assert sys.getsizeof(data) < literal
        for _, data in graph.nodes(data=True):
            assert sys.getsizeof(data) < literal

    def test_a_node_edited_afterwards_changes_no_other(self) -> None:
        """An edge added from and to nodes without edges touches only those nodes."""
        graph = build_graph(samples.example_log())
        leaves = [node for node in graph if not graph.succ[node]]
        roots = [node for node in graph if not graph.pred[node]]
        graph.add_edge(leaves[0], roots[0])
        assert [node for node in leaves if graph.succ[node]] == [leaves[0]]
        assert [node for node in roots if graph.pred[node]] == [roots[0]]
        assert graph.edges[leaves[0], roots[0]] == {}


class TestGraphIndex:
    def test_the_sample_index(self, small_log: LearningLog) -> None:
        """The sample's index lists its records by kind, service, category and month."""
        index = graph_index(build_graph(small_log))
        assert index.by_kind[NodeKind.ACTION] == ("ACT-0001",)
        assert set(index.by_kind) == set(NodeKind)
        assert index.by_service == {
            "SVC-OAK": (
                "ACT-0001",
                "CHG-0001",
                "GOV-0001",
                "INC-0001",
                "RPS-0001",
                "SCC-0001",
                "SHR-0001",
                "TRN-0001",
            )
        }
        assert index.incidents_by_category == {"falls": ("INC-0001",)}
        assert index.incidents_by_month == {(2025, 3): ("INC-0001",)}
        assert index.services == {"SVC-OAK": small_log.get("SVC-OAK", Service)}
        assert list(index.teams) == ["TEAM-OAK-NIGHT"]
        assert list(index.staff) == ["STAFF-CW1", "STAFF-CW2", "STAFF-RM"]
        assert all(isinstance(member, StaffMember) for member in index.staff.values())

    def test_incidents_are_indexed_under_every_category_sorted(
        self, small_log: LearningLog
    ) -> None:
        """An incident appears under its secondary categories too, ids sorted."""
        small_log.add(
            attrs.evolve(
                samples.incident(),
                id="INC-0000",
                category="medication",
                secondary_categories=("falls",),
                occurred=date(2024, 12, 31),
            )
        )
        index = graph_index(build_graph(small_log))
        assert index.incidents_by_category == {
            "falls": ("INC-0000", "INC-0001"),
            "medication": ("INC-0000",),
        }
        assert index.incidents_by_month == {
            (2024, 12): ("INC-0000",),
            (2025, 3): ("INC-0001",),
        }

    def test_withdrawn_organisation_records_are_not_indexed(
        self, small_log: LearningLog
    ) -> None:
        """A staff member entered in error is not in the staff index."""
        small_log.add(_withdrawn(small_log.get("STAFF-CW2")))
        assert "STAFF-CW2" not in graph_index(build_graph(small_log)).staff

    def test_staff_by_service_and_exposures(self, small_log: LearningLog) -> None:
        """Staff are listed at their own service, else their team's; exposure by first day."""
        by_team = attrs.evolve(samples.staff_member(), id="STAFF-T", service=None)
        nowhere = attrs.evolve(by_team, id="STAFF-X", team=None)
        later = attrs.evolve(
            samples.service_exposure(),
            id="EXP-OAK-2025-04",
            period_start=date(2025, 4, 1),
            period_end=date(2025, 4, 30),
        )
        for record in (by_team, nowhere, later):
            small_log.add(record)
        index = graph_index(build_graph(small_log))
        assert index.staff_by_service == {
            "SVC-OAK": ("STAFF-CW1", "STAFF-CW2", "STAFF-RM", "STAFF-T")
        }
        assert [r.id for r in index.exposures["SVC-OAK"]] == [
            "EXP-OAK-2025-03",
            "EXP-OAK-2025-04",
        ]

    def test_the_index_is_read_only(self, small_log: LearningLog) -> None:
        """The index's mappings cannot be changed."""
        index = graph_index(build_graph(small_log))
        with pytest.raises(TypeError):
            index.by_service["SVC-X"] = ()  # type: ignore[index]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            index.services = {}  # type: ignore[misc]

    def test_a_graph_without_an_index_is_refused(self) -> None:
        """A graph not made by build_graph has no index to return."""
        with pytest.raises(GraphShapeError, match="not made by build_graph"):
            graph_index(nx.DiGraph())


class TestRecordOf:
    def test_the_record_is_returned_typed(self, small_log: LearningLog) -> None:
        """The record on a node comes back as the kind asked for."""
        graph = build_graph(small_log)
        action = record_of(graph, "ACT-0001", Action)
        assert action is small_log.get("ACT-0001", Action)
        assert record_of(graph, "LP-0001") is small_log.get("LP-0001", LearningPoint)

    def test_a_missing_node_is_unknown(self, small_log: LearningLog) -> None:
        """A node not in the graph, a hub included, raises UnknownRecordError."""
        graph = build_graph(small_log)
        with pytest.raises(UnknownRecordError, match="no record has the id 'SVC-OAK'"):
            record_of(graph, "SVC-OAK")
        with pytest.raises(KeyError):
            record_of(graph, "NOPE", Action)

    def test_a_record_of_another_kind_is_unknown(self, small_log: LearningLog) -> None:
        """A node holding another kind raises UnknownRecordError naming the kind."""
        graph = build_graph(small_log)
        with pytest.raises(
            UnknownRecordError, match=re.escape("no incident has the id 'ACT-0001'")
        ):
            record_of(graph, "ACT-0001", Incident)

    def test_a_node_without_a_record_is_unknown(self) -> None:
        """A node added by hand without a record raises UnknownRecordError."""
        graph: LearningGraph = nx.DiGraph()
        graph.add_node("X")
        with pytest.raises(UnknownRecordError):
            record_of(graph, "X")


class TestNodesOfKind:
    def test_nodes_of_a_kind_are_sorted(self, small_log: LearningLog) -> None:
        """The nodes of a kind come back sorted by identifier."""
        small_log.add(attrs.evolve(samples.incident(), id="INC-0000"))
        graph = build_graph(small_log)
        assert nodes_of_kind(graph, NodeKind.INCIDENT) == ("INC-0000", "INC-0001")

    def test_a_kind_with_no_nodes_gives_nothing(self) -> None:
        """A kind the graph does not hold gives an empty tuple."""
        assert nodes_of_kind(build_graph(LearningLog()), NodeKind.ACTION) == ()


class TestProperties:
    @strategies.log_settings()
    @given(strategies.logs())
    def test_nodes_are_active_loop_records_and_edges_their_references(
        self, log: LearningLog
    ) -> None:
        """Nodes are the active loop records; edges, their references to each other."""
        graph = build_graph(log)
        active = {
            record.id
            for record in log
            if record.record_kind in LOOP_KINDS and not record.entered_in_error
        }
        assert set(graph) == active
        assert {
            node for ids in graph_index(graph).by_kind.values() for node in ids
        } == (active)
        expected = set()
        for node in graph:
            record = record_of(graph, node)
            for reference in reference_fields(record):
                if reference.target in active:
                    field = reference.field.split("[")[0]
                    relation = REFERENCE_RELATIONS[record.record_kind, field]
                    expected.add((reference.target, node, relation))
        assert set(_edges(graph)) == expected
        for _, _, relation in graph.edges(data=RELATION):
            assert isinstance(relation, Relation)

    @strategies.log_settings()
    @given(strategies.logs())
    def test_the_graph_equals_the_add_edges_from_build(self, log: LearningLog) -> None:
        """Any log's graph equals, in order, one built by networkx's add methods."""
        _assert_same_structure(build_graph(log), _built_with_add_edges_from(log))

    @strategies.log_settings()
    @given(strategies.logs())
    def test_the_order_of_the_records_does_not_matter(self, log: LearningLog) -> None:
        """Building from the records in reverse order gives the same graph."""
        reordered = LearningLog(
            reversed(list(log.all_versions())), local_codes=log.local_codes
        )
        graph, other = build_graph(log), build_graph(reordered)
        assert _nodes(graph) == _nodes(other)
        assert _edges(graph) == _edges(other)
        assert graph_index(graph) == graph_index(other)
        assert nx.is_isomorphic(
            graph, other, edge_match=lambda a, b: a[RELATION] == b[RELATION]
        )
