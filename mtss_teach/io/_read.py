"""read_screening and read_progress: map, validate every row, account for every record."""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._validate import check_number
from ..behavior import SRSS_ITEMS
from ..errors import DataError
from ..norms import ORF_MAX, SEASON_ALIASES, SEASONS
from ..screening import DCPM_MAX
from .._cells import REPAIRED_EXCEL_TEXT, REPAIRED_NUMBER
from .._cells import grades as _cell_grades, ids as _cell_ids, is_missing_value as _cell_missing
from .._cells import labels as _cell_labels, numbers as _cell_numbers, parse_dates as _cell_dates
from .._cells import looks_like_names, summary_rows as _cell_summary_rows
from ._mapping import map_columns, norm_name
from ._result import LoadResult, Problems
from ._source import RawTable, read_table

__all__ = ["read_screening", "read_progress", "DEFAULT_MEASURE_RANGES"]

#: Allowed score range per measure (inclusive). Library sanity bounds, not
#: norms: ORF 0-300 WCPM (:data:`mtss_teach.norms.ORF_MAX`), math 0-200
#: digits correct per minute (:data:`mtss_teach.screening.DCPM_MAX`), SRSS
#: total 0-21 (7 items x 0-3, Drummond 1994).
DEFAULT_MEASURE_RANGES: dict[str, tuple[float, float]] = {
    "orf": (0.0, float(ORF_MAX)),
    "math_dcpm": (0.0, float(DCPM_MAX)),
    "srss": (0.0, float(3 * SRSS_ITEMS)),
}
_NAMEISH = ("name", "student", "label", "description", "row")


def _check_ranges(measure_ranges: Any) -> dict[str, tuple[float, float]]:
    ranges = dict(DEFAULT_MEASURE_RANGES)
    if measure_ranges is None:
        return ranges
    if not isinstance(measure_ranges, Mapping):
        raise DataError(f"measure_ranges: expected a dict such as {{'orf': (0, 300)}}, got {measure_ranges!r}")
    for m, r in measure_ranges.items():
        if not isinstance(m, str) or not m.strip():
            raise DataError(f"measure_ranges: measure names must be text, got {m!r}")
        try:
            items = None if isinstance(r, (str, bytes, Mapping)) else list(r)
        except TypeError:
            items = None
        if items is None or len(items) != 2:
            raise DataError(f"measure_ranges[{m!r}]: expected (lowest, highest), got {r!r}")
        lo = check_number(items[0], f"measure_ranges[{m!r}][0]")
        hi = check_number(items[1], f"measure_ranges[{m!r}][1]")
        if not lo <= hi:
            raise DataError(f"measure_ranges[{m!r}]: lowest {lo:g} is above highest {hi:g}")
        ranges[m.strip().lower()] = (lo, hi)
    return ranges


def _isin(values: np.ndarray, allowed: Any) -> np.ndarray:
    """Membership by value for object arrays (hash-based, no conversion to fixed-width text)."""
    return pd.Series(values, dtype=object).isin(list(allowed)).to_numpy()


def _check_strict(strict: Any) -> bool:
    if not isinstance(strict, (bool, np.bool_)):
        raise DataError(f"strict: expected True or False, got {strict!r}")
    return bool(strict)


def _open(path_or_frame: Any, sheet_name: Any, read_options: dict) -> RawTable:
    return read_table(path_or_frame, sheet_name=sheet_name, **read_options)


def _decimal(raw: RawTable, decimal: Any) -> str:
    if decimal is None:
        return raw.decimal or "."
    if decimal not in (".", ","):
        raise DataError(f"decimal: expected '.' or ',', got {decimal!r}")
    return decimal


