"""Per-learner exercise scenarios and tamper-resistant checks for nbgrader.

Every micro-course under ``modules/<course>/`` ends with an auto-graded
exercise notebook (an nbgrader source notebook). Its first cell sets
``LEARNER_ID``; its second cell draws that learner's scenario::

    scenario = mtss_teach.exercises.scenario("02-screening", LEARNER_ID)

:func:`scenario` is deterministic: the same course and learner id always
give the same numbers, and different ids give different numbers (another
dataset, school, grade, student, cut score or fidelity sheet), drawn from
the shipped datasets (:func:`mtss_teach.datasets.load`) and the library.
A scenario holds only the *inputs* of the decisions, never the answers.

The hidden tests of each notebook recompute the expected answer for the
learner's scenario through the library, and compare it with the learner's
recorded decision using :class:`Grader`. This module deliberately contains
no answer key: a learner who imports it learns nothing they could not
compute with the library themselves.

Tamper resistance (what a learner's code in the same kernel cannot do
without it being noticed):

- nbgrader restores the locked test cells, their points and metadata, and
  re-inserts a deleted test cell (see ``nbgrader_config.py``);
- the checks raise ``AssertionError`` explicitly (no ``assert`` statement,
  no ``numpy.testing``), so rebinding ``AssertionError`` or a testing helper
  changes nothing;
- :func:`guard` (run by every :class:`Grader`) compares builtins, ``math``,
  numpy, pandas' core classes, ``scipy.stats`` and every ``mtss_teach``
  module with a snapshot taken when this module was first imported (the
  locked setup cell, before any answer cell runs) and fails the test when
  something was replaced by notebook code; it also clears the library's
  caches, so a mutated cached table cannot change the expected answer;
- the expected answer is recomputed from a fresh :func:`scenario` read from
  the data files, so mutating the notebook's ``scenario`` changes nothing;
- under ``nbgrader autograde`` the scenario graded is the one of the
  ``LEARNER_ID`` typed in the notebook (the answers were computed for it),
  and the grading pipeline compares it with the submission's account (the
  nbgrader student id, read from the kernel's launch environment): a
  difference -- a placeholder left in, a classmate's id or notebook -- is
  marked "needs review: id mismatch" for the instructor
  (:func:`graded_learner_id`, :mod:`mtss_teach.grading.identity`).

Python code in the learner's kernel can always, with enough effort, forge
what an in-process check looks at (for example by compiling code under a
library file name, or by replacing :class:`Grader` and :func:`guard`
themselves). ``python -m mtss_teach.grading autograde`` therefore does not
take the kernel's word for it:

- every :class:`Grader` check records the learner's answer in the test
  cell's output (:data:`RECORD_MIME`, data only: :func:`encode_value`), and
  the pipeline re-runs the instructor's test cell on those recorded
  answers in a fresh process; a credited test without a record that passes
  there has its points withheld;
- it scans the learner-editable cells for tampering, lists the submissions
  to review (:func:`mtss_teach.grading.scan_notebook`) and withholds the
  points of every test that ran after flagged code.

What remains possible: kernel code the scan does not recognise that makes
a replaced check record the *expected* value instead of the learner's.
For high-stakes use, run the autograder in a sandbox.
"""

from __future__ import annotations

import builtins
import copy
import functools
import hashlib
import math
import os
import sys
import sysconfig
import types
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ._validate import check_choice
from .errors import DataError

__all__ = [
    "COURSES",
    "scenario",
    "learner_seed",
    "graded_learner_id",
    "PLACEHOLDER_LEARNER_ID",
    "Grader",
    "guard",
    "expect_number",
    "expect_choice",
    "expect_bool",
    "expect_ids",
    "expect_callable",
    "RECORD_MIME",
    "encode_value",
    "decode_value",
]

#: Assignment ids = micro-course folder names under ``modules/``.
COURSES: tuple[str, ...] = (
    "01-foundations",
    "02-screening",
    "03-tier1-placement",
    "04-progress-monitoring",
    "05-decision-rules",
    "06-data-meetings",
    "07-fidelity",
    "08-equity",
    "09-behavior-sel",
    "10-capstone",
)

_DATASETS = ("district_small", "healthy", "weak_tier1", "disproportionate", "low_fidelity")
_MAX_ID_LEN = 64


# ---------------------------------------------------------------------------
# learner ids and seeds
# ---------------------------------------------------------------------------


def _check_learner_id(learner_id: Any) -> str:
    if not isinstance(learner_id, str):
        raise DataError(f"learner_id: expected text (your course login), got {learner_id!r}")
    lid = learner_id.strip()
    if not lid:
        raise DataError("learner_id: empty; type your course login between the quotes in the first cell")
    if len(lid) > _MAX_ID_LEN:
        raise DataError(f"learner_id: {len(lid)} characters; at most {_MAX_ID_LEN}")
    return lid


def _check_course(course: Any) -> str:
    return check_choice(course, "course", COURSES)


