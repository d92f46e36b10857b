"""Grades an instructor can trust, with the real nbgrader CLI (issue 12).

One temporary course (02-screening and 03-tier1-placement) is generated,
and ONE autograde batch grades every case below; a second, incremental run
adds one new and one changed submission; then the review command settles
two submissions. Expected scores come from the tasks' own points, read from
the source notebook's nbgrader metadata (02-screening: seven tasks of 1 to
2 points, 10 in all).

Identity: ``ada`` types her own id (10/10, graded); ``bob`` left the
placeholder and answered for it (10/10, needs review: id mismatch);
``alovelace`` is an LMS login the roster maps to ``jo`` (graded as jo);
``zed`` is not on the roster (graded, needs review).

States: BOM, Windows-1252 and a renamed notebook are graded with a note;
zero cells, another course's notebook, a file that is not a notebook, two
notebooks neither named exercise.ipynb, and a cell that swallows
KeyboardInterrupt are not gradable, each with its reason and no score; an
older release lacking task 3's cells needs review and loses task 3's points; 2 MB of
output is cut to 1 MB with a note.

Habits: 40 harmless habits (tests/grading_habits.py), spread over four
complete solutions, all earn 10/10 with nothing to review.

The collect flow (a second, small course): autograde on the course's own
``submitted/`` folder, three runs, grades only what was collected since the
last run.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grading_habits import HABITS
from grading_helpers import (ROOT, cell, code_cell, env, gid, grades, grading, index_of, load, make_course,
                             markdown_cell, put, report, src_of, with_learner)

COURSE, OTHER = "02-screening", "03-tier1-placement"


def points(src_nb: dict) -> dict[int, float]:
    """task number -> the points of its test cell, from the source notebook's nbgrader metadata."""
    out = {}
    for c in src_nb["cells"]:
        g = gid(c)
        if g and g.startswith("task") and g.endswith("_test"):
            out[int(g[4:-5])] = float(c["metadata"]["nbgrader"]["points"])
    return out


def task_of(src_nb: dict, name: str) -> int:
    """The task whose answer cell defines ``name``."""
    found = [k for k in points(src_nb) if re.search(rf"^{name}\s*=", src_of(cell(src_nb, f"task{k}_answer")), re.M)]
    assert len(found) == 1, (name, found)
    return found[0]


SRC = load(ROOT / "modules" / COURSE / "exercise.ipynb")
POINTS = points(SRC)
FULL = sum(POINTS.values())  # the notebook says "Total: 10 points"
# a wrong answer for each of the course's answers (far from any plausible value)
WRONG = {"sensitivity": "0.01", "specificity": "0.01", "ppv": "0.99", "base_rate": "0.99", "auc_value": "0.01",
         "best_cut": "-5", "vendor_rating": "'none'"}
TIMEOUT = 20  # seconds per cell: generous, the shared test machine can be slow
HABIT_NOTEBOOKS = 4

pytestmark = pytest.mark.slow


def habit_notebook(src: dict, k: int) -> dict:
    """Complete solutions for learner hab{k}, with every HABIT_NOTEBOOKS-th habit as extra cells."""
    lid = f"hab{k}"
    nb = with_learner(src, f"  {lid}  " if k == 0 else lid)  # spaces around the id: stripped
    mine = HABITS[k::HABIT_NOTEBOOKS]
    after_setup = [code_cell(code) for i, (_, code) in enumerate(mine) if i % 2 == 0]
    after_task2 = [code_cell(code) for i, (_, code) in enumerate(mine) if i % 2 == 1]
    i2 = index_of(nb, "task2_test")
    nb["cells"][i2 + 1:i2 + 1] = after_task2 + [markdown_cell("My notes: check the PPV again.")]
    i0 = index_of(nb, "setup")
    nb["cells"][i0 + 1:i0 + 1] = after_setup
    if k == 1:  # an answer reassigned along the way, and a locked task text edited
        a1 = cell(nb, "task1_answer")
        a1["source"] = "sensitivity = -1\nspecificity = None\n" + src_of(a1)
        cell(nb, "task1_text")["source"] = "## Task 1 (my copy)\nI rewrote this text."
    return nb


