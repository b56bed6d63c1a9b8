"""Tests for incident_learning.analysis.recurrences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from tests import loops

from incident_learning import samples
from incident_learning.analysis.recurrences import (
    FactorDomain,
    Recurrence,
    RecurrenceMatch,
    RecurrenceReport,
    recurrence,
)
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import RECORD, LearningGraph, build_graph
from incident_learning.model import (
    Action,
    ActionStatus,
    ContributingFactor,
    Incident,
    LearningLog,
    LearningResponse,
    Provider,
    Record,
    Service,
    StaffMember,
    StatusChange,
    Team,
)
from incident_learning.model.vocab import FactorFramework

DONE = date(2025, 4, 1)
"""The day the test action is done; the origin fall was on 1 March 2025."""

STAFFING = FactorDomain(FactorFramework.CARE, "staffing_and_workload")


def _status(status: ActionStatus, day: date = DONE) -> StatusChange:
    """Return a status change to *status* late on *day*."""
    reason = "not feasible" if status is ActionStatus.REJECTED else None
    return StatusChange(
        status=status,
        by="STAFF-RM",
        at=datetime(day.year, day.month, day.day, 16, tzinfo=UTC),
        reason=reason,
    )


def _action(
    action_id: str = "ACT-0001",
    *,
    status: ActionStatus | None = ActionStatus.COMPLETED,
    services: tuple[str, ...] = ("SVC-OAK",),
) -> Action:
    """Return the sample action, done on DONE unless *status* says otherwise."""
    history = () if status is None else (_status(status),)
    return attrs.evolve(
        samples.action(), id=action_id, services=services, status_history=history
    )


def _incident(
    incident_id: str,
    day: date,
    *,
    category: str = "falls",
    service: str = "SVC-OAK",
    secondary: tuple[str, ...] = (),
) -> Incident:
    """Return an incident at *service* on *day*, a fall unless told otherwise."""
    return loops.incident(
        incident_id,
        day=day,
        category=category,
        service=service,
        secondary_categories=secondary,
    )


def _factor(
    factor_id: str, *incidents: str, domain: str = "staffing_and_workload"
) -> ContributingFactor:
    """Return a factor of *domain* naming *incidents*, found by no response."""
    return loops.factor(factor_id, incidents=incidents, domain=domain)


def _log(
    *extra: Record, action: Action | None = None, origin: Incident | None = None
) -> LearningLog:
    """Return the sample loop (a fall, its review, factor and learning) with *extra*.

    The organisation has two services, Oak House (where the fall was) and Elm
    Lodge; the action (by default the sample one, done on DONE) applies to
    Oak House.
    """
    organisation = [
        record
        for record in samples.small_records()
        if isinstance(record, Provider | Service | Team | StaffMember)
    ]
    elm = attrs.evolve(samples.service(), id="SVC-ELM", name="Elm Lodge")
    return LearningLog(
        [
            *organisation,
            elm,
            origin or samples.incident(),
            samples.learning_response(),
            samples.contributing_factor(),
            samples.learning_point(),
            action or _action(),
            *extra,
        ]
    )


def _graph(*extra: Record, **options: Any) -> LearningGraph:
    """Return the graph of :func:`_log`."""
    return build_graph(_log(*extra, **options))


def _repeats(
    graph: LearningGraph, **options: Any
) -> list[tuple[str, str, object, tuple[str, ...]]]:
    """Return each flag as ``(action, service, key, repeats)``."""
    return [
        (flag.action, flag.service, flag.key, flag.repeat_incidents)
        for flag in recurrence(graph, **options).flags
    ]


class TestCategory:
    """A later incident of an origin incident's category at the action's service recurs."""

    def test_a_later_incident_of_the_same_category_is_a_repeat(self) -> None:
        """A fall at Oak House after the action was done is flagged with the action."""
        report = recurrence(_graph(_incident("INC-0002", date(2025, 5, 10))))
        assert report.flags == (
            Recurrence(
                action="ACT-0001",
                action_status=ActionStatus.COMPLETED,
                completed_on=DONE,
                service="SVC-OAK",
                match=RecurrenceMatch.CATEGORY,
                key="falls",
                origin_incidents=("INC-0001",),
                repeat_incidents=("INC-0002",),
                first_repeat_on=date(2025, 5, 10),
            ),
        )
        assert report.flags[0].days_to_first_repeat == 39
        assert report.checked == ("ACT-0001",)
        assert report.within_days is None

    def test_incidents_before_or_on_the_completion_day_are_not_repeats(self) -> None:
        """Only incidents on a later calendar day than completion count."""
        late_that_night = attrs.evolve(
            _incident("INC-0003", DONE),
            occurred=datetime(2025, 4, 1, 23, 50, tzinfo=UTC),
            reported_at=datetime(2025, 4, 1, 23, 55, tzinfo=UTC),
        )
        graph = _graph(
            _incident("INC-0002", date(2025, 3, 20)),
            late_that_night,
            _incident("INC-0004", DONE + timedelta(days=1)),
        )
        assert _repeats(graph) == [("ACT-0001", "SVC-OAK", "falls", ("INC-0004",))]

    def test_nothing_is_flagged_when_every_match_came_before(self) -> None:
        """Incidents of the category at the service, all before completion, flag nothing."""
        graph = _graph(_incident("INC-0002", date(2025, 3, 20)))
        report = recurrence(graph)
        assert report.flags == ()
        assert report.checked == ("ACT-0001",)

    def test_other_categories_do_not_count(self) -> None:
        """A later medication error at the same service is no repeat of a fall."""
        graph = _graph(_incident("INC-0002", date(2025, 5, 10), category="medication"))
        assert recurrence(graph).flags == ()

    def test_other_services_do_not_count(self) -> None:
        """A later fall at a service the action does not apply to is not flagged."""
        graph = _graph(_incident("INC-0002", date(2025, 5, 10), service="SVC-ELM"))
        assert recurrence(graph).flags == ()

    def test_the_action_services_are_checked_not_the_origins(self) -> None:
        """An action applied to Elm Lodge is checked there, not at Oak House."""
        graph = _graph(
            _incident("INC-0002", date(2025, 5, 10), service="SVC-ELM"),
            _incident("INC-0003", date(2025, 5, 11)),
            action=_action(services=("SVC-ELM",)),
        )
        assert _repeats(graph) == [("ACT-0001", "SVC-ELM", "falls", ("INC-0002",))]

    def test_an_action_without_services_falls_back_to_its_incidents(self) -> None:
        """An action naming no service is checked at its origin incidents' services."""
        graph = _graph(
            _incident("INC-0002", date(2025, 5, 10)),
            _incident("INC-0003", date(2025, 5, 11), service="SVC-ELM"),
            action=_action(services=()),
        )
        assert _repeats(graph) == [("ACT-0001", "SVC-OAK", "falls", ("INC-0002",))]

    def test_origin_incidents_are_not_repeats(self) -> None:
        """A fall the action itself came from is not a repeat, even if it came later."""
        later_origin = _incident("INC-0005", date(2025, 5, 1))
        log = _log(later_origin, _incident("INC-0002", date(2025, 5, 10)))
        log.add(
            samples.learning_point().corrected(
                by="STAFF-RM",
                at=samples.AT,
                reason="a new fall",
                incidents=("INC-0005",),
            )
        )
        [flag] = recurrence(build_graph(log)).flags
        assert flag.origin_incidents == ("INC-0001", "INC-0005")
        assert flag.repeat_incidents == ("INC-0002",)
        assert flag.first_repeat_on == date(2025, 5, 10)

    def test_a_secondary_category_of_a_later_incident_matches(self) -> None:
        """A later incident with falls as a secondary category is a repeat of a fall."""
        graph = _graph(
            _incident(
                "INC-0002",
                date(2025, 5, 10),
                category="behaviour_and_distress",
                secondary=("falls",),
            )
        )
        assert _repeats(graph) == [("ACT-0001", "SVC-OAK", "falls", ("INC-0002",))]

    def test_a_secondary_category_of_an_origin_incident_is_not_a_key(self) -> None:
        """Only the origin's primary categories are checked: the action addressed those."""
        origin = attrs.evolve(samples.incident(), secondary_categories=("medication",))
        graph = _graph(
            _incident("INC-0002", date(2025, 5, 10), category="medication"),
            origin=origin,
        )
        assert recurrence(graph).flags == ()

    def test_withdrawn_incidents_do_not_count(self) -> None:
        """A later fall entered in error is no repeat."""
        fall = _incident("INC-0002", date(2025, 5, 10))
        log = _log(fall)
        log.add(
            fall.marked_entered_in_error(
                by="STAFF-RM", at=samples.AT, reason="duplicate"
            )
        )
        assert recurrence(build_graph(log)).flags == ()


