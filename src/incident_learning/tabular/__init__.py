"""Spreadsheet and CSV import and export.

* :func:`export_csv` / :func:`load_csv`: a whole log as tidy CSV files, one
  per table, read back into an equal log.
* :func:`import_folder`: such a folder, perhaps edited by a person, imported
  leniently into an existing log, each rejected row reported.
* :func:`import_incidents`: incidents from another system's CSV export, by a
  :class:`CsvMapping` (built in Python or loaded from TOML by
  :func:`load_mapping`); ready mappings :data:`~incident_learning.tabular.mapping.TIDY_INCIDENTS` and
  :data:`~incident_learning.tabular.mapping.INCIDENT_SYSTEM`.

Core dependencies only: the stdlib ``csv`` and ``tomllib``, attrs and dateutil.
"""

from incident_learning.tabular._result import (
    ImportResult,
    RejectedRow,
    RowRejectedError,
)
from incident_learning.tabular.importer import import_incidents
from incident_learning.tabular.mapping import (
    INCIDENT_SYSTEM,
    TARGETS,
    TIDY_INCIDENTS,
    CsvMapping,
    Source,
    load_mapping,
)
from incident_learning.tabular.tidy import (
    TABLES,
    export_csv,
    import_folder,
    load_csv,
    parse_cell,
)

__all__ = [
    "INCIDENT_SYSTEM",
    "TABLES",
    "TARGETS",
    "TIDY_INCIDENTS",
    "CsvMapping",
    "ImportResult",
    "RejectedRow",
    "RowRejectedError",
    "Source",
    "export_csv",
    "import_folder",
    "import_incidents",
    "load_csv",
    "load_mapping",
    "parse_cell",
]
