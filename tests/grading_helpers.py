"""Helpers for the grading tests: a temporary course, notebooks as a learner's file arrives, the CLI."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def src_of(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def gid(cell: dict) -> str | None:
    return ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")


def cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if gid(c) == grade_id)


def index_of(nb: dict, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if gid(c) == grade_id)


def learner_cell(nb: dict) -> dict:
    """The unlocked cell that sets LEARNER_ID (before the setup cell)."""
    return next(c for c in nb["cells"] if c["cell_type"] == "code" and "LEARNER_ID =" in src_of(c) and not gid(c))


def with_learner(nb: dict, lid: str) -> dict:
    nb = copy.deepcopy(nb)
    learner_cell(nb)["source"] = f'# Your course login\nLEARNER_ID = "{lid}"\n'
    return nb


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def markdown_cell(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def make_course(base: Path, courses) -> Path:
    base.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", base / "nbgrader_config.py")
    for c in courses:
        (base / "modules" / c).mkdir(parents=True)
        shutil.copy(ROOT / "modules" / c / "exercise.ipynb", base / "modules" / c / "exercise.ipynb")
    return base


def put(subs: Path, folder: str, course: str, nb: dict | None = None, *, raw: bytes | None = None,
        name: str = "exercise.ipynb") -> Path:
    d = subs / folder / course
    d.mkdir(parents=True, exist_ok=True)
    data = raw if raw is not None else json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")
    (d / name).write_bytes(data)
    return d / name


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT), e.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    e["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), e.get("PATH", "")])
    return e


def grading(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mtss_teach.grading", *args], cwd=str(cwd), env=env(),
                          capture_output=True, text=True, timeout=timeout)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def report(root: Path) -> dict[tuple[str, str], dict]:
    return {(r["submitted_as"], r["assignment"]): r for r in read_csv(root / "grading_report.csv")}


def grades(root: Path) -> dict[tuple[str, str], dict]:
    return {(r["student_id"], r["assignment"]): r for r in read_csv(root / "grades.csv")}
