"""Per-learner exercise scenarios and tamper-resistant checks for nbgrader.

Every micro-course under ``modules/<course>/`` ends with an auto-graded
exercise notebook (an nbgrader source notebook). Its first cell sets
``LEARNER_ID``; a 0-point test cell runs :func:`check_learner_id`, which
warns the learner *before* submitting when the id is still the placeholder
or is not the login of the JupyterHub account they work in; then the
locked setup cell draws that learner's scenario::

    scenario = mtss_teach.exercises.scenario("02-screening", LEARNER_ID)

:func:`scenario` is deterministic: the same course and learner id always
give the same numbers, and different ids give different numbers. Most
scenarios come from a school (or district) that the library's cohort
generator (:func:`mtss_teach.cohorts.make_cohort`, the generator of the
shipped datasets) makes for the learner from the learner's seed: its size,
kind (healthy, weak Tier 1, disproportionate, low fidelity) and knobs vary,
so every task's answer varies between learners and a classmate's answers
typed in earn about a tenth of the points at most (a test checks this over
100 learner ids). Course 8's State comparison table adds a shipped dataset
(:func:`mtss_teach.datasets.load`). A scenario holds only the *inputs* of
the decisions, never the answers.

Each task records one answer, checked by one test cell (so each part of a
decision earns its own points). The checks accept an answer rounded as the
task asks (``decimals=``), name a recognised slip (an answer equal to what
a common mistake gives for the learner's scenario, computed with the
library: ``mistakes=``) and add the task's ``hint=``, without stating the
expected value.

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

from ._packagedata import course_ids, courses
from ._validate import check_choice
from .errors import DataError

__all__ = [
    "COURSES",
    "scenario",
    "learner_seed",
    "graded_learner_id",
    "PLACEHOLDER_IDS",
    "is_placeholder_id",
    "PLACEHOLDER_LEARNER_ID",
    "learner_id_problem",
    "check_learner_id",
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

#: Assignment ids = micro-course folder names under ``modules/`` (the course manifest, ``data/courses.yml``).
COURSES: tuple[str, ...] = course_ids()

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


#: The ``LEARNER_ID`` the exercise notebooks ship with (and other obvious
#: placeholders): a learner who leaves one is warned before submitting.
#: The ids a notebook may carry before a learner types their own (compared case-insensitively),
#: used by the notebooks' own check and by the grading pipeline's id review alike.
PLACEHOLDER_IDS: tuple[str, ...] = ("demo-learner", "your-login", "your_login", "your-course-login", "learner",
                                    "student")


def is_placeholder_id(learner_id: Any) -> bool:
    """True when ``learner_id`` is empty or one of :data:`PLACEHOLDER_IDS` (any case, spaces around ignored).

    Examples
    --------
    >>> from mtss_teach.exercises import is_placeholder_id
    >>> is_placeholder_id(" YOUR_LOGIN "), is_placeholder_id(""), is_placeholder_id("ada")
    (True, True, False)
    """
    return not str(learner_id).strip() or str(learner_id).strip().lower() in PLACEHOLDER_IDS


def learner_id_problem(learner_id: Any, account: str | None = None) -> str:
    """Why ``learner_id`` is probably not the learner's course login ("" if it looks right).

    ``account`` is the login of the account the notebook runs under (the
    JupyterHub user), or None when that is not known.

    Examples
    --------
    >>> from mtss_teach.exercises import learner_id_problem
    >>> learner_id_problem("ada", account="ada")
    ''
    >>> learner_id_problem("demo-learner")[:38]
    'LEARNER_ID is still the placeholder "d'
    >>> learner_id_problem("ada", account="ada.l")[:40]
    'LEARNER_ID "ada" is not the login of the'
    """
    if not isinstance(learner_id, str) or not learner_id.strip():
        return ("LEARNER_ID is empty or not text: type your course login between the quotes in the first "
                "code cell, then Kernel -> Restart & Run All.")
    lid = learner_id.strip()
    if is_placeholder_id(lid):
        return (f'LEARNER_ID is still the placeholder "{lid}": type your course login in the first code cell, '
                "then Kernel -> Restart & Run All. Your numbers are drawn from it; answers computed for the "
                "placeholder are not your scenario's.")
    if len(lid) > _MAX_ID_LEN:
        return f"LEARNER_ID has {len(lid)} characters; a course login has at most {_MAX_ID_LEN}."
    if account and account.strip() and lid != account.strip():
        case = " (letters must match exactly, including capitals)" if lid.lower() == account.strip().lower() else ""
        return (f'LEARNER_ID "{lid}" is not the login of the account you are working in, "{account.strip()}"'
                f"{case}. Unless your instructor told you to use another id, change LEARNER_ID to "
                f'"{account.strip()}", then Kernel -> Restart & Run All: your instructor grades the scenario '
                "of your course login, and answers computed for another id will be flagged for review.")
    return ""


def check_learner_id(learner_id: Any) -> None:
    """The exercise notebooks' id check: warn *before* submitting when ``LEARNER_ID`` looks wrong.

    Compares the typed ``LEARNER_ID`` with the placeholder and, on
    JupyterHub, with the login of the account the notebook runs under
    (``JUPYTERHUB_USER``). A problem is written to standard error, so the
    notebook shows it in red and ``nbgrader validate`` lists the check cell
    as failed (it is a 0-point test cell); nothing is raised, so the rest of
    the notebook still runs. Without account information (a laptop, Binder)
    only the placeholder is checked, and a note says so. While nbgrader
    autogrades, the account is the grader's, so it is not compared (the
    grading pipeline compares ids itself).

    Examples
    --------
    >>> import os
    >>> from mtss_teach.exercises import check_learner_id
    >>> os.environ.pop("JUPYTERHUB_USER", None) and None
    >>> check_learner_id("ada")  # doctest: +ELLIPSIS
    LEARNER_ID is "ada". No course account is known here...
    """
    env = os.environ
    grading = env.get("NBGRADER_EXECUTION", "") == "autograde"
    account = None if grading else (env.get("JUPYTERHUB_USER") or "").strip() or None
    problem = learner_id_problem(learner_id, account)
    if problem:
        print("WARNING: " + problem, file=sys.stderr)
    elif account:
        print(f'LEARNER_ID "{learner_id.strip()}" is the login of this account: your scenario is yours.')
    elif not grading:
        print(f'LEARNER_ID is "{learner_id.strip()}". No course account is known here (not on the course\'s '
              "JupyterHub), so it cannot be compared: make sure it is exactly your course login.")
    return None


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------


def _pick(rng: np.random.Generator, seq: Iterable[Any]) -> Any:
    items = list(seq)
    return items[int(rng.integers(len(items)))]


@functools.lru_cache(maxsize=64)
def _table(name: str, table: str) -> pd.DataFrame:
    from . import datasets  # data layer; imported late so the core never needs it

    return datasets.load(name, table)


class _Tables:
    """A shipped dataset's tables, each read from its file when first used.

    Reading one table is far cheaper than the whole cohort; :func:`guard`
    clears the cache, so grading reads the files afresh.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, table: str) -> pd.DataFrame:
        if table.startswith("_"):
            raise AttributeError(table)
        df = _table(self._name, table).copy()
        setattr(self, table, df)
        return df


