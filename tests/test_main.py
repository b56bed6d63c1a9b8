"""Tests for ``python -m incident_learning``: the command-line tool, and its older form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from incident_learning import samples, serialization
from incident_learning.__main__ import main


class TestMain:
    @pytest.mark.parametrize("suffix", [".json", ".jsonl"])
    def test_a_lone_file_is_summarised(
        self, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``python -m incident_learning FILE``, the form before the tool, runs ``summary FILE``."""
        path = tmp_path / f"log{suffix}"
        if suffix == ".json":
            serialization.dump_json(samples.small_log(), path)
        else:
            serialization.dump_jsonl(samples.small_log(), path)
        assert main([str(path)]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Oakvale Care Group\n  incidents: 1 (near misses: 0)")
        assert "loops: embedded 1; closed 0%" in out

    def test_a_lone_invalid_file_exits_1_and_prints_every_problem(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A lone file with problems exits 1 and prints each problem, not a traceback."""
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

    def test_subcommands_run_as_in_the_tool(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A subcommand runs as it does under ``incident-learning``."""
        path = tmp_path / "log.json"
        serialization.dump_json(samples.small_log(), path)
        assert main(["validate", str(path)]) == 0
        assert capsys.readouterr().out == f"{path}: valid, 21 records\n"

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ([], "required: COMMAND"),
            (["absent.json"], "invalid choice: 'absent.json'"),
            (["a.json", "b.json"], "invalid choice: 'a.json'"),
        ],
    )
    def test_anything_else_is_a_usage_error(
        self, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """No arguments, a file that is not there, or two files exit 2 with one line."""
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err
        assert len(err.splitlines()) == 1

    def test_the_module_runs_as_a_program(self, tmp_path: Path) -> None:
        """``python -m incident_learning demo`` writes and summarises the example."""
        result = subprocess.run(
            [sys.executable, "-m", "incident_learning", "demo", "--out", "out"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Oakvale Care Group" in result.stdout
        assert (tmp_path / "out" / "oakvale.jsonl").is_file()
