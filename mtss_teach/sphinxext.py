"""Sphinx extension that keeps the MTSS Academy book fully offline.

Jupyter Book 1.x (Sphinx + MyST-NB) normally loads Vega, Vega-Lite,
vega-embed and MathJax from CDNs. This extension makes every script and
stylesheet come from the book's own files instead:

* **Vega-Lite charts.** A MyST-NB MIME renderer (registered through the
  ``myst_nb.mime_renderers`` entry point in ``pyproject.toml``) turns the
  ``application/vnd.vegalite.v5+json`` / ``v6.json`` output that Altair's
  ``mimetype`` renderer produces into a ``<div>`` plus a small inline script
  calling ``vegaEmbed``. The Vega + Vega-Lite + vega-embed bundle is built at
  book-build time from the ``vl-convert-python`` package on PyPI
  (:func:`vl_convert.javascript_bundle`) and added only to pages that hold a
  chart.
* **Altair in the kernel.** Notebooks executed by the build get an IPython
  startup file that switches Altair to a renderer that emits Vega-Lite JSON, so page
  authors write ordinary Altair code.
* **MathJax** comes from the ``django-static-mathjax`` wheel on PyPI (MathJax
  3), copied into ``_static/mathjax``.
* **No thebe.** Jupyter Book always adds sphinx-thebe, whose script would
  fetch thebe from a CDN on demand; its scripts are dropped from every page.
* **Code hidden for readers.** Every code cell's source is folded away
  behind a "Show the code" toggle (a post-transform, so no cell needs a
  tag); cells tagged ``remove-input`` stay without a toggle. The download
  menu keeps "print to PDF" but offers no source file.
* **Explorers that fit and speak.** Charts are drawn by
  ``_static/academy.js`` (``mtssEmbed``): on a narrow screen side-by-side
  panels are stacked and widths fitted to the column; the text panels an
  explorer names ``live...`` are copied into an HTML status region
  (``aria-live``) placed right above the controls, so the result a control
  changes is read out and stays in view; every control is named for what it
  is. With JavaScript off, a message says what the chart shows.
* **Search that works from a file.** Sphinx's search fetches each result's
  page to make an excerpt, which a browser refuses over ``file://``. The
  build writes ``_static/search-excerpts.js`` (the text of every page) and
  the search page reads excerpts from it. The search index also keeps
  slash-joined numbers such as "80/15/5" as one word.
* **A course map.** The ``course-map`` directive lists the lessons of the
  course manifest (``mtss_teach/data/courses.yml``; or the pages matching
  ``:pattern:``) with the time each one states and the total, computed at
  build time; a lesson whose stated time differs from the manifest's fails
  the build.
* **A guard.** After the build, every ``<script src>`` and ``<link href>``
  in the HTML output is checked; an off-site one fails the build.

Enable it in ``_config.yml``::

    sphinx:
      extra_extensions: [mtss_teach.sphinxext]
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from ._packagedata import courses
from .formatting import counted

__all__ = ["setup", "VegaLiteMimeRenderer", "find_remote_assets", "page_excerpt_html", "lesson_time", "SEARCH_WORD"]

VEGA_BUNDLE = "vega/vega-embed-bundle.js"
VEGA_MARKER = "mtss-vega-embed"
_VL_MIME = re.compile(r"^application/vnd\.vegalite\.v(\d+)(\+json|\.json)$")
_REMOTE = re.compile(
    r"<(script|link)\b[^>]*?\b(src|href)\s*=\s*[\"']((?:https?:)?//[^\"']+)[\"']",
    re.IGNORECASE,
)

_STARTUP = """\
# Written by mtss_teach.sphinxext for the book build: Altair charts are
# emitted as Vega-Lite JSON and drawn by the book's own vega-embed bundle.
# (Altair's own "mimetype" renderer writes "application/vnd.vegalite.v6.json",
# which nbformat rejects for a JSON object, so register a "+json" one.)
# jsonschema's "iri" format checkers build a Lark grammar at import (~1 s a
# notebook; python-jsonschema/jsonschema#1428); Vega-Lite's schema uses none of
# them, so skip it as the app kernels do (apps/kernel_startup.py).
import sys as _sys
if "jsonschema" not in _sys.modules:
    _sys.modules.setdefault("rfc3987_syntax", None)
