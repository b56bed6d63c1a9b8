"""Tidy CSV export, lossless read-back, and the lenient folder import."""

from __future__ import annotations

import csv
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given
from tests import strategies

import incident_learning as il
from incident_learning import samples, serialization
from incident_learning.exceptions import InvalidDataError, UnsupportedFormatError
from incident_learning.model import Incident, LocalCode, RiddorReport
from incident_learning.tabular import (
    TABLES,
    RowRejectedError,
    export_csv,
    import_folder,
    load_csv,
    tidy,
)


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\r\n").writerows(rows)


class TestExport:
    def test_every_table_is_written_with_its_columns(self, tmp_path: Path) -> None:
        """Every table is a file, even when empty, with the layout's columns."""
        export_csv(samples.small_log(), tmp_path)
        for name, columns in TABLES.items():
            assert tuple(_rows(tmp_path / f"{name}.csv")[0]) == columns

    def test_table_names_match_the_dataframes(self) -> None:
        """The CSV tables are named as to_frames names its DataFrames."""
        assert "incident_people_affected" in TABLES
        assert TABLES["action_learning_points"] == (
            "action",
            "version",
            "position",
            "learning_point",
        )

    def test_output_is_deterministic(self, tmp_path: Path) -> None:
        """Exporting the same log twice writes the same bytes."""
        log = samples.example_log()
        first = {p.name: p.read_bytes() for p in export_csv(log, tmp_path / "a")}
        second = {p.name: p.read_bytes() for p in export_csv(log, tmp_path / "b")}
        assert first == second
        assert b"\r\n" in first["incidents.csv"]

    def test_bom_is_written_on_request(self, tmp_path: Path) -> None:
        """With bom, every file starts with a UTF-8 byte-order mark Excel reads."""
        paths = export_csv(samples.small_log(), tmp_path, bom=True)
        assert all(path.read_bytes().startswith(b"\xef\xbb\xbf") for path in paths)
        assert load_csv(tmp_path).get("INC-0001") == samples.incident()

    def test_cells_keep_the_lossless_text(self, tmp_path: Path) -> None:
        """Offsets, dates, enums, booleans and blanks are written as JSON writes them."""
        export_csv(samples.small_log(), tmp_path)
        header, row = _rows(tmp_path / "incidents.csv")[:2]
        cells = dict(zip(header, row, strict=True))
        assert cells["occurred"] == "2025-03-01T02:40:00+00:00"
        assert cells["event_type"] == "incident"
        assert cells["reached_person"] == "true"
        assert cells["occurred_until"] == ""


