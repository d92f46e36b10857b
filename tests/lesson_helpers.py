"""Helpers shared by the lesson tests (tests/test_lessons_*.py).

Read a course's files, split a MyST notebook into code cells and sections,
and execute a lesson's code (static-explorer cells skipped) to reach its
self-check.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from mtss_teach.selfcheck import Question, SelfCheck

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "modules"

_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", flags=re.S | re.M)
_EXECUTED: dict[str, dict] = {}


def text(course: str, name: str) -> str:
    return (MODULES / course / name).read_text(encoding="utf-8")


def code_cells(source: str) -> list[str]:
    """Source of each ```{code-cell}``` of a MyST notebook, option lines removed."""
    out = []
    for cell in _CELL.findall(source):
        lines = cell.splitlines()
        while lines and (lines[0].startswith(":") or not lines[0].strip()):
            lines.pop(0)
        out.append("\n".join(lines))
    return out


def section(source: str, heading_start: str) -> str:
    """Body of the first '## ' section whose heading starts with heading_start."""
    m = re.search(rf"^## {re.escape(heading_start)}[^\n]*\n(.*?)(?=^## |\Z)", source, flags=re.S | re.M)
    assert m, f"no section starting '## {heading_start}'"
    return m.group(1)


def run_lesson(course: str) -> dict:
    """Execute a lesson's code cells (static-explorer cells skipped); return the namespace."""
    if course not in _EXECUTED:
        ns: dict = {"__name__": f"lesson_{course.replace('-', '_')}"}
        with contextlib.redirect_stdout(io.StringIO()):
            for i, cell in enumerate(code_cells(text(course, "lesson.md"))):
                if "explorers." in cell:
                    continue
                exec(compile(cell, f"{course}/lesson.md[cell {i}]", "exec"), ns)
        _EXECUTED[course] = ns
    return _EXECUTED[course]


def selfcheck(course: str) -> SelfCheck:
    sc = run_lesson(course)["selfcheck"]
    assert isinstance(sc, SelfCheck)
    return sc


def question(course: str, words: str) -> Question:
    found = [q for q in selfcheck(course).questions if words in q.prompt]
    assert len(found) == 1, f"{course}: {len(found)} self-check questions contain {words!r}"
    return found[0]
