"""Importing another system's incident export through a column mapping."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from incident_learning import samples
from incident_learning.exceptions import InvalidDataError
from incident_learning.model import (
    Incident,
    LearningLog,
    LocalCode,
    RiddorReport,
    Service,
)
from incident_learning.model.time import LocalTimePolicy
from incident_learning.model.vocab import CqcCriterion, PhysicalHarm, PsychologicalHarm
from incident_learning.tabular import (
    INCIDENT_SYSTEM,
    TIDY_INCIDENTS,
    CsvMapping,
    ImportResult,
    RowRejectedError,
    Source,
    export_csv,
    import_incidents,
    load_mapping,
)

DATA = Path(__file__).parent.parent / "data" / "csv"
BST = timezone(timedelta(hours=1))


def _import(name: str, **options: object) -> ImportResult:
    return import_incidents(
        DATA / name,
        INCIDENT_SYSTEM,
        into=samples.small_log(),
        by="STAFF-RM",
        at=samples.AT,
        **options,  # type: ignore[arg-type]
    )


def _incident(result: ImportResult, record_id: str) -> Incident:
    return result.log.get(record_id, Incident)


class TestIncidentSystem:
    def test_a_clean_export_imports_every_row(self) -> None:
        """Every row of a clean export becomes an incident with its fields."""
        result = _import("incident_system.csv")
        assert result.imported == ("W-1001", "W-1002", "W-1003")
        fall = _incident(result, "W-1001")
        assert fall.occurred == datetime(2025, 4, 3, 14, 30, tzinfo=BST)
        assert fall.category == "falls"
        assert fall.people_affected[0].physical_harm is PhysicalHarm.LOW
        assert fall.duty_of_candour is not None
        assert not fall.duty_of_candour.applicable
        assert fall.recorded_by == "STAFF-RM"

    def test_a_near_miss_did_not_reach_the_person(self) -> None:
        """Result/Severity 'Near miss' records an incident that did not reach anyone."""
        assert _incident(_import("incident_system.csv"), "W-1002").is_near_miss

    def test_yes_and_criteria_become_nested_values(self) -> None:
        """Safeguarding 'Yes' is a referral on the date reported; a CQC criterion is kept."""
        incident = _incident(_import("incident_system.csv"), "W-1003")
        assert incident.safeguarding_referral is not None
        assert incident.safeguarding_referral.referred_on == date(2025, 4, 6)
        assert incident.cqc_notification is not None
        assert incident.cqc_notification.criterion is CqcCriterion.ABUSE_OR_ALLEGATION
        assert "\n" in incident.description
        assert _incident(_import("incident_system.csv"), "W-1001").riddor_report is None

    def test_subcategory_is_ignored_and_not_reported_unused(self) -> None:
        """A column the mapping ignores is not listed as unused."""
        assert _import("incident_system.csv").unused_columns == {}

    def test_day_first_dates_are_never_month_first(self) -> None:
        """03/04/2025 is 3 April 2025."""
        assert _incident(_import("incident_system.csv"), "W-1001").occurred_on == date(
            2025, 4, 3
        )


class TestReadingRobustness:
    def test_cp1252_with_pound_and_smart_quotes(self) -> None:
        """A Windows-1252 file is detected and its £ and curly quotes kept."""
        result = _import("cp1252_export.csv")
        assert result.encoding == {"cp1252_export.csv": "cp1252"}
        text = _incident(result, "W-2001").description
        assert text == "\u201cI slipped\u201d, she said; a \u00a315 slipper replaced."

    def test_byte_order_mark_whitespace_and_blank_lines(self) -> None:
        """A BOM, stray spaces and NBSPs are stripped; blank lines are counted."""
        result = _import("bom_export.csv")
        assert result.encoding == {"bom_export.csv": "utf-8-sig"}
        assert result.imported == ("W-3001", "W-3002")
        assert result.blank_lines == 2
        assert _incident(result, "W-3001").description == "Found on the floor."
        assert _incident(result, "W-3002").description.startswith("Café")

    def test_excel_serial_dates_and_times(self) -> None:
        """Serials read in the 1900 system; 60, 29 February 1900, is rejected."""
        result = _import("excel_serials.csv")
        assert _incident(result, "W-4001").occurred == datetime(
            2025, 4, 3, 14, 30, tzinfo=BST
        )
        assert _incident(result, "W-4002").occurred == datetime(
            2025, 4, 4, 9, 0, tzinfo=BST
        )
        (rejected,) = result.rejected
        assert rejected.line == 4
        assert "29 February 1900" in rejected.reason

    def test_duplicate_header_used_by_the_mapping_is_an_error(self) -> None:
        """A repeated column the mapping reads stops the import, naming it."""
        with pytest.raises(InvalidDataError, match="Incident Date: appears 2 times"):
            _import("duplicate_headers.csv")

    def test_duplicate_header_not_used_is_reported(self, tmp_path: Path) -> None:
        """A repeated column the mapping does not read is reported, not fatal."""
        mapping = load_mapping(DATA / "mapping.toml")
        path = tmp_path / "export.csv"
        text = (DATA / "own_export.csv").read_text()
        path.write_text(
            text.replace("Harm,Notes", "Harm,Harm2").replace("Ref,", "Ref,", 1)
        )
        text = path.read_text().replace("Harm2", "Notes")
        header, *rest = text.splitlines()
        path.write_text("\n".join([header + ",Notes", *(row + "," for row in rest)]))
        result = import_incidents(
            path, mapping, into=samples.small_log(), by="STAFF-RM", at=samples.AT
        )
        assert result.duplicate_columns == {"export.csv": ("Notes",)}
        assert result.imported == ("OWN-1", "OWN-2")


@pytest.fixture(scope="module")
def result() -> ImportResult:
    """The import of the file of bad rows."""
    return _import("bad_rows.csv")


class TestBadRows:
    def _reason(self, result: ImportResult, line: int) -> tuple[str, str]:
        (row,) = [row for row in result.rejected if row.line == line]
        return row.column, row.reason

    def test_good_rows_are_kept(self, result: ImportResult) -> None:
        """Every valid row is imported around the bad ones."""
        assert result.imported == ("W-5001", "W-5007")

    def test_nothing_is_dropped_silently(self, result: ImportResult) -> None:
        """Rows read = imported + rejected + blank."""
        assert result.rows_read == 8
        assert result.accounted

    def test_unknown_category_names_the_nearest(self, result: ImportResult) -> None:
        """An unknown category is rejected with the nearest known labels."""
        column, reason = self._reason(result, 3)
        assert column == "Category"
        assert "nearest: 'fall', 'falls'" in reason

    def test_unknown_service_names_the_nearest(self, result: ImportResult) -> None:
        """An unknown service is rejected with the nearest service name."""
        assert self._reason(result, 4) == (
            "Service/Location",
            "'Oak Hose' is not a service of the log (by id or name); nearest: 'Oak House'",
        )

    def test_impossible_date_is_rejected(self, result: ImportResult) -> None:
        """31/02/2025 is rejected in its column, never read month-first."""
        column, reason = self._reason(result, 5)
        assert column == "Incident Date"
        assert "not a real date read day-first" in reason

    def test_duplicate_reference_is_rejected(self, result: ImportResult) -> None:
        """A reference repeated in the file is rejected naming the first line."""
        assert self._reason(result, 6) == (
            "Incident Ref",
            "'W-5001' repeats the reference of line 2",
        )

    def test_ragged_row_is_rejected(self, result: ImportResult) -> None:
        """A row with too few cells is rejected as a whole."""
        assert self._reason(result, 7) == ("", "has 7 cells; the header has 18")

    def test_malformed_csv_row_is_rejected(self, result: ImportResult) -> None:
        """A stray quote rejects that row only; reading goes on."""
        column, reason = self._reason(result, 8)
        assert column == ""
        assert "is not valid CSV" in reason

    def test_strict_stops_at_the_first_bad_row(self) -> None:
        """Strict import raises at line 3, naming file, line, column and reason."""
        with pytest.raises(
            RowRejectedError, match=r"bad_rows.csv line 3, column 'Category'"
        ) as caught:
            _import("bad_rows.csv", strict=True)
        assert caught.value.row.line == 3

    def test_reference_already_in_the_log_is_rejected(self) -> None:
        """Importing the same file into its own result imports nothing twice."""
        first = _import("incident_system.csv")
        again = import_incidents(
            DATA / "incident_system.csv",
            INCIDENT_SYSTEM,
            into=first.log,
            by="STAFF-RM",
            at=samples.AT,
        )
        assert again.imported == ()
        assert {row.reason for row in again.rejected} == {
            f"'W-100{n}' is already in the log" for n in (1, 2, 3)
        }


class TestRejectsWorkflow:
    def test_fixed_rejects_reimport_without_duplicating(self, tmp_path: Path) -> None:
        """The rejects file, once fixed, imports with the same mapping."""
        source = tmp_path / "bad_rows.csv"
        shutil.copy(DATA / "bad_rows.csv", source)
        rejects = tmp_path / "rejects.csv"
        first = _import("bad_rows.csv", rejects=rejects)
        assert first.rejects == rejects
        text = rejects.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].endswith(",line,reason")
        fixed = (
            text.replace(",Fal,", ",Fall,")
            .replace("Oak Hose", "Oak House")
            .replace("31/02/2025", "28/02/2025")
            .replace(
                "W-5001,03/04/2025,14:30,03/04/2025,Oak House,Incident,Fall,,Repeats",
                "W-5008,03/04/2025,14:30,03/04/2025,Oak House,Incident,Fall,,Repeats",
            )
        )
        rejects.write_text(fixed, encoding="utf-8-sig")
        again = import_incidents(
            rejects, INCIDENT_SYSTEM, into=first.log, by="STAFF-RM", at=samples.AT
        )
        assert again.imported == ("W-5002", "W-5003", "W-5004", "W-5008")
        assert [row.line for row in again.rejected] == [6, 7]
        assert again.accounted
        assert again.unused_columns == {}


class TestOwnMapping:
    def test_toml_mapping_with_labels(self) -> None:
        """A TOML mapping translates a provider's own labels."""
        mapping = load_mapping(DATA / "mapping.toml")
        result = import_incidents(
            DATA / "own_export.csv",
            mapping,
            into=samples.small_log(),
            by="STAFF-RM",
            at=samples.AT,
        )
        assert result.imported == ("OWN-1", "OWN-2")
        assert _incident(result, "OWN-2").category == "medication"
        assert _incident(result, "OWN-1").occurred == datetime(
            2025, 4, 3, 14, 30, tzinfo=BST
        )

    def test_the_tidy_incidents_file_can_be_edited_and_imported(
        self, tmp_path: Path
    ) -> None:
        """A new row added to the library's own incidents.csv imports by TIDY_INCIDENTS."""
        log = samples.small_log()
        export_csv(log, tmp_path)
        path = tmp_path / "incidents.csv"
        lines = path.read_text().splitlines()
        lines.append(lines[1].replace("INC-0001", "INC-0100"))
        path.write_text("\n".join(lines) + "\n")
        result = import_incidents(
            path, TIDY_INCIDENTS, into=log, by="STAFF-RM", at=samples.AT
        )
        assert result.imported == ("INC-0100",)
        assert [row.reason for row in result.rejected] == [
            "'INC-0001' is already in the log"
        ]

    def test_empty_log_has_no_services(self) -> None:
        """Without the provider's services every row is rejected, none dropped."""
        result = import_incidents(
            DATA / "incident_system.csv",
            INCIDENT_SYSTEM,
            into=LearningLog(),
            by="STAFF-RM",
            at=samples.AT,
        )
        assert result.imported == ()
        assert result.accounted


