"""Scenario sets of the screening and Tier 1 courses: ``foundations`` (course 1), ``screening`` (2),
``tier1`` (3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._sources import _generated_school, _orf, _pick, _proficient_share, _school, _series, _year


def _sc_foundations(rng: np.random.Generator) -> dict:
    from ..norms import benchmark_status

    c, ds = _school(rng, ("students", "screening", "tiers", "outcomes"), vary_proficiency=True)
    # Acadience ORF benchmark goals exist for grade 1 (winter, spring) and grades 2-3
    grade, season = _pick(rng, [(1, "winter"), (1, "spring")] + [(g, s) for g in (2, 3)
                                                                for s in ("fall", "winter", "spring")])
    st = c.students[c.students["grade"] == grade]
    school = _pick(rng, sorted(st["school"].astype(str).unique()))
    st = st[st["school"].astype(str) == school]
    classroom = _pick(rng, sorted(st["classroom"].astype(str).unique()))
    ids = st.loc[st["classroom"].astype(str) == classroom, "student_id"]
    orf = _orf(c, season)
    class_scores = _series(orf[orf["student_id"].isin(ids)], "score", "orf")
    # one student of the class, each benchmark status about equally likely
    status = pd.Series(benchmark_status(class_scores, grade, season), index=class_scores.index)
    want = _pick(rng, sorted(status.unique()))
    student_id = int(_pick(rng, status.index[status == want]))
    t = c.tiers[(c.tiers["season"] == season) & c.tiers["student_id"].isin(st["student_id"])]
    return {
        "dataset": ds,
        "school": school,
        "grade": grade,
        "season": season,
        "classroom": classroom,
        "student_id": student_id,
        "student_score": int(class_scores.loc[student_id]),
        "class_scores": class_scores,
        "tiers": _series(t, "tier", "tier"),
        "year": _year(c, st["student_id"]).drop(columns="grade"),
    }


def _sc_screening(rng: np.random.Generator) -> dict:
    from ..norms import orf_norm

    c, ds = _school(rng, ("students", "screening", "outcomes"))
    grade = _pick(rng, (2, 3, 4, 5, 6))
    school = _pick(rng, sorted(c.students["school"].astype(str).unique()))
    st = c.students[(c.students["grade"] == grade) & (c.students["school"].astype(str) == school)]
    fall = _orf(c, "fall")
    scores = _series(fall[fall["student_id"].isin(st["student_id"])], "score", "orf_fall")
    out = c.outcomes[(c.outcomes["subject"] == "reading") & c.outcomes["student_id"].isin(scores.index)]
    at_risk = ~_series(out, "proficient", "at_risk").astype(bool)
    at_risk.name = "at_risk"
    pct = _pick(rng, (25, 50))
    vendor = {
        "auc_lower": round(float(rng.uniform(0.66, 0.86)), 2),
        "sensitivity": round(float(rng.uniform(0.55, 0.92)), 2),
        "specificity": round(float(rng.uniform(0.55, 0.92)), 2),
    }
    return {
        "dataset": ds,
        "school": school,
        "grade": grade,
        "scores": scores,
        "at_risk": at_risk.reindex(scores.index),
        "cut_percentile": pct,
        "cut": orf_norm(grade, "fall", pct),
        "target_sensitivity": _pick(rng, (0.80, 0.85, 0.90)),
        "vendor": vendor,
    }


def _sc_tier1(rng: np.random.Generator) -> dict:
    from ..screening import math_instructional_table

    grade = _pick(rng, (2, 3, 4, 5))
    season = _pick(rng, ("fall", "winter", "spring"))
    # A school generated for this learner; in most, core math instruction is weak in the
    # learner's grade (the generator's weak_tier1 scenario), so classwide problems show up.
    weak = bool(rng.random() < 0.7)
    n = int(rng.integers(10, 19)) * 50
    seed = int(rng.integers(1, 2**31 - 1))
    proficient_share = _proficient_share(seed)
    tables = ("students", "screening", "tiers", "outcomes")
    if weak:
        c = _generated_school(n, seed, "weak_tier1", tables, weak_grade=grade,
                              weak_shift=float(_pick(rng, (-0.6, -0.9, -1.2))), proficient_share=proficient_share)
    else:
        c = _generated_school(n, seed, "healthy", tables, proficient_share=proficient_share)
    st = c.students
    t = c.tiers[c.tiers["season"] == season]
    sg = st[st["grade"] == grade]
    s = c.screening
    m = s[(s["measure"] == "math_dcpm") & (s["season"] == season) & s["student_id"].isin(sg["student_id"])]
    math = m[["student_id", "score"]].merge(sg[["student_id", "classroom"]], on="student_id")
    math = math.rename(columns={"score": "dcpm"})
    math["classroom"] = math["classroom"].astype(str)
    math = math[["student_id", "classroom", "dcpm"]].sort_values(["classroom", "student_id"]).reset_index(drop=True)
    row = math_instructional_table().set_index("grade").loc[grade]
    return {
        "dataset": f"generated school ({n} students)",
        "school": str(st["school"].astype(str).iloc[0]),
        "season": season,
        "tiers": _series(t, "tier", "tier"),
        "year": _year(c, st["student_id"]),
        "grade": grade,
        "math": math,
        "instructional_range": (int(row["instructional_low"]), int(row["instructional_high"])),
    }
