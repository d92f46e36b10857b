"""Altair chart builders for MTSS decisions.

Every builder takes library results (or the tidy frames the library and the
cohorts produce) and returns an Altair chart ready to display in a notebook,
a book page (see :mod:`mtss_teach.sphinxext`) or a Voila app. The decision
logic is never re-implemented here: the builders call
:mod:`mtss_teach.progress`, :mod:`mtss_teach.screening`,
:mod:`mtss_teach.fidelity`, :mod:`mtss_teach.equity` and
:mod:`mtss_teach.behavior`, and only draw what those return.

Conventions shared by every chart:

* a title, axis titles with units, and a ``description`` (the accessible
  name: the book puts it on the chart as ``aria-label``);
* colours from one colour-blind-safe palette (Okabe-Ito, :data:`OKABE_ITO`),
  and never colour alone: shapes, dashes and text labels carry the same
  meaning;
* no chart embeds more than a few hundred rows: scores are binned and events
  counted in pandas first, so a 100,000-student cohort never reaches
  Altair's 5,000-row limit;
* no ``.configure_*`` calls, so charts can be layered or concatenated by the
  apps.
"""

from __future__ import annotations

import math
import sys
import textwrap
from typing import Any, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from . import behavior, progress, screening
from .behavior import odr_counts  # noqa: F401  (public here too: the charts count with it)
from .screening import tier_share_expectations  # noqa: F401  (likewise)
from ._validate import as_binary_array, as_float_array, check_choice, check_number, check_same_length
from .errors import DataError
from .formatting import fixed, number, percent

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "ACTION_LABELS",
    "tier_share_expectations",
    "progress_chart",
    "accuracy_by_weeks_chart",
    "screening_chart",
    "screening_histogram",
    "roc_chart",
    "confusion_matrix_chart",
    "tier_share_chart",
    "tfi_chart",
    "risk_ratio_chart",
    "odr_counts",
    "academy_school_days",
    "odr_chart",
]

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), defined once.
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

#: Semantic roles -> Okabe-Ito colours, used by every chart (and the explorers).
PALETTE: dict[str, str] = {
    "score": OKABE_ITO["blue"],
    "baseline": OKABE_ITO["black"],
    "used": OKABE_ITO["vermillion"],
    "aimline": OKABE_ITO["orange"],
    "trend": OKABE_ITO["bluish_green"],
    "phase": OKABE_ITO["black"],
    "flagged": OKABE_ITO["vermillion"],
    "not_flagged": OKABE_ITO["blue"],
    "correct": OKABE_ITO["blue"],
    "error": OKABE_ITO["vermillion"],
    "meets": OKABE_ITO["blue"],
    "below": OKABE_ITO["vermillion"],
    "reference": OKABE_ITO["black"],
    "suppressed": "#767676",  # grey with 4.5:1 contrast on white
    "text": "#333333",
    "background": "#FFFFFF",
    "tier1": OKABE_ITO["blue"],
    "tier2": OKABE_ITO["orange"],
    "tier3": OKABE_ITO["reddish_purple"],
}



