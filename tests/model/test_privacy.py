"""Tests for the shared (pseudonymised) profile."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from tests import strategies

import incident_learning as il
from incident_learning import samples
from incident_learning.exceptions import InvalidDataError
from incident_learning.model import (
    WITHHELD,
    PersonalData,
    personal_fields,
    pseudonymised,
)
from incident_learning.model.base import IS_ID, IS_USER, PERSONAL, REFERS_TO
from incident_learning.model.log import RECORD_TYPES

KEY = b"sixteen or more bytes of secret"


class TestPseudonymised:
    def test_people_supported_get_keyed_pseudonyms(self) -> None:
        """A person reference becomes a P- pseudonym, the same under the same key."""
        first = pseudonymised(samples.small_log(), key=KEY)
        second = pseudonymised(samples.small_log(), key=KEY)
        person = first.get("INC-0001", il.Incident).people_affected[0].person
        assert person.startswith("P-")
        assert person != "P-0017"
        assert person == second.get("INC-0001", il.Incident).people_affected[0].person

    def test_another_key_gives_other_pseudonyms(self) -> None:
        """Pseudonyms depend on the key, so nobody without it can recompute them."""
        one = pseudonymised(samples.small_log(), key=KEY)
        other = pseudonymised(samples.small_log(), key=b"another key of 16+ bytes")
        assert (
            one.get("INC-0001", il.Incident).people_affected[0].person
            != other.get("INC-0001", il.Incident).people_affected[0].person
        )

    def test_staff_identifiers_are_replaced_and_still_resolve(self) -> None:
        """Staff ids, references to staff and recorders are pseudonymised consistently."""
        shared = pseudonymised(samples.small_log(), key=KEY)
        staff_ids = set(shared.of_kind(il.StaffMember))
        assert staff_ids
        assert all(staff_id.startswith("S-") for staff_id in staff_ids)
        incident = shared.get("INC-0001", il.Incident)
        assert set(incident.staff_involved) <= staff_ids
        assert incident.recorded_by in staff_ids  # STAFF-RM recorded it
        action = shared.get("ACT-0001", il.Action)
        assert action.owner in staff_ids
        assert action.effectiveness_measure is not None
        assert action.effectiveness_measure.measured_by in staff_ids

    def test_free_text_is_withheld_and_empty_text_stays_empty(self) -> None:
        """Free text (which may hold names) is withheld; absent text stays absent."""
        shared = pseudonymised(samples.small_log(), key=KEY)
        incident = shared.get("INC-0001", il.Incident)
        assert incident.description == WITHHELD
        assert incident.immediate_actions == WITHHELD
        assert incident.amendment_reason is None

    def test_staff_names_are_dropped(self) -> None:
        """A staff member's optional name is removed entirely."""
        named = attrs.evolve(samples.staff_member(), display_name="Alex Example")
        records = [named if r.id == named.id else r for r in samples.small_records()]
        shared = pseudonymised(il.LearningLog(records), key=KEY)
        assert all(
            s.display_name is None for s in shared.of_kind(il.StaffMember).values()
        )

    def test_every_version_is_kept_and_the_input_is_unchanged(self) -> None:
        """The shared profile keeps the history and never changes the internal log."""
        log = samples.small_log()
        log.add(log.get("ACT-0001", il.Action).agreed(by="STAFF-RM", at=samples.AT))
        before = list(log.all_versions())
        shared = pseudonymised(log, key=KEY)
        assert list(log.all_versions()) == before
        history = shared.history("ACT-0001")
        assert [record.version for record in history] == [1, 2]
        assert isinstance(history[-1], il.Action)
        assert history[-1].status_history[0].by.startswith("S-")

    def test_a_short_key_is_refused(self) -> None:
        """A key shorter than 16 bytes is refused."""
        with pytest.raises(InvalidDataError, match="key: must be bytes, at least 16"):
            pseudonymised(samples.small_log(), key=b"short")

    def test_a_text_key_is_refused(self) -> None:
        """A key given as text, not bytes, is refused in the error tree."""
        with pytest.raises(InvalidDataError, match="key: must be bytes"):
            pseudonymised(samples.small_log(), key="sixteen characters!")  # type: ignore[arg-type]

    def test_no_declared_personal_text_survives(self) -> None:
        """No free text or person reference of the internal log appears in the shared one."""
        log = samples.small_log()
        shared_text = il.serialization.dumps_json(pseudonymised(log, key=KEY))
        for record in log.all_versions():
            for name, kind in personal_fields(type(record)).items():
                value = getattr(record, name)
                if kind is PersonalData.FREE_TEXT and isinstance(value, str):
                    assert value not in shared_text
        assert "P-0017" not in shared_text
        assert "STAFF-" not in shared_text

    def test_every_record_type_declares_who_recorded_it_as_personal(self) -> None:
        """The recorder of every record type is declared staff personal data."""
        for cls in RECORD_TYPES:
            assert personal_fields(cls)["recorded_by"] is PersonalData.STAFF


