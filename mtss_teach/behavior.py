"""Behaviour screening: office discipline referrals (ODR) and the SRSS.

Tables in package data (with ``source, year, tag``):

- ``odr_bands.csv`` -- per-student major ODR bands 0-1 / 2-5 / 6+ (the
  Tier 1 / 2 / 3 pattern).
- ``odr_national_means.csv`` -- SWIS 2008-09 national mean ODRs per 100
  students per school day.
- ``srss_bands.csv`` and ``srss_items.csv`` -- Student Risk Screening Scale
  (Drummond 1994): 7 items scored 0-3, total 0-21, low 0-3 / moderate 4-8
  / high 9-21.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate import as_float_array, not_a_number as _not_a_number, position, restore
from ._validate import plain
from ._validate import shape_of as _shape_of
from .errors import DataError
from ._packagedata import read_table as _read
from ._cells import parse_dates as _parse_dates
from ._validate import check_choice

__all__ = [
    "odr_rate",
    "odr_band",
    "odr_bands",
    "odr_national_means",
    "srss_total",
    "srss_risk",
    "srss_bands",
    "srss_items",
    "SRSS_ITEMS",
    "school_days_by_month",
    "odr_per_day_by_month",
    "odr_counts",
    "referral_dates",
    "counted_referrals",
]

#: Number of SRSS items.
SRSS_ITEMS = 7


def _open_bands(name: str) -> tuple[np.ndarray, np.ndarray]:
    t = _read(name)
    lows = t["low"].to_numpy(dtype=float)
    labels = t["band"].astype(str).to_numpy(dtype=object)
    return lows, labels


def odr_rate(majors: Any, school_days: Any, enrollment: Any) -> Any:
    """Major ODRs per 100 students per school day.

    ``rate = majors / school_days / (enrollment / 100)``. Compare with the
    SWIS 2008-09 national means in :func:`odr_national_means` (K-6 .34,
    6-9 .85, 9-12 1.27).

    Parameters
    ----------
    majors : scalar or array-like
        Major ODR counts (whole numbers >= 0), one per school or period.
    school_days : scalar or array-like
        School days in the period (> 0); a scalar applies to every row.
    enrollment : scalar or array-like
        Enrolled students (whole number > 0); a scalar applies to every row.

    Returns
    -------
    float, numpy array or pandas Series (shape of ``majors``)

    References
    ----------
    School-Wide Information System (SWIS) (n.d.). *SWIS national summary,
    2008-09 school year* (``swis_nd``).

    Examples
    --------
    >>> from mtss_teach.behavior import odr_rate
    >>> round(odr_rate(306, 180, 500), 4)   # 306 / 180 / (500 / 100) = 1.7 / 5
    0.34
    >>> odr_rate([900, 0], 180, [1000, 400]).tolist()   # 900 / 180 / 10 = 0.5
    [0.5, 0.0]
    """
    m, shape = as_float_array(majors, "majors", lo=0, integer=True, what="ODR count")
    d, dshape = as_float_array(school_days, "school_days", lo=0, what="number of days")
    e, eshape = as_float_array(enrollment, "enrollment", lo=0, integer=True, what="enrolment")
    for arr, sh, name in ((d, dshape, "school_days"), (e, eshape, "enrollment")):
        zero = arr == 0
        if zero.any():
            i = int(np.flatnonzero(zero)[0])
            raise DataError(f"{name}: value at {position(i, sh)} is 0; it must be above 0")
        if sh.kind != "scalar" and arr.size != m.size:
            raise DataError(
                f"length mismatch: majors has {m.size} values, {name} has {arr.size} values"
            )
    with np.errstate(over="ignore"):
        rate = m / d / (e / 100.0)
    over = ~np.isfinite(rate)
    if over.any():
        # A step of the division can overflow although the rate itself fits (a tiny number of
        # days and a huge enrolment): compute those rates exactly before calling them too large.
        from fractions import Fraction

        rate = np.array(rate, dtype=float)
        mb, db, eb = np.broadcast_arrays(m, d, e)
        for j in np.flatnonzero(over):
            try:
                rate.flat[j] = float(Fraction(float(mb.flat[j])) * 100 / (Fraction(float(db.flat[j]))
                                                                        * Fraction(float(eb.flat[j]))))
            except OverflowError:
                pass
        over = ~np.isfinite(rate)
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise DataError(
            f"majors/school_days/enrollment: the rate at {position(i, shape)} is too large to "
            "compute (check for a misplaced decimal point or a value in the wrong unit)"
        )
    return restore(rate, shape)


def odr_bands() -> pd.DataFrame:
    """Per-student ODR bands (package data: ``band, low, high, tier_pattern, source, year, tag``).

    References
    ----------
    The bands are a SWPBIS practice convention (no validating study);
    McIntosh et al. follow students across them:

    McIntosh, K., Frank, J. L., & Spaulding, S. A. (2010). Establishing
    research-based trajectories of office discipline referrals for
    individual students. *School Psychology Review*, 39(3), 380-394
    (``mcintosh2010``).

    Examples
    --------
    >>> from mtss_teach.behavior import odr_bands
    >>> odr_bands()["band"].tolist()
    ['0-1', '2-5', '6+']
    """
    return _read("odr_bands.csv").copy()


def odr_band(counts: Any) -> Any:
    """Per-student major-ODR band: "0-1", "2-5" or "6+".

    The bands mark the usual Tier 1 / Tier 2 / Tier 3 pattern of a school
    year's major referrals.

    Parameters
    ----------
    counts : scalar, list, numpy array or pandas Series
        Major ODRs per student (whole numbers >= 0).

    Returns
    -------
    str, numpy array of str or pandas Series (shape of ``counts``)

    References
    ----------
    The bands are a SWPBIS practice convention (no validating study);
    McIntosh et al. follow students across them:

    McIntosh, K., Frank, J. L., & Spaulding, S. A. (2010). Establishing
    research-based trajectories of office discipline referrals for
    individual students. *School Psychology Review*, 39(3), 380-394
    (``mcintosh2010``).

    Examples
    --------
    >>> from mtss_teach.behavior import odr_band
    >>> odr_band(1)
    '0-1'
    >>> odr_band([0, 2, 5, 6, 14]).tolist()
    ['0-1', '2-5', '2-5', '6+', '6+']
    """
    c, shape = as_float_array(counts, "counts", lo=0, integer=True, what="ODR count")
    lows, labels = _open_bands("odr_bands.csv")
    idx = np.searchsorted(lows, c, side="right") - 1
    return restore(labels[idx], shape)


def odr_national_means() -> pd.DataFrame:
    """SWIS 2008-09 national mean major ODRs per 100 students per school day.

    References
    ----------
    School-Wide Information System (SWIS) (n.d.). *SWIS national summary,
    2008-09 school year* (``swis_nd``).

    Examples
    --------
    >>> from mtss_teach.behavior import odr_national_means
    >>> odr_national_means()[["grade_span", "odr_per_100_per_day"]].to_numpy().tolist()
    [['K-6', 0.34], ['6-9', 0.85], ['9-12', 1.27]]
    """
    return _read("odr_national_means.csv").copy()


def srss_items() -> pd.DataFrame:
    """The seven SRSS items in scoring order (``item, label, source, year, tag``).

    References
    ----------
    Drummond, T. (1994). *The Student Risk Screening Scale (SRSS)*.
    Josephine County Mental Health Program, Grants Pass, OR
    (``drummond1994``).

    Examples
    --------
    >>> from mtss_teach.behavior import srss_items
    >>> srss_items()["label"].tolist()[:3]
    ['steal', 'lie, cheat, sneak', 'behaviour problem']
    """
    return _read("srss_items.csv").copy()


def srss_bands() -> pd.DataFrame:
    """SRSS total-score risk bands (``band, low, high, source, year, tag``).

    References
    ----------
    Drummond, T. (1994). *The Student Risk Screening Scale (SRSS)*.
    Josephine County Mental Health Program, Grants Pass, OR
    (``drummond1994``).

    Examples
    --------
    >>> from mtss_teach.behavior import srss_bands
    >>> srss_bands()[["band", "low", "high"]].to_numpy().tolist()
    [['low', 0, 3], ['moderate', 4, 8], ['high', 9, 21]]
    """
    return _read("srss_bands.csv").copy()


def _cell(i: int, j: int, rows: Any, cols: Any) -> str:
    r = f"row {plain(rows[i])!r} (position {i})" if rows is not None else f"row {i}"
    c = f"column {plain(cols[j])!r}" if cols is not None else f"item {j + 1}"
    return f"{r}, {c}"


def srss_total(items: Any) -> Any:
    """SRSS total score: the sum of seven items, each 0-3 (total 0-21).

    Items, in order (Drummond 1994): steal; lie, cheat, sneak; behaviour
    problem; peer rejection; low academic achievement; negative attitude;
    aggressive behaviour. Every item must be a whole number 0-3; a missing
    item is an error (a total with a missing item would understate risk).

    Parameters
    ----------
    items : DataFrame, 2-D array / list of lists, or a 7-item list
        A DataFrame or 2-D array has one row per student and exactly 7
        columns (items in the order above); a flat sequence of 7 numbers
        is one student.

    Returns
    -------
    int, numpy array of int, or pandas Series of int
        One student -> ``int``; a 2-D array -> numpy array; a DataFrame
        -> Series named ``"srss_total"`` with the DataFrame's index.

    References
    ----------
    Drummond, T. (1994). *The Student Risk Screening Scale (SRSS)*.
    Josephine County Mental Health Program, Grants Pass, OR
    (``drummond1994``).

    Examples
    --------
    >>> from mtss_teach.behavior import srss_total
    >>> srss_total([0, 1, 2, 0, 3, 1, 0])
    7
    >>> srss_total([[0, 0, 0, 0, 0, 0, 0], [3, 3, 3, 3, 3, 3, 3]]).tolist()
    [0, 21]
    """
    rows = cols = None
    if isinstance(items, pd.DataFrame):
        kind = "frame"
        rows, cols = items.index, list(items.columns)
        raw = items.to_numpy(dtype=object, na_value=np.nan)
    else:
        if isinstance(items, (str, bytes)):
            raise DataError(f"items: expected 7 item scores per student, got the text {items!r}")
        try:
            raw = np.asarray(items, dtype=object)
        except Exception as exc:  # ragged lists and the like
            raise DataError(f"items: could not read the item scores ({exc})") from None
        if raw.ndim == 1 and raw.size and isinstance(raw[0], (list, tuple, np.ndarray)):
            raise DataError("items: rows have different lengths; every student needs 7 item scores")
        kind = "one" if raw.ndim == 1 else "array"
        if raw.ndim == 1:
            raw = raw.reshape(1, -1)
    if raw.size == 0:
        raise DataError("items: no item scores given (empty input)")
    if raw.ndim != 2:
        raise DataError(f"items: expected a table of 7 item scores per student, got shape {raw.shape}")
    if raw.shape[0] == 0:
        raise DataError("items: no students given (empty input)")
    if raw.shape[1] != SRSS_ITEMS:
        where = "the list" if kind == "one" else "each row"
        raise DataError(
            f"items: the SRSS has {SRSS_ITEMS} items, but {where} has {raw.shape[1]} "
            "(columns: steal; lie/cheat/sneak; behaviour problem; peer rejection; "
            "low academic achievement; negative attitude; aggressive behaviour)"
        )
    if raw.dtype.kind in "mM":  # dates or durations hold numbers internally
        raw = raw.astype(object)
    if raw.dtype == object:
        bad = np.vectorize(_not_a_number, otypes=[bool])(raw)
        if bad.any():
            i, j = map(int, np.argwhere(bad)[0])
            raise DataError(
                f"items: SRSS item at {_cell(i, j, rows, cols)} is {raw[i, j]!r}, not a number"
            )
    try:
        x = raw.astype(float)
    except (TypeError, ValueError, OverflowError):
        for (i, j), v in np.ndenumerate(raw):
            try:
                float(v)
            except (TypeError, ValueError, OverflowError):
                raise DataError(
                    f"items: SRSS item at {_cell(i, j, rows, cols)} is {v!r}, not a number"
                ) from None
        raise DataError("items: item scores are not numbers") from None
    nan = np.isnan(x)
    checks = (
        (nan, "is missing (NaN)"),
        (~nan & ((x < 0) | (x > 3)), "is out of range; items are scored 0-3"),
        (~nan & (x != np.round(x)), "is not a whole number; items are scored 0, 1, 2 or 3"),
    )
    for mask, problem in checks:
        if mask.any():
            i, j = map(int, np.argwhere(mask)[0])
            shown = "" if nan[i, j] else f" ({x[i, j]:g})"
            raise DataError(f"items: SRSS item at {_cell(i, j, rows, cols)}{shown} {problem}")
    totals = x.sum(axis=1).astype(np.int64)
    if kind == "one":
        return int(totals[0])
    if kind == "frame":
        return pd.Series(totals, index=rows, name="srss_total")
    return totals


def srss_risk(total: Any) -> Any:
    """SRSS risk band of a total: "low" (0-3), "moderate" (4-8) or "high" (9-21).

    Parameters
    ----------
    total : scalar, list, numpy array or pandas Series
        SRSS totals, whole numbers 0-21 (see :func:`srss_total`).

    Returns
    -------
    str, numpy array of str or pandas Series (shape of ``total``)

    References
    ----------
    Drummond, T. (1994). *The Student Risk Screening Scale (SRSS)*.
    Josephine County Mental Health Program, Grants Pass, OR
    (``drummond1994``).

    Examples
    --------
    >>> from mtss_teach.behavior import srss_risk
    >>> srss_risk(4)
    'moderate'
    >>> srss_risk([0, 3, 4, 8, 9, 21]).tolist()
    ['low', 'low', 'moderate', 'moderate', 'high', 'high']
    """
    t, shape = as_float_array(total, "total", lo=0, hi=3 * SRSS_ITEMS, integer=True, what="SRSS total")
    lows, labels = _open_bands("srss_bands.csv")
    idx = np.searchsorted(lows, t, side="right") - 1
    return restore(labels[idx], shape)



def _dates(x: Any, name: str) -> np.ndarray:
    """Dates (strings, datetimes, numpy/pandas dates) as datetime64[D]; errors name the row."""
    raw = list(x) if not isinstance(x, (str, bytes)) and np.ndim(x) == 1 else None
    if raw is None:
        raise DataError(f"{name}: expected a list, array or Series of dates")
    out = np.empty(len(raw), dtype="datetime64[D]")
    for i, v in enumerate(raw):
        try:
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
                raise ValueError
            ts = pd.Timestamp(v)
            if ts is pd.NaT:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            where = position(i, _shape_of(x, name))
            raise DataError(f"{name}: value at {where} is {str(v)[:30]!r}, not a date") from None
        out[i] = np.datetime64(ts.date(), "D")
    return out


def _month(d: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(d.astype("datetime64[M]"), unit="M").astype(object)


def school_days_by_month(first_day: Any, last_day: Any, holidays: Any = ()) -> pd.Series:
    """School days in each calendar month: weekdays from first to last day, minus holidays.

    Parameters
    ----------
    first_day, last_day : date or "YYYY-MM-DD"
        First and last day of the school year (inclusive).
    holidays : list of dates, optional
        Weekdays without school.

    Returns
    -------
    pandas.Series
        Index ``month`` ("YYYY-MM"), values: school days (int).

    Examples
    --------
    >>> from mtss_teach.behavior import school_days_by_month
    >>> school_days_by_month("2025-09-01", "2025-10-03", ["2025-09-01"]).to_dict()
    {'2025-09': 21, '2025-10': 3}
    """
    first, last = _dates([first_day], "first_day")[0], _dates([last_day], "last_day")[0]
    if last < first:
        raise DataError(f"last_day: {last} is before first_day {first}")
    hol = _dates(list(holidays), "holidays") if len(list(holidays)) else np.array([], dtype="datetime64[D]")
    days = np.arange(first, last + np.timedelta64(1, "D"))
    school = days[np.is_busday(days, holidays=hol)]
    months = pd.Series(_month(school), dtype=object)
    out = months.value_counts(sort=False).sort_index().astype(np.int64)
    out.index.name = "month"
    out.name = "school_days"
    return out


def odr_per_day_by_month(referral_dates: Any, school_days: Any, enrollment: Any = None) -> pd.DataFrame:
    """Referrals per school day in each month -- the way SWIS reports them.

    SWIS's "average referrals per day per month" divides each month's
    referrals by that month's school days, so a short month (a holiday
    week, a month that starts late) is not mistaken for a calm one, and a
    long one for a bad one. Every month with school days gets a row,
    including months without a referral (0, not a missing row).

    Parameters
    ----------
    referral_dates : array-like of dates
        One date per referral (filter to major referrals first if that is
        what you count).
    school_days : pandas.Series
        School days per month, indexed "YYYY-MM" (as
        :func:`school_days_by_month` returns).
    enrollment : int, optional
        Enrolled students; adds ``per_100_per_day`` (referrals per 100
        students per school day, as :func:`odr_rate`).

    Returns
    -------
    pandas.DataFrame
        One row per month, in order: ``month, referrals, school_days,
        per_day`` (and ``per_100_per_day`` with ``enrollment``).

    Raises
    ------
    DataError
        A referral in a month without school days (named by its row), a
        month with 0 or negative school days, an unreadable date.

    References
    ----------
    School-Wide Information System (SWIS) (n.d.). *SWIS national summary,
    2008-09 school year* (``swis_nd``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.behavior import odr_per_day_by_month
    >>> days = pd.Series({"2025-09": 20, "2025-10": 22, "2025-11": 15})
    >>> odr_per_day_by_month(["2025-09-03", "2025-09-10", "2025-11-05"], days)[["month", "referrals", "per_day"]].values.tolist()
    [['2025-09', 2, 0.1], ['2025-10', 0, 0.0], ['2025-11', 1, 0.06666666666666667]]
    """
    if not isinstance(school_days, pd.Series):
        raise DataError("school_days: expected a pandas Series of school days indexed by month "
                        "('YYYY-MM'), e.g. from school_days_by_month")
    d, _ = as_float_array(school_days, "school_days", lo=0, integer=True, what="number of days")
    months = [str(m) for m in school_days.index]
    if len(set(months)) != len(months):
        raise DataError("school_days: a month appears more than once")
    zero = d == 0
    if zero.any():
        raise DataError(f"school_days: month {months[int(np.flatnonzero(zero)[0])]} has 0 school days; "
                        "leave months without school out")
    dates = _dates(referral_dates, "referral_dates")
    ref_months = _month(dates)
    unknown = ~np.isin(ref_months, np.array(months, dtype=object))
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        where = position(i, _shape_of(referral_dates, "referral_dates"))
        raise DataError(f"referral_dates: the referral at {where} is in {ref_months[i]}, a month "
                        "without school days in school_days")
    counts = pd.Series(ref_months, dtype=object).value_counts()
    out = pd.DataFrame({"month": months, "school_days": d.astype(np.int64)})
    out["referrals"] = out["month"].map(counts).fillna(0).astype(np.int64)
    out = out.sort_values("month", kind="stable").reset_index(drop=True)[["month", "referrals", "school_days"]]
    out["per_day"] = out["referrals"] / out["school_days"]
    if enrollment is not None:
        out["per_100_per_day"] = odr_rate(out["referrals"].to_numpy(), out["school_days"].to_numpy(), enrollment)
    return out


# ---------------------------------------------------------------------------
# Counting referrals (the one place; the charts, explorers and lessons call it)
# ---------------------------------------------------------------------------


_ODR_BY = ("month", "location", "band")


def _check_events(events: Any, columns: list[str]) -> None:
    """A table of referrals with ``columns``; a DataError naming what is missing otherwise."""
    if not isinstance(events, pd.DataFrame):
        raise DataError("events: expected a pandas DataFrame of referrals (one row per ODR)")
    missing = [c for c in columns if c not in events.columns]
    if missing:
        raise DataError(f"events: missing column(s) {', '.join(map(repr, missing))}; have {list(events.columns)}")


def counted_referrals(events: pd.DataFrame, majors_only: bool = True, severity: str = "type") -> pd.DataFrame:
    """The referrals that are counted: the major ones unless ``majors_only`` is False.

    A referral is major when its ``severity`` cell reads "major" (any case,
    spaces around it ignored), as in the cohorts' ``type`` column.

    References
    ----------
    SWIS counts major referrals (``swis_nd``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.behavior import counted_referrals
    >>> ev = pd.DataFrame({"student_id": [1, 2, 3], "type": ["major", " Major ", "minor"]})
    >>> counted_referrals(ev)["student_id"].tolist(), len(counted_referrals(ev, majors_only=False))
    ([1, 2], 3)
    """
    if not majors_only:
        return events
    _check_events(events, [severity])
    return events[events[severity].astype(str).str.strip().str.lower() == "major"]


def referral_dates(
    events: pd.DataFrame,
    *,
    majors_only: bool = True,
    date: str = "date",
    severity: str = "type",
) -> pd.Series:
    """The date of each counted referral, read as :func:`odr_counts` reads them.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per ODR (the cohort's ``behavior`` table).
    majors_only : bool, default True
        Only major referrals (the ``severity`` column equal to "major").
    date, severity : str
        Column names in ``events``. A plain number in ``date`` is an Excel
        serial date when it falls in 1950-2099 (45000 is 2023-03-15), as in
        :func:`mtss_teach.io.read_screening`; any other number, a missing or
        unreadable date raises ``DataError``.

    Returns
    -------
    pandas.Series
        Dates (``datetime64``), indexed like the counted rows of ``events``;
        ready for :func:`odr_per_day_by_month`.

    Raises
    ------
    DataError
        A missing column; a missing or unreadable date, named by its row.

    References
    ----------
    Counting major referrals by date is how SWIS reports them (``swis_nd``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.behavior import referral_dates
    >>> ev = pd.DataFrame({"date": ["2025-09-03", "2025-10-01", 45930], "type": ["major", "minor", "major"]})
    >>> referral_dates(ev).dt.strftime("%Y-%m-%d").tolist()   # the minor one is not counted; 45930 is Excel's
    ['2025-09-03', '2025-09-30']
    """
    _check_events(events, [date] + ([severity] if majors_only else []))
    ev = counted_referrals(events, majors_only, severity)
    vals, miss, why = _parse_dates(ev[date])
    bad = miss | (why != None)  # noqa: E711
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        detail = "missing" if miss[i] else why[i]
        raise DataError(f"events: {date} at row {plain(ev.index[i])!r} is {plain(ev[date].iloc[i])!r}, "
                        f"not a date ({detail})")
    return pd.Series(vals, index=ev.index, name=date)


def odr_counts(
    events: pd.DataFrame,
    by: str = "month",
    *,
    students: Any = None,
    majors_only: bool = True,
    student: str = "student_id",
    date: str = "date",
    location: str = "location",
    severity: str = "type",
) -> pd.DataFrame:
    """Count office discipline referrals by month, location or student band.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per ODR (the cohort's ``behavior`` table).
    by : {"month", "location", "band"}
        ``"band"`` counts *students* per band of :func:`odr_band`
        (0-1 / 2-5 / 6+ majors), which needs ``students`` so students with
        no referral are counted.
    students : DataFrame or array-like, optional
        The roster (a frame with the ``student`` column, or the ids).
    majors_only : bool, default True
        Count only major referrals (the ``severity`` column equal to
        "major", as in the cohorts' ``type`` column); ``False`` counts all.
    student, date, location, severity : str
        Column names in ``events``.
        The ``date`` column holds dates or date text; a plain number is read
        as an Excel serial date (days since 1899-12-30: 45000 is 2023-03-15)
        when it falls in 1950-2099, as in :func:`mtss_teach.io.read_screening`;
        any other number, a missing or unreadable date raises ``DataError``.

    Returns
    -------
    pandas.DataFrame
        ``by="month"``: ``month`` (first day), ``label`` ("Sep 2025"),
        ``odrs``. ``by="location"``: ``location, odrs`` (most first).
        ``by="band"``: ``band, students, share`` (bands in table order).

    References
    ----------
    Counting major referrals by month, location and student is how SWIS
    reports them (``swis_nd``). The student bands are a SWPBIS practice
    convention; McIntosh, Frank & Spaulding (2010) follow students across
    them (``mcintosh2010``).

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.behavior import odr_counts
    >>> ev = pd.DataFrame({"student_id": [1, 1, 2], "date": ["2025-09-03", "2025-10-01", "2025-10-02"],
    ...                    "location": ["Hall", "Class", "Class"], "type": ["major"] * 3})
    >>> odr_counts(ev, "location")
      location  odrs
    0    Class     2
    1     Hall     1
    >>> odr_counts(ev, "band", students=[1, 2, 3])[["band", "students"]].values.tolist()
    [['0-1', 2], ['2-5', 1], ['6+', 0]]
    """
    b = check_choice(by, "by", _ODR_BY)
    _check_events(events, {"month": [date], "location": [location], "band": [student]}[b]
                  + ([severity] if majors_only else []))
    ev = counted_referrals(events, majors_only, severity)
    if b == "month":
        per = referral_dates(events, majors_only=majors_only, date=date, severity=severity).dt.to_period("M")
        counts = per.value_counts().sort_index()
        if len(counts):
            full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
            counts = counts.reindex(full, fill_value=0)
        return pd.DataFrame({
            "month": [p.to_timestamp() for p in counts.index],
            "label": [p.strftime("%b %Y") for p in counts.index],
            "odrs": counts.to_numpy(dtype=np.int64),
        })
    if b == "location":
        loc = ev[location]
        if loc.isna().any():
            i = int(np.flatnonzero(loc.isna().to_numpy())[0])
            raise DataError(f"events: {location} at row {plain(ev.index[i])!r} is missing")
        counts = loc.astype(str).value_counts()
        out = pd.DataFrame({"location": counts.index.astype(object), "odrs": counts.to_numpy(dtype=np.int64)})
        return out.sort_values(["odrs", "location"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if students is None:
        raise DataError("students: the band view needs the roster, so students with no referral are counted")
    ids = students[student] if isinstance(students, pd.DataFrame) else pd.Series(list(students))
    if ids.duplicated().any():
        i = int(np.flatnonzero(ids.duplicated().to_numpy())[0])
        raise DataError(f"students: id {plain(ids.iloc[i])!r} at position {i} appears twice (duplicate id)")
    known = set(ids)
    stray = ~ev[student].isin(known)
    if stray.any():
        i = int(np.flatnonzero(stray.to_numpy())[0])
        raise DataError(
            f"events: {student} {plain(ev[student].iloc[i])!r} at row {plain(ev.index[i])!r} is not in students")
    per_student = ev[student].value_counts().reindex(ids.to_numpy(), fill_value=0)
    bands = odr_band(per_student.to_numpy())
    table = odr_bands()
    counts = pd.Series(bands).value_counts().reindex(table["band"], fill_value=0)
    n = int(len(ids))
    return pd.DataFrame({
        "band": table["band"].astype(object).to_numpy(),
        "tier_pattern": table["tier_pattern"].astype(object).to_numpy(),
        "students": counts.to_numpy(dtype=np.int64),
        "share": counts.to_numpy(dtype=float) / n if n else np.nan,
    })