class TestFactorDomain:
    """A later incident a factor of an origin factor's domain contributed to recurs."""

    def test_a_factor_naming_the_incident_matches(self) -> None:
        """A factor that names a later incident links it to its domain."""
        graph = _graph(
            _incident("INC-0003", date(2025, 5, 10), category="medication"),
            _factor("CF-0002", "INC-0003"),
        )
        [flag] = recurrence(graph).flags
        assert (flag.match, flag.key) == (RecurrenceMatch.FACTOR_DOMAIN, STAFFING)
        assert flag.origin_incidents == ("INC-0001",)
        assert flag.repeat_incidents == ("INC-0003",)
        assert str(flag.key) == "staffing_and_workload (care)"

    def test_a_factor_found_by_a_review_of_the_incident_matches(self) -> None:
        """A factor found by a learning response reviewing a later incident links it."""
        review: LearningResponse = attrs.evolve(
            samples.learning_response(), id="LR-0002", incidents=("INC-0003",)
        )
        factor = attrs.evolve(
            samples.contributing_factor(),
            id="CF-0002",
            response="LR-0002",
            incidents=(),
        )
        graph = _graph(
            _incident("INC-0003", date(2025, 5, 10), category="medication"),
            review,
            factor,
        )
        assert _repeats(graph) == [("ACT-0001", "SVC-OAK", STAFFING, ("INC-0003",))]

    def test_an_incident_linked_twice_is_listed_once(self) -> None:
        """Two factors of the domain on one incident give it once, beside the category."""
        graph = _graph(
            _incident("INC-0003", date(2025, 5, 10)),
            _factor("CF-0002", "INC-0003"),
            _factor("CF-0003", "INC-0003"),
        )
        assert _repeats(graph) == [
            ("ACT-0001", "SVC-OAK", "falls", ("INC-0003",)),
            ("ACT-0001", "SVC-OAK", STAFFING, ("INC-0003",)),
        ]

    def test_factors_of_other_domains_or_services_do_not_count(self) -> None:
        """A later factor of another domain, or at another service, is not flagged."""
        graph = _graph(
            _incident("INC-0003", date(2025, 5, 10), category="medication"),
            _factor("CF-0002", "INC-0003", domain="equipment"),
            _incident(
                "INC-0004", date(2025, 5, 11), category="medication", service="SVC-ELM"
            ),
            _factor("CF-0003", "INC-0004"),
        )
        assert recurrence(graph).flags == ()

    def test_an_earlier_factor_incident_is_not_a_repeat(self) -> None:
        """A factor of the domain on an incident before completion is not flagged."""
        graph = _graph(
            _incident("INC-0003", date(2025, 3, 10), category="medication"),
            _factor("CF-0002", "INC-0003"),
        )
        assert recurrence(graph).flags == ()


