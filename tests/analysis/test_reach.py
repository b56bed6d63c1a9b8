"""Tests for incident_learning.analysis.reach."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from tests import strategies

from incident_learning import samples
from incident_learning.analysis.reach import (
    LearningPointReach,
    LearningReach,
    PlaceKind,
    PlaceReach,
    ReachLevel,
    learning_reach,
)
from incident_learning.exceptions import UnknownRecordError
from incident_learning.graph import (
    KIND,
    LearningGraph,
    NodeKind,
    build_graph,
    graph_index,
)
from incident_learning.model import (
    CoachingSession,
    DiscussionSetting,
    GovernanceMeeting,
    LearningLog,
    LearningPoint,
    LearningScope,
    LearningShare,
    MeetingLevel,
    Record,
    ReflectivePracticeSession,
    Service,
    ServiceChange,
    StaffMember,
    SupervisionSession,
    Team,
    TrainingSession,
)

CIRCULATED = ReachLevel.CIRCULATED
DISCUSSED = ReachLevel.DISCUSSED

FIRST_INCIDENT = date(2025, 3, 1)
"""The day the sample fall, INC-0001, occurred."""


# --- a small provider: Oak (the incident's home), Elm and Ash -----------------


def _service(service_id: str, name: str) -> Service:
    return attrs.evolve(samples.service(), id=service_id, name=name)


def _team(team_id: str, service: str) -> Team:
    return attrs.evolve(samples.team(), id=team_id, service=service)


def _staff(
    staff_id: str, *, service: str | None = None, team: str | None = None
) -> StaffMember:
    return attrs.evolve(samples.staff_member(), id=staff_id, service=service, team=team)


def _point(point_id: str = "LP-0001", **changes: Any) -> LearningPoint:
    fields: dict[str, Any] = {"factors": (), "incidents": ("INC-0001",)}
    return attrs.evolve(samples.learning_point(), id=point_id, **(fields | changes))


def _base() -> list[Record]:
    """Return three services, two teams, four staff, one fall, two points, one action."""
    return [
        samples.provider(),
        samples.service(),
        _service("SVC-ELM", "Elm Court"),
        _service("SVC-ASH", "Ash"),
        samples.team(),
        _team("TEAM-ELM-DAY", "SVC-ELM"),
        _staff("STAFF-RM", service="SVC-OAK"),
        samples.staff_member(),
        # Known only by team: the service comes from the team.
        _staff("STAFF-ELM", team="TEAM-ELM-DAY"),
        _staff("STAFF-ASH", service="SVC-ASH"),
        samples.incident(),
        _point("LP-0001"),
        _point("LP-0002"),
        samples.action(),
    ]


def _withdrawn(record: Record) -> Record:
    return record.marked_entered_in_error(
        by="STAFF-RM", at=samples.AT, reason="entered in error"
    )


def _meeting(**changes: Any) -> GovernanceMeeting:
    fields: dict[str, Any] = {
        "id": "GOV-1",
        "held_on": date(2025, 3, 28),
        "incidents_reviewed": (),
        "learning_points": ("LP-0001",),
        "actions": (),
        "circulated_to": ("SVC-OAK", "SVC-ELM"),
    }
    return attrs.evolve(samples.governance_meeting(), **(fields | changes))


def _share(**changes: Any) -> LearningShare:
    fields: dict[str, Any] = {
        "id": "SHR-1",
        "services": ("SVC-ELM",),
        "teams": (),
        "shared_on": date(2025, 3, 29),
        "discussed_in": None,
        "discussed_on": None,
        "meeting": None,
        "learning_points": ("LP-0001",),
        "actions": (),
    }
    return attrs.evolve(samples.learning_share(), **(fields | changes))


def _supervision(**changes: Any) -> SupervisionSession:
    fields: dict[str, Any] = {"id": "SUP-1", "supervisee": "STAFF-ELM"}
    return attrs.evolve(samples.supervision_session(), **(fields | changes))


def _reflective(**changes: Any) -> ReflectivePracticeSession:
    fields: dict[str, Any] = {"id": "RPS-1", "attendees": ("STAFF-ELM",)}
    return attrs.evolve(samples.reflective_practice_session(), **(fields | changes))


def _training(**changes: Any) -> TrainingSession:
    fields: dict[str, Any] = {
        "id": "TRN-1",
        "service": None,
        "attendees": ("STAFF-ASH",),
        "actions": (),
        "learning_points": ("LP-0001",),
    }
    return attrs.evolve(samples.training_session(), **(fields | changes))


def _coaching(**changes: Any) -> CoachingSession:
    fields: dict[str, Any] = {
        "id": "COA-1",
        "coachees": ("STAFF-ELM",),
        "actions": (),
        "learning_points": ("LP-0001",),
    }
    return attrs.evolve(samples.coaching_session(), **(fields | changes))


def _change(**changes: Any) -> ServiceChange:
    fields: dict[str, Any] = {
        "id": "CHG-1",
        "services": ("SVC-ASH",),
        "actions": (),
        "learning_points": ("LP-0001",),
    }
    return attrs.evolve(samples.service_change(), **(fields | changes))


def _graph(*records: Record) -> LearningGraph:
    return build_graph(LearningLog([*_base(), *records]))


def _reach(*records: Record, point: str = "LP-0001") -> LearningPointReach:
    """Return the reach of *point* in the base log with *records* added."""
    return learning_reach(_graph(*records)).of(point)


def _snapshot(graph: LearningGraph) -> tuple[object, ...]:
    """Return copies of *graph*'s nodes, edges and attributes, data included."""
    nodes = {node: dict(data) for node, data in graph.nodes.items()}
    edges = {(u, v): dict(data) for u, v, data in graph.edges(data=True)}
    return nodes, edges, dict(graph.graph)


