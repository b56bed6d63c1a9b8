"""Tests for incident_learning.analysis.series: zero-filled incident counts and exposure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import loops

from incident_learning import samples
from incident_learning.analysis import (
    ExposureUnit,
    Frequency,
    incident_series,
    period_of,
)
from incident_learning.graph import build_graph
from incident_learning.model import (
    FactorFramework,
    HarmLevel,
    PersonAffected,
    PhysicalHarm,
    Record,
)


def _incidents() -> list[Record]:
    """Return falls at Oak in January and March 2025 and one at Elm in March."""
    return [
        loops.incident("INC-1", day=date(2025, 1, 5)),
        loops.incident("INC-2", day=date(2025, 1, 20)),
        loops.incident("INC-3", day=date(2025, 3, 2), category="medication"),
        loops.incident("INC-4", day=date(2025, 3, 9), service="SVC-ELM"),
    ]


class TestCounts:
    """Counting by period, every period present."""

    def test_months_are_zero_filled(self) -> None:
        """February has no incidents and is a zero, not a gap."""
        series = incident_series(loops.graph_of(*_incidents()))
        assert series.periods == (date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1))
        assert series.counts == (2, 0, 2)
        assert series.incidents == (("INC-1", "INC-2"), (), ("INC-3", "INC-4"))
        assert series.total == 4

    def test_explicit_range(self) -> None:
        """Incidents outside start and end are left out; every month in between counts."""
        series = incident_series(
            loops.graph_of(*_incidents()),
            start=date(2025, 1, 10),
            end=date(2025, 4, 30),
        )
        assert series.periods[0] == date(2025, 1, 1)
        assert series.periods[-1] == date(2025, 4, 1)
        assert series.counts == (1, 0, 2, 0)

    def test_weeks_start_on_monday(self) -> None:
        """Weekly periods are ISO weeks, Monday first."""
        series = incident_series(
            loops.graph_of(*_incidents()),
            frequency=Frequency.WEEK,
            start=date(2025, 3, 1),
            end=date(2025, 3, 16),
        )
        assert series.periods == (
            date(2025, 2, 24),
            date(2025, 3, 3),
            date(2025, 3, 10),
        )
        # 2 March is a Sunday; 9 March too.
        assert series.counts == (1, 1, 0)

    def test_period_of(self) -> None:
        """A day's period starts on the first of its month or on its week's Monday."""
        assert period_of(date(2024, 2, 29), Frequency.MONTH) == date(2024, 2, 1)
        assert period_of(date(2025, 1, 1), Frequency.WEEK) == date(2024, 12, 30)

    def test_empty_graph(self) -> None:
        """A graph with no incidents has an empty series."""
        series = incident_series(loops.graph_of())
        assert (series.periods, series.counts, series.exposure) == ((), (), ())

    def test_end_before_start(self) -> None:
        """A range that ends before it starts is a ValueError."""
        with pytest.raises(ValueError, match=r"end \(2025-01-01\) is before start"):
            incident_series(
                loops.graph_of(), start=date(2025, 2, 1), end=date(2025, 1, 1)
            )


class TestFilters:
    """Each filter narrows the count; filters combine with and."""

    def test_services(self) -> None:
        """Only incidents at the services named."""
        series = incident_series(loops.graph_of(*_incidents()), services=["SVC-ELM"])
        assert series.counts == (0, 0, 1)
        assert series.services == ("SVC-ELM",)

    def test_categories_primary_or_secondary(self) -> None:
        """An incident counts under a secondary category too."""
        extra = loops.incident(
            "INC-5", day=date(2025, 2, 1), secondary_categories=("medication",)
        )
        series = incident_series(
            loops.graph_of(*_incidents(), extra), categories=["medication"]
        )
        assert series.counts == (0, 1, 1)

    def test_an_incident_in_two_categories_counts_once(self) -> None:
        """Asking for two of an incident's categories counts it once."""
        extra = loops.incident(
            "INC-5", day=date(2025, 2, 1), secondary_categories=("medication",)
        )
        series = incident_series(
            loops.graph_of(*_incidents(), extra), categories=["falls", "medication"]
        )
        assert series.counts == (2, 1, 2)

    def test_services_skip_other_records(self) -> None:
        """Other records naming the service (an action) are not incidents."""
        records = [
            *_incidents(),
            loops.learning_point("LP-1", incidents=["INC-1"]),
            loops.action("ACT-1", ["LP-1"]),
        ]
        series = incident_series(loops.graph_of(*records), services=["SVC-OAK"])
        assert series.counts == (2, 0, 1)

    def test_services_and_categories(self) -> None:
        """Both filters must hold."""
        series = incident_series(
            loops.graph_of(*_incidents()), services=["SVC-OAK"], categories=["falls"]
        )
        assert series.counts == (2, 0, 0)

    def test_harm(self) -> None:
        """Only incidents whose worst harm is listed; no one named means no harm."""
        low = PersonAffected(person="P-1", physical_harm=PhysicalHarm.LOW)
        records = [
            *_incidents(),
            loops.incident("INC-6", day=date(2025, 2, 1), people_affected=(low,)),
            loops.incident("INC-7", day=date(2025, 2, 2), people_affected=()),
        ]
        graph = loops.graph_of(*records)
        assert incident_series(graph, harm=[HarmLevel.LOW]).counts == (0, 1, 0)
        assert incident_series(graph, harm=[HarmLevel.MODERATE]).counts == (2, 0, 2)

    def test_factor_domains(self) -> None:
        """Incidents a factor of the domain contributed to, directly or via its response."""
        records = [
            *_incidents(),
            loops.factor("CF-1", incidents=["INC-1"]),
            loops.response("LR-1", ["INC-3"]),
            loops.factor("CF-2", response="LR-1"),
            loops.factor("CF-3", incidents=["INC-4"], domain="communication"),
        ]
        graph = loops.graph_of(*records)
        series = incident_series(graph, factor_domains=["staffing_and_workload"])
        assert series.incidents == (("INC-1",), (), ("INC-3",))
        assert series.factor_domains == (
            (FactorFramework.CARE, "staffing_and_workload"),
        )
        same = incident_series(
            graph, factor_domains=[(FactorFramework.CARE, "staffing_and_workload")]
        )
        assert same.counts == series.counts

    @pytest.mark.parametrize("name", ["services", "categories", "factor_domains"])
    def test_a_single_string_is_refused(self, name: str) -> None:
        """A filter given as one string, which would be read letter by letter, is a TypeError."""
        with pytest.raises(TypeError, match="not"):
            incident_series(loops.graph_of(), **{name: "falls"})  # type: ignore[arg-type]


