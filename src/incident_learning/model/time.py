"""Reading dates and times typed by people or exported by spreadsheets.

Files written by the library hold strict ISO 8601 and are read with
:meth:`datetime.datetime.fromisoformat`. Text typed by people is read here, by
:func:`parse_datetime` and :func:`parse_date`, with three rules:

* ISO 8601 first; then numeric ``dd/mm/yyyy`` shapes, always day-first; then
  written-out months (``5 Jan 2026``) through python-dateutil.
* An impossible or incomplete reading is an error. There is never a silent
  month-first fallback: ``12/25/2026`` is refused, not read as Christmas.
* A time without a zone is an error unless the caller names one; a local time
  that a clock change makes ambiguous (the autumn fold) or impossible (the
  spring gap) is an error unless the caller chooses a :class:`LocalTimePolicy`.
"""

import enum
import re
import warnings
from datetime import UTC, date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from incident_learning.exceptions import DateParseError

__all__ = ["LocalTimePolicy", "parse_date", "parse_datetime"]


@enum.unique
class LocalTimePolicy(enum.StrEnum):
    """What to do with a local time a clock change makes ambiguous or impossible.

    ``raise`` refuses it. Otherwise the wall time has two readings, one per
    offset: ``earlier`` takes the earlier instant and ``later`` the later one.
    In the spring gap the result is shown as a wall time that exists
    (``01:30`` on the day clocks go forward becomes ``00:30 GMT`` or
    ``02:30 BST``).
    """

    RAISE = "raise"
    EARLIER = "earlier"
    LATER = "later"


_ISO_START = re.compile(r"\d{4}-", re.ASCII)
_NUMERIC_DATE = r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})"
_DAY_FIRST = re.compile(
    _NUMERIC_DATE
    + r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?",
    re.ASCII,
)
_NUMERIC_DATE_INSIDE = re.compile(
    r"(?<![\d/.\-])" + _NUMERIC_DATE + r"(?![\d/.\-])", re.ASCII
)
_YEAR_FIRST_SLASHED = re.compile(r"\d{4}/", re.ASCII)
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
# Two defaults that differ in every field dateutil fills in silently: a
# reading that depends on which one is used was missing that part.
_DEFAULTS = (datetime(2001, 1, 1, 0, 0, 0), datetime(2002, 2, 2, 1, 1, 1))  # noqa: DTZ001


