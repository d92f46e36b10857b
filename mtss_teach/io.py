"""Load a school's own screening and progress-monitoring exports, safely.

:func:`read_screening` and :func:`read_progress` read a CSV or Excel (.xlsx)
export -- or a DataFrame already in memory -- map the school's column names
to the library's, and validate **every row**. The result is a
:class:`LoadResult`: the clean table plus a rejection report naming the
spreadsheet row, the column and the reason for every problem. Rows in =
rows accepted + rows rejected, always: nothing is dropped silently.
``strict=True`` raises :class:`~mtss_teach.DataError` at the first problem
instead.

:func:`deidentify` replaces student ids with salted SHA-256 hashes and drops
name-like columns, for leaders who bring their own data.

Row numbers are **spreadsheet row numbers**: the header is row 1, so the
first data row is row 2 (for a DataFrame input: position + 2, as if it were
written to a spreadsheet with its header).
"""

from __future__ import annotations

import hashlib
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .behavior import SRSS_ITEMS
from .norms import ORF_MAX, SEASONS
from .screening import DCPM_MAX
from ._validate import check_number
from .errors import DataError

__all__ = ["LoadResult", "Deidentified", "read_screening", "read_progress", "deidentify", "DEFAULT_MEASURE_RANGES"]

#: Allowed score range per measure (inclusive). Library sanity bounds, not
#: norms: ORF 0-300 WCPM (:data:`mtss_teach.norms.ORF_MAX`), math 0-200
#: digits correct per minute (:data:`mtss_teach.screening.DCPM_MAX`), SRSS
#: total 0-21 (7 items x 0-3, Drummond 1994).
DEFAULT_MEASURE_RANGES: dict[str, tuple[float, float]] = {
    "orf": (0.0, float(ORF_MAX)),
    "math_dcpm": (0.0, float(DCPM_MAX)),
    "srss": (0.0, float(3 * SRSS_ITEMS)),
}
_SEASON_ALIASES = {"fall": "fall", "autumn": "fall", "boy": "fall", "winter": "winter", "moy": "winter",
                   "spring": "spring", "eoy": "spring"}
_GRADE_WORDS = {"k": 0, "kg": 0, "kindergarten": 0}
_MISSING_TEXT = {"", "na", "n/a", "nan", "null", "none", "-", "--"}


