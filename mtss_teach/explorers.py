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
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from typing import Any, Mapping

import altair as alt
import numpy as np
import pandas as pd

from . import fidelity, progress, screening
from ._validate import as_binary_array, as_float_array, check_choice, check_number, check_same_length
from .charts import ACTION_LABELS, OKABE_ITO, PALETTE
from .charts import fmt_number as _fmt, fmt_proportion as _p, nice_bin_width as _nice_width, tint as _tint
from .errors import DataError

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

#: Name of an explorer's text panel: the book's page copies its text into a status
#: region right above the controls, read out by screen readers (``_static/academy.js``).
LIVE = "live_text"

#: Most slider positions an explorer table may hold (keeps the page small).
MAX_CUTS = 1001

_RULE_LABELS = {
    "four_point": "four-point rule",
    "trend": "trend rule",
    "trend_ci": "trend rule with a confidence interval",
}


def _grid(lo: float, hi: float, step: float, name: str) -> np.ndarray:
    n = int(np.floor((hi - lo) / step + 1e-9)) + 1
    if n > MAX_CUTS:
        raise DataError(
            f"{name}: {n} slider positions from {lo:g} to {hi:g} in steps of {step:g}; at most "
            f"{MAX_CUTS} are allowed (use a larger step or a narrower range)"
        )
    # Rounded so that slider values (lo + k * step in the browser) match exactly.
    return np.round(lo + step * np.arange(n), 10)


# ---------------------------------------------------------------------------
# Screening cut explorer
# ---------------------------------------------------------------------------