def _zone(zone: str | tzinfo) -> tzinfo:
    if isinstance(zone, tzinfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        msg = f"unknown time zone {zone!r}"
        raise DateParseError(zone, msg) from error


def _localise(
    text: str, naive: datetime, zone: str | tzinfo, policy: LocalTimePolicy
) -> datetime:
    tz = _zone(zone)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # Offsets differ: the wall time is in a fold (it exists twice) or a gap
    # (it never existed). A round trip through UTC tells which.
    in_gap = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive
    if policy is LocalTimePolicy.RAISE:
        what = (
            "does not exist (clocks went forward)"
            if in_gap
            else "is ambiguous (clocks went back)"
        )
        msg = f"local time {what} in {zone!s}; choose a LocalTimePolicy"
        raise DateParseError(text, msg)
    # Both readings are real instants; the policy picks one, shown as a wall
    # time that exists.
    instants = sorted((first, second), key=lambda moment: moment.astimezone(UTC))
    chosen = instants[0] if policy is LocalTimePolicy.EARLIER else instants[1]
    return chosen.astimezone(UTC).astimezone(tz)


def _aware(
    text: str, value: datetime, zone: str | tzinfo | None, policy: LocalTimePolicy
) -> datetime:
    if value.utcoffset() is not None:
        return value
    if zone is None:
        msg = "has no time zone; name one, e.g. zone='Europe/London'"
        raise DateParseError(text, msg)
    return _localise(text, value, zone, policy)


def _spelled_out(text: str, original: str) -> str:
    """Return *text* with a numeric date inside it written with its month name.

    dateutil would read ``12/25/2026`` month-first when day-first fails; a
    numeric date is therefore read here, strictly day-first, and handed on
    in a form nobody can misread.
    """
    match = _NUMERIC_DATE_INSIDE.search(text)
    if match is None:
        return text
    day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
    year += 2000 if len(match["year"]) == 2 else 0
    try:
        date(year, month, day)
    except ValueError as error:
        msg = (
            f"is not a real date read day-first (day {day}, month {month}); "
            "dates are never read month-first"
        )
        raise DateParseError(original, msg) from error
    spelled = f"{day} {_MONTHS[month - 1]} {year}"
    return f"{text[: match.start()]} {spelled} {text[match.end() :]}"


def _complete_reading(text: str) -> tuple[datetime, bool]:
    """Read *text* with dateutil, refusing anything it would have to guess."""
    readable = _spelled_out(text, text)
    readings = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():
                # A zone name dateutil does not know would be dropped with a
                # warning; it is an error here, as any guess at a zone is.
                warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
                readings.append(
                    dateutil_parser.parse(readable, dayfirst=True, default=default)
                )
        except dateutil_parser.UnknownTimezoneWarning as warning:
            msg = "names a time zone this library will not guess at; write an offset such as +01:00"
            raise DateParseError(text, msg) from warning
        except (ValueError, OverflowError) as error:
            msg = "is not a date or time this library can read"
            raise DateParseError(text, msg) from error
    first, second = readings
    missing = [
        name
        for name in ("year", "month", "day")
        if getattr(first, name) != getattr(second, name)
    ]
    if missing:
        msg = f"is incomplete: no {', '.join(missing)}"
        raise DateParseError(text, msg)
    has_time = first.hour == second.hour
    if has_time and first.minute != second.minute:
        # An hour alone (2pm, 14h): the minutes are on the hour.
        first = first.replace(minute=0)
    return first.replace(second=0) if first.second != second.second else first, has_time


def _read(text: str) -> tuple[datetime, bool]:
    """Read *text* as a possibly naive datetime; say whether it had a time."""
    stripped = text.strip()
    if not stripped:
        msg = "is empty"
        raise DateParseError(text, msg)
    if any(character.isdigit() and not character.isascii() for character in stripped):
        msg = "uses digits other than 0-9; write the date with 0-9"
        raise DateParseError(text, msg)
    if _ISO_START.match(stripped):
        try:
            value = datetime.fromisoformat(stripped)
        except ValueError as error:
            msg = "looks like ISO 8601 but is not a valid date or time"
            raise DateParseError(text, msg) from error
        return value, len(stripped) > 10
    if _YEAR_FIRST_SLASHED.match(stripped):
        msg = "is year-first with slashes; write it as ISO 8601 (yyyy-mm-dd)"
        raise DateParseError(text, msg)
    if match := _DAY_FIRST.fullmatch(stripped):
        parts = {key: int(part) for key, part in match.groupdict().items() if part}
        year = parts["year"] + (2000 if len(match["year"]) == 2 else 0)
        try:
            value = datetime(  # noqa: DTZ001 - the zone is applied by the caller
                year,
                parts["month"],
                parts["day"],
                parts.get("hour", 0),
                parts.get("minute", 0),
                parts.get("second", 0),
            )
        except ValueError as error:
            msg = (
                f"is not a real date read day-first (day {parts['day']}, "
                f"month {parts['month']}); dates are never read month-first"
            )
            raise DateParseError(text, msg) from error
        return value, match["hour"] is not None
    if re.fullmatch(r"[\d/.\- :T]+", stripped, re.ASCII):
        msg = "is not a recognised numeric date (expected dd/mm/yyyy or ISO 8601)"
        raise DateParseError(text, msg)
    return _complete_reading(stripped)


def parse_datetime(
    text: str,
    *,
    zone: str | tzinfo | None = None,
    local_time_policy: LocalTimePolicy = LocalTimePolicy.RAISE,
) -> datetime:
    """Read a date and time typed by a person, UK day-first, as an aware datetime.

    Args:
        text: The text, e.g. ``2026-03-01T14:05:00+00:00``, ``01/03/2026 14:05``
            or ``1 March 2026 2:05pm``.
        zone: The zone a time without an offset is in, e.g. ``Europe/London``.
            Without it, a time with no offset is an error.
        local_time_policy: What to do with a local time in a clock change's
            fold or gap.

    Returns:
        A datetime with a fixed UTC offset: the offset in force in *zone* at
        that moment, or the one written. A date alone reads as midnight.

    Raises:
        DateParseError: The text is empty, impossible, incomplete, has no zone
            and none was named, or falls in a fold or gap under ``raise``.

    Examples:
        >>> from incident_learning.model.time import parse_datetime
        >>> parse_datetime("05/01/2026 14:30", zone="Europe/London").isoformat()
        '2026-01-05T14:30:00+00:00'
        >>> parse_datetime("2026-01-05T14:30:00+01:00").isoformat()
        '2026-01-05T14:30:00+01:00'
        >>> parse_datetime("12/25/2026", zone="Europe/London")
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.DateParseError: '12/25/2026': is not a real date read day-first (day 12, month 25); dates are never read month-first
        >>> parse_datetime("25/10/2026 01:30", zone="Europe/London")
        Traceback (most recent call last):
        ...
        incident_learning.exceptions.DateParseError: '25/10/2026 01:30': local time is ambiguous (clocks went back) in Europe/London; choose a LocalTimePolicy
    """
    value, _ = _read(text)
    aware = _aware(text, value, zone, LocalTimePolicy(local_time_policy))
    # A fixed offset, not the zone: the offset is what files hold, and Python
    # never finds a zone's time in the autumn fold equal to any other.
    offset = aware.utcoffset()
    assert offset is not None  # noqa: S101 - _aware guarantees it
    return aware.replace(tzinfo=timezone(offset), fold=0)


def parse_date(text: str) -> date:
    """Read a calendar date typed by a person, UK day-first.

    Args:
        text: The text, e.g. ``2026-01-05``, ``05/01/2026``, ``5/1/26`` or
            ``5 January 2026``. Two-digit years are in the 2000s.

    Returns:
        The date.

    Raises:
        DateParseError: The text is empty, impossible, incomplete, or carries
            a time of day.

    Examples:
        >>> from incident_learning.model.time import parse_date
        >>> parse_date("2026-01-05"), parse_date("05/01/2026"), parse_date("5 Jan 2026")
        (datetime.date(2026, 1, 5), datetime.date(2026, 1, 5), datetime.date(2026, 1, 5))
    """
    value, has_time = _read(text)
    if has_time:
        msg = "carries a time of day where a date alone is expected"
        raise DateParseError(text, msg)
    return value.date()
