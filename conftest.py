"""Root pytest configuration: the doctest namespace and what not to collect."""

from __future__ import annotations

import pytest

import incident_learning

#: Paths that ``--doctest-modules`` must not import: the Sphinx configuration
#: (it needs Sphinx, which a minimal install lacks) and the built docs.
collect_ignore: list[str] = ["docs/conf.py", "docs/_build"]


@pytest.fixture(autouse=True)
def _add_il(doctest_namespace: dict[str, object]) -> None:
    """Make the package available as ``il`` in every doctest.

    Doctests, in docstrings and in the Markdown docs alike, always assume
    ``import incident_learning as il``, the way networkx's assume ``nx``.

    Args:
        doctest_namespace: pytest's namespace for doctest globals.
    """
    doctest_namespace["il"] = incident_learning