def tint(hex_colour: str, amount: float) -> str:
    """Mix a colour with white: ``amount`` of the colour, ``1 - amount`` white."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - amount * (255 - c)):02X}" for c in rgb)


#: Light fills (Okabe-Ito blue and vermillion mixed with white) for table cells.
PALETTE["correct_fill"] = tint(OKABE_ITO["blue"], 0.15)
PALETTE["error_fill"] = tint(OKABE_ITO["vermillion"], 0.15)

#: Plain-language label for each progress-monitoring action (the one table is
#: :data:`mtss_teach.progress.ACTION_LABELS`; kept here under its old name).
ACTION_LABELS = progress.ACTION_LABELS


def _wrap(text: str, width: int = 90) -> list[str]:
    return textwrap.wrap(text, width=width) or [""]


def _title(text: str, subtitle: Sequence[str] | str | None = None) -> alt.TitleParams:
    if subtitle is None:
        return alt.TitleParams(text=text, anchor="start")
    sub = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return alt.TitleParams(text=text, subtitle=sub, anchor="start", subtitleColor=PALETTE["text"])


def _legend(title: str, orient: str = "right") -> alt.Legend:
    return alt.Legend(title=title, orient=orient, symbolStrokeWidth=2, labelLimit=320)


# ---------------------------------------------------------------------------
# Progress monitoring
# ---------------------------------------------------------------------------


def _phase_changes(phase_changes: Any) -> pd.DataFrame:
    if phase_changes is None:
        return pd.DataFrame({"week": pd.Series(dtype=float), "label": pd.Series(dtype=object)})
    if isinstance(phase_changes, Mapping):
        keys, labels = list(phase_changes.keys()), [str(v) for v in phase_changes.values()]
    else:
        keys = list(np.atleast_1d(np.asarray(phase_changes, dtype=object)))
        labels = ["Phase change"] * len(keys)
    w, _ = as_float_array(keys, "phase_changes", what="week", allow_empty=True)
    return pd.DataFrame({"week": w, "label": labels})


def accuracy_by_weeks_chart(curve: pd.DataFrame, weeks: int, *, rule: str, sem: float,
                            week_range: tuple[int, int] = (4, 20)) -> alt.LayerChart:
    """Line chart: share of right decisions against weeks of monitoring, marking the chosen weeks.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`mtss_teach.progress.accuracy_by_weeks` (columns ``weeks``,
        ``correct``, ``waiting``).
    weeks : int
        The weeks to mark (a diamond, labelled in words as well as colour).
    rule : str
        The decision rule (a key of :data:`mtss_teach.progress.RULE_LABELS`).
    sem : float
        The probe's standard error of measurement (WCPM), for the subtitle.
    week_range : (int, int)
        The x axis.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.charts import accuracy_by_weeks_chart
    >>> curve = pd.DataFrame({"weeks": [6, 7, 8], "correct": [0.0, 0.0, 0.62], "waiting": [True, True, False]})
    >>> accuracy_by_weeks_chart(curve, 8, rule="trend", sem=10).to_dict()["title"]["text"]
    'How often the trend rule is right'
    """
    rule = check_choice(rule, "rule", tuple(progress.RULE_LABELS))
    full = curve
    curve = full[~full["waiting"]].rename(columns={"correct": "accuracy"})
    here = full[full["weeks"] == weeks].rename(columns={"correct": "accuracy"})
    here = here.assign(label=[f"{weeks} weeks: waiting for more data" if w else f"{weeks} weeks: {percent(a, 1)} right"
                              for a, w in zip(here["accuracy"], here["waiting"])])
    waits = full.loc[full["waiting"], "weeks"]
    x = alt.X("weeks:Q", title="Weeks of monitoring (weekly points)", scale=alt.Scale(domain=list(week_range)))
    y = alt.Y("accuracy:Q", title="Decisions right (proportion of students)", scale=alt.Scale(domain=[0, 1]))
    line = alt.Chart(curve).mark_line(color=PALETTE["score"], strokeWidth=2.5,
                                      point=alt.OverlayMarkDef(color=PALETTE["score"], size=30)).encode(
        x=x, y=y, tooltip=[alt.Tooltip("weeks:Q"), alt.Tooltip("accuracy:Q", format=".1%")])
    mark = alt.Chart(here).mark_point(shape="diamond", size=220, filled=True, color=PALETTE["used"],
                                      stroke="#000000").encode(x="weeks:Q", y="accuracy:Q")
    text = alt.Chart(here).mark_text(align="left", dx=10, dy=-10, fontSize=12, fontWeight="bold").encode(
        x="weeks:Q", y="accuracy:Q", text="label:N")
    wait_txt = (f"With fewer than {int(waits.max()) + 1} weekly points the rule does not decide (it waits for "
                "more data)." if len(waits) else "")
    desc = (f"Share of right decisions by weeks of monitoring for the {progress.RULE_LABELS[rule]} at SEM "
            f"{number(sem, 2)} WCPM: " + "; ".join(f"{w} weeks {percent(a, 1)}" for w, a in
                                                  zip(curve["weeks"], curve["accuracy"])) + ". " + wait_txt)
    return alt.layer(line, mark, text).properties(
        title=alt.TitleParams(f"How often the {progress.RULE_LABELS[rule]} is right",
                              subtitle=[f"SEM {number(sem, 2)} WCPM; the diamond marks {weeks} weeks."]
                              + ([wait_txt] if wait_txt else [])),
        description=desc, width=460, height=200)


def progress_chart(
    weeks: Any,
    scores: Any,
    aimline: progress.Aimline,
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
    """Progress-monitoring graph: scores, baseline, aimline, trend, phases, decision.

    Parameters
    ----------
    weeks, scores : array-like
        The monitoring points after baseline (as for
        :func:`mtss_teach.progress.decide`).
    aimline : mtss_teach.progress.Aimline
        The goal line, from :func:`mtss_teach.progress.aimline`.
    baseline_weeks, baseline_scores : array-like, optional
        The baseline probes, drawn as squares.
    trend : str, Trend or None, default "ols"
        A method name for :func:`mtss_teach.progress.trend` (fitted to the
        monitoring points), a fitted :class:`~mtss_teach.progress.Trend`, or
        None for no trend line. With too few points for the method, the
        chart says so instead of drawing a line.
    decision : str, Decision or None, default "four_point"
        A rule name for :func:`mtss_teach.progress.decide`, a
        :class:`~mtss_teach.progress.Decision` already made, or None. The
        action and its reason are printed under the title; for the
        four-point rule the points it used are drawn as diamonds.
    phase_changes : list of weeks or {week: label}, optional
        Dotted vertical lines (for example a change of intervention).
    measure, units : str
        For the title and the y-axis title.
    title : str, optional
    width, height : int

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> from mtss_teach import progress
    >>> from mtss_teach.charts import progress_chart
    >>> line = progress.aimline([1, 2, 3], [30, 32, 31], goal=55, goal_week=14)
    >>> weeks = list(range(4, 12))
    >>> chart = progress_chart(weeks, [32, 33, 34, 33, 35, 34, 36, 35], line,
    ...                        baseline_weeks=[1, 2, 3], baseline_scores=[30, 32, 31])
    >>> chart.to_dict()["title"]["subtitle"][0]
    'Decision (four-point rule): Change the intervention.'
    """
    w, _ = as_float_array(weeks, "weeks", what="week")
    s, _ = as_float_array(scores, "scores")
    check_same_length(weeks=w, scores=s)
    if not isinstance(aimline, progress.Aimline):
        raise DataError(
            f"aimline: expected an Aimline (from progress.aimline), got {type(aimline).__name__}"
        )
    if (baseline_weeks is None) != (baseline_scores is None):
        raise DataError("baseline_weeks, baseline_scores: give both or neither")
    if baseline_weeks is not None:
        bw, _ = as_float_array(baseline_weeks, "baseline_weeks", what="week")
        bs, _ = as_float_array(baseline_scores, "baseline_scores")
        check_same_length(baseline_weeks=bw, baseline_scores=bs)
    else:
        bw = bs = np.zeros(0)
    phases = _phase_changes(phase_changes)
    order = np.argsort(w, kind="stable")
    w, s = w[order], s[order]

    # Library results: the decision and the trend.
    dec = decision
    if isinstance(decision, str):
        check_choice(decision, "decision", progress.RULES)
        dec = progress.decide(w, s, aimline, rule=decision)
    elif decision is not None and not isinstance(decision, progress.Decision):
        raise DataError(
            f"decision: expected a rule name, a Decision or None, got {type(decision).__name__}"
        )
    tr = trend
    trend_note = None
    if isinstance(trend, str):
        method = check_choice(trend, "trend", progress.TREND_METHODS)
        try:
            tr = progress.trend(w, s, method=method)
        except DataError as exc:  # too few points / one week only: say so, draw no line
            tr = None
            trend_note = f"No trend line yet ({exc})."
    elif trend is not None and not isinstance(trend, progress.Trend):
        raise DataError(f"trend: expected a method name, a Trend or None, got {type(trend).__name__}")

    role = np.full(w.size, "Monitoring score", dtype=object)
    if dec is not None and dec.rule == "four_point" and dec.action != "collect_more_data":
        role[-dec.points_used:] = "Used by the four-point rule"
    pts = pd.DataFrame(
        {
            "week": np.concatenate([bw, w]),
            "score": np.concatenate([bs, s]),
            "role": np.concatenate([np.full(bw.size, "Baseline score", dtype=object), role]),
        }
    )
    role_domain = ["Baseline score", "Monitoring score", "Used by the four-point rule"]
    role_colors = [PALETTE["baseline"], PALETTE["score"], PALETTE["used"]]
    role_shapes = ["square", "circle", "diamond"]

    all_weeks = np.concatenate([bw, w, [aimline.start_week, aimline.goal_week]])
    lines = [
        {"line": "Goal line (aimline)", "week": aimline.start_week, "score": aimline.start_score},
        {"line": "Goal line (aimline)", "week": aimline.goal_week, "score": aimline.goal},
    ]
    line_domain = ["Goal line (aimline)"]
    line_colors = [PALETTE["aimline"]]
    line_dash = [[8, 4]]
    if tr is not None:
        name = f"Trend ({progress.TREND_METHOD_LABELS.get(tr.method, tr.method)}): {number(tr.slope)} a week"
        x0, x1 = float(w.min()), float(w.max())
        lines += [{"line": name, "week": x0, "score": float(tr.at(x0))},
                  {"line": name, "week": x1, "score": float(tr.at(x1))}]
        line_domain.append(name)
        line_colors.append(PALETTE["trend"])
        line_dash.append([1, 0])
    lines_df = pd.DataFrame(lines)

    x_min = float(np.floor(all_weeks.min())) - 0.5
    x_max = float(np.ceil(max(all_weeks.max(), phases["week"].max() if len(phases) else -np.inf))) + 0.5
    x_scale = alt.Scale(domain=[x_min, x_max], nice=False)
    x_axis = alt.X("week:Q", title="Week (school week number)", scale=x_scale)
    y_title = f"{measure} ({units})"

    line_layer = (
        alt.Chart(lines_df)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x_axis,
            y=alt.Y("score:Q", title=y_title),
            color=alt.Color("line:N", scale=alt.Scale(domain=line_domain, range=line_colors),
                            legend=_legend("Lines", "right")),
            strokeDash=alt.StrokeDash("line:N", scale=alt.Scale(domain=line_domain, range=line_dash),
                                      legend=_legend("Lines", "right")),
            detail=alt.Detail("line:N"),
        )
    )
    goal_df = pd.DataFrame({"week": [aimline.goal_week], "score": [aimline.goal],
                            "label": [f"Goal {number(aimline.goal, 1)} by week {number(aimline.goal_week)}"]})
    goal_layer = alt.Chart(goal_df).mark_point(shape="cross", size=140, filled=True,
                                               color=PALETTE["aimline"]).encode(x=alt.X("week:Q"), y=alt.Y("score:Q"))
    goal_text = alt.Chart(goal_df).mark_text(align="right", dx=-8, dy=-10, fontSize=11,
                                             color=PALETTE["text"]).encode(x=alt.X("week:Q"), y=alt.Y("score:Q"), text=alt.Text("label:N"))
    path_layer = alt.Chart(pts).transform_filter("datum.role != 'Baseline score'").mark_line(color=PALETTE["score"], strokeWidth=1, opacity=0.6).encode(
        x=alt.X("week:Q"), y=alt.Y("score:Q")
    )
    point_layer = alt.Chart(pts).mark_point(filled=True, size=70, opacity=1).encode(
        x=x_axis,
        y=alt.Y("score:Q", title=y_title),
        color=alt.Color("role:N", scale=alt.Scale(domain=role_domain, range=role_colors),
                        legend=_legend("Points", "right")),
        shape=alt.Shape("role:N", scale=alt.Scale(domain=role_domain, range=role_shapes),
                        legend=_legend("Points", "right")),
        tooltip=[alt.Tooltip("week:Q", title="Week"), alt.Tooltip("score:Q", title=units),
                 alt.Tooltip("role:N", title="Point")],
    )
    layers = [line_layer, path_layer, point_layer, goal_layer, goal_text]
    if len(phases):
        layers.append(alt.Chart(phases).mark_rule(strokeDash=[2, 3], strokeWidth=1.5,
                                                  color=PALETTE["phase"]).encode(x=alt.X("week:Q")))
        layers.append(alt.Chart(phases).mark_text(align="left", baseline="top", dx=4, y=2, fontSize=11,
                                                  color=PALETTE["text"]).encode(x=alt.X("week:Q"), text=alt.Text("label:N")))

    subtitle: list[str] = []
    if dec is not None:
        subtitle.append(f"Decision ({progress.RULE_LABELS.get(dec.rule, dec.rule)}): {ACTION_LABELS[dec.action]}.")
        subtitle += _wrap(dec.reason)
    if trend_note:
        subtitle += _wrap(trend_note)
    head = title or f"{measure}: progress toward the goal"
    desc = (
        f"Progress-monitoring graph of {len(bw)} baseline and {len(w)} monitoring scores "
        f"({units}), weeks {number(pts['week'].min())} to {number(pts['week'].max())}. Goal line from "
        f"{number(aimline.start_score, 1)} at week {number(aimline.start_week)} to {number(aimline.goal, 1)} "
        f"at week {number(aimline.goal_week)} ({number(aimline.slope)} a week)."
    )
    if tr is not None:
        desc += f" Trend {number(tr.slope)} a week."
    if len(phases):
        desc += " Phase changes at week " + ", ".join(number(x) for x in phases["week"]) + "."
    if dec is not None:
        desc += f" Decision: {ACTION_LABELS[dec.action]}. {dec.reason}"
    # Options go to the constructor: every .properties()/.resolve_scale() call deep-copies the chart.
    return alt.layer(
        *layers, title=_title(head, subtitle or None), description=desc, width=width, height=height,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent", shape="independent",
                                                      strokeDash="independent")),
    )


# ---------------------------------------------------------------------------
# Screening
# ---------------------------------------------------------------------------


def nice_bin_width(span: float, target_bins: int = 30) -> float:
    if not span > 0:
        return 1.0
    if not math.isfinite(span):
        raise DataError(f"the values span more than the largest float ({span:g}); they cannot be binned")
    raw = span / target_bins
    if raw < sys.float_info.min:
        # Subnormal (or underflowed to 0): no round decimal width is representable,
        # so bin by the raw width, at least the smallest positive float.
        return max(raw, math.ulp(0.0))
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)  # pragma: no cover


# Largest bin index (in bin widths from the cut) screening_histogram accepts: below
# 2**50 the index computed from (score - cut) / width is off by at most one, and
# is exact as a float and as an int64.
_MAX_BINS_FROM_CUT = 2.0**50


def _bin_index(s: np.ndarray, c: float, width: float, direction: str, lo: float, hi: float) -> np.ndarray:
    """Index k of the bin holding each score, the bins being [c + k w, c + (k+1) w)
    ("below") or (c + k w, c + (k+1) w] ("above") with the edges as computed in
    floating point; DataError if the scores cannot be binned that way."""
    too_many = (
        f"scores: from {lo:g} to {hi:g} (with the cut {c:g}) cannot be binned with bin width {width:g}"
    )
    with np.errstate(over="ignore", invalid="ignore"):
        q = (s - c) / width
    if not np.isfinite(q).all() or float(np.abs(q).max()) >= _MAX_BINS_FROM_CUT:
        raise DataError(f"{too_many}: that needs more than {_MAX_BINS_FROM_CUT:.3g} bins; use a wider bin_width")
    k = np.floor(q) if direction == "below" else np.ceil(q) - 1
    # Rounding in q can put a score one bin off; move it into the bin whose
    # computed edges hold it (edges c + k w are monotone in k, so bins tile).
    with np.errstate(over="ignore", invalid="ignore"):
        start, end = c + k * width, c + (k + 1) * width
        if direction == "below":
            k = k - (start > s) + (end <= s)
        else:
            k = k - (start >= s) + (end < s)
        start, end = c + k * width, c + (k + 1) * width
    inside = (start <= s) & (s < end) if direction == "below" else (start < s) & (s <= end)
    if not (inside & np.isfinite(start) & np.isfinite(end)).all():
        raise DataError(
            f"{too_many}: the bin edges cannot be represented at this size (the width is lost in "
            "rounding, or an edge passes the largest float); use a wider bin_width"
        )
    return k


def screening_histogram(
    scores: Any,
    cut: float,
    *,
    at_risk: Any = None,
    risk_when: str = "below",
    bin_width: float | None = None,
) -> pd.DataFrame:
    """Binned counts of screening scores, with the cut on a bin edge.

    Bins are aligned so that the cut is an edge, so every bin is either all
    flagged or all not flagged: with ``risk_when="below"`` bins are
    ``[lo, hi)`` (a score equal to the cut is not flagged, as in
    :func:`mtss_teach.screening.classification_accuracy`); with ``"above"``
    they are ``(lo, hi]``. Bin edges are ``cut + k * bin_width`` as computed
    in floating point, and each score is counted in the bin whose edges hold
    it. Scores that would need more than 2**50 bins from the cut, or whose
    bins lose their width in rounding, raise :class:`~mtss_teach.DataError`.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty (bin, outcome): ``bin_start, bin_end, outcome,
        count, flagged``. ``outcome`` is "At risk on the outcome" / "Not at
        risk on the outcome", or "All students" without ``at_risk``.

    Examples
    --------
    >>> from mtss_teach.charts import screening_histogram
    >>> screening_histogram([10, 12, 19, 20, 25], cut=20, bin_width=5)
       bin_start  bin_end       outcome  count  flagged
    0       10.0     15.0  All students      2     True
    1       15.0     20.0  All students      1     True
    2       20.0     25.0  All students      1    False
    3       25.0     30.0  All students      1    False
    """
    direction = check_choice(risk_when, "risk_when", ("below", "above"))
    c = check_number(cut, "cut")
    s, _ = as_float_array(scores, "scores")
    if at_risk is not None:
        y, _ = as_binary_array(at_risk, "at_risk")
        check_same_length(scores=s, at_risk=y)
        outcome = np.where(y, "At risk on the outcome", "Not at risk on the outcome")
    else:
        outcome = np.full(s.size, "All students", dtype=object)
    lo, hi = min(float(s.min()), c), max(float(s.max()), c)
    if bin_width is None:
        with np.errstate(over="ignore"):
            span = hi - lo
        if not math.isfinite(span):
            raise DataError(
                f"scores: the scores and the cut run from {lo:g} to {hi:g}, a range wider than the "
                "largest float; they cannot be binned"
            )
        width = nice_bin_width(span)
    else:
        width = check_number(bin_width, "bin_width", lo=0, lo_open=True)
    k = _bin_index(s, c, width, direction, lo, hi)
    frame = pd.DataFrame({"k": k.astype(np.int64), "outcome": outcome})
    counts = frame.groupby(["k", "outcome"], sort=True).size().rename("count").reset_index()
    kk = counts["k"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "bin_start": c + kk * width,
            "bin_end": c + (kk + 1) * width,
            "outcome": counts["outcome"].astype(object).to_numpy(),
            "count": counts["count"].to_numpy(dtype=np.int64),
        }
    )
    # A bin below the cut (k < 0) is flagged for "below"; above it (k >= 0) for "above".
    out["flagged"] = (kk < 0) if direction == "below" else (kk >= 0)
    return out


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
    """Distribution of screening scores with the cut line.

    Scores are binned in pandas (:func:`screening_histogram`), so any cohort
    size is fine. Flagged bins are solid vermillion, the others outlined
    blue (fill *and* outline differ, and the cut line is labelled with the
    flag rule). With ``at_risk`` the students at risk on the outcome and the
    others are shown in two labelled panels, so misses (at-risk students
    not flagged) and false alarms are visible by position.

    Parameters
    ----------
    scores : array-like
    cut : float
    at_risk : array-like of bool/0-1, optional
    risk_when : {"below", "above"}
    bin_width : float, optional
        Default: a round width giving about 30 bins.
    measure, units, title : str
    width, height : int
        Size of one panel.

    Returns
    -------
    altair.FacetChart
        One panel ("All students") without ``at_risk``, two with it.

    Examples
    --------
    >>> from mtss_teach.charts import screening_chart
    >>> chart = screening_chart([40, 55, 60, 80, 90], cut=70, at_risk=[1, 1, 0, 1, 0])
    >>> chart.to_dict()["title"]["subtitle"][0]
    'Cut 70: 3 of 5 students flagged (score below 70).'
    """
    hist = screening_histogram(scores, cut, at_risk=at_risk, risk_when=risk_when, bin_width=bin_width)
    direction = risk_when.strip().lower()
    c = float(cut)
    n = int(hist["count"].sum())
    n_flag = int(hist.loc[hist["flagged"], "count"].sum())
    rule_txt = f"score {'below' if direction == 'below' else 'above'} {number(c)}"
    hist["status"] = np.where(hist["flagged"], "Flagged by the screener", "Not flagged")
    status_domain = ["Flagged by the screener", "Not flagged"]
    x_dom = [float(min(hist["bin_start"].min(), c)), float(max(hist["bin_end"].max(), c))]
    x_title = f"{measure} ({units})"
    # One dataset and one layer (bars, cut line, cut label), faceted by outcome:
    # far cheaper for Altair to build than one sub-chart per panel.
    counts = hist.groupby("outcome")["count"].sum()
    flagged_counts = hist[hist["flagged"]].groupby("outcome")["count"].sum()
    panel_label = {o: f"{o}: {int(counts[o])} students, {int(flagged_counts.get(o, 0))} flagged" for o in counts.index}
    hist["panel"] = hist["outcome"].map(panel_label)
    y_max = float(hist.groupby(["outcome", "bin_start"])["count"].sum().max()) * 1.1
    bars = alt.Chart().mark_bar(strokeWidth=1.5, binSpacing=1).encode(
        x=alt.X("bin_start:Q", bin="binned", title=x_title, scale=alt.Scale(domain=x_dom, nice=False)),
        x2=alt.X2("bin_end:Q"),
        y=alt.Y("count:Q", title="Students (count)", scale=alt.Scale(domain=[0, y_max]),
                axis=alt.Axis(format=",d", tickMinStep=1)),
        fill=alt.Fill("status:N", scale=alt.Scale(domain=status_domain,
                                                  range=[PALETTE["flagged"], PALETTE["background"]]),
                      legend=_legend("Screening decision", "bottom")),
        stroke=alt.Stroke("status:N", scale=alt.Scale(domain=status_domain,
                                                      range=[PALETTE["flagged"], PALETTE["not_flagged"]]),
                          legend=_legend("Screening decision", "bottom")),
        tooltip=[alt.Tooltip("bin_start:Q", title="From"), alt.Tooltip("bin_end:Q", title="To"),
                 alt.Tooltip("count:Q", title="Students"), alt.Tooltip("status:N", title="Decision")],
    )
    cut_label = f"Cut {number(c)}: flag {rule_txt}"
    # The cut line and its label: one mark per panel (aggregate the panel's rows to one).
    rule = alt.Chart().transform_aggregate(n="count()").mark_rule(
        color=PALETTE["reference"], strokeWidth=2, strokeDash=[6, 3]).encode(x=alt.XDatum(c))
    text = alt.Chart().transform_aggregate(n="count()").mark_text(
        align="left" if direction == "above" else "right", dx=5 if direction == "above" else -5,
        baseline="top", y=2, fontSize=11, color=PALETTE["text"]).encode(
        x=alt.XDatum(c), text=alt.TextDatum(cut_label))
    layer = alt.layer(bars, rule, text, data=hist, width=width, height=height)
    head = title or f"{measure}: screening distribution and cut"
    subtitle = [f"Cut {number(c)}: {n_flag} of {n} students flagged ({rule_txt})."]
    desc = f"Histogram of {n} screening scores ({units}) with the cut at {number(c)}; {n_flag} flagged ({rule_txt})."
    order = [panel_label[o] for o in ("At risk on the outcome", "Not at risk on the outcome", "All students")
             if o in panel_label]
    if at_risk is not None:
        desc += "".join(f" {label}." for label in order)
    # (Options passed to facet() directly: every .properties() call deep-copies the chart.)
    return layer.facet(
        row=alt.Row("panel:N", title=None, sort=order,
                    header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelAlign="left",
                                      labelFontWeight="bold", labelFontSize=12, labelLimit=width)),
        spacing=18, title=_title(head, subtitle), description=desc,
    )


def _thin(curve: pd.DataFrame, max_points: int) -> pd.DataFrame:
    if len(curve) <= max_points:
        return curve
    idx = np.unique(np.round(np.linspace(0, len(curve) - 1, max_points)).astype(int))
    return curve.iloc[idx]


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
    """ROC curve from :func:`mtss_teach.screening.roc_curve`, marking the chosen cut.

    Parameters
    ----------
    curve : pandas.DataFrame
        The library's ROC table (columns ``cut, sensitivity, specificity``
        at least).
    chosen : ClassificationAccuracy, optional
        The library's result at the chosen cut
        (:func:`mtss_teach.screening.classification_accuracy`), drawn as a
        labelled diamond.
    auc : float, optional
        Printed under the title (from :func:`mtss_teach.screening.auc`).
    title : str, optional
    max_points : int, default 500
        Long curves (one row per distinct score) are thinned evenly to this
        many points for drawing; the first and last points are kept.
    width, height : int

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> from mtss_teach import screening
    >>> from mtss_teach.charts import roc_chart
    >>> s, y = [40, 55, 60, 80, 90], [1, 1, 0, 1, 0]
    >>> chart = roc_chart(screening.roc_curve(s, y), auc=screening.auc(s, y),
    ...                   chosen=screening.classification_accuracy(s, y, cut=70))
    >>> chart.to_dict()["title"]["subtitle"]
    ['AUC 0.83. Chosen cut 70: sensitivity 0.67, specificity 0.50.']
    """
    if not isinstance(curve, pd.DataFrame) or not {"cut", "sensitivity", "specificity"} <= set(curve.columns):
        raise DataError("curve: expected the DataFrame from screening.roc_curve (cut, sensitivity, specificity)")
    if len(curve) == 0:
        raise DataError("curve: no values given (empty input)")
    if curve["sensitivity"].isna().all() or curve["specificity"].isna().all():
        raise DataError("curve: sensitivity or specificity is undefined (everybody or nobody is at risk)")
    mp = check_number(max_points, "max_points", lo=2, integer=True)
    df = pd.DataFrame(
        {
            "fpr": 1.0 - curve["specificity"].to_numpy(dtype=float),
            "tpr": curve["sensitivity"].to_numpy(dtype=float),
            "cut": curve["cut"].to_numpy(dtype=float),
        }
    ).sort_values(["fpr", "tpr"], kind="stable").reset_index(drop=True)
    df = _thin(df, mp)
    df = df.assign(order=np.arange(len(df)), cut=df["cut"].where(np.isfinite(df["cut"])))
    ax = dict(scale=alt.Scale(domain=[0, 1]))
    line = alt.Chart(df).mark_line(color=PALETTE["score"], strokeWidth=2.5, point=alt.OverlayMarkDef(
        size=18, color=PALETTE["score"])).encode(
        x=alt.X("fpr:Q", title="False-positive rate (1 - specificity, proportion)", **ax),
        y=alt.Y("tpr:Q", title="Sensitivity (true-positive rate, proportion)", **ax),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("cut:Q", title="Cut"), alt.Tooltip("tpr:Q", title="Sensitivity", format=".2f"),
                 alt.Tooltip("fpr:Q", title="1 - specificity", format=".2f")],
    )
    chance = pd.DataFrame({"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]})
    diag = alt.Chart(chance).mark_line(color=PALETTE["reference"], strokeDash=[4, 4], strokeWidth=1).encode(
        x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"))
    diag_text = alt.Chart(pd.DataFrame({"fpr": [0.62], "tpr": [0.62], "t": ["chance (AUC 0.5)"]})).mark_text(
        angle=360 - 45 * height / max(width, 1), dy=-8, fontSize=10, color=PALETTE["text"]).encode(
        x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"), text=alt.Text("t:N"))
    layers = [diag, diag_text, line]
    sub = []
    if auc is not None:
        sub.append(f"AUC {fixed(float(auc))}.")
    if chosen is not None:
        if not isinstance(chosen, screening.ClassificationAccuracy):
            raise DataError("chosen: expected the result of screening.classification_accuracy")
        pt = pd.DataFrame({"fpr": [1.0 - chosen.specificity], "tpr": [chosen.sensitivity],
                           "label": [f"Cut {number(chosen.cut)}"]})
        layers.append(alt.Chart(pt).mark_point(shape="diamond", size=220, filled=True, color=PALETTE["used"],
                                               stroke=OKABE_ITO["black"], strokeWidth=1).encode(x=alt.X("fpr:Q"), y=alt.Y("tpr:Q")))
        layers.append(alt.Chart(pt).mark_text(align="left", dx=10, dy=10, fontSize=12, fontWeight="bold").encode(
            x=alt.X("fpr:Q"), y=alt.Y("tpr:Q"), text=alt.Text("label:N")))
        sub.append(f"Chosen cut {number(chosen.cut)}: sensitivity {fixed(chosen.sensitivity)}, "
                   f"specificity {fixed(chosen.specificity)}.")
    sub_txt = [" ".join(sub)] if sub else None
    desc = f"ROC curve over {len(curve)} candidate cuts: sensitivity against 1 minus specificity."
    if sub:
        desc += " " + " ".join(sub)
    return alt.layer(*layers, title=_title(title or "ROC curve: every possible cut", sub_txt),
                                         description=desc, width=width, height=height)


def confusion_matrix_chart(
    accuracy: screening.ClassificationAccuracy,
    *,
    title: str | None = None,
    width: int = 320,
    height: int = 220,
) -> alt.LayerChart:
    """The 2x2 table of a screening cut, labelled in words.

    Each cell says what it is ("Correctly flagged", "Missed", "False alarm",
    "Correctly not flagged") and how many students; correct cells are blue,
    errors vermillion *and* outlined with a dashed border.

    Parameters
    ----------
    accuracy : ClassificationAccuracy
        From :func:`mtss_teach.screening.classification_accuracy`.
    title : str, optional
    width, height : int

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> from mtss_teach import screening
    >>> from mtss_teach.charts import confusion_matrix_chart
    >>> ca = screening.classification_accuracy([40, 55, 60, 80, 90], [1, 1, 0, 1, 0], cut=70)
    >>> confusion_matrix_chart(ca).to_dict()["description"]
    'Confusion matrix at cut 70: 2 correctly flagged, 1 false alarms, 1 missed, 1 correctly not flagged. sensitivity 0.67, specificity 0.50, PPV 0.67, NPV 0.50.'
    """
    if not isinstance(accuracy, screening.ClassificationAccuracy):
        raise DataError("accuracy: expected the result of screening.classification_accuracy")
    a = accuracy
    flag, noflag = "Flagged by the screener", "Not flagged"
    risk, norisk = "At risk on the outcome", "Not at risk"
    df = pd.DataFrame(
        {
            "decision": [flag, flag, noflag, noflag],
            "outcome": [risk, norisk, risk, norisk],
            "cell": ["Correctly flagged (true positive)", "False alarm (false positive)",
                     "Missed (false negative)", "Correctly not flagged (true negative)"],
            "count": [a.tp, a.fp, a.fn, a.tn],
            "kind": ["Correct", "Error", "Error", "Correct"],
        }
    )
    df["line1"] = df["cell"].str.split(" \\(").str[0]
    df["line2"] = df["count"].astype(str) + " students"
    kinds = ["Correct", "Error"]
    base = alt.Chart(df).encode(
        x=alt.X("outcome:N", title="Outcome (criterion)", sort=[risk, norisk], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("decision:N", title="Screening decision", sort=[flag, noflag]),
    )
    rect = base.mark_rect(strokeWidth=3, opacity=0.85).encode(
        fill=alt.Fill("kind:N", scale=alt.Scale(domain=kinds, range=[PALETTE["correct_fill"], PALETTE["error_fill"]]),
                      legend=_legend("Cell", "bottom")),
        stroke=alt.Stroke("kind:N", scale=alt.Scale(domain=kinds, range=[PALETTE["correct"], PALETTE["error"]]),
                          legend=_legend("Cell", "bottom")),
        tooltip=[alt.Tooltip("cell:N", title="Cell"), alt.Tooltip("count:Q", title="Students")],
    )
    t1 = base.mark_text(dy=-9, fontSize=12).encode(text=alt.Text("line1:N"))
    t2 = base.mark_text(dy=9, fontSize=14, fontWeight="bold").encode(text=alt.Text("line2:N"))
    sub = (f"Cut {number(a.cut)} (flag {a.risk_when} the cut): sensitivity {fixed(a.sensitivity)}, "
           f"specificity {fixed(a.specificity)}, PPV {fixed(a.ppv)}, NPV {fixed(a.npv)}.")
    desc = (f"Confusion matrix at cut {number(a.cut)}: {a.tp} correctly flagged, {a.fp} false alarms, "
            f"{a.fn} missed, {a.tn} correctly not flagged. " + sub.split(": ", 1)[1])
    return alt.layer(rect, t1, t2,
        title=_title(title or "Who the screener flags, and who it misses", _wrap(sub, 70)),
        description=desc, width=width, height=height)


def tier_share_chart(
    shares: Any, *, title: str | None = None, width: int = 360, height: int = 240
) -> alt.LayerChart:
    """Share of students in each tier against the 80/15/5 convention.

    Parameters
    ----------
    shares : TierShares or array-like of tiers
        A :class:`~mtss_teach.screening.TierShares` (from
        :func:`mtss_teach.screening.tier_shares`), or each student's tier
        (then ``tier_shares`` is called).
    title : str, optional
    width, height : int

    Returns
    -------
    altair.LayerChart
        Bars with "62% (310 students)" labels, and a black tick with an
        "expected about 80%" label per tier. The Tier 1 share of the
        convention comes from ``TierShares``; 15% and 5% from
        :func:`tier_share_expectations`. The subtitle describes how support
        is spread against the convention and gives no verdict on the core:
        the team's own cut decides the placement share, so core health is
        judged by outcomes (:func:`mtss_teach.screening.core_effectiveness`).

    Examples
    --------
    >>> from mtss_teach.charts import tier_share_chart
    >>> tier_share_chart([1] * 7 + [2, 2, 3]).to_dict()["title"]["subtitle"][0]
    'Tier 1 alone serves 70% of 10 students; the 80/15/5 convention has about 80% there.'
    """
    ts = shares if isinstance(shares, screening.TierShares) else screening.tier_shares(shares)
    exp = tier_share_expectations().set_index("tier")["expected_share"].to_dict()
    exp[1] = ts.tier1_convention
    frame = ts.to_frame()
    df = pd.DataFrame(
        {
            "tier": ["Tier " + str(t) for t in frame["tier"]],
            "share": 100.0 * frame["share"].to_numpy(dtype=float),
            "count": frame["count"].to_numpy(dtype=np.int64),
            "expected": [100.0 * exp[t] for t in frame["tier"]],
        }
    )
    df["label"] = [f"{percent(p, 1, trim=True)} ({c} students)" for p, c in zip(frame["share"], df["count"])]
    df["exp_label"] = [f"expected about {number(e)}%" for e in df["expected"]]
    df["axis"] = [f"{t}|expected {number(e)}%" for t, e in zip(df["tier"], df["expected"])]
    df["label_y"] = np.maximum(df["share"], df["expected"])
    tiers = list(df["axis"])
    x = alt.X("axis:N", title="Tier (expected share)", sort=tiers,
              axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '|')", labelLimit=200))
    y_max = max(100.0, float(df["share"].max()))
    bars = alt.Chart(df).mark_bar(size=min(60, width // 5)).encode(
        x=x,
        y=alt.Y("share:Q", title="Share of students (%)", scale=alt.Scale(domain=[0, y_max])),
        color=alt.Color("axis:N", scale=alt.Scale(domain=tiers, range=[PALETTE["tier1"], PALETTE["tier2"],
                                                                       PALETTE["tier3"]]), legend=None),
        tooltip=[alt.Tooltip("tier:N"), alt.Tooltip("share:Q", title="Share (%)", format=".1f"),
                 alt.Tooltip("count:Q", title="Students"), alt.Tooltip("expected:Q", title="Expected (%)")],
    )
    text = alt.Chart(df).mark_text(dy=-10, fontSize=11).encode(x=x, y=alt.Y("label_y:Q"), text=alt.Text("label:N"))
    tick = alt.Chart(df).mark_tick(color=PALETTE["reference"], thickness=3, size=min(90, width // 4),
                                   strokeDash=[5, 2]).encode(x=x, y=alt.Y("expected:Q"))
    # A description of how support is spread, never a verdict on the core: the team's own
    # cut decides the placement share (core health is judged by outcomes,
    # screening.core_effectiveness).
    sub = (f"Tier 1 alone serves {percent(ts.share1, 1, trim=True)} of {ts.n} students; the 80/15/5 "
           f"convention has about {percent(ts.tier1_convention, 2, trim=True)} there.")
    sub = [sub, "Black ticks: the 80/15/5 convention (a rule of thumb, not a norm).",
           "This shows how support is spread, not whether the core works."]
    desc = ("Bar chart of tier shares against the 80/15/5 convention: "
            + "; ".join(f"{t} {l}, {e}" for t, l, e in zip(df["tier"], df["label"], df["exp_label"]))
            + ". " + sub[0])
    return alt.layer(bars, tick, text,
        title=_title(title or "Students by tier against 80/15/5", sub), description=desc,
        width=width, height=height)


def tfi_chart(
    scores: pd.DataFrame,
    *,
    criterion: float = 70.0,
    title: str | None = None,
    width: int = 360,
    height: int = 240,
) -> alt.LayerChart:
    """TFI scale scores against the 70% criterion.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`mtss_teach.fidelity.tfi_scores` (by tier, or by
        subscale). For tiers the ``meets`` column (the library's verdict)
        sets colour *and* the text label; subscale rows have no verdict
        (the criterion is published for tiers) and are drawn neutral.
    criterion : float, default 70
        Where the reference line is drawn (the value used for ``scores``).
    title : str, optional
    width, height : int

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> from mtss_teach import fidelity
    >>> from mtss_teach.charts import tfi_chart
    >>> sheet = {f"1.{i}": 2 for i in range(1, 16)}
    >>> sheet.update({"1.13": 0, "1.14": 0, "1.15": 1, "1.12": 1, "1.11": 1, "1.10": 1})
    >>> tfi_chart(fidelity.tfi_scores(sheet)).to_dict()["description"]
    'Tiered Fidelity Inventory scale scores against the 70% criterion: Tier 1 73.3% (22 of 30 points), meets 70%.'
    """
    if not isinstance(scores, pd.DataFrame) or not {"points", "possible", "percent"} <= set(scores.columns):
        raise DataError("scores: expected the DataFrame from fidelity.tfi_scores (points, possible, percent)")
    if len(scores) == 0:
        raise DataError("scores: no values given (empty input)")
    crit = check_number(criterion, "criterion", lo=0, hi=100)
    by_tier = "meets" in scores.columns
    df = scores.reset_index()
    if by_tier:
        df["row"] = "Tier " + df["tier"].astype(int).astype(str)
        df["verdict"] = np.where(df["meets"].astype(bool), f"meets {number(crit)}%", f"below {number(crit)}%")
    else:
        df["row"] = "Tier " + df["tier"].astype(int).astype(str) + ": " + df["subscale"].astype(str)
        df["verdict"] = "subscale"
    df["label"] = [f"{number(p, 1)}% ({int(a)} of {int(b)} points)" + (f", {v}" if by_tier else "")
                   for p, a, b, v in zip(df["percent"], df["points"], df["possible"], df["verdict"])]
    df = df[["row", "percent", "points", "possible", "verdict", "label"]]
    rows = list(df["row"])
    total_h = height if by_tier else max(height, 40 * len(df))
    row_h = total_h / len(df)
    bar = float(max(8.0, min(24.0, 0.4 * row_h)))
    y = alt.Y("row:N", title="Tier" if by_tier else "Tier: subscale", sort=rows, axis=alt.Axis(labelLimit=220))
    domain = [f"meets {number(crit)}%", f"below {number(crit)}%"] if by_tier else ["subscale"]
    rng = [PALETTE["meets"], PALETTE["below"]] if by_tier else [OKABE_ITO["sky_blue"]]
    bars = alt.Chart(df).mark_bar(size=bar).encode(
        y=y,
        x=alt.X("percent:Q", title="Scale score (% of possible points)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("verdict:N", scale=alt.Scale(domain=domain, range=rng),
                        legend=_legend("Criterion", "bottom") if by_tier else None),
        tooltip=[alt.Tooltip("row:N", title="Scale"), alt.Tooltip("percent:Q", title="%", format=".1f"),
                 alt.Tooltip("points:Q"), alt.Tooltip("possible:Q")],
    )
    # The label sits above its bar, from the left edge, so the criterion line never crosses it.
    text = alt.Chart(df).mark_text(align="left", baseline="bottom", dy=-(bar / 2 + 2), fontSize=11).encode(
        y=y, x=alt.XDatum(0), text=alt.Text("label:N"))
    crit_txt = f"{number(crit)}% criterion" if by_tier else f"{number(crit)}% (the tier criterion)"
    crit_df = pd.DataFrame({"x": [crit], "t": [crit_txt]})
    rule = alt.Chart(crit_df).mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    rule_text = alt.Chart(crit_df).mark_text(align="left", dx=4, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("x:Q"), text=alt.Text("t:N"))
    if by_tier:
        k = int(df["verdict"].str.startswith("meets").sum())
        sub = [f"{k} of {len(df)} tier(s) meet the {number(crit)}% criterion."]
    else:
        sub = [f"Subscale scores; the {number(crit)}% criterion is published for tier scores, not subscales."]
    desc = f"Tiered Fidelity Inventory scale scores against the {number(crit)}% criterion: " + "; ".join(
        f"{r} {l}" for r, l in zip(df["row"], df["label"])) + "."
    return alt.layer(bars, rule, rule_text, text,
        title=_title(title or "Tiered Fidelity Inventory: scale scores", sub),
        description=desc, width=width, height=total_h)


# ---------------------------------------------------------------------------
# Equity
# ---------------------------------------------------------------------------


def suppressed_label(note: str, min_cell: Any, min_n: Any) -> str:
    # a comparison note is written only for a group that met its own minimums; its "< min_cell" is the others'
    if "comparison group" in note:
        return "not computed (comparison group too small)"
    if "< min_cell" in note and "< min_n" in note:
        return "suppressed (small cell and small group)"
    if "< min_cell" in note:
        return f"suppressed (fewer than {min_cell} with the outcome)" if min_cell is not None else \
            "suppressed (small cell)"
    if "< min_n" in note:
        return f"suppressed (group under {min_n} students)" if min_n is not None else "suppressed (small group)"
    return "not computed"


def risk_ratio_chart(
    result: pd.DataFrame,
    threshold: float,
    *,
    ratio: str = "risk_ratio",
    outcome: str = "the outcome",
    title: str | None = None,
    width: int = 420,
    height: int | None = None,
) -> alt.LayerChart:
    """Risk ratios by group against a threshold; suppressed cells say so.

    Groups whose ratio the library did not compute (cell or n-size under the
    minimum, see :func:`mtss_teach.equity.disproportionality`) get no bar but
    the word "suppressed" and the reason in their row. The chart data holds
    only the group, the ratio and the label: no counts, so nothing small can
    be read back from the page. Groups at or above the threshold are
    vermillion *and* marked with a triangle and "at or above".

    Parameters
    ----------
    result : pandas.DataFrame
        From :func:`mtss_teach.equity.disproportionality` for one LEA
        (indexed by group).
    threshold : float
        The State's risk-ratio threshold (states set it; there is no
        default).
    ratio : {"risk_ratio", "alternate_risk_ratio", "weighted_risk_ratio"}
    outcome : str
        Words for the outcome in the title, e.g. "Tier 3 placement".
    title : str, optional
    width, height : int

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach import equity
    >>> from mtss_teach.charts import risk_ratio_chart
    >>> t = pd.DataFrame({"group": ["A", "B", "C"], "count": [40, 5, 60], "total": [400, 90, 300]})
    >>> spec = risk_ratio_chart(equity.disproportionality(t), threshold=2.0).to_dict()
    >>> [r["label"] for r in spec["datasets"][spec["layer"][0]["data"]["name"]]]
    ['0.60', 'suppressed (fewer than 10 with the outcome)', '2.18 at or above 2']

    (A: 40/400 = 0.10 against 65/390 = 0.167 -> 0.60; C: 60/300 = 0.20 against
    45/490 = 0.092 -> 2.18; B has 5 < 10 with the outcome.)
    """
    if not isinstance(result, pd.DataFrame) or "note" not in result.columns:
        raise DataError("result: expected the DataFrame from equity.disproportionality")
    r = check_choice(ratio, "ratio", ("risk_ratio", "alternate_risk_ratio", "weighted_risk_ratio"))
    thr = check_number(threshold, "threshold", lo=0, lo_open=True)
    if isinstance(result.index, pd.MultiIndex):
        raise DataError("result: has rows for several LEAs; pass one LEA's rows (result.loc[lea])")
    if len(result) == 0:
        raise DataError("result: no values given (empty input)")
    vals = result[r].to_numpy(dtype=float)
    mc, mn = result.attrs.get("min_cell"), result.attrs.get("min_n")
    notes = result["note"].astype(str).to_numpy()
    above = np.isfinite(vals) & (vals >= thr)
    status = np.where(~np.isfinite(vals), "Suppressed / not computed",
                      np.where(above, f"At or above {number(thr)}", f"Below {number(thr)}"))
    labels = [
        (f"{fixed(v)} at or above {number(thr)}" if a else fixed(v)) if np.isfinite(v) else suppressed_label(nt, mc, mn)
        for v, a, nt in zip(vals, above, notes)
    ]
    df = pd.DataFrame({
        "group": [str(g) for g in result.index],
        "ratio": np.where(np.isfinite(vals), vals, np.nan),
        "shown": np.where(np.isfinite(vals), vals, 0.0),
        "status": status,
        "label": labels,
    })
    groups = list(df["group"])
    x_max = max(float(np.nanmax(df["ratio"])) if np.isfinite(df["ratio"]).any() else 0.0, thr) * 1.35
    y = alt.Y("group:N", title="Group", sort=groups, axis=alt.Axis(labelLimit=240))
    domain = [f"At or above {number(thr)}", f"Below {number(thr)}", "Suppressed / not computed"]
    x = alt.X("shown:Q", title=f"Risk ratio (group risk / others' risk, ratio)", scale=alt.Scale(domain=[0, x_max]))
    bars = alt.Chart(df).transform_filter("isValid(datum.ratio)").mark_bar(size=14).encode(
        y=y, x=x,
        color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=[PALETTE["below"], PALETTE["meets"],
                                                                          PALETTE["suppressed"]]),
                        legend=_legend("Risk ratio", "bottom")),
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("label:N", title="Risk ratio")],
    )
    marks = alt.Chart(df).mark_point(filled=True, size=90).encode(
        y=y, x=x,
        shape=alt.Shape("status:N", scale=alt.Scale(domain=domain, range=["triangle-right", "circle", "cross"]),
                        legend=_legend("Risk ratio", "bottom")),
        color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=[PALETTE["below"], PALETTE["meets"],
                                                                          PALETTE["suppressed"]]),
                        legend=_legend("Risk ratio", "bottom")),
    )
    text = alt.Chart(df).mark_text(align="left", dx=9, fontSize=11).encode(
        y=y, x=x, text=alt.Text("label:N"))
    thr_df = pd.DataFrame({"x": [thr], "t": [f"threshold {number(thr)}"]})
    rule = alt.Chart(thr_df).mark_rule(color=PALETTE["reference"], strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    rule_text = alt.Chart(thr_df).mark_text(align="left", dx=4, baseline="top", y=-14, fontSize=10).encode(
        x=alt.X("x:Q"), text=alt.Text("t:N"))
    n_sup = int((~np.isfinite(vals)).sum())
    n_above = int(above.sum())
    sub = [f"{n_above} group(s) at or above the threshold of {number(thr)}; {n_sup} suppressed or not computed "
           "(cells too small to publish)."]
    desc = (f"Risk ratios for {outcome} by group against a threshold of {number(thr)}: "
            + "; ".join(f"{g} {l}" for g, l in zip(df["group"], df["label"])) + ".")
    return alt.layer(bars, marks, rule, rule_text, text,
        title=_title(title or f"Risk ratio for {outcome}, by group", sub),
        description=desc, width=width, height=height or max(120, 30 * len(df)))


# ---------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------

def academy_school_days() -> pd.Series:
    """School days per month in the academy's synthetic calendar (``cohort_params.yml``).

    Examples
    --------
    >>> from mtss_teach.charts import academy_school_days
    >>> d = academy_school_days()
    >>> int(d.sum()), int(d["2025-10"])
    (175, 22)
    """
    from .cohorts import cohort_params

    cal = cohort_params()["calendar"]
    return behavior.school_days_by_month(str(cal["first_day"]), str(cal["last_day"]),
                                         [str(h) for h in cal.get("holidays", [])])


def odr_chart(
    events: pd.DataFrame,
    by: str = "month",
    *,
    students: Any = None,
    majors_only: bool = True,
    student: str = "student_id",
    date: str = "date",
    location: str = "location",
    severity: str = "type",
    school_days: Any = "academy",
    title: str | None = None,
    width: int = 480,
    height: int = 260,
) -> alt.LayerChart:
    """Office discipline referrals per school day by month, by location or per-student band.

    The month view shows referrals **per school day** in each month, the
    way SWIS reports them (:func:`mtss_teach.behavior.odr_per_day_by_month`),
    so a short month is not mistaken for a calm one. Location and band
    counts are made in pandas by :func:`odr_counts` (a whole district's
    events are fine). Every bar carries its number as text. The band view
    labels each band with its usual tier pattern (0-1 Tier 1, 2-5 Tier 2,
    6+ Tier 3, from :func:`mtss_teach.behavior.odr_bands`).

    Parameters
    ----------
    events, by, students, majors_only, student, date, location, severity
        As in :func:`odr_counts`.
    school_days : pandas.Series or "academy", default "academy"
        Month view only: school days per month, indexed "YYYY-MM" (as
        :func:`mtss_teach.behavior.school_days_by_month` returns). "academy"
        is the calendar of the academy's synthetic cohorts
        (:func:`academy_school_days`); pass your own for your own data. A
        referral in a month without school days raises ``DataError``.
    title : str, optional
    width, height : int

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.charts import odr_chart
    >>> ev = pd.DataFrame({"student_id": [1, 1, 2], "date": ["2025-09-03", "2025-10-01", "2025-10-02"],
    ...                    "location": ["Hall", "Class", "Class"], "type": ["major"] * 3})
    >>> days = pd.Series({"2025-09": 20, "2025-10": 10})
    >>> odr_chart(ev, "month", school_days=days).to_dict()["title"]["subtitle"]
    ['3 major referrals over 30 school days, Sep 2025 to Oct 2025; most per school day in Oct', '2025 (0.2 a day: 2 referrals in 10 school days).']
    """
    table = odr_counts(events, by, students=students, majors_only=majors_only, student=student, date=date,
                       location=location, severity=severity)
    b = by.strip().lower()
    kind = "major referrals" if majors_only else "referrals"
    if b == "month":
        days = academy_school_days() if isinstance(school_days, str) and school_days == "academy" else school_days
        dates = behavior.referral_dates(events, majors_only=majors_only, date=date, severity=severity)
        per = behavior.odr_per_day_by_month(dates, days)
        per = per.assign(
            label=[pd.Period(m, freq="M").strftime("%b %Y") for m in per["month"]],
            short=[pd.Period(m, freq="M").strftime("%b") for m in per["month"]],
            per_day_text=[number(v, 2) for v in per["per_day"]])
        df = per
        order = list(df["label"])
        span = f"{order[0]} to {order[-1]}" if order else ""
        x = alt.X("label:N", title=f"Month ({span})", sort=order,
                  axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')[0]", labelOverlap=True))
        y = alt.Y("per_day:Q", title=f"{kind.capitalize()} per school day (month total ÷ school days)")
        bars = alt.Chart(df).mark_bar(color=PALETTE["score"]).encode(
            x=x, y=y, tooltip=[alt.Tooltip("label:N", title="Month"), alt.Tooltip("referrals:Q", title="Referrals"),
                               alt.Tooltip("school_days:Q", title="School days"),
                               alt.Tooltip("per_day_text:N", title="Per school day")])
        text = alt.Chart(df).mark_text(dy=-7, fontSize=11).encode(x=x, y=alt.Y("per_day:Q"),
                                                                   text=alt.Text("per_day_text:N"))
        total = int(df["referrals"].sum())
        n_days = int(df["school_days"].sum())
        if len(df):
            top = df.iloc[int(df["per_day"].to_numpy().argmax())]
            sub = (f"{total} {kind} over {n_days} school days, {span}; most per school day in {top['label']} "
                   f"({number(top['per_day'], 2)} a day: {int(top['referrals'])} referrals in "
                   f"{int(top['school_days'])} school days).")
        else:
            sub = f"No {kind}."
        head = title or "Office discipline referrals per school day, by month"
        desc = f"Bar chart of {kind} per school day in each month: " + "; ".join(
            f"{m} {t} ({r} in {d} days)" for m, t, r, d in zip(df["label"], df["per_day_text"], df["referrals"],
                                                               df["school_days"]))
    elif b == "location":
        df = table
        order = list(df["location"])
        y = alt.Y("location:N", title="Location", sort=order)
        x = alt.X("odrs:Q", title=f"Office discipline {kind} (count)")
        bars = alt.Chart(df).mark_bar(color=PALETTE["score"]).encode(
            x=x, y=y, tooltip=[alt.Tooltip("location:N"), alt.Tooltip("odrs:Q", title="Referrals")])
        text = alt.Chart(df).mark_text(align="left", dx=4, fontSize=11).encode(x=alt.X("odrs:Q"), y=y, text=alt.Text("odrs:Q"))
        total = int(df["odrs"].sum())
        sub = (f"{total} {kind}; most in {order[0]} ({int(df['odrs'].iloc[0])})." if len(df) else f"No {kind}.")
        head = title or "Office discipline referrals by location"
        desc = f"Bar chart of {kind} by location: " + "; ".join(f"{l} {c}" for l, c in zip(df["location"], df["odrs"]))
        height = max(height, 24 * len(df))
    else:
        df = table.assign(
            pct=100.0 * table["share"],
            label=[f"{percent(s, 1, trim=True)} ({c} students)" for s, c in zip(table["share"], table["students"])],
            row=[f"{b_} ({t})" for b_, t in zip(table["band"], table["tier_pattern"])],
        )
        order = list(df["row"])
        x = alt.X("row:N", title=f"{kind.capitalize()} per student this year (band)", sort=order,
                  axis=alt.Axis(labelAngle=0))
        y = alt.Y("pct:Q", title="Share of students (%)", scale=alt.Scale(domain=[0, 100]))
        tier_cols = [PALETTE["tier1"], PALETTE["tier2"], PALETTE["tier3"]]
        bars = alt.Chart(df).mark_bar(size=min(60, width // 5)).encode(
            x=x, y=y, color=alt.Color("row:N", scale=alt.Scale(domain=order, range=tier_cols[:len(order)]),
                                      legend=None),
            tooltip=[alt.Tooltip("row:N", title="Band"), alt.Tooltip("students:Q"),
                     alt.Tooltip("pct:Q", title="%", format=".1f")])
        text = alt.Chart(df).mark_text(dy=-8, fontSize=11).encode(x=x, y=alt.Y("pct:Q"), text=alt.Text("label:N"))
        n = int(df["students"].sum())
        sub = f"{n} students; " + ", ".join(f"{r}: {l}" for r, l in zip(df["row"], df["label"])) + "."
        head = title or "Students by number of office discipline referrals"
        desc = f"Bar chart of students by {kind} band: " + "; ".join(
            f"{r} {l}" for r, l in zip(df["row"], df["label"]))
    return alt.layer(bars, text,
        title=_title(head, _wrap(sub, 90)), description=desc + ".", width=width, height=height)
