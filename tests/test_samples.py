"""Tests for the example provider (Oakvale Care Group) and the synthetic generator."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from importlib import resources
from pathlib import Path

import attrs
import pytest

import incident_learning as il
from incident_learning import samples
from incident_learning.model import (
    Action,
    ActionStatus,
    CoachingSession,
    DiscussionSetting,
    EffectivenessReview,
    EventType,
    GovernanceMeeting,
    Incident,
    LearningLog,
    LearningPoint,
    LearningResponse,
    LearningShare,
    Record,
    ReflectivePracticeSession,
    ReviewVerdict,
    Service,
    ServiceChange,
    ServiceType,
    StaffConfidenceCheck,
    StaffMember,
    SupervisionSession,
)
from incident_learning.samples.example import (
    DATA_FILE,
    END,
    EXAMPLE_LOCAL_CODES,
    START,
    write_example,
)
from incident_learning.samples.generator import INCIDENTS_PER_SERVICE
from incident_learning.serialization import dumps_jsonl

_HOMES = {ServiceType.RESIDENTIAL_HOME, ServiceType.NURSING_HOME}


@pytest.fixture(scope="module")
def records() -> tuple[Record, ...]:
    """Return the example provider's records, built once for the module."""
    return samples.example_records()


@pytest.fixture(scope="module")
def log(records: tuple[Record, ...]) -> LearningLog:
    """Return the example provider's log, built once for the module."""
    return LearningLog(records, local_codes=EXAMPLE_LOCAL_CODES)


def _months() -> list[date]:
    return [date(year, month, 1) for year in (2024, 2025) for month in range(1, 13)]


def _monthly(log: LearningLog, service: str, category: str) -> dict[date, int]:
    counts = Counter(
        incident.occurred_on.replace(day=1)
        for incident in log.active(Incident)
        if incident.service == service
        and incident.category == category
        and incident.event_type is EventType.INCIDENT
    )
    return {month: counts[month] for month in _months()}


def _statuses(log: LearningLog) -> Counter[ActionStatus]:
    return Counter(action.status for action in log.of_kind(Action).values())


