"""Tests for the node-link JSON and GraphML exports of the learning graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import GraphShapeError
from incident_learning.graph import build_graph
from incident_learning.graph_export import (
    NODE_KIND,
    flat_graph,
    to_node_link,
    write_graphml,
)
from incident_learning.model import LearningLog


def _shape(
    graph: nx.Graph[Any],
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    nodes = sorted(
        (str(node), str(data[NODE_KIND])) for node, data in graph.nodes(data=True)
    )
    edges = sorted(
        (str(source), str(target), str(data["relation"]))
        for source, target, data in graph.edges(data=True)
    )
    return nodes, edges


class TestFlatGraph:
    def test_records_become_plain_attributes(self) -> None:
        """Fields become text, numbers and booleans; nested values JSON text; nulls gone."""
        flat = flat_graph(build_graph(samples.small_log()))
        incident = flat.nodes["INC-0001"]
        assert incident[NODE_KIND] == "incident"
        assert incident["occurred"] == "2025-03-01T02:40:00+00:00"
        assert incident["reached_person"] is True
        assert json.loads(incident["people_affected"])[0]["person"] == "P-0017"
        assert "cqc_notification" not in incident
        assert flat.nodes["ACT-0001"]["kind"] == "staffing_change"

    def test_the_input_graph_is_not_changed(self) -> None:
        """Flattening copies: the learning graph keeps its records."""
        graph = build_graph(samples.small_log())
        before = dict(graph.nodes["INC-0001"])
        flat_graph(graph)
        assert dict(graph.nodes["INC-0001"]) == before


class TestNodeLink:
    def test_the_example_round_trips_through_json(self) -> None:
        """networkx reads back the same nodes, kinds, edges and relations."""
        graph = build_graph(samples.example_log())
        data = json.loads(json.dumps(to_node_link(graph)))
        again = nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")
        assert _shape(again) == _shape(flat_graph(graph))


class TestGraphml:
    def test_the_example_round_trips_through_graphml(self, tmp_path: Path) -> None:
        """networkx reads the GraphML file back with every node, edge and relation."""
        graph = build_graph(samples.example_log())
        path = tmp_path / "oakvale.graphml"
        write_graphml(graph, path)
        again = nx.read_graphml(path)
        assert _shape(again) == _shape(flat_graph(graph))
        assert (
            again.nodes["INC-0001"]["category"]
            == graph.nodes["INC-0001"]["record"].category
        )

    @settings(max_examples=25)
    @given(strategies.logs())
    def test_any_log_round_trips_through_graphml(
        self, tmp_path_factory: pytest.TempPathFactory, log: LearningLog
    ) -> None:
        """Whatever the log, its text included, the GraphML file reads back whole."""
        graph = build_graph(log)
        path = tmp_path_factory.mktemp("graphml") / "log.graphml"
        write_graphml(graph, path)
        assert _shape(nx.read_graphml(path)) == _shape(flat_graph(graph))

    def test_control_characters_are_written_as_text(self, tmp_path: Path) -> None:
        """A control character in free text is written as a visible escape."""
        fixed = samples.incident().corrected(
            by="STAFF-RM", at=samples.AT, reason="x", description="a\x0bb"
        )
        records = [*samples.small_records(), fixed]
        path = tmp_path / "log.graphml"
        write_graphml(build_graph(LearningLog(records)), path)
        assert nx.read_graphml(path).nodes["INC-0001"]["description"] == "a\\u000bb"


class TestBadInput:
    def test_a_graph_not_built_from_a_log_is_refused(self, tmp_path: Path) -> None:
        """Exporting a plain networkx graph is refused with GraphShapeError."""
        plain: nx.DiGraph[str] = nx.DiGraph()
        plain.add_node("INC-1")
        with pytest.raises(GraphShapeError, match="not made by build_graph"):
            write_graphml(plain, tmp_path / "x.graphml")
        with pytest.raises(GraphShapeError):
            to_node_link(plain)