@dataclass(frozen=True, eq=False)
class LoadResult:
    """A validated load: the clean rows and a report of every rejected row.

    Attributes
    ----------
    data : pandas.DataFrame
        Accepted rows in input order, library column names and types, plus
        ``source_row`` (the spreadsheet row each came from).
    rejected : pandas.DataFrame
        One line per problem: ``row`` (spreadsheet row: header = 1, first
        data row = 2), ``column`` (the library's name, with the school's own
        name in brackets when it was mapped), ``value`` (as read, as text)
        and ``reason``. A row with two problems has two lines.
    n_in, n_accepted, n_rejected : int
        Rows read, accepted and rejected; ``n_in == n_accepted + n_rejected``.
    ignored_columns : tuple of str
        Columns of the input that were not mapped (not carried over).
    source : str
        File name, or ``"DataFrame"``.
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    n_in: int
    n_accepted: int
    n_rejected: int
    ignored_columns: tuple[str, ...] = ()
    source: str = "DataFrame"
    kind: str = "screening"

    def summary(self) -> str:
        """A short plain-text report of the load.

        Examples
        --------
        >>> import pandas as pd
        >>> from mtss_teach.io import read_screening
        >>> df = pd.DataFrame({"student_id": ["a", "b"], "grade": [3, 3], "season": ["fall", "fall"],
        ...                    "measure": ["orf", "orf"], "score": [88, "abc"]})
        >>> print(read_screening(df).summary())
        read_screening from DataFrame: 2 rows in, 1 accepted, 1 rejected
          rejected rows by reason:
            1  score is not a number
          first problems:
            row 3, score: 'abc' -- score is not a number
        """
        lines = [f"read_{self.kind} from {self.source}: {self.n_in} rows in, "
                 f"{self.n_accepted} accepted, {self.n_rejected} rejected"]
        if self.ignored_columns:
            lines.append(f"  columns not used: {', '.join(self.ignored_columns)}")
        if self.n_rejected:
            first = self.rejected.drop_duplicates("row")
            kinds = first["reason"].map(_reason_kind)
            lines.append("  rejected rows by reason:")
            for reason, k in kinds.value_counts(sort=True).items():
                lines.append(f"    {k}  {reason}")
            lines.append("  first problems:")
            for r in self.rejected.head(5).itertuples():
                lines.append(f"    row {r.row}, {r.column}: {r.value!r} -- {r.reason}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"LoadResult({self.kind}, source={self.source!r}, n_in={self.n_in}, "
                f"n_accepted={self.n_accepted}, n_rejected={self.n_rejected})")


def _reason_kind(reason: str) -> str:
    """Group reasons without their specific values for the summary."""
    return re.sub(r"\s*\(.*\)$|: .*$", "", reason)


# --------------------------------------------------------------------------
# reading and mapping
# --------------------------------------------------------------------------

def _read_raw(path_or_frame: Any, sheet: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(path_or_frame, pd.DataFrame):
        df = path_or_frame.copy()
        df.columns = [str(c) for c in df.columns]
        _check_unique_columns(df, "path_or_frame")
        return df.astype(object).reset_index(drop=True), "DataFrame"
    if not isinstance(path_or_frame, (str, Path)):
        raise DataError(
            f"path_or_frame: expected a file path or a pandas DataFrame, got {type(path_or_frame).__name__}"
        )
    path = Path(path_or_frame)
    if not path.is_file():
        raise DataError(f"path_or_frame: file {str(path)!r} not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
        else:
            raise DataError(
                f"path_or_frame: {path.name!r} is not a .csv or .xlsx file (save the export as CSV or .xlsx)"
            )
    except DataError:
        raise
    except Exception as exc:  # unreadable file: report it as a data problem
        raise DataError(f"path_or_frame: could not read {path.name!r} ({exc})") from None
    df.columns = [str(c) for c in df.columns]
    _check_unique_columns(df, "path_or_frame")
    return df.astype(object).reset_index(drop=True), path.name


def _check_unique_columns(df: pd.DataFrame, name: str) -> None:
    dup = pd.Index(df.columns).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"{name}: column {df.columns[i]!r} (position {i}) appears twice (duplicate column name); "
                        "rename one of them")


def _norm_name(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(s).strip().lower()).strip("_")


_ALIASES = {"studentid": "student_id", "student_number": "student_id", "student": "student_id",
            "student_id_number": "student_id", "grade_level": "grade", "wcpm": "score"}


def _map_columns(df: pd.DataFrame, columns: Mapping[str, str] | None, required: Sequence[str],
                 optional: Sequence[str], one_of: Sequence[str] = ()) -> tuple[dict[str, str], tuple[str, ...]]:
    """Return {our name: their column} and the ignored input columns."""
    ours = list(required) + list(optional)
    mapping: dict[str, str] = {}
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise DataError(f"columns: expected a dict mapping your column names to ours ({ours}), got {columns!r}")
        for theirs, target in columns.items():
            if target not in ours:
                raise DataError(f"columns: {theirs!r} is mapped to {target!r}, which is not one of {ours}")
            if str(theirs) not in df.columns:
                raise DataError(
                    f"columns: {theirs!r} is not a column of the input; its columns are {list(df.columns)}"
                )
            if target in mapping:
                raise DataError(f"columns: both {mapping[target]!r} and {theirs!r} are mapped to {target!r}")
            mapping[target] = str(theirs)
    taken = set(mapping.values())
    for c in df.columns:
        if c in taken:
            continue
        n = _norm_name(c)
        n = _ALIASES.get(n, n)
        if n in ours and n not in mapping:
            mapping[n] = c
            taken.add(c)
    missing = [c for c in required if c not in mapping]
    if one_of and not any(c in mapping for c in one_of):
        missing.append(" or ".join(one_of))
    if missing:
        raise DataError(
            f"columns: the input has no column for {missing}; its columns are {list(df.columns)} "
            "(pass columns={'Your name': 'our_name', ...})"
        )
    ignored = tuple(c for c in df.columns if c not in taken)
    return mapping, ignored


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
        r = items
        lo = check_number(r[0], f"measure_ranges[{m!r}][0]")
        hi = check_number(r[1], f"measure_ranges[{m!r}][1]")
        if not lo <= hi:
            raise DataError(f"measure_ranges[{m!r}]: lowest {lo:g} is above highest {hi:g}")
        ranges[m.strip().lower()] = (lo, hi)
    return ranges


# --------------------------------------------------------------------------
# vectorised column parsers: each returns (values, problem reason or None per row)
# --------------------------------------------------------------------------

def _is_missing(col: pd.Series) -> np.ndarray:
    na = col.isna().to_numpy()
    txt = col.map(lambda v: isinstance(v, str) and v.strip().lower() in _MISSING_TEXT).to_numpy(dtype=bool)
    return na | txt


def _is_date_like(col: pd.Series) -> np.ndarray:
    return col.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year")
                   and not isinstance(v, (str, bytes))).to_numpy(dtype=bool)


def _numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, missing mask, date-like mask); non-numbers become NaN."""
    missing = _is_missing(col)
    datey = _is_date_like(col) & ~missing
    text = col.map(_number_cell).where(~(datey | missing), None)
    num = np.array(pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan), dtype=float)
    num[~np.isfinite(num)] = np.nan
    return num, missing, datey


