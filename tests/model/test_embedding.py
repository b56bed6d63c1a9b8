"""Tests for incident_learning.model.embedding."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import EmbeddingRecord

EMBEDDING: list[Callable[[], EmbeddingRecord]] = [
    samples.training_session,
    samples.supervision_session,
    samples.reflective_practice_session,
    samples.coaching_session,
    samples.service_change,
    samples.learning_share,
    samples.staff_confidence_check,
]


class TestEmbeddingRecord:
    """Every embedding record names the learning it carries."""

    @pytest.mark.parametrize("make", EMBEDDING, ids=lambda make: make.__name__)
    def test_needs_actions_or_learning_points(
        self, make: Callable[[], EmbeddingRecord]
    ) -> None:
        """An embedding record carrying nothing is refused."""
        record = make()
        assert isinstance(record, EmbeddingRecord)
        with pytest.raises(
            InvalidRecordError, match="actions: is empty and so is learning_points"
        ):
            attrs.evolve(record, actions=(), learning_points=())

    @pytest.mark.parametrize("make", EMBEDDING, ids=lambda make: make.__name__)
    def test_either_is_enough(self, make: Callable[[], EmbeddingRecord]) -> None:
        """Actions alone or learning points alone are enough."""
        record = make()
        assert attrs.evolve(record, actions=("A-1",), learning_points=()).actions == (
            "A-1",
        )
        assert attrs.evolve(record, actions=(), learning_points=("L-1",)).actions == ()


class TestSessions:
    """Rules particular to each kind of session."""

    def test_supervisor_is_not_the_supervisee(self) -> None:
        """Supervising oneself is refused."""
        with pytest.raises(
            InvalidRecordError, match="supervisor: is the same person"
        ) as caught:
            attrs.evolve(samples.supervision_session(), supervisor="STAFF-CW1")
        assert caught.value.problems[0].value == "STAFF-CW1"

    def test_coaching_needs_a_coachee(self) -> None:
        """Coaching must have at least one coachee."""
        with pytest.raises(InvalidRecordError, match="coachees: needs at least 1 item"):
            attrs.evolve(samples.coaching_session(), coachees=())

    def test_service_change_needs_a_service(self) -> None:
        """A service change applies to at least one service."""
        with pytest.raises(InvalidRecordError, match="services: needs at least 1 item"):
            attrs.evolve(samples.service_change(), services=())

    def test_samples_hold_their_fields(self) -> None:
        """The sample sessions are valid and keep what they were given."""
        assert samples.training_session().attendees == ("STAFF-CW1", "STAFF-CW2")
        assert samples.reflective_practice_session().facilitator == "STAFF-RM"
        assert samples.supervision_session().reflective is True
