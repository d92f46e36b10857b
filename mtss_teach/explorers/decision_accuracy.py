"""The decision-accuracy explorer (course 5): how often each decision rule is right."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import progress
from .._validate import as_float_array, check_choice, check_number
from ..charts import OKABE_ITO, PALETTE
from ..errors import DataError
from ..formatting import number, percent, sentence_case
from ..progress import ACTION_LABELS, RULE_LABELS
from ._shared import LIVE, _near, _even_grid, _start

__all__ = ["decision_accuracy_table", "decision_accuracy_explorer"]


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
        f"{sentence_case(RULE_LABELS[r])}, {w} weekly points, measurement error {number(s)} WCPM "
        f"({m:,} simulated students per row)"
        for r, w, s in zip(t["rule"], t["weeks"], t["sem"])
    ]
    t["headline"] = [
        f"{_TRUTH_WORDS[tr][0]} (true growth {number(ts)} a week): {percent(c, 0)} right "
        f"('{ACTION_LABELS[ra].lower()}')"
        for tr, ts, ra, c in zip(t["truth"], t["true_slope"], t["right_action"], t["correct"])
    ]
    t["detail"] = [
        "Other calls: " + ", ".join(f"{ACTION_LABELS[x].lower()} {percent(row[x], 0)}"
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
        options=rule_list, labels=[RULE_LABELS[r] for r in rule_list], name="Decision rule: "))

    # One compact table for every layer (the page glues the sentences together from the
    # library's numbers, formatted here; the long sentences would make the page heavy).
    order = {tr: i for i, tr in enumerate(_TRUTH_WORDS)}
    t = t.assign(ord=[order[tr] for tr in t["truth"]])
    kinds = t.drop_duplicates("true_slope").sort_values(["ord", "true_slope"], ascending=[True, False],
                                                         kind="stable")
    groups = [f"{_TRUTH_WORDS[tr][0]} ({number(ts)} a week)" for tr, ts in zip(kinds["truth"], kinds["true_slope"])]
    gid = {float(ts): i for i, ts in enumerate(kinds["true_slope"])}
    others = {}
    for tr in kinds["truth"]:
        others[tr] = [x for x in progress.ACTIONS if x != _TRUTH_WORDS[tr][1]]
    gtab = pd.DataFrame({
        "g": np.arange(len(groups)),
        "group": groups,
        "lead": [f"{_TRUTH_WORDS[tr][0]} (true growth {number(ts)} a week): "
                 for tr, ts in zip(kinds["truth"], kinds["true_slope"])],
        "tail": [f" right ('{ACTION_LABELS[_TRUTH_WORDS[tr][1]].lower()}')" for tr in kinds["truth"]],
        **{f"n{j + 1}": [ACTION_LABELS[others[tr][j]].lower() for tr in kinds["truth"]] for j in range(3)},
    })
    d = pd.DataFrame({
        "sem": t["sem"], "weeks": t["weeks"], "rule": t["rule"],
        "g": [gid[float(x)] for x in t["true_slope"]],
        "correct": t["correct"],
        "pct": [percent(c, 0) for c in t["correct"]],
        **{f"o{j + 1}": [percent(row[others[row["truth"]][j]], 0) for _, row in t.iterrows()] for j in range(3)},
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
            f"{number(aim_slope)} a week. Move the measurement-error slider ({number(sem_grid[0])} to "
            f"{number(sem_grid[-1])} WCPM) and the weekly-points slider ({int(wk_grid[0])} to {int(wk_grid[-1])}), "
            "and choose a rule; the text and bars show the share of right calls for students ahead of, on and "
            "behind the goal line, and the line chart shows it by weeks of data.")
    return alt.vconcat(text_panel, alt.hconcat(bar_panel, line_panel, spacing=30), spacing=12).add_params(
        sem_p, wk_p, rule_p).properties(
        title=alt.TitleParams(head, subtitle=["Simulated students with known true growth; move the sliders and "
                                              "pick a rule under the chart."], anchor="start"),
        description=desc,
    )