def _number_cell(v: Any) -> Any:
    """Text (parsed later) or a float; None for anything that is not a real number.

    Booleans, complex numbers, durations (``pd.Timedelta``, ``np.timedelta64``),
    lists and integers too large for a float are not numbers: they are
    reported as "not a number", never read as their real part or nanoseconds.
    """
    if isinstance(v, str):
        return v.strip().replace("\u2212", "-")
    if isinstance(v, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(v, numbers.Real):
        return None
    try:
        return float(v)
    except (OverflowError, ValueError, TypeError):
        return None


def _ids(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    def one(v: Any) -> Any:
        if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
            return str(int(v))
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            return str(int(v))
        return str(v).strip()
    missing = _is_missing(col)
    vals = np.array([None if m else one(v) for v, m in zip(col.tolist(), missing)], dtype=object)
    return vals, missing


def _grades(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole-number grades (NaN where unreadable); 'K' reads as 0."""
    def one(v: Any) -> float:
        if isinstance(v, (bool, np.bool_)):
            return np.nan
        if isinstance(v, (int, np.integer)) and not isinstance(v, np.timedelta64):
            return float(v) if abs(int(v)) < 100 else np.nan
        if isinstance(v, (float, np.floating)):
            f = float(v)
            return f if np.isfinite(f) and f.is_integer() and abs(f) < 100 else np.nan
        if isinstance(v, str):
            s = v.strip().lower()
            if s in _GRADE_WORDS:
                return float(_GRADE_WORDS[s])
            m = re.fullmatch(r"(?:grade|gr\.?|g)?\s*0*(\d{1,2})(?:st|nd|rd|th)?(?:\s*grade)?", s)
            return float(m.group(1)) if m else np.nan
        return np.nan
    missing = _is_missing(col)
    vals = np.array([np.nan if m else one(v) for v, m in zip(col.tolist(), missing)], dtype=float)
    return vals, missing


def _labels(col: pd.Series, aliases: Mapping[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    missing = _is_missing(col)
    # anything that is not text (a number, a list...) becomes its text, so it is reported as unknown
    low = col.map(lambda v: v.strip().lower() if isinstance(v, str) else str(v)).to_numpy(dtype=object, copy=True)
    low[missing] = None
    if aliases:
        low = np.array([aliases.get(v, v) if isinstance(v, str) else v for v in low], dtype=object)
    return low, missing


#: Excel stores a date as days since 1899-12-30 (its "serial" number: 45000 is
#: 2023-03-15). A plain number in a date column is read that way when it falls
#: in 1950-2099 (serials 18264-73050; a sanity window for school records, not a
#: norm); any other number is rejected, never read as nanoseconds since 1970.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIAL_RANGE: tuple[int, int] = (18264, 73050)
_DATE_MIN, _DATE_MAX = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")


def _parse_dates(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a date column: (datetime64[ns] values, missing mask, reason per row or None).

    Text and date cells are parsed by pandas; numbers (and numeric text) are
    Excel serial dates (see :data:`EXCEL_SERIAL_RANGE`); dates outside
    pandas' range (years 1677-2262) are rejected, not wrapped round.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import _parse_dates
    >>> d, miss, why = _parse_dates(pd.Series(["2023-03-15", 45000, 3.5, "", "3000-01-01"], dtype=object))
    >>> [str(x)[:10] for x in d[:2]], miss.tolist(), why[2]
    (['2023-03-15', '2023-03-15'], [False, False, False, True, False], 'number 3.5 is not a plausible Excel date serial (18264-73050 = 1950-2099)')
    >>> why[4]
    'date 3000-01-01 is outside the supported range (1677-09-22 to 2262-04-11)'
    """
    col = pd.Series(col, dtype=object).reset_index(drop=True)
    n = len(col)
    missing = _is_missing(col)
    datey = _is_date_like(col) & ~missing
    num = pd.to_numeric(col.map(_number_cell).where(~(datey | missing), None), errors="coerce")
    num = num.to_numpy(dtype=float, na_value=np.nan)
    is_num = ~np.isnan(num)
    reason = np.full(n, None, dtype=object)
    other = ~missing & ~is_num
    parsed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]")
    is_text = col.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    parse = other & (is_text | datey)  # booleans, complex numbers, lists... are not dates
    if parse.any():
        got = pd.to_datetime(col.where(parse, None), errors="coerce", format="mixed")
        parsed = pd.Series(got.to_numpy(dtype="datetime64[us]"), dtype="datetime64[us]")
    reason[other & parsed.isna().to_numpy()] = "date is not a readable date"
    lo, hi = EXCEL_SERIAL_RANGE
    with np.errstate(invalid="ignore"):
        serial_ok = is_num & (num >= lo) & (num <= hi)
    if is_num.any():
        days = np.where(serial_ok, num, 0.0)
        as_dt = np.datetime64(EXCEL_EPOCH.date(), "us") + (days * 86400e6).round().astype("timedelta64[us]")
        parsed = parsed.where(~serial_ok, pd.Series(as_dt, dtype="datetime64[us]"))
        bad_num = is_num & ~serial_ok
        for i in np.flatnonzero(bad_num):
            reason[i] = (f"number {num[i]:g} is not a plausible Excel date serial "
                         f"({lo}-{hi} = 1950-2099)")
    # microseconds throughout, never nanoseconds: a year-3000 date would wrap round before the range check
    vals = parsed.to_numpy(dtype="datetime64[us]", copy=True)
    with np.errstate(invalid="ignore"):
        out = ~np.isnat(vals) & ((vals < np.datetime64(_DATE_MIN.date(), "us"))
                                 | (vals > np.datetime64(_DATE_MAX.date(), "us")))
    for i in np.flatnonzero(out):
        reason[i] = (f"date {np.datetime_as_string(vals[i], unit='D')} is outside the supported range "
                     f"({_DATE_MIN.date()} to {_DATE_MAX.date()})")
    vals[out] = np.datetime64("NaT")
    return vals.astype("datetime64[ns]"), missing, reason


class _Problems:
    """Collects (position, column, value, reason) in a vectorised way."""

    def __init__(self, df: pd.DataFrame, mapping: Mapping[str, str], order: Sequence[str]):
        self.df, self.mapping, self.order = df, mapping, list(order)
        self.parts: list[tuple[np.ndarray, str, list[str]]] = []

    def add(self, mask: np.ndarray, col: str, reasons: Any) -> None:
        pos = np.flatnonzero(mask)
        if pos.size == 0:
            return
        if isinstance(reasons, str):
            rs = [reasons] * pos.size
        else:
            rs = [reasons(i) for i in pos]
        self.parts.append((pos, col, rs))

    def bad_rows(self, n: int) -> np.ndarray:
        bad = np.zeros(n, dtype=bool)
        for pos, _, _ in self.parts:
            bad[pos] = True
        return bad

    def frame(self) -> pd.DataFrame:
        rows, cols, vals, reasons, rank = [], [], [], [], []
        for pos, col, rs in self.parts:
            theirs = self.mapping.get(col, col)
            shown = col if theirs == col else f"{col} ({theirs})"
            raw = self.df[theirs].to_numpy(dtype=object)[pos] if theirs in self.df.columns else [None] * len(pos)
            rows += (pos + 2).tolist()
            cols += [shown] * len(pos)
            vals += ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in raw]
            reasons += rs
            rank += [self.order.index(col) if col in self.order else len(self.order)] * len(pos)
        out = pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "column": cols, "value": vals,
                            "reason": reasons, "_rank": rank})
        out = out.sort_values(["row", "_rank"], kind="stable").drop(columns="_rank").reset_index(drop=True)
        out["column"] = out["column"].astype(str)
        return out


