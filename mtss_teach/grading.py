"""One command per grading step, wrapping the real nbgrader CLI.

Run from the course root (the folder with ``nbgrader_config.py``; the
repository root by default)::

    python -m mtss_teach.grading generate
        # every modules/<course>/exercise.ipynb -> release/<course>/exercise.ipynb

    python -m mtss_teach.grading autograde SUBMISSIONS_DIR
        # SUBMISSIONS_DIR/<student>/<course>/exercise.ipynb -> autograded/,
        # then grades.csv (nbgrader export), feedback/<student>/<course>/exercise.html
        # (nbgrader generate_feedback) and grading_report.csv

    python -m mtss_teach.grading feedback      # feedback HTML only
    python -m mtss_teach.grading export        # grades.csv only

The gradebook is nbgrader's own SQLite database (``gradebook.db`` in the
course root). ``autograde``:

1. copies each submission into the course's ``submitted/`` folder, putting
   back the instructor's nbgrader metadata on every cell whose ``grade_id``
   the gradebook knows and removing forged nbgrader metadata (nbgrader
   itself then restores locked cells' source and re-inserts deleted test
   cells); a submission whose notebook cannot be read is reported, and the
   rest of the batch is graded;
2. runs ``nbgrader autograde`` once over the whole batch, with a per-cell
   timeout (``--timeout``, default 60 s): a cell that runs longer, such as
   an infinite loop, is interrupted and recorded as an error, and grading
   continues with the next cell and the next submission;
3. checks every test cell nbgrader credited before any score is used
   (``_check_credit``): the hidden tests' checks record the learner's
   answers in the cell's output, and the test is re-run on those recorded
   answers in a fresh process, outside the learner's kernel; a cell with a
   missing or failing record, or one that ran after learner code the
   tamper scan flags (:func:`scan_notebook`), has its points withheld
   (``auto_score`` 0, marked for manual grading in the gradebook, the reason
   in the comment on its answer cell);
4. exports the grades and writes the feedback;
5. writes ``grading_report.csv``: one row per submission with its score,
   whether it was graded, which cells timed out, any code in the
   learner-editable cells that tampers with the grading environment
   (``review``), and which tests' points were withheld and why
   (``withheld``), for the instructor to review.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

__all__ = [
    "find_course_root",
    "assignments",
    "run_nbgrader",
    "generate",
    "autograde",
    "export",
    "feedback",
    "scan_notebook",
    "SubmissionResult",
    "main",
]

NOTEBOOK = "exercise.ipynb"


class GradingError(RuntimeError):
    """A grading step could not run (no course, no nbgrader, bad folder)."""


# ---------------------------------------------------------------------------
# course layout
# ---------------------------------------------------------------------------


def find_course_root(start: str | os.PathLike | None = None) -> Path:
    """The folder holding ``nbgrader_config.py``.

    Looks in ``start`` (default: the current folder) and its parents, then
    in the repository this package was installed from.

    Examples
    --------
    >>> from mtss_teach.grading import find_course_root
    >>> (find_course_root() / "nbgrader_config.py").is_file()
    True
    """
    here = Path(start or os.getcwd()).resolve()
    for p in (here, *here.parents):
        if (p / "nbgrader_config.py").is_file():
            return p
    repo = Path(__file__).resolve().parents[1]
    if (repo / "nbgrader_config.py").is_file():
        return repo
    raise GradingError(f"no nbgrader_config.py in {here} or its parents; pass --course-dir")


def assignments(course_root: str | os.PathLike | None = None) -> list[str]:
    """Assignment ids: the ``modules/<course>`` folders that hold an exercise.

    Examples
    --------
    >>> from mtss_teach.grading import assignments
    >>> "02-screening" in assignments()
    True
    """
    root = Path(course_root) if course_root else find_course_root()
    src = root / "modules"
    return sorted(p.parent.name for p in src.glob(f"*/{NOTEBOOK}"))


def run_nbgrader(args: Sequence[str], course_root: str | os.PathLike, *, env: dict | None = None,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nbgrader ARGS`` in the course root; returns the process."""
    full_env = dict(os.environ)
    # nbgrader runs the `alembic` console script (and the kernel) from PATH:
    # put this environment's scripts first.
    full_env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), full_env.get("PATH", "")])
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "nbgrader", *args]
    return subprocess.run(cmd, cwd=str(course_root), env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def _check(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        raise GradingError(f"nbgrader {what} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")


# ---------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------


def generate(course_root: str | os.PathLike | None = None, assignment: str = "*") -> list[Path]:
    """``nbgrader generate_assignment`` for every course (or one); returns the released notebooks."""
    root = Path(course_root) if course_root else find_course_root()
    if assignment != "*" and assignment not in assignments(root):
        raise GradingError(f"assignment {assignment!r} has no modules/{assignment}/{NOTEBOOK}")
    proc = run_nbgrader(["generate_assignment", assignment, "--force"], root)
    _check(proc, "generate_assignment")
    wanted = assignments(root) if assignment == "*" else [assignment]
    out = [root / "release" / a / NOTEBOOK for a in wanted]
    missing = [str(p) for p in out if not p.is_file()]
    if missing:
        raise GradingError("generate_assignment did not write " + ", ".join(missing) + "\n" + proc.stderr[-3000:])
    return out


# ---------------------------------------------------------------------------
# metadata restoration before nbgrader sees a submission
# ---------------------------------------------------------------------------


def _canonical_cells(root: Path, assignment: str) -> dict[str, dict]:
    """grade_id -> the instructor's nbgrader metadata, read from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    db = f"sqlite:///{root / 'gradebook.db'}"
    out: dict[str, dict] = {}
    with Gradebook(db) as gb:
        try:
            nb = gb.find_notebook(NOTEBOOK[:-6], assignment)
        except MissingEntry:
            return out
        grade = {c.name: c for c in nb.grade_cells}
        solution = {c.name for c in nb.solution_cells}
        task = {c.name: c for c in nb.task_cells}
        for sc in nb.source_cells:
            meta = {
                "grade": sc.name in grade,
                "grade_id": sc.name,
                "locked": bool(sc.locked),
                "schema_version": 3,
                "solution": sc.name in solution,
                "task": sc.name in task,
                "cell_type": sc.cell_type,
                "checksum": sc.checksum,
            }
            if sc.name in grade:
                meta["points"] = float(grade[sc.name].max_score)
            elif sc.name in task:
                meta["points"] = float(task[sc.name].max_score)
            out[sc.name] = meta
    return out


def _restore_metadata(nb: dict, canonical: dict[str, dict]) -> list[str]:
    """Put the instructor's nbgrader metadata back; returns what was changed."""
    changes: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(nb.get("cells", [])):
        meta = cell.setdefault("metadata", {})
        nbg = meta.get("nbgrader")
        if nbg is None:
            continue
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        if not isinstance(gid, str) or gid not in canonical or gid in seen:
            del meta["nbgrader"]
            changes.append(f"cell {i}: removed nbgrader metadata with unknown or repeated grade_id {gid!r}")
            continue
        seen.add(gid)
        want = canonical[gid]
        keys = ("grade", "solution", "locked", "task", "points")
        if any(nbg.get(k, False if k != "points" else None) != want.get(k) for k in keys):
            changes.append(f"cell {gid}: nbgrader metadata restored")
        if want["locked"]:
            meta["editable"] = False
        if want["locked"] or want["grade"] or want["solution"]:
            meta["deletable"] = False
        meta["nbgrader"] = dict(want)
    return changes


# ---------------------------------------------------------------------------
# tamper scan of the learner-editable cells
# ---------------------------------------------------------------------------

_MODULE_ROOTS = {"mtss_teach", "np", "numpy", "pd", "pandas", "math", "scipy", "stats", "builtins", "sys",
                 "os", "importlib", "operator", "functools", "IPython", "ipykernel", "_ex", "nbgrader"}
_BAD_CALLS = {"setattr", "delattr", "exec", "eval", "compile", "__import__", "globals", "get_ipython",
              "vars", "breakpoint"}
_BAD_NAMES = {"__builtins__", "AssertionError", "Grader", "guard", "_SNAPSHOT"}
_BAD_ATTRS = {"__code__", "__class__", "__dict__", "__globals__", "__closure__", "__builtins__", "modules",
              "environ", "chdir", "putenv", "excepthook", "showtraceback", "_SNAPSHOT", "reload"}
_BAD_IMPORTS = {"builtins", "ctypes", "gc", "importlib", "signal", "inspect", "IPython", "ipykernel", "nbgrader",
                "mtss_teach.exercises", "_thread", "threading", "multiprocessing", "subprocess"}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _display_option(target: ast.AST) -> bool:
    """True for ``pd.options.display.<name> = ...`` (or ``pandas.``): a printing setting a learner may change."""
    try:
        text = ast.unparse(target)
    except Exception:  # pragma: no cover - unparse handles every expression ast.parse makes
        return False
    parts = text.split(".")
    return (len(parts) >= 4 and parts[0] in ("pd", "pandas") and parts[1:3] == ["options", "display"]
            and all(p.isidentifier() for p in parts))


def scan_source(source: str) -> list[str]:
    """Flags for code that tampers with the grading environment.

    Looks for: importing modules that reach into the interpreter
    (``builtins``, ``ctypes``, ``importlib``, ``sys.modules`` ...);
    assigning to or deleting attributes of library modules (``np.mean =``,
    ``mtss_teach.screening.auc =``); ``setattr``/``exec``/``eval`` and the
    like; rebinding names the checks rely on (``AssertionError``); and
    touching code objects, the environment or the working folder.

    Examples
    --------
    >>> from mtss_teach.grading import scan_source
    >>> scan_source("cut = 42")
    []
    >>> scan_source("import numpy as np\\nnp.isclose = lambda *a, **k: True")
    ['line 2: assigns to np.isclose']
    >>> scan_source("import pandas as pd\\npd.options.display.max_rows = 5")  # a printing setting
    []
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not Python: nothing to run, nothing to flag
        return []
    flags: list[str] = []
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for n in names:
                if n in _BAD_IMPORTS or n.split(".")[0] in ("builtins", "ctypes", "importlib", "gc"):
                    flags.append(f"line {node.lineno}: imports {n}")
            for a in node.names:
                imported.add((a.asname or a.name).split(".")[0])
    roots = _MODULE_ROOTS | imported
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for t in targets:
            if _display_option(t):  # pd.options.display.max_rows = 5: how tables print, nothing else
                continue
            for sub in ast.walk(t):
                if isinstance(sub, ast.Attribute) and _root_name(sub) in roots:
                    flags.append(f"line {node.lineno}: assigns to {ast.unparse(sub)}")
                    break
                if isinstance(sub, ast.Name) and sub.id in _BAD_NAMES:
                    flags.append(f"line {node.lineno}: rebinds {sub.id}")
                    break
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in _BAD_NAMES:
            flags.append(f"line {node.lineno}: redefines {node.name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _BAD_CALLS:
            flags.append(f"line {node.lineno}: calls {node.func.id}()")
        if isinstance(node, ast.Attribute) and node.attr in _BAD_ATTRS:
            flags.append(f"line {node.lineno}: uses .{node.attr}")
        if isinstance(node, ast.Name) and node.id in ("__builtins__",):
            flags.append(f"line {node.lineno}: uses {node.id}")
    out, seen = [], set()
    for f in flags:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def _scan_cells(nb: dict, canonical: dict[str, dict] | None = None) -> list[tuple[int, str]]:
    """(cell index, flag) for every flag :func:`scan_notebook` reports."""
    flags: list[tuple[int, str]] = []
    for i, cell in enumerate(nb.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        nbg = cell.get("metadata", {}).get("nbgrader") or {}
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        locked = canonical[gid]["locked"] if canonical and gid in canonical else bool(nbg.get("locked"))
        if locked:
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if not isinstance(src, str):
            continue
        # IPython magics and shell escapes are not Python; blank them out.
        src = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())
        flags += [(i, f"cell {gid or i}, {f}") for f in scan_source(src)]
    return flags


def scan_notebook(nb: dict, canonical: dict[str, dict] | None = None) -> list[str]:
    """:func:`scan_source` over every cell a learner can edit.

    Locked cells are skipped (nbgrader restores their source from the
    gradebook before running them); ``canonical`` (grade_id -> metadata) says
    which cells are locked; without it, cells whose own metadata says
    locked are skipped.
    """
    return [f for _, f in _scan_cells(nb, canonical)]


# ---------------------------------------------------------------------------
# autograde
# ---------------------------------------------------------------------------


@dataclass
class SubmissionResult:
    """One row of ``grading_report.csv``."""

    student: str
    assignment: str
    graded: bool = False
    score: float | None = None
    max_score: float | None = None
    timed_out_cells: list[str] = field(default_factory=list)
    metadata_restored: list[str] = field(default_factory=list)
    tamper_flags: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    error: str = ""

    def row(self) -> dict:
        return {
            "student": self.student,
            "assignment": self.assignment,
            "graded": self.graded,
            "score": "" if self.score is None else self.score,
            "max_score": "" if self.max_score is None else self.max_score,
            "timed_out_cells": "; ".join(self.timed_out_cells),
            "metadata_restored": "; ".join(self.metadata_restored),
            "review": "; ".join(self.tamper_flags),
            "withheld": "; ".join(self.withheld),
            "error": self.error,
        }


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


def _collect(submissions: Path, known: Iterable[str]) -> tuple[list[tuple[str, str, Path]], list[SubmissionResult]]:
    known = set(known)
    found, bad = [], []
    for sdir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for adir in sorted(p for p in sdir.iterdir() if p.is_dir()):
            student, assignment = sdir.name, adir.name
            if not _ID.match(student):
                bad.append(SubmissionResult(student, assignment, error="student folder name is not a valid id"))
            elif assignment not in known:
                bad.append(SubmissionResult(student, assignment, error=f"unknown assignment {assignment!r}"))
            elif not (adir / NOTEBOOK).is_file():
                bad.append(SubmissionResult(student, assignment, error=f"no {NOTEBOOK} in the submission"))
            else:
                found.append((student, assignment, adir))
    return found, bad


def _timeouts(path: Path) -> list[str]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        for o in cell.get("outputs", []) or []:
            if o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError":
                out.append(str((cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") or f"cell {i}"))
                break
    return out


def _scores(root: Path) -> dict[tuple[str, str], tuple[float, float]]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                out[(sub.student_id, a.name)] = (float(sub.score), float(sub.max_score))
    return out


# ---------------------------------------------------------------------------
# credit check: no points the kernel's own checks could not be trusted for
# ---------------------------------------------------------------------------

_WITHHELD = "Points withheld by the grading pipeline, pending the instructor's review: "


def _cell_records(cell: dict) -> list[dict]:
    """The check records (:data:`mtss_teach.exercises.RECORD_MIME`) in one cell's outputs."""
    from .exercises import RECORD_MIME

    out = []
    for o in cell.get("outputs", []) or []:
        data = o.get("data") if isinstance(o, dict) else None
        rec = data.get(RECORD_MIME) if isinstance(data, dict) else None
        if isinstance(rec, dict):
            out.append(rec)
    return out


def _answers_from_records(records: list[dict], course: str) -> tuple[dict[str, Any], set[str], str]:
    """name -> encoded answer, the learner ids the records name, and a problem ("" if none)."""
    answers: dict[str, Any] = {}
    ids: set[str] = set()
    for rec in records:
        name, value = rec.get("name"), rec.get("value")
        if rec.get("course") != course or not isinstance(name, str) or not name.isidentifier():
            return {}, ids, "a check record in the test's output is malformed"
        if name.startswith("_"):
            return {}, ids, "a check record in the test's output is malformed"
        if name in answers and answers[name] != value:
            return {}, ids, f"the test's output records two different answers for {name}"
        answers[name] = value
        if isinstance(rec.get("learner_id"), str):
            ids.add(rec["learner_id"])
    return answers, ids, ""


def _replay_job(job: dict) -> str:
    """Run one test cell on recorded answers in this process; "" when it passes, else why not."""
    import contextlib
    import io
    import warnings

    from .exercises import decode_value

    ns: dict[str, Any] = {"__name__": "__main__", "LEARNER_ID": job["learner_id"]}
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(job["setup"], "<setup cell>", "exec"), ns)
            for name, value in job["answers"].items():
                if name not in ns:  # an answer never replaces what the setup cell defined
                    ns[name] = decode_value(value)
            exec(compile(job["test"], f"<{job['cell']}>", "exec"), ns)
    except AssertionError as exc:
        return f"the recorded answer fails the test when re-checked outside the learner's kernel ({exc})"
    except Exception as exc:  # noqa: BLE001 - any failure means the record does not earn the points
        return ("the recorded answers could not be re-checked outside the learner's kernel "
                f"({type(exc).__name__}: {exc})")
    return ""


def _replay_main() -> None:
    """Worker of :func:`_replay`: jobs as JSON on stdin, one verdict per job as JSON on stdout."""
    jobs = json.loads(sys.stdin.read())
    verdicts = [_replay_job(job) for job in jobs]
    sys.stdout.write("\n" + json.dumps(verdicts))


def _replay(jobs: list[dict], root: Path, timeout: float) -> list[str]:
    """Re-run test cells on recorded answers in a fresh Python process (no learner code runs there).

    Each job holds the instructor's setup and test cell sources (from the
    gradebook), the graded learner id and the learner's recorded answers
    (data only; a function is replayed from its recorded outputs). Returns
    one verdict per job: "" when the test passes, else the reason. If the
    process fails, every job fails (no credit without a check).
    """
    if not jobs:
        return []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "MTSS_GRADED_"))}
    env["MTSS_BIND_LEARNER_ID"] = "0"
    cmd = [sys.executable, "-c", "from mtss_teach.grading import _replay_main; _replay_main()"]
    try:
        proc = subprocess.run(cmd, cwd=str(root), env=env, input=json.dumps(jobs), capture_output=True,
                              text=True, timeout=timeout)
        verdicts = json.loads(proc.stdout.rsplit("\n", 1)[-1])
        if proc.returncode != 0 or not isinstance(verdicts, list) or len(verdicts) != len(jobs):
            raise ValueError(f"exit {proc.returncode}")
        return [str(v) for v in verdicts]
    except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
        return [f"the re-check outside the learner's kernel could not run ({type(exc).__name__})"] * len(jobs)


