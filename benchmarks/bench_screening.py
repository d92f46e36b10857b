"""Screening speed on a district-sized cohort (1,000,000 students).

Rows (each timed against a baseline in the same run):

- ``benchmark_status + classification_accuracy`` (Acadience, grade 3
  winter) vs a bare numpy version of the same arithmetic (searchsorted on
  the three cuts, labels, a 2x2 by ``count_nonzero``); target <= 3x.
- the same with ``system="percentile"`` (H&T interpolation) vs bare
  ``numpy.interp`` + comparisons; target <= 3x.
- ``auc`` vs scikit-learn's ``roc_auc_score``; target <= 2x.
- ``roc_curve`` vs scikit-learn's ``roc_curve`` (report only).

The library's figure includes its input checks (NaN, range, binary flag);
the baselines check nothing.
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import Result, compare
from mtss_teach.norms import benchmark_status
from mtss_teach.screening import auc, classification_accuracy, roc_curve

_LABELS = np.array(["well_below", "below", "at", "above"], dtype=object)
_PLABELS = np.array(["well_below", "below", "at"], dtype=object)


def _cohort(n: int, seed: int = 20240901) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    wcpm = np.round(rng.normal(97, 30, n).clip(0, 300))
    at_risk = rng.random(n) < 1 / (1 + np.exp((wcpm - 75) / 8))
    return wcpm, at_risk


def _bare_2x2(flagged: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    tp = np.count_nonzero(flagged & y)
    fp = np.count_nonzero(flagged) - tp
    fn = np.count_nonzero(y) - tp
    tn = y.size - tp - fp - fn
    return tp / (tp + fn), tn / (tn + fp), tp / (tp + fp), tn / (tn + fn)


def run(quick: bool = False) -> list[Result]:
    n = 20_000 if quick else 1_000_000
    repeat = 3 if quick else 7
    s, y = _cohort(n)
    size = f"n={n:,}"

    # Acadience grade 3 winter: cut for risk 68, benchmark 86, above 105 (reference §2)
    def lib_aca():
        benchmark_status(s, 3, "winter")
        classification_accuracy(s, y, cut=86)

    def bare_aca():
        _LABELS[np.searchsorted(np.array([68.0, 86.0, 105.0]), s, side="right")]
        _bare_2x2(s < 86, y)

    # H&T grade 3 winter points (10/25/50/75/90 -> 62/79/97/137/161), cuts at the 20th/40th
    xp = np.array([62.0, 79.0, 97.0, 137.0, 161.0])
    fp = np.array([10.0, 25.0, 50.0, 75.0, 90.0])

    def lib_pct():
        benchmark_status(s, 3, "winter", system="percentile")
        classification_accuracy(s, y, cut=86)

    def bare_pct():
        p = np.interp(s, xp, fp, left=-np.inf, right=np.inf)
        _PLABELS[(p >= 20).astype(np.intp) + (p >= 40)]
        _bare_2x2(s < 86, y)

    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve as sk_roc_curve

    return [
        compare("screening", f"benchmark_status+classification_accuracy (acadience, {size})", lib_aca,
                "bare numpy", bare_aca, max_ratio=3, repeat=repeat),
        compare("screening", f"benchmark_status+classification_accuracy (percentile, {size})", lib_pct,
                "bare numpy interp", bare_pct, max_ratio=3, repeat=repeat),
        compare("screening", f"auc ({size}, ties)", lambda: auc(s, y), "sklearn roc_auc_score",
                lambda: roc_auc_score(y, -s), max_ratio=2, repeat=repeat),
        compare("screening", f"roc_curve ({size}, ties)", lambda: roc_curve(s, y), "sklearn roc_curve",
                lambda: sk_roc_curve(y, -s), repeat=repeat),
    ]
