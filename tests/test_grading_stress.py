"""Grading under stress: one batch of 56 honest and adversarial submissions, the real nbgrader CLI.

A temporary copy of the course (``nbgrader_config.py`` and every
``modules/<course>/exercise.ipynb``) is generated, then ONE batch of 56
submissions across all ten assignments is autograded with
``python -m mtss_teach.grading autograde`` (``nbgrader autograde``
underneath) with a 10 s per-cell timeout and an overall subprocess timeout.

Every task of every exercise is worth 2 points (checked below), so the
expected scores are simple sums, written next to each kind.

Honest submissions (35), graded by the student's own
scenario (the student folder name is the learner id in the notebook):

- ``full``: the instructor's solutions -> every point (2 x tasks);
- ``blank`` (every other assignment, to keep the run short): the released
  notebook, unanswered -> 0;
- ``half``: the first ``tasks // 2`` tasks answered, the rest untouched ->
  2 x (tasks // 2);
- ``lastwrong``: every task answered, the last one wrongly -> 2 x (tasks - 1).

Adversarial submissions (21, about two per assignment, rotated): the
tampered task is always the last one (no later task builds on it) and its
answer is certainly wrong (``"WRONG ANSWER"``, a value no check accepts)
unless said otherwise; every other task is answered correctly.

- notebook-file tampering -- the hidden-test cell deleted; the test cell
  edited to ``pass``; the test cell's nbgrader metadata altered (points
  raised on a *right* answer, marked not graded, removed, grade id renamed,
  turned into a solution cell); a forged extra graded cell worth 50 points;
  a forged copy of the test cell placed first. nbgrader and the course's
  sanitiser restore the instructor's cells, so these get exactly the honest
  credit: 2 x (tasks - 1) (the points-raised one: 2 x tasks, out of the
  same maximum);
- kernel tampering ("assert redefined") -- ``AssertionError`` rebound in
  the notebook, replaced in ``builtins``; the checker's functions and its
  guard replaced in the last answer cell, or before the setup cell runs:
  no unearned credit (at most 2 x (tasks - 1), the last task 0) and
  flagged for review. Replacing the guard disables the in-kernel checks;
  the pipeline withholds those points because the checks left no record
  that passes when the test is re-run outside the kernel, and because the
  tamper scan flags the code (the withheld tests are listed in the report);
- the same replacement written so the tamper scan does not recognise it
  (``object.__setattr__`` on the imported module): not flagged, but still
  no unearned credit (the re-check outside the kernel finds no record);
- infinite loops -- in task 2 (task 1 answered, the rest untouched:
  exactly 2) and in the last task (2 x (tasks - 1)): stopped by the
  per-cell timeout, recorded as timed out, and the batch goes on;
- a loop that swallows the interrupt, and a kernel that exits mid-notebook
  (``os._exit``): nbgrader gives up on that notebook; it must be reported
  as not graded (or graded with its exact honest credit), never credited
  more, and the batch goes on;
- unreadable notebooks -- cut-off JSON, binary bytes, JSON that is not a
  notebook: reported as not graded, never credited, and the rest of the
  batch is graded. (A notebook whose "cells" are not cells is a separate
  small batch at the end: it is reported as not graded and the batch goes
  on.)

Checked afterwards: every submission is in the grading report exactly
once; nbgrader's gradebook (read with ``sqlite3``, independently of the
pipeline, and with ``nbgrader.api.Gradebook``) holds each graded
submission exactly once, with exactly one grade per graded cell of the
instructor's notebook and the instructor's maximum; honest submissions
get their exact scores; adversarial ones get no unearned credit; loops are
recorded as timed out; the batch finishes within its timeouts.
"""

from __future__ import annotations

import ast
import copy
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
COURSES = sorted(p.parent.name for p in (ROOT / "modules").glob("*/exercise.ipynb"))
CELL_TIMEOUT = 10  # seconds per cell (the course default is 60)
BATCH_TIMEOUT = 900  # seconds for the whole autograde subprocess
GENERATE_TIMEOUT = 300
POINTS_PER_TASK = 2.0  # (unused: each task's points are read from the source notebook, task_points())
WRONG = '"WRONG ANSWER"'  # a value no check accepts (not a number, word, id list, bool, None or function)

