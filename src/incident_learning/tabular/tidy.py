"""Tidy CSV: a learning log as one CSV file per table, written and read losslessly.

:func:`export_csv` writes a folder with one file per record kind
(``incidents.csv``, ``actions.csv``, ...), every version of every record,
one child table per repeated nested value (``incident_people_affected.csv``)
and one link table per tuple of identifiers or codes
(``action_learning_points.csv``), named as :mod:`incident_learning.frames`
names its DataFrames. Cells keep the JSON format's lossless text: ISO 8601
with the original UTC offset (a date alone has no ``T``), floats by
``repr``, enumerations by value, ``true``/``false``, and a blank cell for
``None``. :func:`load_csv` reads such a folder back into an equal log;
:func:`import_folder` reads one leniently into an existing log, rejecting
bad rows and whatever then refers to them.

The tables and columns are read off the model, so a new field becomes a new
column without a change here.
"""

from __future__ import annotations

import csv
import enum
import io
import math
import os
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import attrs

from incident_learning._codegen import compile_function, singular, without_none
from incident_learning._collector import collector_paused
from incident_learning.exceptions import (
    DateParseError,
    InvalidDataError,
    InvalidRecordError,
    Problem,
    UnsupportedFormatError,
)
from incident_learning.model.base import IS_ID, REFERS_TO, Record, reference_fields
from incident_learning.model.codes import LocalCode
from incident_learning.model.log import RECORD_TYPES, LearningLog
from incident_learning.model.time import parse_date, parse_datetime
from incident_learning.serialization.format import FORMAT
from incident_learning.tabular._csvfile import (
    BLANK,
    CsvFile,
    decode,
    excel_serial,
    normalised,
    parse_bool,
    read_csv_file,
    write_rows,
)
from incident_learning.tabular._result import (
    REJECT_COLUMNS,
    ImportResult,
    RejectedRow,
    RowRejectedError,
    write_rejects,
)

__all__ = [
    "FORMAT_FILE",
    "LOCAL_CODES_FILE",
    "TABLES",
    "export_csv",
    "import_folder",
    "load_csv",
    "parse_cell",
]

FORMAT_FILE: Final = "format.csv"
"""The file naming the format, one ``format`` column: ``incident_learning/1``."""

LOCAL_CODES_FILE: Final = "local_codes.csv"
"""The file of the log's local codes, one column per :class:`~incident_learning.model.codes.LocalCode` field."""

ZONE: Final = "Europe/London"
"""The zone a time typed without an offset (by a person, in a spreadsheet) is in."""


# --- layout -------------------------------------------------------------------


@attrs.frozen
class _Field:
    """How one attrs field of a table's items is held.

    *kind* is ``leaf`` (a column), ``nested`` (a nested value flattened into
    columns; *column* is its presence column, if it needs one), ``items``
    (a tuple of nested values, in the child table *table*) or ``links``
    (a tuple of scalars, in the link table *table*).
    """

    name: str
    kind: str
    column: str = ""
    tp: Any = None
    optional: bool = False
    text: bool = False
    shape: _Shape | None = None
    table: str = ""
    required: bool = False


@attrs.frozen
class _Shape:
    cls: type
    fields: tuple[_Field, ...]


@attrs.frozen
class _Table:
    """A table: its name, what its rows hold, and their columns in order.

    Record tables have no *parent*; a child or link table's rows start with
    the parent's id (a column named for its kind), ``version`` and
    ``position``, and belong to the record field at *path*.
    """

    name: str
    cls: type[Record]
    parent: str | None
    path: tuple[str, ...]
    shape: _Shape
    columns: tuple[str, ...]
    leaves: tuple[_Field, ...]


def _always_written(shape: _Shape) -> bool:
    """Whether a present value of *shape* always fills at least one cell."""
    for field in shape.fields:
        if field.kind == "leaf" and not field.optional:
            return True
        if field.kind == "nested" and not field.optional:  # pragma: no cover
            # The model has no required nested value yet; one would count.
            assert field.shape is not None  # noqa: S101 - nested fields have one
            if _always_written(field.shape):
                return True
    return False


def _shape(
    cls: type, kind: str, prefix: tuple[str, ...], tables: list[tuple[str, ...]] | None
) -> _Shape:
    """Return how *cls*'s fields are held, naming columns after *prefix*.

    Each tuple field adds ``(table name, path)`` to *tables*; *tables* is
    ``None`` inside a child table, whose items hold no tuples.
    """
    attrs.resolve_types(cls)
    fields = []
    for field in attrs.fields(cls):
        tp, optional = without_none(field.type)
        where = (*prefix, field.name)
        name = "_".join(where)
        if typing.get_origin(tp) is tuple:
            if tables is None:  # pragma: no cover - the model has none
                msg = f"{cls.__name__}.{field.name}: a tuple inside a tuple"
                raise TypeError(msg)
            inner = typing.get_args(tp)[0]
            table = f"{kind}_{name}"
            tables.append((table, *where))
            if isinstance(inner, type) and attrs.has(inner):
                child = _shape(inner, kind, (), None)
                fields.append(_Field(field.name, "items", shape=child, table=table))
            else:
                kinds = field.metadata.get(REFERS_TO)
                column = kinds[0] if kinds else singular(field.name)
                fields.append(
                    _Field(field.name, "links", column=column, tp=inner, table=table)
                )
        elif isinstance(tp, type) and attrs.has(tp):
            inner_shape = _shape(tp, kind, where, tables)
            presence = name if optional and not _always_written(inner_shape) else ""
            fields.append(
                _Field(
                    field.name,
                    "nested",
                    column=presence,
                    optional=optional,
                    shape=inner_shape,
                )
            )
        else:
            is_id = bool(field.metadata.get(REFERS_TO) or field.metadata.get(IS_ID))
            fields.append(
                _Field(
                    field.name,
                    "leaf",
                    column=name,
                    tp=tp,
                    optional=optional,
                    text=tp is str and not is_id,
                    required=field.default is attrs.NOTHING,
                )
            )
    return _Shape(cls, tuple(fields))


