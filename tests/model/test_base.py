"""Tests for incident_learning.model.base: the validation engine and record basics."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import strategies
from tests.strategies import evolve_unchecked

from incident_learning import samples
from incident_learning.exceptions import InvalidRecordError
from incident_learning.model import (
    ID_PATTERN,
    RECORD_TYPES,
    EffectivenessMeasure,
    Incident,
    Measurement,
    PersonalData,
    PhysicalHarm,
    Provider,
    Record,
    Reference,
    ServiceExposure,
    StaffConfidenceCheck,
    personal_fields,
    prefixed_id,
    reference_fields,
)
from incident_learning.model.base import Validated, _predicate_of, references_resolve

AT = samples.AT


def _provider(**changes: object) -> Provider:
    fields: dict[str, object] = {
        "id": "PRV-1",
        "name": "Oakvale",
        "recorded_by": "STAFF-RM",
        "recorded_at": AT,
    }
    fields.update(changes)
    return Provider(**fields)  # type: ignore[arg-type]


class TestIdentifiers:
    """Identifiers are 1-128 characters from a fixed alphabet."""

    @given(strategies.ids())
    def test_any_matching_identifier_is_accepted(self, identifier: str) -> None:
        """Every string matching ID_PATTERN is a valid record id."""
        assert _provider(id=identifier).id == identifier

    @pytest.mark.parametrize(
        "identifier", ["", " ", "has space", "-leading", "x" * 129, "é", 5, None]
    )
    def test_bad_identifier_is_refused(self, identifier: object) -> None:
        """Blank, spaced, badly started, too long or non-text ids are refused."""
        with pytest.raises(InvalidRecordError, match="is not an identifier") as caught:
            _provider(id=identifier)
        (problem,) = caught.value.problems
        assert (problem.field, problem.value) == ("id", identifier)
        assert caught.value.record_id == (
            identifier if isinstance(identifier, str) else None
        )
        assert caught.value.kind == "provider"

    def test_longest_identifier_is_accepted(self) -> None:
        """An identifier of exactly 128 characters is accepted."""
        assert ID_PATTERN.fullmatch("x" * 128)
        assert _provider(id="x" * 128).id == "x" * 128

    def test_prefixed_id_joins_with_a_colon(self) -> None:
        """prefixed_id puts the prefix and a colon before the id."""
        assert prefixed_id("oakvale", "INC-1") == "oakvale:INC-1"


class TestFieldChecks:
    """Each field's type is checked; every bad field is reported at once."""

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("name", "  ", "must be non-blank text"),
            ("name", 5, "5 is not text"),
            (
                "recorded_at",
                datetime(2025, 1, 1),  # noqa: DTZ001 - naive on purpose
                "'2025-01-01T00:00:00' has no time zone",
            ),
            (
                "recorded_at",
                date(2025, 1, 1),
                "datetime.date(2025, 1, 1) is not a date and time",
            ),
            ("version", -1, "-1 is not a whole number from 0 to 9007199254740991"),
            ("version", True, "True is not a whole number from 0 to 9007199254740991"),
            ("version", 1.0, "1.0 is not a whole number from 0 to 9007199254740991"),
            (
                "version",
                2**53,
                "9007199254740992 is not a whole number from 0 to 9007199254740991",
            ),
            ("entered_in_error", 0, "0 is not true or false"),
            ("cqc_provider_id", "", "must be non-blank text"),
        ],
    )
    def test_bad_field_is_refused(
        self, field: str, value: object, message: str
    ) -> None:
        """A value of the wrong type names the field, the value and what is wrong."""
        with pytest.raises(InvalidRecordError) as caught:
            _provider(**{field: value})
        (problem,) = caught.value.problems
        assert (problem.field, problem.value, problem.message) == (
            field,
            value,
            message,
        )

    def test_every_bad_field_is_reported(self) -> None:
        """Several bad fields give one error listing each of them."""
        with pytest.raises(
            InvalidRecordError, match=r"invalid provider .*\(3 problems\)"
        ) as caught:
            _provider(id=" ", name="", recorded_at="today")
        assert [p.field for p in caught.value.problems] == ["id", "recorded_at", "name"]
        assert caught.value.record_id == " "

    def test_invariants_run_only_once_types_are_right(self) -> None:
        """Cross-field rules are not checked while a field has the wrong type."""
        with pytest.raises(InvalidRecordError) as caught:
            _provider(version="2")
        assert [p.field for p in caught.value.problems] == ["version"]

    @pytest.mark.parametrize(
        "value", [float("nan"), float("inf"), -float("inf"), "1", None]
    )
    def test_number_must_be_finite(self, value: object) -> None:
        """A float field refuses NaN, the infinities and non-numbers."""
        with pytest.raises(InvalidRecordError, match="is not a finite number"):
            Measurement(name="x", value=value)  # type: ignore[arg-type]

    @pytest.mark.parametrize("value", [0, -3, 1e300, -0.0, 2**53 - 1, -(2**53 - 1)])
    def test_number_accepts_ints_and_floats(self, value: float) -> None:
        """A float field accepts whole numbers JSON holds exactly and any finite float."""
        assert Measurement(name="x", value=value).value == value

    def test_number_refuses_ints_beyond_json_precision(self) -> None:
        """A whole number beyond 2**53 - 1 is refused: JSON readers would change it."""
        with pytest.raises(InvalidRecordError, match="is not a finite number"):
            Measurement(name="x", value=10**30)

    def test_date_field_refuses_datetime(self) -> None:
        """A calendar date field refuses a date and time."""
        with pytest.raises(InvalidRecordError, match="is not a calendar date"):
            Measurement(
                name="x", value=1.0, period_start=datetime(2025, 1, 1, tzinfo=UTC)
            )

    def test_enum_field_refuses_plain_text_and_unknown_values(self) -> None:
        """An enum field asks for the member for known text and lists values otherwise."""
        incident = samples.incident()
        with pytest.raises(
            InvalidRecordError, match=r"'low' is plain text; pass PhysicalHarm\('low'\)"
        ):
            evolve_unchecked(incident.people_affected[0], physical_harm="low")
        with pytest.raises(
            InvalidRecordError, match="'lo' is not one of 'none', 'low'"
        ):
            evolve_unchecked(incident.people_affected[0], physical_harm="lo")
        assert incident.people_affected[0].physical_harm is PhysicalHarm.MODERATE

    def test_nested_object_must_be_of_its_class(self) -> None:
        """A nested field refuses an object of another class."""
        with pytest.raises(InvalidRecordError, match="is not a CqcNotification"):
            evolve_unchecked(samples.incident(), cqc_notification="yes")

    def test_tuple_fields_refuse_lists_and_bad_items(self) -> None:
        """A collection field must be a tuple, of valid items, long enough."""
        incident = samples.incident()
        with pytest.raises(InvalidRecordError, match="is not a tuple"):
            evolve_unchecked(incident, staff_involved=["STAFF-CW1"])
        with pytest.raises(
            InvalidRecordError, match="item 1: 'a b' is not an identifier"
        ):
            evolve_unchecked(incident, staff_involved=("STAFF-CW1", "a b"))
        with pytest.raises(InvalidRecordError, match=r"needs at least 1 item$"):
            evolve_unchecked(samples.learning_response(), incidents=())
        with pytest.raises(
            InvalidRecordError, match=r"item 0: 0\.5 is not a whole number"
        ):
            evolve_unchecked(samples.staff_confidence_check(), scores=(0.5,))

    def test_min_items_message_is_plural_above_one(self) -> None:
        """A minimum of more than one item is worded in the plural."""
        from incident_learning.model.base import _check_text, _each  # noqa: PLC0415

        assert _each(_check_text, 2)(("a",)) == "needs at least 2 items"

    def test_date_or_datetime_field_accepts_both(self) -> None:
        """A date-or-datetime field accepts a date and an aware datetime only."""
        incident = samples.incident()
        assert evolve_unchecked(incident, occurred=date(2025, 3, 1)).occurred == date(
            2025, 3, 1
        )
        with pytest.raises(InvalidRecordError, match="has no time zone"):
            evolve_unchecked(incident, occurred=datetime(2025, 3, 1))  # noqa: DTZ001
        with pytest.raises(InvalidRecordError, match="is not a calendar date"):
            evolve_unchecked(incident, occurred="2025-03-01")

    def test_validated_without_invariants_accepts_anything_well_typed(self) -> None:
        """The base invariant hook yields nothing."""
        assert list(Validated._invariants(samples.incident().people_affected[0])) == []


