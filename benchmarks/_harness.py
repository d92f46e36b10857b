"""Tiny benchmark harness: medians, spreads, same-run baselines, ratios.

Every benchmark module ``benchmarks/bench_*.py`` defines
``run(quick: bool) -> list[Result]``. Each row compares a measured figure
with a baseline measured *in the same run* and prints the ratio against a
target. Figures are medians over repeats; the spread is the relative
inter-quartile range, and a spread wider than ``WIDE_SPREAD`` is flagged
as too wide to trust.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

WIDE_SPREAD = 0.25


@dataclass
class Timing:
    median: float
    spread: float  # (q75 - q25) / median
    runs: int
    samples: list[float] = field(default_factory=list)


def median_spread(samples) -> tuple[float, float]:
    """(median, spread) of samples; spread = (q75 - q25) / median, 0 for fewer than two samples."""
    a = np.asarray(samples, dtype=float)
    med = float(np.median(a))
    if a.size < 2 or med <= 0:
        return med, 0.0
    q25, q75 = np.percentile(a, [25, 75])
    return med, float((q75 - q25) / med)


def spread_note(spread: float) -> str:
    """The warning a row carries when its spread is too wide to trust ("" otherwise)."""
    return f"spread {spread:.0%} too wide to trust" if spread > WIDE_SPREAD else ""


def time_it(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> Timing:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    med, spread = median_spread(samples)
    return Timing(med, spread, repeat, samples)


def peak_memory_mb(fn: Callable[[], object]) -> float:
    """Peak Python+numpy heap allocation of one call, in MiB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


@dataclass
class Result:
    group: str
    name: str
    figure: float
    unit: str
    baseline_name: str
    baseline: float
    ratio: float
    target: str
    met: bool | None
    spread: float
    peak_mb: float | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def compare(
    group: str,
    name: str,
    fn: Callable[[], object],
    baseline_name: str,
    baseline_fn: Callable[[], object],
    *,
    max_ratio: float | None = None,
    min_speedup: float | None = None,
    repeat: int = 5,
    memory: bool = True,
    note: str = "",
) -> Result:
    """Time ``fn`` and ``baseline_fn`` in the same run; ratio = fn / baseline.

    ``max_ratio``: target "ratio <= max_ratio" (fn at most N x baseline).
    ``min_speedup``: target "baseline / fn >= min_speedup" (reported as the
    ratio fn/baseline <= 1/min_speedup).
    """
    t = time_it(fn, repeat)
    b = time_it(baseline_fn, repeat)
    ratio = t.median / b.median if b.median > 0 else float("inf")
    if max_ratio is not None:
        target, met = f"<= {max_ratio:g}x", ratio <= max_ratio
    elif min_speedup is not None:
        target, met = f">= {min_speedup:g}x faster", ratio <= 1 / min_speedup
    else:
        target, met = "report", None
    spread = max(t.spread, b.spread)
    notes = [n for n in (note, spread_note(spread)) if n]
    peak = peak_memory_mb(fn) if memory else None
    return Result(group, name, t.median, "s", baseline_name, b.median, ratio, target, met,
                  spread, peak, "; ".join(notes))
