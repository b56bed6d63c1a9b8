"""Helpers for the functions the library generates per record class.

Like attrs' own ``__init__``, the hot paths (validation, reading, writing,
reference checks) are generated once per class as flat Python source, which
runs several times faster than a loop over field descriptions.
"""

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["compile_function", "singular", "without_none"]


def without_none(tp: object) -> tuple[object, bool]:
    """Return *tp* without ``None`` and whether ``None`` was allowed.

    Examples:
        >>> from datetime import date, datetime
        >>> from incident_learning._codegen import without_none
        >>> without_none(str | None)
        (<class 'str'>, True)
        >>> without_none(datetime | date | None)
        (typing.Union[datetime.datetime, datetime.date], True)
        >>> without_none(int)
        (<class 'int'>, False)
    """
    args = typing.get_args(tp)
    if not (isinstance(tp, types.UnionType) and type(None) in args):
        return tp, False
    rest = tuple(arg for arg in args if arg is not type(None))
    return (rest[0] if len(rest) == 1 else typing.Union[rest]), True  # noqa: UP007


def singular(name: str) -> str:
    """Return the singular of the plural field *name*: the name of one of its items.

    Examples:
        >>> from incident_learning._codegen import singular
        >>> singular("secondary_categories"), singular("attendees")
        ('secondary_category', 'attendee')
    """
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name.removesuffix("s")


def compile_function(
    lines: Iterable[str], names: Mapping[str, object], name: str
) -> Callable[..., Any]:
    """Compile the source *lines* defining function *name*, seeing *names*.

    Examples:
        >>> from incident_learning._codegen import compile_function
        >>> double = compile_function(
        ...     ["def double(x):", "    return K * x"], {"K": 2}, "double"
        ... )
        >>> double(21)
        42
    """
    namespace = dict(names)
    exec("\n".join(lines), namespace)  # noqa: S102 - source the library built itself
    function: Callable[..., Any] = namespace[name]  # type: ignore[assignment]
    return function