def _leaves(shape: _Shape) -> Iterator[_Field]:
    """Yield the columns of *shape*: leaves, and presence columns of nested values."""
    for field in shape.fields:
        if field.kind == "leaf":
            yield field
        elif field.kind == "nested":
            assert field.shape is not None  # noqa: S101 - nested fields have one
            if field.column:
                yield _Field(field.name, "leaf", column=field.column, tp=bool)
            yield from _leaves(field.shape)


def _find(shape: _Shape, path: Sequence[str]) -> _Field:
    for field in shape.fields:
        if field.name == path[0]:
            if len(path) == 1:
                return field
            assert field.shape is not None  # noqa: S101 - a path runs through nested
            return _find(field.shape, path[1:])
    msg = f"no field {path!r}"  # pragma: no cover - paths come from the layout
    raise KeyError(msg)  # pragma: no cover


def _layout() -> tuple[_Table, ...]:
    tables: list[_Table] = []
    for cls in RECORD_TYPES:
        kind = cls.record_kind
        children: list[tuple[str, ...]] = []
        shape = _shape(cls, kind, (), children)
        leaves = tuple(_leaves(shape))
        columns = tuple(field.column for field in leaves)
        tables.append(_Table(f"{kind}s", cls, None, (), shape, columns, leaves))
        for name, *path in children:
            field = _find(shape, path)
            keys = (kind, "version", "position")
            if field.kind == "items":
                assert field.shape is not None  # noqa: S101 - items have a shape
                child_leaves = tuple(_leaves(field.shape))
                child_shape = field.shape
            else:
                link = _Field("value", "leaf", column=field.column, tp=field.tp)
                child_leaves = (link,)
                child_shape = _Shape(object, (link,))
            child_columns = (*keys, *(leaf.column for leaf in child_leaves))
            tables.append(
                _Table(
                    name,
                    cls,
                    kind,
                    tuple(path),
                    child_shape,
                    child_columns,
                    child_leaves,
                )
            )
    return tuple(tables)


_LAYOUT: Final = _layout()

TABLES: Final[Mapping[str, tuple[str, ...]]] = {
    table.name: table.columns for table in _LAYOUT
}
"""Each table :func:`~incident_learning.tabular.export_csv` writes (without ``.csv``) and its columns."""

_LOCAL_CODE_COLUMNS: Final = tuple(field.name for field in attrs.fields(LocalCode))


# --- writing ------------------------------------------------------------------


def _text(tp: object, value: str, names: dict[str, object]) -> str:
    """Return the source giving the lossless cell text of *value*, of type *tp*."""
    if tp is str:
        return value
    if tp is bool:
        return f"('true' if {value} else 'false')"
    if tp is int:
        return f"str({value})"
    if tp is float:
        # A float field may hold an int: written as the float it reads as,
        # as the JSON format writes it.
        return f"repr(float({value}))"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"str({value}.value)"
    # A date, a date and time, or either: ISO 8601, the offset as recorded.
    return f"{value}.isoformat()"


def _leaf_text(field: _Field, value: str, names: dict[str, object]) -> str:
    text = _text(field.tp, value, names)
    if not field.optional:
        return text
    return f"('' if {value} is None else {text})"


def _cells_source(shape: _Shape, item: str, names: dict[str, object]) -> list[str]:
    """Return the source of each cell (or starred run of cells) of *item* of *shape*."""
    cells = []
    for field in shape.fields:
        value = f"{item}.{field.name}"
        if field.kind == "leaf":
            cells.append(_leaf_text(field, value, names))
        elif field.kind == "nested":
            assert field.shape is not None  # noqa: S101 - nested fields have one
            name = f"N{len(names)}"
            inner = _cells_source(field.shape, "n", names)
            if field.column:
                inner.insert(0, "'true'")
            names[name] = compile_function(
                ["def cells(n):", f"    return [{', '.join(inner)}]"], names, "cells"
            )
            blanks = [""] * len(inner)
            cells.append(
                f"*({blanks!r} if (v := {value}) is None else {name}(v))"
                if field.optional
                else f"*{name}({value})"
            )
    return cells


def _row_writer(table: _Table) -> Callable[[Sequence[Record]], Iterator[list[str]]]:
    """Return a generated function yielding the rows of *table* for its class's records.

    Rows are made as they are written, so that no more than one is alive
    at a time (a list of them all would keep the collector busy).
    """
    names: dict[str, object] = {}
    if table.parent is None:
        cells = _cells_source(table.shape, "r", names)
        lines = [
            "def rows(records):",
            f"    return ([{', '.join(cells)}] for r in records)",
        ]
        return compile_function(lines, names, "rows")
    if table.leaves[0].name == "value":
        cells = [_text(table.leaves[0].tp, "i", names)]
    else:
        cells = _cells_source(table.shape, "i", names)
    lines = [
        "def rows(records):",
        "    for r in records:",
        "        t = r",
    ]
    for name in table.path[:-1]:
        # A tuple inside an optional nested value: none when the value is.
        lines += [
            f"        t = t.{name}",
            "        if t is None:",
            "            continue",
        ]
    lines += [
        f"        t = t.{table.path[-1]}",
        "        if t:",
        "            k, v = r.id, str(r.version)",
        "            for p, i in enumerate(t):",
        f"                yield [k, v, str(p), {', '.join(cells)}]",
    ]
    return compile_function(lines, names, "rows")


_ROW_WRITERS: Final = {table.name: _row_writer(table) for table in _LAYOUT}


