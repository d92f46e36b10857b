"""Tests for mtss_teach.progress.

Expected values come from hand calculation (arithmetic in the comments),
from the published decision rules, or from independent libraries
(scipy.stats.linregress, scipy.stats.theilslopes, numpy.percentile).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mtss_teach import DataError
from mtss_teach.progress import (
    ACTIONS,
    Aimline,
    Trend,
    aimline,
    decide,
    dual_discrepancy,
    fit_trends,
    gap_analysis,
    goal_from_roi,
    simulate_decisions,
    trend,
)

# ---------------------------------------------------------------------------
# goal_from_roi and aimline
# ---------------------------------------------------------------------------


def test_goal_from_roi_hand():
    assert goal_from_roi(40, 1.5, 20) == 70.0  # 40 + 1.5 * 20
    assert goal_from_roi(12, -0.25, 8) == 10.0  # descending: 12 - 0.25 * 8
    assert goal_from_roi(55, 0.9, 0) == 55.0


@pytest.mark.parametrize("args,word", [((40, 1.5, -1), "weeks"), (("40", 1, 2), "baseline"),
                                       ((40, float("nan"), 2), "roi")])
def test_goal_from_roi_bad(args, word):
    with pytest.raises(DataError, match=word):
        goal_from_roi(*args)


def test_aimline_three_baseline_points():
    line = aimline([0, 1, 2], [20, 25, 22], goal=40, goal_week=10)
    # median score 22 at median week 1; slope (40 - 22) / (10 - 1) = 2
    assert (line.start_week, line.start_score, line.goal_week, line.goal, line.slope) == (1, 22, 10, 40, 2)
    assert line.at([1, 4, 10]).tolist() == [22.0, 28.0, 40.0]  # 22 + 2*(w-1)
    assert line.at(0) == 20.0


def test_aimline_even_baseline_and_unsorted():
    # weeks median (2+3)/2 = 2.5; scores median (20+30)/2 = 25 -- medians taken separately
    line = aimline([4, 1, 3, 2], [100, 10, 30, 20], goal=50, goal_week=12.5)
    assert line.start_week == 2.5 and line.start_score == 25
    assert line.slope == pytest.approx((50 - 25) / (12.5 - 2.5))  # 2.5


def test_aimline_descending():
    line = aimline([0, 0, 0], [12, 10, 11], goal=3, goal_week=8)
    assert line.slope == pytest.approx(-1.0)  # (3 - 11) / 8


def test_aimline_at_keeps_series_index_and_is_frozen():
    line = Aimline(0, 10, 10, 30, 2.0)
    s = pd.Series([1, 2], index=["x", "y"])
    out = line.at(s)
    assert isinstance(out, pd.Series) and list(out.index) == ["x", "y"]
    assert out.tolist() == [12.0, 14.0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.slope = 3.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs,word",
    [
        (dict(baseline_weeks=[0, 1], baseline_scores=[1, 2, 3], goal=9, goal_week=9), "length mismatch"),
        (dict(baseline_weeks=[0, 1, 2], baseline_scores=[1, np.nan, 3], goal=9, goal_week=9), "position 1"),
        (dict(baseline_weeks=[], baseline_scores=[], goal=9, goal_week=9), "empty"),
        (dict(baseline_weeks=[0, 1, 2], baseline_scores=[1, 2, 3], goal=9, goal_week=1), "goal_week"),
        (dict(baseline_weeks=[0, 1, 2], baseline_scores=[1, "x", 3], goal=9, goal_week=9), "position 1"),
    ],
)
def test_aimline_bad_input(kwargs, word):
    with pytest.raises(DataError, match=word):
        aimline(**kwargs)


# ---------------------------------------------------------------------------
# trend: hand cases and independent libraries
# ---------------------------------------------------------------------------

G1 = [10, 14, 11, 13, 12]  # median 12
G3 = [30, 26, 28, 35, 29]  # median 29


def test_tukey_15_points():
    # 15 = 5/5/5. First group weeks 1-5 (midweek 3, median 12); last group weeks
    # 11-15 (midweek 13, median 29). slope = (29 - 12) / (13 - 3) = 1.7;
    # intercept = 12 - 1.7 * 3 = 6.9
    scores = G1 + [15, 16, 17, 18, 19] + G3
    t = trend(range(1, 16), scores, method="tukey")
    assert t.slope == pytest.approx(1.7)
    assert t.intercept == pytest.approx(6.9)
    assert t.n == 15 and t.method == "tukey"
    assert math.isnan(t.see) and math.isnan(t.ci_low)


def test_tukey_16_points_extra_point_to_middle():
    # 16 = 5/6/5 (n % 3 == 1: the extra point joins the middle group).
    # First group weeks 1-5: midweek 3, median 12. Middle weeks 6-11 (the 40 at
    # week 11 must not reach the last group). Last group weeks 12-16: midweek 14,
    # median 29. slope = 17 / 11; intercept = 12 - 3 * 17/11 = 81/11.
    # (A 6/5/5 split would give first median 12.5; 5/5/6 last median 29.5.)
    scores = G1 + [15, 16, 17, 18, 19, 40] + G3
    t = trend(range(1, 17), scores, method="tukey")
    assert t.slope == pytest.approx(17 / 11)
    assert t.intercept == pytest.approx(81 / 11)


def test_tukey_17_points_extra_points_to_outer_groups():
    # 17 = 6/5/6 (n % 3 == 2: one extra point to each outer group).
    # First group weeks 1-6, scores 10,14,11,13,12,20 -> median (12+13)/2 = 12.5,
    # midweek (3+4)/2 = 3.5. Last group weeks 12-17, scores 30,26,28,35,29,24 ->
    # median (28+29)/2 = 28.5, midweek (14+15)/2 = 14.5.
    # slope = (28.5 - 12.5) / (14.5 - 3.5) = 16/11; intercept = 12.5 - 3.5*16/11 = 81.5/11.
    # (A 5/7/5 split would give slope (28 - 12) / (15 - 3) = 1.333.)
    scores = G1 + [20] + [15, 16, 17, 18, 19] + G3 + [24]
    t = trend(range(1, 18), scores, method="tukey")
    assert t.slope == pytest.approx(16 / 11)
    assert t.intercept == pytest.approx(81.5 / 11)


def test_tukey_order_does_not_matter():
    scores = G1 + [15, 16, 17, 18, 19, 40] + G3
    weeks = np.arange(1, 17)
    perm = np.random.default_rng(3).permutation(16)
    t = trend(weeks[perm], np.array(scores)[perm], method="tukey")
    assert t.slope == pytest.approx(17 / 11)


def test_endpoint_hand():
    # (30 - 20) / (6 - 1) = 2; line through the first point: 20 - 2 * 1 = 18
    t = trend([3, 1, 6, 2], [25, 20, 30, 21], method="endpoint")
    assert (t.slope, t.intercept, t.n) == (2.0, 18.0, 4)


def test_ols_small_hand():
    # weeks 1..4, scores 10, 12, 14, 16 lie on 8 + 2w exactly: residuals 0
    t = trend([1, 2, 3, 4], [10, 12, 14, 16])
    assert (t.slope, t.intercept) == (2.0, 8.0)
    assert t.see == pytest.approx(0.0, abs=1e-12) and t.se_slope == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n,seed", [(3, 0), (6, 1), (10, 2), (20, 3), (31, 4)])
def test_ols_matches_scipy_linregress(n, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.choice(np.arange(1, 60), n, replace=False)).astype(float)
    y = 30 + 1.2 * x + rng.normal(0, 8, n)
    ref = stats.linregress(x, y)
    t = trend(x, y)
    assert t.slope == pytest.approx(ref.slope, rel=1e-10)
    assert t.intercept == pytest.approx(ref.intercept, rel=1e-10, abs=1e-10)
    assert t.se_slope == pytest.approx(ref.stderr, rel=1e-9)
    tcrit = stats.t.ppf(0.975, n - 2)
    assert t.ci_low == pytest.approx(ref.slope - tcrit * ref.stderr, rel=1e-9)
    assert t.ci_high == pytest.approx(ref.slope + tcrit * ref.stderr, rel=1e-9)
    # SEE from the textbook formula, computed here with scipy's fit
    resid = y - (ref.intercept + ref.slope * x)
    assert t.see == pytest.approx(np.sqrt(resid @ resid / (n - 2)), rel=1e-9)


def test_ols_two_points_has_no_standard_error():
    t = trend([1, 3], [10, 14])
    assert t.slope == 2.0 and t.n == 2
    assert all(math.isnan(v) for v in (t.see, t.se_slope, t.ci_low, t.ci_high))


@pytest.mark.parametrize("seed", range(6))
def test_theil_sen_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 25))
    x = rng.integers(1, 12, n).astype(float)  # repeated weeks (ties in x)
    x[:2] = [1, 11]  # at least two distinct weeks
    y = np.round(20 + 1.5 * x + rng.normal(0, 5, n))  # rounded: ties in y
    ref = stats.theilslopes(y, x)
    t = trend(x, y, method="theil_sen")
    assert t.slope == pytest.approx(ref.slope)
    assert t.intercept == pytest.approx(ref.intercept)
    assert t.ci_low == pytest.approx(ref.low_slope)
    assert t.ci_high == pytest.approx(ref.high_slope)
    assert math.isnan(t.see) and math.isnan(t.se_slope)


@pytest.mark.parametrize("x,y", [([1, 3], [10, 14]), ([1, 2, 4], [10, 9, 15]), ([1, 2, 2, 5], [3, 3, 8, 9])])
def test_theil_sen_small_samples_match_scipy(x, y):
    # tiny n: Sen's interval indices hit their caps
    ref = stats.theilslopes(y, x)
    t = trend(x, y, method="theil_sen")
    assert (t.slope, t.ci_low, t.ci_high) == pytest.approx((ref.slope, ref.low_slope, ref.high_slope))


@pytest.mark.parametrize(
    "weeks,scores,method,word",
    [
        ([1], [5], "ols", "at least 2"),
        ([1, 2], [5, 6], "tukey", "at least 3"),
        ([2, 2, 2], [5, 6, 7], "ols", "week 2"),
        ([1, 2, 3], [5, 6], "ols", "length mismatch"),
        ([1, 2, 3], [5, np.inf, 6], "ols", "position 1"),
        ([1, 2, 3], [5, 6, 7], "spline", "method"),
    ],
)
def test_trend_bad_input(weeks, scores, method, word):
    with pytest.raises(DataError, match=word):
        trend(weeks, scores, method=method)


# ---------------------------------------------------------------------------
# decide: each rule on both sides of its boundary
# ---------------------------------------------------------------------------

LINE = Aimline(start_week=0, start_score=20, goal_week=10, goal=40, slope=2.0)  # 20 + 2w
WEEKS = np.arange(1, 11)  # 10 monitoring points; the last four are weeks 7-10
ON_LINE = 20 + 2.0 * WEEKS  # 22, 24, ..., 40


def _with_last4(offsets):
    s = ON_LINE.copy()
    s[-4:] += offsets
    return s


def test_four_point_all_below_changes_intervention_with_plain_reason():
    d = decide(WEEKS, _with_last4([-1, -2, -0.5, -3]), LINE)
    assert d.action == "change_intervention" and d.points_used == 4 and d.rule == "four_point"
    assert d.reason == ("All 4 of the most recent scores (weeks 7-10) are below the goal line: "
                        "change the intervention.")


def test_four_point_all_above_raises_goal():
    d = decide(WEEKS, _with_last4([1, 0.5, 2, 3]), LINE)
    assert d.action == "raise_goal"
    assert "weeks 7-10" in d.reason and "above" in d.reason


def test_four_point_point_on_line_counts_as_neither():
    # three above and one exactly on the line (week 9 score 38 = 20 + 2*9): not "all 4 above"
    d = decide(WEEKS, _with_last4([1, 1, 0, 1]), LINE)
    assert d.action == "continue"
    assert "3 are above" in d.reason and "1 is exactly on it" in d.reason
    d = decide(WEEKS, _with_last4([-1, 0, -1, -1]), LINE)
    assert d.action == "continue"


def test_four_point_mixed_continues():
    d = decide(WEEKS, _with_last4([-1, 1, -1, -1]), LINE)
    assert d.action == "continue"
    assert "1 is above" in d.reason and "3 are below" in d.reason


def test_four_point_only_uses_the_four_most_recent():
    # earlier points far below do not matter; input order does not matter
    s = _with_last4([1, 1, 1, 1])
    s[:6] -= 30
    perm = np.random.default_rng(0).permutation(10)
    assert decide(WEEKS[perm], s[perm], LINE).action == "raise_goal"


def test_four_point_descending_goal_reverses():
    down = Aimline(start_week=0, start_score=20, goal_week=10, goal=10, slope=-1.0)  # 20 - w
    exp = 20 - 1.0 * WEEKS
    below = exp.copy()
    below[-4:] -= 1
    above = exp.copy()
    above[-4:] += 1
    d = decide(WEEKS, below, down)
    assert d.action == "raise_goal" and "lower is better" in d.reason
    assert decide(WEEKS, above, down).action == "change_intervention"


def test_min_points_boundary_four_point():
    s = _with_last4([-1, -1, -1, -1])
    d5 = decide(WEEKS[-5:], s[-5:], LINE)  # 5 points < 6
    assert d5.action == "collect_more_data" and d5.points_used == 5
    assert "5 scores" in d5.reason and "6" in d5.reason
    assert decide(WEEKS[-6:], s[-6:], LINE).action == "change_intervention"  # 6 points
    assert decide(WEEKS[-4:], s[-4:], LINE, min_points=4).action == "change_intervention"


def _line_scores(slope, n=8):
    w = np.arange(1, n + 1, dtype=float)
    return w, 10 + slope * w


@pytest.mark.parametrize(
    "student_slope,expected",
    [
        (2.6, "raise_goal"),  # 2.6 - 2.0 = +0.6 > 0.5
        (2.4, "continue"),  # +0.4, within 0.5
        (1.6, "continue"),  # -0.4
        (1.4, "change_intervention"),  # -0.6 < -0.5
        (2.5, "continue"),  # exactly +0.5: within, inclusive (10 + 2.5w is exact in binary)
        (1.5, "continue"),  # exactly -0.5
    ],
)
def test_trend_rule_both_sides(student_slope, expected):
    w, s = _line_scores(student_slope)
    d = decide(w, s, LINE, rule="trend")
    assert d.action == expected
    assert d.points_used == 8 and d.slope == pytest.approx(student_slope)
    assert d.aim_slope == 2.0


def test_trend_rule_reason_and_tolerance():
    w, s = _line_scores(2.6)
    d = decide(w, s, LINE, rule="trend")
    assert "rises 2.6 points a week" in d.reason and "0.6 a week steeper" in d.reason and "0.5" in d.reason
    assert decide(w, s, LINE, rule="trend", tolerance=0.7).action == "continue"


def test_trend_rule_descending():
    down = Aimline(0, 40, 10, 20, -2.0)
    w, s = _line_scores(-2.6)
    assert decide(w, s, down, rule="trend").action == "raise_goal"  # falling faster than needed
    w, s = _line_scores(-1.4)
    assert decide(w, s, down, rule="trend").action == "change_intervention"
    w, s = _line_scores(-2.3)
    assert decide(w, s, down, rule="trend").action == "continue"


def test_trend_rule_min_points():
    w, s = _line_scores(2.6, n=7)
    assert decide(w, s, LINE, rule="trend").action == "collect_more_data"  # 7 < 8


def test_trend_ci_rule_both_sides():
    rng = np.random.default_rng(11)
    w = np.arange(1, 13, dtype=float)
    s = 20 + 2.0 * w + rng.normal(0, 4, w.size)
    ref = stats.linregress(w, s)
    half = stats.t.ppf(0.975, w.size - 2) * ref.stderr
    lo, hi = ref.slope - half, ref.slope + half

    def with_aim(a):
        return decide(w, s, Aimline(0, 20, 10, 20 + 10 * a, a), rule="trend_ci")

    assert with_aim(lo - 0.01).action == "raise_goal"  # whole interval above the aim
    assert with_aim(lo + 0.01).action == "continue"
    assert with_aim(hi - 0.01).action == "continue"
    assert with_aim(hi + 0.01).action == "change_intervention"  # whole interval below
    assert "95% confidence range" in with_aim(lo - 0.01).reason


def test_trend_ci_descending():
    rng = np.random.default_rng(12)
    w = np.arange(1, 13, dtype=float)
    s = 60 - 3.0 * w + rng.normal(0, 1, w.size)
    ref = stats.linregress(w, s)
    half = stats.t.ppf(0.975, w.size - 2) * ref.stderr
    lo, hi = ref.slope - half, ref.slope + half  # both near -3

    def with_aim(a):
        return decide(w, s, Aimline(0, 60, 10, 60 + 10 * a, a), rule="trend_ci")

    assert hi + 0.01 < 0 and with_aim(hi + 0.01).action == "raise_goal"  # falling faster than needed
    assert with_aim(lo - 0.01).action == "change_intervention"  # not falling fast enough
    assert with_aim(ref.slope).action == "continue"


@pytest.mark.parametrize(
    "kwargs,word",
    [
        (dict(rule="five_point"), "rule"),
        (dict(min_points=3), "min_points"),
        (dict(min_points=2.5), "whole"),
        (dict(tolerance=-1), "tolerance"),
    ],
)
def test_decide_bad_options(kwargs, word):
    with pytest.raises(DataError, match=word):
        decide(WEEKS, ON_LINE, LINE, **kwargs)


def test_decide_needs_an_aimline():
    with pytest.raises(DataError, match="aimline"):
        decide(WEEKS, ON_LINE, 2.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# gap analysis and dual discrepancy
# ---------------------------------------------------------------------------


def test_gap_analysis_hand():
    g = gap_analysis(current_benchmark=72, current_score=30, goal_benchmark=90, weeks_left=18)
    assert g.gap == pytest.approx(2.4)  # 72 / 30
    assert g.significant is True  # 2.4 > 2
    assert g.roi_needed == pytest.approx(60 / 18)  # (90 - 30) / 18
    assert g.peer_roi == pytest.approx(1.0)  # (90 - 72) / 18
    assert g.reasonable is False  # 3.33 > 2 * 1
    assert "2.4 times" in g.summary


def test_gap_significance_boundary():
    assert gap_analysis(60, 30, 90, 10).significant is False  # 60/30 = 2.0, not > 2
    assert gap_analysis(61, 30, 90, 10).significant is True  # 2.03


def test_gap_reasonable_boundary():
    g = gap_analysis(50, 30, 70, 10)  # roi (70-30)/10 = 4; peer (70-50)/10 = 2; 4 <= 2*2
    assert g.roi_needed == pytest.approx(4) and g.reasonable is True
    assert gap_analysis(50, 30, 70, 10, peer_roi=1.99).reasonable is False  # 4 > 3.98
    assert gap_analysis(50, 30, 70, 10, peer_roi=2.5).peer_roi == 2.5


@pytest.mark.parametrize(
    "args,kwargs,word",
    [
        ((72, 0, 90, 18), {}, "current_score"),
        ((72, 30, 90, 0), {}, "weeks_left"),
        ((90, 30, 90, 18), {}, "peer_roi"),
        ((72, 30, 90, 18), {"peer_roi": 0}, "peer_roi"),
        ((-1, 30, 90, 18), {}, "current_benchmark"),
    ],
)
def test_gap_bad_input(args, kwargs, word):
    with pytest.raises(DataError, match=word):
        gap_analysis(*args, **kwargs)


def test_dual_discrepancy_hand():
    # levels 1,2,3,4: 25th percentile at rank 0.25*3 = 0.75 -> 1 + 0.75 = 1.75
    # slopes 0.1,0.4,0.2,0.3: sorted .1,.2,.3,.4 -> .1 + .75*.1 = 0.175
    levels = pd.Series([1, 2, 3, 4], index=["a", "b", "c", "d"])
    out = dual_discrepancy(levels, [0.1, 0.4, 0.2, 0.3])
    assert list(out.index) == ["a", "b", "c", "d"]
    assert out["level_cut"].iloc[0] == pytest.approx(1.75)
    assert out["slope_cut"].iloc[0] == pytest.approx(0.175)
    assert out["dual_discrepancy"].tolist() == [True, False, False, False]
    assert out["below_level"].tolist() == [True, False, False, False]


def test_dual_discrepancy_matches_numpy_percentile_and_pct_option():
    rng = np.random.default_rng(1)
    lv, sl = rng.normal(50, 10, 200), rng.normal(1, 0.5, 200)
    out = dual_discrepancy(lv, sl, level_pct=33, slope_pct=25)
    lc, sc = np.percentile(lv, 33), np.percentile(sl, 25)
    assert out["dual_discrepancy"].tolist() == ((lv < lc) & (sl < sc)).tolist()


@pytest.mark.parametrize(
    "args,kwargs,word",
    [(([1, 2], [1]), {}, "length mismatch"), (([1], [1]), {}, "2 or more"),
     (([1, 2], [1, 2]), {"level_pct": 0}, "level_pct"), (([1, 2], [1, 2]), {"slope_pct": 100}, "below 100"),
     (([1, np.nan], [1, 2]), {}, "position 1")],
)
def test_dual_discrepancy_bad(args, kwargs, word):
    with pytest.raises(DataError, match=word):
        dual_discrepancy(*args, **kwargs)


# ---------------------------------------------------------------------------
# fit_trends
# ---------------------------------------------------------------------------


def _random_long(seed, n_students=60):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_students):
        k = int(rng.integers(3, 25))
        weeks = np.sort(rng.choice(np.arange(0, 40), k, replace=False))
        scores = rng.normal(40, 10) + rng.normal(1, 1) * weeks + rng.normal(0, 8, k)
        rows += [(f"s{i:03d}", w, s) for w, s in zip(weeks, scores)]
    df = pd.DataFrame(rows, columns=["student_id", "week", "score"])
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)  # shuffled


@pytest.mark.parametrize("seed", [0, 1])
def test_fit_trends_equals_linregress_per_student(seed):
    df = _random_long(seed)
    out = fit_trends(df)
    assert len(out) == df["student_id"].nunique()
    for sid, g in df.groupby("student_id"):
        ref = stats.linregress(g["week"], g["score"])
        row = out.loc[sid]
        assert row["n"] == len(g)
        assert row["slope"] == pytest.approx(ref.slope, rel=1e-9)
        assert row["intercept"] == pytest.approx(ref.intercept, rel=1e-9)
        assert row["se_slope"] == pytest.approx(ref.stderr, rel=1e-8)
        tcrit = stats.t.ppf(0.975, len(g) - 2)
        assert row["ci_low"] == pytest.approx(ref.slope - tcrit * ref.stderr, rel=1e-8)
        assert row["note"] == ""


def test_fit_trends_dense_sorted_path_equals_linregress():
    rng = np.random.default_rng(7)
    n, k = 50, 12
    df = pd.DataFrame({
        "sid": np.repeat(np.arange(n), k),
        "wk": np.tile(np.arange(1, k + 1), n) + np.repeat(rng.integers(0, 5, n), k),
        "wcpm": rng.normal(50, 12, n * k),
    })
    out = fit_trends(df, student="sid", week="wk", score="wcpm")
    assert out.index.name == "sid"
    for i in [0, 17, 49]:
        g = df[df["sid"] == i]
        ref = stats.linregress(g["wk"], g["wcpm"])
        assert out.loc[i, "slope"] == pytest.approx(ref.slope, rel=1e-9)
        assert out.loc[i, "se_slope"] == pytest.approx(ref.stderr, rel=1e-8)
        assert out.loc[i, "intercept"] == pytest.approx(ref.intercept, rel=1e-9)


def test_fit_trends_short_series_are_kept_with_a_note():
    df = pd.DataFrame({
        "student_id": ["a", "a", "a", "b", "b", "c", "d", "d"],
        "week": [1, 2, 3, 1, 3, 1, 4, 4],
        "score": [10, 12, 14, 20, 21, 30, 5, 6],
    })
    out = fit_trends(df)
    assert list(out.index) == ["a", "b", "c", "d"]  # nobody dropped
    assert out.loc["b", "slope"] == 0.5 and math.isnan(out.loc["b", "se_slope"])  # (21-20)/(3-1)
    assert "only 2 scores" in out.loc["b", "note"]
    assert math.isnan(out.loc["c", "slope"]) and out.loc["c", "n"] == 1
    assert "fewer than 2" in out.loc["c", "note"]
    assert math.isnan(out.loc["d", "slope"]) and "one week" in out.loc["d", "note"]
    assert out.loc["a", "note"] == ""


def test_fit_trends_theil_sen_matches_scipy_per_student():
    df = _random_long(5, n_students=15)
    out = fit_trends(df, method="theil_sen")
    for sid, g in df.groupby("student_id"):
        ref = stats.theilslopes(g["score"], g["week"])
        assert out.loc[sid, "slope"] == pytest.approx(ref.slope)
        assert out.loc[sid, "ci_low"] == pytest.approx(ref.low_slope)
    assert (out["method"] == "theil_sen").all()


def test_fit_trends_tukey_hand_and_short():
    df = pd.DataFrame({"student_id": ["x"] * 15 + ["y", "y"],
                       "week": list(range(1, 16)) + [1, 2],
                       "score": G1 + [15, 16, 17, 18, 19] + G3 + [3, 4]})
    out = fit_trends(df, method="tukey")
    assert out.loc["x", "slope"] == pytest.approx(1.7)  # as in test_tukey_15_points
    assert math.isnan(out.loc["y", "slope"]) and "fewer than 3" in out.loc["y", "note"]


@pytest.mark.parametrize(
    "frame,kwargs,word",
    [
        (pd.DataFrame({"student_id": ["a"], "week": [1]}), {}, "'score'"),
        (pd.DataFrame({"student_id": [], "week": [], "score": []}), {}, "empty"),
        (pd.DataFrame({"student_id": ["a", None], "week": [1, 2], "score": [1, 2]}), {}, "position 1"),
        (pd.DataFrame({"student_id": ["a", "a"], "week": [1, 2], "score": [1, np.nan]},
                      index=[10, 11]), {}, r"row .*11.*\(position 1\)"),
        (pd.DataFrame({"student_id": ["a", "a"], "week": [1, "x"], "score": [1, 2]}), {}, "position 1"),
        (pd.DataFrame({"student_id": ["a"], "week": [1], "score": [1]}), {"method": "loess"}, "method"),
    ],
)
def test_fit_trends_bad_input(frame, kwargs, word):
    with pytest.raises(DataError, match=word):
        fit_trends(frame, **kwargs)


def test_fit_trends_not_a_frame():
    with pytest.raises(DataError, match="DataFrame"):
        fit_trends([1, 2, 3])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# simulate_decisions
# ---------------------------------------------------------------------------

ACTION_COLS = list(ACTIONS)


def _accuracy(**kw):
    out = simulate_decisions(**kw)
    return float(out.loc[out["truth"] == "all", "correct"].iloc[0])


SPREAD = np.random.default_rng(2012).normal(1.0, 1.0, 20_000)  # true slopes around the aim


@pytest.mark.parametrize("rule", ["four_point", "trend"])
def test_accuracy_rises_with_weeks(rule):
    # Christ et al. (2012), Van Norman & Christ (2016): more weeks, better decisions
    acc = [_accuracy(true_slope=SPREAD, aim_slope=1.0, sem=10, weeks=w, rule=rule, seed=4) for w in (6, 10, 14, 20)]
    assert acc == sorted(acc) and acc[-1] - acc[0] > 0.15, acc


@pytest.mark.parametrize("rule", ["four_point", "trend", "trend_ci"])
def test_accuracy_falls_with_measurement_error(rule):
    acc = [_accuracy(true_slope=SPREAD, aim_slope=1.0, sem=s, weeks=14, rule=rule, seed=5) for s in (5, 10, 15)]
    assert acc == sorted(acc, reverse=True) and acc[0] - acc[-1] > 0.1, acc


def test_four_point_after_six_weeks_errs_for_students_on_track():
    # Hintze et al. (2018): many false calls. Even with an exact goal line, 4 independent
    # symmetric errors all land on one side with probability 2 * (1/2)**4 = 12.5%; the
    # noisy baseline median only adds to that.
    out = simulate_decisions(1.0, 1.0, 10, 6, "four_point", n=20_000, seed=6)
    near = out[out["truth"] == "near_aim"].iloc[0]
    assert near["students"] == 20_000
    assert 1 - near["correct"] > 0.11


def test_simulate_without_error_trend_rule_is_always_right():
    # sem = 0: the OLS slope equals the true slope, so the trend rule cannot err
    # aim 1, tolerance 0.5: differences -1, -0.6 (below), 0, +0.5 (near), +0.6, +2 (above)
    slopes = np.array([0.0, 0.4, 1.0, 1.5, 1.6, 3.0])
    out = simulate_decisions(slopes, 1.0, 0, 8, "trend").set_index("truth")
    assert out.loc["all", "correct"] == 1.0
    assert out.loc[["above_aim", "near_aim", "below_aim"], "students"].tolist() == [2, 2, 2]
    assert out.loc["below_aim", "change_intervention"] == 1.0


def test_simulate_truth_boundaries_are_inclusive_near():
    # true - aim exactly +/-0.5 counts as near (matches the trend rule's band)
    out = simulate_decisions(np.array([0.5, 1.5]), 1.0, 0, 8, "trend").set_index("truth")
    assert list(out.index) == ["near_aim", "all"] and out.loc["near_aim", "correct"] == 1.0


def test_simulate_descending_aim_reverses_correct_action():
    # aim -1 (lower is better); a true slope of -2 falls faster: raise_goal is right
    out = simulate_decisions(-2.0, -1.0, 0, 8, "trend", n=50).set_index("truth")
    assert out.loc["below_aim", "raise_goal"] == 1.0 and out.loc["below_aim", "correct"] == 1.0
    out = simulate_decisions(0.0, -1.0, 0, 8, "trend", n=50).set_index("truth")
    assert out.loc["above_aim", "change_intervention"] == 1.0 and out.loc["above_aim", "correct"] == 1.0


def test_simulate_shape_shares_and_reproducibility():
    a = simulate_decisions(1.2, 1.0, 8, 10, "trend_ci", n=3000, seed=9)
    b = simulate_decisions(1.2, 1.0, 8, 10, "trend_ci", n=3000, seed=9)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns[:7]) == ["truth", "students", *ACTION_COLS, "correct"]
    assert np.allclose(a[ACTION_COLS].sum(axis=1), 1.0)
    assert (a["rule"] == "trend_ci").all() and (a["n_points"] == 10).all()
    c = simulate_decisions(1.2, 1.0, 8, 10, "trend_ci", n=3000, seed=10)
    assert not a.equals(c)


def test_simulate_too_few_points_collects_more_data():
    out = simulate_decisions(1.0, 1.0, 10, 5, "four_point", n=100)
    assert (out["collect_more_data"] == 1.0).all() and (out["correct"] == 0.0).all()


def test_simulate_weeks_as_array():
    out = simulate_decisions(2.0, 1.0, 0, [2, 4, 6, 8, 10, 12, 14, 16], "trend", n=10)
    assert out["n_points"].iloc[0] == 8 and out.loc[0, "raise_goal"] == 1.0


@pytest.mark.parametrize(
    "kwargs,word",
    [
        (dict(true_slope=[1.0, 2.0], n=3), "n:"),
        (dict(sem=-1), "sem"),
        (dict(rule="gut"), "rule"),
        (dict(weeks=0), "weeks"),
        (dict(true_slope=[1.0, np.nan]), "position 1"),
        (dict(baseline_points=0), "baseline_points"),
    ],
)
def test_simulate_bad_input(kwargs, word):
    base = dict(true_slope=1.0, aim_slope=1.0, sem=10, weeks=8, rule="trend")
    base.update(kwargs)
    with pytest.raises(DataError, match=word):
        simulate_decisions(**base)


# ---------------------------------------------------------------------------
# property-based tests for the input checks
# ---------------------------------------------------------------------------

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=3, max_size=30), st.data())
def test_property_nan_is_reported_with_its_position(scores, data):
    i = data.draw(st.integers(0, len(scores) - 1))
    bad = list(scores)
    bad[i] = float("nan")
    weeks = list(range(len(scores)))
    with pytest.raises(DataError, match=f"position {i}"):
        trend(weeks, bad)
    with pytest.raises(DataError, match=f"position {i}"):
        decide(weeks, bad, LINE)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=20), st.lists(finite, min_size=1, max_size=20))
def test_property_length_mismatch(weeks, scores):
    if len(weeks) == len(scores):
        scores = scores + [1.0]
    with pytest.raises(DataError, match="length mismatch"):
        trend(weeks, scores)
    with pytest.raises(DataError, match="length mismatch"):
        decide(weeks, scores, LINE, rule="trend")


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), finite), min_size=0, max_size=25),
    st.sampled_from(["four_point", "trend", "trend_ci"]),
    st.floats(-5, 5, allow_nan=False),
)
def test_property_decide_only_raises_dataerror(points, rule, aim_slope):
    weeks = [p[0] for p in points]
    scores = [p[1] for p in points]
    line = Aimline(0, 20, 10, 20 + 10 * aim_slope, aim_slope)
    try:
        d = decide(weeks, scores, line, rule=rule)
    except DataError:
        return  # empty input or all points in one week: a DataError, nothing else
    assert d.action in ACTIONS
    assert 0 < d.points_used <= len(points)
    assert isinstance(d.reason, str) and d.reason.endswith(".")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 12), finite), min_size=1, max_size=40),
       st.data())
def test_property_fit_trends_keeps_every_student_and_names_bad_rows(rows, data):
    df = pd.DataFrame(rows, columns=["student_id", "week", "score"])
    out = fit_trends(df)
    assert sorted(out.index) == sorted(df["student_id"].unique())
    assert (out["n"].to_numpy() == df.groupby("student_id").size().reindex(out.index).to_numpy()).all()
    ok = out["note"] == ""
    assert out.loc[ok, "slope"].notna().all()
    i = data.draw(st.integers(0, len(df) - 1))
    bad = df.copy()
    bad.loc[i, "score"] = np.nan
    with pytest.raises(DataError, match=f"position {i}"):
        fit_trends(bad)


@settings(max_examples=30, deadline=None)
@given(st.floats(-3, 3, allow_nan=False), st.floats(-3, 3, allow_nan=False), st.floats(0, 20),
       st.integers(1, 20), st.sampled_from(["four_point", "trend", "trend_ci"]))
def test_property_simulate_shares_sum_to_one(ts, aim, sem, weeks, rule):
    out = simulate_decisions(ts, aim, sem, weeks, rule, n=200, seed=1)
    assert np.allclose(out[ACTION_COLS].sum(axis=1), 1.0)
    assert ((out["correct"] >= 0) & (out["correct"] <= 1)).all()
    assert out["truth"].iloc[-1] == "all" and out["students"].iloc[-1] == 200


def test_trend_dataclass_is_frozen():
    t = Trend(1.0, 2.0, 3, "ols")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.slope = 2.0  # type: ignore[misc]


def test_gap_analysis_peer_rate_from_the_benchmark_dates_not_the_weeks_left():
    from mtss_teach.progress import gap_analysis as _ga

    # winter benchmark 86, spring 100, 18 weeks apart: peers grow 14 / 18 = 0.78 a week.
    # One week before the goal date a student at 86 needs 14 a week: not reasonable (14 > 1.56).
    g = _ga(86, 86, 100, weeks_left=1, benchmark_weeks=18)
    assert g.peer_roi == pytest.approx(14 / 18)
    assert g.roi_needed == pytest.approx(14) and not g.reasonable
    # without benchmark_weeks the default assumes the analysis is done on the benchmark date
    assert _ga(86, 86, 100, weeks_left=18).peer_roi == pytest.approx(14 / 18)
    with pytest.raises(DataError, match="benchmark_weeks"):
        _ga(86, 86, 100, weeks_left=1, benchmark_weeks=0)
