"""What an import returns and raises: rejected rows, counts, the new log."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from incident_learning.exceptions import InvalidDataError, Problem
from incident_learning.model.log import LearningLog
from incident_learning.tabular._csvfile import write_rows

__all__ = ["ImportResult", "RejectedRow", "RowRejectedError", "write_rejects"]

REJECT_COLUMNS = ("line", "reason")
"""The columns a rejects file adds after the original ones."""


@attrs.frozen(kw_only=True)
class RejectedRow:
    """A row that was not imported, and why.

    Attributes:
        file: The file's name (``incidents.csv``).
        line: The physical line the row starts on, counting from 1.
        column: The column at fault; empty when the whole row is.
        reason: Why the row was rejected, in words a person can act on.
        cells: The row's cells exactly as read.
    """

    file: str
    line: int
    column: str
    reason: str
    cells: tuple[str, ...]

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        if self.column:
            where = f"{where}, column {self.column!r}"
        return f"{where}: {self.reason}"


class RowRejectedError(InvalidDataError):
    """A row could not be imported and the import is strict.

    Attributes:
        row: The rejected row: file, line, column, reason and cells.
    """

    def __init__(self, row: RejectedRow) -> None:
        self.row = row
        super().__init__(
            [
                Problem(
                    path=f"{row.file} line {row.line}",
                    field=row.column,
                    value=None,
                    message=row.reason,
                )
            ]
        )

    def __str__(self) -> str:
        return str(self.row)


@attrs.frozen(kw_only=True, eq=False)
class ImportResult:
    """What an import did: the new log, what was imported, what was not.

    Every row read is accounted for: ``rows_read == len(imported_rows) +
    len(rejected) + blank_lines`` (see :attr:`accounted`).

    Attributes:
        log: A new log: the one imported into, plus every record imported.
        imported: The identifiers imported, in file order (an identifier
            appears once however many versions were imported).
        rejected: Every rejected row, in file order.
        rows_read: Rows after the header, blank ones included, in all files.
        imported_rows: How many rows were imported.
        blank_lines: Fully blank rows skipped.
        encoding: The encoding each file was read with, by file name.
        duplicate_columns: Column names that appear more than once in a
            header, by file name (those the mapping does not use).
        unused_columns: Columns no field was read from, by file name.
        missing_columns: Columns the mapping (or the table) names that the
            file lacks, read as blank, by file name.
        rejects: The rejects file or folder written, if one was asked for.
    """

    log: LearningLog
    imported: tuple[str, ...]
    rejected: tuple[RejectedRow, ...]
    rows_read: int
    imported_rows: int
    blank_lines: int
    encoding: dict[str, str]
    duplicate_columns: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    unused_columns: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    missing_columns: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    rejects: Path | None = None

    @property
    def accounted(self) -> bool:
        """Whether every row read was imported, rejected or blank."""
        return self.rows_read == (
            self.imported_rows + len(self.rejected) + self.blank_lines
        )

    def __repr__(self) -> str:
        return (
            f"<ImportResult read={self.rows_read} imported={self.imported_rows} "
            f"rejected={len(self.rejected)} blank={self.blank_lines}>"
        )


def write_rejects(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Iterable[RejectedRow],
) -> Path:
    """Write *rows* to *path*: the original header and cells, then line and reason.

    A header that already ends with the two columns (a rejects file being
    re-imported) keeps them once; their cells are replaced.
    """
    keep = len(header)
    if tuple(cell.strip() for cell in header[-2:]) == REJECT_COLUMNS:
        keep -= 2
    out_header = [*header[:keep], *REJECT_COLUMNS]
    return write_rows(
        path,
        out_header,
        (
            [
                *row.cells[:keep],
                *([""] * (keep - len(row.cells))),
                str(row.line),
                f"{row.column}: {row.reason}" if row.column else row.reason,
                # Cells beyond the header are kept, after the reason, so a
                # ragged row loses nothing and is rejected again unless fixed.
                *row.cells[len(header) :],
            ]
            for row in rows
        ),
        bom=True,
    )
