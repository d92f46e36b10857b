"""The grading pipeline with the real nbgrader CLI, for every assignment.

A temporary copy of the course (nbgrader_config.py + modules/*/exercise.ipynb,
plus decoy lesson/app/facilitator/template files) is generated and
autograded with ``python -m mtss_teach.grading``, which runs ``nbgrader``.
To stay within CI time on two cores, the ten assignments are split over two
course copies graded in parallel, each in ONE autograde batch.

Submissions, for every assignment (students are folder names):

- ``ada``: the source notebook with solutions (LEARNER_ID "ada") -> full marks;
- ``ben``: the released notebook, unanswered -> zero, graded without crashing;
- ``cy``: only tasks 1 and 3 answered, and an infinite loop in task 2 (one that waits,
  see ``LOOP``) ->
  the loop is stopped by the timeout and recorded, and the notebook gets
  exactly the points of tasks 1 and 3 while the rest of the batch is graded;
- ``tam``: notebook-file tampering: task 1 wrong with its test cell deleted,
  task 2 wrong with its test cell edited, task 3 wrong with its test cell's
  metadata altered (a different alteration per assignment), task 4 right
  -> exactly task 4's points;
- ``ivy``: kernel tampering ("assert redefined" and friends, a different
  trick per assignment) in task 1's answer cell (or before the setup cell),
  with task 1 wrong and the other tasks right -> zero: the integrity guard
  fails the tests after the trick, and where it does not, the pipeline
  withholds them because the tamper scan flags the code (listed in the
  report's ``withheld`` column, left for manual grading);
- for a third of the assignments each: ``dee`` (another learner id, full
  solutions -> full marks), ``fay`` (ada's notebook copied as it is, with
  LEARNER_ID "ada" -> the typed id's scenario is graded, so full marks, but
  the submission "needs review: id mismatch (typed ada, graded as fay)" in
  the report and grades.csv) and ``gus`` (ada's answers typed in as values
  under gus's own id -> loses points).

Expected scores are decided by hand from the tasks' points.
"""

from __future__ import annotations

