"""Tidy pandas DataFrames of a learning log, and Parquet files of the same tables.

Needs the ``dataframe`` extra (pandas and pyarrow)::

    pip install "incident_learning[dataframe]"

:func:`to_frames` makes one table per record kind (``incidents``,
``actions``, ...), one child table per repeated nested value
(``incident_people_affected``, ``action_status_history``, ...) and one link
table per tuple field (``action_learning_points``, ...). The tables and
their columns are read off the model, so a new field appears without a
change here. :func:`write_parquet` writes them, one ``.parquet`` file each,
for DuckDB or Spark; :func:`read_parquet` reads them back with the same
dtypes.
"""

from __future__ import annotations

from incident_learning._extras import missing_extra

# The extra's libraries are imported first, so a missing one is reported
# with the install line.
try:
    import pandas as pd

    # pyarrow ships no type information (and there are no typeshed stubs).
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
except ModuleNotFoundError as error:
    raise missing_extra(error, extra="dataframe", what="DataFrames") from error

import enum
import os
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from incident_learning._codegen import singular, without_none
from incident_learning.model.action import Action
from incident_learning.model.base import REFERS_TO, Record
from incident_learning.model.incident import Incident, PersonAffected
from incident_learning.model.log import RECORD_TYPES, LearningLog
from incident_learning.model.vocab import (
    ActionStatus,
    ActionStrength,
    HarmLevel,
    OccurrencePrecision,
)

__all__ = ["Frames", "read_parquet", "to_frames", "write_parquet"]

_Get = Callable[[Any], Any]

DATE: Final = pd.ArrowDtype(pa.date32())
"""The dtype of calendar-date columns: Arrow ``date32``, values ``datetime.date``."""

DATETIME: Final = pd.DatetimeTZDtype("us", UTC)
"""The dtype of date-and-time columns: microseconds, converted to UTC."""


@attrs.frozen
class _Column:
    name: str
    dtype: Any
    get: _Get


@attrs.frozen
class _Table:
    """A table's layout: record tables have no *parent*; child and link tables do."""

    name: str
    parent: str | None
    items: _Get
    columns: tuple[_Column, ...]


def _categories(cls: type[enum.Enum]) -> pd.CategoricalDtype:
    members = list(cls)
    # Scales carry a rank and are declared least to most severe.
    ranked = hasattr(members[0], "rank")
    return pd.CategoricalDtype([member.value for member in members], ordered=ranked)


def _value(item: enum.Enum) -> object:
    return item.value


def _utc(item: datetime) -> datetime:
    return item.astimezone(UTC)


def _same(item: object) -> object:
    return item


def _at(item: date) -> datetime | None:
    return item.astimezone(UTC) if isinstance(item, datetime) else None


def _on(item: date) -> date:
    return item.date() if isinstance(item, datetime) else item


def _getter(path: tuple[str, ...], convert: _Get) -> _Get:
    def get(item: object) -> object:
        for name in path:
            item = getattr(item, name)
            if item is None:
                return None
        return convert(item)

    return get


def _scalar(  # noqa: PLR0911 - a dispatch table
    name: str, tp: object, path: tuple[str, ...], *, nullable: bool
) -> list[_Column]:
    """Return the column(s) of a scalar field of type *tp* reached by *path*."""
    if set(typing.get_args(tp)) == {datetime, date}:
        # Exact or date alone: the UTC instant when known, and the day.
        return [
            _Column(f"{name}_at", DATETIME, _getter(path, _at)),
            _Column(f"{name}_on", DATE, _getter(path, _on)),
        ]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return [_Column(name, _categories(tp), _getter(path, _value))]
    if tp is datetime:
        return [_Column(name, DATETIME, _getter(path, _utc))]
    if tp is date:
        return [_Column(name, DATE, _getter(path, _same))]
    if tp is bool:
        return [_Column(name, "boolean" if nullable else "bool", _getter(path, _same))]
    if tp is int:
        return [_Column(name, "Int64" if nullable else "int64", _getter(path, _same))]
    if tp is float:
        dtype = "Float64" if nullable else "float64"
        return [_Column(name, dtype, _getter(path, _same))]
    if tp is str:
        return [_Column(name, pd.StringDtype(), _getter(path, _same))]
    msg = f"no column for field type {tp!r}"  # pragma: no cover - a model bug
    raise TypeError(msg)  # pragma: no cover


