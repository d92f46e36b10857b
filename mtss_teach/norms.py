"""Oral reading fluency norms, benchmark goals and typical growth.

Every number comes from a package data table under ``mtss_teach/data/``
that carries ``source``, ``year`` and ``tag`` beside the values:

- ``orf_norms.csv`` -- Hasbrouck & Tindal (2017) compiled ORF norms (WCPM).
- ``acadience_orf.csv`` -- Acadience Reading ORF benchmark goals, grades 1-3.
- ``iris_growth.csv`` -- typical weekly growth (IRIS Center citing Fuchs et
  al. 1993).
- ``fuchs1993_growth.csv`` -- realistic and ambitious weekly growth in words
  read correctly, grades 1-6 (Fuchs et al. 1993, as reproduced by IRIS).

Scores are words correct per minute (WCPM). The library accepts 0-300 WCPM
as a *sanity bound* on input (a data-entry check, not a norm).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ._packagedata import read_table as _read
from ._validate import as_float_array, check_choice, check_grade as _grade, check_number, position, restore
from ._validate import ndim as _ndim
from .errors import DataError
from .formatting import fixed, number

__all__ = [
    "support_tier",
    "status_support",
    "ORF_MAX",
    "SEASONS",
    "SEASON_ALIASES",
    "normalize_season",
    "PERCENTILES",
    "orf_norm_table",
    "orf_norm",
    "orf_percentile",
    "orf_weekly_growth",
    "acadience_goals",
    "benchmark_status",
    "typical_growth",
    "growth_table",
    "ambitious_growth",
    "GoalAmbition",
    "goal_ambition",
]

#: Library sanity bound on a WCPM score (a data-entry check, not a norm).
ORF_MAX = 300.0
#: The three screening seasons, in school-year order.
SEASONS = ("fall", "winter", "spring")
PERCENTILES = (10, 25, 50, 75, 90)
#: Every spelling of a season the library accepts (lower case, trimmed) and the
#: season it means: the three names, "autumn", and the beginning/middle/end-of-year
#: windows (BOY, MOY, EOY) that vendors' exports use. The one season table:
#: :func:`normalize_season` and :func:`mtss_teach.io.read_screening` both read it.
SEASON_ALIASES: dict[str, str] = {
    "fall": "fall", "autumn": "fall", "boy": "fall", "beginning of year": "fall",
    "winter": "winter", "moy": "winter", "middle of year": "winter",
    "spring": "spring", "eoy": "spring", "end of year": "spring",
}


def normalize_season(season: Any) -> str:
    """The season a spelling means: ``"fall"``, ``"winter"`` or ``"spring"``.

    Case and surrounding spaces are ignored; every spelling in
    :data:`SEASON_ALIASES` is accepted.

    Parameters
    ----------
    season : str
        For example ``"Fall"``, ``"autumn"``, ``"BOY"`` or ``"end of year"``.

    Returns
    -------
    str
        One of :data:`SEASONS`.

    Raises
    ------
    DataError
        When ``season`` is not text or not a known spelling.

    Examples
    --------
    >>> from mtss_teach.norms import normalize_season
    >>> normalize_season(" Autumn "), normalize_season("MOY"), normalize_season("end of year")
    ('fall', 'winter', 'spring')
    """
    if isinstance(season, str) and season.strip().lower() in SEASON_ALIASES:
        return SEASON_ALIASES[season.strip().lower()]
    return check_choice(season, "season", SEASONS)



@lru_cache(maxsize=None)
def _points(grade: int, season: str) -> tuple[np.ndarray, np.ndarray]:
    """(wcpm, percentile) arrays for one grade/season, sorted by percentile."""
    t = _read("orf_norms.csv")
    rows = t[(t["grade"] == grade) & (t["season"] == season)].sort_values("percentile")
    w = rows["wcpm"].to_numpy(dtype=float)
    p = rows["percentile"].to_numpy(dtype=float)
    w.setflags(write=False)
    p.setflags(write=False)
    return w, p


def _orf_key(grade: Any, season: Any) -> tuple[int, str]:
    g = _grade(grade, range(1, 7), " (Hasbrouck & Tindal 2017 cover grades 1-6)")
    s = normalize_season(season)
    if g == 1 and s == "fall":
        raise DataError(
            "season: Hasbrouck & Tindal (2017) publish no grade-1 fall ORF norm "
            "(grade 1 starts in winter); use 'winter' or 'spring'"
        )
    return g, s


def orf_norm_table() -> pd.DataFrame:
    """The Hasbrouck & Tindal (2017) ORF norms as a long table.

    Returns
    -------
    pandas.DataFrame
        Columns ``grade, season, percentile, wcpm, source, year, tag``; one
        row per published cell (grade 1 has no fall norm). A fresh copy.

    References
    ----------
    Hasbrouck, J., & Tindal, G. (2017). *An update to compiled ORF norms*
    (Technical Report No. 1702). Behavioral Research and Teaching,
    University of Oregon (``hasbrouck2017``).

    Examples
    --------
    >>> from mtss_teach.norms import orf_norm_table
    >>> t = orf_norm_table()
    >>> len(t), list(t.columns[:4])
    (85, ['grade', 'season', 'percentile', 'wcpm'])
    """
    return _read("orf_norms.csv").copy()


def orf_norm(grade: int, season: str, percentile: int) -> int:
    """Published WCPM at one percentile (Hasbrouck & Tindal 2017).

    Parameters
    ----------
    grade : int
        1-6.
    season : {"fall", "winter", "spring"}
        ("boy", "moy", "eoy" are accepted as aliases.) Grade 1 has no fall
        norm and raises :class:`~mtss_teach.DataError`.
    percentile : {10, 25, 50, 75, 90}

    Returns
    -------
    int
        Words correct per minute.

    References
    ----------
    Hasbrouck, J., & Tindal, G. (2017). *An update to compiled ORF norms*
    (Technical Report No. 1702). Behavioral Research and Teaching,
    University of Oregon (``hasbrouck2017``).

    Examples
    --------
    >>> from mtss_teach.norms import orf_norm
    >>> orf_norm(3, "winter", 50)
    97
    """
    g, s = _orf_key(grade, season)
    pct = check_choice(percentile, "percentile", PERCENTILES)
    w, p = _points(g, s)
    return int(w[int(np.flatnonzero(p == pct)[0])])


def _percentile_raw(scores: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Linear interpolation of percentile on (w, p); -inf / +inf outside.

    A score equal to several tied published points gets the mean of their
    percentiles (the mid-rank convention); between points the line joins
    the neighbouring published points. Deterministic for any
    non-decreasing ``w``.
    """
    k = len(w)
    if np.all(np.diff(w) > 0):
        # fast path (every shipped table): one search, exact at published points
        j = np.searchsorted(w, scores, side="right")  # w[j-1] <= s < w[j]
        jj = np.clip(j, 1, k - 1) - 1
        out = p[jj] + (scores - w[jj]) * np.diff(p)[jj] / np.diff(w)[jj]
        out[j == 0] = -np.inf
        top = j == k
        if top.any():
            out[top] = np.where(scores[top] == w[-1], p[-1], np.inf)
        return out
    lo = np.searchsorted(w, scores, side="left")
    hi = np.searchsorted(w, scores, side="right")
    out = np.empty(scores.shape, dtype=float)
    # exact hits (possibly tied): mean percentile of the tied points
    hit = hi > lo
    if hit.any():
        cs = np.concatenate(([0.0], np.cumsum(p)))
        out[hit] = (cs[hi[hit]] - cs[lo[hit]]) / (hi[hit] - lo[hit])
    below = ~hit & (lo == 0)
    above = ~hit & (lo == len(w))
    inner = ~(hit | below | above)
    if inner.any():
        j = lo[inner]
        w0, w1, p0, p1 = w[j - 1], w[j], p[j - 1], p[j]
        # (s - w0) * (p1 - p0) is exact for whole-number scores, so a score
        # whose percentile is a whole number gets it exactly.
        out[inner] = p0 + (scores[inner] - w0) * (p1 - p0) / (w1 - w0)
    out[below] = -np.inf
    out[above] = np.inf
    return out