class TestRoundTrip:
    def test_the_bundled_example_round_trips(self, tmp_path: Path) -> None:
        """The example provider's folder reads back to the same JSON Lines."""
        log = samples.example_log()
        export_csv(log, tmp_path)
        again = load_csv(tmp_path)
        assert serialization.dumps_jsonl(again) == serialization.dumps_jsonl(log)

    @strategies.log_settings(
        suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(log=strategies.logs())
    def test_any_log_round_trips(self, tmp_path: Path, log: il.LearningLog) -> None:
        """Every version of every record, and the local codes, survive export and read."""
        export_csv(log, tmp_path)
        # The fast reader reads every folder export_csv writes: the full
        # reader is for what people and spreadsheets make of it.
        again = tidy._load_fast(tmp_path)
        assert serialization.dumps_jsonl(again) == serialization.dumps_jsonl(log)

    @strategies.log_settings(
        suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(log=strategies.logs())
    def test_the_full_reader_agrees_with_the_fast_one(
        self, tmp_path: Path, log: il.LearningLog
    ) -> None:
        """The lenient import, which reads every cell by the full reader, gives the same log."""
        export_csv(log, tmp_path)
        result = import_folder(tmp_path)
        assert result.rejected == ()
        assert serialization.dumps_jsonl(result.log) == serialization.dumps_jsonl(log)

    def test_an_all_blank_riddor_report_is_kept_apart_from_none(
        self, tmp_path: Path
    ) -> None:
        """A RIDDOR report with no date or reference is not read back as no report."""
        log = samples.small_log()
        incident = log.get("INC-0001", Incident)
        log.add(
            incident.corrected(
                by="STAFF-RM",
                at=samples.AT,
                reason="reportable",
                riddor_report=RiddorReport(),
            )
        )
        export_csv(log, tmp_path)
        history = load_csv(tmp_path).history("INC-0001")
        assert [item.riddor_report for item in history] == [None, RiddorReport()]  # type: ignore[attr-defined]


class TestLoadProblems:
    def test_every_problem_names_file_line_and_column(self, tmp_path: Path) -> None:
        """A bad cell is reported with its file, line and column."""
        export_csv(samples.small_log(), tmp_path)
        path = tmp_path / "incidents.csv"
        rows = _rows(path)
        rows[1][rows[0].index("reached_person")] = "maybe"
        _write(path, rows)
        with pytest.raises(
            InvalidDataError,
            match=r"incidents.csv line 2.reached_person: 'maybe' is not yes or no",
        ):
            load_csv(tmp_path)

    def test_a_newer_format_is_refused(self, tmp_path: Path) -> None:
        """A folder of a newer major format is refused, naming both."""
        export_csv(samples.small_log(), tmp_path)
        _write(tmp_path / "format.csv", [["format"], ["incident_learning/9"]])
        with pytest.raises(UnsupportedFormatError):
            load_csv(tmp_path)

    def test_a_missing_folder_is_an_error(self, tmp_path: Path) -> None:
        """Reading a folder that does not exist raises FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            load_csv(tmp_path / "nowhere")


class TestImportFolder:
    def test_a_bad_row_is_rejected_with_what_refers_to_it(self, tmp_path: Path) -> None:
        """A rejected incident takes its child rows and the records citing it along."""
        export_csv(samples.small_log(), tmp_path / "in")
        path = tmp_path / "in" / "incidents.csv"
        rows = _rows(path)
        rows[1][rows[0].index("category")] = "fals"
        _write(path, rows)
        result = import_folder(tmp_path / "in", rejects=tmp_path / "rejects")
        assert result.accounted
        assert "INC-0001" not in result.log
        files = {row.file for row in result.rejected}
        assert {"incidents.csv", "incident_people_affected.csv"} <= files
        assert any("refers to INC-0001" in row.reason for row in result.rejected)
        # Fixing the rejects and importing them into the result completes the log.
        fixed = tmp_path / "rejects" / "incidents.csv"
        rows = _rows(fixed)
        rows[1][rows[0].index("category")] = "falls"
        _write(fixed, rows)
        again = import_folder(tmp_path / "rejects", into=result.log)
        assert again.rejected == ()
        assert serialization.dumps_jsonl(again.log) == serialization.dumps_jsonl(
            samples.small_log()
        )

    def test_strict_raises_at_the_first_bad_row(self, tmp_path: Path) -> None:
        """Strict import raises naming the first bad row's file and line."""
        export_csv(samples.small_log(), tmp_path)
        path = tmp_path / "services.csv"
        rows = _rows(path)
        rows[1][rows[0].index("service_type")] = "castle"
        _write(path, rows)
        with pytest.raises(
            RowRejectedError, match=r"services.csv line 2, column 'service_type'"
        ):
            import_folder(tmp_path, strict=True)

    def test_reimporting_a_folder_duplicates_nothing(self, tmp_path: Path) -> None:
        """Every record already in the log at that version is rejected, not doubled."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        result = import_folder(tmp_path, into=log)
        assert result.imported == ()
        assert result.accounted
        assert len(result.log) == len(log)


def _edit(folder: Path, name: str, column: str, value: str, *, row: int = 1) -> None:
    """Set the cell of *column* in data row *row* of the table file *name*."""
    path = folder / name
    rows = _rows(path)
    rows[row][rows[0].index(column)] = value
    _write(path, rows)


def _load_problem(folder: Path) -> str:
    with pytest.raises(InvalidDataError) as caught:
        load_csv(folder)
    return str(caught.value)


class TestEditedCells:
    """What a spreadsheet makes of a cell is read back; what cannot be read is named."""

    @pytest.mark.parametrize(
        ("name", "column", "value", "expected"),
        [
            # Excel's serial for 1 March 2025 02:40 UTC, as UK wall time.
            (
                "incidents.csv",
                "reported_at",
                "45717.1111111111",
                "2025-03-01T02:40:00+00:00",
            ),
            (
                "incidents.csv",
                "reported_at",
                "01/03/2025 03:05",
                "2025-03-01T03:05:00+00:00",
            ),
            ("incidents.csv", "occurred", "45717", "2025-03-01"),
            ("incidents.csv", "occurred", "45717.1", "2025-03-01T02:24:00+00:00"),
            ("incidents.csv", "occurred", "1/3/2025", "2025-03-01"),
            (
                "incidents.csv",
                "occurred",
                "2025-03-01T02:40:00+00:00 ",
                "2025-03-01T02:40:00+00:00",
            ),
            ("staff_members.csv", "started_on", "45717", "2025-03-01"),
            ("incidents.csv", "reached_person", "TRUE", "True"),
            ("incidents.csv", "event_type", " Incident ", "incident"),
            ("services.csv", "version", " 1", "1"),
        ],
    )
    def test_a_spreadsheets_form_reads_as_the_value(
        self, tmp_path: Path, name: str, column: str, value: str, expected: str
    ) -> None:
        """Serials, day-first dates, TRUE, stray spaces and display text are read."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        _edit(tmp_path, name, column, value)
        again = load_csv(tmp_path)
        record_id = _rows(tmp_path / name)[1][0]
        found = getattr(again.get(record_id), column)
        shown = found.isoformat() if hasattr(found, "isoformat") else str(found)
        assert shown == expected
        assert str(getattr(log.get(record_id), column)) == str(found) or column in (
            "reported_at",
            "occurred",
            "started_on",
        )

    @pytest.mark.parametrize(
        ("name", "column", "value", "expected"),
        [
            (
                "services.csv",
                "version",
                "one",
                "services.csv line 2.version: 'one' is not a whole number",
            ),
            (
                "service_exposures.csv",
                "care_hours",
                "lots",
                "care_hours: 'lots' is not a number",
            ),
            (
                "service_exposures.csv",
                "care_hours",
                "inf",
                "care_hours: 'inf' is not a finite number",
            ),
            (
                "staff_members.csv",
                "started_on",
                "45717.5",
                "started_on: '45717.5' is an Excel date with a time of day; a date alone is expected",
            ),
            (
                "incidents.csv",
                "description",
                " ",
                "incidents.csv line 2.description: is blank, but a value is required",
            ),
            (
                "incidents.csv",
                "occurred",
                "2025-03-02T02:40:00+00:00",
                "incidents.csv line 2.reported_at: is before the incident occurred",
            ),
            (
                "incidents.csv",
                "riddor_report",
                "false",
                "riddor_report: is false, but riddor_report_reference is filled in",
            ),
            (
                "incidents.csv",
                "riddor_report",
                "",
                "riddor_report: is blank, but riddor_report_reference is filled in",
            ),
            (
                "incident_people_affected.csv",
                "physical_harm",
                "awful",
                "incident_people_affected.csv line 2.physical_harm: 'awful' is not one of",
            ),
            (
                "incident_people_affected.csv",
                "person",
                "",
                "incident_people_affected.csv line 2.person: is blank, but a value is required",
            ),
            (
                "incident_people_affected.csv",
                "position",
                "",
                "incident_people_affected.csv line 2.position: is blank; a child row needs its record's id, version and position",
            ),
            (
                "incident_people_affected.csv",
                "incident",
                "INC-0999",
                "incident_people_affected.csv line 2.incident: 'INC-0999' version 1 is not a row of incidents.csv",
            ),
        ],
    )
    def test_a_cell_that_cannot_be_read_is_named(
        self, tmp_path: Path, name: str, column: str, value: str, expected: str
    ) -> None:
        """Each problem names its file, line and column, and says why."""
        export_csv(samples.small_log(), tmp_path)
        if column.startswith("riddor_report"):
            _edit(tmp_path, name, "riddor_report_reference", "RIDDOR-1")
        _edit(tmp_path, name, column, value)
        assert expected in _load_problem(tmp_path)


def _same(folder: Path, log: il.LearningLog) -> bool:
    return serialization.dumps_jsonl(load_csv(folder)) == serialization.dumps_jsonl(log)


class TestEditedFiles:
    """A folder a person reshaped still reads, by the full reader, or says why not."""

    def test_empty_lines_are_skipped_by_the_fast_reader(self, tmp_path: Path) -> None:
        """Empty lines, before the header too, and short blank rows are not rows."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        for name in ("incidents.csv", "incident_people_affected.csv"):
            path = tmp_path / name
            rows = _rows(path)
            _write(path, [[], rows[0], [], *rows[1:], ["", " "]])
        again = tidy._load_fast(tmp_path)
        assert serialization.dumps_jsonl(again) == serialization.dumps_jsonl(log)

    def test_a_missing_version_column_is_version_1(self, tmp_path: Path) -> None:
        """Without a version column every row is a first version."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        path = tmp_path / "services.csv"
        rows = _rows(path)
        at = rows[0].index("version")
        _write(path, [row[:at] + row[at + 1 :] for row in rows])
        assert _same(tmp_path, log)

    def test_blank_lines_anywhere_are_skipped(self, tmp_path: Path) -> None:
        """Empty lines and rows of blank cells, in record and child tables, are not rows."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        for name in ("incidents.csv", "incident_people_affected.csv"):
            path = tmp_path / name
            rows = _rows(path)
            _write(path, [rows[0], [], [" "] * len(rows[0]), *rows[1:], ["", " "]])
        assert _same(tmp_path, log)

    def test_reordered_columns_are_read_by_name(self, tmp_path: Path) -> None:
        """Columns are found by their names, in any order, extra ones ignored."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        for name in ("incidents.csv", "incident_people_affected.csv"):
            path = tmp_path / name
            rows = [[*reversed(row), "note"] for row in _rows(path)]
            _write(path, rows)
        assert _same(tmp_path, log)

    def test_a_missing_column_is_blank(self, tmp_path: Path) -> None:
        """An optional column left out reads as blank."""
        export_csv(samples.small_log(), tmp_path)
        path = tmp_path / "incidents.csv"
        rows = _rows(path)
        at = rows[0].index("immediate_actions")
        _write(path, [row[:at] + row[at + 1 :] for row in rows])
        assert load_csv(tmp_path).get("INC-0001", Incident).immediate_actions is None

    def test_a_missing_table_file_holds_no_rows(self, tmp_path: Path) -> None:
        """Without its child table, a record has none of those items."""
        export_csv(samples.small_log(), tmp_path)
        (tmp_path / "incident_people_affected.csv").unlink()
        assert load_csv(tmp_path).get("INC-0001", Incident).people_affected == ()

    def test_positions_need_not_be_consecutive(self, tmp_path: Path) -> None:
        """Child rows are ordered by position, whatever gaps or order they have."""
        log = samples.example_log()
        export_csv(log, tmp_path)
        path = tmp_path / "incident_people_affected.csv"
        header, *rows = _rows(path)
        at = header.index("position")
        for row in rows:
            row[at] = str(int(row[at]) * 10)
        _write(path, [header, *reversed(rows)])
        assert _same(tmp_path, log)

    def test_a_naive_iso_time_is_uk_time(self, tmp_path: Path) -> None:
        """ISO 8601 without an offset is read on UK clocks."""
        export_csv(samples.small_log(), tmp_path)
        _edit(tmp_path, "incidents.csv", "reported_at", "2025-03-01T03:05:00")
        assert load_csv(tmp_path).get("INC-0001", Incident).reported_at == (
            samples.small_log().get("INC-0001", Incident).reported_at
        )

    @pytest.mark.parametrize(
        ("name", "text", "expected"),
        [
            ("incidents.csv", "", "incidents.csv: is empty: expected a header row"),
            (
                "format.csv",
                "format\r\nsomething\r\n",
                "format.csv: must hold one 'format' row 'incident_learning/1'; found ['something']",
            ),
            (
                "local_codes.csv",
                "vocabulary,code,display,nearest\r\nincident_category,local_x,,falls\r\n",
                "local_codes.csv line 2.display: is blank; a local code needs every column",
            ),
            (
                "local_codes.csv",
                'vocabulary,code,display,nearest\r\n"a"b,c,d,e\r\n',
                "local_codes.csv line 2: is not valid CSV",
            ),
        ],
    )
    def test_a_broken_file_is_named(
        self, tmp_path: Path, name: str, text: str, expected: str
    ) -> None:
        """An empty table, a wrong format or a broken local code names its file."""
        export_csv(samples.small_log(), tmp_path)
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        assert expected in _load_problem(tmp_path)

    @pytest.mark.parametrize(
        ("name", "line", "expected"),
        [
            (
                "incidents.csv",
                '"INC-9"x,\r\n',
                "incidents.csv line 3: is not valid CSV",
            ),
            (
                "incidents.csv",
                "INC-9,a,b\r\n",
                "incidents.csv line 3: has 3 cells; the header has 26",
            ),
            (
                "incident_people_affected.csv",
                "INC-0001,1,0,P-1,none,none\r\n",
                "incident_people_affected.csv repeats a position for this record",
            ),
            (
                "incident_people_affected.csv",
                "INC-0001,1,x,P-1,none,none\r\n",
                "incident_people_affected.csv line 3.position: 'x' is not a whole number",
            ),
            (
                "incident_people_affected.csv",
                "INC-0999,1,0,P-1,awful,none\r\n",
                "incident_people_affected.csv line 3.physical_harm: 'awful' is not one of",
            ),
            (
                "incident_people_affected.csv",
                "INC-0001,1,1,P-1,awful,none\r\n",
                "incidents.csv line 2: its row at incident_people_affected.csv line 3 is rejected: 'awful' is not one of",
            ),
        ],
    )
    def test_a_broken_row_is_named(
        self, tmp_path: Path, name: str, line: str, expected: str
    ) -> None:
        """A row that is not CSV, is ragged, or breaks its record names its line."""
        export_csv(samples.small_log(), tmp_path)
        with (tmp_path / name).open("a", encoding="utf-8", newline="") as file:
            file.write(line)
        assert expected in _load_problem(tmp_path)

    def test_a_row_without_its_id_is_reported_once(self, tmp_path: Path) -> None:
        """A record row with a blank id is a problem; its children are not attached."""
        export_csv(samples.small_log(), tmp_path)
        _edit(tmp_path, "providers.csv", "id", "")
        assert "providers.csv line 2.id: is blank, but a value is required" in (
            _load_problem(tmp_path)
        )


class TestColumnOf:
    @pytest.mark.parametrize(
        ("field", "column"),
        [
            ("category", "category"),
            ("people_affected[0].person", "incident_people_affected.csv"),
            ("riddor_report", "riddor_report"),
            ("riddor_report.reference", "riddor_report_reference"),
            ("duty_of_candour", ""),
            ("no_such_field", ""),
        ],
    )
    def test_a_models_field_path_is_named_by_its_column(
        self, field: str, column: str
    ) -> None:
        """Problems of the model are reported at the column, or file, holding the field."""
        from incident_learning.tabular.tidy import _LAYOUT, _column_of  # noqa: PLC0415

        incidents = next(table for table in _LAYOUT if table.name == "incidents")
        assert _column_of(incidents.shape, field) == column


class TestImportFolderCases:
    def test_a_second_provider_is_rejected_not_raised(self, tmp_path: Path) -> None:
        """A folder of another provider cannot join the log: its provider row is rejected."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        provider = next(iter(log.of_kind(il.Provider).values()))
        base = il.LearningLog([attrs.evolve(provider, id="PRV-OTHER")])
        result = import_folder(tmp_path, into=base)
        assert str(result.rejected[0]) == (
            "providers.csv line 2, column 'id': a log holds one provider; "
            "found ['PRV-OAKVALE', 'PRV-OTHER']"
        )
        assert result.imported == ()
        assert result.accounted

    def test_a_rejected_version_takes_the_others_along(self, tmp_path: Path) -> None:
        """A bad first version rejects the later versions of that record too."""
        log = samples.small_log()
        incident = log.get("INC-0001", Incident)
        log.add(
            incident.corrected(
                by="STAFF-RM",
                at=samples.AT,
                reason="typo",
                description="Found on the floor.",
            )
        )
        export_csv(log, tmp_path)
        _edit(tmp_path, "incidents.csv", "category", "fals")
        result = import_folder(tmp_path)
        reasons = {(row.file, row.line): row.reason for row in result.rejected}
        assert reasons[("incidents.csv", 3)] == (
            "another version of INC-0001 is rejected (incidents.csv line 2)"
        )
        assert result.accounted

    def test_unused_columns_and_missing_ones_are_reported(self, tmp_path: Path) -> None:
        """A column the layout lacks is listed; one left out reads as blank."""
        export_csv(samples.small_log(), tmp_path)
        path = tmp_path / "incidents.csv"
        rows = _rows(path)
        at = rows[0].index("immediate_actions")
        _write(path, [[*row[:at], *row[at + 1 :], "note"] for row in rows])
        result = import_folder(tmp_path)
        assert result.unused_columns == {"incidents.csv": ("note",)}
        assert result.log.get("INC-0001", Incident).immediate_actions is None

    def test_local_codes_merge_and_clashes_are_refused(self, tmp_path: Path) -> None:
        """The folder's local codes join the log's; one defined otherwise is an error."""
        code = LocalCode(
            vocabulary="incident_category",
            code="local_fire",
            display="Fire",
            nearest="environment",
        )
        log = il.LearningLog(samples.small_log().all_versions(), local_codes=[code])
        export_csv(log, tmp_path)
        assert import_folder(tmp_path).log.local_codes == (code,)
        assert import_folder(tmp_path, into=log).log.local_codes == (code,)
        clash = il.LearningLog(
            samples.small_log().all_versions(),
            local_codes=[attrs.evolve(code, display="Kitchen fire")],
        )
        with pytest.raises(
            InvalidDataError,
            match="local code 'local_fire' of incident_category differs",
        ):
            import_folder(tmp_path, into=clash)