def _pseudonym(prefix: str, value: str) -> str:
    digest = hmac.new(KEY, f"{prefix}:{value}".encode(), hashlib.sha256)
    return f"{prefix}-{digest.hexdigest()[:16]}"


def _by_declaration(value: Any, *, staff_record: bool = False) -> Any:
    """The shared profile of one value, walking its field declarations one by one.

    The reference the generated per-class functions are checked against.
    """
    changes: dict[str, object] = {}
    for field in attrs.fields(type(value)):
        item = getattr(value, field.name)
        kind = field.metadata.get(PERSONAL)
        is_id = field.metadata.get(REFERS_TO) or field.metadata.get(IS_ID)
        if item is None:
            continue
        if (staff_record and field.metadata.get(IS_ID)) or (
            kind is PersonalData.STAFF and (is_id or field.metadata.get(IS_USER))
        ):
            prefix: str | None = "S"
        elif kind is PersonalData.PERSON:
            prefix = "P"
        else:
            prefix = None
        if prefix is not None:
            changes[field.name] = (
                tuple(_pseudonym(prefix, one) for one in item)
                if isinstance(item, tuple)
                else _pseudonym(prefix, item)
            )
        elif kind is PersonalData.STAFF:
            changes[field.name] = None
        elif kind is PersonalData.FREE_TEXT:
            changes[field.name] = WITHHELD
        elif isinstance(item, tuple) and item and attrs.has(type(item[0])):
            changes[field.name] = tuple(_by_declaration(one) for one in item)
        elif attrs.has(type(item)):
            changes[field.name] = _by_declaration(item)
    return attrs.evolve(value, **changes)


class TestGeneratedPlans:
    """The per-class functions agree with a plain walk over the declarations."""

    @settings(max_examples=40)
    @given(strategies.logs())
    def test_every_record_as_the_declarations_say(self, log: il.LearningLog) -> None:
        """Every version of every kind, nested values too, as a field-by-field walk gives."""
        shared = pseudonymised(log, key=KEY)
        expected = il.LearningLog(
            (
                _by_declaration(record, staff_record=isinstance(record, il.StaffMember))
                for record in log.all_versions()
            ),
            local_codes=log.local_codes,
        )
        assert list(shared.all_versions()) == list(expected.all_versions())

    def test_the_example_log_as_the_declarations_say(self) -> None:
        """The bundled example (every kind, nested values, long histories) agrees too."""
        log = samples.example_log()
        shared = list(pseudonymised(log, key=KEY).all_versions())
        expected = il.LearningLog(
            (
                _by_declaration(record, staff_record=isinstance(record, il.StaffMember))
                for record in log.all_versions()
            ),
            local_codes=log.local_codes,
        )
        assert shared == list(expected.all_versions())

    def test_values_without_personal_data_are_kept_as_they_are(self) -> None:
        """A nested value with nothing personal in it is passed through, not rebuilt."""
        log = samples.example_log()
        incident = next(
            record
            for record in log.of_kind(il.Incident).values()
            if record.cqc_notification is not None
        )
        shared = pseudonymised(log, key=KEY).get(incident.id, il.Incident)
        assert shared.cqc_notification is incident.cqc_notification
        assert shared.description == WITHHELD

    def test_a_pseudonym_is_made_once_per_value(self) -> None:
        """The same staff id gives the same pseudonym everywhere it appears."""
        shared = pseudonymised(samples.small_log(), key=KEY)
        incident = shared.get("INC-0001", il.Incident)
        assert incident.recorded_by == _pseudonym("S", "STAFF-RM")
        assert incident.staff_involved[0] == _pseudonym("S", "STAFF-CW1")
        assert incident.people_affected[0].person == _pseudonym("P", "P-0017")