def _check_credit(root: Path, batch: list["SubmissionResult"], canonical: dict[str, dict[str, dict]], *,
                  bind_learner_id: bool) -> None:
    """Withhold the points of graded cells whose credit cannot be trusted.

    For every graded submission, every test cell nbgrader credited is
    checked in two independent ways, and its points are withheld (its
    ``auto_score`` set to 0 and marked for manual grading in the gradebook,
    with the reason in the comment of the answer cell before it and in
    ``res.withheld``) when either fails:

    1. *Re-check outside the kernel.* The checks of :class:`mtss_teach.exercises.Grader`
       record the learner's answers in the test cell's output; the test
       cell (the instructor's source, from the gradebook) is re-run in a
       fresh process on those recorded answers. A missing, malformed or
       contradictory record, or a recorded answer that fails the re-run,
       earns nothing. This does not depend on the learner's kernel being
       intact, so replacing the checks or the guard in the kernel (however
       obfuscated) earns nothing unless the replacement also writes records
       holding the right answers.
    2. *Tampering scan.* When a learner-editable cell is flagged by
       :func:`scan_notebook`, every test cell that ran after it is withheld
       (code before the setup cell: every test), even if its record
       passes: such code could have forged the records. A false flag on
       honest code costs those points until the instructor grades them by
       hand (formgrader lists them as needing manual grading).

    Not caught: a record forged by kernel code the scan does not recognise
    (for example obfuscated code that replaces a check with one recording
    the expected value instead of the learner's). Only running the
    notebook in a sandbox closes that gap.
    """
    from nbgrader.api import Gradebook, MissingEntry

    nbname = NOTEBOOK[:-6]
    plans: list[tuple[SubmissionResult, dict[str, str], dict[str, str], dict[str, int]]] = []
    jobs: list[dict] = []
    job_keys: list[tuple[int, str]] = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        # assignment -> (the instructor's cell sources, the grade cells' names)
        sources: dict[str, tuple[dict[str, str], list[str]]] = {}
        for res in batch:
            if not res.graded:
                continue
            out_nb = root / "autograded" / res.student / res.assignment / NOTEBOOK
            try:
                nb = json.loads(out_nb.read_text(encoding="utf-8"))
                cells = [c for c in nb["cells"] if isinstance(c, dict)]
            except (OSError, ValueError, KeyError, TypeError):
                cells = []
            if res.assignment not in sources:
                nbrec = gb.find_notebook(nbname, res.assignment)
                sources[res.assignment] = ({sc.name: sc.source or "" for sc in nbrec.source_cells},
                                           sorted(g.name for g in nbrec.grade_cells))
            src, grade_names = sources[res.assignment]
            pos = {((c.get("metadata", {}).get("nbgrader") or {}).get("grade_id")): i for i, c in enumerate(cells)}
            flags = _scan_cells({"cells": cells}, canonical.get(res.assignment))
            first_flag = min(flags)[0] if flags else None
            # the answer cell whose comment explains a withheld test: the last solution cell before it
            answer_of: dict[str, str] = {}
            last_solution = ""
            for c in cells:
                nbg = c.get("metadata", {}).get("nbgrader") or {}
                if nbg.get("solution"):
                    last_solution = nbg.get("grade_id", "")
                if nbg.get("grade"):
                    answer_of[nbg.get("grade_id", "")] = last_solution
            withheld: dict[str, str] = {}
            for name in sorted(grade_names, key=lambda g: pos.get(g, len(cells))):  # in notebook order
                try:
                    grade = gb.find_grade(name, nbname, res.assignment, res.student)
                except MissingEntry:
                    continue
                if not grade.score or grade.score <= 0:
                    continue
                if name not in pos:
                    withheld[name] = "the test cell is missing from the graded notebook"
                    continue
                if first_flag is not None and first_flag < pos[name]:
                    withheld[name] = ("code in a cell before this test changes the grading environment ("
                                      + next(f for i, f in flags if i == first_flag) + ")")
                    continue
                records = _cell_records(cells[pos[name]])
                if not records:
                    withheld[name] = "the test's checks left no record of the answer (they did not run as written)"
                    continue
                answers, ids, problem = _answers_from_records(records, res.assignment)
                if problem:
                    withheld[name] = problem
                    continue
                if bind_learner_id:
                    learner = res.student
                elif len(ids) == 1:
                    learner = next(iter(ids))
                else:
                    withheld[name] = "the test's check records name no single learner"
                    continue
                # the instructor's locked setup code that ran before this test (sources from the gradebook)
                canon = canonical.get(res.assignment, {})
                setup = [src.get(g, "") for g, i in sorted(pos.items(), key=lambda kv: kv[1])
                         if i < pos[name] and g in canon and canon[g].get("locked")
                         and canon[g].get("cell_type") == "code"
                         and not canon[g].get("grade") and not canon[g].get("solution")]
                job_keys.append((len(plans), name))
                jobs.append({"cell": name, "learner_id": learner, "setup": "\n".join(setup),
                             "test": src.get(name, ""), "answers": answers})
            plans.append((res, withheld, answer_of, pos))
    verdicts = _replay(jobs, root, timeout=max(120.0, 20.0 * len(jobs)))
    for (k, name), why in zip(job_keys, verdicts):
        if why:
            plans[k][1][name] = why
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for res, withheld, answer_of, pos in plans:
            for name, why in sorted(withheld.items(), key=lambda kv: pos.get(kv[0], len(pos))):
                grade = gb.find_grade(name, nbname, res.assignment, res.student)
                grade.auto_score = 0.0
                grade.needs_manual_grade = True
                res.withheld.append(f"{name}: {why}")
                sol = answer_of.get(name)
                if not sol:
                    continue
                try:
                    comment = gb.find_comment(sol, nbname, res.assignment, res.student)
                except MissingEntry:
                    continue
                note = f"{_WITHHELD}{name}: {why}"
                old = comment.manual_comment or ""
                if note not in old:
                    comment.manual_comment = f"{old}\n\n{note}" if old else note
            gb.db.commit()