def learner_seed(course: str, learner_id: str) -> int:
    """The random seed of one learner's scenario in one course.

    A SHA-256 of ``"<course>|<learner id>"`` (surrounding spaces ignored),
    so it is the same on every machine and run.

    Examples
    --------
    >>> from mtss_teach.exercises import learner_seed
    >>> learner_seed("02-screening", "ada") == learner_seed("02-screening", " ada ")
    True
    >>> learner_seed("02-screening", "ada") != learner_seed("02-screening", "bob")
    True
    """
    c = _check_course(course)
    lid = _check_learner_id(learner_id)
    digest = hashlib.sha256(f"{c}|{lid}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _launch_environ() -> dict[str, str]:
    """The environment this process was started with.

    On Linux read from ``/proc/self/environ``, which code running in the
    process cannot change through ``os.environ``; elsewhere ``os.environ``.
    """
    try:
        raw = Path("/proc/self/environ").read_bytes()
    except OSError:
        return dict(os.environ)
    env = {}
    for item in raw.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
    return env


#: The ``LEARNER_ID`` the exercise notebooks ship with; a learner who leaves
#: it is warned before submitting and their submission is marked for review.
PLACEHOLDER_LEARNER_ID = "demo-learner"


def _autograde_account(env: dict[str, str], course: str | None) -> str:
    """The nbgrader student id being autograded, from the kernel's launch environment ("" otherwise)."""
    student = env.get("MTSS_GRADED_STUDENT", "").strip()
    assignment = env.get("MTSS_GRADED_ASSIGNMENT", "").strip()
    if student and env.get("NBGRADER_EXECUTION") == "autograde" and (
            course is None or not assignment or assignment == course):
        return student
    return ""


def graded_learner_id(learner_id: Any, course: str | None = None) -> str:
    """The learner id whose scenario is graded.

    The notebook's ``LEARNER_ID`` (``learner_id``): the setup cell drew the
    scenario from it, so the answers belong to it. Under ``nbgrader
    autograde`` with this course's ``nbgrader_config.py`` the kernel is also
    given the submission's student id (``MTSS_GRADED_STUDENT``, from its
    launch environment, which notebook code cannot change):

    - when ``LEARNER_ID`` is missing or unusable, that student id is graded;
    - with ``MTSS_BIND_LEARNER_ID=1`` (``autograde --bind-learner-id``),
      that student id is always graded, whatever ``LEARNER_ID`` says.

    When the two differ, the pipeline marks the submission "needs review:
    id mismatch" (see :mod:`mtss_teach.grading.identity`).

    Examples
    --------
    >>> from mtss_teach.exercises import graded_learner_id
    >>> graded_learner_id(" ada ")
    'ada'
    """
    env = _launch_environ()
    account = _autograde_account(env, course)
    bound = env.get("MTSS_BIND_LEARNER_ID", "0").strip().lower() not in ("", "0", "false", "no")
    if account and bound:
        return account
    try:
        return _check_learner_id(learner_id)
    except DataError:
        if account:
            return account
        raise


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------


def _pick(rng: np.random.Generator, seq: Iterable[Any]) -> Any:
    items = list(seq)
    return items[int(rng.integers(len(items)))]


def _load(name: str):
    from . import datasets  # data layer; imported late so the core never needs it

    return datasets.load(name)


def _orf(c, season: str) -> pd.DataFrame:
    s = c.screening
    return s[(s["measure"] == "orf") & (s["season"] == season)]


def _series(df: pd.DataFrame, value: str, name: str) -> pd.Series:
    out = pd.Series(df[value].to_numpy(), index=pd.Index(df["student_id"].to_numpy(), name="student_id"), name=name)
    return out.sort_index()


def _monitored(c, rng: np.random.Generator, grades=(2, 3, 4, 5, 6)) -> tuple[int, int, pd.DataFrame]:
    pr = c.progress
    st = c.students.set_index("student_id")
    ids = sorted(int(i) for i in pr["student_id"].unique() if int(st.loc[int(i), "grade"]) in grades)
    sid = _pick(rng, ids)
    one = pr[pr["student_id"] == sid].sort_values("week")
    return sid, int(st.loc[sid, "grade"]), one


def _sc_foundations(rng: np.random.Generator) -> dict:
    ds = _pick(rng, _DATASETS)
    c = _load(ds)
    grade = _pick(rng, (2, 3))
    season = _pick(rng, ("fall", "winter", "spring"))
    st = c.students[c.students["grade"] == grade]
    school = _pick(rng, sorted(st["school"].astype(str).unique()))
    st = st[st["school"].astype(str) == school]
    classroom = _pick(rng, sorted(st["classroom"].astype(str).unique()))
    ids = st.loc[st["classroom"].astype(str) == classroom, "student_id"]
    orf = _orf(c, season)
    class_scores = _series(orf[orf["student_id"].isin(ids)], "score", "orf")
    student_id = int(_pick(rng, class_scores.index))
    school_ids = c.students.loc[c.students["school"].astype(str) == school, "student_id"]
    t = c.tiers[(c.tiers["season"] == season) & c.tiers["student_id"].isin(school_ids)]
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
    }


def _sc_screening(rng: np.random.Generator) -> dict:
    from .norms import orf_norm

    ds = _pick(rng, _DATASETS)
    c = _load(ds)
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
    from .screening import math_instructional_table

    ds = _pick(rng, _DATASETS + ("weak_tier1",))
    c = _load(ds)
    school = _pick(rng, sorted(c.students["school"].astype(str).unique()))
    st = c.students[c.students["school"].astype(str) == school]
    t = c.tiers[(c.tiers["season"] == "fall") & c.tiers["student_id"].isin(st["student_id"])]
    grade = _pick(rng, (2, 3, 4, 5))
    sg = st[st["grade"] == grade]
    s = c.screening
    m = s[(s["measure"] == "math_dcpm") & (s["season"] == "fall") & s["student_id"].isin(sg["student_id"])]
    math = m[["student_id", "score"]].merge(sg[["student_id", "classroom"]], on="student_id")
    math = math.rename(columns={"score": "dcpm"})
    math["classroom"] = math["classroom"].astype(str)
    math = math[["student_id", "classroom", "dcpm"]].sort_values(["classroom", "student_id"]).reset_index(drop=True)
    row = math_instructional_table().set_index("grade").loc[grade]
    return {
        "dataset": ds,
        "school": school,
        "tiers": _series(t, "tier", "tier"),
        "grade": grade,
        "math": math,
        "instructional_range": (int(row["instructional_low"]), int(row["instructional_high"])),
    }


