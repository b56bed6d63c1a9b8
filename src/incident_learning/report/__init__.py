"""The learning report: one self-contained, accessible HTML file from a log or graph.

Needs the ``report`` extra (Jinja2 and matplotlib)::

    pip install "incident_learning[report]"
"""

from __future__ import annotations

from incident_learning._extras import missing_extra

# The extra's libraries are imported first, so a missing one is reported
# with the install line, whichever report module was asked for.
try:
    import jinja2  # noqa: F401 - checked here, used by _render
    import matplotlib  # noqa: F401 - checked here, used by _charts
except ModuleNotFoundError as error:
    raise missing_extra(error, extra="report", what="the learning report") from error

from incident_learning.report._context import (
    MAX_ACTION_CARDS,
    MAX_CATEGORY_CHARTS,
    MAX_EFFECT_CHARTS,
    MAX_ROWS,
    MAX_SERVICE_CHARTS,
)
from incident_learning.report._render import learning_report, write_report

__all__ = [
    "MAX_ACTION_CARDS",
    "MAX_CATEGORY_CHARTS",
    "MAX_EFFECT_CHARTS",
    "MAX_ROWS",
    "MAX_SERVICE_CHARTS",
    "learning_report",
    "write_report",
]
