"""Exports of the learning graph for other tools: node-link JSON and GraphML.

Both exports flatten each record into plain attributes on its node, so tools
that know nothing of this library (networkx, Gephi, yEd, a browser) can read
them: text, numbers and true/false as they are, dates and times as ISO 8601
text, lists and nested objects as JSON text, and empty fields left out
(GraphML has no null). The node's kind is the attribute ``node_kind`` (a
record may have a field called ``kind``) and each edge carries ``relation``.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

import networkx as nx

from incident_learning.graph import KIND, RECORD, RELATION, LearningGraph, graph_index
from incident_learning.serialization.converter import unstructure

if TYPE_CHECKING:
    from incident_learning.model import Record

__all__ = ["NODE_KIND", "flat_graph", "to_node_link", "write_graphml"]

NODE_KIND = "node_kind"
"""The attribute holding a node's kind in the exports."""


def _flat(record: Record) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in unstructure(record).items():
        if value is None:
            continue
        if isinstance(value, list | dict):
            flat[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            flat[name] = value
    return flat


def flat_graph(graph: LearningGraph) -> nx.DiGraph[str]:
    """Return a copy of *graph* whose attributes are plain, exportable values.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`;
            it is not modified.

    Raises:
        GraphShapeError: *graph* was not made by ``build_graph``.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.graph_export import flat_graph
        >>> flat = flat_graph(build_graph(samples.small_log()))
        >>> flat.nodes["ACT-0001"]["node_kind"], flat.nodes["ACT-0001"]["kind"]
        ('action', 'staffing_change')
        >>> flat.edges["LP-0001", "ACT-0001"]
        {'relation': 'addressed_by'}
    """
    graph_index(graph)  # refuses, in the error tree, a graph build_graph did not make
    flat: nx.DiGraph[str] = nx.DiGraph()
    flat.add_nodes_from(
        (node, {NODE_KIND: str(data[KIND]), **_flat(data[RECORD])})
        for node, data in graph.nodes(data=True)
    )
    flat.add_edges_from(
        (source, target, {RELATION: str(data[RELATION])})
        for source, target, data in graph.edges(data=True)
    )
    return flat


def to_node_link(graph: LearningGraph) -> dict[str, Any]:
    """Return *graph* as node-link data, ready for ``json.dumps``.

    networkx reads it back with ``nx.node_link_graph(data, edges="edges")``.

    Examples:
        >>> import json
        >>> import networkx as nx
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.graph_export import to_node_link
        >>> data = to_node_link(build_graph(samples.small_log()))
        >>> again = nx.node_link_graph(json.loads(json.dumps(data)), edges="edges")
        >>> again.nodes["INC-0001"]["category"]
        'falls'
    """
    data: dict[str, Any] = nx.node_link_data(flat_graph(graph), edges="edges")
    return data


# Characters XML 1.0 cannot hold, even escaped; free text typed into other
# systems sometimes carries them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value: object) -> object:
    if isinstance(value, str) and _NOT_XML.search(value):
        return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", value)
    return value


def write_graphml(graph: LearningGraph, path: str | os.PathLike[str]) -> None:
    """Write *graph* to *path* as GraphML, for Gephi, yEd or networkx.

    Characters XML cannot hold (control characters other than tab and line
    breaks) are written as a visible escape (a backslash, ``u`` and four hex
    digits); everything else is kept.

    Examples:
        >>> import networkx as nx
        >>> import tempfile, pathlib
        >>> from incident_learning import samples
        >>> from incident_learning.graph import build_graph
        >>> from incident_learning.graph_export import write_graphml
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "learning.graphml"
        ...     write_graphml(build_graph(samples.small_log()), path)
        ...     again = nx.read_graphml(path)
        >>> again.edges["LP-0001", "ACT-0001"]["relation"]
        'addressed_by'
    """
    flat = flat_graph(graph)
    for _, data in flat.nodes(data=True):
        for name, value in data.items():
            data[name] = _xml_safe(value)
    nx.write_graphml(flat, os.fspath(path))