def export_csv(
    log: LearningLog, folder: str | os.PathLike[str], *, bom: bool = False
) -> tuple[Path, ...]:
    """Write every version of every record in *log* to tidy CSV files in *folder*.

    One file per table of :data:`~incident_learning.tabular.tidy.TABLES`, every one written (header only
    when empty), plus :data:`~incident_learning.tabular.tidy.FORMAT_FILE` and :data:`~incident_learning.tabular.tidy.LOCAL_CODES_FILE`. The
    bytes depend only on the log: UTF-8, CRLF line ends (RFC 4180), records
    by kind, then id, oldest version first. The folder is made if needed;
    files of the same names are replaced.

    Args:
        log: The log; it is not modified.
        folder: Where to write.
        bom: Start each file with a UTF-8 byte-order mark, which makes
            Excel read it as UTF-8 (it reads a file without one as the
            Windows code page, garbling ``£`` and accents).

    Returns:
        The paths written.

    Examples:
        >>> import tempfile
        >>> from incident_learning import samples
        >>> from incident_learning.tabular import export_csv, load_csv
        >>> log = samples.small_log()
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = export_csv(log, folder)
        ...     again = load_csv(folder)
        >>> [path.name for path in paths][:3]
        ['format.csv', 'local_codes.csv', 'providers.csv']
        >>> again.get("INC-0001") == log.get("INC-0001")
        True
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = [
        write_rows(root / FORMAT_FILE, ["format"], [[FORMAT]], bom=bom),
        write_rows(
            root / LOCAL_CODES_FILE,
            _LOCAL_CODE_COLUMNS,
            (
                [getattr(code, name) for name in _LOCAL_CODE_COLUMNS]
                for code in log.local_codes
            ),
            bom=bom,
        ),
    ]
    by_class: dict[type, list[Record]] = {cls: [] for cls in RECORD_TYPES}
    for record in log.all_versions():
        by_class[type(record)].append(record)
    for table in _LAYOUT:
        rows = _ROW_WRITERS[table.name](by_class[table.cls])
        paths.append(
            write_rows(root / f"{table.name}.csv", table.columns, rows, bom=bom)
        )
    return tuple(paths)


# --- reading cells ------------------------------------------------------------


def _enum_reader(cls: type[enum.Enum]) -> Callable[[str], object]:
    members = cls._value2member_map_
    folded = {normalised(str(value)): member for value, member in members.items()}
    for member in cls:
        display = getattr(member, "display", None)
        if isinstance(display, str):
            folded.setdefault(normalised(display), member)
    choices = ", ".join(repr(member.value) for member in cls)

    def read_enum(text: str) -> object:
        member = members.get(text)
        if member is None:
            member = folded.get(normalised(text))
        if member is None:
            msg = f"{text!r} is not one of {choices}"
            raise ValueError(msg)
        return member

    return read_enum


def _read_int(text: str) -> int:
    if text.lstrip("-").isdigit() and text.isascii():
        return int(text)
    msg = f"{text!r} is not a whole number"
    raise ValueError(msg)


def _read_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"{text!r} is not a number"
        raise ValueError(msg) from None
    if not math.isfinite(value):
        msg = f"{text!r} is not a finite number"
        raise ValueError(msg)
    return value


def _read_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is not None and value.utcoffset() is not None:
        return value
    serial = excel_serial(text)
    if serial is not None:
        text = serial.isoformat()
    return parse_datetime(text, zone=ZONE)


def _read_date(text: str) -> date:
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    serial = excel_serial(text)
    if serial is not None:
        if serial.hour or serial.minute or serial.second:
            msg = f"{text!r} is an Excel date with a time of day; a date alone is expected"
            raise ValueError(msg)
        return serial.date()
    return parse_date(text)


def _read_date_or_datetime(text: str) -> date:
    serial = excel_serial(text)
    if serial is not None:
        return (
            _read_datetime(text)
            if (serial.hour or serial.minute or serial.second)
            else serial.date()
        )
    if len(text) == 10 or ("T" not in text and ":" not in text):
        return _read_date(text)
    return _read_datetime(text)


def parse_cell(tp: object) -> Callable[[str], object]:  # noqa: PLR0911 - a dispatch table
    """Return the reader of a non-blank cell holding a value of type *tp*.

    Canonical text (what :func:`export_csv` writes) is read exactly; what a
    spreadsheet makes of it when a person edits and saves the file is read
    too: ``TRUE``, ``yes``, UK day-first dates (``03/04/2025`` is 3 April),
    Excel serial dates, and times without an offset, in Europe/London.

    Examples:
        >>> from datetime import datetime
        >>> from incident_learning.tabular import parse_cell
        >>> parse_cell(datetime)("03/04/2025 14:30").isoformat()
        '2025-04-03T14:30:00+01:00'
        >>> parse_cell(bool)("TRUE")
        True
    """
    if tp is str:
        return str
    if tp is bool:
        return parse_bool
    if tp is int:
        return _read_int
    if tp is float:
        return _read_float
    if tp is datetime:
        return _read_datetime
    if tp is date:
        return _read_date
    if set(typing.get_args(tp)) == {datetime, date}:
        return _read_date_or_datetime
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_reader(tp)
    msg = f"no reader for {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


# --- reading rows -------------------------------------------------------------


class _RowError(Exception):
    """A cell or row that cannot be read: the column and the reason."""

    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason
        super().__init__(column, reason)


@attrs.define
class _Row:
    """One row read: where it is, its cells, and what it holds."""

    table: _Table
    file: CsvFile
    line: int
    cells: list[str]
    values: dict[str, object] = attrs.field(factory=dict)
    key: tuple[str, int] | None = None
    problem: _RowError | None = None
    record: Record | None = None
    children: list[tuple[int, _Row]] = attrs.field(factory=list)

    @property
    def where(self) -> str:
        return f"{self.file.name} line {self.line}"

    def rejected(self, column: str, reason: str) -> RejectedRow:
        return RejectedRow(
            file=self.file.name,
            line=self.line,
            column=column,
            reason=reason,
            cells=tuple(self.cells),
        )


def _cell_readers(table: _Table) -> list[tuple[str, Callable[[str], object], bool]]:
    readers: list[tuple[str, Callable[[str], object], bool]] = []
    if table.parent:
        readers = [
            (table.columns[0], str, False),
            ("version", _read_int, False),
            ("position", _read_int, False),
        ]
    readers.extend(
        (leaf.column, parse_cell(leaf.tp), leaf.text) for leaf in table.leaves
    )
    return readers


def _read_rows(table: _Table, file: CsvFile) -> Iterator[_Row]:
    readers = _cell_readers(table)
    where = {
        column: file.header.index(column)
        for column, _, _ in readers
        if column in file.header
    }
    width = len(file.header)
    plan = [(column, read, text, where.get(column)) for column, read, text in readers]
    for line, cells, malformed in file.rows():
        row = _Row(table, file, line, cells)
        yield row
        if malformed is not None:
            row.problem = _RowError("", malformed)
            continue
        if len(cells) < width or any(cell.strip(BLANK) for cell in cells[width:]):
            row.problem = _RowError(
                "", f"has {len(cells)} cells; the header has {width}"
            )
            continue
        values = row.values
        for column, read, text, index in plan:
            if index is None:
                values[column] = None
                continue
            cell = cells[index]
            if text:
                # Free text is kept exactly as written, and is blank when
                # the model calls it blank: whitespace alone (a zero-width
                # space is text to the model, and so it is kept).
                values[column] = cell if cell.strip() else None
                continue
            # Everything else is read without its stray whitespace.
            stripped = cell.strip(BLANK)
            if not stripped:
                values[column] = None
                continue
            try:
                values[column] = read(stripped)
            except (ValueError, DateParseError) as error:
                row.problem = _RowError(column, str(error))
                break


def _build(
    shape: _Shape, values: Mapping[str, object], children: Mapping[str, list[object]]
) -> object:
    """Build an item of *shape* from its columns' *values* and child tables' items."""
    kwargs: dict[str, object] = {}
    for field in shape.fields:
        if field.kind == "leaf":
            value = values[field.column]
            if value is not None:
                kwargs[field.name] = value
            elif field.required:
                raise _RowError(field.column, "is blank, but a value is required")
        elif field.kind == "nested":
            nested = _nested(field, values, children)
            if nested is not None:
                kwargs[field.name] = nested
        else:
            found = children.get(field.table)
            if found is not None:
                kwargs[field.name] = tuple(found)
    try:
        return shape.cls(**kwargs)
    except InvalidRecordError as error:
        column = _column_of(shape, error.problems[0].field)
        reasons = "; ".join(
            problem.message
            if _column_of(shape, problem.field) == column
            else f"{problem.field}: {problem.message}"
            for problem in error.problems
        )
        raise _RowError(column, reasons) from None


def _column_of(shape: _Shape, field: str) -> str:
    """Return the column that holds the field at the dotted *field* path, if one does.

    A field in a child table is its file; a nested value without a
    presence column, or a name the shape lacks, has no column (``""``).
    """
    parts = field.replace("[", ".").split(".")
    current = shape
    for part in parts:
        found = next((found for found in current.fields if found.name == part), None)
        if found is None:
            return ""
        if found.kind == "leaf":
            return found.column
        if found.kind != "nested":
            return found.table + ".csv"
        if found.column and part == parts[-1]:
            return found.column
        assert found.shape is not None  # noqa: S101 - nested fields have one
        current = found.shape
    return ""


_NESTED_PARTS: Final[dict[int, tuple[tuple[str, ...], tuple[str, ...]]]] = {}
"""The columns and child tables of each nested field, by the field's ``id``:
the fields of the layout live as long as the module."""


def _nested(
    field: _Field, values: Mapping[str, object], children: Mapping[str, list[object]]
) -> object:
    parts = _NESTED_PARTS.get(id(field))
    if parts is None:
        assert field.shape is not None  # noqa: S101 - nested fields have one
        parts = (
            tuple(leaf.column for leaf in _leaves(field.shape)),
            tuple(_child_tables(field.shape)),
        )
        _NESTED_PARTS[id(field)] = parts
    filled = [column for column in parts[0] if values[column] is not None]
    tables = [name for name in parts[1] if children.get(name)]
    present = bool(filled or tables)
    if field.column:
        flag = values[field.column]
        if flag is False or (flag is None and present):
            if present:
                what = filled[0] if filled else f"{tables[0]}.csv"
                shown = "false" if flag is False else "blank"
                raise _RowError(field.column, f"is {shown}, but {what} is filled in")
            return None
        present = flag is True
    if not present and field.optional:
        return None
    # A required nested value left blank: _build names what is missing.
    assert field.shape is not None  # noqa: S101 - nested fields have one
    return _build(field.shape, values, children)


def _child_tables(shape: _Shape) -> Iterator[str]:
    for field in shape.fields:
        if field.kind in ("items", "links"):
            yield field.table
        elif field.kind == "nested":  # pragma: no cover - none nests a tuple deeper
            assert field.shape is not None  # noqa: S101 - nested fields have one
            yield from _child_tables(field.shape)


# --- reading a folder ---------------------------------------------------------


@attrs.define
class _Folder:
    """Everything read from a folder: files, rows, local codes and problems."""

    files: dict[str, CsvFile] = attrs.field(factory=dict)
    rows: list[_Row] = attrs.field(factory=list)
    local_codes: list[LocalCode] = attrs.field(factory=list)
    local_rows: list[_Row] = attrs.field(factory=list)


def _open(root: Path, name: str, files: dict[str, CsvFile]) -> CsvFile | None:
    path = root / name
    if not path.exists():
        return None
    file = read_csv_file(path, name=name)
    files[name] = file
    return file


def _check_format(root: Path, files: dict[str, CsvFile]) -> None:
    file = _open(root, FORMAT_FILE, files)
    if file is None:
        return
    found = [cells[0].strip(BLANK) for _, cells, _ in file.rows()]
    if found != [FORMAT] or file.header[:1] != ("format",):
        if found and found[0].startswith("incident_learning/") and found[0] > FORMAT:
            raise UnsupportedFormatError(found[0], FORMAT)
        message = f"must hold one 'format' row {FORMAT!r}; found {found!r}"
        raise InvalidDataError([Problem(path=FORMAT_FILE, message=message)])


def _read_folder(folder: str | os.PathLike[str]) -> _Folder:
    root = _root(folder)
    result = _read_head(root)
    for table in _LAYOUT:
        file = _open(root, f"{table.name}.csv", result.files)
        if file is not None:
            result.rows.extend(_read_rows(table, file))
    return result


def _root(folder: str | os.PathLike[str]) -> Path:
    root = Path(folder)
    if not root.is_dir():
        msg = f"{os.fspath(folder)!r} is not a folder"
        raise FileNotFoundError(msg)
    return root


def _read_head(root: Path) -> _Folder:
    """Check the format file and read the local codes, each row with its problem."""
    result = _Folder()
    _check_format(root, result.files)
    codes = _open(root, LOCAL_CODES_FILE, result.files)
    if codes is not None:
        for line, cells, malformed in codes.rows():
            row = _Row(_LAYOUT[0], codes, line, cells)
            result.local_rows.append(row)
            if malformed is not None:
                row.problem = _RowError("", malformed)
                continue
            values = {
                # Kept exactly as written, as free text is.
                column: cells[codes.header.index(column)]
                if column in codes.header and codes.header.index(column) < len(cells)
                else ""
                for column in _LOCAL_CODE_COLUMNS
            }
            try:
                result.local_codes.append(LocalCode(**values))
            except TypeError as error:  # pragma: no cover - LocalCode takes these
                row.problem = _RowError("", str(error))
            blank = [
                column for column, value in values.items() if not value.strip(BLANK)
            ]
            if blank:
                row.problem = _RowError(
                    blank[0], "is blank; a local code needs every column"
                )
    return result


def _attach(folder: _Folder) -> list[_Row]:
    """Give each record row its key and its child rows; return the record rows.

    A child row whose record row is missing or rejected gets a problem.
    """
    records: dict[tuple[str, str, int], _Row] = {}
    parents: list[_Row] = []
    for row in folder.rows:
        table = row.table
        if table.parent is None:
            parents.append(row)
            record_id, version = row.values.get("id"), row.values.get("version")
            if isinstance(record_id, str):
                row.key = (record_id, version if isinstance(version, int) else 1)
                records.setdefault((table.name, *row.key), row)
            continue
        # A child row with a bad cell still belongs to its record, when its
        # keys were read: the record cannot stand without it.
        parent_id, version = row.values.get(table.parent), row.values.get("version")
        position = row.values.get("position")
        missing = [
            column
            for column, value in (
                (table.parent, parent_id),
                ("version", version),
                ("position", position),
            )
            if value is None
        ]
        if missing:
            if row.problem is None:
                row.problem = _RowError(
                    missing[0],
                    "is blank; a child row needs its record's id, version and position",
                )
            continue
        owner = records.get((f"{table.cls.record_kind}s", str(parent_id), int(version)))  # type: ignore[call-overload]
        if owner is None:
            if row.problem is None:
                row.problem = _RowError(
                    table.parent,
                    f"{parent_id!r} version {version} is not a row of {table.cls.record_kind}s.csv",
                )
            continue
        owner.children.append((0, row))
    return parents


def _build_records(parents: list[_Row]) -> None:
    """Build the record of each row without a problem, noting each failure."""
    for row in parents:
        if row.problem is not None:
            continue
        bad = [child for _, child in row.children if child.problem is not None]
        if bad:
            child = bad[0]
            assert child.problem is not None  # noqa: S101 - filtered above
            row.problem = _RowError(
                "", f"its row at {child.where} is rejected: {child.problem.reason}"
            )
            continue
        children: dict[str, list[tuple[int, object]]] = {}
        for _, child in row.children:
            table = child.table
            item = (
                child.values[table.leaves[0].column]
                if table.leaves[0].name == "value"
                else None
            )
            try:
                if item is None:
                    item = _build(table.shape, child.values, {})
            except _RowError as error:
                child.problem = error
                row.problem = _RowError(
                    "", f"its row at {child.where} is rejected: {error.reason}"
                )
                break
            position = child.values["position"]
            assert isinstance(position, int)  # noqa: S101 - checked in _attach
            children.setdefault(table.name, []).append((position, item))
        if row.problem is not None:
            continue
        ordered: dict[str, list[object]] = {}
        for name, items in children.items():
            positions = sorted(position for position, _ in items)
            if len(set(positions)) != len(positions):
                row.problem = _RowError(
                    "", f"{name}.csv repeats a position for this record"
                )
                break
            ordered[name] = [
                item for _, item in sorted(items, key=lambda pair: pair[0])
            ]
        if row.problem is not None:
            continue
        try:
            record = _build(row.table.shape, row.values, ordered)
        except _RowError as error:
            row.problem = error
            continue
        assert isinstance(record, Record)  # noqa: S101 - record tables build records
        row.record = record


# --- reading fast -------------------------------------------------------------
#
# load_csv reads what export_csv wrote. That text is canonical, so it is read
# by one generated function per table and header (as the JSON reader does):
# each cell by the exact reader of its field's type, each record built with
# one call, its child rows ready in file order. Anything else (a blank or
# padded cell, Excel's TRUE or day-first dates, a ragged row, a position out
# of order, any error of the model) stops the fast reader, and the full
# reader reads the folder again to accept it or to name every problem. The
# model's constructors validate every record either way.


class _NotCanonicalError(Exception):
    """The fast reader met text only the full reader can judge."""


def _fall_back() -> typing.NoReturn:
    raise _NotCanonicalError


def _fast_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise _NotCanonicalError
    return value


def _fast_date(text: str) -> date:
    if len(text) != 10:
        raise _NotCanonicalError
    return date.fromisoformat(text)


def _fast_date_or_datetime(text: str) -> date:
    return _fast_date(text) if len(text) == 10 else _fast_datetime(text)


def _fast_read(tp: object, names: dict[str, object], *, text: bool = False) -> str:
    """Return the source reading the non-blank cell ``x`` of type *tp*."""
    if tp is str:
        # Text is kept as written; an identifier must have no stray spaces.
        return (
            "(x if x.strip() else FB())"
            if text
            else "(x if x == x.strip(BLANK) else FB())"
        )
    if tp is bool:
        return "(True if x == 'true' else False if x == 'false' else FB())"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        name = f"E{len(names)}"
        names[name] = tp._value2member_map_
        return f"{name}[x]"
    readers: dict[object, str] = {
        int: "READ_INT",
        float: "READ_FLOAT",
        datetime: "READ_DATETIME",
        date: "READ_DATE",
    }
    return f"{readers.get(tp, 'READ_DATE_OR_DATETIME')}(x)"


def _fast_default(cls: type, name: str, names: dict[str, object]) -> str:
    """Return the source of field *name*'s default, or of a fallback if it has none."""
    default = attrs.fields_dict(cls)[name].default
    if default is attrs.NOTHING:
        return "FB()"
    key = f"D{len(names)}"
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        names[key] = default.factory  # type: ignore[union-attr]  # pragma: no cover - the model has none
        return f"{key}()"  # pragma: no cover
    names[key] = default
    return key