def _items(path: tuple[str, ...]) -> _Get:
    get = _getter(path, _same)

    def items(record: object) -> Iterable[object]:
        found: Iterable[object] | None = get(record)
        return () if found is None else found

    return items


def _record(record: object) -> Iterable[object]:
    return (record,)


# Derived values analysts ask for, by the class that derives them.
_DERIVED: Final[Mapping[type, tuple[tuple[str, object, bool], ...]]] = {
    Incident: (
        ("harm", HarmLevel, True),
        ("is_near_miss", bool, False),
        ("occurrence_precision", OccurrencePrecision, False),
    ),
    PersonAffected: (("harm", HarmLevel, False),),
    Action: (
        ("status", ActionStatus, False),
        ("strength", ActionStrength, False),
        ("completed_on", date, True),
    ),
}


def _columns(
    cls: type,
    kind: str,
    *,
    path: tuple[str, ...] = (),
    nullable: bool = False,
    tables: list[_Table] | None = None,
) -> list[_Column]:
    """Return the columns of *cls*, adding its child and link tables to *tables*.

    *tables* is ``None`` inside a child table, whose items hold no tuples.
    """
    attrs.resolve_types(cls)
    columns: list[_Column] = []
    for field in attrs.fields(cls):
        tp, optional = without_none(field.type)
        where = (*path, field.name)
        name = "_".join(where)
        if typing.get_origin(tp) is tuple:
            if tables is None:  # pragma: no cover - the model has none
                msg = f"{cls.__name__}.{field.name}: a tuple inside a tuple"
                raise TypeError(msg)
            inner = typing.get_args(tp)[0]
            table = f"{kind}_{name}"
            if isinstance(inner, type) and attrs.has(inner):
                child = _columns(inner, kind)
                tables.append(_Table(table, kind, _items(where), tuple(child)))
            else:
                kinds = field.metadata.get(REFERS_TO)
                item = kinds[0] if kinds else singular(field.name)
                link = _scalar(item, inner, (), nullable=False)
                tables.append(_Table(table, kind, _items(where), tuple(link)))
        elif isinstance(tp, type) and attrs.has(tp):
            columns.extend(
                _columns(
                    tp,
                    kind,
                    path=where,
                    nullable=nullable or optional,
                    tables=tables,
                )
            )
        else:
            columns.extend(_scalar(name, tp, where, nullable=nullable or optional))
    for name, tp, optional in _DERIVED.get(cls, ()):
        columns.extend(_scalar(name, tp, (name,), nullable=optional))
    return columns


def _layout() -> tuple[tuple[type[Record], tuple[_Table, ...]], ...]:
    layout = []
    for cls in RECORD_TYPES:
        kind = cls.record_kind
        children: list[_Table] = []
        columns = _columns(cls, kind, tables=children)
        record = _Table(f"{kind}s", None, _record, tuple(columns))
        layout.append((cls, (record, *children)))
    return tuple(layout)


_LAYOUT: Final = _layout()


def _keys(table: _Table, *, versions: bool) -> list[_Column]:
    if table.parent is None:
        return []
    keys = [_Column(table.parent, pd.StringDtype(), _same)]
    if versions:
        keys.append(_Column("version", "int64", _same))
    keys.append(_Column("position", "int64", _same))
    return keys


def _frame(table: _Table, records: list[Record], *, versions: bool) -> pd.DataFrame:
    keys = _keys(table, versions=versions)
    values: list[list[object]] = [[] for _ in (*keys, *table.columns)]
    for record in records:
        for position, item in enumerate(table.items(record)):
            row: list[object] = (
                [record.id, record.version, position]
                if versions
                else [record.id, position]
            )
            row = row[: len(keys)]
            row.extend(column.get(item) for column in table.columns)
            for cells, cell in zip(values, row, strict=True):
                cells.append(cell)
    return pd.DataFrame(
        {
            column.name: pd.Series(cells, dtype=column.dtype)
            for column, cells in zip((*keys, *table.columns), values, strict=True)
        }
    )


