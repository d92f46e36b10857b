"""The hidden tests' checker: :class:`Grader`, one learner's scenario rebuilt fresh and checks that
record the answer and fail without revealing the expected one."""

from __future__ import annotations

import math
import warnings
from typing import Any, Iterable

from ._compare import _close_mistake, _equal, _message, _rounding_tol
from ._shared import _as_id_list, _autograde_account, _check_course, _fail, _is_number, _launch_environ
from .integrity import guard
from .ids import graded_learner_id
from .records import _emit_record, encode_value
from .scenarios import scenario


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
