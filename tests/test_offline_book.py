"""The built book works with no network: every asset is the book's own.

Issue 2, point 5: any off-site ``<script src>`` / ``<link href>`` fails;
a built page with an Altair chart renders its SVG in headless Chromium with
the network blocked and no console errors; a second build with no change
executes nothing.
"""

from __future__ import annotations

import re

import pytest

from mtss_teach.sphinxext import _chart_html, find_remote_assets

from conftest import build_book


def test_find_remote_assets_flags_cdn_scripts_and_styles(tmp_path):
    # Hand-written page: two remote assets (one protocol-relative), two local.
    (tmp_path / "p.html").write_text(
        '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
        '<link rel="stylesheet" href="//unpkg.com/x.css">'
        '<script src="_static/vega/vega-embed-bundle.js"></script>'
        '<a href="https://pbis.org">a link is fine</a>'
        '<link href="_static/academy.css" rel="stylesheet">'
    )
    assert find_remote_assets(tmp_path) == [
        ("p.html", "https://cdn.jsdelivr.net/npm/vega@5"),
        ("p.html", "//unpkg.com/x.css"),
    ]


def test_chart_html_escapes_script_end_and_is_deterministic():
    spec = {"description": "a </script> b", "mark": "bar"}
    out = _chart_html(spec, "k")
    assert "</script>" not in out.split("<script", 1)[1].rsplit("</script>", 1)[0]
    assert out == _chart_html(spec, "k")
    assert 'aria-label="a &lt;/script&gt; b"' in out


def test_built_book_has_no_offsite_scripts_or_styles(built_book):
    pages = list(built_book.rglob("*.html"))
    assert len(pages) >= 5, "the book looks unbuilt"
    assert find_remote_assets(built_book) == []


def test_vega_bundle_and_mathjax_are_served_locally(built_book):
    bundle = built_book / "_static" / "vega" / "vega-embed-bundle.js"
    assert bundle.exists() and bundle.stat().st_size > 100_000
    assert "window.vegaEmbed" in bundle.read_text(encoding="utf-8")[-2000:]


def _chart_pages(built_book):
    return sorted(
        p for p in built_book.rglob("*.html")
        if "mtss-vega-embed" in p.read_text(encoding="utf-8", errors="replace")
        and "_static" not in p.parts
    )


def test_at_least_one_executed_altair_chart(built_book):
    pages = _chart_pages(built_book)
    assert pages, "no page of the book holds an executed Altair chart"
    text = pages[0].read_text(encoding="utf-8")
    assert re.search(r'<script src="(\.\./)*_static/vega/vega-embed-bundle\.js', text)


@pytest.mark.browser
def test_chart_renders_offline_in_chromium(built_book, offline_page):
    page_file = _chart_pages(built_book)[0]
    page = offline_page.page
    page.goto(page_file.as_uri())
    page.wait_for_selector(".mtss-vega-embed svg", timeout=20_000)
    n_marks = page.locator(".mtss-vega-embed svg .mark-rect path, .mtss-vega-embed svg .mark-rect, "
                           ".mtss-vega-embed svg path").count()
    assert n_marks > 0
    assert offline_page.console_errors == []
    assert offline_page.blocked == [], f"page tried to reach the network: {offline_page.blocked}"


@pytest.mark.slow
def test_second_build_executes_nothing(built_book):
    proc = build_book()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert "Executing notebook" not in log
    assert "build succeeded" in log


# --------------------------------------------------------------------------
# Issue #15: search words, excerpts, the course map, JavaScript-off charts
# --------------------------------------------------------------------------

def test_search_index_keeps_80_15_5_as_one_word():
    from mtss_teach.sphinxext import _search_language

    lang = _search_language()({})
    assert lang.split("The 80/15/5 convention, a 1/2 split, and risk ratios.") == [
        "The", "80/15/5", "convention", "a", "1/2", "split", "and", "risk", "ratios"]
    # the page's query splitter follows the same rule (checked in a browser in test_book_browser)
    assert "splitQuery" in lang.js_splitter_code and "\\/" in lang.js_splitter_code


def test_page_excerpt_keeps_sections_and_drops_code_and_scripts():
    from mtss_teach.sphinxext import page_excerpt_html

    page = ('<html><body><nav>menu</nav><article role="main"><section id="why"><h1>Why<a class="headerlink">#</a>'
            '</h1><p>Tier 1 &amp; 80/15/5.</p><details class="admonition hide above-input"><summary>Show'
            '</summary><div class="cell_input">import x</div></details><table><colgroup><col></colgroup>'
            '<tr><td>a</td></tr></table><script>var spec = 1;</script><p>End.</p></section></article></body></html>')
    out = page_excerpt_html(page)
    assert out.startswith('<div role="main"><section id="why">') and out.endswith("</section></div>")
    assert "Tier 1 &amp; 80/15/5." in out and "End." in out and " a " in out
    for gone in ("menu", "import x", "var spec", "Show", "#"):
        assert gone not in out, gone


def test_lesson_time_reads_the_stated_time():
    from mtss_teach.sphinxext import _hours, lesson_time

    assert lesson_time("---\nx: 1\n---\n# 5. Decisions\n\n**Time:** about 40 minutes of reading and doing.") == (
        "5. Decisions", 40)
    with pytest.raises(ValueError, match="no stated time"):
        lesson_time("# 5. Decisions\n\nNo time here.", where="modules/05/lesson")
    assert (_hours(45), _hours(60), _hours(340)) == ("45 minutes", "1 hour", "5 hours 40 minutes")


def test_chart_html_says_what_is_missing_without_javascript():
    explorer = _chart_html({"description": "Interactive cut explorer", "params": [{"name": "cut"}]}, "k")
    chart = _chart_html({"description": "Bar chart of tiers"}, "k")
    assert "<noscript>" in explorer and "This interactive explorer needs JavaScript" in explorer
    assert "It shows: Bar chart of tiers" in chart and "interactive chart" in chart