def _measure_column(df: pd.DataFrame, mapping: dict, measure: Any, ranges: dict, probs: _Problems) -> np.ndarray:
    n = len(df)
    m = None
    if measure is not None:
        m = str(measure).strip().lower()
        if m not in ranges:
            raise DataError(f"measure: {measure!r} is not one of {list(ranges)} (add it with measure_ranges=)")
    if "measure" in mapping:
        vals, miss = _labels(df[mapping["measure"]], None)
        if m is not None:  # measure= with a measure column: blank cells take it, other measures are rejected
            vals[miss] = m
            other = ~miss & (vals.astype(str) != m)
            probs.add(other, "measure", lambda i: f"measure {vals[i]!r} is not the measure={m!r} asked for")
            return vals
        probs.add(miss, "measure", "missing measure")
        unknown = ~miss & ~np.isin(vals.astype(str), list(ranges))
        probs.add(unknown, "measure", lambda i: f"unknown measure {vals[i]!r} (allowed: {', '.join(ranges)})")
        return vals
    if m is None:
        raise DataError(
            "columns: the input has no measure column; map one in columns= or pass measure='orf' "
            "(or another measure) for a one-measure export"
        )
    return np.full(n, m, dtype=object)


def _score_column(df: pd.DataFrame, mapping: dict, measures: np.ndarray, ranges: dict,
                  probs: _Problems) -> np.ndarray:
    num, miss, datey = _numbers(df[mapping["score"]])
    probs.add(miss, "score", "missing score")
    probs.add(datey, "score", "score looks like a date (Excel date formatting?), not a number")
    nonnum = np.isnan(num) & ~miss & ~datey
    probs.add(nonnum, "score", "score is not a number")
    lo = np.array([ranges.get(m, (np.nan, np.nan))[0] if isinstance(m, str) else np.nan for m in measures])
    hi = np.array([ranges.get(m, (np.nan, np.nan))[1] if isinstance(m, str) else np.nan for m in measures])
    with np.errstate(invalid="ignore"):
        out = ~np.isnan(num) & ~np.isnan(lo) & ((num < lo) | (num > hi))
    probs.add(out, "score",
              lambda i: f"score {num[i]:g} is out of range for {measures[i]} (allowed {lo[i]:g} to {hi[i]:g})")
    return num


