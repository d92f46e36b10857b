"""Quantile maps from latent normal scores to published-norm scores, and category thresholds."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from .. import norms as _norms
from ..errors import DataError
from .params import SEASONS, _PCTS, _params


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


def _pick(u: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """Index of the category of each uniform draw ``u`` for the given shares."""
    c = np.cumsum(np.asarray(shares, dtype=float))
    c = c / c[-1]
    if np.size(u) > 10_000 and np.all(np.diff(c) > 1e-3):
        return np.minimum(_Bucketizer(c[:-1], 0.0, 1.0)(u), len(c) - 1)
    return np.minimum(np.searchsorted(c[:-1], u, side="right"), len(c) - 1)


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