def _read_only(tables: Mapping[str, pd.DataFrame]) -> Mapping[str, pd.DataFrame]:
    return MappingProxyType(dict(tables))


@attrs.frozen(eq=False, repr=False)
class Frames(Mapping[str, pd.DataFrame]):
    """A learning log's tables by name: a read-only mapping to DataFrames.

    Attributes:
        tables: Each table's name and DataFrame, record tables first in
            the order of the file format, each followed by its child and
            link tables.
        versions: Whether the tables hold every version (``True``) or the
            current versions only.
    """

    tables: Mapping[str, pd.DataFrame] = attrs.field(converter=_read_only)
    versions: bool = False

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def __repr__(self) -> str:
        rows = sum(len(frame) for frame in self.tables.values())
        return f"<Frames {len(self.tables)} tables, {rows} rows>"


def to_frames(log: LearningLog, *, versions: bool = False) -> Frames:
    """Return tidy DataFrames of *log*: one per record kind, child and link table.

    Record tables are named as the file format's sections (``incidents``,
    ``actions``, ...) and sorted by id (then version). A child or link
    table is named ``<kind>_<field>`` and starts with the parent's id in
    a column named for its kind, then ``version`` (with *versions*) and the
    item's ``position`` in the field, from 0.

    Args:
        log: The log; it is not modified.
        versions: Every version of every record, not only the current ones.

    Examples:
        >>> from incident_learning import samples
        >>> from incident_learning.frames import to_frames
        >>> frames = to_frames(samples.small_log())
        >>> frames["actions"][["id", "status", "strength"]]
                 id    status      strength
        0  ACT-0001  proposed  intermediate
        >>> list(frames["action_learning_points"].columns)
        ['action', 'position', 'learning_point']
    """
    tables: dict[str, pd.DataFrame] = {}
    for cls, layout in _LAYOUT:
        current = log.of_kind(cls)
        records = [
            record
            for record_id in sorted(current)
            for record in (
                log.history(record_id) if versions else (current[record_id],)
            )
        ]
        for table in layout:
            tables[table.name] = _frame(table, records, versions=versions)
    return Frames(tables, versions=versions)


def write_parquet(
    frames: Frames | LearningLog, folder: str | os.PathLike[str]
) -> tuple[Path, ...]:
    """Write each table to ``<folder>/<table>.parquet`` and return the paths.

    The folder is made if it does not exist; files of the same names are
    replaced. A log is turned into its current versions' frames first.

    Args:
        frames: Frames from :func:`to_frames`, or a log.
        folder: Where to write.

    Examples:
        >>> import tempfile
        >>> from incident_learning import samples
        >>> from incident_learning.frames import write_parquet
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = write_parquet(samples.small_log(), folder)
        >>> paths[0].name
        'providers.parquet'
    """
    if isinstance(frames, LearningLog):
        frames = to_frames(frames)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = root / f"{name}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        paths.append(path)
    return tuple(paths)


def read_parquet(folder: str | os.PathLike[str], *, versions: bool = False) -> Frames:
    """Read back the tables :func:`write_parquet` wrote, with the same dtypes.

    Args:
        folder: The folder written to.
        versions: Whether the frames written held every version.

    Raises:
        FileNotFoundError: A table's file is missing.
    """
    root = Path(folder)
    tables: dict[str, pd.DataFrame] = {}
    for _, layout in _LAYOUT:
        for table in layout:
            frame = pq.read_table(root / f"{table.name}.parquet").to_pandas()
            dtypes = {
                column.name: column.dtype
                for column in (*_keys(table, versions=versions), *table.columns)
            }
            tables[table.name] = frame.astype(dtypes)[list(dtypes)]
    return Frames(tables, versions=versions)
