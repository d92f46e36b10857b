"""nbgrader autograde seconds per submission, for each assignment.

A temporary copy of the course (every ``modules/<course>/exercise.ipynb``)
and a temporary course holding only a one-cell "hello" assignment (the
same-run baseline; it takes the first course id of the course manifest,
since the pipeline grades only the manifest's assignments) are generated
and autograded with the real CLI (``python -m mtss_teach.grading
autograde``), one batch of each per repeat. Each submission's own grading time
-- sanitising, starting a fresh kernel, running every cell, saving the
grades; not the nbgrader process start-up, which a batch pays once -- is
measured by timing hooks added to the temporary copy's
``nbgrader_config.py`` around nbgrader's pre/post-convert hooks. The first
submission each batch grades pays one-off start-up costs, so every batch
also grades a warm-up submission, and the batch's first record is dropped.

Rows: one per assignment, figure = median seconds per submission over
``n_students x repeats`` submissions (learners with different ids, full
solutions), baseline = the hello assignment's median in the same repeats,
target <= 5 s per submission (the exercises are meant to run in under 5 s).

Incremental row: the wall time of one ``autograde`` run (the CLI, with its
export and feedback) that finds one new submission next to 50 already
graded (10 with ``--quick``), against the same run in a course where that
one submission is the whole batch; target <= 1.5x (an autograde run only
grades what is new or changed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchmarks._harness import Result, median_spread, spread_note

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 5.0
HELLO = "hello"  # the baseline's label in the results


def _hello_id() -> str:
    """The assignment id the hello notebook is graded under: a course of the manifest (in its own course)."""
    from mtss_teach._packagedata import course_ids

    return course_ids()[0]

TIMING_HOOKS = textwrap.dedent('''

    # --- benchmark timing (added to a temporary copy only) ---
    import json as _json, time as _time
    _orig_pre, _orig_post = c.Autograde.pre_convert_hook, c.Autograde.post_convert_hook
    _started = {}

    def _timed_pre(**kw):
        _started["t"] = _time.perf_counter()
        _orig_pre(**kw)

    def _timed_post(**kw):
        _orig_post(**kw)
        parts = os.path.normpath(str(kw["notebooks"][0])).split(os.sep)
        with open(os.path.join(HERE, "timings.jsonl"), "a") as fh:
            fh.write(_json.dumps({"student": parts[-3], "assignment": parts[-2],
                                  "seconds": _time.perf_counter() - _started["t"]}) + "\\n")

    c.Autograde.pre_convert_hook = _timed_pre
    c.Autograde.post_convert_hook = _timed_post
''')


def _hello_notebook() -> dict:
    import nbformat as nbf

    nb = nbf.v4.new_notebook()
    sol = nbf.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    sol.metadata["nbgrader"] = dict(grade=False, grade_id="answer", locked=False, schema_version=3, solution=True,
                                    task=False)
    test = nbf.v4.new_code_cell("if x != 1:\n    raise AssertionError('x')")
    test.metadata["nbgrader"] = dict(grade=True, grade_id="test", locked=True, points=1, schema_version=3,
                                     solution=False, task=False)
    nb.cells = [nbf.v4.new_code_cell('LEARNER_ID = "demo-learner"'), sol, test]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return json.loads(nbf.writes(nb))


def write_hello(root: Path) -> Path:
    """The hello assignment's source notebook in a course folder ``root`` (its only assignment)."""
    dest = root / "modules" / _hello_id() / "exercise.ipynb"
    dest.parent.mkdir(parents=True)
    dest.write_text(json.dumps(_hello_notebook()), encoding="utf-8")
    return dest


def _with_learner(nb: dict, lid: str) -> dict:
    nb = json.loads(json.dumps(nb))
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "code" and "nbgrader" not in c.get("metadata", {}) and "LEARNER_ID =" in src:
            c["source"] = f'LEARNER_ID = "{lid}"\n'
    return nb


