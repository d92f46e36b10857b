"""The goal-line explorer: goal and weeks sliders over the library's aimline and decision rules."""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import progress
from .._validate import as_float_array, check_choice, check_number, check_same_length
from ..charts import PALETTE
from ..errors import DataError
from ..formatting import number, sentence_case
from ..progress import ACTION_LABELS, RULE_LABELS
from ._shared import LIVE, MAX_CUTS, _grid, _near

__all__ = ["aimline_decision_table", "aimline_explorer"]


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
    heads = [f"{sentence_case(RULE_LABELS[rule])}, after {k} score(s) (through week {number(lw)}): {a}."
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
    lines = lines.assign(label=[f"Goal {number(g, 1)} by week {number(gw)} ({number(sl)} a week)"
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
            f"goal slider ({number(grid[0])} to {number(grid[-1])}) to redraw the goal line, and the weeks slider "
            f"(1 to {n}) to reveal the data week by week; the text shows the {RULE_LABELS[rule]}'s decision "
            "and its reason.")
    return alt.vconcat(text_panel, graph, spacing=10).add_params(goal_param, weeks_param).properties(
        title=alt.TitleParams(head, subtitle=["Move the two sliders under the chart."], anchor="start"),
        description=desc,
    )