def _sc_progress(rng: np.random.Generator) -> dict:
    ds = _pick(rng, _DATASETS)
    c = _load(ds)
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
    from .norms import typical_growth

    ds = _pick(rng, _DATASETS)
    c = _load(ds)
    sid, grade, one = _monitored(c, rng)
    n_weeks = _pick(rng, (8, 10, 12, 14, 16))
    base = one[one["week"] <= 2]
    mon = one[(one["week"] >= 3) & (one["week"] <= 2 + n_weeks)]
    ambition = _pick(rng, (1.0, 1.5, 2.0))
    start = float(np.median(base["score"].to_numpy(dtype=float)))
    goal = round(start + ambition * typical_growth(grade) * 19, 1)
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
            "true_slope": _pick(rng, (0.5, 1.0, 1.5, 2.0)),
            "aim_slope": _pick(rng, (1.0, 1.5)),
            "sem": _pick(rng, (5, 8, 10, 12, 15)),
            "seed": int(rng.integers(1, 10_000)),
            "n": 2000,
        },
        "short_weeks": 6,
        "long_weeks": _pick(rng, (12, 14, 16)),
        "candidate_weeks": [6, 8, 10, 12, 14, 16, 18, 20],
    }


def _sc_meetings(rng: np.random.Generator) -> dict:
    from .norms import orf_norm
    from .progress import fit_trends

    ds = _pick(rng, _DATASETS)
    c = _load(ds)
    grade = _pick(rng, (2, 3, 4, 5, 6))
    st = c.students[c.students["grade"] == grade]
    win = _orf(c, "winter")
    wg = win[win["student_id"].isin(st["student_id"])]
    low = wg[wg["score"] < orf_norm(grade, "winter", 50)]
    sid = int(_pick(rng, sorted(low["student_id"])))
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
    }


def _sc_fidelity(rng: np.random.Generator) -> dict:
    ds = _pick(rng, _DATASETS)
    c = _load(ds)
    school = _pick(rng, sorted(c.tfi["school"].astype(str).unique()))
    tfi = c.tfi[c.tfi["school"].astype(str) == school]
    sheet = {str(i): int(s) for i, s in zip(tfi["item"].astype(str), tfi["score"])}
    # This spring the team re-scored a few items (each learner's sheet differs).
    items = sorted(sheet, key=lambda k: tuple(int(p) for p in k.split(".")))
    for item in rng.choice(items, size=6, replace=False):
        sheet[str(item)] = int(rng.integers(0, 3))
    tier1 = [i for i in items if i.startswith("1.")]
    rater1 = [sheet[i] for i in tier1]
    rater2 = list(rater1)
    for k in rng.choice(len(tier1), size=int(rng.integers(2, 6)), replace=False):
        rater2[int(k)] = int((rater2[int(k)] + int(rng.integers(1, 3))) % 3)
    obs = c.fidelity[c.fidelity["school"].astype(str) == school].copy()
    obs["interventionist"] = obs["interventionist"].astype(str)
    obs["step"] = obs["step"].astype(str)
    obs = obs.drop(columns=["school", "date"]).reset_index(drop=True)
    return {
        "dataset": ds,
        "school": school,
        "tfi": sheet,
        "tier1_items": tier1,
        "rater1": rater1,
        "rater2": rater2,
        "observations": obs,
        "criterion": _pick(rng, (80, 85)),
    }


def _group_table(students: pd.DataFrame, flagged: pd.Series) -> pd.DataFrame:
    from .cohorts import Cohort  # noqa: F401  (data layer present)

    groups = students["race_ethnicity"].cat.categories if hasattr(students["race_ethnicity"], "cat") else sorted(
        students["race_ethnicity"].unique()
    )
    g = students["race_ethnicity"].astype(str)
    total = g.value_counts().reindex(list(groups), fill_value=0)
    count = g[flagged.to_numpy()].value_counts().reindex(list(groups), fill_value=0)
    out = pd.DataFrame({"group": list(groups), "count": count.to_numpy(), "total": total.to_numpy()})
    return out[out["total"] > 0].reset_index(drop=True)


def _equity_table(c, outcome: str) -> pd.DataFrame:
    st = c.students
    if outcome == "tier3":
        t = c.tiers[(c.tiers["season"] == "spring") & (c.tiers["tier"] == 3)]
        flagged = st["student_id"].isin(t["student_id"])
    else:
        b = c.behavior
        susp = b[b["action"].astype(str).isin(["in-school suspension", "out-of-school suspension"])]
        flagged = st["student_id"].isin(susp["student_id"])
    return _group_table(st, flagged)


def _sc_equity(rng: np.random.Generator) -> dict:
    ds = _pick(rng, ("disproportionate", "disproportionate", "district_small", "healthy", "weak_tier1"))
    c = _load(ds)
    outcome = _pick(rng, ("tier3", "suspension"))
    table = _equity_table(c, outcome)
    state_ds = "district_small" if ds != "district_small" else "healthy"
    state = _equity_table(_load(state_ds), outcome)
    state = state.set_index("group").reindex(table["group"], fill_value=0).reset_index()
    state["count"] = state["count"] + table["count"].to_numpy()
    state["total"] = state["total"] + table["total"].to_numpy()
    focal = str(table.sort_values(["count", "group"], ascending=[False, True])["group"].iloc[0])
    return {
        "dataset": ds,
        # A school-level teaching view: every enrolled student is the denominator. (IDEA's own
        # placement and discipline analyses count children with disabilities only; the shipped
        # schools have too few of them for any ratio to clear the minimum cell size.)
        "outcome": ("spring Tier 3 placement, among all enrolled students" if outcome == "tier3"
                    else "any suspension (in or out of school), among all enrolled students"),
        "table": table,
        "state": state,
        "focal_group": focal,
        "min_cell": _pick(rng, (5, 10)),
        "min_n": _pick(rng, (20, 30)),
        "threshold": _pick(rng, (1.5, 2.0, 2.5, 3.0)),
    }


