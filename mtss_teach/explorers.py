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

Display the returned chart in a book page (MyST notebook) and it works offline
through :mod:`mtss_teach.sphinxext`.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any, Mapping

import altair as alt
import numpy as np
import pandas as pd

from . import fidelity, progress, screening
from ._validate import as_binary_array, as_float_array, check_choice, check_number, check_same_length
from .charts import ACTION_LABELS, OKABE_ITO, PALETTE, _fmt, _nice_width, _p
from .errors import DataError

__all__ = [
    "MAX_CUTS",
    "screening_cut_table",
    "screening_cut_explorer",
    "aimline_decision_table",
    "aimline_explorer",
    "fidelity_explorer",
    "tfi_param_name",
]

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
    text_panel = alt.layer(*text_layers).properties(width=width + 280, height=4 + 22 * len(lines),
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
    y_max = float(hist.groupby(["outcome", "coarse"])["count"].sum().max()) * 1.1
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
                y=alt.Y("count:Q", title="Students (count)", stack="zero", scale=alt.Scale(domain=[0, y_max])),
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
        width=width, height=70, title=alt.TitleParams("The rule's answer", anchor="start", fontSize=12))

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
    summary_panel = summary.properties(width=width, height=24)
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
