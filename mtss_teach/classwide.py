"""Classwide problems in math computation, judged by each grade's published criterion.

A classroom has a *classwide problem* when more than half of its students
score in the frustrational range (VanDerHeyden's rule,
:func:`mtss_teach.screening.classwide_problem`). What counts as
frustrational depends on the grade: Burns, VanDerHeyden & Jiban (2006)
give the instructional range of math curriculum-based measurement in
digits correct per minute as 14-31 for grades 2-3 and 24-49 for grades
4-5, so a score below 14 (grades 2-3) or below 24 (grades 4-5) is
frustrational. That paper gives no range for grade 1 or grade 6, and the
library does not borrow one: :func:`classwide_criterion` refuses those
grades with a reason, and :func:`classwide_check` reports the check as
"not made" instead of guessing.

The criteria are read from ``mtss_teach/data/math_instructional.csv``
(one row per grade, with its ``source``, ``year`` and evidence ``tag``),
the same table :func:`mtss_teach.screening.math_instructional_level` uses.

References
----------
Burns, M. K., VanDerHeyden, A. M. & Jiban, C. L. (2006). Assessing the
instructional level for mathematics: A comparison of methods. *School
Psychology Review*, 35(3), 401-418 (``burns2006``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_float_array
from .errors import DataError
from .screening import classwide_problem, math_instructional_table

__all__ = ["ClasswideCriterion", "ClasswideCheck", "classwide_criterion", "classwide_grades", "classwide_check"]


@dataclass(frozen=True)
class ClasswideCriterion:
    """A grade's frustrational criterion: a score below ``frustrational_below`` is frustrational."""

    grade: int
    frustrational_below: float
    unit: str
    source: str
    year: int
    tag: str


@dataclass(frozen=True)
class ClasswideCheck:
    """One classroom's classwide check.

    ``made`` is False when the grade has no published criterion; then
    ``below``, ``problem`` and ``criterion`` are None and ``reason`` says why.
    """

    grade: int
    n: int
    made: bool
    below: int | None
    problem: bool | None
    criterion: ClasswideCriterion | None
    reason: str


def classwide_grades() -> list[int]:
    """Grades with a published classwide (frustrational) criterion.

    References
    ----------
    Burns, M. K., VanDerHeyden, A. M., & Jiban, C. L. (2006). Assessing
    the instructional level for mathematics: A comparison of methods.
    *School Psychology Review*, 35(3) (``burns2006``).

    Examples
    --------
    >>> from mtss_teach.classwide import classwide_grades
    >>> classwide_grades()
    [2, 3, 4, 5]
    """
    return sorted(int(g) for g in math_instructional_table()["grade"])


def _grade_number(grade: Any) -> int:
    if isinstance(grade, bool):
        raise DataError(f"grade: expected a grade number, got {grade!r}")
    try:
        g = float(grade)
    except (TypeError, ValueError):
        raise DataError(f"grade: expected a grade number, got {grade!r}") from None
    if not np.isfinite(g) or g != int(g):
        raise DataError(f"grade: expected a whole grade number, got {grade!r}")
    return int(g)


def classwide_criterion(grade: Any) -> ClasswideCriterion:
    """The published frustrational criterion for math computation in ``grade``.

    Parameters
    ----------
    grade : int
        2-5. Other grades raise :class:`~mtss_teach.DataError`: no criterion
        is published for them in Burns, VanDerHeyden & Jiban (2006), and
        another grade's criterion is not borrowed.

    Returns
    -------
    ClasswideCriterion
        ``frustrational_below`` is the bottom of the grade's instructional
        range (digits correct per minute), with the row's source, year and
        evidence tag.

    Examples
    --------
    >>> from mtss_teach.classwide import classwide_criterion
    >>> c = classwide_criterion(4)
    >>> c.frustrational_below, c.unit, c.year
    (24.0, 'digits correct per minute', 2006)
    >>> classwide_criterion(1)
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: grade: no published classwide criterion for grade 1 (Burns, VanDerHeyden & Jiban 2006 give grades 2-5); the check is not made rather than borrowing another grade's

    References
    ----------
    Burns, M. K., VanDerHeyden, A. M. & Jiban, C. L. (2006). Assessing the
    instructional level for mathematics: A comparison of methods. *School
    Psychology Review*, 35(3), 401-418 (``burns2006``).
    """
    g = _grade_number(grade)
    table = math_instructional_table()
    rows = table[table["grade"].astype(int) == g]
    if rows.empty:
        have = classwide_grades()
        raise DataError(
            f"grade: no published classwide criterion for grade {g} (Burns, VanDerHeyden & Jiban 2006 give "
            f"grades {have[0]}-{have[-1]}); the check is not made rather than borrowing another grade's")
    r = rows.iloc[0]
    return ClasswideCriterion(grade=g, frustrational_below=float(r["instructional_low"]), unit=str(r["unit"]),
                              source=str(r["source"]), year=int(r["year"]), tag=str(r["tag"]))


def classwide_check(scores: Any, grade: Any) -> ClasswideCheck:
    """Does one classroom have a classwide problem in math computation?

    More than half of the class below the grade's published frustrational
    criterion (:func:`classwide_criterion`) is a classwide problem
    (:func:`mtss_teach.screening.classwide_problem`; exactly half is not).
    For a grade with no published criterion the check is not made, and the
    result says so (``made`` is False) instead of raising, so a table over
    many classrooms keeps every row.

    Parameters
    ----------
    scores : array-like
        The classroom's digits-correct-per-minute scores (no NaN, not empty).
    grade : int

    Returns
    -------
    ClasswideCheck

    Examples
    --------
    >>> from mtss_teach.classwide import classwide_check
    >>> r = classwide_check([10, 12, 20, 30, 40], grade=4)   # 3 of 5 below 24
    >>> r.below, r.problem, r.criterion.frustrational_below
    (3, True, 24.0)
    >>> classwide_check([10, 12, 20, 30, 40], grade=3).problem   # 2 of 5 below 14
    False
    >>> r = classwide_check([10, 12, 20], grade=1)
    >>> r.made, r.problem, r.reason[:44]
    (False, None, 'no published classwide criterion for grade 1')

    References
    ----------
    Burns, M. K., VanDerHeyden, A. M. & Jiban, C. L. (2006). Assessing the
    instructional level for mathematics: A comparison of methods. *School
    Psychology Review*, 35(3), 401-418 (``burns2006``).
    """
    s, _ = as_float_array(scores, "scores", lo=0)
    if s.size == 0:
        raise DataError("scores: a classroom needs at least one score")
    g = _grade_number(grade)
    try:
        crit = classwide_criterion(g)
    except DataError as err:
        reason = str(err).removeprefix("grade: ")
        return ClasswideCheck(grade=g, n=int(s.size), made=False, below=None, problem=None, criterion=None,
                              reason=reason)
    below = int(np.count_nonzero(s < crit.frustrational_below))
    problem = classwide_problem(s, crit.frustrational_below)
    reason = (f"{below} of {s.size} below {crit.frustrational_below:g} {crit.unit} "
              f"({'more than half' if problem else 'not more than half'})")
    return ClasswideCheck(grade=g, n=int(s.size), made=True, below=below, problem=problem, criterion=crit,
                          reason=reason)
