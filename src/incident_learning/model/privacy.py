"""The shared (pseudonymised) profile of a log, driven by the model's declarations.

Which fields hold personal data is declared once, on the fields themselves
(see :class:`~incident_learning.model.base.PersonalData`). The internal
profile is the log as recorded. The shared profile, for learning shared
beyond the service, replaces:

* references to people supported with keyed pseudonyms (``P-…``);
* staff identifiers and user references with keyed pseudonyms (``S-…``),
  consistently, so the log's references still resolve;
* staff names with nothing, and free text (which can hold names) with
  :data:`WITHHELD`.

Pseudonyms are HMAC-SHA256 of the value under a caller's secret key, so the
same key gives the same pseudonyms across exports and nobody without the key
can reverse or recompute them.
"""

import hashlib
import hmac
from typing import Any, Final

import attrs

from incident_learning.exceptions import InvalidDataError, Problem
from incident_learning.model.base import (
    IS_ID,
    IS_USER,
    PERSONAL,
    REFERS_TO,
    PersonalData,
)
from incident_learning.model.log import LearningLog
from incident_learning.model.organisation import StaffMember

__all__ = ["WITHHELD", "pseudonymised"]

WITHHELD: Final = "[withheld in the shared profile]"
"""What free text reads as in the shared profile."""


class _Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) < 16:
            message = "must be bytes, at least 16 of them (a secret the caller keeps)"
            raise InvalidDataError([Problem(field="key", message=message)])
        self._key = key
        self._cache: dict[tuple[str, str], str] = {}

    def pseudonym(self, prefix: str, value: str) -> str:
        cached = self._cache.get((prefix, value))
        if cached is None:
            digest = hmac.new(self._key, f"{prefix}:{value}".encode(), hashlib.sha256)
            cached = self._cache[prefix, value] = f"{prefix}-{digest.hexdigest()[:16]}"
        return cached

    def apply(self, record: Any) -> Any:
        changes: dict[str, object] = {}
        is_staff_record = isinstance(record, StaffMember)
        for field in attrs.fields(type(record)):
            value = getattr(record, field.name)
            if value is None:
                continue
            new = self._field(field, value, is_staff_record=is_staff_record)
            if new is not value:
                changes[field.name] = new
        return attrs.evolve(record, **changes) if changes else record

    def _field(  # noqa: PLR0911 - one return per declared kind
        self,
        field: "attrs.Attribute[Any]",
        value: object,
        *,
        is_staff_record: bool,
    ) -> object:
        kind = field.metadata.get(PERSONAL)
        refers = field.metadata.get(REFERS_TO)
        is_id = bool(refers or field.metadata.get(IS_ID))
        if (is_staff_record and field.metadata.get(IS_ID)) or (
            kind is PersonalData.STAFF and (is_id or field.metadata.get(IS_USER))
        ):
            return self._each(value, lambda item: self.pseudonym("S", item))
        if kind is PersonalData.PERSON:
            return self._each(value, lambda item: self.pseudonym("P", item))
        if kind is PersonalData.STAFF:
            return None  # a staff name
        if kind is PersonalData.FREE_TEXT:
            return WITHHELD
        if isinstance(value, tuple) and value and attrs.has(type(value[0])):
            return tuple(self.apply(item) for item in value)
        if attrs.has(type(value)):
            return self.apply(value)
        return value

    @staticmethod
    def _each(value: object, change: Any) -> object:
        if isinstance(value, tuple):
            return tuple(change(item) for item in value)
        return change(value)


def pseudonymised(log: LearningLog, *, key: bytes) -> LearningLog:
    """Return the shared profile of *log*: personal data replaced, links kept.

    Args:
        log: The log, internal profile; it is not modified.
        key: A secret of 16 bytes or more; the same key gives the same
            pseudonyms.

    Raises:
        InvalidDataError: The key is not bytes, or shorter than 16 bytes.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.model.privacy import pseudonymised
        >>> shared = pseudonymised(samples.small_log(), key=b"a secret of 16+ bytes")
        >>> incident = shared.get("INC-0001", il.Incident)
        >>> incident.people_affected[0].person
        'P-...'
        >>> incident.description
        '[withheld in the shared profile]'
        >>> incident.staff_involved[0] in shared
        True
    """
    pseudonymiser = _Pseudonymiser(key)
    return LearningLog(
        (pseudonymiser.apply(record) for record in log.all_versions()),
        local_codes=log.local_codes,
    )
