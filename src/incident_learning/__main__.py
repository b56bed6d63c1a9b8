"""``python -m incident_learning``: the command-line tool, as ``incident-learning``.

``python -m incident_learning validate log.jsonl`` is
``incident-learning validate log.jsonl``; see :mod:`incident_learning.cli`.
The form from before the tool still works: a lone existing file,
``python -m incident_learning log.jsonl``, runs ``summary`` on it.
"""

import os
import sys
from collections.abc import Sequence

from incident_learning import cli

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command-line tool on *argv* (by default the program's) and return the exit code.

    Examples:
        >>> from incident_learning.__main__ import main
        >>> main(["schema", "--lines"])  # doctest: +ELLIPSIS
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
        ...
        0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 1 and args[0] not in cli.COMMANDS and os.path.isfile(args[0]):
        args.insert(0, "summary")
    return cli.main(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
