"""Themes across incidents, from factor domains that go together to quiet repeats and weak actions.

Three analyses that look across many incidents at once rather than along one
loop:

* :func:`factor_themes`: which contributing-factor domains turn up in the
  same incidents, grouped into themes by community detection, and the
  services where each theme recurs;
* :func:`repeated_low_harm`: runs of no- or low-harm incidents for one
  person, or of one category at one service, that no preventive action
  followed: a possible safeguarding concern (Care Act 2014, s42);
* :func:`action_strength_profile`: how strong the live actions are for each
  learning point and each service, with learning that relies only on weaker
  actions called out.

The rules are set out in ``docs/analysis/themes.md``.
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from itertools import combinations
from typing import TYPE_CHECKING, Final, TypeAlias

import attrs
import networkx as nx

from incident_learning import _html
from incident_learning.analysis._walk import factor_incidents, record_date
from incident_learning.analysis.recurrences import FactorDomain
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import KIND, RECORD, NodeKind, graph_index
from incident_learning.model import (
    Action,
    ActionStatus,
    ActionStrength,
    ContributingFactor,
    EventType,
    HarmLevel,
    Incident,
)

if TYPE_CHECKING:
    from incident_learning.graph import LearningGraph

__all__ = [
    "CoOccurrence",
    "ConcernKind",
    "FactorTheme",
    "LowHarmConcern",
    "LowHarmReport",
    "StrengthMix",
    "StrengthProfile",
    "ThemeReport",
    "action_strength_profile",
    "factor_themes",
    "repeated_low_harm",
]


# --- option checks -------------------------------------------------------------


def _check_whole(name: str, value: object, minimum: int | None) -> None:
    # bool is an int, but `window_days=True` is surely a mistake.
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or (minimum is not None and value < minimum)
    ):
        least = "," if minimum is None else f", {minimum} or more,"
        msg = f"{name} must be a whole number{least} not {value!r}"
        raise ValueError(msg)


def _check_as_of(as_of: object) -> None:
    # A datetime is a date too, but comparing one with a day raises later,
    # far from the mistake.
    if as_of is not None and (
        not isinstance(as_of, date) or isinstance(as_of, datetime)
    ):
        msg = f"as_of must be a date (not a datetime) or None, not {as_of!r}"
        raise ValueError(msg)


# --- shared walks ---------------------------------------------------------------

_Links: TypeAlias = dict[str, frozenset[str]]
"""The incidents each factor or learning point comes from, filled within one call."""


def _point_incidents(
    graph: LearningGraph, point: str, points: _Links, factors: _Links
) -> frozenset[str]:
    """Return the incidents learning point *point* was drawn from, by any route.

    The same as its ancestors of kind incident, but each learning point and
    factor is walked once per call, however many actions share it.
    """
    found = points.get(point)
    if found is None:
        nodes = graph.nodes
        pred = graph.pred
        linked: set[str] = set()
        for source in pred[point]:
            kind = nodes[source][KIND]
            if kind is NodeKind.INCIDENT:
                linked.add(source)
            elif kind is NodeKind.CONTRIBUTING_FACTOR:
                linked.update(factor_incidents(graph, source, factors))
            else:
                # A learning response: only incidents point into it.
                linked.update(pred[source])
        found = points[point] = frozenset(linked)
    return found


def _live(action: Action, as_of: date | None) -> bool:
    """Whether *action* existed on *as_of* and was not rejected then."""
    if as_of is None:
        return action.status is not ActionStatus.REJECTED
    return (
        record_date(action) <= as_of
        and action.status_on(as_of) is not ActionStatus.REJECTED
    )


def _actions(graph: LearningGraph) -> Iterator[Action]:
    nodes = graph.nodes
    for node in graph_index(graph).by_kind.get(NodeKind.ACTION, ()):
        action: Action = nodes[node][RECORD]
        yield action


def _most_first(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


# --- factor themes ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CoOccurrence:
    """Two factor domains that contributed to the same incidents, and how often.

    Attributes:
        first: The domain that sorts first.
        second: The other domain.
        incidents: How many incidents both contributed to.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import factor_themes
        >>> report = factor_themes(il.build_graph(samples.example_log()))
        >>> pair = report.co_occurrence[0]
        >>> print(pair.first, "+", pair.second, pair.incidents)
        communication (care) + pbs_plan (care) 74
    """

    first: FactorDomain
    second: FactorDomain
    incidents: int


@attrs.frozen(kw_only=True)
class FactorTheme:
    """One theme, factor domains that tend to contribute to the same incidents.

    Attributes:
        domains: The theme's domains, sorted.
        incidents: Every incident any of them contributed to, sorted.
        services: The services where the theme recurs (at least the
            report's ``min_incidents`` of its incidents), each with its
            number of incidents, most first, then by identifier.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import factor_themes
        >>> theme = factor_themes(il.build_graph(samples.example_log())).themes[0]
        >>> theme.label
        'communication + pbs_plan + person_factors (care)'
        >>> len(theme.incidents), theme.services[:2]
        (112, (('SVC-WILLOW', 79), ('SVC-OAK', 24)))
    """

    domains: tuple[FactorDomain, ...]
    incidents: tuple[str, ...]
    services: tuple[tuple[str, int], ...]

    @property
    def label(self) -> str:
        """The domains joined with ``+``, each framework named once at the end."""
        frameworks = dict.fromkeys(domain.framework for domain in self.domains)
        return "; ".join(
            " + ".join(d.domain for d in self.domains if d.framework is framework)
            + f" ({framework})"
            for framework in frameworks
        )


@attrs.frozen(kw_only=True)
class ThemeReport:
    """The outcome of :func:`factor_themes`, the domains, their co-occurrence and the themes.

    Every domain found is in exactly one theme; a domain that never
    contributed to an incident together with another domain is a theme of
    its own (see :attr:`isolated`).

    Attributes:
        seed: The seed community detection ran with.
        resolution: The resolution it ran with.
        min_incidents: The number of a theme's incidents that makes a
            service one where it recurs.
        domains: Every domain with the number of incidents it contributed
            to, most first, then by domain.
        co_occurrence: Every pair of domains that contributed to at least
            one incident together, most incidents first, then by pair.
        themes: The themes, most incidents first, then by domains.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import factor_themes
        >>> report = factor_themes(il.build_graph(samples.example_log()))
        >>> for theme in report.themes[:4]:
        ...     print(len(theme.incidents), theme.label)
        112 communication + pbs_plan + person_factors (care)
        29 care_planning + supervision_and_leadership + training_and_competence (care)
        28 equipment + staffing_and_workload (care)
        12 agency_staff + medication_systems (care)
        >>> [domain.domain for domain in report.isolated]
        ['external_agencies', 'individual_staff', 'physical_environment', 'policies_and_procedures', 'records_and_information']
    """

    seed: int
    resolution: float
    min_incidents: int
    domains: tuple[tuple[FactorDomain, int], ...]
    co_occurrence: tuple[CoOccurrence, ...]
    themes: tuple[FactorTheme, ...]

    @property
    def isolated(self) -> tuple[FactorDomain, ...]:
        """The domains that never contributed to an incident with another, sorted."""
        paired = {pair.first for pair in self.co_occurrence}
        paired.update(pair.second for pair in self.co_occurrence)
        return tuple(sorted(d for d, _ in self.domains if d not in paired))

    def theme_of(self, domain: FactorDomain) -> FactorTheme:
        """Return the theme *domain* belongs to.

        Raises:
            KeyError: No factor of *domain* contributed to any incident.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import FactorDomain
            >>> from incident_learning.analysis.themes import factor_themes
            >>> from incident_learning.model.vocab import FactorFramework
            >>> report = factor_themes(il.build_graph(samples.example_log()))
            >>> report.theme_of(
            ...     FactorDomain(FactorFramework.CARE, "care_planning")
            ... ).label
            'care_planning + supervision_and_leadership + training_and_competence (care)'
        """
        for theme in self.themes:
            if domain in theme.domains:
                return theme
        raise KeyError(domain)

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the report as HTML for notebooks: themes, domains and pairs.

        Args:
            max_rows: The most rows a table shows; the rest are counted.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import factor_themes
            >>> html = factor_themes(
            ...     il.build_graph(samples.example_log())
            ... )._repr_html_()
            >>> "<td>communication + pbs_plan + person_factors (care)</td><td>112</td>" in html
            True
        """
        return _html.block(
            "themes",
            _html.fields(
                f"Factor themes: {_html.plural(len(self.themes), 'theme')} from "
                f"{_html.plural(len(self.domains), 'domain')}",
                [
                    ("seed", self.seed),
                    ("resolution", self.resolution),
                    (
                        "recurs at a service with at least",
                        _html.plural(self.min_incidents, "incident"),
                    ),
                    ("domains on their own", tuple(str(d) for d in self.isolated)),
                ],
            ),
            _html.table(
                "Themes, most incidents first",
                ["theme", "incidents", "recurs at"],
                self.themes,
                lambda theme: [
                    theme.label,
                    len(theme.incidents),
                    _html.tally(theme.services),
                ],
                max_rows=max_rows,
            ),
            _html.table(
                "Domains",
                ["domain", "incidents"],
                self.domains,
                lambda pair: [str(pair[0]), pair[1]],
                max_rows=max_rows,
            ),
            _html.table(
                "Domains contributing together",
                ["domain", "with", "incidents"],
                self.co_occurrence,
                lambda pair: [str(pair.first), str(pair.second), pair.incidents],
                max_rows=max_rows,
            ),
        )


def _check_resolution(resolution: object) -> None:
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int | float)
        or not math.isfinite(resolution)
        or resolution <= 0
    ):
        msg = f"resolution must be a positive finite number, not {resolution!r}"
        raise ValueError(msg)