def _fast_cell(index: Mapping[str, int], column: str) -> str | None:
    found = index.get(column)
    return None if found is None else f"c[{found}]"


def _fast_leaf(
    field: _Field, cls: type, index: Mapping[str, int], names: dict[str, object]
) -> str:
    default = _fast_default(cls, field.name, names)
    cell = _fast_cell(index, field.column)
    if cell is None:
        return default
    read = _fast_read(field.tp, names, text=field.text)
    return f"({default} if (x := {cell}) == '' else {read})"


def _fast_shape(
    shape: _Shape, index: Mapping[str, int], names: dict[str, object]
) -> str:
    """Return the source building an item of *shape* from the cells ``c`` and child items ``k``."""
    name = f"C{len(names)}"
    names[name] = shape.cls
    arguments = []
    for field in shape.fields:
        if field.kind == "leaf":
            value = _fast_leaf(field, shape.cls, index, names)
        elif field.kind == "nested":
            value = _fast_nested(field, shape.cls, index, names)
        else:
            default = _fast_default(shape.cls, field.name, names)
            value = (
                f"(tuple(k[{field.table!r}]) if {field.table!r} in k else {default})"
            )
        arguments.append(f"{field.name}={value}")
    return f"{name}({', '.join(arguments)})"


def _fast_nested(
    field: _Field, cls: type, index: Mapping[str, int], names: dict[str, object]
) -> str:
    assert field.shape is not None  # noqa: S101 - nested fields have one
    inner = _fast_shape(field.shape, index, names)
    if not field.optional:  # pragma: no cover - the model has no required nested value
        return inner
    default = _fast_default(cls, field.name, names)
    cells = [_fast_cell(index, leaf.column) for leaf in _leaves(field.shape)]
    empty = (
        " and ".join(
            [
                *(f"{cell} == ''" for cell in cells if cell is not None),
                *(f"{table!r} not in k" for table in _child_tables(field.shape)),
            ]
        )
        or "True"
    )
    flag = _fast_cell(index, field.column) if field.column else None
    if flag is None:
        return f"({default} if {empty} else {inner})"
    # The presence column says whether the value is there; blank or false
    # with something filled in is for the full reader to report.
    return (
        f"({inner} if {flag} == 'true' else {default} "
        f"if ({flag} == '' or {flag} == 'false') and {empty} else FB())"
    )


