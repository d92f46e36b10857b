"""How :class:`~mtss_teach.exercises.Grader` compares an answer: tolerance of a rounded answer, equality
of a word or whole number, the recognised slip, and the failure message (never the expected value)."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..formatting import counted
from ._shared import _is_bool, _is_number, _is_text


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
                return (f"it looks rounded to {counted(k, 'decimal')}; "
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
