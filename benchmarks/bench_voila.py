"""Voila apps: time to first render, and control-to-update round trip, in a real browser.

One Voila server (the configuration of ``python -m mtss_teach.apps serve``)
and one headless Debian Chromium are started for the run. Every figure is
measured with Playwright in the same run as its baseline:

* **First render** of each app -- from ``page.goto`` until the app's widgets
  are visible *and* its first number is on the page (``[data-metric]``),
  against the one-cell hello-world notebook ``apps/hello.ipynb`` (widgets
  visible). Loads alternate between the baseline and the apps, in one
  browser context (its static-file cache warmed by one load first), so both
  sides pay the same page and kernel start-up. Target: at most 1.5x.
  A second row per app reports when its first chart (SVG drawn off-thread)
  appears, for information.
* **Round trip** -- from a key press on a slider (or a click, or a typed
  value) until the number the control drives has changed on the page
  (a ``MutationObserver`` in the page stamps the change with
  ``performance.now()``; the start is stamped just before Playwright sends
  the key, so the figure includes the input's own latency). Baseline: the
  same slider-to-text echo in the hello-world notebook. Target: median at
  most 150 ms.

The full run loads each app five times (the baseline as often, alternating),
then repeats the first-render comparison on a second server with
pre-heated kernels (``python -m mtss_teach.apps serve --preheat``: one
pre-executed kernel per notebook, the baseline's too), waiting for the
pools to refill between loads.

Quick mode (``run(quick=True)``): cold server only, one load per app, and
three round trips on two apps.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from benchmarks._browser import CHROMIUM_ARGS, OBSERVE, SECONDS, SEEN, require_browser
from benchmarks._harness import Result, median_spread, spread_note

GROUP = "voila"
RENDER_TARGET = 1.5
ROUND_TRIP_TARGET = 0.150  # seconds
RENDER_TIMEOUT = 120_000


def _row(name: str, samples: list[float], base_name: str, base: list[float], target: str,
         met: bool | None, note: str = "") -> Result:
    (fig, s1), (b, s2) = median_spread(samples), median_spread(base)
    spread = max(s1, s2)
    notes = [n for n in (note, f"n={len(samples)}", spread_note(spread)) if n]
    return Result(GROUP, name, fig, "s", base_name, b, fig / b if b > 0 else float("inf"), target, met,
                  spread, None, "; ".join(notes))


def _load(context: Any, url: str, ready: str, chart: bool) -> tuple[float, float | None]:
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, timeout=RENDER_TIMEOUT)
        page.wait_for_selector(".jp-OutputArea-output .jupyter-widgets", state="visible", timeout=RENDER_TIMEOUT)
        page.wait_for_selector(ready, state="attached", timeout=RENDER_TIMEOUT)
        first = time.perf_counter() - t0
        drawn = None
        if chart:
            try:
                page.wait_for_selector(".mtss-chart svg", state="attached", timeout=RENDER_TIMEOUT)
                drawn = time.perf_counter() - t0
            except Exception:
                drawn = None
        if "There was an error when executing cell" in page.inner_text("body"):
            raise RuntimeError(f"{url}: Voila reported a cell error")
        return first, drawn
    finally:
        page.close()


def _round_trips(page: Any, metric: str, act: Callable[[int], None], n: int) -> list[float]:
    out = []
    for i in range(n):
        page.evaluate(OBSERVE, [metric])
        act(i)
        page.wait_for_function(SEEN, timeout=30_000)
        out.append(page.evaluate(SECONDS))
        page.wait_for_timeout(150)  # let the off-thread chart catch up, as a person would
    return out


def _slider(page: Any, cls: str, key: str = "ArrowRight") -> Callable[[int], None]:
    handle = page.locator(f".{cls} .noUi-handle").first

    def act(i: int) -> None:
        handle.focus()
        handle.press(key if i % 2 == 0 else ("ArrowLeft" if key == "ArrowRight" else "ArrowRight"))

    return act


def _measure_renders(ctx: Any, server: Any, apps: Any, baseline: str, reps: int, label: str,
                     settle: float) -> list[Result]:
    """First render of every app against the baseline, loads alternating, ``settle`` s between loads."""
    _load(ctx, server.url(baseline), "[data-metric]", chart=False)  # warm the static-file cache
    time.sleep(settle)
    base: list[float] = []
    first: dict[str, list[float]] = {a.key: [] for a in apps}
    drawn: dict[str, list[float]] = {a.key: [] for a in apps}
    for _ in range(reps):
        for a in apps:  # baseline, app, baseline, app, ...
            base.append(_load(ctx, server.url(baseline), "[data-metric]", chart=False)[0])
            time.sleep(settle)
            f, d = _load(ctx, server.url(a.path), ".mtss-app [data-metric]", chart=True)
            time.sleep(settle)
            first[a.key].append(f)
            if d is not None:
                drawn[a.key].append(d)
    out = []
    for a in apps:
        r = _row(f"first render{label}: {a.title}", first[a.key], f"hello-world notebook{label}", base,
                 f"<= {RENDER_TARGET:g}x", None, "goto -> widgets and first number shown")
        r.met = r.ratio <= RENDER_TARGET
        out.append(r)
    for a in apps:
        if drawn[a.key]:
            out.append(_row(f"first chart drawn{label}: {a.title}", drawn[a.key], f"hello-world notebook{label}",
                            base, "report", None, "goto -> first SVG chart (drawn off-thread)"))
    return out


def _wait_for_pools(server: Any, notebooks: int, timeout: float = 300.0) -> None:
    """Wait until Voila reports every notebook's pool filled, then for the pre-executions to finish."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.log().count("is filled with") >= notebooks:
            break
        time.sleep(1.0)
    time.sleep(20.0)  # the notebooks run in the pooled kernels after they are started