def _ids_column(raw: RawTable, mapping: dict, probs: Problems, notes: list[str]) -> np.ndarray:
    df = raw.frame
    ids, miss, why, repaired = _cell_ids(df[mapping["student_id"]])
    # summary rows (Class Average, District Median...): in the id column or a names/label column
    extra = [c for c in df.columns if c != mapping["student_id"] and c not in mapping.values()
             and (any(w in norm_name(c) for w in _NAMEISH) or c == df.columns[0])]
    summ = (why == "summary row (an average or total), not a student")
    odd = np.flatnonzero(miss | (why != None))  # noqa: E711  (a summary line has no usable id)
    if extra and odd.size:
        hit = _cell_summary_rows(df.iloc[odd], extra)
        summ[odd[hit]] = True
    probs.add(summ, "student_id", "summary row (an average or total), not a student")
    probs.skip |= summ
    probs.add(miss, "student_id", "missing student id")
    other = (why != None) & ~summ  # noqa: E711
    probs.add(other, "student_id", lambda i: why[i])
    k = int(((repaired == REPAIRED_EXCEL_TEXT) & ~probs.skip).sum())
    if k:
        notes.append(f'{k:,} student id(s) written as ="..." (Excel\'s way of keeping leading zeros) '
                     "were read as the text inside the quotes")
    k = int(((repaired == REPAIRED_NUMBER) & ~probs.skip).sum())
    if k:
        notes.append(f"{k:,} student id(s) ended in .0 (the id was stored as a number on its way to this file) "
                     "and were read without it; if your ids have leading zeros, they were lost before this file "
                     "was written")
    return ids


def _measure_column(df: pd.DataFrame, mapping: dict, measure: Any, ranges: dict,
                    probs: Problems) -> tuple[np.ndarray, np.ndarray]:
    """(measure per row, integer codes equal for equal measures)."""
    n = len(df)
    m = None
    if measure is not None:
        m = str(measure).strip().lower()
        if m not in ranges:
            raise DataError(f"measure: {measure!r} is not one of {list(ranges)} (add it with measure_ranges=)")
    if "measure" in mapping:
        vals, miss, known, codes = _cell_labels(df[mapping["measure"]], None, allowed=set(ranges),
                                                 with_codes=True)
        if m is not None:  # measure= with a measure column: blank cells take it, other measures are rejected
            vals[miss] = m
            other = ~miss & (vals != m)
            probs.add(other, "measure", lambda i: f"measure {vals[i]!r} is not the measure={m!r} asked for")
            codes = np.where(miss, -2, codes)  # blank cells are the measure asked for: one code
            return vals, codes
        probs.add(miss, "measure", "missing measure")
        unknown = ~miss & ~known
        probs.add(unknown, "measure", lambda i: f"unknown measure {vals[i]!r} (allowed: {', '.join(ranges)})")
        return vals, codes
    if m is None:
        raise DataError(
            "columns: the input has no measure column; map one in columns= or pass measure='orf' "
            "(or another measure) for a one-measure export"
        )
    return np.full(n, m, dtype=object), np.zeros(n, dtype=np.int64)


def _score_column(df: pd.DataFrame, mapping: dict, measures: tuple[np.ndarray, np.ndarray], ranges: dict,
                  probs: Problems, decimal: str) -> np.ndarray:
    measures, mcodes_in = measures
    num, miss, datey = _cell_numbers(df[mapping["score"]], decimal)
    probs.add(miss, "score", "missing score")
    probs.add(datey, "score", "score looks like a date (Excel date formatting?), not a number")
    nonnum = np.isnan(num) & ~miss & ~datey
    reason = "score is not a number" + (" (the decimal mark here is ',': pass decimal='.' if it is '.')"
                                        if decimal == "," else "")
    probs.add(nonnum, "score", reason)
    # the range of each distinct measure, looked up once (codes from the measure column)
    ucodes, first = np.unique(mcodes_in, return_index=True)
    pos = np.searchsorted(ucodes, mcodes_in)
    lo_u = np.array([ranges.get(measures[i], (np.nan, np.nan))[0] if isinstance(measures[i], str) else np.nan
                     for i in first], dtype=float)
    hi_u = np.array([ranges.get(measures[i], (np.nan, np.nan))[1] if isinstance(measures[i], str) else np.nan
                     for i in first], dtype=float)
    lo, hi = (lo_u[pos], hi_u[pos]) if len(first) else (np.zeros(0), np.zeros(0))
    with np.errstate(invalid="ignore"):
        out = ~np.isnan(num) & ~np.isnan(lo) & ((num < lo) | (num > hi))
    probs.add(out, "score",
              lambda i: f"score {num[i]:g} is out of range for {measures[i]} (allowed {lo[i]:g} to {hi[i]:g})")
    return num


