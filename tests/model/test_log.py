"""Tests for incident_learning.model.log: the LearningLog aggregate."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest
from hypothesis import given, settings
from tests import strategies

from incident_learning import samples
from incident_learning.exceptions import InvalidDataError, UnknownRecordError
from incident_learning.model import (
    RECORD_TYPES,
    Action,
    ContributingFactor,
    EmbeddingRecord,
    FactorFramework,
    Incident,
    LearningLog,
    LocalCode,
    Provider,
    Record,
    Service,
    record_type,
)

AT = samples.AT


def _problems(
    records: Sequence[object], **kwargs: object
) -> list[tuple[str, str | None, str, str]]:
    with pytest.raises(InvalidDataError) as caught:
        LearningLog(records, **kwargs)  # type: ignore[arg-type]
    return [(p.path, p.record_id, p.field, p.message) for p in caught.value.problems]


def _replace(record: Record) -> list[Record]:
    return [
        record if type(r) is type(record) and r.id == record.id else r
        for r in samples.small_records()
    ]


LOST = LocalCode(
    vocabulary="incident_category",
    code="lost_property",
    display="Lost property",
    nearest="information_and_confidentiality",
)


class TestRecordTypes:
    """Every record kind is known by its name."""

    def test_record_type_by_kind(self) -> None:
        """record_type returns the class of each kind."""
        for cls in RECORD_TYPES:
            assert record_type(cls.record_kind) is cls

    def test_unknown_kind(self) -> None:
        """An unknown kind raises UnknownRecordError, a KeyError."""
        with pytest.raises(KeyError, match="no record type has the id 'incidnet'"):
            record_type("incidnet")


class TestIntegrity:
    """Building a log checks every reference and code, reporting all at once."""

    def test_small_log_is_valid(self, small_log: LearningLog) -> None:
        """The sample records form a valid log."""
        assert len(small_log) == 21

    def test_every_dangling_reference_is_reported(self) -> None:
        """References to missing records are all reported, naming record and field."""
        problems = _problems([samples.provider(), samples.incident(), samples.action()])
        assert problems == [
            (
                "records[1]",
                "INC-0001",
                "service",
                "refers to 'SVC-OAK', which is not in the log",
            ),
            (
                "records[1]",
                "INC-0001",
                "reported_by",
                "refers to 'STAFF-CW1', which is not in the log",
            ),
            (
                "records[1]",
                "INC-0001",
                "staff_involved[0]",
                "refers to 'STAFF-CW1', which is not in the log",
            ),
            (
                "records[2]",
                "ACT-0001",
                "learning_points[0]",
                "refers to 'LP-0001', which is not in the log",
            ),
            (
                "records[2]",
                "ACT-0001",
                "owner",
                "refers to 'STAFF-RM', which is not in the log",
            ),
            (
                "records[2]",
                "ACT-0001",
                "services[0]",
                "refers to 'SVC-OAK', which is not in the log",
            ),
            (
                "records[2]",
                "ACT-0001",
                "effectiveness_measure.measured_by",
                "refers to 'STAFF-RM', which is not in the log",
            ),
        ]

    def test_wrong_kind_reference_is_reported(self) -> None:
        """A reference to a record of the wrong kind names both kinds."""
        incident = attrs.evolve(samples.incident(), reported_by="SVC-OAK")
        (problem,) = _problems(_replace(incident))
        assert problem[2:] == (
            "reported_by",
            "refers to 'SVC-OAK', a service, where a staff_member is needed",
        )

    def test_paths_can_be_given(self) -> None:
        """Given paths replace records[i] in problems."""
        records = [samples.provider(), samples.team()]
        problems = _problems(records, _paths=["providers[0]", "teams[0]"])
        assert problems[0][0] == "teams[0]"

    def test_one_provider_only(self) -> None:
        """A log holds one provider."""
        other = attrs.evolve(samples.provider(), id="PRV-2")
        problems = _problems([samples.provider(), other])
        assert problems == [
            (
                "",
                None,
                "providers",
                "a log holds one provider; found ['PRV-2', 'PRV-OAKVALE']",
            )
        ]

    def test_duplicate_versions_are_reported(self) -> None:
        """Two records with the same id and version are reported."""
        problems = _problems([*samples.small_records(), samples.incident()])
        assert [(p[1], p[2]) for p in problems] == [("INC-0001", "version")]
        assert "must run 1, 2, 3, ...; found [1, 1]" in problems[0][3]

    def test_version_gap_is_reported(self) -> None:
        """A missing version is reported."""
        third = (
            samples.incident()
            .corrected(by="A", at=AT, reason="r")
            .corrected(by="A", at=AT, reason="r")
        )
        problems = _problems([*samples.small_records(), third])
        assert "found [1, 3]" in problems[0][3]

    def test_id_reused_across_kinds_is_reported(self) -> None:
        """A later version of another kind is reported on the id."""
        service = samples.service()
        impostor = attrs.evolve(
            samples.provider(), id="SVC-OAK", version=2, amendment_reason="r"
        )
        problems = _problems([*samples.small_records(), impostor])
        assert any(
            p[2] == "id" and "is already used by a service (records[1])" in p[3]
            for p in problems
        )
        assert service.id == "SVC-OAK"

    def test_versions_in_any_order_form_history(self) -> None:
        """Versions given newest first are ordered by version."""
        fixed = samples.incident().corrected(by="A", at=AT, reason="r")
        log = LearningLog([fixed, *samples.small_records()])
        assert log.history("INC-0001") == (samples.incident(), fixed)
        assert log.get("INC-0001") == fixed

    @settings(max_examples=20)
    @given(strategies.logs())
    def test_generated_logs_are_valid(self, log: LearningLog) -> None:
        """Every generated log rebuilds from its versions without problems."""
        rebuilt = LearningLog(log.all_versions(), local_codes=log.local_codes)
        assert list(rebuilt.all_versions()) == list(log.all_versions())


class TestCodes:
    """Categories and factor domains come from the vocabularies or local codes."""

    def test_undeclared_category_names_the_vocabulary(self) -> None:
        """An unknown category is reported with the vocabulary it should be in."""
        incident = attrs.evolve(samples.incident(), secondary_categories=("trips",))
        (problem,) = _problems(_replace(incident))
        assert problem[2] == "secondary_categories[0]"
        assert problem[3].startswith("'trips' is not a code of incident_category")

    def test_undeclared_primary_category(self) -> None:
        """An unknown primary category is reported on category."""
        (problem,) = _problems(
            _replace(attrs.evolve(samples.incident(), category="fall"))
        )
        assert problem[2] == "category"

    def test_undeclared_factor_domain_names_the_framework_vocabulary(self) -> None:
        """A domain not in the factor's framework is reported with that vocabulary."""
        factor = attrs.evolve(
            samples.contributing_factor(), framework=FactorFramework.SEIPS
        )
        (problem,) = _problems(_replace(factor))
        assert problem[2] == "domain"
        assert "is not a code of seips_factor_domain" in problem[3]

    def test_declared_local_code_is_accepted(self) -> None:
        """A declared local code may be used as a category."""
        incident = attrs.evolve(samples.incident(), category="lost_property")
        log = LearningLog(_replace(incident), local_codes=[LOST])
        assert log.local_codes == (LOST,)
        assert log.has_code("incident_category", "lost_property")
        assert not log.has_code("care_factor_domain", "lost_property")
        assert log.get("INC-0001", Incident).category == "lost_property"

    def test_local_code_clashing_with_built_in(self) -> None:
        """A local code that is already built in is refused."""
        clash = attrs.evolve(LOST, code="falls")
        assert _problems([], local_codes=[clash]) == [
            (
                "local_codes[0]",
                None,
                "code",
                "'falls' is already a code of incident_category",
            )
        ]

    def test_local_code_declared_twice(self) -> None:
        """A local code declared twice is refused the second time."""
        problems = _problems([], local_codes=[LOST, LOST])
        assert [p[0] for p in problems] == ["local_codes[1]"]

    def test_nearest_must_be_built_in(self) -> None:
        """A local code's nearest code must be a built-in one."""
        other = attrs.evolve(LOST, code="other", nearest="lost_property")
        problems = _problems([], local_codes=[LOST, other])
        assert problems == [
            (
                "local_codes[1]",
                None,
                "nearest",
                "'lost_property' is not a built-in code of incident_category",
            )
        ]

    def test_unknown_vocabulary(self) -> None:
        """A local code for an unknown vocabulary lists the known ones."""
        (problem,) = _problems(
            [], local_codes=[attrs.evolve(LOST, vocabulary="colours")]
        )
        assert problem[2] == "vocabulary"
        assert problem[3].startswith(
            "'colours' is not a vocabulary; known: care_factor_domain"
        )


