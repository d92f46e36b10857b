"""The data dictionary of the cohort tables: dtypes, checks, deterministic CSV writing and reading."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._packagedata import read_table
from ..errors import DataError


@lru_cache(maxsize=None)
def _dictionary() -> pd.DataFrame:
    return read_table("cohort_dictionary.csv", all_text=True).copy()


def data_dictionary() -> pd.DataFrame:
    """The data dictionary of every cohort table.

    Columns ``table, column, type, unit, allowed, levels, meaning``; ``type``
    is one of int, float, bool, category, date; ``levels`` lists the fixed
    categories (``"; "``-separated) where there are any. Column order within
    a table is the order of the generated (and shipped) tables.

    Examples
    --------
    >>> from mtss_teach.cohorts import data_dictionary
    >>> d = data_dictionary()
    >>> d.loc[d["table"] == "screening", "column"].tolist()
    ['student_id', 'grade', 'season', 'measure', 'score', 'date']
    """
    return _dictionary().copy()


@lru_cache(maxsize=None)
def _schema(table: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    d = _dictionary()
    rows = d[d["table"] == table]
    return tuple(
        (r.column, r.type, tuple(v.strip() for v in r.levels.split(";")) if r.levels else ())
        for r in rows.itertuples()
    )


def _conform(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give ``df`` the exact columns and dtypes of the data dictionary."""
    spec = _schema(table)
    cols = [c for c, _, _ in spec]
    if list(df.columns) != cols:
        raise DataError(f"{table}: columns {list(df.columns)} do not match the data dictionary {cols}")
    if _conforms(spec, df):
        return df
    out = {}
    for c, t, levels in spec:
        s = df[c]
        if t == "int":
            if s.isna().any():
                i = int(np.flatnonzero(s.isna().to_numpy())[0])
                raise DataError(f"{table}[{c!r}]: value at row {i} is missing; expected a whole number")
            s = s.astype("int64")
        elif t == "float":
            s = s.astype("float64")
        elif t == "bool":
            if s.dtype != bool:
                vals = s.astype(str).str.strip().str.lower()
                ok = vals.isin(["true", "false", "1", "0"])
                if not ok.all():
                    i = int(np.flatnonzero(~ok.to_numpy())[0])
                    raise DataError(f"{table}[{c!r}]: value at row {i} is {s.iloc[i]!r}; expected True/False")
                s = vals.isin(["true", "1"])
        elif t == "date":
            s = pd.to_datetime(s, format="%Y-%m-%d") if s.dtype == object or pd.api.types.is_string_dtype(s) else s
            s = s.astype("datetime64[s]")
        elif t == "category":
            if isinstance(s.dtype, pd.CategoricalDtype):
                if levels:
                    if tuple(s.cat.categories) != levels:
                        s = s.cat.set_categories(list(levels))
                else:
                    s = s.cat.remove_unused_categories()
                    cats = list(s.cat.categories)
                    if cats != sorted(cats):
                        s = s.cat.reorder_categories(sorted(cats))
            else:
                raw = s.astype(object)
                cats = list(levels) if levels else sorted(set(raw.dropna().tolist()))
                s = pd.Series(pd.Categorical(raw, categories=cats), index=df.index, name=c)
            bad = s.isna().to_numpy() & df[c].notna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise DataError(
                    f"{table}[{c!r}]: value at row {i} is {df[c].iloc[i]!r}, not one of {list(levels)}"
                )
        out[c] = s
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


_DTYPES = {"int": np.dtype("int64"), "float": np.dtype("float64"), "bool": np.dtype(bool),
           "date": np.dtype("datetime64[s]")}


def _conforms(spec: tuple, df: pd.DataFrame) -> bool:
    """Already exactly the dictionary's dtypes (fast path for big tables)."""
    if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 or df.index.step != 1:
        return False
    for c, t, levels in spec:
        dt = df[c].dtype
        if t == "category":
            if not isinstance(dt, pd.CategoricalDtype) or dt.ordered:
                return False
            cats = dt.categories
            codes = df[c].cat.codes.to_numpy()
            if levels:
                if len(cats) != len(levels) or tuple(cats.tolist()) != levels:
                    return False
            elif not cats.is_monotonic_increasing or not np.bincount(codes + 1, minlength=len(cats) + 1)[1:].all():
                return False
            if codes.size and codes.min() < 0:
                return False
        elif dt != _DTYPES[t]:
            return False
    return True


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Deterministic CSV: fixed columns, 2-decimal floats, ISO dates, \\n line ends."""
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.2f",
              date_format="%Y-%m-%d", na_rep="", encoding="utf-8")


def _folder(folder: Any, name: str = "folder") -> Path:
    """A folder argument as a Path (DataError for anything that is not a path)."""
    if isinstance(folder, (bool, np.bool_)) or not isinstance(folder, (str, os.PathLike)):
        raise DataError(f"{name}: expected a folder path (str or pathlib.Path), got {type(folder).__name__} {folder!r}")
    return Path(folder)


def read_table_csv(table: str, path: Path) -> pd.DataFrame:
    """Read one table file; a corrupt, unreadable or empty file is a DataError naming the table."""
    try:
        return _read_csv_unchecked(table, path)
    except DataError as exc:
        raise DataError(f"{table}: {path.name}: {exc}") from None
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, OSError, pd.errors.ParserError) as exc:
        # EmptyDataError and ParserError are ValueErrors; a missing column is a KeyError or ValueError
        raise DataError(f"{table}: could not read {path.name} as the {table} table "
                        f"({type(exc).__name__}: {exc})") from None


def _read_csv_unchecked(table: str, path: Path) -> pd.DataFrame:
    spec = _schema(table)
    dtype = {c: ("int64" if t == "int" else "float64" if t == "float" else str) for c, t, _ in spec}
    df = pd.read_csv(path, dtype=dtype, keep_default_na=False, na_values={c: [""] for c, *_ in spec})
    for c, t, _ in spec:
        if t in ("category", "bool", "date") and c in df:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return _conform(table, df)


def _cat(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), categories=list(categories))
