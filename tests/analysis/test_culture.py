"""Tests for incident_learning.analysis.culture: reporting culture indicators per service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from tests import loops

from incident_learning import samples
from incident_learning.analysis import (
    ChartKind,
    CultureIndicator,
    ExposureUnit,
    Frequency,
    Rule,
    reporting_culture,
)
from incident_learning.graph import build_graph
from incident_learning.model import (
    EventType,
    PersonAffected,
    PhysicalHarm,
    Record,
)

START = date(2024, 1, 1)
IND = CultureIndicator


def _monthly(per_month: list[int], service: str = "SVC-OAK") -> list[Record]:
    """Return *per_month[i]* moderate-harm falls at *service* in month i from January 2024."""
    return list(loops.monthly_incidents(per_month, start=START, service=service))


class TestIndicators:
    """Each indicator, per period and overall."""

    def test_shares_and_delay(self) -> None:
        """Near misses, low harm, delay and responses, each in its period."""
        low = PersonAffected(person="P-1", physical_harm=PhysicalHarm.LOW)
        january = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
        records = [
            # Reported 12 hours after it happened: half a day.
            attrs.evolve(
                loops.incident("INC-1", day=date(2024, 1, 10)),
                occurred=january,
                reported_at=january + timedelta(hours=12),
            ),
            # A date alone, reported two days later; a near miss of low harm.
            attrs.evolve(
                loops.incident("INC-2", day=date(2024, 1, 20), people_affected=(low,)),
                reached_person=False,
                reported_at=datetime(2024, 1, 22, 9, tzinfo=UTC),
            ),
            # An estimated period: the delay runs from its end.
            attrs.evolve(
                loops.incident("INC-3", day=date(2024, 2, 1)),
                occurred_until=date(2024, 2, 5),
                reported_at=datetime(2024, 2, 6, 9, tzinfo=UTC),
            ),
            # No one named: no harm to count in the low-harm share.
            loops.incident("INC-4", day=date(2024, 2, 10), people_affected=()),
            loops.response("LR-1", ["INC-1", "INC-3"]),
        ]
        oak = reporting_culture(loops.graph_of(*records)).of("SVC-OAK")
        assert oak.periods == (date(2024, 1, 1), date(2024, 2, 1))
        assert oak.incidents == (2, 2)
        assert oak.indicator(IND.NEAR_MISS_SHARE).values == (0.5, 0.0)
        assert oak.indicator(IND.NEAR_MISS_SHARE).overall == 0.25
        assert oak.indicator(IND.LOW_HARM_SHARE).values == (0.5, 0.0)
        assert oak.indicator(IND.LOW_HARM_SHARE).overall == pytest.approx(1 / 3)
        assert oak.indicator(IND.MEDIAN_REPORT_DELAY).values == (1.25, 0.5)
        assert oak.indicator(IND.LEARNING_RESPONSE_SHARE).values == (0.5, 0.5)
        assert [s.indicator for s in oak.indicators] == list(CultureIndicator)

    def test_empty_periods_have_no_shares(self) -> None:
        """A month with no incidents has a count of 0 and no share to take."""
        oak = reporting_culture(loops.graph_of(*_monthly([2, 0, 2]))).of("SVC-OAK")
        assert oak.incidents == (2, 0, 2)
        assert oak.indicator(IND.NEAR_MISS_SHARE).values == (0.0, None, 0.0)
        # Counts, not rates, without exposure.
        assert oak.exposure_unit is None
        assert oak.indicator(IND.REPORTING_RATE).values == (2.0, 0.0, 2.0)
        assert oak.indicator(IND.REPORTING_RATE).overall == pytest.approx(4 / 3)

    def test_rates_with_exposure(self) -> None:
        """With exposure every period the reporting rate is per 1,000 bed days, on a u-chart."""
        records = [*_monthly([9, 9, 9]), *loops.exposures("SVC-OAK", START, 3)]
        oak = reporting_culture(loops.graph_of(*records)).of("SVC-OAK")
        assert oak.exposure_unit is ExposureUnit.OCCUPIED_BED_DAYS
        rate = oak.indicator(IND.REPORTING_RATE)
        assert rate.values == pytest.approx((10.0, 10.0, 10.0))
        assert rate.overall == pytest.approx(10.0)
        assert rate.chart is not None
        assert rate.chart.kind is ChartKind.U

    def test_directions(self) -> None:
        """More reporting is better; a longer delay is worse."""
        assert IND.REPORTING_RATE.direction.value == "increase"
        assert IND.MEDIAN_REPORT_DELAY.direction.value == "decrease"

    def test_too_few_periods_have_no_charts(self) -> None:
        """One period has no limits to draw."""
        oak = reporting_culture(loops.graph_of(*_monthly([3]))).of("SVC-OAK")
        assert all(series.chart is None for series in oak.indicators)
        assert oak.reporting_drop is None

    def test_a_service_with_no_incidents(self) -> None:
        """A service with nothing reported has counts of 0 and no shares."""
        report = reporting_culture(loops.graph_of(*_monthly([3, 3])))
        elm = report.of("SVC-ELM")
        assert elm.incidents == (0, 0)
        assert elm.indicator(IND.NEAR_MISS_SHARE).overall is None
        assert elm.indicator(IND.NEAR_MISS_SHARE).chart is None


class TestReportingDrop:
    """A sudden drop in reporting is flagged; a gradual fall is not."""

    def test_sudden_drop_is_flagged(self) -> None:
        """A year at about thirty a month, then five: below the lower limit, flagged."""
        per_month = [30, 29, 31, 30, 30, 29, 31, 30, 30, 29, 31, 30, 5]
        report = reporting_culture(loops.graph_of(*_monthly(per_month)))
        oak = report.of("SVC-OAK")
        assert oak.reporting_drop is not None
        assert oak.reporting_drop.periods == (date(2025, 1, 1),)
        assert oak.reporting_drop.rules == (Rule.BEYOND_LIMITS,)
        assert oak.reporting_drop.message.startswith("reporting count fell")
        assert [s.service for s in report.flagged] == ["SVC-OAK"]

    def test_old_drop_is_not_recent(self) -> None:
        """A drop further back than the recent periods is not flagged."""
        per_month = [30, 29, 31, 30, 30, 29, 31, 30, 5, 30, 29, 31, 30]
        report = reporting_culture(loops.graph_of(*_monthly(per_month)))
        assert report.of("SVC-OAK").reporting_drop is None
        wider = reporting_culture(
            loops.graph_of(*_monthly(per_month)), recent_periods=6
        )
        assert wider.of("SVC-OAK").reporting_drop is not None

    def test_a_rise_is_not_a_drop(self) -> None:
        """Special cause upwards is more reporting: no flag."""
        per_month = [10, 9, 11, 10, 10, 9, 11, 10, 10, 9, 11, 10, 40]
        oak = reporting_culture(loops.graph_of(*_monthly(per_month))).of("SVC-OAK")
        assert oak.reporting_drop is None

    def test_rate_drop_message(self) -> None:
        """With exposure, the message speaks of the rate."""
        per_month = [30, 29, 31, 30, 30, 29, 31, 30, 30, 29, 31, 30, 5]
        records = [*_monthly(per_month), *loops.exposures("SVC-OAK", START, 13)]
        oak = reporting_culture(loops.graph_of(*records)).of("SVC-OAK")
        assert oak.reporting_drop is not None
        assert oak.reporting_drop.message.startswith("reporting rate fell")

    @pytest.mark.parametrize("bad", [0, -1, True, 1.5])
    def test_bad_recent_periods(self, bad: object) -> None:
        """recent_periods must be a whole number, 1 or more."""
        with pytest.raises(ValueError, match="recent_periods must be a whole number"):
            reporting_culture(loops.graph_of(), recent_periods=bad)  # type: ignore[arg-type]


class TestReport:
    """The report's shape and look-ups."""

    def test_services_filter_and_lookup(self) -> None:
        """Only the services asked for, by identifier; an unknown one is a KeyError."""
        records = [*_monthly([2, 2]), *_monthly([1, 1], service="SVC-ELM")]
        report = reporting_culture(loops.graph_of(*records), services=["SVC-ELM"])
        assert [s.service for s in report.services] == ["SVC-ELM"]
        assert report.frequency is Frequency.MONTH
        with pytest.raises(KeyError):
            report.of("SVC-OAK")

    def test_events_of_every_type_count(self) -> None:
        """An outcome is reported too; only incidents can be near misses."""
        records = [
            *_monthly([2, 2]),
            attrs.evolve(
                loops.incident("INC-OUT", day=date(2024, 1, 28)),
                event_type=EventType.OUTCOME,
            ),
        ]
        oak = reporting_culture(loops.graph_of(*records)).of("SVC-OAK")
        assert oak.incidents == (3, 2)

    def test_example(self) -> None:
        """The example's services report promptly and none has fallen silent."""
        report = reporting_culture(build_graph(samples.example_log()))
        assert len(report.services) == 6
        assert report.flagged == ()
        willow = report.of("SVC-WILLOW")
        assert willow.exposure_unit is ExposureUnit.CARE_HOURS
        delay = willow.indicator(IND.MEDIAN_REPORT_DELAY).overall
        assert delay is not None
        assert delay < 1
