"""JupyterHub with the academy's configuration, and the LMS export.

Rows:

* **hub spawn time per learner, 10 at once**: the academy's hub
  (deploy/jupyterhub_config.py, driven by tests/hub_helpers.py) on
  127.0.0.1; one learner logs in and starts a server alone (the baseline),
  then ten learners log in and start theirs at the same time; figure =
  median seconds from the spawn request until the hub reports the server
  ready. Reported, no target (it depends on the machine's cores).
* **memory per learner server, 10 learners**: proportional set size (PSS,
  shared libraries counted fairly) of each learner's Jupyter server once the
  ten are up (no kernel running); baseline = the lone learner's server
  before the others started.
* **export, 1,000 learners x 10 assignments**: ``mtss_teach.lms`` from a
  grades.csv + grading_report.csv + roster to a Canvas file and a Moodle file
  (:func:`gradebook_table`, :func:`canvas_csv`, :func:`moodle_csv`), against
  plain pandas on the same input (``read_csv``, ``pivot``, ``to_csv``: the
  same table with no states, no roster mapping, no checks); target <= 10x.

Quick mode: 2 learners instead of 10, 100 learners in the export.
"""

from __future__ import annotations

import importlib.util
import io
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._harness import Result, compare, median_spread, spread_note

ROOT = Path(__file__).resolve().parents[1]
GROUP = "hub"
EXPORT_TARGET = 10.0


def _helpers():
    path = ROOT / "tests" / "hub_helpers.py"
    spec = importlib.util.spec_from_file_location("_mtss_hub_helpers", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _spawn(hh, hub, name):
    L = hh.Learner(hub, name)
    r = L.login()
    if r.status_code != 302:
        raise RuntimeError(f"{name}: login answered HTTP {r.status_code}")
    return L, L.spawn()


def hub_rows(n: int) -> list[Result]:
    hh = _helpers()
    if hh.proxy_command() is None:
        raise RuntimeError("bench_hub needs configurable-http-proxy: run `npm ci` in the repository root")
    names = [f"b{i:02d}" for i in range(1, n + 1)]
    with tempfile.TemporaryDirectory(prefix="mtss-bench-hub-") as tmp:
        base = Path(tmp)
        roster = base / "roster.csv"
        roster.write_text("learner_id\nsolo\n" + "".join(f"{x}\n" for x in names))
        hub = hh.start_hub(base / "hub", roster)
        try:
            solo, solo_s = _spawn(hh, hub, "solo")
            solo_mem = hh.memory_mb([solo.server_pid()])
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=n) as pool:
                spawned = list(pool.map(lambda x: _spawn(hh, hub, x), names))
            wall = time.perf_counter() - t0
            mems = [hh.memory_mb([L.server_pid()]) for L, _ in spawned]
        finally:
            leftovers = hh.stop_hub(hub)
        if leftovers:
            raise RuntimeError(f"processes left after the hub stopped: {leftovers}")
    secs = [s for _, s in spawned]
    med, spread = median_spread(secs)
    pss = [m["pss"] for m in mems]
    mmed, mspread = median_spread(pss)
    rows = [
        Result(GROUP, f"hub spawn time per learner, {n} at once", med, "s", "one learner alone", solo_s,
               med / solo_s, "report", None, spread, None,
               "; ".join(x for x in (f"{n} servers ready in {wall:.1f} s ({wall / n:.1f} s per learner)",
                                     spread_note(spread)) if x)),
        Result(GROUP, f"memory per learner server, {n} learners (PSS)", mmed, "MB",
               "the lone learner's server", solo_mem["pss"], mmed / solo_mem["pss"], "report", None, mspread,
               None, "; ".join(x for x in (f"RSS median {statistics.median(m['rss'] for m in mems):.0f} MB; "
                                           f"no kernel running", spread_note(mspread)) if x)),
    ]
    return rows


def _export_inputs(n_learners: int, n_assignments: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    learners = [f"learner{i:05d}" for i in range(n_learners)]
    assignments = [f"{k:02d}-course" for k in range(1, n_assignments + 1)]
    a = np.repeat(assignments, n_learners)
    s = np.tile(learners, n_assignments)
    score = rng.integers(0, 13, size=len(a)).astype(float)
    submitted = rng.random(len(a)) > 0.05
    grades = pd.DataFrame({"assignment": a, "duedate": "", "timestamp": np.where(submitted, "2026-12-01 10:00:00", ""),
                           "student_id": s, "last_name": "", "first_name": "", "email": "",
                           "raw_score": score, "late_submission_penalty": 0.0, "score": np.where(submitted, score, 0.0),
                           "max_score": 12.0})
    rep = grades.loc[submitted, ["student_id", "assignment", "score", "max_score"]].rename(
        columns={"student_id": "student"})
    rep["graded"] = "True"
    rep["withheld"] = np.where(rng.random(len(rep)) < 0.02, "task2_test: withheld", "")
    rep["error"] = ""
    roster = pd.DataFrame({"learner_id": learners, "lms_user_id": [str(100000 + i) for i in range(n_learners)],
                           "lms_login": [f"u{i}" for i in range(n_learners)], "section": "A"})
    return grades.to_csv(index=False), rep.to_csv(index=False), roster.to_csv(index=False)


def export_row(n_learners: int, n_assignments: int = 10) -> Result:
    from mtss_teach.lms import canvas_csv, gradebook_table, moodle_csv
    from mtss_teach.roster import read_roster

    grades, report, roster = _export_inputs(n_learners, n_assignments)

    def ours():
        t = gradebook_table(io.StringIO(grades), read_roster(io.StringIO(roster)), report=io.StringIO(report))
        canvas_csv(t)
        moodle_csv(t)

    def plain():
        g = pd.read_csv(io.StringIO(grades))
        wide = g.pivot(index="student_id", columns="assignment", values="score")
        wide.to_csv(io.StringIO())
        wide.to_csv(io.StringIO())

    return compare(GROUP, f"export {n_learners:,} learners x {n_assignments} assignments (Canvas + Moodle)", ours,
                   "pandas read_csv + pivot + to_csv", plain, max_ratio=EXPORT_TARGET, repeat=5)


def run(quick: bool = False) -> list[Result]:
    rows = [export_row(100 if quick else 1000)]
    rows += hub_rows(2 if quick else 10)
    return rows