def _dates(raw: RawTable, mapping: dict, probs: Problems, notes: list[str], dayfirst: Any,
           date_format: Any) -> np.ndarray:
    col = raw.frame[mapping["date"]]
    info: dict = {}
    dt, dmiss, dwhy = _cell_dates(col, dayfirst=dayfirst, date_format=date_format, info=info,
                                  column=f"date ({mapping['date']})" if mapping["date"] != "date" else "date")
    probs.add(dwhy != None, "date", lambda i: dwhy[i])  # noqa: E711
    if "dayfirst" in info:
        order = "day first (03/09/2024 = 3 September)" if info["dayfirst"] else \
            "month first (03/09/2024 = 9 March)"
        why = (f", as {info['inferred_from']} shows" if "inferred_from" in info else ", as asked")
        notes.append(f"dates read {order} for the whole column{why}")
    return dt, dmiss


def _duplicates(key_cols: list[np.ndarray], ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(later copies mask, position of the first copy) among rows ``ok``; keys compared as values."""
    n = len(ok)
    dup = np.zeros(n, dtype=bool)
    first_of = np.full(n, -1)
    if not ok.any():
        return dup, first_of
    pos = np.flatnonzero(ok)
    key = np.zeros(pos.size, dtype=np.int64)
    for k in key_cols:
        k = np.asarray(k)
        if k.dtype.kind in "iu":  # already codes
            c = k[pos].astype(np.int64)
        else:
            c, _ = pd.factorize(k[pos] if k.dtype == object else pd.Series(k[pos]))
            c = np.asarray(c, dtype=np.int64)
        c = c - c.min() if c.size else c
        key = key * (int(c.max()) + 1 if c.size else 1) + c
    s = pd.Series(key)
    d = s.duplicated(keep=False).to_numpy()
    if not d.any():
        return dup, first_of
    sub = pos[d]
    firsts = pd.Series(sub).groupby(key[d], sort=False).transform("min").to_numpy()
    later = sub != firsts
    dup[sub[later]] = True
    first_of[sub[later]] = firsts[later]
    return dup, first_of


#: Header words of columns that hold people's names (after lower-casing, non-letters as "_").
_NAME_COLUMN = re.compile(r"name|(^|_)(student|pupil|learner|child|teacher|guardian|parent|fname|lname|mname)($|_)")


def _name_words(raw: RawTable, mapping: Mapping[str, str]) -> Any:
    """A test ``words -> bool``: does any word appear in a column of names (not used as a library column)?

    Built on first use (only when a rejected value holds letters), from the
    distinct cells of the columns named like names or holding names.
    """
    cache: dict[str, set] = {}

    def words() -> set:
        if "w" not in cache:
            used = set(mapping.values())
            cols = [c for c in raw.frame.columns if c not in used
                    and (_NAME_COLUMN.search(norm_name(c)) or looks_like_names(raw.frame[c]))]
            found: set = set()
            for c in cols:
                for v in pd.unique(raw.frame[c].to_numpy(dtype=object)):
                    if isinstance(v, str):
                        found.update(w.lower() for w in re.findall(r"[^\W\d_]{2,}", v))
            cache["w"] = found
        return cache["w"]

    return lambda ws: any(w.lower() in words() for w in ws)


def _finish(kind: str, raw: RawTable, clean: dict, probs: Problems, strict: bool, ignored, notes,
            mapping) -> LoadResult:
    n = len(raw.frame)
    rejected = probs.frame(raw.unreadable, names=_name_words(raw, mapping))
    if strict and len(rejected):
        r = rejected.iloc[0]
        raise DataError(f"{raw.source}: row {r['row']}, column {r['column']!r}: value {r['value']!r} -- {r['reason']}")
    keep = ~probs.bad_rows()
    data = pd.DataFrame({k: v[keep] for k, v in clean.items()})
    data["source_row"] = raw.rows[keep].astype(np.int64)
    n_in = n + len(raw.unreadable)
    n_acc = int(keep.sum())
    return LoadResult(data=data.reset_index(drop=True), rejected=rejected, n_in=n_in, n_accepted=n_acc,
                      n_rejected=n_in - n_acc, ignored_columns=ignored, source=raw.source, kind=kind,
                      n_blank=raw.n_blank, notes=tuple(list(raw.notes) + notes), mapping=dict(mapping))


def _str_array(vals: np.ndarray, n: int) -> Any:
    return pd.array(vals, dtype="str") if n else np.array([], dtype=object)


def read_screening(
    path_or_frame: Any,
    columns: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
    measure_ranges: Mapping[str, Sequence[float]] | None = None,
    measure: str | None = None,
    grades: Sequence[int] = (1, 2, 3, 4, 5, 6),
    sheet_name: Any = 0,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    header_row: int | None = None,
) -> LoadResult:
    """Read and validate a screening export (CSV, .xlsx, an upload's bytes or a DataFrame).

    Parameters
    ----------
    path_or_frame : str, pathlib.Path, bytes, pandas.DataFrame or RawTable
        A ``.csv`` (read as text so ids keep leading zeros) or ``.xlsx``
        file, a :class:`RawTable` from :func:`read_table`, or a DataFrame.
    columns : dict, optional
        Your column names -> ours: ``student_id``, ``grade``, ``season``,
        ``measure``, ``score`` and optionally ``date``. Columns not mapped
        are found by name (:data:`COLUMN_ALIASES`, best match first:
        ``Student ID`` before ``Student``; a column of names is never the
        id). Unmapped columns are not carried over (``ignored_columns``),
        so names and other extras stay behind.
    strict : bool
        Raise :class:`~mtss_teach.DataError` at the first problem (lowest
        row; within a row, in the column order above) instead of reporting.
    measure_ranges : dict, optional
        Extra or changed allowed ranges, e.g. ``{"maze": (0, 60)}``; merged
        onto :data:`DEFAULT_MEASURE_RANGES`. A measure not listed is rejected.
    measure : str, optional
        The measure of every row, for a one-measure export without a
        measure column. With a measure column, blank cells take this
        measure and rows of any other measure are rejected (and reported).
    grades : sequence of int
        Grades accepted (default 1-6, the library's norms; "K" reads as 0).
    sheet_name : str or int or None
        Excel sheet: name, or position among the visible sheets (default
        the first visible sheet; hidden sheets are skipped).
    dayfirst : bool, optional
        For dates such as 03/09/2024: True = 3 September, False = 9 March.
        Needed only when the column itself does not settle it.
    date_format : str, optional
        An explicit format such as ``"%d.%m.%Y"`` for the date column.
    encoding, sep, decimal, header_row
        CSV reading options, detected when not given (see :func:`read_table`).

    Returns
    -------
    LoadResult
        ``data`` columns: student_id (text), grade (int), season
        ("fall"/"winter"/"spring"; BOY/MOY/EOY and "autumn" accepted),
        measure, score (float), date (if given), source_row.

    Notes
    -----
    Rows in are the records after the header **in the file itself**
    (blank lines are counted separately, never silently), so
    ``n_in == n_accepted + n_rejected`` holds against the file. A line the
    CSV reader cannot read (a stray quote mark, too many cells) is
    rejected by its line number; the lines after it are read normally.

    Every row is checked: summary rows (Class Average, District Median,
    Total...) are rejected as not students; missing student id, an id
    Excel turned into scientific notation (digits lost); grade missing or
    not in ``grades``; season missing or unknown; measure missing or
    unknown; score missing, not a number, a date (an Excel cell formatted
    as a date), or out of the measure's range; date unreadable (one
    convention per column, see :func:`_parse_dates`). Then
    **duplicates**: among the rows that passed, the first row of each
    student + season + measure is kept and every later copy is rejected,
    naming the row it repeats.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import read_screening
    >>> export = pd.DataFrame({
    ...     "Student ID": ["0012", "0013", "", "0012", "0014"],
    ...     "Gr": [3, 3, 3, 3, 9],
    ...     "Window": ["BOY", "fall", "fall", "fall", "fall"],
    ...     "WCPM": [62, 250.5, 40, 71, 80]})
    >>> res = read_screening(export, {"Student ID": "student_id", "Gr": "grade",
    ...                               "Window": "season", "WCPM": "score"}, measure="orf")
    >>> res.n_in, res.n_accepted, res.n_rejected
    (5, 2, 3)
    >>> res.data
      student_id  grade season measure  score  source_row
    0       0012      3   fall     orf   62.0           2
    1       0013      3   fall     orf  250.5           3
    >>> for r in res.rejected.itertuples():
    ...     print(r.row, r.column, repr(r.value), r.reason, sep=" | ")
    4 | student_id (Student ID) | '' | missing student id
    5 | student_id (Student ID) | '0012' | duplicate of row 2 (same student, season and measure)
    6 | grade (Gr) | '9' | grade 9 is not one of 1, 2, 3, 4, 5, 6
    """
    strict = _check_strict(strict)
    ranges = _check_ranges(measure_ranges)
    if isinstance(grades, (str, bytes, Mapping)) or not np.iterable(grades):
        raise DataError(f"grades: expected a list of grades such as [1, 2, 3], got {grades!r}")
    allowed = [int(check_number(g, f"grades[{i}]", lo=0, hi=12, integer=True)) for i, g in enumerate(grades)]
    raw = _open(path_or_frame, sheet_name, dict(encoding=encoding, sep=sep, decimal=decimal, header_row=header_row))
    dec = _decimal(raw, decimal)
    df = raw.frame
    optional = ["date"] + (["measure"] if measure is not None else [])
    required = ["student_id", "grade", "season", "score"] + ([] if measure is not None else ["measure"])
    mapping, ignored = map_columns(df, columns, required, optional)
    order = ["student_id", "grade", "season", "measure", "score", "date"]
    probs = Problems(df, raw.rows, mapping, order)
    n = len(df)
    notes: list[str] = []

    ids = _ids_column(raw, mapping, probs, notes)
    gr, gmiss = _cell_grades(df[mapping["grade"]])
    probs.add(gmiss, "grade", "missing grade")
    raw_g = df[mapping["grade"]].to_numpy(dtype=object)
    bad_g = ~gmiss & ~np.isin(gr, allowed)
    shown = ", ".join(str(a) for a in allowed)
    probs.add(bad_g, "grade", lambda i: f"grade {str(raw_g[i]).strip()} is not one of {shown}")
    se, smiss, s_ok, s_codes = _cell_labels(df[mapping["season"]], SEASON_ALIASES, allowed=set(SEASONS),
                                             with_codes=True)
    probs.add(smiss, "season", "missing season")
    raw_s = df[mapping["season"]].to_numpy(dtype=object)
    probs.add(~smiss & ~s_ok, "season",
              lambda i: f"unknown season {raw_s[i]!r} (use fall, winter or spring)")
    meas = _measure_column(df, mapping, measure, ranges, probs)
    score = _score_column(df, mapping, meas, ranges, probs, dec)
    clean: dict[str, Any] = {}
    if "date" in mapping:
        dt, _ = _dates(raw, mapping, probs, notes, dayfirst, date_format)
    ok = ~probs.bad_rows()
    dup, first_of = _duplicates([ids, s_codes, meas[1]], ok)
    rows = raw.rows
    probs.add(dup, "student_id", lambda i: f"duplicate of row {rows[first_of[i]]} (same student, season and measure)")

    clean["student_id"] = _str_array(ids, n)
    clean["grade"] = np.where(np.isin(gr, allowed), gr, -1).astype(np.int64)
    clean["season"] = pd.Categorical(np.where(s_ok, se, None), categories=list(SEASONS))
    clean["measure"] = pd.Categorical(np.where(_isin(meas[0], ranges), meas[0], None),
                                      categories=list(ranges))
    clean["score"] = score
    if "date" in mapping:
        clean["date"] = dt.astype("datetime64[s]")
    return _finish("screening", raw, clean, probs, strict, ignored, notes, mapping)


def read_progress(
    path_or_frame: Any,
    columns: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
    measure_ranges: Mapping[str, Sequence[float]] | None = None,
    measure: str | None = None,
    sheet_name: Any = 0,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    header_row: int | None = None,
) -> LoadResult:
    """Read and validate a progress-monitoring export (CSV, .xlsx, bytes or DataFrame).

    Parameters
    ----------
    path_or_frame : str, pathlib.Path, bytes, pandas.DataFrame or RawTable
    columns : dict, optional
        Your column names -> ours: ``student_id``, ``week`` and/or ``date``,
        ``measure``, ``score``; optionally ``grade`` and ``interventionist``.
    strict, measure_ranges, measure, sheet_name, dayfirst, date_format, encoding, sep, decimal, header_row
        As in :func:`read_screening`.

    Returns
    -------
    LoadResult
        ``data`` columns: student_id, week (float; when only dates are
        given, weeks since the student's first probe = days / 7), date (if
        given), measure, score, grade and interventionist (if given),
        source_row. Ready for :func:`mtss_teach.progress.fit_trends`.

    Notes
    -----
    Checks: summary rows; missing student id; week not a number or
    negative; a row with neither week nor date; date unreadable; measure
    and score as in :func:`read_screening`; grade (if mapped) missing or
    not 1-6. Then duplicates: the first row of each student + measure +
    week (or date, without a week column) is kept, later copies are
    rejected.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import read_progress
    >>> pm = pd.DataFrame({"id": ["a", "a", "a", "b"], "wk": [0, 1, "x", 0],
    ...                    "wcpm": [40, 43, 45, 500]})
    >>> res = read_progress(pm, {"id": "student_id", "wk": "week", "wcpm": "score"}, measure="orf")
    >>> res.n_accepted, res.rejected["reason"].tolist()
    (2, ['week is not a number', 'score 500 is out of range for orf (allowed 0 to 300)'])
    """
    strict = _check_strict(strict)
    ranges = _check_ranges(measure_ranges)
    raw = _open(path_or_frame, sheet_name, dict(encoding=encoding, sep=sep, decimal=decimal, header_row=header_row))
    dec = _decimal(raw, decimal)
    df = raw.frame
    required = ["student_id", "score"] + ([] if measure is not None else ["measure"])
    optional = ["week", "date", "grade", "interventionist"] + (["measure"] if measure is not None else [])
    mapping, ignored = map_columns(df, columns, required, optional, one_of=("week", "date"))
    order = ["student_id", "week", "date", "measure", "score", "grade", "interventionist"]
    probs = Problems(df, raw.rows, mapping, order)
    n = len(df)
    notes: list[str] = []
    ids = _ids_column(raw, mapping, probs, notes)
    week = np.full(n, np.nan)
    wmiss = np.ones(n, dtype=bool)
    if "week" in mapping:
        week, wmiss, wdate = _cell_numbers(df[mapping["week"]], dec)
        probs.add(wdate | (np.isnan(week) & ~wmiss), "week", "week is not a number")
        with np.errstate(invalid="ignore"):
            probs.add(week < 0, "week", lambda i: f"week {week[i]:g} is negative")
    dt = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    dmiss = np.ones(n, dtype=bool)
    if "date" in mapping:
        dt, dmiss = _dates(raw, mapping, probs, notes, dayfirst, date_format)
    both = wmiss & dmiss
    probs.add(both, "week" if "week" in mapping else "date", "missing week and date")
    meas = _measure_column(df, mapping, measure, ranges, probs)
    score = _score_column(df, mapping, meas, ranges, probs, dec)
    clean: dict[str, Any] = {}
    if "grade" in mapping:
        gr, gmiss = _cell_grades(df[mapping["grade"]])
        probs.add(gmiss, "grade", "missing grade")
        raw_g = df[mapping["grade"]].to_numpy(dtype=object)
        probs.add(~gmiss & ~np.isin(gr, [1, 2, 3, 4, 5, 6]), "grade",
                  lambda i: f"grade {str(raw_g[i]).strip()} is not one of 1, 2, 3, 4, 5, 6")
    ok = ~probs.bad_rows()
    if "week" not in mapping and ok.any():
        # weeks since each student's first probe date
        d = pd.Series(dt).where(ok)
        first = d.groupby(pd.Series(ids, dtype=object).where(ok, "")).transform("min")
        week = ((d - first).dt.days / 7.0).to_numpy(dtype=float, na_value=np.nan)
    keycol = week if "week" in mapping else dt.astype("datetime64[ns]").astype("int64")
    keycol = pd.factorize(keycol)[0]  # codes: equal weeks (or dates) share one
    dup, first_of = _duplicates([ids, meas[1], keycol], ok)
    what = "week" if "week" in mapping else "date"
    rows = raw.rows
    probs.add(dup, "student_id", lambda i: f"duplicate of row {rows[first_of[i]]} (same student, measure and {what})")
    clean["student_id"] = _str_array(ids, n)
    clean["week"] = week
    if "date" in mapping:
        clean["date"] = dt.astype("datetime64[s]")
    clean["measure"] = pd.Categorical(np.where(_isin(meas[0], ranges), meas[0], None),
                                      categories=list(ranges))
    clean["score"] = score
    if "grade" in mapping:
        clean["grade"] = np.where(np.isin(gr, [1, 2, 3, 4, 5, 6]), gr, -1).astype(np.int64)
    if "interventionist" in mapping:
        iv = [None if _cell_missing(v) else str(v).strip()
              for v in df[mapping["interventionist"]].to_numpy(dtype=object)]
        clean["interventionist"] = pd.array(np.array(iv, dtype=object), dtype="str")
    return _finish("progress", raw, clean, probs, strict, ignored, notes, mapping)
