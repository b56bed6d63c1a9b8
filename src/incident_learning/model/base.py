"""The base of every record: identity, who recorded it and when, versions.

Records are frozen attrs classes. Their fields declare, in attrs metadata,
what the rest of the library needs to know about them: which fields refer to
other records (and of which kinds) and which hold personal data. Integrity
checks, id prefixing, pseudonymised exports and the learning graph all read
these declarations, so each is made exactly once, here in the model.

Validation runs in ``__attrs_post_init__`` and reports every problem of a
record at once as an :class:`~incident_learning.exceptions.InvalidRecordError`.
The checks are compiled once per class from the field types.
"""

import enum
import math
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Self

import attrs

from incident_learning._codegen import compile_function, without_none
from incident_learning._html import MAX_ROWS, record_table
from incident_learning.exceptions import InvalidRecordError, Problem

__all__ = [
    "ID_PATTERN",
    "PersonalData",
    "Record",
    "Reference",
    "Validated",
    "personal_fields",
    "prefixed_id",
    "reference_fields",
    "references_resolve",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/\-]{0,127}")
"""The shape of an identifier.

1-128 characters (letters, digits and ``. _ : / -``), starting with a letter
or digit, with no spaces.
"""

_ID_MATCH = ID_PATTERN.fullmatch

MAX_SAFE_INTEGER = 2**53 - 1
"""The largest whole number every JSON reader holds exactly."""

# Metadata keys on attrs fields.
REFERS_TO = "incident_learning.refers_to"
PERSONAL = "incident_learning.personal"
MIN_ITEMS = "incident_learning.min_items"
IS_ID = "incident_learning.is_id"
IS_USER = "incident_learning.is_user"


@enum.unique
class PersonalData(enum.StrEnum):
    """What kind of personal data a field holds.

    ``person`` fields hold pseudonymous references to people supported;
    ``staff`` fields identify staff or users; ``free_text`` fields are typed
    by people and may hold names. A shared export replaces all three.
    """

    PERSON = "person"
    STAFF = "staff"
    FREE_TEXT = "free_text"


def refers_to(
    *kinds: str, personal: PersonalData | None = None, min_items: int = 0
) -> dict[str, object]:
    """Return field metadata declaring a reference to records of *kinds*."""
    metadata: dict[str, object] = {REFERS_TO: kinds, MIN_ITEMS: min_items}
    if personal is None and "staff_member" in kinds:
        # Staff identifiers are personal data wherever they appear.
        personal = PersonalData.STAFF
    if personal is not None:
        metadata[PERSONAL] = personal
    return metadata


def personal(kind: PersonalData, *, min_items: int = 0) -> dict[str, object]:
    """Return field metadata declaring personal data of *kind*."""
    return {PERSONAL: kind, MIN_ITEMS: min_items}


def user_reference() -> dict[str, object]:
    """Return field metadata for who did something: a staff id or a user reference.

    It is staff personal data, replaced by a pseudonym in the shared profile
    (consistently with staff identifiers), but not checked against the log's
    staff, because administrators and other systems record too.
    """
    return {PERSONAL: PersonalData.STAFF, IS_USER: True}


def at_least(count: int) -> dict[str, object]:
    """Return field metadata requiring a collection of *count* or more items."""
    return {MIN_ITEMS: count}


def prefixed_id(prefix: str, identifier: str) -> str:
    """Return *identifier* prefixed for *prefix*, so logs can be merged.

    Examples:
        >>> from incident_learning.model.base import prefixed_id
        >>> prefixed_id("oakvale", "INC-1")
        'oakvale:INC-1'
    """
    return f"{prefix}:{identifier}"


# --- validation ------------------------------------------------------------

_Check = Callable[[Any], str | None]


def _check_id(value: object) -> str | None:
    if type(value) is str and _ID_MATCH(value):
        return None
    return (
        f"{value!r} is not an identifier (1-128 letters, digits or . _ : / -, "
        "starting with a letter or digit)"
    )


def _check_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return (
        "must be non-blank text" if isinstance(value, str) else f"{value!r} is not text"
    )


def _check_aware(value: object) -> str | None:
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is None:
            return f"{value.isoformat()!r} has no time zone"
        if offset.seconds % 60 or offset.microseconds:
            # ISO 8601 and RFC 3339 offsets are whole minutes; finer ones
            # (local mean time before 1847) cannot be written faithfully.
            return f"{value.isoformat()!r} has a UTC offset that is not whole minutes"
        return None
    return f"{value!r} is not a date and time"


def _check_date(value: object) -> str | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return None
    return f"{value!r} is not a calendar date"