class TestWithinDays:
    """within_days limits repeats to a window after completion."""

    def test_only_repeats_in_the_window_count(self) -> None:
        """With within_days=30 a repeat 30 days on counts and one 31 days on does not."""
        graph = _graph(
            _incident("INC-0002", DONE + timedelta(days=30)),
            _incident("INC-0003", DONE + timedelta(days=31)),
        )
        report = recurrence(graph, within_days=30)
        assert [flag.repeat_incidents for flag in report.flags] == [("INC-0002",)]
        assert report.within_days == 30
        assert _repeats(graph, within_days=1) == []

    def test_a_window_of_one_day_holds_the_next_day(self) -> None:
        """within_days=1 counts a repeat on the day after completion."""
        graph = _graph(_incident("INC-0002", DONE + timedelta(days=1)))
        assert _repeats(graph, within_days=1) == [
            ("ACT-0001", "SVC-OAK", "falls", ("INC-0002",))
        ]

    @pytest.mark.parametrize("bad", [0, -3, True, 1.5, "30"])
    def test_a_window_that_is_not_a_positive_whole_number_is_refused(
        self, bad: Any
    ) -> None:
        """Zero, negative, boolean, fractional or text windows raise ValueError."""
        with pytest.raises(
            ValueError, match="within_days must be a positive whole number"
        ):
            recurrence(_graph(), within_days=bad)