def _theme_sort_key(theme: FactorTheme) -> tuple[int, tuple[FactorDomain, ...]]:
    return (-len(theme.incidents), theme.domains)


def factor_themes(
    graph: LearningGraph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    min_incidents: int = 2,
) -> ThemeReport:
    """Return the themes of contributing factors, the domains that go together, and where.

    A factor's domain is its framework and domain code, a
    :class:`~incident_learning.analysis.FactorDomain`. A domain contributed
    to an incident when a factor of that domain names the incident, or was
    found by a learning response that reviewed it. Two domains *co-occur* in
    an incident both contributed to.

    The themes are the communities of the co-occurrence graph (domains as
    nodes, each pair joined with the number of incidents they share as the
    weight), found with networkx's Louvain method. Louvain is randomised: a
    fixed *seed*, with the domains and pairs always added in sorted order,
    makes the result the same on every run. A domain that never co-occurs
    is a theme of its own. A theme recurs at a service where at least
    *min_incidents* of its incidents happened.

    Time is linear in the factors and the incidents they touch (plus the
    pairs of domains within each incident); the community detection runs on
    the domains, a few dozen nodes.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        seed: The seed for community detection; the same seed gives the
            same themes.
        resolution: Louvain's resolution: above 1 favours smaller themes,
            below 1 larger ones.
        min_incidents: How many of a theme's incidents make a service one
            where it recurs; 1 or more.

    Returns:
        A :class:`ThemeReport`.

    Raises:
        ValueError: *seed* or *min_incidents* is not a whole number (or
            *min_incidents* is below 1), or *resolution* is not a positive
            finite number.
        GraphShapeError: *graph* was not made by ``build_graph``.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import factor_themes
        >>> graph = il.build_graph(samples.example_log())
        >>> report = factor_themes(graph, seed=7)
        >>> report == factor_themes(graph, seed=7)
        True
        >>> for domain, count in report.domains[:3]:
        ...     print(domain, count)
        communication (care) 102
        person_factors (care) 84
        pbs_plan (care) 74
        >>> factor_themes(il.build_graph(samples.small_log())).themes[0].label
        'staffing_and_workload (care)'
    """
    _check_whole("seed", seed, None)
    _check_resolution(resolution)
    _check_whole("min_incidents", min_incidents, 1)
    nodes = graph.nodes
    # incident -> the domains that contributed to it; one pass over the factors.
    by_incident: defaultdict[str, set[FactorDomain]] = defaultdict(set)
    links: _Links = {}
    for node in graph_index(graph).by_kind.get(NodeKind.CONTRIBUTING_FACTOR, ()):
        factor: ContributingFactor = nodes[node][RECORD]
        domain = FactorDomain(factor.framework, factor.domain)
        for incident in factor_incidents(graph, node, links):
            by_incident[incident].add(domain)

    incidents_of: defaultdict[FactorDomain, list[str]] = defaultdict(list)
    pairs: Counter[tuple[FactorDomain, FactorDomain]] = Counter()
    for incident, domains in by_incident.items():
        ordered = sorted(domains)
        for domain in ordered:
            incidents_of[domain].append(incident)
        pairs.update(combinations(ordered, 2))

    # Sorted insertion: Louvain visits nodes in the graph's order, so the
    # seed alone fixes the outcome only if the order is fixed too.
    co_graph: nx.Graph[FactorDomain] = nx.Graph()
    co_graph.add_nodes_from(sorted(incidents_of))
    co_graph.add_weighted_edges_from(
        (first, second, count) for (first, second), count in sorted(pairs.items())
    )
    communities = nx.community.louvain_communities(
        co_graph, weight="weight", resolution=resolution, seed=seed
    )

    themes: list[FactorTheme] = []
    for community in communities:
        members = tuple(sorted(community))
        touched = {incident for domain in members for incident in incidents_of[domain]}
        at: Counter[str] = Counter(
            nodes[incident][RECORD].service for incident in touched
        )
        recurring = Counter({s: n for s, n in at.items() if n >= min_incidents})
        themes.append(
            FactorTheme(
                domains=members,
                incidents=tuple(sorted(touched)),
                services=_most_first(recurring),
            )
        )
    themes.sort(key=_theme_sort_key)
    return ThemeReport(
        seed=seed,
        resolution=resolution,
        min_incidents=min_incidents,
        domains=tuple(
            sorted(
                ((domain, len(ids)) for domain, ids in incidents_of.items()),
                key=lambda item: (-item[1], item[0]),
            )
        ),
        co_occurrence=tuple(
            CoOccurrence(first=first, second=second, incidents=count)
            for (first, second), count in sorted(
                pairs.items(), key=lambda item: (-item[1], item[0])
            )
        ),
        themes=tuple(themes),
    )