def _services(reach: LearningPointReach) -> dict[str, PlaceReach]:
    return {place.place: place for place in reach.services}


def _teams(reach: LearningPointReach) -> dict[str, PlaceReach]:
    return {place.place: place for place in reach.teams}


def _levels(places: dict[str, PlaceReach]) -> dict[str, ReachLevel]:
    return {name: place.level for name, place in places.items()}


# --- tests --------------------------------------------------------------------


class TestReachLevel:
    def test_discussed_ranks_above_circulated(self) -> None:
        """Discussion is the stronger level, by rank."""
        assert CIRCULATED.rank == 0
        assert DISCUSSED.rank == 1


class TestCirculation:
    def test_a_meeting_circulates_to_its_services_on_the_day_it_was_held(
        self,
    ) -> None:
        """A meeting that reviewed the point sends it to its circulation list."""
        reach = _reach(_meeting())
        oak, elm = _services(reach)["SVC-OAK"], _services(reach)["SVC-ELM"]
        assert _levels(_services(reach)) == {
            "SVC-OAK": CIRCULATED,
            "SVC-ELM": CIRCULATED,
        }
        assert elm == PlaceReach(
            kind=PlaceKind.SERVICE,
            place="SVC-ELM",
            level=CIRCULATED,
            first_reached_on=date(2025, 3, 28),
            first_discussed_on=None,
            days_to_reach=27,
            days_to_discussion=None,
            records=("GOV-1",),
        )
        assert oak.records == ("GOV-1",)
        assert reach.teams == ()

    def test_a_meeting_that_reviewed_only_the_action_circulates_the_point(
        self,
    ) -> None:
        """Reviewing an action that addresses the point carries the point too."""
        reach = _reach(_meeting(learning_points=(), actions=("ACT-0001",)))
        assert _levels(_services(reach)) == {
            "SVC-OAK": CIRCULATED,
            "SVC-ELM": CIRCULATED,
        }

    def test_an_organisation_meeting_does_not_discuss_at_its_service(self) -> None:
        """Only a service-level meeting counts as discussion at its own service."""
        meeting = _meeting(
            level=MeetingLevel.ORGANISATION, service="SVC-ASH", circulated_to=()
        )
        assert _reach(meeting).services == ()

    def test_a_service_level_meeting_is_discussion_at_its_service(self) -> None:
        """Staff at a service's own governance meeting discussed the point."""
        meeting = _meeting(
            level=MeetingLevel.SERVICE, service="SVC-ASH", circulated_to=("SVC-OAK",)
        )
        reach = _reach(meeting)
        assert _levels(_services(reach)) == {
            "SVC-ASH": DISCUSSED,
            "SVC-OAK": CIRCULATED,
        }
        assert _services(reach)["SVC-ASH"].first_discussed_on == date(2025, 3, 28)

    def test_a_share_not_discussed_is_circulated_on_the_day_it_was_sent(
        self,
    ) -> None:
        """A share with no discussion recorded reaches its services as circulated."""
        elm = _services(_reach(_share()))["SVC-ELM"]
        assert (elm.level, elm.first_reached_on, elm.first_discussed_on) == (
            CIRCULATED,
            date(2025, 3, 29),
            None,
        )

    def test_a_bulletin_only_circulates(self) -> None:
        """A bulletin is read, not discussed, so it stays circulated."""
        share = _share(discussed_in=DiscussionSetting.BULLETIN)
        assert _services(_reach(share))["SVC-ELM"].level is CIRCULATED


