"""Tests for incident_learning.analysis.themes: factor themes, repeated low harm, action strength."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import networkx as nx
import pytest
from tests import loops

from incident_learning import samples
from incident_learning.analysis import FactorDomain, GapKind, loop_gaps
from incident_learning.analysis.themes import (
    ConcernKind,
    CoOccurrence,
    FactorTheme,
    LowHarmReport,
    StrengthMix,
    StrengthProfile,
    ThemeReport,
    action_strength_profile,
    factor_themes,
    repeated_low_harm,
)
from incident_learning.exceptions import GraphShapeError, UnknownRecordError
from incident_learning.graph import LearningGraph, build_graph
from incident_learning.model import (
    Action,
    ActionKind,
    ActionStatus,
    ActionStrength,
    EventType,
    Incident,
    LearningLog,
    PersonAffected,
    PhysicalHarm,
    PsychologicalHarm,
    Record,
)
from incident_learning.model.vocab import FactorFramework

S = ActionStatus
CARE = FactorFramework.CARE
JAN = date(2025, 1, 1)
"""The first day of the low-harm runs below."""


def _domain(code: str, framework: FactorFramework = CARE) -> FactorDomain:
    """Return the factor domain *code* in *framework*."""
    return FactorDomain(framework, code)


def _snapshot(graph: LearningGraph) -> tuple[list[Any], list[Any], dict[Any, Any]]:
    """Return everything an analysis could change in *graph*."""
    return (
        list(graph.nodes(data=True)),
        list(graph.edges(data=True)),
        dict(graph.graph),
    )


# --- factor themes ------------------------------------------------------------------


def _incidents(*ids: str, service: str = "SVC-OAK") -> list[Record]:
    """Return one fall per identifier at *service*."""
    return [loops.incident(record_id, service=service) for record_id in ids]


def _two_clusters() -> list[Record]:
    """Return staffing + equipment in INC-1..4, communication + care planning in INC-5..8.

    One incident, INC-9, joins equipment to communication once, so the
    co-occurrence graph is connected but has two clear communities; records
    and information stands alone in INC-10.
    """
    return [
        *_incidents("INC-1", "INC-2", "INC-3", "INC-4", "INC-9"),
        *_incidents("INC-5", "INC-6", "INC-7", "INC-8", "INC-10", service="SVC-ELM"),
        loops.factor("CF-1", incidents=["INC-1", "INC-2", "INC-3", "INC-4"]),
        loops.factor(
            "CF-2", incidents=["INC-1", "INC-2", "INC-3", "INC-4"], domain="equipment"
        ),
        loops.factor(
            "CF-3",
            incidents=["INC-5", "INC-6", "INC-7", "INC-8"],
            domain="communication",
        ),
        loops.factor(
            "CF-4",
            incidents=["INC-5", "INC-6", "INC-7", "INC-8"],
            domain="care_planning",
        ),
        loops.factor("CF-5", incidents=["INC-9"], domain="equipment"),
        loops.factor("CF-6", incidents=["INC-9"], domain="communication"),
        loops.factor("CF-7", incidents=["INC-10"], domain="records_and_information"),
    ]


RING = (
    "communication",
    "equipment",
    "care_planning",
    "staffing_and_workload",
    "person_factors",
    "team_working",
    "agency_staff",
    "physical_environment",
)


def _ring(*, renamed: bool = False) -> list[Record]:
    """Return eight domains in a ring, each co-occurring once with the next.

    Every way of cutting a ring is as good as another, so which themes
    Louvain finds depends on chance: on the seed. *renamed* numbers the
    factors the other way round.
    """
    records: list[Record] = [loops.incident(f"INC-{n}") for n in range(len(RING))]
    for n, domain in enumerate(RING):
        following = (n + 1) % len(RING)
        number = len(RING) - n if renamed else n
        records.append(
            loops.factor(
                f"CF-{number}",
                incidents=[f"INC-{n}", f"INC-{following}"],
                domain=domain,
            )
        )
    return records


class TestCoOccurrence:
    """Which domains contributed to the same incidents, and how often."""

    def test_counts_pairs_most_first(self) -> None:
        """Each pair counts the incidents both domains contributed to, most first, then by pair."""
        records = [
            *_incidents("INC-1", "INC-2", "INC-3"),
            loops.factor("CF-1", incidents=["INC-1", "INC-2", "INC-3"]),
            loops.factor("CF-2", incidents=["INC-1", "INC-2"], domain="equipment"),
            loops.factor("CF-3", incidents=["INC-2"], domain="communication"),
        ]
        report = factor_themes(loops.graph_of(*records))
        staffing = _domain("staffing_and_workload")
        equipment, communication = _domain("equipment"), _domain("communication")
        assert report.co_occurrence == (
            CoOccurrence(first=equipment, second=staffing, incidents=2),
            CoOccurrence(first=communication, second=equipment, incidents=1),
            CoOccurrence(first=communication, second=staffing, incidents=1),
        )
        assert report.domains == ((staffing, 3), (equipment, 2), (communication, 1))

    def test_factor_found_by_a_response(self) -> None:
        """A factor a learning response found contributed to every incident the response reviewed."""
        records = [
            *_incidents("INC-1", "INC-2"),
            loops.response("LR-1", ["INC-1", "INC-2"]),
            loops.factor("CF-1", response="LR-1"),
            loops.factor("CF-2", incidents=["INC-2"], domain="equipment"),
        ]
        report = factor_themes(loops.graph_of(*records))
        assert report.domains == (
            (_domain("staffing_and_workload"), 2),
            (_domain("equipment"), 1),
        )
        assert [pair.incidents for pair in report.co_occurrence] == [1]

    def test_same_domain_twice_counts_once(self) -> None:
        """Two factors of one domain in one incident are one domain, and no pair."""
        records = [
            *_incidents("INC-1"),
            loops.factor("CF-1", incidents=["INC-1"]),
            loops.factor("CF-2", incidents=["INC-1"]),
        ]
        report = factor_themes(loops.graph_of(*records))
        assert report.domains == ((_domain("staffing_and_workload"), 1),)
        assert report.co_occurrence == ()

    def test_frameworks_kept_apart(self) -> None:
        """A SEIPS domain and a care domain are two domains, and a theme names both frameworks."""
        seips = attrs.evolve(
            loops.factor("CF-2", incidents=["INC-1"]),
            framework=FactorFramework.SEIPS,
            domain="tasks",
        )
        records = [
            *_incidents("INC-1"),
            loops.factor("CF-1", incidents=["INC-1"]),
            seips,
        ]
        report = factor_themes(loops.graph_of(*records))
        (theme,) = report.themes
        assert theme.domains == (
            _domain("staffing_and_workload"),
            _domain("tasks", FactorFramework.SEIPS),
        )
        assert theme.label == "staffing_and_workload (care); tasks (seips)"


class TestThemes:
    """Communities of the co-occurrence graph, and where they recur."""

    def test_two_communities(self) -> None:
        """Domains that go together form one theme each, most incidents first, then by domains; a loner is its own theme."""
        report = factor_themes(loops.graph_of(*_two_clusters()))
        assert [theme.domains for theme in report.themes] == [
            (_domain("care_planning"), _domain("communication")),
            (_domain("equipment"), _domain("staffing_and_workload")),
            (_domain("records_and_information"),),
        ]
        first, second, alone = report.themes
        assert first.incidents == ("INC-5", "INC-6", "INC-7", "INC-8", "INC-9")
        assert second.incidents == ("INC-1", "INC-2", "INC-3", "INC-4", "INC-9")
        assert alone.incidents == ("INC-10",)
        assert report.isolated == (_domain("records_and_information"),)

    def test_repeatable_with_the_seed(self) -> None:
        """The same seed gives an equal report, run after run."""
        graph = loops.graph_of(*_two_clusters())
        assert factor_themes(graph, seed=3) == factor_themes(graph, seed=3)

    def test_seed_decides_where_chance_would(self) -> None:
        """On a ring, each seed gives one answer every time, and the seeds do not all agree."""
        graph = loops.graph_of(*_ring())
        answers = set()
        for seed in range(10):
            report = factor_themes(graph, seed=seed)
            assert report == factor_themes(loops.graph_of(*_ring()), seed=seed)
            answers.add(report.themes)
        assert len(answers) > 1

    def test_factor_identifiers_do_not_matter(self) -> None:
        """The same factors under other identifiers give the same themes for each seed."""
        graph = loops.graph_of(*_ring())
        renamed = loops.graph_of(*_ring(renamed=True))
        for seed in range(10):
            assert factor_themes(graph, seed=seed) == factor_themes(renamed, seed=seed)

    def test_order_of_records_does_not_matter(self) -> None:
        """A log of the same records in reverse order gives an equal report."""
        records = [*loops.organisation(), *_two_clusters()]
        forward = build_graph(LearningLog(records))
        backward = build_graph(LearningLog(records[::-1]))
        assert factor_themes(forward) == factor_themes(backward)

    def test_resolution_splits_themes(self) -> None:
        """A high resolution favours smaller themes: every domain alone."""
        report = factor_themes(loops.graph_of(*_two_clusters()), resolution=100.0)
        assert all(len(theme.domains) == 1 for theme in report.themes)
        assert len(report.themes) == 5

    def test_recurring_services(self) -> None:
        """A theme recurs where at least min_incidents of its incidents happened, most first."""
        graph = loops.graph_of(*_two_clusters())
        first, second, _ = factor_themes(graph).themes
        assert first.services == (("SVC-ELM", 4),)
        assert second.services == (("SVC-OAK", 5),)
        first = factor_themes(graph, min_incidents=1).themes[0]
        assert first.services == (("SVC-ELM", 4), ("SVC-OAK", 1))
        assert factor_themes(graph, min_incidents=6).themes[1].services == ()

    def test_theme_of(self) -> None:
        """theme_of finds a domain's theme and refuses a domain never seen."""
        report = factor_themes(loops.graph_of(*_two_clusters()))
        assert report.theme_of(_domain("equipment")) is report.themes[1]
        with pytest.raises(KeyError):
            report.theme_of(_domain("pbs_plan"))

    def test_no_factors(self) -> None:
        """A log with no factors has no domains, pairs or themes."""
        report = factor_themes(loops.graph_of(*_incidents("INC-1")))
        assert (report.domains, report.co_occurrence, report.themes) == ((), (), ())
        assert report.isolated == ()

    def test_options_are_kept(self) -> None:
        """The report says which seed, resolution and threshold made it."""
        report = factor_themes(
            loops.graph_of(), seed=5, resolution=0.5, min_incidents=4
        )
        assert (report.seed, report.resolution, report.min_incidents) == (5, 0.5, 4)

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"seed": True}, "seed must be a whole number, not True"),
            ({"seed": 1.5}, "seed must be a whole number, not 1.5"),
            ({"resolution": 0}, "resolution must be a positive finite number"),
            ({"resolution": -1.0}, "resolution must be a positive finite number"),
            ({"resolution": float("nan")}, "resolution must be a positive finite"),
            ({"resolution": float("inf")}, "resolution must be a positive finite"),
            ({"resolution": True}, "resolution must be a positive finite number"),
            ({"resolution": "1"}, "resolution must be a positive finite number"),
            ({"min_incidents": 0}, "min_incidents must be a whole number, 1 or more"),
            ({"min_incidents": False}, "min_incidents must be a whole number"),
        ],
    )
    def test_bad_options(self, options: dict[str, Any], message: str) -> None:
        """Each option is checked, with a message naming it."""
        with pytest.raises(ValueError, match=message):
            factor_themes(loops.graph_of(), **options)

    def test_whole_resolution_accepted(self) -> None:
        """A whole-number resolution is a number like any other."""
        assert factor_themes(loops.graph_of(*_two_clusters()), resolution=1).themes

    def test_graph_not_made_by_build_graph(self) -> None:
        """A graph without the index is refused."""
        with pytest.raises(GraphShapeError):
            factor_themes(nx.DiGraph())


