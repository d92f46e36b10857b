"""Static explorers for the book: Altair charts with Vega-Lite params bound to inputs
(skeleton: signatures are the contract).

They run in the built HTML with no kernel. Every number a reader sees is a
row of a table the library computed in Python; the slider only picks the row.
"""

from __future__ import annotations

from typing import Any, Mapping

import altair as alt
import pandas as pd

__all__ = [
    "screening_cut_table",
    "screening_cut_explorer",
    "aimline_decision_table",
    "aimline_explorer",
    "fidelity_explorer",
]


def screening_cut_table(
    scores: Any, at_risk: Any, *, risk_when: str = "below", step: float = 1.0,
    cut_range: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """One row per slider cut: counts and ratios from the library."""
    raise NotImplementedError


def screening_cut_explorer(
    scores: Any,
    at_risk: Any,
    *,
    risk_when: str = "below",
    cut: float | None = None,
    step: float = 1.0,
    cut_range: tuple[float, float] | None = None,
    measure: str = "Screening score",
    units: str = "words correct per minute",
    title: str | None = None,
) -> alt.TopLevelMixin:
    """Slider for the cut; live flagged count, sensitivity, specificity, PPV."""
    raise NotImplementedError


def aimline_decision_table(
    weeks: Any, scores: Any, baseline_weeks: Any, baseline_scores: Any, *,
    goal_week: float | None = None, goals: Any = None, rule: str = "four_point",
) -> pd.DataFrame:
    """One row per (goal, weeks of data): the library's aimline and decision."""
    raise NotImplementedError


def aimline_explorer(
    weeks: Any,
    scores: Any,
    baseline_weeks: Any,
    baseline_scores: Any,
    *,
    goal_week: float | None = None,
    goals: Any = None,
    goal: float | None = None,
    rule: str = "four_point",
    measure: str = "Oral reading fluency",
    units: str = "words correct per minute",
    title: str | None = None,
) -> alt.TopLevelMixin:
    """Goal and weeks sliders; the aimline and the four-point decision."""
    raise NotImplementedError


def fidelity_explorer(
    tier: int = 1,
    item_scores: Mapping[str, int] | None = None,
    *,
    title: str | None = None,
) -> alt.TopLevelMixin:
    """A control per TFI item of one tier; the scale score against 70%."""
    raise NotImplementedError
