"""Scenario sets of the progress-monitoring courses: ``progress`` (course 4), ``decisions`` (5),
``meetings`` (6)."""

from __future__ import annotations

import numpy as np

from ._sources import _monitored, _orf, _pick, _school, _series


def _sc_progress(rng: np.random.Generator) -> dict:
    c, ds = _school(rng, ("students", "tiers", "progress"))
    sid, grade, one = _monitored(c, rng)
    base = one[one["week"] <= 2]
    mon = one[one["week"] >= 3]
    return {
        "dataset": ds,
        "student_id": sid,
        "grade": grade,
        "baseline_weeks": base["week"].to_numpy(dtype=int),
        "baseline_scores": base["score"].to_numpy(dtype=float),
        "goal_week": int(one["week"].max()),
        "check_week": int(rng.integers(6, 13)),
        "weeks": mon["week"].to_numpy(dtype=int),
        "scores": mon["score"].to_numpy(dtype=float),
    }


def _sc_decisions(rng: np.random.Generator) -> dict:
    from ..norms import typical_growth
    from ..progress import aimline, decide

    c, ds = _school(rng, ("students", "tiers", "progress"))
    # a few candidate (student, weeks, goal ambition) cases; keep one whose four-point decision
    # is drawn evenly from the decisions the candidates reach, so every decision is common
    cands = []
    for _ in range(8):
        sid, grade, one = _monitored(c, rng)
        n_weeks = _pick(rng, (8, 10, 12, 14, 16))
        ambition = _pick(rng, (1.0, 1.5, 2.0))
        base = one[one["week"] <= 2]
        mon = one[(one["week"] >= 3) & (one["week"] <= 2 + n_weeks)]
        start = float(np.median(base["score"].to_numpy(dtype=float)))
        goal = round(start + ambition * typical_growth(grade) * 19, 1)
        aim = aimline(base["week"].to_numpy(dtype=int), base["score"].to_numpy(dtype=float), goal, 20)
        action = decide(mon["week"].to_numpy(dtype=int), mon["score"].to_numpy(dtype=float), aim,
                        rule="four_point").action
        cands.append((action, sid, grade, base, mon, goal))
    want = _pick(rng, sorted({a for a, *_ in cands}))
    _, sid, grade, base, mon, goal = next(x for x in cands if x[0] == want)
    aim_slope = _pick(rng, (1.0, 1.5, 2.0))
    true_slope = max(0.0, aim_slope + _pick(rng, (-1.5, -1.0, 0.0, 1.0, 1.5)))
    return {
        "dataset": ds,
        "student_id": sid,
        "grade": grade,
        "baseline_weeks": base["week"].to_numpy(dtype=int),
        "baseline_scores": base["score"].to_numpy(dtype=float),
        "goal": goal,
        "goal_week": 20,
        "weeks": mon["week"].to_numpy(dtype=int),
        "scores": mon["score"].to_numpy(dtype=float),
        "sim": {
            "true_slope": true_slope,
            "aim_slope": aim_slope,
            "sem": _pick(rng, (5, 8, 10, 12)),
            "seed": int(rng.integers(1, 10_000)),
            "n": 2000,
        },
        "short_weeks": _pick(rng, (6, 8)),
        "long_weeks": _pick(rng, (12, 14, 16, 18)),
        "candidate_weeks": [6, 8, 10, 12, 14, 16, 18, 20],
    }


def _sc_meetings(rng: np.random.Generator) -> dict:
    from ..norms import orf_norm
    from ..progress import fit_trends

    c, ds = _school(rng, ("students", "screening", "tiers", "progress"))
    grade = _pick(rng, (2, 3, 4, 5, 6))
    st = c.students[c.students["grade"] == grade]
    win = _orf(c, "winter")
    wg = win[win["student_id"].isin(st["student_id"])]
    bench = orf_norm(grade, "winter", 50)
    low = wg[(wg["score"] < bench) & (wg["score"] > 0)]  # a gap needs a score above 0
    # about two in five chosen students are far behind (score under half the benchmark)
    far = low[low["score"] * 2 < bench]
    pool = far if len(far) and rng.random() < 0.4 else low
    sid = int(_pick(rng, sorted(pool["student_id"])))
    pr = c.progress[c.progress["student_id"].isin(st["student_id"])]
    group = sorted(int(i) for i in pr["student_id"].unique())
    levels = _series(win[win["student_id"].isin(group)], "score", "winter_orf")
    return {
        "dataset": ds,
        "grade": grade,
        "student_id": sid,
        "current_score": int(wg.loc[wg["student_id"] == sid, "score"].iloc[0]),
        "current_benchmark": orf_norm(grade, "winter", 50),
        "goal_benchmark": orf_norm(grade, "spring", 50),
        "weeks_left": _pick(rng, (16, 18, 20)),
        "progress": pr[["student_id", "week", "score"]].sort_values(["student_id", "week"]).reset_index(drop=True),
        "levels": levels,
        "entry_season": "winter",
        # the team's written entry rule: national percentile cut-offs for Tier 3 and Tier 2
        "entry_cuts": _pick(rng, ((10, 25), (15, 30), (20, 40), (25, 40), (10, 30), (20, 35))),
    }