def _load(name: str) -> _Tables:
    return _Tables(name)


def _orf(c, season: str) -> pd.DataFrame:
    s = c.screening
    return s[(s["measure"] == "orf") & (s["season"] == season)]


def _series(df: pd.DataFrame, value: str, name: str) -> pd.Series:
    out = pd.Series(df[value].to_numpy(), index=pd.Index(df["student_id"].to_numpy(), name="student_id"), name=name)
    return out.sort_index()


def _monitored(c, rng: np.random.Generator, grades=(2, 3, 4, 5, 6)) -> tuple[int, int, pd.DataFrame]:
    pr = c.progress
    grade_of = c.students.set_index("student_id")["grade"]
    monitored = np.unique(pr["student_id"].to_numpy())
    in_grades = np.isin(grade_of.reindex(monitored).to_numpy(), list(grades))
    ids = sorted(int(i) for i in monitored[in_grades])
    sid = _pick(rng, ids)
    one = pr[pr["student_id"] == sid].sort_values("week")
    return sid, int(grade_of.loc[sid]), one


def _generated_school(n_students: int, seed: int, kind: str, tables: tuple[str, ...], **knobs: Any):
    """A synthetic school made for one learner by the library's cohort generator.

    :func:`mtss_teach.cohorts.make_cohort` with the learner's seed: the same
    learner always gets the same school, and only the tables asked for are
    generated (fast). Used where the five shipped datasets hold too few
    schools for every learner to get their own answers.
    """
    from .cohorts import make_cohort

    return make_cohort(n_students, seed, n_schools=1, scenario=kind, tables=tables, **knobs)


