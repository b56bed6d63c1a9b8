"""Compact, escaped HTML for notebooks: the pieces every ``_repr_html_`` is built of.

Jupyter shows an object through its ``_repr_html_`` method when it has one.
Records, the log and the analysis results build theirs from the few pieces
here, so every display looks alike: a ``<div class="il-repr il-…">`` holding
``<table class="il-table">`` elements, each with a ``<caption>``; class names
all start ``il-``; there is no script and no style, so a notebook's own theme
applies. Every piece of text is escaped with :func:`html.escape`.

Long results are cut, so a log of a million incidents or ten thousand gaps
shows at once: a table lists at most :data:`MAX_ROWS` rows (every
``_repr_html_`` takes ``max_rows=`` to change that) and a cell lists at most
:data:`MAX_ITEMS` identifiers, each ending ``… and N more``.

The module is a leaf: it imports only the standard library and attrs, so the
model can use it; what to show of each class is decided in its own
``_repr_html_``.

Examples:
    >>> from incident_learning import samples
    >>> html = samples.incident()._repr_html_()
    >>> print(html.split("<tbody>")[0])
    <div class="il-repr il-record il-incident"><table class="il-table il-fields"><caption>incident INC-0001</caption>
    >>> '<th scope="row">category</th><td>falls</td>' in html
    True
"""

import enum
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Final, TypeVar

import attrs

__all__ = [
    "MAX_ITEMS",
    "MAX_ROWS",
    "Markup",
    "block",
    "cell",
    "check_max_rows",
    "css",
    "fields",
    "listing",
    "percent",
    "plural",
    "record_table",
    "sparkline",
    "table",
    "tally",
    "words",
]

MAX_ROWS: Final = 50
"""The most rows a table shows by default; the rest are counted, not shown."""

MAX_ITEMS: Final = 10
"""The most items (identifiers, codes) one cell lists; the rest are counted."""

T = TypeVar("T")


class Markup(str):
    """Text that is already HTML: passed through as it is, never escaped again."""

    __slots__ = ()


_NONE: Final = Markup('<span class="il-none">—</span>')


def _escape(value: object) -> Markup:
    return Markup(html.escape(str(value), quote=True))


def check_max_rows(max_rows: object) -> int:
    """Return *max_rows* if it is a whole number of 1 or more.

    Raises:
        ValueError: It is not, naming ``max_rows``.

    Examples:
        >>> from incident_learning._html import check_max_rows
        >>> check_max_rows(5)
        5
        >>> check_max_rows(0)
        Traceback (most recent call last):
        ...
        ValueError: max_rows: 0 is not a whole number of 1 or more
    """
    if type(max_rows) is not int or max_rows < 1:
        message = f"max_rows: {max_rows!r} is not a whole number of 1 or more"
        raise ValueError(message)
    return max_rows


def _more(count: int, *, earlier: bool = False) -> Markup:
    where = " earlier" if earlier else " more"
    return Markup(f'<span class="il-more">… and {count}{where}</span>')


def _number(value: float) -> str:
    # Four significant figures read at a glance; larger numbers keep every
    # whole unit rather than turning into exponents.
    if abs(value) >= 10_000:
        return f"{value:.0f}"
    return f"{value:.4g}"


def _label(member: enum.Enum) -> Markup:
    # The value is what code filters on, so it is kept whole in the title;
    # the text reads as words.
    title = f"{type(member).__name__}: {member.value}"
    return Markup(
        f'<span class="il-enum" title="{_escape(title)}">{_escape(words(member))}</span>'
    )


def listing(items: Iterable[object], *, max_items: int = MAX_ITEMS) -> Markup:
    """Return *items* as one comma-separated line, at most *max_items* of them.

    Examples:
        >>> from incident_learning._html import listing
        >>> print(listing(["INC-1", "INC-2", "INC-3"], max_items=2))
        INC-1, INC-2 <span class="il-more">… and 1 more</span>
        >>> print(listing([]))
        <span class="il-none">—</span>
    """
    values = list(items)
    if not values:
        return _NONE
    shown = ", ".join(cell(value) for value in values[:max_items])
    if len(values) > max_items:
        return Markup(f"{shown} {_more(len(values) - max_items)}")
    return Markup(shown)