def screening_cut_table(
    scores: Any,
    at_risk: Any,
    *,
    risk_when: str = "below",
    step: float = 1.0,
    cut_range: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """The library's classification accuracy at every slider position.

    Parameters
    ----------
    scores, at_risk : array-like
        As in :func:`mtss_teach.screening.classification_accuracy`.
    risk_when : {"below", "above"}
    step : float, default 1
        Slider step.
    cut_range : (lo, hi), optional
        Slider range. Default: from the lowest score (rounded down to the
        step) to one step above the highest, so the slider reaches both
        "nobody flagged" and "everybody flagged".

    Returns
    -------
    pandas.DataFrame
        One row per cut: ``cut, n, tp, fp, tn, fn, flagged, sensitivity,
        specificity, ppv, npv`` (each row is
        ``screening.classification_accuracy(scores, at_risk, cut, risk_when)``)
        and the text the page shows: ``flagged_text, sensitivity_text,
        specificity_text, ppv_text``.

    Examples
    --------
    >>> from mtss_teach.explorers import screening_cut_table
    >>> t = screening_cut_table([40, 55, 60, 80, 90], [1, 1, 0, 1, 0], cut_range=(50, 70), step=10)
    >>> t[["cut", "flagged", "tp", "fp", "sensitivity"]]
        cut  flagged  tp  fp  sensitivity
    0  50.0        1   1   0     0.333333
    1  60.0        2   2   0     0.666667
    2  70.0        3   2   1     0.666667
    >>> t.loc[2, "sensitivity_text"]
    'Sensitivity 0.67: 2 of 3 at-risk students flagged'
    """
    direction = check_choice(risk_when, "risk_when", ("below", "above"))
    st = check_number(step, "step", lo=0, lo_open=True)
    s, _ = as_float_array(scores, "scores")
    y, _ = as_binary_array(at_risk, "at_risk")
    check_same_length(scores=s, at_risk=y)
    if cut_range is None:
        lo = float(np.floor(s.min() / st) * st)
        hi = float(np.ceil(s.max() / st) * st + st)
    else:
        if len(cut_range) != 2:
            raise DataError("cut_range: expected (lo, hi)")
        lo = check_number(cut_range[0], "cut_range[0]")
        hi = check_number(cut_range[1], "cut_range[1]")
        if not hi > lo:
            raise DataError(f"cut_range: hi {hi:g} must be above lo {lo:g}")
    cuts = _grid(lo, hi, st, "cut_range")
    rows = [screening.classification_accuracy(s, y, float(c), direction) for c in cuts]
    t = pd.DataFrame(
        {
            "cut": cuts,
            "n": [r.n for r in rows],
            "tp": [r.tp for r in rows],
            "fp": [r.fp for r in rows],
            "tn": [r.tn for r in rows],
            "fn": [r.fn for r in rows],
            "sensitivity": [r.sensitivity for r in rows],
            "specificity": [r.specificity for r in rows],
            "ppv": [r.ppv for r in rows],
            "npv": [r.npv for r in rows],
        }
    )
    t.insert(6, "flagged", t["tp"] + t["fp"])
    word = "below" if direction == "below" else "above"
    t["flagged_text"] = [
        f"Cut {_fmt(c, 4)}: {f} of {n} students flagged (score {word} {_fmt(c, 4)})"
        for c, f, n in zip(t["cut"], t["flagged"], t["n"])
    ]
    t["sensitivity_text"] = [
        f"Sensitivity {_p(v)}: {tp} of {tp + fn} at-risk students flagged"
        for v, tp, fn in zip(t["sensitivity"], t["tp"], t["fn"])
    ]
    t["specificity_text"] = [
        f"Specificity {_p(v)}: {tn} of {tn + fp} not-at-risk students not flagged"
        for v, tn, fp in zip(t["specificity"], t["tn"], t["fp"])
    ]
    t["ppv_text"] = [
        f"PPV {_p(v)}: {tp} of {tp + fp} flagged students are at risk"
        for v, tp, fp in zip(t["ppv"], t["tp"], t["fp"])
    ]
    return t


def _near(field: str, param: str, step: float) -> str:
    return f"abs(datum.{field} - {param}) < {float(step) / 2!r}"


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
    width: int = 300,
) -> alt.VConcatChart:
    """Slider for the cut; live flagged count, sensitivity, specificity and PPV.

    The page shows four lines of text (flagged count, sensitivity,
    specificity, PPV), the score distribution of the at-risk and the
    not-at-risk students with the cut line, and the ROC curve with the
    current cut marked. Everything shown comes from
    :func:`screening_cut_table` (the library, at each slider position) and
    :func:`mtss_teach.screening.roc_curve`.

    Parameters
    ----------
    scores, at_risk, risk_when, step, cut_range
        As in :func:`screening_cut_table`.
    cut : float, optional
        Starting position (default: the middle of the range, on the grid).
    measure, units, title : str
    width : int
        Width of the histogram panels.

    Returns
    -------
    altair.VConcatChart
        With one parameter, ``cut``, bound to a range input (the input's
        ``name`` is "cut").

    Examples
    --------
    >>> from mtss_teach.explorers import screening_cut_explorer
    >>> chart = screening_cut_explorer([40, 55, 60, 80, 90], [1, 1, 0, 1, 0], cut=70, step=5)
    >>> spec = chart.to_dict()
    >>> [(p["name"], p["value"], p["bind"]["input"]) for p in spec["params"]]
    [('cut', 70.0, 'range')]
    """
    direction = check_choice(risk_when, "risk_when", ("below", "above"))
    table = screening_cut_table(scores, at_risk, risk_when=direction, step=step, cut_range=cut_range)
    st = float(step)
    cuts = table["cut"].to_numpy()
    if cut is None:
        start = float(cuts[len(cuts) // 2])
    else:
        c = check_number(cut, "cut")
        k = int(np.argmin(np.abs(cuts - c)))
        if abs(cuts[k] - c) > st / 2:
            raise DataError(f"cut: {c:g} is outside the slider range {cuts[0]:g} to {cuts[-1]:g}")
        start = float(cuts[k])
    s, _ = as_float_array(scores, "scores")
    y, _ = as_binary_array(at_risk, "at_risk")

    param = alt.param(
        name="cut",
        value=start,
        bind=alt.binding_range(min=float(cuts[0]), max=float(cuts[-1]), step=st, name=f"Cut score ({units}) "),
    )

    # Metrics text: the row of the library's table at the slider position.
    metrics = table[["cut", "flagged_text", "sensitivity_text", "specificity_text", "ppv_text"]]
    lines = ["flagged_text", "sensitivity_text", "specificity_text", "ppv_text"]
    text_layers = []
    for i, col in enumerate(lines):
        text_layers.append(
            alt.Chart(metrics)
            .transform_filter(_near("cut", "cut", st))
            .mark_text(align="left", baseline="top", fontSize=14 if i == 0 else 13,
                       fontWeight="bold" if i == 0 else "normal", x=0, y=4 + 22 * i)
            .encode(text=f"{col}:N")
        )
    text_panel = alt.layer(*text_layers).properties(name=LIVE, width=width + 280, height=4 + 22 * len(lines),
                                                    title=alt.TitleParams("At this cut", anchor="start",
                                                                          fontSize=12))

    # Histogram: counts per slider step (pandas), summed in the page into wider bins
    # split at the cut, so the flagged part of each bin is filled and the rest outlined.
    edges_lo = np.floor((s - cuts[0]) / st) if direction == "below" else np.ceil((s - cuts[0]) / st) - 1
    outcome = np.where(y, "At risk on the outcome", "Not at risk on the outcome")
    hist = (
        pd.DataFrame({"k": edges_lo.astype(np.int64), "outcome": outcome})
        .groupby(["k", "outcome"]).size().rename("count").reset_index()
    )
    hist["bin_start"] = np.round(cuts[0] + hist["k"] * st, 10)
    hist["bin_end"] = np.round(hist["bin_start"] + st, 10)
    span = float(max(cuts[-1], hist["bin_end"].max()) - min(cuts[0], hist["bin_start"].min()))
    wide = max(1, int(np.ceil(_nice_width(span, 40) / st))) * st
    hist["coarse"] = np.round(cuts[0] + np.floor((hist["bin_start"] - cuts[0]) / wide + 1e-9) * wide, 10)
    # Each panel has its own count scale: a small at-risk group must not be flattened by a large
    # not-at-risk one (the panels are counts of different groups, not compared bar for bar).
    y_max = (hist.groupby(["outcome", "coarse"])["count"].sum().groupby(level=0).max() * 1.1).to_dict()
    hist = hist.drop(columns=["k", "coarse"])
    flag_test = "datum.bin_end <= cut" if direction == "below" else "datum.bin_start >= cut"
    origin, wide = float(cuts[0]), float(wide)
    x_dom = [float(min(cuts[0], hist["bin_start"].min())), float(max(cuts[-1], hist["bin_end"].max()))]
    status_dom = ["Flagged by the screener", "Not flagged"]

    def panel(label: str) -> alt.LayerChart:
        df = hist[hist["outcome"] == label]
        bars = (
            alt.Chart(df)
            .transform_calculate(
                status=f"{flag_test} ? 'Flagged by the screener' : 'Not flagged'",
                lo=f"{origin!r} + floor((datum.bin_start - {origin!r}) / {wide!r} + 1e-9) * {wide!r}",
            )
            .transform_aggregate(count="sum(count)", groupby=["lo", "status"])
            .transform_calculate(hi=f"datum.lo + {wide!r}")
            .mark_bar(strokeWidth=1.5)
            .encode(
                x=alt.X("lo:Q", bin="binned", title=f"{measure} ({units})",
                        scale=alt.Scale(domain=x_dom, nice=False)),
                x2=alt.X2("hi:Q"),
                y=alt.Y("count:Q", title="Students (count)", stack="zero",
                        scale=alt.Scale(domain=[0, float(y_max.get(label, 1.0))])),
                fill=alt.Fill("status:N", scale=alt.Scale(domain=status_dom, range=[PALETTE["flagged"], PALETTE["background"]]),
                              legend=alt.Legend(title="Screening decision", orient="bottom")),
                stroke=alt.Stroke("status:N", scale=alt.Scale(domain=status_dom,
                                                              range=[PALETTE["flagged"], PALETTE["not_flagged"]]),
                                  legend=alt.Legend(title="Screening decision", orient="bottom")),
                order=alt.Order("status:N", sort="ascending"),
                tooltip=[alt.Tooltip("lo:Q", title="From"), alt.Tooltip("hi:Q", title="To"),
                         alt.Tooltip("status:N", title="Decision"), alt.Tooltip("count:Q", title="Students")],
            )
        )
        rule_df = pd.DataFrame({"one": [1]})
        rule = (alt.Chart(rule_df).transform_calculate(x="cut")
                .mark_rule(color=PALETTE["reference"], strokeWidth=2, strokeDash=[6, 3])
                .encode(x=alt.X("x:Q")))
        return alt.layer(bars, rule).properties(
            width=width, height=120,
            title=alt.TitleParams(f"{label} ({int((outcome == label).sum())} students)", anchor="start",
                                  fontSize=12),
        )

    hists = alt.vconcat(panel("At risk on the outcome"), panel("Not at risk on the outcome"))

    # ROC: the library's curve, and the library's row at the slider position.
    curve = screening.roc_curve(s, y, direction)
    roc_df = pd.DataFrame({"fpr": 1.0 - curve["specificity"], "tpr": curve["sensitivity"]}).dropna()
    roc_df = roc_df.sort_values(["fpr", "tpr"], kind="stable").reset_index(drop=True)
    if len(roc_df) > 500:
        roc_df = roc_df.iloc[np.unique(np.round(np.linspace(0, len(roc_df) - 1, 500)).astype(int))]
    roc_df = roc_df.assign(order=np.arange(len(roc_df)))
    ax = dict(scale=alt.Scale(domain=[0, 1]))
    roc_line = alt.Chart(roc_df).mark_line(color=PALETTE["score"], strokeWidth=2).encode(
        x=alt.X("fpr:Q", title="False-positive rate (1 - specificity, proportion)", **ax),
        y=alt.Y("tpr:Q", title="Sensitivity (proportion)", **ax),
        order=alt.Order("order:Q"),
    )
    diag = alt.Chart(pd.DataFrame({"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]})).mark_line(
        color=PALETTE["reference"], strokeDash=[4, 4], strokeWidth=1).encode(x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"))
    pts = table[["cut", "sensitivity", "specificity"]].dropna()
    here = (alt.Chart(pts).transform_filter(_near("cut", "cut", st))
            .transform_calculate(fpr="1 - datum.specificity")
            .mark_point(shape="diamond", size=220, filled=True, color=PALETTE["used"], stroke=OKABE_ITO["black"])
            .encode(x=alt.X("fpr:Q"), y=alt.Y("sensitivity:Q")))
    here_txt = (alt.Chart(pts).transform_filter(_near("cut", "cut", st))
                .transform_calculate(fpr="1 - datum.specificity", label="'Cut ' + datum.cut")
                .mark_text(align="left", dx=10, dy=12, fontWeight="bold")
                .encode(x=alt.X("fpr:Q"), y=alt.Y("sensitivity:Q"), text=alt.Text("label:N")))
    roc = alt.layer(diag, roc_line, here, here_txt).properties(
        width=220, height=220, title=alt.TitleParams("ROC curve: the diamond is this cut", anchor="start",
                                                     fontSize=12))

    n_risk = int(y.sum())
    head = title or f"Screening cut explorer: {measure}"
    desc = (f"Interactive screening cut explorer for {len(s)} students ({n_risk} at risk on the outcome). "
            f"Move the cut-score slider ({_fmt(cuts[0], 4)} to {_fmt(cuts[-1], 4)}); the text shows how many "
            "students are flagged and the sensitivity, specificity and positive predictive value at that cut, "
            "the histograms show who is flagged, and the ROC curve marks the cut.")
    chart = alt.vconcat(text_panel, alt.hconcat(hists, roc), spacing=12).add_params(param).properties(
        title=alt.TitleParams(head, subtitle=[f"Flag students whose score is {direction} the cut. Move the "
                                              "slider under the chart."], anchor="start"),
        description=desc,
    )
    return chart


# ---------------------------------------------------------------------------
# Aimline explorer
# ---------------------------------------------------------------------------


def _goal_grid(line0: progress.Aimline, goals: Any, goal_week: float) -> np.ndarray:
    if goals is not None:
        g, _ = as_float_array(goals, "goals")
        g = np.unique(g)
        if g.size > MAX_CUTS:
            raise DataError(f"goals: {g.size} goals; at most {MAX_CUTS} are allowed")
        return g
    # Default: from the start score (no growth) to 3 points a week of growth, in whole points.
    span = goal_week - line0.start_week
    lo = float(np.floor(line0.start_score))
    hi = float(np.ceil(line0.start_score + 3.0 * span))
    return _grid(lo, hi, 1.0, "goals")


def aimline_decision_table(
    weeks: Any,
    scores: Any,
    baseline_weeks: Any,
    baseline_scores: Any,
    *,
    goal_week: float | None = None,
    goals: Any = None,
    rule: str = "four_point",
) -> pd.DataFrame:
    """The library's aimline and decision for every (goal, weeks of data).

    Parameters
    ----------
    weeks, scores : array-like
        The student's monitoring points after baseline.
    baseline_weeks, baseline_scores : array-like
        The baseline probes (the aimline starts at their medians).
    goal_week : float, optional
        Week of the goal. Default: the last monitoring week.
    goals : array-like, optional
        Goal scores the slider offers. Default: whole numbers from the
        baseline median (no growth) to the median plus 3 points a week.
    rule : {"four_point", "trend", "trend_ci"}, default "four_point"

    Returns
    -------
    pandas.DataFrame
        One row per (goal, weeks_of_data): ``goal, weeks_of_data, last_week,
        start_week, start_score, goal_week, slope, action, action_label,
        reason, points_used`` -- ``progress.aimline(baseline_weeks,
        baseline_scores, goal, goal_week)`` and ``progress.decide`` on the
        first ``weeks_of_data`` monitoring points (in week order).

    Examples
    --------
    >>> from mtss_teach.explorers import aimline_decision_table
    >>> t = aimline_decision_table(range(4, 12), [32, 33, 34, 33, 35, 34, 36, 35],
    ...                            [1, 2, 3], [30, 32, 31], goal_week=14, goals=[40, 55])
    >>> t.loc[(t["goal"] == 55) & (t["weeks_of_data"] == 8), ["slope", "action"]].values.tolist()
    [[2.0, 'change_intervention']]
    >>> t.loc[(t["goal"] == 55) & (t["weeks_of_data"] == 5), "action"].item()
    'collect_more_data'
    """
    r = check_choice(rule, "rule", progress.RULES)
    w, _ = as_float_array(weeks, "weeks", what="week")
    s, _ = as_float_array(scores, "scores")
    check_same_length(weeks=w, scores=s)
    order = np.argsort(w, kind="stable")
    w, s = w[order], s[order]
    bw, _ = as_float_array(baseline_weeks, "baseline_weeks", what="week")
    bs, _ = as_float_array(baseline_scores, "baseline_scores")
    check_same_length(baseline_weeks=bw, baseline_scores=bs)
    gw = float(w.max()) if goal_week is None else check_number(goal_week, "goal_week")
    line0 = progress.aimline(bw, bs, goal=float(np.median(bs)), goal_week=gw)
    grid = _goal_grid(line0, goals, gw)
    if grid.size * w.size > 20000:
        raise DataError(
            f"goals: {grid.size} goals x {w.size} weeks is {grid.size * w.size} decisions; "
            "keep the page small (at most 20,000)"
        )
    rows = []
    for g in grid:
        line = progress.aimline(bw, bs, goal=float(g), goal_week=gw)
        for k in range(1, w.size + 1):
            d = progress.decide(w[:k], s[:k], line, rule=r)
            rows.append((float(g), k, float(w[k - 1]), line.start_week, line.start_score, line.goal_week,
                         line.slope, d.action, ACTION_LABELS[d.action], d.reason, d.points_used))
    return pd.DataFrame(rows, columns=["goal", "weeks_of_data", "last_week", "start_week", "start_score",
                                       "goal_week", "slope", "action", "action_label", "reason",
                                       "points_used"])


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
    width: int = 520,
    height: int = 300,
) -> alt.VConcatChart:
    """Goal and weeks sliders; the aimline and the decision rule's answer.

    Two sliders: the **goal** (score at ``goal_week``) moves the aimline;
    **weeks of data** reveals the monitoring points one week at a time. The
    text under the title is the library's decision for that goal after that
    many weeks (from :func:`aimline_decision_table`); for the four-point
    rule the 4 points it looked at are drawn as diamonds.

    Parameters
    ----------
    weeks, scores, baseline_weeks, baseline_scores, goal_week, goals, rule
        As in :func:`aimline_decision_table`.
    goal : float, optional
        Starting goal (default: the middle of the goal grid).
    measure, units, title : str
    width, height : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``goal`` and ``weeks`` bound to range inputs (input
        ``name`` "goal" and "weeks").

    Examples
    --------
    >>> from mtss_teach.explorers import aimline_explorer
    >>> chart = aimline_explorer(range(4, 12), [32, 33, 34, 33, 35, 34, 36, 35],
    ...                          [1, 2, 3], [30, 32, 31], goal_week=14, goal=55)
    >>> [(p["name"], p["value"]) for p in chart.to_dict()["params"]]
    [('goal', 55.0), ('weeks', 8)]
    """
    table = aimline_decision_table(weeks, scores, baseline_weeks, baseline_scores, goal_week=goal_week,
                                   goals=goals, rule=rule)
    w, _ = as_float_array(weeks, "weeks", what="week")
    s, _ = as_float_array(scores, "scores")
    order = np.argsort(w, kind="stable")
    w, s = w[order], s[order]
    bw, _ = as_float_array(baseline_weeks, "baseline_weeks", what="week")
    bs, _ = as_float_array(baseline_scores, "baseline_scores")
    grid = np.unique(table["goal"].to_numpy())
    gstep = float(np.min(np.diff(grid))) if grid.size > 1 else 1.0
    if goal is None:
        g0 = float(grid[grid.size // 2])
    else:
        gv = check_number(goal, "goal")
        k = int(np.argmin(np.abs(grid - gv)))
        if abs(grid[k] - gv) > 1e-9:
            raise DataError(f"goal: {gv:g} is not one of the slider's goals ({grid[0]:g} to {grid[-1]:g})")
        g0 = float(grid[k])
    n = int(w.size)
    goal_param = alt.param(name="goal", value=g0, bind=alt.binding_range(
        min=float(grid[0]), max=float(grid[-1]), step=gstep, name=f"Goal ({units}) "))
    weeks_param = alt.param(name="weeks", value=n, bind=alt.binding_range(
        min=1, max=n, step=1, name="Scores collected since baseline "))

    # Decision text for (goal, weeks): the table's rows, with the (often repeated)
    # sentences stored once and looked up, to keep the page small.
    heads = [f"{_RULE_LABELS[rule].capitalize()}, after {k} score(s) (through week {_fmt(lw)}): {a}."
             for k, lw, a in zip(table["weeks_of_data"], table["last_week"], table["action_label"])]
    reasons = ["\n".join(textwrap.wrap(x, 85)) for x in table["reason"]]
    pairs = pd.Series(list(zip(heads, reasons)))
    codes, uniques = pd.factorize(pairs)
    texts = pd.DataFrame({"rid": np.arange(len(uniques)), "headline": [u[0] for u in uniques],
                          "reason_text": [u[1] for u in uniques]})
    dec = pd.DataFrame({"goal": table["goal"], "weeks_of_data": table["weeks_of_data"], "rid": codes})
    sel = f"{_near('goal', 'goal', gstep)} && datum.weeks_of_data == weeks"
    base = alt.Chart(dec).transform_filter(sel).transform_lookup(
        lookup="rid", from_=alt.LookupData(texts, "rid", ["headline", "reason_text"]))
    head_txt = base.mark_text(
        align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=4).encode(text=alt.Text("headline:N"))
    reason_txt = base.mark_text(
        align="left", baseline="top", fontSize=12, x=0, y=26, lineBreak="\n").encode(text=alt.Text("reason_text:N"))
    text_panel = alt.layer(head_txt, reason_txt).properties(
        name=LIVE, width=width, height=70, title=alt.TitleParams("The rule's answer", anchor="start", fontSize=12))

    # Points: role per (weeks of data, point) comes from the library's decisions
    # (points_used), which do not depend on the goal.
    prow = []
    first_goal = table[table["goal"] == grid[0]].set_index("weeks_of_data")
    for k in range(1, n + 1):
        used = int(first_goal.loc[k, "points_used"]) if (
            rule == "four_point" and first_goal.loc[k, "action"] != "collect_more_data") else 0
        for j in range(bw.size):
            prow.append((k, float(bw[j]), float(bs[j]), "Baseline score"))
        for j in range(k):  # points after the k-th are not collected yet: not drawn
            if used and j >= k - used:
                role = "Used by the four-point rule"
            else:
                role = "Monitoring score"
            prow.append((k, float(w[j]), float(s[j]), role))
    points = pd.DataFrame(prow, columns=["weeks_of_data", "week", "score", "role"])
    roles = ["Baseline score", "Monitoring score", "Used by the four-point rule"]
    colors = [PALETTE["baseline"], PALETTE["score"], PALETTE["used"]]
    all_w = np.concatenate([bw, w, [float(table["goal_week"].iloc[0])]])
    x_scale = alt.Scale(domain=[float(np.floor(all_w.min())) - 0.5, float(np.ceil(all_w.max())) + 0.5], nice=False)
    y_hi = float(max(s.max(), bs.max(), grid.max())) * 1.05
    y_scale = alt.Scale(domain=[0, y_hi])
    y_title = f"{measure} ({units})"
    pts = alt.Chart(points).transform_filter("datum.weeks_of_data == weeks").mark_point(
        filled=True, size=70, opacity=1).encode(
        x=alt.X("week:Q", title="Week (school week number)", scale=x_scale),
        y=alt.Y("score:Q", title=y_title, scale=y_scale),
        color=alt.Color("role:N", scale=alt.Scale(domain=roles, range=colors),
                        legend=alt.Legend(title="Points", orient="bottom", columns=2)),
        shape=alt.Shape("role:N", scale=alt.Scale(domain=roles, range=["square", "circle", "diamond"]),
                        legend=alt.Legend(title="Points", orient="bottom", columns=2)),
        tooltip=[alt.Tooltip("week:Q", title="Week"), alt.Tooltip("score:Q", title=units),
                 alt.Tooltip("role:N", title="Point")],
    )
    lines = table.drop_duplicates("goal")[["goal", "start_week", "start_score", "goal_week", "slope"]]
    lines = lines.assign(label=[f"Goal {_fmt(g, 1)} by week {_fmt(gw)} ({_fmt(sl)} a week)"
                                for g, gw, sl in zip(lines["goal"], lines["goal_week"], lines["slope"])])
    aim = alt.Chart(lines).transform_filter(_near("goal", "goal", gstep)).mark_rule(
        color=PALETTE["aimline"], strokeWidth=2.5, strokeDash=[8, 4]).encode(
        x=alt.X("start_week:Q"), y=alt.Y("start_score:Q"), x2=alt.X2("goal_week:Q"), y2=alt.Y2("goal:Q"))
    aim_end = alt.Chart(lines).transform_filter(_near("goal", "goal", gstep)).mark_point(
        shape="cross", size=140, filled=True, color=PALETTE["aimline"]).encode(x=alt.X("goal_week:Q"), y=alt.Y("goal:Q"))
    aim_txt = alt.Chart(lines).transform_filter(_near("goal", "goal", gstep)).mark_text(
        align="right", dx=-8, dy=-12, fontSize=11).encode(x=alt.X("goal_week:Q"), y=alt.Y("goal:Q"), text=alt.Text("label:N"))
    graph = alt.layer(aim, aim_end, aim_txt, pts).properties(
        width=width, height=height,
        title=alt.TitleParams("Dashed orange line: the goal line (aimline)", anchor="start", fontSize=12))

    head = title or f"Aimline explorer: {measure}"
    desc = (f"Interactive aimline explorer: {bw.size} baseline and {n} monitoring scores ({units}). Move the "
            f"goal slider ({_fmt(grid[0])} to {_fmt(grid[-1])}) to redraw the goal line, and the weeks slider "
            f"(1 to {n}) to reveal the data week by week; the text shows the {_RULE_LABELS[rule]}'s decision "
            "and its reason.")
    return alt.vconcat(text_panel, graph, spacing=10).add_params(goal_param, weeks_param).properties(
        title=alt.TitleParams(head, subtitle=["Move the two sliders under the chart."], anchor="start"),
        description=desc,
    )


# ---------------------------------------------------------------------------
# Fidelity explorer
# ---------------------------------------------------------------------------


def tfi_param_name(item: str) -> str:
    """Name of the page parameter (and of its radio inputs) for a TFI item.

    Examples
    --------
    >>> from mtss_teach.explorers import tfi_param_name
    >>> tfi_param_name("1.10")
    'item_1_10'
    """
    if not isinstance(item, str) or not re.fullmatch(r"\d+\.\d+", item.strip()):
        raise DataError(f"item: {item!r} is not a TFI item id such as '1.10'")
    return "item_" + item.strip().replace(".", "_")


def fidelity_explorer(
    tier: int = 1,
    item_scores: Mapping[str, int] | None = None,
    *,
    criterion: float = fidelity.TFI_CRITERION,
    title: str | None = None,
    width: int = 520,
) -> alt.VConcatChart:
    """One 0/1/2 control per TFI item of a tier; the scale score against 70%.

    Each item of the tier gets a radio group (0 = not in place, 1 = partly,
    2 = fully in place). The page computes the tier's scale score by the
    manual's formula, ``points / (2 x items) x 100``, and says whether it
    meets the criterion with the library's test ``points x 100 >= 70 x
    possible`` (:func:`mtss_teach.fidelity.tfi_scores`); the tests compare the
    page with ``tfi_scores`` in a browser.

    Parameters
    ----------
    tier : {1, 2, 3}
    item_scores : dict, optional
        Starting scores, item id -> 0/1/2 (e.g. a school's sheet from a
        cohort's ``tfi`` table). Items of other tiers are ignored; items not
        given start at 0. Validated by :func:`mtss_teach.fidelity.tfi_scores`.
    criterion : float, default 70
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        One parameter per item, named by :func:`tfi_param_name`.

    Examples
    --------
    >>> from mtss_teach.explorers import fidelity_explorer
    >>> spec = fidelity_explorer(1, {"1.1": 2, "1.2": 1}).to_dict()
    >>> [(p["name"], p["value"]) for p in spec["params"]][:3]
    [('item_1_1', 2), ('item_1_2', 1), ('item_1_3', 0)]
    """
    t = check_choice(tier, "tier", [1, 2, 3])
    crit = check_number(criterion, "criterion", lo=0, hi=100, lo_open=True)
    items = fidelity.tfi_items()
    items = items[items["tier"] == t].reset_index(drop=True)
    start = {it: 0 for it in items["item"]}
    if item_scores is not None:
        if not isinstance(item_scores, Mapping):
            raise DataError("item_scores: expected a dict mapping item ids such as '1.1' to 0, 1 or 2")
        full = {k: v for k, v in item_scores.items()}
        fidelity.tfi_scores(full, allow_missing=True)  # the library validates ids and 0/1/2 values
        for k, v in full.items():
            if isinstance(k, str) and k.strip() in start and v is not None and not (
                    isinstance(v, float) and np.isnan(v)):
                start[k.strip()] = int(v)
    names = [tfi_param_name(it) for it in items["item"]]
    flag = np.where(items["tag"].astype(str) == "CHECK", " *", "")
    labels = [f"{it} {nm}{f} " for it, nm, f in zip(items["item"], items["name"], flag)]
    params = [
        alt.param(name=pn, value=int(start[it]),
                  bind=alt.binding_radio(options=[0, 1, 2], name=lab))
        for pn, it, lab in zip(names, items["item"], labels)
    ]
    score_expr = "[" + ", ".join(names) + "][datum.idx]"
    df = pd.DataFrame({
        "idx": np.arange(len(items)),
        "item": items["item"].astype(str).to_numpy(),
        "label": [f"{it} {nm}{f}" for it, nm, f in zip(items["item"], items["name"], flag)],
    })
    n_items = len(items)
    y = alt.Y("label:N", title="TFI item", sort=list(df["label"]), axis=alt.Axis(labelLimit=300, orient="right"))
    item_bars = alt.Chart(df).transform_calculate(score=score_expr).mark_bar(
        color=PALETTE["score"], size=12).encode(
        y=y, x=alt.X("score:Q", title="Item score (0 = not in place, 1 = partly, 2 = fully)",
                     scale=alt.Scale(domain=[0, 2]), axis=alt.Axis(values=[0, 1, 2], format="d")),
    )
    item_text = alt.Chart(df).transform_calculate(score=score_expr).mark_text(
        align="left", dx=4, fontSize=11, fontWeight="bold").encode(
        y=y, x=alt.XDatum(0), text=alt.Text("score:Q", format="d"),
        color=alt.ColorValue(value=OKABE_ITO["black"], condition=alt.ConditionalPredicateValueDefGradientstringnullExprRef(
            test="datum.score > 0", value=PALETTE["background"])))
    items_chart = alt.layer(item_bars, item_text).properties(
        width=width - 300, height=18 * n_items,
        title=alt.TitleParams(f"Tier {t} items (set them with the buttons under the chart)", anchor="start",
                              fontSize=12))

    # Scale score: the manual's formula; the library's >= test on whole numbers.
    agg = (
        alt.Chart(df)
        .transform_calculate(score=score_expr)
        .transform_aggregate(points="sum(score)", items="count()")
        .transform_calculate(
            possible="2 * datum.items",
            percent="100 * datum.points / datum.possible",
            meets=f"datum.points * 100 >= {crit!r} * datum.possible",
        )
        .transform_calculate(
            verdict=f"datum.meets ? 'meets the {_fmt(crit)}% criterion' : 'below the {_fmt(crit)}% criterion'",
            status=f"datum.meets ? 'Meets {_fmt(crit)}%' : 'Below {_fmt(crit)}%'",
            summary=(f"'Tier {t} scale score: ' + datum.points + ' of ' + datum.possible + ' points = ' "
                     "+ format(datum.percent, '.1f') + '%, ' + datum.verdict"),
        )
    )
    summary = agg.mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold", x=0, y=4).encode(
        text=alt.Text("summary:N"))
    domain = [f"Meets {_fmt(crit)}%", f"Below {_fmt(crit)}%"]
    bar = agg.mark_bar(size=26).encode(
        x=alt.X("percent:Q", title="Scale score (% of possible points)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=[PALETTE["meets"], PALETTE["below"]]),
                        legend=alt.Legend(title="Criterion", orient="right")),
    )
    crit_df = pd.DataFrame({"x": [crit], "t": [f"{_fmt(crit)}% criterion"]})
    rule = alt.Chart(crit_df).mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    rule_txt = alt.Chart(crit_df).mark_text(align="left", dx=4, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("x:Q"), text=alt.Text("t:N"))
    summary_panel = summary.properties(name=LIVE, width=width, height=24)
    bar_panel = alt.layer(bar, rule, rule_txt).properties(width=width - 120, height=40)

    has_check = bool((flag != "").any())
    sub = [f"Tier {t} has {n_items} items scored 0, 1 or 2; scale score = points / (2 x {n_items}) x 100."]
    if has_check:
        sub.append("* item name or subscale unverified in the shipped item list (see fidelity.tfi_items).")
    desc = (f"Interactive Tiered Fidelity Inventory explorer for Tier {t}: {n_items} radio-button groups set "
            f"each item to 0, 1 or 2; the text and bar show the tier's scale score against the {_fmt(crit)}% "
            "criterion.")
    return alt.vconcat(summary_panel, bar_panel, items_chart, spacing=12).add_params(*params).properties(
        title=alt.TitleParams(title or f"Fidelity explorer: TFI Tier {t}", subtitle=sub, anchor="start"),
        description=desc,
    )


# ---------------------------------------------------------------------------
# Shared pieces of the newer explorers
# ---------------------------------------------------------------------------


def _even_grid(values: Any, name: str, *, lo: float | None = None, integer: bool = False,
               what: str = "value") -> tuple[np.ndarray, float]:
    """Sorted unique ``values``, which must be evenly spaced (a slider's positions), and the step."""
    v, _ = as_float_array(values, name, lo=lo, integer=integer, what=what)
    v = np.unique(v)
    if v.size > MAX_CUTS:
        raise DataError(f"{name}: {v.size} slider positions; at most {MAX_CUTS} are allowed")
    if v.size == 1:
        return v, 1.0
    d = np.diff(v)
    if not np.allclose(d, d[0], rtol=1e-9, atol=0):
        i = int(np.flatnonzero(~np.isclose(d, d[0], rtol=1e-9, atol=0))[0]) + 1
        raise DataError(
            f"{name}: slider positions must be evenly spaced; the step from {v[i - 1]:g} to {v[i]:g} "
            f"differs from the first step ({d[0]:g})"
        )
    return np.round(v, 10), float(d[0])


def _start(value: Any, grid: np.ndarray, name: str, default: float) -> float:
    """A starting slider position: ``value`` if it is on ``grid``, else a clear error."""
    if value is None:
        return float(default)
    v = check_number(value, name)
    k = int(np.argmin(np.abs(grid - v)))
    if abs(grid[k] - v) > 1e-9 * max(1.0, abs(v)):
        raise DataError(f"{name}: {v:g} is not one of the slider's positions ({grid[0]:g} to {grid[-1]:g})")
    return float(grid[k])


def _pct(x: float) -> str:
    """Whole percent for a label: 0.6425 -> '64%'; NaN -> 'n/a'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{100 * x:.0f}%"


def _lines(data: pd.DataFrame, test: str, columns: list[str], *, width: int, title: str | None = None,
           bold: tuple[int, ...] = (0,), line_height: int = 21, top: int = 4) -> alt.LayerChart:
    """A text panel: the one row of ``data`` passing ``test``, one column per line."""
    layers = []
    for i, col in enumerate(columns):
        layers.append(
            alt.Chart(data).transform_filter(test).mark_text(
                align="left", baseline="top", fontSize=13, fontWeight="bold" if i in bold else "normal",
                x=0, y=top + line_height * i, limit=0)
            .encode(text=alt.Text(f"{col}:N"))
        )
    props: dict[str, Any] = dict(name=LIVE, width=width, height=top + line_height * len(columns))
    if title:
        props["title"] = alt.TitleParams(title, anchor="start", fontSize=12)
    return alt.layer(*layers).properties(**props)


# ---------------------------------------------------------------------------
# Decision-accuracy explorer (course 5)
# ---------------------------------------------------------------------------

#: Plain words for the simulator's truth groups, and the right call for a rising goal line.
_TRUTH_WORDS = {
    "above_aim": ("Ahead of the goal line", "raise_goal"),
    "near_aim": ("On track", "continue"),
    "below_aim": ("Behind the goal line", "change_intervention"),
}
_MAX_SIMULATIONS = 2000
_SIM_FIELDS = ("truth", "students", *progress.ACTIONS, "correct")


@lru_cache(maxsize=8192)
def _simulated(ts: float, a: float, sem: float, w: int, r: str, n: int, seed: int) -> tuple:
    """The first row of one simulator call (cached: the same settings give the same answer)."""
    first = progress.simulate_decisions(ts, a, sem, w, r, n=n, seed=seed).iloc[0]
    return tuple(first[k] for k in _SIM_FIELDS)


def decision_accuracy_table(
    *,
    sems: Any = (5, 10, 15, 20),
    weeks: Any = range(6, 21),
    rules: Any = progress.RULES,
    aim_slope: float = 1.0,
    true_slopes: Any = None,
    n: int = 2000,
    seed: int = 2024,
) -> pd.DataFrame:
    """The library's decision-rule simulator for every slider position.

    One call of :func:`mtss_teach.progress.simulate_decisions` per
    (measurement error, weeks of data, rule, true slope): ``n`` simulated
    students whose true growth is that slope, judged against a goal line
    rising ``aim_slope`` points a week, all with the same ``seed``.

    Parameters
    ----------
    sems : array-like, default (5, 10, 15, 20)
        Measurement errors (SD of one probe, WCPM), evenly spaced. The median
        SEM of a reading probe is about 10 WCPM, range 5-15 (Christ &
        Silberglitt 2007).
    weeks : array-like of int, default 6 to 20
        Weekly monitoring points after baseline, evenly spaced.
    rules : sequence of {"four_point", "trend", "trend_ci"}
    aim_slope : float, default 1.0
        Goal-line slope, points a week (above 0: a rising goal).
    true_slopes : array-like, optional
        The simulated students' true growth, one group each. Default:
        ``aim_slope + 1``, ``aim_slope``, ``aim_slope - 1`` (ahead of, on,
        and behind the goal line).
    n : int, default 2000
        Students per true slope.
    seed : int, default 2024

    Returns
    -------
    pandas.DataFrame
        One row per (sem, weeks, rule, true_slope): the library's first row
        for that call (``truth, students, raise_goal, continue,
        change_intervention, collect_more_data, correct``), the settings, and
        the text the page shows: ``right_action``, ``setting_text``,
        ``headline``, ``detail``.

    Examples
    --------
    >>> from mtss_teach.explorers import decision_accuracy_table
    >>> t = decision_accuracy_table(sems=[10], weeks=[6], rules=["four_point"], n=500, seed=1)
    >>> t[["true_slope", "truth", "right_action"]].values.tolist()
    [[2.0, 'above_aim', 'raise_goal'], [1.0, 'near_aim', 'continue'], [0.0, 'below_aim', 'change_intervention']]
    >>> t.loc[1, "detail"].startswith("Other calls: raise the goal")
    True
    """
    sem_grid, _ = _even_grid(sems, "sems", lo=0, what="measurement error")
    wk_grid, _ = _even_grid(weeks, "weeks", lo=1, integer=True, what="number of weeks")
    if isinstance(rules, str):
        rules = [rules]
    rule_list: list[str] = []
    for i, r in enumerate(list(rules)):
        c = check_choice(r, f"rules[{i}]", progress.RULES)
        if c not in rule_list:
            rule_list.append(c)
    if not rule_list:
        raise DataError("rules: give at least one rule (empty input)")
    a = check_number(aim_slope, "aim_slope", lo=0, lo_open=True)
    if true_slopes is None:
        slopes = np.array([a + 1.0, a, a - 1.0])
    else:
        slopes, _ = as_float_array(true_slopes, "true_slopes", what="slope")
        dup = pd.Series(slopes).duplicated().to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise DataError(f"true_slopes: value at position {i} ({slopes[i]:g}) appears twice (duplicate)")
    m = check_number(n, "n", lo=1, integer=True)
    sd = check_number(seed, "seed", lo=0, integer=True)
    calls = sem_grid.size * wk_grid.size * len(rule_list) * slopes.size
    if calls > _MAX_SIMULATIONS:
        raise DataError(
            f"sems/weeks/rules/true_slopes: {calls} simulations; keep the page small (at most {_MAX_SIMULATIONS})"
        )
    rows = []
    for sem in sem_grid:
        for w in wk_grid:
            for r in rule_list:
                for ts in slopes:
                    first = _simulated(float(ts), a, float(sem), int(w), r, m, sd)
                    rows.append({"sem": float(sem), "weeks": int(w), "rule": r, "true_slope": float(ts),
                                 **dict(zip(_SIM_FIELDS, first))})
    t = pd.DataFrame(rows)
    t["students"] = t["students"].astype(np.int64)
    t["right_action"] = [_TRUTH_WORDS[x][1] for x in t["truth"]]
    t["setting_text"] = [
        f"{_RULE_LABELS[r].capitalize()}, {w} weekly points, measurement error {_fmt(s)} WCPM "
        f"({m:,} simulated students per row)"
        for r, w, s in zip(t["rule"], t["weeks"], t["sem"])
    ]
    t["headline"] = [
        f"{_TRUTH_WORDS[tr][0]} (true growth {_fmt(ts)} a week): {_pct(c)} right "
        f"('{ACTION_LABELS[ra].lower()}')"
        for tr, ts, ra, c in zip(t["truth"], t["true_slope"], t["right_action"], t["correct"])
    ]
    t["detail"] = [
        "Other calls: " + ", ".join(f"{ACTION_LABELS[x].lower()} {_pct(row[x])}"
                                    for x in progress.ACTIONS if x != row["right_action"])
        for _, row in t.iterrows()
    ]
    return t


def decision_accuracy_explorer(
    *,
    sems: Any = (5, 10, 15, 20),
    weeks: Any = range(6, 21),
    rules: Any = progress.RULES,
    aim_slope: float = 1.0,
    true_slopes: Any = None,
    n: int = 2000,
    seed: int = 2024,
    sem: float | None = 10,
    points: int | None = 6,
    rule: str | None = None,
    title: str | None = None,
    width: int = 560,
) -> alt.VConcatChart:
    """Sliders for measurement error and weeks, buttons for the rule; how often the rule is right.

    The page shows, for each group of simulated students (ahead of, on, and
    behind the goal line), the share of decisions that were right and the
    wrong calls, as bars and as text, and a line chart of the share right
    against weeks of data for the chosen error and rule. Every number is a
    row of :func:`decision_accuracy_table` (the library's simulator).

    Parameters
    ----------
    sems, weeks, rules, aim_slope, true_slopes, n, seed
        As in :func:`decision_accuracy_table`.
    sem, points, rule : optional
        Starting measurement error, weeks of data and rule (default: 10,
        6 and the first rule).
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``sem`` and ``points`` bound to range inputs and ``rule``
        bound to radio buttons.

    Examples
    --------
    >>> from mtss_teach.explorers import decision_accuracy_explorer
    >>> chart = decision_accuracy_explorer(sems=[5, 10], weeks=[6, 8], rules=["four_point", "trend"], n=200)
    >>> [(p["name"], p["value"], p["bind"]["input"]) for p in chart.to_dict()["params"]]
    [('sem', 10.0, 'range'), ('points', 6.0, 'range'), ('rule', 'four_point', 'radio')]
    """
    t = decision_accuracy_table(sems=sems, weeks=weeks, rules=rules, aim_slope=aim_slope,
                                true_slopes=true_slopes, n=n, seed=seed)
    sem_grid, sem_step = _even_grid(t["sem"], "sems")
    wk_grid, wk_step = _even_grid(t["weeks"], "weeks")
    rule_list = list(dict.fromkeys(t["rule"]))
    sem0 = _start(sem, sem_grid, "sem", sem_grid[sem_grid.size // 2])
    wk0 = _start(points, wk_grid, "points", wk_grid[0])
    rule0 = rule_list[0] if rule is None else check_choice(rule, "rule", rule_list)

    sem_p = alt.param(name="sem", value=sem0, bind=alt.binding_range(
        min=float(sem_grid[0]), max=float(sem_grid[-1]), step=sem_step,
        name="Measurement error of one probe (WCPM) "))
    wk_p = alt.param(name="points", value=wk0, bind=alt.binding_range(
        min=float(wk_grid[0]), max=float(wk_grid[-1]), step=wk_step, name="Weekly points collected "))
    rule_p = alt.param(name="rule", value=rule0, bind=alt.binding_radio(
        options=rule_list, labels=[_RULE_LABELS[r] for r in rule_list], name="Decision rule: "))

    # One compact table for every layer (the page glues the sentences together from the
    # library's numbers, formatted here; the long sentences would make the page heavy).
    order = {tr: i for i, tr in enumerate(_TRUTH_WORDS)}
    t = t.assign(ord=[order[tr] for tr in t["truth"]])
    kinds = t.drop_duplicates("true_slope").sort_values(["ord", "true_slope"], ascending=[True, False],
                                                         kind="stable")
    groups = [f"{_TRUTH_WORDS[tr][0]} ({_fmt(ts)} a week)" for tr, ts in zip(kinds["truth"], kinds["true_slope"])]
    gid = {float(ts): i for i, ts in enumerate(kinds["true_slope"])}
    others = {}
    for tr in kinds["truth"]:
        others[tr] = [x for x in progress.ACTIONS if x != _TRUTH_WORDS[tr][1]]
    gtab = pd.DataFrame({
        "g": np.arange(len(groups)),
        "group": groups,
        "lead": [f"{_TRUTH_WORDS[tr][0]} (true growth {_fmt(ts)} a week): "
                 for tr, ts in zip(kinds["truth"], kinds["true_slope"])],
        "tail": [f" right ('{ACTION_LABELS[_TRUTH_WORDS[tr][1]].lower()}')" for tr in kinds["truth"]],
        **{f"n{j + 1}": [ACTION_LABELS[others[tr][j]].lower() for tr in kinds["truth"]] for j in range(3)},
    })
    d = pd.DataFrame({
        "sem": t["sem"], "weeks": t["weeks"], "rule": t["rule"],
        "g": [gid[float(x)] for x in t["true_slope"]],
        "correct": t["correct"],
        "pct": [_pct(c) for c in t["correct"]],
        **{f"o{j + 1}": [_pct(row[others[row["truth"]][j]]) for _, row in t.iterrows()] for j in range(3)},
    })
    looked = alt.LookupData(gtab, "g", ["group", "lead", "tail", "n1", "n2", "n3"])
    here = (f"{_near('sem', 'sem', sem_step)} && {_near('weeks', 'points', wk_step)} "
            "&& datum.rule == rule")

    def chart(test: str) -> alt.Chart:
        return alt.Chart(d).transform_filter(test).transform_lookup(lookup="g", from_=looked)

    # Text: the setting line once, then two lines per group of students.
    settings = t.drop_duplicates(["sem", "weeks", "rule"])[["sem", "weeks", "rule", "setting_text"]]
    text_layers = [alt.Chart(settings).transform_filter(here).mark_text(
        align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=4, limit=0)
        .encode(text=alt.Text("setting_text:N"))]
    for i in range(len(groups)):
        base = chart(f"{here} && datum.g == {i}").transform_calculate(
            headline="datum.lead + datum.pct + datum.tail",
            detail=("'Other calls: ' + datum.n1 + ' ' + datum.o1 + ', ' + datum.n2 + ' ' + datum.o2 "
                    "+ ', ' + datum.n3 + ' ' + datum.o3"))
        text_layers.append(base.mark_text(align="left", baseline="top", fontSize=13, x=0, y=30 + 42 * i,
                                          limit=0).encode(text=alt.Text("headline:N")))
        text_layers.append(base.mark_text(align="left", baseline="top", fontSize=12, x=12, y=49 + 42 * i,
                                          limit=0, color=PALETTE["text"]).encode(text=alt.Text("detail:N")))
    text_panel = alt.layer(*text_layers).properties(
        name=LIVE, width=width, height=30 + 42 * len(groups),
        title=alt.TitleParams("How often the rule makes the right call", anchor="start", fontSize=12))

    colours = [OKABE_ITO["bluish_green"], OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["orange"],
               OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"]] * (1 + len(groups) // 6)
    shapes = ["triangle-up", "circle", "triangle-down", "square", "diamond", "cross"] * (1 + len(groups) // 6)
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [1, 3]] * (1 + len(groups) // 6)
    colour = alt.Color("group:N", scale=alt.Scale(domain=groups, range=colours[:len(groups)]),
                       legend=alt.Legend(title="Simulated students (true growth)", orient="bottom",
                                         direction="vertical", labelLimit=400))
    y_bar = alt.Y("group:N", sort=groups, title=None, axis=None, scale=alt.Scale(paddingInner=0.6, paddingOuter=0.5))
    bars = chart(here).transform_calculate(label="datum.pct + ' right'").mark_bar(size=16).encode(
        y=y_bar, x=alt.X("correct:Q", title="Share of decisions that were right (%)",
                         scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=colour,
        tooltip=[alt.Tooltip("group:N", title="Students"), alt.Tooltip("label:N", title="Right")])
    bar_text = chart(here).transform_calculate(label="datum.pct + ' right'").mark_text(
        align="left", dx=4, fontSize=12).encode(y=y_bar, x=alt.X("correct:Q"), text=alt.Text("label:N"))
    bar_name = chart(here).mark_text(align="left", baseline="bottom", dy=-9, fontSize=11, x=0).encode(
        y=y_bar, text=alt.Text("group:N"))
    bar_panel = alt.layer(bars, bar_text, bar_name).properties(width=width // 2 - 60, height=42 * len(groups),
                                                     title=alt.TitleParams("Right calls at this setting",
                                                                           anchor="start", fontSize=12))

    y_c = alt.Y("correct:Q", title="Share right (%)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    same = f"{_near('sem', 'sem', sem_step)} && datum.rule == rule"
    # Groups can be right equally often (a symmetric rule on mirrored students): their lines
    # would hide each other, so each group is drawn a little to the side of the true week.
    dodge = 0.25 * float(wk_step)
    mid = (len(groups) - 1) / 2
    lines = chart(same).transform_calculate(shown=f"datum.weeks + (datum.g - {mid!r}) * {dodge!r}").mark_line(
        point=True, strokeWidth=2).encode(
        x=alt.X("shown:Q", title="Weekly points collected (count)",
                scale=alt.Scale(domain=[float(wk_grid[0]) - 0.5 * float(wk_step),
                                        float(wk_grid[-1]) + 0.5 * float(wk_step)], nice=False)),
        y=y_c, color=colour,
        strokeDash=alt.StrokeDash("group:N", scale=alt.Scale(domain=groups, range=dashes[:len(groups)]),
                                  legend=None),
        shape=alt.Shape("group:N", scale=alt.Scale(domain=groups, range=shapes[:len(groups)]), legend=None),
        tooltip=[alt.Tooltip("group:N", title="Students"), alt.Tooltip("weeks:Q", title="Weekly points"),
                 alt.Tooltip("pct:N", title="Share right")])
    now = alt.Chart(pd.DataFrame({"one": [1]})).transform_calculate(shown="points").mark_rule(
        color=PALETTE["reference"], strokeDash=[4, 3]).encode(x=alt.X("shown:Q"))
    line_panel = alt.layer(lines, now).properties(
        width=width // 2 - 10, height=170,
        title=alt.TitleParams("Share right by weeks of data (dashed line: now)", anchor="start", fontSize=12,
                              subtitle=["Lines side by side: where two groups are right equally often, "
                                        "both stay visible."], subtitleFontSize=10))

    head = title or "Decision-rule accuracy explorer"
    desc = (f"Interactive decision-rule accuracy explorer: {n:,} simulated students per group, goal line "
            f"{_fmt(aim_slope)} a week. Move the measurement-error slider ({_fmt(sem_grid[0])} to "
            f"{_fmt(sem_grid[-1])} WCPM) and the weekly-points slider ({int(wk_grid[0])} to {int(wk_grid[-1])}), "
            "and choose a rule; the text and bars show the share of right calls for students ahead of, on and "
            "behind the goal line, and the line chart shows it by weeks of data.")
    return alt.vconcat(text_panel, alt.hconcat(bar_panel, line_panel, spacing=30), spacing=12).add_params(
        sem_p, wk_p, rule_p).properties(
        title=alt.TitleParams(head, subtitle=["Simulated students with known true growth; move the sliders and "
                                              "pick a rule under the chart."], anchor="start"),
        description=desc,
    )


# ---------------------------------------------------------------------------
# Tier-share and classwide explorer (courses 1 and 3)
# ---------------------------------------------------------------------------

ALL_SCHOOLS = "All schools"


def _cohort(cohort: Any, need: tuple[str, ...]) -> Any:
    """A Cohort (or a shipped dataset's name) that has the tables in ``need``."""
    if isinstance(cohort, str):
        from . import datasets  # data layer; imported here so the core stays light

        cohort = datasets.load(cohort)
    for name in need:
        table = getattr(cohort, name, None)
        if not isinstance(table, pd.DataFrame):
            raise DataError(f"cohort: expected a Cohort (or a dataset name) with a '{name}' table")
    return cohort


def _plain(v: Any) -> Any:
    """A numpy scalar as the plain Python value (for readable messages)."""
    return v.item() if isinstance(v, np.generic) else v


def _season_rows(df: pd.DataFrame, season: str, name: str) -> pd.DataFrame:
    s = df["season"].astype(str).str.lower()
    out = df[s == season]
    if out.empty:
        raise DataError(f"season: the cohort's {name} table has no rows for season {season!r}")
    return out


def _placed(cohort: Any, season: str) -> pd.DataFrame:
    """Students of ``cohort`` with their tier in ``season`` (school, grade, classroom, tier)."""
    tiers = _season_rows(cohort.tiers, season, "tiers")
    dup = tiers["student_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"cohort: student_id {_plain(tiers['student_id'].iloc[i])!r} has two {season} tiers "
                        f"(row {tiers.index[i]!r}; duplicate id)")
    st = cohort.students[["student_id", "school", "grade", "classroom"]]
    out = tiers[["student_id", "tier"]].merge(st, on="student_id", how="left", validate="one_to_one")
    missing = out["school"].isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"cohort: student_id {_plain(out['student_id'].iloc[i])!r} in tiers is not in students")
    return out.assign(school=out["school"].astype(str), classroom=out["classroom"].astype(str),
                      grade=out["grade"].astype(np.int64))


def _core_lines(cohort: Any, options: list[str], subject: str) -> dict[tuple[str, int], str]:
    """The outcome verdict on the core per (school option, grade), from ``screening.core_effectiveness``.

    "Core alone" means Tier 1 at every screening of the year (the most intensive tier the student
    had); the goal is the outcomes table's ``proficient`` in ``subject``. Students without a result
    are left out and counted in the sentence; a cohort without outcomes gets a sentence saying the
    check cannot be made.
    """
    out = getattr(cohort, "outcomes", None)
    st = cohort.students[["student_id", "school", "grade"]].assign(
        school=lambda d: d["school"].astype(str), grade=lambda d: d["grade"].astype(np.int64))
    most = cohort.tiers.groupby("student_id", observed=True)["tier"].max().rename("tier")
    year = st.merge(most, left_on="student_id", right_index=True, how="inner")
    have = (isinstance(out, pd.DataFrame) and {"student_id", "subject", "proficient"} <= set(out.columns)
            and (out["subject"].astype(str) == subject).any())
    lines: dict[tuple[str, int], str] = {}
    if not have:
        for school in options:
            for grade in sorted(year["grade"].unique()):
                lines[(school, int(grade))] = (f"Whether the core works is judged by outcomes; this data has no "
                                               f"{subject} results, so that check is not made here.")
        return lines
    res = out[out["subject"].astype(str) == subject]
    dup = res["student_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"cohort: student_id {_plain(res['student_id'].iloc[i])!r} has two {subject} outcomes "
                        f"(row {res.index[i]!r}; duplicate id)")
    year = year.merge(res[["student_id", "proficient"]], on="student_id", how="left")
    missing = year["proficient"].isna()
    for school in options:
        part = year if school == ALL_SCHOOLS else year[year["school"] == school]
        for grade, g in part.groupby("grade", sort=True):
            ok = g[~missing.loc[g.index]]
            left = len(g) - len(ok)
            note = f" ({left} without a result left out)" if left else ""
            if ok.empty:
                lines[(school, int(grade))] = (f"Judged by outcomes: no student here has a state {subject} "
                                               f"result{note}, so the core cannot be judged.")
                continue
            r = screening.core_effectiveness(ok["proficient"].astype(bool).to_numpy(), ok["tier"].to_numpy()).iloc[0]
            verdict = ("meets" if r["core_effective"] else "falls short of")
            lines[(school, int(grade))] = (
                f"Judged by outcomes: {_fmt(100 * r['share_core_effective'], 1)}% of {int(r['n'])} students passed "
                f"the state {subject} test with core instruction alone{note}, which {verdict} the usual "
                f"expectation of about {_fmt(100 * r['expectation'])}%.")
    return lines


def tier_share_table(cohort: Any, *, season: str = "winter", outcome_subject: str = "reading") -> pd.DataFrame:
    """The library's tier shares for every (school, grade) a reader can pick, and the core's outcomes.

    The tier shares describe how support is spread against the 80/15/5
    convention; they are the team's own placements, so they give no
    verdict on the core. The verdict on the core comes from outcomes
    (:func:`mtss_teach.screening.core_effectiveness`): the share of the
    grade's students who met the goal (``proficient`` in the cohort's
    ``outcomes`` for ``outcome_subject``) with core instruction alone
    (Tier 1 at every screening of the year).

    Parameters
    ----------
    cohort : Cohort or str
        A cohort with ``students`` and ``tiers`` tables (and, for the
        outcome verdict, ``outcomes``), or a shipped dataset's name (see
        :func:`mtss_teach.datasets.list_datasets`).
    season : {"fall", "winter", "spring"}, default "winter"
        The screening whose placements are shown.
    outcome_subject : str, default "reading"
        The outcomes' ``subject`` that is the goal.

    Returns
    -------
    pandas.DataFrame
        One row per (school, grade, tier), ``school`` being each school and,
        when there are several, ``"All schools"``: ``count, share, n,
        expected`` (the 80/15/5 convention, :func:`mtss_teach.charts.tier_share_expectations`),
        ``tier1_vs_convention`` (placement share minus the convention's
        Tier 1 share; a description, not a verdict) -- from
        :func:`mtss_teach.screening.tier_shares` of that grade's tiers -- and
        the text the page shows: ``label``, ``line1``, ``line2`` and
        ``core_line`` (the outcome verdict, or why it cannot be made).

    Examples
    --------
    >>> from mtss_teach.explorers import tier_share_table
    >>> t = tier_share_table("weak_tier1")
    >>> t["school"].unique().tolist(), t["grade"].unique().tolist()
    (['School 01'], [1, 2, 3, 4, 5, 6])
    >>> t.query("grade == 3")[["tier", "count", "n"]].values.tolist()
    [[1, 22, 100], [2, 37, 100], [3, 41, 100]]
    >>> t.query("grade == 3")["line1"].iloc[0]
    'Grade 3, School 01: Tier 1 alone serves 22% of 100 students (the 80/15/5 convention has about 80% there)'
    """
    se = check_choice(season, "season", ("fall", "winter", "spring"))
    c = _cohort(cohort, ("students", "tiers"))
    placed = _placed(c, se)
    from .charts import tier_share_expectations

    exp = tier_share_expectations().set_index("tier")["expected_share"].to_dict()
    schools = sorted(placed["school"].unique())
    options = ([ALL_SCHOOLS] if len(schools) > 1 else []) + schools
    core = _core_lines(c, options, str(outcome_subject))
    rows = []
    for school in options:
        part = placed if school == ALL_SCHOOLS else placed[placed["school"] == school]
        for grade, g in part.groupby("grade", sort=True):
            ts = screening.tier_shares(g["tier"].to_numpy())
            where = "all schools" if school == ALL_SCHOOLS else school
            line1 = (f"Grade {grade}, {where}: Tier 1 alone serves {_fmt(100 * ts.share1, 1)}% of "
                     f"{ts.n} students (the 80/15/5 convention has about {_fmt(100 * ts.tier1_convention)}% "
                     "there)")
            line2 = (f"Tier 2: {_fmt(100 * ts.share2, 1)}% ({ts.tier2} students); Tier 3: "
                     f"{_fmt(100 * ts.share3, 1)}% ({ts.tier3} students); {se} placements. The convention "
                     f"has about {_fmt(100 * exp[2])}% and {_fmt(100 * exp[3])}%.")
            core_line = core.get((school, int(grade)),
                                 "Judged by outcomes: no student of this grade has tiers all year, so the core "
                                 "cannot be judged.")
            for tier, count, share in ((1, ts.tier1, ts.share1), (2, ts.tier2, ts.share2), (3, ts.tier3, ts.share3)):
                rows.append({"school": school, "grade": int(grade), "tier": tier, "count": count, "share": share,
                             "n": ts.n, "expected": ts.tier1_convention if tier == 1 else float(exp[tier]),
                             "tier1_vs_convention": ts.tier1_vs_convention,
                             "label": f"{_fmt(100 * share, 1)}% ({count} students)", "line1": line1,
                             "line2": line2, "core_line": core_line})
    return pd.DataFrame(rows)


def classwide_table(
    cohort: Any,
    *,
    season: str = "winter",
    measure: str = "math_dcpm",
) -> pd.DataFrame:
    """The library's classwide-problem check for every classroom, by its grade's criterion.

    Each classroom is judged by :func:`mtss_teach.classwide.classwide_check`:
    more than half of the class below the grade's published frustrational
    criterion (14 digits correct per minute in grades 2-3, 24 in grades
    4-5; Burns, VanDerHeyden & Jiban 2006). Classrooms of a grade with no
    published criterion keep their row, marked "not checked", with the
    reason.

    Parameters
    ----------
    cohort : Cohort or str
        With ``students`` (``school, grade, classroom``) and ``screening``
        (long: ``student_id, season, measure, score``) tables, or a shipped
        dataset's name.
    season : {"fall", "winter", "spring"}, default "winter"
    measure : str, default "math_dcpm"
        A ``measure`` of the screening table (digits correct per minute).

    Returns
    -------
    pandas.DataFrame
        One row per (school, grade, classroom): ``n`` students screened,
        ``made`` (whether the grade has a criterion), ``criterion`` (NaN when
        not), ``below`` (students under it; -1 when not checked),
        ``problem`` (False when not checked), ``label`` and ``reason``.

    Examples
    --------
    >>> from mtss_teach.explorers import classwide_table
    >>> t = classwide_table("weak_tier1")
    >>> t.query("grade == 3")[["classroom", "n", "below", "problem"]].head(2).values.tolist()
    [['01-3A', 20, 14, True], ['01-3B', 20, 13, True]]
    >>> float(t.query("grade == 4")["criterion"].iloc[0]), bool(t.query("grade == 1")["made"].any())
    (24.0, False)
    """
    from . import classwide

    se = check_choice(season, "season", ("fall", "winter", "spring"))
    c = _cohort(cohort, ("students", "screening"))
    scr = _season_rows(c.screening, se, "screening")
    known = sorted(scr["measure"].astype(str).unique())
    if measure not in known:
        raise DataError(f"measure: {measure!r} is not in the cohort's {se} screening (has {', '.join(known)})")
    scr = scr[scr["measure"].astype(str) == measure]
    st = c.students[["student_id", "school", "grade", "classroom"]]
    m = scr[["student_id", "score"]].merge(st, on="student_id", how="left", validate="many_to_one")
    missing = m["school"].isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"cohort: student_id {_plain(m['student_id'].iloc[i])!r} in screening is not in students")
    rows = []
    for (school, grade, room), g in m.groupby(["school", "grade", "classroom"], observed=True, sort=True):
        r = classwide.classwide_check(g["score"].to_numpy(dtype=float), int(grade))
        if r.made:
            label = (f"{r.below} of {r.n} below {_fmt(r.criterion.frustrational_below)}: "
                     f"{'classwide' if r.problem else 'not classwide'}")
        else:
            label = "not checked: no published criterion"
        rows.append({"school": str(school), "grade": int(grade), "classroom": str(room), "n": r.n,
                     "made": r.made,
                     "criterion": r.criterion.frustrational_below if r.made else np.nan,
                     "below": r.below if r.made else -1, "problem": bool(r.problem) if r.made else False,
                     "label": label, "reason": r.reason})
    if not rows:
        raise DataError(f"cohort: no {se} {measure} scores to check")
    return pd.DataFrame(rows)


def _runs(df: pd.DataFrame, keys: list[str], x: str, values: list[str]) -> pd.DataFrame:
    """Run-length encode ``values`` along the sorted ``x`` within ``keys``: rows ``lo, hi`` (inclusive)."""
    df = df.sort_values(keys + [x], kind="stable").reset_index(drop=True)
    change = np.ones(len(df), dtype=bool)
    same_key = np.ones(len(df) - 1, dtype=bool) if len(df) else np.zeros(0, dtype=bool)
    for k in keys + values:
        a = df[k].to_numpy()
        same_key &= a[1:] == a[:-1]
    change[1:] = ~same_key
    run = np.cumsum(change) - 1
    out = df.groupby(run, sort=True).agg(**{k: (k, "first") for k in keys + values}, lo=(x, "min"),
                                         hi=(x, "max"))
    return out.reset_index(drop=True)


def tier_share_explorer(
    cohort: Any,
    *,
    season: str = "winter",
    measure: str = "math_dcpm",
    grade: int | None = None,
    school: str | None = None,
    criterion: float | None = None,
    measure_label: str = "Math computation",
    units: str = "digits correct per minute",
    outcome_subject: str = "reading",
    title: str | None = None,
    width: int = 560,
) -> alt.VConcatChart:
    """Pick a grade (and school): tier shares against 80/15/5, the core's outcomes, classwide problems.

    The page shows the grade's tier shares (:func:`tier_share_table`, from
    :func:`mtss_teach.screening.tier_shares`) against the 80/15/5
    convention -- a description of how support is spread, not a verdict on
    the core, since the team's own cut decides it -- and beside them the
    verdict on the core by outcomes (the share of students who passed the
    state test with core instruction alone,
    :func:`mtss_teach.screening.core_effectiveness`), and, for each classroom, how many students score below
    *that grade's* published frustrational criterion and whether that is a
    classwide problem (:func:`classwide_table`, from
    :func:`mtss_teach.classwide.classwide_check`). A grade with no published
    criterion says so instead of borrowing another grade's.

    Parameters
    ----------
    cohort : Cohort or str
    season, measure
        As in :func:`classwide_table`.
    grade : int, optional
        Starting grade (default: the lowest).
    school : str, optional
        Starting school (default: all schools, or the only one).
    criterion : float, optional
        Kept for older pages: if given, it must be the starting grade's
        published criterion (:func:`mtss_teach.classwide.classwide_criterion`);
        the explorer always uses each grade's own.
    measure_label, units, title : str
    outcome_subject : str, default "reading"
        As in :func:`tier_share_table`.
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``grade`` (radio buttons) and ``school`` (a select, only
        when the cohort has several schools).

    Examples
    --------
    >>> from mtss_teach.explorers import tier_share_explorer
    >>> spec = tier_share_explorer("district_small", grade=3).to_dict()
    >>> [(p["name"], p["value"], p["bind"]["input"]) for p in spec["params"]]
    [('grade', 3, 'radio'), ('school', 'All schools', 'select')]
    """
    se = check_choice(season, "season", ("fall", "winter", "spring"))
    c = _cohort(cohort, ("students", "tiers", "screening"))
    shares = tier_share_table(c, season=se, outcome_subject=outcome_subject)
    wide = classwide_table(c, season=se, measure=measure)
    grades = sorted(int(g) for g in shares["grade"].unique())
    g0 = grades[0] if grade is None else check_choice(grade, "grade", grades)
    options = list(dict.fromkeys(shares["school"]))
    many = len(options) > 1
    if school is None:
        s0 = options[0]
    else:
        s0 = check_choice(school, "school", options) if not isinstance(school, str) else school
        if s0 not in options:
            raise DataError(f"school: {school!r} is not one of {options}")
    if criterion is not None:
        from . import classwide

        published = classwide.classwide_criterion(g0).frustrational_below
        if check_number(criterion, "criterion") != published:
            raise DataError(f"criterion: grade {g0}'s published criterion is {_fmt(published)} {units} "
                            f"(Burns, VanDerHeyden & Jiban 2006), not {_fmt(criterion)}; the explorer uses "
                            "each grade's own criterion")

    params = [alt.param(name="grade", value=int(g0), bind=alt.binding_radio(
        options=grades, labels=[f"Grade {g}" for g in grades], name="Grade: "))]
    if many:
        params.append(alt.param(name="school", value=s0, bind=alt.binding_select(options=options, name="School ")))
    pick = "datum.grade == grade" + (" && datum.school == school" if many else "")
    pick_room = "datum.grade == grade" + (
        f" && (school == {ALL_SCHOOLS!r} || datum.school == school)" if many else "")

    # Tier shares: the library's numbers per (school, grade).
    texts = shares.drop_duplicates(["school", "grade"])[["school", "grade", "line1", "line2", "core_line"]]
    tiers = shares[["school", "grade", "tier", "share", "expected", "label"]].assign(
        tier=[f"Tier {t}" for t in shares["tier"]], pct=100 * shares["share"], exp_pct=100 * shares["expected"])
    tiers = tiers.assign(label=[lab.replace(" (", "\n(") for lab in tiers["label"]],
                         exp_label=[f"expected about {_fmt(e)}%" for e in tiers["exp_pct"]],
                         label_y=np.maximum(tiers["pct"], tiers["exp_pct"]))
    tiers = tiers.drop(columns=["share", "expected"])
    names = ["Tier 1", "Tier 2", "Tier 3"]
    x_t = alt.X("tier:N", title="Tier (black tick: the 80/15/5 convention)", sort=names,
                axis=alt.Axis(labelAngle=0))
    base = alt.Chart(tiers).transform_filter(pick)
    t_bars = base.mark_bar(size=46).encode(
        x=x_t, y=alt.Y("pct:Q", title="Share of students (%)", scale=alt.Scale(domain=[0, 100]),
                       axis=alt.Axis(orient="right")),
        color=alt.Color("tier:N", scale=alt.Scale(domain=names, range=[PALETTE["tier1"], PALETTE["tier2"],
                                                                        PALETTE["tier3"]]), legend=None),
        tooltip=[alt.Tooltip("tier:N", title="Tier"), alt.Tooltip("label:N", title="Share"),
                 alt.Tooltip("exp_label:N", title="Convention")])
    t_tick = base.mark_tick(color=PALETTE["reference"], thickness=3, size=70).encode(x=x_t, y=alt.Y("exp_pct:Q"))
    t_text = base.mark_text(dy=-20, fontSize=11, lineBreak="\n").encode(x=x_t, y=alt.Y("label_y:Q"), text=alt.Text("label:N"))
    tier_panel = alt.layer(t_bars, t_tick, t_text).properties(
        width=200, height=200, title=alt.TitleParams("Students by tier", anchor="start", fontSize=12))

    # Classwide check: the library's answer per classroom, by the grade's own criterion.
    rooms = wide[["school", "grade", "classroom", "n", "made", "below", "problem", "label"]].assign(
        pct=np.where(wide["made"], 100.0 * wide["below"].clip(lower=0) / wide["n"], 0.0),
        status=np.where(~wide["made"], "Not checked (no published criterion)",
                        np.where(wide["problem"], "Classwide problem", "No classwide problem")))
    status_dom = ["Classwide problem", "No classwide problem", "Not checked (no published criterion)"]
    y_r = alt.Y("classroom:N", title="Classroom", sort="ascending")
    rbase = alt.Chart(rooms).transform_filter(pick_room)
    r_bars = rbase.mark_bar(size=14).encode(
        y=y_r, x=alt.X("pct:Q", title="Students below the criterion (% of the class)",
                       scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("status:N", scale=alt.Scale(domain=status_dom, range=[PALETTE["below"], PALETTE["meets"],
                                                                               PALETTE["reference"]]),
                        legend=alt.Legend(title="Check", orient="bottom")),
        tooltip=[alt.Tooltip("classroom:N", title="Classroom"), alt.Tooltip("label:N", title="Students")])
    half = alt.Chart(pd.DataFrame({"x": [50.0], "t": ["half the class"]}))
    r_rule = half.mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    r_text = rbase.mark_text(align="left", dx=6, fontSize=11).encode(y=y_r, x=alt.XDatum(100),
                                                                    text=alt.Text("label:N"))
    room_panel = alt.layer(r_bars, r_rule, r_text).properties(
        width=130, height=alt.Step(22),
        title=alt.TitleParams("Classwide check: more than half below the grade's criterion?", anchor="start",
                              fontSize=12))

    totals = (wide.assign(key=wide["school"]) if not many else pd.concat(
        [wide.assign(key=wide["school"]), wide.assign(key=ALL_SCHOOLS)], ignore_index=True))
    summary = totals.groupby(["key", "grade"], sort=True).agg(
        rooms=("problem", "size"), problems=("problem", "sum"), made=("made", "all"),
        criterion=("criterion", "first")).reset_index().rename(columns={"key": "school"})
    summary = summary.assign(
        line3=[(f"{int(p)} of {int(r)} classrooms have a classwide problem in {measure_label.lower()} ({se})."
                if made else f"Grade {g}: no published classwide criterion in {measure_label.lower()}.")
               for p, r, made, g in zip(summary["problems"], summary["rooms"], summary["made"], summary["grade"])],
        line4=[(f"A classwide problem: more than half the class below {_fmt(cr)} {units}, the grade {g} "
                "criterion (Burns et al. 2006)." if made else
                "Burns et al. (2006) give grades 2-5 only, so the classwide check is not made.")
               for made, cr, g in zip(summary["made"], summary["criterion"], summary["grade"])])
    sbase = alt.Chart(summary).transform_filter(pick)
    text_layers = [
        alt.Chart(texts).transform_filter(pick).mark_text(
            align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=4, limit=0)
        .encode(text=alt.Text("line1:N")),
        alt.Chart(texts).transform_filter(pick).mark_text(
            align="left", baseline="top", fontSize=12, x=0, y=25, limit=0).encode(text=alt.Text("line2:N")),
        alt.Chart(texts).transform_filter(pick).mark_text(
            align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=46, limit=0)
        .encode(text=alt.Text("core_line:N")),
        sbase.mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, y=71, limit=0)
        .encode(text=alt.Text("line3:N")),
        sbase.mark_text(align="left", baseline="top", fontSize=12, x=0, y=91, limit=0)
        .encode(text=alt.Text("line4:N")),
    ]
    text_panel = alt.layer(*text_layers).properties(name=LIVE, width=width, height=109)

    head = title or "Tier 1 health explorer: tier shares and classwide problems"
    desc = (f"Interactive tier-share explorer: choose a grade{' and a school' if many else ''}; the text and "
            f"bars show the share of students in each tier ({se}) against the 80/15/5 convention (how support "
            f"is spread, not a verdict on the core), the text judges the core by outcomes (students who "
            f"passed the state {outcome_subject} test with core instruction alone, against the usual "
            f"expectation of about {_fmt(100 * float(screening.core_expectation()['expected_share'].iloc[0]))}%), "
            "and the "
            f"classroom bars show how many students in each class score below the grade's published "
            f"frustrational criterion in {measure_label.lower()} ({units}) and whether that is a classwide "
            "problem (more than half the class); grades with no published criterion are not checked.")
    row = alt.hconcat(tier_panel, room_panel, spacing=30).resolve_scale(color="independent")
    return alt.vconcat(text_panel, row, spacing=12).add_params(
        *params).properties(
        title=alt.TitleParams(head, subtitle=["80/15/5 is a planning convention, not a norm: it describes how "
                                              "support is spread.", "Whether the core works is judged by "
                                              "outcomes. Pick a grade under the chart."], anchor="start"),
        description=desc,
    )


# ---------------------------------------------------------------------------
# Gap-analysis explorer (course 6)
# ---------------------------------------------------------------------------

_SEASON_ORDER = {"fall": 0, "winter": 1, "spring": 2}


def gap_analysis_table(
    current_benchmark: float,
    goal_benchmark: float,
    *,
    scores: Any = None,
    weeks_left: Any = range(1, 37),
    peer_roi: float | None = None,
    significant_gap: float = 2.0,
    benchmark_weeks: float | None = None,
) -> pd.DataFrame:
    """The library's gap analysis for every (current score, weeks left) slider position.

    Parameters
    ----------
    current_benchmark, goal_benchmark : float
        As in :func:`mtss_teach.progress.gap_analysis`.
    scores : array-like, optional
        Current scores the slider offers (above 0, evenly spaced). Default:
        whole numbers from 5 to the current benchmark.
    weeks_left : array-like, default 1 to 36
        Weeks to the goal date (evenly spaced).
    peer_roi, significant_gap
        As in :func:`mtss_teach.progress.gap_analysis`.
    benchmark_weeks : float, optional
        Weeks between the two screenings (as in
        :func:`mtss_teach.progress.gap_analysis`): the peers' growth is the
        benchmark gain over these weeks, whatever the weeks left. No
        ``weeks_left`` may exceed it. Without it (and without ``peer_roi``)
        each row's peer growth is spread over its own weeks left, which is
        right only on the day of the current screening.

    Returns
    -------
    pandas.DataFrame
        One row per (score, weeks_left): ``gap, significant, roi_needed,
        peer_roi, reasonable, summary`` -- each from
        ``progress.gap_analysis(current_benchmark, score, goal_benchmark,
        weeks_left, peer_roi, significant_gap, benchmark_weeks)``.

    Examples
    --------
    >>> from mtss_teach.explorers import gap_analysis_table
    >>> t = gap_analysis_table(72, 90, scores=[30, 40], weeks_left=[18])
    >>> t[["score", "gap", "significant", "reasonable"]].values.tolist()   # 72/30 = 2.4; 72/40 = 1.8
    [[30.0, 2.4, True, False], [40.0, 1.8, False, False]]

    One week before the spring screening, 14 points are not a reasonable
    catch-up when peers grow 14 points over the 18 weeks between screenings:

    >>> t = gap_analysis_table(86, 100, scores=[86], weeks_left=[1, 18], benchmark_weeks=18)
    >>> t[["weeks_left", "roi_needed", "reasonable"]].values.tolist()
    [[1.0, 14.0, False], [18.0, 0.7777777777777778, True]]
    """
    cb = check_number(current_benchmark, "current_benchmark", lo=0)
    gb = check_number(goal_benchmark, "goal_benchmark", lo=0)
    bw = None if benchmark_weeks is None else check_number(benchmark_weeks, "benchmark_weeks", lo=0, lo_open=True)
    if scores is None:
        top = max(5.0, float(np.floor(cb)))
        scores = np.arange(5.0, top + 1.0)
    s_grid, _ = _even_grid(scores, "scores", lo=0)
    if s_grid[0] <= 0:
        raise DataError("scores: a current score of 0 has no gap (benchmark / 0); start the slider above 0")
    w_grid, _ = _even_grid(weeks_left, "weeks_left", lo=0, what="number of weeks")
    if bw is not None and w_grid[-1] > bw:
        raise DataError(f"weeks_left: {_fmt(w_grid[-1])} weeks left is more than the {_fmt(bw)} weeks between "
                        "the screenings (benchmark_weeks)")
    if s_grid.size * w_grid.size > 20000:
        raise DataError(f"scores/weeks_left: {s_grid.size} x {w_grid.size} positions; keep the page small "
                        "(at most 20,000)")
    rows = []
    for sc in s_grid:
        for w in w_grid:
            g = progress.gap_analysis(cb, float(sc), gb, float(w), peer_roi=peer_roi, significant_gap=significant_gap,
                                      benchmark_weeks=bw)
            rows.append((float(sc), float(w), g.gap, g.significant, g.roi_needed, g.peer_roi, g.reasonable,
                         g.summary))
    t = pd.DataFrame(rows, columns=["score", "weeks_left", "gap", "significant", "roi_needed", "peer_roi",
                                    "reasonable", "summary"])
    t.insert(0, "goal_benchmark", gb)
    t.insert(0, "current_benchmark", cb)
    return t


def _compact(x: pd.Series) -> pd.Series:
    """Whole-number floats as integers (shorter JSON); other values unchanged."""
    v = x.to_numpy(dtype=float)
    return pd.Series(v.astype(np.int64), index=x.index) if np.all(v == np.round(v)) else x


def _benchmarks(grade: int, season: str, goal_season: str, norm: str, percentile: int) -> tuple[float, float, str]:
    from . import norms

    if norm == "acadience":
        goals = norms.acadience_goals()
        grades = sorted(int(g) for g in goals["grade"].unique())
        g = check_choice(grade, "grade", grades)
        pick = {}
        for se in (season, goal_season):
            row = goals[(goals["grade"] == g) & (goals["season"] == se)]
            if row.empty:
                raise DataError(f"season: Acadience Reading has no grade-{g} {se} ORF benchmark")
            pick[se] = float(row["benchmark"].iloc[0])
        return pick[season], pick[goal_season], "Acadience Reading benchmark goals"
    cb = float(norms.orf_norm(grade, season, percentile))
    gb = float(norms.orf_norm(grade, goal_season, percentile))
    return cb, gb, f"Hasbrouck & Tindal (2017) {percentile}th percentile"


def gap_analysis_explorer(
    grade: int = 3,
    season: str = "winter",
    *,
    goal_season: str = "spring",
    norm: str = "acadience",
    percentile: int = 50,
    benchmark_weeks: float,
    scores: Any = None,
    weeks_left: Any = None,
    score: float | None = None,
    weeks: float | None = None,
    peer_roi: float | None = None,
    significant_gap: float = 2.0,
    title: str | None = None,
    width: int = 560,
) -> alt.VConcatChart:
    """Sliders for the current score and the weeks left; the library's gap analysis.

    The benchmarks come from the library's norm tables for ``grade``:
    Acadience Reading benchmark goals (grades 1-3,
    :func:`mtss_teach.norms.acadience_goals`) or a Hasbrouck & Tindal (2017)
    percentile (:func:`mtss_teach.norms.orf_norm`). The page shows the gap
    (benchmark / score, significant above 2), the growth needed to reach
    the goal-season benchmark, and whether that is reasonable (at most twice
    the typical peer growth), all from :func:`gap_analysis_table`. The
    peers' growth is the benchmark gain over ``benchmark_weeks``, the weeks
    between the two screenings, so a late catch-up (14 points in one week)
    is never called reasonable.

    Parameters
    ----------
    grade : int, default 3
    season, goal_season : str, default "winter" and "spring"
        The season now and the season of the goal.
    norm : {"acadience", "hasbrouck_tindal"}
    percentile : {10, 25, 50, 75, 90}, default 50
        For ``norm="hasbrouck_tindal"``.
    benchmark_weeks : float
        Weeks between the screening now and the goal screening (e.g. from
        the two screening dates). Required: the peers' growth depends on it.
    scores, peer_roi, significant_gap
        As in :func:`gap_analysis_table`.
    weeks_left : array-like, optional
        The weeks slider's positions; default whole weeks from 1 to
        ``benchmark_weeks`` (rounded down), none above it.
    score, weeks : float, optional
        Starting slider positions (default: the middle of each).
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``score`` and ``weeks_left`` bound to range inputs.

    Examples
    --------
    >>> from mtss_teach.explorers import gap_analysis_explorer
    >>> spec = gap_analysis_explorer(3, "winter", benchmark_weeks=18, score=40, weeks=18).to_dict()
    >>> [(p["name"], p["value"], p["bind"]["max"]) for p in spec["params"]]
    [('score', 40.0, 86.0), ('weeks_left', 18.0, 18.0)]
    """
    se = check_choice(season, "season", norms_seasons := ("fall", "winter", "spring"))
    ge = check_choice(goal_season, "goal_season", norms_seasons)
    if _SEASON_ORDER[ge] <= _SEASON_ORDER[se]:
        raise DataError(f"goal_season: {ge!r} must come after season {se!r}")
    nm = check_choice(norm, "norm", ("acadience", "hasbrouck_tindal"))
    cb, gb, source = _benchmarks(grade, se, ge, nm, percentile)
    bw = check_number(benchmark_weeks, "benchmark_weeks", lo=1)
    if weeks_left is None:
        weeks_left = np.arange(1.0, float(np.floor(bw)) + 1.0)
    t = gap_analysis_table(cb, gb, scores=scores, weeks_left=weeks_left, peer_roi=peer_roi,
                           significant_gap=significant_gap, benchmark_weeks=bw)
    sg = float(significant_gap)
    s_grid, s_step = _even_grid(t["score"], "scores")
    w_grid, w_step = _even_grid(t["weeks_left"], "weeks_left")
    s0 = _start(score, s_grid, "score", s_grid[s_grid.size // 2])
    w0 = _start(weeks, w_grid, "weeks", w_grid[w_grid.size // 2])
    units = "words correct per minute"
    score_p = alt.param(name="score", value=s0, bind=alt.binding_range(
        min=float(s_grid[0]), max=float(s_grid[-1]), step=s_step, name=f"Student's score now ({units}) "))
    weeks_p = alt.param(name="weeks_left", value=w0, bind=alt.binding_range(
        min=float(w_grid[0]), max=float(w_grid[-1]), step=w_step, name=f"Weeks until the {ge} screening "))

    # Three small tables (the library's values, formatted here); the page strings them together.
    firsts = []
    for summ in t.drop_duplicates("score")["summary"]:
        first, sep, _ = summ.partition(" Reaching ")
        if not sep:
            raise DataError("gap_analysis: unexpected summary wording; update explorers.gap_analysis_explorer")
        firsts.append(first)
    per_score = t.drop_duplicates("score")[["score", "gap", "significant"]].assign(
        gap_text=lambda d: [_fmt(g) for g in d["gap"]], first=firsts)
    per_week = t.drop_duplicates("weeks_left")[["weeks_left", "peer_roi"]]
    # (short names and whole numbers keep this, the biggest table, small; the bar is drawn at the
    # library's value as printed, rt)
    both = pd.DataFrame({"s": _compact(t["score"]), "w": _compact(t["weeks_left"]),
                         "rt": [_fmt(r) for r in t["roi_needed"]], "ok": t["reasonable"].astype(np.int8)})
    growth = pd.concat([
        pd.DataFrame({"w": per_week["weeks_left"], "kind": "Typical peer growth", "value": per_week["peer_roi"],
                      "label": [_fmt(p) + " a week" for p in per_week["peer_roi"]]}),
        pd.DataFrame({"w": per_week["weeks_left"], "kind": "Limit: twice the peers' growth",
                      "value": 2 * per_week["peer_roi"],
                      "label": [_fmt(2 * p) + " a week" for p in per_week["peer_roi"]]}),
    ], ignore_index=True)
    peer_text = per_week.assign(pt=[_fmt(p) for p in per_week["peer_roi"]])[["weeks_left", "pt"]]
    at_s = _near("score", "score", s_step)
    at_w = _near("weeks_left", "weeks_left", w_step)
    at_sw = f"{_near('s', 'score', s_step)} && {_near('w', 'weeks_left', w_step)}"
    gb_text = _fmt(gb)

    sw = (alt.Chart(both).transform_filter(at_sw)
          .transform_lookup(lookup="w", from_=alt.LookupData(peer_text, "weeks_left", ["pt"]))
          .transform_calculate(
              head="'Growth needed: ' + datum.rt + ' words a week: ' + (datum.ok ? 'reasonable' : 'not reasonable')",
              second=f"'Reaching {gb_text} in ' + weeks_left + ' weeks needs ' + datum.rt + ' points a week,'",
              third=("(datum.ok ? 'at most' : 'more than') + ' twice the typical peer growth of ' + datum.pt "
                     "+ ' a week: ' + (datum.ok ? 'a reasonable goal' : 'not a reasonable goal on its own') + '.'")))
    ps = alt.Chart(per_score).transform_filter(at_s).transform_calculate(
        head=f"'Gap: ' + datum.gap_text + ' (benchmark {_fmt(cb)} / score ' + score + '): ' + "
             "(datum.significant ? 'significant' : 'not significant')")

    def line(chart: alt.Chart, field: str, y: int, bold: bool = False, size: int = 13) -> alt.Chart:
        return chart.mark_text(align="left", baseline="top", fontSize=size, x=0, y=y, limit=0,
                               fontWeight="bold" if bold else "normal").encode(text=alt.Text(f"{field}:N"))

    text_panel = alt.layer(
        line(ps, "head", 4, bold=True), line(sw, "head", 25, bold=True),
        line(ps, "first", 50, size=12), line(sw, "second", 68, size=12), line(sw, "third", 86, size=12),
    ).properties(name=LIVE, width=width, height=104, title=alt.TitleParams("The gap analysis", anchor="start",
                                                                 fontSize=12))

    # Bars: the gap against the cut; growth needed against peers and the limit.
    gap_bar = alt.Chart(per_score).transform_filter(at_s).transform_calculate(
        status="datum.significant ? 'Significant gap' : 'Not significant'",
        label="datum.gap_text + (datum.significant ? ' significant' : ' not significant')").mark_bar(size=22).encode(
        x=alt.X("gap:Q", title="Gap (benchmark / score, ratio)", scale=alt.Scale(zero=True)),
        color=alt.Color("status:N", scale=alt.Scale(domain=["Significant gap", "Not significant"],
                                                    range=[PALETTE["below"], PALETTE["meets"]]), legend=None))
    gap_lab = alt.Chart(per_score).transform_filter(at_s).transform_calculate(
        label="datum.gap_text + (datum.significant ? ' (significant)' : ' (not significant)')").mark_text(
        align="left", dx=4, fontSize=11).encode(x=alt.X("gap:Q"), text=alt.Text("label:N"))
    cut_df = pd.DataFrame({"x": [sg], "t": [f"cut {_fmt(sg)}"]})
    gap_rule = alt.Chart(cut_df).mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(
        x=alt.X("x:Q"))
    gap_rule_t = alt.Chart(cut_df).mark_text(align="left", dx=3, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("x:Q"), text=alt.Text("t:N"))
    gap_panel = alt.layer(gap_bar, gap_rule, gap_rule_t, gap_lab).properties(
        width=width - 160, height=34, title=alt.TitleParams("How far behind?", anchor="start", fontSize=12))

    kinds = ["Growth needed", "Typical peer growth", "Limit: twice the peers' growth"]
    y_k = alt.Y("kind:N", sort=kinds, title=None, axis=None, scale=alt.Scale(paddingInner=0.7, paddingOuter=0.6))
    x_k = alt.X("value:Q", title=f"Growth ({units} gained per week)", scale=alt.Scale(zero=True))
    need = alt.Chart(both).transform_filter(at_sw).transform_calculate(
        kind="'Growth needed'", value="toNumber(datum.rt)",
        status="datum.ok ? 'Reasonable' : 'Not reasonable'",
        label="datum.rt + ' a week' + (datum.ok ? ' (reasonable)' : ' (not reasonable)')")
    peers = alt.Chart(growth).transform_filter(_near("w", "weeks_left", w_step)).transform_calculate(
        status="'Peers'")
    dom = ["Reasonable", "Not reasonable", "Peers"]
    col = alt.Color("status:N", scale=alt.Scale(domain=dom, range=[PALETTE["meets"], PALETTE["below"],
                                                                   PALETTE["suppressed"]]), legend=None)
    g_layers = []
    for ch in (need, peers):
        g_layers += [
            ch.mark_bar(size=14).encode(y=y_k, x=x_k, color=col),
            ch.mark_text(align="left", dx=4, fontSize=11).encode(y=y_k, x=x_k, text=alt.Text("label:N")),
            ch.mark_text(align="left", baseline="bottom", dy=-9, fontSize=11, x=0).encode(
                y=y_k, text=alt.Text("kind:N")),
        ]
    growth_panel = alt.layer(*g_layers).properties(
        width=width - 160, height=126, title=alt.TitleParams("Is catching up realistic?", anchor="start",
                                                            fontSize=12))

    head = title or f"Gap analysis explorer: grade {int(grade)} oral reading fluency"
    peer_words = (f"Typical peer growth: the {_fmt(gb - cb)} points between the benchmarks over the {_fmt(bw)} "
                  f"weeks between the screenings." if peer_roi is None else
                  f"Typical peer growth: {_fmt(float(peer_roi))} a week, as given.")
    sub = [f"Benchmark now ({se}): {_fmt(cb)}; goal ({ge}): {gb_text} {units} ({source}).",
           peer_words, "Move the two sliders under the chart."]
    desc = (f"Interactive gap-analysis explorer for grade {int(grade)}: move the score slider "
            f"({_fmt(s_grid[0])} to {_fmt(s_grid[-1])} {units}) and the weeks-left slider ({_fmt(w_grid[0])} to "
            f"{_fmt(w_grid[-1])}); the text and bars show the gap against the {_fmt(cb)} {se} benchmark, whether "
            f"it is significant (above {_fmt(sg)}), the growth needed to reach {gb_text} by {ge}, and whether "
            "that is reasonable (at most twice the typical peer growth).")
    body = alt.vconcat(text_panel, gap_panel, growth_panel, spacing=14).resolve_scale(color="independent")
    return body.add_params(score_p, weeks_p).properties(
        title=alt.TitleParams(head, subtitle=sub, anchor="start"), description=desc)


# ---------------------------------------------------------------------------
# Equity explorer (course 8)
# ---------------------------------------------------------------------------


def equity_table(
    table: pd.DataFrame,
    *,
    min_cells: Any = (5, 10, 20),
    min_ns: Any = (0, 10, 20, 30),
    thresholds: Any = (1.5, 2.0, 2.5, 3.0),
    ratio: str = "risk_ratio",
    state: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The library's risk ratios for every (minimum cell, minimum n, threshold) choice.

    Parameters
    ----------
    table : pandas.DataFrame
        ``group, count, total`` for one LEA or school, as in
        :func:`mtss_teach.equity.disproportionality`.
    min_cells, min_ns : array-like of int
        The minimum cell sizes and n-sizes a reader can choose (IDEA:
        10 and 30 or less are presumptively reasonable). Minimum cell
        sizes under :data:`mtss_teach.equity.MIN_CELL_FLOOR` are refused:
        every choice is written into the page, so an unsuppressed choice
        would put small groups' results in it.
    thresholds : array-like of float
        Risk-ratio thresholds a reader can choose (States set their own;
        there is no national threshold).
    ratio : {"risk_ratio", "alternate_risk_ratio", "weighted_risk_ratio"}
    state : pandas.DataFrame, optional
        As in :func:`mtss_teach.equity.disproportionality` (needed for the
        alternate and weighted ratios).

    Returns
    -------
    pandas.DataFrame
        One row per (min_cell, min_n, threshold, group): ``ratio`` (the
        library's value; NaN when not computed, or when the group is hidden
        by :func:`mtss_teach.equity.protect_counts` -- small cells and the
        complementary cells that would give them back), ``note`` (the
        library's, or why the group is hidden),
        ``status`` ("At or above", "Below" or "Suppressed / not computed")
        and ``label``, the words the page shows (the same as
        :func:`mtss_teach.charts.risk_ratio_chart`).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import equity_table
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [40, 5, 60], "total": [400, 90, 300]})
    >>> e = equity_table(t, min_cells=[5, 10], min_ns=[30], thresholds=[2.0])
    >>> e.loc[e["group"] == "B", ["min_cell", "label"]].values.tolist()   # (5/90) / (100/700) = 0.389
    [[5, '0.39'], [10, 'suppressed (fewer than 10 with the outcome)']]
    >>> e.loc[e["min_cell"] == 10, "label"].tolist()   # A hidden too (105 - 60 - 40 = B); C: 0.2 / (45/490)
    ['suppressed (so a small group cannot be worked out)', 'suppressed (fewer than 10 with the outcome)', '2.18 at or above 2']
    """
    from . import equity
    from .charts import suppressed_label as _suppressed_label

    r = check_choice(ratio, "ratio", ("risk_ratio", "alternate_risk_ratio", "weighted_risk_ratio"))
    mcs, _ = as_float_array(min_cells, "min_cells", lo=0, integer=True, what="minimum cell size")
    mns, _ = as_float_array(min_ns, "min_ns", lo=0, integer=True, what="minimum n-size")
    thr, _ = as_float_array(thresholds, "thresholds", lo=0, what="threshold")
    if (thr <= 0).any():
        i = int(np.flatnonzero(thr <= 0)[0])
        raise DataError(f"thresholds: value at position {i} is {thr[i]:g}; a threshold must be above 0")
    low = mcs < equity.MIN_CELL_FLOOR
    if low.any():
        i = int(np.flatnonzero(low)[0])
        raise DataError(f"min_cells: value at position {i} ({mcs[i]:g}) is below the library's floor of "
                        f"{equity.MIN_CELL_FLOOR}: every choice is written into the page, so small groups' results "
                        "would be in it")
    for name, arr in (("min_cells", mcs), ("min_ns", mns), ("thresholds", thr)):
        dup = pd.Series(arr).duplicated().to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise DataError(f"{name}: value at position {i} ({arr[i]:g}) appears twice (duplicate)")
    rows = []
    for mc in mcs.astype(int):
        for mn in mns.astype(int):
            res = equity.disproportionality(table, state=state, min_cell=int(mc), min_n=int(mn))
            if isinstance(res.index, pd.MultiIndex):
                raise DataError("table: has an 'lea' column with several LEAs; pass one LEA's rows")
            vals = res[r].to_numpy(dtype=float)
            notes = res["note"].astype(str).to_numpy()
            plain = table[["group", "count", "total"]].assign(group=table["group"].astype(str))
            prot = equity.protect_counts(plain, int(mc)).set_index("group")
            comp = prot.reindex([str(g) for g in res.index])["why"].to_numpy() == "complementary"
            vals = np.where(comp, np.nan, vals)
            notes = np.where(comp, "suppressed so that a small group cannot be worked out from the totals", notes)
            for th in thr:
                above = np.isfinite(vals) & (vals >= th)
                for g, v, a, nt in zip(res.index, vals, above, notes):
                    if np.isfinite(v):
                        status = f"At or above {_fmt(th)}" if a else f"Below {_fmt(th)}"
                        label = f"{_p(v)} at or above {_fmt(th)}" if a else _p(v)
                    elif nt.startswith("suppressed so that"):
                        status, label = "Suppressed / not computed", "suppressed (so a small group cannot be worked out)"
                    else:
                        status, label = "Suppressed / not computed", _suppressed_label(nt, int(mc), int(mn))
                    rows.append((int(mc), int(mn), float(th), str(g), v, nt, bool(a), status, label))
    return pd.DataFrame(rows, columns=["min_cell", "min_n", "threshold", "group", "ratio", "note", "above",
                                       "status", "label"])


def equity_explorer(
    table: pd.DataFrame,
    *,
    outcome: str = "the outcome",
    min_cells: Any = (5, 10, 20),
    min_ns: Any = (0, 10, 20, 30),
    thresholds: Any = (1.5, 2.0, 2.5, 3.0),
    min_cell: int = 10,
    min_n: int = 30,
    threshold: float = 2.0,
    ratio: str = "risk_ratio",
    state: pd.DataFrame | None = None,
    title: str | None = None,
    width: int = 300,
) -> alt.VConcatChart:
    """Buttons for the minimum cell and n-sizes and the threshold; risk ratios by group.

    Each group's risk ratio comes from
    :func:`mtss_teach.equity.disproportionality` at the chosen minimums
    (:func:`equity_table`). Groups whose ratio is not computed are drawn
    with no bar, a grey cross and the words "suppressed (...)" or "not
    computed (...)"; groups at or above the threshold with a vermillion
    bar, a triangle and the words "at or above". As in
    :func:`mtss_teach.charts.risk_ratio_chart`, the page holds no counts.

    Parameters
    ----------
    table, min_cells, min_ns, thresholds, ratio, state
        As in :func:`equity_table`.
    outcome : str
        Words for the outcome, e.g. "Tier 3 placement (winter)".
    min_cell, min_n, threshold
        Starting choices (10, 30 and 2).
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``min_cell`` and ``min_n`` (radio buttons) and
        ``threshold`` (a select).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import equity_explorer
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [40, 5, 60], "total": [400, 90, 300]})
    >>> [(p["name"], p["value"]) for p in equity_explorer(t).to_dict()["params"]]
    [('min_cell', 10), ('min_n', 30), ('threshold', 2.0)]
    """
    t = equity_table(table, min_cells=min_cells, min_ns=min_ns, thresholds=thresholds, ratio=ratio, state=state)
    mcs = list(dict.fromkeys(int(v) for v in t["min_cell"]))
    mns = list(dict.fromkeys(int(v) for v in t["min_n"]))
    ths = list(dict.fromkeys(float(v) for v in t["threshold"]))
    mc0 = check_choice(int(check_number(min_cell, "min_cell", lo=0, integer=True)), "min_cell", mcs)
    mn0 = check_choice(int(check_number(min_n, "min_n", lo=0, integer=True)), "min_n", mns)
    th0 = check_number(threshold, "threshold", lo=0, lo_open=True)
    if not any(abs(th0 - x) < 1e-12 for x in ths):
        raise DataError(f"threshold: {th0:g} is not one of the choices {[_fmt(x) for x in ths]}")
    params = [
        alt.param(name="min_cell", value=mc0, bind=alt.binding_radio(
            options=mcs, name="Minimum cell size (students with the outcome): ")),
        alt.param(name="min_n", value=mn0, bind=alt.binding_radio(
            options=mns, name="Minimum n-size (students in the group): ")),
        alt.param(name="threshold", value=th0, bind=alt.binding_select(
            options=ths, labels=[_fmt(x) for x in ths], name="Risk-ratio threshold ")),
    ]
    groups = list(dict.fromkeys(t["group"]))
    gidx = {g: i for i, g in enumerate(groups)}
    d = pd.DataFrame({
        "mc": t["min_cell"], "mn": t["min_n"], "th": t["threshold"], "g": [gidx[g] for g in t["group"]],
        "ratio": t["ratio"], "status": t["status"], "label": t["label"],
    })
    d = d.assign(shown=d["ratio"].fillna(0.0))
    names = pd.DataFrame({"g": np.arange(len(groups)), "group": groups})
    here = "datum.mc == min_cell && datum.mn == min_n && abs(datum.th - threshold) < 1e-9"
    base = alt.Chart(d).transform_filter(here).transform_lookup(
        lookup="g", from_=alt.LookupData(names, "g", ["group"]))
    y = alt.Y("group:N", title=None, sort=groups, axis=None, scale=alt.Scale(paddingInner=0.55, paddingOuter=0.4))
    finite = t["ratio"].to_numpy(dtype=float)
    x_max = max(float(np.nanmax(finite)) if np.isfinite(finite).any() else 0.0, max(ths)) * 1.1
    x = alt.X("shown:Q", title="Risk ratio (group risk / others' risk, ratio)", scale=alt.Scale(domain=[0, x_max]))
    dom_all = list(dict.fromkeys([s for s in t["status"] if s.startswith("At or above")] +
                                 [s for s in t["status"] if s.startswith("Below")] + ["Suppressed / not computed"]))
    colours = [PALETTE["below"] if s.startswith("At") else PALETTE["meets"] if s.startswith("Below")
               else PALETTE["suppressed"] for s in dom_all]
    shapes = ["triangle-right" if s.startswith("At") else "circle" if s.startswith("Below") else "cross"
              for s in dom_all]
    colour = alt.Color("status:N", scale=alt.Scale(domain=dom_all, range=colours), legend=None)
    bars = base.transform_filter("isValid(datum.ratio)").mark_bar(size=14).encode(
        y=y, x=x, color=colour,
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("label:N", title="Risk ratio")])
    marks = base.mark_point(filled=True, size=90).encode(
        y=y, x=x, color=colour, shape=alt.Shape("status:N", scale=alt.Scale(domain=dom_all, range=shapes),
                                                legend=None))
    text = base.mark_text(align="left", dx=9, fontSize=11).encode(y=y, x=x, text=alt.Text("label:N"))
    name = base.mark_text(align="left", baseline="bottom", dy=-9, fontSize=11, fontWeight="bold", x=0).encode(
        y=y, text=alt.Text("group:N"))
    one = alt.Chart(pd.DataFrame({"one": [1]})).transform_calculate(
        shown="threshold", t="'threshold ' + format(threshold, '~g')")
    rule = one.mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("shown:Q"))
    rule_t = one.mark_text(align="left", dx=4, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("shown:Q"), text=alt.Text("t:N"))
    chart = alt.layer(bars, marks, rule, rule_t, text, name).properties(width=width, height=40 * len(groups))

    summ = t.groupby(["min_cell", "min_n", "threshold"], sort=False).agg(
        n_above=("above", "sum"), n_sup=("status", lambda s: int((s == "Suppressed / not computed").sum())),
        above_names=("group", lambda g: ", ".join(g[t.loc[g.index, "above"]]))).reset_index()
    summ = summ.rename(columns={"min_cell": "mc", "min_n": "mn", "threshold": "th"})
    summ["line1"] = [f"Threshold {_fmt(th)}: {int(a)} group(s) at or above" + (f" ({nm})" if nm else "")
                     for th, a, nm in zip(summ["th"], summ["n_above"], summ["above_names"])]
    summ["line2"] = [f"Minimum cell size {mc}, minimum n-size {mn}: {int(k)} of {len(groups)} groups suppressed "
                     "or not computed (no bar)."
                     for mc, mn, k in zip(summ["mc"], summ["mn"], summ["n_sup"])]
    summ = summ[["mc", "mn", "th", "line1", "line2"]]
    text_panel = _lines(summ, here, ["line1", "line2"], width=width + 200, title=None)
    legend_df = pd.DataFrame({"k": [0, 1, 2], "t": [
        "Vermillion bar and triangle: at or above the threshold",
        "Blue bar and circle: below the threshold",
        "Grey cross, no bar: ratio not computed (the words say why)"]})
    key = alt.layer(*[
        alt.Chart(legend_df).transform_filter(f"datum.k == {k}").mark_text(
            align="left", baseline="top", fontSize=11, x=0, y=16 * k).encode(text=alt.Text("t:N"))
        for k in range(3)]).properties(width=width + 200, height=48)

    head = title or f"Equity explorer: risk ratio for {outcome}, by group"
    sub = ["Synthetic (made-up) students, for practice. Each State sets its own threshold and minimums; "
           "10 and 30 or less are presumptively reasonable (34 CFR 300.647).",
           "Choose with the buttons under the chart. Small groups are hidden at every choice."]
    desc = (f"Interactive equity explorer: risk ratios for {outcome} for {len(groups)} groups. Choose the "
            f"minimum cell size ({', '.join(map(str, mcs))}), the minimum n-size ({', '.join(map(str, mns))}) "
            f"and the threshold ({', '.join(_fmt(x) for x in ths)}); groups under a minimum are shown as "
            "suppressed or not computed, in words.")
    return alt.vconcat(text_panel, chart, key, spacing=10).add_params(*params).properties(
        title=alt.TitleParams(head, subtitle=sub, anchor="start"), description=desc)


# ---------------------------------------------------------------------------
# Behaviour explorers (course 9): the October catch, and the SRSS
# ---------------------------------------------------------------------------


def odr_month_table(
    events: pd.DataFrame,
    students: Any,
    *,
    majors_only: bool = True,
    student: str = "student_id",
    date: str = "date",
    severity: str = "type",
) -> pd.DataFrame:
    """Students per ODR band at the end of every month, and the "October catch".

    For each month from the first to the last referral, every student's
    major referrals up to the end of that month are put in a band by
    :func:`mtss_teach.behavior.odr_band` (0-1 / 2-5 / 6+). The students
    whose year-end band (the last month) is 6+ are followed back: how many
    of them were already past the lowest band (2 or more) by then.

    Parameters
    ----------
    events, students, majors_only, student, date, severity
        As in :func:`mtss_teach.charts.odr_counts` (``students`` is the
        roster, so students with no referral are counted).

    Returns
    -------
    pandas.DataFrame
        One row per (month, band): ``month_no`` (1 = the first month),
        ``month`` ("2025-10"), ``label`` ("Oct 2025"), ``band``,
        ``tier_pattern``, ``students``, ``share``, ``n`` (roster size),
        ``year_top`` (students in the top band at the end of the year),
        ``caught`` (of those, past the lowest band by this month) and
        ``caught_share``, and the text the page shows: ``line1, line2,
        line3``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import odr_month_table
    >>> ev = pd.DataFrame({"student_id": [1] * 6 + [2], "type": ["major"] * 7,
    ...                    "date": ["2025-09-02", "2025-10-01", "2025-11-03", "2025-11-04", "2025-12-01",
    ...                             "2025-12-02", "2025-10-09"]})
    >>> t = odr_month_table(ev, [1, 2, 3])
    >>> t.query("band == '6+'")[["label", "students", "caught"]].values.tolist()
    [['Sep 2025', 0, 0], ['Oct 2025', 0, 1], ['Nov 2025', 0, 1], ['Dec 2025', 1, 1]]
    """
    from . import behavior
    from .charts import odr_counts

    # The chart layer's counter checks the columns, the roster (duplicates, unknown ids) and the dates.
    odr_counts(events, "band", students=students, majors_only=majors_only, student=student, date=date,
               severity=severity)
    odr_counts(events, "month", majors_only=majors_only, student=student, date=date, severity=severity)
    ev = events
    if majors_only:
        ev = ev[ev[severity].astype(str).str.strip().str.lower() == "major"]
    ids = students[student] if isinstance(students, pd.DataFrame) else pd.Series(list(students))
    if ev.empty:
        raise DataError("events: no major referrals to count" if majors_only else "events: no referrals to count")
    per = pd.to_datetime(ev[date]).dt.to_period("M")
    months = pd.period_range(per.min(), per.max(), freq="M")
    counts = pd.crosstab(ev[student].to_numpy(), per.to_numpy()).reindex(
        index=ids.to_numpy(), columns=months, fill_value=0)
    cum = counts.to_numpy(dtype=np.int64).cumsum(axis=1)
    bands = np.asarray(behavior.odr_band(cum.ravel()), dtype=object).reshape(cum.shape)
    table = behavior.odr_bands()
    labels = table["band"].astype(str).tolist()
    pattern = dict(zip(labels, table["tier_pattern"].astype(str)))
    low, top = labels[0], labels[-1]
    n = int(len(ids))
    year_top = bands[:, -1] == top
    k_top = int(year_top.sum())
    rows = []
    for j, m in enumerate(months):
        col = bands[:, j]
        caught = int(((col != low) & year_top).sum())
        cs = caught / k_top if k_top else float("nan")
        by = {b: int((col == b).sum()) for b in labels}
        lab = m.strftime("%b %Y")
        line1 = f"By the end of {lab}: " + "; ".join(
            f"{by[b]} student{'s' if by[b] != 1 else ''} with {b} major referrals" for b in labels[1:]) + "."
        line2 = f"Bands so far ({n} students): " + "; ".join(
            f"{b}: {by[b]} ({_fmt(100 * by[b] / n, 1)}%)" for b in labels) + "."
        line3 = (f"Of the {k_top} students with {top} by the end of the year, {caught} ({_pct(cs)}) already had "
                 f"{table['low'].iloc[1]:g} or more by the end of {lab}." if k_top else
                 f"No student reaches {top} by the end of the year.")
        for b in labels:
            rows.append({"month_no": j + 1, "month": str(m), "label": lab, "band": b, "tier_pattern": pattern[b],
                         "students": by[b], "share": by[b] / n, "n": n, "year_top": k_top, "caught": caught,
                         "caught_share": cs, "line1": line1, "line2": line2, "line3": line3})
    return pd.DataFrame(rows)


def odr_explorer(
    events: pd.DataFrame,
    students: Any,
    *,
    month: str | None = None,
    majors_only: bool = True,
    student: str = "student_id",
    date: str = "date",
    severity: str = "type",
    title: str | None = None,
    width: int = 560,
) -> alt.VConcatChart:
    """A month slider: who is in each ODR band by then, and the "October catch".

    Everything shown is a row of :func:`odr_month_table` (bands from
    :func:`mtss_teach.behavior.odr_band` on each student's referrals so far).

    Parameters
    ----------
    events, students, majors_only, student, date, severity
        As in :func:`odr_month_table`.
    month : str, optional
        Starting month, e.g. "2025-10" (default: the third month, or the last).
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        One parameter, ``month_no`` (1 = the first month), bound to a range input.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.explorers import odr_explorer
    >>> ev = pd.DataFrame({"student_id": [1, 1, 2], "type": ["major"] * 3,
    ...                    "date": ["2025-09-02", "2025-10-01", "2025-10-09"]})
    >>> [(p["name"], p["value"]) for p in odr_explorer(ev, [1, 2], month="2025-10").to_dict()["params"]]
    [('month_no', 2)]
    """
    t = odr_month_table(events, students, majors_only=majors_only, student=student, date=date, severity=severity)
    months = t.drop_duplicates("month_no")[["month_no", "month", "label", "caught", "caught_share", "year_top",
                                            "line1", "line2", "line3"]]
    k = len(months)
    if month is None:
        m0 = min(3, k)
    else:
        hit = months.index[months["month"] == str(month).strip()[:7]]
        if len(hit) == 0:
            raise DataError(f"month: {month!r} is not one of the months with data "
                            f"({months['month'].iloc[0]} to {months['month'].iloc[-1]})")
        m0 = int(months.loc[hit[0], "month_no"])
    first, last = months["label"].iloc[0], months["label"].iloc[-1]
    p = alt.param(name="month_no", value=m0, bind=alt.binding_range(
        min=1, max=k, step=1, name=f"End of month (1 = {first}, {k} = {last}) "))
    at = "datum.month_no == month_no"
    text_panel = _lines(months[["month_no", "line1", "line2", "line3"]], at, ["line1", "line2", "line3"],
                        width=width, bold=(0,))

    bands = t[["month_no", "band", "tier_pattern", "students", "share"]].assign(
        row=[f"{b} ({tp})" for b, tp in zip(t["band"], t["tier_pattern"])],
        label=[f"{s} ({_fmt(100 * sh, 1)}%)" for s, sh in zip(t["students"], t["share"])])
    rows = list(dict.fromkeys(bands["row"]))
    x_b = alt.X("row:N", title="Major referrals so far (band)", sort=rows, axis=alt.Axis(labelAngle=0))
    bb = alt.Chart(bands).transform_filter(at)
    b_bars = bb.mark_bar(size=40).encode(
        x=x_b, y=alt.Y("students:Q", title="Students (count)", axis=alt.Axis(orient="right"),
                       scale=alt.Scale(type="linear", zero=True)),
        color=alt.Color("row:N", scale=alt.Scale(domain=rows, range=[PALETTE["tier1"], PALETTE["tier2"],
                                                                     PALETTE["tier3"]][:len(rows)]), legend=None),
        tooltip=[alt.Tooltip("row:N", title="Band"), alt.Tooltip("label:N", title="Students")])
    b_text = bb.mark_text(dy=-8, fontSize=11).encode(x=x_b, y=alt.Y("students:Q"), text=alt.Text("label:N"))
    band_panel = alt.layer(b_bars, b_text).properties(
        width=220, height=180,
        title=alt.TitleParams("Students by band", anchor="start", fontSize=12))

    order = list(months["label"])
    curve = months[["month_no", "label", "caught_share"]].assign(pct=[_pct(c) for c in months["caught_share"]])
    x_m = alt.X("label:N", title="End of month", sort=order, axis=alt.Axis(labelAngle=-45))
    y_m = alt.Y("caught_share:Q", title="Share already at 2 or more (%)", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"))
    c_line = alt.Chart(curve).mark_line(point=True, color=PALETTE["score"]).encode(
        x=x_m, y=y_m, tooltip=[alt.Tooltip("label:N", title="End of"), alt.Tooltip("pct:N", title="Already 2+")])
    c_now = alt.Chart(curve).transform_filter(at).mark_point(
        shape="diamond", size=200, filled=True, color=PALETTE["used"], stroke=OKABE_ITO["black"]).encode(x=x_m, y=y_m)
    c_txt = alt.Chart(curve).transform_filter(at).mark_text(dy=-14, fontWeight="bold", fontSize=11).encode(
        x=x_m, y=y_m, text=alt.Text("pct:N"))
    top = t["band"].iloc[-1]
    curve_panel = alt.layer(c_line, c_now, c_txt).properties(
        width=230, height=180,
        title=alt.TitleParams(f"Year-end {top} students already at 2+ (diamond: now)", anchor="start",
                              fontSize=12))

    head = title or "The October catch: office discipline referrals month by month"
    desc = (f"Interactive office-discipline-referral explorer: move the month slider ({first} to {last}); the "
            "text and bars show how many students are in each band of major referrals by the end of that "
            f"month, and the line shows what share of the students who end the year with {top} referrals "
            "already had 2 or more by then.")
    row = alt.hconcat(band_panel, curve_panel, spacing=60).resolve_scale(color="independent")
    return alt.vconcat(text_panel, row, spacing=12).add_params(p).properties(
        title=alt.TitleParams(head, subtitle=["Bands: 0-1 / 2-5 / 6+ major referrals (the usual Tier 1 / 2 / 3 "
                                              "pattern). Move the slider under the chart."], anchor="start"),
        description=desc)


def srss_param_name(item: int) -> str:
    """Name of the page parameter (and its radio inputs) for SRSS item 1-7.

    Examples
    --------
    >>> from mtss_teach.explorers import srss_param_name
    >>> srss_param_name(3)
    'srss_3'
    """
    from .behavior import SRSS_ITEMS

    k = check_number(item, "item", lo=1, hi=SRSS_ITEMS, integer=True)
    return f"srss_{int(k)}"


def srss_explorer(
    item_scores: Any = None,
    *,
    title: str | None = None,
    width: int = 520,
) -> alt.VConcatChart:
    """Seven 0-3 buttons (the SRSS items); the total and its risk band.

    The page adds the seven item scores (the SRSS total is their sum,
    Drummond 1994) and looks the total up in a table of every possible
    total (0-21) and its band from :func:`mtss_teach.behavior.srss_risk`;
    the tests compare the page with :func:`mtss_teach.behavior.srss_total`
    and ``srss_risk`` in a browser.

    Parameters
    ----------
    item_scores : sequence of 7 ints 0-3, optional
        Starting scores in item order (default all 0); validated by
        :func:`mtss_teach.behavior.srss_total`.
    title : str, optional
    width : int

    Returns
    -------
    altair.VConcatChart
        Parameters ``srss_1`` to ``srss_7`` (:func:`srss_param_name`), radio buttons.

    Examples
    --------
    >>> from mtss_teach.explorers import srss_explorer
    >>> spec = srss_explorer([0, 1, 2, 0, 3, 1, 0]).to_dict()
    >>> [p["value"] for p in spec["params"]]
    [0, 1, 2, 0, 3, 1, 0]
    """
    from . import behavior

    items = behavior.srss_items()
    k = len(items)
    if item_scores is None:
        start = [0] * k
    else:
        behavior.srss_total(item_scores)  # the library validates: 7 whole numbers 0-3
        start = [int(v) for v in np.asarray(item_scores, dtype=float).ravel()]
    names = [srss_param_name(i + 1) for i in range(k)]
    labels = [f"{int(i)}. {lab} " for i, lab in zip(items["item"], items["label"])]
    params = [alt.param(name=pn, value=v, bind=alt.binding_radio(options=[0, 1, 2, 3], name=lab))
              for pn, v, lab in zip(names, start, labels)]
    bands = behavior.srss_bands()
    totals = pd.DataFrame({"total": np.arange(3 * k + 1)})
    totals["band"] = behavior.srss_risk(totals["total"].to_numpy())
    rng = {b: f"{lo}-{hi}" for b, lo, hi in zip(bands["band"], bands["low"], bands["high"])}
    totals["summary"] = [f"SRSS total {tt} of {3 * k}: {b} risk ({rng[b]})" for tt, b in zip(totals["total"],
                                                                                           totals["band"])]
    score_expr = "[" + ", ".join(names) + "][datum.idx]"
    df = pd.DataFrame({"idx": np.arange(k), "label": [f"{int(i)}. {lab}" for i, lab in
                                                       zip(items["item"], items["label"])]})
    summed = (alt.Chart(df).transform_calculate(score=score_expr)
              .transform_aggregate(total="sum(score)")
              .transform_lookup(lookup="total", from_=alt.LookupData(totals, "total", ["band", "summary"])))
    summary = summed.mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold", x=0, y=4).encode(
        text=alt.Text("summary:N")).properties(name=LIVE, width=width, height=24)

    band_df = pd.DataFrame({"band": bands["band"].astype(str), "lo": bands["low"].astype(float) - 0.5,
                            "hi": bands["high"].astype(float) + 0.5})
    band_df["text"] = [f"{b} ({rng[b]})" for b in band_df["band"]]
    band_dom = list(band_df["band"])
    fills = [_tint(c, 0.25) for c in (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["vermillion"])][:len(band_dom)]
    x_t = alt.X("lo:Q", title=f"SRSS total (0-{3 * k}; each item 0-3)", scale=alt.Scale(domain=[-0.5, 3 * k + 0.5],
                                                                                     nice=False))
    rects = alt.Chart(band_df).mark_rect().encode(
        x=x_t, x2=alt.X2("hi:Q"), color=alt.Color("band:N", scale=alt.Scale(domain=band_dom, range=fills),
                                                   legend=None))
    rect_txt = alt.Chart(band_df).transform_calculate(mid="(datum.lo + datum.hi) / 2").mark_text(
        baseline="top", y=4, fontSize=11).encode(x=alt.X("mid:Q"), text=alt.Text("text:N"))
    marker = summed.transform_calculate(lo="datum.total").mark_point(
        shape="triangle-down", size=260, filled=True, color=OKABE_ITO["black"], y=34).encode(x=alt.X("lo:Q"))
    marker_t = summed.transform_calculate(lo="datum.total", t="'total ' + datum.total").mark_text(
        y=52, fontWeight="bold", fontSize=12).encode(x=alt.X("lo:Q"), text=alt.Text("t:N"))
    scale_panel = alt.layer(rects, rect_txt, marker, marker_t).properties(width=width, height=64)

    y = alt.Y("label:N", title="SRSS item", sort=list(df["label"]), axis=alt.Axis(labelLimit=300, orient="right"))
    item_bars = alt.Chart(df).transform_calculate(score=score_expr).mark_bar(color=PALETTE["score"], size=12).encode(
        y=y, x=alt.X("score:Q", title="Item score (0-3)", scale=alt.Scale(domain=[0, 3]),
                     axis=alt.Axis(values=[0, 1, 2, 3], format="d")))
    items_chart = item_bars.properties(width=width - 220, height=18 * k,
                                       title=alt.TitleParams("Items (set them with the buttons under the chart)",
                                                             anchor="start", fontSize=12))
    head = title or "SRSS explorer: Student Risk Screening Scale"
    sub = [f"{k} items, each 0-3; total 0-{3 * k}; bands " + ", ".join(f"{b} {rng[b]}" for b in band_dom)
           + " (Drummond 1994)."]
    desc = (f"Interactive Student Risk Screening Scale explorer: {k} radio-button groups set each item to 0, 1, 2 "
            "or 3; the text and the marker show the total and its risk band.")
    return alt.vconcat(summary, scale_panel, items_chart, spacing=12).add_params(*params).properties(
        title=alt.TitleParams(head, subtitle=sub, anchor="start"), description=desc)