class TestSharesDiscussed:
    def test_a_discussed_share_is_discussed_on_the_day_of_discussion(self) -> None:
        """A share discussed at a team meeting reached on sending, discussed later."""
        share = _share(
            discussed_in=DiscussionSetting.TEAM_MEETING, discussed_on=date(2025, 4, 2)
        )
        elm = _services(_reach(share))["SVC-ELM"]
        assert elm.level is DISCUSSED
        assert (elm.first_reached_on, elm.first_discussed_on) == (
            date(2025, 3, 29),
            date(2025, 4, 2),
        )
        assert (elm.days_to_reach, elm.days_to_discussion) == (28, 32)

    def test_a_discussion_without_a_day_counts_from_the_share(self) -> None:
        """With no discussion day recorded, the day it was shared stands in."""
        share = _share(discussed_in=DiscussionSetting.HANDOVER)
        elm = _services(_reach(share))["SVC-ELM"]
        assert (elm.level, elm.first_discussed_on) == (DISCUSSED, date(2025, 3, 29))

    def test_a_share_to_a_team_reaches_the_team_and_its_service(self) -> None:
        """A team sits within a service: sending to it reaches both."""
        share = _share(
            services=(),
            teams=("TEAM-ELM-DAY",),
            discussed_in=DiscussionSetting.HANDOVER,
        )
        reach = _reach(share)
        assert _levels(_teams(reach)) == {"TEAM-ELM-DAY": DISCUSSED}
        assert _levels(_services(reach)) == {"SVC-ELM": DISCUSSED}
        assert _teams(reach)["TEAM-ELM-DAY"].kind is PlaceKind.TEAM

    def test_a_share_sent_by_a_meeting_carries_what_it_names(self) -> None:
        """A meeting's share carries the point it names, through that meeting."""
        meeting = _meeting(circulated_to=())
        share = _share(meeting="GOV-1", discussed_in=DiscussionSetting.TEAM_MEETING)
        reach = _reach(meeting, share)
        assert _services(reach)["SVC-ELM"].records == ("SHR-1",)
        assert _services(reach)["SVC-ELM"].level is DISCUSSED

    def test_a_share_sent_by_a_meeting_does_not_carry_the_rest_of_its_agenda(
        self,
    ) -> None:
        """A share of another point, sent by the meeting that reviewed this one, is no reach."""
        meeting = _meeting(learning_points=("LP-0001", "LP-0002"), circulated_to=())
        share = _share(
            meeting="GOV-1",
            learning_points=("LP-0002",),
            discussed_in=DiscussionSetting.TEAM_MEETING,
        )
        graph = _graph(meeting, share)
        reach = learning_reach(graph)
        assert reach.of("LP-0001").services == ()
        assert _levels(_services(reach.of("LP-0002"))) == {"SVC-ELM": DISCUSSED}