# --- repeated low harm ---------------------------------------------------------------


def _low(  # noqa: PLR0913 - a builder names every field a test may change
    record_id: str,
    day: date,
    *,
    person: str = "P-0001",
    harm: PhysicalHarm = PhysicalHarm.LOW,
    service: str = "SVC-OAK",
    category: str = "falls",
    people: tuple[PersonAffected, ...] | None = None,
    **changes: Any,
) -> Incident:
    """Return an incident harming *person* at *harm* on *day*, or harming *people*."""
    if people is None:
        people = (PersonAffected(person=person, physical_harm=harm),)
    return loops.incident(
        record_id,
        day=day,
        service=service,
        category=category,
        people_affected=people,
        **changes,
    )


def _run(*offsets: int, **changes: Any) -> list[Incident]:
    """Return low-harm falls INC-1, INC-2, ... on JAN plus each offset in days."""
    return [
        _low(f"INC-{number}", JAN + timedelta(days=offset), **changes)
        for number, offset in enumerate(offsets, start=1)
    ]


def _concerns(
    *records: Record, **options: Any
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return each concern's kind, subject and incidents, in order."""
    report = repeated_low_harm(loops.graph_of(*records), **options)
    return [(c.kind.value, c.subject, c.incidents) for c in report.concerns]


RUN = ("INC-1", "INC-2", "INC-3")


class TestLowHarmWindow:
    """At least min_incidents within window_days, none acted on."""

    def test_exactly_min_within_the_window(self) -> None:
        """Three incidents on the first and the 28th day of a 28-day window are a concern, by person and by service."""
        assert _concerns(*_run(0, 10, 27)) == [
            ("person", "P-0001", RUN),
            ("service", "SVC-OAK", RUN),
        ]

    def test_one_day_outside(self) -> None:
        """The third incident on the 29th day is outside the window: no concern."""
        assert _concerns(*_run(0, 10, 28)) == []

    def test_window_and_minimum_options(self) -> None:
        """A wider window or a lower minimum catches what the defaults do not."""
        assert _concerns(*_run(0, 10, 28), window_days=29)
        assert _concerns(*_run(0, 30), min_incidents=2, window_days=31)
        assert _concerns(*_run(0, 30), min_incidents=2) == []

    def test_same_day_window(self) -> None:
        """window_days=1 is one calendar day."""
        assert _concerns(*_run(0, 0, 0), window_days=1)
        assert _concerns(*_run(0, 0, 1), window_days=1) == []

    def test_overlapping_windows_merge(self) -> None:
        """Windows that share incidents make one concern listing them all, first to last day."""
        report = repeated_low_harm(loops.graph_of(*_run(0, 10, 20, 35)))
        person = report.of_kind(ConcernKind.PERSON)
        assert len(person) == 1
        assert person[0].incidents == ("INC-1", "INC-2", "INC-3", "INC-4")
        assert (person[0].first_on, person[0].last_on) == (JAN, date(2025, 2, 5))

    def test_separate_runs(self) -> None:
        """Runs far apart are separate concerns, in order of their first day."""
        report = repeated_low_harm(loops.graph_of(*_run(0, 1, 2, 100, 101, 102)))
        days = [(c.first_on, c.last_on) for c in report.of_kind(ConcernKind.PERSON)]
        assert days == [(JAN, date(2025, 1, 3)), (date(2025, 4, 11), date(2025, 4, 13))]

    def test_incidents_listed_by_day(self) -> None:
        """A concern lists its incidents in the order they occurred, not by identifier."""
        records = [
            _low("INC-9", JAN),
            _low("INC-2", JAN + timedelta(days=1)),
            _low("INC-5", JAN + timedelta(days=2)),
        ]
        (person, _) = repeated_low_harm(loops.graph_of(*records)).concerns
        assert person.incidents == ("INC-9", "INC-2", "INC-5")

    def test_report_is_a_sequence(self) -> None:
        """A report iterates over its concerns and has their number as its length."""
        report = repeated_low_harm(loops.graph_of(*_run(0, 1, 2)))
        assert len(report) == 2
        assert tuple(report) == report.concerns

    def test_message(self) -> None:
        """Each concern says what was found in a sentence."""
        report = repeated_low_harm(loops.graph_of(*_run(0, 1, 2)))
        person, service = report.concerns
        assert person.message == (
            "possible safeguarding concern: 3 no- or low-harm incidents affecting "
            "P-0001 between 2025-01-01 and 2025-01-03, none followed by a "
            "preventive action"
        )
        assert service.message == (
            "possible safeguarding concern: 3 no- or low-harm falls incidents at "
            "SVC-OAK between 2025-01-01 and 2025-01-03, none followed by a "
            "preventive action"
        )
        assert (person.category, service.category) == (None, "falls")
        assert person.services == service.services == ("SVC-OAK",)


class TestLowHarmWhich:
    """Which incidents count as low-level."""

    def test_harm_above_low_excluded(self) -> None:
        """A moderate-harm incident in the middle is not low-level: the run is too short."""
        records = _run(0, 2)
        records.append(
            _low("INC-3", JAN + timedelta(days=1), harm=PhysicalHarm.MODERATE)
        )
        assert _concerns(*records) == []

    def test_psychological_harm_counts(self) -> None:
        """Moderate psychological harm makes an incident more than low-level."""
        hurt = PersonAffected(
            person="P-0001", psychological_harm=PsychologicalHarm.MODERATE
        )
        records = [*_run(0, 1), _low("INC-3", JAN, people=(hurt,))]
        assert _concerns(*records) == []

    def test_no_harm_counts(self) -> None:
        """No harm is low-level too."""
        assert _concerns(*_run(0, 1, 2, harm=PhysicalHarm.NONE))

    def test_no_one_named_counts_for_the_service(self) -> None:
        """An incident naming no one records no harm: it counts for its service, and for no person."""
        records = [
            loops.incident(f"INC-{n}", day=JAN, people_affected=()) for n in (1, 2, 3)
        ]
        assert _concerns(*records) == [("service", "SVC-OAK", RUN)]

    @pytest.mark.parametrize(
        ("event_type", "counted"),
        [
            (EventType.INCIDENT, True),
            (EventType.OUTCOME, True),
            (EventType.RISK, False),
            (EventType.GOOD_CARE, False),
        ],
    )
    def test_event_types(self, event_type: EventType, *, counted: bool) -> None:
        """Incidents and poor outcomes count; risks and good care do not."""
        records = [*_run(0, 1), _low("INC-3", JAN, event_type=event_type)]
        assert bool(_concerns(*records)) is counted

    def test_near_misses_count(self) -> None:
        """A near miss is a low-level incident."""
        assert _concerns(*_run(0, 1, 2, reached_person=False))

    def test_withdrawn_incident_does_not_count(self) -> None:
        """An incident entered in error is not in the graph, so it makes no run."""
        first, second, third = _run(0, 1, 2)
        withdrawn = third.marked_entered_in_error(
            by="STAFF-RM", at=samples.AT, reason="duplicate"
        )
        assert _concerns(first, second, third, withdrawn) == []


class TestLowHarmGrouping:
    """By person at any service, and by service and primary category."""

    def test_person_across_services(self) -> None:
        """One person's incidents at two services are a concern about the person only."""
        records = [
            _low("INC-1", JAN),
            _low("INC-2", JAN, service="SVC-ELM"),
            _low("INC-3", JAN, category="medication"),
        ]
        report = repeated_low_harm(loops.graph_of(*records))
        (concern,) = report.concerns
        assert (concern.kind, concern.subject) == (ConcernKind.PERSON, "P-0001")
        assert concern.services == ("SVC-ELM", "SVC-OAK")
        assert report.about("P-0001") == report.concerns
        assert report.about("SVC-OAK") == ()

    def test_service_across_people(self) -> None:
        """Three people's falls at one service are a concern about the service only."""
        records = [_low(f"INC-{n}", JAN, person=f"P-000{n}") for n in (1, 2, 3)]
        assert _concerns(*records) == [("service", "SVC-OAK", RUN)]

    def test_secondary_category_not_grouped(self) -> None:
        """An incident is grouped under its primary category only."""
        records = [
            _low("INC-1", JAN, person="P-0001"),
            _low("INC-2", JAN, person="P-0002"),
            _low(
                "INC-3",
                JAN,
                person="P-0003",
                category="medication",
                secondary_categories=("falls",),
            ),
        ]
        assert _concerns(*records) == []

    def test_each_person_affected(self) -> None:
        """An incident affecting two people counts for each of them."""
        both = (PersonAffected(person="P-0001"), PersonAffected(person="P-0002"))
        records = [
            _low("INC-1", JAN, people=both),
            _low("INC-2", JAN, people=both),
            _low("INC-3", JAN, people=both),
        ]
        assert [subject for _, subject, _ in _concerns(*records)] == [
            "P-0001",
            "P-0002",
            "SVC-OAK",
        ]

    def test_order_people_then_services(self) -> None:
        """Concerns come people first, then services, each by subject and category."""
        records = [
            *[_low(f"INC-{n}", JAN, person="P-0002") for n in (1, 2, 3)],
            *[
                _low(f"INC-{n}", JAN, person="P-0001", category="medication")
                for n in (4, 5, 6)
            ],
        ]
        report = repeated_low_harm(loops.graph_of(*records))
        assert [(c.kind.value, c.subject, c.category) for c in report] == [
            ("person", "P-0001", None),
            ("person", "P-0002", None),
            ("service", "SVC-OAK", "falls"),
            ("service", "SVC-OAK", "medication"),
        ]


class TestLowHarmPreventiveAction:
    """A live action coming from an incident clears the windows it is in."""

    def test_action_clears_it(self) -> None:
        """A proposed action drawn from one of the incidents is preventive: no concern."""
        records = [
            *_run(0, 1, 2),
            loops.learning_point("LP-1", incidents=["INC-2"]),
            loops.action("ACT-1", ["LP-1"]),
        ]
        assert _concerns(*records) == []

    def test_action_through_a_factor(self) -> None:
        """An action from a factor that contributed to an incident is preventive too."""
        records = [
            *_run(0, 1, 2),
            loops.factor("CF-1", incidents=["INC-3"]),
            loops.learning_point("LP-1", factors=["CF-1"]),
            loops.action("ACT-1", ["LP-1"]),
        ]
        assert _concerns(*records) == []

    def test_action_through_a_response(self) -> None:
        """An action from a learning response that reviewed an incident is preventive too."""
        records = [
            *_run(0, 1, 2),
            loops.response("LR-1", ["INC-1"]),
            loops.learning_point("LP-1", responses=["LR-1"]),
            loops.action("ACT-1", ["LP-1"]),
            loops.action("ACT-2", ["LP-1"], kind=ActionKind.TRAINING),
        ]
        assert _concerns(*records) == []

    def test_learning_without_action_is_not_preventive(self) -> None:
        """A learning point with no action prevents nothing."""
        records = [*_run(0, 1, 2), loops.learning_point("LP-1", incidents=["INC-2"])]
        assert len(_concerns(*records)) == 2

    def test_rejected_action_does_not(self) -> None:
        """A rejected action is no preventive action."""
        records = [
            *_run(0, 1, 2),
            loops.learning_point("LP-1", incidents=["INC-2"]),
            loops.action("ACT-1", ["LP-1"], (S.REJECTED, date(2025, 1, 10))),
        ]
        assert len(_concerns(*records)) == 2

    def test_action_elsewhere_does_not(self) -> None:
        """An action from an incident outside the window does not clear it."""
        records = [
            *_run(0, 1, 2),
            _low("INC-9", date(2024, 6, 1)),
            loops.learning_point("LP-1", incidents=["INC-9"]),
            loops.action("ACT-1", ["LP-1"]),
        ]
        assert len(_concerns(*records)) == 2

    def test_later_incidents_within_the_window_of_an_acted_one(self) -> None:
        """Incidents before the acted one still make a run; those within its window after it do not."""
        records = [
            *_run(0, 1, 2, 3, 4),
            loops.learning_point("LP-1", incidents=["INC-3"]),
            loops.action("ACT-1", ["LP-1"]),
        ]
        report = repeated_low_harm(loops.graph_of(*records), min_incidents=2)
        assert [c.incidents for c in report.of_kind(ConcernKind.PERSON)] == [
            ("INC-1", "INC-2")
        ]


class TestLowHarmAsOf:
    """as_of limits incidents and actions to what was known on that day."""

    def test_incidents_after_as_of_left_out(self) -> None:
        """An incident after as_of does not count."""
        records = _run(0, 1, 2)
        assert _concerns(*records, as_of=date(2025, 1, 2)) == []
        assert len(_concerns(*records, as_of=date(2025, 1, 3))) == 2

    def test_action_recorded_later_does_not_count(self) -> None:
        """An action recorded after as_of did not exist on that day."""
        action = attrs.evolve(
            loops.action("ACT-1", ["LP-1"]),
            recorded_at=datetime(2025, 2, 10, 9, tzinfo=UTC),
        )
        records = [
            *_run(0, 1, 2),
            loops.learning_point("LP-1", incidents=["INC-2"]),
            action,
        ]
        assert len(_concerns(*records, as_of=date(2025, 2, 1))) == 2
        assert _concerns(*records) == []

    def test_rejected_after_as_of_still_counts(self) -> None:
        """An action rejected after as_of was live on that day."""
        records = [
            *_run(0, 1, 2),
            loops.learning_point("LP-1", incidents=["INC-2"]),
            loops.action(
                "ACT-1",
                ["LP-1"],
                (S.AGREED, date(2025, 1, 10)),
                (S.REJECTED, date(2025, 5, 1)),
            ),
        ]
        assert _concerns(*records, as_of=date(2025, 3, 31)) == []
        assert len(_concerns(*records)) == 2

    def test_report_keeps_the_options(self) -> None:
        """The report says which day, window and minimum made it."""
        report = repeated_low_harm(
            loops.graph_of(), window_days=7, min_incidents=4, as_of=JAN
        )
        assert report == LowHarmReport(
            as_of=JAN, window_days=7, min_incidents=4, concerns=()
        )


class TestLowHarmOptions:
    """Bad options are refused with a message naming them."""

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            (
                {"window_days": 0},
                "window_days must be a whole number, 1 or more, not 0",
            ),
            ({"window_days": True}, "window_days must be a whole number"),
            ({"window_days": 7.0}, "window_days must be a whole number"),
            ({"min_incidents": 1}, "min_incidents must be a whole number, 2 or more"),
            ({"min_incidents": "3"}, "min_incidents must be a whole number"),
            ({"as_of": datetime(2025, 1, 1, tzinfo=UTC)}, "as_of must be a date"),
            ({"as_of": "2025-01-01"}, "as_of must be a date"),
        ],
    )
    def test_bad_options(self, options: dict[str, Any], message: str) -> None:
        """Each option is checked before any work is done."""
        with pytest.raises(ValueError, match=message):
            repeated_low_harm(loops.graph_of(), **options)


