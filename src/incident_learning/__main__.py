"""``python -m incident_learning [FILE]``: load, validate and summarise a log.

With no file, the bundled example provider is used. This is what
``make demo`` runs until the command-line tool arrives.

Exit codes: 0 the log is valid; 1 the data has problems (each is printed);
2 the file cannot be read.
"""

import sys
from collections.abc import Sequence

from incident_learning import samples
from incident_learning.analysis import log_summary
from incident_learning.exceptions import IncidentLearningError
from incident_learning.model import LearningLog
from incident_learning.serialization import load_json, load_jsonl

__all__ = ["main"]


def _load(path: str) -> LearningLog:
    if path.endswith((".jsonl", ".ndjson")):
        return load_jsonl(path)
    return load_json(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Load, validate and summarise the log in *argv*'s file, or the example.

    Examples:
        >>> from incident_learning.__main__ import main
        >>> main([])  # doctest: +ELLIPSIS
        Loaded and validated the bundled example: ... records
        Oakvale Care Group
        ...
        0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(
            "usage: python -m incident_learning [FILE.json|FILE.jsonl]", file=sys.stderr
        )
        return 2
    try:
        log = _load(args[0]) if args else samples.example_log()
    except OSError as error:
        print(f"cannot read {args[0]}: {error.strerror}", file=sys.stderr)
        return 2
    except IncidentLearningError as error:
        print(error, file=sys.stderr)
        return 1
    source = args[0] if args else "the bundled example"
    versions = sum(1 for _ in log.all_versions())
    print(f"Loaded and validated {source}: {versions} records")
    print(log_summary(log).render())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