# --- repeated low-harm incidents ---------------------------------------------------


@enum.unique
class ConcernKind(enum.StrEnum):
    """Whose incidents a low-harm concern groups.

    Examples:
        >>> from incident_learning.analysis.themes import ConcernKind
        >>> [kind.value for kind in ConcernKind]
        ['person', 'service']
    """

    PERSON = "person"
    """The same person affected, at any service."""
    SERVICE = "service"
    """The same service and primary category."""


_CONCERN_ORDER: Final = {kind: index for index, kind in enumerate(ConcernKind)}


@attrs.frozen(kw_only=True)
class LowHarmConcern:
    """A run of no- or low-harm incidents that no preventive action followed.

    Attributes:
        kind: Whether the incidents share a person or a service.
        subject: The person's pseudonymous reference, or the service.
        category: The primary category shared, for a service; ``None`` for
            a person.
        services: The services where the incidents happened, sorted.
        incidents: The incidents, in the order they occurred (then by
            identifier).
        first_on: The day the first occurred.
        last_on: The day the last occurred.
        message: The concern, in a sentence a manager can act on.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import repeated_low_harm
        >>> report = repeated_low_harm(il.build_graph(samples.example_log()))
        >>> concern = report.concerns[0]
        >>> concern.kind.value, concern.subject, len(concern.incidents)
        ('person', 'P-0005', 3)
        >>> print(concern.message)
        possible safeguarding concern: 3 no- or low-harm incidents affecting P-0005 between 2024-06-14 and 2024-07-09, none followed by a preventive action
    """

    kind: ConcernKind
    subject: str
    category: str | None
    services: tuple[str, ...]
    incidents: tuple[str, ...]
    first_on: date
    last_on: date
    message: str


