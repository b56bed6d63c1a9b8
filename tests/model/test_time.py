"""Tests for incident_learning.model.time: reading dates and times people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from tests import strategies

from incident_learning.exceptions import DateParseError
from incident_learning.model import LocalTimePolicy, parse_date, parse_datetime

LONDON = ZoneInfo("Europe/London")


class TestParseDatetime:
    """parse_datetime reads UK day-first text as an aware datetime."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2026-01-05T14:30:00+01:00", datetime(2026, 1, 5, 13, 30, tzinfo=UTC)),
            ("2026-01-05T14:30:00Z", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
            ("2026-01-05 14:30", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
            ("05/01/2026 14:30", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
            ("5/1/26 9:05:07", datetime(2026, 1, 5, 9, 5, 7, tzinfo=UTC)),
            ("05.01.2026", datetime(2026, 1, 5, tzinfo=UTC)),
            ("5-1-2026", datetime(2026, 1, 5, tzinfo=UTC)),
            ("5 January 2026 2:05pm", datetime(2026, 1, 5, 14, 5, tzinfo=UTC)),
            ("  5 Jan 2026  ", datetime(2026, 1, 5, tzinfo=UTC)),
            ("1 July 2026 09:00", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        ],
    )
    def test_accepted_shapes(self, text: str, expected: datetime) -> None:
        """ISO 8601, day-first numeric and written-out months are read in the zone given."""
        assert parse_datetime(text, zone="Europe/London") == expected

    def test_iso_date_is_day_after_month(self) -> None:
        """2026-01-05 is 5 January, never 1 May."""
        assert parse_datetime("2026-01-05", zone="UTC") == datetime(
            2026, 1, 5, tzinfo=UTC
        )
        assert parse_datetime("05/01/2026", zone="UTC").month == 1

    def test_offset_in_text_wins_over_zone(self) -> None:
        """An offset written in the text is kept and the zone is ignored."""
        value = parse_datetime("2026-07-01T09:00:00-05:00", zone="Europe/London")
        assert value.utcoffset() == timedelta(hours=-5)

    def test_zone_may_be_a_tzinfo(self) -> None:
        """The zone can be a tzinfo object as well as a name."""
        zone = timezone(timedelta(hours=2))
        assert parse_datetime("05/01/2026 10:00", zone=zone).utcoffset() == timedelta(
            hours=2
        )

    def test_month_first_is_refused(self) -> None:
        """12/25/2026 is refused: there is no month-first fallback."""
        with pytest.raises(
            DateParseError, match="dates are never read month-first"
        ) as caught:
            parse_datetime("12/25/2026", zone="Europe/London")
        assert caught.value.text == "12/25/2026"
        assert "day 12, month 25" in caught.value.reason

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("", "is empty"),
            ("   ", "is empty"),
            ("5 Jan", "is incomplete: no year"),
            ("January 2026", "is incomplete: no day"),
            ("2026/01/05", "is year-first with slashes"),
            ("2026-13-01", "looks like ISO 8601 but is not a valid date"),
            ("20260105", "is not a recognised numeric date"),
            ("31/02/2026", "is not a real date read day-first"),
            ("tomorrow-ish", "is not a date or time this library can read"),
        ],
    )
    def test_refused_text(self, text: str, reason: str) -> None:
        """Empty, incomplete, impossible and unrecognised text is refused with a reason."""
        with pytest.raises(DateParseError, match=reason):
            parse_datetime(text, zone="Europe/London")

    def test_naive_without_zone_is_refused(self) -> None:
        """A time without an offset or a named zone is refused."""
        with pytest.raises(DateParseError, match="has no time zone; name one"):
            parse_datetime("05/01/2026 14:30")

    def test_unknown_zone_is_refused(self) -> None:
        """An unknown zone name is a DateParseError naming the zone."""
        with pytest.raises(
            DateParseError, match="unknown time zone 'Mars/Olympus'"
        ) as caught:
            parse_datetime("05/01/2026 14:30", zone="Mars/Olympus")
        assert caught.value.text == "Mars/Olympus"
        with pytest.raises(DateParseError, match="unknown time zone"):
            parse_datetime("05/01/2026 14:30", zone="../etc")

    @given(strategies.aware_datetimes())
    def test_isoformat_parses_back_equal(self, moment: datetime) -> None:
        """Any aware datetime's isoformat parses back to an equal datetime."""
        parsed = parse_datetime(moment.isoformat())
        assert parsed == moment
        assert parsed.utcoffset() == moment.utcoffset()


