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

__all__ = ["setup", "VegaLiteMimeRenderer", "find_remote_assets"]

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
    return (
        f'<div class="{VEGA_MARKER}" id="{div_id}"{aria}></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var spec = {payload};\n"
        f'  var el = document.getElementById("{div_id}");\n'
        '  if (typeof vegaEmbed === "undefined") {\n'
        '    el.textContent = "This chart needs JavaScript (vega-embed bundle missing).";\n'
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
    if doctree is None:
        return
    from docutils import nodes

    for node in doctree.findall(nodes.raw):
        if VEGA_MARKER in node.astext():
            app.add_js_file(VEGA_BUNDLE, priority=400)
            return


def _check_offline(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
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
    app.connect("build-finished", _check_offline)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