def _check_frame_args(strict: Any) -> bool:
    if not isinstance(strict, (bool, np.bool_)):
        raise DataError(f"strict: expected True or False, got {strict!r}")
    return bool(strict)


# --------------------------------------------------------------------------
# public readers
# --------------------------------------------------------------------------

def read_screening(
    path_or_frame: Any,
    columns: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
    measure_ranges: Mapping[str, Sequence[float]] | None = None,
    measure: str | None = None,
    grades: Sequence[int] = (1, 2, 3, 4, 5, 6),
    sheet_name: Any = 0,
) -> LoadResult:
    """Read and validate a screening export (CSV, .xlsx or DataFrame).

    Parameters
    ----------
    path_or_frame : str, pathlib.Path or pandas.DataFrame
        A ``.csv`` (UTF-8, read as text so ids keep leading zeros) or
        ``.xlsx`` file, or a DataFrame.
    columns : dict, optional
        Your column names -> ours: ``student_id``, ``grade``, ``season``,
        ``measure``, ``score`` and optionally ``date``. Columns already
        named like ours (any case, spaces or underscores) are found without
        a mapping. Unmapped columns are not carried over (listed in
        ``ignored_columns``), so names and other extras stay behind.
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
    sheet_name : str or int
        Excel sheet (default the first).

    Returns
    -------
    LoadResult
        ``data`` columns: student_id (text), grade (int), season
        ("fall"/"winter"/"spring"; BOY/MOY/EOY and "autumn" accepted),
        measure, score (float), date (if given), source_row.

    Notes
    -----
    Every row is checked: missing student id; grade missing or not in
    ``grades``; season missing or unknown; measure missing or unknown; score
    missing, not a number, a date (an Excel cell formatted as a date), or
    out of the measure's range; date unreadable. Rows with a problem are
    rejected, each problem reported. Then **duplicates**: among the rows
    that passed, the first row of each student + season + measure is kept
    and every later copy is rejected, naming the row it repeats (a leader
    can then fix the one that is wrong).

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
    strict = _check_frame_args(strict)
    ranges = _check_ranges(measure_ranges)
    if isinstance(grades, (str, bytes, Mapping)) or not np.iterable(grades):
        raise DataError(f"grades: expected a list of grades such as [1, 2, 3], got {grades!r}")
    allowed = [int(check_number(g, f"grades[{i}]", lo=0, hi=12, integer=True)) for i, g in enumerate(grades)]
    df, source = _read_raw(path_or_frame, sheet_name)
    optional = ["date"] + (["measure"] if measure is not None else [])
    required = ["student_id", "grade", "season", "score"] + ([] if measure is not None else ["measure"])
    mapping, ignored = _map_columns(df, columns, required, optional)
    order = ["student_id", "grade", "season", "measure", "score", "date"]
    probs = _Problems(df, mapping, order)
    n = len(df)

    ids, miss = _ids(df[mapping["student_id"]])
    probs.add(miss, "student_id", "missing student id")
    gr, gmiss = _grades(df[mapping["grade"]])
    probs.add(gmiss, "grade", "missing grade")
    raw_g = df[mapping["grade"]].to_numpy(dtype=object)
    bad_g = ~gmiss & ~np.isin(gr, allowed)
    shown = ", ".join(str(a) for a in allowed)
    probs.add(bad_g, "grade", lambda i: f"grade {str(raw_g[i]).strip()} is not one of {shown}")
    se, smiss = _labels(df[mapping["season"]], _SEASON_ALIASES)
    probs.add(smiss, "season", "missing season")
    probs.add(~smiss & ~np.isin(se.astype(str), list(SEASONS)), "season",
              lambda i: f"unknown season {df[mapping['season']].iloc[i]!r} (use fall, winter or spring)")
    meas = _measure_column(df, mapping, measure, ranges, probs)
    score = _score_column(df, mapping, meas, ranges, probs)
    clean: dict[str, Any] = {}
    if "date" in mapping:
        dt, _, dwhy = _parse_dates(df[mapping["date"]])
        probs.add(dwhy != None, "date", lambda i: dwhy[i])  # noqa: E711
    ok = ~probs.bad_rows(n)
    key = pd.DataFrame({"i": ids, "s": se, "m": meas})
    dup = np.zeros(n, dtype=bool)
    first_of = np.full(n, -1)
    if ok.any():
        sub = key[ok]
        d = sub.duplicated(keep=False).to_numpy()
        if d.any():
            grp = sub.groupby(["i", "s", "m"], sort=False).ngroup().to_numpy()
            pos = np.flatnonzero(ok)
            firsts = pd.Series(pos).groupby(grp).transform("min").to_numpy()
            later = pos != firsts
            dup[pos[later]] = True
            first_of[pos[later]] = firsts[later]
    probs.add(dup, "student_id", lambda i: f"duplicate of row {first_of[i] + 2} (same student, season and measure)")

    clean["student_id"] = pd.array(ids, dtype="str") if n else np.array([], dtype=object)
    clean["grade"] = np.where(np.isin(gr, allowed), gr, -1).astype(np.int64)
    clean["season"] = pd.Categorical(np.where(np.isin(se.astype(str), list(SEASONS)), se, None), categories=list(SEASONS))
    clean["measure"] = pd.Categorical(np.where(np.isin(meas.astype(str), list(ranges)), meas, None), categories=list(ranges))
    clean["score"] = score
    if "date" in mapping:
        clean["date"] = dt.astype("datetime64[s]")
    clean = {k: (np.asarray(v) if not isinstance(v, (pd.Categorical, pd.api.extensions.ExtensionArray)) else v)
             for k, v in clean.items()}
    return _finish_any("screening", df, clean, probs, strict, ignored, source)


def _finish_any(kind, df, clean, probs, strict, ignored, source) -> LoadResult:
    n = len(df)
    rejected = probs.frame()
    if strict and len(rejected):
        r = rejected.iloc[0]
        raise DataError(f"{source}: row {r['row']}, column {r['column']!r}: value {r['value']!r} -- {r['reason']}")
    keep = ~probs.bad_rows(n)
    cols = {}
    for k, v in clean.items():
        cols[k] = v[keep]
    data = pd.DataFrame(cols)
    data["source_row"] = (np.flatnonzero(keep) + 2).astype(np.int64)
    n_rej = int((~keep).sum())
    return LoadResult(data=data.reset_index(drop=True), rejected=rejected, n_in=n, n_accepted=n - n_rej,
                      n_rejected=n_rej, ignored_columns=ignored, source=source, kind=kind)


def read_progress(
    path_or_frame: Any,
    columns: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
    measure_ranges: Mapping[str, Sequence[float]] | None = None,
    measure: str | None = None,
    sheet_name: Any = 0,
) -> LoadResult:
    """Read and validate a progress-monitoring export (CSV, .xlsx or DataFrame).

    Parameters
    ----------
    path_or_frame : str, pathlib.Path or pandas.DataFrame
    columns : dict, optional
        Your column names -> ours: ``student_id``, ``week`` and/or ``date``,
        ``measure``, ``score``; optionally ``grade`` and ``interventionist``.
    strict, measure_ranges, measure, sheet_name
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
    Checks: missing student id; week not a number or negative; a row with
    neither week nor date; date unreadable; measure and score as in
    :func:`read_screening`; grade (if mapped) missing or not 1-6. Then
    duplicates: the first row of each student + measure + week (or date,
    without a week column) is kept, later copies are rejected.

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
    strict = _check_frame_args(strict)
    ranges = _check_ranges(measure_ranges)
    df, source = _read_raw(path_or_frame, sheet_name)
    required = ["student_id", "score"] + ([] if measure is not None else ["measure"])
    optional = ["week", "date", "grade", "interventionist"] + (["measure"] if measure is not None else [])
    mapping, ignored = _map_columns(df, columns, required, optional, one_of=("week", "date"))
    order = ["student_id", "week", "date", "measure", "score", "grade", "interventionist"]
    probs = _Problems(df, mapping, order)
    n = len(df)
    ids, miss = _ids(df[mapping["student_id"]])
    probs.add(miss, "student_id", "missing student id")
    week = np.full(n, np.nan)
    wmiss = np.ones(n, dtype=bool)
    if "week" in mapping:
        week, wmiss, wdate = _numbers(df[mapping["week"]])
        probs.add(wdate | (np.isnan(week) & ~wmiss), "week", "week is not a number")
        with np.errstate(invalid="ignore"):
            probs.add(week < 0, "week", lambda i: f"week {week[i]:g} is negative")
    dt = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    dmiss = np.ones(n, dtype=bool)
    if "date" in mapping:
        dt, dmiss, dwhy = _parse_dates(df[mapping["date"]])
        probs.add(dwhy != None, "date", lambda i: dwhy[i])  # noqa: E711
    both = wmiss & dmiss
    probs.add(both, "week" if "week" in mapping else "date", "missing week and date")
    meas = _measure_column(df, mapping, measure, ranges, probs)
    score = _score_column(df, mapping, meas, ranges, probs)
    clean: dict[str, Any] = {}
    if "grade" in mapping:
        gr, gmiss = _grades(df[mapping["grade"]])
        probs.add(gmiss, "grade", "missing grade")
        probs.add(~gmiss & ~np.isin(gr, [1, 2, 3, 4, 5, 6]), "grade",
                  lambda i: f"grade {str(df[mapping['grade']].iloc[i]).strip()} is not one of 1, 2, 3, 4, 5, 6")
    ok = ~probs.bad_rows(n)
    if "week" not in mapping and ok.any():
        # weeks since each student's first probe date
        d = pd.Series(dt).where(ok)
        first = d.groupby(pd.Series(ids).where(ok, "")).transform("min")
        week = ((d - first).dt.days / 7.0).to_numpy(dtype=float, na_value=np.nan)
    keycol = week if "week" in mapping else dt.astype("datetime64[ns]").astype("int64")
    key = pd.DataFrame({"i": ids, "m": meas, "w": keycol})
    dup = np.zeros(n, dtype=bool)
    first_of = np.full(n, -1)
    if ok.any():
        sub = key[ok]
        if sub.duplicated(keep=False).any():
            grp = sub.groupby(["i", "m", "w"], sort=False).ngroup().to_numpy()
            pos = np.flatnonzero(ok)
            firsts = pd.Series(pos).groupby(grp).transform("min").to_numpy()
            later = pos != firsts
            dup[pos[later]] = True
            first_of[pos[later]] = firsts[later]
    what = "week" if "week" in mapping else "date"
    probs.add(dup, "student_id", lambda i: f"duplicate of row {first_of[i] + 2} (same student, measure and {what})")
    clean["student_id"] = pd.array(ids, dtype="str") if n else np.array([], dtype=object)
    clean["week"] = week
    if "date" in mapping:
        clean["date"] = dt.astype("datetime64[s]")
    clean["measure"] = pd.Categorical(np.where(np.isin(meas.astype(str), list(ranges)), meas, None), categories=list(ranges))
    clean["score"] = score
    if "grade" in mapping:
        clean["grade"] = np.where(np.isin(gr, [1, 2, 3, 4, 5, 6]), gr, -1).astype(np.int64)
    if "interventionist" in mapping:
        iv = df[mapping["interventionist"]].map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                                                else str(v).strip())
        clean["interventionist"] = pd.array(iv.to_numpy(dtype=object), dtype="str")
    return _finish_any("progress", df, clean, probs, strict, ignored, source)