def _mapped(
    tmp_path: Path,
    text: str,
    extra: dict[str, Source],
    *,
    into: LearningLog | None = None,
    **options: object,
) -> ImportResult:
    """Import *text* by a mapping of the columns Ref, When, Kind and What plus *extra*."""
    fields = {
        "id": Source(column="Ref"),
        "service": Source(default="SVC-OAK"),
        "category": Source(column="Kind"),
        "occurred": Source(column="When", time_column="At"),
        "reported_at": Source(column="When"),
        "description": Source(default="Found on the floor."),
        **extra,
    }
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return import_incidents(
        path,
        CsvMapping(fields=fields, **options),  # type: ignore[arg-type]
        into=into if into is not None else samples.small_log(),
        by="STAFF-RM",
        at=samples.AT,
    )


def _reasons(result: ImportResult) -> list[str]:
    return [str(row) for row in result.rejected]


class TestMappedFields:
    def test_lists_are_split_on_the_separator_and_resolved(
        self, tmp_path: Path
    ) -> None:
        """Staff and secondary categories are split, stripped, and found by id or label."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,Staff,Also\n"
            "R-1,03/04/2025,falls,STAFF-CW1 ; STAFF-CW2;,Meds; infection;n/a\n",
            {
                "staff_involved": Source(column="Staff"),
                "secondary_categories": Source(
                    column="Also", values={"Meds": "medication", "N/A": ""}
                ),
            },
        )
        assert _reasons(result) == []
        incident = _incident(result, "R-1")
        assert incident.staff_involved == ("STAFF-CW1", "STAFF-CW2")
        assert incident.secondary_categories == ("medication", "infection")

    def test_a_local_category_is_found_by_code_or_display(self, tmp_path: Path) -> None:
        """A category the provider declared is matched by its display text too."""
        log = samples.small_log()
        into = LearningLog(
            log.all_versions(),
            local_codes=[
                LocalCode(
                    vocabulary="incident_category",
                    code="local_kitchen_fire",
                    display="Kitchen fire",
                    nearest="environment",
                ),
                LocalCode(
                    vocabulary="care_factor_domain",
                    code="local_kitchen_fire",
                    display="Not a category",
                    nearest="agency_staff",
                ),
            ],
        )
        result = _mapped(
            tmp_path,
            "Ref,When,Kind\nR-1,03/04/2025,kitchen  FIRE\nR-2,03/04/2025,Not a category\n",
            {},
            into=into,
        )
        assert _incident(result, "R-1").category == "local_kitchen_fire"
        # A local code of another vocabulary is not a category.
        assert [row.line for row in result.rejected] == [3]

    def test_psychological_harm_alone_needs_a_person(self, tmp_path: Path) -> None:
        """Harm graded with no person affected is rejected at the harm column."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,Upset,Who\nR-1,03/04/2025,falls,low,\nR-2,03/04/2025,falls,low,P-1\n",
            {
                "people_affected_psychological_harm": Source(column="Upset"),
                "people_affected_person": Source(column="Who"),
            },
        )
        assert _reasons(result) == [
            "export.csv line 2, column 'Upset': grades harm, but no person affected is given (map people_affected_person)"
        ]
        person = _incident(result, "R-2").people_affected[0]
        assert person.psychological_harm is PsychologicalHarm.LOW

    def test_a_recorded_date_alone_is_the_start_of_that_day(
        self, tmp_path: Path
    ) -> None:
        """recorded_at from a date column is midnight, UK time."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,Entered\nR-1,03/04/2025,falls,04/04/2025\n",
            {"recorded_at": Source(column="Entered")},
        )
        assert _incident(result, "R-1").recorded_at == datetime(2025, 4, 4, tzinfo=BST)

    def test_a_date_and_time_in_one_cell_keeps_its_time(self, tmp_path: Path) -> None:
        """A date column holding a time, with the time column blank, is read whole."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,At\nR-1,03/04/2025 14:30,falls,\nR-2,03/04/2025 14:30,falls,09:15\n",
            {},
        )
        assert _incident(result, "R-1").occurred == datetime(
            2025, 4, 3, 14, 30, tzinfo=BST
        )
        # A time column overrides the cell's own time: the day is kept.
        assert _incident(result, "R-2").occurred == datetime(
            2025, 4, 3, 9, 15, tzinfo=BST
        )

    def test_a_bad_time_is_rejected_at_the_time_column(self, tmp_path: Path) -> None:
        """A time of day that cannot be read names its own column."""
        result = _mapped(tmp_path, "Ref,When,Kind,At\nR-1,03/04/2025,falls,25:61\n", {})
        assert _reasons(result) == [
            "export.csv line 2, column 'At': '25:61' is not a time of day (expected e.g. 14:30, 2:30pm or 1430)"
        ]

    def test_an_impossible_day_month_date_says_why(self, tmp_path: Path) -> None:
        """31/02/2025 has the export's shape but no such day: the date reader says so."""
        result = _mapped(tmp_path, "Ref,When,Kind,At\nR-1,31/02/2025,falls,\n", {})
        assert result.rejected[0].column == "When"
        assert "31/02/2025" in result.rejected[0].reason