class TestClockChanges:
    """Local times in the spring gap and autumn fold need a policy."""

    def test_gap_is_refused_under_raise(self) -> None:
        """01:30 on 29 March 2026 does not exist in London and is refused."""
        with pytest.raises(DateParseError, match="does not exist"):
            parse_datetime("29/03/2026 01:30", zone="Europe/London")

    def test_fold_is_refused_under_raise(self) -> None:
        """01:30 on 25 October 2026 happens twice in London and is refused."""
        with pytest.raises(DateParseError, match="is ambiguous"):
            parse_datetime("25/10/2026 01:30", zone="Europe/London")

    @pytest.mark.parametrize(
        ("text", "policy", "iso"),
        [
            ("29/03/2026 01:30", LocalTimePolicy.EARLIER, "2026-03-29T00:30:00+00:00"),
            ("29/03/2026 01:30", LocalTimePolicy.LATER, "2026-03-29T02:30:00+01:00"),
            ("25/10/2026 01:30", LocalTimePolicy.EARLIER, "2026-10-25T01:30:00+01:00"),
            ("25/10/2026 01:30", LocalTimePolicy.LATER, "2026-10-25T01:30:00+00:00"),
            ("2026-10-25T01:30", "later", "2026-10-25T01:30:00+00:00"),
        ],
    )
    def test_policy_resolves(
        self, text: str, policy: LocalTimePolicy, iso: str
    ) -> None:
        """EARLIER and LATER pick one of the two instants, shown as a real wall time."""
        value = parse_datetime(text, zone="Europe/London", local_time_policy=policy)
        assert value.isoformat() == iso
        # Compare instants: PEP 495 makes a time in the fold unequal to any
        # datetime in another zone, even at the same instant.
        assert value.timestamp() == datetime.fromisoformat(iso).timestamp()

    def test_ordinary_time_ignores_the_policy(self) -> None:
        """A time away from a clock change reads the same under every policy."""
        readings = {
            parse_datetime("01/07/2026 12:00", zone=LONDON, local_time_policy=policy)
            for policy in LocalTimePolicy
        }
        assert readings == {datetime(2026, 7, 1, 11, 0, tzinfo=UTC)}

    def test_policy_values(self) -> None:
        """The stored values of LocalTimePolicy never change."""
        assert [p.value for p in LocalTimePolicy] == ["raise", "earlier", "later"]


class TestParseDate:
    """parse_date reads a calendar date and refuses a time of day."""

    @pytest.mark.parametrize(
        "text", ["2026-01-05", "05/01/2026", "5/1/26", "5 Jan 2026", "5 January 2026"]
    )
    def test_accepted_shapes(self, text: str) -> None:
        """The documented shapes all read as 5 January 2026."""
        assert parse_date(text) == date(2026, 1, 5)

    @pytest.mark.parametrize(
        "text",
        [
            "2026-01-05T10:00",
            "05/01/2026 10:00",
            "5 January 2026 10:00",
            "5 January 2026 2pm",
            "5 Jan 2026 2 p.m.",
        ],
    )
    def test_time_of_day_is_refused(self, text: str) -> None:
        """A date with a time of day is refused where a date alone is expected."""
        with pytest.raises(DateParseError, match="carries a time of day"):
            parse_date(text)

    @pytest.mark.parametrize("text", ["", "12/25/2026", "5 Jan", "2026/01/05"])
    def test_bad_dates_are_refused(self, text: str) -> None:
        """Empty, month-first, incomplete and year-first-slashed text is refused."""
        with pytest.raises(DateParseError):
            parse_date(text)

    def test_error_is_a_value_error(self) -> None:
        """DateParseError can be caught as ValueError."""
        with pytest.raises(ValueError, match="is empty"):
            parse_date("")


class TestNoGuessing:
    """Text with more in it than a bare date is still never read month-first."""

    @pytest.mark.parametrize(
        "text",
        [
            "12/25/2026 10:00am",
            "12/25/2026 10:00 +00:00",
            "Tue 12/25/2026",
            "12-25-2026 10:00 GMT",
        ],
    )
    def test_a_month_first_date_among_other_words_is_refused(self, text: str) -> None:
        """A numeric date is read day-first wherever it stands in the text."""
        with pytest.raises(DateParseError, match="never read month-first"):
            parse_datetime(text, zone="Europe/London")

    def test_a_numeric_date_among_other_words_is_read_day_first(self) -> None:
        """'Tue 12/01/2026 10:00am' is 12 January, at ten in the morning."""
        moment = parse_datetime("Tue 12/01/2026 10:00am", zone="Europe/London")
        assert moment.isoformat() == "2026-01-12T10:00:00+00:00"

    @pytest.mark.parametrize(
        "text", ["5 Jan 2026 at 14", "5 Jan 2026 14h", "5 January 2026 2pm"]
    )
    def test_an_hour_alone_is_a_time_of_day(self, text: str) -> None:
        """An hour without minutes is still a time: parse_date refuses it."""
        with pytest.raises(DateParseError, match="time of day"):
            parse_date(text)
        assert parse_datetime(text, zone="Europe/London").hour == 14

    def test_seconds_are_kept_when_written(self) -> None:
        """Seconds written in the text are kept; unwritten ones are zero."""
        assert parse_datetime("5 Jan 2026 14:00:30", zone="UTC").second == 30
        assert parse_datetime("5 Jan 2026 14:00", zone="UTC").second == 0

    def test_a_zone_name_is_not_guessed(self) -> None:
        """A zone abbreviation such as EST is refused, not dropped or warned about."""
        with pytest.raises(DateParseError, match="will not guess"):
            parse_datetime("5 Jan 2026 14:00 EST", zone="Europe/London")

    def test_digits_other_than_ascii_are_refused(self) -> None:
        """Digits from other scripts are refused rather than interpreted."""
        with pytest.raises(DateParseError, match="digits other than 0-9"):
            parse_date("\u0661\u0662/\u0660\u0661/\u0662\u0660\u0662\u0666")

    def test_the_result_has_a_fixed_offset(self) -> None:
        """A time read in a named zone carries that zone's offset, not the zone."""
        moment = parse_datetime("01/07/2026 09:00", zone="Europe/London")
        assert moment.tzinfo == timezone(timedelta(hours=1))