def words(member: enum.Enum) -> str:
    """Return an enum member's value in words, for captions and headings.

    Examples:
        >>> from incident_learning._html import words
        >>> from incident_learning.model import ActionStatus
        >>> words(ActionStatus.VERIFIED_EFFECTIVE)
        'verified effective'
    """
    return str(member.value).replace("_", " ")


def css(member: enum.Enum) -> str:
    """Return a class name for an enum member: ``il-`` and its value, hyphenated.

    Examples:
        >>> from incident_learning._html import css
        >>> from incident_learning.model import ActionStatus
        >>> css(ActionStatus.VERIFIED_EFFECTIVE)
        'il-verified-effective'
    """
    return "il-" + str(member.value).replace("_", "-")


def tally(
    counts: Iterable[tuple[object, int]], *, max_items: int = MAX_ITEMS
) -> Markup:
    """Return ``(name, count)`` pairs as one line, ``name count`` each.

    Examples:
        >>> from incident_learning._html import tally
        >>> print(tally([("falls", 12), ("medication", 5)]))
        falls 12, medication 5
    """
    return listing(
        (Markup(f"{cell(name)} {count}") for name, count in counts),
        max_items=max_items,
    )


def plural(count: int, word: str) -> str:
    """Return *count* and *word*, with an ``s`` unless the count is one.

    Examples:
        >>> from incident_learning._html import plural
        >>> plural(1, "gap"), plural(3, "gap")
        ('1 gap', '3 gaps')
    """
    return f"{count} {word}{'' if count == 1 else 's'}"


def percent(share: float | None) -> str | None:
    """Return a share from 0 to 1 as a whole percentage; ``None`` stays ``None``.

    Examples:
        >>> from incident_learning._html import percent
        >>> percent(0.125), percent(None)
        ('12%', None)
    """
    return None if share is None else f"{share:.0%}"


def cell(value: object, *, max_items: int = MAX_ITEMS) -> Markup:  # noqa: PLR0911 - a dispatch table
    """Return *value* as escaped HTML for a table cell.

    ``None`` and empty collections show as a dash, enums by their value in
    words (the exact value in the title), dates and times in ISO 8601,
    collections as a line of at most *max_items* items, attrs instances and
    mappings as a nested table, collections of attrs instances as a nested
    table with a row each.

    Examples:
        >>> from datetime import date
        >>> from incident_learning._html import cell
        >>> from incident_learning.model import ActionStatus
        >>> print(cell('Fell near the "quiet" lounge & <b>'))
        Fell near the &quot;quiet&quot; lounge &amp; &lt;b&gt;
        >>> print(cell(ActionStatus.IN_PROGRESS))
        <span class="il-enum" title="ActionStatus: in_progress">in progress</span>
        >>> print(cell(date(2025, 3, 1)), cell(True), cell(2 / 3), cell(None))
        2025-03-01 yes 0.6667 <span class="il-none">—</span>
    """
    if isinstance(value, Markup):
        return value
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, enum.Enum):
        return _label(value)
    if isinstance(value, date):  # datetimes included
        return Markup(value.isoformat())
    if isinstance(value, float):
        return Markup(_number(value))
    if isinstance(value, str | int):
        return _escape(value)
    if isinstance(value, Mapping):
        return fields(None, value.items(), max_items=max_items)
    if isinstance(value, tuple | list | frozenset | set):
        return _collection(value, max_items=max_items)
    names = _field_names(type(value))
    if names is not None:
        pairs = [(name, getattr(value, name)) for name in names]
        return fields(None, pairs, max_items=max_items)
    return _escape(value)


def _field_names(cls: type) -> list[str] | None:
    """Return the fields of *cls* if it is an attrs class, else ``None``."""
    if not attrs.has(cls):
        return None
    return [field.name for field in attrs.fields(cls)]


def _collection(
    value: tuple[object, ...] | list[object] | frozenset[object] | set[object],
    *,
    max_items: int,
) -> Markup:
    items: Sequence[object] = (
        sorted(value, key=str) if isinstance(value, frozenset | set) else value
    )
    names = _field_names(type(items[0])) if items else None
    if names is not None:
        return table(
            None,
            names,
            items,
            lambda item: [getattr(item, name) for name in names],
            max_rows=max_items,
        )
    return listing(items, max_items=max_items)