def run(quick: bool = False) -> list[Result]:
    """Measure first render and round trip of every app (see the module docstring)."""
    exe = require_browser("bench_voila")
    from playwright.sync_api import sync_playwright

    from mtss_teach.apps import APPS, BASELINE, VoilaServer, app_paths

    reps = 1 if quick else 5
    n_rt = 3 if quick else 11
    results: list[Result] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            with VoilaServer() as server:
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                results += _measure_renders(ctx, server, APPS, BASELINE, reps, "", settle=0.0)
                results += _measure_round_trips(ctx, server, APPS, BASELINE, n_rt, quick)
                ctx.close()
            if not quick:
                with VoilaServer(preheat=1) as server:
                    _wait_for_pools(server, len(app_paths()))
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    results += [r for r in _measure_renders(ctx, server, APPS, BASELINE, 2, " (pre-heated)",
                                                            settle=8.0) if r.name.startswith("first render")]
                    ctx.close()
        finally:
            browser.close()
    return results


def _measure_round_trips(ctx: Any, server: Any, apps: Any, baseline: str, n_rt: int, quick: bool) -> list[Result]:
    results = []
    page = ctx.new_page()
    page.goto(server.url(baseline), timeout=RENDER_TIMEOUT)
    page.wait_for_selector("[data-metric='echo']", timeout=RENDER_TIMEOUT)
    echo = _round_trips(page, "echo", _slider(page, "mtss-echo"), n_rt)
    page.close()
    by = {a.key: a for a in apps}
    cases = [
        ("screening", "cut", "mtss-cut", "cut-score slider -> metrics at the new cut"),
        ("decision_lab", "settings", "mtss-sem", "SEM slider -> accuracy at the new SEM"),
    ]
    if not quick:
        cases += [
            ("data_meeting", "criteria", "mtss-tier2-cut", "Tier 2 cut slider -> tier shares"),
            ("tier1", "criteria", "mtss-tier3-cut", "Tier 3 cut slider -> tier shares"),
        ]
    for key, metric, cls, what in cases:
        page = ctx.new_page()
        page.goto(server.url(by[key].path), timeout=RENDER_TIMEOUT)
        page.wait_for_selector(f"[data-metric='{metric}']", timeout=RENDER_TIMEOUT)
        page.wait_for_selector(".mtss-chart svg", timeout=RENDER_TIMEOUT)  # start after the first chart
        rt = _round_trips(page, metric, _slider(page, cls, "ArrowRight"), n_rt)
        page.close()
        r = _row(f"round trip: {by[key].title}", rt, "slider echo (hello-world)", echo,
                 f"median <= {ROUND_TRIP_TARGET * 1000:g} ms", None, what)
        r.met = r.figure <= ROUND_TRIP_TARGET
        results.append(r)
    if not quick:
        page = ctx.new_page()
        page.goto(server.url(by["aimline"].path), timeout=RENDER_TIMEOUT)
        page.wait_for_selector("[data-metric='points_shown']", timeout=RENDER_TIMEOUT)
        page.wait_for_selector(".mtss-chart svg", timeout=RENDER_TIMEOUT)
        button = page.get_by_role("button", name="Next week ▶")
        rt = _round_trips(page, "points_shown", lambda i: button.click(), n_rt)
        page.close()
        r = _row(f"round trip: {by['aimline'].title}", rt, "slider echo (hello-world)", echo,
                 f"median <= {ROUND_TRIP_TARGET * 1000:g} ms", None, "Next week button -> points shown")
        r.met = r.figure <= ROUND_TRIP_TARGET
        results.append(r)
    return results


if __name__ == "__main__":  # pragma: no cover
    import sys

    from benchmarks.__main__ import print_table

    rows = run(quick="--quick" in sys.argv)
    print_table([r.as_dict() for r in rows])