def orf_percentile(score: Any, grade: int, season: str, outside: str = "clip") -> Any:
    """Percentile rank of WCPM scores, interpolated between published points.

    Linear interpolation between the neighbouring Hasbrouck & Tindal (2017)
    percentiles (10, 25, 50, 75, 90) of the grade and season. The published
    table cannot say where a score lies below its 10th or above its 90th
    percentile, so the library never extrapolates; ``outside`` chooses what
    to report there.

    Parameters
    ----------
    score : scalar, list, numpy array or pandas Series
        WCPM, 0-300 (0-300 is the library's sanity bound, not a norm).
    grade : int
        1-6.
    season : {"fall", "winter", "spring"}
        Grade 1 has no fall norm: grade 1 + fall raises
        :class:`~mtss_teach.DataError`.
    outside : {"clip", "nan", "raise"}, default "clip"
        ``"clip"``: a score below the 10th-percentile WCPM reports 10.0 and
        one above the 90th reports 90.0 -- read 10.0 as "at or below the
        10th" ("<10") and 90.0 as "at or above the 90th" (">90").
        ``"nan"``: report NaN there. ``"raise"``: raise DataError naming the
        first such position.

    Returns
    -------
    float, numpy array or pandas Series
        Same shape as ``score``.

    Notes
    -----
    Within each grade and season the published WCPM values rise strictly
    (no ties in the 2017 table). Should a table carry equal WCPM at
    adjacent percentiles, a score equal to that value gets the mean of the
    tied percentiles, deterministically.

    References
    ----------
    Hasbrouck, J., & Tindal, G. (2017). *An update to compiled ORF norms*
    (Technical Report No. 1702). Behavioral Research and Teaching,
    University of Oregon (``hasbrouck2017``).

    Examples
    --------
    >>> from mtss_teach.norms import orf_percentile
    >>> orf_percentile(97, 3, "winter")       # exactly the 50th
    50.0
    >>> orf_percentile(88, 3, "winter")       # halfway between 79 (25th) and 97 (50th)
    37.5
    >>> orf_percentile([50, 200], 3, "winter")  # outside the published range: clipped
    array([10., 90.])
    """
    g, s = _orf_key(grade, season)
    mode = check_choice(outside, "outside", ("clip", "nan", "raise"))
    arr, shape = as_float_array(score, "score", lo=0, hi=ORF_MAX, what="WCPM score")
    w, p = _points(g, s)
    out = _percentile_raw(arr, w, p)
    out_lo, out_hi = np.isneginf(out), np.isposinf(out)
    if mode == "raise" and (out_lo.any() or out_hi.any()):
        i = int(np.flatnonzero(out_lo | out_hi)[0])
        side = "below the 10th" if out_lo[i] else "above the 90th"
        raise DataError(
            f"score: WCPM {arr[i]:g} at {position(i, shape)} is {side} percentile of "
            f"grade {g} {s}; the published norms cannot place it (use outside='clip' or 'nan')"
        )
    if mode == "clip":
        out[out_lo] = p[0]
        out[out_hi] = p[-1]
    else:
        out[out_lo | out_hi] = np.nan
    return restore(out, shape)