class TestAdd:
    """add checks one record against the log as it stands."""

    def test_add_new_version(self, small_log: LearningLog) -> None:
        """A new version that follows the current one is added to the history."""
        agreed = small_log.get("ACT-0001", Action).agreed(by="STAFF-RM", at=AT)
        small_log.add(agreed)
        assert small_log.get("ACT-0001") == agreed
        assert small_log.history("ACT-0001") == (samples.action(), agreed)
        assert len(small_log) == 21

    def test_add_new_record(self, small_log: LearningLog) -> None:
        """A new record whose references resolve is added."""
        second = attrs.evolve(samples.incident(), id="INC-0002")
        small_log.add(second)
        assert "INC-0002" in small_log
        assert len(small_log) == 22

    def test_failed_add_leaves_log_unchanged(self, small_log: LearningLog) -> None:
        """A record that does not fit raises and changes nothing."""
        before = list(small_log.all_versions())
        bad = attrs.evolve(samples.incident(), id="INC-0002", service="SVC-NONE")
        with pytest.raises(InvalidDataError, match="refers to 'SVC-NONE'"):
            small_log.add(bad)
        assert list(small_log.all_versions()) == before
        assert "INC-0002" not in small_log

    def test_new_record_must_be_version_one(self, small_log: LearningLog) -> None:
        """A first record of an id must be version 1."""
        record = attrs.evolve(
            samples.incident(), id="INC-0002", version=2, amendment_reason="r"
        )
        with pytest.raises(
            InvalidDataError, match="is 2 but the log has no earlier version"
        ):
            small_log.add(record)

    @pytest.mark.parametrize("version", [1, 3])
    def test_new_version_must_follow(
        self, small_log: LearningLog, version: int
    ) -> None:
        """A version that does not follow the current one is refused."""
        record = attrs.evolve(
            samples.incident(),
            version=version,
            amendment_reason="r" if version > 1 else None,
        )
        with pytest.raises(
            InvalidDataError,
            match=f"version: is {version}; the next version is 2",
        ):
            small_log.add(record)

    def test_new_version_must_be_same_kind(self, small_log: LearningLog) -> None:
        """A new version of another kind is refused."""
        record = attrs.evolve(
            samples.provider(), id="INC-0001", version=2, amendment_reason="r"
        )
        with pytest.raises(
            InvalidDataError, match="id: is already used by an incident"
        ):
            small_log.add(record)

    def test_second_provider_is_refused(self, small_log: LearningLog) -> None:
        """Adding another provider is refused."""
        with pytest.raises(InvalidDataError, match="a log holds one provider"):
            small_log.add(attrs.evolve(samples.provider(), id="PRV-2"))

    def test_add_builds_a_log_from_nothing(self) -> None:
        """Records added one by one in order make a log."""
        log = LearningLog()
        for record in samples.small_records():
            log.add(record)
        assert len(log) == 21