def _sc_behavior(rng: np.random.Generator) -> dict:
    from .behavior import srss_items

    ds = _pick(rng, _DATASETS)
    c = _load(ds)
    school = _pick(rng, sorted(c.students["school"].astype(str).unique()))
    st = c.students[c.students["school"].astype(str) == school]
    b = c.behavior[c.behavior["student_id"].isin(st["student_id"])]
    majors = b[b["type"] == "major"]
    per = majors.groupby("student_id").size().reindex(st["student_id"].to_numpy(), fill_value=0)
    per.index.name = "student_id"
    per.name = "major_odrs"
    n_items = len(srss_items())
    n = 12
    # A teacher's SRSS ratings for one class: most students low, a few high.
    risk = rng.random(n) < 0.25
    items = np.where(risk[:, None], rng.integers(1, 4, size=(n, n_items)), rng.integers(0, 2, size=(n, n_items)))
    ids = sorted(int(i) for i in rng.choice(st["student_id"].to_numpy(), size=n, replace=False))
    cols = [f"item{k + 1}" for k in range(n_items)]
    srss = pd.DataFrame(items, index=pd.Index(ids, name="student_id"), columns=cols)
    return {
        "dataset": ds,
        "school": school,
        "enrollment": int(len(st)),
        "school_days": int(rng.integers(170, 181)),
        "major_odrs": int(len(majors)),
        "odrs_per_student": per.sort_index(),
        "grade_span": "K-6",
        "srss_items": srss,
    }


def _sc_capstone(rng: np.random.Generator) -> dict:
    from .norms import orf_norm

    ds = _pick(rng, ("healthy", "weak_tier1", "disproportionate", "low_fidelity"))
    c = _load(ds)
    school = str(c.students["school"].astype(str).iloc[0])
    grade = _pick(rng, (2, 3, 4, 5, 6))
    st = c.students
    t = c.tiers[c.tiers["season"] == "fall"]
    sg = st[st["grade"] == grade]
    fall = _orf(c, "fall")
    scores = _series(fall[fall["student_id"].isin(sg["student_id"])], "score", "orf_fall")
    out = c.outcomes[(c.outcomes["subject"] == "reading") & c.outcomes["student_id"].isin(scores.index)]
    at_risk = (~_series(out, "proficient", "at_risk").astype(bool)).reindex(scores.index)
    at_risk.name = "at_risk"
    sid, pgrade, one = _monitored(c, rng)
    tfi = c.tfi[c.tfi["school"].astype(str) == school]
    obs = c.fidelity[c.fidelity["school"].astype(str) == school].copy()
    obs["interventionist"] = obs["interventionist"].astype(str)
    obs["step"] = obs["step"].astype(str)
    return {
        "dataset": ds,
        "school": school,
        "fall_tiers": _series(t, "tier", "tier"),
        "grade": grade,
        "scores": scores,
        "at_risk": at_risk,
        "cut": orf_norm(grade, "fall", 25),
        "pm_student": sid,
        "pm_grade": pgrade,
        "baseline_weeks": one.loc[one["week"] <= 2, "week"].to_numpy(dtype=int),
        "baseline_scores": one.loc[one["week"] <= 2, "score"].to_numpy(dtype=float),
        "goal": round(float(np.median(one.loc[one["week"] <= 2, "score"])) + 19 * _pm_growth(pgrade), 1),
        "goal_week": 20,
        "weeks": one.loc[(one["week"] >= 3) & (one["week"] <= 12), "week"].to_numpy(dtype=int),
        "scores_pm": one.loc[(one["week"] >= 3) & (one["week"] <= 12), "score"].to_numpy(dtype=float),
        "tfi": {str(i): int(s) for i, s in zip(tfi["item"].astype(str), tfi["score"])},
        "equity_table": _equity_table(c, "tier3"),
        "min_cell": 5,
        "min_n": 20,
        "observations": obs.drop(columns=["school", "date"]).reset_index(drop=True),
    }


def _pm_growth(grade: int) -> float:
    from .norms import typical_growth

    return typical_growth(grade)


_BUILDERS: dict[str, Callable[[np.random.Generator], dict]] = {
    "01-foundations": _sc_foundations,
    "02-screening": _sc_screening,
    "03-tier1-placement": _sc_tier1,
    "04-progress-monitoring": _sc_progress,
    "05-decision-rules": _sc_decisions,
    "06-data-meetings": _sc_meetings,
    "07-fidelity": _sc_fidelity,
    "08-equity": _sc_equity,
    "09-behavior-sel": _sc_behavior,
    "10-capstone": _sc_capstone,
}