def orf_weekly_growth(grade: int, percentile: int) -> float:
    """Average weekly improvement (AWI) in WCPM, by the published formula.

    ``AWI = (spring - fall) / 32``; grade 1 has no fall norm and uses
    ``(spring - winter) / 16`` (Hasbrouck & Tindal 2017).

    The value is *computed* from the norm table, not read from the printed
    AWI column, and it is not rounded. Two printed AWI cells disagree with
    the formula: grade 5 at the 10th percentile prints 1.9 where the
    formula gives (102 - 64) / 32 = 1.19, and grade 6 at the 50th prints
    0.3 where it gives (146 - 132) / 32 = 0.44. The library follows the
    formula.

    Parameters
    ----------
    grade : int
        1-6.
    percentile : {10, 25, 50, 75, 90}

    Returns
    -------
    float
        WCPM per week.

    References
    ----------
    Hasbrouck, J., & Tindal, G. (2017). *An update to compiled ORF norms*
    (Technical Report No. 1702). Behavioral Research and Teaching,
    University of Oregon (``hasbrouck2017``).

    Examples
    --------
    >>> from mtss_teach.norms import orf_weekly_growth
    >>> orf_weekly_growth(5, 10)   # (102 - 64) / 32
    1.1875
    >>> orf_weekly_growth(1, 50)   # (60 - 29) / 16
    1.9375
    """
    g = _grade(grade, range(1, 7), " (Hasbrouck & Tindal 2017 cover grades 1-6)")
    check_choice(percentile, "percentile", PERCENTILES)
    spring = orf_norm(g, "spring", percentile)
    if g == 1:
        return (spring - orf_norm(1, "winter", percentile)) / 16
    return (spring - orf_norm(g, "fall", percentile)) / 32


