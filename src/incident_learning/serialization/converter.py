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
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from incident_learning._codegen import compile_function
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


def _is_date_union(tp: object) -> bool:
    return set(typing.get_args(tp)) - {type(None)} == {datetime, date}


def _unstructure_date_union(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


_ENUMS: Final = tuple(
    value
    for value in vars(vocab).values()
    if isinstance(value, type) and issubclass(value, enum.Enum) and len(value)
)


def _is_plain_optional(tp: object) -> bool:
    args = typing.get_args(tp)
    return (
        len(args) == 2
        and type(None) in args
        and typing.get_origin(tp)
        in (
            typing.Union,
            types.UnionType,
        )
    )


def _optional_hook(
    converter: cattrs.Converter, tp: object
) -> Callable[[object, type], object]:
    inner_type = next(arg for arg in typing.get_args(tp) if arg is not type(None))
    inner = converter.get_structure_hook(inner_type)

    def structure_optional(value: object, _: type) -> object:
        return None if value is None else inner(value, inner_type)

    return structure_optional


def _is_homogeneous_tuple(tp: object) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook(
    converter: cattrs.Converter, tp: object, *, detailed: bool
) -> Callable[[object, type], tuple[object, ...]]:
    """Return a hook for ``tuple[X, ...]`` that insists on a JSON list.

    cattrs' own handler iterates whatever it is given, so text would become
    a tuple of characters; here anything but a list is refused. The detailed
    variant notes the index of each bad item, as cattrs does.
    """
    item_type = typing.get_args(tp)[0]
    item_hook = converter.get_structure_hook(item_type)

    def structure_tuple(value: object, _: type) -> tuple[object, ...]:
        if type(value) is not list:
            msg = f"expected a list, found {_describe(value)} {value!r}"
            raise _WrongTypeError(msg)
        if not detailed:
            return tuple([item_hook(item, item_type) for item in value])
        items, errors = [], []
        for index, item in enumerate(value):
            try:
                items.append(item_hook(item, item_type))
            except Exception as error:
                error.add_note(
                    IterableValidationNote(f"@ index {index}", index, item_type)
                )
                errors.append(error)
        if errors:
            msg = f"While structuring {tp!r}"
            raise IterableValidationError(msg, errors, tp)  # type: ignore[arg-type]
        return tuple(items)

    return structure_tuple


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
        # Registered by class so they replace cattrs' coercing defaults
        # (str(), int(), ...); each enum class is registered too, below, and
        # the most specific class wins, so a StrEnum never reaches str's hook.
        converter.register_structure_hook(tp, hook)
    converter.register_structure_hook_factory(
        _is_homogeneous_tuple,
        functools.partial(_tuple_hook, converter, detailed=detailed),
    )
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
    converter.register_unstructure_hook(float, float)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook_func(_is_date_union, _unstructure_date_union)
    for enum_class in _ENUMS:
        # Plain values, not members: to_document() returns plain data.
        converter.register_unstructure_hook(enum_class, _enum_value)
    if not detailed:
        # Faster than cattrs' generic handlers, which look the converter up
        # per value; the detailed converter keeps those for their error notes.
        converter.register_structure_hook_factory(
            _is_plain_optional, functools.partial(_optional_hook, converter)
        )
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


def _direct_expression(tp: object, value: str, names: dict[str, object]) -> str:  # noqa: PLR0911
    """Return Python source converting the JSON value *value* to type *tp*.

    Text, whole numbers and true/false pass straight through: the record's
    own validation checks their types, so checking them here would be done
    twice.
    """

    def named(obj: object) -> str:
        name = f"N{len(names)}"
        names[name] = obj
        return name

    args = typing.get_args(tp)
    if tp in (str, int, bool):
        return value
    if tp is float:
        return f"{named(_strict_float)}({value}, float)"
    if tp is datetime:
        return f"{named(_iso_datetime)}({value}, datetime)"
    if tp is date:
        return f"{named(_iso_date)}({value}, date)"
    if _is_date_union(tp):
        hook = (
            _optional_date_or_datetime if type(None) in args else _iso_date_or_datetime
        )
        return f"{named(hook)}({value}, date)"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{named(tp._value2member_map_)}[{value}]"
    if isinstance(tp, type) and attrs.has(tp):
        return f"{named(_direct_structure_fn(tp))}({value})"
    if _is_plain_optional(tp):
        inner = next(arg for arg in args if arg is not type(None))
        if inner in (str, int, bool):
            return value
        return (
            f"(None if {value} is None else {_direct_expression(inner, value, names)})"
        )
    if typing.get_origin(tp) is tuple:
        item = _direct_expression(args[0], "x", names)
        if item == "x":
            return f"{named(_list_to_tuple)}({value})"
        return f"tuple([{item} for x in {named(_checked_list)}({value})])"
    msg = f"no direct structure for {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


def _list_to_tuple(value: object) -> tuple[object, ...]:
    if value.__class__ is list:
        return tuple(value)
    msg = f"expected a list, found {_describe(value)}"
    raise _WrongTypeError(msg)


def _checked_list(value: object) -> list[object]:
    if value.__class__ is list:
        return value
    msg = f"expected a list, found {_describe(value)}"
    raise _WrongTypeError(msg)


_DIRECT: Final[dict[type, Callable[[Any], Any]]] = {}


def _direct_structure_fn(cls: type) -> Callable[[Any], Any]:
    """Return a generated function building *cls* from a complete JSON object.

    The library writes every field, so the common case is an object with
    exactly the class's fields; anything else raises and is handled by the
    cattrs converters. Generating the function once per class, as cattrs and
    attrs do, keeps the per-record cost to one call per converted field.
    """
    if cls in _DIRECT:
        return _DIRECT[cls]
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    names: dict[str, object] = {
        "C": cls,
        "Mismatch": _WrongTypeError,
        "datetime": datetime,
        "date": date,
    }
    arguments = []
    for index, field in enumerate(fields):
        value = f"v{index}"
        expression = _direct_expression(field.type, value, names)
        arguments.append((field.name, value, expression))
    lines = [
        "def structure(o):",
        f"    if o.__class__ is not dict or len(o) != {len(fields)}:",
        "        raise Mismatch('not the complete set of fields')",
    ]
    lines.extend(f"    {value} = o[{name!r}]" for name, value, _ in arguments)
    lines.append("    return C(")
    lines.extend(f"        {name}={expression}," for name, _, expression in arguments)
    lines.append("    )")
    function: Callable[[Any], Any] = compile_function(lines, names, "structure")
    _DIRECT[cls] = function
    return function


def structure_fast(data: object, cls: type[Any]) -> Any:
    """Structure *data* as *cls* quickly; raises whatever went wrong first.

    A complete object (every field present, as this library writes them)
    takes the generated direct path; anything else goes through the fast
    cattrs converter, which also accepts objects with optional fields left
    out.
    """
    try:
        return _direct_structure_fn(cls)(data)
    except Exception:
        return _STRUCTURE_FAST[cls](data, cls)


def structure_detailed(data: object, cls: type[Any]) -> Any:
    """Structure *data* as *cls*, raising cattrs' detailed exception groups."""
    return _DETAILED.structure(data, cls)


def _float_fragment(value: float) -> object:
    """Return *value* as an orjson fragment of the text the stdlib ``json`` writes.

    orjson writes some floats in another notation (``1e-05`` as ``0.00001``,
    ``1.5e-07`` as ``1.5e-7``); both read back the same, but the two paths
    promise the same bytes, so the fast path writes Python's ``repr`` too.
    """
    # Native data is made only for orjson, so it is installed when this runs.
    import orjson  # noqa: PLC0415

    return orjson.Fragment(repr(float(value)))


_Unstructure = Callable[[Any], dict[str, Any]]
_UNSTRUCTURE: Final[dict[tuple[type, bool, bool], _Unstructure]] = {}


def _plain_expression(  # noqa: PLR0911 - one return per type family
    tp: object, value: str, *, native: bool, names: dict[str, object]
) -> str:
    """Return Python source turning *value* of type *tp* into JSON-ready data.

    With *native*, dates, times, enums and tuples are left for orjson, which
    writes them exactly as the plain path does (tested), only faster.
    """
    args = typing.get_args(tp)
    if tp in (str, int, bool):
        return value
    if tp is float:
        # A float field may hold an int; write it as the float it loads as,
        # so writing, reading and writing again gives the same text.
        if native:
            names["FLOAT"] = _float_fragment
            return f"FLOAT({value})"
        return f"float({value})"
    if tp in (datetime, date) or _is_date_union(tp):
        if native:
            return value
        if type(None) in args:
            return f"(None if {value} is None else {value}.isoformat())"
        return f"{value}.isoformat()"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return value if native else f"{value}.value"
    if isinstance(tp, type) and attrs.has(tp):
        name = f"U{len(names)}"
        names[name] = _unstructure_fn(tp, native=native)
        return f"{name}({value})"
    if _is_plain_optional(tp):
        inner_type = next(arg for arg in args if arg is not type(None))
        inner = _plain_expression(inner_type, value, native=native, names=names)
        return value if inner == value else f"(None if {value} is None else {inner})"
    if typing.get_origin(tp) is tuple:
        item = _plain_expression(args[0], "x", native=native, names=names)
        if item == "x":
            return value if native else f"list({value})"
        return f"[{item} for x in {value}]"
    msg = f"no unstructure for {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


def _unstructure_fn(cls: type, *, native: bool, tagged: bool = False) -> _Unstructure:
    key = (cls, native, tagged)
    if key in _UNSTRUCTURE:
        return _UNSTRUCTURE[key]
    attrs.resolve_types(cls)
    names: dict[str, object] = {}
    # A JSON Lines line starts with the record's kind, built into the dict
    # here rather than merged in afterwards.
    tag = [f"        'type': {cls.record_kind!r},"] if tagged else []  # type: ignore[attr-defined]
    items = [
        f"        {field.name!r}: "
        f"{_plain_expression(field.type, f'o.{field.name}', native=native, names=names)},"
        for field in attrs.fields(cls)
    ]
    source = ["def unstructure(o):", "    return {", *tag, *items, "    }"]
    function: _Unstructure = compile_function(source, names, "unstructure")
    _UNSTRUCTURE[key] = function
    return function


def unstructure(record: object) -> dict[str, Any]:
    """Return *record* as plain JSON-ready data: every field, in field order.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.serialization.converter import unstructure
        >>> unstructure(samples.incident())["occurred"]
        '2025-03-01T02:40:00+00:00'
    """
    return _unstructure_fn(type(record), native=False)(record)


def unstructure_line(record: object, *, native: bool) -> dict[str, Any]:
    """Return *record* as a JSON Lines line's data: ``type`` first, then every field.

    With *native*, the data is for orjson (see :func:`unstructure_native`).
    """
    return _unstructure_fn(type(record), native=native, tagged=True)(record)


def unstructure_reference(record: object) -> dict[str, Any]:
    """Return *record* as plain data through cattrs, the reference for :func:`unstructure`.

    The generated :func:`unstructure` is what the library uses; the tests
    check that both give the same data.
    """
    data: dict[str, Any] = _FAST.unstructure(record)
    return data


def unstructure_native(record: object) -> dict[str, Any]:
    """Return *record* as data for orjson: dates, times, enums and tuples left as they are.

    orjson writes them exactly as :func:`unstructure` would, only faster.
    """
    return _unstructure_fn(type(record), native=True)(record)


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
