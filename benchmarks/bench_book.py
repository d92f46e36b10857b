"""Book build times: a full build from a clean cache, and a cached rebuild.

Both are measured on a throwaway copy of the repository (so the real
``_build`` is untouched) and compared with a one-page "hello" book built
the same way in the same run, which measures the fixed cost of starting
Sphinx and a kernel. Targets: the full build well under 10 minutes on the
2-core machine (issue 7); a cached rebuild with no change executes nothing
and takes a small fraction of the full build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._harness import Result, median_spread, spread_note

ROOT = Path(__file__).resolve().parents[1]
JB = str(Path(sys.executable).with_name("jupyter-book"))
IGNORE = shutil.ignore_patterns(
    ".venv", "_build", ".git", "release", "submitted", "autograded", "feedback",
    "gradebook.db", "test-artifacts", ".pytest_cache", ".hypothesis", "__pycache__",
)

HELLO = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Hello

```{code-cell} ipython3
print("hello")
```
"""


def _build(folder: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([JB, "build", str(folder), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=1800)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"book build failed in {folder}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return dt, proc.stdout + proc.stderr


def _hello_book(folder: Path) -> Path:
    (folder / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    shutil.copytree(ROOT / "_static", folder / "_static")
    shutil.copy(ROOT / "book" / "references.bib", folder / "book" / "references.bib")
    (folder / "book" / "index.md").write_text(HELLO + "\n```{bibliography}\n:all:\n```\n")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/index\n")
    return folder


def run(quick: bool = False) -> list[Result]:
    repeats = 1 if quick else 3
    full, cached, hello = [], [], []
    executed_on_rebuild = 0
    with tempfile.TemporaryDirectory(prefix="mtss-bench-book-") as tmp:
        tmp = Path(tmp)
        for i in range(repeats):
            h = _hello_book(tmp / f"hello{i}")
            hello.append(_build(h)[0])
            if quick:
                continue
            copy = tmp / f"book{i}"
            shutil.copytree(ROOT, copy, ignore=IGNORE)
            full.append(_build(copy)[0])
            dt, log = _build(copy)
            cached.append(dt)
            executed_on_rebuild += log.count("Executing notebook")
    h_med, h_spread = median_spread(hello)
    rows = []
    if quick:
        return [Result("book", "hello-world book build (quick mode: no full build)", h_med, "s",
                       "-", h_med, 1.0, "report", None, h_spread)]
    f_med, f_spread = median_spread(full)
    c_med, c_spread = median_spread(cached)
    note = f"{repeats} runs"
    rows.append(Result("book", "full build, clean cache", f_med, "s", "one-page hello book", h_med,
                       f_med / h_med, "full build < 600 s", f_med < 600,
                       max(f_spread, h_spread),
                       None, "; ".join(n for n in (note, spread_note(f_spread)) if n)))
    rows.append(Result("book", "cached rebuild, no change", c_med, "s", "full build", f_med,
                       c_med / f_med, "<= 0.5x and executes nothing",
                       c_med <= 0.5 * f_med and executed_on_rebuild == 0, c_spread, None,
                       f"{note}; notebooks executed on rebuild: {executed_on_rebuild}"))
    return rows