# --- action strength profile ---------------------------------------------------------


def _profile(*records: Record, as_of: date | None = None) -> StrengthProfile:
    """Return the strength profile of a log of the organisation and *records*."""
    return action_strength_profile(loops.graph_of(*records), as_of=as_of)


def _counts(mix: StrengthMix) -> tuple[int, ...]:
    """Return the counts of *mix*, weakest first."""
    return tuple(count for _, count in mix.counts)


def _strength_loop() -> list[Record]:
    """Return LP-1 with one action of each strength and a rejected one, LP-2 with weaker ones only."""
    return [
        loops.incident("INC-1", people_affected=()),
        loops.learning_point("LP-1", incidents=["INC-1"]),
        loops.learning_point("LP-2", incidents=["INC-1"]),
        loops.learning_point("LP-3", incidents=["INC-1"]),
        loops.action("ACT-1", ["LP-1"], kind=ActionKind.TRAINING),
        loops.action("ACT-2", ["LP-1"], kind=ActionKind.STAFFING_CHANGE),
        loops.action("ACT-3", ["LP-1"], kind=ActionKind.PHYSICAL_CHANGE),
        loops.action(
            "ACT-4",
            ["LP-1", "LP-2"],
            (S.REJECTED, date(2025, 3, 10)),
            kind=ActionKind.FORCING_FUNCTION,
        ),
        loops.action("ACT-5", ["LP-2"], kind=ActionKind.POLICY, services=("SVC-ELM",)),
        loops.action(
            "ACT-6", ["LP-2"], kind=ActionKind.TRAINING, services=("SVC-ELM",)
        ),
    ]