# --------------------------------------------------------------------------
# de-identification
# --------------------------------------------------------------------------

#: Column-name patterns (after lower-casing and turning non-letters into
#: "_") that :func:`deidentify` drops: personal names, birth dates,
#: addresses, e-mail, phone numbers, social-security and state/local
#: student ids. Teacher, school and interventionist columns are kept.
NAME_LIKE_PATTERNS: tuple[str, ...] = (
    r"^(student_|child_|pupil_|parent_|guardian_|mother_|father_|legal_|preferred_)?"
    r"(first_|last_|middle_|given_|family_|sur_|full_|nick_|first|last|middle|given|family|sur|full|nick)?name(s)?$",
    r"(^|_)(fname|lname|mname|initials)$",
    r"dob|birth",
    r"address|street|(^|_)city($|_)|zip|postal|postcode",
    r"e_?mail",
    r"phone|mobile|(^|_)cell($|_)|telephone",
    r"ssn|social_security",
    r"(^|_)(sasid|lasid|ssid|state_id|state_student_id|local_id|medicaid|ncesid)($|_)",
)


@dataclass(frozen=True, eq=False)
class Deidentified:
    """Result of :func:`deidentify`.

    Attributes
    ----------
    data : pandas.DataFrame
        The table with hashed ids and without the dropped columns.
    dropped : tuple of str
        Columns dropped as name-like (personal data).
    id_column : str
    n_ids : int
        Distinct ids hashed.
    """

    data: pd.DataFrame
    dropped: tuple[str, ...]
    id_column: str
    n_ids: int

    def summary(self) -> str:
        """Plain-text report of what was done.

        Examples
        --------
        >>> import pandas as pd
        >>> from mtss_teach.io import deidentify
        >>> d = deidentify(pd.DataFrame({"id": [1], "Last Name": ["Doe"]}), "id", salt="s")
        >>> print(d.summary())
        deidentify: 1 distinct id(s) in 'id' replaced by salted SHA-256 hashes; dropped 1 column(s): Last Name
        """
        cols = ", ".join(self.dropped) if self.dropped else "none"
        return (f"deidentify: {self.n_ids} distinct id(s) in {self.id_column!r} replaced by salted SHA-256 "
                f"hashes; dropped {len(self.dropped)} column(s): {cols}")


