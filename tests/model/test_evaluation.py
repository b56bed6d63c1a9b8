"""Tests for incident_learning.model.evaluation."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import Measurement, ReviewVerdict, StaffConfidenceCheck


class TestEffectivenessReview:
    """A review gives a verdict with evidence and measurements."""

    def test_sample_review(self) -> None:
        """The sample review finds the action effective."""
        review = samples.effectiveness_review()
        assert review.verdict is ReviewVerdict.EFFECTIVE
        assert review.measurements == ()

    @given(strategies.measurements())
    def test_measurements_accept_finite_numbers(self, measurement: Measurement) -> None:
        """Any finite value, negative and large included, is a measurement."""
        review = attrs.evolve(
            samples.effectiveness_review(), measurements=(measurement,)
        )
        assert review.measurements[0].value == measurement.value

    def test_measurement_needs_a_name(self) -> None:
        """A measurement's name is non-blank text."""
        with pytest.raises(InvalidRecordError, match="name: must be non-blank text"):
            Measurement(name=" ", value=1.0)


class TestStaffConfidenceCheck:
    """Scores lie on a scale from 1 to scale_max."""

    def test_mean_and_respondents(self) -> None:
        """The mean score and the number of respondents are derived."""
        check = samples.staff_confidence_check()
        assert (check.mean_score, check.respondents) == (2.5, 4)

    def test_scale_needs_two_points(self) -> None:
        """A scale with fewer than two points is refused."""
        with pytest.raises(InvalidRecordError, match="scale_max: must be 2 or more"):
            attrs.evolve(samples.staff_confidence_check(), scale_max=1, scores=(1,))

    def test_scores_outside_the_scale_are_each_reported(self) -> None:
        """Every score off the scale is reported with its index."""
        with pytest.raises(InvalidRecordError) as caught:
            attrs.evolve(samples.staff_confidence_check(), scores=(0, 3, 6))
        assert [(p.field, p.value, p.message) for p in caught.value.problems] == [
            ("scores[0]", 0, "is outside 1 to 5"),
            ("scores[2]", 6, "is outside 1 to 5"),
        ]

    def test_needs_a_score(self) -> None:
        """A check with no scores is refused."""
        with pytest.raises(InvalidRecordError, match="scores: needs at least 1 item"):
            attrs.evolve(samples.staff_confidence_check(), scores=())

    @given(strategies.staff_confidence_checks())
    def test_mean_lies_on_the_scale(self, check: StaffConfidenceCheck) -> None:
        """The mean score lies between 1 and scale_max."""
        assert 1 <= check.mean_score <= check.scale_max
