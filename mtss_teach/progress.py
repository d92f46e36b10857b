"""Progress monitoring: goal lines, trend lines, decision rules, and their accuracy.

Everything here follows the published progress-monitoring practice (IRIS
Center and NCII materials; Christ et al. 2012; Ardoin et al. 2013); evidence
tags in brackets, as in the data files:

* the goal line (aimline) starts at the median baseline score, placed at the
  median baseline week, and runs straight to the goal [S2];
* trends are fitted by ordinary least squares (the recommended method [S]),
  Tukey's split-middle [S] with the reference's grouping convention [S2],
  Theil-Sen (median of pairwise slopes), or the endpoint slope [S];
* the four-point rule [S] and the trend rule [S2] decide between raising the
  goal, continuing and changing the intervention; a third rule, "trend_ci",
  only decides when the slope's 95% confidence interval clears the goal line;
* :func:`simulate_decisions` lets a leader rediscover why those rules err so
  often with few weeks and realistic measurement error (Christ et al. 2012;
  Hintze et al. 2018).

All functions are pure, vectorised and raise :class:`~mtss_teach.DataError`
(naming the argument and the position) on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ._validate import (
    ndim as _ndim,
    as_float_array,
    check_choice,
    check_number,
    check_same_length,
    restore,
)
from .errors import DataError
from .formatting import counted, number


def _ndtri(p: Any) -> Any:
    """The standard normal quantile (scipy.special.ndtri, imported on first use: an app
    kernel that never needs it does not carry scipy's ~17 MB)."""
    from scipy.special import ndtri

    return ndtri(p)


def _stdtrit(df: Any, p: Any) -> Any:
    """Student's t quantile (scipy.special.stdtrit, imported on first use)."""
    from scipy.special import stdtrit

    return stdtrit(df, p)


__all__ = [
    "Aimline",
    "Trend",
    "Decision",
    "GapAnalysis",
    "goal_from_roi",
    "aimline",
    "trend",
    "decide",
    "gap_analysis",
    "dual_discrepancy",
    "fit_trends",
    "simulate_decisions",
    "correct_action",
    "accuracy_by_weeks",
    "AIM_TOLERANCE",
    "ACTIONS",
    "TREND_METHODS",
    "RULES",
    "ACTION_LABELS",
    "TREND_METHOD_LABELS",
    "RULE_LABELS",
]

#: The four possible decisions, in a fixed order.
ACTIONS: tuple[str, ...] = ("raise_goal", "continue", "change_intervention", "collect_more_data")
#: Trend methods accepted by :func:`trend` and :func:`fit_trends`.
TREND_METHODS: tuple[str, ...] = ("ols", "tukey", "theil_sen", "endpoint")
#: Decision rules accepted by :func:`decide` and :func:`simulate_decisions`.
RULES: tuple[str, ...] = ("four_point", "trend", "trend_ci")

#: Plain-language name of each action in :data:`ACTIONS`, as buttons, legends and sentences show it.
ACTION_LABELS: dict[str, str] = {
    "raise_goal": "Raise the goal",
    "continue": "Keep the intervention going",
    "change_intervention": "Change the intervention",
    "collect_more_data": "Collect more data",
}
#: Plain-language name of each method in :data:`TREND_METHODS`, lower case for use inside
#: a sentence (:func:`mtss_teach.formatting.sentence_case` for the start of one).
TREND_METHOD_LABELS: dict[str, str] = {
    "ols": "ordinary least squares",
    "tukey": "Tukey split-middle",
    "theil_sen": "Theil-Sen",
    "endpoint": "endpoint slope",
}
#: Plain-language name of each rule in :data:`RULES`, lower case for use inside a sentence
#: (:func:`mtss_teach.formatting.sentence_case` for the start of one).
RULE_LABELS: dict[str, str] = {
    "four_point": "four-point rule",
    "trend": "trend rule",
    "trend_ci": "trend rule with a confidence interval",
}

#: Half-width of "about on the goal line" for a true slope, points a week (aimsweb's +/-0.5 [S]).
AIM_TOLERANCE: float = 0.5

_RAISE, _CONTINUE, _CHANGE, _MORE = 0, 1, 2, 3
_ACTION_ARRAY = np.array(ACTIONS, dtype=object)
_DEFAULT_MIN_POINTS = {"four_point": 6, "trend": 8, "trend_ci": 8}
_LEAST_POINTS = {"four_point": 4, "trend": 2, "trend_ci": 3}
# A point counts as "on the goal line" when it differs from the line by no more
# than this relative amount (guards against floating-point noise only).
_ON_LINE_RTOL = 1e-9


# ---------------------------------------------------------------------------
# Goal and goal line
# ---------------------------------------------------------------------------


def goal_from_roi(baseline: float, roi: float, weeks: float) -> float:
    """Goal from a rate of improvement: ``baseline + roi * weeks``.

    The IRIS Center worked-example style of setting a goal from a growth norm
    (IRIS Center progress-monitoring module [S]). A negative ``roi`` gives a goal
    below the baseline (for measures where lower is better, such as errors).

    Parameters
    ----------
    baseline : float
        Starting score (for example the median of three baseline probes).
    roi : float
        Expected rate of improvement, score points per week.
    weeks : float
        Weeks until the goal date (zero or more).

    Returns
    -------
    float
        The goal score.

    References
    ----------
    Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L., & Germann, G.
    (1993). Formative evaluation of academic progress: How much growth can
    we expect? *School Psychology Review*, 22(1), 27-48 (``fuchs1993``).

    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    Examples
    --------
    >>> from mtss_teach.progress import goal_from_roi
    >>> goal_from_roi(40, 1.5, 20)   # 40 + 1.5 * 20
    70.0
    """
    b = check_number(baseline, "baseline")
    r = check_number(roi, "roi")
    w = check_number(weeks, "weeks", lo=0)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite(float(b + r * w), "baseline/roi/weeks")


@dataclass(frozen=True)
class Aimline:
    """A goal line from the baseline start to the goal.

    Attributes
    ----------
    start_week, start_score : float
        Median baseline week and median baseline score.
    goal_week, goal : float
        Where the line ends.
    slope : float
        Expected growth per week, ``(goal - start_score) / (goal_week - start_week)``.
        Negative for a descending goal (lower is better).

    Examples
    --------
    >>> from mtss_teach.progress import Aimline
    >>> line = Aimline(start_week=1, start_score=22, goal_week=10, goal=40, slope=2.0)
    >>> line.at(5)       # 22 + 2.0 * (5 - 1)
    30.0
    """

    start_week: float
    start_score: float
    goal_week: float
    goal: float
    slope: float

    def at(self, weeks: Any) -> Any:
        """Expected score on the goal line at ``weeks`` (scalar, array or Series).

        The line is extended beyond its end points when asked (a straight line).

        Examples
        --------
        >>> from mtss_teach.progress import aimline
        >>> line = aimline([0, 1, 2], [20, 25, 22], goal=40, goal_week=10)
        >>> line.at([1, 4, 10]).tolist()
        [22.0, 28.0, 40.0]
        """
        w, shape = as_float_array(weeks, "weeks", what="week", allow_empty=True)
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.start_score + self.slope * (w - self.start_week)
        if out.size:
            _finite(float(np.max(np.abs(out))), "weeks")
        return restore(out, shape)


def aimline(baseline_weeks: Any, baseline_scores: Any, goal: float, goal_week: float) -> Aimline:
    """Draw the goal line (aimline) the way practitioners are trained to.

    The start is the median of the baseline scores, placed at the median of
    the baseline weeks; the line runs straight to ``goal`` at ``goal_week``
    ([S2]; the usual baseline is 3 probes).

    Parameters
    ----------
    baseline_weeks, baseline_scores : array-like
        The baseline probes (same length, at least one).
    goal : float
        Goal score at ``goal_week``.
    goal_week : float
        Week of the goal; must be later than the median baseline week.

    Returns
    -------
    Aimline

    Raises
    ------
    DataError
        Missing or non-numeric values, length mismatch, empty baseline, or a
        goal week not after the median baseline week.

    References
    ----------
    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    Examples
    --------
    >>> from mtss_teach.progress import aimline
    >>> line = aimline([0, 1, 2], [20, 25, 22], goal=40, goal_week=10)
    >>> line.start_week, line.start_score, line.slope   # median 22 at week 1; (40-22)/(10-1)
    (1.0, 22.0, 2.0)
    """
    w, _ = as_float_array(baseline_weeks, "baseline_weeks", what="week")
    s, _ = as_float_array(baseline_scores, "baseline_scores")
    check_same_length(baseline_weeks=w, baseline_scores=s)
    g = check_number(goal, "goal")
    gw = check_number(goal_week, "goal_week")
    start_week = float(np.median(w))
    start_score = float(np.median(s))
    if not gw > start_week:
        raise DataError(
            f"goal_week: {gw:g} must be after the median baseline week {start_week:g}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        slope = _finite((g - start_score) / (gw - start_week), "goal/goal_week")
    return Aimline(start_week, start_score, float(gw), float(g), float(slope))


# ---------------------------------------------------------------------------
# Trend lines
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A fitted trend line.

    Attributes
    ----------
    slope, intercept : float
        ``score = intercept + slope * week``.
    n : int
        Number of scores used.
    method : str
        One of :data:`TREND_METHODS`.
    see : float
        Standard error of estimate, ``sqrt(sum(resid**2) / (n - 2))`` (OLS
        only; NaN otherwise or when ``n < 3``).
    se_slope : float
        Standard error of the slope, ``see / sqrt(sum((week - mean)**2))``
        (OLS only).
    ci_low, ci_high : float
        95% interval for the slope: t-based for OLS (``slope +/- t(0.975,
        n-2) * se_slope``), Sen's (1968) rank interval for Theil-Sen, NaN for
        the split-middle and endpoint methods (they have none).

    Examples
    --------
    >>> from mtss_teach.progress import trend
    >>> t = trend([1, 2, 3, 4], [10, 12, 14, 16])
    >>> t.slope, t.intercept, t.n
    (2.0, 8.0, 4)
    >>> t.at(6)
    20.0
    """

    slope: float
    intercept: float
    n: int
    method: str
    see: float = float("nan")
    se_slope: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")

    def at(self, weeks: Any) -> Any:
        """Score on the trend line at ``weeks`` (scalar, array or Series).

        Examples
        --------
        >>> from mtss_teach.progress import Trend
        >>> Trend(slope=1.5, intercept=10.0, n=8, method="ols").at([0, 2])
        array([10., 13.])
        """
        w, shape = as_float_array(weeks, "weeks", what="week", allow_empty=True)
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.intercept + self.slope * w
        if out.size:
            _finite(float(np.max(np.abs(out))), "weeks")
        return restore(out, shape)


_NAN = float("nan")
# Smallest normal float: a sum of squared week deviations below it has lost its precision.
_TINY = float(np.finfo(float).tiny)
_TOO_EXTREME = (
    "the weeks or scores are too extreme (too large, or weeks too close together) to compute "
    "in floating point; check for a misplaced decimal point or a date typed as a week"
)


def _finite(value: float, name: str) -> float:
    """``value`` if finite, else DataError: the inputs overflowed the arithmetic."""
    if not np.isfinite(value):
        raise DataError(f"{name}: {_TOO_EXTREME}")
    return value


def _check_fit(t: "Trend") -> "Trend":
    """A fitted trend must be finite; statistics that are NaN by design may stay NaN."""
    for v in (t.slope, t.intercept):
        _finite(v, "weeks/scores")
    for v in (t.see, t.se_slope, t.ci_low, t.ci_high):
        if np.isinf(v):
            _finite(v, "weeks/scores")
    return t


def _tukey_groups(n: int) -> tuple[int, int, int]:
    """Sizes of the three split-middle groups (reference section 4 [S2])."""
    k, r = divmod(n, 3)
    if r == 0:
        return k, k, k
    if r == 1:  # one extra point goes to the middle group
        return k, k + 1, k
    return k + 1, k, k + 1  # two extra points: one to each outer group


def _sen_interval(x: np.ndarray, y: np.ndarray, slopes_sorted: np.ndarray) -> tuple[float, float]:
    """Sen (1968) eq. 2.6 rank interval for the Theil-Sen slope (95%)."""
    nt = slopes_sorted.size
    ny = y.size

    def ties(a: np.ndarray) -> float:
        _, c = np.unique(a, return_counts=True)
        c = c[c > 1].astype(float)
        return float(np.sum(c * (c - 1) * (2 * c + 5)))

    sigsq = (ny * (ny - 1) * (2 * ny + 5) - ties(x) - ties(y)) / 18.0
    if nt == 0 or not sigsq > 0:
        return _NAN, _NAN
    z = _ndtri(0.025)
    sigma = np.sqrt(sigsq)
    hi = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
    lo = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
    return float(slopes_sorted[lo]), float(slopes_sorted[hi])


def _ols_one(x: np.ndarray, y: np.ndarray) -> Trend:
    n = x.size
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        xm, ym = x.mean(), y.mean()
        dx = x - xm
        sxx = float(dx @ dx)
        sxy = float(dx @ (y - ym))
    if not (np.isfinite(sxx) and sxx >= _TINY and np.isfinite(sxy)):
        raise DataError(f"weeks/scores: {_TOO_EXTREME}")
    slope = sxy / sxx
    intercept = float(ym - slope * xm)
    see = se = lo = hi = _NAN
    if n > 2:
        with np.errstate(over="ignore", invalid="ignore"):
            resid = y - (intercept + slope * x)
            see = float(np.sqrt(resid @ resid / (n - 2)))
        se = see / np.sqrt(sxx)
        t = _stdtrit(n - 2, 0.975)
        lo, hi = slope - t * se, slope + t * se
    return Trend(slope, intercept, n, "ols", see, float(se), float(lo), float(hi))


def _trend_sorted(x: np.ndarray, y: np.ndarray, method: str) -> Trend:
    """Trend on week-sorted arrays already checked for length and distinct weeks."""
    n = x.size
    if method == "ols":
        return _ols_one(x, y)
    if method == "endpoint":
        slope = float((y[-1] - y[0]) / (x[-1] - x[0]))
        return Trend(slope, float(y[0] - slope * x[0]), n, "endpoint")
    if method == "tukey":
        a, b, c = _tukey_groups(n)
        x1, y1 = x[:a], y[:a]
        x3, y3 = x[a + b:], y[a + b:]
        mw1, mw3 = float(np.median(x1)), float(np.median(x3))
        if mw3 == mw1:
            raise DataError(
                "weeks: the first and last thirds of the series have the same middle week; "
                "the split-middle line needs them apart"
            )
        m1, m3 = float(np.median(y1)), float(np.median(y3))
        slope = (m3 - m1) / (mw3 - mw1)
        return Trend(float(slope), float(m1 - slope * mw1), n, "tukey")
    # theil_sen
    i, j = np.triu_indices(n, k=1)
    ddx = x[j] - x[i]
    keep = ddx != 0
    slopes = np.sort((y[j] - y[i])[keep] / ddx[keep])
    slope = float(np.median(slopes))
    intercept = float(np.median(y) - slope * np.median(x))
    lo, hi = _sen_interval(x, y, slopes)
    return Trend(slope, intercept, n, "theil_sen", _NAN, _NAN, lo, hi)


def _read_series(weeks: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    w, _ = as_float_array(weeks, "weeks", what="week")
    s, _ = as_float_array(scores, "scores")
    check_same_length(weeks=w, scores=s)
    order = np.argsort(w, kind="stable")
    return w[order], s[order]


def trend(weeks: Any, scores: Any, method: str = "ols") -> Trend:
    """Fit a trend line to one student's progress-monitoring scores.

    Parameters
    ----------
    weeks, scores : array-like
        One score per week number (weeks need not be evenly spaced; a week may
        repeat, for example two probes in the same week). Order does not
        matter: points are sorted by week first (stable).
    method : {"ols", "tukey", "theil_sen", "endpoint"}
        * ``"ols"`` -- ordinary least squares, the recommended method [S];
          also gives ``see``, ``se_slope`` and a t-based 95% interval.
        * ``"tukey"`` -- split-middle [S]: three groups by week order (with
          ``n % 3 == 1`` the extra point goes to the middle group; with
          ``n % 3 == 2`` one extra point goes to each outer group [S2]); the
          line runs through (median week, median score) of the first and last
          groups. Needs 3 or more points.
        * ``"theil_sen"`` -- median of all pairwise slopes, intercept
          ``median(score) - slope * median(week)``, with Sen's 95% interval.
        * ``"endpoint"`` -- (last - first) / (weeks between), as the IRIS slope
          calculator does [S]; the line passes through the first point.

    Returns
    -------
    Trend
        For OLS with exactly 2 points, ``see``, ``se_slope`` and the interval
        are NaN (no residual degrees of freedom).

    Raises
    ------
    DataError
        Missing or non-numeric values, length mismatch, fewer than 2 points
        (3 for "tukey"), or all points in the same week.

    References
    ----------
    Christ, T. J., Zopluoglu, C., Long, J. D., & Monaghen, B. D. (2012).
    Curriculum-based measurement of oral reading: Quality of progress
    monitoring outcomes. *Exceptional Children*, 78(3), 356-373
    (``christ2012``).

    Tukey, J. W. (1977). *Exploratory data analysis*. Addison-Wesley
    (``tukey1977``).

    Sen, P. K. (1968). Estimates of the regression coefficient based on
    Kendall's tau. *Journal of the American Statistical Association*,
    63(324), 1379-1389 (``sen1968``).

    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    Examples
    --------
    >>> from mtss_teach.progress import trend
    >>> weeks = [1, 2, 3, 4, 5, 6]
    >>> scores = [20, 23, 22, 26, 27, 30]
    >>> round(trend(weeks, scores).slope, 4)      # OLS: sum(dx*y)/sum(dx^2) = 33/17.5
    1.8857
    >>> trend(weeks, scores, method="tukey").slope  # (28.5 - 21.5) / (5.5 - 1.5)
    1.75
    >>> trend(weeks, scores, method="endpoint").slope  # (30 - 20) / (6 - 1)
    2.0
    """
    m = check_choice(method, "method", TREND_METHODS)
    x, y = _read_series(weeks, scores)
    need = 3 if m == "tukey" else 2
    if x.size < need:
        raise DataError(
            f"scores: the {m} trend needs at least {need} scores, got {x.size}"
        )
    if x[0] == x[-1]:
        raise DataError(
            f"weeks: all {x.size} scores are in week {x[0]:g}; a trend needs at least two different weeks"
        )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _check_fit(_trend_sorted(x, y, m))


# ---------------------------------------------------------------------------
# Decision rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """The outcome of a progress-monitoring decision rule.

    Attributes
    ----------
    action : str
        One of "raise_goal", "continue", "change_intervention",
        "collect_more_data".
    reason : str
        A plain-English sentence naming the numbers behind the action.
    points_used : int
        Scores the rule looked at (4 for the four-point rule; all for the
        trend rules; all collected so far when there are too few).
    rule : str
        The rule applied.
    slope : float
        Student's OLS slope (trend rules; NaN for the four-point rule).
    aim_slope : float
        Slope of the goal line.

    Examples
    --------
    >>> from mtss_teach.progress import Decision
    >>> Decision("continue", "Keep going.", 4, "four_point", float("nan"), 1.5).action
    'continue'
    """

    action: str
    reason: str
    points_used: int
    rule: str
    slope: float
    aim_slope: float


def _four_point_sides(diff: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean arrays (above, below) of the goal line; on-the-line counts as neither."""
    on = np.abs(diff) <= _ON_LINE_RTOL * np.maximum(1.0, np.abs(expected))
    return (diff > 0) & ~on, (diff < 0) & ~on


def _codes_four_point(above: np.ndarray, below: np.ndarray, descending: bool) -> np.ndarray:
    """Action codes from (m, 4) side arrays: all 4 on the good side -> raise, etc."""
    good, bad = (below, above) if descending else (above, below)
    codes = np.full(above.shape[0], _CONTINUE, dtype=np.int8)
    codes[good.all(axis=1)] = _RAISE
    codes[bad.all(axis=1)] = _CHANGE
    return codes


def _codes_trend(slope: np.ndarray, aim_slope: float, tolerance: float, descending: bool) -> np.ndarray:
    sign = -1.0 if descending else 1.0
    ahead = (slope - aim_slope) * sign
    codes = np.full(np.shape(slope), _CONTINUE, dtype=np.int8)
    codes[ahead > tolerance] = _RAISE
    codes[ahead < -tolerance] = _CHANGE
    return codes


def _codes_trend_ci(lo: np.ndarray, hi: np.ndarray, aim_slope: float, descending: bool) -> np.ndarray:
    codes = np.full(np.shape(lo), _CONTINUE, dtype=np.int8)
    above, below = lo > aim_slope, hi < aim_slope
    codes[below if descending else above] = _RAISE
    codes[above if descending else below] = _CHANGE
    return codes


def _check_min_points(rule: str, min_points: Any) -> int:
    if min_points is None:
        return _DEFAULT_MIN_POINTS[rule]
    mp = check_number(min_points, "min_points", integer=True)
    least = _LEAST_POINTS[rule]
    if mp < least:
        raise DataError(
            f"min_points: {mp} is too few for the {RULE_LABELS[rule]}; it needs at least {least}"
        )
    return mp


def _slope_words(s: float, short: bool = False) -> str:
    unit = "a week" if short else "points a week"
    if s > 0:
        return f"rises {number(s)} {unit}"
    if s < 0:
        return f"falls {number(-s)} {unit}"
    return "is flat"


def decide(
    weeks: Any,
    scores: Any,
    aimline: Aimline,
    rule: str = "four_point",
    min_points: int | None = None,
    tolerance: float = 0.5,
) -> Decision:
    """Apply a published progress-monitoring decision rule.

    Parameters
    ----------
    weeks, scores : array-like
        The monitoring points collected after baseline (any order; they are
        sorted by week).
    aimline : Aimline
        The goal line (from :func:`aimline`).
    rule : {"four_point", "trend", "trend_ci"}
        * ``"four_point"`` (IRIS/NCII [S]): the 4 most recent points against
          the goal line. All 4 above -> "raise_goal"; all 4 below ->
          "change_intervention"; otherwise "continue". A point exactly on the
          line is neither above nor below (a relative difference up to 1e-9
          counts as "on the line", to absorb floating-point noise).
        * ``"trend"`` [S2]: the OLS slope against the goal-line slope. More
          than ``tolerance`` points a week steeper -> "raise_goal"; more than
          ``tolerance`` flatter -> "change_intervention"; within (inclusive)
          -> "continue" (about parallel; aimsweb uses +/-0.5 a week [S]).
        * ``"trend_ci"``: the OLS slope's 95% confidence interval entirely
          above the goal-line slope -> "raise_goal", entirely below ->
          "change_intervention", otherwise "continue".
    min_points : int, optional
        Fewest monitoring points before the rule may decide; fewer gives
        "collect_more_data". Defaults: 6 for "four_point" (common practice
        [S2]), 8 for the trend rules [S2]. At least 4 / 2 / 3 respectively.
    tolerance : float
        Half-width of "about parallel" for the "trend" rule, points a week.

    Returns
    -------
    Decision

    Notes
    -----
    For a descending goal line (``aimline.slope < 0``, e.g. errors per
    minute) the rules reverse: being below the line or falling faster than it
    is good. A flat goal line (slope 0) is treated as "higher is better".
    Research (Christ et al. 2012; Van Norman & Christ 2016 [S]) warns that
    decisions are
    adequate only with OLS and about 14 or more weekly points; see
    :func:`simulate_decisions`.

    References
    ----------
    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    National Center on Intensive Intervention (n.d.). American Institutes
    for Research (``ncii_nd``).

    aimsweb (n.d.). *aimsweb (classic)* progress monitoring system
    (``aimsweb_nd``).

    Christ, T. J., Zopluoglu, C., Long, J. D., & Monaghen, B. D. (2012).
    Curriculum-based measurement of oral reading: Quality of progress
    monitoring outcomes. *Exceptional Children*, 78(3), 356-373
    (``christ2012``).

    Van Norman, E. R., & Christ, T. J. (2016). How accurate are
    interpretations of curriculum-based measurement progress monitoring
    data? Visual analysis versus decision rules. *Journal of School
    Psychology*, 58, 41-55 (``vannorman2016``).

    Examples
    --------
    >>> from mtss_teach.progress import aimline, decide
    >>> line = aimline([0, 0, 0], [30, 32, 31], goal=51, goal_week=10)   # +2 a week
    >>> weeks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    >>> low = [32, 33, 34, 34, 35, 36, 36, 37, 38, 38]
    >>> d = decide(weeks, low, line)
    >>> d.action
    'change_intervention'
    >>> d.reason
    'All 4 of the most recent scores (weeks 7-10) are below the goal line: change the intervention.'
    >>> decide(weeks[:5], low[:5], line).action
    'collect_more_data'
    """
    r = check_choice(rule, "rule", RULES)
    if not isinstance(aimline, Aimline):
        raise DataError(f"aimline: expected an Aimline (from progress.aimline), got {type(aimline).__name__}")
    mp = _check_min_points(r, min_points)
    tol = check_number(tolerance, "tolerance", lo=0)
    for field_name in ("start_week", "start_score", "slope"):
        check_number(getattr(aimline, field_name), f"aimline.{field_name}")
    x, y = _read_series(weeks, scores)
    n = x.size
    a = aimline.slope
    descending = a < 0
    lower_note = " (for this goal, lower is better)" if descending else ""
    if n < mp:
        return Decision(
            "collect_more_data",
            f"Only {counted(n, 'score')} since baseline; the {RULE_LABELS[r]} needs at least "
            f"{mp} before deciding: keep monitoring and collect more data.",
            n, r, _NAN, a,
        )

    if r == "four_point":
        w4, s4 = x[-4:], y[-4:]
        expected = aimline.at(w4)
        with np.errstate(over="ignore", invalid="ignore"):
            _finite(float(np.max(np.abs(s4 - expected))), "weeks/scores")
        above, below = _four_point_sides(s4 - expected, expected)
        code = int(_codes_four_point(above[None, :], below[None, :], descending)[0])
        span = f"weeks {number(w4[0])}-{number(w4[-1])}" if w4[0] != w4[-1] else f"week {number(w4[0])}"
        if code == _RAISE:
            side = "below" if descending else "above"
            reason = (f"All 4 of the most recent scores ({span}) are {side} the goal line"
                      f"{lower_note}: raise the goal.")
        elif code == _CHANGE:
            side = "above" if descending else "below"
            reason = (f"All 4 of the most recent scores ({span}) are {side} the goal line"
                      f"{lower_note}: change the intervention.")
        else:
            na, nb = int(above.sum()), int(below.sum())
            no = 4 - na - nb

            def count(k: int, verb_place: str) -> str:
                return f"{k} {'is' if k == 1 else 'are'} {verb_place}"

            parts = [count(na, "above the goal line"), count(nb, "below it")]
            if no:
                parts.append(count(no, "exactly on it"))
            listed = ", ".join(parts[:-1]) + " and " + parts[-1]
            reason = (f"Of the 4 most recent scores ({span}), {listed}{lower_note}; they are not all "
                      "on one side: keep the intervention going.")
        return Decision(str(_ACTION_ARRAY[code]), reason, 4, r, _NAN, a)

    if x[0] == x[-1]:
        raise DataError(
            f"weeks: all {n} scores are in week {x[0]:g}; a trend needs at least two different weeks"
        )
    t = _check_fit(_ols_one(x, y))
    head = f"The trend of the {n} scores {_slope_words(t.slope)}"
    goal_txt = f"the goal line {_slope_words(a, short=True)}{lower_note}"
    if r == "trend":
        code = int(_codes_trend(np.array([t.slope]), a, tol, descending)[0])
        gap = abs(t.slope - a)
        if code == _RAISE:
            reason = (f"{head}; {goal_txt}. That is {number(gap)} a week steeper, more than the "
                      f"{number(tol)} allowed: raise the goal.")
        elif code == _CHANGE:
            reason = (f"{head}; {goal_txt}. That is {number(gap)} a week flatter, more than the "
                      f"{number(tol)} allowed: change the intervention.")
        else:
            reason = (f"{head}; {goal_txt}. The two are within {number(tol)} a week of each other "
                      "(about parallel): keep the intervention going.")
    else:
        code = int(_codes_trend_ci(np.array([t.ci_low]), np.array([t.ci_high]), a, descending)[0])
        head = (f"{head}, with a 95% confidence range of {number(t.ci_low)} to {number(t.ci_high)} "
                "a week")
        if code == _RAISE:
            side = "below" if descending else "above"
            reason = (f"{head}. The whole range is {side} the goal line's {number(a)} a week"
                      f"{lower_note}: raise the goal.")
        elif code == _CHANGE:
            side = "above" if descending else "below"
            reason = (f"{head}. The whole range is {side} the goal line's {number(a)} a week"
                      f"{lower_note}: change the intervention.")
        else:
            reason = (f"{head}. The range includes the goal line's {number(a)} a week, so the data "
                      "cannot yet tell the growth apart from the goal: keep the intervention going.")
    return Decision(str(_ACTION_ARRAY[code]), reason, n, r, float(t.slope), a)


# ---------------------------------------------------------------------------
# Gap analysis and dual discrepancy
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GapAnalysis:
    """Result of :func:`gap_analysis`.

    Attributes
    ----------
    gap : float
        Current benchmark / current score.
    significant : bool
        ``gap > significant_gap`` (2.0 by default, the elementary convention).
    roi_needed : float
        (goal benchmark - current score) / weeks left, points a week.
    peer_roi : float
        Typical peer growth, points a week.
    reasonable : bool
        ``roi_needed <= 2 * peer_roi``.
    summary : str
        Plain-English sentence.

    Examples
    --------
    >>> from mtss_teach.progress import gap_analysis
    >>> gap_analysis(72, 30, 90, 18).significant
    True
    """

    gap: float
    significant: bool
    roi_needed: float
    peer_roi: float
    reasonable: bool
    summary: str


def gap_analysis(
    current_benchmark: float,
    current_score: float,
    goal_benchmark: float,
    weeks_left: float,
    peer_roi: float | None = None,
    significant_gap: float = 2.0,
    benchmark_weeks: float | None = None,
) -> GapAnalysis:
    """Gap analysis: how far behind, and is catching up realistic?

    A practitioner convention (no research threshold): gap = current
    benchmark / current score, significant when above 2.0 (elementary); ROI
    needed = (end-of-year benchmark - current score) / weeks left; a needed
    ROI is reasonable when it is at most twice the typical peer ROI.

    Parameters
    ----------
    current_benchmark : float
        Benchmark expected now (zero or more).
    current_score : float
        Student's current score (above zero).
    goal_benchmark : float
        Benchmark at the goal date (e.g. end of year).
    weeks_left : float
        Weeks until the goal date (above zero).
    peer_roi : float, optional
        Typical peer growth, points a week (above zero). Defaults to
        ``(goal_benchmark - current_benchmark) / benchmark_weeks``.
    significant_gap : float
        Gap above which it is called significant (2.0).
    benchmark_weeks : float, optional
        Weeks between the dates of the current and the goal benchmark: how
        long peers take to grow from one to the other. Defaults to
        ``weeks_left``, which is right only when the analysis is done on
        the current benchmark's date. Later in the year, pass it (or
        ``peer_roi``): otherwise the peers' rate is inflated just as the
        student's is, and a week before the goal date any catch-up looks
        "reasonable".

    Returns
    -------
    GapAnalysis

    References
    ----------
    No study sets the 2.0 gap threshold or the twice-typical limit (a
    practitioner convention); the typical peer growth the needed rate is
    compared with is that of:

    Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L., & Germann, G.
    (1993). Formative evaluation of academic progress: How much growth can
    we expect? *School Psychology Review*, 22(1), 27-48 (``fuchs1993``).

    Examples
    --------
    >>> from mtss_teach.progress import gap_analysis
    >>> g = gap_analysis(current_benchmark=72, current_score=30, goal_benchmark=90, weeks_left=18)
    >>> g.gap, g.roi_needed, g.peer_roi, g.reasonable   # 72/30; (90-30)/18; (90-72)/18; 3.33 > 2*1
    (2.4, 3.3333333333333335, 1.0, False)
    """
    cb = check_number(current_benchmark, "current_benchmark", lo=0)
    cs = check_number(current_score, "current_score", lo=0, lo_open=True)
    gb = check_number(goal_benchmark, "goal_benchmark", lo=0)
    wl = check_number(weeks_left, "weeks_left", lo=0, lo_open=True)
    sg = check_number(significant_gap, "significant_gap", lo=0, lo_open=True)
    if peer_roi is None:
        bw = wl if benchmark_weeks is None else check_number(benchmark_weeks, "benchmark_weeks", lo=0, lo_open=True)
        pr = (gb - cb) / bw
        if not pr > 0:
            raise DataError(
                f"goal_benchmark: {gb:g} is not above current_benchmark {cb:g}, so the default "
                "peer_roi would not be positive; pass peer_roi explicitly"
            )
    else:
        pr = check_number(peer_roi, "peer_roi", lo=0, lo_open=True)
    with np.errstate(over="ignore", invalid="ignore"):
        gap = _finite(cb / cs, "current_benchmark/current_score")
        roi = _finite((gb - cs) / wl, "goal_benchmark/current_score/weeks_left")
        _finite(2 * pr, "peer_roi")
    significant = bool(gap > sg)
    reasonable = bool(roi <= 2 * pr)
    summary = (
        f"The benchmark is {number(gap)} times the student's score "
        f"({'a significant gap' if significant else 'not a significant gap'}, cut {number(sg)}). "
        f"Reaching {number(gb)} in {number(wl)} weeks needs {number(roi)} points a week, "
        f"{'at most' if reasonable else 'more than'} twice the typical peer growth of "
        f"{number(pr)} a week: {'a reasonable goal' if reasonable else 'not a reasonable goal on its own'}."
    )
    return GapAnalysis(float(gap), significant, float(roi), float(pr), reasonable, summary)


def _percentile(x: np.ndarray, q: float) -> float:
    """numpy's linear percentile, without overflow for values near the float limit."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = float(np.percentile(x, q))
    if np.isfinite(out):
        return out
    # interpolating between two huge values of opposite sign overflowed: scale by a
    # power of two (exact), interpolate, scale back
    _, e = np.frexp(np.max(np.abs(x)))
    return float(np.ldexp(np.percentile(np.ldexp(x, -int(e)), q), int(e)))


def dual_discrepancy(
    levels: Any, slopes: Any, level_pct: float = 25, slope_pct: float = 25
) -> pd.DataFrame:
    """Flag students below the group in both level and growth (dual discrepancy).

    A student is dually discrepant when their level (score) is below the
    ``level_pct`` percentile of the group given AND their slope is below the
    ``slope_pct`` percentile ([S]; Burns &
    Senesac 2005 found the 25th or 33rd percentile growth cut matched LD
    prevalence). Percentiles are computed from the group given with numpy's
    default linear interpolation; "below" is strict.

    Parameters
    ----------
    levels, slopes : array-like or Series
        One value per student, same length (2 or more students).
    level_pct, slope_pct : float
        Percentile cuts, strictly between 0 and 100.

    Returns
    -------
    pandas.DataFrame
        One row per student (index from ``levels`` if it is a Series) with
        columns ``level``, ``slope``, ``level_cut``, ``slope_cut``,
        ``below_level``, ``below_slope``, ``dual_discrepancy``.

    References
    ----------
    Fuchs, L. S., & Fuchs, D. (1998). Treatment validity: A unifying
    concept for reconceptualizing the identification of learning
    disabilities. *Learning Disabilities Research & Practice*, 13(4),
    204-219 (``fuchs1998``).

    Burns, M. K., & Senesac, B. V. (2005). Comparison of dual discrepancy
    criteria to assess response to intervention. *Journal of School
    Psychology*, 43(5), 393-406 (``burns2005b``).

    Examples
    --------
    >>> from mtss_teach.progress import dual_discrepancy
    >>> out = dual_discrepancy([10, 20, 30, 40, 50], [0.2, 1.0, 0.1, 1.5, 2.0])
    >>> float(out["level_cut"].iloc[0]), float(out["slope_cut"].iloc[0])   # 25th pct: 20 and 0.2
    (20.0, 0.2)
    >>> out["dual_discrepancy"].tolist()   # student 0: 10 < 20 but 0.2 is not below 0.2
    [False, False, False, False, False]
    >>> dual_discrepancy([10, 20, 30, 40, 50], [0.1, 1.0, 0.2, 1.5, 2.0])["dual_discrepancy"].tolist()
    [True, False, False, False, False]
    """
    lv, shape = as_float_array(levels, "levels")
    sl, _ = as_float_array(slopes, "slopes", what="slope")
    check_same_length(levels=lv, slopes=sl)
    if lv.size < 2:
        raise DataError("levels: dual discrepancy compares a student with a group; give 2 or more students")
    lp = check_number(level_pct, "level_pct", lo=0, hi=100, lo_open=True)
    sp = check_number(slope_pct, "slope_pct", lo=0, hi=100, lo_open=True)
    if lp >= 100 or sp >= 100:
        raise DataError("level_pct/slope_pct: percentile cuts must be below 100")
    lcut = _percentile(lv, lp)
    scut = _percentile(sl, sp)
    below_l = lv < lcut
    below_s = sl < scut
    index = shape.index if shape.kind == "series" else None
    return pd.DataFrame(
        {
            "level": lv,
            "slope": sl,
            "level_cut": lcut,
            "slope_cut": scut,
            "below_level": below_l,
            "below_slope": below_s,
            "dual_discrepancy": below_l & below_s,
        },
        index=index,
    )


# ---------------------------------------------------------------------------
# Many students at once
# ---------------------------------------------------------------------------

_TREND_COLUMNS = ["slope", "intercept", "n", "method", "see", "se_slope", "ci_low", "ci_high", "note"]
_NOTE_FEW = "fewer than 2 scores: no trend"
_NOTE_FEW_TUKEY = "fewer than 3 scores: no split-middle trend"
_NOTE_ONE_WEEK = "all scores in one week: no trend"
_NOTE_TWO = "only 2 scores: no standard error or confidence interval"


def _check_sums(uniques, n, sxx, slope, intercept, see, *, codes, x, student) -> None:
    """DataError naming the first student whose OLS sums overflowed or lost their precision.

    ``sxx`` of exactly 0 is "all scores in one week" only when the weeks really
    are equal; distinct weeks whose squared deviations underflow are too close
    together to fit.
    """
    with np.errstate(invalid="ignore"):
        bad = (n >= 2) & (
            ~np.isfinite(sxx) | ((sxx > 0) & (sxx < _TINY))
            | ((sxx > 0) & (~np.isfinite(slope) | ~np.isfinite(intercept) | np.isinf(see)))
        )
    zero = (n >= 2) & (sxx == 0)
    if zero.any():
        if codes is None:  # equal-length series, one row each
            X = x.reshape(len(n), -1)
            spread = X.max(axis=1) != X.min(axis=1)
        else:
            rows = zero[codes]
            grp = pd.Series(x[rows]).groupby(codes[rows])
            spread = np.zeros(len(n), dtype=bool)
            rng = grp.max() != grp.min()
            spread[rng.index.to_numpy()] = rng.to_numpy()
        bad |= zero & spread
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        label = uniques[i]
        label = label.item() if isinstance(label, np.generic) else label
        raise DataError(f"data[{student!r}]: student {label!r}: {_TOO_EXTREME}")


def _ols_from_sums(n, xm, ym, sxx, sxy, syy):
    """Vectorised OLS results from per-student centred sums."""
    n = n.astype(float)
    ok = (n >= 2) & (sxx > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = np.where(ok, sxy / sxx, np.nan)
        intercept = ym - slope * xm
        df = n - 2
        has_se = ok & (df > 0)
        sse = np.maximum(syy - slope * sxy, 0.0)
        see = np.where(has_se, np.sqrt(sse / df), np.nan)
        se = see / np.sqrt(sxx)
    tcrit = np.full(n.shape, np.nan)
    if has_se.any():
        dfs, inv = np.unique(df[has_se], return_inverse=True)
        tcrit[has_se] = _stdtrit(dfs, 0.975)[inv]
    return slope, intercept, see, se, slope - tcrit * se, slope + tcrit * se, ok


def _notes(n: np.ndarray, ok: np.ndarray, method: str) -> np.ndarray:
    need = 3 if method == "tukey" else 2
    few = _NOTE_FEW_TUKEY if method == "tukey" else _NOTE_FEW
    note = np.full(n.shape, "", dtype=object)
    note[(n >= need) & ~ok] = _NOTE_ONE_WEEK
    note[n < need] = few
    if method == "ols":
        note[ok & (n == 2)] = _NOTE_TWO
    return note


def fit_trends(
    data: pd.DataFrame,
    student: str = "student_id",
    week: str = "week",
    score: str = "score",
    method: str = "ols",
) -> pd.DataFrame:
    """Fit one trend line per student from long (tidy) progress data.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per score, with a student id, a week number and a score
        column. Rows may come in any order; series may have unequal lengths;
        a student may have two scores in one week.
    student, week, score : str
        Column names.
    method : {"ols", "tukey", "theil_sen", "endpoint"}
        As in :func:`trend`. "ols" is fully vectorised (grouped sums, no
        Python loop over students; data already sorted by student with equal
        series lengths take a faster reshaped path with the same results).
        The other methods loop over students in Python (fine for a school,
        slow for a state).

    Returns
    -------
    pandas.DataFrame
        Indexed by student (sorted when the ids can be sorted), columns
        ``slope, intercept, n, method, see, se_slope, ci_low, ci_high, note``.
        No student is dropped: a student whose trend cannot be fitted (fewer
        than 2 scores -- 3 for "tukey" -- or all scores in one week) gets NaN
        numbers and says why in ``note``; with OLS on exactly 2 scores the
        slope is given but ``see``, ``se_slope`` and the interval are NaN
        (noted too). ``note`` is empty otherwise.

    Raises
    ------
    DataError
        Not a DataFrame, missing column, empty data, missing student id,
        missing or non-numeric week or score (the message names the row).

    References
    ----------
    Christ, T. J., Zopluoglu, C., Long, J. D., & Monaghen, B. D. (2012).
    Curriculum-based measurement of oral reading: Quality of progress
    monitoring outcomes. *Exceptional Children*, 78(3), 356-373
    (``christ2012``).

    Tukey, J. W. (1977). *Exploratory data analysis*. Addison-Wesley
    (``tukey1977``).

    Sen, P. K. (1968). Estimates of the regression coefficient based on
    Kendall's tau. *Journal of the American Statistical Association*,
    63(324), 1379-1389 (``sen1968``).

    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.progress import fit_trends
    >>> df = pd.DataFrame({"student_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "week": [1, 2, 3, 1, 3, 1],
    ...                    "score": [10, 12, 14, 20, 21, 30]})
    >>> out = fit_trends(df)
    >>> out[["slope", "intercept", "n"]]  # doctest: +NORMALIZE_WHITESPACE
                slope  intercept  n
    student_id
    a             2.0        8.0  3
    b             0.5       19.5  2
    c             NaN        NaN  1
    >>> out.loc["c", "note"]
    'fewer than 2 scores: no trend'
    """
    m = check_choice(method, "method", TREND_METHODS)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    for role, col in (("student", student), ("week", week), ("score", score)):
        if not isinstance(col, Hashable) or col not in data.columns:
            raise DataError(f"data: no column {col!r} (the {role} column); columns are {list(data.columns)}")
        if list(data.columns).count(col) > 1:
            raise DataError(f"data: column {col!r} (the {role} column) appears more than once; give it once")
    if len(data) == 0:
        raise DataError("data: no rows (empty input)")
    sid = data[student]
    missing = sid.isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"data[{student!r}]: student id at row {data.index[i]!r} (position {i}) is missing")
    if sid.dtype == object:
        unusable = np.fromiter((not isinstance(v, Hashable) for v in sid), bool, len(sid))
        if unusable.any():
            i = int(np.flatnonzero(unusable)[0])
            raise DataError(
                f"data[{student!r}]: student id at row {data.index[i]!r} (position {i}) is {sid.iloc[i]!r}; "
                "an id must be text or a number"
            )
    x, _ = as_float_array(data[week], f"data[{week!r}]", what="week")
    y, _ = as_float_array(data[score], f"data[{score!r}]")

    if m != "ols":
        return _fit_trends_loop(sid, x, y, m, student)

    s = sid.to_numpy()
    fast = None
    if sid.is_monotonic_increasing:
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        counts = np.diff(np.r_[starts, s.size])
        if counts.size and (counts == counts[0]).all():
            fast = (starts, int(counts[0]))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported by _check_sums
        if fast is not None:
            starts, k = fast
            uniques = s[starts]
            X = x.reshape(-1, k)
            Y = y.reshape(-1, k)
            n = np.full(X.shape[0], k)
            xm = X.mean(axis=1)
            ym = Y.mean(axis=1)
            dx = X - xm[:, None]
            dy = Y - ym[:, None]
            sxx = np.einsum("ij,ij->i", dx, dx)
            sxy = np.einsum("ij,ij->i", dx, dy)
            syy = np.einsum("ij,ij->i", dy, dy)
        else:
            try:
                codes, uniques = pd.factorize(sid, sort=True)
            except TypeError:  # ids of mixed types cannot be sorted
                codes, uniques = pd.factorize(sid, sort=False)
            g = len(uniques)
            n = np.bincount(codes, minlength=g)
            xm = np.bincount(codes, weights=x, minlength=g) / n
            ym = np.bincount(codes, weights=y, minlength=g) / n
            dx = x - xm[codes]
            dy = y - ym[codes]
            sxx = np.bincount(codes, weights=dx * dx, minlength=g)
            sxy = np.bincount(codes, weights=dx * dy, minlength=g)
            syy = np.bincount(codes, weights=dy * dy, minlength=g)
    slope, intercept, see, se, lo, hi, ok = _ols_from_sums(n, xm, ym, sxx, sxy, syy)
    _check_sums(uniques, n, sxx, slope, intercept, see, codes=None if fast is not None else codes,
                x=x, student=student)
    out = pd.DataFrame(
        {
            "slope": slope,
            "intercept": intercept,
            "n": n.astype(np.int64),
            "method": "ols",
            "see": see,
            "se_slope": se,
            "ci_low": lo,
            "ci_high": hi,
            "note": _notes(n, ok, "ols"),
        },
        index=pd.Index(uniques, name=student),
    )
    return out


def _fit_trends_loop(sid: pd.Series, x: np.ndarray, y: np.ndarray, method: str, student: str) -> pd.DataFrame:
    try:
        codes, uniques = pd.factorize(sid, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(sid, sort=False)
    order = np.lexsort((x, codes))  # by student, then week (stable)
    codes_s, x_s, y_s = codes[order], x[order], y[order]
    bounds = np.flatnonzero(np.diff(codes_s)) + 1
    need = 3 if method == "tukey" else 2
    rows = []
    for xs, ys in zip(np.split(x_s, bounds), np.split(y_s, bounds)):
        if xs.size >= need and xs[0] != xs[-1]:
            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    t = _check_fit(_trend_sorted(xs, ys, method))
            except DataError as exc:
                label = uniques[len(rows)]
                label = label.item() if isinstance(label, np.generic) else label
                raise DataError(f"data[{student!r}]: student {label!r}: {exc}") from None
            rows.append((t.slope, t.intercept, t.see, t.se_slope, t.ci_low, t.ci_high, True))
        else:
            rows.append((_NAN,) * 6 + (False,))
    arr = np.array([r[:6] for r in rows], dtype=float).reshape(-1, 6)
    ok = np.array([r[6] for r in rows], dtype=bool)
    n = np.bincount(codes, minlength=len(uniques))
    return pd.DataFrame(
        {
            "slope": arr[:, 0],
            "intercept": arr[:, 1],
            "n": n.astype(np.int64),
            "method": method,
            "see": arr[:, 2],
            "se_slope": arr[:, 3],
            "ci_low": arr[:, 4],
            "ci_high": arr[:, 5],
            "note": _notes(n, ok, method),
        },
        index=pd.Index(uniques, name=student),
    )


# ---------------------------------------------------------------------------
# Decision-accuracy simulator
# ---------------------------------------------------------------------------

_TRUTHS = ("above_aim", "near_aim", "below_aim")
#: Largest simulation (students x probes) one call may draw: 50 million probes (~400 MB).
_MAX_SIM_CELLS = 50_000_000


def _too_big(m: int, npts: int, bp: int) -> str:
    return (f"n/weeks: {m:,} students x {npts + bp:,} probes is more than the "
            f"{_MAX_SIM_CELLS:,} probes one simulation may draw; use fewer students or weeks")


def simulate_decisions(
    true_slope: Any,
    aim_slope: float,
    sem: float,
    weeks: Any,
    rule: str,
    n: int | None = None,
    seed: int = 0,
    *,
    tolerance: float = 0.5,
    start: float = 40.0,
    baseline_points: int = 3,
    min_points: int | None = None,
) -> pd.DataFrame:
    """Simulate many students and score how often a decision rule is right.

    Each simulated student has a true score ``start + true_slope * week``.
    Every probe adds independent normal measurement error with standard
    deviation ``sem`` (a CBM-R probe's SEM is about 10 WCPM, range 5-15 [S]).
    As in practice, ``baseline_points`` probes are given at week 0, their
    median starts the goal line, and the goal line rises ``aim_slope`` points
    a week (a goal set with :func:`goal_from_roi`). Monitoring probes follow
    at ``weeks``, and ``rule`` is applied exactly as :func:`decide` does
    (same code). Fully vectorised over students.

    Parameters
    ----------
    true_slope : float or array-like
        True growth, points a week: one value for every student, or one per
        student (then its length is the number of students).
    aim_slope : float
        Goal-line slope, points a week (negative: lower is better).
    sem : float
        Measurement error (standard deviation of a probe), zero or more.
    weeks : int or array-like
        Number of weekly monitoring points (weeks 1..weeks), or the weeks.
    rule : {"four_point", "trend", "trend_ci"}
        As in :func:`decide`.
    n : int, optional
        Number of students when ``true_slope`` is one value (default 2000).
        With an array of slopes, leave it out or give the array's length.
    seed : int
        Random seed, a whole number >= 0 (same seed, same result). Students x
        probes may not exceed 50 million in one call.
    tolerance : float
        Width of "near the aim" for the truth, and the "trend" rule's
        parallel band, points a week (0.5).
    start : float
        True score at week 0 (40).
    baseline_points : int
        Baseline probes at week 0 (3).
    min_points : int, optional
        As in :func:`decide`; with fewer monitoring points every decision is
        "collect_more_data".

    Returns
    -------
    pandas.DataFrame
        One row per truth group present, then a last row "all". The truth
        compares each student's true slope with ``aim_slope``:
        "above_aim" (more than ``tolerance`` above it), "near_aim" (within
        ``tolerance``, inclusive) and "below_aim" (more than ``tolerance``
        below). The correct action is "raise_goal" for above, "continue" for
        near and "change_intervention" for below -- reversed for a descending
        aim (``aim_slope < 0``, lower is better), where a slope above the aim
        means too little progress.
        Columns: ``truth``, ``students``, the share of each action
        (``raise_goal``, ``continue``, ``change_intervention``,
        ``collect_more_data``; each row sums to 1), ``correct`` (share of
        correct decisions; "collect_more_data" is never correct), and the
        settings ``rule``, ``n_points``, ``sem``, ``aim_slope``,
        ``tolerance``, so results of many calls can be stacked.

    References
    ----------
    Christ, T. J., & Silberglitt, B. (2007). Estimates of the standard
    error of measurement for curriculum-based measures of oral reading
    fluency. *School Psychology Review*, 36(1), 130-146 (``christ2007``).

    Christ, T. J., Zopluoglu, C., Long, J. D., & Monaghen, B. D. (2012).
    Curriculum-based measurement of oral reading: Quality of progress
    monitoring outcomes. *Exceptional Children*, 78(3), 356-373
    (``christ2012``).

    Hintze, J. M., Wells, C. S., Marcotte, A. M., & Solomon, B. G. (2018).
    Decision-making accuracy of CBM progress-monitoring data. *Journal of
    Psychoeducational Assessment*, 36(1), 74-81 (``hintze2018``).

    Van Norman, E. R., & Christ, T. J. (2016). How accurate are
    interpretations of curriculum-based measurement progress monitoring
    data? Visual analysis versus decision rules. *Journal of School
    Psychology*, 58, 41-55 (``vannorman2016``).

    Ardoin, S. P., Christ, T. J., Morena, L. S., Cormier, D. C., &
    Klingbeil, D. A. (2013). A systematic review and summarization of the
    recommendations and research surrounding curriculum-based measurement
    of oral reading fluency (CBM-R) decision rules. *Journal of School
    Psychology*, 51(1), 1-18 (``ardoin2013``).

    Examples
    --------
    >>> from mtss_teach.progress import simulate_decisions
    >>> out = simulate_decisions(true_slope=1.0, aim_slope=1.0, sem=10, weeks=6,
    ...                          rule="four_point", n=2000, seed=1)
    >>> out[["truth", "students"]].values.tolist()
    [['near_aim', 2000], ['all', 2000]]
    >>> bool(out["correct"].iloc[0] < 0.9)   # on track, yet often called off track
    True
    """
    r = check_choice(rule, "rule", RULES)
    ts, ts_shape = as_float_array(true_slope, "true_slope", what="slope")
    if ts_shape.kind == "scalar":
        count = 2000 if n is None else check_number(n, "n", lo=1, integer=True)
        if count > _MAX_SIM_CELLS:
            raise DataError(_too_big(count, 1, 0))
        ts = np.full(count, ts[0])
    elif n is not None and check_number(n, "n", lo=1, integer=True) != ts.size:
        raise DataError(
            f"n: {n} does not match the {ts.size} per-student values in true_slope; leave n out"
        )
    a = check_number(aim_slope, "aim_slope")
    e = check_number(sem, "sem", lo=0)
    tol = check_number(tolerance, "tolerance", lo=0)
    st = check_number(start, "start")
    bp = check_number(baseline_points, "baseline_points", lo=1, integer=True)
    mp = _check_min_points(r, min_points)
    sd = check_number(seed, "seed", lo=0, integer=True)
    if _ndim(weeks) == 0:
        w_count = check_number(weeks, "weeks", lo=1, integer=True)
        if ts.size * (w_count + bp) > _MAX_SIM_CELLS:
            raise DataError(_too_big(ts.size, w_count, bp))
        wk = np.arange(1, w_count + 1, dtype=float)
    else:
        wk, _ = as_float_array(weeks, "weeks", what="week")
        wk = np.sort(wk)
    npts = wk.size
    m = ts.size
    if m * (npts + bp) > _MAX_SIM_CELLS:
        raise DataError(_too_big(m, npts, bp))
    with np.errstate(over="ignore", invalid="ignore"):
        # every simulated score and goal-line value stays within this (errors beyond 40 SD never occur)
        wmax = float(np.abs(wk).max()) if npts else 0.0
        scale = abs(st) + (float(np.abs(ts).max()) + abs(a)) * wmax + 40.0 * e
        # scores, their differences and the trend sums (score x week deviation, week deviation squared)
        spread = (1.0 + wmax) * max(npts, 1)
        _finite(4.0 * scale * spread + (1.0 + wmax) * spread, "true_slope/aim_slope/weeks/sem/start")
    rng = np.random.default_rng(sd)
    descending = a < 0

    if npts < mp:
        codes = np.full(m, _MORE, dtype=np.int8)
    elif r == "four_point":
        w4 = wk[-4:]
        base = st + e * rng.standard_normal((m, bp))
        start_obs = np.median(base, axis=1)
        obs4 = st + ts[:, None] * w4 + e * rng.standard_normal((m, w4.size))
        expected = start_obs[:, None] + a * (w4 - 0.0)
        above, below = _four_point_sides(obs4 - expected, expected)
        codes = _codes_four_point(above, below, descending)
    else:
        if wk[0] == wk[-1]:
            raise DataError("weeks: all monitoring points are in one week; a trend needs two different weeks")
        obs = st + ts[:, None] * wk + e * rng.standard_normal((m, npts))
        dx = wk - wk.mean()
        sxx = float(dx @ dx)
        ym = obs.mean(axis=1)
        slope = (obs @ dx) / sxx
        if r == "trend":
            codes = _codes_trend(slope, a, tol, descending)
        else:
            resid = obs - ym[:, None] - slope[:, None] * dx
            see = np.sqrt(np.einsum("ij,ij->i", resid, resid) / (npts - 2))
            half = _stdtrit(npts - 2, 0.975) * see / np.sqrt(sxx)
            codes = _codes_trend_ci(slope - half, slope + half, a, descending)

    truth, correct_code = _truth_codes(ts, a, tol)
    counts = np.zeros((3, 4))
    np.add.at(counts, (truth, codes), 1)
    right = np.bincount(truth, weights=(codes == correct_code), minlength=3)
    rows = []
    for k, name in enumerate(_TRUTHS):
        tot = counts[k].sum()
        if tot:
            rows.append([name, int(tot), *(counts[k] / tot), right[k] / tot])
    rows.append(["all", m, *(counts.sum(axis=0) / m), right.sum() / m])
    out = pd.DataFrame(rows, columns=["truth", "students", *ACTIONS, "correct"])
    out["rule"] = r
    out["n_points"] = npts
    out["sem"] = e
    out["aim_slope"] = a
    out["tolerance"] = tol
    return out


# ---------------------------------------------------------------------------
# The right action for a true slope, and accuracy by weeks of monitoring
# ---------------------------------------------------------------------------


def _truth_codes(ts: np.ndarray, aim_slope: float, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Truth group (0 above the aim, 1 near it, 2 below) and the right action's code, per true slope.

    The one place where a true slope becomes the right decision
    (:func:`correct_action` and :func:`simulate_decisions` both call it).
    """
    diff = ts - aim_slope
    truth = np.full(ts.shape, 1, dtype=np.int8)  # near the aim (inclusive)
    truth[diff > tol] = 0  # above the aim
    truth[diff < -tol] = 2  # below the aim
    right_action = [_CHANGE, _CONTINUE, _RAISE] if aim_slope < 0 else [_RAISE, _CONTINUE, _CHANGE]
    return truth, np.array(right_action, dtype=np.int8)[truth]


def correct_action(true_slope: Any, aim_slope: float, tolerance: float = AIM_TOLERANCE) -> Any:
    """The right decision for a student whose true growth is known (the answer key of a simulation).

    The true weekly growth is compared with the goal line's slope:

    * within ``tolerance`` points a week of it (inclusive) -> "continue";
    * more than ``tolerance`` better than it -> "raise_goal";
    * more than ``tolerance`` worse than it -> "change_intervention".

    "Better" is steeper for a rising goal line and, for a falling one
    (``aim_slope < 0``, lower is better, e.g. errors a minute), falling
    faster. A flat goal line (slope 0) counts as rising, as in
    :func:`decide`. This is the rule :func:`simulate_decisions` scores
    every decision against, and the truth the facilitator apps reveal; it
    is the trend rule of :func:`decide` applied to the error-free growth
    line, with aimsweb's +/-0.5 a week as the default band.

    Parameters
    ----------
    true_slope : float or array-like
        True growth, points a week (no missing values).
    aim_slope : float
        Goal-line slope, points a week (negative: lower is better).
    tolerance : float
        Half-width of "about on the goal line", points a week (0.5), zero or more.

    Returns
    -------
    str, numpy array of str (object) or pandas Series
        Same shape as ``true_slope``: "raise_goal", "continue" or
        "change_intervention".

    Raises
    ------
    DataError
        A missing or non-finite slope (naming its position), a non-finite
        ``aim_slope``, or a negative ``tolerance``.

    References
    ----------
    aimsweb (classic), n.d., progress monitoring system: student rate of
    improvement within +/-0.5 a week of the goal rate is "near target"
    (``aimsweb_nd``).

    Examples
    --------
    >>> from mtss_teach.progress import correct_action
    >>> correct_action(1.8, 1.0)            # 0.8 a week steeper than the goal line
    'raise_goal'
    >>> correct_action([1.5, 0.4, 0.49], 1.0).tolist()  # 0.5 is "near" (inclusive); 0.51 is not
    ['continue', 'change_intervention', 'change_intervention']
    >>> correct_action(-2.0, -1.0)          # falling goal line: falling faster is better
    'raise_goal'
    """
    ts, shape = as_float_array(true_slope, "true_slope", what="slope")
    a = check_number(aim_slope, "aim_slope")
    tol = check_number(tolerance, "tolerance", lo=0)
    _truth, codes = _truth_codes(ts, a, tol)
    return restore(_ACTION_ARRAY[codes], shape)


def accuracy_by_weeks(
    true_slope: Any,
    aim_slope: float,
    sem: float,
    rule: str,
    weeks: Any,
    n: int | None = None,
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """How often ``rule`` is right after each number of weekly monitoring points.

    One :func:`simulate_decisions` call per number of weeks, with the same
    students, seed and settings, so a leader can see accuracy rise with the
    weeks of data and fall with measurement error (Christ et al. 2012;
    Hintze et al. 2018).

    Parameters
    ----------
    true_slope, aim_slope, sem, rule, n, seed
        As in :func:`simulate_decisions`.
    weeks : int or iterable of int
        Numbers of weekly monitoring points to try (each 1 or more), e.g.
        ``range(4, 21)``; each gives one row, in the order given.
    **options
        ``tolerance``, ``start``, ``baseline_points``, ``min_points``:
        passed to :func:`simulate_decisions`.

    Returns
    -------
    pandas.DataFrame
        One row per number of weeks. Columns: ``weeks``; ``correct``
        (share of right decisions over all students, as in the "all" row of
        :func:`simulate_decisions`); ``collect_more_data`` (share of
        "collect more data" decisions); ``waiting`` (True when the rule has
        too few points to decide and every decision is "collect more
        data" -- then ``correct`` is 0 because the rule has not decided
        yet, not because it decided wrongly); and the settings ``rule``,
        ``sem``, ``aim_slope``.

    References
    ----------
    Christ, T. J., Zopluoglu, C., Long, J. D., & Monaghen, B. D. (2012).
    Curriculum-based measurement of oral reading: Quality of progress
    monitoring outcomes. *Exceptional Children*, 78(3), 356-373
    (``christ2012``). Hintze, J. M., Wells, C. S., Marcotte, A. M., &
    Solomon, B. G. (2018). Decision-making accuracy of CBM
    progress-monitoring data. *Journal of Psychoeducational Assessment*,
    36(1), 74-81 (``hintze2018``).

    Examples
    --------
    >>> from mtss_teach.progress import accuracy_by_weeks
    >>> out = accuracy_by_weeks(1.0, 1.0, 10, "four_point", range(4, 8), n=500)
    >>> out[["weeks", "waiting"]].values.tolist()
    [[4, True], [5, True], [6, False], [7, False]]
    """
    if _ndim(weeks) == 0:
        counts = [check_number(weeks, "weeks", lo=1, integer=True)]
    else:
        counts = [check_number(w, f"weeks[{i}]", lo=1, integer=True) for i, w in enumerate(weeks)]
        if not counts:
            raise DataError("weeks: give at least one number of weekly points")
    unknown = set(options) - {"tolerance", "start", "baseline_points", "min_points"}
    if unknown:
        raise DataError(f"{sorted(unknown)[0]}: not an option of simulate_decisions "
                        "(tolerance, start, baseline_points, min_points)")
    rows = []
    for w in counts:
        out = simulate_decisions(true_slope, aim_slope, sem, int(w), rule, n=n, seed=seed, **options)
        allrow = out.iloc[-1]
        more = float(allrow["collect_more_data"])
        rows.append({"weeks": int(w), "correct": float(allrow["correct"]), "collect_more_data": more,
                     "waiting": bool(more == 1.0), "rule": allrow["rule"], "sem": float(allrow["sem"]),
                     "aim_slope": float(allrow["aim_slope"])})
    return pd.DataFrame(rows, columns=["weeks", "correct", "collect_more_data", "waiting", "rule", "sem",
                                       "aim_slope"])
