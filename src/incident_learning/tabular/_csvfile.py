"""Reading CSV files people and spreadsheets make, and the cells in them.

Shared by the tidy-folder reader and the mapped importer: decoding (UTF-8
with or without a byte-order mark, else Windows-1252), the header and its
duplicate names, physical line numbers that stay right when a quoted cell
spans lines, blank lines skipped and counted, and readers for the cell
values spreadsheets produce (Excel serial dates, times of day, yes/no).
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import attrs

from incident_learning.exceptions import InvalidDataError, Problem
from incident_learning.serialization.format import write_atomically

__all__ = [
    "BLANK",
    "CsvFile",
    "excel_serial",
    "normalised",
    "parse_bool",
    "parse_time",
    "read_csv_file",
    "write_rows",
]

BLANK: Final = "".join(
    chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()
) + ("\ufeff\u200b")
"""What is stripped from cells: all Unicode whitespace (the non-breaking
space Excel produces included), byte-order marks and zero-width spaces."""

_SERIAL: Final = re.compile(r"\d{1,7}(?:\.\d+)?", re.ASCII)
_TIME: Final = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"\s*(?:(?P<half>[ap])\.?m\.?)?",
    re.ASCII | re.IGNORECASE,
)
_COMPACT_TIME: Final = re.compile(r"(?P<hour>\d{2})(?P<minute>\d{2})", re.ASCII)
_FRACTION: Final = re.compile(r"0?\.\d+", re.ASCII)
_OFFSET: Final = re.compile(
    r"(?P<clock>.*?)\s*(?:(?P<utc>Z)|(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2}))",
    re.ASCII | re.IGNORECASE,
)
_SPACES: Final = re.compile(r"\s+")

# Excel's 1900 date system counts 1 January 1900 as day 1 and, to match
# Lotus 1-2-3, also counts 29 February 1900, a day that never was: from
# day 61 on, serials are one day ahead of a true count from 31 December 1899.
_EXCEL_EPOCH: Final = datetime(1899, 12, 30)  # noqa: DTZ001 - a wall-clock count
_EXCEL_LEAP_BUG: Final = 60
_EXCEL_LAST: Final = 2958465  # 31 December 9999

_TRUE: Final = frozenset({"true", "yes", "y", "1", "t"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "f"})


def normalised(text: str) -> str:
    r"""Return *text* folded for matching labels: case, spaces and underscores.

    Examples:
        >>> from incident_learning.tabular._csvfile import normalised
        >>> normalised("  Moderate\xa0 HARM ")
        'moderate harm'
        >>> normalised("good_care") == normalised("Good care")
        True
    """
    return _SPACES.sub(" ", text.replace("_", " ")).strip().casefold()


def parse_bool(text: str) -> bool:
    """Read yes/no text: ``true``/``false``, ``yes``/``no``, ``y``/``n``, ``1``/``0``.

    Raises:
        ValueError: Anything else.

    Examples:
        >>> from incident_learning.tabular._csvfile import parse_bool
        >>> parse_bool("TRUE"), parse_bool("No"), parse_bool("y")
        (True, False, True)
    """
    folded = text.strip(BLANK).casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    msg = f"{text!r} is not yes or no (expected true/false, yes/no, y/n or 1/0)"
    raise ValueError(msg)


def excel_serial(text: str) -> datetime | None:
    """Return the Excel serial date in *text* (1900 date system), or ``None``.

    The whole part counts days, the fractional part is the time of day,
    rounded to the second. *text* is not a serial unless it is a plain
    number from 1 to 2958465 (31 December 9999).

    Raises:
        ValueError: Serial 60, Excel's 29 February 1900, which did not exist.

    Examples:
        >>> from incident_learning.tabular._csvfile import excel_serial
        >>> excel_serial("45750")
        datetime.datetime(2025, 4, 3, 0, 0)
        >>> excel_serial("45750.6041666667")
        datetime.datetime(2025, 4, 3, 14, 30)
        >>> excel_serial("03/04/2025") is None
        True
    """
    if not _SERIAL.fullmatch(text):
        return None
    value = float(text)
    days = int(value)
    if not 1 <= days <= _EXCEL_LAST:
        return None
    if days == _EXCEL_LEAP_BUG:
        msg = (
            "is Excel serial 60, 29 February 1900, a day that did not exist "
            "(Excel keeps it for compatibility with Lotus 1-2-3)"
        )
        raise ValueError(msg)
    if days < _EXCEL_LEAP_BUG:
        days += 1
    seconds = round((value - int(value)) * 86400)
    return _EXCEL_EPOCH + timedelta(days=days, seconds=seconds)


def parse_time(text: str) -> time:
    """Read a time of day: ``14:30``, ``14.30``, ``2:30pm``, ``1430``, or an Excel fraction.

    A UTC offset after the time (``01:30+01:00``, ``01:30 Z``) is kept as
    the time's zone: it settles a wall time the autumn clock change makes
    ambiguous.

    Raises:
        ValueError: Not a time of day, or an offset of a day or more.

    Examples:
        >>> from incident_learning.tabular._csvfile import parse_time
        >>> parse_time("14:30"), parse_time("2.30 pm"), parse_time("0.25")
        (datetime.time(14, 30), datetime.time(14, 30), datetime.time(6, 0))
        >>> parse_time("1430"), parse_time("12am"), parse_time("09:05:30")
        (datetime.time(14, 30), datetime.time(0, 0), datetime.time(9, 5, 30))
        >>> parse_time("01:30+01:00").isoformat()
        '01:30:00+01:00'
    """
    stripped = text.strip(BLANK)
    if (found := _OFFSET.fullmatch(stripped)) and found["clock"]:
        clock = parse_time(found["clock"])
        if found["utc"]:
            return clock.replace(tzinfo=UTC)
        hours, minutes = int(found["hours"]), int(found["minutes"])
        if hours < 24 and minutes < 60:
            sign = -1 if found["sign"] == "-" else 1
            offset = timedelta(hours=hours, minutes=minutes) * sign
            return clock.replace(tzinfo=timezone(offset))
        msg = f"{text!r} has an offset of a day or more (expected e.g. +01:00)"
        raise ValueError(msg)
    hour = minute = second = -1
    if _FRACTION.fullmatch(stripped):
        seconds = round(float(stripped) * 86400)
        hour, minute, second = seconds // 3600, seconds // 60 % 60, seconds % 60
    elif match := _COMPACT_TIME.fullmatch(stripped):
        hour, minute, second = int(match["hour"]), int(match["minute"]), 0
    elif (match := _TIME.fullmatch(stripped)) and (match["minute"] or match["half"]):
        hour = int(match["hour"])
        minute, second = int(match["minute"] or 0), int(match["second"] or 0)
        if match["half"]:
            # 12am is midnight and 12pm noon; 13pm is not a time.
            pm = match["half"].casefold() == "p"
            hour = hour % 12 + 12 * pm if 1 <= hour <= 12 else -1
    if 0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60:
        return time(hour, minute, second)
    msg = f"{text!r} is not a time of day (expected e.g. 14:30, 2:30pm or 1430)"
    raise ValueError(msg)


def decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Return *data* decoded, and the encoding used.

    Without *encoding*: UTF-8 (a byte-order mark is dropped and reported as
    ``utf-8-sig``), else Windows-1252, the code page of Excel's plain
    "CSV" on UK Windows.
    """
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except (UnicodeDecodeError, LookupError) as error:
            message = f"cannot be read as {encoding}: {error}"
            raise InvalidDataError([Problem(path=name, message=message)]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = (
            f"line {line} is neither UTF-8 nor Windows-1252 (byte "
            f"{data[error.start]:#04x}); save it as CSV UTF-8 or name its encoding"
        )
        raise InvalidDataError([Problem(path=name, message=message)]) from None


class _Source:
    """The file's lines, remembering those the CSV reader took for the row it is on."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.taken: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


@attrs.define
class CsvFile:
    """A CSV file's header and the rows after it.

    Attributes:
        name: The file's name, for messages.
        encoding: The encoding the file was read with.
        header: The column names, stripped.
        raw_header: The header's cells as written.
        header_line: The physical line of the header.
        duplicates: Each column name that appears more than once, with
            its positions.
        blank_lines: Fully blank rows skipped so far, after the header.
    """

    name: str
    encoding: str
    header: tuple[str, ...]
    raw_header: tuple[str, ...]
    header_line: int
    duplicates: dict[str, tuple[int, ...]]
    _reader: Any
    _source: _Source
    blank_lines: int = 0

    def rows(self) -> Iterator[tuple[int, list[str], str | None]]:
        """Yield ``(line, cells, problem)`` for each row that is not blank.

        *line* is the physical line the row starts on, counting from 1,
        right even when a quoted cell spans lines. *cells* are as written.
        A row that is not valid CSV (a stray quote) has *problem* set and
        its text as its one cell; reading goes on at the next line.
        """
        reader, source = self._reader, self._source
        strip = str.strip
        line = reader.line_num
        while True:
            source.taken.clear()
            start = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                line = reader.line_num
                yield (
                    start,
                    ["".join(source.taken).rstrip("\r\n")],
                    f"is not valid CSV: {error}",
                )
                continue
            line = reader.line_num
            if not any(strip(cell, BLANK) for cell in cells):
                self.blank_lines += 1
                continue
            yield start, cells, None


def read_csv_file(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    delimiter: str = ",",
    name: str | None = None,
) -> CsvFile:
    """Open the CSV file *path* and read its header.

    Blank lines before the header are skipped (and not counted as rows).

    Raises:
        InvalidDataError: The file cannot be decoded, has no header, or its
            header is not valid CSV.
        FileNotFoundError: There is no such file.
    """
    label = name or Path(path).name
    data = Path(path).read_bytes()
    text, used = decode(data, encoding, label)
    source = _Source(text)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    line = 0
    try:
        for cells in reader:
            start = line + 1
            line = reader.line_num
            if any(cell.strip(BLANK) for cell in cells):
                break
        else:
            raise InvalidDataError(
                [Problem(path=label, message="is empty: expected a header row")]
            )
    except csv.Error as error:
        message = f"is not valid CSV: {error}"
        raise InvalidDataError(
            [Problem(path=f"{label} line {reader.line_num}", message=message)]
        ) from None
    header = tuple(cell.strip(BLANK) for cell in cells)
    positions: dict[str, list[int]] = {}
    for position, column in enumerate(header):
        if column:
            positions.setdefault(column, []).append(position)
    duplicates = {
        column: tuple(found) for column, found in positions.items() if len(found) > 1
    }
    return CsvFile(label, used, header, tuple(cells), start, duplicates, reader, source)


def write_rows(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Sequence[Sequence[str]] | Iterator[Sequence[str]],
    *,
    bom: bool = False,
) -> Path:
    """Write *header* and *rows* to *path* as UTF-8 CSV with CRLF line ends.

    The file is written whole or not at all. CRLF, as RFC 4180 has it: Python's writer quotes a cell holding a bare
    carriage return only when the line ending holds one too. *bom* writes
    a byte-order mark, which makes Excel read the file as UTF-8.
    """
    target = Path(path)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    write_atomically(target, b"\xef\xbb\xbf" + data if bom else data)
    return target
