"""A real JupyterHub on 127.0.0.1: 10 learners, nbgrader's exchange, grades into the LMS files.

The hub runs the academy's own configuration (deploy/jupyterhub_config.py,
deploy/learner/, deploy/nbgrader/) with its environment variables pointing
into a temporary folder and free ports; the proxy is configurable-http-proxy
from npm (``npm ci`` installs it into node_modules/). The round trip:

1. the instructor generates the 01-foundations exercise with the project's
   pipeline and releases it to the exchange (``nbgrader release_assignment``);
   the instructor's own server is started and left idle for the culler;
2. ten learners log in through the hub's login form (one in Chromium, nine
   with a cookie session), start their servers, list and fetch the
   assignment through their server's nbgrader Assignments endpoints, answer
   it (four right, three with tasks 3 and 5 wrong, two with task 1 wrong,
   one blank), run every cell in a kernel of their own server, save and
   submit; the Chromium learner opens the fetched notebook in JupyterLab;
   an eleventh learner on the roster never logs in, and a wrong password is
   refused;
3. the instructor collects (``nbgrader collect``), autogrades with
   ``python -m mtss_teach.grading autograde`` and exports Canvas and Moodle
   files with ``python -m mtss_teach.lms``;
4. the idle culler stops the instructor's idle server;
5. the hub is stopped, and no process it started is left.

Expected scores are decided by hand from the exercise's points (tasks 1-6:
1, 1.5, 3, 1, 2 and 0.5 points, 9 in all; the id check earns 0): right 9,
tasks 3 and 5 wrong 9 - 3 - 2 = 4, task 1 wrong 9 - 1 = 8, blank 0; the learner
who never logged in is "not submitted", an empty cell in the LMS file.
Memory per learner (the learner's server plus its kernel, proportional set
size) is measured after the notebook has run and must stay within the
per-learner memory the deployment page plans for
(deploy/z2jh/config.yaml, ``singleuser.memory.guarantee``).
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import hub_helpers as hh

ROOT = hh.ROOT
ASSIGNMENT = "01-foundations"
NB_PATH = f"{hh.COURSE_ID}/{ASSIGNMENT}/exercise.ipynb"
BROWSER_LEARNER = "l01"
POINTS = {"id_check": 0, "task1_test": 1, "task2_test": 1.5, "task3_test": 3, "task4_test": 1, "task5_test": 2,
          "task6_test": 0.5}
PLAN = {  # learner -> (how they answer, expected score out of 9, decided by hand from POINTS)
    "l01": ("right", 9), "l02": ("right", 9), "l03": ("right", 9), "l04": ("right", 9),
    "l05": ("tasks 3 and 5 wrong", 4), "l06": ("tasks 3 and 5 wrong", 4), "l07": ("tasks 3 and 5 wrong", 4),
    "l08": ("task 1 wrong", 8), "l09": ("task 1 wrong", 8),
    "l10": ("blank", 0),
}
WRONG_TASKS = {"right": (), "tasks 3 and 5 wrong": (3, 5), "task 1 wrong": (1,)}
ABSENT = "l11"  # on the roster, never logs in
INSTRUCTOR = "instructor"
CULL_TIMEOUT, CULL_EVERY, ACTIVITY = 45, 5, 5

WRONG = {  # answers that fail the task's visible checks whatever the learner's scenario
    1: 'status = "excellent"\n',
    3: 'n_needs_support = -1\n',
    5: 'core_share = -1\n',
}


def _src(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _gid(cell):
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def _solution(source_nb: dict, k: int) -> str:
    cell = next(c for c in source_nb["cells"] if _gid(c) == f"task{k}_answer")
    return "\n".join(ln for ln in _src(cell).splitlines() if "### " not in ln) + "\n"


def answer(nb: dict, learner: str, how: str, source_nb: dict) -> dict:
    """The released notebook as the learner leaves it (their id typed; answers per ``how``)."""
    nb = copy.deepcopy(nb)
    for c in nb["cells"]:
        if c["cell_type"] == "code" and _gid(c) is None and "LEARNER_ID =" in _src(c):
            c["source"] = f'LEARNER_ID = "{learner}"\n'
    if how == "blank":
        return nb
    for c in nb["cells"]:
        g = _gid(c) or ""
        if g.startswith("task") and g.endswith("_answer"):
            k = int(g[4:-7])
            wrong = k in WRONG_TASKS[how]
            c["source"] = WRONG[k] if wrong else _solution(source_nb, k)
    return nb


def _planned_memory_mb() -> float:
    """The per-learner memory the deployment page plans for (Kubernetes guarantee), in MB."""
    cfg = yaml.safe_load((hh.DEPLOY / "z2jh" / "config.yaml").read_text())
    text = str(cfg["singleuser"]["memory"]["guarantee"])
    units = {"K": 1 / 1024, "M": 1.0, "G": 1024.0}
    return float(text[:-1]) * units[text[-1].upper()]


def _course(base: Path) -> Path:
    course = base / "course"
    (course / "modules" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copy(ROOT / "modules" / ASSIGNMENT / "exercise.ipynb", course / "modules" / ASSIGNMENT)
    return course


def _run(cmd, *, cwd, env, what, timeout=600) -> str:
    p = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{what} exited {p.returncode}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p.stdout + p.stderr


def learner_round(hub: hh.Hub, name: str, how: str, source_nb: dict, learner: hh.Learner | None = None) -> dict:
    """One learner's whole session; returns what was observed at each step."""
    seen: dict = {}
    L = learner or hh.Learner(hub, name)
    if learner is None:
        r = L.login()
        seen["login"] = (r.status_code, r.headers.get("location", ""))
        seen["spawn_s"] = L.spawn()
        L.open_lab()
        listed = L.assignments()
        seen["listed"] = {(a["assignment_id"], a["status"]) for a in listed}
        fetched = L.fetch(ASSIGNMENT)
        seen["fetched"] = fetched.get("success")
    nb = L.get_notebook(NB_PATH)
    seen["released_has_solution"] = "BEGIN SOLUTION" in json.dumps(nb)
    nb = answer(nb, name, how, source_nb)
    L.save_notebook(NB_PATH, nb)
    ran = L.run_notebook(NB_PATH, nb)
    seen["errors"] = [o["ename"] for c in ran["cells"] if c["cell_type"] == "code"
                      for o in c.get("outputs", []) if o["output_type"] == "error"]
    L.save_notebook(NB_PATH, ran)
    pid = L.server_pid()
    seen["server_pid"] = pid
    import psutil

    kids = [p.pid for p in psutil.Process(pid).children(recursive=True)] if pid else []
    seen["memory"] = hh.memory_mb([pid] + kids) if pid else None
    hub.remember()
    seen["kernels"] = len(kids)
    submitted = L.submit(ASSIGNMENT)
    seen["submitted"] = submitted.get("success")
    seen["submitted_listed"] = any(a.get("status") == "submitted" and a.get("student_id") == name
                                   for a in submitted.get("value", []))
    return seen