@attrs.frozen(kw_only=True)
class LowHarmReport:
    """The outcome of :func:`repeated_low_harm`, the concerns and the options used.

    Attributes:
        as_of: The last day looked at, or ``None`` for all.
        window_days: The window, in consecutive calendar days.
        min_incidents: The number of incidents within it that makes a run.
        concerns: The concerns: people first, then services; by subject,
            category and first day.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import ConcernKind, repeated_low_harm
        >>> report = repeated_low_harm(il.build_graph(samples.example_log()))
        >>> (
        ...     len(report.of_kind(ConcernKind.PERSON)),
        ...     len(report.of_kind(ConcernKind.SERVICE)),
        ... )
        (25, 63)
    """

    as_of: date | None
    window_days: int
    min_incidents: int
    concerns: tuple[LowHarmConcern, ...]

    def __len__(self) -> int:
        """Return the number of concerns."""
        return len(self.concerns)

    def __iter__(self) -> Iterator[LowHarmConcern]:
        """Iterate over the concerns, in report order."""
        return iter(self.concerns)

    def of_kind(self, kind: ConcernKind) -> tuple[LowHarmConcern, ...]:
        """Return the concerns of *kind*, in report order."""
        return tuple(concern for concern in self.concerns if concern.kind is kind)

    def about(self, subject: str) -> tuple[LowHarmConcern, ...]:
        """Return the concerns about *subject* (a person or a service), in report order."""
        return tuple(c for c in self.concerns if c.subject == subject)

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the report as HTML for notebooks: people first, then services.

        Args:
            max_rows: The most concerns listed; the rest are counted.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import repeated_low_harm
            >>> html = repeated_low_harm(
            ...     il.build_graph(samples.example_log())
            ... )._repr_html_()
            >>> "<caption>Repeated low harm: 88 concerns</caption>" in html
            True
        """
        return _html.block(
            "low-harm",
            _html.fields(
                f"Repeated low harm: {_html.plural(len(self.concerns), 'concern')}",
                [
                    ("as of", self.as_of),
                    ("window", _html.plural(self.window_days, "day")),
                    ("incidents that make a run", self.min_incidents),
                    (
                        "by kind",
                        _html.tally(
                            (kind, len(self.of_kind(kind))) for kind in ConcernKind
                        ),
                    ),
                ],
            ),
            _html.table(
                "Concerns",
                [
                    "kind",
                    "subject",
                    "category",
                    "services",
                    "incidents",
                    "from",
                    "to",
                    "concern",
                ],
                self.concerns,
                lambda concern: [
                    concern.kind,
                    concern.subject,
                    concern.category,
                    concern.services,
                    concern.incidents,
                    concern.first_on,
                    concern.last_on,
                    concern.message,
                ],
                max_rows=max_rows,
            ),
        )


_LOW: Final = frozenset({None, HarmLevel.NONE, HarmLevel.LOW})
_COUNTED: Final = frozenset({EventType.INCIDENT, EventType.OUTCOME})

_Group: TypeAlias = tuple[ConcernKind, str, "str | None"]
_Timeline: TypeAlias = list[tuple[date, str]]


def _acted_on(graph: LearningGraph, as_of: date | None) -> set[str]:
    """Return the incidents some live action comes from, in one pass over the actions."""
    acted: set[str] = set()
    points: _Links = {}
    factors: _Links = {}
    seen: set[str] = set()
    pred = graph.pred
    for action in _actions(graph):
        if not _live(action, as_of):
            continue
        for point in pred[action.id]:
            # Every live action of one learning point adds the same incidents.
            if point not in seen:
                seen.add(point)
                acted.update(_point_incidents(graph, point, points, factors))
    return acted


def _runs(
    timeline: _Timeline, acted: set[str], window_days: int, min_incidents: int
) -> list[tuple[int, int]]:
    """Return the index ranges of *timeline* that make concerns, overlaps merged.

    A sliding window: for each incident, the earliest one less than
    *window_days* days before it starts the window. A window with enough
    incidents and none acted on is a run; runs that share incidents merge.
    """
    runs: list[tuple[int, int]] = []
    left = 0
    acted_inside = 0
    for right, (day, node) in enumerate(timeline):
        acted_inside += node in acted
        while (day - timeline[left][0]).days >= window_days:
            acted_inside -= timeline[left][1] in acted
            left += 1
        if acted_inside or right - left + 1 < min_incidents:
            continue
        if runs and left <= runs[-1][1]:
            runs[-1] = (runs[-1][0], right)
        else:
            runs.append((left, right))
    return runs


def _concern(
    group: _Group, run: _Timeline, services: tuple[str, ...]
) -> LowHarmConcern:
    kind, subject, category = group
    first, last = run[0][0], run[-1][0]
    if kind is ConcernKind.PERSON:
        what = f"incidents affecting {subject}"
    else:
        what = f"{str(category).replace('_', ' ')} incidents at {subject}"
    message = (
        f"possible safeguarding concern: {len(run)} no- or low-harm {what} "
        f"between {first} and {last}, none followed by a preventive action"
    )
    return LowHarmConcern(
        kind=kind,
        subject=subject,
        category=category,
        services=services,
        incidents=tuple(node for _, node in run),
        first_on=first,
        last_on=last,
        message=message,
    )


def _concern_sort_key(concern: LowHarmConcern) -> tuple[int, str, str, date]:
    return (
        _CONCERN_ORDER[concern.kind],
        concern.subject,
        concern.category or "",
        concern.first_on,
    )


def repeated_low_harm(
    graph: LearningGraph,
    *,
    window_days: int = 28,
    min_incidents: int = 3,
    as_of: date | None = None,
) -> LowHarmReport:
    """Return runs of no- or low-harm incidents no preventive action followed, as possible safeguarding concerns.

    Repeated low-level incidents with no preventive action by the provider
    can themselves become a safeguarding concern (Care Act 2014, s42). An
    incident counts when it is an ``incident`` or ``outcome`` (not a risk or
    good care) whose harm, the worst to anyone affected, is none or low, or
    that names no one affected (so records no harm).

    The incidents are grouped twice: by each person affected (at any
    service), and by service and primary category. In each group, sorted
    by day, a *run* is at least *min_incidents* incidents within
    *window_days* consecutive calendar days none of which a preventive
    action follows: a live action (not rejected) that comes from the
    incident in the graph, through a learning point. Runs that share
    incidents merge into one concern.

    Time is linear in the incidents and in the loops above the actions
    (each learning point and factor walked once), plus sorting each group.

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        window_days: The window in consecutive calendar days: 1 is the same
            day, 28 (the default) four weeks.
        min_incidents: How many incidents within the window make a run; 2
            or more.
        as_of: Look only at incidents that occurred on or before this day,
            and count an action only if it was recorded by then and not
            rejected as it stood then; ``None`` (the default) for everything
            as it stands.

    Returns:
        A :class:`LowHarmReport`.

    Raises:
        ValueError: *window_days* is not a whole number of days, 1 or more;
            *min_incidents* is not a whole number, 2 or more; or *as_of* is
            not a date.
        GraphShapeError: *graph* was not made by ``build_graph``.

    Examples:
        >>> from datetime import date
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import repeated_low_harm
        >>> graph = il.build_graph(samples.example_log())
        >>> report = repeated_low_harm(graph, as_of=date(2025, 12, 31))
        >>> for concern in report.about("P-0119"):
        ...     print(concern.first_on, concern.last_on, len(concern.incidents))
        2024-08-26 2024-10-15 7
        2025-06-30 2025-09-07 6
        2025-10-06 2025-11-27 7
        >>> repeated_low_harm(graph, window_days=0)
        Traceback (most recent call last):
        ...
        ValueError: window_days must be a whole number, 1 or more, not 0
    """
    _check_whole("window_days", window_days, 1)
    _check_whole("min_incidents", min_incidents, 2)
    _check_as_of(as_of)
    nodes = graph.nodes
    groups: defaultdict[_Group, _Timeline] = defaultdict(list)
    for node in graph_index(graph).by_kind.get(NodeKind.INCIDENT, ()):
        incident: Incident = nodes[node][RECORD]
        day = incident.occurred_on
        if (
            incident.event_type not in _COUNTED
            or incident.harm not in _LOW
            or (as_of is not None and day > as_of)
        ):
            continue
        entry = (day, node)
        groups[ConcernKind.SERVICE, incident.service, incident.category].append(entry)
        for person in dict.fromkeys(p.person for p in incident.people_affected):
            groups[ConcernKind.PERSON, person, None].append(entry)

    acted = _acted_on(graph, as_of)
    concerns: list[LowHarmConcern] = []
    for group, timeline in groups.items():
        if len(timeline) < min_incidents:
            continue
        timeline.sort()
        for start, end in _runs(timeline, acted, window_days, min_incidents):
            run = timeline[start : end + 1]
            services = tuple(sorted({nodes[n][RECORD].service for _, n in run}))
            concerns.append(_concern(group, run, services))
    concerns.sort(key=_concern_sort_key)
    return LowHarmReport(
        as_of=as_of,
        window_days=window_days,
        min_incidents=min_incidents,
        concerns=tuple(concerns),
    )


# --- action strength profile --------------------------------------------------------


@attrs.frozen(kw_only=True)
class StrengthMix:
    """How strong the live actions for one learning point or one service are.

    Attributes:
        subject: The learning point or service.
        actions: The live (not rejected) actions, sorted.
        counts: Every strength with its number of live actions, weakest
            first, zeros included so that mixes line up as columns.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import action_strength_profile
        >>> mix = action_strength_profile(
        ...     il.build_graph(samples.small_log())
        ... ).learning_points[0]
        >>> mix.subject, mix.total, mix.strongest
        ('LP-0001', 1, <ActionStrength.INTERMEDIATE: 'intermediate'>)
        >>> [(strength.value, count) for strength, count in mix.counts]
        [('weaker', 0), ('intermediate', 1), ('stronger', 0)]
    """

    subject: str
    actions: tuple[str, ...]
    counts: tuple[tuple[ActionStrength, int], ...]

    @property
    def total(self) -> int:
        """The number of live actions."""
        return len(self.actions)

    @property
    def only_weaker(self) -> bool:
        """Whether there are live actions and every one is weaker."""
        return bool(self.actions) and self.counts[0][1] == len(self.actions)

    @property
    def strongest(self) -> ActionStrength | None:
        """The strongest live action's strength; ``None`` with none."""
        return next((s for s, count in reversed(self.counts) if count), None)


