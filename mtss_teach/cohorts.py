"""Realistic synthetic MTSS cohorts: one table per step of the MTSS cycle.

:func:`make_cohort` draws a school district of synthetic students whose data
behave the way the field's published facts say schools behave, so leaders can
practise decisions on data like their own without any real student's data
entering the project.

How the data are made (every constant, with its provenance, is in
``mtss_teach/data/cohort_params.yml``; tag ``model`` marks our modelling
choices, which are *not* norms):

- **ORF** -- each student has a latent true reading ability per season
  (standard normal, correlated across seasons, with a classroom component).
  The observed screening latent adds measurement error
  (``z_obs = sqrt(rel) z_true + sqrt(1 - rel) e``, ``rel = 0.93``) and is
  mapped through a monotone piecewise-linear map of the Hasbrouck & Tindal
  (2017) percentiles (z of the 10/25/50/75/90th percentile -> WCPM, read
  through :func:`mtss_teach.norms.orf_norm_table`), so the *observed* scores
  match the published percentiles by construction. Grade 1 fall has no
  published norm: a modelled fall (winter^2 / spring per percentile) is used
  and documented as such. True scores (``truth`` table) are the same map of
  ``sqrt(rel) z_true``.
- **Tiers** -- decided by :func:`mtss_teach.norms.benchmark_status` with
  percentile cuts (10, 20): below the 20th percentile -> Tier 2; below the
  10th at this *and* the previous screening -> Tier 3.
- **Progress** -- weekly ORF probes for students in Tier 2/3 in winter:
  ``score = true level + true slope * week + N(0, sem)``; the true slope is
  centred on the IRIS growth norm (:func:`mtss_teach.norms.typical_growth`)
  times the fidelity actually delivered by the student's interventionist.
- **Math, SRSS, ODR, outcomes, fidelity, TFI** -- see
  :func:`make_cohort`.

Only arithmetic (no transcendental functions) touches per-student values,
and every random draw comes from a fixed sub-stream of the seed, so the same
arguments give byte-identical CSV files on any machine.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from . import fidelity as _fidelity
from . import norms as _norms
from ._validate import check_choice, check_number
from .errors import DataError

__all__ = [
    "Cohort",
    "make_cohort",
    "school_days",
    "scenarios",
    "cohort_params",
    "data_dictionary",
    "TABLES",
    "SEASONS",
    "MEASURES",
    "RACE_ETHNICITY",
    "GENERATOR_VERSION",
]

SEASONS = ("fall", "winter", "spring")
MEASURES = ("orf", "math_dcpm", "srss")
#: Every table a cohort can hold, in the order they are written.
TABLES = (
    "students",
    "screening",
    "outcomes",
    "tiers",
    "progress",
    "interventions",
    "fidelity",
    "behavior",
    "tfi",
    "truth",
)
_PCTS = (10, 25, 50, 75, 90)
_FIRST_ID = 100001
_MAX_STUDENTS = 5_000_000
# one independent random sub-stream per component: asking for fewer tables
# never changes the tables that are generated
_STREAMS = {
    "school": 0, "orf": 1, "flags": 2, "math": 3, "srss": 4, "outcomes": 5,
    "tiers": 6, "interventions": 7, "progress": 8, "fidelity": 9,
    "behavior": 10, "tfi": 11, "prior": 12,
}


# --------------------------------------------------------------------------
# package data
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _params() -> dict:
    text = resources.files("mtss_teach").joinpath("data/cohort_params.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def cohort_params() -> dict:
    """The calibration constants of the generator, with their provenance.

    A deep copy of ``mtss_teach/data/cohort_params.yml``: each block carries
    ``source`` and ``tag`` (``S`` read in the named source, ``S2`` secondary,
    ``derived`` computed from a sourced fact, ``model`` a modelling choice of
    ours -- not a norm).

    Examples
    --------
    >>> from mtss_teach.cohorts import cohort_params
    >>> p = cohort_params()
    >>> p["progress"]["sem"]["value"], p["progress"]["sem"]["tag"]
    (10.0, 'S')
    >>> p["orf"]["reliability"]["tag"]
    'model'
    """
    return copy.deepcopy(_params())


GENERATOR_VERSION: str = str(_params()["generator_version"])
RACE_ETHNICITY: tuple[str, ...] = tuple(_params()["demographics"]["race_ethnicity"])
SCENARIOS: tuple[str, ...] = tuple(_params()["scenarios"])


def scenarios() -> pd.DataFrame:
    """The named scenarios a facilitator can choose, with what each shows.

    Examples
    --------
    >>> from mtss_teach.cohorts import scenarios
    >>> scenarios()["scenario"].tolist()
    ['healthy', 'weak_tier1', 'disproportionate', 'low_fidelity']
    """
    sc = _params()["scenarios"]
    return pd.DataFrame({
        "scenario": list(sc),
        "description": [" ".join(str(v["description"]).split()) for v in sc.values()],
    }, copy=False)


@lru_cache(maxsize=None)
def _dictionary() -> pd.DataFrame:
    with resources.files("mtss_teach").joinpath("data/cohort_dictionary.csv").open("r", encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


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


# --------------------------------------------------------------------------
# the Cohort container
# --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)
class Cohort:
    """A synthetic cohort: one tidy DataFrame per step of the MTSS cycle.

    Every table is keyed by ``student_id`` (``fidelity`` and ``tfi`` by
    interventionist and school). Tables not generated are ``None``. See
    ``data_dictionary()`` (or ``datasets/dictionary.csv``) for every column.

    Attributes
    ----------
    students, screening, outcomes, tiers, progress, interventions, fidelity, behavior, tfi, truth : pandas.DataFrame or None
        ``truth`` is the answer key only a simulation has (true ORF scores
        and true weekly growth), for decision-accuracy lessons.
    params : dict
        The resolved arguments and scenario knobs.
    manifest : dict
        Generator name and version, arguments, seed, row counts and the
        number of normal variates drawn.

    Examples
    --------
    >>> from mtss_teach.cohorts import make_cohort
    >>> c = make_cohort(300, seed=7, tables=("students", "screening"))
    >>> sorted(c.tables())
    ['screening', 'students']
    >>> c.screening.shape
    (2700, 6)
    """

    students: pd.DataFrame
    screening: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    tiers: pd.DataFrame | None = None
    progress: pd.DataFrame | None = None
    interventions: pd.DataFrame | None = None
    fidelity: pd.DataFrame | None = None
    behavior: pd.DataFrame | None = None
    tfi: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The generated tables by name, in :data:`TABLES` order.

        Examples
        --------
        >>> from mtss_teach.cohorts import make_cohort
        >>> list(make_cohort(120, seed=1).tables())[:3]
        ['students', 'screening', 'outcomes']
        """
        return {t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write one ``<table>.csv`` per table into ``folder`` (created if needed).

        The files are deterministic: fixed column order, rows sorted by key,
        whole-number scores, floats with two decimals, ISO dates, ``\\n`` line
        endings, no timestamps.

        Returns
        -------
        list of pathlib.Path
            The files written, in :data:`TABLES` order.

        Examples
        --------
        >>> import tempfile
        >>> from mtss_teach.cohorts import make_cohort
        >>> c = make_cohort(60, seed=1, tables=("students",))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     [p.name for p in c.to_csv(d)]
        ['students.csv']
        """
        out = _folder(folder)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(f"folder: cannot create {str(out)!r} ({exc})") from None
        paths = []
        for name, df in self.tables().items():
            p = out / f"{name}.csv"
            _write_csv(df, p)
            paths.append(p)
        return paths

    @classmethod
    def from_csv(cls, folder: str | Path, params: dict | None = None, manifest: dict | None = None) -> "Cohort":
        """Read a folder written by :meth:`to_csv` back into a Cohort.

        Tables without a file are ``None``; ``students.csv`` is required.
        Columns get the dtypes of the data dictionary, so a written and
        re-read cohort equals the generated one.

        Examples
        --------
        >>> import tempfile
        >>> from mtss_teach.cohorts import Cohort, make_cohort
        >>> c = make_cohort(60, seed=1, tables=("students", "screening"))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = c.to_csv(d)
        ...     back = Cohort.from_csv(d)
        >>> back.screening.equals(c.screening)
        True
        """
        folder = _folder(folder)
        if not (folder / "students.csv").is_file():
            raise DataError(f"folder: {str(folder)!r} has no students.csv (not a cohort folder)")
        tables = {t: read_table_csv(t, folder / f"{t}.csv") for t in TABLES if (folder / f"{t}.csv").is_file()}
        return cls(**tables, params=dict(params or {}), manifest=dict(manifest or {}))

    def __repr__(self) -> str:
        parts = [f"{k}={len(v):,}" for k, v in self.tables().items()]
        sc = self.params.get("scenario", "?")
        return f"Cohort(scenario={sc!r}, " + ", ".join(parts) + ")"


# --------------------------------------------------------------------------
# helpers: random streams, quantile maps, calendar
# --------------------------------------------------------------------------

class _Draws:
    """Named random sub-streams of one seed; counts the variates drawn."""

    def __init__(self, seed: int):
        self.seed = seed
        self.normals = 0

    def stream(self, name: str) -> "_Stream":
        ss = np.random.SeedSequence(self.seed, spawn_key=(_STREAMS[name],))
        return _Stream(np.random.Generator(np.random.PCG64(ss)), self)


class _Stream:
    def __init__(self, rng: np.random.Generator, owner: _Draws):
        self.rng = rng
        self.owner = owner

    def normal(self, size: Any) -> np.ndarray:
        out = self.rng.standard_normal(size)
        self.owner.normals += out.size
        return out

    def random(self, size: Any) -> np.ndarray:
        return self.rng.random(size)


def _chol3(r01: float, r02: float, r12: float) -> list[list[float]]:
    """Cholesky factor of a 3x3 correlation matrix in plain floats (portable)."""
    l00 = 1.0
    l10 = r01
    l11 = math.sqrt(1.0 - l10 * l10)
    l20 = r02
    l21 = (r12 - l20 * l10) / l11
    arg = 1.0 - l20 * l20 - l21 * l21
    if arg <= 0:
        raise DataError("season correlations do not form a valid correlation matrix")
    return [[l00, 0.0, 0.0], [l10, l11, 0.0], [l20, l21, math.sqrt(arg)]]


def _correlated3(N: np.ndarray, L: list[list[float]]) -> list[np.ndarray]:
    """Three correlated standard-normal rows from three independent rows."""
    a = L[0][0] * N[0]
    b = L[1][0] * N[0] + L[1][1] * N[1]
    c = L[2][0] * N[0] + L[2][1] * N[1] + L[2][2] * N[2]
    return [a, b, c]


def _ndtri_lazy(p: Any) -> Any:
    """The standard normal quantile (scipy.special.ndtri), imported on first use.

    scipy is imported here rather than with the module: an app that only
    loads a shipped dataset never needs it (about 0.2 s of a Voila kernel's
    start-up).
    """
    from scipy.special import ndtri

    return ndtri(p)


@lru_cache(maxsize=None)
def _z_knots() -> np.ndarray:
    """z of the norm percentiles ``_PCTS`` (read-only)."""
    z = _ndtri_lazy(np.array(_PCTS) / 100.0)
    z.setflags(write=False)
    return z


def _qmap_tables(knots: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment tables of the monotone map z -> score through ``knots`` (rows x 5).

    Segment j = searchsorted(_z_knots(), z, 'right') (0 = below the 10th percentile,
    5 = above the 90th); value = anchor_value + slope * (z - anchor_z).
    """
    knots = np.asarray(knots, dtype=float)
    Z = _z_knots()
    inner = np.diff(knots, axis=1) / np.diff(Z)
    slope = np.column_stack([inner[:, 0] * lower, inner, inner[:, -1] * upper])
    anchor_v = np.column_stack([knots[:, 0], knots])
    anchor_z = np.concatenate([[Z[0]], Z])
    return anchor_v, slope, anchor_z


class _Bucketizer:
    """Fast exact ``searchsorted(thresholds, x, side="right")`` for many x.

    x is put in one of ``nb`` equal buckets over ``[lo, hi)`` by the monotone
    map ``int((x - lo) * scale)``; every threshold in a lower bucket is below
    x, every threshold in a higher bucket above it, and the (at most one)
    threshold in x's own bucket is compared directly. Same answer as
    searchsorted, bit for bit, at a fraction of the time for 1e6 values.
    """

    def __init__(self, thresholds: np.ndarray, lo: float, hi: float, nb: int = 1 << 14):
        thr = np.asarray(thresholds, dtype=float)
        if np.any(np.diff(thr) < 0):
            raise ValueError("thresholds must be sorted")
        self.lo, self.scale, self.nb = float(lo), nb / (float(hi) - float(lo)), nb
        tb = self._bucket(thr)
        if np.any(np.diff(tb) == 0):
            raise ValueError("two thresholds share a bucket; use more buckets")
        self.below = np.searchsorted(tb, np.arange(nb), side="left").astype(np.int64)
        inb = np.full(nb, np.inf)
        inb[tb] = thr
        self.inb = inb

    def _bucket(self, x: np.ndarray) -> np.ndarray:
        b = ((x - self.lo) * self.scale).astype(np.int64) if np.ndim(x) else int((x - self.lo) * self.scale)
        return np.clip(b, 0, self.nb - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            b = self._bucket(x)
        return self.below.take(b) + (x >= self.inb.take(b))


@lru_cache(maxsize=None)
def _segmenter() -> _Bucketizer:
    return _Bucketizer(_z_knots(), -8.0, 8.0)


def _qmap(z: np.ndarray, row: np.ndarray, tables: tuple, hi: float) -> np.ndarray:
    anchor_v, slope, anchor_z = tables
    seg = _segmenter()(z)
    idx = row * anchor_v.shape[1] + seg
    v = anchor_v.ravel().take(idx) + slope.ravel().take(idx) * (z - anchor_z.take(seg))
    return np.clip(v, 0.0, hi)


def _thresholds(pmf: Sequence[float]) -> np.ndarray:
    """z thresholds so that searchsorted(thr, z, 'right') has distribution ``pmf``."""
    p = np.asarray(pmf, dtype=float)
    c = np.cumsum(p / p.sum())[:-1]
    return _ndtri_lazy(np.clip(c, 0.0, 1.0))


def _nb_thresholds(mean: float, k: float, max_count: int) -> np.ndarray:
    from scipy import stats  # here, not at the top: importing scipy.stats costs ~0.5 s per app kernel

    pmf = stats.nbinom.pmf(np.arange(max_count), k, k / (k + mean))
    pmf = np.append(pmf, max(0.0, 1.0 - pmf.sum()))
    return _thresholds(pmf)


def _cat(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), categories=list(categories))


def _pick(u: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """Index of the category of each uniform draw ``u`` for the given shares."""
    c = np.cumsum(np.asarray(shares, dtype=float))
    c = c / c[-1]
    if np.size(u) > 10_000 and np.all(np.diff(c) > 1e-3):
        return np.minimum(_Bucketizer(c[:-1], 0.0, 1.0)(u), len(c) - 1)
    return np.minimum(np.searchsorted(c[:-1], u, side="right"), len(c) - 1)


def _day(s: str) -> np.datetime64:
    return np.datetime64(s, "D")


@lru_cache(maxsize=None)
def _calendar() -> dict:
    cal = _params()["calendar"]
    first, last = _day(cal["first_day"]), _day(cal["last_day"])
    days = np.arange(first, last + 1)
    wk = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday (1970-01-05 was a Monday)
    hol = np.array([_day(h) for h in cal["holidays"]])
    school = days[(wk < 5) & ~np.isin(days, hol)]
    out = {
        "first": first,
        "last": last,
        "school_days": school,
        "screening": np.array([_day(cal["screening_date"][s]) for s in SEASONS]),
        "decision": np.array([_day(cal["decision_date"][s]) for s in SEASONS]),
        "progress_start": _day(cal["progress_start"]),
    }
    start = out["progress_start"]
    weekday = (start.astype("int64") - 4) % 7
    probe_days = school[((school.view("int64") - 4) % 7 == weekday) & (school >= start)]
    out["probe_days"] = probe_days
    return out


def _school_days_between(a: np.datetime64, b: np.datetime64) -> int:
    sd = _calendar()["school_days"]
    return int(((sd >= a) & (sd <= b)).sum())


def _next_school_day(d: np.datetime64) -> np.datetime64:
    sd = _calendar()["school_days"]
    return sd[np.searchsorted(sd, d)]


def _to_s(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]")


@lru_cache(maxsize=None)
def _orf_knots() -> np.ndarray:
    """knots[grade-1, season, percentile] in WCPM (H&T 2017; grade 1 fall modelled)."""
    t = _norms.orf_norm_table()
    k = np.full((6, 3, 5), np.nan)
    gi = t["grade"].to_numpy(dtype=int) - 1
    si = t["season"].map({s: i for i, s in enumerate(SEASONS)}).to_numpy(dtype=int)
    pi = t["percentile"].map({p: i for i, p in enumerate(_PCTS)}).to_numpy(dtype=int)
    k[gi, si, pi] = t["wcpm"].to_numpy(dtype=float)
    g1 = _params()["orf"]["grade1_fall"]["wcpm"]
    k[0, 0, :] = [float(g1[p]) for p in _PCTS]
    if np.isnan(k).any():
        raise DataError("orf_norms.csv does not cover every grade 1-6 and season")
    return k


@lru_cache(maxsize=None)
def _math_knots() -> np.ndarray:
    m = _params()["math_dcpm"]
    winter = np.array([[float(m["winter_quantiles"][g][p]) for p in _PCTS] for g in range(1, 7)])
    f = [m["fall_factor"], 1.0, m["spring_factor"]]
    return np.stack([winter * f[s] for s in range(3)], axis=1)  # (6, 3, 5)


# --------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------

def _knob_defaults() -> dict:
    return copy.deepcopy(_params()["knobs"])


def _ndim(v: Any) -> int:
    """np.ndim, but a ragged list (``[1, [2, 3]]``) counts as 1-D: its elements are then checked one by one."""
    try:
        return int(np.ndim(v))
    except ValueError:
        return 1


def _check_probs(v: Any, name: str) -> list[float]:
    if isinstance(v, (str, bytes)) or _ndim(v) != 1 or len(v) != 3:
        raise DataError(f"{name}: expected three probabilities for scores 0, 1, 2, got {v!r}")
    p = [check_number(x, f"{name}[{i}]", lo=0, hi=1) for i, x in enumerate(v)]
    if abs(sum(p) - 1.0) > 1e-9:
        raise DataError(f"{name}: the three probabilities must sum to 1, they sum to {sum(p):g}")
    return p


def _resolve_knobs(scenario: str, sem: Any, overrides: Mapping[str, Any], grades: tuple[int, ...]) -> dict:
    knobs = _knob_defaults()
    knobs.update(copy.deepcopy(_params()["scenarios"][scenario]["knobs"] or {}))
    valid = sorted(k for k in knobs if k != "sem")
    unknown = [k for k in overrides if k not in valid]
    if unknown:
        raise DataError(
            f"make_cohort: unknown argument(s) {unknown}; scenario knobs you can override are {valid}"
        )
    knobs.update(overrides)
    knobs["sem"] = check_number(sem, "sem", lo=0, hi=100)
    n_probe = len(_calendar()["probe_days"])
    knobs["progress_weeks"] = check_number(knobs["progress_weeks"], "progress_weeks", lo=1, hi=n_probe, integer=True)
    wg = knobs["weak_grade"]
    if wg is not None:
        if isinstance(wg, (bool, np.bool_)) or wg not in grades:
            raise DataError(
                f"weak_grade: {wg!r} is not one of the cohort's grades {list(grades)} "
                "(pass weak_grade= one of them)"
            )
        knobs["weak_grade"] = int(wg)
    ws = knobs["weak_shift"]
    if isinstance(ws, Mapping):
        extra = [k for k in ws if k not in SEASONS]
        if extra:
            raise DataError(f"weak_shift: unknown season(s) {extra}; use {list(SEASONS)}")
        knobs["weak_shift"] = {s: check_number(ws.get(s, 0.0), f"weak_shift[{s!r}]", lo=-3, hi=3) for s in SEASONS}
    else:
        v = check_number(ws, "weak_shift", lo=-3, hi=3)
        knobs["weak_shift"] = {s: v for s in SEASONS}
    fg = knobs["focus_group"]
    if fg is not None:
        if not isinstance(fg, str) or fg not in RACE_ETHNICITY:
            raise DataError(f"focus_group: {fg!r} is not one of {list(RACE_ETHNICITY)}")
    knobs["tier3_bias"] = check_number(knobs["tier3_bias"], "tier3_bias", lo=0, hi=1)
    if knobs["focus_tier2_percentile"] is not None:
        knobs["focus_tier2_percentile"] = check_number(knobs["focus_tier2_percentile"], "focus_tier2_percentile",
                                                       lo=11, hi=90)
    knobs["odr_shift"] = check_number(knobs["odr_shift"], "odr_shift", lo=-3, hi=3)
    knobs["suspension_multiplier"] = check_number(knobs["suspension_multiplier"], "suspension_multiplier", lo=0, hi=9)
    for k in ("adherence_mean", "dosage_mean"):
        knobs[k] = check_number(knobs[k], k, lo=0, hi=1)
    for k in ("adherence_sd", "dosage_sd"):
        knobs[k] = check_number(knobs[k], k, lo=0, hi=0.5)
    for k in ("tfi_tier1", "tfi_tier2", "tfi_tier3"):
        knobs[k] = _check_probs(knobs[k], k)
    knobs["proficient_share"] = check_number(knobs["proficient_share"], "proficient_share", lo=0.01, hi=0.99)
    return knobs


def _check_grades(grades: Any) -> tuple[int, ...]:
    if isinstance(grades, (str, bytes)) or _ndim(grades) > 1:
        raise DataError(f"grades: expected a list of grades 1-6, got {grades!r}")
    vals = [grades] if _ndim(grades) == 0 else list(grades)
    if not vals:
        raise DataError("grades: no grades given (empty input)")
    out = []
    for i, g in enumerate(vals):
        if isinstance(g, (bool, np.bool_)):
            raise DataError(f"grades: value at position {i} is {g!r}; expected a grade 1-6")
        v = check_number(g, f"grades[{i}]", lo=1, hi=6, integer=True)
        if v in out:
            raise DataError(f"grades: grade {v} is listed twice (position {i})")
        out.append(v)
    return tuple(sorted(out))


def _check_tables(tables: Any) -> tuple[str, ...]:
    if tables is None:
        return TABLES
    if isinstance(tables, str):
        vals = [tables]
    elif isinstance(tables, Mapping) or not np.iterable(tables):
        raise DataError(f"tables: expected a list of table names from {list(TABLES)}, got {tables!r}")
    else:
        vals = list(tables)
    out = {"students"}
    for i, t in enumerate(vals):
        out.add(check_choice(t, f"tables[{i}]", TABLES))
    return tuple(t for t in TABLES if t in out)


def _letters(k: int) -> str:
    s = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        s = chr(65 + r) + s
    return s


# --------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------

def make_cohort(
    n_students: int,
    seed: int,
    grades: Sequence[int] = (1, 2, 3, 4, 5, 6),
    n_schools: int | None = None,
    scenario: str = "healthy",
    sem: float = 10.0,
    *,
    tables: Sequence[str] | None = None,
    **overrides: Any,
) -> Cohort:
    """Generate a realistic synthetic cohort of students.

    Parameters
    ----------
    n_students : int
        Number of students, 1 to 5,000,000.
    seed : int
        Random seed (>= 0). The same arguments and seed give byte-identical
        CSV files (:meth:`Cohort.to_csv`) on any machine.
    grades : sequence of int
        Grades to include (1-6); students are split evenly over grades.
    n_schools : int, optional
        Default ``max(1, round(n_students / 500))`` (elementary schools of
        about 500). Students are split evenly over schools.
    scenario : {"healthy", "weak_tier1", "disproportionate", "low_fidelity"}
        - ``"healthy"`` -- scores follow the national norms, about 80/14/6%
          in Tiers 1/2/3, interventions delivered with good fidelity, the
          80/15/5 ODR pattern, TFI about 80%.
        - ``"weak_tier1"`` -- in one grade (``weak_grade``, default 3) core
          instruction is weak: the grade falls further behind each season
          (latent shift -0.9/-1.2/-1.4 SD); most of the grade is below
          benchmark and most classes have more than half their students in
          the math frustrational range (classwide problems); Tier 1 TFI low.
        - ``"disproportionate"`` -- scores and behaviour are generated as for
          everyone, but the school's *decisions* are biased against one
          group (``focus_group``, default "Hispanic/Latino"): focus-group
          students are identified below the 30th instead of the 20th
          percentile (``focus_tier2_percentile``), one so identified is put
          in Tier 3 instead of Tier 2 with probability 0.6 (``tier3_bias``),
          is referred more (ODR latent +0.5 SD) and a major
          referral ends in out-of-school suspension 3 times as often.
        - ``"low_fidelity"`` -- interventionists follow about 58% of the
          session checklist and deliver about 65% of planned sessions, so
          Tier 2/3 students grow at about half the growth norm; Tier 2/3 TFI
          items low.
    sem : float
        Probe-to-probe measurement error (SD, WCPM) of weekly progress
        probes; default 10, the median CBM-R SEM (Christ & Silberglitt 2007).
    tables : sequence of str, optional
        Generate only these tables (``students`` always comes along), e.g.
        ``("students", "screening")`` for a fast district-scale cohort.
        Tables generated are identical whichever others are asked for.
    **overrides
        Scenario knobs: ``progress_weeks`` (20), ``weak_grade``,
        ``weak_shift`` (number or {season: shift in latent SD}),
        ``focus_group`` (one of the seven IDEA groups),
        ``focus_tier2_percentile``, ``tier3_bias``,
        ``odr_shift``, ``suspension_multiplier``, ``adherence_mean``,
        ``adherence_sd``, ``dosage_mean``, ``dosage_sd``, ``tfi_tier1`` /
        ``tfi_tier2`` / ``tfi_tier3`` (probabilities of scores 0/1/2),
        ``proficient_share``.

    Returns
    -------
    Cohort
        Tables (see :func:`data_dictionary` for every column):

        - ``students`` -- student_id, school, grade, classroom,
          race_ethnicity (the seven IDEA groups, drawn independently of all
          scores), sex, english_learner, disability, free_reduced_lunch
          (shares in ``cohort_params.yml``: roughly US-like modelling
          choices, not norms; EL, disability and FRL are more common among
          weaker readers).
        - ``screening`` -- long: student_id, grade, season, measure
          ("orf", "math_dcpm", "srss"), score, date. ORF is calibrated to
          Hasbrouck & Tindal (2017); observed fall-winter-spring
          correlations about 0.88/0.88/0.84. Math digits correct per minute
          use modelled quantiles placing most students of grades 2-5 in the
          Burns et al. (2006) instructional range. SRSS totals are modelled
          to give about 80/15/5% low/moderate/high.
        - ``outcomes`` -- end-of-year state test (invented scale, cut 300):
          student_id, subject, scale_score, proficient; fall ORF predicts
          reading proficiency with an AUC of about 0.8.
        - ``tiers`` -- student_id, season, tier, entry_date, exit_date.
        - ``progress`` -- weekly ORF probes (``progress_weeks`` of them,
          from the winter decision) for students in Tier 2/3 in winter.
        - ``interventions`` -- one row per student and intervention period:
          group, interventionist, planned/delivered sessions and minutes.
        - ``fidelity`` -- observation checklists (shape of
          :func:`mtss_teach.fidelity.checklist_fidelity`'s input): one
          observation per interventionist and period, six steps each.
        - ``behavior`` -- office discipline referrals: student_id, date,
          month, location, type (major/minor), problem, action. Majors per
          student follow the 0-1/2-5/6+ bands about 80/15/5%.
        - ``tfi`` -- one TFI v2.1 item sheet per school (school, item, tier,
          score 0/1/2).
        - ``truth`` -- the answer key: true ORF per season and true weekly
          growth of monitored students.

    Raises
    ------
    DataError
        Any bad argument (the message names it), an unknown scenario (the
        message lists the valid names) or an unknown override.

    Notes
    -----
    Vectorised throughout (no loop over students). One million students
    with ``tables=("students", "screening")`` take about 3x the time numpy
    needs to draw the same number of normal variates (18 per student) and
    about 550 MB at peak (``benchmarks/bench_cohorts.py``). Byte-identical
    output holds for the same NumPy release series; NumPy does not promise
    identical random streams across releases (NEP 19).

    Examples
    --------
    >>> from mtss_teach.cohorts import make_cohort
    >>> c = make_cohort(600, seed=1)
    >>> c
    Cohort(scenario='healthy', students=600, screening=5,400, outcomes=1,200, tiers=1,800, progress=2,060, interventions=308, fidelity=72, behavior=1,460, tfi=45, truth=600)
    >>> c.screening.head(3)
       student_id  grade season    measure  score       date
    0      100001      1   fall        orf     23 2025-09-08
    1      100001      1   fall  math_dcpm      9 2025-09-08
    2      100001      1   fall       srss      0 2025-09-08
    >>> make_cohort(10, seed=1, scenario="utopia")
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: scenario: 'utopia' is not one of 'healthy', 'weak_tier1', 'disproportionate', 'low_fidelity'
    """
    n = check_number(n_students, "n_students", lo=1, hi=_MAX_STUDENTS, integer=True)
    seed = check_number(seed, "seed", lo=0, hi=2**53, integer=True)
    grades = _check_grades(grades)
    if n_schools is None:
        n_schools = max(1, int(round(n / _params()["demographics"]["students_per_school"])))
    n_schools = check_number(n_schools, "n_schools", lo=1, hi=n, integer=True)
    scenario = check_choice(scenario, "scenario", SCENARIOS)
    want = _check_tables(tables)
    knobs = _resolve_knobs(scenario, sem, overrides, grades)
    gen = _Generator(n, seed, grades, n_schools, scenario, knobs, want)
    out = gen.run()
    args = {
        "n_students": n, "seed": seed, "grades": list(grades), "n_schools": n_schools,
        "scenario": scenario, "sem": knobs["sem"],
        "overrides": {k: overrides[k] for k in sorted(overrides)},
        "tables": list(want),
    }
    params = {**args, "knobs": knobs}
    manifest = {
        "generator": "mtss_teach.cohorts.make_cohort",
        "generator_version": GENERATOR_VERSION,
        "arguments": args,
        "rows": {k: int(len(v)) for k, v in out.items()},
        "normal_draws": int(gen.draws.normals),
    }
    return Cohort(**out, params=params, manifest=manifest)


class _Generator:
    """One run of make_cohort; state shared between the table builders."""

    def __init__(self, n, seed, grades, n_schools, scenario, knobs, want):
        self.n, self.seed, self.grades, self.n_schools = n, seed, grades, n_schools
        self.scenario, self.k, self.want = scenario, knobs, set(want)
        self.P = _params()
        self.draws = _Draws(seed)
        self.cal = _calendar()

    # which internal pieces each table needs
    def _need(self, *names: str) -> bool:
        deps = {
            "tiers": {"tiers", "interventions", "progress", "fidelity", "truth"},
            "interventions": {"interventions", "progress", "fidelity", "truth"},
            "progress": {"progress", "truth"},
        }
        return any(self.want & deps.get(nm, {nm}) for nm in names)

    def run(self) -> dict[str, pd.DataFrame]:
        self._structure()
        self._reading()
        self._flags()
        tables: dict[str, pd.DataFrame] = {}
        if self.want & {"screening", "outcomes"}:
            self._math()
        if self.want & {"screening", "behavior"}:
            self._srss()
        tables["students"] = self._students_table()
        if "screening" in self.want:
            tables["screening"] = self._screening_table()
        if "outcomes" in self.want:
            tables["outcomes"] = self._outcomes_table()
        if self._need("tiers"):
            self._tiers()
            if "tiers" in self.want:
                tables["tiers"] = self._tiers_table()
        if self._need("interventions"):
            self._staff()
            self._interventions()
            if "interventions" in self.want:
                tables["interventions"] = self._interventions_table()
        if self._need("progress"):
            self._progress()
            if "progress" in self.want:
                tables["progress"] = self._progress_table()
        if "fidelity" in self.want:
            tables["fidelity"] = self._fidelity_table()
        if "behavior" in self.want:
            tables["behavior"] = self._behavior_table()
        if "tfi" in self.want:
            tables["tfi"] = self._tfi_table()
        if "truth" in self.want:
            tables["truth"] = self._truth_table()
        return {t: _conform(t, tables[t]) for t in TABLES if t in tables}

    # ---- schools, grades, classrooms ------------------------------------
    def _structure(self) -> None:
        n, G, S = self.n, len(self.grades), self.n_schools
        idx = np.arange(n)
        school = (idx * S) // n
        size = np.bincount(school, minlength=S)
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        pos = idx - start[school]
        gi = (pos * G) // size[school]                       # even split over grades
        grade = np.asarray(self.grades)[gi]
        key = school * G + gi                                 # sorted by construction
        new = np.concatenate([[True], key[1:] != key[:-1]])
        grp = np.cumsum(new) - 1
        gstart = np.flatnonzero(new)
        gsize = np.diff(np.append(gstart, n))
        rank = idx - gstart[grp]
        csize = self.P["demographics"]["class_size"]
        ncls = -(-gsize // csize)
        coff = np.concatenate([[0], np.cumsum(ncls)[:-1]])
        cls = coff[grp] + rank % ncls[grp]
        w = max(2, len(str(S)))
        self.school_num = [f"{s + 1:0{w}d}" for s in range(S)]
        letters = [_letters(k) for k in range(int(ncls.max()))]
        labels = [
            f"{self.school_num[s]}-{gr}{letters[k]}"
            for s, gr, k0 in zip(school[gstart].tolist(), grade[gstart].tolist(), ncls.tolist())
            for k in range(k0)
        ]
        self.cls = cls                                        # class index (generation order)
        if ncls.max() <= 26:                                  # one letter: already sorted
            self.class_labels, self.cls_code = labels, cls
        else:
            order = np.argsort(np.array(labels, dtype=object), kind="stable")
            remap = np.empty_like(order)
            remap[order] = np.arange(len(order))
            self.class_labels = [labels[i] for i in order]
            self.cls_code = remap[cls]                        # code into sorted labels
        self.n_classes = len(labels)
        self.school, self.grade, self.school_size = school, grade, size
        self.ids = _FIRST_ID + idx
        rs = self.draws.stream("school")
        self.race = _pick(rs.random(n), list(self.P["demographics"]["race_ethnicity"].values()))
        self.female = rs.random(n) < self.P["demographics"]["female_share"]
        wg = self.k["weak_grade"]
        self.weak = (grade == wg) if wg is not None else np.zeros(n, dtype=bool)
        fg = self.k["focus_group"]
        self.focus = (self.race == RACE_ETHNICITY.index(fg)) if fg is not None else np.zeros(n, dtype=bool)

    def _shift(self, s: int) -> Any:
        v = self.k["weak_shift"][SEASONS[s]]
        return self.weak * v if (v and self.weak.any()) else 0.0

    # ---- reading --------------------------------------------------------
    def _reading(self) -> None:
        o = self.P["orf"]
        tc = o["true_correlation"]
        icc = o["classroom_icc"]["value"]
        rel = o["reliability"]["value"]
        adj = lambda r: (r - icc) / (1.0 - icc)  # noqa: E731  (individual part)
        self.r_ind = (adj(tc["fall_winter"]), adj(tc["fall_spring"]), adj(tc["winter_spring"]))
        L = _chol3(*self.r_ind)
        st = self.draws.stream("orf")
        ceff = st.normal(self.n_classes)[self.cls]
        ind = _correlated3(st.normal((3, self.n)), L)
        a, b = math.sqrt(1.0 - icc), math.sqrt(icc)
        self.ind = ind
        self.z_true = [a * ind[s] + b * ceff for s in range(3)]  # unshifted, N(0, 1)
        E = st.normal((3, self.n))
        sr, se = math.sqrt(rel), math.sqrt(1.0 - rel)
        self.z_obs = [sr * self.z_true[s] + se * E[s] + self._shift(s) for s in range(3)]
        tabs = [_qmap_tables(_orf_knots()[:, s, :], o["lower_tail_slope"]["value"], o["upper_tail_slope"]["value"])
                for s in range(3)]
        self.orf_tabs = tabs
        gi = self.grade - 1
        hi = float(o["max_wcpm"]["value"])
        self.orf = [np.rint(_qmap(self.z_obs[s], gi, tabs[s], hi)).astype(np.int64) for s in range(3)]
        self.rel = rel

    def _true_orf(self, s: int) -> np.ndarray:
        hi = float(self.P["orf"]["max_wcpm"]["value"])
        z = math.sqrt(self.rel) * self.z_true[s] + self._shift(s)
        return np.round(_qmap(z, self.grade - 1, self.orf_tabs[s], hi), 2)

    def _flags(self) -> None:
        d = self.P["demographics"]
        st = self.draws.stream("flags")
        F = st.normal((3, self.n))
        zr = self.z_true[1]
        self.flags = {}
        for j, name in enumerate(("english_learner", "disability", "free_reduced_lunch")):
            lo = float(d["reading_loading"][name])
            share = float(d[f"{name}_share"])
            lat = lo * zr + math.sqrt(1.0 - lo * lo) * F[j]
            self.flags[name] = lat > _ndtri_lazy(1.0 - share)

    # ---- math -----------------------------------------------------------
    def _math(self) -> None:
        m = self.P["math_dcpm"]
        icc = self.P["orf"]["classroom_icc"]["value"]
        st = self.draws.stream("math")
        ceff = st.normal(self.n_classes)[self.cls]
        ind = _correlated3(st.normal((3, self.n)), _chol3(*self.r_ind))
        E = st.normal((3, self.n))
        rho, rel = float(m["correlation_with_reading"]), float(m["reliability"])
        a, b, c = math.sqrt(1.0 - icc), math.sqrt(icc), math.sqrt(1.0 - rho * rho)
        self.m_true = [rho * self.z_true[s] + c * (a * ind[s] + b * ceff) for s in range(3)]
        tabs = [_qmap_tables(_math_knots()[:, s, :], self.P["orf"]["lower_tail_slope"]["value"],
                             self.P["orf"]["upper_tail_slope"]["value"]) for s in range(3)]
        sr, se = math.sqrt(rel), math.sqrt(1.0 - rel)
        hi = float(m["max_dcpm"])
        self.dcpm = [
            np.rint(_qmap(sr * self.m_true[s] + se * E[s] + self._shift(s), self.grade - 1, tabs[s], hi)).astype(np.int64)
            for s in range(3)
        ]

    # ---- behaviour screening ---------------------------------------------
    def _srss(self) -> None:
        sp = self.P["srss"]
        c = sp["season_correlation"]
        st = self.draws.stream("srss")
        self.b = _correlated3(st.normal((3, self.n)), _chol3(c["fall_winter"], c["fall_spring"], c["winter_spring"]))
        bz = _Bucketizer(_thresholds(sp["pmf"]), -8.0, 8.0)
        self.srss = [bz(self.b[s]) for s in range(3)]

    # ---- tables ---------------------------------------------------------
    def _students_table(self) -> pd.DataFrame:
        n = self.n
        return pd.DataFrame({
            "student_id": self.ids,
            "school": _cat(self.school, [f"School {s}" for s in self.school_num]),
            "grade": self.grade,
            "classroom": _cat(self.cls_code, self.class_labels),
            "race_ethnicity": _cat(self.race, RACE_ETHNICITY),
            "sex": _cat(np.where(self.female, 0, 1), ["female", "male"]),
            "english_learner": self.flags["english_learner"],
            "disability": self.flags["disability"],
            "free_reduced_lunch": self.flags["free_reduced_lunch"],
        }, index=pd.RangeIndex(n), copy=False)

    def _screening_table(self) -> pd.DataFrame:
        n = self.n
        score = np.empty((n, 3, 3), dtype=np.int64)
        for s in range(3):
            score[:, s, 0] = self.orf[s]
            score[:, s, 1] = self.dcpm[s]
            score[:, s, 2] = self.srss[s]
        season = np.tile(np.repeat(np.arange(3, dtype=np.int8), 3), n)
        measure = np.tile(np.arange(3, dtype=np.int8), 3 * n)
        dates = _to_s(self.cal["screening"])
        return pd.DataFrame({
            "student_id": np.repeat(self.ids, 9),
            "grade": np.repeat(self.grade, 9),
            "season": _cat(season, SEASONS),
            "measure": _cat(measure, MEASURES),
            "score": score.reshape(-1),
            "date": np.tile(np.repeat(dates, 3), n),
        }, copy=False)

    def _outcomes_table(self) -> pd.DataFrame:
        o = self.P["outcomes"]
        st = self.draws.stream("outcomes")
        Y = st.normal((2, self.n))
        a = float(o["loading"])
        c = math.sqrt(1.0 - a * a)
        cut = float(_ndtri_lazy(1.0 - self.k["proficient_share"]))
        center, sd = float(o["scale_center"]), float(o["scale_sd"])
        score = np.empty((self.n, 2), dtype=np.int64)
        for j, lat in enumerate((self.z_true[2] + self._shift(2), self.m_true[2] + self._shift(2))):
            y = a * lat + c * Y[j]
            score[:, j] = np.clip(np.rint(center + sd * (y - cut)), o["scale_min"], o["scale_max"])
        flat = score.reshape(-1)
        return pd.DataFrame({
            "student_id": np.repeat(self.ids, 2),
            "subject": _cat(np.tile(np.arange(2), self.n), ["reading", "math"]),
            "scale_score": flat,
            "proficient": flat >= center,
        }, copy=False)

    # ---- tiers ----------------------------------------------------------
    def _status_codes(self, s: int, c2: float) -> np.ndarray:
        """0 at/above the tier-2 cut ``c2``, 1 below it, 2 below the tier-3 cut."""
        t = self.P["tiers"]
        c3 = float(t["tier3_percentile"]["value"])
        code = np.zeros(self.n, dtype=np.int8)
        for g in self.grades:
            m = self.grade == g
            if not m.any():
                continue
            sc = self.orf[s][m]
            if g == 1 and SEASONS[s] == "fall":
                # no published grade 1 fall norm: rank against the modelled
                # quantiles with the same interpolation rule as the norms
                w = _orf_knots()[0, 0, :]
                pct = np.interp(sc, w, _PCTS)
                code[m] = np.where(sc < w[0], 2, np.where(pct < c2, 1, 0))
                continue
            st = _norms.benchmark_status(sc, g, SEASONS[s], system="percentile", cuts=(c3, c2))
            code[m] = np.where(st == "well_below", 2, np.where(st == "below", 1, 0))
        return code

    def _tiers(self) -> None:
        rel = self.rel
        sp = self.draws.stream("prior")
        r = float(self.P["orf"]["true_correlation"]["prior_spring_fall"])
        prior_true = r * self.z_true[0] + math.sqrt(1.0 - r * r) * sp.normal(self.n)
        prior_obs = math.sqrt(rel) * prior_true + math.sqrt(1.0 - rel) * sp.normal(self.n)
        prev_wb = prior_obs < _z_knots()[0]
        tiers = np.empty((self.n, 3), dtype=np.int64)
        c2 = float(self.P["tiers"]["tier2_percentile"]["value"])
        fc = self.k["focus_tier2_percentile"]
        for s in range(3):
            code = self._status_codes(s, c2)
            if self.focus.any() and fc is not None and fc != c2:
                code = np.where(self.focus, self._status_codes(s, fc), code)
            wb = code == 2
            tiers[:, s] = np.where(wb & prev_wb, 3, np.where(code >= 1, 2, 1))
            prev_wb = wb
        if self.focus.any() and self.k["tier3_bias"] > 0:
            u = self.draws.stream("tiers").random(self.n)
            biased = (self.focus & (u < self.k["tier3_bias"]))[:, None]
            tiers = np.where(biased & (tiers == 2), 3, tiers)
        self.tier = tiers

    def _tiers_table(self) -> pd.DataFrame:
        T = self.tier
        dec = _to_s(self.cal["decision"])
        entry = np.empty(T.shape, dtype="datetime64[s]")
        exitd = np.full(T.shape, np.datetime64("NaT"), dtype="datetime64[s]")
        entry[:, 0] = dec[0]
        for s in (1, 2):
            entry[:, s] = np.where(T[:, s] == T[:, s - 1], entry[:, s - 1], dec[s])
        for s in (1, 0):
            exitd[:, s] = np.where(T[:, s + 1] != T[:, s], dec[s + 1], exitd[:, s + 1])
        return pd.DataFrame({
            "student_id": np.repeat(self.ids, 3),
            "season": _cat(np.tile(np.arange(3), self.n), SEASONS),
            "tier": T.reshape(-1),
            "entry_date": entry.reshape(-1),
            "exit_date": exitd.reshape(-1),
        }, copy=False)

    # ---- interventionists and interventions -----------------------------
    def _staff(self) -> None:
        iv = self.P["interventions"]
        n_int = np.maximum(2, -(-self.school_size // int(iv["students_per_interventionist"])))
        self.n_int = n_int
        self.int_off = np.concatenate([[0], np.cumsum(n_int)[:-1]])
        labels = [f"{self.school_num[s]}-I{k + 1}" for s in range(self.n_schools) for k in range(int(n_int[s]))]
        self.int_labels = labels
        self.int_school = np.repeat(np.arange(self.n_schools), n_int)
        st = self.draws.stream("interventions")
        lo = float(self.P["fidelity"]["min_share"])
        m = len(labels)
        self.adherence = np.clip(self.k["adherence_mean"] + self.k["adherence_sd"] * st.normal(m), lo, 1.0)
        self.dosage = np.clip(self.k["dosage_mean"] + self.k["dosage_sd"] * st.normal(m), lo, 1.0)
        self.iv_stream = st

    def _period(self, s: int) -> tuple[np.datetime64, np.datetime64]:
        dec = self.cal["decision"]
        start = dec[s]
        end = dec[s + 1] - 1 if s < 2 else self.cal["last"]
        return start, end

    def _interventions(self) -> None:
        iv = self.P["interventions"]
        st = self.iv_stream
        rows = []
        for s in range(3):
            mem = np.flatnonzero(self.tier[:, s] >= 2)
            if mem.size == 0:
                continue
            tier = self.tier[mem, s]
            order = np.lexsort((self.ids[mem], self.orf[s][mem], tier, self.grade[mem], self.school[mem]))
            mem, tier = mem[order], tier[order]
            sch, gr = self.school[mem], self.grade[mem]
            run_new = np.concatenate([[True], (sch[1:] != sch[:-1]) | (gr[1:] != gr[:-1]) | (tier[1:] != tier[:-1])])
            run = np.cumsum(run_new) - 1
            run_start = np.flatnonzero(run_new)
            rank = np.arange(mem.size) - run_start[run]
            gmax = np.where(tier == 3, iv["tier3"]["max_group"], iv["tier2"]["max_group"])
            gin = rank // gmax
            gnew = run_new | (rank % gmax == 0)
            gnum = np.cumsum(gnew) - 1
            sch_new = np.concatenate([[True], sch[1:] != sch[:-1]])
            first_g = gnum[np.flatnonzero(sch_new)]
            sch_run = np.cumsum(sch_new) - 1
            ordinal = gnum - first_g[sch_run]
            who = self.int_off[sch] + ordinal % self.n_int[sch]
            start, end = self._period(s)
            days = _school_days_between(start, end)
            spw = np.where(tier == 3, iv["tier3"]["sessions_per_week"], iv["tier2"]["sessions_per_week"])
            mins = np.where(tier == 3, iv["tier3"]["minutes"], iv["tier2"]["minutes"])
            planned = np.rint(days * spw / 5.0).astype(np.int64)
            att = np.clip(iv["attendance_mean"] + iv["attendance_sd"] * st.normal(mem.size), 0.5, 1.0)
            delivered = np.minimum(planned, np.rint(planned * self.dosage[who] * att).astype(np.int64))
            gidx = np.flatnonzero(gnew)
            letter = SEASONS[s][0].upper()
            glabel = [f"{self.school_num[sch[i]]}-{letter}-{gr[i]}-T{tier[i]}-{gin[i] + 1:02d}" for i in gidx]
            rows.append({
                "s": s, "mem": mem, "tier": tier, "gnum": gnum, "glabels": glabel, "who": who,
                "start": start, "end": end, "planned": planned, "delivered": delivered, "mins": mins, "spw": spw,
            })
        self.iv_rows = rows

    def _interventions_table(self) -> pd.DataFrame:
        if not self.iv_rows:
            return pd.DataFrame({c: [] for c, _, _ in _schema("interventions")})
        parts = []
        for r in self.iv_rows:
            k = r["mem"].size
            parts.append(pd.DataFrame({
                "student_id": self.ids[r["mem"]],
                "season": np.full(k, SEASONS[r["s"]], dtype=object),
                "tier": r["tier"],
                "group": np.asarray(r["glabels"], dtype=object)[r["gnum"] - r["gnum"][0]],
                "interventionist": np.asarray(self.int_labels, dtype=object)[r["who"]],
                "start_date": np.full(k, r["start"]).astype("datetime64[s]"),
                "end_date": np.full(k, r["end"]).astype("datetime64[s]"),
                "sessions_planned": r["planned"],
                "sessions_delivered": r["delivered"],
                "minutes_per_session": r["mins"],
                "minutes_planned": r["planned"] * r["mins"],
                "minutes_delivered": r["delivered"] * r["mins"],
            }, copy=False))
        df = pd.concat(parts, ignore_index=True)
        season_code = df["season"].map({s: i for i, s in enumerate(SEASONS)}).to_numpy()
        order = np.lexsort((season_code, df["student_id"].to_numpy()))
        return df.iloc[order].reset_index(drop=True)

    # ---- progress monitoring ----------------------------------------------
    def _growth_norms(self) -> np.ndarray:
        gn = np.zeros(7)
        g1 = str(self.P["progress"]["grade1_growth_measure"]["value"])
        for g in self.grades:
            gn[g] = _norms.typical_growth(g, g1) if g == 1 else _norms.typical_growth(g, "orf")
        return gn

    def _progress(self) -> None:
        pr, fi = self.P["progress"], self.P["fidelity"]
        w = [r for r in self.iv_rows if r["s"] == 1]
        self.monitored = np.zeros(self.n, dtype=bool)
        self.true_slope = np.full(self.n, np.nan)
        self.growth_norm = np.full(self.n, np.nan)
        self.true_level = np.full(self.n, np.nan)
        self.monitor_who = np.zeros(self.n, dtype=np.int64)
        if not w:
            self.prog_mem = np.zeros(0, dtype=np.int64)
            self.prog_who = np.zeros(0, dtype=np.int64)
            return
        r = w[0]
        order = np.argsort(r["mem"], kind="stable")
        mem = r["mem"][order]
        who = r["who"][order]
        share = r["delivered"][order] / np.maximum(r["planned"][order], 1)
        rho = self.r_ind[2]
        innov = (self.ind[2][mem] - rho * self.ind[1][mem]) / math.sqrt(1.0 - rho * rho)
        gn = self._growth_norms()[self.grade[mem]]
        mult = (self.adherence[who] / float(fi["adherence_ref"])) * (share / float(fi["dosage_ref"]))
        slope = np.round(gn * mult + float(pr["slope_sd"]["value"]) * innov, 2)
        level = self._true_orf(1)[mem]
        self.prog_mem, self.prog_who = mem, who
        self.monitored[mem] = True
        self.true_slope[mem] = slope
        self.growth_norm[mem] = gn
        self.true_level[mem] = level

    def _progress_table(self) -> pd.DataFrame:
        mem = self.prog_mem
        k = int(self.k["progress_weeks"])
        days = self.cal["probe_days"][:k]
        weeks = ((days - days[0]).astype("int64") // 7).astype(np.int64)
        st = self.draws.stream("progress")
        E = st.normal((mem.size, k))
        hi = float(self.P["orf"]["max_wcpm"]["value"])
        true = self.true_level[mem][:, None] + self.true_slope[mem][:, None] * weeks[None, :]
        score = np.clip(np.rint(true + self.k["sem"] * E), 0, hi).astype(np.int64)
        return pd.DataFrame({
            "student_id": np.repeat(self.ids[mem], k),
            "week": np.tile(weeks, mem.size),
            "date": np.tile(_to_s(days), mem.size),
            "measure": _cat(np.zeros(mem.size * k, dtype=np.int8), ["orf"]),
            "score": score.reshape(-1),
            "interventionist": np.repeat(np.asarray(self.int_labels, dtype=object)[self.prog_who], k),
        }, copy=False)

    # ---- fidelity observations --------------------------------------------
    def _fidelity_table(self) -> pd.DataFrame:
        fi, iv = self.P["fidelity"], self.P["interventions"]
        steps = _fidelity.checklist_instrument(fi["instrument"])["step"].tolist()
        st = self.draws.stream("fidelity")
        first = self.cal["first"]
        parts = []
        for r in self.iv_rows:
            # weekly sessions planned per interventionist = sum over their groups
            gfirst = np.flatnonzero(np.concatenate([[True], r["gnum"][1:] != r["gnum"][:-1]]))
            m = len(self.int_labels)
            spw = np.bincount(r["who"][gfirst], weights=r["spw"][gfirst], minlength=m)
            mpw = np.bincount(r["who"][gfirst], weights=(r["spw"] * r["mins"])[gfirst], minlength=m)
            obs = np.flatnonzero(spw > 0)
            day = _next_school_day(r["start"] + 14)
            week = int((day - first).astype("int64") // 7 + 1)
            adh = np.clip(self.adherence[obs] + 0.05 * st.normal(obs.size), 0.0, 1.0)
            dos = np.clip(self.dosage[obs] + 0.05 * st.normal(obs.size), 0.0, 1.0)
            done = st.random((obs.size, len(steps))) < adh[:, None]
            sp = spw[obs].astype(np.int64)
            sd = np.rint(sp * dos).astype(np.int64)
            mp = mpw[obs].astype(np.int64)
            md = np.rint(mp * dos).astype(np.int64)
            k = len(steps)
            parts.append(pd.DataFrame({
                "school": np.repeat(np.asarray([f"School {s}" for s in self.school_num], dtype=object)[self.int_school[obs]], k),
                "interventionist": np.repeat(np.asarray(self.int_labels, dtype=object)[obs], k),
                "week": np.full(obs.size * k, week, dtype=np.int64),
                "date": np.full(obs.size * k, day).astype("datetime64[s]"),
                "step": np.tile(np.asarray(steps, dtype=object), obs.size),
                "done": done.reshape(-1),
                "sessions_planned": np.repeat(sp, k),
                "sessions_delivered": np.repeat(sd, k),
                "minutes_planned": np.repeat(mp, k),
                "minutes_delivered": np.repeat(md, k),
            }, copy=False))
        if not parts:
            return pd.DataFrame({c: [] for c, _, _ in _schema("fidelity")})
        df = pd.concat(parts, ignore_index=True)
        # rows: by interventionist, then date, then checklist order
        step_code = df["step"].map({s: i for i, s in enumerate(steps)}).to_numpy()
        order = np.lexsort((step_code, df["date"].to_numpy(), df["interventionist"].to_numpy()))
        return df.iloc[order].reset_index(drop=True)

    # ---- behaviour --------------------------------------------------------
    def _behavior_table(self) -> pd.DataFrame:
        o = self.P["odr"]
        st = self.draws.stream("behavior")
        n = self.n
        rho = float(o["correlation_with_srss"]["value"])
        ms = float(o["male_shift"]["value"])
        sex = np.where(self.female, -1.0, 1.0)
        lat = (rho * self.b[1] + math.sqrt(1.0 - rho * rho) * st.normal(n) + ms * sex) / math.sqrt(1.0 + ms * ms)
        lat = lat + self.k["odr_shift"] * self.focus
        mj = o["majors"]
        majors = np.searchsorted(_nb_thresholds(mj["mean"], mj["dispersion"], mj["max_count"]), lat, side="right")
        mn = o["minors"]
        c = float(mn["latent_correlation"])
        lat2 = c * lat + math.sqrt(1.0 - c * c) * st.normal(n)
        minors = np.searchsorted(_nb_thresholds(mn["mean"], mn["dispersion"], mn["max_count"]), lat2, side="right")
        who = np.concatenate([np.repeat(np.arange(n), majors), np.repeat(np.arange(n), minors)])
        is_major = np.concatenate([np.ones(int(majors.sum()), bool), np.zeros(int(minors.sum()), bool)])
        m = who.size
        sd = self.cal["school_days"]
        beta = float(o["timing_power"]["value"])
        cum = (np.arange(1, sd.size + 1) / sd.size) ** beta  # constants only
        day = sd[np.minimum(np.searchsorted(cum, st.random(m), side="right"), sd.size - 1)]
        levels = dict((c_, lv) for c_, _, lv in _schema("behavior"))
        loc_levels = list(levels["location"])
        loc_codes = np.array([loc_levels.index(k) for k in o["location"]["shares"]])
        loc = loc_codes[_pick(st.random(m), list(o["location"]["shares"].values()))]
        prob_levels = list(levels["problem"])
        u = st.random(m)
        pm = np.array([prob_levels.index(k) for k in o["problem"]["major"]])[_pick(u, list(o["problem"]["major"].values()))]
        pn = np.array([prob_levels.index(k) for k in o["problem"]["minor"]])[_pick(u, list(o["problem"]["minor"].values()))]
        problem = np.where(is_major, pm, pn)
        act_levels = list(levels["action"])
        base = dict(o["action"]["major"])
        oss = "out-of-school suspension"
        p_oss = base[oss]
        p_f = min(0.95, p_oss * self.k["suspension_multiplier"])
        other = {k: v * (1.0 - p_f) / (1.0 - p_oss) for k, v in base.items() if k != oss}
        focus_tab = {**other, oss: p_f}
        codes_base = np.array([act_levels.index(k) for k in base])
        codes_focus = np.array([act_levels.index(k) for k in focus_tab])
        u = st.random(m)
        a_base = codes_base[_pick(u, list(base.values()))]
        a_focus = codes_focus[_pick(u, list(focus_tab.values()))]
        action = np.where(is_major, np.where(self.focus[who], a_focus, a_base), act_levels.index("teacher-managed"))
        order = np.lexsort((np.arange(m), day, who))
        who, day = who[order], day[order]
        month_levels = list(levels["month"])
        ym = day.astype("datetime64[M]")
        month = (ym - np.datetime64(month_levels[0], "M")).astype(np.int64)
        return pd.DataFrame({
            "student_id": self.ids[who],
            "date": day.astype("datetime64[s]"),
            "month": _cat(month, month_levels),
            "location": _cat(loc[order], loc_levels),
            "type": _cat(np.where(is_major[order], 0, 1), ["major", "minor"]),
            "problem": _cat(problem[order], prob_levels),
            "action": _cat(action[order], act_levels),
        }, copy=False)

    # ---- TFI --------------------------------------------------------------
    def _tfi_table(self) -> pd.DataFrame:
        items = _fidelity.tfi_items()
        item_ids, item_tier = items["item"].tolist(), items["tier"].to_numpy(dtype=np.int64)
        st = self.draws.stream("tfi")
        S, k = self.n_schools, len(item_ids)
        u = st.random((S, k))
        cum = np.array([np.cumsum(self.k[f"tfi_tier{t}"]) for t in (1, 2, 3)])[item_tier - 1]  # (k, 3)
        score = (u[:, :, None] >= cum[None, :, :2]).sum(axis=2)
        return pd.DataFrame({
            "school": np.repeat(np.asarray([f"School {s}" for s in self.school_num], dtype=object), k),
            "item": np.tile(np.asarray(item_ids, dtype=object), S),
            "tier": np.tile(item_tier, S),
            "score": score.reshape(-1).astype(np.int64),
        }, copy=False)

    # ---- truth --------------------------------------------------------------
    def _truth_table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "student_id": self.ids,
            "true_orf_fall": self._true_orf(0),
            "true_orf_winter": self._true_orf(1),
            "true_orf_spring": self._true_orf(2),
            "monitored": self.monitored,
            "growth_norm": self.growth_norm,
            "true_slope": self.true_slope,
        }, copy=False)


def school_days() -> int:
    """School days in the synthetic cohorts' calendar.

    Weekdays from the first to the last day of the school year in
    ``cohort_params.yml`` (``calendar``), minus its listed holidays. Use it
    as the ``school_days`` of :func:`mtss_teach.behavior.odr_rate` for a
    shipped or generated cohort.

    Examples
    --------
    >>> from mtss_teach.cohorts import school_days
    >>> school_days()
    175
    """
    cal = cohort_params()["calendar"]
    last = np.datetime64(str(cal["last_day"])) + np.timedelta64(1, "D")
    holidays = [np.datetime64(str(h)) for h in cal.get("holidays", [])]
    return int(np.busday_count(np.datetime64(str(cal["first_day"])), last, holidays=holidays))
