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
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from incident_learning._codegen import compile_function, without_none
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


def _check_key(key: object) -> bytes:
    if not isinstance(key, bytes) or len(key) < 16:
        message = "must be bytes, at least 16 of them (a secret the caller keeps)"
        raise InvalidDataError([Problem(field="key", message=message)])
    return key


class _Pseudonyms(dict[str, str]):
    """The pseudonyms of one prefix under one key, each made on first lookup.

    A dict whose ``__missing__`` makes the pseudonym: the generated code
    looks each value up with a plain subscript, so a value seen before costs
    one dict lookup and no Python call.
    """

    __slots__ = ("_key", "_prefix")

    def __init__(self, key: bytes, prefix: str) -> None:
        super().__init__()
        self._key = key
        self._prefix = prefix

    def __missing__(self, value: str) -> str:
        prefix = self._prefix
        digest = hmac.new(self._key, f"{prefix}:{value}".encode(), hashlib.sha256)
        pseudonym = self[value] = f"{prefix}-{digest.hexdigest()[:16]}"
        return pseudonym


# --- one generated function per class --------------------------------------------
#
# Which fields are personal, and how each is replaced, is fixed by the class:
# it is worked out once per class from the field declarations and compiled
# into one flat function that builds the shared version, as attrs builds
# ``__init__``. Building through the class keeps its validation.

_Apply = Callable[[Any, Mapping[str, str], Mapping[str, str]], Any]
# Each class's function, and whether it changes anything (if not, a field
# holding the class is passed through as it is).
_PLANS: dict[type, tuple[_Apply, bool]] = {}


def _replacement(field: "attrs.Attribute[Any]", *, is_staff_record: bool) -> str | None:
    """Return the expression (over ``{0}``, not None) a personal field becomes.

    ``S`` and ``P`` are the staff and person pseudonyms, ``W`` the withheld
    text; ``None`` means the field is not personal.
    """
    metadata = field.metadata
    kind = metadata.get(PERSONAL)
    is_id = bool(metadata.get(REFERS_TO) or metadata.get(IS_ID))
    if (is_staff_record and metadata.get(IS_ID)) or (
        kind is PersonalData.STAFF and (is_id or metadata.get(IS_USER))
    ):
        table = "S"
    elif kind is PersonalData.PERSON:
        table = "P"
    elif kind is PersonalData.STAFF:
        return "None"  # a staff name
    elif kind is PersonalData.FREE_TEXT:
        return "W"
    else:
        return None
    tp, _ = without_none(field.type)
    if typing.get_origin(tp) is tuple:
        return f"tuple([{table}[i] for i in {{0}}])"
    return f"{table}[{{0}}]"


def _nested(field: "attrs.Attribute[Any]") -> tuple[type, bool] | None:
    """Return the attrs class a field holds (one or a tuple of), and whether a tuple."""
    tp, _ = without_none(field.type)
    many = typing.get_origin(tp) is tuple
    inner = typing.get_args(tp)[0] if many else tp
    if isinstance(inner, type) and attrs.has(inner):
        return inner, many
    return None


def _plan(cls: type) -> tuple[_Apply, bool]:
    """Make the function building the shared version of a *cls*; cache and return it.

    Returns the function and whether it changes anything (a class with no
    personal data, nested ones included, is passed through as it is).
    """
    attrs.resolve_types(cls)
    is_staff_record = issubclass(cls, StaffMember)
    names: dict[str, object] = {"C": cls, "W": WITHHELD}
    reads: list[str] = []
    arguments: list[str] = []
    changed = False
    # attrs.evolve passes init fields only: the class sets the others itself.
    for index, field in enumerate([field for field in attrs.fields(cls) if field.init]):
        value = f"v{index}"
        reads.append(f"    {value} = r.{field.name}")
        arguments.append(f"{field.alias}={value}")
        expression = _replacement(field, is_staff_record=is_staff_record)
        nested = _nested(field) if expression is None else None
        if nested is not None:
            inner, changes = _PLANS.get(nested[0]) or _plan(nested[0])
            if changes:
                names[f"N{index}"] = inner
                expression = (
                    "tuple([N{i}(i, S, P) for i in {0}]) if {0} else {0}"
                    if nested[1]
                    else "N{i}({0}, S, P)"
                ).replace("{i}", str(index))
        if expression is not None:
            changed = True
            replaced = expression.format(value)
            reads.append(f"    if {value} is not None: {value} = {replaced}")
    lines = ["def apply(r, S, P):"]
    if changed:
        lines.extend(reads)
        lines.append(f"    return C({', '.join(arguments)})")
    else:
        lines.append("    return r")
    found = _PLANS[cls] = (compile_function(lines, names, "apply"), changed)
    return found


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
    key = _check_key(key)
    staff, people = _Pseudonyms(key, "S"), _Pseudonyms(key, "P")
    plans = _PLANS
    return LearningLog(
        (
            (plans.get(type(record)) or _plan(type(record)))[0](record, staff, people)
            for record in log.all_versions()
        ),
        local_codes=log.local_codes,
    )
