"""HTML pieces of the apps: the stylesheet, formatted numbers (the rules are
:mod:`mtss_teach.formatting`'s), metric tiles, tables and messages.
"""

from __future__ import annotations

import html
import math
from typing import Any, Callable, Sequence

import pandas as pd

from .. import formatting

__all__ = ["style_html", "link_html", "fmt", "metric_html", "metrics_html", "table_html", "message_html"]


_STYLE = """
<style>
.mtss-app { font-family: var(--jp-ui-font-family, sans-serif); color: #1a1a1a; max-width: 1150px; }
.mtss-app h2.mtss-title { font-size: 1.35em; margin: 0.2em 0 0.1em 0; }
.mtss-app p.mtss-purpose { margin: 0 0 0.6em 0; color: #333; }
.mtss-app .mtss-message { border-left: 5px solid #D55E00; background: #FBEDE4; padding: 0.5em 0.8em;
  margin: 0.4em 0; font-size: 0.95em; }
.mtss-app .mtss-message b { color: #8a3200; }
.mtss-app .mtss-metrics { display: flex; flex-wrap: wrap; gap: 0.5em 1.4em; margin: 0.4em 0; }
.mtss-app .mtss-metric { display: flex; flex-direction: column; min-width: 7.5em; }
.mtss-app .mtss-metric-label { font-size: 0.8em; color: #444; }
.mtss-app .mtss-metric-value { font-size: 1.3em; font-weight: 600; }
.mtss-app .mtss-note { font-size: 0.85em; color: #444; margin: 0.2em 0; }
.mtss-app table.mtss-table { border-collapse: collapse; font-size: 0.85em; margin: 0.3em 0; }
.mtss-app table.mtss-table th, .mtss-app table.mtss-table td { border: 1px solid #ccc; padding: 2px 8px;
  text-align: right; }
.mtss-app table.mtss-table th { background: #f2f2f2; }
.mtss-app .mtss-chart svg { max-width: 100%; height: auto; }
.mtss-app .mtss-chart-wait { color: #555; font-style: italic; padding: 1em 0; }
.mtss-app .mtss-decision { border: 2px solid #0072B2; padding: 0.5em 0.8em; margin: 0.4em 0; }
.mtss-app .mtss-hidden-answer { border: 2px dashed #767676; padding: 0.5em 0.8em; margin: 0.4em 0; color: #444; }
.mtss-app .mtss-decision, .mtss-app .mtss-hidden-answer, .mtss-app .mtss-note, .mtss-app .mtss-message,
.mtss-app p.mtss-purpose, .mtss-app table.mtss-table { line-height: 1.4; }
.mtss-app .mtss-metric-label { line-height: 1.3; }
.mtss-app .mtss-metric-value { line-height: 1.4; }
.mtss-app .mtss-waiting { color: #555; font-style: italic; font-weight: 600; font-size: 1.05em; }
.mtss-app .mtss-link .mtss-note { margin: 0 0.5em; }
</style>
"""


def style_html() -> str:
    """The apps' stylesheet (a ``<style>`` element), for a page that holds apps without being one."""
    return _STYLE


def link_html(url: str) -> str:
    """The "link to this view" line an app shows (an ``<a class="mtss-link-url">``; no ``data-metric``,
    so a page's first number is never mistaken for it)."""
    u = html.escape(url, quote=True)
    shown = html.escape(url if len(url) < 60 else url[:57] + "…")
    return (f'<span class="mtss-note">Link to this view: <a href="{u}" target="_blank" rel="noopener" '
            f'title="Copy this link for a guide or a colleague" class="mtss-link-url">{shown}</a>'
            "</span>")


