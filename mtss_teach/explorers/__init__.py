"""Static explorers for the book: Altair charts with Vega-Lite params bound to inputs.

The explorers run in the built HTML with no kernel: Vega-Lite parameters are
bound to HTML sliders and radio buttons, and the page redraws itself when a
reader moves one. The rule that keeps them honest: **every number a reader
sees is a row of a table that the library computed in Python**; the slider
only picks the row. So the page can never disagree with the library.

* :func:`screening_cut_explorer` -- a cut-score slider. Its table
  (:func:`screening_cut_table`) holds
  :func:`mtss_teach.screening.classification_accuracy` at every slider
  position: flagged count, sensitivity, specificity, PPV.
* :func:`aimline_explorer` -- goal and weeks sliders. Its table
  (:func:`aimline_decision_table`) holds the library's
  :func:`~mtss_teach.progress.aimline` for every goal and
  :func:`~mtss_teach.progress.decide` for every (goal, weeks of data).
* :func:`fidelity_explorer` -- one 0/1/2 control per TFI item of a tier. The
  scale score is the one piece computed in the page, by the manual's formula
  ``points / (2 x items) x 100`` and the library's 70% test
  (``points x 100 >= 70 x possible``); the tests check it against
  :func:`mtss_teach.fidelity.tfi_scores` in a real browser.
* :func:`decision_accuracy_explorer` -- measurement-error and weeks sliders,
  rule buttons: :func:`~mtss_teach.progress.simulate_decisions` for every
  setting (:func:`decision_accuracy_table`), by truth group.
* :func:`tier_share_explorer` -- grade (and school) buttons and a
  frustrational-criterion slider: :func:`~mtss_teach.screening.tier_shares`
  against 80/15/5 (:func:`tier_share_table`) and
  :func:`~mtss_teach.screening.classwide_problem` per classroom
  (:func:`classwide_table`).
* :func:`gap_analysis_explorer` -- current-score and weeks-left sliders:
  :func:`~mtss_teach.progress.gap_analysis` at every position
  (:func:`gap_analysis_table`), benchmarks from the library's norm tables.
* :func:`equity_explorer` -- minimum cell / n-size buttons and a threshold
  select: :func:`~mtss_teach.equity.disproportionality` for every choice
  (:func:`equity_table`); suppressed groups say so in words.
* :func:`odr_explorer` -- a month slider: students per
  :func:`~mtss_teach.behavior.odr_band` by the end of each month and the
  "October catch" (:func:`odr_month_table`).
* :func:`srss_explorer` -- seven 0-3 item buttons; the page adds them (the
  SRSS total is a sum) and looks the band up in the library's
  :func:`~mtss_teach.behavior.srss_risk` of every total 0-21.

Tables that would make a page heavy are stored compactly: sentences are
glued together in the page from the library's numbers (formatted in
Python), and answers that stay the same over a run of slider positions are
stored once per run. The tests read the drawn text back and compare it with
direct library calls.

Display the returned chart in a book page (MyST notebook) and it works offline
through :mod:`mtss_teach.sphinxext`.

One file per explorer (``screening_cut``, ``aimline``, ``tfi``,
``decision_accuracy``, ``tier_share``, ``gap_analysis``,
``disproportionality``, ``odr``, ``srss``) and ``_shared`` for the slider
grids and text panels they share. Import from the package:
``from mtss_teach.explorers import aimline_explorer``.
"""

from __future__ import annotations

from ._shared import LIVE, MAX_CUTS
from .screening_cut import screening_cut_table, screening_cut_explorer
from .aimline import aimline_decision_table, aimline_explorer
from .tfi import tfi_param_name, fidelity_explorer
from .decision_accuracy import decision_accuracy_table, decision_accuracy_explorer
from .tier_share import tier_share_table, classwide_table, tier_share_explorer, ALL_SCHOOLS
from .gap_analysis import gap_analysis_table, gap_analysis_explorer
from .disproportionality import equity_table, equity_explorer
from .odr import odr_month_table, odr_explorer
from .srss import srss_param_name, srss_explorer

__all__ = [
    "MAX_CUTS",
    "screening_cut_table",
    "screening_cut_explorer",
    "aimline_decision_table",
    "aimline_explorer",
    "fidelity_explorer",
    "tfi_param_name",
    "decision_accuracy_table",
    "decision_accuracy_explorer",
    "ALL_SCHOOLS",
    "tier_share_table",
    "classwide_table",
    "tier_share_explorer",
    "gap_analysis_table",
    "gap_analysis_explorer",
    "equity_table",
    "equity_explorer",
    "odr_month_table",
    "odr_explorer",
    "srss_param_name",
    "srss_explorer",
]