del _sys
try:
    import altair as _alt

    def _mtss_offline_renderer(spec, **kwargs):
        return {
            "application/vnd.vegalite.v6+json": spec,
            "text/plain": "<Vega-Lite chart: " + str(spec.get("description", "")) + ">",
        }

    _alt.renderers.register("mtss_offline", _mtss_offline_renderer)
    _alt.renderers.enable("mtss_offline")
except Exception:  # pragma: no cover - altair missing in the kernel
    pass
"""


def _chart_html(spec: Any, key: str) -> str:
    """HTML for one chart: a container plus an inline vegaEmbed call."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    digest = hashlib.sha1((key + json.dumps(spec, sort_keys=True)).encode()).hexdigest()[:12]
    div_id = f"vl-{digest}"
    desc = spec.get("description") or (spec.get("title") if isinstance(spec.get("title"), str) else "")
    payload = json.dumps(spec, sort_keys=True).replace("</", "<\\/")
    aria = f' role="figure" aria-label="{html.escape(desc)}"' if desc else ""
    kind = "explorer" if spec.get("params") else "chart"
    said = f" It shows: {html.escape(desc)}" if desc else ""
    return (
        f'<div class="{VEGA_MARKER}" id="{div_id}"{aria}>'
        f'<noscript><p class="mtss-noscript">This interactive {kind} needs JavaScript, which is switched '
        f"off in this browser: switch it on to use it. The text around it explains what it shows.{said}</p>"
        "</noscript></div>\n"
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var spec = {payload};\n"
        f'  var el = document.getElementById("{div_id}");\n'
        '  if (typeof window.mtssEmbed === "function") { window.mtssEmbed(el, spec); return; }\n'
        '  if (typeof vegaEmbed === "undefined") {\n'
        '    el.textContent = "This chart could not be drawn: the page is missing its chart library.";\n'
        "    return;\n"
        "  }\n"
        '  vegaEmbed(el, spec, {actions: false, renderer: "svg"})\n'
        "    .catch(function (err) { console.error(err); });\n"
        "})();\n"
        "</script>\n"
    )


class VegaLiteMimeRenderer:
    """MyST-NB MIME renderer plugin for Vega-Lite JSON outputs."""

    mime_priority_overrides = [
        ("html", "application/vnd.vegalite.v6.json", 1),
        ("html", "application/vnd.vegalite.v6+json", 1),
        ("html", "application/vnd.vegalite.v5+json", 1),
        ("html", "application/vnd.vegalite.v5.json", 1),
        ("dirhtml", "application/vnd.vegalite.v6.json", 1),
        ("dirhtml", "application/vnd.vegalite.v5+json", 1),
    ]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: Any) -> Any:
        if inline or not _VL_MIME.match(data.mime_type or ""):
            return None
        from docutils import nodes

        key = f"{data.cell_metadata.get('id', '')}-{data.cell_index}-{data.output_index}"
        return [nodes.raw(text=_chart_html(data.content, key), format="html",
                          classes=["output", "vega-lite"])]


def find_remote_assets(html_dir: str | os.PathLike) -> list[tuple[str, str]]:
    """List ``(file, url)`` for every off-site ``<script src>``/``<link href>``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.html").write_text('<script src="https://cdn.example/x.js"></script>')
    >>> find_remote_assets(d)
    [('a.html', 'https://cdn.example/x.js')]
    """
    root = Path(html_dir)
    found = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _REMOTE.finditer(text):
            found.append((str(path.relative_to(root)), m.group(3)))
    return found


def _offline_static_dir(app: Any) -> Path:
    return Path(app.outdir).parent / ".offline_static"


