"""Scenario sets of the system-level courses: ``fidelity`` (course 7), ``equity`` (8), ``behavior`` (9)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._sources import _equity_table, _generated_school, _load, _pick


def _sc_fidelity(rng: np.random.Generator) -> dict:
    # A school generated for this learner: how fully each tier's TFI items are in place, and how
    # closely interventionists follow the session checklist, differ from school to school.
    def probs(lo: float, hi: float) -> list[float]:
        p2 = round(float(rng.uniform(lo, hi)), 3)
        p0 = round(float(rng.uniform(0.03, 0.2)) * (1 - p2), 3)
        return [p0, round(1 - p2 - p0, 3), p2]

    n = int(rng.integers(6, 15)) * 50
    c = _generated_school(n, int(rng.integers(1, 2**31 - 1)), "healthy", ("students", "tfi", "fidelity"),
                          tfi_tier1=probs(0.2, 0.75), tfi_tier2=probs(0.25, 0.85), tfi_tier3=probs(0.2, 0.85),
                          adherence_mean=float(rng.uniform(0.62, 0.95)), dosage_mean=float(rng.uniform(0.65, 0.95)))
    school = str(c.students["school"].astype(str).iloc[0])
    tfi = c.tfi[c.tfi["school"].astype(str) == school]
    sheet = {str(i): int(v) for i, v in zip(tfi["item"].astype(str), tfi["score"])}
    items = sorted(sheet, key=lambda k: tuple(int(p) for p in k.split(".")))
    # two observers rate the items of one tier independently
    tier = int(_pick(rng, (1, 2, 3)))
    rated = [i for i in items if i.startswith(f"{tier}.")]
    rater1 = [sheet[i] for i in rated]
    rater2 = list(rater1)
    for k in rng.choice(len(rated), size=int(rng.integers(1, min(7, len(rated)))), replace=False):
        rater2[int(k)] = int((rater2[int(k)] + int(rng.integers(1, 3))) % 3)
    obs = c.fidelity.copy()
    obs["interventionist"] = obs["interventionist"].astype(str)
    obs["step"] = obs["step"].astype(str)
    obs = obs.drop(columns=[k for k in ("school", "date") if k in obs.columns]).reset_index(drop=True)
    return {
        "dataset": f"generated school ({n} students)",
        "school": school,
        "tfi": sheet,
        "rated_tier": tier,
        "rated_items": rated,
        "rater1": rater1,
        "rater2": rater2,
        "observations": obs,
        "criterion": _pick(rng, (75, 80, 85, 90)),
    }


def _sc_equity(rng: np.random.Generator) -> dict:
    groups = ("White", "Hispanic/Latino", "Black or African American", "Asian", "Two or more races")
    outcome = _pick(rng, ("tier3", "suspension"))
    # A district generated for this learner: its size, and in most districts a bias in the
    # school's decisions against one group (the generator's "disproportionate" scenario).
    n = int(rng.integers(6, 61)) * 50
    seed = int(rng.integers(1, 2**31 - 1))
    focus = _pick(rng, groups)
    if rng.random() < 0.9:
        c = _generated_school(n, seed, "disproportionate", ("students", "tiers", "behavior"), focus_group=focus,
                              tier3_bias=round(float(rng.uniform(0.4, 0.9)), 2),
                              suspension_multiplier=round(float(rng.uniform(1.5, 4.0)), 1))
        kind = "disproportionate"
    else:
        c = _generated_school(n, seed, "healthy", ("students", "tiers", "behavior"))
        kind = "healthy"
    table = _equity_table(c, outcome)
    state_ds = _pick(rng, ("district_small", "healthy", "weak_tier1", "low_fidelity"))
    state = _equity_table(_load(state_ds), outcome)
    state = state.set_index("group").reindex(table["group"], fill_value=0).reset_index()
    state["count"] = state["count"] + table["count"].to_numpy()
    state["total"] = state["total"] + table["total"].to_numpy()
    return {
        "dataset": f"generated district ({n} students, {kind})",
        # A school-level teaching view: every enrolled student is the denominator. (IDEA's own
        # placement and discipline analyses count children with disabilities only; the shipped
        # schools have too few of them for any ratio to clear the minimum cell size.)
        "outcome": ("spring Tier 3 placement, among all enrolled students" if outcome == "tier3"
                    else "any suspension (in or out of school), among all enrolled students"),
        "table": table,
        "state": state,
        "focal_group": focus,
        # IDEA's rules presume a minimum cell size up to 10 and an n-size up to 30 reasonable
        "min_cell": _pick(rng, (3, 5, 8, 10)),
        "min_n": _pick(rng, (10, 15, 20, 25, 30)),
        "threshold": _pick(rng, (1.5, 2.0, 2.5, 3.0)),
    }


def _sc_behavior(rng: np.random.Generator) -> dict:
    from ..behavior import counted_referrals, srss_items

    # A school generated for this learner (size and referral pattern differ from school to school).
    n = int(rng.integers(6, 19)) * 50
    kind = _pick(rng, ("healthy", "healthy", "disproportionate", "low_fidelity"))
    c = _generated_school(n, int(rng.integers(1, 2**31 - 1)), kind, ("students", "behavior"))
    st = c.students
    school = str(st["school"].astype(str).iloc[0])
    b = c.behavior[c.behavior["student_id"].isin(st["student_id"])]
    majors = counted_referrals(b)
    per = majors.groupby("student_id").size().reindex(st["student_id"].to_numpy(), fill_value=0)
    per.index.name = "student_id"
    per.name = "major_odrs"
    n_items = len(srss_items())
    k = 12
    # A teacher's SRSS ratings for one class: most students low, a few high.
    risk = rng.random(k) < 0.25
    items = np.where(risk[:, None], rng.integers(1, 4, size=(k, n_items)), rng.integers(0, 2, size=(k, n_items)))
    ids = sorted(int(i) for i in rng.choice(st["student_id"].to_numpy(), size=k, replace=False))
    cols = [f"item{j + 1}" for j in range(n_items)]
    srss = pd.DataFrame(items, index=pd.Index(ids, name="student_id"), columns=cols)
    return {
        "dataset": f"generated school ({n} students)",
        "school": school,
        "enrollment": int(len(st)),
        "school_days": int(rng.integers(170, 181)),
        "major_odrs": int(len(majors)),
        "odrs_per_student": per.sort_index(),
        "grade_span": "K-6",
        "srss_items": srss,
    }
