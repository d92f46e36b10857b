"""The visible tests' checks: is the recorded answer of the right form (a number, a word, True/False,
a list of ids, a function)? They never look at whether it is right."""

from __future__ import annotations

import math
from typing import Any, Iterable

from ._shared import _as_id_list, _fail, _is_bool, _is_number, _is_text


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
