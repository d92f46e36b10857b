"""The built book read in a browser, on a desk and on a phone (issue #15, items 4-6).

Every page is loaded from ``_build/html`` over file:// with every other
request blocked (the conftest's ``OfflinePage``), in Debian's Chromium:

* at 390 x 844 (a phone) no chart, explorer or table runs off the side of the
  page, and an explorer's result in words stays in view while its last
  control is used;
* at 1280 x 900 every chart is drawn, with no console error;
* offline search shows an excerpt for every result, logs no error and finds
  "80/15/5", "aimline" and "risk ratio";
* with JavaScript off each explorer says why it is missing;
* explorer controls are named for what they are, results are announced
  (aria-live), and in dark mode self-check radios stay light-on-light with
  readable text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import OfflinePage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
READER_PAGES = [f"modules/{p.parent.name}/lesson.html" for p in sorted((ROOT / "modules").glob("*/lesson.md"))] + [
    f"book/{n}.html" for n in ("index", "start-here", "explorers", "what-is-mtss", "glossary", "resource-hub")]
N_EXPLORERS = 9


def _page(browser, viewport, *, js=True):
    ctx = browser.new_context(viewport=viewport, java_script_enabled=js)
    return ctx, OfflinePage(ctx.new_page())


def _open(op: OfflinePage, path: Path) -> None:
    op.page.goto(path.as_uri())
    n = op.page.locator(".mtss-vega-embed").count()
    if n:
        op.page.wait_for_function(
            "n => document.querySelectorAll('.mtss-vega-embed[data-mtss-ready]').length === n", arg=n,
            timeout=30_000)


# --------------------------------------------------------------------------
# phone and desk
# --------------------------------------------------------------------------

_OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const main = document.querySelector('[role=main]') || document.body;
  main.querySelectorAll('.mtss-vega-embed svg, .mtss-vega-embed .mtss-live, table, .vega-bindings')
    .forEach(el => {
      const r = el.getBoundingClientRect();
      if (r.width === 0) return;
      if (r.left < -1 || r.right > vw + 1) out.push(el.tagName + '.' + (el.className.baseVal ?? el.className)
                                                    + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    });
  return {vw, page: document.documentElement.scrollWidth, out};
}"""


@pytest.mark.parametrize("page", READER_PAGES)
def test_nothing_runs_off_a_phone_screen(browser, built_book, page):
    ctx, op = _page(browser, PHONE)
    try:
        _open(op, built_book / page)
        res = op.page.evaluate(_OVERFLOW_JS)
        assert res["page"] <= res["vw"], f"{page}: the page scrolls sideways ({res['page']} > {res['vw']} px)"
        assert res["out"] == [], f"{page}: cut off at {res['vw']} px: {res['out'][:5]}"
        # A chart that had to be shrunk to fit still has readable text (at least 60% of its size).
        scales = op.page.evaluate("""() => Array.from(document.querySelectorAll('.mtss-vega-embed svg.marks'))
            .map(s => s.getBoundingClientRect().width / (parseFloat(s.getAttribute('width')) || 1))""")
        assert all(s >= 0.6 for s in scales), f"{page}: a chart is scaled to {min(scales):.2f} of its size"
        assert op.console_errors == [] and op.blocked == []
    finally:
        ctx.close()


@pytest.mark.parametrize("page", ["book/explorers.html", "modules/02-screening/lesson.html",
                                  "modules/09-behavior-sel/lesson.html"])
def test_every_chart_is_drawn_on_a_desk(browser, built_book, page):
    ctx, op = _page(browser, DESK)
    try:
        _open(op, built_book / page)
        n = op.page.locator(".mtss-vega-embed").count()
        assert n >= 1 and op.page.locator(".mtss-vega-embed svg.marks").count() == n
        res = op.page.evaluate(_OVERFLOW_JS)
        assert res["out"] == [] and res["page"] <= res["vw"]
        assert op.console_errors == [] and op.blocked == []
    finally:
        ctx.close()


def _change(control) -> None:
    """Use one control the way a reader would: a slider key press, another radio, another option."""
    tag = control.evaluate("e => e.tagName + ':' + (e.type || '')")
    if tag == "INPUT:range":
        control.focus()
        now, lo = float(control.input_value()), float(control.get_attribute("min"))
        control.press("ArrowLeft" if now > lo else "ArrowRight")
    elif tag == "INPUT:radio":
        control.check()
    elif tag.startswith("SELECT"):
        values = control.evaluate("e => Array.from(e.options).map(o => o.value)")
        current = control.input_value()
        control.select_option(next(v for v in values if v != current))
    else:  # pragma: no cover - a new control type
        raise AssertionError(f"unexpected control {tag}")