class TestStrengthProfile:
    """Live actions by strength, per learning point and per service."""

    def test_per_learning_point(self) -> None:
        """Each learning point counts its live actions by strength, weakest first; rejected ones are left out."""
        profile = _profile(*_strength_loop())
        first = profile.for_learning_point("LP-1")
        assert first.actions == ("ACT-1", "ACT-2", "ACT-3")
        assert [strength for strength, _ in first.counts] == list(ActionStrength)
        assert _counts(first) == (1, 1, 1)
        assert (first.total, first.strongest, first.only_weaker) == (
            3,
            ActionStrength.STRONGER,
            False,
        )
        assert _counts(profile.for_learning_point("LP-2")) == (2, 0, 0)

    def test_learning_point_without_actions(self) -> None:
        """A learning point with no live action has an empty mix and is not called out."""
        mix = _profile(*_strength_loop()).for_learning_point("LP-3")
        assert (mix.total, mix.strongest, mix.only_weaker) == (0, None, False)
        assert _counts(mix) == (0, 0, 0)

    def test_weaker_only_called_out(self) -> None:
        """Learning points and services whose live actions are all weaker are called out, sorted."""
        profile = _profile(*_strength_loop())
        assert profile.weaker_only_learning_points == ("LP-2",)
        assert profile.weaker_only_services == ("SVC-ELM",)

    def test_per_service(self) -> None:
        """An action counts at the services it names; every active service has a mix."""
        profile = _profile(*_strength_loop())
        assert [mix.subject for mix in profile.services] == ["SVC-ELM", "SVC-OAK"]
        assert profile.for_service("SVC-ELM").actions == ("ACT-5", "ACT-6")
        assert _counts(profile.for_service("SVC-OAK")) == (1, 1, 1)

    def test_service_from_the_incidents(self) -> None:
        """An action naming no service counts at its incidents' services, by any route."""
        records = [
            loops.incident("INC-1", service="SVC-ELM", people_affected=()),
            loops.incident("INC-2", service="SVC-OAK", people_affected=()),
            loops.response("LR-1", ["INC-2"]),
            loops.factor("CF-1", incidents=["INC-1"]),
            loops.learning_point("LP-1", factors=["CF-1"]),
            loops.learning_point("LP-2", responses=["LR-1"]),
            loops.action("ACT-1", ["LP-1"], services=()),
            loops.action("ACT-2", ["LP-1", "LP-2"], services=()),
        ]
        profile = _profile(*records)
        assert profile.for_service("SVC-ELM").actions == ("ACT-1", "ACT-2")
        assert profile.for_service("SVC-OAK").actions == ("ACT-2",)

    def test_unknown_subjects(self) -> None:
        """Asking for a learning point or service the profile lacks raises UnknownRecordError."""
        profile = _profile(*_strength_loop())
        for missing in ("LP-0", "LP-10", "LP-9"):
            with pytest.raises(UnknownRecordError, match="no learning_point"):
                profile.for_learning_point(missing)
        with pytest.raises(UnknownRecordError, match="no service has the id 'SVC-ZZZ'"):
            profile.for_service("SVC-ZZZ")

    def test_matches_the_only_weaker_actions_gap(self) -> None:
        """The learning points called out are those of loop_gaps' only_weaker_actions gaps."""
        as_of = date(2025, 12, 31)
        graph = loops.graph_of(*_strength_loop())
        gaps = loop_gaps(graph, as_of=as_of).of_kind(GapKind.ONLY_WEAKER_ACTIONS)
        profile = action_strength_profile(graph, as_of=as_of)
        assert profile.weaker_only_learning_points == tuple(g.record for g in gaps)


