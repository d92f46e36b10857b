"""Benchmark: generating synthetic cohorts (issue 5).

Rows:

1. ``make_cohort(1,000,000, tables=("students", "screening"))`` -- one
   million students with three screening seasons (ORF, math and SRSS each
   season: 9,000,000 screening rows) -- against numpy drawing **the same
   number of normal variates** in the same run: ``Generator.standard_normal(k)``
   (float64) with ``k = cohort.manifest["normal_draws"]``, the number of
   normals the generator itself draws (18 per student -- 3 demographic-flag
   latents, 3 true + 3 error reading latents, 3 + 3 math, 3 SRSS -- plus one
   reading and one math effect per classroom: 18,096,000 for 1e6 students in
   2,000 schools of 48,000 classes).
   Target: at most 5x. The district-scale run uses the reduced table set
   (``tables=``); the other tables are for school-sized cohorts.
2. Peak memory per million students of row 1 (tracemalloc), target < 2 GB.
3. Every table at 60,000 students (report only), against the same kind of
   baseline.

``quick=True``: 50,000 students instead of 1,000,000 and 6,000 instead of
60,000 (smoke test).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import Result, compare
from mtss_teach.cohorts import make_cohort

FAST_TABLES = ("students", "screening")


def run(quick: bool = False) -> list[Result]:
    n = 50_000 if quick else 1_000_000
    n_full = 6_000 if quick else 60_000
    repeat = 2 if quick else 3
    results = []

    k = make_cohort(n, seed=1, tables=FAST_TABLES).manifest["normal_draws"]
    rng = np.random.default_rng(0)
    r = compare(
        "cohorts",
        f"make_cohort {n:,} students x 3 seasons (students+screening)",
        lambda: make_cohort(n, seed=1, tables=FAST_TABLES),
        f"numpy standard_normal x {k:,}",
        lambda: rng.standard_normal(k),
        max_ratio=5,
        repeat=repeat,
    )
    per_m_s = r.figure * 1e6 / n
    per_m_mb = (r.peak_mb or 0.0) * 1e6 / n
    r.note = "; ".join(x for x in (f"{per_m_s:.2f} s and {per_m_mb:.0f} MB peak per 1M students", r.note) if x)
    results.append(r)
    results.append(Result(
        group="cohorts",
        name=f"peak memory per 1M students ({n:,} generated)",
        figure=per_m_mb,
        unit="MB",
        baseline_name="2 GB limit",
        baseline=2048.0,
        ratio=per_m_mb / 2048.0,
        target="< 2048 MB",
        met=per_m_mb < 2048.0,
        spread=0.0,
        peak_mb=r.peak_mb,
        note="tracemalloc peak of one make_cohort call, scaled to 1e6 students",
    ))

    k_full = make_cohort(n_full, seed=1).manifest["normal_draws"]
    results.append(compare(
        "cohorts",
        f"make_cohort {n_full:,} students, all 10 tables",
        lambda: make_cohort(n_full, seed=1),
        f"numpy standard_normal x {k_full:,}",
        lambda: rng.standard_normal(k_full),
        repeat=repeat,
        note="report only: tiers, groups, progress, ODR events, fidelity, TFI",
    ))
    return results


if __name__ == "__main__":  # pragma: no cover
    for res in run(quick=False):
        print(res)