def scenario(course: str, learner_id: str) -> dict:
    """One learner's scenario for one course's exercise.

    Deterministic: the same ``course`` and ``learner_id`` always give the
    same scenario; another id gives other numbers (dataset, school, grade,
    student, cut score, fidelity sheet, ...). The values are inputs to the
    decisions the exercise asks for, drawn from the shipped datasets
    (:func:`mtss_teach.datasets.load`); the answers are not in it.

    Parameters
    ----------
    course : str
        One of :data:`COURSES`, e.g. ``"02-screening"``.
    learner_id : str
        The learner's course login (non-empty, at most 64 characters).

    Returns
    -------
    dict
        Always ``"course"``, ``"learner_id"`` and ``"dataset"``; the other
        keys depend on the course (see the exercise notebook).

    Raises
    ------
    DataError
        Unknown course, or an empty / non-text learner id.

    Examples
    --------
    >>> from mtss_teach.exercises import scenario
    >>> a = scenario("02-screening", "ada")
    >>> sorted(k for k in a if k in ("cut", "grade", "target_sensitivity"))
    ['cut', 'grade', 'target_sensitivity']
    >>> a["cut"] == scenario("02-screening", "ada")["cut"]
    True
    >>> scenario("02-screening", "")
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: learner_id: empty; type your course login between the quotes in the first cell
    """
    c = _check_course(course)
    lid = _check_learner_id(learner_id)
    key = (c, lid)
    if key not in _SCENARIOS:
        rng = np.random.default_rng(learner_seed(c, lid))
        out = {"course": c, "learner_id": lid}
        out.update(_BUILDERS[c](rng))
        if len(_SCENARIOS) >= 32:
            _SCENARIOS.clear()
        _SCENARIOS[key] = out
    # a deep copy: changing the returned tables never changes a later call
    return copy.deepcopy(_SCENARIOS[key])


_SCENARIOS: dict[tuple[str, str], dict] = {}


# ---------------------------------------------------------------------------
# integrity guard
# ---------------------------------------------------------------------------

_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: classes created by Python code

# Builtins ipykernel / IPython legitimately replace while a notebook runs.
_VOLATILE_BUILTINS = {"input", "raw_input", "getpass", "display", "get_ipython", "help",
                      "copyright", "credits", "license", "exit", "quit", "_", "__", "___",
                      "__IPYTHON__", "__IPYTHON__active", "dreload", "breakpoint", "__loader__",
                      "__spec__", "__name__", "__doc__", "__package__", "__build_class__", "open"}


def _trusted_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            roots.add(p)
    roots.add(str(Path(__file__).resolve().parent))
    return tuple(sorted(os.path.realpath(r) + os.sep for r in roots if r))


_ROOTS = _trusted_roots()


def _genuine(obj: Any) -> bool:
    """False for functions/classes made by notebook code (not from a file on disk)."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    elif isinstance(obj, property):
        return all(_genuine(f) for f in (obj.fget, obj.fset, obj.fdel) if f is not None)
    elif isinstance(obj, functools.partial):
        return _genuine(obj.func)
    wrapped = getattr(obj, "__wrapped__", None) if type(obj).__name__ == "_lru_cache_wrapper" else None
    if wrapped is not None:
        return _genuine(wrapped)
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if isinstance(obj, types.FunctionType):
        return _trusted_file(obj.__code__.co_filename)
    if isinstance(obj, type):
        if not obj.__flags__ & _HEAPTYPE or obj.__module__ == "builtins":
            return True
        if obj.__module__ == "__main__":
            return False
        mod = sys.modules.get(getattr(obj, "__module__", "") or "")
        f = getattr(mod, "__file__", None)
        return f is None or _trusted_file(f)
    return True


@functools.lru_cache(maxsize=None)
def _trusted_file(filename: str) -> bool:
    """Code from an installed file, or generated by a library (``<string>``)."""
    if filename.startswith("<"):
        # dataclasses, namedtuple and scipy generate code as "<string>"; IPython
        # cells are "<ipython-input-...>" (old) or a file in ipykernel's temp dir.
        return not filename.startswith("<ipython-input")
    real = os.path.realpath(filename)
    if "ipykernel_" in real:
        return False
    return real.startswith(_ROOTS)


def _watched() -> list[tuple[str, Any]]:
    """(label, namespace object) pairs whose attributes the guard watches."""
    import scipy.stats as sps

    out: list[tuple[str, Any]] = [("math", math), ("numpy", np), ("numpy.linalg", np.linalg),
                                  ("pandas", pd), ("scipy.stats", sps)]
    for cls in (pd.DataFrame, pd.Series, pd.Index, pd.Categorical,
                pd.core.groupby.DataFrameGroupBy, pd.core.groupby.SeriesGroupBy, type(sps.t)):
        for k in cls.__mro__:
            if k is not object and k.__flags__ & _HEAPTYPE:
                out.append((f"{k.__module__}.{k.__qualname__}", k))
    out.append(("scipy.stats.t", sps.t))
    for name in sorted(sys.modules):
        if name == "mtss_teach" or name.startswith("mtss_teach."):
            mod = sys.modules[name]
            if mod is None:
                continue
            out.append((name, mod))
            for v in list(vars(mod).values()):
                if isinstance(v, type) and getattr(v, "__module__", None) == name:
                    out.append((f"{name}.{v.__qualname__}", v))
    return out


def _attrs(obj: Any) -> dict[str, Any]:
    d = vars(obj) if hasattr(obj, "__dict__") else {}
    return {k: v for k, v in list(d.items()) if callable(v) or isinstance(v, (staticmethod, classmethod, property))}


def _code_of(obj: Any) -> Any:
    """The code object behind a function-like attribute (None for C objects)."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    elif isinstance(obj, property):
        obj = obj.fget
    obj = getattr(obj, "__wrapped__", obj) if type(obj).__name__ == "_lru_cache_wrapper" else obj
    return obj.__code__ if isinstance(obj, types.FunctionType) else None


def _codes(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: c for k, c in ((k, _code_of(v)) for k, v in attrs.items()) if c is not None}


def _take_snapshot() -> dict:
    snap: dict[str, Any] = {"builtins": {}, "spaces": {}, "modules": {}}
    for k, v in list(vars(builtins).items()):
        if k not in _VOLATILE_BUILTINS and callable(v):
            snap["builtins"][k] = v
    for label, ns in _watched():
        attrs = _attrs(ns)
        snap["spaces"][label] = (ns, attrs, _codes(attrs))
        if isinstance(ns, types.ModuleType):
            snap["modules"][ns.__name__] = ns
    return snap


