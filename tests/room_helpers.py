"""The room driver shared by tests/test_room.py and benchmarks/bench_load.py.

A room: the real ``python -m mtss_teach.apps serve`` command, as the
facilitator's guide gives it (``--room N --app screening`` with a room
token), started on a free localhost port in its own process group and
waited for until it prints "Room ready". Then N participants -- N browser
contexts (separate cookies, separate kernels) in ONE headless Chromium --
open the room's address with its token within a second or two of each
other (each page is sent to the address by script, so no participant
waits for another), cycling through the shipped datasets with
``?dataset=``.

Timing is taken in the pages themselves: an init script records, with
``performance.timeOrigin + performance.now()`` (wall-clock milliseconds),
the moment the app's first number is on screen inside a rendered widget
(``.mtss-app [data-metric][data-value]`` under ``.jupyter-widgets``);
"time to usable" is that moment minus the moment the driver sent the page
to the address. A page that has not reached it by the deadline is a
failure, reported with what it shows (a blank page, an error, the "room is
full" page). Each usable page then moves the cut score once, and the
count of flagged students it shows must change to the count computed
here from the dataset (numpy), so "usable" means a working app, not a
picture of one.

Then every page is closed the way a participant closes a tab (the page's
``beforeunload`` runs) and the kernels the server still runs are counted
until none is left or the wait is over.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
APP = "modules/02-screening/app.ipynb"

USABLE_JS = """() => {
  window.__mtss = {usable: null, stale: null};
  const check = () => {
    if (window.__mtss.usable === null) {
      const el = document.querySelector('.mtss-app [data-metric="flagged"][data-value]');
      if (el && el.offsetParent !== null) window.__mtss.usable = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
}"""
# (an init script runs before the page's own scripts, in every page of the context)
INIT_SCRIPT = f"({USABLE_JS})();"


# ---------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------


def kernel_pids(server_pid: int) -> list[int]:
    """Kernel processes under the server (any depth)."""
    import psutil

    out = []
    try:
        kids = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return out
    for p in kids:
        try:
            if "ipykernel" in " ".join(p.cmdline()) or "mtss_teach.apps.kernel" in " ".join(p.cmdline()):
                out.append(p.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return out


def kernel_memory(server_pid: int) -> list[dict[str, float]]:
    """RSS, PSS and USS (MB) of every kernel process under the server."""
    import psutil

    rows = []
    for pid in kernel_pids(server_pid):
        try:
            full = psutil.Process(pid).memory_full_info()
            rows.append({"pid": pid, "rss_mb": full.rss / 2**20, "uss_mb": full.uss / 2**20,
                         "pss_mb": getattr(full, "pss", float("nan")) / 2**20})
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return rows


@dataclass
class Serve:
    """``python -m mtss_teach.apps serve`` in its own process group, output to a file."""

    args: list[str]
    log_path: Path
    proc: subprocess.Popen | None = None
    port: int = 0
    token: str = ""

    def start(self) -> "Serve":
        from mtss_teach.apps import free_port

        self.port = self.port or free_port()
        cmd = [sys.executable, "-m", "mtss_teach.apps", "serve", "--port", str(self.port), *self.args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text()
        except OSError:
            return ""

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log())
            if m:
                return m
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited ({self.proc.returncode}) before {pattern!r}:\n{self.log()[-4000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"serve did not print {pattern!r} within {timeout:g} s:\n{self.log()[-4000:]}")

    def server_pid(self) -> int:
        """The Voila server's pid (the child of ``serve``)."""
        import psutil

        for _ in range(100):
            kids = psutil.Process(self.proc.pid).children()
            if kids:
                return kids[0].pid
            time.sleep(0.1)
        raise RuntimeError("serve started no server process")

    def stop(self, timeout: float = 30.0) -> dict:
        """SIGTERM to ``serve`` (as a facilitator's Ctrl-C or a service manager would); report what is left."""
        import psutil

        out: dict[str, Any] = {}
        if self.proc is None:
            return out
        group = []
        try:
            group = [self.proc.pid] + [p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        out["stop_seconds"] = time.monotonic() - t0
        time.sleep(0.5)
        left = [pid for pid in group if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
        out["left_after_sigterm"] = left
        for pid in left:  # never leave anything behind, whatever the outcome
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self._log.close()
        return out


# ---------------------------------------------------------------------------
# the room
# ---------------------------------------------------------------------------


@dataclass
class Participant:
    index: int
    dataset: str
    context: Any = None
    page: Any = None
    sent_ms: float = 0.0
    usable_s: float | None = None
    moved: bool = False
    error: str = ""
    events: list[str] = field(default_factory=list)


def flagged_count(dataset: str, cut: float) -> int:
    """Students flagged at ``cut`` in the app's start view (grade 3, fall ORF: score < cut), by numpy."""
    from mtss_teach import datasets

    c = datasets.load(dataset)
    grade = c.students.set_index("student_id")["grade"]
    rows = c.screening[(c.screening["measure"] == "orf") & (c.screening["season"] == "fall")]
    rows = rows[grade.reindex(rows["student_id"]).to_numpy() == 3]
    return int(np.count_nonzero(rows["score"].to_numpy(dtype=float) < cut))


def percentile(xs: list[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(xs, dtype=float), q)) if xs else None


def room_status(base_url: str, token: str) -> dict:
    """The server's own count: kernels, pre-heated ones waiting in the pool, ones serving a page."""
    import urllib.request

    req = urllib.request.Request(f"{base_url}/voila/mtss/status", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def overflow_check(browser, base_url: str, token: str, people: list[Participant], wait_s: float = 90.0) -> dict:
    """A participant past capacity sees the retrying "room is full" page, and gets in once someone leaves."""
    out: dict[str, Any] = {}
    ctx = browser.new_context(viewport={"width": 1024, "height": 768})
    ctx.add_init_script(INIT_SCRIPT)
    page = ctx.new_page()
    try:
        resp = page.goto(f"{base_url}/voila/render/{APP}?token={token}", timeout=30000)
        out["first_status"] = resp.status if resp else None  # after the token redirect: the page itself
        out["full_page"] = page.locator("[data-mtss-room-full]").count() == 1
        out["full_page_text"] = page.inner_text("body")[:200]
        leaver = next((p for p in people if p.usable_s is not None), None)
        if leaver is not None:
            leaver.page.close(run_before_unload=True)  # someone leaves: a place frees up
            leaver.page = None
        t0 = time.monotonic()
        page.wait_for_function("window.__mtss && window.__mtss.usable !== null", timeout=wait_s * 1000,
                               polling=500)
        out["got_in_after_s"] = time.monotonic() - t0
    except Exception as exc:  # noqa: BLE001 - reported; the test asserts on it
        out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        try:
            page.close(run_before_unload=True)
            time.sleep(0.5)
            ctx.close()
        except Exception:  # noqa: BLE001
            pass
    return out


def run_room(browser, base_url: str, token: str, n: int, server_pid: int, usable_budget_s: float = 60.0,
             close_wait_s: float = 60.0, move: bool = True, overflow: bool = False) -> dict:
    """N participants open the app at once; returns the report (see the module docstring)."""
    from mtss_teach import datasets

    names = list(datasets.list_datasets()["name"])
    people = [Participant(i, names[i % len(names)]) for i in range(n)]
    for p in people:  # browser tabs ready before anyone types the address
        p.context = browser.new_context(viewport={"width": 1024, "height": 768})
        p.context.add_init_script(INIT_SCRIPT)
        p.page = p.context.new_page()
        p.page.on("pageerror", lambda e, p=p: p.events.append(f"pageerror: {e}"))
    report: dict[str, Any] = {"participants": n, "app": APP}
    t_open = time.time()
    for p in people:
        url = f"{base_url}/voila/render/{APP}?dataset={p.dataset}&token={token}"
        p.sent_ms = time.time() * 1000
        # sent by the page itself, after this call returns: no participant waits for another
        p.page.evaluate("u => { setTimeout(() => { window.location.href = u; }, 0); }", url)
    report["open_spread_s"] = time.time() - t_open  # all N addresses were typed within this

    deadline = time.monotonic() + usable_budget_s
    for p in people:
        left = max(1000.0, (deadline - time.monotonic()) * 1000)
        try:
            p.page.wait_for_function("window.__mtss && window.__mtss.usable !== null", timeout=left, polling=250)
            p.usable_s = (p.page.evaluate("window.__mtss.usable") - p.sent_ms) / 1000
        except Exception as exc:  # noqa: BLE001 - a page that never becomes usable is a counted failure
            try:
                body = p.page.inner_text("body", timeout=2000).strip()
            except Exception:  # noqa: BLE001
                body = "(page not readable)"
            kind = "blank page" if not body else ("room full page" if "room is full" in body else "not usable")
            p.error = f"{kind}: {type(exc).__name__}: {body[:200]!r}"
    usable = [p.usable_s for p in people if p.usable_s is not None]
    report["time_to_usable_s"] = {"n": len(usable), "p50": percentile(usable, 50), "p95": percentile(usable, 95),
                                  "max": max(usable) if usable else None, "samples": usable}
    report["blank_pages"] = sum(1 for p in people if p.error.startswith("blank page"))

    if move:  # every usable page moves the cut once; the count shown must become numpy's
        starts = {}
        for p in people:
            if p.usable_s is None:
                continue
            try:
                starts[p.index] = int(p.page.locator(".mtss-cut .widget-readout").first.inner_text().strip())
                h = p.page.locator(".mtss-cut .noUi-handle").first
                h.focus()
                h.press("ArrowRight")
            except Exception as exc:  # noqa: BLE001
                p.error = f"move: {type(exc).__name__}: {str(exc)[:200]}"
        deadline = time.monotonic() + 60
        for p in people:
            if p.index not in starts or p.error:
                continue
            want = flagged_count(p.dataset, starts[p.index] + 1)
            try:
                p.page.wait_for_function(
                    "w => { const el = document.querySelector(`[data-metric='flagged']`);"
                    " return el && parseFloat(el.getAttribute('data-value')) === w; }",
                    arg=want, timeout=max(1000.0, (deadline - time.monotonic()) * 1000))
                p.moved = True
            except Exception as exc:  # noqa: BLE001
                p.error = f"update: expected {want} flagged: {type(exc).__name__}"
        report["moved_and_checked"] = sum(p.moved for p in people)

    # charts: each working page shows its charts (drawn after the numbers), then memory is read
    deadline = time.monotonic() + 60
    charts = 0
    for p in people:
        if p.usable_s is None or p.error:
            continue
        try:
            p.page.wait_for_selector(".mtss-app svg", state="attached",
                                     timeout=max(1000.0, (deadline - time.monotonic()) * 1000))
            charts += 1
        except Exception:  # noqa: BLE001 - counted, not fatal: the numbers are what the room needs first
            pass
    report["pages_with_charts"] = charts
    time.sleep(1.0)
    mem = kernel_memory(server_pid)
    report["kernels_with_pages"] = len(mem)
    report["kernel_memory_mb"] = {
        "rss_median": statistics.median([m["rss_mb"] for m in mem]) if mem else None,
        "pss_median": statistics.median([m["pss_mb"] for m in mem]) if mem else None,
        "uss_median": statistics.median([m["uss_mb"] for m in mem]) if mem else None,
        "rss_total": sum(m["rss_mb"] for m in mem), "pss_total": sum(m["pss_mb"] for m in mem)}


    if overflow:  # one more than the room holds: the "room is full" page, which gets in by itself
        report["overflow"] = overflow_check(browser, base_url, token, people)

    report["failures"] = [{"participant": p.index, "dataset": p.dataset, "error": p.error, "events": p.events[:3]}
                          for p in people if p.error]

    # close every tab as a participant does (the page's beforeunload runs), then count kernels
    for p in people:
        try:
            if p.page is not None:
                p.page.close(run_before_unload=True)
        except Exception:  # noqa: BLE001
            pass
    t_closed = time.monotonic()
    time.sleep(1.0)
    for p in people:
        try:
            p.context.close()
        except Exception:  # noqa: BLE001
            pass
    # a kernel serving a closed page is "left"; kernels the server pre-heats again for the next
    # arrivals (the pool is refilled) are counted apart
    left = room_status(base_url, token)["sessions"]
    while left and time.monotonic() - t_closed < close_wait_s:
        time.sleep(0.5)
        left = room_status(base_url, token)["sessions"]
    report["kernels_left_after_close"] = left
    report["status_after_close"] = room_status(base_url, token)
    report["seconds_until_kernels_gone"] = time.monotonic() - t_closed if left == 0 else None
    report["close_wait_s"] = close_wait_s
    return report


def print_report(r: dict) -> None:
    t, m = r["time_to_usable_s"], r["kernel_memory_mb"]

    def s(x):
        return "-" if x is None else f"{x:.1f} s"

    def mb(x):
        return "-" if x is None or x != x else f"{x:.0f} MB"

    print(f"\nRoom: {r['participants']} participants opened {r['app']} within {r['open_spread_s']:.1f} s "
          f"(room prepared in {r.get('prepare_s', float('nan')):.0f} s)")
    print(f"  time to usable: p50 {s(t['p50'])}, p95 {s(t['p95'])}, max {s(t['max'])} ({t['n']} usable); "
          f"blank pages {r['blank_pages']}; failures {len(r['failures'])}; "
          f"moved and checked {r.get('moved_and_checked', '-')}")
    print(f"  kernels with pages {r['kernels_with_pages']}: RSS median {mb(m['rss_median'])}, PSS median "
          f"{mb(m['pss_median'])}, USS median {mb(m['uss_median'])}; PSS total {mb(m['pss_total'])}")
    print(f"  kernels left after closing: {r['kernels_left_after_close']} "
          f"(gone after {s(r['seconds_until_kernels_gone'])})")
    if r.get("stop"):
        print(f"  serve stopped by SIGTERM in {r['stop']['stop_seconds']:.1f} s; processes left "
              f"{r['stop']['left_after_sigterm']}")
    if r["failures"]:
        print("  failures:", json.dumps(r["failures"][:5], indent=1))


def room_run(browser, n: int, log_path: Path, max_kernels: int | None = None, usable_budget_s: float = 60.0,
             close_wait_s: float = 60.0, prepare_timeout_s: float = 240.0, overflow: bool = False) -> dict:
    """Start ``serve --room n --app screening --token T``, wait for 'Room ready', run the room, stop serve."""
    from mtss_teach.apps import new_token

    token = new_token()
    args = ["--ip", "127.0.0.1", "--token", token, "--room", str(n), "--app", "screening",
            "--max-kernels", str(max_kernels or n)]
    serve = Serve(args, log_path).start()
    try:
        t0 = time.monotonic()
        serve.wait_for(r"(?m)^Room ready:", prepare_timeout_s)
        prepare_s = time.monotonic() - t0
        pid = serve.server_pid()
        report = run_room(browser, f"http://127.0.0.1:{serve.port}", token, n, pid, usable_budget_s, close_wait_s,
                          overflow=overflow)
        report["prepare_s"] = prepare_s
    finally:
        stop = serve.stop()
    report["stop"] = stop
    return report
