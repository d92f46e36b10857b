"""One learner's scenario for one course: :func:`scenario`, the scenario sets by name, and its cache."""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np

from .._packagedata import courses
from ._shared import _check_course, _check_learner_id
from .ids import learner_seed
from .scenarios_capstone import _sc_capstone
from .scenarios_progress import _sc_decisions, _sc_meetings, _sc_progress
from .scenarios_screening import _sc_foundations, _sc_screening, _sc_tier1
from .scenarios_systems import _sc_behavior, _sc_equity, _sc_fidelity


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