def _clear_caches() -> None:
    for name in list(sys.modules):
        if name == "mtss_teach" or name.startswith("mtss_teach."):
            mod = sys.modules[name]
            for v in list(vars(mod).values()) if mod is not None else ():
                clear = getattr(v, "cache_clear", None)
                if callable(clear) and type(v).__name__ == "_lru_cache_wrapper":
                    clear()


def _problems(snap: dict) -> list[str]:
    found: list[str] = []
    cur = vars(builtins)
    for k, v in snap["builtins"].items():
        if cur.get(k) is not v:
            found.append(f"builtins.{k} was replaced")
        elif not _genuine(v):
            found.append(f"builtins.{k} is not Python's own")
    for name, mod in snap["modules"].items():
        if sys.modules.get(name) is not mod:
            found.append(f"module {name} was replaced in sys.modules")
    for label, (ns, attrs, codes) in snap["spaces"].items():
        now = _attrs(ns)
        for k, v in attrs.items():
            if now.get(k, _MISSING) is not v:
                found.append(f"{label}.{k} was replaced or removed")
            elif k in codes and _code_of(v) is not codes[k]:
                found.append(f"{label}.{k} had its code replaced")
            elif not _genuine(v):
                found.append(f"{label}.{k} was defined in the notebook")
        for k in now.keys() - attrs.keys():
            if not _genuine(now[k]):
                found.append(f"{label}.{k} was added by the notebook")
    # library modules imported after the snapshot (first used in a later cell)
    for name in sorted(sys.modules):
        if (name == "mtss_teach" or name.startswith("mtss_teach.")) and name not in snap["modules"]:
            mod = sys.modules[name]
            f = getattr(mod, "__file__", None)
            if not f or not os.path.realpath(f).startswith(_ROOTS):
                found.append(f"module {name} does not come from the installed package")
            else:
                for k, v in _attrs(mod).items():
                    if not _genuine(v):
                        found.append(f"{name}.{k} was defined in the notebook")
    return found


_MISSING = object()
# Kept across importlib.reload(): the snapshot of the pristine kernel.
_SNAPSHOT: dict = globals().get("_SNAPSHOT") or {}


def guard() -> None:
    """Fail (``AssertionError``) when notebook code replaced what grading uses.

    Compares builtins, ``math``, numpy, pandas' core classes, ``scipy.stats``
    and every loaded ``mtss_teach`` module with the snapshot taken when this
    module was first imported, and checks that nothing in them was defined
    by notebook code. Then clears the library's caches, so the expected
    answer is recomputed from the data files. Called by :class:`Grader`.

    Examples
    --------
    >>> from mtss_teach.exercises import guard
    >>> guard()   # nothing replaced: returns quietly
    """
    problems = _problems(_SNAPSHOT)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise AssertionError(
            "The grading environment was changed by code in this notebook, so this test cannot award "
            f"points: {shown}. Remove that code and restart the kernel."
        )
    _clear_caches()


# ---------------------------------------------------------------------------
# checks used by the visible tests (format) and the hidden tests (answers)
# ---------------------------------------------------------------------------


_NUMBER_TYPES = (int, float, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                 np.uint64, np.float16, np.float32, np.float64)
_BOOL_TYPES = (bool, np.bool_)


def _is_number(x: Any) -> bool:
    # Exact types only: a subclass defined in the notebook could override
    # comparison or arithmetic and so "equal" anything.
    return type(x) in _NUMBER_TYPES


def _is_bool(x: Any) -> bool:
    return type(x) in _BOOL_TYPES


def _is_text(x: Any) -> bool:
    return type(x) is str


def _fail(msg: str) -> None:
    raise AssertionError(msg)