class TestClockChanges:
    TEXT = "Ref,When,Kind,At\nR-1,27/10/2024,falls,01:30\nR-2,27/10/2024,falls,01:30+00:00\n"

    def test_an_ambiguous_time_is_rejected_under_the_default_policy(
        self, tmp_path: Path
    ) -> None:
        """01:30 on the autumn change happens twice: without a policy it is refused."""
        result = _mapped(tmp_path, self.TEXT, {})
        assert [row.line for row in result.rejected] == [2]
        assert "ambiguous" in result.rejected[0].reason
        # With its offset written, the same wall time is one instant.
        assert _incident(result, "R-2").occurred == datetime(
            2024, 10, 27, 1, 30, tzinfo=UTC
        )

    def test_a_policy_chooses_a_reading(self, tmp_path: Path) -> None:
        """The earlier reading of 01:30 is 01:30 BST."""
        result = _mapped(
            tmp_path, self.TEXT, {}, local_time_policy=LocalTimePolicy.EARLIER
        )
        assert _incident(result, "R-1").occurred == datetime(
            2024, 10, 27, 1, 30, tzinfo=BST
        )

    def test_an_unknown_zone_is_reported_on_each_dated_row(
        self, tmp_path: Path
    ) -> None:
        """A zone the system does not know stops every time from being read."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,At\nR-1,03/04/2025,falls,14:30\n",
            {},
            zone="Europe/Atlantis",
        )
        assert "unknown time zone 'Europe/Atlantis'" in result.rejected[0].reason


class TestNamesAndHeader:
    def test_a_name_two_services_share_asks_for_the_id(self, tmp_path: Path) -> None:
        """A service name that is not unique is refused, listing the ids."""
        log = samples.small_log()
        twin = attrs.evolve(log.get("SVC-OAK", Service), id="SVC-OAK2")
        into = LearningLog([*log.all_versions(), twin])
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,Home\nR-1,03/04/2025,falls,oak house\n",
            {"service": Source(column="Home")},
            into=into,
        )
        assert _reasons(result) == [
            "export.csv line 2, column 'Home': 'oak house' names several services: SVC-OAK, SVC-OAK2; use the id"
        ]

    def test_a_missing_required_column_names_the_nearest(self, tmp_path: Path) -> None:
        """A header without the id's column stops the import with a suggestion."""
        with pytest.raises(InvalidDataError) as caught:
            _mapped(tmp_path, "Reff,When,Kind\nR-1,03/04/2025,falls\n", {})
        assert str(caught.value) == (
            "export.csv.Ref: is not in the header, and a required field is read from it; did you mean 'Reff'?"
        )

    def test_a_missing_optional_column_is_read_as_blank(self, tmp_path: Path) -> None:
        """A column only an optional field reads may be absent; it is listed."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind\nR-1,03/04/2025,falls\n",
            {"immediate_actions": Source(column="Done")},
        )
        assert result.imported == ("R-1",)
        assert result.missing_columns == {"export.csv": ("At", "Done")}


class TestPresence:
    def test_a_yes_without_a_required_value_names_what_to_map(
        self, tmp_path: Path
    ) -> None:
        """CQC 'yes' with no criterion cannot be guessed: the row is rejected."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,CQC\nR-1,03/04/2025,falls,yes\n",
            {"cqc_notification": Source(column="CQC")},
        )
        assert _reasons(result) == [
            "export.csv line 2, column 'CQC': says yes, but cqc_notification_criterion is blank: map it to a column or give it a default"
        ]

    def test_a_no_clears_the_nested_values_columns(self, tmp_path: Path) -> None:
        """'No' to a referral leaves it out even when its other columns are filled."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,Referred,Council\nR-1,03/04/2025,falls,no,Leeds\n",
            {
                "safeguarding_referral": Source(column="Referred"),
                "safeguarding_referral_local_authority": Source(column="Council"),
            },
        )
        assert _incident(result, "R-1").safeguarding_referral is None

    def test_a_yes_to_riddor_records_a_report_with_no_details(
        self, tmp_path: Path
    ) -> None:
        """RIDDOR 'yes' alone records a report, kept apart from none."""
        result = _mapped(
            tmp_path,
            "Ref,When,Kind,RIDDOR\nR-1,03/04/2025,falls,yes\nR-2,03/04/2025,falls,no\n",
            {"riddor_report": Source(column="RIDDOR")},
        )
        assert _incident(result, "R-1").riddor_report == RiddorReport()
        assert _incident(result, "R-2").riddor_report is None
