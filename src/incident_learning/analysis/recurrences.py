"""Find incidents like an action's own that recur at its services after it was done.

An action comes from incidents (its *origin*). When incidents of the same
category, or with a contributing factor of the same domain, happen again at
the services it applies to after it was completed, that is a sign the action
did not work. :func:`recurrence` flags each such action with the repeat
incidents. The rules are set out in ``docs/analysis/recurrence.md``.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeAlias

import attrs

from incident_learning import _html
from incident_learning.analysis._walk import ancestors_of_kind, factor_incidents
from incident_learning.graph import (
    KIND,
    RECORD,
    NodeKind,
    graph_index,
    record_of,
)
from incident_learning.model import Action, ActionStatus, ContributingFactor, Incident
from incident_learning.model.vocab import FactorFramework

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = [
    "FactorDomain",
    "Recurrence",
    "RecurrenceMatch",
    "RecurrenceReport",
    "recurrence",
]


@enum.unique
class RecurrenceMatch(enum.StrEnum):
    """What a repeat incident has in common with the incidents an action came from.

    Examples:
        >>> from incident_learning.analysis.recurrences import RecurrenceMatch
        >>> [match.value for match in RecurrenceMatch]
        ['category', 'factor_domain']
    """

    CATEGORY = "category"
    """It has the primary category of an origin incident (as any of its own)."""
    FACTOR_DOMAIN = "factor_domain"
    """A contributing factor of the same framework and domain contributed to it."""


@attrs.frozen(order=True)
class FactorDomain:
    """A contributing-factor domain, with the framework it is coded in.

    Two factors match only when both agree: ``care`` and ``seips`` codes are
    not compared with each other.

    Attributes:
        framework: The factor framework.
        domain: The domain code in that framework.

    Examples:
        >>> from incident_learning.analysis.recurrences import FactorDomain
        >>> from incident_learning.model.vocab import FactorFramework
        >>> FactorDomain(FactorFramework.CARE, "equipment")
        FactorDomain(framework=<FactorFramework.CARE: 'care'>, domain='equipment')
        >>> print(FactorDomain(FactorFramework.SEIPS, "tools_and_technology"))
        tools_and_technology (seips)
    """

    framework: FactorFramework
    domain: str

    def __str__(self) -> str:
        return f"{self.domain} ({self.framework})"


_Key: TypeAlias = "str | FactorDomain"


@attrs.frozen(kw_only=True)
class Recurrence:
    """Incidents that recurred at one service after an action was done.

    One flag covers one action, one service and one thing in common (a
    category or a factor domain). The action's status is reported as it
    stands: a flag on an action verified effective is a disagreement between
    the review and the incidents, worth a second look.

    Attributes:
        action: The action's identifier.
        action_status: Its current status.
        completed_on: The day it was done (see
            :attr:`~incident_learning.model.action.Action.completed_on`).
        service: The service the incidents recurred at.
        match: What the repeats have in common with the origin.
        key: The category code, or the :class:`FactorDomain`.
        origin_incidents: The incidents the action came from that *key*
            comes from (at any service), sorted by identifier.
        repeat_incidents: The repeats, sorted by identifier; never empty.
        first_repeat_on: The day the first repeat occurred.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.recurrences import recurrence
        >>> graph = il.build_graph(samples.example_log())
        >>> flag = recurrence(graph, actions=["ACT-0006"]).flags[0]
        >>> flag.action, flag.action_status.value, flag.service, flag.key
        ('ACT-0006', 'found_ineffective', 'SVC-BIRCH', 'pressure_ulcers_and_skin_damage')
        >>> flag.completed_on, flag.first_repeat_on, flag.days_to_first_repeat
        (datetime.date(2024, 6, 28), datetime.date(2024, 7, 7), 9)
    """

    action: str
    action_status: ActionStatus
    completed_on: date
    service: str
    match: RecurrenceMatch
    key: str | FactorDomain
    origin_incidents: tuple[str, ...]
    repeat_incidents: tuple[str, ...]
    first_repeat_on: date

    @property
    def days_to_first_repeat(self) -> int:
        """Whole days from the action's completion to the first repeat (at least 1)."""
        return (self.first_repeat_on - self.completed_on).days


def _action_of(flag: Recurrence) -> str:
    return flag.action