class TestRecordInvariants:
    """Every record's versioning rules."""

    def test_version_must_be_positive(self) -> None:
        """Version 0 is refused."""
        with pytest.raises(InvalidRecordError, match="version: must be 1 or more"):
            _provider(version=0)

    def test_later_version_needs_a_reason(self) -> None:
        """A version after the first needs an amendment reason."""
        with pytest.raises(InvalidRecordError, match="amendment_reason: is required"):
            _provider(version=2)

    def test_first_version_cannot_be_entered_in_error(self) -> None:
        """Entered in error is marked in a later version, never the first."""
        with pytest.raises(
            InvalidRecordError, match="entered_in_error: is marked in a new version"
        ):
            _provider(entered_in_error=True)


class TestCorrections:
    """Corrections and withdrawals make new versions."""

    def test_corrected_bumps_version_and_keeps_reason(self) -> None:
        """corrected returns the next version with the changes, author and reason."""
        later = datetime(2025, 4, 1, tzinfo=UTC)
        fixed = samples.incident().corrected(
            by="STAFF-X", at=later, reason="typo", description="Fixed."
        )
        assert (fixed.version, fixed.recorded_by, fixed.recorded_at) == (
            2,
            "STAFF-X",
            later,
        )
        assert (fixed.amendment_reason, fixed.description) == ("typo", "Fixed.")
        assert fixed.id == "INC-0001"
        assert fixed.corrected(by="A", at=later, reason="again").version == 3

    @pytest.mark.parametrize(
        "field", ["id", "version", "recorded_by", "recorded_at", "amendment_reason"]
    )
    def test_corrected_forbids_identity_and_metadata(self, field: str) -> None:
        """A correction cannot change the id or the version metadata."""
        with pytest.raises(
            InvalidRecordError, match=f"{field} cannot be changed"
        ) as caught:
            samples.incident().corrected(by="A", at=AT, reason="r", **{field: "x"})
        assert caught.value.record_id == "INC-0001"
        assert caught.value.problems[0].value == "x"

    def test_corrected_validates_the_new_version(self) -> None:
        """A correction that breaks an invariant is refused."""
        with pytest.raises(InvalidRecordError, match="reason"):
            samples.incident().corrected(by="A", at=AT, reason=" ")

    def test_marked_entered_in_error(self) -> None:
        """Withdrawing a record makes a new version marked entered in error."""
        withdrawn = samples.incident().marked_entered_in_error(
            by="STAFF-RM", at=AT, reason="duplicate"
        )
        assert (withdrawn.entered_in_error, withdrawn.version) == (True, 2)
        assert withdrawn.amendment_reason == "duplicate"

    def test_records_are_frozen_values(self) -> None:
        """Records cannot be changed in place and compare by value."""
        incident = samples.incident()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            incident.category = "x"  # type: ignore[misc]
        assert incident == samples.incident()
        assert hash(incident) == hash(samples.incident())