class TestWhichActions:
    """Only done actions are checked, and the caller may choose which."""

    @pytest.mark.parametrize(
        "status",
        [None, ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.REJECTED],
    )
    def test_open_or_rejected_actions_are_not_checked(
        self, status: ActionStatus | None
    ) -> None:
        """An action not done is neither flagged nor counted as checked."""
        graph = _graph(
            _incident("INC-0002", date(2025, 5, 10)), action=_action(status=status)
        )
        report = recurrence(graph)
        assert report == RecurrenceReport(flags=(), checked=(), within_days=None)

    @pytest.mark.parametrize(
        "status",
        [
            ActionStatus.COMPLETED,
            ActionStatus.VERIFIED_EFFECTIVE,
            ActionStatus.FOUND_INEFFECTIVE,
        ],
    )
    def test_done_actions_are_flagged_whatever_their_verdict(
        self, status: ActionStatus
    ) -> None:
        """An action verified effective is flagged too, with its status."""
        graph = _graph(
            _incident("INC-0002", date(2025, 5, 10)), action=_action(status=status)
        )
        [flag] = recurrence(graph).flags
        assert flag.action_status is status

    def test_the_check_can_be_limited_to_some_actions(self) -> None:
        """Given actions, only those are checked; repeats in the list are harmless."""
        graph = _graph(_incident("INC-0002", date(2025, 5, 10)), _action("ACT-0002"))
        report = recurrence(graph, actions=["ACT-0002", "ACT-0002"])
        assert report.checked == ("ACT-0002",)
        assert report.flagged_actions == ("ACT-0002",)
        assert recurrence(graph, actions=()).checked == ()
        assert recurrence(graph).checked == ("ACT-0001", "ACT-0002")

    @pytest.mark.parametrize("wrong", ["ACT-9999", "INC-0001"])
    def test_an_unknown_or_non_action_id_is_refused(self, wrong: str) -> None:
        """An id that is no action of the graph raises UnknownRecordError."""
        with pytest.raises(UnknownRecordError, match=wrong):
            recurrence(_graph(), actions=[wrong])

    def test_a_lone_string_is_refused(self) -> None:
        """One id passed as a string, not in a list, raises TypeError."""
        with pytest.raises(TypeError, match="not the string 'ACT-0001'"):
            recurrence(_graph(), actions="ACT-0001")

    def test_a_withdrawn_action_is_unknown(self) -> None:
        """An action entered in error is not in the graph, so asking for it fails."""
        log = _log()
        log.add(
            _action().marked_entered_in_error(
                by="STAFF-RM", at=samples.AT, reason="duplicate"
            )
        )
        graph = build_graph(log)
        assert recurrence(graph).checked == ()
        with pytest.raises(UnknownRecordError):
            recurrence(graph, actions=["ACT-0001"])


