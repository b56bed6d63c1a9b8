"""DataFrames of a learning log, and the Parquet files DuckDB reads."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import incident_learning as il
from incident_learning import frames as frames_module
from incident_learning import samples
from incident_learning.analysis import learning_summary
from incident_learning.frames import Frames, read_parquet, to_frames, write_parquet
from incident_learning.graph import build_graph
from incident_learning.model.base import reference_fields
from incident_learning.model.log import RECORD_TYPES
from incident_learning.model.vocab import ActionStrength, HarmLevel
from incident_learning.serialization import SECTIONS

CLOSED = ("verified_effective", "found_ineffective", "rejected")

LOOP_CLOSURE_SQL = """
SELECT count(*) FILTER (WHERE status IN ('verified_effective',
                                         'found_ineffective',
                                         'rejected')) / count(*)
FROM read_parquet($path)
WHERE NOT entered_in_error
"""


def _values(column: pd.Series) -> list[object]:
    """Return a column's values as Python objects, None where missing."""
    return list(column.astype(object).where(column.notna(), None))


@pytest.fixture(scope="module")
def log() -> il.LearningLog:
    return samples.example_log()


@pytest.fixture(scope="module")
def frames(log: il.LearningLog) -> Frames:
    return to_frames(log)


class TestTables:
    """One table per record kind, with child and link tables."""

    def test_every_record_type_has_its_section_table(
        self, log: il.LearningLog, frames: Frames
    ) -> None:
        """Each record type's table holds its current records, sorted by id."""
        assert [name for name in frames if name in SECTIONS] == list(SECTIONS)
        for name, cls in SECTIONS.items():
            assert list(frames[name]["id"]) == sorted(log.of_kind(cls))

    def test_mapping(self, frames: Frames) -> None:
        """Frames is a read-only mapping of table names with a short repr."""
        assert len(frames) == len(list(frames)) == len(frames.tables)
        assert "incident_people_affected" in frames
        assert not frames.versions
        assert repr(frames).startswith(f"<Frames {len(frames)} tables, ")
        with pytest.raises(TypeError):
            frames.tables["x"] = pd.DataFrame()  # type: ignore[index]

    def test_link_tables_match_the_references(
        self, log: il.LearningLog, frames: Frames
    ) -> None:
        """Every reference in a tuple field is one link-table row, in order."""
        for cls in RECORD_TYPES:
            kind = cls.record_kind
            expected: dict[str, list[tuple[str, int, str]]] = {}
            for record in log.of_kind(cls).values():
                for ref in reference_fields(record):
                    field, _, index = ref.field.partition("[")
                    if index and "." not in ref.field:
                        rows = expected.setdefault(f"{kind}_{field}", [])
                        rows.append((record.id, int(index.rstrip("]")), ref.target))
            for table, rows in expected.items():
                frame = frames[table]
                assert list(frame.columns[:2]) == [kind, "position"]
                found = list(frame.itertuples(index=False, name=None))
                assert sorted(found) == sorted(rows)

    def test_action_learning_points(self, frames: Frames) -> None:
        """action_learning_points pairs each action with its learning points."""
        frame = frames["action_learning_points"]
        assert list(frame.columns) == ["action", "position", "learning_point"]
        assert set(frame["action"]) == set(frames["actions"]["id"])

    def test_child_tables(self, log: il.LearningLog, frames: Frames) -> None:
        """Repeated nested values become child tables keyed by the parent id."""
        history = frames["action_status_history"]
        action = log.get("ACT-0001", il.Action)
        rows = history[history["action"] == "ACT-0001"]
        assert list(rows["status"]) == [c.status.value for c in action.status_history]
        assert list(rows["position"]) == list(range(len(action.status_history)))
        people = frames["incident_people_affected"]
        assert list(people.columns) == [
            "incident",
            "position",
            "person",
            "physical_harm",
            "psychological_harm",
            "harm",
        ]
        steps = frames["incident_duty_of_candour_steps"]
        assert list(steps.columns) == ["incident", "position", "step", "on"]
        assert len(steps) == sum(
            len(i.duty_of_candour.steps)
            for i in log.of_kind(il.Incident).values()
            if i.duty_of_candour is not None
        )

    def test_nested_values_are_flattened(self, frames: Frames) -> None:
        """A single nested value is flattened into prefixed columns."""
        columns = set(frames["incidents"].columns)
        assert {
            "cqc_notification_criterion",
            "cqc_notification_notified_on",
            "duty_of_candour_applicable",
            "effectiveness_measure_measured_by",
        } & columns == {
            "cqc_notification_criterion",
            "cqc_notification_notified_on",
            "duty_of_candour_applicable",
        }
        assert "effectiveness_measure_measured_by" in frames["actions"].columns

    def test_derived_columns(self, log: il.LearningLog, frames: Frames) -> None:
        """Harm, near miss, status and strength are derived as the model does."""
        incidents = frames["incidents"]
        found = [log.get(i, il.Incident) for i in incidents["id"]]
        assert _values(incidents["harm"]) == [i.harm for i in found]
        assert _values(incidents["is_near_miss"]) == [i.is_near_miss for i in found]
        assert _values(incidents["occurrence_precision"]) == [
            i.occurrence_precision for i in found
        ]
        actions = frames["actions"]
        done = [log.get(i, il.Action) for i in actions["id"]]
        assert _values(actions["status"]) == [a.status for a in done]
        assert _values(actions["strength"]) == [a.strength for a in done]
        assert _values(actions["completed_on"]) == [a.completed_on for a in done]
        assert any(a.completed_on for a in done)

    def test_versions(self, log: il.LearningLog) -> None:
        """With versions=True every version is a row, and child tables carry it."""
        every = to_frames(log, versions=True)
        assert every.versions
        actions = every["actions"]
        assert len(actions) == sum(len(log.history(i)) for i in log.of_kind(il.Action))
        assert list(every["action_status_history"].columns[:3]) == [
            "action",
            "version",
            "position",
        ]
        first = actions[actions["id"] == "ACT-0001"]
        assert list(first["version"]) == list(range(1, len(first) + 1))

    def test_empty_log(self, frames: Frames) -> None:
        """An empty log gives every table, empty, with the same columns and dtypes."""
        empty = to_frames(il.LearningLog())
        assert list(empty) == list(frames)
        for name, frame in empty.items():
            assert frame.empty
            assert frame.dtypes.equals(frames[name].dtypes)


