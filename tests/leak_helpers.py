"""The one answer-key leak detector of the suite.

The secrets are the lines inside ``### BEGIN SOLUTION`` / ``### END
SOLUTION`` and ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` of the
authoring notebooks ``modules/*/exercise.ipynb``, normalised (runs of white
space become one space), minus lines that also appear outside those regions
(they are public), minus lines shorter than :data:`MIN_LEN` or comments
(``else:`` says nothing about an answer).

:func:`leaks` finds secrets and the region markers in any text: a released
notebook, a page of the book (use :func:`html_text` first so highlighted
code reads as code), a Voila page, a feedback file, a lesson's source.
Used by test_answer_secrecy, the lesson tests and the grading tests.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MIN_LEN = 16  # shorter lines ("else:", "break") say nothing about an answer


def exercises() -> list[Path]:
    """Every authoring notebook of the course."""
    return sorted(ROOT.glob("modules/*/exercise.ipynb"))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cell_source(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def _regions(src: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    inside, outside, on = [], [], False
    for line in src.splitlines():
        if begin in line:
            on = True
        elif end in line:
            on = False
        elif on:
            inside.append(line)
        else:
            outside.append(line)
    return inside, outside


@lru_cache(maxsize=None)
def secrets(course: str | None = None) -> tuple[str, ...]:
    """Solution and hidden-test lines (normalised) of every course, or of ``course`` (e.g. "02-screening")."""
    paths = exercises() if course is None else [ROOT / "modules" / course / "exercise.ipynb"]
    secret, public = set(), set()
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            src = cell_source(cell)
            sol, rest = _regions(src, "### BEGIN SOLUTION", "### END SOLUTION")
            hid, rest = _regions("\n".join(rest), "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
            secret.update(norm(x) for x in sol + hid)
            public.update(norm(x) for x in rest)
    return tuple(sorted(s for s in secret - public if len(s) >= MIN_LEN and not s.startswith("#")))


def leaks(text: str, course: str | None = None) -> list[str]:
    """The secrets (and region markers) found in ``text``; [] when none."""
    t = norm(text)
    found = [s for s in secrets(course) if s in t]
    found += [m for m in MARKERS if m in text]
    return found


def html_text(raw: str) -> str:
    """Visible text of an HTML page (tags removed, entities decoded): highlighted code reads as code."""
    return html.unescape(re.sub(r"<[^>]+>", "", raw))