def autograde(submissions: str | os.PathLike, course_root: str | os.PathLike | None = None, *,
              timeout: int = 60, bind_learner_id: bool = True, write_feedback: bool = True,
              grades_csv: str | os.PathLike | None = None) -> list[SubmissionResult]:
    """Autograde a folder ``<student>/<assignment>/exercise.ipynb``.

    Returns one :class:`SubmissionResult` per submission found (also written
    to ``grading_report.csv`` in the course root), after writing
    ``grades.csv`` (nbgrader export) and, unless ``write_feedback`` is
    False, the feedback HTML.
    """
    root = Path(course_root).resolve() if course_root else find_course_root()
    subs = Path(submissions).resolve()
    if not subs.is_dir():
        raise GradingError(f"submissions folder {subs} does not exist")
    if not (root / "gradebook.db").is_file():
        raise GradingError("no gradebook.db: run `python -m mtss_teach.grading generate` first")
    known = assignments(root)
    found, results = _collect(subs, known)
    target = root / "submitted"
    canon_cache: dict[str, dict] = {}
    batch: list[SubmissionResult] = []
    for student, assignment, adir in found:
        res = SubmissionResult(student, assignment)
        canon = canon_cache.setdefault(assignment, _canonical_cells(root, assignment))
        dest = target / student / assignment
        same = dest.resolve() == adir.resolve()
        if not same:
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(adir, dest)
        nb_path = dest / NOTEBOOK
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
                raise ValueError("not a notebook")
            if not all(isinstance(cell, dict) for cell in nb["cells"]):
                raise ValueError("not a notebook: an entry of 'cells' is not a cell")
        except (OSError, ValueError) as exc:
            res.error = f"notebook could not be read ({exc})"
            batch.append(res)
            continue
        res.tamper_flags = scan_notebook(nb, canon)
        res.metadata_restored = _restore_metadata(nb, canon)
        if res.metadata_restored:
            nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
        # re-grade this submission even if an older autograded copy exists
        old = root / "autograded" / student / assignment
        if old.exists():
            shutil.rmtree(old)
        batch.append(res)
    env = {"MTSS_CELL_TIMEOUT": str(int(timeout)), "MTSS_BIND_LEARNER_ID": "1" if bind_learner_id else "0"}
    proc = run_nbgrader(["autograde", "*"], root, env=env)
    log = proc.stdout + proc.stderr
    failed = set(re.findall(r"There was an error processing assignment '([^']+)' for student '([^']+)'", log))
    for res in batch:
        if res.error:
            continue
        out_nb = root / "autograded" / res.student / res.assignment / NOTEBOOK
        res.graded = out_nb.is_file() and (res.assignment, res.student) not in failed
        if not res.graded:
            res.error = "nbgrader could not grade this submission (see the nbgrader log)"
        res.timed_out_cells = _timeouts(out_nb)
    _check_credit(root, batch, canon_cache, bind_learner_id=bind_learner_id)
    scores = _scores(root)
    for res in batch:
        if not res.error and (res.student, res.assignment) in scores:
            res.score, res.max_score = scores[(res.student, res.assignment)]
    results = batch + results
    (root / "grading_log.txt").write_text(log, encoding="utf-8")
    export(root, grades_csv)
    if write_feedback:
        feedback(root)
    with open(root / "grading_report.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(SubmissionResult("", "").row()))
        w.writeheader()
        for r in results:
            w.writerow(r.row())
    return results


def export(course_root: str | os.PathLike | None = None, to: str | os.PathLike | None = None) -> Path:
    """``nbgrader export`` to a CSV (default ``grades.csv`` in the course root)."""
    root = Path(course_root) if course_root else find_course_root()
    dest = Path(to).resolve() if to else root / "grades.csv"
    proc = run_nbgrader(["export", f"--to={dest}"], root)
    _check(proc, "export")
    return dest


def feedback(course_root: str | os.PathLike | None = None) -> list[Path]:
    """``nbgrader generate_feedback`` for every autograded submission."""
    root = Path(course_root) if course_root else find_course_root()
    proc = run_nbgrader(["generate_feedback", "*", "--force"], root)
    _check(proc, "generate_feedback")
    return sorted((root / "feedback").glob(f"*/*/{NOTEBOOK[:-6]}.html"))


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mtss_teach.grading", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--course-dir", default=None, help="folder with nbgrader_config.py (default: found from here)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="generate every assignment into release/")
    g.add_argument("--assignment", default="*")
    a = sub.add_parser("autograde", help="autograde SUBMISSIONS_DIR/<student>/<assignment>/exercise.ipynb")
    a.add_argument("submissions")
    a.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    a.add_argument("--no-bind-learner-id", action="store_true",
                   help="grade the notebook's LEARNER_ID instead of the submission's student id")
    a.add_argument("--no-feedback", action="store_true")
    a.add_argument("--grades", default=None, help="grades CSV (default grades.csv in the course root)")
    sub.add_parser("feedback", help="write feedback/<student>/<assignment>/exercise.html")
    e = sub.add_parser("export", help="export the gradebook to a CSV")
    e.add_argument("--to", default=None)
    args = ap.parse_args(argv)
    try:
        root = Path(args.course_dir).resolve() if args.course_dir else find_course_root()
        if not (root / "nbgrader_config.py").is_file():
            raise GradingError(f"no nbgrader_config.py in {root}")
        if args.cmd == "generate":
            for p in generate(root, args.assignment):
                print(p.relative_to(root))
        elif args.cmd == "autograde":
            results = autograde(args.submissions, root, timeout=args.timeout,
                                bind_learner_id=not args.no_bind_learner_id,
                                write_feedback=not args.no_feedback, grades_csv=args.grades)
            for r in results:
                score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
                extra = []
                if r.timed_out_cells:
                    extra.append("timed out: " + ", ".join(r.timed_out_cells))
                if r.tamper_flags:
                    extra.append(f"REVIEW ({len(r.tamper_flags)} flags)")
                if r.withheld:
                    extra.append(f"WITHHELD ({len(r.withheld)} tests, see grading_report.csv)")
                if r.error:
                    extra.append("ERROR: " + r.error)
                print(f"{r.student:20s} {r.assignment:24s} {score:>9s}  {'; '.join(extra)}")
            print(f"\nwrote {root / 'grading_report.csv'}, grades CSV and feedback/")
            return 1 if any(r.error for r in results) else 0
        elif args.cmd == "feedback":
            for p in feedback(root):
                print(p.relative_to(root))
        elif args.cmd == "export":
            print(export(root, args.to))
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
