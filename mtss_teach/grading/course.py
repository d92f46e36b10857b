"""The course folder and the nbgrader command line: where things are, how nbgrader is run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from .._packagedata import course_ids

NOTEBOOK = "exercise.ipynb"

#: Set in the environment of every nbgrader command this package runs; the
#: course's ``nbgrader_config.py`` refuses to autograde without it (see
#: :class:`mtss_teach.grading.nbgrader_hooks.PipelineOnly`).
PIPELINE_ENV = "MTSS_GRADING_PIPELINE"

#: The note :class:`mtss_teach.grading.nbgrader_hooks.CapOutput` puts after a cell's cut output (kept
#: here, not there, so that importing the pipeline does not import nbgrader).
TRUNCATION_NOTE = "[output truncated by the grader: this cell printed {total}; only the first {cap} is kept]"

#: How each nbgrader command is started: ``python -m nbgrader`` with one thing first. jsonschema
#: (nbformat validates every notebook with it), when the optional package rfc3987-syntax is
#: installed (Jupyter Server's jsonschema[format-nongpl] extra installs it), builds a Lark grammar
#: at import for its "iri" format checkers: about 1 s of CPU in every nbgrader command
#: (python-jsonschema/jsonschema#1428). No notebook schema uses that format (and nbformat
#: checks no formats), so the module is marked absent, as when it is not installed; the
#: facilitators' app kernels do the same (apps/kernel_startup.py).
SKIP_IRI_GRAMMAR = "import sys; sys.modules.setdefault('rfc3987_syntax', None)"
_NBGRADER_MAIN = SKIP_IRI_GRAMMAR + "; import runpy; runpy.run_module('nbgrader', run_name='__main__', alter_sys=True)"


class GradingError(RuntimeError):
    """A grading step could not run (no course, no nbgrader, bad folder)."""


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
    repo = Path(__file__).resolve().parents[2]
    if (repo / "nbgrader_config.py").is_file():
        return repo
    raise GradingError(f"no nbgrader_config.py in {here} or its parents; pass --course-dir")


def assignments(course_root: str | os.PathLike | None = None) -> list[str]:
    """Assignment ids: the courses of the manifest whose ``modules/<course>`` folder holds an exercise.

    In course order (the course manifest ``mtss_teach/data/courses.yml``).
    A course root may hold only some of the courses; an exercise in a
    folder the manifest does not list is an error, not skipped.

    Examples
    --------
    >>> from mtss_teach.grading import assignments
    >>> "02-screening" in assignments()
    True
    """
    root = Path(course_root) if course_root else find_course_root()
    src = root / "modules"
    present = {p.parent.name for p in src.glob(f"*/{NOTEBOOK}")}
    unknown = sorted(present - set(course_ids()))
    if unknown:
        raise GradingError(f"modules/{unknown[0]}/{NOTEBOOK}: not a course of the course manifest "
                           f"(mtss_teach/data/courses.yml lists {', '.join(course_ids())})")
    return [c for c in course_ids() if c in present]


def run_nbgrader(args: Sequence[str], course_root: str | os.PathLike, *, env: dict | None = None,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nbgrader ARGS`` in the course root; returns the process.

    (Started as ``python -c`` with :data:`SKIP_IRI_GRAMMAR` first, then nbgrader's ``__main__``.)
    """
    full_env = dict(os.environ)
    # nbgrader runs the `alembic` console script (and the kernel) from PATH:
    # put this environment's scripts first.
    full_env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), full_env.get("PATH", "")])
    full_env[PIPELINE_ENV] = "1"
    full_env.update(env or {})
    cmd = [sys.executable, "-c", _NBGRADER_MAIN, *args]
    return subprocess.run(cmd, cwd=str(course_root), env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def check_ran(proc: subprocess.CompletedProcess, what: str) -> None:
    """Raise :class:`GradingError` with the end of nbgrader's log when it failed."""
    if proc.returncode != 0:
        raise GradingError(f"nbgrader {what} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")


def generate(course_root: str | os.PathLike | None = None, assignment: str = "*") -> list[Path]:
    """``nbgrader generate_assignment`` for every course (or one); returns the released notebooks."""
    root = Path(course_root) if course_root else find_course_root()
    if assignment != "*" and assignment not in assignments(root):
        raise GradingError(f"assignment {assignment!r} has no modules/{assignment}/{NOTEBOOK}")
    proc = run_nbgrader(["generate_assignment", assignment, "--force"], root)
    check_ran(proc, "generate_assignment")
    wanted = assignments(root) if assignment == "*" else [assignment]
    out = [root / "release" / a / NOTEBOOK for a in wanted]
    missing = [str(p) for p in out if not p.is_file()]
    if missing:
        raise GradingError("generate_assignment did not write " + ", ".join(missing) + "\n" + proc.stderr[-3000:])
    return out


def gradebook_url(root: Path) -> str:
    """The SQLAlchemy URL of the course's nbgrader gradebook."""
    return f"sqlite:///{Path(root) / 'gradebook.db'}"