# ---------------------------------------------------------------------------
# notebooks as plain JSON, the way a learner's file arrives
# ---------------------------------------------------------------------------


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def src_of(c: dict) -> str:
    s = c["source"]
    return "".join(s) if isinstance(s, list) else s


def gid(c: dict) -> str | None:
    return (c.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def cell(nb: dict, grade_id: str) -> dict:
    found = [c for c in nb["cells"] if gid(c) == grade_id]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} cells with grade_id {grade_id!r}")
    return found[0]


def n_tasks(nb: dict) -> int:
    return sum(1 for c in nb["cells"] if (gid(c) or "").startswith("task") and gid(c).endswith("_test"))


def task_points(nb: dict) -> dict[int, float]:
    """Task k -> the points of its test cell (tasks are worth different points)."""
    return {int(gid(c)[4:-5]): float(c["metadata"]["nbgrader"]["points"]) for c in nb["cells"]
            if (gid(c) or "").startswith("task") and gid(c).endswith("_test")}


def pts_of(course: str, tasks) -> float:
    p = task_points(load(ROOT / "modules" / course / "exercise.ipynb"))
    return sum(p[k] for k in tasks)


def set_learner(nb: dict, lid: str, prefix: str = "") -> dict:
    """The first code cell without nbgrader metadata sets LEARNER_ID."""
    for c in nb["cells"]:
        if c["cell_type"] == "code" and "nbgrader" not in c.get("metadata", {}) and "LEARNER_ID =" in src_of(c):
            c["source"] = prefix + f'LEARNER_ID = "{lid}"\n'
            return nb
    raise AssertionError("no LEARNER_ID cell")


def solution(src_nb: dict, k: int) -> str:
    """Task k's instructor solution without the nbgrader markers."""
    lines = src_of(cell(src_nb, f"task{k}_answer")).splitlines()
    return "\n".join(ln for ln in lines if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln) + "\n"


