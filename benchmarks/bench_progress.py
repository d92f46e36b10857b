"""Progress-monitoring speed: fit_trends on 100,000 students x 20 weeks, and
the decision-accuracy simulator with 10,000 students per scenario.

Rows (each timed against a baseline in the same run):

- ``fit_trends`` (long frame sorted by student, OLS) vs a per-student
  ``scipy.stats.linregress`` loop. The loop is timed on a subsample of 2,000
  students and scaled linearly to 100,000 (it is one call per student, so
  its cost is linear); the loop gets each student's arrays pre-sliced, so
  no pandas grouping cost is charged to it. Target >= 50x faster.
- the same ``fit_trends`` call vs a bare numpy closed-form OLS on the dense
  (students x weeks) array, computing the same slope, intercept, SEE,
  SE(slope) and t-interval. Target <= 3x. The library's figure includes its
  input checks (NaN, infinity, text) and building the result DataFrame.
- ``fit_trends`` on the same rows shuffled (grouped-sums path for unsorted
  data) vs the same bare numpy (report only).
- ``simulate_decisions`` with n = 10,000 for three rule scenarios vs a
  one-second budget; target "well under a second", read as <= 0.25 s.
- ``simulate_decisions`` vs a per-student loop that draws one student and
  calls ``decide`` (timed on 500 students, scaled to 10,000; report only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks._harness import Result, compare, peak_memory_mb, time_it
from mtss_teach.progress import Aimline, decide, fit_trends, simulate_decisions


def _long_frame(n_students: int, n_weeks: int, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weeks = np.arange(1, n_weeks + 1, dtype=float)
    level = rng.normal(60, 15, n_students)
    growth = rng.normal(1.0, 0.6, n_students)
    dense = level[:, None] + growth[:, None] * weeks + rng.normal(0, 10, (n_students, n_weeks))
    frame = pd.DataFrame({
        "student_id": np.repeat(np.arange(n_students, dtype=np.int64), n_weeks),
        "week": np.tile(weeks, n_students),
        "score": dense.reshape(-1),
    })
    return frame, weeks, dense


def _bare_dense_ols(weeks: np.ndarray, dense: np.ndarray):
    n = weeks.size
    dx = weeks - weeks.mean()
    sxx = dx @ dx
    ym = dense.mean(axis=1)
    slope = dense @ dx / sxx
    intercept = ym - slope * weeks.mean()
    resid = dense - ym[:, None] - slope[:, None] * dx
    see = np.sqrt(np.einsum("ij,ij->i", resid, resid) / (n - 2))
    se = see / np.sqrt(sxx)
    t = stats.t.ppf(0.975, n - 2)
    return slope, intercept, see, se, slope - t * se, slope + t * se


def _scaled_result(group, name, fn, baseline_name, baseline_fn, scale, *, min_speedup=None,
                   max_seconds=None, repeat=5, base_repeat=3, note="") -> Result:
    """Like ``compare`` but the baseline's time is multiplied by ``scale``."""
    t = time_it(fn, repeat)
    b = time_it(baseline_fn, base_repeat)
    base = b.median * scale
    ratio = t.median / base
    if min_speedup is not None:
        target, met = f">= {min_speedup:g}x faster", ratio <= 1 / min_speedup
    else:
        target, met = "report", None
    spread = max(t.spread, b.spread)
    notes = [f"{1 / ratio:,.0f}x faster"] + ([note] if note else [])
    if spread > 0.25:
        notes.append(f"spread {spread:.0%} too wide to trust")
    return Result(group, name, t.median, "s", baseline_name, base, ratio, target, met, spread,
                  peak_memory_mb(fn), "; ".join(notes))


def _budget_result(group, name, fn, budget_s, max_share, repeat) -> Result:
    t = time_it(fn, repeat)
    ratio = t.median / budget_s
    note = f"share of a {budget_s:g} s budget"
    if t.spread > 0.25:
        note += f"; spread {t.spread:.0%} too wide to trust"
    return Result(group, name, t.median, "s", f"{budget_s:g} s budget", budget_s, ratio,
                  f"<= {max_share:g}x", ratio <= max_share, t.spread, peak_memory_mb(fn), note)


def run(quick: bool = False) -> list[Result]:
    n_students = 5_000 if quick else 100_000
    n_loop = 200 if quick else 2_000
    n_weeks = 20
    n_sim = 1_000 if quick else 10_000
    n_sim_loop = 50 if quick else 500
    repeat = 3 if quick else 7
    frame, weeks, dense = _long_frame(n_students, n_weeks)
    shuffled = frame.sample(frac=1.0, random_state=1)
    size = f"{n_students:,} students x {n_weeks} weeks"

    sub = dense[:n_loop]

    def loop_linregress():
        for row in sub:
            stats.linregress(weeks, row)

    rows = [
        _scaled_result(
            "progress", f"fit_trends ols ({size})", lambda: fit_trends(frame),
            f"scipy linregress loop ({n_loop:,} scaled x{n_students // n_loop})", loop_linregress,
            n_students / n_loop, min_speedup=50, repeat=repeat,
            note=f"loop timed on {n_loop:,} students and scaled linearly",
        ),
        compare("progress", f"fit_trends ols ({size})", lambda: fit_trends(frame),
                "bare numpy dense closed form", lambda: _bare_dense_ols(weeks, dense),
                max_ratio=3, repeat=repeat, note="library includes input checks and the DataFrame"),
        compare("progress", f"fit_trends ols, rows shuffled ({size})", lambda: fit_trends(shuffled),
                "bare numpy dense closed form", lambda: _bare_dense_ols(weeks, dense),
                repeat=repeat, note="grouped-sums path for unsorted rows"),
    ]

    scenarios = [("four_point", 6, 10.0), ("trend", 14, 10.0), ("trend_ci", 20, 5.0)]
    rng = np.random.default_rng(7)
    slopes = rng.normal(1.0, 1.0, n_sim)
    for rule, wks, sem in scenarios:
        rows.append(_budget_result(
            "progress", f"simulate_decisions {rule} (n={n_sim:,}, {wks} weeks, sem {sem:g})",
            lambda rule=rule, wks=wks, sem=sem: simulate_decisions(slopes, 1.0, sem, wks, rule, seed=1),
            1.0, 0.25, repeat))

    line = Aimline(0.0, 40.0, 14.0, 54.0, 1.0)
    w = np.arange(1, 15, dtype=float)
    draws = 40.0 + slopes[:n_sim_loop, None] * w + rng.normal(0, 10, (n_sim_loop, w.size))

    def loop_decide():
        for s in draws:
            decide(w, s, line, rule="trend")

    rows.append(_scaled_result(
        "progress", f"simulate_decisions trend (n={n_sim:,}, 14 weeks)",
        lambda: simulate_decisions(slopes, 1.0, 10.0, 14, "trend", seed=1),
        f"per-student decide loop ({n_sim_loop} scaled x{n_sim // n_sim_loop})", loop_decide,
        n_sim / n_sim_loop, repeat=repeat, note="loop timed on a subsample and scaled linearly",
    ))
    return rows
