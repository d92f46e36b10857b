"""Column parsers: each reads one column's cells and says, per row, what is wrong.

Shared by the readers of a leader's own exports (:mod:`mtss_teach.io`) and the
core functions that take dates or ids from a table (e.g.
:func:`mtss_teach.behavior.odr_counts`), so a cell means the same everywhere.

Work is done once per *distinct* value (a column of a million scores has a
few hundred distinct ones), so a large export reads in about the time
pandas takes to parse it.
"""

from __future__ import annotations

import numbers as _numbers_mod
import re
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError

_MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--", "#n/a"})
_GRADE_WORDS = {"k": 0, "kg": 0, "kindergarten": 0}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SCI_ID = re.compile(r"[+-]?\d(?:[.,]\d+)?[eE][+-]?\d+")
_EXCEL_TEXT = re.compile(r'="(.*)"')
_FLOAT_ID = re.compile(r"(\d+)\.0+")  # 4512.0: the id was stored as a number somewhere on its way
#: A cell that names a summary line of a report (class average, district median...), not a student.
SUMMARY_LABEL = re.compile(
    r"(?i)\s*(?:(?:class|school|district|grade|campus|building|teacher|group|overall|all|state|national|"
    r"section|total)(?:\s+\w+)?\s+)?(?:average|avg\.?|mean|median|totals?|sum|count|std\.?\s*dev\.?|"
    r"standard deviation|minimum|maximum|min\.?|max\.?|percentile|summary)(?:\s*score)?\s*:?\s*")


def _unique(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values). Cells of different types never merge (1, 1.0 and True stay apart)."""
    a = col.to_numpy(dtype=object)
    if len(a) == 0:
        return np.zeros(0, dtype=np.intp), np.array([], dtype=object)
    if pd.api.types.infer_dtype(a, skipna=False) == "string":
        codes, uniq = pd.factorize(a)
        return codes, np.asarray(uniq, dtype=object)
    keys = []
    for v in a:
        try:
            hash(v)
            keys.append((type(v).__name__, v if not (isinstance(v, float) and v != v) else "nan"))
        except TypeError:
            keys.append(("unhashable", id(v)))
    kcodes, kuniq = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=False)
    first = pd.Series(np.arange(len(a))).groupby(kcodes).first().to_numpy()
    return kcodes, a[first]


def is_missing_value(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:
        return True
    if v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, str):
        s = v.strip()
        return not s or (len(s) <= 4 and s.lower() in _MISSING_TEXT)
    return False


def missing_mask(col: pd.Series) -> np.ndarray:
    codes, uniq = _unique(col)
    m = np.fromiter((is_missing_value(v) for v in uniq), bool, len(uniq))
    return m[codes] if len(codes) else np.zeros(0, dtype=bool)


def is_date_value(v: Any) -> bool:
    return isinstance(v, (pd.Timestamp, np.datetime64)) or (hasattr(v, "year") and not isinstance(v, (str, bytes)))


def _number_cell(v: Any, decimal: str = ".") -> float:
    """A real number, or NaN for anything that is not one (booleans, durations, text that is not a number)."""
    if isinstance(v, str):
        s = v.strip().replace("\u2212", "-").replace("\u00a0", "")
        if decimal == "," and s.count(",") == 1 and "." not in s:
            s = s.replace(",", ".")
        if not _NUMBER.fullmatch(s):
            return np.nan
        f = float(s)
        return f if np.isfinite(f) else np.nan
    if isinstance(v, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(v, _numbers_mod.Real):
        return np.nan
    try:
        f = float(v)
    except (OverflowError, ValueError, TypeError):
        return np.nan
    return f if np.isfinite(f) else np.nan


def numbers(col: pd.Series, decimal: str = ".") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, missing mask, date-like mask); anything that is not a number is NaN."""
    codes, uniq = _unique(col)
    miss = np.fromiter((is_missing_value(v) for v in uniq), bool, len(uniq))
    datey = np.fromiter((is_date_value(v) for v in uniq), bool, len(uniq)) & ~miss
    vals = np.array([np.nan if (m or d) else _number_cell(v, decimal) for v, m, d in zip(uniq, miss, datey)],
                    dtype=float)
    return vals[codes], miss[codes], datey[codes]


