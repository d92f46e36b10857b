"""Voila under load: update latency with 20 concurrent sessions vs one session alone.

The same run as ``tests/test_voila_load.py`` (whose driver this module
reuses): one Voila server with the academy's configuration on localhost,
one headless Debian Chromium; one session alone moves the screening
explorer's cut five times (the same-run baseline), then 20 sessions
(screening explorer on the five datasets, decision-rule lab, behaviour
view) arrive in waves of five, stay open, and each moves its control three
times, all twenty within the same second. Each latency is stamped in the
page: from just before the key press until the number it drives changes.

Rows:

* **p95 update latency, 20 sessions** vs the single session's p95 in the
  same run. Target: p95 at most 1 s (a learner moving a slider in a full
  room still sees the answer within a second).
* **median update latency, 20 sessions** vs the single session's median
  (reported).
* **kernel memory per session** (median RSS of the 20 kernels) vs the
  warm-up kernel (the screening explorer alone; reported).
* **server memory with 20 sessions** (the Voila process's RSS) vs its warm
  level before them (reported).

The peak-memory column holds the server plus all its kernels with the 20
sessions open.

Room rows (group ``voila-room``, :func:`run_room`): 40 participants open
the same app at once against the real ``serve --room 40`` command (the
driver of ``tests/test_room.py``): p95 and median time to usable (target
p95 <= 20 s), blank or failed pages (target 0), kernels left 60 s after
the pages close (target 0), kernel memory per session (target <= 150 MB
RSS) against a kernel that draws its own charts, in the same run. Quick mode: 4 sessions (one wave), one move each, three
warm-up moves. Culling is not waited for here (the test checks it).
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._browser import CHROMIUM_ARGS, require_browser
from benchmarks._harness import Result, median_spread, spread_note

ROOT = Path(__file__).resolve().parents[1]
GROUP = "voila-load"
P95_TARGET_S = 1.0
def _driver() -> Any:
    """The load driver of tests/test_voila_load.py, loaded from its file (tests/ is not a package)."""
    path = ROOT / "tests" / "test_voila_load.py"
    spec = importlib.util.spec_from_file_location("_mtss_voila_load", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def _note(parts: list[str], spread: float) -> str:
    return "; ".join(p for p in (*parts, spread_note(spread)) if p)


def _room_driver() -> Any:
    """tests/room_helpers.py (the room test's driver), loaded from its file."""
    path = ROOT / "tests" / "room_helpers.py"
    spec = importlib.util.spec_from_file_location("_mtss_room_helpers", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


ROOM_GROUP = "voila-room"
ROOM_N = 40
USABLE_P95_TARGET_S = 20.0
KERNEL_RSS_TARGET_MB = 150.0


def run_room(quick: bool = False) -> list[Result]:
    """A room at once, at full size: the real ``serve --room N --app screening --token T``, N participants
    (browser contexts in one headless Chromium) opening the app within a second or two; then they close.

    Same-run baselines: one participant alone on a server with the charts drawn in each kernel (the
    configuration before the room server: ``MTSS_SHARED_CHARTS=0``), for time to usable and kernel memory.
    """
    import tempfile

    exe = require_browser("bench_load (room)")
    from playwright.sync_api import sync_playwright

    rd = _room_driver()
    n = 4 if quick else ROOM_N
    logs = Path(tempfile.mkdtemp(prefix="mtss-bench-room-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            alone = rd.room_run(browser, 1, logs / "alone.log", close_wait_s=60,
                                env={"MTSS_SHARED_CHARTS": "0"})
            r = rd.room_run(browser, n, logs / "room.log", usable_budget_s=300 if not quick else 120,
                            close_wait_s=60, prepare_timeout_s=600)
        finally:
            browser.close()
    rd.print_report(alone)
    rd.print_report(r)
    t, t1 = r["time_to_usable_s"], alone["time_to_usable_s"]
    fails = len(r["failures"])
    common = (f"{n} participants opened the app within {r['open_spread_s']:.1f} s; room prepared in "
              f"{r['prepare_s']:.0f} s; {fails} failures; blank pages {r['blank_pages']}")
    one = t1["p50"] or float("nan")
    p95 = t["p95"] if t["n"] == n else float("inf")  # a page that never became usable counts as never
    peak = r["kernel_memory_mb"]["rss_total"]
    rows = [
        Result(ROOM_GROUP, f"time to usable, p95, {n} at once", p95, "s", "one participant alone", one,
               p95 / one if one == one and one > 0 else float("inf"), f"p95 <= {USABLE_P95_TARGET_S:g} s",
               p95 <= USABLE_P95_TARGET_S, median_spread(t["samples"])[1] if t["samples"] else 0.0, peak, common),
        Result(ROOM_GROUP, f"time to usable, median, {n} at once", t["p50"] if t["p50"] is not None else float("nan"),
               "s", "one participant alone", one, (t["p50"] or float("nan")) / one if one == one and one > 0 else
               float("inf"), "report", None, 0.0, peak, common),
        Result(ROOM_GROUP, f"blank or failed pages, {n} at once", float(fails), "pages", "none", 0.0, float("nan"),
               "0", fails == 0, 0.0, peak, "; ".join(f["error"][:60] for f in r["failures"][:3])),
        Result(ROOM_GROUP, f"kernels left 60 s after {n} pages close", float(r["kernels_left_after_close"]),
               "kernels", "none", 0.0, float("nan"), "0", r["kernels_left_after_close"] == 0, 0.0, peak,
               f"gone after {r['seconds_until_kernels_gone'] or float('nan'):.1f} s; pre-heated again for the next "
               f"arrivals: {r['status_after_close'].get('pooled')}"),
    ]
    mem, mem1 = r["kernel_memory_mb"], alone["kernel_memory_mb"]
    if mem["rss_median"] and mem1["rss_median"]:
        rows.append(Result(ROOM_GROUP, "kernel memory per session (RSS, median)", mem["rss_median"], "MB",
                           "kernel drawing its own charts (before)", mem1["rss_median"],
                           mem["rss_median"] / mem1["rss_median"], f"<= {KERNEL_RSS_TARGET_MB:g} MB",
                           mem["rss_median"] <= KERNEL_RSS_TARGET_MB, 0.0, peak,
                           f"PSS median {mem['pss_median']:.0f} MB, USS median {mem['uss_median']:.0f} MB "
                           f"(before: PSS {mem1['pss_median']:.0f}, USS {mem1['uss_median']:.0f}); after the "
                           "first charts and one update"))
    return rows


def run(quick: bool = False) -> list[Result]:
    """The load run and the room run (see the module docstring); returns the rows."""
    return _run_load(quick) + run_room(quick)


def _run_load(quick: bool = False) -> list[Result]:
    """One load run (see the module docstring); returns the rows."""
    exe = require_browser("bench_load")
    from playwright.sync_api import sync_playwright

    from mtss_teach.apps import VoilaServer

    drv = _driver()
    n, moves, warm_moves, wave = (4, 1, 3, 4) if quick else (drv.N_SESSIONS, drv.MOVES, drv.WARM_MOVES, drv.WAVE)
    with VoilaServer(extra=drv.cull_flags()) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            r = drv.run_load(browser, server, n_sessions=n, moves=moves, warm_moves=warm_moves, wave=wave,
                             wait_cull=False)
        finally:
            browser.close()
    if r["failures"] or r["warmup"]["errors"]:
        raise RuntimeError(f"load run failed: {r['warmup']['errors']} {r['failures']}")

    single = r["warmup"]["latencies_s"]
    lat = r["update_latency_s"]
    spread = max(median_spread(lat["samples"])[1], median_spread(single)[1])
    peak = r["total_rss_mb"]["with_sessions"]
    common = [f"{n} sessions, waves of {wave}, {moves} moves each", f"n={lat['n']} vs {len(single)}"]
    rows = []
    p95, p95_1 = lat["p95"], float(np.percentile(single, 95))
    rows.append(Result(GROUP, f"p95 update latency, {n} sessions", p95, "s", "one session alone (p95)", p95_1,
                       p95 / p95_1 if p95_1 > 0 else float("inf"), f"p95 <= {P95_TARGET_S:g} s",
                       p95 <= P95_TARGET_S, spread, peak, _note(list(common), spread)))
    med, med_1 = lat["median"], statistics.median(single)
    rows.append(Result(GROUP, f"median update latency, {n} sessions", med, "s", "one session alone (median)",
                       med_1, med / med_1 if med_1 > 0 else float("inf"), "report", None, spread, peak,
                       _note(list(common), spread)))
    mem = r["kernel_memory_mb"]
    alone = r["warmup"]["kernel_rss_mb"]
    if alone:
        rows.append(Result(GROUP, "kernel memory per session (RSS, median)", mem["per_session_rss_median"], "MB",
                           "warm-up kernel (screening, alone)", alone, mem["per_session_rss_median"] / alone, "report",
                           None, median_spread(mem["per_session_rss"])[1], peak,
                           f"USS median {mem['per_session_uss_median']:.0f} MB; "
                           f"max {mem['per_session_rss_max']:.0f} MB"))
    srv = r["server_rss_mb"]
    rows.append(Result(GROUP, f"server memory with {n} sessions (RSS)", srv["peak_with_sessions"], "MB",
                       "server, warm, before the sessions", srv["warm_before"],
                       srv["peak_with_sessions"] / srv["warm_before"], "report", None, 0.0, peak,
                       f"cold start {srv['cold']:.0f} MB"))
    return rows


if __name__ == "__main__":  # pragma: no cover
    from benchmarks.__main__ import print_table

    print_table([row.as_dict() for row in run(quick="--quick" in sys.argv)])
