"""The gap-analysis explorer (course 6)."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .. import norms, progress, screening
from .._validate import check_choice, check_number
from ..charts import PALETTE
from ..errors import DataError
from ..formatting import number
from ._shared import LIVE, _near, _even_grid, _start

__all__ = ["gap_analysis_table", "gap_analysis_explorer"]


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
        raise DataError(f"weeks_left: {number(w_grid[-1])} weeks left is more than the {number(bw)} weeks between "
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
    se = check_choice(season, "season", norms.SEASONS)
    ge = check_choice(goal_season, "goal_season", norms.SEASONS)
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
        gap_text=lambda d: [number(g) for g in d["gap"]], first=firsts)
    per_week = t.drop_duplicates("weeks_left")[["weeks_left", "peer_roi"]]
    # (short names and whole numbers keep this, the biggest table, small; the bar is drawn at the
    # library's value as printed, rt)
    both = pd.DataFrame({"s": _compact(t["score"]), "w": _compact(t["weeks_left"]),
                         "rt": [number(r) for r in t["roi_needed"]], "ok": t["reasonable"].astype(np.int8)})
    growth = pd.concat([
        pd.DataFrame({"w": per_week["weeks_left"], "kind": "Typical peer growth", "value": per_week["peer_roi"],
                      "label": [number(p) + " a week" for p in per_week["peer_roi"]]}),
        pd.DataFrame({"w": per_week["weeks_left"], "kind": "Limit: twice the peers' growth",
                      "value": 2 * per_week["peer_roi"],
                      "label": [number(2 * p) + " a week" for p in per_week["peer_roi"]]}),
    ], ignore_index=True)
    peer_text = per_week.assign(pt=[number(p) for p in per_week["peer_roi"]])[["weeks_left", "pt"]]
    at_s = _near("score", "score", s_step)
    at_w = _near("weeks_left", "weeks_left", w_step)
    at_sw = f"{_near('s', 'score', s_step)} && {_near('w', 'weeks_left', w_step)}"
    gb_text = number(gb)

    sw = (alt.Chart(both).transform_filter(at_sw)
          .transform_lookup(lookup="w", from_=alt.LookupData(peer_text, "weeks_left", ["pt"]))
          .transform_calculate(
              head="'Growth needed: ' + datum.rt + ' words a week: ' + (datum.ok ? 'reasonable' : 'not reasonable')",
              second=f"'Reaching {gb_text} in ' + weeks_left + ' weeks needs ' + datum.rt + ' points a week,'",
              third=("(datum.ok ? 'at most' : 'more than') + ' twice the typical peer growth of ' + datum.pt "
                     "+ ' a week: ' + (datum.ok ? 'a reasonable goal' : 'not a reasonable goal on its own') + '.'")))
    ps = alt.Chart(per_score).transform_filter(at_s).transform_calculate(
        head=f"'Gap: ' + datum.gap_text + ' (benchmark {number(cb)} / score ' + score + '): ' + "
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
    cut_df = pd.DataFrame({"x": [sg], "t": [f"cut {number(sg)}"]})
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
    peer_words = (f"Typical peer growth: the {number(gb - cb)} points between the benchmarks over the {number(bw)} "
                  f"weeks between the screenings." if peer_roi is None else
                  f"Typical peer growth: {number(float(peer_roi))} a week, as given.")
    sub = [f"Benchmark now ({se}): {number(cb)}; goal ({ge}): {gb_text} {units} ({source}).",
           peer_words, "Move the two sliders under the chart."]
    desc = (f"Interactive gap-analysis explorer for grade {int(grade)}: move the score slider "
            f"({number(s_grid[0])} to {number(s_grid[-1])} {units}) and the weeks-left slider ({number(w_grid[0])} to "
            f"{number(w_grid[-1])}); the text and bars show the gap against the {number(cb)} {se} benchmark, whether "
            f"it is significant (above {number(sg)}), the growth needed to reach {gb_text} by {ge}, and whether "
            "that is reasonable (at most twice the typical peer growth).")
    body = alt.vconcat(text_panel, gap_panel, growth_panel, spacing=14).resolve_scale(color="independent")
    return body.add_params(score_p, weeks_p).properties(
        title=alt.TitleParams(head, subtitle=sub, anchor="start"), description=desc)
