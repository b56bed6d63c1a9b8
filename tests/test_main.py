"""Tests for ``python -m incident_learning``: load, validate, summarise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from incident_learning import samples, serialization
from incident_learning.__main__ import main


class TestMain:
    def test_the_bundled_example_loads_and_is_summarised(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With no file, the bundled example is loaded, validated and summarised."""
        assert main([]) == 0
        out = capsys.readouterr().out
        assert "Loaded and validated the bundled example" in out
        assert "Oakvale Care Group" in out
        assert "loops closed" in out

    @pytest.mark.parametrize("suffix", [".json", ".jsonl"])
    def test_a_file_is_read_by_its_suffix(
        self, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A JSON document or a JSON Lines file named on the command line is read."""
        path = tmp_path / f"log{suffix}"
        if suffix == ".json":
            serialization.dump_json(samples.small_log(), path)
        else:
            serialization.dump_jsonl(samples.small_log(), path)
        assert main([str(path)]) == 0
        assert f"Loaded and validated {path}: 21 records" in capsys.readouterr().out

    def test_invalid_data_exits_1_and_prints_every_problem(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A file with problems exits 1 and prints each problem, not a traceback."""
        text = serialization.dumps_jsonl(samples.small_log())
        path = tmp_path / "bad.jsonl"
        path.write_text(
            text.replace('"falls"', '"fall"').replace('"care_worker"', '"carer"')
        )
        assert main([str(path)]) == 1
        err = capsys.readouterr().err
        assert "'fall' is not a code of incident_category" in err
        assert "'carer' is not one of" in err
        assert "Traceback" not in err

    def test_a_missing_file_exits_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A file that cannot be read exits 2 with one line saying why."""
        assert main([str(tmp_path / "absent.json")]) == 2
        assert "cannot read" in capsys.readouterr().err

    @pytest.mark.parametrize("argv", [["--help"], ["a.json", "b.json"]])
    def test_usage_errors_exit_2(
        self, argv: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Options or more than one file are usage errors."""
        assert main(argv) == 2
        assert "usage:" in capsys.readouterr().err

    def test_the_module_runs_as_a_program(self) -> None:
        """``python -m incident_learning`` exits 0 on the bundled example."""
        result = subprocess.run(
            [sys.executable, "-m", "incident_learning"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Oakvale Care Group" in result.stdout


class TestMainWithoutProvider:
    def test_a_log_without_a_provider_is_summarised(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A valid document with no records at all is summarised, not a traceback."""
        path = tmp_path / "empty.json"
        path.write_text('{"format": "incident_learning/1"}')
        assert main([str(path)]) == 0
        assert "(no provider)" in capsys.readouterr().out