class TestReading:
    """Lookups, views and iteration."""

    def test_get(self, small_log: LearningLog) -> None:
        """get returns the current record, optionally checking its class."""
        assert small_log.get("INC-0001") == samples.incident()
        assert small_log.get("INC-0001", Incident) == samples.incident()

    def test_get_unknown(self, small_log: LearningLog) -> None:
        """An unknown id or a record of another class raises UnknownRecordError."""
        with pytest.raises(UnknownRecordError, match="no record has the id 'X'"):
            small_log.get("X")
        with pytest.raises(
            UnknownRecordError, match="no action has the id 'INC-0001'"
        ) as caught:
            small_log.get("INC-0001", Action)
        assert caught.value.kind == "action"
        with pytest.raises(UnknownRecordError):
            small_log.history("X")

    def test_provider(self, small_log: LearningLog) -> None:
        """provider is the log's one provider; an empty log has none."""
        assert small_log.provider == samples.provider()
        with pytest.raises(UnknownRecordError, match="no provider"):
            _ = LearningLog().provider

    def test_of_kind_is_read_only(self, small_log: LearningLog) -> None:
        """of_kind is a read-only mapping of current records by id."""
        services = small_log.of_kind(Service)
        assert dict(services) == {"SVC-OAK": samples.service()}
        with pytest.raises(TypeError):
            services["X"] = samples.service()  # type: ignore[index]

    def test_of_kind_is_a_live_view_in_the_order_added(
        self, small_log: LearningLog
    ) -> None:
        """of_kind reads the log's one index: lookups, views and later additions."""
        incidents = small_log.of_kind(Incident)
        assert list(incidents) == ["INC-0001"]
        assert incidents["INC-0001"] == samples.incident()
        assert incidents.get("ACT-0001") is None
        with pytest.raises(KeyError):
            _ = incidents["ACT-0001"]  # another kind's id
        with pytest.raises(KeyError):
            _ = incidents["X"]
        assert "ACT-0001" not in incidents
        assert object() not in incidents
        second = attrs.evolve(samples.incident(), id="INC-0002")
        small_log.add(second)
        small_log.add(samples.incident().corrected(by="A", at=AT, reason="r"))
        assert list(incidents) == ["INC-0001", "INC-0002"]
        assert len(incidents) == 2
        assert [record.version for record in incidents.values()] == [2, 1]
        assert [(key, value.id) for key, value in incidents.items()] == [
            ("INC-0001", "INC-0001"),
            ("INC-0002", "INC-0002"),
        ]
        assert incidents == {
            "INC-0001": small_log.get("INC-0001"),
            "INC-0002": second,
        }
        assert repr(incidents) == "<KindView of 2 incident>"
        assert repr(small_log.of_kind(EmbeddingRecord)).startswith("<KindView of ")

    def test_a_log_holds_each_record_in_one_index(self) -> None:
        """Views share the log's records: a million records are indexed once."""
        log = samples.small_log()
        first = log.of_kind(Incident)
        second = log.of_kind(Incident)
        assert first["INC-0001"] is second["INC-0001"] is log.get("INC-0001")

    def test_active_excludes_withdrawn(self, small_log: LearningLog) -> None:
        """active leaves out records entered in error; of_kind keeps them."""
        small_log.add(
            samples.incident().marked_entered_in_error(by="A", at=AT, reason="dup")
        )
        assert small_log.active(Incident) == ()
        assert list(small_log.of_kind(Incident)) == ["INC-0001"]

    def test_container_protocol(self, small_log: LearningLog) -> None:
        """in, len and iteration see current records only."""
        small_log.add(samples.incident().corrected(by="A", at=AT, reason="r"))
        assert "INC-0001" in small_log
        assert "INC-9" not in small_log
        assert len(small_log) == 21
        assert len(list(small_log)) == 21
        assert len(list(small_log.all_versions())) == 22
        assert next(iter(small_log)) == samples.provider()

    def test_iteration_order_is_by_kind(self, small_log: LearningLog) -> None:
        """Records iterate in RECORD_TYPES order."""
        kinds = [type(record) for record in small_log]
        assert kinds == sorted(kinds, key=RECORD_TYPES.index)

    def test_repr_counts_kinds(self, small_log: LearningLog) -> None:
        """The repr counts the current records of each kind present."""
        assert repr(small_log).startswith("<LearningLog provider=1, service=1, team=1,")
        assert repr(LearningLog([samples.provider()])) == "<LearningLog provider=1>"
        assert repr(LearningLog()) == "<LearningLog >"

    def test_only_provider_kind_in_provider_view(self, small_log: LearningLog) -> None:
        """of_kind(Provider) holds the one provider."""
        assert list(small_log.of_kind(Provider).values()) == [samples.provider()]


