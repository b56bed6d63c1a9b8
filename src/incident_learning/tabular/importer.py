"""Importing incidents from another system's CSV export, by a column mapping.

:func:`import_incidents` reads the file, one incident per row, through a
:class:`~incident_learning.tabular.mapping.CsvMapping`, resolving services
and staff against an existing log (the provider's organisation) and keeping
every row it can. Each row it cannot keep is reported with its line,
column and reason, and can be written to a rejects file to fix and import
again.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_learning._collector import collector_paused
from incident_learning.exceptions import (
    DateParseError,
    InvalidDataError,
    Problem,
)
from incident_learning.model.codes import INCIDENT_CATEGORIES
from incident_learning.model.incident import Incident, PersonAffected
from incident_learning.model.log import LearningLog
from incident_learning.model.organisation import Service, StaffMember
from incident_learning.model.time import parse_datetime
from incident_learning.model.vocab import PhysicalHarm, PsychologicalHarm
from incident_learning.tabular._csvfile import (
    BLANK,
    excel_serial,
    normalised,
    parse_time,
    read_csv_file,
)
from incident_learning.tabular._result import (
    REJECT_COLUMNS,
    ImportResult,
    RejectedRow,
    RowRejectedError,
    write_rejects,
)
from incident_learning.tabular.tidy import (
    _LAYOUT,
    _build,
    _read_date,
    _RowError,
    parse_cell,
)

if TYPE_CHECKING:
    from incident_learning.tabular.mapping import CsvMapping, Source

__all__ = ["import_incidents"]

_WHOLE_ROW: Final = ""
"""The column of a problem with the whole row."""

_INCIDENTS: Final = next(table for table in _LAYOUT if table.name == "incidents")
_TYPES: Final = {leaf.column: leaf.tp for leaf in _INCIDENTS.leaves}
_MOMENTS: Final = frozenset(
    column
    for column, tp in _TYPES.items()
    if tp is datetime or set(typing.get_args(tp)) == {datetime, date}
)
"""The date-and-time targets, read with their time columns by ``_moment``."""
_NESTED: Final = {
    field.name: tuple(
        leaf for leaf in _INCIDENTS.leaves if leaf.column.startswith(field.name + "_")
    )
    for field in _INCIDENTS.shape.fields
    if field.kind == "nested"
}
"""Each optional nested value of an incident, and its columns."""


class _Names:
    """Records of one kind found by id, or by name ignoring case and spaces."""

    def __init__(self, kind: str, records: Mapping[str, object], name: str) -> None:
        self.kind = kind
        self.ids = set(records)
        self.by_name: dict[str, list[str]] = {}
        for record_id, record in records.items():
            label = getattr(record, name)
            if isinstance(label, str):
                self.by_name.setdefault(normalised(label), []).append(record_id)
        self.labels = sorted(
            {*self.ids, *(getattr(r, name) or "" for r in records.values())} - {""}
        )

    def find(self, text: str) -> str:
        if text in self.ids:
            return text
        found = self.by_name.get(_folded(text))
        if found is None:
            near = difflib.get_close_matches(text, self.labels, n=3, cutoff=0.5)
            hint = f"; nearest: {', '.join(map(repr, near))}" if near else ""
            msg = f"{text!r} is not a {self.kind} of the log (by id or name){hint}"
            raise ValueError(msg)
        if len(found) > 1:
            msg = f"{text!r} names several {self.kind}s: {', '.join(sorted(found))}; use the id"
            raise ValueError(msg)
        return found[0]


class _Categories:
    def __init__(self, log: LearningLog) -> None:
        self.codes: dict[str, str] = {}
        for concept in INCIDENT_CATEGORIES.concepts:
            self.codes[normalised(concept.code)] = concept.code
            self.codes[normalised(concept.display)] = concept.code
        for local in log.local_codes:
            if local.vocabulary == INCIDENT_CATEGORIES.name:
                self.codes[normalised(local.code)] = local.code
                self.codes[normalised(local.display)] = local.code

    def find(self, text: str, labels: Iterable[str]) -> str:
        code = self.codes.get(_folded(text))
        if code is not None:
            return code
        choices = sorted({*self.codes, *labels})
        near = difflib.get_close_matches(normalised(text), choices, n=3, cutoff=0.5)
        hint = f"; nearest: {', '.join(map(repr, near))}" if near else ""
        msg = (
            f"{text!r} is not a known category (a code of incident_category, a "
            f"local code, or a label of the mapping){hint}"
        )
        raise ValueError(msg)


def _check_header(
    mapping: CsvMapping,
    header: tuple[str, ...],
    duplicates: Mapping[str, tuple[int, ...]],
    name: str,
) -> tuple[str, ...]:
    """Return the columns the mapping reads that *header* lacks.

    Raises:
        InvalidDataError: A column the mapping reads is repeated, or one a
            required field needs (with no default) is missing.
    """
    # Imported here: the mapping module re-exports this one's function.
    from incident_learning.tabular.mapping import REQUIRED  # noqa: PLC0415

    problems = []
    needed = {
        source.column
        for target, source in mapping.fields.items()
        if target in REQUIRED and source.default is None
    }
    missing = []
    for column in sorted(mapping.columns):
        if column in duplicates:
            message = (
                f"appears {len(duplicates[column])} times in the header; "
                "the mapping cannot tell which to read"
            )
            problems.append(Problem(path=name, field=column, message=message))
        elif column not in header:
            missing.append(column)
            if column in needed:
                near = difflib.get_close_matches(column, [c for c in header if c], n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                message = (
                    f"is not in the header, and a required field is read from it{hint}"
                )
                problems.append(Problem(path=name, field=column, message=message))
    if problems:
        raise InvalidDataError(problems)
    return tuple(missing)


def import_incidents(  # noqa: PLR0913 - the CLI's options, all keyword-only
    path: str | os.PathLike[str],
    mapping: CsvMapping,
    *,
    into: LearningLog,
    by: str,
    at: datetime,
    strict: bool = False,
    rejects: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    r"""Import one incident per row of the CSV file *path*, read through *mapping*.

    Services and staff are found in *into* by id or by name (ignoring case
    and spaces); categories by code, display text or the mapping's labels.
    A row is rejected, with its line, column and a reason naming what was
    expected, when a cell cannot be read, a service, member of staff or
    category is unknown, its reference is already in the log (or earlier
    in the file), the row has too many or too few cells, or the incident
    breaks a rule of the model. Every other row is imported.

    Args:
        path: The CSV file: UTF-8 with or without a byte-order mark, or
            Windows-1252 (Excel's plain CSV), found out unless *encoding*
            is given.
        mapping: Which column feeds which field.
        into: The provider's log: services, staff, local codes. It is not
            modified; the result holds a new log.
        by: Who imports: ``recorded_by`` where the file has none.
        at: When: ``recorded_at`` where the file has none.
        strict: Raise at the first bad row instead of going on.
        rejects: Write the rejected rows to this file: the original header
            and cells, then ``line`` and ``reason``. Fix them there and
            import that file with the same mapping.
        encoding: The file's encoding, instead of finding it out.

    Returns:
        The new log, the ids imported, and every rejected row.

    Raises:
        RowRejectedError: With *strict*, the first bad row.
        InvalidDataError: The file cannot be read, or its header lacks a
            column the mapping reads, or repeats one.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from incident_learning import samples
        >>> from incident_learning.tabular import INCIDENT_SYSTEM, import_incidents
        >>> header = "Incident Ref,Incident Date,Incident Time,Date Reported,Service/Location,Category,Description"
        >>> rows = [
        ...     "W-101,03/04/2025,14:30,03/04/2025,Oak House,Fall,Found on the floor.",
        ...     "W-102,04/04/2025,,05/04/2025,Oak Hse,Fall,Slipped in the lounge.",
        ... ]
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "export.csv"
        ...     _ = path.write_text("\n".join([header, *rows]))
        ...     result = import_incidents(
        ...         path,
        ...         INCIDENT_SYSTEM,
        ...         into=samples.small_log(),
        ...         by="STAFF-RM",
        ...         at=samples.AT,
        ...     )
        >>> result.imported
        ('W-101',)
        >>> print(result.rejected[0])
        export.csv line 3, column 'Service/Location': 'Oak Hse' is not a service of the log (by id or name); nearest: 'Oak House'
        >>> result.log.get("W-101").occurred.isoformat()
        '2025-04-03T14:30:00+01:00'
    """
    file = read_csv_file(path, encoding=encoding, delimiter=mapping.delimiter)
    missing = _check_header(mapping, file.header, file.duplicates, file.name)
    log = LearningLog(into.all_versions(), local_codes=into.local_codes)
    reader = _Reader(mapping, file.header, log, by=by, at=at)
    rejected: list[RejectedRow] = []
    imported: list[str] = []
    seen: dict[str, int] = {}
    width = len(file.header)
    rows_read = 0
    # Every incident read lasts: the collector would rescan them all for
    # nothing (decision 11).
    with collector_paused():
        for line, cells, malformed in file.rows():
            rows_read += 1
            try:
                incident = _row(reader, log, cells, malformed, width=width, seen=seen)
            except _RowError as error:
                row = RejectedRow(
                    file=file.name,
                    line=line,
                    column=error.column,
                    reason=error.reason,
                    cells=tuple(cells),
                )
                if strict:
                    raise RowRejectedError(row) from None
                rejected.append(row)
                continue
            seen[incident.id] = line
            imported.append(incident.id)
    written = None
    if rejects is not None:
        written = write_rejects(rejects, file.raw_header, rejected)
    used = mapping.columns | set(mapping.ignore) | set(REJECT_COLUMNS)
    unused = tuple(column for column in file.header if column and column not in used)
    duplicates = tuple(
        column for column in file.duplicates if column not in mapping.columns
    )
    return ImportResult(
        log=log,
        imported=tuple(imported),
        rejected=tuple(rejected),
        rows_read=rows_read + file.blank_lines,
        imported_rows=len(imported),
        blank_lines=file.blank_lines,
        encoding={file.name: file.encoding},
        duplicate_columns={file.name: duplicates} if duplicates else {},
        unused_columns={file.name: unused} if unused else {},
        missing_columns={file.name: missing} if missing else {},
        rejects=Path(written) if written is not None else None,
    )


def _row(  # noqa: PLR0913 - the row and what it is checked against
    reader: _Reader,
    log: LearningLog,
    cells: list[str],
    malformed: str | None,
    *,
    width: int,
    seen: Mapping[str, int],
) -> Incident:
    """Return the incident of one row, added to *log*, or raise why not."""
    if malformed is not None:
        raise _RowError(_WHOLE_ROW, malformed)
    if len(cells) < width or any(cell.strip(BLANK) for cell in cells[width:]):
        reason = f"has {len(cells)} cells; the header has {width}"
        raise _RowError(_WHOLE_ROW, reason)
    incident = reader.incident(cells)
    first = seen.get(incident.id)
    if first is not None:
        reason = f"{incident.id!r} repeats the reference of line {first}"
        raise _RowError(reader.column("id"), reason)
    if incident.id in log:
        reason = f"{incident.id!r} is already in the log"
        raise _RowError(reader.column("id"), reason)
    try:
        log.add(incident)
    except (
        InvalidDataError
    ) as error:  # pragma: no cover - resolved against the log above
        # Services, staff and categories were found in the log, and the id
        # checked, so the log has nothing left to refuse; kept as a net.
        problem = error.problems[0]
        column = reader.column(problem.field.split("[")[0])
        raise _RowError(column, problem.message) from None
    return incident


_Parse = Callable[[str], object]

_DD_MM_YYYY: Final = re.compile(r"(\d{2})/(\d{2})/(\d{4})", re.ASCII)


def _day_first(text: str) -> date:
    """Read a date: ``dd/mm/yyyy`` directly, as exports write it; else as a cell."""
    match = _DD_MM_YYYY.fullmatch(text)
    if match is not None:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            pass  # 31/02/2025: parse_date says why
    return _read_date(text)


@functools.lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """Return :func:`normalised` *text*, remembered: labels repeat on every row."""
    return normalised(text)


class _Reader:
    """Turns a row's cells into an incident, as the mapping says."""

    def __init__(
        self,
        mapping: CsvMapping,
        header: tuple[str, ...],
        log: LearningLog,
        *,
        by: str,
        at: datetime,
    ) -> None:
        self.mapping = mapping
        self.by, self.at = by, at
        self.index = {
            column: header.index(column)
            for column in mapping.columns
            if column in header
        }
        self.services = _Names("service", log.of_kind(Service), "name")
        self.staff = _Names("member of staff", log.of_kind(StaffMember), "display_name")
        self.categories = _Categories(log)
        try:
            self.zone: ZoneInfo | None = ZoneInfo(mapping.zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = None
        self.offsets: dict[timedelta, timezone] = {}
        # A target with no column in this file and no default is always
        # blank: it is left out of the plan rather than looked at per row.
        self.plan: list[tuple[str, Source, _Parse, int | None, bool, bool]] = [
            (
                target,
                source,
                self._parser(target, source),
                self.index.get(source.column or ""),
                target in _MOMENTS,
                target in _TYPES,
            )
            for target, source in mapping.fields.items()
            if source.default is not None or (source.column or "") in self.index
        ]

    def column(self, target: str) -> str:
        source = self.mapping.fields.get(target)
        return (source.column or "") if source is not None else ""

    def _parser(self, target: str, source: Source) -> _Parse:  # noqa: PLR0911 - a dispatch table
        if target == "service":
            return self.services.find
        if target in ("reported_by",):
            return self.staff.find
        if target == "staff_involved":
            return lambda text: tuple(
                self.staff.find(part) for part in self._parts(text, source)
            )
        if target == "category":
            return lambda text: self.categories.find(text, source.values)
        if target == "secondary_categories":
            return lambda text: tuple(
                self.categories.find(part, source.values)
                for part in self._parts(text, source)
            )
        if target == "id":
            return lambda text: self.mapping.id_prefix + text
        if target == "people_affected_person":
            return str
        if target == "people_affected_physical_harm":
            return parse_cell(PhysicalHarm)
        if target == "people_affected_psychological_harm":
            return parse_cell(PsychologicalHarm)
        if target in ("safeguarding_referral", "cqc_notification", "duty_of_candour"):
            return parse_cell(bool)
        if target in _MOMENTS:
            return str  # combined with the time in _moment
        return parse_cell(_TYPES[target])

    def _parts(self, text: str, source: Source) -> Iterator[str]:
        """Yield the values of a cell holding several, each through the labels.

        The labels of a list apply to each value in it: ``Meds; Falls``
        with the label ``Meds`` is ``medication`` and ``Falls``; a label
        meaning ``""`` drops its value.
        """
        for part in text.split(self.mapping.separator):
            stripped = part.strip(BLANK)
            label = source.values.get(_folded(stripped)) if stripped else ""
            if label is None:
                yield stripped
            elif label:
                yield label

    def _moment(self, value: str, cells: list[str], source: Source) -> date:
        """Return the date, or date and time, of *value* and the source's time column.

        A date alone stays a date: the caller decides what it means.
        """
        clock: time | None = None
        where = self.index.get(source.time_column or "")
        if where is not None:
            written = cells[where].strip(BLANK)
            if written:
                try:
                    clock = parse_time(written)
                except ValueError as error:
                    raise _RowError(source.time_column or "", str(error)) from None
        try:
            serial = excel_serial(value)
            if serial is not None:
                if (serial.hour or serial.minute or serial.second) and clock is None:
                    return self._aware(serial)
                day = serial.date()
            else:
                try:
                    day = _day_first(value)
                except (ValueError, DateParseError):
                    moment = parse_datetime(
                        value,
                        zone=self.mapping.zone,
                        local_time_policy=self.mapping.local_time_policy,
                    )
                    if clock is None:
                        return moment
                    day = moment.date()
            if clock is None:
                return day
            if clock.tzinfo is not None:
                # An offset written with the time: the instant, as written.
                return datetime.combine(day, clock)
            return self._aware(datetime.combine(day, clock))
        except (ValueError, DateParseError) as error:
            raise _RowError(source.column or "", str(error)) from None

    def _aware(self, naive: datetime) -> datetime:
        zone = self.zone
        if zone is not None:
            offset = naive.replace(tzinfo=zone).utcoffset()
            if (
                offset is not None
                and naive.replace(tzinfo=zone, fold=1).utcoffset() == offset
            ):
                # Not in a clock change's fold or gap: one reading, at the
                # zone's offset then, as parse_datetime gives it.
                fixed = self.offsets.get(offset)
                if fixed is None:
                    fixed = self.offsets[offset] = timezone(offset)
                return naive.replace(tzinfo=fixed)
        # A fold or a gap, or a zone parse_datetime reports as unknown: the
        # mapping's policy decides, with parse_datetime's words.
        return parse_datetime(
            naive.isoformat(),
            zone=self.mapping.zone,
            local_time_policy=self.mapping.local_time_policy,
        )

    def incident(self, cells: list[str]) -> Incident:  # noqa: PLR0912, PLR0915 - one step per field family
        values: dict[str, object] = dict.fromkeys(_TYPES)
        extra: dict[str, object] = {}
        defaulted: set[str] = set()
        for target, source, parse, where, moment, typed in self.plan:
            text = cells[where].strip(BLANK) if where is not None else ""
            if text:
                label = source.values.get(_folded(text)) if source.values else None
                if label is not None:
                    text = label  # a label meaning "" means blank
                elif source.otherwise is not None:
                    text = source.otherwise
            if not text:
                if source.default is None:
                    continue
                text = source.default
                defaulted.add(target)
            try:
                value = parse(text)
            except (ValueError, DateParseError) as error:
                raise _RowError(source.column or "", str(error)) from None
            if moment:
                value = self._moment(text, cells, source)
            if typed:
                values[target] = value
            else:
                extra[target] = value
        if values["recorded_by"] is None:
            values["recorded_by"] = self.by
        recorded = values["recorded_at"]
        if recorded is None:
            values["recorded_at"] = self.at
        elif not isinstance(recorded, datetime):
            values["recorded_at"] = self._aware(datetime.combine(recorded, time()))  # type: ignore[arg-type]
        reported = values["reported_at"]
        if isinstance(reported, date) and not isinstance(reported, datetime):
            # A report date alone: the start of that day, or the incident's
            # own time when it happened later that day.
            start = self._aware(datetime.combine(reported, time()))
            occurred = values["occurred"]
            if (
                isinstance(occurred, datetime)
                and occurred.date() == reported
                and occurred > start
            ):
                start = occurred
            values["reported_at"] = start
        self._presence(values, extra, defaulted)
        children: dict[str, list[object]] = {}
        for target, table in (
            ("secondary_categories", "incident_secondary_categories"),
            ("staff_involved", "incident_staff_involved"),
        ):
            found = extra.get(target)
            if isinstance(found, tuple) and found:
                children[table] = list(found)
        person = extra.get("people_affected_person")
        physical = extra.get("people_affected_physical_harm", PhysicalHarm.NONE)
        psychological = extra.get(
            "people_affected_psychological_harm", PsychologicalHarm.NONE
        )
        assert isinstance(physical, PhysicalHarm)  # noqa: S101 - read by its enum
        assert isinstance(psychological, PsychologicalHarm)  # noqa: S101 - likewise
        if isinstance(person, str):
            children["incident_people_affected"] = [
                PersonAffected(
                    person=person,
                    physical_harm=physical,
                    psychological_harm=psychological,
                )
            ]
        elif physical.rank or psychological.rank:
            target = (
                "people_affected_physical_harm"
                if physical.rank
                else "people_affected_psychological_harm"
            )
            reason = (
                "grades harm, but no person affected is given "
                "(map people_affected_person)"
            )
            raise _RowError(self.column(target), reason)
        try:
            incident = _build(_INCIDENTS.shape, values, children)
        except _RowError as error:
            raise _RowError(
                self.column(error.column) or error.column, error.reason
            ) from None
        assert isinstance(incident, Incident)  # noqa: S101 - the incidents shape builds incidents
        return incident

    def _presence(
        self,
        values: dict[str, object],
        extra: Mapping[str, object],
        defaulted: set[str],
    ) -> None:
        """Apply the yes/no targets of nested values to their columns' *values*.

        A default alone never makes a nested value present: the local
        authority's default is for referrals the file says were made.
        """
        for name, columns in _NESTED.items():
            flag = extra.get(name, values.get(name))
            if flag is None:
                if all(
                    leaf.column in defaulted or values[leaf.column] is None
                    for leaf in columns
                ):
                    for leaf in columns:
                        values[leaf.column] = None
                continue
            if flag is False:
                for leaf in columns:
                    values[leaf.column] = None
                continue
            for leaf in columns:
                if values[leaf.column] is not None or not leaf.required:
                    continue
                reported = values["reported_at"]
                if leaf.tp is date and isinstance(reported, datetime):
                    # A yes without its date: the date the incident was reported.
                    values[leaf.column] = reported.date()
                    continue
                reason = (
                    f"says yes, but {leaf.column} is blank: map it to a column "
                    "or give it a default"
                )
                raise _RowError(self.column(name) or self.column(leaf.column), reason)
            if name in values:
                values[name] = True