def _school(rng: np.random.Generator, tables: tuple[str, ...], sizes: tuple[int, int] = (8, 19),
            vary_proficiency: bool = False):
    """(cohort, label): a school of 400-900 students generated for this learner, of one of the
    generator's four kinds (most often "healthy"); with ``vary_proficiency``, its share passing
    the state reading test is drawn too (:func:`_proficient_share`)."""
    kind = _pick(rng, ("healthy", "healthy", "weak_tier1", "disproportionate", "low_fidelity"))
    n = int(rng.integers(*sizes)) * 50
    seed = int(rng.integers(1, 2**31 - 1))
    knobs = {"proficient_share": _proficient_share(seed)} if vary_proficiency else {}
    c = _generated_school(n, seed, kind, tables, **knobs)
    return c, f"generated school ({n} students, {kind})"


#: Shares of a school's students passing the state reading test (the generator's
#: ``proficient_share``), one drawn per learner for the core-effectiveness tasks:
#: state tests differ in how demanding their proficiency cut is, so schools differ
#: in how many students meet the outcome goal.
_PROFICIENT_SHARES = (0.55, 0.65, 0.75, 0.85, 0.92)


def _proficient_share(school_seed: int) -> float:
    """The generated school's share passing the state reading test, one of :data:`_PROFICIENT_SHARES`.

    Drawn from the school's own seed with a stream of its own, so the
    learner's other draws (grade, season, student, ...) are the same as
    without it.
    """
    return float(_pick(np.random.default_rng([school_seed, 15]), _PROFICIENT_SHARES))


def _year(c, ids: Iterable[Any]) -> pd.DataFrame:
    """The inputs of the core-effectiveness tasks, one row per student (indexed by ``student_id``).

    ``grade``; ``most_intensive_tier``: the most intensive tier the student
    received in the year's three screenings (1 = core instruction alone all
    year); ``proficient``: passed the state reading test in spring (the
    outcome goal). As the lessons compute them.
    """
    ids = sorted(int(i) for i in ids)
    most = c.tiers.groupby("student_id")["tier"].max().reindex(ids)
    seasons = c.tiers.groupby("student_id")["season"].nunique().reindex(ids)
    read = c.outcomes[c.outcomes["subject"] == "reading"].set_index("student_id")["proficient"].reindex(ids)
    if most.isna().any() or (seasons != 3).any() or read.isna().any():
        raise DataError("exercise scenario: a student lacks a tier in some season or a reading outcome")
    return pd.DataFrame(
        {
            "grade": c.students.set_index("student_id")["grade"].reindex(ids).to_numpy(dtype=int),
            "most_intensive_tier": most.to_numpy(dtype=int),
            "proficient": read.to_numpy(dtype=bool),
        },
        index=pd.Index(ids, name="student_id"),
    )


def _sc_foundations(rng: np.random.Generator) -> dict:
    from .norms import benchmark_status

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
    from .norms import orf_norm

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
    from .screening import math_instructional_table

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
    from .norms import typical_growth
    from .progress import aimline, decide

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
    from .norms import orf_norm
    from .progress import fit_trends

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
    from .behavior import srss_items

    # A school generated for this learner (size and referral pattern differ from school to school).
    n = int(rng.integers(6, 19)) * 50
    kind = _pick(rng, ("healthy", "healthy", "disproportionate", "low_fidelity"))
    c = _generated_school(n, int(rng.integers(1, 2**31 - 1)), kind, ("students", "behavior"))
    st = c.students
    school = str(st["school"].astype(str).iloc[0])
    b = c.behavior[c.behavior["student_id"].isin(st["student_id"])]
    majors = b[b["type"] == "major"]
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



