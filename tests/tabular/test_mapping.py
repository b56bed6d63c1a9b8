"""Column mappings: building, loading from TOML, and the incident-system writer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from incident_learning import samples
from incident_learning.exceptions import InvalidDataError
from incident_learning.model import (
    Incident,
    LearningLog,
    Provider,
    Service,
    StaffMember,
    Team,
)
from incident_learning.model.base import Record
from incident_learning.model.time import LocalTimePolicy
from incident_learning.tabular import INCIDENT_SYSTEM, import_incidents, load_mapping
from incident_learning.tabular._csvfile import read_csv_file
from incident_learning.tabular.mapping import (
    mapping_from_dict,
    write_incident_system_csv,
)

_REQUIRED = {
    "id": {"column": "Ref"},
    "service": {"default": "SVC-OAK"},
    "category": {"column": "Kind"},
    "occurred": {"column": "When"},
    "reported_at": {"column": "When"},
    "description": {"column": "What"},
}


def _problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(InvalidDataError) as caught:
        mapping_from_dict(data, name="m.toml")
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


class TestMappingFromDict:
    def test_a_good_mapping_keeps_every_option(self) -> None:
        """Options and sources are read as given; the policy by its value."""
        mapping = mapping_from_dict(
            {
                "fields": _REQUIRED,
                "ignore": ["Notes"],
                "local_time_policy": "later",
                "zone": "Europe/Dublin",
                "separator": "|",
            }
        )
        assert mapping.local_time_policy is LocalTimePolicy.LATER
        assert mapping.ignore == ("Notes",)
        assert (mapping.zone, mapping.separator) == ("Europe/Dublin", "|")
        assert mapping.columns == {"Ref", "Kind", "When", "What"}

    def test_every_bad_key_is_reported_at_once(self) -> None:
        """Unknown options and source keys, wrong types and a bad policy are all named."""
        found = _problems(
            {
                "colour": "blue",
                "fields": {
                    **_REQUIRED,
                    "category": {"column": "Kind", "label": "x"},
                    "description": {"column": 3},
                    "event_type": {"values": {"Fall": 1}},
                    "riddor_report": "RIDDOR",
                },
                "ignore": "Notes",
                "local_time_policy": "guess",
                "zone": 0,
            }
        )
        assert found == [
            "colour: is not a mapping option",
            "fields.category.label: is not a source key; keys are column, values, otherwise, default, time_column",
            "fields.description.column: must be text",
            "fields.event_type.values: must be a table of text",
            "fields.riddor_report: must be a table",
            "ignore: must be a list of column names",
            "local_time_policy: must be one of raise, earlier, later",
            "zone: must be text",
        ]

    def test_fields_that_are_not_a_table_are_an_error(self) -> None:
        """``fields`` must be a table of targets."""
        assert _problems({"fields": ["id"]})[0] == "fields: must be a table"

    def test_the_mappings_own_problems_name_the_file(self) -> None:
        """A required target left out is reported within the file's name."""
        fields = {key: value for key, value in _REQUIRED.items() if key != "id"}
        with pytest.raises(InvalidDataError) as caught:
            mapping_from_dict({"fields": fields}, name="m.toml")
        assert (
            str(caught.value)
            == "m.toml.fields.id: is required: give a column or a default"
        )


class TestLoadMapping:
    def test_text_that_is_not_toml_is_an_error_naming_the_file(
        self, tmp_path: Path
    ) -> None:
        """A TOML syntax error is reported with the file's name."""
        path = tmp_path / "mapping.toml"
        path.write_text("[fields.id\ncolumn = 'Ref'\n", encoding="utf-8")
        with pytest.raises(InvalidDataError, match=r"mapping\.toml: is not TOML"):
            load_mapping(path)


def _organisation() -> list[Record]:
    return [
        record
        for record in samples.small_log()
        if isinstance(record, Provider | Service | Team | StaffMember)
    ]


class TestIncidentSystemWriter:
    # The three incidents of samples.generate(20000) that were rejected on
    # re-import: their times, on UTC, were written as if on UK clocks, so
    # 01:00 on the days the clocks change fell into the spring gap or the
    # autumn fold (and every summer time read back an hour out).
    MOMENTS = (
        datetime(2024, 3, 31, 1, 0, tzinfo=UTC),
        datetime(2024, 10, 27, 1, 0, tzinfo=UTC),
        datetime(2025, 3, 30, 1, 0, tzinfo=UTC),
        datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
        datetime(2025, 7, 1, 13, 5, 30, tzinfo=UTC),
    )

    def _log(self) -> LearningLog:
        base = samples.small_log().get("INC-0001", Incident)
        incidents = [
            attrs.evolve(
                base,
                id=f"INC-{index}",
                occurred=moment,
                reported_at=moment + timedelta(hours=1),
            )
            for index, moment in enumerate(self.MOMENTS)
        ]
        dated = attrs.evolve(
            base,
            id="INC-DATE",
            occurred=date(2025, 6, 1),
            reported_at=datetime(2025, 6, 2, 9, tzinfo=UTC),
        )
        return LearningLog([*_organisation(), *incidents, dated])

    def test_times_are_written_on_uk_clocks_with_an_offset_in_the_fold(
        self, tmp_path: Path
    ) -> None:
        """Only a wall time the autumn change repeats carries its offset."""
        path = write_incident_system_csv(self._log(), tmp_path / "export.csv")
        rows = {cells[0]: cells for _, cells, _ in read_csv_file(path).rows()}
        assert rows["INC-0"][1:4] == ["31/03/2024", "02:00", "31/03/2024"]
        assert rows["INC-1"][1:3] == ["27/10/2024", "01:00+00:00"]
        assert rows["INC-3"][1:3] == ["27/10/2024", "01:30+01:00"]
        assert rows["INC-4"][1:3] == ["01/07/2025", "14:05:30"]
        assert rows["INC-DATE"][1:4] == ["01/06/2025", "", "02/06/2025"]

    def test_every_time_reads_back_as_the_same_instant(self, tmp_path: Path) -> None:
        """The mapped import of the writer's file rejects nothing and moves nothing."""
        log = self._log()
        path = write_incident_system_csv(log, tmp_path / "export.csv")
        result = import_incidents(
            path,
            INCIDENT_SYSTEM,
            into=LearningLog(_organisation()),
            by="STAFF-RM",
            at=samples.AT,
        )
        assert result.rejected == ()
        for incident_id in result.imported:
            assert (
                result.log.get(incident_id, Incident).occurred
                == log.get(incident_id, Incident).occurred
            )
