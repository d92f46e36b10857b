"""mtss_teach: the decision library behind MTSS Academy.

Pure functions over pandas that compute Multi-Tiered System of Supports
decisions the way the field publishes them. Submodules, one per domain:

- :mod:`mtss_teach.norms` -- oral reading fluency norms and benchmark goals
- :mod:`mtss_teach.screening` -- classification accuracy, ROC, cut scores
- :mod:`mtss_teach.progress` -- aimlines, trends, decision rules
- :mod:`mtss_teach.fidelity` -- TFI and checklist fidelity
- :mod:`mtss_teach.equity` -- disproportionality, small-cell suppression
- :mod:`mtss_teach.behavior` -- office discipline referrals, SRSS
- :mod:`mtss_teach.cohorts` -- realistic synthetic cohorts
- :mod:`mtss_teach.datasets` / :mod:`mtss_teach.io` -- shipped and own data
- :mod:`mtss_teach.charts` / :mod:`mtss_teach.explorers` -- Altair charts and
  static (no-kernel) explorers for the book
- :mod:`mtss_teach.widgets` / :mod:`mtss_teach.apps` -- ipywidgets apps and
  the Voila server for facilitators
- :mod:`mtss_teach.exercises` / :mod:`mtss_teach.grading` /
  :mod:`mtss_teach.selfcheck` -- per-learner exercise scenarios, the nbgrader
  pipeline, and the static self-checks
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import DataError

#: The package's version: the one place it is written (pyproject.toml reads it).
__version__ = "0.1.0"

#: The submodules ``import mtss_teach as mt`` gives on first use (``mt.screening``),
#: without importing any of them, or their dependencies, up front.
SUBMODULES: tuple[str, ...] = (
    "norms", "screening", "progress", "fidelity", "equity", "behavior",
    "cohorts", "datasets", "io", "roster", "polls",
    "charts", "explorers", "selfcheck", "widgets", "apps", "exercises", "grading", "lms", "classwide", "tables",
    "formatting",
)

__all__ = ["DataError", "__version__", *SUBMODULES]


def __getattr__(name: str) -> Any:
    """Import a submodule on first use: ``mt.screening`` works after ``import mtss_teach as mt``."""
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))