def _prepare_assets(app: Any, config: Any) -> None:
    """Write the vega bundle and MathJax into a static dir the build copies."""
    import vl_convert as vlc

    static = _offline_static_dir(app)
    vl_version = config.mtss_vegalite_version
    bundle = static / VEGA_BUNDLE
    stamp = static / "vega" / "VERSION"
    want = f"vl-convert {getattr(vlc, '__version__', '?')} vega-lite {vl_version} wrapped"
    if not bundle.exists() or not stamp.exists() or stamp.read_text() != want:
        bundle.parent.mkdir(parents=True, exist_ok=True)
        # Wrapped in a function: the bundle's top-level `const` names (e.g. `_`)
        # would otherwise clash with Sphinx's own scripts. It sets
        # window.vegaEmbed / window.vega / window.vegaLite itself.
        source = vlc.javascript_bundle(vl_version=vl_version)
        bundle.write_text("(function () {\n" + source + "\n})();\n", encoding="utf-8")
        stamp.write_text(want)

    try:
        import mathjax  # django-static-mathjax

        es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    except ImportError:  # pragma: no cover - the book extra installs it
        es5 = None
    if es5 is not None and es5.is_dir():
        dest = static / "mathjax"
        if not (dest / "tex-mml-chtml.js").exists():
            shutil.copytree(es5, dest, dirs_exist_ok=True)
        config.mathjax_path = "mathjax/tex-mml-chtml.js"
    config.html_static_path = list(config.html_static_path) + [str(static)]

    # Kernels started by MyST-NB inherit the environment: give them an
    # IPython startup file that selects Altair's mimetype renderer.
    ipydir = static.parent / ".ipython"
    startup = ipydir / "profile_default" / "startup" / "00-mtss-altair.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    if not startup.exists() or startup.read_text() != _STARTUP:
        startup.write_text(_STARTUP)
    os.environ["IPYTHONDIR"] = str(ipydir)


def _sync_static(app: Any) -> None:
    """Refresh changed files of ``html_static_path`` in an existing build.

    Sphinx copies static files only when at least one page is rebuilt, so an
    edit to a stylesheet alone would otherwise never reach ``_build/html``.
    """
    dest_root = Path(app.outdir) / "_static"
    if not dest_root.is_dir():
        return
    for entry in app.config.html_static_path:
        src_root = Path(app.confdir, entry)
        if not src_root.is_dir():
            continue
        for src in src_root.rglob("*"):
            if not src.is_file() or any(part.startswith(".") for part in src.relative_to(src_root).parts):
                continue
            dest = dest_root / src.relative_to(src_root)
            if dest.exists() and dest.stat().st_mtime >= src.stat().st_mtime:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)


def _is_thebe_script(js: Any) -> bool:
    name = getattr(js, "filename", None) or str(js)
    body = getattr(js, "attributes", {}).get("body", "") or ""
    return "sphinx-thebe" in (name or "") or "THEBE_JS_URL" in body


def _page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    # Jupyter Book always loads sphinx-thebe, which declares THEBE_JS_URL twice
    # on rebuilt pages (a console error) and would fetch thebe from a CDN.
    # Live code cells are not offered by this book, so drop its scripts.
    if "script_files" in context:
        context["script_files"][:] = [js for js in context["script_files"] if not _is_thebe_script(js)]
    if pagename == "search":
        app.add_js_file(SEARCH_EXCERPTS, priority=200)
    if doctree is None:
        return
    from docutils import nodes

    for node in doctree.findall(nodes.raw):
        if VEGA_MARKER in node.astext():
            app.add_js_file(VEGA_BUNDLE, priority=400)
            return


# ---------------------------------------------------------------------------
# Code hidden for readers; no source download
# ---------------------------------------------------------------------------

SHOW_CODE = "Show the code behind this"
HIDE_CODE = "Hide the code"