class TestStrengthAsOf:
    """as_of judges statuses as they stood and leaves out later records."""

    def test_rejected_after_as_of_still_live(self) -> None:
        """An action rejected after as_of counted on that day."""
        records = [
            *_strength_loop()[:2],
            loops.action(
                "ACT-1",
                ["LP-1"],
                (S.AGREED, date(2025, 3, 5)),
                (S.REJECTED, date(2025, 6, 1)),
            ),
        ]
        assert _profile(*records, as_of=date(2025, 4, 1)).for_learning_point(
            "LP-1"
        ).actions == ("ACT-1",)
        assert _profile(*records).for_learning_point("LP-1").actions == ()

    def test_later_records_left_out(self) -> None:
        """A learning point recorded after as_of has no mix; an action recorded after it counts nowhere."""
        late_point = attrs.evolve(
            loops.learning_point("LP-1", incidents=["INC-1"]),
            recorded_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
        )
        late_action = attrs.evolve(
            loops.action("ACT-2", ["LP-1"]),
            recorded_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
        )
        records = [
            loops.incident("INC-1", people_affected=()),
            late_point,
            loops.action("ACT-1", ["LP-1"]),
            late_action,
        ]
        profile = _profile(*records, as_of=date(2025, 3, 5))
        assert profile.learning_points == ()
        assert profile.for_service("SVC-OAK").actions == ("ACT-1",)
        assert _profile(*records).for_learning_point("LP-1").actions == (
            "ACT-1",
            "ACT-2",
        )

    def test_bad_as_of(self) -> None:
        """as_of must be a date, not a date and time."""
        with pytest.raises(ValueError, match="as_of must be a date"):
            action_strength_profile(
                loops.graph_of(), as_of=datetime(2025, 1, 1, tzinfo=UTC)
            )


