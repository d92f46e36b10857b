"""Input checks shared by every public function (private module).

Every check raises :class:`~mtss_teach.errors.DataError` with a message that
names the argument and, where it applies, the position (row) of the first
bad value, so a leader can find it in their spreadsheet. Nothing is dropped
silently.

The helpers turn "a scalar or array-like" into a float numpy array and
remember the input's shape (scalar, list/array, or pandas Series with its
index) so results can be handed back in the same shape with :func:`restore`.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import dataclass
from numbers import Number
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = [
    "Shape",
    "plain",
    "as_float_array",
    "as_binary_array",
    "restore",
    "check_same_length",
    "check_choice",
    "check_number",
    "position",
    "ndim",
    "shape_of",
    "not_a_number",
    "check_grade",
]


@dataclass(frozen=True)
class Shape:
    """How an input looked, so an output can look the same."""

    kind: str  # "scalar", "array", "series"
    index: Any = None
    name: Any = None


def position(i: int, shape: Shape | None = None) -> str:
    """Describe the location of element ``i`` for an error message."""
    if shape is not None and shape.kind == "series":
        label = shape.index[i]
        if isinstance(label, np.generic):
            label = label.item()
        return f"row {label!r} (position {i})"
    return f"position {i}"


def ndim(x: Any) -> int:
    """``np.ndim``, but -1 for ragged nested lists (which numpy refuses to shape)."""
    try:
        return int(np.ndim(x))
    except (ValueError, TypeError):
        return -1


def shape_of(x: Any, name: str | None = None) -> Shape:
    if isinstance(x, pd.Series):
        return Shape("series", x.index, x.name)
    if isinstance(x, pd.DataFrame):
        where = f"{name}: " if name else ""
        raise DataError(f"{where}expected a scalar, list, numpy array or pandas Series, got a DataFrame")
    if ndim(x) == 0:  # ragged nested lists (-1) are arrays, reported element by element later
        return Shape("scalar")
    return Shape("array")


# Values that numpy would silently turn into numbers but that are not scores:
# yes/no flags, text, and dates or durations (an Excel cell formatted as a date).
_NOT_NUMBERS = (bool, np.bool_, str, bytes, pd.Timestamp, np.datetime64, np.timedelta64, _dt.date,
                _dt.timedelta, complex, np.complexfloating)


def not_a_number(v: Any) -> bool:
    return isinstance(v, _NOT_NUMBERS) or hasattr(v, "year")


def _reject_date_dtype(x: Any, name: str, shape: Shape, what: str) -> None:
    """Arrays and Series of dates or durations hold numbers internally: refuse them."""
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind in ("M", "m") and np.size(x):
        first = x.iloc[0] if isinstance(x, pd.Series) else np.asarray(x).reshape(-1)[0]
        kind_word = "a date" if kind == "M" else "a duration"
        raise DataError(
            f"{name}: {what} at {position(0, shape)} is {kind_word} ({first}), not a number "
            "(a cell formatted as a date?)"
        )


def _raw(x: Any, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise DataError(f"{name}: expected a number or numbers, got the text {x!r}")
    if isinstance(x, pd.Series):
        return x.to_numpy(dtype=object, na_value=np.nan)
    try:
        arr = np.asarray(x, dtype=object)
    except Exception as exc:  # ragged input and the like
        raise DataError(f"{name}: could not read the values ({exc})") from None
    if arr.ndim > 1:
        raise DataError(f"{name}: expected one value per student (1-D), got shape {arr.shape}")
    return arr.reshape(-1) if arr.ndim == 0 else arr


def as_float_array(
    x: Any,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    allow_nan: bool = False,
    allow_empty: bool = False,
    integer: bool = False,
    what: str = "score",
) -> tuple[np.ndarray, Shape]:
    """Read ``x`` as a 1-D float array and check it.

    Parameters
    ----------
    x : scalar, list, numpy array or pandas Series
        The values.
    name : str
        Argument name used in error messages.
    lo, hi : float, optional
        Inclusive allowed range.
    allow_nan : bool
        Whether missing values are allowed (they stay NaN).
    allow_empty : bool
        Whether an empty input is allowed.
    integer : bool
        Whether values must be whole numbers.
    what : str
        Word for one value in messages ("score", "count", ...).

    Returns
    -------
    values : numpy.ndarray of float
    shape : Shape

    Examples
    --------
    >>> from mtss_teach._validate import as_float_array
    >>> as_float_array([1, 2.5], "scores")[0]
    array([1. , 2.5])
    """
    shape = shape_of(x, name)
    _reject_date_dtype(x, name, shape, what)
    fast = None
    if isinstance(x, np.ndarray) and x.dtype.kind in "iuf" and x.ndim <= 1:
        fast = x.astype(float, copy=False).reshape(-1)
    elif isinstance(x, pd.Series) and x.dtype.kind in "iuf":
        fast = x.to_numpy(dtype=float)
    elif isinstance(x, Number) and not isinstance(x, (bool, np.bool_)) and np.ndim(x) == 0 \
            and not isinstance(x, _NOT_NUMBERS):
        try:
            fast = np.asarray([x], dtype=float)
        except (TypeError, ValueError, OverflowError):
            fast = None  # e.g. complex or a whole number too large for a float: reported below
    if fast is not None:
        arr = fast
    else:
        raw = _raw(x, name)
        if raw.size and raw.dtype == object:
            bad_type = [i for i, v in enumerate(raw) if not_a_number(v)]
            if bad_type:
                i = bad_type[0]
                raise DataError(
                    f"{name}: {what} at {position(i, shape)} is {raw[i]!r}, not a number"
                )
        try:
            arr = raw.astype(float)
        except (TypeError, ValueError, OverflowError):
            for i, v in enumerate(raw):
                try:
                    float(v)
                except OverflowError:
                    raise DataError(
                        f"{name}: {what} at {position(i, shape)} is too large to be a number "
                        f"({str(v)[:20]}...)"
                    ) from None
                except (TypeError, ValueError):
                    raise DataError(
                        f"{name}: {what} at {position(i, shape)} is {v!r}, not a number"
                    ) from None
            raise DataError(f"{name}: values are not numbers") from None
    if arr.size == 0 and not allow_empty:
        raise DataError(f"{name}: no values given (empty input)")
    nan = np.isnan(arr)
    if not allow_nan and nan.any():
        i = int(np.flatnonzero(nan)[0])
        raise DataError(f"{name}: {what} at {position(i, shape)} is missing (NaN)")
    inf = np.isinf(arr)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise DataError(f"{name}: {what} at {position(i, shape)} is infinite ({arr[i]})")
    with np.errstate(invalid="ignore"):
        if lo is not None:
            bad = arr < lo
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise DataError(
                    f"{name}: {what} at {position(i, shape)} is {arr[i]:g}, below the allowed minimum {lo:g}"
                )
        if hi is not None:
            bad = arr > hi
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise DataError(
                    f"{name}: {what} at {position(i, shape)} is {arr[i]:g}, above the allowed maximum {hi:g}"
                )
    if integer:
        frac = ~nan & (arr != np.round(arr))
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise DataError(f"{name}: {what} at {position(i, shape)} is {arr[i]:g}, not a whole number")
    return arr, shape


def as_binary_array(x: Any, name: str) -> tuple[np.ndarray, Shape]:
    """Read a yes/no vector (bool, or 0/1 numbers) as a bool array.

    Examples
    --------
    >>> from mtss_teach._validate import as_binary_array
    >>> as_binary_array([1, 0, True], "at_risk")[0]
    array([ True, False,  True])
    """
    shape = shape_of(x, name)
    if isinstance(x, np.ndarray) and x.dtype == bool and x.ndim <= 1:
        arr = x.reshape(-1)
        if arr.size == 0:
            raise DataError(f"{name}: no values given (empty input)")
        return arr, shape
    if isinstance(x, pd.Series) and x.dtype == bool:
        if len(x) == 0:
            raise DataError(f"{name}: no values given (empty input)")
        return x.to_numpy(), shape
    _reject_date_dtype(x, name, shape, "value")
    raw = _raw(x, name)
    if raw.size == 0:
        raise DataError(f"{name}: no values given (empty input)")
    out = np.zeros(raw.size, dtype=bool)
    try:
        with warnings.catch_warnings():  # complex values are refused just below
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            num = raw.astype(float)
        ok = (num == 0) | (num == 1)
        if raw.dtype == object:
            ok &= np.array([not not_a_number(v) or isinstance(v, (bool, np.bool_)) for v in raw])
    except (TypeError, ValueError, OverflowError):
        num = None
        ok = np.array(
            [isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating))
             and not isinstance(v, (str, bytes)) and v in (0, 1) for v in raw]
        )
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise DataError(
            f"{name}: value at {position(i, shape)} is {raw[i]!r}; expected yes/no "
            "(True/False or 1/0)"
        )
    out[:] = (num == 1) if num is not None else [bool(v) for v in raw]
    return out, shape


def plain(v: Any) -> Any:
    """A numpy scalar as the plain Python value, so messages read ``1``, not ``np.int64(1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from mtss_teach._validate import plain
    >>> repr(plain(np.int64(1))), plain("a")
    ('1', 'a')
    """
    return v.item() if isinstance(v, np.generic) else v


def restore(values: np.ndarray, shape: Shape) -> Any:
    """Return ``values`` in the shape of the original input.

    A scalar input gives a scalar (a Python ``str``/``float``/``bool``), a
    Series input a Series with the same index, anything else a numpy array.
    """
    if shape.kind == "scalar":
        return plain(values[0])
    if shape.kind == "series":
        return pd.Series(values, index=shape.index, name=shape.name)
    return values


def check_same_length(**arrays: Sized) -> int:
    """All arrays have one length; returns it.

    Examples
    --------
    >>> from mtss_teach._validate import check_same_length
    >>> check_same_length(scores=[1, 2], at_risk=[0, 1])
    2
    """
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise DataError(f"length mismatch: {desc} values")
    return next(iter(lengths.values())) if lengths else 0


def check_choice(value: Any, name: str, allowed: Iterable[Any]) -> Any:
    """``value`` must be one of ``allowed``; returns it (strings lower-cased).

    Examples
    --------
    >>> from mtss_teach._validate import check_choice
    >>> check_choice("Fall", "season", ["fall", "winter", "spring"])
    'fall'
    """
    allowed = list(allowed)
    v = value.strip().lower() if isinstance(value, str) else value
    try:
        # one value only: a list or array never matches (and an array would compare elementwise)
        hit = ndim(v) == 0 and not isinstance(v, (dict, set, frozenset)) and v in allowed
    except (TypeError, ValueError):
        hit = False
    if isinstance(v, (bool, np.bool_)) and not any(isinstance(a, bool) for a in allowed):
        hit = False
    if not hit:
        shown = ", ".join(repr(a) for a in allowed)
        raise DataError(f"{name}: {value!r} is not one of {shown}")
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def check_number(
    value: Any,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    integer: bool = False,
    lo_open: bool = False,
) -> float:
    """A single finite number in range; returns it as float (or int).

    Examples
    --------
    >>> from mtss_teach._validate import check_number
    >>> check_number(12, "weeks", lo=1, integer=True)
    12
    """
    if ndim(value) != 0 or isinstance(value, _NOT_NUMBERS) or hasattr(value, "year"):
        raise DataError(f"{name}: expected a single number, got {value!r}")
    try:
        v = float(value)
    except OverflowError:
        raise DataError(f"{name}: {str(value)[:20]}... is too large to be a number") from None
    except (TypeError, ValueError):
        raise DataError(f"{name}: expected a single number, got {value!r}") from None
    if not np.isfinite(v):
        raise DataError(f"{name}: expected a finite number, got {value!r}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        rel = "above" if lo_open else "at least"
        raise DataError(f"{name}: {v:g} is out of range; it must be {rel} {lo:g}")
    if hi is not None and v > hi:
        raise DataError(f"{name}: {v:g} is out of range; it must be at most {hi:g}")
    if integer:
        if v != round(v):
            raise DataError(f"{name}: {v:g} must be a whole number")
        return int(round(v))
    return v


Sized = Sequence  # for type hints above


def check_grade(grade: Any, allowed: Sequence[int], hint: str = "") -> int:
    """One whole-number grade among ``allowed`` (DataError naming ``grade`` otherwise)."""
    if isinstance(grade, (bool, np.bool_)) or isinstance(grade, str) or ndim(grade) != 0:
        raise DataError(f"grade: expected one whole-number grade, got {grade!r}")
    try:
        g = float(grade)
    except (TypeError, ValueError, OverflowError):
        raise DataError(f"grade: expected one whole-number grade, got {str(grade)[:40]}") from None
    if not np.isfinite(g) or g != round(g) or int(g) not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise DataError(f"grade: {grade!r} is not one of {shown}{hint}")
    return int(g)
