"""Tests for ``incident-learning export`` and ``import``: every format, exit code and error."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from incident_learning import cli, samples, serialization
from incident_learning._cli_output import JSONValue, render_import
from incident_learning.fhir import to_fhir_bundle
from incident_learning.serialization import dumps_jsonl, load_json, load_jsonl
from incident_learning.tabular import export_csv, load_csv

DATA = Path(__file__).parent / "data"
CSV = DATA / "csv"
FHIR = DATA / "fhir"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The small Oak House log, written as a JSON document."""
    path = tmp_path / "small.json"
    serialization.dump_json(samples.small_log(), path)
    return path


@pytest.fixture
def key(tmp_path: Path) -> Path:
    """A pseudonym key file, with the newline an editor leaves."""
    path = tmp_path / "key.txt"
    path.write_text("a synthetic key of sixteen bytes or more\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the tool on *argv*; return its exit code, standard output and error."""
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def same_log(path: Path) -> bool:
    """Whether the log in *path* is the small log, every version alike."""
    log = load_jsonl(path) if path.suffix == ".jsonl" else load_json(path)
    return dumps_jsonl(log) == dumps_jsonl(samples.small_log())


class TestExport:
    def test_json_lines_and_json_round_trip(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--to jsonl and --to json write the log itself."""
        for fmt, name in (("jsonl", "out.jsonl"), ("json", "out.json")):
            code, out, _ = run(
                capsys, "export", small, "--to", fmt, "-o", tmp_path / name
            )
            assert code == 0
            assert out.startswith("Wrote the log as ")
            assert same_log(tmp_path / name)

    def test_csv_folder_reads_back(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--to csv writes one tidy file per table; --bom starts each with a BOM."""
        folder = tmp_path / "csv"
        code, out, _ = run(
            capsys, "export", small, "--to", "csv", "-o", folder, "--bom"
        )
        assert code == 0
        assert "CSV files" in out
        assert (folder / "incidents.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        assert dumps_jsonl(load_csv(folder)) == dumps_jsonl(samples.small_log())

    def test_fhir_shared_needs_a_key(
        self, capsys: pytest.CaptureFixture[str], small: Path, key: Path, tmp_path: Path
    ) -> None:
        """The shared FHIR profile is the default; it pseudonymises with the key file."""
        out_path = tmp_path / "bundle.json"
        code, _, err = run(capsys, "export", small, "--to", "fhir", "-o", out_path)
        assert code == 2
        assert "--key-file KEY" in err
        assert not out_path.exists()
        code, out, _ = run(
            capsys, "export", small, "--to", "fhir", "-o", out_path, "--key-file", key
        )
        assert code == 0
        assert "shared profile" in out
        bundle = json.loads(out_path.read_text())
        expected = to_fhir_bundle(
            samples.small_log(), key=key.read_bytes().strip(), profile="shared"
        )
        assert bundle == json.loads(json.dumps(expected))

    def test_fhir_internal(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--profile internal needs no key and keeps the records as they are."""
        out_path = tmp_path / "bundle.json"
        code, out, _ = run(
            capsys,
            "export",
            small,
            "--to",
            "fhir",
            "--profile",
            "internal",
            "-o",
            out_path,
        )
        assert code == 0
        assert "internal profile" in out
        assert json.loads(out_path.read_text())["resourceType"] == "Bundle"

    def test_a_missing_key_file(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """A key file that cannot be read is a usage error naming it."""
        code, _, err = run(
            capsys,
            "export",
            small,
            "--to",
            "fhir",
            "-o",
            tmp_path / "b.json",
            "--key-file",
            tmp_path / "nope.txt",
        )
        assert code == 2
        assert "cannot read" in err
        assert "nope.txt" in err

    @pytest.mark.parametrize(
        ("options", "expected"),
        [
            (["--to", "prov"], '"entity"'),
            (["--to", "prov-n"], "document"),
            (["--to", "prov", "--history"], "@v1"),
            (["--to", "prov-n", "--history"], "@v1"),
        ],
    )
    def test_prov(
        self,
        capsys: pytest.CaptureFixture[str],
        small: Path,
        tmp_path: Path,
        options: list[str],
        expected: str,
    ) -> None:
        """--to prov and prov-n write the graph, or with --history every version."""
        out_path = tmp_path / "prov.out"
        code, _, _ = run(capsys, "export", small, *options, "-o", out_path)
        assert code == 0
        text = out_path.read_text()
        assert expected in text
        assert ("@v1" in text) is ("--history" in options)

    def test_history_only_goes_with_prov(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--history with another format is a usage error."""
        code, _, err = run(
            capsys, "export", small, "--to", "csv", "--history", "-o", tmp_path / "x"
        )
        assert code == 2
        assert "--history goes with --to prov" in err

    def test_parquet(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--to parquet writes a folder of Parquet files."""
        folder = tmp_path / "parquet"
        code, out, _ = run(capsys, "export", small, "--to", "parquet", "-o", folder)
        assert code == 0
        assert "Parquet files" in out
        assert (folder / "incidents.parquet").is_file()

    def test_parquet_without_the_extra(
        self,
        capsys: pytest.CaptureFixture[str],
        small: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Without the [dataframe] extra the error says how to install it (exit 2)."""
        real = importlib.import_module

        def without_frames(name: str, package: str | None = None) -> ModuleType:
            if name == "incident_learning.frames":
                message = 'DataFrames need the dataframe extra: pip install "incident_learning[dataframe]"'
                raise ModuleNotFoundError(message)
            return real(name, package)

        monkeypatch.setattr(importlib, "import_module", without_frames)
        code, _, err = run(
            capsys, "export", small, "--to", "parquet", "-o", tmp_path / "p"
        )
        assert code == 2
        assert "incident_learning[dataframe]" in err

    def test_an_unwritable_output(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """An output that cannot be written is a usage error naming it."""
        blocker = tmp_path / "file"
        blocker.write_text("")
        code, _, err = run(
            capsys, "export", small, "--to", "prov", "-o", blocker / "prov.json"
        )
        assert code == 2
        assert "cannot write" in err

    def test_an_invalid_log_is_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """An invalid log is not exported (exit 1)."""
        bad = tmp_path / "bad.jsonl"
        bad.write_text(
            serialization.dumps_jsonl(samples.small_log()).replace('"falls"', '"fall"')
        )
        code, _, err = run(capsys, "export", bad, "--to", "csv", "-o", tmp_path / "c")
        assert code == 1
        assert "is not valid" in err


class TestImportCsv:
    def test_an_incident_system_export(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """A clean export imports whole into the provider's log (exit 0)."""
        out_path = tmp_path / "log.jsonl"
        code, out, _ = run(
            capsys,
            "import",
            CSV / "incident_system.csv",
            "--into",
            small,
            "--mapping",
            "incident-system",
            "--recorded-at",
            "26/11/2026 10:00",
            "-o",
            out_path,
        )
        assert code == 0
        assert "Read 3 rows" in out
        assert "imported 3, rejected 0" in out
        log = load_jsonl(out_path)
        assert {"INC-0001", "W-1001", "W-1002", "W-1003"} <= set(
            log.of_kind(samples.incident().__class__)
        )
        imported = log.get("W-1001")
        assert imported.recorded_at.isoformat() == "2026-11-26T10:00:00+00:00"

    def test_rejected_rows_are_listed_and_written(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """Bad rows exit 1, each listed with its line and column; good rows are kept."""
        rejects = tmp_path / "rejects.csv"
        out_path = tmp_path / "log.json"
        code, out, _ = run(
            capsys,
            "import",
            CSV / "bad_rows.csv",
            "--into",
            small,
            "--mapping",
            "incident-system",
            "--rejects",
            rejects,
            "-o",
            out_path,
        )
        assert code == 1
        assert "imported 2, rejected 6" in out
        assert "bad_rows.csv line 4, column 'Service/Location'" in out
        assert f"Wrote the rejected rows to {rejects}" in out
        assert len(load_json(out_path).of_kind(type(samples.incident()))) == 3
        assert (
            rejects.read_text(encoding="utf-8-sig")
            .splitlines()[0]
            .endswith("line,reason")
        )

    def test_json_output_accounts_for_every_row(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--format json lists every rejected row; read = imported + rejected + blank."""
        code, out, _ = run(
            capsys,
            "import",
            CSV / "bad_rows.csv",
            "--into",
            small,
            "--mapping",
            "incident-system",
            "--format",
            "json",
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 1
        data = json.loads(out)
        assert data["rows_read"] == (
            data["imported_rows"] + len(data["rejected"]) + data["blank_lines"]
        )
        assert [row["line"] for row in data["rejected"]] == [3, 4, 5, 6, 7, 8]
        assert data["rejects"] is None

    def test_strict_stops_at_the_first_bad_row(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """--strict fails at the first bad row, naming its line, and writes nothing."""
        out_path = tmp_path / "log.jsonl"
        code, _, err = run(
            capsys,
            "import",
            CSV / "bad_rows.csv",
            "--into",
            small,
            "--mapping",
            "incident-system",
            "--strict",
            "-o",
            out_path,
        )
        assert code == 1
        assert "bad_rows.csv line 3, column 'Category'" in err
        assert not out_path.exists()

    def test_a_toml_mapping_and_nothing_rejected(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """A TOML mapping file is read; an empty rejects file is said to be empty."""
        rejects = tmp_path / "rejects.csv"
        code, out, _ = run(
            capsys,
            "import",
            CSV / "own_export.csv",
            "--into",
            small,
            "--mapping",
            CSV / "mapping.toml",
            "--rejects",
            rejects,
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 0, out
        assert "rejected 0" in out
        assert f"Nothing was rejected: {rejects} holds the header only." in out

    def test_a_fixed_rejects_file_imports(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """The rejects file, fixed by hand, imports with the same mapping."""
        rejects = tmp_path / "rejects.csv"
        first = tmp_path / "first.jsonl"
        run(
            capsys,
            "import",
            CSV / "bad_rows.csv",
            "--into",
            small,
            "--mapping",
            "incident-system",
            "--rejects",
            rejects,
            "-o",
            first,
        )
        fixed = tmp_path / "fixed.csv"
        text = rejects.read_text(encoding="utf-8-sig")
        fixed.write_text(text.replace(",Fal,", ",Fall,"), encoding="utf-8")
        code, out, _ = run(
            capsys,
            "import",
            fixed,
            "--into",
            first,
            "--mapping",
            "incident-system",
            "-o",
            tmp_path / "second.jsonl",
        )
        assert code == 1  # the other five rows are still wrong
        assert "imported 1, rejected 5" in out

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            (["--mapping", "incident-system"], "pass --into LOG"),
            (["--into", "SMALL"], "say how the columns map"),
            (
                ["--into", "SMALL", "--mapping", "tidy", "--defaults", "d.json"],
                "--defaults is for FHIR",
            ),
            (
                [
                    "--into",
                    "SMALL",
                    "--mapping",
                    "tidy",
                    "--recorded-at",
                    "31/02/2026",
                ],
                "--recorded-at:",
            ),
        ],
    )
    def test_usage_errors(
        self,
        capsys: pytest.CaptureFixture[str],
        small: Path,
        tmp_path: Path,
        options: list[str],
        message: str,
    ) -> None:
        """Missing or misplaced options are usage errors (exit 2) that say what to do."""
        argv = [str(small) if item == "SMALL" else item for item in options]
        code, _, err = run(
            capsys,
            "import",
            CSV / "incident_system.csv",
            *argv,
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 2
        assert message in err

    def test_a_tidy_folder(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A folder is read as the library's tidy CSV, whole (exit 0)."""
        folder = tmp_path / "tidy"
        export_csv(samples.small_log(), folder)
        out_path = tmp_path / "log.jsonl"
        code, out, _ = run(capsys, "import", folder, "-o", out_path)
        assert code == 0
        assert "rejected 0" in out
        assert same_log(out_path)

    def test_an_unknown_source(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A source whose kind cannot be told asks for --from."""
        source = tmp_path / "incidents.xlsx"
        source.write_bytes(b"")
        code, _, err = run(capsys, "import", source, "-o", tmp_path / "log.jsonl")
        assert code == 2
        assert "pass --from" in err


class TestImportFhir:
    def test_a_bundle_round_trips(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """An internal Bundle imports back to the same log (exit 0)."""
        bundle = tmp_path / "bundle.json"
        run(
            capsys,
            "export",
            small,
            "--to",
            "fhir",
            "--profile",
            "internal",
            "-o",
            bundle,
        )
        out_path = tmp_path / "log.jsonl"
        code, out, _ = run(capsys, "import", bundle, "-o", out_path)
        assert code == 0
        assert out.startswith("Read FHIR R5 from ")
        assert same_log(out_path)

    def test_r4_is_refused_then_converted(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """R4 is refused naming its fields; --r4 convert with --defaults imports it."""
        source = FHIR / "r4-adverseevent-example.json"
        code, _, err = run(capsys, "import", source, "-o", tmp_path / "log.jsonl")
        assert code == 1
        assert "event: is FHIR R4" in err
        defaults = tmp_path / "defaults.json"
        defaults.write_text(
            json.dumps(
                {
                    "service": "SVC-OAK",
                    "category": "medication",
                    "recorded_by": "fhir-import",
                    "recorded_at": "2017-01-29T13:00:00+00:00",
                    "reported_at": "2017-01-29T13:00:00+00:00",
                }
            )
        )
        code, out, _ = run(
            capsys,
            "import",
            source,
            "--from",
            "fhir",
            "--r4",
            "convert",
            "--into",
            small,
            "--defaults",
            defaults,
            "--format",
            "json",
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 0, out
        data = json.loads(out)
        assert data["fhir_version"] == "R4"
        assert data["conversions"]
        assert any("severity" in item["location"] for item in data["not_held"])

    def test_the_text_lists_what_was_not_held(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """Elements the model does not hold are listed, never dropped silently."""
        defaults = tmp_path / "defaults.json"
        defaults.write_text(
            json.dumps(
                {
                    "service": "SVC-OAK",
                    "category": "medication",
                    "recorded_by": "fhir-import",
                    "recorded_at": "2017-01-29T13:00:00+00:00",
                    "reported_at": "2017-01-29T13:00:00+00:00",
                }
            )
        )
        code, out, _ = run(
            capsys,
            "import",
            FHIR / "r5-adverseevent-example.json",
            "--into",
            small,
            "--defaults",
            defaults,
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 0
        assert "Reported, not imported:" in out
        assert "suspectEntity" in out

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("not json", "is not JSON"),
            ("[1, 2]", "must hold a JSON object"),
            (None, "cannot read"),
        ],
    )
    def test_bad_defaults(
        self,
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        content: str | None,
        message: str,
    ) -> None:
        """A defaults file that is missing, not JSON or not an object is a usage error."""
        defaults = tmp_path / "defaults.json"
        if content is not None:
            defaults.write_text(content)
        code, _, err = run(
            capsys,
            "import",
            FHIR / "r5-adverseevent-example.json",
            "--defaults",
            defaults,
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 2
        assert message in err

    def test_csv_options_are_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """--mapping, --rejects and --encoding are for CSV only."""
        code, _, err = run(
            capsys,
            "import",
            FHIR / "r5-adverseevent-example.json",
            "--mapping",
            "tidy",
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 2
        assert "--mapping is for CSV" in err

    def test_a_missing_source(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A source that cannot be read is a usage error naming it."""
        copy = tmp_path / "gone.json"
        shutil.copy(FHIR / "r5-adverseevent-example.json", copy)
        copy.unlink()
        code, _, err = run(capsys, "import", copy, "-o", tmp_path / "log.jsonl")
        assert code == 2
        assert "cannot read" in err


class TestImportText:
    def test_long_lists_are_cut_short_in_text(self) -> None:
        """Text lists 20 rejected rows, then says how many more; JSON has them all."""
        rows: list[JSONValue] = [
            {"file": "a.csv", "line": line, "column": "", "reason": "bad"}
            for line in range(2, 32)
        ]
        text = render_import(
            {
                "source": "a.csv",
                "output": "log.jsonl",
                "rows_read": 30,
                "imported_rows": 0,
                "blank_lines": 0,
                "rejected": rows,
                "encoding": {"a.csv": "utf-8"},
                "duplicate_columns": {"a.csv": ["Notes"]},
                "missing_columns": {},
                "rejects": None,
                "records": 1,
            }
        )
        assert "  a.csv line 21: bad" in text
        assert "a.csv line 22: bad" not in text
        assert "  ... and 10 more (see the rejects file or --format json)" in text
        assert "Duplicate columns (not used) in a.csv: 'Notes'" in text
        assert text.startswith(
            "Read 30 rows from a.csv (utf-8): imported 0, rejected 30"
        )

    def test_a_duplicate_column_is_reported(
        self, capsys: pytest.CaptureFixture[str], small: Path, tmp_path: Path
    ) -> None:
        """A column named twice and not mapped is reported; one the mapping reads fails."""
        lines = (CSV / "incident_system.csv").read_text(encoding="utf-8").splitlines()
        header, first = lines[0], lines[1]
        source = tmp_path / "notes.csv"
        source.write_text(f"{header},Notes,Notes\n{first},a,b\n", encoding="utf-8")
        code, out, _ = run(
            capsys,
            "import",
            source,
            "--into",
            small,
            "--mapping",
            "incident-system",
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 0
        assert "Duplicate columns (not used) in notes.csv: 'Notes'" in out
        code, _, err = run(
            capsys,
            "import",
            CSV / "duplicate_headers.csv",
            "--into",
            small,
            "--mapping",
            "incident-system",
            "-o",
            tmp_path / "log.jsonl",
        )
        assert code == 1
        assert "Incident Date: appears 2 times in the header" in err
