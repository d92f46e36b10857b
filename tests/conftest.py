"""Shared fixtures: the repository, the built book, headless Chromium.

Browser tests drive Debian's ``chromium`` through Playwright with
``executable_path`` (Playwright's own browser download does not work
offline). When chromium is missing they are skipped with a clear reason on
a developer machine, but fail under CI (``CI=true``), where ``.ci/run``
installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