def acadience_goals() -> pd.DataFrame:
    """Acadience Reading ORF benchmark goals, grades 1-3.

    Returns
    -------
    pandas.DataFrame
        Columns ``grade, season, benchmark, cut_for_risk, above, source,
        year, tag``; seasons are fall (BOY), winter (MOY), spring (EOY).
        Grade 1 has no fall ORF goal. Grades 4-6 goals are not shipped
        (unverified); use ``benchmark_status(system="percentile")`` there.

    References
    ----------
    Acadience Learning Inc. (n.d.). *Acadience Reading benchmark goals*
    (Acadience Reading was formerly DIBELS Next) (``acadience_nd``).

    Examples
    --------
    >>> from mtss_teach.norms import acadience_goals
    >>> g = acadience_goals()
    >>> g.loc[(g.grade == 2) & (g.season == "fall"), ["benchmark", "cut_for_risk", "above"]].to_numpy().tolist()
    [[52, 37, 68]]
    """
    return _read("acadience_orf.csv").copy()


@lru_cache(maxsize=None)
def _acadience_cuts(grade: int, season: str) -> tuple[float, float, float]:
    t = _read("acadience_orf.csv")
    row = t[(t["grade"] == grade) & (t["season"] == season)]
    if row.empty:
        raise DataError(
            f"season: Acadience Reading has no grade-{grade} {season} ORF goal "
            "(ORF starts mid-year in grade 1); use 'winter' or 'spring'"
        )
    r = row.iloc[0]
    return float(r["cut_for_risk"]), float(r["benchmark"]), float(r["above"])


_ACA_LABELS = np.array(["well_below", "below", "at", "above"], dtype=object)
_PCT_LABELS = np.array(["well_below", "below", "at"], dtype=object)


def benchmark_status(
    score: Any,
    grade: int,
    season: str,
    system: str = "acadience",
    cuts: tuple[float, float] = (20, 40),
) -> Any:
    """Benchmark status of ORF scores: "above", "at", "below" or "well_below".

    Parameters
    ----------
    score : scalar, list, numpy array or pandas Series
        WCPM, 0-300 (library sanity bound).
    grade : int
    season : {"fall", "winter", "spring"}
    system : {"acadience", "percentile"}, default "acadience"
        ``"acadience"`` (grades 1-3): ``score >= above`` -> "above";
        ``benchmark <= score < above`` -> "at"; ``cut_for_risk <= score <
        benchmark`` -> "below"; ``score < cut_for_risk`` -> "well_below"
        (Acadience Reading goals, :func:`acadience_goals`). Grade 1 fall has
        no goal. Any other grade raises DataError pointing to the
        percentile system, because Acadience goals for grades 4-6 are not
        verified.

        ``"percentile"`` (grades 1-6): the Hasbrouck & Tindal (2017)
        percentile rank of the score, interpolated as in
        :func:`orf_percentile`, is compared with ``cuts``: under
        ``cuts[0]`` -> "well_below", under ``cuts[1]`` -> "below", else
        "at" (no "above" band). Scores outside the published 10th-90th
        range are placed on the correct side of every cut (a score under
        the 10th-percentile WCPM is under any cut >= 10). Grade 1 fall
        has no H&T norm -- there is no fall norm to rank against -- so
        grade 1 + fall raises DataError in this system too.
    cuts : (float, float), default (20, 40)
        Percentile cuts for the percentile system, ``10 <= cuts[0] <
        cuts[1] <= 90`` (the published range). The default follows the
        older DIBELS 6th-edition practice: cut for risk at the 20th,
        benchmark at the 40th percentile. Ignored by ``"acadience"``.

    Returns
    -------
    str, numpy array of str (object) or pandas Series
        Same shape as ``score``.

    References
    ----------
    Acadience Learning Inc. (n.d.). *Acadience Reading benchmark goals*
    (Acadience Reading was formerly DIBELS Next) (``acadience_nd``).

    Hasbrouck, J., & Tindal, G. (2017). *An update to compiled ORF norms*
    (Technical Report No. 1702). Behavioral Research and Teaching,
    University of Oregon (``hasbrouck2017``).

    Examples
    --------
    >>> from mtss_teach.norms import benchmark_status
    >>> benchmark_status([51, 52, 67, 68, 36, 37], 2, "fall").tolist()
    ['below', 'at', 'at', 'above', 'well_below', 'below']
    >>> benchmark_status(88, 3, "winter", system="percentile")  # 37.5th percentile
    'below'
    """
    sysname = check_choice(system, "system", ("acadience", "percentile"))
    if sysname == "acadience":
        g = _grade(
            grade,
            (1, 2, 3),
            " for system='acadience' (Acadience ORF goals are shipped for grades 1-3 only; "
            "use system='percentile' for Hasbrouck & Tindal percentile cuts in grades 1-6)",
        )
        s = normalize_season(season)
        cut, bench, above = _acadience_cuts(g, s)
        arr, shape = as_float_array(score, "score", lo=0, hi=ORF_MAX, what="WCPM score")
        idx = np.searchsorted(np.array([cut, bench, above]), arr, side="right")
        return restore(_ACA_LABELS[idx], shape)

    g, s = _orf_key(grade, season)
    if isinstance(cuts, (str, bytes, dict, set)) or _ndim(cuts) != 1 or len(cuts) != 2:
        raise DataError(f"cuts: expected two percentiles (risk cut, benchmark cut), got {cuts!r}")
    c1 = check_number(cuts[0], "cuts[0]", lo=10, hi=90)
    c2 = check_number(cuts[1], "cuts[1]", lo=10, hi=90)
    if not c1 < c2:
        raise DataError(f"cuts: the first cut ({c1:g}) must be below the second ({c2:g})")
    arr, shape = as_float_array(score, "score", lo=0, hi=ORF_MAX, what="WCPM score")
    w, p = _points(g, s)
    pct = _percentile_raw(arr, w, p)  # -inf / +inf outside the published range
    idx = (pct >= c1).astype(np.intp) + (pct >= c2)
    return restore(_PCT_LABELS[idx], shape)