def grades(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole-number grades (NaN where unreadable); 'K' reads as 0."""

    def one(v: Any) -> float:
        if isinstance(v, (bool, np.bool_)):
            return np.nan
        if isinstance(v, (int, np.integer)):
            return float(v) if abs(int(v)) < 100 else np.nan
        if isinstance(v, (float, np.floating)):
            f = float(v)
            return f if np.isfinite(f) and f.is_integer() and abs(f) < 100 else np.nan
        if isinstance(v, str):
            s = v.strip().lower()
            if s in _GRADE_WORDS:
                return float(_GRADE_WORDS[s])
            m = re.fullmatch(r"(?:grade|gr\.?|g)?\s*0*(\d{1,2})(?:st|nd|rd|th)?(?:\s*grade)?(?:\.0)?", s)
            return float(m.group(1)) if m else np.nan
        return np.nan

    codes, uniq = _unique(col)
    miss = np.fromiter((is_missing_value(v) for v in uniq), bool, len(uniq))
    vals = np.array([np.nan if m else one(v) for v, m in zip(uniq, miss)], dtype=float)
    return vals[codes], miss[codes]


def labels(col: pd.Series, aliases: dict | None, allowed: Any = None, with_codes: bool = False) -> Any:
    """Lower-cased text labels (aliases applied); None where missing.

    Returns (labels, missing mask), plus -- with ``allowed`` -- a mask of
    labels in ``allowed``, and -- with ``with_codes`` -- integer codes equal
    for equal labels (for duplicate checks without comparing text again).
    """
    codes, uniq = _unique(col)
    miss = np.fromiter((is_missing_value(v) for v in uniq), bool, len(uniq))
    low = np.array([None if m else (v.strip().lower() if isinstance(v, str) else str(v))
                    for v, m in zip(uniq, miss)], dtype=object)
    if aliases:
        low = np.array([aliases.get(v, v) if isinstance(v, str) else v for v in low], dtype=object)
    out = [low[codes], miss[codes]]
    if allowed is not None:
        ok = np.fromiter((isinstance(v, str) and v in allowed for v in low), bool, len(low))
        out.append(ok[codes])
    if with_codes:
        canon, _ = pd.factorize(pd.Series(low, dtype=object), use_na_sentinel=False)
        out.append(np.asarray(canon, dtype=np.int64)[codes] if len(codes) else np.zeros(0, dtype=np.int64))
    return tuple(out)


#: repair codes of :func:`ids`
REPAIRED_EXCEL_TEXT, REPAIRED_NUMBER = 1, 2


def ids(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Student ids as text.

    Returns (ids, missing mask, problem reason per row or None, repair code
    per row: 0 none, :data:`REPAIRED_EXCEL_TEXT`, :data:`REPAIRED_NUMBER`).
    Excel's ``="004512"`` (written to keep leading zeros) is repaired to
    ``004512``; ``4512.0`` (an id stored as a number by a spreadsheet or a
    database export) to ``4512``; an id Excel turned into scientific
    notation (``1.23457E+09``) has lost digits and is rejected with a reason
    saying so.
    """
    a = col.to_numpy(dtype=object)
    n = len(a)
    if n and pd.api.types.infer_dtype(a, skipna=False) == "string":
        out = list(map(str.strip, a))
    else:
        out = []
        for v in a:
            if isinstance(v, str):
                out.append(v.strip())
            elif isinstance(v, (bool, np.bool_)):
                out.append(str(v))
            elif isinstance(v, (int, np.integer)):
                out.append(str(int(v)))
            elif isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
                out.append(str(int(v)))
            elif v is None or (isinstance(v, float) and v != v) or v is pd.NaT or v is pd.NA:
                out.append("")
            else:
                out.append(str(v).strip())
    vals = np.array(out, dtype=object)
    # C-level string tests over the whole column; Python-level work only for the few odd ids
    # most ids are all digits: one C-level pass settles them; the rest get a closer look
    digits = np.fromiter(map(str.isdigit, out), bool, n)
    rest = np.flatnonzero(~digits)
    sub = [out[i] for i in rest]
    short = np.fromiter(map(len, sub), np.int64, len(sub)) <= 4
    miss = np.zeros(n, dtype=bool)
    for j in np.flatnonzero(short):
        s = sub[j]
        miss[rest[j]] = not s or s.lower() in _MISSING_TEXT
    plain = np.fromiter(map(str.isalnum, sub), bool, len(sub))
    ends_digit = np.fromiter(map(str.isdigit, [s[-1:] for s in sub]), bool, len(sub))
    odd = np.zeros(n, dtype=bool)
    odd[rest] = ~(plain & ends_digit)
    why = np.full(n, None, dtype=object)
    repaired = np.zeros(n, dtype=np.int8)
    for i in np.flatnonzero(odd & ~miss):
        s = out[i]
        m = _EXCEL_TEXT.fullmatch(s)
        if m:
            vals[i] = m.group(1).strip()
            repaired[i] = REPAIRED_EXCEL_TEXT
            if not vals[i]:
                miss[i] = True
            continue
        m = _FLOAT_ID.fullmatch(s)
        if m:
            vals[i] = m.group(1)
            repaired[i] = REPAIRED_NUMBER
            continue
        if _SCI_ID.fullmatch(s):
            why[i] = (f"student id {s} is in scientific notation: Excel turned a long id into a rounded number "
                      "and its last digits are lost; format the id column as Text in Excel (or export it as "
                      "text) and load it again")
            continue
        if SUMMARY_LABEL.fullmatch(s):
            why[i] = "summary row (an average or total), not a student"
    return vals, miss, why, repaired


def summary_rows(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rows whose cell in one of ``columns`` is a summary label (Class Average, District Median, Total...)."""
    n = len(frame)
    out = np.zeros(n, dtype=bool)
    for c in columns:
        codes, uniq = _unique(frame[c])
        hit = np.fromiter((isinstance(v, str) and bool(v.strip()) and not v.strip()[-1].isdigit()
                           and SUMMARY_LABEL.fullmatch(v) is not None for v in uniq), bool, len(uniq))
        if hit.any():
            out |= hit[codes]
    return out


#: Names of the first lines of a names column ("Last, First", "First Last"): letters, a space or comma, no digits.
_NAME_VALUE = re.compile(r"[^\W\d_][^\d]*[\s,][^\d]*[^\W\d_]\.?")


def looks_like_names(col: pd.Series, sample: int = 200) -> bool:
    """True when most filled cells look like people's names (never usable as an id)."""
    vals = [v.strip() for v in col.to_numpy(dtype=object)[: sample * 5] if isinstance(v, str) and v.strip()]
    vals = [v for v in vals if not SUMMARY_LABEL.fullmatch(v)][:sample]
    if len(vals) < 1:
        return False
    hits = sum(bool(_NAME_VALUE.fullmatch(v)) for v in vals)
    return hits >= 0.8 * len(vals)


# --------------------------------------------------------------------------
# dates: one convention per column
# --------------------------------------------------------------------------

#: Excel stores a date as days since 1899-12-30 (its "serial" number: 45000 is
#: 2023-03-15). A plain number in a date column is read that way when it falls
#: in 1950-2099 (serials 18264-73050; a sanity window for school records, not a
#: norm); any other number is rejected, never read as nanoseconds since 1970.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIAL_RANGE: tuple[int, int] = (18264, 73050)
_DATE_MIN, _DATE_MAX = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?")


def _ymd(y: int, m: int, d: int) -> Any:
    try:
        return pd.Timestamp(year=y, month=m, day=d)
    except (ValueError, OverflowError):
        return None


def _year(y: str) -> int:
    v = int(y)
    if len(y) == 2:
        return 2000 + v if v < 69 else 1900 + v
    return v


def parse_dates(col: Any, *, dayfirst: bool | None = None, date_format: str | None = None,
                column: str = "date", info: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a date column in ONE convention: (datetime64[ns] values, missing mask, reason per row or None).

    ISO dates (2024-09-03) and Excel's own date cells are unambiguous.
    Dates such as ``03/09/2024`` are read day-first or month-first for the
    whole column: inferred when some value settles it (``13/09/2024`` can
    only be day-first) and no value contradicts it; refused -- with a
    :class:`~mtss_teach.DataError` asking for ``dayfirst=`` or
    ``date_format=`` -- when every such value could be either, or when the
    column mixes both. Numbers are Excel serial dates (see
    :data:`EXCEL_SERIAL_RANGE`); dates outside pandas' range (years
    1677-2262) are rejected, not wrapped round. Give a dict as ``info`` to
    learn the convention used: ``info["dayfirst"]`` (True/False, set when
    the column has day/month dates) and ``info["inferred_from"]`` (the
    date that settled it, when it was inferred).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.io import _parse_dates
    >>> d, miss, why = _parse_dates(pd.Series(["2023-03-15", 45000, 3.5, "", "3000-01-01"], dtype=object))
    >>> [str(x)[:10] for x in d[:2]], miss.tolist(), why[2]
    (['2023-03-15', '2023-03-15'], [False, False, False, True, False], 'number 3.5 is not a plausible Excel date serial (18264-73050 = 1950-2099)')
    >>> why[4]
    'date 3000-01-01 is outside the supported range (1677-09-22 to 2262-04-11)'
    >>> d, _, _ = _parse_dates(pd.Series(["03/09/2024", "13/09/2024"]))   # 13/09 settles it: day-first
    >>> [str(x)[:10] for x in d]
    ['2024-09-03', '2024-09-13']
    """
    col = pd.Series(col, dtype=object).reset_index(drop=True)
    if dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise DataError(f"dayfirst: expected True (03/09/2024 is 3 September) or False (9 March), got {dayfirst!r}")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise DataError(f"date_format: expected a format such as '%d/%m/%Y', got {date_format!r}")
    codes, uniq = _unique(col)
    k = len(uniq)
    miss = np.fromiter((is_missing_value(v) for v in uniq), bool, k)
    vals = np.full(k, None, dtype=object)
    why = np.full(k, None, dtype=object)
    lo, hi = EXCEL_SERIAL_RANGE
    slash: list[tuple[int, int, int, int]] = []  # (index, a, b, year) for a/b/yyyy values
    for j, v in enumerate(uniq):
        if miss[j]:
            continue
        if is_date_value(v):
            try:
                vals[j] = pd.Timestamp(v)
            except (ValueError, OverflowError, TypeError):
                why[j] = "date is not a readable date"
            continue
        if not isinstance(v, str):
            x = _number_cell(v)
            if np.isnan(x):
                why[j] = "date is not a readable date"
            elif lo <= x <= hi:
                vals[j] = EXCEL_EPOCH + pd.Timedelta(days=float(x))
            else:
                why[j] = f"number {x:g} is not a plausible Excel date serial ({lo}-{hi} = 1950-2099)"
            continue
        s = v.strip()
        if date_format is not None:
            t = pd.to_datetime(s, format=date_format, errors="coerce")
            if pd.isna(t):
                why[j] = f"date {s!r} does not match date_format {date_format!r}"
            else:
                vals[j] = t
            continue
        m = _ISO.fullmatch(s)
        if m:
            vals[j] = _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if vals[j] is None:
                why[j] = "date is not a readable date"
            elif len(s) > 10:
                t = pd.to_datetime(s, errors="coerce")
                vals[j] = t if not pd.isna(t) else vals[j]
            continue
        m = _DMY.fullmatch(s)
        if m:
            slash.append((j, int(m.group(1)), int(m.group(3)), _year(m.group(4))))
            continue
        x = _number_cell(s)
        if not np.isnan(x):
            if lo <= x <= hi:
                vals[j] = EXCEL_EPOCH + pd.Timedelta(days=float(x))
            else:
                why[j] = f"number {x:g} is not a plausible Excel date serial ({lo}-{hi} = 1950-2099)"
            continue
        if re.search(r"[A-Za-z]{3}", s):  # a month written in words: "15 Mar 2024", "March 15, 2024"
            try:
                t = pd.to_datetime(s, errors="coerce", format="mixed")
            except (ValueError, TypeError, OverflowError):
                t = pd.NaT
            if pd.isna(t):
                why[j] = "date is not a readable date"
            else:
                vals[j] = t
            continue
        why[j] = "date is not a readable date"
    if slash:
        a = np.array([s[1] for s in slash])
        b = np.array([s[2] for s in slash])
        if dayfirst is None:
            day_first = (a > 12) & (b <= 12)
            month_first = (b > 12) & (a <= 12)
            if day_first.any() and month_first.any():
                i1 = slash[int(np.flatnonzero(day_first)[0])][0]
                i2 = slash[int(np.flatnonzero(month_first)[0])][0]
                raise DataError(
                    f"{column}: the dates are written both day-first ({str(uniq[i1]).strip()}) and month-first "
                    f"({str(uniq[i2]).strip()}) in the same column, so none can be trusted; correct the file, or "
                    "pass dayfirst=True (03/09/2024 = 3 September) or dayfirst=False (= 9 March), or "
                    "date_format='%d/%m/%Y'")
            if day_first.any():
                dayfirst = True
                if info is not None:
                    info["inferred_from"] = str(uniq[slash[int(np.flatnonzero(day_first)[0])][0]]).strip()
            elif month_first.any():
                dayfirst = False
                if info is not None:
                    info["inferred_from"] = str(uniq[slash[int(np.flatnonzero(month_first)[0])][0]]).strip()
            else:
                ex = str(uniq[slash[0][0]]).strip()
                raise DataError(
                    f"{column}: dates such as {ex} could be day-first or month-first and no date in the column "
                    "settles it; pass dayfirst=True (03/09/2024 = 3 September) or dayfirst=False (= 9 March), "
                    "or date_format='%d/%m/%Y' or '%m/%d/%Y'")
        if info is not None:
            info["dayfirst"] = bool(dayfirst)
        for (j, x, y, yr) in slash:
            d, mo = (x, y) if dayfirst else (y, x)
            vals[j] = _ymd(yr, mo, d)
            if vals[j] is None:
                why[j] = (f"date {str(uniq[j]).strip()} is not a real date read "
                          + ("day-first" if dayfirst else "month-first"))
    # range check (pandas' nanosecond range), then per row
    out_u = np.full(k, np.datetime64("NaT"), dtype="datetime64[ns]")
    for j in range(k):
        t = vals[j]
        if t is None or why[j] is not None:
            continue
        try:
            ts = pd.Timestamp(t)
        except (ValueError, OverflowError, TypeError):
            why[j] = "date is not a readable date"
            continue
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        if ts < _DATE_MIN or ts > _DATE_MAX:
            why[j] = (f"date {ts.strftime('%Y-%m-%d') if hasattr(ts, 'strftime') else ts} is outside the supported "
                      f"range ({_DATE_MIN.date()} to {_DATE_MAX.date()})")
            continue
        out_u[j] = np.datetime64(ts.to_datetime64(), "ns")
    if k == 0:
        return np.array([], dtype="datetime64[ns]"), np.zeros(0, dtype=bool), np.array([], dtype=object)
    return out_u[codes], miss[codes], why[codes]
