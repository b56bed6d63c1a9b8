"""Tests for incident_learning.model.sharing."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import MeetingLevel


class TestGovernanceMeeting:
    """A service-level meeting names its service."""

    def test_service_level_needs_a_service(self) -> None:
        """A service-level meeting without a service is refused."""
        with pytest.raises(
            InvalidRecordError, match="service: is required for a service-level"
        ):
            attrs.evolve(samples.governance_meeting(), level=MeetingLevel.SERVICE)

    @pytest.mark.parametrize("level", [MeetingLevel.ORGANISATION, MeetingLevel.BOARD])
    def test_higher_levels_need_no_service(self, level: MeetingLevel) -> None:
        """Organisation and board meetings need no service."""
        assert attrs.evolve(samples.governance_meeting(), level=level).service is None


class TestLearningShare:
    """Shared learning goes somewhere and is discussed after it is sent."""

    def test_needs_services_or_teams(self) -> None:
        """A share sent nowhere is refused."""
        with pytest.raises(
            InvalidRecordError, match="services: is empty and so is teams"
        ):
            attrs.evolve(samples.learning_share(), services=())

    def test_teams_alone_are_enough(self) -> None:
        """A share sent to teams alone is accepted."""
        share = attrs.evolve(
            samples.learning_share(), services=(), teams=("TEAM-OAK-NIGHT",)
        )
        assert share.teams == ("TEAM-OAK-NIGHT",)

    def test_discussed_before_shared_is_refused(self) -> None:
        """discussed_on before shared_on is refused."""
        with pytest.raises(
            InvalidRecordError, match="discussed_on: is before shared_on"
        ):
            attrs.evolve(samples.learning_share(), discussed_on=date(2025, 3, 1))

    def test_discussion_date_is_optional(self) -> None:
        """A share not yet discussed has no discussion date."""
        assert (
            attrs.evolve(samples.learning_share(), discussed_on=None).discussed_on
            is None
        )