def _is_column(c: Any, df: pd.DataFrame) -> bool:
    try:
        return c in df.columns
    except TypeError:  # unhashable (a dict, a list): not a column name
        return False


def _name_like(col: str) -> bool:
    n = _norm_name(col)
    return any(re.search(p, n) for p in NAME_LIKE_PATTERNS)


def deidentify(df: pd.DataFrame, id_column: str, salt: str, *, length: int = 16,
               drop: Sequence[str] = (), keep: Sequence[str] = ()) -> Deidentified:
    """Replace student ids with salted hashes and drop name-like columns.

    Parameters
    ----------
    df : pandas.DataFrame
    id_column : str
        The student-id column; its values become the first ``length`` hex
        digits of SHA-256(salt + "\\x1f" + id). The same id and salt always
        give the same hash (so tables stay joinable); without the salt the
        hash cannot be reversed by trying likely ids. Ids that differ only
        as 12 vs 12.0 vs "12" hash the same.
    salt : str
        A secret of your own (not empty). Keep it out of shared files.
    length : int
        Hex digits kept (8-64, default 16 = 64 bits).
    drop : sequence of str
        More columns to drop.
    keep : sequence of str
        Name-like columns to keep anyway.

    Returns
    -------
    Deidentified
        ``data`` (a new DataFrame; the input is not changed), ``dropped``
        (which columns were removed), ``id_column``, ``n_ids``.

    Raises
    ------
    DataError
        Not a DataFrame, unknown column, empty salt, a missing id (the
        message names the row), or a hash collision (use a larger
        ``length``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import deidentify
    >>> df = pd.DataFrame({"student_id": ["0012", "0013"], "First Name": ["Ana", "Ben"],
    ...                    "DOB": ["2016-02-01", "2016-07-12"], "score": [62, 71]})
    >>> d = deidentify(df, "student_id", salt="our district secret")
    >>> d.dropped
    ('First Name', 'DOB')
    >>> d.data.columns.tolist(), len(d.data["student_id"].iloc[0])
    (['student_id', 'score'], 16)
    >>> d.data["student_id"].iloc[0] == deidentify(df, "student_id", salt="our district secret").data["student_id"].iloc[0]
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
    _check_unique_columns(df, "df")
    if not _is_column(id_column, df):
        raise DataError(f"id_column: {id_column!r} is not a column; columns are {list(df.columns)}")
    if not isinstance(salt, str) or not salt:
        raise DataError("salt: give a non-empty secret text (an empty salt makes the hashes easy to reverse)")
    length = int(check_number(length, "length", lo=8, hi=64, integer=True))
    for name, cols in (("drop", drop), ("keep", keep)):
        if isinstance(cols, str):
            raise DataError(f"{name}: expected a list of column names, got the text {cols!r}")
        if not np.iterable(cols):
            raise DataError(f"{name}: expected a list of column names, got {cols!r}")
        unknown = [c for c in cols if not _is_column(c, df)]
        if unknown:
            raise DataError(f"{name}: {unknown} are not columns; columns are {list(df.columns)}")
    ids, miss = _ids(df[id_column].astype(object))
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        raise DataError(f"{id_column}: student id at row {df.index[i]!r} (position {i}) is missing")
    codes, uniq = pd.factorize(pd.Series(ids, dtype=object), sort=False)
    prefix = salt.encode("utf-8") + b"\x1f"
    hashed = np.array([hashlib.sha256(prefix + str(u).encode("utf-8")).hexdigest()[:length] for u in uniq],
                      dtype=object)
    if len(set(hashed.tolist())) != len(uniq):
        raise DataError(f"length: two ids share a {length}-digit hash; use a larger length")
    dropped = tuple(c for c in df.columns
                    if c != id_column and c not in keep and (c in drop or _name_like(str(c))))
    out = df.drop(columns=list(dropped)).copy()
    out[id_column] = pd.array(hashed[codes], dtype="str") if len(out) else out[id_column].astype(str)
    return Deidentified(data=out, dropped=dropped, id_column=str(id_column), n_ids=int(len(uniq)))