def _hide_code_transform() -> type:
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class HideCodeForReaders(SphinxPostTransform):
        """Fold every code cell's source behind a toggle (runs before MyST-NB's own)."""

        default_priority = 198  # MyST-NB's HideInputCells runs at 199
        formats = ("html",)

        def run(self, **kwargs: Any) -> None:
            from docutils import nodes

            for node in self.document.findall(nodes.container):
                if node.get("nb_element") != "cell_code" or not node.children:
                    continue
                if node.children[0].get("nb_element") != "cell_code_source":
                    continue  # remove-input: nothing to fold
                mode = node.get("hide_mode")
                if mode in ("input", "input+output", "all"):
                    continue
                node["hide_mode"] = "input+output" if mode == "output" else "input"
                node["prompt_show"] = SHOW_CODE if mode != "output" else "Show {type}"
                node["prompt_hide"] = HIDE_CODE if mode != "output" else "Hide {type}"

    return HideCodeForReaders


def _visit_hidden(self: Any, node: Any) -> None:
    # MyST-NB's own summary carries aria-label="Toggle hidden content", which
    # does not match its visible text (axe: label-content-name-mismatch).
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{html.escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{html.escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def _depart_hidden(self: Any, node: Any) -> None:
    self.body.append("</details>\n")


def _no_source_download(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Keep the download menu's "print to PDF", drop the source-file links."""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"] = [b for b in group.get("buttons", [])
                                if b.get("label") not in ("download-source-button", "download-notebook-button")]
    context["header_buttons"] = [g for g in context.get("header_buttons", [])
                                 if not (g.get("label") == "download-buttons" and not g.get("buttons"))]


# ---------------------------------------------------------------------------
# Search: "80/15/5" is one word; excerpts without fetching pages
# ---------------------------------------------------------------------------

#: Words for the search index: slash-joined numbers ("80/15/5") stay whole.
SEARCH_WORD = r"\d+(?:/\d+)+|\w+"
SEARCH_EXCERPTS = "search-excerpts.js"


def _search_language() -> type:
    from sphinx.search.en import SearchEnglish

    class AcademySearchEnglish(SearchEnglish):
        """English search, keeping "80/15/5" (and "1/2") as one indexed word."""

        _word_re = re.compile(SEARCH_WORD)
        js_splitter_code = (
            "var splitQuery = function (query) {\n"
            "  return query.match(/\\d+(?:\\/\\d+)+|[\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu) || [];\n"
            "};\n"
        )

        def split(self, input: str) -> list[str]:
            return self._word_re.findall(input)

    return AcademySearchEnglish


class _MainText:
    """Reduce a built page to the text Sphinx's search excerpts read.

    Keeps ``<section id>`` elements (search hits can point at a section)
    inside ``role="main"``; drops scripts, styles, SVG, hidden code and
    header links.
    """

    SKIP = {"script", "style", "svg", "noscript", "template", "button"}
    BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "table", "pre", "br",
             "section", "summary", "details", "blockquote", "td", "th"}

    def __init__(self, text: str) -> None:
        from html.parser import HTMLParser

        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a section)
        self.in_main = 0
        self.skip = 0
        outer = self

        class P(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list) -> None:
                a = dict(attrs)
                classes = (a.get("class") or "").split()
                if tag in ("br", "img", "input", "meta", "link", "hr", "col", "source", "wbr", "area", "embed", "param", "track", "base"):
                    if outer.in_main and not outer.skip:
                        outer.out.append(" ")
                    return
                if outer.in_main:
                    outer.in_main += 1
                elif a.get("role") == "main":
                    outer.in_main = 1
                    outer.out.append('<div role="main">')
                    outer.stack.append((tag, False))
                    return
                if not outer.in_main:
                    return
                if outer.skip or tag in outer.SKIP or "headerlink" in classes or "cell_input" in classes \
                        or "hide" in classes and tag == "details":
                    outer.skip += 1
                    outer.stack.append((tag, False))
                    return
                sec = tag == "section" and bool(a.get("id"))
                if sec:
                    outer.out.append(f'<section id="{html.escape(a["id"])}">')
                elif tag in outer.BLOCK:
                    outer.out.append(" ")
                outer.stack.append((tag, sec))

            def handle_endtag(self, tag: str) -> None:
                if not outer.in_main or not outer.stack:
                    return
                _t, sec = outer.stack.pop()
                outer.in_main -= 1
                if outer.skip:
                    outer.skip -= 1
                    return
                if sec:
                    outer.out.append("</section>")
                elif outer.in_main == 0:
                    outer.out.append("</div>")
                elif _t in outer.BLOCK:
                    outer.out.append(" ")

            def handle_data(self, data: str) -> None:
                if outer.in_main and not outer.skip:
                    outer.out.append(html.escape(data, quote=False))

        P(convert_charrefs=True).feed(text)

    def html(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.out)).strip()


