"""How a number is written for a reader: one set of rules for the whole library.

Every sentence, chart label, app panel, leader table and grade file writes its
numbers through these functions, so the same value reads the same everywhere.

The rules
---------
* **A missing value** (``None``, NaN, and for the plain formatters also
  infinity) is written ``"n/a"`` unless the caller names another word (a
  leader table says ``"not computed"``, a grade file leaves the cell empty).
* :func:`number` -- a plain number: rounded to ``digits`` decimals (default
  2), trailing zeros and a trailing point dropped, ``-0`` written ``0``
  (``1.50 -> "1.5"``, ``2.0 -> "2"``).
* :func:`fixed` -- a number with exactly ``digits`` decimals, for columns
  and proportions whose width should not jump (``0.5 -> "0.50"``), with an
  optional thousands separator.
* :func:`count` -- a whole count with a thousands separator (``1234 -> "1,234"``).
* :func:`percent` -- **a share between 0 and 1** written as a percentage
  with ``digits`` decimals (default 1): ``0.4875 -> "48.8%"``. The argument
  is always the share, never a number already multiplied by 100: passing
  ``49`` gives ``"4900.0%"``, and passing ``0.49`` to a formatter that
  expects a percentage once printed ``"0.49%"`` -- this is the one place
  that multiplies by 100.
  A value that is itself on a 0-100 scale (a Tiered Fidelity Inventory
  score, a criterion of 70) is a number: ``number(x) + "%"``.
* :func:`machine` -- up to 10 significant digits, for values a page's
  script reads back (not for a reader).
* :func:`sentence_case` -- a label's first letter in upper case, the rest
  untouched (``"four-point rule" -> "Four-point rule"``; unlike
  :meth:`str.capitalize`, ``"Theil-Sen"`` keeps its capital S).

Rounding is Python's: the binary value is rounded to the nearest decimal,
so a value that is exactly half-way in binary goes to the even digit.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MISSING", "number", "fixed", "count", "counted", "percent", "machine", "sentence_case"]

#: How a missing value (None, NaN) is written by default.
MISSING = "n/a"


def _value(x: Any) -> float | None:
    """``x`` as a finite float, or None when it is missing or not finite.

    Anything that is not a number (text, a list) raises: a formatter never
    hides a wrong value behind "n/a".
    """
    if x is None:
        return None
    if isinstance(x, (str, bytes)):
        raise TypeError(f"a formatter needs a number, not text ({x!r})")
    v = float(x)
    return v if math.isfinite(v) else None


def number(x: Any, digits: int = 2, *, missing: str = MISSING) -> str:
    """A plain number: ``digits`` decimals at most, trailing zeros dropped.

    Parameters
    ----------
    x : float
        The value. None, NaN and infinity are written ``missing``.
    digits : int, default 2
        Decimals to round to before trailing zeros are dropped.
    missing : str, default "n/a"
        What a missing value is written as.

    Returns
    -------
    str

    Examples
    --------
    >>> from mtss_teach.formatting import number
    >>> number(1.50), number(2.0), number(-0.25), number(1.2345), number(-0.001)
    ('1.5', '2', '-0.25', '1.23', '0')
    >>> number(2.5, 4), number(float("nan")), number(None, missing="")
    ('2.5', 'n/a', '')
    """
    v = _value(x)
    if v is None:
        return missing
    s = f"{v:.{int(digits)}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fixed(x: Any, digits: int = 2, *, thousands: bool = False, missing: str = MISSING) -> str:
    """A number with exactly ``digits`` decimals (a proportion, a table column).

    Parameters
    ----------
    x : float
        The value. None, NaN and infinity are written ``missing``.
    digits : int, default 2
        Decimals, always shown.
    thousands : bool, default False
        Separate thousands with commas.
    missing : str, default "n/a"

    Returns
    -------
    str

    Examples
    --------
    >>> from mtss_teach.formatting import fixed
    >>> fixed(0.5), fixed(5 / 6, 3), fixed(1234.5, 1, thousands=True), fixed(float("nan"))
    ('0.50', '0.833', '1,234.5', 'n/a')
    """
    v = _value(x)
    if v is None:
        return missing
    return f"{v:,.{int(digits)}f}" if thousands else f"{v:.{int(digits)}f}"


def count(x: Any, *, missing: str = MISSING) -> str:
    """A whole count with a thousands separator (rounded to the nearest whole).

    Examples
    --------
    >>> from mtss_teach.formatting import count
    >>> count(1234), count(12.0), count(None)
    ('1,234', '12', 'n/a')
    """
    v = _value(x)
    if v is None:
        return missing
    return f"{int(round(v)):,}"


def counted(k: Any, noun: str) -> str:
    """A count with its noun, singular for exactly one: "1 row", "2 rows", "1,234 rows".

    Examples
    --------
    >>> from mtss_teach.formatting import counted
    >>> counted(1, "row"), counted(0, "score"), counted(1234, "line")
    ('1 row', '0 scores', '1,234 lines')
    """
    text = count(k)
    return f"{text} {noun}" if text == "1" else f"{text} {noun}s"


def percent(share: Any, digits: int = 1, *, trim: bool = False, missing: str = MISSING) -> str:
    """A share between 0 and 1 as a percentage with ``digits`` decimals.

    Parameters
    ----------
    share : float
        The share (0.25 is a quarter), never a number already multiplied
        by 100. None, NaN and infinity are written ``missing``.
    digits : int, default 1
        Decimals of the percentage (0 for whole percents).
    trim : bool, default False
        Drop trailing zeros, as :func:`number` does (``0.8 -> "80%"`` rather
        than ``"80.0%"``); for chart labels.
    missing : str, default "n/a"

    Returns
    -------
    str

    Examples
    --------
    >>> from mtss_teach.formatting import percent
    >>> percent(0.4875), percent(0.6425, 0), percent(5 / 6), percent(1.0, 0)
    ('48.8%', '64%', '83.3%', '100%')
    >>> percent(0.8), percent(0.8, trim=True), percent(0.125, trim=True), percent(float("nan"))
    ('80.0%', '80%', '12.5%', 'n/a')
    """
    v = _value(share)
    if v is None:
        return missing
    return (number(100 * v, digits) if trim else f"{100 * v:.{int(digits)}f}") + "%"


def machine(x: Any) -> str:
    """A number for a page's script to read back: up to 10 significant digits.

    Examples
    --------
    >>> from mtss_teach.formatting import machine
    >>> machine(0.1 + 0.2), machine(2.0), machine(1e-5)
    ('0.3', '2', '1e-05')
    """
    return format(float(x), ".10g")


def sentence_case(text: str) -> str:
    """A label at the start of a sentence: first letter in upper case, the rest as it was.

    Examples
    --------
    >>> from mtss_teach.formatting import sentence_case
    >>> sentence_case("four-point rule"), sentence_case("Theil-Sen"), sentence_case("")
    ('Four-point rule', 'Theil-Sen', '')
    """
    return text[:1].upper() + text[1:]