class TestExposure:
    """Exposure summed over services and apportioned by day."""

    def test_monthly_bed_days(self) -> None:
        """Each month's bed days, and rates per 1,000."""
        records = [*_incidents(), *loops.exposures("SVC-OAK", date(2025, 1, 1), 3)]
        series = incident_series(loops.graph_of(*records), services=["SVC-OAK"])
        assert series.exposure_unit is ExposureUnit.OCCUPIED_BED_DAYS
        assert series.exposure == (900.0, 900.0, 900.0)
        assert series.rates() == pytest.approx((2 / 0.9, 0.0, 1 / 0.9))
        assert series.rates(per=100)[0] == pytest.approx(2 / 9)

    def test_weeks_are_apportioned(self) -> None:
        """A week across two months takes each month's share of its days."""
        records = [*_incidents(), *loops.exposures("SVC-OAK", date(2025, 1, 1), 3)]
        series = incident_series(
            loops.graph_of(*records),
            services=["SVC-OAK"],
            frequency=Frequency.WEEK,
            start=date(2025, 1, 27),
            end=date(2025, 2, 2),
        )
        # 27-31 January: 5 of 31 days; 1-2 February: 2 of 28 days.
        assert series.exposure == pytest.approx((900 * 5 / 31 + 900 * 2 / 28,))

    def test_uncovered_period_is_unknown(self) -> None:
        """A month no exposure record covers has no exposure, and no rate."""
        records = [*_incidents(), *loops.exposures("SVC-OAK", date(2025, 1, 1), 2)]
        series = incident_series(loops.graph_of(*records), services=["SVC-OAK"])
        assert series.exposure == (900.0, 900.0, None)
        assert series.rates()[2] is None

    def test_zero_exposure_has_no_rate(self) -> None:
        """A month with no bed days occupied has no rate, not a division by zero."""
        records = [
            *_incidents(),
            *loops.exposures("SVC-OAK", date(2025, 1, 1), 3, bed_days=0),
        ]
        series = incident_series(loops.graph_of(*records), services=["SVC-OAK"])
        assert series.rates() == (None, None, None)

    def test_care_hours(self) -> None:
        """Home care exposure is in hours of care."""
        records = [
            *_incidents(),
            *loops.exposures(
                "SVC-OAK", date(2025, 1, 1), 3, bed_days=None, care_hours=500.0
            ),
        ]
        series = incident_series(loops.graph_of(*records), services=["SVC-OAK"])
        assert series.exposure_unit is ExposureUnit.CARE_HOURS
        assert series.exposure == (500.0, 500.0, 500.0)

    def test_mixed_units_give_no_exposure(self) -> None:
        """Bed days at one service and care hours at another do not add up."""
        records = [
            *_incidents(),
            *loops.exposures("SVC-OAK", date(2025, 1, 1), 3),
            *loops.exposures(
                "SVC-ELM", date(2025, 1, 1), 3, bed_days=None, care_hours=5.0
            ),
        ]
        series = incident_series(loops.graph_of(*records))
        assert series.exposure_unit is None
        assert series.exposure == (None, None, None)

    def test_all_services_summed(self) -> None:
        """Without a service filter, every service's exposure is summed."""
        records = [
            *_incidents(),
            *loops.exposures("SVC-OAK", date(2025, 1, 1), 3),
            *loops.exposures("SVC-ELM", date(2025, 1, 1), 3, bed_days=100),
        ]
        series = incident_series(loops.graph_of(*records))
        assert series.exposure == (1000.0, 1000.0, 1000.0)

    def test_a_service_without_exposure(self) -> None:
        """One service with no exposure records leaves the series without exposure."""
        records = [*_incidents(), *loops.exposures("SVC-OAK", date(2025, 1, 1), 3)]
        series = incident_series(loops.graph_of(*records))
        assert series.exposure_unit is None


class TestExample:
    """The bundled example."""

    def test_willow_behaviour_falls(self) -> None:
        """Willow's behaviour and distress incidents halve from 2024 to 2025."""
        series = incident_series(
            build_graph(samples.example_log()),
            services=["SVC-WILLOW"],
            categories=["behaviour_and_distress"],
        )
        first, second = sum(series.counts[:12]), sum(series.counts[12:])
        assert len(series.periods) == 24
        assert second < first / 2


@given(
    days=st.lists(
        st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
        min_size=1,
        max_size=20,
    ),
    weekly=st.booleans(),
)
def test_every_incident_is_counted_once(days: list[date], *, weekly: bool) -> None:
    """Counts add up to the incidents, each in the period of its day."""
    records = [
        attrs.evolve(
            loops.incident(f"INC-{number}", day=day),
            reported_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for number, day in enumerate(days)
    ]
    frequency = Frequency.WEEK if weekly else Frequency.MONTH
    series = incident_series(loops.graph_of(*records), frequency=frequency)
    assert series.total == len(days)
    for period, incidents in zip(series.periods, series.incidents, strict=True):
        for node in incidents:
            day = days[int(node.removeprefix("INC-"))]
            assert period_of(day, frequency) == period