def _check_date_or_aware(value: object) -> str | None:
    if isinstance(value, datetime):
        return _check_aware(value)
    return _check_date(value)


def _check_bool(value: object) -> str | None:
    return None if type(value) is bool else f"{value!r} is not true or false"


def _check_count(value: object) -> str | None:
    if type(value) is int and 0 <= value <= MAX_SAFE_INTEGER:
        return None
    return f"{value!r} is not a whole number from 0 to {MAX_SAFE_INTEGER}"


def _check_number(value: object) -> str | None:
    # NaN and the infinities have no JSON form, and whole numbers beyond
    # 2**53 lose digits in most JSON readers: a record holding one could not
    # be written and read back faithfully.
    if type(value) is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return None
    if type(value) is float and math.isfinite(value):
        return None
    return f"{value!r} is not a finite number"


def _instance_of(cls: type) -> _Check:
    if issubclass(cls, enum.Enum):
        values = ", ".join(repr(member.value) for member in cls)

        def check_enum(value: object) -> str | None:
            if isinstance(value, cls):
                return None
            if value in cls._value2member_map_:
                return f"{value!r} is plain text; pass {cls.__name__}({value!r})"
            return f"{value!r} is not one of {values}"

        return check_enum

    def check_instance(value: object) -> str | None:
        return None if isinstance(value, cls) else f"{value!r} is not a {cls.__name__}"

    return check_instance


def _optional(check: _Check) -> _Check:
    def check_optional(value: object) -> str | None:
        return None if value is None else check(value)

    return check_optional


def _each(check: _Check, min_items: int) -> _Check:
    def check_items(value: object) -> str | None:
        if type(value) is not tuple:
            return f"{value!r} is not a tuple"
        if len(value) < min_items:
            return f"needs at least {min_items} item{'s' if min_items > 1 else ''}"
        for index, item in enumerate(value):
            if (message := check(item)) is not None:
                return f"item {index}: {message}"
        return None

    return check_items


def _scalar_check(tp: object, *, is_id: bool) -> _Check:  # noqa: PLR0911 - a dispatch table
    if tp is str:
        return _check_id if is_id else _check_text
    if tp is datetime:
        return _check_aware
    if tp is date:
        return _check_date
    if tp is bool:
        return _check_bool
    if tp is int:
        return _check_count
    if tp is float:
        return _check_number
    args = set(typing.get_args(tp))
    if args == {datetime, date}:
        return _check_date_or_aware
    if isinstance(tp, type):
        return _instance_of(tp)
    msg = f"no check for field type {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


def _field_check(field: "attrs.Attribute[Any]") -> _Check:
    tp, optional = without_none(field.type)
    is_id = bool(field.metadata.get(REFERS_TO) or field.metadata.get(IS_ID))
    if typing.get_origin(tp) is tuple:
        check = _each(
            _scalar_check(typing.get_args(tp)[0], is_id=is_id),
            field.metadata.get(MIN_ITEMS, 0),
        )
    elif typing.get_origin(tp) in (Mapping, dict) or tp is object:
        check = _instance_of(object)
    else:
        check = _scalar_check(tp, is_id=is_id)
    return _optional(check) if optional else check


_COMPILED: dict[type, tuple[tuple[str, _Check], ...]] = {}
_PREDICATES: dict[type, Callable[[Any], bool]] = {}


def _scalar_expression(tp: object, *, is_id: bool, names: dict[str, object]) -> str:  # noqa: PLR0911
    """Return a boolean Python expression over ``x`` that holds when *x* is valid.

    It may be stricter than the checks above (exact classes only): a record
    it rejects is re-checked by them, so it only ever saves time.
    """
    if tp is str:
        return (
            "(x.__class__ is str and _ID(x) is not None)"
            if is_id
            else "(x.__class__ is str and x != '' and not x.isspace())"
        )
    if tp is datetime:
        return "(isinstance(x, datetime) and (o := x.utcoffset()) is not None and not o.seconds % 60 and not o.microseconds)"
    if tp is date:
        return "(x.__class__ is date)"
    if tp is bool:
        return "(x.__class__ is bool)"
    if tp is int:
        return "(x.__class__ is int and 0 <= x <= MAX_INT)"
    if tp is float:
        return "((x.__class__ is int and -MAX_INT <= x <= MAX_INT) or (x.__class__ is float and -INF < x < INF))"
    if set(typing.get_args(tp)) == {datetime, date}:
        return "(x.__class__ is date or (isinstance(x, datetime) and (o := x.utcoffset()) is not None and not o.seconds % 60 and not o.microseconds))"
    name = f"C{len(names)}"
    names[name] = tp
    return f"(x.__class__ is {name})"


