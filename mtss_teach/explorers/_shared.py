"""Pieces every explorer shares: slider grids, the text panel, the page's live region."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .._validate import as_float_array, check_number
from ..errors import DataError

__all__ = ["LIVE", "MAX_CUTS"]


#: Name of an explorer's text panel: the book's page copies its text into a status
#: region right above the controls, read out by screen readers (``_static/academy.js``).
LIVE = "live_text"

#: Most slider positions an explorer table may hold (keeps the page small).
MAX_CUTS = 1001


def _grid(lo: float, hi: float, step: float, name: str) -> np.ndarray:
    n = int(np.floor((hi - lo) / step + 1e-9)) + 1
    if n > MAX_CUTS:
        raise DataError(
            f"{name}: {n} slider positions from {lo:g} to {hi:g} in steps of {step:g}; at most "
            f"{MAX_CUTS} are allowed (use a larger step or a narrower range)"
        )
    # Rounded so that slider values (lo + k * step in the browser) match exactly.
    return np.round(lo + step * np.arange(n), 10)


# ---------------------------------------------------------------------------
# Shared pieces of the newer explorers
# ---------------------------------------------------------------------------


def _near(field: str, param: str, step: float) -> str:
    """Vega expression: the table row at the slider's position (within half a step)."""
    return f"abs(datum.{field} - {param}) < {float(step) / 2!r}"


def _even_grid(values: Any, name: str, *, lo: float | None = None, integer: bool = False,
               what: str = "value") -> tuple[np.ndarray, float]:
    """Sorted unique ``values``, which must be evenly spaced (a slider's positions), and the step."""
    v, _ = as_float_array(values, name, lo=lo, integer=integer, what=what)
    v = np.unique(v)
    if v.size > MAX_CUTS:
        raise DataError(f"{name}: {v.size} slider positions; at most {MAX_CUTS} are allowed")
    if v.size == 1:
        return v, 1.0
    d = np.diff(v)
    if not np.allclose(d, d[0], rtol=1e-9, atol=0):
        i = int(np.flatnonzero(~np.isclose(d, d[0], rtol=1e-9, atol=0))[0]) + 1
        raise DataError(
            f"{name}: slider positions must be evenly spaced; the step from {v[i - 1]:g} to {v[i]:g} "
            f"differs from the first step ({d[0]:g})"
        )
    return np.round(v, 10), float(d[0])


def _start(value: Any, grid: np.ndarray, name: str, default: float) -> float:
    """A starting slider position: ``value`` if it is on ``grid``, else a clear error."""
    if value is None:
        return float(default)
    v = check_number(value, name)
    k = int(np.argmin(np.abs(grid - v)))
    if abs(grid[k] - v) > 1e-9 * max(1.0, abs(v)):
        raise DataError(f"{name}: {v:g} is not one of the slider's positions ({grid[0]:g} to {grid[-1]:g})")
    return float(grid[k])


def _lines(data: pd.DataFrame, test: str, columns: list[str], *, width: int, title: str | None = None,
           bold: tuple[int, ...] = (0,), line_height: int = 21, top: int = 4) -> alt.LayerChart:
    """A text panel: the one row of ``data`` passing ``test``, one column per line."""
    layers = []
    for i, col in enumerate(columns):
        layers.append(
            alt.Chart(data).transform_filter(test).mark_text(
                align="left", baseline="top", fontSize=13, fontWeight="bold" if i in bold else "normal",
                x=0, y=top + line_height * i, limit=0)
            .encode(text=alt.Text(f"{col}:N"))
        )
    props: dict[str, Any] = dict(name=LIVE, width=width, height=top + line_height * len(columns))
    if title:
        props["title"] = alt.TitleParams(title, anchor="start", fontSize=12)
    return alt.layer(*layers).properties(**props)