# --- results and the graph ------------------------------------------------------------


class TestResults:
    """Results are frozen values, and the graph is left as it was."""

    def test_graph_unchanged(self) -> None:
        """No analysis changes the graph's nodes, edges or attributes."""
        low = [_low(f"INC-L{n}", JAN + timedelta(days=n)) for n in (1, 2, 3)]
        graph = loops.graph_of(*_two_clusters(), *_strength_loop()[1:], *low)
        before = _snapshot(graph)
        factor_themes(graph)
        repeated_low_harm(graph, as_of=date(2025, 12, 31))
        action_strength_profile(graph, as_of=date(2025, 12, 31))
        assert _snapshot(graph) == before

    def test_frozen(self) -> None:
        """Every result refuses assignment and is hashable."""
        run = [_low(f"INC-L{n}", JAN + timedelta(days=n)) for n in (1, 2, 3)]
        graph = loops.graph_of(*_two_clusters(), *run)
        themes = factor_themes(graph)
        low = repeated_low_harm(graph)
        profile = action_strength_profile(graph)
        results: list[object] = [
            themes,
            themes.themes[0],
            themes.co_occurrence[0],
            low,
            low.concerns[0],
            profile,
            profile.services[0],
        ]
        for result in results:
            hash(result)
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                result.x = 1  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def graph() -> LearningGraph:
    """Return the example log's graph, built once for the module."""
    return build_graph(samples.example_log())