def expect_number(value: Any, name: str, lo: float | None = None, hi: float | None = None) -> None:
    """Visible test: ``value`` is one finite number (in ``[lo, hi]``).

    Examples
    --------
    >>> from mtss_teach.exercises import expect_number
    >>> expect_number(0.8, "sensitivity", lo=0, hi=1)
    >>> expect_number("0.8", "sensitivity")
    Traceback (most recent call last):
    ...
    AssertionError: sensitivity should be a number, not the str '0.8'
    """
    if not _is_number(value):
        _fail(f"{name} should be a number, not the {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        _fail(f"{name} should be a finite number, not {v!r}")
    if lo is not None and v < lo:
        _fail(f"{name} should be at least {lo:g}; it is {v:g}")
    if hi is not None and v > hi:
        _fail(f"{name} should be at most {hi:g}; it is {v:g}")


def expect_choice(value: Any, name: str, choices: Iterable[str]) -> None:
    """Visible test: ``value`` is one of the allowed words.

    Examples
    --------
    >>> from mtss_teach.exercises import expect_choice
    >>> expect_choice("continue", "decision", ["raise_goal", "continue"])
    >>> expect_choice("keep going", "decision", ["raise_goal", "continue"])
    Traceback (most recent call last):
    ...
    AssertionError: decision should be one of 'raise_goal', 'continue'; it is 'keep going'
    """
    allowed = list(choices)
    if not _is_text(value) or value not in allowed:
        _fail(f"{name} should be one of {', '.join(repr(a) for a in allowed)}; it is {value!r}")


def expect_bool(value: Any, name: str) -> None:
    """Visible test: ``value`` is True or False.

    Examples
    --------
    >>> from mtss_teach.exercises import expect_bool
    >>> expect_bool(True, "meets")
    >>> expect_bool("yes", "meets")
    Traceback (most recent call last):
    ...
    AssertionError: meets should be True or False, not 'yes'
    """
    if not _is_bool(value):
        _fail(f"{name} should be True or False, not {value!r}")


def _as_id_list(value: Any, name: str) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
        _fail(f"{name} should be a list of ids, not the {type(value).__name__} {value!r}")
    items = list(value.tolist() if isinstance(value, (np.ndarray, pd.Series, pd.Index)) else value)
    out = []
    for item in items:
        if not (_is_number(item) or _is_text(item)):
            _fail(f"{name}: each id should be a number or text, not the {type(item).__name__} {item!r}")
        out.append(item.item() if isinstance(item, np.generic) else item)
    return out


def expect_ids(value: Any, name: str, allowed: Iterable[Any]) -> None:
    """Visible test: ``value`` is a list of ids, each one of ``allowed``.

    Examples
    --------
    >>> from mtss_teach.exercises import expect_ids
    >>> expect_ids([3, 1], "flagged", [1, 2, 3])
    >>> expect_ids([9], "flagged", [1, 2, 3])
    Traceback (most recent call last):
    ...
    AssertionError: flagged: 9 is not one of the ids in this scenario
    """
    ok = {str(a) for a in allowed}
    for item in _as_id_list(value, name):
        if str(item) not in ok:
            _fail(f"{name}: {item!r} is not one of the ids in this scenario")


def expect_callable(value: Any, name: str) -> None:
    """Visible test: ``value`` is a function.

    Examples
    --------
    >>> from mtss_teach.exercises import expect_callable
    >>> expect_callable(len, "tier_for")
    """
    if not callable(value):
        _fail(f"{name} should be a function (def {name}(...): ...), not {value!r}")


# ---------------------------------------------------------------------------
# check records: the learner's answers, written where the autograder reads them
# ---------------------------------------------------------------------------

#: MIME type of the records a :class:`Grader` check writes into its cell's
#: output under a Jupyter kernel (read by :mod:`mtss_teach.grading`).
RECORD_MIME = "application/vnd.mtss-teach.check+json"
_RECORD_VERSION = 1


def encode_value(value: Any) -> dict:
    """A learner's answer as JSON data that keeps what the checks look at.

    Numbers keep whether they are whole (``int``) or not (``float``, as its
    exact ``repr``), ``True``/``False`` stay booleans, text stays text, a list
    of ids stays a list; anything else (including a number of a type the
    checks refuse) becomes ``{"t": "other"}``, which no check accepts. Only
    data is kept, never code.

    Examples
    --------
    >>> from mtss_teach.exercises import encode_value, decode_value
    >>> encode_value(0.25)
    {'t': 'float', 'v': '0.25'}
    >>> decode_value(encode_value([3, "a"]))
    [3, 'a']
    >>> encode_value(object())
    {'t': 'other', 'type': 'object'}
    """
    if value is None:
        return {"t": "none"}
    if _is_bool(value):
        return {"t": "bool", "v": bool(value)}
    if _is_number(value):
        if isinstance(value, (int, np.integer)):
            return {"t": "int", "v": int(value)}
        return {"t": "float", "v": repr(float(value))}
    if _is_text(value):
        return {"t": "str", "v": value}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
        try:
            items = _as_id_list(value, "value")
        except AssertionError:
            pass
        else:
            return {"t": "ids", "v": [encode_value(i) for i in items]}
    return {"t": "other", "type": type(value).__name__}


class _Unrecorded:
    """Stands for an answer that was not a number, word, bool, None or id list."""

    def __repr__(self) -> str:
        return "<unrecordable answer>"


class _ReplayedFunction:
    """A learner's function, replayed from the outputs recorded for each input."""

    def __init__(self, calls: list) -> None:
        self._out = {}
        for item in calls:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict):
                self._out[_key(item[0])] = item[1]

    def __call__(self, x: Any) -> Any:
        rec = self._out.get(_key(encode_value(x)))
        if rec is None:
            raise LookupError("no output was recorded for this input")
        if rec.get("t") == "raised":
            raise RuntimeError(f"the function raised {rec.get('type', 'an error')}")
        return decode_value(rec)


def _key(enc: Any) -> str:
    import json

    return json.dumps(enc, sort_keys=True)


def decode_value(data: Any) -> Any:
    """The answer :func:`encode_value` recorded (a placeholder no check accepts if malformed)."""
    if not isinstance(data, dict):
        return _Unrecorded()
    t, v = data.get("t"), data.get("v")
    if t == "none":
        return None
    if t == "bool" and type(v) is bool:
        return v
    if t == "int" and type(v) is int:
        return v
    if t == "float" and type(v) is str:
        try:
            return float(v)
        except ValueError:
            return _Unrecorded()
    if t == "str" and type(v) is str:
        return v
    if t == "ids" and type(v) is list:
        return [decode_value(i) for i in v]
    if t == "function" and type(data.get("calls")) is list:
        return _ReplayedFunction(data["calls"])
    return _Unrecorded()