class TestDtypes:
    """Columns are typed for analysis."""

    def test_enums_are_categoricals(self, frames: Frames) -> None:
        """Enums are categoricals of every member, ordered where they are scales."""
        harm = frames["incidents"]["harm"].dtype
        assert isinstance(harm, pd.CategoricalDtype)
        assert harm.ordered
        assert list(harm.categories) == [level.value for level in HarmLevel]
        strength = frames["actions"]["strength"].dtype
        assert isinstance(strength, pd.CategoricalDtype)
        assert strength.ordered
        assert list(strength.categories) == [s.value for s in ActionStrength]
        event = frames["incidents"]["event_type"].dtype
        assert isinstance(event, pd.CategoricalDtype)
        assert not event.ordered

    def test_datetimes_are_utc(self, frames: Frames) -> None:
        """Dates and times are tz-aware UTC microseconds, dates Arrow date32."""
        incidents = frames["incidents"]
        assert str(incidents["recorded_at"].dtype) == "datetime64[us, UTC]"
        assert str(incidents["occurred_at"].dtype) == "datetime64[us, UTC]"
        assert str(incidents["occurred_on"].dtype) == "date32[day][pyarrow]"
        assert isinstance(incidents["occurred_on"].iloc[0], date)

    def test_other_scalars(self, frames: Frames) -> None:
        """Text is string, required numbers plain, optional ones nullable."""
        exposures = frames["service_exposures"]
        assert str(exposures["id"].dtype) == "string"
        assert exposures["staff_in_post"].dtype == "int64"
        assert exposures["occupied_bed_days"].dtype == "Int64"
        assert exposures["care_hours"].dtype == "Float64"
        assert frames["incidents"]["police_involved"].dtype == "bool"
        assert frames["incidents"]["duty_of_candour_applicable"].dtype == "boolean"
        assert frames["effectiveness_review_measurements"]["value"].dtype == "float64"

    def test_date_only_occurrence(self, frames: Frames) -> None:
        """An incident known only by its day has a day and no instant."""
        incidents = frames["incidents"]
        date_only = incidents[incidents["occurrence_precision"] != "exact"]
        assert not date_only.empty
        assert date_only["occurred_at"].isna().any()
        assert date_only["occurred_on"].notna().all()


class TestParquet:
    """Parquet files hold the same tables, for DuckDB or Spark."""

    def test_round_trip(self, frames: Frames, tmp_path: Path) -> None:
        """Reading the files back gives the same DataFrames."""
        paths = write_parquet(frames, tmp_path / "out")
        assert [path.name for path in paths] == [f"{name}.parquet" for name in frames]
        back = read_parquet(tmp_path / "out")
        assert list(back) == list(frames)
        for name, frame in frames.items():
            pd.testing.assert_frame_equal(back[name], frame)

    def test_round_trip_versions(self, log: il.LearningLog, tmp_path: Path) -> None:
        """Every-version frames read back with versions=True."""
        every = to_frames(log, versions=True)
        write_parquet(every, tmp_path)
        back = read_parquet(tmp_path, versions=True)
        assert back.versions
        for name, frame in every.items():
            pd.testing.assert_frame_equal(back[name], frame)

    def test_column_order_is_the_frames(
        self, log: il.LearningLog, frames: Frames, tmp_path: Path
    ) -> None:
        """A log is written as its current frames, columns in the frames' order."""
        write_parquet(log, tmp_path)
        for name, frame in frames.items():
            relation = duckdb.read_parquet(str(tmp_path / f"{name}.parquet"))
            assert relation.columns == list(frame.columns)

    def test_duckdb_loop_closure_rate(
        self, log: il.LearningLog, tmp_path: Path
    ) -> None:
        """DuckDB over actions.parquet finds the library's loop-closure rate."""
        write_parquet(log, tmp_path)
        path = str(tmp_path / "actions.parquet")
        row = duckdb.execute(LOOP_CLOSURE_SQL, {"path": path}).fetchone()
        assert row is not None
        expected = learning_summary(build_graph(log)).loop_closure_rate
        assert expected is not None
        assert 0 < expected < 1
        assert row[0] == pytest.approx(expected, rel=0, abs=1e-12)

    def test_missing_file(self, tmp_path: Path) -> None:
        """Reading a folder without the tables raises FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            read_parquet(tmp_path)


class TestInstall:
    """The message when the extra is missing."""

    @pytest.mark.parametrize("missing", ["pandas", "pyarrow"])
    def test_missing_library(
        self, monkeypatch: pytest.MonkeyPatch, missing: str
    ) -> None:
        """Without pandas or pyarrow, importing frames says what to install."""
        monkeypatch.setitem(sys.modules, missing, None)
        spec = importlib.util.spec_from_file_location(
            "_frames_probe", Path(frames_module.__file__)
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        with pytest.raises(
            ModuleNotFoundError, match=r'install "incident_learning\[dataframe\]"'
        ) as info:
            spec.loader.exec_module(module)
        assert info.value.name == missing
