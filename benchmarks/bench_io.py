"""Benchmark: loading a school's export with every row checked (issue 14).

Rows:

1. ``read_screening`` of a 1,000,000-row CSV export with a test-date column
   (day-first dates, ids with leading zeros, a names column and a teacher
   column left behind) against ``pandas.read_csv`` of the **same file** in
   the same run, read as a careful analyst would (ids as text, the date
   column parsed with its format). ``read_screening`` does more: it decodes
   and counts the file's own lines, detects the separator and the date
   convention, maps the columns, checks every cell, looks for summary rows,
   Excel artefacts and duplicates, and builds the rejection report.
   Target: at most 3x.
2. Peak memory of row 1 (tracemalloc: Python and numpy allocations), against
   the same figure for the ``pandas.read_csv`` baseline (report only).
3. ``read_screening`` of the same export as .xlsx would be dominated by
   openpyxl; not measured here.

``quick=True``: 50,000 rows (smoke test).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._harness import Result, compare, peak_memory_mb
from mtss_teach.io import read_screening


def write_export(path: Path, n: int, seed: int = 14) -> None:
    """A screening export shaped like a vendor's: one row per student, season and measure."""
    rng = np.random.default_rng(seed)
    k = n // 3 + 1
    ids = np.char.zfill(np.arange(1, k + 1).astype(str), 7)
    sid = np.repeat(ids, 3)[:n]
    season = np.tile(np.array(["BOY", "MOY", "EOY"]), k)[:n]
    start = {"BOY": "2024-09-02", "MOY": "2025-01-06", "EOY": "2025-05-05"}
    day = np.array([np.datetime64(start[s]) for s in ("BOY", "MOY", "EOY")])
    dates = np.tile(day, k)[:n] + rng.integers(0, 28, n).astype("timedelta64[D]")
    df = pd.DataFrame({
        "Student": np.char.add("Name", sid),
        "Student ID": sid,
        "Grade": rng.integers(1, 7, n),
        "Benchmark Period": season,
        "Measure": "ORF",
        "Score": rng.integers(5, 200, n),
        "Test Date": pd.to_datetime(dates).strftime("%d/%m/%Y"),
        "Teacher": rng.choice(["Ms Lee", "Mr Diaz", "Mrs Okafor"], n),
    })
    df.to_csv(path, index=False)


def run(quick: bool = False) -> list[Result]:
    n = 50_000 if quick else 1_000_000
    repeat = 2 if quick else 5
    tmp = Path(tempfile.mkdtemp(prefix="mtss-bench-io-"))
    path = tmp / "export.csv"
    write_export(path, n)
    res = read_screening(path)
    assert res.n_in == n and res.n_accepted == n, res.summary()

    def baseline() -> pd.DataFrame:
        return pd.read_csv(path, dtype={"Student ID": str}, parse_dates=["Test Date"], date_format="%d/%m/%Y")

    try:
        r = compare(
            "io",
            f"read_screening {n:,}-row CSV export with dates (every row checked)",
            lambda: read_screening(path),
            "pandas.read_csv of the same file (ids as text, dates parsed)",
            baseline,
            max_ratio=3,
            repeat=repeat,
            note=f"{path.stat().st_size / 2**20:.0f} MB file",
        )
        base_peak = peak_memory_mb(baseline)
        mem = Result(
            group="io",
            name=f"read_screening {n:,} rows: peak memory",
            figure=r.peak_mb or 0.0,
            unit="MB",
            baseline_name="pandas.read_csv peak (same file)",
            baseline=base_peak,
            ratio=(r.peak_mb or 0.0) / base_peak if base_peak > 0 else float("nan"),
            target="report",
            met=None,
            spread=0.0,
            peak_mb=r.peak_mb,
            note="tracemalloc peak of one call (Python and numpy allocations)",
        )
        return [r, mem]
    finally:
        path.unlink(missing_ok=True)
        tmp.rmdir()


if __name__ == "__main__":  # pragma: no cover
    for res in run(quick=False):
        print(res)