import ast
import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
COURSES = sorted(p.parent.name for p in (ROOT / "modules").glob("*/exercise.ipynb"))
HALVES = (COURSES[: len(COURSES) // 2], COURSES[len(COURSES) // 2:])
TIMEOUT = 10  # seconds per cell in these tests (the course default is 60)
DECOYS = ("lesson.md", "facilitator.md", "app.ipynb", "selfcheck.yml", "templates/agenda.docx", "notes.pdf")
DEE_COURSES = set(COURSES[0::3])  # a second learner with full solutions
GUS_COURSES = set(COURSES[1::3])  # typed-in answers of another learner
FAY_COURSES = set(COURSES[2::3])  # another learner's notebook, copied

# Kernel tampering, one per assignment (rotated). "guard": the integrity guard
# fails every test after the trick; "withheld": the trick changes nothing in
# the kernel (the tests after it pass), but the tamper scan flags it, so the
# pipeline withholds every test after it. Either way the submission scores 0.
KERNEL_TRICKS = [
    ("assertion_error_rebound_in_notebook", "withheld", """
AssertionError = type("AssertionError", (Exception,), {})
def assert_equal(*args, **kwargs):
    return None
"""),
    ("assertion_error_rebound_in_builtins", "guard", """
import builtins
builtins.AssertionError = type("AssertionError", (Exception,), {})
"""),
    ("checker_replaced", "guard", """
import mtss_teach.exercises as _m
_nothing = lambda *args, **kwargs: None
for _name in ("close", "equal", "same_ids", "same_function"):
    setattr(_m.Grader, _name, _nothing)
for _name in ("expect_number", "expect_choice", "expect_bool", "expect_ids", "expect_callable"):
    setattr(_m, _name, _nothing)
"""),
    ("comparisons_replaced", "guard", """
import builtins, math
builtins.abs = lambda x: 0
math.isclose = lambda *args, **kwargs: True
"""),
    ("library_replaced", "guard", """
import mtss_teach.behavior, mtss_teach.equity, mtss_teach.fidelity, mtss_teach.norms
import mtss_teach.progress, mtss_teach.screening
for _mod in (mtss_teach.behavior, mtss_teach.equity, mtss_teach.fidelity, mtss_teach.norms,
             mtss_teach.progress, mtss_teach.screening):
    for _name in _mod.__all__:
        if callable(getattr(_mod, _name)) and not isinstance(getattr(_mod, _name), type):
            setattr(_mod, _name, lambda *args, **kwargs: None)
"""),
    ("tracebacks_hidden", "withheld", """
import sys
get_ipython().showtraceback = lambda *args, **kwargs: None
sys.excepthook = lambda *args: None
"""),
    ("numpy_patched_before_setup", "guard", None),  # goes into the LEARNER_ID cell
]

# cy's task 2: a loop that never ends. It waits rather than spins, so ten of them (one per
# assignment) do not take ten times the per-cell limit of a CPU core from the rest of the test
# run; the time limit stops it the same way (an interrupt at the limit). Spinning loops
# (``while True: pass``), and one that swallows the interrupt, are in tests/test_grading_stress.py.
LOOP = "import time\nwhile True:\n    time.sleep(0.2)\n"

# Altered metadata of task 3's test cell (rotated), each with its source emptied.
METADATA_TRICKS = [
    ("points_raised", lambda m: m["nbgrader"].update(points=100)),
    ("not_a_grade_cell", lambda m: m["nbgrader"].update(grade=False, locked=False)),
    ("nbgrader_metadata_removed", lambda m: m.pop("nbgrader")),
    ("grade_id_renamed", lambda m: m["nbgrader"].update(grade_id="zzz_not_a_test")),
    ("made_a_solution_cell", lambda m: m["nbgrader"].update(solution=True, locked=False)),
]


# ---------------------------------------------------------------------------
# notebook helpers (plain JSON, the way a learner's file arrives)
# ---------------------------------------------------------------------------


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def src_of(cell: dict) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def gid(cell: dict) -> str | None:
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if gid(c) == grade_id)


def set_learner(nb: dict, lid: str, extra: str = "") -> dict:
    for c in nb["cells"]:
        if c["cell_type"] == "code" and "nbgrader" not in c.get("metadata", {}) and "LEARNER_ID =" in src_of(c):
            c["source"] = extra + f'LEARNER_ID = "{lid}"\n'
            return nb
    raise AssertionError("no LEARNER_ID cell")


def solution_body(src_nb: dict, k: int) -> str:
    lines = src_of(cell(src_nb, f"task{k}_answer")).splitlines()
    return "\n".join(ln for ln in lines if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln) + "\n"


def points(src_nb: dict) -> dict[int, float]:
    out = {}
    for c in src_nb["cells"]:
        g = gid(c)
        if g and g.startswith("task") and g.endswith("_test"):
            out[int(g[4:-5])] = float(c["metadata"]["nbgrader"]["points"])
    return out


def answer_names(src_nb: dict, k: int) -> list[str]:
    """Names the task's test cell reads that the task's solution defines."""
    defined = []
    for node in ast.parse(solution_body(src_nb, k)).body:
        if isinstance(node, ast.FunctionDef):
            defined.append(node.name)
        elif isinstance(node, ast.Assign):
            defined += [t.id for t in node.targets if isinstance(t, ast.Name)]
    used = {n.id for n in ast.walk(ast.parse(src_of(cell(src_nb, f"task{k}_test")))) if isinstance(n, ast.Name)}
    return [n for n in dict.fromkeys(defined) if n in used]


def answers(course: str, lid: str) -> dict:
    """The source solutions' answers for one learner (executed here, without the tests)."""
    src_nb = load(ROOT / "modules" / course / "exercise.ipynb")
    ns: dict = {"LEARNER_ID": lid}
    exec(src_of(cell(src_nb, "setup")), ns)
    for k in points(src_nb):
        exec(solution_body(src_nb, k), ns)
    return ns


VOCAB = [["above", "at", "below", "well_below"], ["full", "half", "empty"],
         ["raise_goal", "continue", "change_intervention", "collect_more_data"]]


def literal(v) -> str:
    import numpy as np

    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v != v:
        return 'float("nan")'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(literal(x) for x in v) + "]"
    return repr(v)


def wrong(v):
    """A value of the same kind that is certainly not ``v``."""
    import numpy as np

    if isinstance(v, np.generic):
        v = v.item()
    if v is None:
        return 6
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        if v != v:
            return 1.0
        return round((v + 0.5) % 1.0, 6) if 0 <= v <= 1 else v + 1.5
    if isinstance(v, str):
        for words in VOCAB:
            if v in words:
                return next(w for w in words if w != v)
        return "1.1" if v != "1.1" and v.count(".") == 1 else v + "-x"
    if isinstance(v, list):
        return v[1:] if v else [0]
    raise TypeError(type(v))


def typed_in(course: str, k: int, values: dict, make_wrong: bool) -> str:
    """Task k's answers typed in as values (functions: a constant function)."""
    src_nb = load(ROOT / "modules" / course / "exercise.ipynb")
    out = []
    for name in answer_names(src_nb, k):
        v = values[name]
        if callable(v):
            if not make_wrong:
                return solution_body(src_nb, k)  # another learner's function code, as it is
            out.append(f"def {name}(*args):\n    return {literal(v(0))}")
        else:
            out.append(f"{name} = {literal(wrong(v) if make_wrong else v)}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------


def make_course(base: Path, courses) -> Path:
    base.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", base / "nbgrader_config.py")
    for c in courses:
        d = base / "modules" / c
        d.mkdir(parents=True)
        shutil.copy(ROOT / "modules" / c / "exercise.ipynb", d / "exercise.ipynb")
        for decoy in DECOYS:
            (d / decoy).parent.mkdir(parents=True, exist_ok=True)
            (d / decoy).write_text("decoy: must not be released\n")
    return base


def write(subs: Path, student: str, course: str, nb: dict) -> None:
    d = subs / student / course
    d.mkdir(parents=True, exist_ok=True)
    (d / "exercise.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")


def build_submissions(root: Path, subs: Path, courses, plan: dict) -> None:
    for i, course in enumerate(courses):
        n = COURSES.index(course)
        src = load(ROOT / "modules" / course / "exercise.ipynb")
        rel = load(root / "release" / course / "exercise.ipynb")
        pts = points(src)
        full = sum(pts.values())
        exp = plan.setdefault(course, {"points": pts, "students": {}})["students"]

        def released(lid, extra=""):
            return set_learner(copy.deepcopy(rel), lid, extra)

        def answer(nb, k, body):
            cell(nb, f"task{k}_answer")["source"] = body

        write(subs, "ada", course, set_learner(copy.deepcopy(src), "ada"))
        exp["ada"] = ("exactly", full)
        write(subs, "ben", course, released("ben"))
        exp["ben"] = ("exactly", 0.0)
        nb = released("cy")
        for k in (1, 3):
            answer(nb, k, solution_body(src, k))
        answer(nb, 2, LOOP)
        write(subs, "cy", course, nb)
        exp["cy"] = ("exactly", pts[1] + pts[3])

        # notebook-file tampering
        mine = answers(course, "tam")
        nb = released("tam")
        for k in (1, 2, 3):
            answer(nb, k, typed_in(course, k, mine, make_wrong=True))
        answer(nb, 4, solution_body(src, 4))
        for k in range(5, max(pts) + 1):
            answer(nb, k, solution_body(src, k))
        nb["cells"].remove(cell(nb, "task1_test"))
        cell(nb, "task2_test")["source"] = "pass\n"
        t3 = cell(nb, "task3_test")
        mname, mtrick = METADATA_TRICKS[n % len(METADATA_TRICKS)]
        mtrick(t3["metadata"])
        t3["source"] = "pass\n"
        write(subs, "tam", course, nb)
        exp["tam"] = ("exactly", sum(p for k, p in pts.items() if k >= 4), {"metadata_trick": mname})

        # kernel tampering
        tname, outcome, code = KERNEL_TRICKS[n % len(KERNEL_TRICKS)]
        mine = answers(course, "ivy")
        if code is None:
            nb = released("ivy", extra="import numpy as np\nnp.median = lambda *args, **kwargs: 0.0\n")
            code = ""
        else:
            nb = released("ivy")
        answer(nb, 1, code.strip() + "\n" + typed_in(course, 1, mine, make_wrong=True))
        for k in range(2, max(pts) + 1):
            answer(nb, k, solution_body(src, k))
        write(subs, "ivy", course, nb)
        exp["ivy"] = ("exactly", 0.0, {"kernel_trick": tname, "outcome": outcome})

        if course in FAY_COURSES:
            write(subs, "fay", course, set_learner(copy.deepcopy(src), "ada"))  # a copied notebook
            exp["fay"] = ("exactly", full)
        if course in DEE_COURSES:
            write(subs, "dee", course, set_learner(copy.deepcopy(src), "dee"))
            exp["dee"] = ("exactly", full)
        if course in GUS_COURSES:
            theirs = answers(course, "ada")
            nb = released("gus")
            for k in pts:
                answer(nb, k, typed_in(course, k, theirs, make_wrong=False))
            write(subs, "gus", course, nb)
            exp["gus"] = ("less_than", full)


def cli(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mtss_teach.grading", *args], cwd=str(cwd),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, what: str, ok_codes=(0,)) -> str:
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode in ok_codes, f"{what} exited {proc.returncode}:\n{out[-4000:]}"
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    roots = [make_course(base / f"course{i}", half) for i, half in enumerate(HALVES)]
    gens = [cli("--course-dir", str(r), "generate", cwd=base) for r in roots]
    for g in gens:
        finish(g, "generate")
    plan: dict = {}
    for r, half in zip(roots, HALVES):
        build_submissions(r, base / f"subs_{r.name}", half, plan)
    runs = [cli("--course-dir", str(r), "autograde", str(base / f"subs_{r.name}"), "--timeout", str(TIMEOUT), cwd=base)
            for r in roots]
    logs = [finish(p, "autograde", ok_codes=(0, 1)) for p in runs]
    report, grades, cells = {}, {}, {}
    from nbgrader.api import Gradebook, MissingEntry

    for r in roots:
        with open(r / "grading_report.csv", newline="") as fh:
            for row in csv.DictReader(fh):
                report[(row["student"], row["assignment"])] = row
        with open(r / "grades.csv", newline="") as fh:
            for row in csv.DictReader(fh):
                grades[(row["student_id"], row["assignment"])] = row
        with Gradebook(f"sqlite:///{r / 'gradebook.db'}") as gb:
            for course in plan:
                for student in plan[course]["students"]:
                    for k in plan[course]["points"]:
                        try:
                            g = gb.find_grade(f"task{k}_test", "exercise", course, student)
                            cells[(student, course, k)] = (g.score, g.max_score)
                        except MissingEntry:
                            pass
    return {"roots": roots, "plan": plan, "report": report, "grades": grades, "cells": cells, "logs": logs}


def submissions(kind=None):
    out = []
    for course in COURSES:
        for student in ("ada", "ben", "cy", "tam", "ivy", "dee", "fay", "gus"):
            if kind and student != kind:
                continue
            if (student == "dee" and course not in DEE_COURSES or student == "gus" and course not in GUS_COURSES
                    or student == "fay" and course not in FAY_COURSES):
                continue
            out.append((student, course))
    return out


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_release_holds_only_the_exercise_notebooks(batch):
    for root, half in zip(batch["roots"], HALVES):
        released = sorted(str(p.relative_to(root / "release")) for p in (root / "release").rglob("*") if p.is_file())
        assert released == sorted(f"{c}/exercise.ipynb" for c in half)


@pytest.mark.slow
def test_released_notebooks_have_no_solutions_or_hidden_tests(batch):
    for root, half in zip(batch["roots"], HALVES):
        for c in half:
            text = (root / "release" / c / "exercise.ipynb").read_text()
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "_ex.Grader(" not in text
            assert "raise NotImplementedError()" in text


@pytest.mark.slow
@pytest.mark.parametrize("student, course", submissions())
def test_expected_score(batch, student, course):
    spec = batch["plan"][course]["students"][student]
    kind, want = spec[0], spec[1]
    row = batch["report"][(student, course)]
    assert row["graded"] == "True", row
    score, max_score = float(row["score"]), float(row["max_score"])
    assert max_score == sum(batch["plan"][course]["points"].values())
    if kind == "exactly":
        assert score == want, (row, spec)
    else:
        assert score < want, (row, spec)
    # the exported CSV agrees with the gradebook
    assert float(batch["grades"][(student, course)]["score"]) == score
    if student == "fay":  # a classmate's notebook: graded for the typed id, and the instructor is told
        for where in (row, batch["grades"][(student, course)]):
            assert where["state"] == "needs review", where
            assert "id mismatch (typed ada, graded as fay)" in where["reason"], where
    elif student in ("ada", "dee", "ben", "gus"):
        assert row["state"] == "graded" and row["reason"] == "", row
    elif student == "cy":  # an infinite loop, stopped: graded, and the instructor is told
        assert row["state"] == "needs review" and "time limit: task2_answer" in row["reason"], row


@pytest.mark.slow
@pytest.mark.parametrize("student, course", submissions("tam"))
def test_tampered_test_cells_earn_nothing(batch, student, course):
    pts = batch["plan"][course]["points"]
    got = {k: batch["cells"][(student, course, k)] for k in pts}
    # task 1: test cell deleted -> put back by nbgrader and run; task 2: edited -> restored;
    # task 3: metadata altered -> restored (its max stays the instructor's)
    for k in (1, 2, 3):
        assert got[k] == (0.0, pts[k]), (k, got[k])
    assert got[4] == (pts[4], pts[4])
    row = batch["report"][(student, course)]
    trick = batch["plan"][course]["students"][student][2]["metadata_trick"]
    if trick != "nbgrader_metadata_removed":  # otherwise nothing to restore: nbgrader re-inserts the cell
        assert "task3_test" in row["metadata_restored"] or "zzz_not_a_test" in row["metadata_restored"], row


@pytest.mark.slow
@pytest.mark.parametrize("student, course", submissions("ivy"))
def test_kernel_tampering_is_flagged_for_review(batch, student, course):
    row = batch["report"][(student, course)]
    assert row["review"], row  # the scan lists the trick for the instructor


@pytest.mark.slow
@pytest.mark.parametrize("student, course", submissions("ivy"))
def test_flagged_tampering_has_the_later_tests_withheld(batch, student, course):
    spec = batch["plan"][course]["students"][student][2]
    row = batch["report"][(student, course)]
    withheld = [w.split(": ", 1)[0] for w in row["withheld"].split("; ")] if row["withheld"] else []
    if spec["outcome"] == "withheld":  # tasks 2.. passed in the kernel; each one is withheld, with the scan's reason
        later = [f"task{k}_test" for k in sorted(batch["plan"][course]["points"]) if k >= 2]
        assert withheld == later, row
        assert "changes the grading environment" in row["withheld"], row
    else:  # the guard already failed them: nothing credited, nothing to withhold
        assert withheld == [], row
    assert all(batch["cells"][(student, course, k)][0] == 0.0 for k in batch["plan"][course]["points"])


@pytest.mark.slow
@pytest.mark.parametrize("student, course", [(s, c) for s, c in submissions() if s in ("ada", "dee", "ben", "cy")])
def test_honest_credit_is_never_withheld(batch, student, course):
    assert batch["report"][(student, course)]["withheld"] == ""


@pytest.mark.slow
@pytest.mark.parametrize("student, course", submissions("cy"))
def test_infinite_loop_is_stopped_and_recorded(batch, student, course):
    row = batch["report"][(student, course)]
    assert row["timed_out_cells"] == "task2_answer", row
    assert row["graded"] == "True"
    assert batch["cells"][(student, course, 2)][0] == 0.0


@pytest.mark.slow
def test_every_submission_is_recorded_once(batch):
    from nbgrader.api import Gradebook

    for root, half in zip(batch["roots"], HALVES):
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            for c in half:
                subs = [s.student.id for s in gb.find_assignment(c).submissions]
                assert len(subs) == len(set(subs))
                assert sorted(subs) == sorted(s for s, cc in submissions() if cc == c)


@pytest.mark.slow
def test_feedback_html_is_written_without_hidden_tests(batch):
    for root, half in zip(batch["roots"], HALVES):
        for student, course in submissions():
            if course not in half:
                continue
            f = root / "feedback" / student / course / "exercise.html"
            assert f.is_file(), f
        text = (root / "feedback" / "ada" / half[0] / "exercise.html").read_text()
        assert "_ex.Grader(" not in text and "BEGIN HIDDEN TESTS" not in text


def test_scan_flags_the_usual_tricks():
    from mtss_teach.grading import scan_source

    for _, _, code in KERNEL_TRICKS:
        if code is not None:
            assert scan_source(code), code
    assert scan_source("import numpy as np\nnp.median = lambda *a, **k: 0.0")
    for honest in ("acc = screening.classification_accuracy(s, r, 40)\nsensitivity = acc.sensitivity",
                   "def tier_for(score):\n    return 1 if score > 40 else 2",
                   "rooms = [r for r, g in m.groupby('classroom')]\nm['x'] = 1"):
        assert scan_source(honest) == [], honest


def test_cli_reports_a_missing_course(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mtss_teach.grading", "--course-dir", str(tmp_path), "generate"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode != 0


def test_the_grading_package_imports_without_nbgrader():
    """The re-check worker imports the package once per autograde run: nbgrader (and jsonschema) stay out."""
    code = ("import sys, mtss_teach.grading\n"
            "print(sorted(m for m in ('nbgrader', 'nbformat', 'jsonschema') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]", proc.stdout


def test_restore_metadata_puts_back_the_instructors_cells():
    from mtss_teach.grading import _restore_metadata

    canonical = {
        "t1": {"grade": True, "grade_id": "t1", "locked": True, "schema_version": 3, "solution": False,
               "task": False, "cell_type": "code", "checksum": "abc", "points": 2.0},
        "a1": {"grade": False, "grade_id": "a1", "locked": False, "schema_version": 3, "solution": True,
               "task": False, "cell_type": "code", "checksum": "def"},
    }
    nb = {"cells": [
        {"cell_type": "code", "source": "x = 1", "metadata": {"nbgrader": {"grade_id": "a1", "solution": True,
                                                                           "grade": False, "locked": False}}},
        {"cell_type": "code", "source": "pass", "metadata": {"nbgrader": {"grade_id": "t1", "grade": False,
                                                                          "points": 100, "locked": False}}},
        {"cell_type": "code", "source": "pass", "metadata": {"nbgrader": {"grade_id": "forged", "grade": True,
                                                                          "points": 50}}},
        {"cell_type": "code", "source": "pass", "metadata": {"nbgrader": {"grade_id": "t1"}}},  # a duplicate
    ]}
    changes = _restore_metadata(nb, canonical)
    assert nb["cells"][1]["metadata"]["nbgrader"]["points"] == 2.0
    assert nb["cells"][1]["metadata"]["nbgrader"]["grade"] is True and nb["cells"][1]["metadata"]["editable"] is False
    assert "nbgrader" not in nb["cells"][2]["metadata"] and "nbgrader" not in nb["cells"][3]["metadata"]
    assert nb["cells"][0]["metadata"]["nbgrader"]["solution"] is True
    assert len(changes) == 3  # t1 restored, forged removed, duplicate removed (a1 unchanged)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300) | st.just("x = 1\x00") | st.just("(" * 500))
def test_property_scan_never_crashes(text):
    from mtss_teach.grading import scan_source

    out = scan_source(text)
    assert isinstance(out, list) and all(isinstance(x, str) for x in out)


# ---------------------------------------------------------------------------
# credit confirmed outside the learner's kernel
# ---------------------------------------------------------------------------


def replay_job(course: str, k: int, lid: str, answers_: dict) -> dict:
    """A re-check job for task k: the instructor's setup and test cells, the given (encoded) answers."""
    src_nb = load(ROOT / "modules" / course / "exercise.ipynb")
    return {"cell": f"task{k}_test", "learner_id": lid, "setup": src_of(cell(src_nb, "setup")),
            "test": src_of(cell(src_nb, f"task{k}_test")), "answers": answers_}


def test_recorded_answers_are_rechecked_outside_the_kernel():
    """The re-check passes the instructor's answers and fails wrong, missing or malformed records."""
    from mtss_teach.exercises import encode_value
    from mtss_teach.grading import _replay_job

    course, lid = "02-screening", "ada"
    src_nb = load(ROOT / "modules" / course / "exercise.ipynb")
    right = answers(course, lid)  # the instructor's solutions, executed here
    # the tasks that record sensitivity and vendor_rating (task numbers come from the notebook)
    t_sens = next(k for k in points(src_nb) if "sensitivity" in answer_names(src_nb, k))
    t_vendor = next(k for k in points(src_nb) if "vendor_rating" in answer_names(src_nb, k))
    assert answer_names(src_nb, t_sens) == ["sensitivity"] and answer_names(src_nb, t_vendor) == ["vendor_rating"]
    enc = {n: encode_value(right[n]) for n in ("sensitivity", "vendor_rating")}
    assert _replay_job(replay_job(course, t_sens, lid, {"sensitivity": enc["sensitivity"]})) == ""
    assert _replay_job(replay_job(course, t_vendor, lid, {"vendor_rating": enc["vendor_rating"]})) == ""
    # the same answer re-checked against another learner's scenario fails (the learner id is the grader's)
    assert _replay_job(replay_job(course, t_sens, "someone-else", {"sensitivity": enc["sensitivity"]}))
    # wrong: a sensitivity 0.25 off, a rating that is another word
    off = {"sensitivity": encode_value(float(right["sensitivity"]) + 0.25 if right["sensitivity"] < 0.5
                                       else float(right["sensitivity"]) - 0.25)}
    assert "fails the test" in _replay_job(replay_job(course, t_sens, lid, off))
    other_word = next(w for w in ("full", "half", "empty") if w != right["vendor_rating"])
    assert _replay_job(replay_job(course, t_vendor, lid, {"vendor_rating": encode_value(other_word)}))
    # missing (no record of the task's answer), malformed, and a number recorded as text
    assert "could not be re-checked" in _replay_job(replay_job(course, t_sens, lid, {}))
    assert _replay_job(replay_job(course, t_vendor, lid, {"vendor_rating": {"t": "str"}}))
    assert _replay_job(replay_job(course, t_sens, lid, {"sensitivity": {"t": "str", "v": str(right["sensitivity"])}}))


def test_a_function_answer_is_replayed_from_its_recorded_outputs():
    from mtss_teach.exercises import encode_value
    from mtss_teach.grading import _replay_job

    course, lid = "01-foundations", "ada"
    fn = answers(course, lid)["needs_support"]  # the instructor's solution function
    xs = list(range(0, 221))  # the inputs task 2's hidden test uses
    calls = [[encode_value(x), encode_value(fn(x))] for x in xs]
    assert _replay_job(replay_job(course, 2, lid, {"needs_support": {"t": "function", "calls": calls}})) == ""
    flipped = [[encode_value(x), encode_value(not fn(x))] for x in xs]
    assert _replay_job(replay_job(course, 2, lid, {"needs_support": {"t": "function", "calls": flipped}}))
    assert _replay_job(replay_job(course, 2, lid, {"needs_support": {"t": "function", "calls": calls[:100]}}))
    raised = [[encode_value(x), {"t": "raised", "type": "ValueError"}] for x in xs]
    assert _replay_job(replay_job(course, 2, lid, {"needs_support": {"t": "function", "calls": raised}}))


def test_answer_encoding_keeps_what_the_checks_look_at():
    import math

    import numpy as np

    from mtss_teach.exercises import decode_value, encode_value

    for v in (None, True, False, 0, -3, 0.1, 1e-300, "continue", [3, 1, "a"]):
        back = decode_value(encode_value(v))
        assert back == v and type(back) is type(v), v
    assert math.isnan(decode_value(encode_value(float("nan"))))
    assert decode_value(encode_value(np.float64(0.5))) == 0.5 and type(decode_value(encode_value(np.int64(7)))) is int
    assert decode_value(encode_value(np.bool_(True))) is True
    assert decode_value(encode_value(np.array([4, 2]))) == [4, 2]
    # what no check accepts stays unacceptable: text "0.5" is not the number 0.5, an object is nothing
    assert decode_value(encode_value("0.5")) == "0.5"
    for v in (object(), {"a": 1}, [object()], 1j):
        assert encode_value(v)["t"] == "other"
        assert type(decode_value(encode_value(v))).__name__ == "_Unrecorded"


@pytest.mark.slow
def test_check_credit_withholds_missing_wrong_or_contradictory_records(batch, tmp_path):
    """Records edited after autograding: only the tests whose record still passes keep their points."""
    from nbgrader.api import Gradebook

    from mtss_teach.exercises import RECORD_MIME
    from mtss_teach.grading import SubmissionResult, _canonical_cells, _check_credit

    src_root = batch["roots"][0]
    course = "02-screening"
    assert course in HALVES[0]
    root = tmp_path / "course"
    shutil.copytree(src_root, root, ignore=shutil.ignore_patterns("feedback"))
    path = root / "autograded" / "ada" / course / "exercise.ipynb"
    nb = load(path)

    def records(c):
        return [o for o in c["outputs"] if RECORD_MIME in o.get("data", {})]

    assert len(records(cell(nb, "task1_test"))) == 1  # sensitivity, as autograded
    # task 1: the records removed (as if the checks never ran)
    t1 = cell(nb, "task1_test")
    t1["outputs"] = [o for o in t1["outputs"] if o not in records(t1)]
    # task 2: specificity recorded as a number no scenario gives (outside 0..1)
    for o in records(cell(nb, "task2_test")):
        if o["data"][RECORD_MIME]["name"] == "specificity":
            o["data"][RECORD_MIME]["value"] = {"t": "float", "v": "1.5"}
    # task 3: a second, different record for the same answer
    extra = copy.deepcopy(records(cell(nb, "task3_test"))[0])
    extra["data"][RECORD_MIME]["value"] = {"t": "float", "v": "0.0"}
    cell(nb, "task3_test")["outputs"].append(extra)
    path.write_text(json.dumps(nb), encoding="utf-8")

    res = SubmissionResult("ada", course, graded=True)
    _check_credit(root, [res], {course: _canonical_cells(root, course)}, bind_learner_id=True)
    assert [w.split(": ", 1)[0] for w in res.withheld] == ["task1_test", "task2_test", "task3_test"]
    assert "left no record" in res.withheld[0]
    assert "fails the test" in res.withheld[1]
    assert "two different answers" in res.withheld[2]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for k in (1, 2, 3):
            g = gb.find_grade(f"task{k}_test", "exercise", course, "ada")
            assert (g.score, g.needs_manual_grade) == (0.0, True), k
            assert g.manual_score == 0.0  # withheld: nbgrader's own auto score is kept for the review command
            comment = gb.find_comment(f"task{k}_answer", "exercise", course, "ada").comment
            assert comment and "withheld" in comment and f"task{k}_test" in comment, k
        pts = points(load(ROOT / "modules" / course / "exercise.ipynb"))
        for k in range(4, max(pts) + 1):
            g = gb.find_grade(f"task{k}_test", "exercise", course, "ada")
            assert (g.score, g.needs_manual_grade) == (pts[k], False), k
        assert gb.find_submission(course, "ada").score == sum(pts[k] for k in pts if k >= 4)


def test_scan_lets_pandas_options_through_and_nothing_else_of_pandas():
    from mtss_teach.grading import scan_source

    assert scan_source("import pandas as pd\npd.options.display.max_rows = 5\npd.options.display.precision = 2") == []
    assert scan_source("pandas.options.display.width = 120") == []
    assert scan_source("pd.options.mode.chained_assignment = None") == []
    assert scan_source("pd.options.mode.copy_on_write = False") == []
    assert scan_source("pd.options.display.max_rows[0].x = 1") != []
    assert scan_source("pd.read_csv = None") == ["line 1: assigns to pd.read_csv"]
    assert scan_source("pd.DataFrame.sum = lambda self: 0") == ["line 1: assigns to pd.DataFrame.sum"]
    assert scan_source("import pandas as p2\np2.Series.mean = len") == ["line 2: assigns to p2.Series.mean"]
