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
3. exports the grades and writes the feedback;
4. writes ``grading_report.csv``: one row per submission with its score,
   whether it was graded, which cells timed out, and any code in the
   learner-editable cells that tampers with the grading environment
   (:func:`scan_notebook`), for the instructor to review.
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


def scan_notebook(nb: dict, canonical: dict[str, dict] | None = None) -> list[str]:
    """:func:`scan_source` over every cell a learner can edit.

    Locked cells are skipped (nbgrader restores their source from the
    gradebook before running them); ``canonical`` (grade_id -> metadata) says
    which cells are locked; without it, cells whose own metadata says
    locked are skipped.
    """
    flags = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        nbg = cell.get("metadata", {}).get("nbgrader") or {}
        gid = nbg.get("grade_id")
        locked = canonical[gid]["locked"] if canonical and gid in canonical else bool(nbg.get("locked"))
        if locked:
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        # IPython magics and shell escapes are not Python; blank them out.
        src = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())
        flags += [f"cell {gid or i}, {f}" for f in scan_source(src)]
    return flags


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
    scores = _scores(root)
    for res in batch:
        if res.error:
            continue
        out_nb = root / "autograded" / res.student / res.assignment / NOTEBOOK
        res.graded = out_nb.is_file() and (res.assignment, res.student) not in failed
        if not res.graded:
            res.error = "nbgrader could not grade this submission (see the nbgrader log)"
        res.timed_out_cells = _timeouts(out_nb)
        if (res.student, res.assignment) in scores:
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
