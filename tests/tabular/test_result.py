"""What an import reports: rejected rows, and the rejects file to fix them in."""

from __future__ import annotations

from pathlib import Path

from incident_learning.tabular import RejectedRow
from incident_learning.tabular._csvfile import read_csv_file
from incident_learning.tabular._result import write_rejects


def _row(line: int, column: str, cells: tuple[str, ...]) -> RejectedRow:
    return RejectedRow(
        file="export.csv", line=line, column=column, reason="is wrong", cells=cells
    )


class TestRejectedRow:
    def test_a_whole_row_problem_names_no_column(self) -> None:
        """A row rejected as a whole is shown by file and line alone."""
        assert str(_row(4, "", ("a",))) == "export.csv line 4: is wrong"
        assert (
            str(_row(4, "Ref", ("a",))) == "export.csv line 4, column 'Ref': is wrong"
        )


class TestWriteRejects:
    def test_rows_keep_their_cells_then_line_and_reason(self, tmp_path: Path) -> None:
        """Short rows are padded and cells past the header kept after the reason."""
        path = write_rejects(
            tmp_path / "rejects.csv",
            ("Ref", "Kind"),
            [_row(2, "Kind", ("R-1",)), _row(3, "", ("R-2", "x", "extra"))],
        )
        file = read_csv_file(path)
        assert file.encoding == "utf-8-sig"
        assert file.header == ("Ref", "Kind", "line", "reason")
        assert [cells for _, cells, _ in file.rows()] == [
            ["R-1", "", "2", "Kind: is wrong"],
            ["R-2", "x", "3", "is wrong", "extra"],
        ]

    def test_a_rejects_file_rejected_again_keeps_one_line_and_reason(
        self, tmp_path: Path
    ) -> None:
        """Re-importing a rejects file replaces its line and reason cells."""
        path = write_rejects(
            tmp_path / "again.csv",
            ("Ref", "line", "reason"),
            [_row(2, "Ref", ("R-1", "7", "old reason"))],
        )
        file = read_csv_file(path)
        assert file.header == ("Ref", "line", "reason")
        assert [cells for _, cells, _ in file.rows()] == [["R-1", "2", "Ref: is wrong"]]