def _subject(mix: StrengthMix) -> str:
    return mix.subject


@attrs.frozen(kw_only=True)
class StrengthProfile:
    """The outcome of :func:`action_strength_profile`, the strength mixes and call-outs.

    Attributes:
        as_of: The day judged on, or ``None`` for statuses as they stand.
        learning_points: One mix per learning point, sorted by identifier;
            a learning point with no live action has a mix with no actions.
        services: One mix per service (each active service, and any other
            an action applies to), sorted by identifier.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import action_strength_profile
        >>> profile = action_strength_profile(il.build_graph(samples.example_log()))
        >>> profile.weaker_only_learning_points
        ('LP-0004', 'LP-0013', 'LP-0021', 'LP-0025', 'LP-0026', 'LP-0043', 'LP-0053')
        >>> profile.weaker_only_services
        ()
    """

    as_of: date | None
    learning_points: tuple[StrengthMix, ...]
    services: tuple[StrengthMix, ...]

    @property
    def weaker_only_learning_points(self) -> tuple[str, ...]:
        """The learning points whose live actions are all weaker, sorted."""
        return tuple(mix.subject for mix in self.learning_points if mix.only_weaker)

    @property
    def weaker_only_services(self) -> tuple[str, ...]:
        """The services whose live actions are all weaker, sorted."""
        return tuple(mix.subject for mix in self.services if mix.only_weaker)

    def for_learning_point(self, point: str) -> StrengthMix:
        """Return the mix of learning point *point*.

        Raises:
            UnknownRecordError: The profile has no such learning point.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis.themes import action_strength_profile
            >>> profile = action_strength_profile(il.build_graph(samples.example_log()))
            >>> profile.for_learning_point("LP-0004").actions
            ('ACT-0006',)
        """
        return _find(self.learning_points, point, "learning_point")

    def for_service(self, service: str) -> StrengthMix:
        """Return the mix of *service*.

        Raises:
            UnknownRecordError: The profile has no such service.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis.themes import action_strength_profile
            >>> profile = action_strength_profile(il.build_graph(samples.example_log()))
            >>> [(s.value, n) for s, n in profile.for_service("SVC-BIRCH").counts]
            [('weaker', 4), ('intermediate', 12), ('stronger', 2)]
        """
        return _find(self.services, service, "service")

    def _repr_html_(self, *, max_rows: int = _html.MAX_ROWS) -> str:
        """Return the profile as HTML for notebooks: the mix per service and per learning point.

        Rows whose live actions are all weaker have the class ``il-weaker-only``.

        Args:
            max_rows: The most rows a table shows; the rest are counted.

        Examples:
            >>> from incident_learning import samples
            >>> from incident_learning.analysis import action_strength_profile
            >>> profile = action_strength_profile(il.build_graph(samples.example_log()))
            >>> profile._repr_html_(max_rows=100).count('class="il-weaker-only"')
            7
        """
        columns = ["actions", *(_html.words(s) for s in ActionStrength), "strongest"]

        def row(mix: StrengthMix) -> list[object]:
            return [mix.subject, mix.total, *(n for _, n in mix.counts), mix.strongest]

        def weaker(mix: StrengthMix) -> str | None:
            return "il-weaker-only" if mix.only_weaker else None

        return _html.block(
            "strength-profile",
            _html.fields(
                "Action strength profile",
                [
                    ("as of", self.as_of),
                    ("learning points, weaker only", self.weaker_only_learning_points),
                    ("services, weaker only", self.weaker_only_services),
                ],
            ),
            _html.table(
                "By service",
                ["service", *columns],
                self.services,
                row,
                max_rows=max_rows,
                row_class=weaker,
            ),
            _html.table(
                "By learning point",
                ["learning point", *columns],
                self.learning_points,
                row,
                max_rows=max_rows,
                row_class=weaker,
            ),
        )


