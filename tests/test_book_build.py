"""The book command never reports a half-built book as success.

Each case builds a two-page throwaway book with the project's real
``_config.yml`` and breaks it one way: a failing cell, a missing
cross-reference, a missing citation. The build must exit non-zero. A
healthy copy must build (so the failures are caused by the breakage).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

NB_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _make_book(tmp: Path, page: str) -> Path:
    shutil.copy(ROOT / "_config.yml", tmp / "_config.yml")
    (tmp / "_static").mkdir()
    for f in (ROOT / "_static").glob("*"):
        if f.is_file():
            shutil.copy(f, tmp / "_static" / f.name)
    (tmp / "book").mkdir()
    (tmp / "book" / "references.bib").write_text(
        "@book{known2020, author = {Known, A.}, title = {A Title}, publisher = {P}, year = {2020}}\n"
    )
    (tmp / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: book/page\n")
    (tmp / "book" / "index.md").write_text(
        "# Index\n\nSee {cite:t}`known2020`.\n\n```{bibliography}\n```\n"
    )
    (tmp / "book" / "page.md").write_text(page)
    return tmp


def _build(tmp: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(exe), "build", str(tmp), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600)


HEALTHY = NB_HEADER + "# Page\n\n```{code-cell} ipython3\nprint(1 + 1)\n```\n"

BROKEN = {
    "failing cell": NB_HEADER + "# Page\n\n```{code-cell} ipython3\n1 / 0\n```\n",
    "missing reference": "# Page\n\nSee {ref}`no-such-label`.\n",
    "missing citation": "# Page\n\nAs shown by {cite:p}`nobody1999`.\n",
    "missing toc target": None,
}


@pytest.mark.slow
def test_healthy_throwaway_book_builds(tmp_path):
    proc = _build(_make_book(tmp_path, HEALTHY))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (tmp_path / "_build" / "html" / "book" / "page.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_book_fails_the_build(tmp_path, case):
    page = BROKEN[case]
    book = _make_book(tmp_path, page if page is not None else HEALTHY)
    if page is None:
        (book / "_toc.yml").write_text(
            "format: jb-book\nroot: book/index\nchapters:\n  - file: book/page\n  - file: book/absent\n"
        )
    proc = _build(book)
    assert proc.returncode != 0, f"{case}: build reported success\n" + proc.stdout[-2000:]