def fmt(x: Any, kind: str = "num", digits: int = 2) -> str:
    """Format a number for an app: ``"prop"`` 0.833, ``"pct"`` 83.3%, ``"int"``, ``"num"``.

    The rules are :mod:`mtss_teach.formatting`'s (``"prop"`` is
    :func:`~mtss_teach.formatting.fixed` with 3 decimals, ``"pct"``
    :func:`~mtss_teach.formatting.percent` with 1, ``"int"``
    :func:`~mtss_teach.formatting.count`, ``"num"``
    :func:`~mtss_teach.formatting.number`). NaN and None become "n/a",
    infinity "all" or "none", and text is shown as it is (HTML-escaped).

    Examples
    --------
    >>> from mtss_teach.widgets._base import fmt
    >>> fmt(5 / 6, "prop"), fmt(5 / 6, "pct"), fmt(12.0, "int"), fmt(float("nan"))
    ('0.833', '83.3%', '12', 'n/a')
    """
    if x is None:
        return formatting.MISSING
    try:
        v = float(x)
    except (TypeError, ValueError):
        return html.escape(str(x))
    if math.isinf(v):
        return "all" if v > 0 else "none"
    if kind == "prop":
        return formatting.fixed(v, 3)
    if kind == "pct":
        return formatting.percent(v, 1)
    if kind == "int":
        return formatting.count(v)
    return formatting.number(v, digits)


def _raw(value: Any) -> str:
    if isinstance(value, float):
        return repr(float(value))  # numpy 2 floats repr as "np.float64(...)"
    if hasattr(value, "item"):
        try:
            return _raw(value.item())
        except (ValueError, AttributeError):
            pass
    return str(value)


def metric_html(label: str, value: Any, key: str, kind: str = "num", title: str = "") -> str:
    """One labelled number, with ``data-metric`` (its key) and ``data-value`` (full precision).

    Examples
    --------
    >>> from mtss_teach.widgets._base import metric_html
    >>> "data-metric=\\"ppv\\"" in metric_html("PPV", 0.5, "ppv", "prop")
    True
    """
    tip = f' title="{html.escape(title)}"' if title else ""
    return (
        f'<div class="mtss-metric"{tip}><span class="mtss-metric-label">{html.escape(label)}</span>'
        f'<span class="mtss-metric-value" data-metric="{html.escape(key)}" '
        f'data-value="{html.escape(_raw(value))}">{fmt(value, kind)}</span></div>'
    )


def metrics_html(items: Sequence[tuple[str, Any, str, str]]) -> str:
    """A row of :func:`metric_html` items given as ``(label, value, key, kind)``.

    Examples
    --------
    >>> from mtss_teach.widgets._base import metrics_html
    >>> metrics_html([("Flagged", 3, "flagged", "int")]).count("mtss-metric-value")
    1
    """
    return '<div class="mtss-metrics">' + "".join(metric_html(*it) for it in items) + "</div>"


def table_html(df: pd.DataFrame, *, max_rows: int = 40, caption: str = "", index: bool = False,
               formats: dict[str, Callable[[Any], str]] | None = None, css_id: str = "") -> str:
    """An escaped HTML table of at most ``max_rows`` rows, saying how many were left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from mtss_teach.widgets._base import table_html
    >>> "2 more rows" in table_html(pd.DataFrame({"a": range(5)}), max_rows=3)
    True
    """
    shown = df.head(max_rows)
    out = shown.to_html(index=index, escape=True, border=0, classes="mtss-table", na_rep="—",
                        formatters=formats or None, table_id=css_id or None)
    cap = f'<div class="mtss-note">{html.escape(caption)}</div>' if caption else ""
    more = ""
    if len(df) > max_rows:
        k = len(df) - max_rows
        more = f'<div class="mtss-note">… and {formatting.counted(k, "more row")} not shown.</div>'
    return cap + out + more


def message_html(text: str, kind: str = "problem") -> str:
    """The app's message box (``role="alert"``): a sentence, never a traceback."""
    if not text:
        return ""
    head = {"problem": "Please check:", "note": "Note:"}.get(kind, "")
    return f'<div class="mtss-message" role="alert"><b>{head}</b> {html.escape(text)}</div>'
