"""The one cattrs converter module: records to plain data and back.

Two converters are made from one recipe. The *fast* one skips cattrs'
detailed validation and is used first; when a record fails, the *detailed*
one structures that record again to say exactly what is wrong, so good
documents pay nothing for error reporting.

Hooks are strict: nothing is coerced. A number where text is expected, text
where a number is expected, a naive time or an unknown enum value is a
problem to report, never something to guess.
"""

import enum
import functools
import operator
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from incident_learning.exceptions import InvalidRecordError, Problem
from incident_learning.model import RECORD_TYPES, LocalCode, vocab

__all__ = ["problems_of", "structure_detailed", "structure_fast", "unstructure"]


class _WrongTypeError(TypeError):
    """A value of the wrong JSON type; the message is built for people."""


def _describe(value: object) -> str:
    return {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _strict_str(value: object, _: type) -> str:
    if type(value) is str:
        return value
    msg = f"expected text, found {_describe(value)} {value!r}"
    raise _WrongTypeError(msg)


def _strict_int(value: object, _: type) -> int:
    if type(value) is int:
        return value
    msg = f"expected a whole number, found {_describe(value)} {value!r}"
    raise _WrongTypeError(msg)


def _strict_float(value: object, _: type) -> float:
    if type(value) in (int, float):
        return float(value)  # type: ignore[arg-type]
    msg = f"expected a number, found {_describe(value)} {value!r}"
    raise _WrongTypeError(msg)


def _strict_bool(value: object, _: type) -> bool:
    if type(value) is bool:
        return value
    msg = f"expected true or false, found {_describe(value)} {value!r}"
    raise _WrongTypeError(msg)


def _iso_datetime(value: object, _: type) -> datetime:
    if type(value) is not str:
        msg = f"expected an ISO 8601 date and time, found {_describe(value)} {value!r}"
        raise _WrongTypeError(msg)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        msg = f"{value!r} is not an ISO 8601 date and time"
        raise ValueError(msg) from None


def _iso_date(value: object, _: type) -> date:
    if type(value) is str and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    msg = f"{value!r} is not an ISO 8601 date (yyyy-mm-dd)"
    raise ValueError(msg)


def _iso_date_or_datetime(value: object, _: type) -> datetime | date:
    if type(value) is str and len(value) > 10:
        return _iso_datetime(value, datetime)
    return _iso_date(value, date)


def _optional_date_or_datetime(value: object, _: type) -> datetime | date | None:
    return None if value is None else _iso_date_or_datetime(value, date)


def _enum_hook(cls: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    members = cls._value2member_map_
    choices = ", ".join(repr(member.value) for member in cls)

    def structure_enum(value: object, _: type) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):
            msg = f"{value!r} is not one of {choices}"
            raise ValueError(msg) from None

    return structure_enum


def _str_tuple(value: object, _: type) -> tuple[str, ...]:
    if type(value) is list:
        for item in value:
            if type(item) is not str:
                break
        else:
            return tuple(value)
    if type(value) is not list:
        msg = f"expected a list, found {_describe(value)} {value!r}"
        raise _WrongTypeError(msg)
    index, item = next((i, x) for i, x in enumerate(value) if type(x) is not str)
    msg = f"item {index}: expected text, found {_describe(item)} {item!r}"
    raise _WrongTypeError(msg)


def _is_date_union(tp: object) -> bool:
    return set(typing.get_args(tp)) - {type(None)} == {datetime, date}


def _unstructure_date_union(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


_ENUMS: Final = tuple(
    value
    for value in vars(vocab).values()
    if isinstance(value, type) and issubclass(value, enum.Enum) and len(value)
)


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    converter = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=detailed,
    )
    for tp, hook in (
        (str, _strict_str),
        (int, _strict_int),
        (float, _strict_float),
        (bool, _strict_bool),
        (datetime, _iso_datetime),
        (date, _iso_date),
    ):
        # Matched by identity, not by class: a StrEnum is a str subclass and
        # must reach the enum hook.
        converter.register_structure_hook_func(
            functools.partial(operator.is_, tp), hook
        )
    converter.register_structure_hook_func(lambda tp: tp == tuple[str, ...], _str_tuple)
    converter.register_structure_hook_func(
        lambda tp: _is_date_union(tp) and type(None) not in typing.get_args(tp),
        _iso_date_or_datetime,
    )
    converter.register_structure_hook_func(
        lambda tp: _is_date_union(tp) and type(None) in typing.get_args(tp),
        _optional_date_or_datetime,
    )
    for enum_class in _ENUMS:
        # Registered per class: cattrs' own enum hook would otherwise win.
        converter.register_structure_hook(enum_class, _enum_hook(enum_class))
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook_func(_is_date_union, _unstructure_date_union)
    for enum_class in _ENUMS:
        # Plain values, not members: to_document() returns plain data.
        converter.register_unstructure_hook(enum_class, _enum_value)
    converter.register_structure_hook_factory(
        attrs.has,
        lambda cls: make_dict_structure_fn(
            cls,
            converter,
            _cattrs_forbid_extra_keys=True,
            _cattrs_detailed_validation=detailed,
        ),
    )
    converter.register_unstructure_hook_factory(
        attrs.has, lambda cls: make_dict_unstructure_fn(cls, converter)
    )
    return converter


def _enum_value(member: enum.Enum) -> object:
    return member.value


_FAST: Final = _make_converter(detailed=False)
_DETAILED: Final = _make_converter(detailed=True)
_STRUCTURE_FAST: Final = {
    cls: _FAST.get_structure_hook(cls) for cls in (*RECORD_TYPES, LocalCode)
}


def structure_fast(data: object, cls: type[Any]) -> Any:
    """Structure *data* as *cls* quickly; raises whatever went wrong first."""
    return _STRUCTURE_FAST[cls](data, cls)


def structure_detailed(data: object, cls: type[Any]) -> Any:
    """Structure *data* as *cls*, raising cattrs' detailed exception groups."""
    return _DETAILED.structure(data, cls)


_UNSTRUCTURE: Final[dict[type, Callable[[Any], dict[str, Any]]]] = {}


def unstructure(record: object) -> dict[str, Any]:
    """Return *record* as plain JSON-ready data: every field, in field order."""
    cls = type(record)
    hook = _UNSTRUCTURE.get(cls)
    if hook is None:
        hook = _UNSTRUCTURE[cls] = _FAST.get_unstructure_hook(cls)
    return hook(record)


def problems_of(error: BaseException, data: object) -> Iterator[Problem]:
    """Yield one :class:`Problem` per leaf of *error*, raised structuring *data*.

    Field paths are relative to the record; the caller places them in the
    document (``incidents[3]``) with :meth:`Problem.within`.
    """
    record_id = data.get("id") if isinstance(data, Mapping) else None
    record_id = record_id if isinstance(record_id, str) else None
    for field, leaf in _leaves(error, ""):
        value = _value_at(data, field)
        if isinstance(leaf, InvalidRecordError):
            for problem in leaf.problems:
                inner = (
                    f"{field}.{problem.field}"
                    if field and problem.field
                    else field or problem.field
                )
                yield Problem(
                    record_id=record_id,
                    field=inner,
                    value=problem.value,
                    message=problem.message,
                )
        elif isinstance(leaf, ForbiddenExtraKeysError):
            for extra in sorted(leaf.extra_fields):
                prefix = f"{field}.{extra}" if field else extra
                message = (
                    f"{extra!r} is not a field here; check the spelling, or the "
                    "file was written by a newer version of incident_learning"
                )
                yield Problem(
                    record_id=record_id,
                    field=prefix,
                    value=_value_at(data, prefix),
                    message=message,
                )
        elif isinstance(leaf, KeyError):
            yield Problem(
                record_id=record_id,
                field=field,
                value=None,
                message="is required but missing",
            )
        else:
            yield Problem(
                record_id=record_id, field=field, value=value, message=str(leaf)
            )


def _leaves(error: BaseException, path: str) -> Iterator[tuple[str, BaseException]]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner, _note_path(inner, path))
    else:
        yield path, error


def _note_path(error: BaseException, path: str) -> str:
    for note in getattr(error, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return f"{path}.{note.name}" if path else note.name
        if isinstance(note, IterableValidationNote):
            return f"{path}[{note.index}]"
    return path


def _value_at(data: object, path: str) -> object:
    value = data
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            index = int(part[1:-1])
            value = (
                value[index] if isinstance(value, list) and index < len(value) else None
            )
        else:
            value = value.get(part) if isinstance(value, Mapping) else None
    return value
