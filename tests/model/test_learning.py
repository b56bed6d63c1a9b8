"""Tests for incident_learning.model.learning."""

from __future__ import annotations

from datetime import date

import pytest
from tests.strategies import evolve_unchecked

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import FactorFramework, LearningScope


class TestLearningResponse:
    """A learning response covers incidents over a forward period."""

    def test_needs_an_incident(self) -> None:
        """A response must cover at least one incident."""
        with pytest.raises(
            InvalidRecordError, match="incidents: needs at least 1 item"
        ):
            evolve_unchecked(samples.learning_response(), incidents=())

    def test_completion_before_start_is_refused(self) -> None:
        """completed_on before started_on is refused."""
        with pytest.raises(
            InvalidRecordError, match="completed_on: is before started_on"
        ):
            evolve_unchecked(samples.learning_response(), completed_on=date(2025, 3, 2))

    def test_may_be_under_way(self) -> None:
        """A response with no completion date is under way."""
        assert (
            evolve_unchecked(
                samples.learning_response(), completed_on=None
            ).completed_on
            is None
        )


class TestContributingFactor:
    """A factor says where it was found."""

    def test_defaults_to_care_framework(self) -> None:
        """A factor is coded in the care framework unless told otherwise."""
        assert samples.contributing_factor().framework is FactorFramework.CARE

    def test_needs_response_or_incidents(self) -> None:
        """A factor with neither response nor incidents is refused."""
        with pytest.raises(
            InvalidRecordError, match="incidents: is empty and there is no response"
        ) as caught:
            evolve_unchecked(samples.contributing_factor(), response=None, incidents=())
        assert caught.value.problems[0].value == ()

    def test_response_alone_is_enough(self) -> None:
        """A factor found by a response need not list incidents."""
        factor = evolve_unchecked(samples.contributing_factor(), incidents=())
        assert factor.response == "LR-0001"


class TestLearningPoint:
    """A learning point derives from something and is scoped."""

    def test_needs_a_source(self) -> None:
        """A learning point deriving from nothing is refused."""
        with pytest.raises(
            InvalidRecordError,
            match="factors: is empty and so are incidents and responses",
        ):
            evolve_unchecked(samples.learning_point(), factors=())

    @pytest.mark.parametrize("field", ["incidents", "responses"])
    def test_any_source_is_enough(self, field: str) -> None:
        """Incidents or responses alone are a source."""
        point = evolve_unchecked(
            samples.learning_point(), factors=(), **{field: ("X-1",)}
        )
        assert getattr(point, field) == ("X-1",)

    def test_service_scope_needs_a_service(self) -> None:
        """Service-scoped learning must name its service."""
        with pytest.raises(
            InvalidRecordError, match="service: is required for service-scoped"
        ):
            evolve_unchecked(samples.learning_point(), scope=LearningScope.SERVICE)
        scoped = evolve_unchecked(
            samples.learning_point(), scope=LearningScope.SERVICE, service="SVC-OAK"
        )
        assert scoped.service == "SVC-OAK"