@attrs.frozen(kw_only=True)
class RecurrenceReport:
    """The outcome of :func:`recurrence`, the flags and the actions checked.

    Attributes:
        flags: One per action, service, match and key with repeats, sorted
            by action, service, match (category first), then key.
        checked: The actions looked at (those done), sorted; an action here
            without flags had no repeats.
        within_days: The window after completion, or ``None`` for no limit.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.recurrences import recurrence
        >>> report = recurrence(il.build_graph(samples.example_log()), within_days=90)
        >>> "ACT-0006" in report.flagged_actions, "ACT-0007" in report.flagged_actions
        (True, False)
        >>> "ACT-0007" in report.checked
        True
    """

    flags: tuple[Recurrence, ...]
    checked: tuple[str, ...]
    within_days: int | None

    @property
    def flagged_actions(self) -> tuple[str, ...]:
        """The actions with at least one flag, sorted by identifier."""
        return tuple(dict.fromkeys(flag.action for flag in self.flags))

    def for_action(self, action: str) -> tuple[Recurrence, ...]:
        """Return the flags of *action*, in report order; empty if it has none.

        Args:
            action: An action's identifier.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis.recurrences import recurrence
            >>> report = recurrence(il.build_graph(samples.example_log()))
            >>> [(f.match.value, f.key) for f in report.for_action("ACT-0007")]
            [('category', 'pressure_ulcers_and_skin_damage')]
            >>> report.for_action("ACT-0049")
            ()
        """
        # The flags are sorted by action, so the action's flags are one run.
        start = bisect_left(self.flags, action, key=_action_of)
        end = bisect_right(self.flags, action, key=_action_of)
        return self.flags[start:end]

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the report as HTML for notebooks: the flags, action by action.

        Args:
            max_rows: The most flags listed; the rest are counted.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import recurrence
            >>> report = recurrence(
            ...     il.build_graph(samples.example_log()), within_days=90
            ... )
            >>> html = report._repr_html_()
            >>> "<caption>Recurrences within 90 days: " in html
            True
        """
        window = (
            "with no time limit"
            if self.within_days is None
            else f"within {_html.plural(self.within_days, 'day')}"
        )
        flagged = self.flagged_actions
        return _html.block(
            "recurrences",
            _html.fields(
                f"Recurrences {window}: {_html.plural(len(self.flags), 'flag')}",
                [
                    ("actions checked", len(self.checked)),
                    ("actions flagged", len(flagged)),
                    ("flagged", flagged),
                ],
            ),
            _html.table(
                "Flags, by action and service",
                [
                    "action",
                    "status",
                    "completed on",
                    "service",
                    "match",
                    "in common",
                    "origin incidents",
                    "repeats",
                    "first repeat on",
                    "days to first repeat",
                ],
                self.flags,
                lambda flag: [
                    flag.action,
                    flag.action_status,
                    flag.completed_on,
                    flag.service,
                    flag.match,
                    str(flag.key),
                    flag.origin_incidents,
                    flag.repeat_incidents,
                    flag.first_repeat_on,
                    flag.days_to_first_repeat,
                ],
                max_rows=max_rows,
            ),
        )


# --- per-call look-ups ------------------------------------------------------------

_DomainKey: TypeAlias = tuple[FactorFramework, str]
_Timeline: TypeAlias = tuple[list[date], list[str]]
"""Incidents sorted by day: the days, and the identifiers in the same order."""


@attrs.frozen(kw_only=True)
class _Origin:
    """What one done action is checked against (private, per call)."""

    action: Action
    completed_on: date
    services: tuple[str, ...]
    by_category: Mapping[str, tuple[str, ...]]
    factors: Mapping[_DomainKey, tuple[str, ...]]
    incidents: frozenset[str]


_Links: TypeAlias = dict[str, frozenset[str]]
"""The incidents each factor is linked to, filled as needed within one call."""


def _timelines(
    groups: Mapping[tuple[str, object], Mapping[str, date]],
) -> dict[tuple[str, object], _Timeline]:
    timelines: dict[tuple[str, object], _Timeline] = {}
    for group, incidents in groups.items():
        ordered = sorted((day, node) for node, day in incidents.items())
        timelines[group] = ([day for day, _ in ordered], [node for _, node in ordered])
    return timelines


def _check_within_days(within_days: int | None) -> None:
    if within_days is None:
        return
    # bool is an int, but `within_days=True` is surely a mistake.
    if (
        isinstance(within_days, bool)
        or not isinstance(within_days, int)
        or within_days < 1
    ):
        msg = f"within_days must be a positive whole number of days or None, not {within_days!r}"
        raise ValueError(msg)


def _selected(graph: LearningGraph, actions: Iterable[str] | None) -> list[Action]:
    if actions is None:
        index = graph_index(graph)
        ids: Iterable[str] = index.by_kind.get(NodeKind.ACTION, ())
    elif isinstance(actions, str):
        # A lone id would be read letter by letter.
        msg = f"actions must be an iterable of identifiers, not the string {actions!r}"
        raise TypeError(msg)
    else:
        ids = sorted(set(actions))
    return [record_of(graph, node, Action) for node in ids]


def _origin(
    graph: LearningGraph, action: Action, completed_on: date, links: _Links
) -> _Origin:
    nodes = graph.nodes
    by_category: defaultdict[str, list[str]] = defaultdict(list)
    factors: defaultdict[_DomainKey, set[str]] = defaultdict(set)
    incidents: list[str] = []
    services: set[str] = set()
    for node in ancestors_of_kind(
        graph, action.id, (NodeKind.INCIDENT, NodeKind.CONTRIBUTING_FACTOR)
    ):
        data = nodes[node]
        record = data[RECORD]
        if data[KIND] is NodeKind.INCIDENT:
            incidents.append(node)
            services.add(record.service)
            # The action addresses what its incidents were mainly about.
            by_category[record.category].append(node)
        else:
            factors[record.framework, record.domain].update(
                factor_incidents(graph, node, links)
            )
    return _Origin(
        action=action,
        completed_on=completed_on,
        services=tuple(sorted(set(action.services) or services)),
        by_category={key: tuple(ids) for key, ids in sorted(by_category.items())},
        factors={key: tuple(sorted(ids)) for key, ids in sorted(factors.items())},
        incidents=frozenset(incidents),
    )


def _category_timelines(
    graph: LearningGraph, wanted: Mapping[str, set[str]]
) -> dict[tuple[str, object], _Timeline]:
    """Return the incidents of each wanted ``(service, category)``, by day.

    Only the wanted categories' incidents are touched, each once; the index
    lists an incident under its secondary categories too.
    """
    nodes = graph.nodes
    by_category = graph_index(graph).incidents_by_category
    groups: defaultdict[tuple[str, object], dict[str, date]] = defaultdict(dict)
    for category, services in wanted.items():
        for node in by_category.get(category, ()):
            incident: Incident = nodes[node][RECORD]
            if incident.service in services:
                groups[incident.service, category][node] = incident.occurred_on
    return _timelines(groups)


def _domain_timelines(
    graph: LearningGraph, wanted: Mapping[_DomainKey, set[str]], links: _Links
) -> dict[tuple[str, object], _Timeline]:
    """Return the incidents linked to factors of each wanted ``(service, domain)``.

    One pass over the factors; an incident linked to two factors of one
    domain appears once.
    """
    nodes = graph.nodes
    groups: defaultdict[tuple[str, object], dict[str, date]] = defaultdict(dict)
    for factor in graph_index(graph).by_kind.get(NodeKind.CONTRIBUTING_FACTOR, ()):
        record: ContributingFactor = nodes[factor][RECORD]
        key = (record.framework, record.domain)
        services = wanted.get(key)
        if services is None:
            continue
        for node in factor_incidents(graph, factor, links):
            incident: Incident = nodes[node][RECORD]
            if incident.service in services:
                groups[incident.service, key][node] = incident.occurred_on
    return _timelines(groups)


def _repeats(
    timeline: _Timeline | None, origin: _Origin, last_day: date | None
) -> tuple[tuple[str, ...], date] | None:
    """Return the repeats in *timeline* after completion, and the first's day."""
    if timeline is None:
        return None
    days, nodes = timeline
    start = bisect_right(days, origin.completed_on)
    end = len(days) if last_day is None else bisect_right(days, last_day)
    own = origin.incidents
    found = [node for node in nodes[start:end] if node not in own]
    if not found:
        return None
    # The first repeat is the first in day order that is not the action's own.
    first = start
    while nodes[first] in own:
        first += 1
    found.sort()
    return tuple(found), days[first]