class TestDiscussion:
    def test_supervision_reaches_the_supervisees_team_and_its_service(self) -> None:
        """A supervisee known only by team reaches that team and the team's service."""
        reach = _reach(_supervision())
        assert _levels(_teams(reach)) == {"TEAM-ELM-DAY": DISCUSSED}
        assert _levels(_services(reach)) == {"SVC-ELM": DISCUSSED}
        elm = _services(reach)["SVC-ELM"]
        assert (elm.first_discussed_on, elm.days_to_discussion) == (
            date(2025, 3, 12),
            11,
        )

    def test_supervision_of_staff_with_a_service_and_no_team(self) -> None:
        """A supervisee with a service and no team reaches that service only."""
        reach = _reach(_supervision(supervisee="STAFF-ASH"))
        assert _levels(_services(reach)) == {"SVC-ASH": DISCUSSED}
        assert reach.teams == ()

    def test_a_staff_members_own_service_wins_over_their_teams(self) -> None:
        """The staff member's recorded service is theirs, even in another service's team."""
        moved = _staff("STAFF-MOVED", service="SVC-ASH", team="TEAM-ELM-DAY")
        reach = _reach(moved, _supervision(supervisee="STAFF-MOVED"))
        assert _levels(_services(reach)) == {"SVC-ASH": DISCUSSED}
        assert _levels(_teams(reach)) == {"TEAM-ELM-DAY": DISCUSSED}

    def test_reflective_practice_reaches_its_service_and_its_attendees(
        self,
    ) -> None:
        """A reflective practice session reaches its service and where attendees work."""
        reach = _reach(_reflective())
        assert _levels(_services(reach)) == {"SVC-OAK": DISCUSSED, "SVC-ELM": DISCUSSED}
        assert _levels(_teams(reach)) == {"TEAM-ELM-DAY": DISCUSSED}
        assert _services(reach)["SVC-OAK"].first_reached_on == date(2025, 3, 26)

    def test_training_without_a_service_reaches_its_attendees(self) -> None:
        """Training held for no service reaches its attendees' services."""
        reach = _reach(_training())
        assert _levels(_services(reach)) == {"SVC-ASH": DISCUSSED}
        assert _services(reach)["SVC-ASH"].first_discussed_on == date(2025, 3, 20)

    def test_coaching_reaches_the_coachees(self) -> None:
        """Coaching reaches its coachees' services and teams."""
        reach = _reach(_coaching(coachees=("STAFF-CW1", "STAFF-ASH")))
        assert _levels(_services(reach)) == {"SVC-OAK": DISCUSSED, "SVC-ASH": DISCUSSED}
        assert _levels(_teams(reach)) == {"TEAM-OAK-NIGHT": DISCUSSED}
        assert _services(reach)["SVC-OAK"].first_discussed_on == date(2025, 3, 14)

    def test_a_service_change_counts_as_discussion_where_it_applies(self) -> None:
        """Working to a changed rota or plan is at least as strong as discussion."""
        reach = _reach(_change(services=("SVC-ASH", "SVC-ELM")))
        assert _levels(_services(reach)) == {"SVC-ASH": DISCUSSED, "SVC-ELM": DISCUSSED}
        assert _services(reach)["SVC-ASH"].first_discussed_on == date(2025, 4, 1)

    def test_confidence_checks_and_reviews_carry_nothing(self) -> None:
        """A confidence check measures and a review judges: neither is reach."""
        check = attrs.evolve(
            samples.staff_confidence_check(),
            service="SVC-ASH",
            actions=(),
            learning_points=("LP-0001",),
        )
        reach = _reach(check, samples.effectiveness_review())
        assert reach.services == ()
        assert reach.not_reached == ("SVC-ASH", "SVC-ELM", "SVC-OAK")