def page_excerpt_html(text: str) -> str:
    """The reduced main content of one built page (see :class:`_MainText`).

    Examples
    --------
    >>> page_excerpt_html('<main><article role="main"><section id="a"><h1>Hi<a class="headerlink">#</a>'
    ...                   '</h1><script>x=1</script><p>80/15/5 is a convention.</p></section></article></main>')
    '<div role="main"><section id="a"> Hi 80/15/5 is a convention. </section></div>'
    """
    return _MainText(text).html()


def _write_search_excerpts(app: Any) -> None:
    out = Path(app.outdir)
    pages = {}
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out)
        if rel.parts[0] in ("_static", "_downloads", "_sources", "_images") or rel.name in ("search.html", "genindex.html"):
            continue
        pages[rel.with_suffix("").as_posix()] = page_excerpt_html(path.read_text(encoding="utf-8", errors="replace"))
    payload = json.dumps(pages, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    js = (
        "/* Written by mtss_teach.sphinxext: the text of every page, so search excerpts need no fetch\n"
        "   (a browser refuses fetch() over file://). */\n"
        "(function () {\n"
        f"  var pages = {payload};\n"
        "  var realFetch = window.fetch ? window.fetch.bind(window) : null;\n"
        "  window.fetch = function (resource, init) {\n"
        "    var url = typeof resource === 'string' ? resource : (resource && resource.url) || '';\n"
        "    try {\n"
        "      var root = new URL(document.documentElement.dataset.content_root || './', document.baseURI).href;\n"
        "      var abs = new URL(url, document.baseURI).href.split('#')[0].split('?')[0];\n"
        "      if (abs.indexOf(root) === 0) {\n"
        "        var doc = abs.slice(root.length).replace(/\\.html$/, '');\n"
        "        if (Object.prototype.hasOwnProperty.call(pages, doc)) {\n"
        "          return Promise.resolve(new Response(pages[doc], {status: 200, headers: {'Content-Type': 'text/html'}}));\n"
        "        }\n"
        "      }\n"
        "    } catch (e) { /* not a page of this book: use the real fetch */ }\n"
        "    return realFetch ? realFetch(resource, init) : Promise.reject(new Error('fetch unavailable'));\n"
        "  };\n"
        "})();\n"
    )
    (out / "_static").mkdir(exist_ok=True)
    (out / "_static" / SEARCH_EXCERPTS).write_text(js, encoding="utf-8")


# ---------------------------------------------------------------------------
# Course map
# ---------------------------------------------------------------------------

#: How a lesson states its time: "**Time:** about 30 minutes".
LESSON_TIME = re.compile(r"\*\*Time:?\*\*:?\s*(?:about\s+)?(\d+)\s*(?:minutes|min)\b", re.IGNORECASE)
_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


def lesson_time(text: str, where: str = "lesson") -> tuple[str, int]:
    """The title and the stated time (minutes) of one lesson's source.

    Examples
    --------
    >>> lesson_time("# 1. Foundations\\n\\n**Time:** about 30 minutes of reading.")
    ('1. Foundations', 30)
    >>> lesson_time("# 2. Screening")
    Traceback (most recent call last):
    ...
    ValueError: lesson: no stated time ("**Time:** about N minutes")
    """
    title = _TITLE.search(text)
    time = LESSON_TIME.search(text)
    if title is None:
        raise ValueError(f"{where}: no title (a line starting with '# ')")
    if time is None:
        raise ValueError(f'{where}: no stated time ("**Time:** about N minutes")')
    return title.group(1).strip(), int(time.group(1))


def _hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if h == 0:
        return counted(m, "minute")
    hs = counted(h, "hour")
    return hs if m == 0 else f"{hs} {counted(m, 'minute')}"


def _course_map_directive() -> type:
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives
    from sphinx import addnodes

    class CourseMap(Directive):
        """A table of the lessons (the course manifest's, or the docnames matching ``:pattern:``), each with its
        stated time, and the total."""

        has_content = False
        option_spec = {"pattern": directives.unchanged}

        def run(self) -> list:
            import fnmatch

            env = self.state.document.settings.env
            pattern = self.options.get("pattern")
            if pattern is None:  # the courses of the course manifest, in order
                stated = {c.lesson: c.minutes for c in courses()}
                docs = list(stated)
                absent = [d for d in docs if d not in env.found_docs]
                if absent:
                    raise self.error(f"course-map: the course manifest lists {absent[0]!r}, which is not in the book")
            else:
                stated = {}
                docs = sorted(d for d in env.found_docs if fnmatch.fnmatch(d, pattern))
            if not docs:
                raise self.error(f"course-map: no page matches {pattern!r}")
            rows = []
            for doc in docs:
                path = Path(env.doc2path(doc))
                env.note_dependency(str(path))
                try:
                    title, minutes = lesson_time(path.read_text(encoding="utf-8"), where=doc)
                except ValueError as err:
                    raise self.error(f"course-map: {err}") from None
                if doc in stated and stated[doc] != minutes:
                    raise self.error(f"course-map: {doc} states about {minutes} minutes, the course manifest "
                                     f"{stated[doc]}")
                rows.append((doc, title, minutes))
            total = sum(m for _d, _t, m in rows)

            table = nodes.table(classes=["mtss-course-map"])
            group = nodes.tgroup(cols=2)
            table += group
            group += nodes.colspec(colwidth=80)
            group += nodes.colspec(colwidth=20)
            head = nodes.thead()
            group += head
            hrow = nodes.row()
            for label in ("Course", "Time"):
                hrow += nodes.entry("", nodes.paragraph(text=label))
            head += hrow
            body = nodes.tbody()
            group += body
            for doc, title, minutes in rows:
                row = nodes.row()
                ref = addnodes.pending_xref("", nodes.inline(text=title), refdomain="std", reftype="doc",
                                            reftarget="/" + doc, refexplicit=True, refwarn=True)
                row += nodes.entry("", nodes.paragraph("", "", ref))
                row += nodes.entry("", nodes.paragraph(text=f"about {minutes} min"))
                body += row
            row = nodes.row(classes=["mtss-course-map-total"])
            row += nodes.entry("", nodes.paragraph("", "", nodes.strong(text=f"All {len(rows)} courses")))
            row += nodes.entry("", nodes.paragraph("", "", nodes.strong(text=f"about {_hours(total)}")))
            body += row
            summary = nodes.paragraph(
                text=f"{len(rows)} courses, about {_hours(total)} of reading and doing in all "
                     "(each course's own estimate, added up).")
            return [summary, table]

    return CourseMap


def _check_offline(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _write_search_excerpts(app)
    remote = find_remote_assets(app.outdir)
    if remote:
        from sphinx.errors import ExtensionError

        shown = "\n".join(f"  {f}: {u}" for f, u in remote[:20])
        raise ExtensionError(
            f"The built book loads {len(remote)} script(s)/stylesheet(s) from off-site; "
            f"the book must work with no network:\n{shown}"
        )


def setup(app: Any) -> dict:
    app.add_config_value("mtss_vegalite_version", "6.4", "html")
    app.connect("config-inited", _prepare_assets, priority=900)
    app.connect("builder-inited", _sync_static)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _no_source_download, priority=600)
    app.connect("build-finished", _check_offline)
    app.add_post_transform(_hide_code_transform())
    try:
        from myst_nb.sphinx_ import HideCodeCellNode

        app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden, _depart_hidden))
    except ImportError:  # pragma: no cover - myst-nb is part of the book extra
        pass
    app.add_search_language(_search_language())
    app.add_directive("course-map", _course_map_directive())
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
