"""Local benchmark tables: a leader outside the US brings their own cut scores (with where they come from)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..norms import SEASONS
from ._source import read_table

__all__ = ["read_benchmarks", "local_benchmark_status", "BENCHMARK_COLUMNS", "PROVENANCE_COLUMNS"]

#: Columns of a local benchmark table (one row per measure, grade and season).
BENCHMARK_COLUMNS: tuple[str, ...] = ("measure", "grade", "season", "cut_for_risk", "benchmark")
#: Provenance columns every row must fill: where the cut scores come from and when.
PROVENANCE_COLUMNS: tuple[str, ...] = ("source", "year")


def read_benchmarks(source: Any, **read_options: Any) -> pd.DataFrame:
    """Read and check a local benchmark table (CSV, .xlsx, bytes or DataFrame).

    The table has one row per measure, grade and season, with the columns
    ``measure, grade, season, cut_for_risk, benchmark`` (an optional
    ``above``) and the provenance columns ``source`` (who published the
    cut scores: a ministry, a test publisher, a research paper) and
    ``year``, filled on every row; an optional ``notes``. Scores under
    ``cut_for_risk`` are "well below", under ``benchmark`` "below", at or
    over ``benchmark`` "at" (and at or over ``above``, "above").

    Returns
    -------
    pandas.DataFrame
        The checked table (measure and season lower-case, grade int).

    Raises
    ------
    DataError
        A missing column, an empty source/year (the row is named), a cut
        that is not a number, ``cut_for_risk > benchmark`` or
        ``benchmark > above``, or a repeated measure/grade/season.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import read_benchmarks
    >>> t = pd.DataFrame({"measure": ["orf"], "grade": [2], "season": ["fall"], "cut_for_risk": [30],
    ...                   "benchmark": [45], "source": ["Regional reading norms (example)"], "year": [2024]})
    >>> read_benchmarks(t)[["measure", "grade", "season", "cut_for_risk", "benchmark"]].values.tolist()
    [['orf', 2, 'fall', 30.0, 45.0]]
    """
    raw = read_table(source, **read_options)
    df = raw.frame.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in BENCHMARK_COLUMNS + PROVENANCE_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"benchmarks: the table has no column {missing}; it needs {list(BENCHMARK_COLUMNS)} and "
                        f"the provenance columns {list(PROVENANCE_COLUMNS)} (where the cut scores come from)")
    rows = raw.rows
    out = pd.DataFrame({"measure": [str(v).strip().lower() for v in df["measure"]]})
    for c in PROVENANCE_COLUMNS:
        vals = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in df[c]]
        empty = [i for i, v in enumerate(vals) if not v]
        if empty:
            raise DataError(f"benchmarks: row {rows[empty[0]]} has no {c}; every cut score needs its {c} "
                            "(who published it, and when)")
        out[c] = vals
    g = pd.to_numeric(df["grade"].astype(str).str.strip(), errors="coerce")
    bad = np.flatnonzero(g.isna() | (g % 1 != 0))
    if bad.size:
        raise DataError(f"benchmarks: row {rows[bad[0]]}: grade {df['grade'].iloc[bad[0]]!r} is not a whole number")
    out["grade"] = g.astype(np.int64).to_numpy()
    seasons = [str(v).strip().lower() for v in df["season"]]
    bad_s = [i for i, s in enumerate(seasons) if s not in SEASONS]
    if bad_s:
        raise DataError(f"benchmarks: row {rows[bad_s[0]]}: season {seasons[bad_s[0]]!r} is not fall, winter or spring")
    out["season"] = seasons
    cuts = ["cut_for_risk", "benchmark"] + (["above"] if "above" in df.columns else [])
    for c in cuts:
        x = pd.to_numeric(df[c].astype(str).str.strip().str.replace(",", ".", regex=False), errors="coerce")
        if c == "above":
            blank = df[c].astype(str).str.strip().isin(["", "nan", "None"])
            x = x.where(~blank)
            bad = np.flatnonzero(x.isna() & ~blank)
        else:
            bad = np.flatnonzero(x.isna())
        if bad.size:
            raise DataError(f"benchmarks: row {rows[bad[0]]}: {c} {df[c].iloc[bad[0]]!r} is not a number")
        out[c] = x.to_numpy(dtype=float)
    order = out["cut_for_risk"] > out["benchmark"]
    if order.any():
        i = int(np.flatnonzero(order)[0])
        raise DataError(f"benchmarks: row {rows[i]}: cut_for_risk is above benchmark")
    if "above" in out:
        o2 = out["above"] < out["benchmark"]
        if o2.any():
            i = int(np.flatnonzero(o2)[0])
            raise DataError(f"benchmarks: row {rows[i]}: above is under benchmark")
    dup = out.duplicated(["measure", "grade", "season"])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"benchmarks: row {rows[i]} repeats measure, grade and season of an earlier row")
    if "notes" in df.columns:
        out["notes"] = df["notes"].astype(str).to_numpy()
    return out


def local_benchmark_status(data: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.Series:
    """Benchmark status of each row of a screening table against a local benchmark table.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``measure, grade, season, score`` (as from
        :func:`read_screening`).
    benchmarks : pandas.DataFrame
        From :func:`read_benchmarks`.

    Returns
    -------
    pandas.Series
        "well_below", "below", "at", "above" -- or "no benchmark" where the
        table has no row for that measure, grade and season (never a guess).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import local_benchmark_status
    >>> b = pd.DataFrame({"measure": ["orf"], "grade": [2], "season": ["fall"], "cut_for_risk": [30.0],
    ...                   "benchmark": [45.0], "source": ["x"], "year": ["2024"]})
    >>> d = pd.DataFrame({"measure": ["orf"] * 4, "grade": [2, 2, 2, 3], "season": ["fall"] * 4,
    ...                   "score": [29, 30, 45, 80]})
    >>> local_benchmark_status(d, b).tolist()
    ['well_below', 'below', 'at', 'no benchmark']
    """
    key = ["measure", "grade", "season"]
    left = pd.DataFrame({"measure": data["measure"].astype(str).to_numpy(),
                         "grade": data["grade"].astype(np.int64).to_numpy(),
                         "season": data["season"].astype(str).to_numpy()})
    cols = key + ["cut_for_risk", "benchmark"] + (["above"] if "above" in benchmarks else [])
    m = left.merge(benchmarks[cols], on=key, how="left")
    s = data["score"].to_numpy(dtype=float)
    out = np.where(s < m["cut_for_risk"].to_numpy(), "well_below",
                   np.where(s < m["benchmark"].to_numpy(), "below", "at")).astype(object)
    if "above" in m:
        ab = m["above"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            out[(s >= ab) & ~np.isnan(ab)] = "above"
    out[m["benchmark"].isna().to_numpy()] = "no benchmark"
    return pd.Series(out, index=data.index, name="status")
