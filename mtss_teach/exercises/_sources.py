"""What the scenario sets draw from: the school the cohort generator makes for a learner, the shipped
datasets' tables, and the helpers that cut them into a scenario's inputs."""

from __future__ import annotations

import functools
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import DataError


def _pick(rng: np.random.Generator, seq: Iterable[Any]) -> Any:
    items = list(seq)
    return items[int(rng.integers(len(items)))]


@functools.lru_cache(maxsize=64)
def _table(name: str, table: str) -> pd.DataFrame:
    from .. import datasets  # data layer; imported late so the core never needs it

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
    from ..cohorts import make_cohort

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


def _group_table(students: pd.DataFrame, flagged: pd.Series) -> pd.DataFrame:
    from ..cohorts import Cohort  # noqa: F401  (data layer present)

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


def _pm_growth(grade: int) -> float:
    from ..norms import typical_growth

    return typical_growth(grade)
