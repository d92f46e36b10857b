"""Graded answer keys never leave the exercise source notebooks.

The secrets are the lines inside ``### BEGIN SOLUTION`` / ``### END
SOLUTION`` and ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` of every
``modules/*/exercise.ipynb``. None may appear:

- in ``release/`` (generated here, in a temporary copy of the course, by the
  real nbgrader CLI);
- in the built book's HTML (or any other file of the build, e.g. a download);
- in the Voila apps: not in any app notebook or in the code the apps run,
  and not in any page the Voila server renders (checked in a browser), and
  the server refuses to render an exercise notebook.

Self-check answers are for self-study and may be in the book; they are not
checked here.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from leak_helpers import cell_source, exercises, html_text, leaks, secrets

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = exercises()


def test_there_are_secrets_to_keep():
    s = secrets()
    assert len(EXERCISES) >= 9 and len(s) > 100
    # a few that must be among them: a hidden test's recomputation and a solution line
    assert any(x.startswith("_g = _ex.Grader(") for x in s)
    assert any("scenario[" in x for x in s)


def test_leak_detection_works():
    one = secrets()[0]
    assert leaks(html_text("<pre>" + html.escape(one) + "</pre>")) and not leaks("<p>nothing here</p>")
    highlighted = "".join(f'<span class="n">{html.escape(ch)}</span>' for ch in one)
    assert leaks(html_text(highlighted))


# ---------------------------------------------------------------------------
# release/
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("secrecy-course")
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    for p in EXERCISES:
        d = root / "modules" / p.parent.name
        d.mkdir(parents=True)
        shutil.copy(p, d / p.name)
    proc = subprocess.run([sys.executable, "-m", "mtss_teach.grading", "--course-dir", str(root), "generate"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return root / "release"


def test_release_has_no_answer_keys(release):
    files = [p for p in release.rglob("*") if p.is_file()]
    assert len(files) == len(EXERCISES)
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert leaks(text) == [], (p, leaks(text)[:5])
        # every cell's source, as a learner's Jupyter shows it
        src = "\n".join(cell_source(c) for c in json.loads(text)["cells"])
        assert leaks(src) == [], (p, leaks(src)[:5])


# ---------------------------------------------------------------------------
# the built book
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_built_book_has_no_answer_keys(built_book):
    checked = 0
    for p in built_book.rglob("*"):
        if not p.is_file() or p.suffix not in (".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py"):
            continue
        raw = p.read_text(encoding="utf-8", errors="replace")
        found = leaks(raw) + (leaks(html_text(raw)) if p.suffix == ".html" else [])
        assert found == [], (str(p.relative_to(built_book)), found[:5])
        checked += 1
    assert checked > 0
    assert not list(built_book.rglob("exercise.ipynb")), "an exercise notebook was copied into the book"


# ---------------------------------------------------------------------------
# Voila
# ---------------------------------------------------------------------------


def app_sources() -> list[Path]:
    files = sorted(ROOT.glob("modules/*/app.ipynb")) + sorted(ROOT.glob("apps/**/*.ipynb"))
    files += sorted((ROOT / "mtss_teach" / "widgets").glob("*.py"))
    files += sorted((ROOT / "mtss_teach" / "apps").glob("*.py")) + sorted((ROOT / "mtss_teach" / "explorers").glob("*.py"))
    files.append(ROOT / "mtss_teach" / "charts.py")
    return files


def test_app_code_holds_no_answer_keys():
    files = app_sources()
    if not files:
        pytest.skip("no Voila apps yet")
    for p in files:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".ipynb":
            text = "\n".join(cell_source(c) for c in json.loads(text)["cells"])
        assert leaks(text) == [], (p, leaks(text)[:5])
        # the apps never open the exercises or their checker
        assert "mtss_teach.exercises" not in text and "from mtss_teach import exercises" not in text, p


@pytest.fixture(scope="module")
def voila():
    apps = pytest.importorskip("mtss_teach.apps")
    server = apps.VoilaServer()
    try:
        server.start(timeout=120)
    except RuntimeError as exc:
        pytest.fail(f"Voila did not start: {exc}")
    try:
        yield server, apps
    finally:
        server.stop()


@pytest.mark.slow
def test_voila_refuses_exercise_notebooks(voila):
    server, _ = voila
    for p in EXERCISES:
        url = server.url(str(p.relative_to(ROOT)))
        try:
            with urllib.request.urlopen(url, timeout=120) as r:
                body, status = r.read().decode("utf-8", "replace"), r.status
        except urllib.error.HTTPError as err:
            body, status = err.read().decode("utf-8", "replace"), err.code
        assert status != 200, (url, "an exercise notebook was rendered")
        assert leaks(html_text(body)) == [] and leaks(body) == [], url


@pytest.mark.slow
@pytest.mark.browser
def test_rendered_voila_apps_have_no_answer_keys(voila, offline_page):
    server, apps = voila
    page = offline_page.page
    for path in apps.app_paths():
        page.goto(server.url(path), timeout=120_000)
        try:  # an app's widgets or output, or the landing page's list (the server's own page, no kernel)
            page.wait_for_selector(".jupyter-widgets, .jp-OutputArea-output, .mtss-landing", timeout=60_000)
        except Exception:
            pass  # a page with none of them is checked as it is
        page.wait_for_timeout(500)
        for text in (page.content(), page.inner_text("body")):
            found = leaks(html_text(text))
            assert found == [], (path, found[:5])
