"""Classwide problems judged by each grade's published criterion (issue #15, item 1).

Expected values by hand from Burns, VanDerHeyden & Jiban (2006): the
instructional range is 14-31 digits correct per minute in grades 2-3 and
24-49 in grades 4-5, so "frustrational" is below 14 or below 24; no range
is published for grades 1 or 6 (the values are in tests/reference_values.py).
"""

from __future__ import annotations

import pytest

from mtss_teach import DataError
from mtss_teach.classwide import classwide_check, classwide_criterion, classwide_grades
from reference_values import BURNS_2006_FRUSTRATIONAL_BELOW


@pytest.mark.parametrize("grade, below", sorted(BURNS_2006_FRUSTRATIONAL_BELOW.items()))
def test_published_criterion_by_grade(grade, below):
    c = classwide_criterion(grade)
    assert c.frustrational_below == below and c.unit == "digits correct per minute"
    assert c.year == 2006 and "Burns" in c.source and c.tag == "S"


@pytest.mark.parametrize("grade", [0, 1, 6, 8])
def test_grades_without_a_published_criterion_are_refused(grade):
    with pytest.raises(DataError, match=f"no published classwide criterion for grade {grade}"):
        classwide_criterion(grade)
    r = classwide_check([5, 6, 7], grade)
    assert not r.made and r.problem is None and r.below is None and str(grade) in r.reason


def test_the_same_class_is_judged_differently_in_grades_3_and_4():
    scores = [10, 15, 18, 20, 22, 30]  # 1 below 14; 5 below 24
    g3, g4 = classwide_check(scores, 3), classwide_check(scores, 4)
    assert (g3.below, g3.problem) == (1, False)
    assert (g4.below, g4.problem) == (5, True)


def test_exactly_half_is_not_a_classwide_problem():
    r = classwide_check([10, 20, 30, 40], 4)  # 2 of 4 below 24
    assert r.below == 2 and r.problem is False


def test_bad_input_names_the_argument():
    with pytest.raises(DataError, match="grade"):
        classwide_criterion("third")
    with pytest.raises(DataError, match="grade"):
        classwide_criterion(2.5)
    with pytest.raises(DataError, match="scores"):
        classwide_check([], 3)
    with pytest.raises(DataError, match="scores"):
        classwide_check([10, -1], 3)


def test_grades_listed():
    assert classwide_grades() == [2, 3, 4, 5]
