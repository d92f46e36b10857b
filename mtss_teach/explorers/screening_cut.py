"""The screening cut explorer: a cut-score slider over the library's classification accuracy."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import screening
from .._validate import as_binary_array, as_float_array, check_choice, check_number, check_same_length
from ..charts import OKABE_ITO, PALETTE
from ..errors import DataError
from ..formatting import fixed, number
from ..charts import nice_bin_width as _nice_width
from ._shared import LIVE, _grid, _near

__all__ = ["screening_cut_table", "screening_cut_explorer"]


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
        f"Cut {number(c, 4)}: {f} of {n} students flagged (score {word} {number(c, 4)})"
        for c, f, n in zip(t["cut"], t["flagged"], t["n"])
    ]
    t["sensitivity_text"] = [
        f"Sensitivity {fixed(v)}: {tp} of {tp + fn} at-risk students flagged"
        for v, tp, fn in zip(t["sensitivity"], t["tp"], t["fn"])
    ]
    t["specificity_text"] = [
        f"Specificity {fixed(v)}: {tn} of {tn + fp} not-at-risk students not flagged"
        for v, tn, fp in zip(t["specificity"], t["tn"], t["fp"])
    ]
    t["ppv_text"] = [
        f"PPV {fixed(v)}: {tp} of {tp + fp} flagged students are at risk"
        for v, tp, fp in zip(t["ppv"], t["tp"], t["fp"])
    ]
    return t


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
            f"Move the cut-score slider ({number(cuts[0], 4)} to {number(cuts[-1], 4)}); the text shows how many "
            "students are flagged and the sensitivity, specificity and positive predictive value at that cut, "
            "the histograms show who is flagged, and the ROC curve marks the cut.")
    chart = alt.vconcat(text_panel, alt.hconcat(hists, roc), spacing=12).add_params(param).properties(
        title=alt.TitleParams(head, subtitle=[f"Flag students whose score is {direction} the cut. Move the "
                                              "slider under the chart."], anchor="start"),
        description=desc,
    )
    return chart