def _sc_capstone(rng: np.random.Generator) -> dict:
    from .norms import orf_norm
    from .progress import aimline, decide

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



def _pm_growth(grade: int) -> float:
    from .norms import typical_growth

    return typical_growth(grade)


#: Scenario sets by name; the course manifest names each course's set (``exercise:``).
_SCENARIO_SETS: dict[str, Callable[[np.random.Generator], dict]] = {
    "foundations": _sc_foundations,
    "screening": _sc_screening,
    "tier1": _sc_tier1,
    "progress": _sc_progress,
    "decisions": _sc_decisions,
    "meetings": _sc_meetings,
    "fidelity": _sc_fidelity,
    "equity": _sc_equity,
    "behavior": _sc_behavior,
    "capstone": _sc_capstone,
}
_BUILDERS = {c.id: _SCENARIO_SETS[c.exercise] for c in courses()}


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
        if len(_SCENARIOS) >= 128:
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


def _rounding_tol(decimals: Any) -> float:
    """Half a unit in the last asked-for decimal place (plus float slack)."""
    if type(decimals) is not int or not 0 <= decimals <= 12:
        raise ValueError(f"decimals: expected a whole number 0-12, got {decimals!r}")
    return 0.5 * 10.0 ** -decimals + 1e-9


def _message(name: str, why: str = "", hint: str = "", verb: str = "is not right for your scenario") -> str:
    """A failure message: what failed, the targeted reason if known, and the task's hint.

    A ``hint`` starting with punctuation or a space is appended as it is
    (the form older notebooks used).
    """
    msg = f"{name} {verb}"
    if why:
        msg += f": {why}"
    if hint:
        msg += hint if hint[0] in " .,;:-" else f". Hint: {hint}"
    return msg


def _close_mistake(v: float, exp: float, tol: float, decimals: int | None,
                   mistakes: Iterable[tuple[Any, str]]) -> str:
    """The targeted reason a number is wrong ("" if none is recognised). Never states ``exp``."""
    if not math.isfinite(v):
        return "it is not a finite number"
    for wrong, msg in mistakes:
        try:
            w = float(wrong)
        except (TypeError, ValueError):
            continue
        if math.isfinite(w) and abs(w - exp) > tol and abs(v - w) <= tol:
            return msg
    if exp != 0:
        if abs(v - 100 * exp) <= 100 * tol:
            return "it is 100 times too large (a percentage where the task asks for a proportion?)"
        if abs(100 * v - exp) <= tol:
            return "it is 100 times too small (a proportion where the task asks for a percentage?)"
        if abs(v + exp) <= tol:
            return "it has the wrong sign"
    if decimals is not None:
        for k in range(decimals):
            if abs(v - round(v, k)) < 1e-12 and abs(v - exp) <= _rounding_tol(k):
                return (f"it looks rounded to {k} decimal{'s' if k != 1 else ''}; "
                        f"the task asks for {decimals} (or no rounding)")
    return ""


