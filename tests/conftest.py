"""Shared fixtures: the repository, the built book, headless Chromium.

Browser tests drive Debian's ``chromium`` through Playwright with
``executable_path`` (Playwright's own browser download does not work
offline). When chromium is missing they are skipped with a clear reason on
a developer machine, but fail under CI (``CI=true``), where ``.ci/run``
installs it.

Three rules hold for the whole suite:

- **Nothing skips silently in CI.** Under ``CI=true`` a skipped test is
  reported as a failure (a missing page, browser or tool is a broken build
  there), unless the test carries ``@pytest.mark.may_skip(reason=...)`` for
  a skip that is right on every machine.
- **Property tests are reproducible in CI.** Hypothesis runs the ``ci``
  profile there (derandomized, no example database, health checks on) and
  the ``dev`` profile (random) elsewhere; ``HYPOTHESIS_PROFILE`` overrides.
- **No test leaves a process behind.** Every process a test starts inherits
  ``MTSS_TEST_RUN``; when the session ends, any process still carrying this
  run's value (a Voila or Jupyter server, a kernel, a hub, a browser) is
  listed, killed, and fails the run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import settings as _hyp_settings

ROOT = Path(__file__).resolve().parents[1]

IN_CI = bool(os.environ.get("CI"))

# Every process started by this test run (xdist workers included) inherits it.
RUN_MARK = "MTSS_TEST_RUN"
os.environ.setdefault(RUN_MARK, uuid.uuid4().hex)

_hyp_settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
_hyp_settings.register_profile("dev", deadline=None, print_blob=True)
_hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))
BUILD_HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


def build_book(*, capture: bool = True) -> subprocess.CompletedProcess:
    """Run the book build exactly as ``make book`` does (incremental, cached)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe), "build", str(ROOT), "-W", "-n", "--keep-going"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=capture, text=True, timeout=1500)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The built book's HTML folder; builds the book if it is not built yet."""
    if not (BUILD_HTML / "index.html").exists():
        proc = build_book()
        if proc.returncode != 0:
            pytest.fail("book build failed:\n" + proc.stdout[-4000:] + proc.stderr[-4000:])
    return BUILD_HTML


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright."""
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI must install Debian's chromium)")
        pytest.skip("Debian's chromium is not installed: `apt-get install chromium` to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class OfflinePage:
    """A browser page whose requests may only go to file:// or localhost.

    Records console errors, page errors and every blocked request.
    """

    def __init__(self, page, allow_hosts=("127.0.0.1", "localhost")):
        self.page = page
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))

        def route(r):
            url = r.request.url
            from urllib.parse import urlparse

            u = urlparse(url)
            if u.scheme in ("file", "data", "blob", "about") or u.hostname in allow_hosts:
                return r.continue_()
            self.blocked.append(url)
            return r.abort()

        page.route("**/*", route)


@pytest.fixture
def offline_page(browser, request):
    """A fresh page with the network blocked except file:// and localhost.

    A failing test saves a screenshot to ``test-artifacts/``.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    wrapped = OfflinePage(page)
    yield wrapped
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__")
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:
            pass
    context.close()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "may_skip(reason): a skip that is right on every machine, CI included")


# ---------------------------------------------------------------------------
# order of the files (xdist)
# ---------------------------------------------------------------------------

#: Files that take long, the longest first, with their rough time in seconds on the 2-core CI
#: machine. ``make test`` hands whole files to the xdist workers in collection order
#: (``--dist loadfile --no-loadscope-reorder``); started first, these files run while the
#: other worker works through the many short ones, instead of one of them starting last and
#: leaving the other worker idle for minutes. Only the order changes, never what runs; files
#: not listed follow, those with more tests first (xdist's own default order). Update the
#: figures from ``--durations`` when a file's time changes a lot.
SLOW_FILES = {
    "tests/test_grading_stress.py": 250,
    "tests/test_grading.py": 220,
    "tests/test_voila_load.py": 150,
    "tests/test_grading_cases.py": 140,
    "tests/test_answer_secrecy.py": 130,
    "tests/test_hub.py": 120,
    "tests/test_room.py": 60,
    "tests/test_exercise_variants.py": 60,
    "tests/test_fuzz_public_api.py": 60,
    "tests/test_voila_apps.py": 60,
    "tests/test_polls_room.py": 50,
    "tests/test_book_build.py": 40,
    "tests/test_selfcheck.py": 30,
}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Slow files first (:data:`SLOW_FILES`), then by number of tests; a file's tests keep their order."""
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    order = sorted(files, key=lambda f: (-SLOW_FILES.get(f, 0), -len(files[f])))
    items[:] = [item for f in order for item in files[f]]


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if (IN_CI and rep.skipped and not hasattr(rep, "wasxfail")
            and item.get_closest_marker("may_skip") is None):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped under CI, where every test must run: {reason}"
    setattr(item, "rep_" + rep.when, rep)


# ---------------------------------------------------------------------------
# leftover processes
# ---------------------------------------------------------------------------


def _own_lineage() -> set[int]:
    """This process and its ancestors (the pytest controller and its parents)."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return pids


def leftover_processes(mark: str | None = None) -> list[tuple[int, str]]:
    """Processes other than this one and its ancestors that carry this run's mark."""
    mark = mark or os.environ[RUN_MARK]
    needle = f"{RUN_MARK}={mark}".encode()
    mine = _own_lineage()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z" or not cmd or "exec(eval(sys.stdin.readline()))" in cmd:
            continue  # gone, or an xdist worker on its way out (execnet's bootstrap)
        found.append((int(entry.name), cmd[:160]))
    return found


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if a test left a server, kernel, hub or browser running."""
    if hasattr(session.config, "workerinput") or not Path("/proc/self/environ").exists():
        return  # xdist workers: the controller checks once, after they have gone
    deadline = time.monotonic() + 15
    left = leftover_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = leftover_processes()
    if not left:
        return
    lines = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in left)
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    session.config.pluginmanager.get_plugin("terminalreporter").write_line(
        f"\nLEFTOVER PROCESSES: tests started these and never stopped them (now killed):\n{lines}",
        red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