def wrong_answers(src: dict, lid: str) -> dict:
    nb = with_learner(src, lid)
    assert sorted(task_of(src, name) for name in WRONG) == sorted(POINTS)  # every task answered wrong
    for name, value in WRONG.items():
        a = cell(nb, f"task{task_of(src, name)}_answer")
        a["source"] = src_of(a) + f"\n{name} = {value}\n"
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("cases")
    root = make_course(base / "course", [COURSE, OTHER])
    gen = grading("generate", cwd=root)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    src = load(ROOT / "modules" / COURSE / "exercise.ipynb")
    other = load(ROOT / "modules" / OTHER / "exercise.ipynb")
    subs = base / "subs"
    put(subs, "ada", COURSE, with_learner(src, "ada"))
    put(subs, "bob", COURSE, with_learner(src, "demo-learner"))
    put(subs, "alovelace", COURSE, with_learner(src, "jo"))
    put(subs, "zed", COURSE, with_learner(src, "zed"))
    put(subs, "cat", COURSE, raw=b"\xef\xbb\xbf" + json.dumps(with_learner(src, "cat"), ensure_ascii=False).encode())
    dan = with_learner(src, "dan")
    dan["cells"][0]["source"] = "# Exercise: caf\u00e9 (a Windows-1252 file)"
    put(subs, "dan", COURSE, raw=json.dumps(dan, ensure_ascii=False).encode("cp1252", errors="replace"))
    put(subs, "eve", COURSE, with_learner(src, "eve"), name="exercise (1).ipynb")
    put(subs, "fay", COURSE, {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    gus = with_learner(src, "gus")
    gus["cells"] = [c for c in gus["cells"] if not (gid(c) or "").startswith("task3")]
    put(subs, "gus", COURSE, gus)
    hal = with_learner(src, "hal")
    a1 = cell(hal, "task1_answer")
    a1["source"] = "print('x' * 2_000_000)\n" + src_of(a1)
    put(subs, "hal", COURSE, hal)
    ivy = with_learner(src, "ivy")
    cell(ivy, "task4_answer")["source"] = (
        "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass\n")
    put(subs, "ivy", COURSE, ivy)
    put(subs, "jon", COURSE, with_learner(other, "jon"))  # another course's notebook
    put(subs, "kit", COURSE, raw=b"this is my essay, not a notebook")
    put(subs, "lee", COURSE, with_learner(src, "lee"), name="draft.ipynb")
    put(subs, "lee", COURSE, with_learner(src, "lee"), name="final.ipynb")
    put(subs, "mo", COURSE, wrong_answers(src, "mo"))
    nia = with_learner(src, "nia")
    a2 = cell(nia, "task2_answer")
    a2["source"] = "exec('note = 1')\n" + src_of(a2)  # flagged by the scan: tasks 2-5 withheld
    put(subs, "nia", COURSE, nia)
    for k in range(HABIT_NOTEBOOKS):
        put(subs, f"hab{k}", COURSE, habit_notebook(src, k))
    roster = base / "roster.csv"
    learners = ["ada", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kit", "lee", "mo", "nia", "pat"]
    roster.write_text("learner_id,lms_login\njo,alovelace\n" + "".join(f"{x},\n" for x in learners)
                      + "".join(f"hab{k},\n" for k in range(HABIT_NOTEBOOKS)), encoding="utf-8")
    t0 = time.perf_counter()
    run = grading("autograde", str(subs), "--roster", str(roster), "--timeout", str(TIMEOUT), cwd=root)
    first_seconds = time.perf_counter() - t0
    assert run.returncode in (0, 1), run.stdout + run.stderr
    out = {"root": root, "subs": subs, "src": src, "run": run, "roster": roster, "report": report(root),
           "grades": grades(root), "first_seconds": first_seconds}
    return out


def row(course, folder, assignment=COURSE):
    return course["report"][(folder, assignment)]


def score(r) -> float:
    return float(r["score"])


# --------------------------------------------------------------------------- identity


def test_own_id_is_graded_in_full(course):
    r = row(course, "ada")
    assert (r["state"], r["reason"], score(r), r["typed_learner_id"]) == ("graded", "", FULL, "ada")


def test_placeholder_costs_nothing_but_is_marked_for_review(course):
    r = row(course, "bob")
    assert score(r) == FULL and r["state"] == "needs review", r
    assert "id mismatch (typed demo-learner, graded as bob)" in r["reason"]
    g = course["grades"][("bob", COURSE)]
    assert g["state"] == "needs review" and "id mismatch (typed demo-learner, graded as bob)" in g["reason"]
    assert float(g["score"]) == FULL
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course['root'] / 'gradebook.db'}") as gb:
        comment = gb.find_comment("task1_answer", "exercise", COURSE, "bob").comment
    assert "Needs review: id mismatch (typed demo-learner, graded as bob)" in comment


def test_roster_maps_an_lms_login_to_the_learner(course):
    r = row(course, "alovelace")
    assert (r["student"], r["state"], score(r)) == ("jo", "graded", FULL), r
    assert ("jo", COURSE) in course["grades"] and ("alovelace", COURSE) not in course["grades"]
    assert (course["root"] / "feedback" / "jo" / COURSE / "exercise.html").is_file()


def test_a_folder_not_on_the_roster_is_graded_and_marked(course):
    r = row(course, "zed")
    assert score(r) == FULL and r["state"] == "needs review" and "not on the roster" in r["reason"], r


# --------------------------------------------------------------------------- states


@pytest.mark.parametrize("folder, note", [("cat", "byte-order mark"), ("dan", "not UTF-8"),
                                          ("eve", "renamed notebook")])
def test_odd_files_are_graded_with_a_note(course, folder, note):
    r = row(course, folder)
    assert (r["state"], score(r)) == ("graded", FULL), r
    assert note in r["notes"], r


@pytest.mark.parametrize("folder, why", [
    ("fay", "no cells"),
    ("jon", "exercise of 03-tier1-placement"),
    ("kit", "not a notebook"),
    ("lee", "several notebooks"),
    ("ivy", "did not stop in time when interrupted"),
])
def test_not_gradable_has_a_reason_and_no_score(course, folder, why):
    r = row(course, folder)
    assert r["state"] == "not gradable" and why in r["reason"], r
    assert r["score"] == "", r
    g = course["grades"][(r["student"], COURSE)]
    assert g["state"] == "not gradable" and why in g["reason"] and g["score"] == "", g
    assert why in course["run"].stdout
    page = (course["root"] / "feedback" / r["student"] / COURSE / "exercise.html").read_text(encoding="utf-8")
    assert "could not be graded" in page and why in page  # the learner is told too
    for internal in ("--retry", "--timeout", "grading_log", "nbgrader"):  # the instructor's advice is not
        assert internal not in page, internal


def test_every_submission_has_one_state(course):
    folders = {p.name for p in course["subs"].iterdir()}
    assert {f for f, _ in course["report"]} == folders
    assert all(r["state"] in ("graded", "needs review", "not gradable") for r in course["report"].values())
    # grades.csv: one row per learner and assignment, none a plain 0 without a state
    for g in course["grades"].values():
        assert g["state"] in ("graded", "needs review", "not gradable", "not submitted"), g


def test_older_release_gets_the_missing_task_back_unanswered(course):
    r = row(course, "gus")
    assert r["state"] == "needs review" and "task3_answer" in r["reason"], r
    assert score(r) == FULL - POINTS[3]


def test_huge_output_is_cut_with_a_note(course):
    r = row(course, "hal")
    assert (r["state"], score(r)) == ("graded", FULL), r
    assert "cut to 1 MB" in r["notes"], r
    root = course["root"]
    assert (root / "autograded" / "hal" / COURSE / "exercise.ipynb").stat().st_size < 1_200_000
    page = (root / "feedback" / "hal" / COURSE / "exercise.html").read_text(encoding="utf-8")
    assert len(page.encode()) < 1_600_000 and "output truncated by the grader" in page


# --------------------------------------------------------------------------- feedback


def test_feedback_names_the_failing_task_without_hidden_test_code(course):
    root = course["root"]
    page = (root / "feedback" / "mo" / COURSE / "exercise.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    for name in WRONG:
        assert f"{name} is not right for your scenario" in text or f"{name} should be" in text, name
    hidden = set()
    for c in course["src"]["cells"]:
        s = src_of(c)
        if "BEGIN HIDDEN TESTS" in s:
            body = s.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden |= {ln.strip() for ln in body.splitlines() if len(ln.strip()) > 12}
    assert hidden
    for line in hidden:
        assert line not in page, line
    for secret in ("tol=", "Grader(", "BEGIN HIDDEN", str(root), "site-packages", "/tmp/", "ipykernel_"):
        assert secret not in page, secret
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


@pytest.mark.browser
def test_feedback_page_loads_nothing_off_site(course):
    pw = pytest.importorskip("playwright.sync_api")
    page_path = course["root"] / "feedback" / "mo" / COURSE / "exercise.html"
    requested = []
    result: dict = {}

    def visit():  # in a fresh thread: the sync API refuses a thread where an asyncio loop already runs
        try:
            with pw.sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=["--no-sandbox"] if os.geteuid() == 0 else [])
                try:
                    pg = browser.new_page()

                    def block(route):
                        if route.request.url.startswith("file://"):
                            return route.continue_()
                        requested.append(route.request.url)
                        return route.abort()

                    pg.route("**/*", block)
                    pg.goto(page_path.as_uri())
                    pg.wait_for_load_state("load")
                    result["body"] = pg.inner_text("body")
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread below
            result["error"] = exc

    t = threading.Thread(target=visit, daemon=True)
    t.start()
    t.join(timeout=300)
    assert not t.is_alive(), "the browser did not finish in 300 s"
    if "error" in result:
        raise result["error"]
    body = result["body"]
    assert requested == []
    assert "is not right for your scenario" in body and "Grader(" not in body


# --------------------------------------------------------------------------- habits and tampering


def test_harmless_habits_earn_full_credit(course):
    for k in range(HABIT_NOTEBOOKS):
        r = row(course, f"hab{k}")
        assert (r["state"], score(r), r["review"], r["withheld"]) == ("graded", FULL, "", ""), (
            [n for n, _ in HABITS[k::HABIT_NOTEBOOKS]], r)


@pytest.mark.parametrize("name, code", HABITS, ids=[n for n, _ in HABITS])
def test_each_habit_passes_the_scan(name, code):
    from mtss_teach.grading.scan import _scan_cells

    assert _scan_cells({"cells": [{"cell_type": "code", "source": code, "metadata": {}}]}) == []


def test_habit_corpus_is_large_enough():
    assert len(HABITS) >= 30 and len({n for n, _ in HABITS}) == len(HABITS)


def test_flagged_code_withholds_the_later_tests(course):
    r = row(course, "nia")
    assert r["state"] == "needs review" and "points withheld" in r["reason"], r
    assert score(r) == POINTS[1]  # task 1 ran before the flagged cell
    assert [w.split(":")[0] for w in r["withheld"].split("; ")] == [f"task{k}_test" for k in sorted(POINTS) if k >= 2]


def test_bare_nbgrader_autograde_is_refused_with_the_reason(course, tmp_path):
    root = course["root"]
    e = env()
    e.pop("MTSS_GRADING_PIPELINE", None)
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", COURSE, "--student=ada", "--force"],
                          cwd=str(root), env=e, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "python -m mtss_teach.grading autograde" in proc.stdout + proc.stderr
    # ada's grade is untouched
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(COURSE, "ada").score == FULL


# --------------------------------------------------------------------------- learner-side warning


def test_nbgrader_validate_warns_about_the_placeholder(course, tmp_path):
    nb = load(course["root"] / "release" / COURSE / "exercise.ipynb")
    path = tmp_path / "exercise.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    e = env()
    e["JUPYTERHUB_USER"] = "ada"
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=str(course["root"]),
                          env=e, capture_output=True, text=True, timeout=300)
    assert "LEARNER_ID is still the placeholder 'demo-learner'" in proc.stdout, proc.stdout[-2000:]
    assert "('ada')" in proc.stdout


def test_validate_warnings_cover_placeholder_mismatch_and_missing():
    from mtss_teach.grading.identity import validate_warnings

    def nb(src):
        return {"cells": [{"cell_type": "code", "source": src, "metadata": {}}]}

    assert validate_warnings(nb('LEARNER_ID = "ada"'), "ada") == []
    assert validate_warnings(nb('LEARNER_ID = "ada"'), None) == []
    assert "but you are logged in as 'bob'" in validate_warnings(nb('LEARNER_ID = "ada"'), "bob")[0]
    assert "placeholder" in validate_warnings(nb('LEARNER_ID = "demo-learner"'), None)[0]
    assert "no cell sets LEARNER_ID" in validate_warnings(nb("x = 1"), "ada")[0]
    assert "not set to your login as text" in validate_warnings(nb("LEARNER_ID = get_id()"), "ada")[0]


# --------------------------------------------------------------------------- incremental runs and review


@pytest.fixture(scope="module")
def second_run(course):
    """One new submission, one changed (ada rewrites vendor_rating wrong), everything else unchanged."""
    subs, root, src = course["subs"], course["root"], course["src"]
    put(subs, "pat", COURSE, with_learner(src, "pat"))
    ada = with_learner(src, "ada")
    a5 = cell(ada, f"task{task_of(src, 'vendor_rating')}_answer")
    a5["source"] = src_of(a5) + "\nvendor_rating = 'none'\n"
    put(subs, "ada", COURSE, ada)
    before = report(root)
    run = grading("autograde", str(subs), "--roster", str(course["roster"]), "--timeout", str(TIMEOUT), cwd=root)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    return {"run": run, "before": before, "after": report(root), "grades": grades(root)}


def test_only_new_or_changed_submissions_are_graded(course, second_run):
    lines = [ln.split()[0] for ln in second_run["run"].stdout.splitlines() if ln.strip() and not ln.startswith(
        ("wrote", "nothing"))]
    # not ivy, fay... (not gradable, unchanged), nor any graded one
    assert sorted(lines) == ["ada", "pat"], second_run["run"].stdout
    after = second_run["after"]
    assert score(after[("ada", COURSE)]) == FULL - POINTS[task_of(course["src"], "vendor_rating")] and score(after[("pat", COURSE)]) == FULL
    # the report accumulates: every earlier row is still there, unchanged
    for key, r in second_run["before"].items():
        if key != ("ada", COURSE):
            assert after[key] == r, key
    assert second_run["grades"][("pat", COURSE)]["state"] == "graded"


def test_review_accept_restores_withheld_points_and_the_feedback_says_so(course, second_run):
    root = course["root"]
    proc = grading("review", "nia", COURSE, "--accept", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = report(root)[("nia", COURSE)]
    assert (r["state"], score(r)) == ("graded", FULL) and r["reviewed"].startswith("accepted"), r
    assert float(grades(root)[("nia", COURSE)]["score"]) == FULL
    page = (root / "feedback" / "nia" / COURSE / "exercise.html").read_text(encoding="utf-8")
    assert "Reviewed by the instructor: accepted (withheld points restored)" in page


def test_review_reject_of_an_id_mismatch_scores_nothing(course, second_run):
    root = course["root"]
    proc = grading("review", "bob", COURSE, "--reject", "--note", "used the placeholder", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = report(root)[("bob", COURSE)]
    assert (r["state"], score(r)) == ("graded", 0.0) and r["reviewed"].startswith("rejected"), r
    assert grades(root)[("bob", COURSE)]["state"] == "graded"


def test_formgrader_autograde_button_is_refused(course):
    """Formgrader, started headless on 127.0.0.1, refuses its own autograde with the reason."""
    import urllib.request

    from mtss_teach.apps import free_port

    from nbgrader.api import Gradebook

    root, port, token = course["root"], free_port(), "mtss-test-token"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        before = gb.find_submission(COURSE, "ada").score
    e = env()
    e.pop("MTSS_GRADING_PIPELINE", None)
    proc = subprocess.Popen([sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
                             "--ip=127.0.0.1", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
                             "--ServerApp.port_retries=0"] + (["--allow-root"] if os.geteuid() == 0 else []),
                            cwd=str(root), env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"token {token}"}
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(f"{base}/api/status", headers=headers), timeout=5)
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "jupyter server did not start"
                time.sleep(1)
        req = urllib.request.Request(f"{base}/formgrader/api/submission/{COURSE}/ada/autograde", data=b"",
                                     headers=headers, method="POST")
        with urllib.request.urlopen(req, timeout=300) as resp:
            reply = json.loads(resp.read())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert reply["success"] is False, reply
    assert "python -m mtss_teach.grading autograde" in reply.get("log", "") + reply.get("error", "")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(COURSE, "ada").score == before  # the gradebook is untouched


def test_collect_then_autograde_in_place_grades_only_what_is_new(tmp_path):
    """The nbgrader collect flow: submissions land in the course's own submitted/ folder and autograde
    runs on it. A second run grades nothing (the not-gradable one is not retried); a third, after one
    more learner is collected, grades only that learner, and the report keeps every row."""
    root = make_course(tmp_path / "course", [COURSE])
    gen = grading("generate", cwd=root)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    src = load(ROOT / "modules" / COURSE / "exercise.ipynb")
    sub = root / "submitted"
    put(sub, "ada", COURSE, with_learner(src, "ada"))
    put(sub, "fay", COURSE, {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    def run():
        proc = grading("autograde", "submitted", "--timeout", str(TIMEOUT), cwd=root)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        return [ln.split()[0] for ln in proc.stdout.splitlines() if ln.strip() and not ln.startswith(
            ("wrote", "nothing"))]

    assert sorted(run()) == ["ada", "fay"]
    first = report(root)
    assert run() == []
    assert report(root) == first
    put(sub, "cy", COURSE, with_learner(src, "cy"))
    assert run() == ["cy"]
    after = report(root)
    assert set(after) == {("ada", COURSE), ("fay", COURSE), ("cy", COURSE)}
    assert after[("ada", COURSE)] == first[("ada", COURSE)] and after[("fay", COURSE)] == first[("fay", COURSE)]
    assert (after[("cy", COURSE)]["state"], score(after[("cy", COURSE)])) == ("graded", FULL)
