"""What the browser benchmarks (and the load test's driver) share: Chromium, and timing a page update.

A page update is timed in the page itself: :data:`OBSERVE` starts a
``MutationObserver`` that stamps ``performance.now()`` when the
``data-value`` of ``[data-metric=<name>]`` changes, with the start stamped
just before the caller acts (so the figure includes the input's own
latency). Wait for :data:`SEEN`, then read :data:`SECONDS`.
"""

from __future__ import annotations

import importlib.util
import shutil

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"]

OBSERVE = """([metric]) => {
  const get = () => { const el = document.querySelector(`[data-metric='${metric}']`);
                      return el ? el.getAttribute('data-value') : null; };
  const old = get();
  window.__mtssChange = {t0: 0, t1: null};
  const obs = new MutationObserver(() => {
    if (window.__mtssChange.t1 === null && get() !== old) {
      window.__mtssChange.t1 = performance.now(); obs.disconnect(); }
  });
  obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__mtssChange.t0 = performance.now();
}"""
SEEN = "window.__mtssChange.t1 !== null"
SECONDS = "(window.__mtssChange.t1 - window.__mtssChange.t0) / 1000"


def require_browser(who: str) -> str:
    """Debian's chromium binary, after checking voila and playwright are installed (else RuntimeError)."""
    if importlib.util.find_spec("voila") is None or importlib.util.find_spec("playwright") is None:
        raise RuntimeError(f"{who} needs voila and playwright (pip install 'mtss-teach[test]')")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise RuntimeError(f"{who} needs Debian's chromium (apt-get install chromium)")
    return exe