def _emit_record(grader: "Grader", check: str, name: str, value: dict) -> None:
    """Write one check record into the running cell's output (only under a Jupyter kernel)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of every kernel
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return
    record = {"version": _RECORD_VERSION, "course": grader.course, "learner_id": grader.learner_id,
              "account": getattr(grader, "account", ""), "check": check, "name": str(name), "value": value}
    display({RECORD_MIME: record, "text/plain": ""}, raw=True)


class Grader:
    """The hidden tests' checker for one learner's scenario.

    Creating it runs :func:`guard`, works out whose scenario is graded
    (:func:`graded_learner_id`) and rebuilds that scenario fresh from the
    data files (``.scenario``). Its checks raise ``AssertionError`` with a
    message that does not reveal the expected answer, and return ``None``
    (nbgrader would read a returned number as partial credit).

    Under a Jupyter kernel each check first writes a record of the learner's
    answer (:func:`encode_value`; for a function, its output for every
    input) into the cell's output as :data:`RECORD_MIME` data. After
    ``nbgrader autograde``, :func:`mtss_teach.grading.autograde` re-runs the
    test cell on the recorded answers in a clean process, so points need a
    record that passes there, whatever the learner's kernel did to this
    class or to :func:`guard`.

    Examples
    --------
    >>> from mtss_teach.exercises import Grader
    >>> g = Grader("02-screening", "ada")
    >>> g.close(0.5, 0.5 + 1e-12, "sensitivity")
    >>> g.close(0.4, 0.5, "sensitivity")
    Traceback (most recent call last):
    ...
    AssertionError: sensitivity is not right for your scenario
    """

    def __init__(self, course: str, learner_id: Any) -> None:
        guard()
        self.course = _check_course(course)
        self.learner_id = graded_learner_id(learner_id, self.course)
        self.account = _autograde_account(_launch_environ(), self.course)
        typed = learner_id.strip() if isinstance(learner_id, str) else None
        if self.account and self.account != self.learner_id:
            print(f"Note: graded against the scenario of {self.learner_id!r}, the LEARNER_ID in this notebook; "
                  f"it was handed in by {self.account!r}. Your instructor will review the difference.")
        elif typed != self.learner_id:
            print(f"Note: graded as {self.learner_id!r} (your course login); "
                  f"this notebook's LEARNER_ID is {learner_id!r}.")
        self.scenario = scenario(self.course, self.learner_id)

    def close(self, value: Any, expected: Any, name: str, tol: float = 1e-6, hint: str = "") -> None:
        """``value`` is a number within ``tol`` of ``expected`` (NaN matches NaN/None)."""
        _emit_record(self, "close", name, encode_value(value))
        exp = float(expected)
        if math.isnan(exp):
            if value is None or (_is_number(value) and math.isnan(float(value))):
                return None
            _fail(f"{name} is not right for your scenario{hint}")
        if not _is_number(value):
            _fail(f"{name} should be a number, not the {type(value).__name__} {value!r}")
        v = float(value)
        if not (math.isfinite(v) and abs(v - exp) <= tol):
            _fail(f"{name} is not right for your scenario{hint}")
        return None

    def equal(self, value: Any, expected: Any, name: str, hint: str = "") -> None:
        """``value`` equals ``expected`` (a word, True/False, a whole number or None)."""
        _emit_record(self, "equal", name, encode_value(value))
        if expected is None:
            if value is not None:
                _fail(f"{name} is not right for your scenario{hint}")
            return None
        if isinstance(expected, (bool, np.bool_)):
            if not _is_bool(value) or bool(value) != bool(expected):
                _fail(f"{name} is not right for your scenario{hint}")
            return None
        if isinstance(expected, str):
            if not _is_text(value) or value.strip() != expected:
                _fail(f"{name} is not right for your scenario{hint}")
            return None
        if not _is_number(value) or float(value) != float(expected):
            _fail(f"{name} is not right for your scenario{hint}")
        return None

    def same_ids(self, value: Any, expected: Iterable[Any], name: str, hint: str = "") -> None:
        """``value`` holds exactly the ids in ``expected`` (any order, no repeats)."""
        _emit_record(self, "same_ids", name, encode_value(value))
        got = [str(v) for v in _as_id_list(value, name)]
        want = sorted({str(v) for v in expected})
        if len(got) != len(set(got)):
            _fail(f"{name} lists an id more than once")
        if sorted(got) != want:
            _fail(f"{name} is not right for your scenario{hint}")
        return None

    def same_function(self, fn: Any, inputs: Iterable[Any], expected: Iterable[Any], name: str,
                      hint: str = "") -> None:
        """``fn(x) == expected`` for every input (words, True/False or numbers)."""
        if not callable(fn):
            _emit_record(self, "same_function", name, encode_value(fn))
            _fail(f"{name} should be a function")
        pairs = list(zip(list(inputs), list(expected)))
        outputs: list[tuple[Any, BaseException | None]] = []
        for x, _ in pairs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    outputs.append((fn(x), None))
                except Exception as exc:  # the learner's function failed on a valid input
                    outputs.append((None, exc))
        calls = [[encode_value(x), {"t": "raised", "type": type(exc).__name__} if exc is not None
                  else encode_value(got)] for (x, _), (got, exc) in zip(pairs, outputs)]
        _emit_record(self, "same_function", name, {"t": "function", "calls": calls})
        for (x, want), (got, exc) in zip(pairs, outputs):
            if exc is not None:
                _fail(f"{name}({x!r}) raised {type(exc).__name__}{hint}")
            if isinstance(want, np.generic):
                want = want.item()
            if isinstance(want, bool):
                ok = _is_bool(got) and bool(got) == want
            elif isinstance(want, str):
                ok = _is_text(got) and got.strip() == want
            else:
                ok = _is_number(got) and float(got) == float(want)
            if not ok:
                _fail(f"{name} gives a wrong answer for some scores{hint}")
        return None


# Snapshot the pristine kernel the first time this module is imported (the
# locked setup cell of every exercise runs this before any answer cell).
if not _SNAPSHOT:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import scipy.stats  # noqa: F401  (watched by the guard)
        from . import behavior, equity, fidelity, norms, progress, screening  # noqa: F401
        try:
            from . import cohorts, datasets  # noqa: F401
        except ImportError:  # pragma: no cover - data layer absent
            pass
    _SNAPSHOT = _take_snapshot()
