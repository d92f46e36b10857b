"""What the files of :mod:`mtss_teach.exercises` share: the course list, checks of a course and a
learner id, the kernel's launch environment, and the tests of an answer's type."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._packagedata import course_ids
from .._validate import check_choice
from ..errors import DataError


#: Assignment ids = micro-course folder names under ``modules/`` (the course manifest, ``data/courses.yml``).
COURSES: tuple[str, ...] = course_ids()

_MAX_ID_LEN = 64


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


def _autograde_account(env: dict[str, str], course: str | None) -> str:
    """The nbgrader student id being autograded, from the kernel's launch environment ("" otherwise)."""
    student = env.get("MTSS_GRADED_STUDENT", "").strip()
    assignment = env.get("MTSS_GRADED_ASSIGNMENT", "").strip()
    if student and env.get("NBGRADER_EXECUTION") == "autograde" and (
            course is None or not assignment or assignment == course):
        return student
    return ""


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
