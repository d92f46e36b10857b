"""Altair chart builders for MTSS decisions (skeleton: signatures are the contract).

Every builder takes library results (or the tidy frames the library and the
cohorts produce) and returns an Altair chart. The decision logic is never
re-implemented here: the builders call :mod:`mtss_teach.progress`,
:mod:`mtss_teach.screening`, :mod:`mtss_teach.fidelity`,
:mod:`mtss_teach.equity` and :mod:`mtss_teach.behavior`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import altair as alt
import pandas as pd

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "ACTION_LABELS",
    "progress_chart",
    "screening_chart",
    "roc_chart",
    "confusion_matrix_chart",
    "tier_share_chart",
    "tfi_chart",
    "risk_ratio_chart",
    "odr_chart",
]

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Semantic roles -> Okabe-Ito colours, used by every chart.
PALETTE: dict[str, str] = {}

#: Plain-language label for each progress-monitoring action.
ACTION_LABELS: dict[str, str] = {}


def progress_chart(
    weeks: Any,
    scores: Any,
    aimline: Any,
    *,
    baseline_weeks: Any = None,
    baseline_scores: Any = None,
    trend: Any = "ols",
    decision: Any = "four_point",
    phase_changes: Sequence[float] | Mapping[float, str] | None = None,
    measure: str = "Oral reading fluency",
    units: str = "words correct per minute",
    title: str | None = None,
    width: int = 520,
    height: int = 300,
) -> alt.LayerChart:
    """Progress-monitoring graph: scores, baseline, aimline, trend, phases, decision."""
    raise NotImplementedError


def screening_chart(
    scores: Any,
    cut: float,
    *,
    at_risk: Any = None,
    risk_when: str = "below",
    bin_width: float | None = None,
    measure: str = "Screening score",
    units: str = "words correct per minute",
    title: str | None = None,
    width: int = 520,
    height: int = 160,
) -> alt.TopLevelMixin:
    """Distribution of screening scores (binned in pandas) with the cut line."""
    raise NotImplementedError


def roc_chart(
    curve: pd.DataFrame,
    *,
    chosen: Any = None,
    auc: float | None = None,
    title: str | None = None,
    max_points: int = 500,
    width: int = 320,
    height: int = 320,
) -> alt.LayerChart:
    """ROC curve from :func:`mtss_teach.screening.roc_curve`, marking the chosen cut."""
    raise NotImplementedError


def confusion_matrix_chart(
    accuracy: Any, *, title: str | None = None, width: int = 320, height: int = 220
) -> alt.LayerChart:
    """2x2 table from :func:`mtss_teach.screening.classification_accuracy`."""
    raise NotImplementedError


def tier_share_chart(
    shares: Any, *, title: str | None = None, width: int = 360, height: int = 240
) -> alt.LayerChart:
    """Tier shares (:func:`mtss_teach.screening.tier_shares`) against 80/15/5."""
    raise NotImplementedError


def tfi_chart(
    scores: pd.DataFrame, *, title: str | None = None, width: int = 360, height: int = 240
) -> alt.LayerChart:
    """TFI scale scores (:func:`mtss_teach.fidelity.tfi_scores`) against 70%."""
    raise NotImplementedError


def risk_ratio_chart(
    result: pd.DataFrame,
    threshold: float,
    *,
    outcome: str = "the outcome",
    title: str | None = None,
    width: int = 420,
    height: int | None = None,
) -> alt.LayerChart:
    """Risk ratios (:func:`mtss_teach.equity.disproportionality`) vs a threshold."""
    raise NotImplementedError


def odr_chart(
    events: pd.DataFrame,
    by: str = "month",
    *,
    students: Any = None,
    majors_only: bool = True,
    title: str | None = None,
    width: int = 480,
    height: int = 260,
) -> alt.LayerChart:
    """Office discipline referrals by month, location or per-student band."""
    raise NotImplementedError