def _field_lines(field: "attrs.Attribute[Any]", names: dict[str, object]) -> list[str]:
    """Return source lines that ``return False`` when the field's value is invalid."""
    tp, optional = without_none(field.type)
    is_id = bool(field.metadata.get(REFERS_TO) or field.metadata.get(IS_ID))
    lines = [f"    x = self.{field.name}"]
    guard = "x is not None and " if optional else ""
    if typing.get_origin(tp) is tuple:
        item = _scalar_expression(typing.get_args(tp)[0], is_id=is_id, names=names)
        least = field.metadata.get(MIN_ITEMS, 0)
        # A loop, not all(): most tuples are short or empty, and a generator
        # costs more to set up than the checks themselves.
        lines.append(
            f"    if {guard}(x.__class__ is not tuple or len(x) < {least}): return False"
        )
        lines.append("    if x:" if not optional else "    if x is not None:")
        lines.append("        for x in x:")
        lines.append(f"            if not {item}: return False")
    elif typing.get_origin(tp) in (Mapping, dict) or tp is object:
        lines.pop()
    else:
        expression = _scalar_expression(tp, is_id=is_id, names=names)
        lines.append(f"    if {guard}not {expression}: return False")
    return lines


def _predicate_of(cls: type) -> Callable[[Any], bool]:
    # Generated once per class, like attrs' own __init__: one flat function
    # with the checks inlined is several times faster than a loop of closures.
    try:
        return _PREDICATES[cls]
    except KeyError:
        pass
    attrs.resolve_types(cls)
    names: dict[str, object] = {
        "_ID": _ID_MATCH,
        "datetime": datetime,
        "date": date,
        "INF": math.inf,
        "MAX_INT": MAX_SAFE_INTEGER,
    }
    lines = ["def valid(self):"]
    for field in attrs.fields(cls):
        lines.extend(_field_lines(field, names))
    lines.append("    return True")
    predicate: Callable[[Any], bool] = compile_function(lines, names, "valid")
    _PREDICATES[cls] = predicate
    return predicate


def _checks_of(cls: type) -> tuple[tuple[str, _Check], ...]:
    try:
        return _COMPILED[cls]
    except KeyError:
        attrs.resolve_types(cls)
        checks = tuple((field.name, _field_check(field)) for field in attrs.fields(cls))
        _COMPILED[cls] = checks
        return checks