def _caption(caption: str | None) -> str:
    return "" if caption is None else f"<caption>{cell(caption)}</caption>"


def fields(
    caption: str | None,
    pairs: Iterable[tuple[str, object]],
    *,
    marks: Mapping[str, tuple[str, str]] | None = None,
    max_items: int = MAX_ITEMS,
) -> Markup:
    """Return a two-column table of ``(name, value)`` *pairs*.

    Args:
        caption: The table's caption (text, or :class:`Markup`); ``None``
            for a table nested in a cell.
        pairs: Each row's name and value; a value is shown with :func:`cell`.
        marks: For some names, a class for the row and a note for its title.
        max_items: The most items a collection in a cell lists.

    Examples:
        >>> from incident_learning._html import fields
        >>> print(fields("Totals", [("gaps", 3), ("as of", None)]))
        <table class="il-table il-fields"><caption>Totals</caption><tbody><tr><th scope="row">gaps</th><td>3</td></tr><tr><th scope="row">as of</th><td><span class="il-none">—</span></td></tr></tbody></table>
    """
    marks = marks or {}
    rows = []
    for name, value in pairs:
        mark = marks.get(name)
        opening = (
            "<tr>"
            if mark is None
            else f'<tr class="{_escape(mark[0])}" title="{_escape(mark[1])}">'
        )
        rows.append(
            f'{opening}<th scope="row">{_escape(name)}</th>'
            f"<td>{cell(value, max_items=max_items)}</td></tr>"
        )
    return Markup(
        f'<table class="il-table il-fields">{_caption(caption)}'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def table(  # noqa: PLR0913 - the layout of one table, each part named
    caption: str | None,
    columns: Sequence[str],
    items: Sequence[T],
    row: Callable[[T], Sequence[object]],
    *,
    max_rows: int = MAX_ROWS,
    max_items: int = MAX_ITEMS,
    row_class: Callable[[T], str | None] | None = None,
    latest: bool = False,
) -> Markup:
    """Return a table of *items*, one row each, at most *max_rows* of them.

    Only the rows shown are built, so a table of a million items costs no
    more than one of *max_rows*.

    Args:
        caption: The table's caption; ``None`` for a table nested in a cell.
        columns: The column headings.
        items: The items, in the order to show them.
        row: The values of an item's row, one per column.
        max_rows: The most rows shown; a last row counts the rest.
        max_items: The most items a collection in a cell lists.
        row_class: A class for an item's row (e.g. a signal), or ``None``.
        latest: Show the last *max_rows* items, not the first: for time
            series, where the latest periods matter most.

    Examples:
        >>> from incident_learning._html import table
        >>> print(
        ...     table(
        ...         "Squares", ["n", "n²"], [1, 2, 3], lambda n: [n, n * n], max_rows=2
        ...     )
        ... )
        <table class="il-table"><caption>Squares</caption><thead><tr><th scope="col">n</th><th scope="col">n²</th></tr></thead><tbody><tr><td>1</td><td>1</td></tr><tr><td>2</td><td>4</td></tr><tr class="il-more"><td colspan="2"><span class="il-more">… and 1 more</span></td></tr></tbody></table>
    """
    check_max_rows(max_rows)
    head = "".join(f'<th scope="col">{_escape(name)}</th>' for name in columns)
    hidden = max(len(items) - max_rows, 0)
    shown = items[hidden:] if latest else items[:max_rows]
    body = []
    for item in shown:
        css = row_class(item) if row_class is not None else None
        opening = "<tr>" if css is None else f'<tr class="{_escape(css)}">'
        values = "".join(
            f"<td>{cell(value, max_items=max_items)}</td>" for value in row(item)
        )
        body.append(f"{opening}{values}</tr>")
    span = f'<td colspan="{len(columns)}">'
    if not items:
        body.append(f'<tr class="il-empty">{span}{_NONE}</td></tr>')
    elif hidden:
        more = f'<tr class="il-more">{span}{_more(hidden, earlier=latest)}</td></tr>'
        body.insert(0 if latest else len(body), more)
    return Markup(
        f'<table class="il-table">{_caption(caption)}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def block(kind: str, *parts: str) -> Markup:
    """Return *parts* in one ``<div>`` of classes ``il-repr`` and ``il-`` *kind*.

    Examples:
        >>> from incident_learning._html import block
        >>> print(block("gaps loop-gaps", "<p>x</p>"))
        <div class="il-repr il-gaps il-loop-gaps"><p>x</p></div>
    """
    classes = " ".join(f"il-{name}" for name in kind.split())
    return Markup(f'<div class="il-repr {_escape(classes)}">{"".join(parts)}</div>')


def record_table(
    value: object,
    *,
    kind: str,
    personal: Mapping[str, object],
    trailing: Sequence[str] = (),
    max_rows: int = MAX_ROWS,
) -> Markup:
    """Return a record as a two-column table of its fields, then its derived values.

    The record's own content is shown, free text included: a notebook user
    reading a log is the data controller's analyst, as entitled to it as to
    ``repr``. Fields holding personal data are marked (class
    ``il-personal``, with a title saying which kind); display a
    pseudonymised log where that matters.

    Args:
        value: An attrs record with an ``id``.
        kind: The record kind, for the caption and the classes.
        personal: Which fields hold personal data, and of which kind.
        trailing: Fields to show last (who recorded it, when, the version).
        max_rows: The most items a list or a nested table of the record shows.

    Examples:
        >>> from incident_learning import samples
        >>> html = samples.action()._repr_html_()
        >>> '<th scope="row">status</th><td><span class="il-enum"' in html
        True
    """
    check_max_rows(max_rows)
    names = _field_names(type(value))
    if names is None:
        message = f"{value!r} is not a record"
        raise TypeError(message)
    ordered = [name for name in names if name not in trailing] + [
        name for name in names if name in trailing
    ]
    pairs: list[tuple[str, object]] = [(name, getattr(value, name)) for name in ordered]
    marks = {
        name: ("il-personal", f"personal data ({_words(data)})")
        for name, data in personal.items()
    }
    for name in _derived(type(value)):
        pairs.append((name, getattr(value, name)))
        marks[name] = ("il-derived", "derived from the fields above")
    caption = f"{kind} {getattr(value, 'id', '')}".rstrip()
    version = getattr(value, "version", 1)
    if version != 1:
        caption += f", version {version}"
    if getattr(value, "entered_in_error", False):
        caption += ", entered in error"
    return block(
        f"record {kind.replace('_', '-')}",
        fields(caption, pairs, marks=marks, max_items=max_rows),
    )


def _words(value: object) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def _derived(cls: type) -> list[str]:
    """Return the public properties *cls* defines, in definition order."""
    seen: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            if isinstance(member, property) and not name.startswith("_"):
                seen[name] = None
    return list(seen)


def sparkline(
    values: Sequence[float | None],
    *,
    marks: Sequence[bool] = (),
    width: int = 160,
    height: int = 32,
) -> Markup:
    """Return a small inline SVG line of *values*; marked points get a dot.

    ``None`` values leave a gap in the x axis but no point. Fewer than two
    known values give an empty string: a line needs two points.

    Examples:
        >>> from incident_learning._html import sparkline
        >>> svg = sparkline([1.0, 3.0, None, 2.0], marks=[False, True, False, False])
        >>> svg.startswith('<svg class="il-sparkline"'), svg.count("<circle")
        (True, 1)
        >>> sparkline([1.0])
        ''
    """
    known = [(index, v) for index, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return Markup("")
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    spread = (high - low) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)

    def xy(index: int, v: float) -> tuple[float, float]:
        return 2 + index * step, height - 2 - (v - low) / spread * (height - 4)

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in known))
    dots = "".join(
        '<circle cx="{:.1f}" cy="{:.1f}" r="2" fill="currentColor"/>'.format(*xy(i, v))
        for i, v in known
        if i < len(marks) and marks[i]
    )
    label = f"{len(known)} values from {_number(low)} to {_number(high)}"
    return Markup(
        f'<svg class="il-sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_escape(label)}">'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1" points="{points}"/>'
        f"{dots}</svg>"
    )