def browser_login_and_open(browser, hub: hh.Hub, name: str) -> tuple[hh.Learner, dict]:
    """Log in and open the fetched assignment in JupyterLab, in Chromium; hand the session on."""
    seen: dict = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    page_errors: list[str] = []

    def route(r):
        from urllib.parse import urlparse

        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        t0 = time.perf_counter()
        page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
        page.fill("#username_input", name)
        page.fill("#password_input", hh.PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{name}/lab**", timeout=180_000)
        seen["spawn_s"] = time.perf_counter() - t0
        page.wait_for_selector(".jp-LabShell", timeout=120_000)
        config = json.loads(page.locator("#jupyter-config-data").text_content())
        seen["disabled"] = config.get("disabledExtensions")
        # the Assignments tab's request: fetch the released assignment
        res = page.evaluate("""async ([course, assignment]) => {
            const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1] || '';
            const r = await fetch('assignments/fetch', {method: 'POST',
                headers: {'X-XSRFToken': decodeURIComponent(xsrf),
                          'Content-Type': 'application/x-www-form-urlencoded'},
                body: `course_id=${course}&assignment_id=${assignment}`});
            return {status: r.status, body: await r.json()};
        }""", [hh.COURSE_ID, ASSIGNMENT])
        seen["fetch_status"], seen["fetched"] = res["status"], res["body"].get("success")
        page.goto(f"{hub.url}/user/{name}/lab/tree/{NB_PATH}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=120_000)
        page.wait_for_function("document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length >= 10",
                               timeout=60_000)
        seen["cells"] = page.locator(".jp-NotebookPanel .jp-Cell").count()
        seen["shows_learner_id"] = page.get_by_text("LEARNER_ID", exact=False).count() > 0
        # JupyterLab starts the notebook's kernel in the learner's server; its name shows once it is up
        page.wait_for_function("""() => [...document.querySelectorAll('.jp-NotebookPanel-toolbar .jp-KernelName')]
                                  .some(e => e.textContent.includes('Python'))""", timeout=180_000)
        seen["kernel_name"] = page.locator(".jp-NotebookPanel-toolbar .jp-KernelName").first.inner_text()
        cookies = context.cookies()
    except Exception:
        hh_dir = ROOT / "test-artifacts"
        hh_dir.mkdir(exist_ok=True)
        page.screenshot(path=str(hh_dir / "test_hub_browser.png"), full_page=True)
        raise
    finally:
        seen["page_errors"], seen["blocked"] = page_errors, blocked
        context.close()
    L = hh.Learner(hub, name)
    for c in cookies:
        L.s.cookies.set(c["name"], c["value"], domain=c["domain"], path=c["path"])
    return L, seen


@pytest.mark.slow
@pytest.mark.browser
def test_hub_round_trip_ten_learners(tmp_path, browser):
    if hh.proxy_command() is None:
        msg = "configurable-http-proxy is not installed: run `npm ci` in the repository root"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    source_nb = json.loads((ROOT / "modules" / ASSIGNMENT / "exercise.ipynb").read_text())
    points = {_gid(c): c["metadata"]["nbgrader"]["points"] for c in source_nb["cells"]
              if (c.get("metadata", {}).get("nbgrader") or {}).get("grade")}
    assert points == POINTS, f"the hand-computed scores assume these points per graded cell: {POINTS}"

    roster = tmp_path / "roster.csv"
    roster.write_text("learner_id,lms_user_id,lms_login,section\n" + "".join(
        f"{n},{1000 + i},{n}-lms,Cohort A\n" for i, n in enumerate([*PLAN, ABSENT], start=1)))
    hub = hh.start_hub(tmp_path / "hub", roster, instructors=(INSTRUCTOR,), cull_timeout=CULL_TIMEOUT,
                       cull_every=CULL_EVERY, activity_interval=ACTIVITY)
    try:
        t_up = time.perf_counter() - hub.started
        # -- the instructor: generate with the project's pipeline, release to the exchange
        course = _course(tmp_path)
        inst_env = dict(hub.env, JUPYTER_CONFIG_PATH=str(hh.DEPLOY / "nbgrader"))
        _run([sys.executable, "-m", "mtss_teach.grading", "--course-dir", str(course), "generate",
              "--assignment", ASSIGNMENT], cwd=course, env=inst_env, what="generate")
        _run([sys.executable, "-m", "nbgrader", "release_assignment", ASSIGNMENT], cwd=course, env=inst_env,
             what="release_assignment")
        released = hub.exchange / hh.COURSE_ID / "outbound" / ASSIGNMENT / "exercise.ipynb"
        assert released.is_file(), "release_assignment did not put the notebook in the exchange"
        assert "BEGIN SOLUTION" not in released.read_text(), "the released notebook holds the answer key"

        teacher = hh.Learner(hub, INSTRUCTOR, password=hh.ADMIN_PASSWORD)
        assert teacher.login().status_code == 302
        teacher.spawn()
        t_teacher_idle = time.time()
        assert teacher.user_model()["admin"] is True

        # -- a wrong password is refused
        intruder = hh.Learner(hub, "l02", password="not-the-password")
        r = intruder.login()
        assert r.status_code == 403, f"wrong password: HTTP {r.status_code}"
        assert intruder.s.get(f"{hub.url}/hub/api/user", timeout=30).status_code == 403
        # someone not on the roster is refused even with the right password
        assert hh.Learner(hub, "stranger").login().status_code == 403

        # -- nine learners through the API, in parallel; one in Chromium meanwhile
        t_learners = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=len(PLAN) - 1) as pool:
            futures = {n: pool.submit(learner_round, hub, n, how, source_nb)
                       for n, (how, _) in PLAN.items() if n != BROWSER_LEARNER}
            browser_learner, bseen = browser_login_and_open(browser, hub, BROWSER_LEARNER)
            seen = {BROWSER_LEARNER: learner_round(hub, BROWSER_LEARNER, PLAN[BROWSER_LEARNER][0], source_nb,
                                                   learner=browser_learner)}
            for n, f in futures.items():
                seen[n] = f.result(timeout=600)
        t_learners = time.perf_counter() - t_learners

        # Chromium: logged in through the form, the hub started the server, JupyterLab opened the notebook
        assert bseen["fetch_status"] == 200 and bseen["fetched"] is True, bseen
        assert bseen["cells"] >= 10 and bseen["shows_learner_id"], bseen
        assert "Python" in bseen["kernel_name"], bseen
        # the instructor's tools are switched off in a learner's JupyterLab (deploy/learner/labconfig)
        disabled = bseen["disabled"]
        disabled = set(disabled) if isinstance(disabled, (list, dict)) else set()
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= disabled, disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
        assert bseen["page_errors"] == [], bseen["page_errors"]

        for n, (how, _) in PLAN.items():
            s = seen[n]
            if n != BROWSER_LEARNER:
                assert s["login"] == (302, "/hub/spawn"), (n, s["login"])
                assert (ASSIGNMENT, "released") in s["listed"], (n, s["listed"])
                assert s["fetched"] is True, n
            assert s["released_has_solution"] is False, n
            if how == "blank":
                assert "NotImplementedError" in s["errors"], (n, s["errors"])
            elif how == "right":
                assert s["errors"] == [], (n, s["errors"])
            else:
                assert s["errors"] and "NotImplementedError" not in s["errors"], (n, s["errors"])
            assert s["server_pid"] and s["kernels"] >= 1, (n, s)
            assert s["submitted"] is True and s["submitted_listed"], (n, s)
        inbound = sorted(p.name.split("+")[0] for p in (hub.exchange / hh.COURSE_ID / "inbound").iterdir())
        assert inbound == sorted(PLAN), inbound

        # memory per learner: within what the deployment page plans for
        mem = [seen[n]["memory"]["pss"] for n in PLAN]
        planned = _planned_memory_mb()
        assert max(mem) <= planned, f"a learner's server + kernel used {max(mem):.0f} MB; the page plans {planned:.0f} MB"

        # -- the instructor collects, autogrades with the project's pipeline, exports
        out = _run([sys.executable, "-m", "nbgrader", "collect", ASSIGNMENT], cwd=course, env=inst_env, what="collect")
        collected = sorted(p.parent.parent.name for p in (course / "submitted").glob(f"*/{ASSIGNMENT}/exercise.ipynb"))
        assert collected == sorted(PLAN), out[-2000:]
        t_grade = time.perf_counter()
        _run([sys.executable, "-m", "mtss_teach.grading", "--course-dir", str(course), "autograde",
              str(course / "submitted"), "--timeout", "60", "--no-feedback"], cwd=course, env=inst_env,
             what="autograde")
        t_grade = time.perf_counter() - t_grade
        with open(course / "grading_report.csv", newline="") as fh:
            report = {r["student"]: r for r in csv.DictReader(fh)}
        for n, (how, want) in PLAN.items():
            assert report[n]["graded"] == "True" and not report[n]["error"], report[n]
            assert float(report[n]["score"]) == want, (n, how, report[n])
        canvas, moodle = tmp_path / "canvas.csv", tmp_path / "moodle.csv"
        for fmt, dest in (("canvas", canvas), ("moodle", moodle)):
            _run([sys.executable, "-m", "mtss_teach.lms", fmt, "--grades", str(course / "grades.csv"),
                  "--roster", str(roster), "--released", ASSIGNMENT, "--out", str(dest)],
                 cwd=course, env=inst_env, what=f"lms {fmt}")
        rows = list(csv.reader(canvas.open()))
        assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
        assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "9"
        got = {r[0]: r[5] for r in rows[2:]}
        want = {n: f"{s:g}" for n, (_, s) in PLAN.items()} | {ABSENT: ""}
        assert got == want
        mrows = list(csv.reader(moodle.open()))
        assert {r[1]: r[3] for r in mrows[1:]} == {f"{n}-lms": v if v else "-" for n, v in want.items()}
        notes = list(csv.DictReader((tmp_path / "canvas_notes.csv").open()))
        assert [(r["learner_id"], r["state"]) for r in notes] == [(ABSENT, "not submitted")]

        # -- the idle culler stops the instructor's idle server
        deadline = t_teacher_idle + CULL_TIMEOUT + 3 * CULL_EVERY + 30
        while time.time() < deadline and teacher.user_model().get("servers"):
            time.sleep(1)
        assert not teacher.user_model().get("servers"), "the idle culler did not stop the idle server"
        culled = [ln for ln in hub.log_tail(10**8).splitlines()
                  if f"DELETE /hub/api/users/{INSTRUCTOR}/server" in ln and "idle-culler" in ln]
        assert culled, "the hub's log shows no DELETE of the idle server by the idle-culler service"

        figures = {"hub_start_s": round(t_up, 1), "learners_s": round(t_learners, 1),
                   "spawn_s_median": round(statistics.median(
                       [seen[n]["spawn_s"] for n in PLAN if n != BROWSER_LEARNER]), 1),
                   "browser_spawn_s": round(bseen["spawn_s"], 1), "autograde_s": round(t_grade, 1),
                   "memory_pss_mb_median": round(statistics.median(mem)), "memory_pss_mb_max": round(max(mem)),
                   "memory_rss_mb_median": round(statistics.median(seen[n]["memory"]["rss"] for n in PLAN))}
        print("hub round trip:", json.dumps(figures))
    finally:
        leftovers = hh.stop_hub(hub)
    assert leftovers == [], f"processes the hub started were still running after it stopped: {leftovers}"


def test_deployment_page_shows_the_tested_configuration_files_themselves():
    """Every file in deploy/ is on the deployment page by inclusion, never copied by hand."""
    page = (ROOT / "book" / "facilitators" / "deployment.md").read_text(encoding="utf-8")
    included = {(ROOT / "book" / "facilitators" / m).resolve()
                for m in __import__("re").findall(r"```\{literalinclude\} (\S+)", page)}
    shipped = {p.resolve() for p in hh.DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert shipped and shipped <= included, sorted(str(p) for p in shipped - included)
    assert all(p.is_file() for p in included)
    # no hand-written copy of a hub or nbgrader setting outside the included files
    hand = [ln for ln in page.splitlines() if ln.lstrip().startswith(("c.JupyterHub", "c.Exchange", "c.Spawner",
                                                                      "c.CourseDirectory", "c.Authenticator"))]
    assert hand == []
    # the test runs the file the page shows
    assert hh.HUB_CONFIG == hh.DEPLOY / "jupyterhub_config.py"