# Each record table after its child tables, whose items its records take.
_FAST_ORDER: Final = tuple(
    table
    for record_table in _LAYOUT
    if record_table.parent is None
    for table in (
        *(
            child
            for child in _LAYOUT
            if child.parent == record_table.cls.record_kind
            and child.cls is record_table.cls
        ),
        record_table,
    )
)

_FAST: Final[dict[tuple[str, tuple[str, ...]], Callable[..., Any]]] = {}


def _fast_builder(table: _Table, header: tuple[str, ...]) -> Callable[..., Any]:
    """Return the generated function building one row's item of *table*."""
    key = (table.name, header)
    if key in _FAST:
        return _FAST[key]
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        index.setdefault(column, position)
    names: dict[str, object] = {
        "BLANK": BLANK,
        "FB": _fall_back,
        "READ_INT": _read_int,
        "READ_FLOAT": _read_float,
        "READ_DATETIME": _fast_datetime,
        "READ_DATE": _fast_date,
        "READ_DATE_OR_DATETIME": _fast_date_or_datetime,
    }
    if table.parent is not None and table.leaves[0].name == "value":
        link = table.leaves[0]
        cell = _fast_cell(index, link.column) or "''"
        body = f"FB() if (x := {cell}) == '' else {_fast_read(link.tp, names)}"
    else:
        body = _fast_shape(table.shape, index, names)
    function = compile_function(
        ["def build(c, k):", f"    return {body}"], names, "build"
    )
    _FAST[key] = function
    return function