class TestPaths:
    def test_reach_through_an_action_equals_reach_named_directly(self) -> None:
        """A record naming the point's action reaches as if it named the point."""
        direct = _reach(_training())
        through = _reach(_training(learning_points=(), actions=("ACT-0001",)))
        assert through == direct

    def test_a_record_reached_twice_counts_once(self) -> None:
        """A record naming both the point and its action is one carrier."""
        reach = _reach(_training(actions=("ACT-0001",)))
        assert _services(reach)["SVC-ASH"].records == ("TRN-1",)

    def test_an_action_carries_all_the_points_it_addresses(self) -> None:
        """Every point an action addresses is carried by what embeds the action."""
        action = attrs.evolve(samples.action(), learning_points=("LP-0001", "LP-0002"))
        records = [r for r in _base() if r.id != "ACT-0001"]
        training = _training(learning_points=(), actions=("ACT-0001",))
        graph = build_graph(LearningLog([*records, action, training]))
        reach = learning_reach(graph)
        for point in ("LP-0001", "LP-0002"):
            assert _levels(_services(reach.of(point))) == {"SVC-ASH": DISCUSSED}

    def test_the_strongest_level_wins_and_first_days_are_kept(self) -> None:
        """Circulated then discussed is discussed, first reached when circulated."""
        meeting = _meeting(held_on=date(2025, 3, 5), circulated_to=("SVC-ELM",))
        reach = _reach(meeting, _supervision(held_on=date(2025, 3, 20)))
        elm = _services(reach)["SVC-ELM"]
        assert elm == PlaceReach(
            kind=PlaceKind.SERVICE,
            place="SVC-ELM",
            level=DISCUSSED,
            first_reached_on=date(2025, 3, 5),
            first_discussed_on=date(2025, 3, 20),
            days_to_reach=4,
            days_to_discussion=19,
            records=("GOV-1", "SUP-1"),
        )

    def test_a_later_circulation_does_not_weaken_or_delay_a_discussion(
        self,
    ) -> None:
        """Discussed first and circulated later stays discussed from the first day."""
        meeting = _meeting(held_on=date(2025, 5, 1), circulated_to=("SVC-ELM",))
        elm = _services(_reach(_supervision(), meeting))["SVC-ELM"]
        assert (elm.level, elm.first_reached_on, elm.first_discussed_on) == (
            DISCUSSED,
            date(2025, 3, 12),
            date(2025, 3, 12),
        )

    def test_the_earliest_of_several_discussions_is_first(self) -> None:
        """Of several discussions, the earliest gives the first discussion day."""
        late = _supervision(id="SUP-2", held_on=date(2025, 6, 1))
        early = _supervision(id="SUP-1", held_on=date(2025, 3, 9))
        later = _supervision(id="SUP-3", held_on=date(2025, 7, 1))
        elm = _services(_reach(late, early, later))["SVC-ELM"]
        assert elm.first_discussed_on == date(2025, 3, 9)
        assert elm.records == ("SUP-1", "SUP-2", "SUP-3")

    def test_days_before_the_first_incident_are_negative(self) -> None:
        """Reach dated before the first incident is reported as it is, not clamped."""
        elm = _services(_reach(_supervision(held_on=date(2025, 2, 25))))["SVC-ELM"]
        assert (elm.days_to_reach, elm.days_to_discussion) == (-4, -4)

    def test_the_first_incident_is_found_through_factors_and_responses(
        self,
    ) -> None:
        """The first incident is the earliest the point derives from, however indirectly."""
        earlier = attrs.evolve(
            samples.incident(),
            id="INC-0000",
            occurred=samples.incident().occurred.replace(month=1, day=15),
        )
        response = attrs.evolve(
            samples.learning_response(), incidents=("INC-0000",), participants=()
        )
        factor = attrs.evolve(
            samples.contributing_factor(), incidents=(), response="LR-0001"
        )
        point = _point("LP-0003", factors=("CF-0001",), incidents=("INC-0001",))
        reach = _reach(earlier, response, factor, point, point="LP-0003")
        assert reach.first_incident_on == date(2025, 1, 15)

    def test_a_point_from_no_incident_has_no_days(self) -> None:
        """With its only incident withdrawn, a point has no first incident and no days."""
        reach = _reach(_withdrawn(samples.incident()), _supervision())
        assert reach.first_incident_on is None
        elm = _services(reach)["SVC-ELM"]
        assert (elm.first_reached_on, elm.days_to_reach, elm.days_to_discussion) == (
            date(2025, 3, 12),
            None,
            None,
        )

    def test_services_never_reached_are_listed(self) -> None:
        """The provider's services reached at no level are listed, sorted."""
        assert _reach(_supervision()).not_reached == ("SVC-ASH", "SVC-OAK")
        assert _reach().not_reached == ("SVC-ASH", "SVC-ELM", "SVC-OAK")

    def test_the_scope_is_the_points_own(self) -> None:
        """The result repeats how far the point was meant to reach."""
        point = _point("LP-0003", scope=LearningScope.SERVICE, service="SVC-OAK")
        assert _reach(point, point="LP-0003").scope is LearningScope.SERVICE


