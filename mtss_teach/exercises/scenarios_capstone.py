"""Scenario set of the capstone course (course 10): one school, every step of the MTSS cycle."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._sources import (
    _equity_table,
    _generated_school,
    _monitored,
    _orf,
    _pick,
    _pm_growth,
    _proficient_share,
    _series,
    _year,
)


def _sc_capstone(rng: np.random.Generator) -> dict:
    from ..norms import orf_norm
    from ..progress import aimline, decide

    # One school generated for this learner, of one of the generator's four kinds.
    kind = _pick(rng, ("healthy", "weak_tier1", "disproportionate", "low_fidelity"))
    n = int(rng.integers(10, 17)) * 50
    knobs: dict[str, Any] = {}
    if kind == "weak_tier1":
        knobs["weak_grade"] = int(_pick(rng, (2, 3, 4, 5)))
    elif kind == "disproportionate":
        knobs["focus_group"] = _pick(rng, ("Hispanic/Latino", "Black or African American", "White", "Asian",
                                           "Two or more races"))
    seed = int(rng.integers(1, 2**31 - 1))
    knobs["proficient_share"] = _proficient_share(seed)
    c = _generated_school(n, seed, kind,
                          ("students", "screening", "outcomes", "tiers", "progress", "tfi", "fidelity"), **knobs)
    school = str(c.students["school"].astype(str).iloc[0])
    grade = _pick(rng, (2, 3, 4, 5, 6))
    pct = _pick(rng, (10, 25, 50))
    st = c.students
    t = c.tiers[c.tiers["season"] == "fall"]
    sg = st[st["grade"] == grade]
    fall = _orf(c, "fall")
    scores = _series(fall[fall["student_id"].isin(sg["student_id"])], "score", "orf_fall")
    out = c.outcomes[(c.outcomes["subject"] == "reading") & c.outcomes["student_id"].isin(scores.index)]
    at_risk = (~_series(out, "proficient", "at_risk").astype(bool)).reindex(scores.index)
    at_risk.name = "at_risk"
    # a monitored student; each four-point decision about equally likely among a few candidates
    cands = []
    for _ in range(6):
        sid, pgrade, one = _monitored(c, rng)
        last = int(_pick(rng, (10, 12, 14)))
        base = one[one["week"] <= 2]
        mon = one[(one["week"] >= 3) & (one["week"] <= last)]
        goal = round(float(np.median(base["score"])) + 19 * _pm_growth(pgrade) * _pick(rng, (1.0, 1.5)), 1)
        aim = aimline(base["week"].to_numpy(dtype=int), base["score"].to_numpy(dtype=float), goal, 20)
        action = decide(mon["week"].to_numpy(dtype=int), mon["score"].to_numpy(dtype=float), aim,
                        rule="four_point").action
        cands.append((action, sid, pgrade, base, mon, goal))
    want = _pick(rng, sorted({a for a, *_ in cands}))
    _, sid, pgrade, base, mon, goal = next(x for x in cands if x[0] == want)
    tfi = c.tfi[c.tfi["school"].astype(str) == school]
    obs = c.fidelity.copy()
    obs["interventionist"] = obs["interventionist"].astype(str)
    obs["step"] = obs["step"].astype(str)
    return {
        "dataset": f"generated school ({n} students)",
        "school": school,
        "fall_tiers": _series(t, "tier", "tier"),
        "year": _year(c, st["student_id"]),
        "grade": grade,
        "scores": scores,
        "at_risk": at_risk,
        "cut_percentile": pct,
        "cut": orf_norm(grade, "fall", pct),
        "pm_student": sid,
        "pm_grade": pgrade,
        "baseline_weeks": base["week"].to_numpy(dtype=int),
        "baseline_scores": base["score"].to_numpy(dtype=float),
        "goal": goal,
        "goal_week": 20,
        "weeks": mon["week"].to_numpy(dtype=int),
        "scores_pm": mon["score"].to_numpy(dtype=float),
        "tfi": {str(i): int(v) for i, v in zip(tfi["item"].astype(str), tfi["score"])},
        "equity_table": _equity_table(c, "tier3"),
        "min_cell": 5,
        "min_n": 20,
        "criterion": _pick(rng, (75, 80, 85)),
        "observations": obs.drop(columns=[k for k in ("school", "date") if k in obs.columns]).reset_index(drop=True),
    }