class TestReport:
    """The report is an immutable, sorted value, and the graph is left alone."""

    def _busy_graph(self) -> LearningGraph:
        """Return a graph with two actions, two services and both kinds of match."""
        return _graph(
            _incident("INC-0009", date(2025, 4, 20)),
            _incident("INC-0002", date(2025, 6, 1)),
            _incident("INC-0003", date(2025, 5, 1), service="SVC-ELM"),
            _factor("CF-0002", "INC-0003"),
            _factor("CF-0003", "INC-0009"),
            _action("ACT-0002", services=("SVC-OAK", "SVC-ELM")),
        )

    def test_flags_and_incidents_are_sorted(self) -> None:
        """Flags sort by action, service, match, key; incidents by id, not by day."""
        report = recurrence(self._busy_graph())
        assert [
            (f.action, f.service, f.match.value, str(f.key)) for f in report.flags
        ] == [
            ("ACT-0001", "SVC-OAK", "category", "falls"),
            ("ACT-0001", "SVC-OAK", "factor_domain", "staffing_and_workload (care)"),
            ("ACT-0002", "SVC-ELM", "category", "falls"),
            ("ACT-0002", "SVC-ELM", "factor_domain", "staffing_and_workload (care)"),
            ("ACT-0002", "SVC-OAK", "category", "falls"),
            ("ACT-0002", "SVC-OAK", "factor_domain", "staffing_and_workload (care)"),
        ]
        first = report.flags[0]
        assert first.repeat_incidents == ("INC-0002", "INC-0009")
        assert first.first_repeat_on == date(2025, 4, 20)

    def test_lookups_by_action(self) -> None:
        """for_action gives an action's flags; flagged_actions lists the actions."""
        report = recurrence(self._busy_graph())
        assert report.flagged_actions == ("ACT-0001", "ACT-0002")
        assert report.for_action("ACT-0001") == report.flags[:2]
        assert report.for_action("ACT-0002") == report.flags[2:]
        assert report.for_action("ACT-0000") == ()
        assert report.for_action("ACT-9999") == ()

    def test_results_are_immutable(self) -> None:
        """Neither the report nor its flags can be changed, and both hash."""
        report = recurrence(self._busy_graph())
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            report.flags = ()  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            report.flags[0].repeat_incidents = ()  # type: ignore[misc]
        assert isinstance(report.flags[0].repeat_incidents, tuple)
        assert hash(report) == hash(recurrence(self._busy_graph()))

    def test_the_graph_is_not_changed(self) -> None:
        """The graph's nodes, edges and attributes are the same after the call."""
        graph = self._busy_graph()
        nodes = sorted((node, dict(data)) for node, data in graph.nodes(data=True))
        edges = sorted((u, v, dict(data)) for u, v, data in graph.edges(data=True))
        attributes = dict(graph.graph)
        recurrence(graph, within_days=60)
        assert (
            sorted((node, dict(data)) for node, data in graph.nodes(data=True)) == nodes
        )
        assert (
            sorted((u, v, dict(data)) for u, v, data in graph.edges(data=True)) == edges
        )
        assert graph.graph == attributes


class TestExampleLog:
    """The Oakvale example: pressure ulcers at Birch Court outlast the training."""

    def test_the_training_found_ineffective_shows_repeats(self) -> None:
        """Pressure ulcers recur at Birch Court within days of ACT-0006's training."""
        graph = build_graph(samples.example_log())
        report = recurrence(graph, actions=["ACT-0006", "ACT-0007", "ACT-0008"])
        assert report.checked == ("ACT-0006", "ACT-0007")  # ACT-0008 was rejected
        category = report.for_action("ACT-0006")[0]
        assert category.action_status is ActionStatus.FOUND_INEFFECTIVE
        assert (category.service, category.key) == (
            "SVC-BIRCH",
            "pressure_ulcers_and_skin_damage",
        )
        assert category.completed_on == date(2024, 6, 28)
        assert category.first_repeat_on == date(2024, 7, 7)
        assert len(category.repeat_incidents) == 30
        for node in category.repeat_incidents:
            incident: Incident = graph.nodes[node][RECORD]
            assert incident.service == "SVC-BIRCH"
            assert incident.occurred_on > category.completed_on

    def test_the_replacement_holds_for_months(self) -> None:
        """Within 90 days of ACT-0007 no ulcer recurs, though ACT-0006's recur at once."""
        graph = build_graph(samples.example_log())
        report = recurrence(graph, actions=["ACT-0006", "ACT-0007"], within_days=90)
        assert report.flagged_actions == ("ACT-0006",)
        later = recurrence(graph, actions=["ACT-0007"]).flags
        assert [(flag.action_status, flag.first_repeat_on) for flag in later] == [
            (ActionStatus.VERIFIED_EFFECTIVE, date(2025, 7, 14))
        ]