class TestWithdrawn:
    def test_a_withdrawn_carrier_counts_for_nothing(self) -> None:
        """A share entered in error reaches nowhere."""
        share = _share(discussed_in=DiscussionSetting.TEAM_MEETING)
        assert _reach(share, _withdrawn(share)).services == ()

    def test_a_withdrawn_supervisee_reaches_nowhere(self) -> None:
        """Supervision of a staff member entered in error is no evidence of reach."""
        staff = _staff("STAFF-GONE", service="SVC-ASH")
        reach = _reach(staff, _withdrawn(staff), _supervision(supervisee="STAFF-GONE"))
        assert reach.services == ()

    def test_a_withdrawn_team_is_no_place(self) -> None:
        """A team entered in error is not reached, nor its service through it."""
        team = _team("TEAM-GONE", "SVC-ASH")
        staff = _staff("STAFF-GONE", team="TEAM-GONE")
        share = _share(services=(), teams=("TEAM-GONE",))
        reach = _reach(
            team,
            staff,
            _withdrawn(team),
            share,
            _supervision(supervisee="STAFF-GONE"),
        )
        assert (reach.services, reach.teams) == ((), ())

    def test_a_withdrawn_service_is_neither_reached_nor_missed(self) -> None:
        """A service entered in error is in neither the reached nor the missed list."""
        service = _withdrawn(_service("SVC-ASH", "Ash"))
        meeting = _meeting(circulated_to=("SVC-ASH", "SVC-ELM"))
        reach = _reach(service, meeting)
        assert [place.place for place in reach.services] == ["SVC-ELM"]
        assert reach.not_reached == ("SVC-OAK",)


class TestResult:
    def test_points_places_and_records_are_sorted(self) -> None:
        """Points, services, teams and carrying records come sorted by identifier."""
        reach = learning_reach(
            _graph(
                _change(id="CHG-9", services=("SVC-OAK", "SVC-ASH")),
                _coaching(coachees=("STAFF-ELM", "STAFF-CW1")),
                _meeting(id="GOV-0", circulated_to=("SVC-OAK",)),
            )
        )
        assert [point.learning_point for point in reach.points] == [
            "LP-0001",
            "LP-0002",
        ]
        point = reach.of("LP-0001")
        assert [place.place for place in point.services] == [
            "SVC-ASH",
            "SVC-ELM",
            "SVC-OAK",
        ]
        assert [place.place for place in point.teams] == [
            "TEAM-ELM-DAY",
            "TEAM-OAK-NIGHT",
        ]
        assert _services(point)["SVC-OAK"].records == ("CHG-9", "COA-1", "GOV-0")

    def test_the_result_is_immutable(self) -> None:
        """The result and its parts cannot be changed."""
        reach = learning_reach(_graph(_supervision()))
        point = reach.of("LP-0001")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            reach.points = ()  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            point.services = ()  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            point.services[0].level = CIRCULATED  # type: ignore[misc]
        assert isinstance(point.services[0].records, tuple)
        assert hash(reach) == hash(learning_reach(_graph(_supervision())))

    def test_the_graph_is_not_changed(self) -> None:
        """The graph's nodes, edges and attributes are as they were."""
        graph = _graph(_supervision(), _meeting(), _share(meeting="GOV-1"))
        before = _snapshot(graph)
        learning_reach(graph)
        assert _snapshot(graph) == before

    def test_points_can_be_chosen(self) -> None:
        """Only the points asked for are reported, once each, sorted."""
        graph = _graph()
        chosen = learning_reach(
            graph, learning_points=["LP-0002", "LP-0001", "LP-0002"]
        )
        assert [point.learning_point for point in chosen.points] == [
            "LP-0001",
            "LP-0002",
        ]
        one = learning_reach(graph, learning_points=("LP-0002",))
        assert [point.learning_point for point in one.points] == ["LP-0002"]
        assert learning_reach(graph, learning_points=[]).points == ()

    def test_a_single_identifier_may_be_passed_as_a_string(self) -> None:
        """A string is one identifier, not a sequence of characters."""
        reach = learning_reach(_graph(), learning_points="LP-0002")
        assert [point.learning_point for point in reach.points] == ["LP-0002"]

    @pytest.mark.parametrize("wrong", ["LP-9999", "ACT-0001"])
    def test_an_unknown_point_is_refused(self, wrong: str) -> None:
        """An identifier that is no learning point of the graph is named in the error."""
        with pytest.raises(UnknownRecordError, match=wrong) as caught:
            learning_reach(_graph(), learning_points=["LP-0001", wrong])
        assert caught.value.record_id == wrong
        assert caught.value.kind == "learning_point"

    @pytest.mark.parametrize("wrong", ["LP-0000", "LP-00015", "LP-9999"])
    def test_looking_up_a_point_not_reported_is_refused(self, wrong: str) -> None:
        """Looking up an identifier the result does not hold raises, wherever it sorts."""
        reach = learning_reach(_graph())
        with pytest.raises(UnknownRecordError, match=wrong):
            reach.of(wrong)

    def test_a_log_without_learning_points_has_no_reach(self) -> None:
        """With no learning points there is nothing to report."""
        log = LearningLog([r for r in _base() if not r.id.startswith(("LP-", "ACT-"))])
        assert learning_reach(build_graph(log)) == LearningReach(points=())


