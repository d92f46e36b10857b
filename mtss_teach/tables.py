"""Leader-facing tables: plain column names, formatted numbers, no index.

Lessons and apps show library results to principals. A raw pandas
DataFrame shows internal column names (``share_core_effective``), an
index, and floats like ``0.855000``; a Series prints "Name: ..., dtype:
float64". :func:`leader_table` turns any DataFrame or Series into a
formatted table that reads like a report: the caller names each column in
plain words, says which columns are shares (shown as percentages) and how
many decimals numbers get.

This module formats; it decides nothing (the numbers come from the core).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import formatting
from .errors import DataError

__all__ = ["leader_table", "MISSING"]

#: What an undefined value (NaN, None) shows as.
MISSING = "not computed"


def _fmt_number(decimals: int):
    """Cells of a number column (:func:`mtss_teach.formatting.count` and :func:`~mtss_teach.formatting.fixed`)."""
    def f(v: Any) -> str:
        if v is pd.NA:
            return MISSING
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and decimals == 0
                                                 and float(v).is_integer()):
            return formatting.count(v, missing=MISSING)
        if v is None or isinstance(v, (float, np.floating)):
            return formatting.fixed(v, decimals, thousands=True, missing=MISSING)
        return str(v)

    return f


def _fmt_percent(decimals: int):
    """Cells of a share column (:func:`mtss_teach.formatting.percent`)."""
    def f(v: Any) -> str:
        if v is pd.NA:
            return MISSING
        return formatting.percent(v, decimals, missing=MISSING)

    return f


def leader_table(
    data: pd.DataFrame | pd.Series,
    columns: Mapping[str, str] | None = None,
    percent: Sequence[str] = (),
    decimals: int | Mapping[str, int] = 2,
    index: str | None = None,
    caption: str | None = None,
) -> Any:
    """A formatted table for school leaders (a pandas Styler).

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        The library result to show. A Series becomes a two-column table
        (its index, its values); name both with ``index`` and ``columns``.
    columns : mapping, optional
        ``{column: "Plain name"}``. When given, only these columns are
        shown, in this order (so internal columns can stay hidden).
    percent : sequence of str
        Columns holding shares (0-1), shown as percentages.
    decimals : int or mapping, default 2
        Decimals for numbers; percentages get at most 1 decimal place
        (0 when ``decimals`` is 0); a mapping sets them per column.
        Whole numbers show without decimals; True/False show as yes/no;
        NaN shows as "not computed".
    index : str, optional
        Show the DataFrame's index as a first column with this name (the
        index is hidden otherwise).
    caption : str, optional
        A caption above the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        Renders as an HTML table in the book and in Voila; ``.data`` holds
        the renamed (unformatted) frame.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.tables import leader_table
    >>> df = pd.DataFrame({"grade": [3, 4], "share_tier1": [0.855, 0.8], "x": [1, 2]})
    >>> t = leader_table(df, {"grade": "Grade", "share_tier1": "In Tier 1"}, percent=["share_tier1"])
    >>> list(t.data.columns)
    ['Grade', 'In Tier 1']
    >>> "85.5%" in t.to_html()
    True
    """
    if isinstance(data, pd.Series):
        name = data.name if data.name is not None else "value"
        frame = data.rename(name).to_frame()
        if index is None:
            index = str(data.index.name or "")
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise DataError(f"data: expected a pandas DataFrame or Series, got {type(data).__name__}")
    if index is not None:
        frame = frame.reset_index()
        first = frame.columns[0]
        frame = frame.rename(columns={first: index})  # "" gives a blank header over row labels
        if columns is not None:
            columns = {index: index, **dict(columns)}
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"columns: {', '.join(map(repr, missing))} not in the table")
        frame = frame[list(columns)].rename(columns=dict(columns))
        rename = dict(columns)
    else:
        rename = {c: c for c in frame.columns}
    unknown = [c for c in percent if c not in rename]
    if unknown:
        raise DataError(f"percent: {', '.join(map(repr, unknown))} not among the shown columns")
    frame = frame.reset_index(drop=True)
    per_col = dict(decimals) if isinstance(decimals, Mapping) else {}
    default = decimals if isinstance(decimals, int) else 2
    formats = {}
    for raw, shown in rename.items():
        if raw in percent:
            formats[shown] = _fmt_percent(per_col.get(raw, min(default, 1)))
        else:
            formats[shown] = _fmt_number(per_col.get(raw, default))
    styler = (frame.style.format(formats).hide(axis="index")
              .set_table_attributes('class="dataframe leader-table"'))
    if caption:
        styler = styler.set_caption(caption)
    return styler