_GROWTH_MEASURES = ("orf", "wif", "lsf", "maze")


def typical_growth(grade: int, measure: str = "orf") -> float:
    """Typical weekly growth of a CBM measure (IRIS Center, Fuchs et al. 1993).

    Parameters
    ----------
    grade : int
        0 = kindergarten.
    measure : {"orf", "wif", "lsf", "maze"}, default "orf"
        ``"orf"`` passage reading fluency, grades 2-6 (WCPM/week);
        ``"wif"`` word identification fluency, grade 1; ``"lsf"``
        letter-sound fluency, kindergarten (grade 0); ``"maze"`` 0.4
        correct replacements/week in every grade (1-12 accepted). Any
        other grade/measure pair raises :class:`~mtss_teach.DataError`.

    Returns
    -------
    float
        Units per week. Use for a goal as ``baseline + growth * weeks``.
        For the ambitious rate of the same table see
        :func:`ambitious_growth`; :func:`growth_table` shows both.

    References
    ----------
    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L., & Germann, G.
    (1993). Formative evaluation of academic progress: How much growth can
    we expect? *School Psychology Review*, 22(1), 27-48 (``fuchs1993``).

    Examples
    --------
    >>> from mtss_teach.norms import typical_growth
    >>> typical_growth(2)
    1.5
    >>> 40 + typical_growth(4) * 20   # goal after 20 weeks from a baseline of 40 WCPM
    58.0
    """
    m = check_choice(measure, "measure", _GROWTH_MEASURES)
    t = _read("iris_growth.csv")
    rows = t[t["measure"] == m]
    grades = [gr for gr in rows["grade"].astype(str) if gr != "any"]
    if m == "maze":
        _grade(grade, range(1, 13), " (maze growth is given for every school grade, 1-12)")
        return float(rows["weekly_growth"].iloc[0])
    allowed = sorted(int(gr) for gr in grades)
    g = _grade(grade, allowed, f" for measure={m!r} (typical growth is published only there)")
    return float(rows.loc[rows["grade"].astype(str) == str(g), "weekly_growth"].iloc[0])