def _cli(*args: str, root: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mtss_teach.grading", "--course-dir", str(root), *args],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"grading {args[0]} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")


def measure(courses: list[str], n_students: int, repeats: int) -> dict[str, list[float]]:
    """Seconds per submission for each assignment (and the hello baseline, key ``HELLO``)."""
    tmp = Path(tempfile.mkdtemp(prefix="mtss-bench-grading-"))
    try:
        cfg = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8") + TIMING_HOOKS
        root, hroot = tmp / "course", tmp / "hello"
        sources = {}
        for c in courses:
            (root / "modules" / c).mkdir(parents=True)
            shutil.copy(ROOT / "modules" / c / "exercise.ipynb", root / "modules" / c / "exercise.ipynb")
            sources[c] = json.loads((ROOT / "modules" / c / "exercise.ipynb").read_text(encoding="utf-8"))
        write_hello(hroot)
        for r in (root, hroot):
            (r / "nbgrader_config.py").write_text(cfg, encoding="utf-8")
            _cli("generate", root=r)
        subs, hsubs = tmp / "submissions", tmp / "hello_submissions"
        for s in range(n_students):
            lid = f"learner{s + 1:02d}"
            for c, nb in sources.items():
                d = subs / lid / c
                d.mkdir(parents=True)
                (d / "exercise.ipynb").write_text(json.dumps(_with_learner(nb, lid)), encoding="utf-8")
            _put(hsubs, lid)
        # a warm-up submission in each batch: the first one a batch grades pays the process's one-off
        # start-up costs (imports, first kernel); the first record of every batch is dropped below
        warm = subs / "learner00-warmup" / courses[0]
        warm.mkdir(parents=True)
        (warm / "exercise.ipynb").write_text(json.dumps(_with_learner(sources[courses[0]], "learner00-warmup")),
                                             encoding="utf-8")
        _put(hsubs, "learner00-warmup")
        out: dict[str, list[float]] = {c: [] for c in [*courses, HELLO]}
        for _ in range(repeats):
            for r, s_dir in ((root, subs), (hroot, hsubs)):
                log = r / "timings.jsonl"
                done = len(log.read_text().splitlines()) if log.exists() else 0
                _cli("autograde", str(s_dir), "--no-feedback", "--all", root=r)
                for line in log.read_text().splitlines()[done + 1:]:
                    row = json.loads(line)
                    if row["student"] != "learner00-warmup":
                        out[HELLO if r is hroot else row["assignment"]].append(row["seconds"])
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _hello_course(tmp: Path, name: str) -> Path:
    root = tmp / name
    write_hello(root)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    _cli("generate", root=root)
    return root


def _put(subs: Path, lid: str) -> None:
    d = subs / lid / _hello_id()
    d.mkdir(parents=True)
    (d / "exercise.ipynb").write_text(json.dumps(_with_learner(_hello_notebook(), lid)), encoding="utf-8")


def measure_incremental(n_graded: int, repeats: int) -> tuple[list[float], list[float]]:
    """Wall seconds of an autograde run: one new submission next to n_graded graded ones, and alone."""
    import time

    tmp = Path(tempfile.mkdtemp(prefix="mtss-bench-incremental-"))
    try:
        big, one = _hello_course(tmp, "big"), _hello_course(tmp, "one")
        subs = tmp / "subs_big"
        for s in range(n_graded):
            _put(subs, f"learner{s + 1:02d}")
        _cli("autograde", str(subs), root=big)  # the class, graded once (not timed)
        added, alone = [], []
        for r in range(repeats):
            _put(subs, f"new{r:02d}")
            t0 = time.perf_counter()
            _cli("autograde", str(subs), root=big)
            added.append(time.perf_counter() - t0)
            solo = tmp / f"subs_one_{r}"
            _put(solo, f"new{r:02d}")
            t0 = time.perf_counter()
            _cli("autograde", str(solo), root=one)
            alone.append(time.perf_counter() - t0)
        return added, alone
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(quick: bool = False) -> list[Result]:
    courses = sorted(p.parent.name for p in (ROOT / "modules").glob("*/exercise.ipynb"))
    if quick:
        courses = courses[1:2]
    n_students, repeats = (1, 1) if quick else (3, 2)
    times = measure(courses, n_students, repeats)
    base, base_spread = median_spread(times[HELLO])
    rows = []
    for c in courses:
        med, spread = median_spread(times[c])
        spread = max(spread, base_spread)
        note = "; ".join(n for n in (f"{len(times[c])} submissions", spread_note(spread)) if n)
        rows.append(Result("grading", f"autograde {c} (s per submission)", med, "s",
                           "one-cell hello notebook", base, med / base if base > 0 else float("inf"),
                           f"<= {TARGET_S:g} s per submission", med <= TARGET_S, spread, None, note))
    n_graded = 10 if quick else 50
    added, alone = measure_incremental(n_graded, 1 if quick else 3)
    med, spread = median_spread(added)
    base, base_spread = median_spread(alone)
    ratio = med / base if base > 0 else float("inf")
    rows.append(Result("grading", f"autograde: 1 new submission next to {n_graded} graded (s per run)", med, "s",
                       "the same submission as a batch of one", base, ratio, "<= 1.5x", ratio <= 1.5,
                       max(spread, base_spread), None, spread_note(max(spread, base_spread)) or ""))
    return rows


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(f"{r.name:48s} {r.figure:6.2f} s   hello {r.baseline:5.2f} s   x{r.ratio:4.1f}   met={r.met}  {r.note}")
