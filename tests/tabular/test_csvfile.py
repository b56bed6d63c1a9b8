"""Reading the CSV files people and spreadsheets make: decoding, headers, cells."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from incident_learning.exceptions import InvalidDataError
from incident_learning.tabular._csvfile import (
    decode,
    excel_serial,
    parse_bool,
    parse_time,
    read_csv_file,
)


class TestExcelSerial:
    def test_a_serial_before_the_phantom_leap_day_counts_from_1_january_1900(
        self,
    ) -> None:
        """Serial 1 is 1 January 1900: before day 60 Excel's count is true."""
        assert excel_serial("1") == datetime(1900, 1, 1)  # noqa: DTZ001
        assert excel_serial("61") == datetime(1900, 3, 1)  # noqa: DTZ001

    @pytest.mark.parametrize("text", ["0", "2958466", "1e5", "-3", "3/4"])
    def test_text_outside_the_range_or_shape_is_not_a_serial(self, text: str) -> None:
        """Zero, past 31 December 9999, or not a plain number: not a serial."""
        assert excel_serial(text) is None

    def test_serial_60_is_refused(self) -> None:
        """Excel's 29 February 1900 never was, so it is an error, not a guess."""
        with pytest.raises(ValueError, match="29 February 1900"):
            excel_serial("60")


class TestParseTime:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("01:30+01:00", time(1, 30, tzinfo=timezone(timedelta(hours=1)))),
            ("01:30 Z", time(1, 30, tzinfo=UTC)),
            ("2:30pm -0130", time(14, 30, tzinfo=timezone(-timedelta(minutes=90)))),
            ("12pm", time(12)),
        ],
    )
    def test_an_offset_after_the_time_is_its_zone(
        self, text: str, expected: time
    ) -> None:
        """A written offset is kept on the time; without one the time is naive."""
        found = parse_time(text)
        assert found == expected
        assert found.utcoffset() == expected.utcoffset()

    def test_an_offset_of_a_day_is_refused(self) -> None:
        """+24:00 is not an offset a clock can have."""
        with pytest.raises(ValueError, match="offset of a day or more"):
            parse_time("01:30+24:00")

    @pytest.mark.parametrize("text", ["13pm", "24:00", "9", "-01:00", "noon"])
    def test_what_is_not_a_time_of_day_is_refused(self, text: str) -> None:
        """An hour past 12 with pm, past 23, or alone, is not read as a time."""
        with pytest.raises(ValueError, match="is not a time of day"):
            parse_time(text)


class TestParseBool:
    def test_other_text_is_refused_naming_what_is_expected(self) -> None:
        """'maybe' is neither yes nor no."""
        with pytest.raises(ValueError, match="is not yes or no"):
            parse_bool("maybe")


class TestDecode:
    def test_a_named_encoding_is_used_and_reported(self) -> None:
        """With an encoding given, the text is read in it and a BOM dropped."""
        assert decode("\ufeff£5".encode("utf-16"), "utf-16", "x.csv") == (
            "£5",
            "utf-16",
        )

    @pytest.mark.parametrize("encoding", ["ascii", "no-such-codec"])
    def test_a_named_encoding_that_does_not_fit_names_the_file(
        self, encoding: str
    ) -> None:
        """Bytes the named encoding cannot read, or an unknown name, are an error."""
        with pytest.raises(
            InvalidDataError, match=rf"x\.csv: cannot be read as {encoding}"
        ):
            decode("£".encode(), encoding, "x.csv")

    def test_windows_1252_is_the_fallback(self) -> None:
        """Bytes that are not UTF-8 are read as Excel's Windows code page."""
        assert decode("£5".encode("cp1252"), None, "x.csv") == ("£5", "cp1252")

    def test_bytes_neither_encoding_reads_are_reported_by_line(self) -> None:
        """0x81 is undefined in Windows-1252: the error names its line and byte."""
        with pytest.raises(
            InvalidDataError,
            match=r"line 2 is neither UTF-8 nor Windows-1252 \(byte 0x81\)",
        ):
            decode(b"a,b\n\x81,c\n", None, "x.csv")


class TestReadCsvFile:
    def test_blank_lines_before_the_header_are_skipped(self, tmp_path: Path) -> None:
        """The header is the first row with a cell in it; its line is kept."""
        path = tmp_path / "x.csv"
        path.write_text("\n , \nA,,B\n1,2,3\n", encoding="utf-8")
        file = read_csv_file(path)
        assert file.header == ("A", "", "B")
        assert file.header_line == 3
        assert file.duplicates == {}
        assert list(file.rows()) == [(4, ["1", "2", "3"], None)]

    def test_a_file_with_no_header_is_an_error(self, tmp_path: Path) -> None:
        """A file holding blank lines only has no header to read."""
        path = tmp_path / "x.csv"
        path.write_text("\n,\n", encoding="utf-8")
        with pytest.raises(InvalidDataError, match=r"x\.csv: is empty"):
            read_csv_file(path)

    def test_a_header_that_is_not_valid_csv_is_an_error(self, tmp_path: Path) -> None:
        """A stray quote in the header is reported with its line."""
        path = tmp_path / "x.csv"
        path.write_text('\n"A"B,C\n', encoding="utf-8")
        with pytest.raises(InvalidDataError, match=r"x\.csv line 2: is not valid CSV"):
            read_csv_file(path)