def test_explorer_result_stays_in_view_while_its_controls_are_used_on_a_phone(browser, built_book):
    ctx, op = _page(browser, PHONE)
    try:
        _open(op, built_book / "book/explorers.html")
        boxes = op.page.locator(".mtss-vega-embed")
        assert boxes.count() == N_EXPLORERS
        for i in range(N_EXPLORERS):
            box = boxes.nth(i)
            live = box.locator(".mtss-live")
            assert live.count() == 1 and live.get_attribute("aria-live") == "polite"
            before = live.inner_text()
            controls = box.locator(".vega-bindings input:not([type=radio]:checked), .vega-bindings select")
            last = controls.last
            last.scroll_into_view_if_needed()
            _change(last)
            op.page.wait_for_function("([el, t]) => el.innerText !== t", arg=[live.element_handle(), before],
                                      timeout=5000)
            r, c = live.bounding_box(), last.bounding_box()
            assert 0 <= r["y"] and r["y"] + r["height"] <= PHONE["height"], f"explorer {i + 1}: result out of view"
            assert 0 <= c["y"] <= PHONE["height"], f"explorer {i + 1}: control out of view"
        assert op.console_errors == [] and op.blocked == []
    finally:
        ctx.close()


def test_explorer_controls_are_named_for_what_they_are(browser, built_book):
    ctx, op = _page(browser, DESK)
    try:
        _open(op, built_book / "book/explorers.html")
        names = op.page.evaluate("""() => Array.from(document.querySelectorAll(
              '.vega-bindings input, .vega-bindings select')).map(e => {
                const own = e.getAttribute('aria-label');
                const lab = e.closest('label');
                return [e.type, own || (lab ? lab.innerText : '')];
              })""")
        assert len(names) >= 40
        bare = [n for n in names if re.fullmatch(r"\s*[\d.]*\s*", n[1])]
        assert bare == [], f"{len(bare)} controls named only by a number"
        radios = [n for t, n in names if t == "radio"]
        assert all(re.search(r"[A-Za-z]{3,}.*: \S", n) for n in radios), [n for n in radios if ": " not in n][:5]
        groups = op.page.locator(".vega-bind-radio[role=radiogroup][aria-labelledby]").count()
        assert groups == op.page.locator(".vega-bind-radio").count() > 0
    finally:
        ctx.close()


# --------------------------------------------------------------------------
# search, JavaScript off, dark mode
# --------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["80/15/5", "aimline", "risk ratio"])
def test_offline_search_finds_with_excerpts_and_no_errors(browser, built_book, query):
    ctx, op = _page(browser, DESK)
    try:
        op.page.goto((built_book / "search.html").as_uri() + "?q=" + query.replace(" ", "+"))
        op.page.wait_for_selector("#search-results li", timeout=20_000)
        op.page.wait_for_function(
            "() => { const li = document.querySelectorAll('#search-results li');"
            " return li.length > 0 && Array.from(li).every(x => x.querySelector('p.context')); }", timeout=20_000)
        items = op.page.locator("#search-results li")
        excerpts = [items.nth(i).locator("p.context").inner_text() for i in range(items.count())]
        assert all(e.strip() for e in excerpts)
        words = query.lower().split()
        assert any(all(w in e.lower() for w in words) for e in excerpts), excerpts[:3]
        assert op.console_errors == [] and op.blocked == []
    finally:
        ctx.close()


def test_with_javascript_off_each_explorer_says_why_it_is_missing(browser, built_book):
    ctx, op = _page(browser, DESK, js=False)
    try:
        op.page.goto((built_book / "book/explorers.html").as_uri())
        notes = op.page.locator(".mtss-vega-embed .mtss-noscript")
        assert notes.count() == N_EXPLORERS
        for i in range(N_EXPLORERS):
            assert notes.nth(i).is_visible()
            assert "needs JavaScript" in notes.nth(i).inner_text()
    finally:
        ctx.close()


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_dark_mode_self_check_radios_are_usable(browser, built_book):
    page = next(p for p in sorted(built_book.glob("modules/*/lesson.html"))
                if "sc-choice" in p.read_text(encoding="utf-8"))
    ctx, op = _page(browser, DESK)
    try:
        op.page.goto(page.as_uri())
        op.page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
        radio = op.page.locator(".mtss-selfcheck .sc-choice input[type=radio]").first
        label = op.page.locator(".mtss-selfcheck .sc-choice label").first
        assert radio.evaluate("e => getComputedStyle(e).colorScheme") == "light"
        fg = label.evaluate("e => getComputedStyle(e).color")
        bg = op.page.locator(".mtss-selfcheck").first.evaluate("e => getComputedStyle(e).backgroundColor")
        hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (fg, bg)
        radio.check()
        fb = op.page.locator(".mtss-selfcheck .sc-choice .sc-feedback").first
        assert fb.inner_text().startswith(("Correct.", "Not quite."))
    finally:
        ctx.close()
