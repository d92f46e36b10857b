"""The benchmark runner (``python -m benchmarks``): its results file and the comparison of two runs.

The benchmarks themselves are measured, not tested (see benchmarks/); these
tests check the runner's bookkeeping on one small module in quick mode.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import compare_rows

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"group", "name", "figure", "unit", "baseline_name", "baseline", "ratio", "target", "met", "spread",
        "peak_mb", "note"}


def _row(name, figure, baseline, met=None, group="g"):
    return {"group": group, "name": name, "figure": figure, "unit": "s", "baseline_name": "b",
            "baseline": baseline, "ratio": figure / baseline, "target": "report", "met": met, "spread": 0.0,
            "peak_mb": None, "note": ""}


def test_compare_rows_matches_by_name_and_reports_the_change_of_ratio():
    old = [_row("a", 2.0, 1.0, met=False), _row("gone", 1.0, 1.0)]
    new = [_row("a", 3.0, 2.0, met=True), _row("fresh", 4.0, 1.0)]
    out = {r["name"]: r for r in compare_rows(old, new)}
    assert set(out) == {"a", "gone", "fresh"}
    # a: ratio 2.0 before, 1.5 now -> 0.75 (better against its own baseline)
    assert out["a"]["old_ratio"] == 2.0 and out["a"]["new_ratio"] == 1.5 and out["a"]["change"] == 0.75
    assert (out["a"]["old_met"], out["a"]["new_met"]) == (False, True)
    assert out["gone"]["new_ratio"] is None and out["gone"]["change"] is None
    assert out["fresh"]["old_ratio"] is None and out["fresh"]["change"] is None


@pytest.mark.slow
def test_runner_writes_one_results_file_and_compares_two_runs(tmp_path):
    files = []
    for i in range(2):
        out = tmp_path / f"r{i}.json"
        p = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "equity", "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr
        data = json.loads(out.read_text())
        assert data["quick"] is True and data["failed_modules"] == [] and data["rows"]
        for r in data["rows"]:
            assert set(r) == KEYS
            assert r["ratio"] == pytest.approx(r["figure"] / r["baseline"])
            assert r["name"] in p.stdout  # the printed table holds every row
        files.append(out)
    p = subprocess.run([sys.executable, "-m", "benchmarks", "compare", str(files[0]), str(files[1])],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    names = [r["name"] for r in json.loads(files[0].read_text())["rows"]]
    assert all(n in p.stdout for n in names) and "ratio now" in p.stdout
    bad = subprocess.run([sys.executable, "-m", "benchmarks", "compare", str(tmp_path / "missing.json"),
                          str(files[1])], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "not a results file" in bad.stderr