class TestMetadata:
    """References and personal data are declared in field metadata."""

    def test_reference_fields_lists_direct_and_nested_references(self) -> None:
        """reference_fields yields direct, repeated and nested references in order."""
        refs = list(reference_fields(samples.action()))
        assert refs == [
            Reference("learning_points[0]", "LP-0001", ("learning_point",)),
            Reference("owner", "STAFF-RM", ("staff_member",)),
            Reference("services[0]", "SVC-OAK", ("service",)),
            Reference(
                "effectiveness_measure.measured_by", "STAFF-RM", ("staff_member",)
            ),
        ]

    def test_absent_optional_references_are_skipped(self) -> None:
        """None references and absent nested objects yield nothing."""
        action = evolve_unchecked(
            samples.action(), effectiveness_measure=None, services=()
        )
        assert [ref.field for ref in reference_fields(action)] == [
            "learning_points[0]",
            "owner",
        ]
        incident = evolve_unchecked(
            samples.incident(), reported_by=None, staff_involved=()
        )
        assert [ref.field for ref in reference_fields(incident)] == ["service"]

    def test_records_without_references_yield_none(self) -> None:
        """A record with no reference fields yields no references."""
        assert list(reference_fields(samples.provider())) == []

    def test_personal_fields_of_incident(self) -> None:
        """personal_fields names free text, people and staff identifiers."""
        fields = personal_fields(Incident)
        assert fields["description"] is PersonalData.FREE_TEXT
        assert fields["reported_by"] is PersonalData.STAFF
        assert fields["recorded_by"] is PersonalData.STAFF
        assert "category" not in fields

    def test_personal_data_values(self) -> None:
        """The stored values of PersonalData never change."""
        assert [member.value for member in PersonalData] == [
            "person",
            "staff",
            "free_text",
        ]

    def test_personal_fields_of_value_object(self) -> None:
        """Value objects declare personal data too."""
        from incident_learning.model import PersonAffected  # noqa: PLC0415

        assert personal_fields(PersonAffected) == {"person": PersonalData.PERSON}
        assert (
            personal_fields(StaffConfidenceCheck)["recorded_by"] is PersonalData.STAFF
        )
        assert "service" not in personal_fields(ServiceExposure)