class TestExampleRecords:
    """The hand-authored example provider, Oakvale Care Group."""

    def test_builds_a_valid_log(self, records: tuple[Record, ...]) -> None:
        """The example records build a learning log without integrity problems."""
        assert len(LearningLog(records, local_codes=EXAMPLE_LOCAL_CODES)) > 1000

    def test_is_deterministic(self, records: tuple[Record, ...]) -> None:
        """Building the example twice gives equal records in the same order."""
        assert samples.example_records() == records

    def test_provider_matches_the_small_sample(self, log: LearningLog) -> None:
        """The example provider is the one the small samples name."""
        assert (log.provider.id, log.provider.name) == (
            samples.provider().id,
            samples.provider().name,
        )

    def test_services_cover_the_sector(self, log: LearningLog) -> None:
        """There are three or more homes, one nursing, plus supported living and home care."""
        types = Counter(
            service.service_type for service in log.of_kind(Service).values()
        )
        assert (
            types[ServiceType.RESIDENTIAL_HOME] + types[ServiceType.NURSING_HOME] >= 3
        )
        assert types[ServiceType.NURSING_HOME] >= 1
        assert log.get("SVC-OAK", Service).name == "Oak House"
        assert (
            log.get("SVC-WILLOW", Service).service_type is ServiceType.SUPPORTED_LIVING
        )
        assert log.get("SVC-HOMECARE", Service).service_type is ServiceType.HOME_CARE

    def test_staff_are_known_by_role_and_id_only(self, log: LearningLog) -> None:
        """About sixty staff are in post, none with a name."""
        staff = log.of_kind(StaffMember).values()
        in_post = [member for member in staff if member.in_post_on(date(2025, 1, 1))]
        assert 50 <= len(in_post) <= 75
        assert all(member.display_name is None for member in staff)
        assert all(member.started_on is not None for member in staff)

    def test_people_are_pseudonymous(self, log: LearningLog) -> None:
        """Every person affected is a pseudonymous reference like P-0017."""
        people = {
            person.person
            for incident in log.of_kind(Incident).values()
            for person in incident.people_affected
        }
        assert people
        assert all(re.fullmatch(r"P-\d{4}", person) for person in people)

    def test_exposure_is_monthly_for_every_service(self, log: LearningLog) -> None:
        """Each service has one exposure record a month, beds for homes, else hours."""
        for service in log.of_kind(Service).values():
            exposures = [
                e
                for e in log.of_kind(il.ServiceExposure).values()
                if e.service == service.id
            ]
            assert len(exposures) == 24
            if service.service_type.is_bed_based:
                assert all(e.occupied_bed_days for e in exposures)
            else:
                assert all(e.care_hours for e in exposures)

    def test_spans_two_full_years(self, log: LearningLog) -> None:
        """Every month of 2024 and 2025 has incidents, and none fall outside."""
        days = [incident.occurred_on for incident in log.of_kind(Incident).values()]
        assert min(days) >= START
        assert max(days) <= END
        assert set(_months()) <= {day.replace(day=1) for day in days}

    def test_incident_volume_and_mix(self, log: LearningLog) -> None:
        """Incidents number 600-1200, mostly no or low harm, with near misses and rare severe harm."""
        incidents = log.active(Incident)
        assert 600 <= len(incidents) <= 1200
        harms = Counter(incident.harm for incident in incidents)
        none_or_low = harms[il.HarmLevel.NONE] + harms[il.HarmLevel.LOW]
        assert none_or_low > 0.75 * len(incidents)
        assert 0 < harms[il.HarmLevel.SEVERE] < 0.05 * len(incidents)
        assert sum(incident.is_near_miss for incident in incidents) >= 30
        categories = {incident.category for incident in incidents}
        assert len(categories) == len(il.model.INCIDENT_CATEGORIES.codes)

    def test_occurrences_are_not_all_exact(self, log: LearningLog) -> None:
        """Some incidents are known by date only and some by an estimated period."""
        precision = Counter(
            incident.occurrence_precision for incident in log.of_kind(Incident).values()
        )
        assert precision[il.model.OccurrencePrecision.DATE_ONLY] >= 10
        assert precision[il.model.OccurrencePrecision.ESTIMATED_PERIOD] >= 10

    def test_regulatory_duties_appear(self, log: LearningLog) -> None:
        """Some incidents carry CQC notifications, safeguarding, RIDDOR and candour."""
        incidents = log.of_kind(Incident).values()
        assert sum(i.cqc_notification is not None for i in incidents) >= 5
        assert sum(i.safeguarding_referral is not None for i in incidents) >= 5
        assert sum(i.riddor_report is not None for i in incidents) >= 1
        assert sum(i.duty_of_candour is not None for i in incidents) >= 5
        due = [
            i
            for i in incidents
            if i.cqc_notification and i.cqc_notification.notified_on is None
        ]
        assert due

    def test_corrections_keep_every_version(self, log: LearningLog) -> None:
        """A re-graded incident and a withdrawn duplicate both keep their first version."""
        incidents = log.of_kind(Incident).values()
        withdrawn = [i for i in incidents if i.entered_in_error]
        regraded = [i for i in incidents if i.version == 2 and not i.entered_in_error]
        assert len(withdrawn) == 1
        assert len(regraded) == 1
        assert len(log.history(regraded[0].id)) == 2


class TestBundledFile:
    """The bundled ``oakvale.jsonl`` is the example, exactly."""

    def test_file_equals_the_records_serialized(self, log: LearningLog) -> None:
        """The bundled file is byte for byte what the records serialize to."""
        data = resources.files("incident_learning.samples") / DATA_FILE
        assert data.read_text(encoding="utf-8") == dumps_jsonl(log)

    def test_example_log_loads_the_same_records(self, log: LearningLog) -> None:
        """Loading the bundled file gives the same records, every version."""
        loaded = samples.example_log()
        assert list(loaded.all_versions()) == list(log.all_versions())