def _equal(value: Any, expected: Any) -> bool:
    """Strict equality of an answer: a word, True/False, a whole number or None."""
    if isinstance(expected, np.generic):
        expected = expected.item()
    if expected is None:
        return value is None
    if isinstance(expected, bool):
        return _is_bool(value) and bool(value) == expected
    if isinstance(expected, str):
        return _is_text(value) and value.strip() == expected
    if _is_number(expected):
        return _is_number(value) and not _is_bool(value) and float(value) == float(expected)
    return False


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

    def close(self, value: Any, expected: Any, name: str, tol: float = 1e-6, hint: str = "", *,
              decimals: int | None = None, mistakes: Iterable[tuple[Any, str]] = ()) -> None:
        """``value`` is a number within ``tol`` of ``expected`` (NaN matches NaN/None).

        ``decimals``: the task asks for the answer rounded to this many
        decimals, so any answer within half a unit of that place passes
        (the unrounded value, or one rounded as asked or finer).
        ``mistakes``: ``(wrong_value, message)`` pairs, each the value a
        common mistake gives for this scenario (computed with the library);
        an answer matching one fails with its message. ``hint`` is added to
        every failure message. Messages never state the expected value.
        """
        _emit_record(self, "close", name, encode_value(value))
        exp = float(expected)
        if decimals is not None:
            tol = max(float(tol), _rounding_tol(decimals))
        if math.isnan(exp):
            if value is None or (_is_number(value) and math.isnan(float(value))):
                return None
            why = ""
            if _is_number(value) and math.isfinite(float(value)):
                why = "no value can be computed here (record None or float(\"nan\"))"
            _fail(_message(name, why, hint))
        if not _is_number(value):
            _fail(f"{name} should be a number, not the {type(value).__name__} {value!r}")
        v = float(value)
        if math.isfinite(v) and abs(v - exp) <= tol:
            return None
        _fail(_message(name, _close_mistake(v, exp, tol, decimals, mistakes), hint))

    def equal(self, value: Any, expected: Any, name: str, hint: str = "", *,
              mistakes: Iterable[tuple[Any, str]] = ()) -> None:
        """``value`` equals ``expected`` (a word, True/False, a whole number or None).

        ``mistakes``: ``(wrong_value, message)`` pairs (see :meth:`close`).
        """
        _emit_record(self, "equal", name, encode_value(value))
        if _equal(value, expected):
            return None
        why = ""
        for wrong, msg in mistakes:
            if not _equal(wrong, expected) and _equal(value, wrong):
                why = msg
                break
        _fail(_message(name, why, hint))

    def same_ids(self, value: Any, expected: Iterable[Any], name: str, hint: str = "", *,
                 mistakes: Iterable[tuple[Iterable[Any], str]] = ()) -> None:
        """``value`` holds exactly the ids in ``expected`` (any order, no repeats).

        ``mistakes``: ``(wrong_ids, message)`` pairs (see :meth:`close`).
        A wrong list that only misses ids, or only adds ids, is told so.
        """
        _emit_record(self, "same_ids", name, encode_value(value))
        got = [str(v) for v in _as_id_list(value, name)]
        want = {str(v) for v in expected}
        if len(got) != len(set(got)):
            _fail(f"{name} lists an id more than once")
        have = set(got)
        if have == want:
            return None
        why = ""
        for wrong, msg in mistakes:
            w = {str(v) for v in _as_id_list(wrong, name)}
            if w != want and have == w:
                why = msg
                break
        if not why:
            if have < want:
                why = "some that belong on the list are missing"
            elif have > want:
                why = "it lists some that should not be on it"
        _fail(_message(name, why, hint))

    def same_function(self, fn: Any, inputs: Iterable[Any], expected: Iterable[Any], name: str,
                      hint: str = "", *, mistakes: Iterable[tuple[Iterable[Any], str]] = ()) -> None:
        """``fn(x) == expected`` for every input (words, True/False or numbers).

        ``mistakes``: ``(wrong_outputs, message)`` pairs, ``wrong_outputs``
        aligned with ``inputs`` (see :meth:`close`).
        """
        if not callable(fn):
            _emit_record(self, "same_function", name, encode_value(fn))
            _fail(f"{name} should be a function")
        xs, want = list(inputs), list(expected)
        pairs = list(zip(xs, want))
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
        for (x, _), (got, exc) in zip(pairs, outputs):
            if exc is not None:
                _fail(_message(f"{name}({x!r})", f"it raised {type(exc).__name__}", hint, verb="failed"))
        if all(_equal(got, w) for (got, _), w in zip(outputs, want)):
            return None
        why = ""
        for wrong, msg in mistakes:
            wl = list(wrong)
            if len(wl) == len(want) and not all(_equal(a, b) for a, b in zip(wl, want)) \
                    and all(_equal(got, w) for (got, _), w in zip(outputs, wl)):
                why = msg
                break
        _fail(_message(name, why, hint, verb="gives a wrong answer for some scores"))


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