def status_support() -> pd.DataFrame:
    """What each benchmark status means for support, with its source.

    Acadience's status bands carry a recommended level of support: at or
    above benchmark -- core support; below -- strategic; well below --
    intensive (MTSS reference section 2). Teams commonly read those as
    Tier 1, 2 and 3.

    Returns
    -------
    pandas.DataFrame
        Columns ``status, support, tier, source, year, tag, note``.

    References
    ----------
    Acadience Learning Inc. (n.d.). *Acadience Reading benchmark goals*
    (Acadience Reading was formerly DIBELS Next) (``acadience_nd``).

    Examples
    --------
    >>> from mtss_teach.norms import status_support
    >>> table = status_support()
    >>> dict(zip(table["status"], table["support"]))
    {'above': 'core', 'at': 'core', 'below': 'strategic', 'well_below': 'intensive'}
    """
    return _read("status_support.csv").copy()


@lru_cache(maxsize=1)
def _status_tier_map() -> dict[str, int]:
    t = _read("status_support.csv")
    return dict(zip(t["status"], t["tier"].astype(int)))


def support_tier(status: Any) -> Any:
    """The tier of support a benchmark status calls for (1, 2 or 3).

    The one place where :func:`benchmark_status` results become tiers:
    "above" and "at" -> 1 (core), "below" -> 2 (strategic), "well_below" ->
    3 (intensive), per :func:`status_support`.

    Parameters
    ----------
    status : str or array-like of str
        Values returned by :func:`benchmark_status`.

    Returns
    -------
    int or numpy.ndarray or pandas.Series
        Same shape as ``status``.

    Raises
    ------
    DataError
        An unknown or missing status, naming its position.

    References
    ----------
    Acadience Learning Inc. (n.d.). *Acadience Reading benchmark goals*
    (Acadience Reading was formerly DIBELS Next) (``acadience_nd``).

    Examples
    --------
    >>> from mtss_teach.norms import support_tier
    >>> support_tier("below")
    2
    >>> support_tier(["at", "well_below", "above"]).tolist()
    [1, 3, 1]
    """
    mapping = _status_tier_map()
    if isinstance(status, pd.Series):
        values = status.to_numpy(dtype=object)
        shape_kind = "series"
    elif isinstance(status, str) or np.ndim(status) == 0:
        values = np.asarray([status], dtype=object)
        shape_kind = "scalar"
    else:
        if _ndim(status) != 1:
            raise DataError("status: expected one status per student (1-D)")
        values = np.asarray(list(status), dtype=object)
        shape_kind = "array"
    if values.size == 0:
        raise DataError("status: no values given (empty input)")
    labels = pd.Series(values, dtype=object)
    tiers = labels.map(lambda v: mapping.get(v) if isinstance(v, str) else None)
    bad = tiers.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = f"row {status.index[i]!r}" if shape_kind == "series" else f"position {i}"
        raise DataError(
            f"status: {values[i]!r} at {where} is not a benchmark status; expected one of "
            + ", ".join(repr(k) for k in mapping)
        )
    out = tiers.to_numpy(dtype=np.int64)
    if shape_kind == "scalar":
        return int(out[0])
    if shape_kind == "series":
        return pd.Series(out, index=status.index, name=status.name)
    return out


def growth_table() -> pd.DataFrame:
    """Realistic and ambitious weekly growth in reading aloud, grades 1-6.

    Fuchs, Fuchs, Hamlett, Walz & Germann (1993), as reproduced by the IRIS
    Center and CBM trainings: words read correctly per minute gained per
    week. The "realistic" column is the typical growth of
    :func:`typical_growth` for grades 2-6, except that IRIS rounds grade 4's
    0.85 to 0.9; for grade 1, IRIS gives word identification fluency (1.5)
    rather than the reading-aloud rate (2.0). The ``note`` column says so
    on those rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``measure, grade, realistic, ambitious, unit, source, year,
        tag, note``.

    References
    ----------
    Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L. & Germann, G. (1993).
    Formative evaluation of academic progress: How much growth can we
    expect? *School Psychology Review*, 22(1), 27-48 (``fuchs1993``).

    Examples
    --------
    >>> from mtss_teach.norms import growth_table
    >>> growth_table()[["grade", "realistic", "ambitious"]].to_numpy().tolist()[:3]
    [[1.0, 2.0, 3.0], [2.0, 1.5, 2.0], [3.0, 1.0, 1.5]]
    """
    return _read("fuchs1993_growth.csv").copy()