def recurrence(
    graph: LearningGraph,
    *,
    actions: Iterable[str] | None = None,
    within_days: int | None = None,
) -> RecurrenceReport:
    """Return the done actions whose incidents recurred at their services afterwards.

    For each action that was done (it has a
    :attr:`~incident_learning.model.action.Action.completed_on` day; proposed,
    agreed, in-progress and rejected actions are not checked):

    * its *origin* is the incidents it comes from (its ancestors of kind
      incident), their primary categories, and the domains of the
      contributing factors it comes from;
    * its *services* are the action's own, or, if it names none, those of
      its origin incidents;
    * a *repeat* is an incident at one of those services, not in its origin,
      that occurred strictly after the day it was done (and at most
      *within_days* days after) and that has one of the origin's primary
      categories as its primary or a secondary category, or was contributed
      to by a factor of one of its domains (the factor names the incident,
      or was found by a learning response that reviewed it).

    Records entered in error are not in the graph, so they never count.
    The current status is reported, whatever it is: an action verified
    effective is flagged too.

    Time is linear in what the call touches: one walk up from each action,
    one pass over the incidents of the categories and the factors of the
    domains in question, then a binary search per flag.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        actions: Check only these actions; all by default.
        within_days: Count only repeats that occurred at most this many days
            after the action was done; ``None`` (the default) for no limit.

    Returns:
        A :class:`RecurrenceReport` with the flags, sorted by action, service,
        match and key, and the actions checked.

    Raises:
        UnknownRecordError: An identifier in *actions* is not an action of
            *graph*.
        TypeError: *actions* is a single string.
        ValueError: *within_days* is not a positive whole number.
        GraphShapeError: *graph* was not made by ``build_graph``.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.recurrences import recurrence
        >>> graph = il.build_graph(samples.example_log())
        >>> report = recurrence(graph, actions=["ACT-0006", "ACT-0007"])
        >>> for flag in report.flags:
        ...     print(
        ...         flag.action, flag.match.value, flag.key, len(flag.repeat_incidents)
        ...     )
        ACT-0006 category pressure_ulcers_and_skin_damage 30
        ACT-0006 factor_domain care_planning (care) 4
        ACT-0007 category pressure_ulcers_and_skin_damage 10
        >>> small = recurrence(il.build_graph(samples.small_log()))
        >>> small.flags, small.checked  # its one action is only proposed
        ((), ())
    """
    _check_within_days(within_days)
    origins: list[_Origin] = []
    categories: defaultdict[str, set[str]] = defaultdict(set)
    domains: defaultdict[_DomainKey, set[str]] = defaultdict(set)
    checked: list[str] = []
    links: _Links = {}
    for action in _selected(graph, actions):
        completed_on = action.completed_on
        if completed_on is None:
            continue
        checked.append(action.id)
        origin = _origin(graph, action, completed_on, links)
        origins.append(origin)
        for service in origin.services:
            for category in origin.by_category:
                categories[category].add(service)
            for domain in origin.factors:
                domains[domain].add(service)
    by_category = _category_timelines(graph, categories)
    by_domain = _domain_timelines(graph, domains, links)

    flags: list[Recurrence] = []
    for origin in origins:
        action = origin.action
        last_day = (
            None
            if within_days is None
            else origin.completed_on + timedelta(days=within_days)
        )
        keyed: list[tuple[RecurrenceMatch, _Key, tuple[str, ...], _Timeline | None]]
        for service in origin.services:
            # Built in report order: categories sort before factor domains.
            keyed = [
                (
                    RecurrenceMatch.CATEGORY,
                    category,
                    ids,
                    by_category.get((service, category)),
                )
                for category, ids in origin.by_category.items()
            ]
            keyed += [
                (
                    RecurrenceMatch.FACTOR_DOMAIN,
                    FactorDomain(*domain),
                    ids,
                    by_domain.get((service, domain)),
                )
                for domain, ids in origin.factors.items()
            ]
            for match, key, ids, timeline in keyed:
                found = _repeats(timeline, origin, last_day)
                if found is None:
                    continue
                repeats, first = found
                flags.append(
                    Recurrence(
                        action=action.id,
                        action_status=action.status,
                        completed_on=origin.completed_on,
                        service=service,
                        match=match,
                        key=key,
                        origin_incidents=ids,
                        repeat_incidents=repeats,
                        first_repeat_on=first,
                    )
                )
    return RecurrenceReport(
        flags=tuple(flags), checked=tuple(checked), within_days=within_days
    )