def _find(mixes: tuple[StrengthMix, ...], subject: str, kind: str) -> StrengthMix:
    # The mixes are sorted by subject.
    at = bisect_left(mixes, subject, key=_subject)
    if at < len(mixes) and mixes[at].subject == subject:
        return mixes[at]
    raise UnknownRecordError(subject, kind)


def _mixes(groups: dict[str, list[Action]]) -> tuple[StrengthMix, ...]:
    mixes = []
    for subject, actions in sorted(groups.items()):
        counts = Counter(action.strength for action in actions)
        mixes.append(
            StrengthMix(
                subject=subject,
                actions=tuple(sorted(action.id for action in actions)),
                counts=tuple(
                    (strength, counts[strength]) for strength in ActionStrength
                ),
            )
        )
    return tuple(mixes)


def action_strength_profile(
    graph: LearningGraph, *, as_of: date | None = None
) -> StrengthProfile:
    """Return how strong the live actions are, per learning point and per service.

    Strength is the action's place on the VA / RCA² hierarchy
    (:attr:`~incident_learning.model.action.Action.strength`). A live action
    is one not rejected. An action counts for each learning point it
    addresses, and for each service it applies to: the services it names,
    or if it names none, those of the incidents it comes from.

    Learning that relies only on weaker actions (training, policy, warnings,
    double checks, further study) is called out: a learning point or
    service with live actions, all weaker. With the same *as_of*, the
    learning points called out are exactly those of
    :func:`~incident_learning.analysis.loop_gaps`' ``only_weaker_actions``
    gaps. A learning point with no live action at all is not called out
    (that is a ``learning_without_action`` gap).

    Time is linear in the actions and the learning points (and, for actions
    naming no service, the loops above them, each walked once).

    Args:
        graph: A graph made by :func:`~incident_learning.graph.build_graph`.
            It is not modified.
        as_of: Judge as of this day: an action's status as it stood then,
            and learning points and actions recorded after it left out;
            ``None`` (the default) for everything as it stands.

    Returns:
        A :class:`StrengthProfile`.

    Raises:
        ValueError: *as_of* is not a date.
        GraphShapeError: *graph* was not made by ``build_graph``.

    Examples:
        >>> from datetime import date
        >>> from incident_learning import samples
        >>> from incident_learning.analysis.themes import action_strength_profile
        >>> graph = il.build_graph(samples.example_log())
        >>> profile = action_strength_profile(graph, as_of=date(2025, 12, 31))
        >>> mix = profile.for_learning_point("LP-0004")
        >>> mix.only_weaker, mix.strongest
        (True, <ActionStrength.WEAKER: 'weaker'>)
    """
    _check_as_of(as_of)
    index = graph_index(graph)
    nodes = graph.nodes
    pred = graph.pred
    by_point: dict[str, list[Action]] = {
        point: []
        for point in index.by_kind.get(NodeKind.LEARNING_POINT, ())
        if as_of is None or record_date(nodes[point][RECORD]) <= as_of
    }
    by_service: dict[str, list[Action]] = {service: [] for service in index.services}
    points: _Links = {}
    factors: _Links = {}
    for action in _actions(graph):
        if not _live(action, as_of):
            continue
        addressed = [point for point in pred[action.id] if point in by_point]
        for point in addressed:
            by_point[point].append(action)
        services = set(action.services)
        if not services:
            for point in pred[action.id]:
                for incident in _point_incidents(graph, point, points, factors):
                    services.add(nodes[incident][RECORD].service)
        for service in services:
            by_service.setdefault(service, []).append(action)
    return StrengthProfile(
        as_of=as_of,
        learning_points=_mixes(by_point),
        services=_mixes(by_service),
    )