def ambitious_growth(grade: int) -> float:
    """Ambitious weekly growth in words read correctly (Fuchs et al. 1993).

    The rate for a goal that asks more than typical growth -- the kind of
    goal NCII's data-based individualization asks for students in
    intensive intervention. Grades 1-6; see :func:`growth_table`.

    References
    ----------
    Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L., & Germann, G.
    (1993). Formative evaluation of academic progress: How much growth can
    we expect? *School Psychology Review*, 22(1), 27-48 (``fuchs1993``).

    Examples
    --------
    >>> from mtss_teach.norms import ambitious_growth
    >>> ambitious_growth(3)
    1.5
    >>> 50 + ambitious_growth(4) * 20   # goal after 20 weeks from 50 WCPM
    72.0
    """
    t = _read("fuchs1993_growth.csv")
    g = _grade(grade, sorted(int(x) for x in t["grade"]),
               " (Fuchs et al. 1993 give ambitious reading growth for grades 1-6)")
    return float(t.loc[t["grade"] == g, "ambitious"].iloc[0])


@dataclass(frozen=True)
class GoalAmbition:
    """How a goal's weekly growth compares with the published rates.

    Examples
    --------
    >>> from mtss_teach.norms import goal_ambition
    >>> goal_ambition(1.2, grade=3).label
    'typical to ambitious'
    """

    roi: float
    grade: int
    typical: float
    ambitious: float
    times_typical: float
    label: str
    message: str


def goal_ambition(roi: Any, grade: int) -> GoalAmbition:
    """Is a goal's growth rate below typical, typical, ambitious or beyond?

    Compares the weekly growth a goal asks for (``(goal - baseline) /
    weeks``) with the grade's typical rate (:func:`typical_growth`; grade 1
    uses word identification fluency) and the ambitious rate
    (:func:`ambitious_growth`, Fuchs et al. 1993):

    - ``"below typical"``: ``roi < typical`` -- even a met goal can leave
      the student further behind;
    - ``"typical to ambitious"``: ``typical <= roi <= ambitious``;
    - ``"beyond ambitious"``: ``roi > ambitious`` -- the published table
      gives no evidence that students grow this fast, so a student who
      misses such a goal may be growing well: check the goal before
      calling the student a non-responder.

    Parameters
    ----------
    roi : float
        Weekly growth the goal asks for (same units as the grade's rate).
    grade : int
        1-6.

    Returns
    -------
    GoalAmbition
        ``roi, grade, typical, ambitious, times_typical, label, message``.

    References
    ----------
    Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L., & Germann, G.
    (1993). Formative evaluation of academic progress: How much growth can
    we expect? *School Psychology Review*, 22(1), 27-48 (``fuchs1993``).

    IRIS Center (n.d.). *Progress monitoring: Reading* [Online module].
    Peabody College, Vanderbilt University (``iris_nd``).

    Examples
    --------
    >>> from mtss_teach.norms import goal_ambition
    >>> g = goal_ambition(2.9, grade=3)
    >>> g.label, round(g.times_typical, 1)
    ('beyond ambitious', 2.9)
    """
    r = check_number(roi, "roi")
    t = _read("fuchs1993_growth.csv")
    g = _grade(grade, sorted(int(x) for x in t["grade"]),
               " (Fuchs et al. 1993 give reading growth rates for grades 1-6)")
    typ = typical_growth(1, "wif") if g == 1 else typical_growth(g, "orf")
    amb = ambitious_growth(g)
    if r < typ:
        label = "below typical"
        msg = "asks for less than typical growth: the student could fall further behind even if the goal is met"
    elif r <= amb:
        label = "typical to ambitious"
        msg = "asks for growth within the published typical-to-ambitious range"
    else:
        label = "beyond ambitious"
        msg = ("asks for more than the published ambitious rate: a student who misses it may still be "
               "growing well, so review the goal before calling the student a non-responder")
    message = (f"{number(r)} a week is {fixed(r / typ, 1)} times typical growth ({number(typ)}) "
               f"and {'above' if r > amb else 'at or below'} the ambitious rate ({number(amb)}): it {msg}.")
    return GoalAmbition(roi=r, grade=g, typical=typ, ambitious=amb, times_typical=r / typ,
                        label=label, message=message)
