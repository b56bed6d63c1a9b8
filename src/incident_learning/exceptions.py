"""Exceptions raised by *incident_learning*.

Every exception the library raises on purpose derives from
:class:`IncidentLearningError`. Where a builtin's meaning fits, a subclass also
inherits it, so ``except ValueError`` and ``except KeyError`` keep working.

Hierarchy::

    IncidentLearningError
    ├── InvalidRecordError      (also ValueError) a record breaks an invariant
    ├── InvalidDataError        (also ValueError) plain data failed to load;
    │   │                        .problems lists every problem at once
    │   └── UnsupportedFormatError  a document of a newer or unknown format
    ├── IllegalTransitionError  (also ValueError) an action's lifecycle forbids the move
    ├── DateParseError          (also ValueError) text is not one unambiguous date or time
    ├── GraphShapeError         (also ValueError) a graph is not one build_graph made
    └── UnknownRecordError      (also KeyError) no record has the identifier asked for

Each problem is a :class:`Problem`: where it is (path, record identifier,
field), the offending value, and a message.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "DateParseError",
    "GraphShapeError",
    "IllegalTransitionError",
    "IncidentLearningError",
    "InvalidDataError",
    "InvalidRecordError",
    "Problem",
    "UnknownRecordError",
    "UnsupportedFormatError",
]


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a record or a document.

    Attributes:
        path: Where the record sits in the document, e.g. ``incidents[3]``;
            empty for a record built in code.
        record_id: The identifier of the record at fault, when it has one.
        field: The field within the record, dotted and indexed, e.g.
            ``people_affected[0].physical_harm``; empty for the whole record.
        value: The offending value, as found.
        message: What is wrong, in a sentence fragment a person can act on.

    Examples:
        >>> from incident_learning.exceptions import Problem
        >>> print(
        ...     Problem(
        ...         path="incidents[3]",
        ...         record_id="INC-0042",
        ...         field="people_affected[0].physical_harm",
        ...         value="moderat",
        ...         message="'moderat' is not one of 'none', 'low', ...",
        ...     )
        ... )
        incidents[3] (id INC-0042).people_affected[0].physical_harm: 'moderat' is not one of 'none', 'low', ...

    """

    path: str = ""
    record_id: str | None = None
    field: str = ""
    value: object = None
    message: str

    @property
    def location(self) -> str:
        """The path, record identifier and field, joined for reading."""
        where = self.path
        if self.record_id is not None:
            where = (
                f"{where} (id {self.record_id})" if where else f"id {self.record_id}"
            )
        if self.field:
            where = f"{where}.{self.field}" if where else self.field
        return where

    def within(self, path: str) -> Problem:
        """Return this problem placed under *path* (e.g. ``incidents[3]``)."""
        return attrs.evolve(self, path=f"{path}{self.path}" if self.path else path)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


class IncidentLearningError(Exception):
    """Base class of every error *incident_learning* raises on purpose."""


def _render(summary: str, problems: tuple[Problem, ...], limit: int = 20) -> str:
    lines = [summary]
    lines.extend(f"  {problem}" for problem in problems[:limit])
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more")
    return "\n".join(lines)


class InvalidRecordError(IncidentLearningError, ValueError):
    """A record was built with values that break one of its invariants.

    Attributes:
        kind: The record kind, e.g. ``incident``.
        record_id: The record's identifier, when it had a usable one.
        problems: Every problem found in the record.
    """

    def __init__(
        self, kind: str, record_id: str | None, problems: Iterable[Problem]
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.problems = tuple(problems)
        super().__init__(kind, record_id, self.problems)

    def __str__(self) -> str:
        what = f"invalid {self.kind}" + (f" {self.record_id}" if self.record_id else "")
        details = [
            f"{problem.field}: {problem.message}" if problem.field else problem.message
            for problem in self.problems
        ]
        if len(details) == 1:
            return f"{what}: {details[0]}"
        return "\n  ".join([f"{what} ({len(details)} problems):", *details])


class InvalidDataError(IncidentLearningError, ValueError):
    """Loading plain data (JSON, a mapping, a log) found problems.

    Every problem is collected before this is raised, so one run shows all
    that needs fixing.

    Attributes:
        problems: Every problem found, in document order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        if count == 1:
            return str(self.problems[0])
        return _render(f"{count} problems found:", self.problems)


class UnsupportedFormatError(InvalidDataError):
    """A document declares a format this version of the library cannot read.

    Attributes:
        found: The format string the document declares.
        supported: The format string this library writes.
    """

    def __init__(self, found: object, supported: str) -> None:
        self.found = found
        self.supported = supported
        message = (
            f"format {found!r} is not supported: this library reads {supported!r} "
            "and older versions of it; upgrade incident_learning to read newer files"
        )
        super().__init__([Problem(field="format", value=found, message=message)])


class IllegalTransitionError(IncidentLearningError, ValueError):
    """An action was asked to move to a status its lifecycle does not allow.

    Attributes:
        action_id: The action's identifier.
        current: The action's current status.
        requested: The status asked for.
        reason: Why the move is refused.
    """

    def __init__(
        self, action_id: str, current: str, requested: str, reason: str
    ) -> None:
        self.action_id = action_id
        self.current = current
        self.requested = requested
        self.reason = reason
        super().__init__(action_id, current, requested, reason)

    def __str__(self) -> str:
        return (
            f"action {self.action_id} cannot move from {self.current!s} to "
            f"{self.requested!s}: {self.reason}"
        )


class DateParseError(IncidentLearningError, ValueError):
    """Text could not be read as exactly one date or time.

    Attributes:
        text: The text as given.
        reason: Why it was refused (impossible, ambiguous, no zone, ...).
    """

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(text, reason)

    def __str__(self) -> str:
        return f"{self.text!r}: {self.reason}"


class UnknownRecordError(IncidentLearningError, KeyError):
    """No record has the identifier that was asked for.

    Attributes:
        record_id: The identifier looked up.
        kind: The kind of record expected, if one was.
    """

    def __init__(self, record_id: str, kind: str | None = None) -> None:
        self.record_id = record_id
        self.kind = kind
        super().__init__(record_id)

    def __str__(self) -> str:
        if not self.record_id:
            return f"the log has no {self.kind or 'record'}"
        what = f"no {self.kind}" if self.kind else "no record"
        return f"{what} has the id {self.record_id!r}"


class GraphShapeError(IncidentLearningError, ValueError):
    """A graph lacks what the library's own graphs carry (e.g. their index).

    Examples:
        >>> import networkx as nx
        >>> from incident_learning.graph import graph_index
        >>> graph_index(nx.DiGraph())
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.GraphShapeError: the graph has no index: it was not made by build_graph
    """
