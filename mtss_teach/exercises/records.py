"""The wire format of check records: a learner's answer as JSON data, written into the test cell's
output, where :mod:`mtss_teach.grading` reads it to re-check the test outside the learner's kernel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._shared import _as_id_list, _is_bool, _is_number, _is_text

if TYPE_CHECKING:  # pragma: no cover
    from .grader import Grader


#: MIME type of the records a :class:`Grader` check writes into its cell's
#: output under a Jupyter kernel (read by :mod:`mtss_teach.grading`).
RECORD_MIME = "application/vnd.mtss-teach.check+json"
_RECORD_VERSION = 1


def encode_value(value: Any) -> dict:
    """A learner's answer as JSON data that keeps what the checks look at.

    Numbers keep whether they are whole (``int``) or not (``float``, as its
    exact ``repr``), ``True``/``False`` stay booleans, text stays text, a list
    of ids stays a list; anything else (including a number of a type the
    checks refuse) becomes ``{"t": "other"}``, which no check accepts. Only
    data is kept, never code.

    Examples
    --------
    >>> from mtss_teach.exercises import encode_value, decode_value
    >>> encode_value(0.25)
    {'t': 'float', 'v': '0.25'}
    >>> decode_value(encode_value([3, "a"]))
    [3, 'a']
    >>> encode_value(object())
    {'t': 'other', 'type': 'object'}
    """
    if value is None:
        return {"t": "none"}
    if _is_bool(value):
        return {"t": "bool", "v": bool(value)}
    if _is_number(value):
        if isinstance(value, (int, np.integer)):
            return {"t": "int", "v": int(value)}
        return {"t": "float", "v": repr(float(value))}
    if _is_text(value):
        return {"t": "str", "v": value}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
        try:
            items = _as_id_list(value, "value")
        except AssertionError:
            pass
        else:
            return {"t": "ids", "v": [encode_value(i) for i in items]}
    return {"t": "other", "type": type(value).__name__}


class _Unrecorded:
    """Stands for an answer that was not a number, word, bool, None or id list."""

    def __repr__(self) -> str:
        return "<unrecordable answer>"


class _ReplayedFunction:
    """A learner's function, replayed from the outputs recorded for each input."""

    def __init__(self, calls: list) -> None:
        self._out = {}
        for item in calls:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict):
                self._out[_key(item[0])] = item[1]

    def __call__(self, x: Any) -> Any:
        rec = self._out.get(_key(encode_value(x)))
        if rec is None:
            raise LookupError("no output was recorded for this input")
        if rec.get("t") == "raised":
            raise RuntimeError(f"the function raised {rec.get('type', 'an error')}")
        return decode_value(rec)


def _key(enc: Any) -> str:
    import json

    return json.dumps(enc, sort_keys=True)


def decode_value(data: Any) -> Any:
    """The answer :func:`encode_value` recorded (a placeholder no check accepts if malformed)."""
    if not isinstance(data, dict):
        return _Unrecorded()
    t, v = data.get("t"), data.get("v")
    if t == "none":
        return None
    if t == "bool" and type(v) is bool:
        return v
    if t == "int" and type(v) is int:
        return v
    if t == "float" and type(v) is str:
        try:
            return float(v)
        except ValueError:
            return _Unrecorded()
    if t == "str" and type(v) is str:
        return v
    if t == "ids" and type(v) is list:
        return [decode_value(i) for i in v]
    if t == "function" and type(data.get("calls")) is list:
        return _ReplayedFunction(data["calls"])
    return _Unrecorded()


def _emit_record(grader: "Grader", check: str, name: str, value: dict) -> None:
    """Write one check record into the running cell's output (only under a Jupyter kernel)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of every kernel
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return
    record = {"version": _RECORD_VERSION, "course": grader.course, "learner_id": grader.learner_id,
              "account": getattr(grader, "account", ""), "check": check, "name": str(name), "value": value}
    display({RECORD_MIME: record, "text/plain": ""}, raw=True)