@attrs.frozen(kw_only=True)
class _Loose(Validated):
    """A value object with free-form fields, to exercise the generic checks."""

    extra: Mapping[str, str]
    anything: object
    label: str = "x"


@attrs.frozen(kw_only=True)
class _Owner(Record):
    """A record holding a tuple of nested objects that refer to staff."""

    record_kind = "owner_for_tests"

    measures: tuple[EffectivenessMeasure, ...] = ()


def _measure(staff: str) -> EffectivenessMeasure:
    return EffectivenessMeasure(
        measure="m", target="t", by=date(2025, 1, 1), measured_by=staff
    )


class TestGenericFields:
    """Field types without a dedicated check, and nested tuples of references."""

    def test_mapping_and_object_fields_accept_anything(self) -> None:
        """A mapping or object field is checked only for being an object."""
        loose = _Loose(extra={"a": "b"}, anything=None)
        assert loose.extra == {"a": "b"}
        with pytest.raises(
            InvalidRecordError, match="label: must be non-blank"
        ) as caught:
            _Loose(extra={}, anything=object(), label=" ")
        assert [p.field for p in caught.value.problems] == ["label"]

    def test_sub_minute_offset_is_refused(self) -> None:
        """An offset that is not whole minutes cannot be written in ISO 8601."""
        zone = timezone(timedelta(seconds=75))
        with pytest.raises(InvalidRecordError, match="not whole minutes"):
            _provider(recorded_at=datetime(2025, 1, 1, tzinfo=zone))

    def test_nested_tuple_references_are_walked_and_resolved(self) -> None:
        """References inside a tuple of nested objects are found and checked."""
        owner = _Owner(
            id="O-1",
            recorded_by="R",
            recorded_at=AT,
            measures=(_measure("STAFF-1"), _measure("STAFF-2")),
        )
        assert [(ref.field, ref.target) for ref in reference_fields(owner)] == [
            ("measures[0].measured_by", "STAFF-1"),
            ("measures[1].measured_by", "STAFF-2"),
        ]
        staff = samples.staff_member()
        index = {"STAFF-1": staff, "STAFF-2": staff}
        assert references_resolve(owner, index)
        assert not references_resolve(owner, {"STAFF-1": staff})
        assert not references_resolve(
            owner, {"STAFF-1": staff, "STAFF-2": samples.service()}
        )


class TestNumbersBesideOtherProblems:
    def test_a_valid_whole_number_is_not_reported_beside_a_bad_field(self) -> None:
        """Only the bad field is reported when a whole number in a float field is fine."""
        with pytest.raises(InvalidRecordError) as caught:
            Measurement(name=" ", value=5)
        assert [problem.field for problem in caught.value.problems] == ["name"]


class TestCorrectionMisuse:
    def test_an_unknown_field_is_named(self) -> None:
        """Correcting a field the record does not have names it, in the error tree."""
        with pytest.raises(
            InvalidRecordError, match="colour: is not a field of incident"
        ):
            samples.incident().corrected(
                by="STAFF-RM", at=samples.AT, reason="x", colour="red"
            )


JUNK: list[object] = [
    None,
    "",
    " ",
    "two words",
    -1,
    2**60,
    1.5,
    float("nan"),
    float("inf"),
    True,
    [],
    (),
    ("x y",),
    datetime(2025, 1, 1),  # noqa: DTZ001 - a naive time on purpose
    date(2025, 1, 1),
    "incident",
]


class TestFastPredicateIsSound:
    @given(
        st.sampled_from(RECORD_TYPES).flatmap(
            lambda cls: strategies.RECORD_STRATEGIES[cls]
        ),
        st.data(),
    )
    def test_the_fast_check_never_passes_what_the_full_checks_refuse(
        self, record: Record, data: st.DataObject
    ) -> None:
        """Whenever the generated predicate accepts a record, no field check objects."""
        name = data.draw(st.sampled_from([f.name for f in attrs.fields(type(record))]))
        junk = data.draw(st.sampled_from(JUNK))
        object.__setattr__(record, name, junk)  # bypass the frozen class on purpose
        if _predicate_of(type(record))(record):
            assert record._field_problems() is None