def _fast_rows(
    root: Path, name: str
) -> tuple[tuple[str, ...], Iterator[list[str]]] | None:
    """Return the header and the rows after it of the file *name*, if there is one."""
    path = root / name
    if not path.exists():
        return None
    text, _ = decode(path.read_bytes(), None, name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    for cells in reader:
        if any(cell.strip(BLANK) for cell in cells):
            return tuple(cell.strip(BLANK) for cell in cells), reader
    raise _NotCanonicalError


def _blank_row(cells: list[str]) -> bool:
    if any(cell.strip(BLANK) for cell in cells):
        raise _NotCanonicalError
    return True


def _load_fast(root: Path) -> LearningLog:
    """Read the folder *root* as :func:`export_csv` writes it, or raise :class:`_NotCanonicalError`."""
    head = _read_head(root)
    if any(row.problem is not None for row in head.local_rows):
        raise _NotCanonicalError
    records: list[Record] = []
    # Child items by their record's kind, id and version text, then by table.
    groups: dict[tuple[str, str, str], dict[str, list[object]]] = {}
    for table in _FAST_ORDER:
        found = _fast_rows(root, f"{table.name}.csv")
        if found is None:
            continue
        header, rows = found
        build = _fast_builder(table, header)
        if table.parent is None:
            _fast_records(table, header, rows, build, groups=groups, records=records)
        else:
            _fast_children(table, header, rows, build, groups)
    if groups:
        # Child rows no record row claimed.
        raise _NotCanonicalError
    return LearningLog(records, local_codes=head.local_codes)


def _fast_records(  # noqa: PLR0913 - the table, its rows and where they go
    table: _Table,
    header: tuple[str, ...],
    rows: Iterator[list[str]],
    build: Callable[..., Any],
    *,
    groups: dict[tuple[str, str, str], dict[str, list[object]]],
    records: list[Record],
) -> None:
    if "id" not in header or "version" not in header:
        raise _NotCanonicalError
    at_id, at_version = header.index("id"), header.index("version")
    width = len(header)
    pop, append = groups.pop, records.append
    kind = table.cls.record_kind
    empty: dict[str, list[object]] = {}
    for cells in rows:
        if len(cells) != width and _blank_row(cells):
            continue
        append(build(cells, pop((kind, cells[at_id], cells[at_version]), empty)))


def _fast_children(
    table: _Table,
    header: tuple[str, ...],
    rows: Iterator[list[str]],
    build: Callable[..., Any],
    groups: dict[tuple[str, str, str], dict[str, list[object]]],
) -> None:
    assert table.parent is not None  # noqa: S101 - a child table has a parent
    if header[:3] != (table.parent, "version", "position"):
        raise _NotCanonicalError
    width = len(header)
    name, kind = table.name, table.parent
    empty: dict[str, list[object]] = {}
    for cells in rows:
        if len(cells) != width and _blank_row(cells):
            continue
        key = (kind, cells[0], cells[1])
        group = groups.get(key)
        if group is None:
            group = groups[key] = {}
        items = group.get(name)
        if items is None:
            items = group[name] = []
        # Positions from 0 in file order, as written; else the full reader.
        if cells[2] != str(len(items)):
            raise _NotCanonicalError
        items.append(build(cells, empty))


def _try_fast(root: Path) -> LearningLog | None:
    """Return the log the fast reader reads from *root*, or ``None`` if it cannot."""
    try:
        with collector_paused():
            return _load_fast(root)
    except Exception:  # the full reader judges, and names, every problem
        return None


def load_csv(folder: str | os.PathLike[str]) -> LearningLog:
    """Read a log from the tidy CSV folder :func:`export_csv` wrote.

    A folder as :func:`export_csv` wrote it is read by generated code, one
    function per table; anything else (what a spreadsheet or a person made
    of it) by the full reader, which takes Excel's forms and collects every
    problem in every file, raising them together, as the JSON readers do; for a lenient read that keeps the good rows, see
    :func:`import_folder`. A table file that is missing holds no rows; a
    missing column is blank.

    Raises:
        InvalidDataError: Listing every problem, each with its file, line
            and column (e.g. ``incidents.csv line 4.category``).
        UnsupportedFormatError: The folder's format is newer.
        FileNotFoundError: *folder* is not a folder.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from incident_learning import samples
        >>> from incident_learning.tabular import export_csv, load_csv
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     _ = export_csv(samples.small_log(), folder)
        ...     path = Path(folder) / "incidents.csv"
        ...     text = path.read_text().replace(",falls,", ",fals,")
        ...     _ = path.write_text(text)
        ...     load_csv(folder)
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.InvalidDataError: incidents.csv line 2 (id INC-0001).category: 'fals' is not a code of incident_category: use a built-in code or declare it in the log's local_codes
    """
    fast = _try_fast(_root(folder))
    if fast is not None:
        return fast
    with collector_paused():
        folder_read = _read_folder(folder)
        parents = _attach(folder_read)
        _build_records(parents)
    problems = [
        Problem(path=row.where, field=row.problem.column, message=row.problem.reason)
        for row in (*folder_read.local_rows, *folder_read.rows)
        if row.problem is not None
    ]
    records = [row.record for row in parents if row.record is not None]
    paths = [row.where for row in parents if row.record is not None]
    # Records that did not load are reported once: references to them are
    # not reported again, as the JSON readers do.
    unloaded = {row.values.get("id") for row in parents if row.record is None} - {None}
    try:
        log = LearningLog(records, local_codes=folder_read.local_codes, _paths=paths)
    except InvalidDataError as error:
        problems.extend(
            problem
            for problem in error.problems
            if not (
                problem.value in unloaded and problem.message.startswith("refers to")
            )
        )
    if problems:
        raise InvalidDataError(problems)
    return log


def import_folder(
    folder: str | os.PathLike[str],
    *,
    into: LearningLog | None = None,
    strict: bool = False,
    rejects: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Import a tidy CSV folder into a log, keeping every good row.

    A row that cannot be read (a bad cell, too many or too few cells, a
    record that breaks a rule of the model) is rejected; so is every row
    that belongs to a rejected record (its child rows, its other versions)
    and every record that refers to a rejected one, each with its reason.
    A record already in *into* at that version is rejected, so re-importing
    a fixed rejects folder never duplicates rows that went in before.

    Args:
        folder: The folder, as :func:`export_csv` writes it or a person
            edited it (Excel's ``TRUE``, day-first dates and serials are read).
        into: The log to import into; it is not modified. None: an empty log.
        strict: Raise at the first rejected row instead of going on.
        rejects: A folder to write the rejected rows to, one file per table,
            original cells plus ``line`` and ``reason``: fix them there and
            import that folder into the result's log.

    Returns:
        The new log and an account of every row.

    Raises:
        RowRejectedError: With *strict*, the first row rejected.
        InvalidDataError: The folder's local codes clash with *into*'s.

    Examples:
        >>> import tempfile
        >>> from incident_learning import samples
        >>> from incident_learning.tabular import export_csv, import_folder
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     _ = export_csv(samples.small_log(), folder)
        ...     result = import_folder(folder)
        >>> result
        <ImportResult read=53 imported=53 rejected=0 blank=0>
        >>> result.log.get("INC-0001") == samples.incident()
        True
    """
    base = into if into is not None else LearningLog()
    with collector_paused():
        read = _read_folder(folder)
        parents = _attach(read)
        _build_records(parents)
    local = _merged_codes(base, read.local_codes)
    rejected: dict[int, RejectedRow] = {}

    def reject(row: _Row, column: str, reason: str) -> None:
        rejected.setdefault(id(row), row.rejected(column, reason))

    every = (*read.local_rows, *read.rows)
    for row in every:
        if row.problem is not None:
            reject(row, row.problem.column, row.problem.reason)
    candidates = [row for row in parents if row.record is not None]
    for row in candidates:
        record = row.record
        assert record is not None  # noqa: S101 - filtered above
        if record.id in base and record.version <= base.get(record.id).version:
            reason = f"{record.id} version {record.version} is already in the log"
            reject(row, "id", reason)
    _settle(base, local, candidates, rejected, reject)
    for row in parents:
        entry = rejected.get(id(row))
        if entry is not None:
            for _, child in row.children:
                reason = f"belongs to a rejected record ({row.where}: {entry.reason})"
                reject(child, "", reason)
    order = {id(row): index for index, row in enumerate(every)}
    entries = tuple(
        entry
        for key, entry in sorted(rejected.items(), key=lambda pair: order[pair[0]])
    )
    if strict and entries:
        raise RowRejectedError(entries[0])
    kept = [row for row in candidates if id(row) not in rejected]
    records = [row.record for row in kept if row.record is not None]
    log = LearningLog([*base.all_versions(), *records], local_codes=local)
    counted = {name: file for name, file in read.files.items() if name != FORMAT_FILE}
    blank = sum(file.blank_lines for file in counted.values())
    return ImportResult(
        log=log,
        imported=tuple(dict.fromkeys(record.id for record in records)),
        rejected=entries,
        rows_read=len(every) + blank,
        imported_rows=len(every) - len(entries),
        blank_lines=blank,
        encoding={name: file.encoding for name, file in read.files.items()},
        duplicate_columns={
            name: tuple(file.duplicates)
            for name, file in read.files.items()
            if file.duplicates
        },
        unused_columns=_unused(read),
        rejects=_write_rejects_folder(rejects, read, entries),
    )


def _merged_codes(base: LearningLog, codes: Iterable[LocalCode]) -> list[LocalCode]:
    """Return *base*'s local codes and the new ones of *codes*."""
    local = list(base.local_codes)
    known = {(code.vocabulary, code.code): code for code in local}
    for code in codes:
        same = known.setdefault((code.vocabulary, code.code), code)
        if same is code:
            local.append(code)
        elif same != code:
            message = (
                f"local code {code.code!r} of {code.vocabulary} differs from "
                "the one the log declares"
            )
            raise InvalidDataError(
                [
                    Problem(
                        path=LOCAL_CODES_FILE,
                        field="code",
                        value=code.code,
                        message=message,
                    )
                ]
            )
    return local


def _unused(folder: _Folder) -> dict[str, tuple[str, ...]]:
    found = {}
    columns = {f"{table.name}.csv": set(table.columns) for table in _LAYOUT}
    columns[LOCAL_CODES_FILE] = set(_LOCAL_CODE_COLUMNS)
    columns[FORMAT_FILE] = {"format"}
    for name, file in folder.files.items():
        extra = tuple(
            column
            for column in file.header
            if column and column not in columns[name] and column not in REJECT_COLUMNS
        )
        if extra:
            found[name] = extra
    return found


def _settle(  # noqa: PLR0912 - the cascade, then the log's own checks
    base: LearningLog,
    local: list[LocalCode],
    candidates: list[_Row],
    rejected: Mapping[int, RejectedRow],
    reject: Callable[[_Row, str, str], None],
) -> None:
    """Reject candidates until the rest make a valid log with *base*.

    A rejected record takes its other versions with it, then every record
    that refers to it, and so on; what the log itself still refuses is
    rejected by the path of its problem, and the cascade runs again.
    """
    while True:
        changed = True
        while changed:
            changed = False
            gone: dict[str, _Row] = {}
            for row in candidates:
                if id(row) in rejected and row.record is not None:
                    gone.setdefault(row.record.id, row)
            for row in candidates:
                if id(row) in rejected or row.record is None:
                    continue
                record = row.record
                if record.id in gone:
                    other = gone[record.id]
                    reject(
                        row,
                        "id",
                        f"another version of {record.id} is rejected ({other.where})",
                    )
                    changed = True
                    continue
                for reference in reference_fields(record):
                    if reference.target in gone and reference.target not in base:
                        other = gone[reference.target]
                        column = (
                            _column_of(row.table.shape, reference.field)
                            or reference.field
                        )
                        reason = f"refers to {reference.target}, which is rejected ({other.where})"
                        reject(row, column, reason)
                        changed = True
                        break
        kept = [row for row in candidates if id(row) not in rejected]
        by_path = {row.where: row for row in kept}
        try:
            LearningLog(
                [
                    *base.all_versions(),
                    *(row.record for row in kept if row.record is not None),
                ],
                local_codes=local,
                _paths=[f"base[{index}]" for index, _ in enumerate(base.all_versions())]
                + [row.where for row in kept],
            )
        except InvalidDataError as error:
            hit = False
            for problem in error.problems:
                found = by_path.get(problem.path)
                if found is not None:
                    column = (
                        _column_of(found.table.shape, problem.field) or problem.field
                    )
                    reject(found, column, problem.message)
                    hit = True
                    continue
                # A problem of the log as a whole (a second provider): the
                # rows of the records it names go; the base log stays.
                named = problem.value if isinstance(problem.value, list) else ()
                for row in kept:
                    if row.record is not None and row.record.id in named:
                        reject(row, "id", problem.message)
                        hit = True
            if not hit:  # pragma: no cover - the base is valid alone
                # Every problem then involves a row of the folder; should one
                # not, it is raised rather than looped on.
                raise
            continue
        return


def _write_rejects_folder(
    rejects: str | os.PathLike[str] | None,
    folder: _Folder,
    entries: Iterable[RejectedRow],
) -> Path | None:
    if rejects is None:
        return None
    root = Path(rejects)
    root.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[RejectedRow]] = {}
    for entry in entries:
        by_file.setdefault(entry.file, []).append(entry)
    for name, rows in by_file.items():
        write_rejects(root / name, folder.files[name].raw_header, rows)
    return root