class TestIdPrefix:
    """with_id_prefix prefixes every identifier and reference, for merging."""

    def test_every_id_and_reference_is_prefixed(self, small_log: LearningLog) -> None:
        """Ids, references and nested references all gain the prefix."""
        small_log.add(samples.incident().corrected(by="A", at=AT, reason="r"))
        prefixed = small_log.with_id_prefix("oak")
        assert len(prefixed) == len(small_log)
        assert all(record.id.startswith("oak:") for record in prefixed.all_versions())
        action = prefixed.get("oak:ACT-0001", Action)
        assert action.learning_points == ("oak:LP-0001",)
        assert action.effectiveness_measure is not None
        assert action.effectiveness_measure.measured_by == "oak:STAFF-RM"
        assert action.recorded_by == "STAFF-RM"
        assert len(prefixed.history("oak:INC-0001")) == 2
        factor = prefixed.get("oak:CF-0001", ContributingFactor)
        assert factor.domain == "staffing_and_workload"
        incident = prefixed.get("oak:INC-0001", Incident)
        # People supported are another provider's people: prefixed too.
        assert incident.people_affected[0].person == "oak:P-0017"

    def test_local_codes_are_kept(self) -> None:
        """The prefixed log declares the same local codes."""
        log = LearningLog(samples.small_records(), local_codes=[LOST])
        assert log.with_id_prefix("x").local_codes == (LOST,)

    @settings(max_examples=20)
    @given(strategies.logs())
    def test_prefixing_keeps_every_version(self, log: LearningLog) -> None:
        """A prefixed log holds as many versions as the original."""
        prefixed = log.with_id_prefix("p")
        assert len(list(prefixed.all_versions())) == len(list(log.all_versions()))