class TestPatterns:
    """The three sector patterns, and the gaps in the loop, are present."""

    def test_willow_behaviour_falls_after_reflective_practice(
        self, log: LearningLog
    ) -> None:
        """Willow's behaviour incidents in the nine months before reflective practice average at least double those after."""
        sessions = [
            s
            for s in log.of_kind(ReflectivePracticeSession).values()
            if s.service == "SVC-WILLOW"
        ]
        first = min(session.held_on for session in sessions).replace(day=1)
        monthly = _monthly(log, "SVC-WILLOW", "behaviour_and_distress")
        months = sorted(monthly)
        before = [monthly[m] for m in months if m < first][-9:]
        after = [monthly[m] for m in months if m > first]
        assert len(before) == 9
        assert len(after) >= 12
        assert sum(before) / len(before) >= 2 * sum(after) / len(after)
        assert len(sessions) >= 12

    def test_willow_action_closes_the_loop(self, log: LearningLog) -> None:
        """The reflective practice action went through every status and was reviewed effective."""
        actions = [
            a
            for a in log.of_kind(Action).values()
            if a.kind is il.ActionKind.REFLECTIVE_PRACTICE
        ]
        assert len(actions) == 1
        action = actions[0]
        history = log.history(action.id)
        assert [a.status for a in history if isinstance(a, Action)] == [
            ActionStatus.PROPOSED,
            ActionStatus.AGREED,
            ActionStatus.IN_PROGRESS,
            ActionStatus.COMPLETED,
            ActionStatus.VERIFIED_EFFECTIVE,
        ]
        reviews = [
            r
            for r in log.of_kind(EffectivenessReview).values()
            if r.action == action.id
        ]
        assert [r.verdict for r in reviews] == [ReviewVerdict.EFFECTIVE]
        assert reviews[0].measurements
        point = log.get(action.learning_points[0], LearningPoint)
        response = log.get(point.responses[0], LearningResponse)
        assert len(response.incidents) > 20

    def test_governance_learning_reaches_other_homes(self, log: LearningLog) -> None:
        """A governance meeting's learning reached two or more other homes' team meetings and supervision."""
        homes = {
            s.id for s in log.of_kind(Service).values() if s.service_type in _HOMES
        }
        best = 0
        for meeting in log.of_kind(GovernanceMeeting).values():
            for point_id in meeting.learning_points:
                point = log.get(point_id, LearningPoint)
                origin = {
                    log.get(incident, Incident).service
                    for response in point.responses
                    for incident in log.get(response, LearningResponse).incidents
                }
                reached = {
                    service
                    for share in log.of_kind(LearningShare).values()
                    if share.meeting == meeting.id
                    and point_id in share.learning_points
                    and share.discussed_in is DiscussionSetting.TEAM_MEETING
                    for service in share.services
                }
                supervised = {
                    log.get(session.supervisee, StaffMember).service
                    for session in log.of_kind(SupervisionSession).values()
                    if point_id in session.learning_points
                }
                best = max(best, len((reached & supervised & homes) - origin))
        assert best >= 2

    def test_oak_rota_change_follows_the_learning(self, log: LearningLog) -> None:
        """Oak House's night rota changed because of an action on the shared learning."""
        changes = [
            c
            for c in log.of_kind(ServiceChange).values()
            if c.area is il.model.ChangeArea.ROTA and "SVC-OAK" in c.services
        ]
        assert len(changes) == 1
        action = log.get(changes[0].actions[0], Action)
        assert action.status is ActionStatus.VERIFIED_EFFECTIVE
        assert any(
            action.id in training.actions
            for training in log.of_kind(il.TrainingSession).values()
        )

    def test_home_care_confidence_rises(self, log: LearningLog) -> None:
        """Home care staff confidence is low before reflective supervision and coaching, higher after."""
        checks = sorted(
            (
                c
                for c in log.of_kind(StaffConfidenceCheck).values()
                if c.service == "SVC-HOMECARE"
            ),
            key=lambda check: check.checked_on,
        )
        first, last = checks[0], checks[-1]
        assert first.mean_score < last.mean_score
        assert first.mean_score <= 2.5
        assert last.mean_score >= 4.0
        action = first.actions[0]
        between = [
            s
            for s in log.of_kind(SupervisionSession).values()
            if action in s.actions and first.checked_on < s.held_on < last.checked_on
        ]
        assert between
        assert all(session.reflective for session in between)
        assert any(action in c.actions for c in log.of_kind(CoachingSession).values())

    def test_every_governance_quarter_met(self, log: LearningLog) -> None:
        """An organisation-level governance meeting was held every quarter."""
        quarters = {
            (m.held_on.year, (m.held_on.month - 1) // 3)
            for m in log.of_kind(GovernanceMeeting).values()
            if m.level is il.model.MeetingLevel.ORGANISATION
        }
        assert len(quarters) == 8

    def test_the_loop_has_gaps_to_find(self, log: LearningLog) -> None:
        """There is a rejected action with its reason, an overdue one and one found ineffective."""
        actions = log.of_kind(Action).values()
        rejected = [a for a in actions if a.status is ActionStatus.REJECTED]
        assert rejected
        assert all(a.rejection_reason for a in rejected)
        assert any(a.is_overdue(as_of=END) for a in actions)
        assert _statuses(log)[ActionStatus.FOUND_INEFFECTIVE] >= 1


class TestGenerate:
    """The synthetic log generator."""

    @pytest.mark.parametrize("count", [0, 1, 9, 10, 11, 999])
    def test_incident_count_is_as_asked(self, count: int) -> None:
        """The generator makes exactly the number of incidents asked for."""
        records = samples.generate(count)
        assert sum(isinstance(record, Incident) for record in records) == count

    def test_is_deterministic_per_seed(self) -> None:
        """The same seed gives the same records; another seed gives others."""
        assert samples.generate(300, seed=7) == samples.generate(300, seed=7)
        assert samples.generate(300, seed=7) != samples.generate(300, seed=8)

    def test_builds_a_valid_log(self) -> None:
        """Every reference resolves and every id is unique."""
        records = samples.generate(2000, seed=3)
        assert len(LearningLog(records)) == len(records)

    def test_records_pass_validation(self) -> None:
        """Each generated record survives being rebuilt through its validating constructor."""
        for record in samples.generate(1000, seed=5):
            assert attrs.evolve(record) == record

    def test_a_generated_log_loads_through_the_validating_reader(self) -> None:
        """A generated log written as JSON Lines reads back, validated, unchanged."""
        log = LearningLog(samples.generate(500, seed=11))
        again = il.serialization.loads_jsonl(dumps_jsonl(log))
        assert list(again.all_versions()) == list(log.all_versions())

    def test_about_eight_records_per_incident(self) -> None:
        """The log holds about eight records per incident, of every kind."""
        records = samples.generate(5000)
        assert 7.5 <= len(records) / 5000 <= 9.0
        kinds = {record.record_kind for record in records}
        assert kinds == {cls.record_kind for cls in il.model.RECORD_TYPES}

    def test_services_scale_with_incidents(self) -> None:
        """Services default to one per 2,000 incidents, at least 5, unless given."""

        def count(records: list[Record]) -> int:
            return sum(isinstance(record, Service) for record in records)

        assert count(samples.generate(10)) == 5
        assert count(samples.generate(6 * INCIDENTS_PER_SERVICE)) == 6
        assert count(samples.generate(10, services=2)) == 2

    def test_ids_are_prefixed_and_zero_padded(self) -> None:
        """Identifiers are the kind's prefix and a zero-padded number."""
        ids = [
            record.id
            for record in samples.generate(50)
            if isinstance(record, (Incident, Action))
        ]
        assert all(re.fullmatch(r"(INC|ACT)-\d{7}", record_id) for record_id in ids)

    @pytest.mark.parametrize(("incidents", "services"), [(-1, None), (10, 0)])
    def test_rejects_impossible_sizes(
        self, incidents: int, services: int | None
    ) -> None:
        """A negative number of incidents or no services is refused."""
        with pytest.raises(ValueError, match="must be"):
            samples.generate(incidents, services=services)


class TestWriteExample:
    def test_writing_the_example_gives_the_bundled_file(self, tmp_path: Path) -> None:
        """write_example writes exactly the bundled oakvale.jsonl."""
        target = tmp_path / "oakvale.jsonl"
        write_example(target)
        bundled = resources.files("incident_learning.samples") / "oakvale.jsonl"
        assert target.read_text(encoding="utf-8") == bundled.read_text(encoding="utf-8")


class TestExampleLocalCodes:
    def test_the_example_declares_and_uses_a_local_code(self, log: LearningLog) -> None:
        """Willow's factor is coded with the declared local PBS plan domain."""
        assert log.local_codes == EXAMPLE_LOCAL_CODES
        assert samples.example_log().local_codes == EXAMPLE_LOCAL_CODES
        domains = {
            factor.domain for factor in log.of_kind(il.ContributingFactor).values()
        }
        assert "pbs_plan" in domains