@pytest.fixture(scope="module")
def example_reach() -> LearningReach:
    """Return the reach of every learning point of the bundled example provider."""
    return learning_reach(build_graph(samples.example_log()))


class TestExampleProvider:
    def test_oaks_night_falls_learning_was_discussed_at_the_other_homes(
        self, example_reach: LearningReach
    ) -> None:
        """Oak's night-falls learning was discussed at Oak, Elm and Birch and sent to the rest."""
        night_falls = example_reach.of("LP-0001")
        assert night_falls.scope is LearningScope.ORGANISATION
        assert _levels(_services(night_falls)) == {
            "SVC-OAK": DISCUSSED,
            "SVC-ELM": DISCUSSED,
            "SVC-BIRCH": DISCUSSED,
            "SVC-WILLOW": CIRCULATED,
            "SVC-HOMECARE": CIRCULATED,
            "SVC-ASH": CIRCULATED,
        }
        assert night_falls.not_reached == ()
        elm = _services(night_falls)["SVC-ELM"]
        assert "SHR-0002" in elm.records
        assert elm.first_discussed_on == date(2024, 7, 3)
        assert night_falls.first_incident_on is not None
        assert elm.first_discussed_on > night_falls.first_incident_on

    def test_willows_learning_was_discussed_at_willow_only(
        self, example_reach: LearningReach
    ) -> None:
        """Willow's reflective practice learning was discussed at Willow and only circulated elsewhere."""
        levels = _levels(_services(example_reach.of("LP-0002")))
        assert [name for name, level in levels.items() if level is DISCUSSED] == [
            "SVC-WILLOW"
        ]

    def test_every_service_is_reached_or_missed(
        self, example_reach: LearningReach
    ) -> None:
        """For every point, reached and never-reached services split the provider's."""
        services = {"SVC-ASH", "SVC-BIRCH", "SVC-ELM", "SVC-HOMECARE", "SVC-OAK"}
        services.add("SVC-WILLOW")
        for point in example_reach.points:
            reached = {place.place for place in point.services}
            assert reached.isdisjoint(point.not_reached)
            assert reached | set(point.not_reached) == services


class TestProperties:
    @strategies.log_settings()
    @given(strategies.logs())
    def test_reach_is_consistent_for_any_log(self, log: LearningLog) -> None:
        """Places split the services, levels match discussion days, carriers are nodes."""
        graph = build_graph(log)
        edges = sorted(graph.edges)
        index = graph_index(graph)
        reach = learning_reach(graph)
        assert sorted(graph.edges) == edges
        ids = [point.learning_point for point in reach.points]
        assert ids == list(index.by_kind.get(NodeKind.LEARNING_POINT, ()))
        for point in reach.points:
            reached = {place.place for place in point.services}
            assert reached.isdisjoint(point.not_reached)
            assert reached | set(point.not_reached) == set(index.services)
            assert {place.place for place in point.teams} <= set(index.teams)
            for place in (*point.services, *point.teams):
                discussed = place.first_discussed_on
                assert (place.level is DISCUSSED) == (discussed is not None)
                assert discussed is None or place.first_reached_on <= discussed
                assert place.records == tuple(sorted(set(place.records)))
                for record in place.records:
                    assert graph.nodes[record][KIND] not in {
                        NodeKind.STAFF_CONFIDENCE_CHECK,
                        NodeKind.EFFECTIVENESS_REVIEW,
                    }