class TestExampleLog:
    """Facts about the bundled Oakvale example."""

    def test_themes(self, graph: LearningGraph) -> None:
        """Communication, PBS plans and person factors are one theme, recurring mostly at Willow."""
        report = factor_themes(graph)
        first = report.themes[0]
        assert first.domains == (
            _domain("communication"),
            _domain("pbs_plan"),
            _domain("person_factors"),
        )
        assert first.services[0] == ("SVC-WILLOW", 79)
        assert isinstance(first, FactorTheme)
        assert isinstance(report, ThemeReport)
        assert report.co_occurrence[0].incidents == 74

    def test_themes_repeatable(self, graph: LearningGraph) -> None:
        """Two runs with the default seed agree, down to the order of themes."""
        assert factor_themes(graph) == factor_themes(graph)

    def test_every_domain_in_one_theme(self, graph: LearningGraph) -> None:
        """The themes partition the domains."""
        report = factor_themes(graph)
        in_themes = [d for theme in report.themes for d in theme.domains]
        assert sorted(in_themes) == sorted(d for d, _ in report.domains)

    def test_low_harm(self, graph: LearningGraph) -> None:
        """The most-reported person, P-0119, has three runs with no preventive action."""
        report = repeated_low_harm(graph)
        runs = report.about("P-0119")
        assert [len(c.incidents) for c in runs] == [7, 6, 7]
        for concern in report:
            assert len(concern.incidents) >= report.min_incidents

    def test_strength(self, graph: LearningGraph) -> None:
        """The profile's weaker-only learning points are the loop gaps' own."""
        as_of = date(2025, 12, 31)
        gaps = loop_gaps(graph, as_of=as_of).of_kind(GapKind.ONLY_WEAKER_ACTIONS)
        profile = action_strength_profile(graph, as_of=as_of)
        assert profile.weaker_only_learning_points == tuple(g.record for g in gaps)
        assert len(profile.weaker_only_learning_points) == 7

    def test_rejected_never_live(self, graph: LearningGraph) -> None:
        """The example's rejected action is in no learning point's or service's mix."""
        rejected = {
            node
            for node, data in graph.nodes(data=True)
            if isinstance(data["record"], Action)
            and data["record"].status is S.REJECTED
        }
        profile = action_strength_profile(graph)
        live = {
            a
            for mix in (*profile.learning_points, *profile.services)
            for a in mix.actions
        }
        assert rejected
        assert live.isdisjoint(rejected)
