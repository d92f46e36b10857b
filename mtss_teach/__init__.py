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

from .errors import DataError

__version__ = "0.1.0"

__all__ = ["DataError", "__version__"]