def answer_names(src_nb: dict, k: int) -> list[str]:
    """Names task k's solution defines that its test cell reads (the recorded answers)."""
    defined: list[str] = []

    def visit(body: list) -> None:  # statements, and those under if/for/while/with/try (not inside a def)
        for node in body:
            if isinstance(node, ast.FunctionDef):
                defined.append(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    defined.extend(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
            elif not isinstance(node, ast.ClassDef):
                for part in ("body", "orelse", "finalbody"):
                    visit(getattr(node, part, []) or [])
                for handler in getattr(node, "handlers", []) or []:
                    visit(handler.body)

    visit(ast.parse(solution(src_nb, k)).body)
    used = {n.id for n in ast.walk(ast.parse(src_of(cell(src_nb, f"task{k}_test")))) if isinstance(n, ast.Name)}
    names = [n for n in dict.fromkeys(defined) if n in used]
    if not names:
        raise AssertionError(f"task {k}: no answer name found")
    return names


def wrong_answer(src_nb: dict, k: int) -> str:
    return "".join(f"{name} = {WRONG}\n" for name in answer_names(src_nb, k))


# ---------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------


@dataclass
class Sub:
    """One submission and what it may earn."""

    student: str
    course: str
    kind: str
    honest: bool
    tasks: int
    exact: float | None = None  # the exact expected score (None: only "no unearned credit")
    earned: float = 0.0  # the points its honestly right answers are worth
    zero_tasks: tuple[int, ...] = ()  # tasks that must score 0
    readable: bool = True
    timed_out: tuple[str, ...] = ()  # cells that must be recorded as timed out (when graded)
    # nbgrader may refuse to grade it (reported as not graded, nothing credited) instead of grading it
    refusable: bool = False

    @property
    def full(self) -> float:
        return pts_of(self.course, range(1, self.tasks + 1))


LOOP = "while True:\n    pass\n"
STUBBORN_LOOP = ("while True:\n    try:\n        while True:\n            pass\n"
                 "    except KeyboardInterrupt:\n        pass\n")

# kernel tampering: code put in the last task's answer cell (or before the setup cell)
REBIND_ASSERTION = 'AssertionError = type("AssertionError", (Exception,), {})\n'
REPLACE_BUILTIN_ASSERTION = 'import builtins\nbuiltins.AssertionError = type("AssertionError", (Exception,), {})\n'
REPLACE_CHECKS = """import mtss_teach.exercises as _m
_nothing = lambda *args, **kwargs: None
for _name in ("close", "equal", "same_ids", "same_function"):
    setattr(_m.Grader, _name, _nothing)
for _name in ("expect_number", "expect_choice", "expect_bool", "expect_ids", "expect_callable", "_fail", "guard"):
    setattr(_m, _name, _nothing)
for _part in (_m.grader, _m.checks):  # the package's files hold their own names for the guard and _fail
    for _name in ("_fail", "guard"):
        if hasattr(_part, _name):
            setattr(_part, _name, _nothing)
"""
# the same, in a form the tamper scan does not recognise (no setattr(), no import of mtss_teach.exercises)
REPLACE_CHECKS_UNFLAGGED = """from mtss_teach import exercises as _m
_nothing = lambda *args, **kwargs: None
for _name in ("close", "equal", "same_ids", "same_function"):
    type.__setattr__(_m.Grader, _name, _nothing)
for _name in ("expect_number", "expect_choice", "expect_bool", "expect_ids", "expect_callable", "_fail", "guard"):
    object.__setattr__(_m, _name, _nothing)
for _part in (_m.grader, _m.checks):
    for _name in ("_fail", "guard"):
        if hasattr(_part, _name):
            object.__setattr__(_part, _name, _nothing)
"""

ADVERSARIAL = [
    "test-deleted", "test-edited", "meta-points-raised", "meta-not-graded", "meta-removed",
    "meta-renamed", "meta-made-solution", "forged-bonus-cell", "forged-test-first",
    "assert-rebound", "assert-builtin-replaced", "checks-replaced", "checks-replaced-before-setup",
    "unflagged-checks-replaced",
    "loop-task2", "loop-last", "loop-ignores-interrupt", "kernel-dies",
    "unreadable-truncated", "unreadable-binary", "unreadable-not-a-notebook",
]
HONEST = ["full", "blank", "half", "lastwrong"]
BLANK_COURSES = COURSES[0::2]


def write_nb(subs: Path, student: str, course: str, nb: dict | bytes) -> None:
    d = subs / student / course
    d.mkdir(parents=True, exist_ok=True)
    data = nb if isinstance(nb, bytes) else json.dumps(nb, indent=1).encode("utf-8")
    (d / "exercise.ipynb").write_bytes(data)


def honest_subs(course: str, src: dict, rel: dict) -> list[tuple[Sub, dict]]:
    n = n_tasks(src)
    tp = task_points(src)
    full = sum(tp.values())
    out = []
    nb = set_learner(copy.deepcopy(src), "full")
    out.append((Sub("full", course, "full", True, n, exact=full, earned=full), nb))
    nb = set_learner(copy.deepcopy(rel), "blank")
    out.append((Sub("blank", course, "blank", True, n, exact=0.0, zero_tasks=tuple(range(1, n + 1))), nb))
    h = n // 2
    nb = set_learner(copy.deepcopy(rel), "half")
    for k in range(1, h + 1):
        cell(nb, f"task{k}_answer")["source"] = solution(src, k)
    out.append((Sub("half", course, "half", True, n, exact=pts_of(course, range(1, h + 1)),
                    earned=pts_of(course, range(1, h + 1)),
                    zero_tasks=tuple(range(h + 1, n + 1))), nb))
    nb = set_learner(copy.deepcopy(rel), "lastwrong")
    for k in range(1, n):
        cell(nb, f"task{k}_answer")["source"] = solution(src, k)
    cell(nb, f"task{n}_answer")["source"] = wrong_answer(src, n)
    out.append((Sub("lastwrong", course, "lastwrong", True, n, exact=full - tp[n],
                    earned=full - tp[n], zero_tasks=(n,)), nb))
    return out


def adversarial_sub(kind: str, course: str, src: dict, rel: dict) -> tuple[Sub, dict | bytes]:
    n = n_tasks(src)
    tp = task_points(src)
    full = sum(tp.values())
    student = "adv-" + kind
    honest_rest = full - tp[n]  # every task right but the last
    sub = Sub(student, course, kind, False, n, exact=honest_rest, earned=honest_rest, zero_tasks=(n,))

    if kind.startswith("unreadable"):
        sub.exact, sub.earned, sub.zero_tasks, sub.readable = 0.0, 0.0, (), False
        text = json.dumps(set_learner(copy.deepcopy(src), student), indent=1).encode()
        data = {
            "unreadable-truncated": text[: len(text) // 2],  # a download cut off half way
            "unreadable-binary": bytes(range(256)) * 8,
            "unreadable-not-a-notebook": b'{"answers": {"task1": 42}}',
            # valid JSON with a "cells" list, but the cells are not cells (graded in its own test below)
            "unreadable-bad-cells": json.dumps({"cells": [42, "print(1)", None], "metadata": {},
                                                "nbformat": 4, "nbformat_minor": 5}).encode(),
        }[kind]
        return sub, data

    prefix = REPLACE_CHECKS if kind == "checks-replaced-before-setup" else ""
    nb = set_learner(copy.deepcopy(rel), student, prefix=prefix)
    for k in range(1, n):
        cell(nb, f"task{k}_answer")["source"] = solution(src, k)
    last_answer, last_test = cell(nb, f"task{n}_answer"), cell(nb, f"task{n}_test")
    last_answer["source"] = wrong_answer(src, n)

    if kind == "test-deleted":
        nb["cells"].remove(last_test)
    elif kind == "test-edited":
        last_test["source"] = "pass\n"
    elif kind == "meta-points-raised":  # on a right answer: worth the instructor's 2 points, not 100
        last_answer["source"] = solution(src, n)
        last_test["metadata"]["nbgrader"]["points"] = 100
        sub.exact = sub.earned = full
        sub.zero_tasks = ()
    elif kind == "meta-not-graded":
        last_test["metadata"]["nbgrader"].update(grade=False, locked=False)
        last_test["source"] = "pass\n"
    elif kind == "meta-removed":
        last_test["metadata"].pop("nbgrader")
        last_test["source"] = "pass\n"
    elif kind == "meta-renamed":
        last_test["metadata"]["nbgrader"]["grade_id"] = "my_own_test"
        last_test["source"] = "pass\n"
    elif kind == "meta-made-solution":
        last_test["metadata"]["nbgrader"].update(solution=True, locked=False)
        last_test["source"] = "pass\n"
    elif kind == "forged-bonus-cell":
        bonus = copy.deepcopy(last_test)
        bonus["metadata"]["nbgrader"].update(grade_id="bonus", points=50)
        bonus["source"] = "pass\n"
        bonus["id"] = "forged-bonus"
        nb["cells"].append(bonus)
    elif kind == "forged-test-first":  # a copy of the test cell that passes, before the real one
        forged = copy.deepcopy(last_test)
        forged["source"] = "pass\n"
        forged["id"] = "forged-test"
        nb["cells"].insert(nb["cells"].index(last_answer) + 1, forged)
    elif kind == "assert-rebound":
        last_answer["source"] = REBIND_ASSERTION + wrong_answer(src, n)
        sub.exact = None
    elif kind == "assert-builtin-replaced":
        last_answer["source"] = REPLACE_BUILTIN_ASSERTION + wrong_answer(src, n)
        sub.exact = None
    elif kind == "checks-replaced":
        last_answer["source"] = REPLACE_CHECKS + wrong_answer(src, n)
        sub.exact = None
    elif kind == "checks-replaced-before-setup":
        sub.exact = None
    elif kind == "unflagged-checks-replaced":
        last_answer["source"] = REPLACE_CHECKS_UNFLAGGED + wrong_answer(src, n)
        sub.exact = None
    elif kind == "loop-task2":  # task 1 right, task 2 never ends, the rest untouched: exactly task 1's 2 points
        nb = set_learner(copy.deepcopy(rel), student)
        cell(nb, "task1_answer")["source"] = solution(src, 1)
        cell(nb, "task2_answer")["source"] = LOOP
        sub.exact = sub.earned = tp[1]
        sub.zero_tasks = tuple(range(2, n + 1))
        sub.timed_out = ("task2_answer",)
    elif kind == "loop-last":
        last_answer["source"] = LOOP
        sub.timed_out = (f"task{n}_answer",)
    elif kind == "loop-ignores-interrupt":
        # the interrupt is swallowed: the kernel stays busy, so the test cell after it times out too
        last_answer["source"] = STUBBORN_LOOP
        sub.timed_out = (f"task{n}_answer", f"task{n}_test")
        sub.refusable = True  # nbgrader 0.9 gives up on the notebook (no IOPub reply after the interrupt)
    elif kind == "kernel-dies":  # the kernel process exits in the middle of the notebook
        last_answer["source"] = "import os\nos._exit(1)\n"
        sub.refusable = True  # nbgrader 0.9 gives up on the notebook (DeadKernelError)
    else:  # pragma: no cover - a kind without a recipe
        raise AssertionError(kind)
    return sub, nb


def build_batch(course_root: Path, subs_dir: Path) -> list[Sub]:
    plan: list[Sub] = []
    sources = {c: load(ROOT / "modules" / c / "exercise.ipynb") for c in COURSES}
    released = {c: load(course_root / "release" / c / "exercise.ipynb") for c in COURSES}
    for c in COURSES:
        for sub, nb in honest_subs(c, sources[c], released[c]):
            if sub.kind == "blank" and c not in BLANK_COURSES:
                continue
            write_nb(subs_dir, sub.student, c, nb)
            plan.append(sub)
    for i, kind in enumerate(ADVERSARIAL):
        c = COURSES[(3 * i) % len(COURSES)]  # spread the kinds over the assignments
        sub, nb = adversarial_sub(kind, c, sources[c], released[c])
        write_nb(subs_dir, sub.student, c, nb)
        plan.append(sub)
    return plan


def make_course(base: Path) -> Path:
    base.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", base / "nbgrader_config.py")
    for c in COURSES:
        (base / "modules" / c).mkdir(parents=True)
        shutil.copy(ROOT / "modules" / c / "exercise.ipynb", base / "modules" / c / "exercise.ipynb")
    return base


def grading_cli(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtss_teach.grading", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def stress(tmp_path_factory):
    base = tmp_path_factory.mktemp("stress")
    root = make_course(base / "course")
    gen = grading_cli("--course-dir", str(root), "generate", timeout=GENERATE_TIMEOUT)
    assert gen.returncode == 0, gen.stdout[-3000:] + gen.stderr[-3000:]
    subs = base / "submissions"
    plan = build_batch(root, subs)
    t0 = time.monotonic()
    try:
        proc = grading_cli("--course-dir", str(root), "autograde", str(subs), "--timeout", str(CELL_TIMEOUT),
                           "--no-feedback", timeout=BATCH_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the batch did not finish within {BATCH_TIMEOUT} s: {str(exc.stdout)[-2000:]}")
    seconds = time.monotonic() - t0
    with open(root / "grading_report.csv", newline="", encoding="utf-8") as fh:
        report_rows = list(csv.DictReader(fh))
    with open(root / "grades.csv", newline="", encoding="utf-8") as fh:
        grades = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}
    n_graded = sum(s.readable for s in plan)
    report = {(r["student"], r["assignment"]): r for r in report_rows}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "grading_stress.json").write_text(json.dumps({
        "submissions": len(plan), "seconds": seconds, "cell_timeout_s": CELL_TIMEOUT, "exit_code": proc.returncode,
        "rows": [{"student": s.student, "assignment": s.course, "kind": s.kind, "honest": s.honest,
                  "expected_exact": s.exact, "earned": s.earned, "full": s.full,
                  **{k: report.get((s.student, s.course), {}).get(k) for k in
                     ("graded", "score", "timed_out_cells", "review", "error")}} for s in plan],
    }, indent=1))
    print(f"\nstress batch: {len(plan)} submissions ({sum(s.honest for s in plan)} honest, "
          f"{sum(not s.honest for s in plan)} adversarial, {len(plan) - n_graded} unreadable) graded in "
          f"{seconds:.0f} s ({seconds / len(plan):.1f} s per submission), exit code {proc.returncode}")
    return {"root": root, "plan": plan, "proc": proc, "seconds": seconds, "report_rows": report_rows,
            "report": report, "grades": grades}


def gradebook_rows(root: Path, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(f"file:{root / 'gradebook.db'}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def effective(v: tuple) -> float:
    """The score a grade counts for: the manual score when set (a withheld test has 0), else the auto score."""
    auto, manual, _ = v
    return manual if manual is not None else (auto or 0)


def cell_scores(root: Path) -> dict[tuple[str, str, str], tuple[float | None, float | None, float]]:
    """(student, assignment, grade cell) -> (auto_score, manual_score, max_score), read with sqlite3."""
    rows = gradebook_rows(root, """
        SELECT sa.student_id, a.name, bc.name, g.auto_score, g.manual_score, gc.max_score
        FROM grade g
        JOIN base_cell bc ON g.cell_id = bc.id
        JOIN grade_cells gc ON gc.id = bc.id
        JOIN submitted_notebook sn ON g.notebook_id = sn.id
        JOIN submitted_assignment sa ON sn.assignment_id = sa.id
        JOIN assignment a ON sa.assignment_id = a.id""")
    out: dict = {}
    for student, assignment, name, auto, manual, mx in rows:
        key = (student, assignment, name)
        if key in out:
            raise AssertionError(f"two grades for {key}")
        out[key] = (auto, manual, mx)
    return out


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------

def graded_subs(stress) -> list[Sub]:
    """The submissions nbgrader graded (every readable one, except refusable ones it refused)."""
    return [s for s in stress["plan"] if stress["report"][(s.student, s.course)]["graded"] == "True"]


@pytest.mark.slow
def test_the_batch_is_big_and_mixed(stress):
    plan = stress["plan"]
    assert len(plan) >= 50
    assert sum(s.honest for s in plan) >= 30 and sum(not s.honest for s in plan) >= 20
    assert {s.course for s in plan} == set(COURSES)
    assert len({(s.student, s.course) for s in plan}) == len(plan)
    # every task of every exercise is worth some points (the expected scores above read them)
    for c in COURSES:
        src = load(ROOT / "modules" / c / "exercise.ipynb")
        assert len(task_points(src)) == n_tasks(src) and all(p > 0 for p in task_points(src).values()), c


@pytest.mark.slow
def test_the_batch_finishes_within_its_timeouts(stress):
    proc = stress["proc"]
    # exit code 1: the run finished and reported the submissions it could not grade
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert stress["seconds"] < BATCH_TIMEOUT
    for s in stress["plan"]:
        row = stress["report"][(s.student, s.course)]
        if s.timed_out and row["graded"] == "True":
            assert row["timed_out_cells"].split("; ") == list(s.timed_out), row
    # the plain infinite loops are always stopped by the per-cell timeout and graded
    loops = [s for s in stress["plan"] if s.kind in ("loop-task2", "loop-last")]
    assert loops and all(stress["report"][(s.student, s.course)]["graded"] == "True" for s in loops)


@pytest.mark.slow
def test_every_submission_is_reported_once(stress):
    keys = [(r["student"], r["assignment"]) for r in stress["report_rows"]]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(s.student, s.course) for s in stress["plan"]}
    for s in stress["plan"]:
        row = stress["report"][(s.student, s.course)]
        if s.readable and not s.refusable:
            assert row["graded"] == "True" and row["error"] == "", row
        elif row["graded"] != "True":  # unreadable, or refused: said so, and nothing credited
            assert row["error"], row
            assert row["score"] in ("", "0", "0.0"), row
    unreadable = [s for s in stress["plan"] if not s.readable]
    assert unreadable and all(stress["report"][(s.student, s.course)]["graded"] == "False" for s in unreadable)


@pytest.mark.slow
def test_gradebook_holds_each_graded_submission_exactly_once(stress):
    root, plan = stress["root"], stress["plan"]
    rows = gradebook_rows(root, """
        SELECT sa.student_id, a.name, COUNT(*) FROM submitted_assignment sa
        JOIN assignment a ON sa.assignment_id = a.id GROUP BY sa.student_id, a.name""")
    counts = {(st_, a): n for st_, a, n in rows}
    assert all(n == 1 for n in counts.values()), {k: n for k, n in counts.items() if n != 1}
    graded = {(s.student, s.course) for s in graded_subs(stress)}
    assert graded <= set(counts), sorted(graded - set(counts))
    assert set(counts) <= {(s.student, s.course) for s in plan}  # nothing recorded that was not submitted
    # a submission not graded is either absent or recorded once with nothing earned
    scores = cell_scores(root)
    for key in set(counts) - graded:
        got = [effective(v) for (st_, a, _), v in scores.items() if (st_, a) == key]
        assert sum(got) == 0, (key, got)
    # one notebook per graded submission, holding exactly the instructor's graded cells at the instructor's points
    nb_counts = gradebook_rows(root, """
        SELECT sa.student_id, a.name, COUNT(sn.id) FROM submitted_assignment sa
        JOIN assignment a ON sa.assignment_id = a.id
        LEFT JOIN submitted_notebook sn ON sn.assignment_id = sa.id GROUP BY sa.id""")
    for st_, a, n in nb_counts:
        if (st_, a) in graded:
            assert n == 1, (st_, a, n)
    for s in graded_subs(stress):
        cells = {name: v for (st_, a, name), v in scores.items()
                 if (st_, a) == (s.student, s.course) and name != "id_check"}  # the 0-point id check
        assert set(cells) == {f"task{k}_test" for k in range(1, s.tasks + 1)}, (s.student, s.course, sorted(cells))
        tp = task_points(load(ROOT / "modules" / s.course / "exercise.ipynb"))
        assert all(v[2] == tp[int(name[4:-5])] for name, v in cells.items()), (s.student, s.course, cells)


@pytest.mark.slow
def test_gradebook_api_agrees(stress):
    from nbgrader.api import Gradebook

    root = stress["root"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for c in COURSES:
            a = gb.find_assignment(c)
            students = [sub.student.id for sub in a.submissions]
            assert len(students) == len(set(students)), c
            assert a.max_score == sum(task_points(load(ROOT / "modules" / c / "exercise.ipynb")).values())
        for s in graded_subs(stress):
            sub = gb.find_submission(s.course, s.student)
            row = stress["report"][(s.student, s.course)]
            assert float(row["score"]) == sub.score and float(row["max_score"]) == sub.max_score == s.full
            assert float(stress["grades"][(s.student, s.course)]["score"]) == sub.score


@pytest.mark.slow
@pytest.mark.parametrize("kind", HONEST)
def test_honest_submissions_get_their_exact_scores(stress, kind):
    scores = cell_scores(stress["root"])
    subs = [s for s in stress["plan"] if s.kind == kind]
    assert len(subs) == len(BLANK_COURSES if kind == "blank" else COURSES)
    for s in subs:
        row = stress["report"][(s.student, s.course)]
        assert row["graded"] == "True", row
        assert float(row["score"]) == s.exact, (s.course, row)
        assert float(row["max_score"]) == s.full
        for k in s.zero_tasks:
            assert effective(scores[(s.student, s.course, f"task{k}_test")]) == 0, (s.course, k)
        assert row["review"] == "", row  # honest work is not flagged for review
        assert row["withheld"] == "", row  # and its credit is confirmed outside the kernel


@pytest.mark.slow
@pytest.mark.parametrize("kind", ADVERSARIAL)
def test_adversarial_submissions_get_no_unearned_credit(stress, kind):
    (s,) = [s for s in stress["plan"] if s.kind == kind]
    row = stress["report"][(s.student, s.course)]
    if row["graded"] != "True":
        # unreadable or refused: reported, nothing credited (checked in the tests above)
        assert not s.readable or s.refusable, row
        return
    scores = cell_scores(stress["root"])
    score, max_score = float(row["score"]), float(row["max_score"])
    assert max_score == s.full, row  # forged points or cells never raise the maximum
    assert score <= s.earned, (s.course, row)
    for k in s.zero_tasks:
        assert effective(scores[(s.student, s.course, f"task{k}_test")]) == 0, (s.course, k, row)
    if s.exact is not None:
        assert score == s.exact, (s.course, row)


@pytest.mark.slow
@pytest.mark.parametrize("kind", [k for k in ADVERSARIAL if k.startswith(("assert", "checks"))])
def test_kernel_tampering_is_flagged_for_review(stress, kind):
    (s,) = [s for s in stress["plan"] if s.kind == kind]
    assert stress["report"][(s.student, s.course)]["review"], kind


@pytest.mark.slow
@pytest.mark.parametrize("kind", [k for k in ADVERSARIAL if "checks-replaced" in k])
def test_disabled_checks_have_their_points_withheld_with_a_reason(stress, kind):
    """The wrong last task passed the disabled in-kernel checks; the pipeline withheld it and says why."""
    (s,) = [s for s in stress["plan"] if s.kind == kind]
    row = stress["report"][(s.student, s.course)]
    assert row["graded"] == "True", row
    assert f"task{s.tasks}_test: " in row["withheld"], row
    if kind == "unflagged-checks-replaced":  # the scan misses it; the re-check outside the kernel does not
        assert row["review"] == "", row
        assert "left no record" in row["withheld"], row
    with_grades = cell_scores(stress["root"])
    auto, manual, _ = with_grades[(s.student, s.course, f"task{s.tasks}_test")]
    # withheld: a manual score of 0 over nbgrader's own auto score (kept for the review command)
    assert manual == 0.0 and effective((auto, manual, None)) == 0, (auto, manual)
    needs = gradebook_rows(stress["root"], """
        SELECT g.needs_manual_grade FROM grade g JOIN base_cell bc ON g.cell_id = bc.id
        JOIN submitted_notebook sn ON g.notebook_id = sn.id JOIN submitted_assignment sa ON sn.assignment_id = sa.id
        JOIN assignment a ON sa.assignment_id = a.id WHERE sa.student_id = ? AND a.name = ? AND bc.name = ?""",
        s.student, s.course, f"task{s.tasks}_test")
    assert needs == [(1,)], needs  # left for the instructor to grade by hand


# ---------------------------------------------------------------------------
# the builder itself (fast; no nbgrader)
# ---------------------------------------------------------------------------


def test_wrong_answer_is_rejected_by_every_check():
    """The sentinel fails each check the hidden tests use, whatever the expected value."""
    import math

    from mtss_teach import exercises as ex

    value = ast.literal_eval(WRONG)
    g = ex.Grader("02-screening", "stress-check")
    for check in (lambda: g.close(value, 0.5, "x"), lambda: g.close(value, math.nan, "x"),
                  lambda: g.equal(value, None, "x"), lambda: g.equal(value, True, "x"),
                  lambda: g.equal(value, "continue", "x"), lambda: g.equal(value, 3, "x"),
                  lambda: g.same_ids(value, ["WRONG ANSWER"], "x"), lambda: g.same_function(value, [1], [1], "x")):
        with pytest.raises(AssertionError):
            check()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(course=st.sampled_from(COURSES), kind=st.sampled_from(ADVERSARIAL + HONEST + ["unreadable-bad-cells"]))
def test_property_every_recipe_builds_a_notebook_for_every_course(course, kind):
    """Any kind on any assignment gives a notebook nbgrader can read (or the intended unreadable bytes)."""
    import nbformat

    src = load(ROOT / "modules" / course / "exercise.ipynb")
    rel = copy.deepcopy(src)  # the released notebook's shape: stubs instead of solutions
    for k in range(1, n_tasks(src) + 1):
        cell(rel, f"task{k}_answer")["source"] = "raise NotImplementedError()\n"
    if kind in HONEST:
        (sub, nb), = [(s, n) for s, n in honest_subs(course, src, rel) if s.kind == kind]
    else:
        sub, nb = adversarial_sub(kind, course, src, rel)
    assert sub.earned <= sub.full and (sub.exact is None or sub.exact <= sub.earned or not sub.readable)
    if sub.readable:
        parsed = nbformat.reads(json.dumps(nb), as_version=4)
        code = [c for c in parsed.cells if c.cell_type == "code"]
        for c in code:
            if "nbgrader" not in c.metadata or not c.metadata["nbgrader"].get("locked"):
                compile(c.source, "<cell>", "exec")  # every learner cell is valid Python
    else:
        with pytest.raises(Exception):
            nbformat.validate(nbformat.reads(nb.decode("utf-8", errors="strict"), as_version=4))


# ---------------------------------------------------------------------------
# a notebook whose cells are not cells
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_notebook_with_non_cell_cells_is_reported_and_the_batch_goes_on(stress, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(stress["root"], root, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    subs = tmp_path / "submissions"
    course = COURSES[1]
    src = load(ROOT / "modules" / course / "exercise.ipynb")
    rel = load(root / "release" / course / "exercise.ipynb")
    sub, data = adversarial_sub("unreadable-bad-cells", course, src, rel)
    write_nb(subs, sub.student, course, data)
    (good, nb), = [(s, n) for s, n in honest_subs(course, src, rel) if s.kind == "full"]
    good.student = "full-2"
    write_nb(subs, good.student, course, set_learner(nb, good.student))
    proc = grading_cli("--course-dir", str(root), "autograde", str(subs), "--timeout", str(CELL_TIMEOUT),
                       "--no-feedback", timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]  # finished, with one submission it could not grade
    with open(root / "grading_report.csv", newline="", encoding="utf-8") as fh:
        report = {r["student"]: r for r in csv.DictReader(fh)}
    assert report[sub.student]["graded"] == "False" and report[sub.student]["error"]
    assert float(report[good.student]["score"]) == good.exact
