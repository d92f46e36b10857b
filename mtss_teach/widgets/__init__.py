"""Facilitator apps (ipywidgets 8), thin over the library and the charts.

Each app is built in one line from a shipped dataset or a Cohort::

    from mtss_teach.widgets import ScreeningExplorer
    ScreeningExplorer.from_dataset("healthy")     # a shipped dataset
    ScreeningExplorer(cohort)                     # a Cohort of your own

and shows its current values in :attr:`~MtssApp.metrics` (a dict), so it
can be checked without a browser. The apps are:

- :class:`ScreeningExplorer` -- move the cut: confusion matrix, metrics, ROC, flagged students.
- :class:`AimlineCoach` -- one student's progress, week by week: commit, then see the rule and the truth.
- :class:`DecisionRuleLab` -- how often decision rules are right (``progress.simulate_decisions``).
- :class:`FidelityScorer` -- TFI item scores or an observation checklist: scale scores, 70%, action plan.
- :class:`EquityLens` -- tiers, screening risk and ODRs by subgroup: risk ratios, small-cell suppression.
- :class:`DataMeeting` -- a grade-level data meeting: the team's entry/exit criteria against the rules.
- :class:`BehaviorView` -- ODRs by month, location and student band; SRSS risk.
- :class:`YearReview` -- the capstone: a year's data review, one tab per decision.

Every app has a facilitator bar: the dataset (shown under a neutral name,
"District A" to "District E", so the name does not give away what the data
will show), a "Start over" button (:meth:`MtssApp.reset`) and a "link to this
view" (:attr:`MtssApp.link`) that carries the dataset and every setting in
the page's query string, e.g. ``.../04-progress-monitoring/app.ipynb?dataset=district-b&week=8``;
a Voila page opened from such a link starts there (:meth:`MtssApp.open_link`).

Modules are imported on first use, so ``import mtss_teach.widgets`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "MtssApp",
    "ScreeningExplorer",
    "AimlineCoach",
    "DecisionRuleLab",
    "FidelityScorer",
    "EquityLens",
    "DataMeeting",
    "BehaviorView",
    "YearReview",
    "YourData",
]

_WHERE = {
    "MtssApp": "._app",
    "ScreeningExplorer": ".screening",
    "AimlineCoach": ".aimline",
    "DecisionRuleLab": ".decision_lab",
    "FidelityScorer": ".fidelity",
    "EquityLens": ".equity",
    "DataMeeting": ".data_meeting",
    "BehaviorView": ".behavior",
    "YearReview": ".year_review",
    "YourData": ".your_data",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_WHERE))