class TestNotRecords:
    def test_a_non_record_in_bulk_is_reported_by_position(self) -> None:
        """Something that is not a record is a problem naming its position."""
        with pytest.raises(InvalidDataError) as caught:
            LearningLog([samples.provider(), 5, "x"])  # type: ignore[list-item]
        assert [str(problem) for problem in caught.value.problems] == [
            "records[1]: int 5 is not a record",
            "records[2]: str 'x' is not a record",
        ]

    def test_adding_a_non_record_is_refused(self) -> None:
        """``add`` refuses something that is not a record and leaves the log as it was."""
        log = samples.small_log()
        with pytest.raises(InvalidDataError, match="is not a record"):
            log.add({"id": "INC-9"})  # type: ignore[arg-type]
        assert len(log) == 21


class TestBaseKinds:
    def test_a_base_class_gathers_its_subclasses(self) -> None:
        """Asking for a base class returns the records of every subclass."""
        log = samples.small_log()
        carriers = log.of_kind(EmbeddingRecord)
        assert "TRN-0001" in carriers
        assert "SHR-0001" in carriers
        assert "INC-0001" not in carriers
        assert len(log.of_kind(Record)) == len(log)
        assert len(log.active(EmbeddingRecord)) == len(carriers)


class TestVersionRules:
    def test_a_lone_record_must_be_version_one(self) -> None:
        """A record with no earlier version in the log must be version 1."""
        later = attrs.evolve(samples.provider(), version=2, amendment_reason="r")
        problems = _problems([later])
        assert problems == [
            (
                "records[0]",
                "PRV-OAKVALE",
                "version",
                "is 2 but the log has no earlier version",
            )
        ]

    def test_versions_may_arrive_newest_first(self) -> None:
        """Version 2 before version 1 in the input is not a lone later version."""
        first = samples.provider()
        second = first.corrected(
            by="STAFF-RM", at=AT, reason="renamed", name="Oakvale Care"
        )
        log = LearningLog([second, first])
        assert [record.version for record in log.history(first.id)] == [1, 2]

    def test_a_version_recorded_before_the_last_is_refused(self) -> None:
        """A later version may not be recorded earlier than the one before it."""
        first = samples.provider()
        earlier = first.corrected(
            by="STAFF-RM", at=AT.replace(year=2020), reason="backdated", name="X"
        )
        problems = _problems([first, earlier])
        assert [(p[2], p[3]) for p in problems] == [
            ("recorded_at", "is before version 1 was recorded")
        ]
        log = LearningLog([first])
        with pytest.raises(InvalidDataError, match="recorded_at: is before version 1"):
            log.add(earlier)


class TestMisuse:
    def test_an_unknown_vocabulary_is_an_unknown_record_error(self) -> None:
        """Asking about a vocabulary that does not exist stays in the error tree."""
        with pytest.raises(UnknownRecordError, match="no vocabulary has the id 'nope'"):
            samples.small_log().has_code("nope", "falls")

    @pytest.mark.parametrize("prefix", ["a b", "", "x" * 130])
    def test_a_prefix_that_makes_no_identifier_is_refused(self, prefix: str) -> None:
        """A prefix with spaces, an empty one or a too long one is refused up front."""
        with pytest.raises(InvalidDataError, match="prefix"):
            samples.small_log().with_id_prefix(prefix)

    def test_a_log_without_a_provider_says_so(self) -> None:
        """Asking an empty log for its provider says the log has none."""
        with pytest.raises(UnknownRecordError, match="the log has no provider"):
            _ = LearningLog().provider