def _snake(name: str) -> str:
    """Return a class name in lower_snake, as record kinds are spelt."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@attrs.frozen
class Validated:
    """Mixin that validates a frozen attrs class when it is built.

    Subclasses list cross-field rules in :meth:`_invariants`.
    """

    def __attrs_post_init__(self) -> None:
        cls = type(self)
        predicate = _PREDICATES.get(cls) or _predicate_of(cls)
        problems = None if predicate(self) else self._field_problems()
        if problems is None:
            problems = [
                Problem(field=name, value=value, message=message)
                for name, value, message in self._invariants()
            ]
        if problems:
            found = getattr(self, "id", None)
            record_id = found if isinstance(found, str) else None
            raise InvalidRecordError(
                getattr(self, "record_kind", None) or _snake(type(self).__name__),
                record_id,
                [attrs.evolve(problem, record_id=record_id) for problem in problems],
            )

    def _field_problems(self) -> list[Problem] | None:
        problems: list[Problem] | None = None
        for name, check in _checks_of(type(self)):
            value = getattr(self, name)
            if (message := check(value)) is not None:
                problems = problems or []
                problems.append(Problem(field=name, value=value, message=message))
        return problems

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        """Yield ``(field, value, message)`` for each cross-field rule broken."""
        return iter(())


# Set by the versioning itself, or by marked_entered_in_error alone: a
# withdrawal is never undone by a correction.
_NOT_CORRECTABLE = (
    "id",
    "version",
    "recorded_by",
    "recorded_at",
    "amendment_reason",
    "entered_in_error",
)


@attrs.frozen(kw_only=True)
class Record(Validated):
    """Base of every record kind: an identified, versioned, attributed snapshot.

    A correction is a new version of the record with the same identifier
    that supersedes the old one; a record entered in error is marked so in a
    new version, never deleted. The log keeps every version.

    Attributes:
        id: Unique within a log across every record kind.
        recorded_by: Who recorded this version: a staff identifier or a user
            reference of the system it came from.
        recorded_at: When this version was recorded.
        version: 1 for the first version, one more for each later one.
        entered_in_error: Whether this version withdraws a record made in error.
        amendment_reason: Why this version replaced the last one.
    """

    record_kind: ClassVar[str] = "record"
    # Fields only their own methods may change (e.g. an action's lifecycle).
    _changed_by_methods: ClassVar[tuple[str, ...]] = ()

    id: str = attrs.field(metadata={IS_ID: True})
    recorded_by: str = attrs.field(metadata=user_reference())
    recorded_at: datetime
    version: int = 1
    entered_in_error: bool = False
    amendment_reason: str | None = attrs.field(
        default=None, metadata={PERSONAL: PersonalData.FREE_TEXT}
    )

    def _invariants(self) -> Iterator[tuple[str, object, str]]:
        if self.version < 1:
            yield "version", self.version, "must be 1 or more"
        if self.version > 1 and self.amendment_reason is None:
            yield "amendment_reason", None, "is required for a version after the first"
        if self.entered_in_error and self.version == 1:
            yield (
                "entered_in_error",
                True,
                "is marked in a new version, never the first",
            )

    def corrected(self, *, by: str, at: datetime, reason: str, **changes: Any) -> Self:
        """Return the next version of this record with *changes* applied.

        Args:
            by: Who made the correction.
            at: When it was made.
            reason: Why: kept on the new version.
            **changes: New values for fields of the record.

        Examples:
            >>> from incident_learning import samples
            >>> fall = samples.incident()
            >>> fixed = fall.corrected(
            ...     by="STAFF-RM",
            ...     at=samples.AT,
            ...     reason="typo in description",
            ...     description="Found on the floor of her room.",
            ... )
            >>> fixed.version, fixed.amendment_reason
            (2, 'typo in description')
        """
        fields = attrs.fields_dict(type(self))
        for name, value in changes.items():
            if name not in fields:
                msg = f"is not a field of {self.record_kind}"
            elif name in _NOT_CORRECTABLE or name in self._changed_by_methods:
                msg = f"{name} cannot be changed by a correction"
            else:
                continue
            raise InvalidRecordError(
                self.record_kind,
                self.id,
                [Problem(field=name, value=value, message=msg)],
            )
        return attrs.evolve(
            self,
            version=self.version + 1,
            recorded_by=by,
            recorded_at=at,
            amendment_reason=reason,
            **changes,
        )

    def marked_entered_in_error(self, *, by: str, at: datetime, reason: str) -> Self:
        """Return the next version of this record, withdrawn as entered in error.

        Examples:
            >>> from incident_learning import samples
            >>> withdrawn = samples.incident().marked_entered_in_error(
            ...     by="STAFF-RM", at=samples.AT, reason="duplicate of INC-0002"
            ... )
            >>> withdrawn.entered_in_error, withdrawn.version
            (True, 2)
        """
        return attrs.evolve(
            self,
            version=self.version + 1,
            recorded_by=by,
            recorded_at=at,
            amendment_reason=reason,
            entered_in_error=True,
        )

    def _repr_html_(self, *, max_rows: int = MAX_ROWS) -> str:
        """Return the record as an HTML table of its fields, for notebooks.

        Fields holding personal data are shown and marked (see
        :func:`personal_fields`); derived values follow the fields, and who
        recorded the version and when come last.

        Args:
            max_rows: The most items a list in the record shows.

        Examples:
            >>> from incident_learning import samples
            >>> html = samples.incident()._repr_html_()
            >>> '<tr class="il-personal" title="personal data (free_text)">' in html
            True
        """
        return record_table(
            self,
            kind=self.record_kind,
            personal=personal_fields(type(self)),
            trailing=[field.name for field in attrs.fields(Record)][1:],
            max_rows=max_rows,
        )


@attrs.frozen
class Reference:
    """Where a record refers to another: the field path, the id and its kinds."""

    field: str
    target: str
    kinds: tuple[str, ...]


_Layout = list[tuple[str, tuple[str, ...], bool, type]]
_LAYOUTS: dict[type, _Layout] = {}


def _reference_layout(cls: type) -> _Layout:
    """Return *cls*'s fields that hold references, directly or in nested records.

    Each entry is ``(field, kinds, many, inner)``: *kinds* names the record
    kinds a direct reference may point at (empty for a nested record that
    holds references itself), *many* whether the field is a tuple, *inner*
    the type of its items.
    """
    layout = _LAYOUTS.get(cls)
    if layout is None:
        attrs.resolve_types(cls)
        layout = []
        for field in attrs.fields(cls):
            kinds = field.metadata.get(REFERS_TO)
            many = typing.get_origin(field.type) is tuple
            inner, _ = without_none(
                typing.get_args(field.type)[0] if many else field.type
            )
            if kinds:
                layout.append((field.name, kinds, many, str))
            elif (
                isinstance(inner, type)
                and attrs.has(inner)
                and _reference_layout(inner)
            ):
                layout.append((field.name, (), many, inner))
        _LAYOUTS[cls] = layout
    return layout


_Walker = Callable[[Any], Iterator[Reference]]
_WALKERS: dict[type, _Walker] = {}


def _walker(cls: type) -> _Walker:
    try:
        return _WALKERS[cls]
    except KeyError:
        pass
    direct = [
        (name, kinds, many) for name, kinds, many, _ in _reference_layout(cls) if kinds
    ]
    nested = [
        (name, many) for name, kinds, many, _ in _reference_layout(cls) if not kinds
    ]

    def walk(record: object) -> Iterator[Reference]:
        for name, kinds, many in direct:
            value = getattr(record, name)
            if many:
                for index, target in enumerate(value):
                    yield Reference(f"{name}[{index}]", target, kinds)
            elif value is not None:
                yield Reference(name, value, kinds)
        for name, many in nested:
            value = getattr(record, name)
            items: Iterable[tuple[str, object]] = (
                ((f"{name}[{index}]", item) for index, item in enumerate(value))
                if many
                else [(name, value)]
            )
            for prefix, item in items:
                if item is None:
                    continue
                for ref in _walker(type(item))(item):
                    yield Reference(f"{prefix}.{ref.field}", ref.target, ref.kinds)

    _WALKERS[cls] = walk
    return walk


_RESOLVERS: dict[type, Callable[[Any, Mapping[str, Any]], bool]] = {}


def _resolver_lines(
    cls: type, expression: str, depth: int, names: dict[str, object]
) -> list[str]:
    indent = "    " * (depth + 1)
    lines: list[str] = []
    for name, kinds, many, inner in _reference_layout(cls):
        value = f"{expression}.{name}"
        if kinds:
            allowed = f"K{len(names)}"
            names[allowed] = frozenset(kinds)
            check = (
                "r = get(t)\n{i}if r is None or r.record_kind not in "
                + allowed
                + ": return False"
            )
            if many:
                lines.append(f"{indent}for t in {value}:")
                lines.append(f"{indent}    " + check.format(i=indent + "    "))
            else:
                lines.append(f"{indent}t = {value}")
                lines.append(f"{indent}if t is not None:")
                lines.append(f"{indent}    " + check.format(i=indent + "    "))
        else:
            item = f"n{depth}"
            if many:
                lines.append(f"{indent}for {item} in {value}:")
            else:
                lines.append(f"{indent}{item} = {value}")
                lines.append(f"{indent}if {item} is not None:")
            lines.extend(_resolver_lines(inner, item, depth + 1, names))
    return lines


def references_resolve(record: object, index: Mapping[str, Any]) -> bool:
    """Return whether every reference of *record* names a record of a right kind.

    *index* maps identifiers to records. This is the fast check the log runs
    on every record; only a record that fails it is walked again with
    :func:`reference_fields` to say which references are wrong.
    """
    cls = type(record)
    resolver = _RESOLVERS.get(cls)
    if resolver is None:
        names: dict[str, object] = {}
        lines = ["def resolve(self, index):", "    get = index.get"]
        lines.extend(_resolver_lines(cls, "self", 0, names))
        lines.append("    return True")
        resolver = _RESOLVERS[cls] = compile_function(lines, names, "resolve")
    return resolver(record, index)


def reference_fields(record: object) -> Iterator[Reference]:
    """Yield every reference *record* makes to another record, nested ones too.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.model.base import reference_fields
        >>> [(ref.field, ref.target) for ref in reference_fields(samples.incident())]
        [('service', 'SVC-OAK'), ('reported_by', 'STAFF-CW1'), ('staff_involved[0]', 'STAFF-CW1')]
    """
    return _walker(type(record))(record)


def personal_fields(cls: type) -> Mapping[str, PersonalData]:
    """Return the fields of record class *cls* that hold personal data.

    Examples:
        >>> from incident_learning.model import Incident
        >>> from incident_learning.model.base import personal_fields
        >>> sorted(personal_fields(Incident).items())[:3]
        [('amendment_reason', <PersonalData.FREE_TEXT: 'free_text'>), ('description', <PersonalData.FREE_TEXT: 'free_text'>), ('immediate_actions', <PersonalData.FREE_TEXT: 'free_text'>)]
    """
    return {
        field.name: field.metadata[PERSONAL]
        for field in attrs.fields(cls)
        if PERSONAL in field.metadata
    }
