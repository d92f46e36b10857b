"""Shared machinery of the MTSS Academy apps (ipywidgets 8).

Every app is a thin shell: it keeps the state of its controls, calls the
library (:mod:`mtss_teach.screening`, :mod:`mtss_teach.progress`, ...) for
every number it shows, and asks :mod:`mtss_teach.charts` for every chart.
This module holds what the apps share:

* :class:`MtssApp` -- the base class: one-line construction from a shipped
  dataset or a :class:`~mtss_teach.cohorts.Cohort`, a dataset chooser, a
  message area that turns bad input (:class:`~mtss_teach.DataError`) into a
  sentence instead of a traceback, and read-only :attr:`MtssApp.metrics` so
  tests can check the shown values without a browser.
* :class:`ChartPane` -- draws an Altair chart as inline SVG with
  ``vl_convert`` (no JavaScript, nothing loaded from a CDN). In an app the
  drawing happens on one background thread, so the numbers appear at once
  and the chart follows; tests draw synchronously.
* small HTML helpers (:func:`metric_html`, :func:`table_html`).

Heavy imports (Altair, vl-convert, the cohort loader) are deferred until
first needed, so a Voila app shows its controls and numbers quickly.
"""

from __future__ import annotations

import html
import logging
import math
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import parse_qs, urlencode

import ipywidgets as W
import pandas as pd
from traitlets import TraitError, observe

from .. import formatting
from .._validate import check_choice
from ..errors import DataError

__all__ = [
    "MtssApp",
    "ChartPane",
    "DRAW_MODES",
    "dataset_names",
    "load_dataset",
    "dataset_from_query",
    "dataset_label",
    "dataset_name",
    "dataset_options",
    "DATASET_LABELS",
    "Dropdown",
    "fmt",
    "metric_html",
    "metrics_html",
    "table_html",
    "wait_for_charts",
]

log = logging.getLogger("mtss_teach.widgets")

#: How charts are drawn: on a background thread (apps), at once (tests), or not at all.
DRAW_MODES: tuple[str, ...] = ("background", "sync", "off")

#: The label of the dataset chooser when the app was given a Cohort directly.
OWN_COHORT = "(the cohort given)"

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


# ---------------------------------------------------------------------------
# Data access (lazy: the cohort loader is imported on first use)
# ---------------------------------------------------------------------------


def dataset_names() -> list[str]:
    """Names of the shipped datasets, as :func:`mtss_teach.datasets.list_datasets` lists them.

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_names
    >>> isinstance(dataset_names(), list)
    True
    """
    from .. import datasets

    table = datasets.list_datasets()
    if isinstance(table, pd.DataFrame):
        col = "name" if "name" in table.columns else table.columns[0]
        return [str(x) for x in table[col]]
    return [str(x) for x in table]


class DatasetTables:
    """A shipped dataset whose tables are read only when an app first asks for them.

    Behaves like a :class:`~mtss_teach.cohorts.Cohort` for the apps
    (``.students``, ``.screening``, ... ``.truth``; ``None`` for a table the
    dataset does not have) but reads each CSV with
    :func:`mtss_teach.datasets.load` ``(name, table)`` on first access, so an
    app that needs three tables does not read ten.

    Examples
    --------
    >>> from mtss_teach.widgets._base import DatasetTables, dataset_names
    >>> d = DatasetTables(dataset_names()[0])
    >>> "grade" in d.students.columns
    True
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tables: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getattr__(self, table: str) -> Any:
        if table.startswith("_") or table not in _TABLES:
            raise AttributeError(table)
        with self._lock:
            if table not in self._tables:
                from .. import datasets

                try:
                    self._tables[table] = datasets.load(self.name, table)
                except DataError as exc:
                    if "has no" not in str(exc):
                        raise
                    self._tables[table] = None
            return self._tables[table]

    def __repr__(self) -> str:
        return f"DatasetTables({self.name!r}, loaded={sorted(self._tables)})"


_TABLES = ("students", "screening", "outcomes", "tiers", "progress", "interventions", "fidelity", "behavior",
           "tfi", "truth")


@lru_cache(maxsize=8)
def load_dataset(name: str) -> DatasetTables:
    """A shipped dataset for the apps, its tables read on first use (cached: apps never change them).

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_names, load_dataset
    >>> cohort = load_dataset(dataset_names()[0])
    >>> "student_id" in cohort.students.columns
    True
    """
    from .. import datasets

    if name not in dataset_names():
        datasets.load(name)  # raises the library's DataError listing the valid names
    return DatasetTables(name)


#: What the apps call each shipped dataset. The on-disk names (``weak_tier1``,
#: ``disproportionate``, ``low_fidelity`` ...) say what the data will show, and
#: the facilitator guides ask not to reveal that before the room finds it, so
#: the apps (and their links) show neutral district names; the guides say
#: which is which. A dataset not listed here is shown under its own name.
DATASET_LABELS: dict[str, str] = {
    "disproportionate": "District A",
    "healthy": "District B",
    "low_fidelity": "District C",
    "weak_tier1": "District D",
    "district_small": "District E (two schools)",
}


def dataset_label(name: str) -> str:
    """The neutral name an app shows for a shipped dataset.

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_label
    >>> dataset_label("weak_tier1")
    'District D'
    >>> dataset_label("my_own")
    'my_own'
    """
    return DATASET_LABELS.get(name, name)


def dataset_name(label: str) -> str:
    """The shipped dataset an app's neutral label stands for (the inverse of :func:`dataset_label`).

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_name
    >>> dataset_name("District D")
    'weak_tier1'
    >>> dataset_name("healthy")
    'healthy'
    """
    return {v: k for k, v in DATASET_LABELS.items()}.get(label, label)


def _slug(label: str) -> str:
    """The form of a label used in a link: "District D" -> "district-d"."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in label.split(" (")[0])
    return "-".join(part for part in out.split("-") if part)


def dataset_options(names: Sequence[str]) -> list[tuple[str, str]]:
    """Dropdown options ``(neutral label, dataset name)``, sorted by label.

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_options
    >>> dataset_options(["weak_tier1", "healthy"])
    [('District B', 'healthy'), ('District D', 'weak_tier1')]
    """
    return sorted(((dataset_label(n), n) for n in names), key=lambda o: o[0])


def _query() -> str:
    """The page's query string: Voila passes it to the kernel as ``QUERY_STRING``."""
    return os.environ.get("QUERY_STRING", "") or ""


def query_params(query: str | None = None) -> dict[str, str]:
    """The page's query string as a dict (the last value of a repeated key wins).

    Examples
    --------
    >>> from mtss_teach.widgets._base import query_params
    >>> query_params("?dataset=district-d&week=8")
    {'dataset': 'district-d', 'week': '8'}
    """
    q = _query() if query is None else query
    return {k: v[-1] for k, v in parse_qs(q.lstrip("?"), keep_blank_values=True).items()}


def dataset_from_query(names: Sequence[str], query: str | None = None) -> str | None:
    """The ``dataset`` named in a Voila page's query string, when it is valid.

    Voila passes the page's query string to the kernel as ``QUERY_STRING``,
    so a facilitator can share a link such as ``.../app.ipynb?dataset=district-d``
    (the neutral name of :data:`DATASET_LABELS`; the on-disk name works too).

    Examples
    --------
    >>> from mtss_teach.widgets._base import dataset_from_query
    >>> dataset_from_query(["healthy", "weak_tier1"], "dataset=weak_tier1")
    'weak_tier1'
    >>> dataset_from_query(["healthy", "weak_tier1"], "dataset=district-d")
    'weak_tier1'
    >>> dataset_from_query(["healthy"], "dataset=nope") is None
    True
    """
    val = query_params(query).get("dataset")
    if not val:
        return None
    if val in names:
        return val
    by_slug = {_slug(dataset_label(n)): n for n in names}
    return by_slug.get(_slug(val))


def dataset_slug(name: str) -> str:
    """How a link names a dataset: the slug of its neutral label ("district-d")."""
    return _slug(dataset_label(name))


def page_link(params: dict[str, str]) -> str:
    """The address of this Voila page with ``params`` as its query string (``?...`` outside Voila).

    Voila passes the page's path and host to the kernel (``SCRIPT_NAME``,
    ``SERVER_NAME``, ``SERVER_PORT``).

    Examples
    --------
    >>> from mtss_teach.widgets._base import page_link
    >>> page_link({"dataset": "district-d", "week": "8"}).endswith("?dataset=district-d&week=8")
    True
    """
    query = "?" + urlencode(params)
    path = os.environ.get("SCRIPT_NAME", "")
    if not path:
        return query
    host = os.environ.get("SERVER_NAME", "")
    port = os.environ.get("SERVER_PORT", "")
    where = f"http://{host}{':' + port if port else ''}" if host else ""
    return f"{where}{path}{query}"


def link_html(url: str) -> str:
    """The "link to this view" line an app shows (an ``<a class="mtss-link-url">``; no ``data-metric``,
    so a page's first number is never mistaken for it)."""
    u = html.escape(url, quote=True)
    shown = html.escape(url if len(url) < 60 else url[:57] + "…")
    return (f'<span class="mtss-note">Link to this view: <a href="{u}" target="_blank" rel="noopener" '
            f'title="Copy this link for a guide or a colleague" class="mtss-link-url">{shown}</a>'
            "</span>")


class Dropdown(W.Dropdown):
    """An ipywidgets Dropdown that shows its current choice when that choice is ``None``.

    ipywidgets 8 shows a blank box for the value ``None`` even when an
    option ``("All schools", None)`` exists (it clears the selection
    instead of selecting that option). Here ``None`` selects the option
    whose value is ``None``, if there is one.

    Examples
    --------
    >>> from mtss_teach.widgets._base import Dropdown
    >>> d = Dropdown()
    >>> d.options = [("All schools", None), ("School 01", "School 01")]
    >>> d.value = None
    >>> d.index, d.label
    (0, 'All schools')
    """

    def _none_index(self) -> int | None:
        vals = getattr(self, "_options_values", ())
        for i, v in enumerate(vals):
            if v is None:
                return i
        return None

    @observe("options")
    def _propagate_options(self, change: Any) -> None:
        super()._propagate_options(change)
        if self.index is None and self.value is None and not self._initializing_traits_:
            i = self._none_index()
            if i is not None:
                self.index = i

    @observe("value")
    def _propagate_value(self, change: Any) -> None:
        if change.new is None:
            i = self._none_index()
            if i is not None:
                if self.index != i:
                    self.index = i
                return
        super()._propagate_value(change)


# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------


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
        more = f'<div class="mtss-note">… and {k} more row{"s" if k != 1 else ""} not shown.</div>'
    return cap + out + more


def message_html(text: str, kind: str = "problem") -> str:
    """The app's message box (``role="alert"``): a sentence, never a traceback."""
    if not text:
        return ""
    head = {"problem": "Please check:", "note": "Note:"}.get(kind, "")
    return f'<div class="mtss-message" role="alert"><b>{head}</b> {html.escape(text)}</div>'


# ---------------------------------------------------------------------------
# Charts as inline SVG
# ---------------------------------------------------------------------------

_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mtss-charts")
        return _EXECUTOR


def _cell_running() -> bool:
    """True while a notebook kernel is executing a cell (an ``execute_request``) on this thread."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    if ip is None or getattr(ip, "kernel", None) is None or threading.current_thread() is not threading.main_thread():
        return False
    header = (getattr(ip, "parent_header", None) or {}).get("header", {})
    return header.get("msg_type") == "execute_request"


class _FirstChartsGate:
    """Hold an app's first charts until its page shows the widgets; then call ``release``.

    Built while a kernel runs the cell that makes the app (a Voila page, a
    notebook). ``release`` is called once, as soon as both

    * the cell has ended (IPython's ``post_run_cell``), and
    * a front end has fetched the widget states: the page's widget manager
      sends ``request_states`` on the ``jupyter.widget.control`` comm and the
      kernel has answered it (already true in JupyterLab, where the control
      comm opened earlier),

    or ``fallback`` seconds after the cell ended, whichever comes first (a
    kernel with no page, a front end without the control protocol).
    Drawing a chart costs CPU and, while Altair builds it, the GIL; started
    earlier it slows the kernel's answer to the page and the first numbers
    appear later.
    """

    FALLBACK = 3.0  # seconds after the cell ends
    _live: "list[_FirstChartsGate]" = []  # not fired yet
    _hooked = False
    _lock = threading.Lock()

    def __init__(self, release: Callable[[], None], fallback: float | None = None) -> None:
        from IPython import get_ipython
        from ipywidgets import Widget

        self._release = release
        self._fallback = self.FALLBACK if fallback is None else fallback
        self._cell_done = False
        self._front_done = getattr(Widget, "_control_comm", None) is not None
        self._fired = False
        self._ip = get_ipython()
        with _FirstChartsGate._lock:
            _FirstChartsGate._live.append(self)
        if not self._front_done:
            self._hook_control_comm()
        self._ip.events.register("post_run_cell", self._on_cell_end)

    @classmethod
    def _hook_control_comm(cls) -> None:
        """Wrap ipywidgets' handler of the control comm so an answered request opens the gates."""
        with cls._lock:
            if cls._hooked:
                return
            cls._hooked = True
        try:
            from comm import get_comm_manager
            from ipywidgets import Widget

            def opened(comm: Any, msg: dict) -> None:
                Widget.handle_control_comm_opened(comm, msg)

                def on_msg(m: dict) -> None:
                    Widget._handle_control_comm_msg(m)  # answers request_states
                    cls._front_end_ready()

                comm.on_msg(on_msg)

            get_comm_manager().register_target("jupyter.widget.control", opened)
        except Exception:  # pragma: no cover - another ipywidgets: the fallback timer opens the gates
            log.debug("could not watch the widget control comm", exc_info=True)

    @classmethod
    def _front_end_ready(cls) -> None:
        with cls._lock:
            gates = list(cls._live)
        for g in gates:
            g._front_done = True
            g._maybe()

    def _on_cell_end(self, *_: Any) -> None:
        try:
            self._ip.events.unregister("post_run_cell", self._on_cell_end)
        except ValueError:
            pass
        self._cell_done = True
        timer = threading.Timer(self._fallback, self.fire)
        timer.daemon = True
        timer.start()
        self._maybe()

    def _maybe(self) -> None:
        if self._cell_done and self._front_done:
            self.fire()

    def fire(self) -> None:
        """Release the held charts now (once)."""
        with _FirstChartsGate._lock:
            if self._fired:
                return
            self._fired = True
            _FirstChartsGate._live.remove(self)
        self._release()

    @classmethod
    def fire_all(cls) -> None:
        """Release every app's held charts now (used by :func:`wait_for_charts`)."""
        with cls._lock:
            gates = list(cls._live)
        for g in gates:
            g.fire()


def wait_for_charts(timeout: float = 60.0) -> None:
    """Block until every chart queued so far has been drawn (for tests and scripts).

    Charts an app holds back until its page shows (see
    :meth:`MtssApp._release_draws`) are started first.

    Examples
    --------
    >>> from mtss_teach.widgets._base import wait_for_charts
    >>> wait_for_charts()
    """
    _FirstChartsGate.fire_all()
    _executor().submit(lambda: None).result(timeout=timeout)


def svg_of(chart: Any) -> tuple[dict, str]:
    """(Vega-Lite spec, SVG text) of an Altair chart, drawn offline by vl-convert.

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> from mtss_teach.widgets._base import svg_of
    >>> spec, svg = svg_of(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q"))
    >>> svg.startswith("<svg")
    True
    """
    import vl_convert

    spec = chart.to_dict()
    return spec, vl_convert.vegalite_to_svg(spec)


class ChartPane:
    """A place in an app where one chart is drawn as inline SVG.

    :meth:`draw` takes a zero-argument function that builds the Altair
    chart from values captured when it is called. With ``draw="background"``
    the chart is built and converted on a single worker thread: requests made
    while one is being drawn replace each other, so only the newest is drawn.
    The SVG is wrapped in ``<div role="img" aria-label="...">`` carrying the
    chart's text description, its accessible name.

    Attributes
    ----------
    widget : ipywidgets.HTML
        What the app lays out.
    spec : dict or None
        The Vega-Lite spec last drawn.
    svg : str
        The SVG text last drawn ("" before the first chart).
    error : str
        Why the last chart could not be drawn ("" when it was).
    """

    def __init__(self, app: "MtssApp", name: str, wait_text: str = "Drawing the chart…") -> None:
        self.app = app
        self.name = name
        self.wait_text = wait_text
        self.widget = W.HTML(value=self._wait_html())
        self.widget.add_class("mtss-chart-pane")
        self.widget.add_class(f"mtss-chart-{name}")
        self.spec: dict | None = None
        self.svg = ""
        self.error = ""
        self._gen = 0
        self._lock = threading.Lock()

    def _wait_html(self) -> str:
        return f'<div class="mtss-chart-wait">{html.escape(self.wait_text)}</div>'

    def clear(self, text: str = "") -> None:
        """Remove the chart (optionally leaving a short note in its place)."""
        with self._lock:
            self._gen += 1
            self.spec, self.svg, self.error = None, "", ""
        self.widget.value = f'<div class="mtss-note">{html.escape(text)}</div>' if text else ""

    def draw(self, factory: Callable[[], Any]) -> Future | None:
        """Draw the chart ``factory()`` returns (see the class docstring)."""
        mode = self.app.draw
        with self._lock:
            self._gen += 1
            gen = self._gen
        if mode == "off":
            return None
        if mode == "sync":
            self._render(factory, gen)
            return None
        with self.app._held_lock:
            held = self.app._held_draws
            if held is not None:  # the app's page is not shown yet: draw when it is
                held.append(lambda: _executor().submit(self._render, factory, gen))
                return None
        return _executor().submit(self._render, factory, gen)

    def _render(self, factory: Callable[[], Any], gen: int) -> None:
        if gen != self._gen:  # a newer request is waiting: skip this one
            return
        spec, svg, error = None, "", ""
        try:
            chart = factory()
            if chart is None:
                value = ""
            else:
                spec, svg = svg_of(chart)
                label = html.escape(str(spec.get("description", "")) or self.name, quote=True)
                value = f'<div class="mtss-chart" role="img" aria-label="{label}">{svg}</div>'
        except DataError as exc:
            error = str(exc)
            value = message_html(f"The chart cannot be drawn: {exc}", "note")
        except Exception as exc:  # never a traceback in the app
            log.exception("chart %s failed", self.name)
            error = f"{type(exc).__name__}: {exc}"
            value = message_html(f"The chart cannot be drawn ({type(exc).__name__}).", "note")
        with self._lock:
            if gen != self._gen:
                return
            self.spec, self.svg, self.error = spec, svg, error
        self.widget.value = value


# ---------------------------------------------------------------------------
# The base app
# ---------------------------------------------------------------------------


class MtssApp:
    """Base class of the MTSS Academy apps.

    Parameters
    ----------
    cohort : Cohort, optional
        A cohort from :func:`mtss_teach.cohorts.make_cohort` or
        :func:`mtss_teach.datasets.load` (or any object with the same
        DataFrame attributes). Without it, ``dataset`` is loaded.
    dataset : str, optional
        Name of a shipped dataset (default: the first one listed).
    chooser : bool, optional
        Show a dataset dropdown (of :func:`mtss_teach.datasets.list_datasets`)
        so a facilitator can switch data. Default: shown when no cohort is
        given.
    draw : {"background", "sync", "off"}
        How charts are drawn (see :class:`ChartPane`).
    header : bool, optional
        Show the app's title and purpose above it (default). A Voila page
        (:meth:`app`) leaves them out: the page's own heading says the same.

    Notes
    -----
    Subclasses implement ``_build()`` (create controls once),
    ``_on_cohort()`` (reset choices for new data) and ``_update()`` (call
    the library, fill the outputs, set ``self._metrics``). Any
    :class:`~mtss_teach.DataError` raised there is shown as a message; any
    other exception is logged and shown as a short apology, never as a
    traceback.
    """

    title: str = "MTSS Academy app"
    purpose: str = ""

    def __init__(self, cohort: Any = None, *, dataset: str | None = None, chooser: bool | None = None,
                 draw: str = "background", header: bool = True) -> None:
        self.draw = check_choice(draw, "draw", DRAW_MODES)
        self._header = bool(header)
        self._metrics: dict[str, Any] = {}
        self._message_text = ""
        self._quiet = 0
        self._panes: list[ChartPane] = []
        self.cohort: Any = None
        self.dataset: str | None = None
        if cohort is not None:
            _check_cohort(cohort)
            names = [OWN_COHORT]
            show = bool(chooser)
            if show:
                names += dataset_names()
            current = OWN_COHORT
        else:
            names = dataset_names()
            if not names:
                raise DataError("dataset: no shipped datasets were found")
            current = dataset if dataset is not None else names[0]
            check_choice(current, "dataset", names)
            show = True if chooser is None else bool(chooser)
        self._given = cohort
        # First charts wait until the app's page shows its widgets (see _release_draws).
        self._held_lock = threading.Lock()
        self._held_draws: list[Callable[[], Any]] | None = [] if (self.draw == "background"
                                                                   and _cell_running()) else None
        self._message = W.HTML()
        self._message.add_class("mtss-message-area")
        opts = [(n, n) for n in names if n == OWN_COHORT] + dataset_options([n for n in names if n != OWN_COHORT])
        self._dataset = Dropdown(options=opts, value=current, description="Dataset",
                                 style={"description_width": "initial"},
                                 layout=W.Layout(width="20em", display="" if show else "none"))
        self._dataset.add_class("mtss-dataset")
        self._start_dataset = current
        self._start_params: dict[str, str] = {}
        self._passthrough: dict[str, str] = {}
        self._reset_button = W.Button(description="↺ Start over", tooltip="Every choice back to where this page "
                                      "started (the link's settings, if it was opened from a link)",
                                      layout=W.Layout(width="9em"))
        self._reset_button.add_class("mtss-reset")
        self._reset_button.on_click(lambda _b: self._safe(self.reset))
        self._link = W.HTML()
        self._link.add_class("mtss-link")
        self._build()
        self._defaults = {k: w.value for k, w in self._controls().items()
                          if w.value is not None and not isinstance(w, W.Button)}
        self._dataset.observe(self._dataset_changed, "value")
        self._switch(current)
        if self._held_draws is not None:
            _FirstChartsGate(self._release_draws)

    def _release_draws(self) -> None:
        """Start the charts held back while the app was built.

        In a kernel (a Voila page, a notebook) the app's first charts are
        drawn once the cell that builds it has ended and the page has its
        widgets (:class:`_FirstChartsGate`), not beside them: drawing
        (Altair, then vl-convert's JavaScript engine, about 1 s of CPU for
        the first chart) would otherwise slow the kernel's answers to the
        page, and the first numbers would appear later.
        """
        with self._held_lock:
            held, self._held_draws = self._held_draws, None
        for start in held or []:
            start()

    # -- one-liners -------------------------------------------------------

    @classmethod
    def from_dataset(cls, name: str | None = None, **kwargs: Any) -> "MtssApp":
        """Build the app on a shipped dataset: ``App.from_dataset("healthy")``.

        Examples
        --------
        >>> from mtss_teach.widgets import ScreeningExplorer
        >>> app = ScreeningExplorer.from_dataset(draw="off")
        >>> app.dataset is not None
        True
        """
        return cls(dataset=name, **kwargs)

    @classmethod
    def app(cls, **kwargs: Any) -> "MtssApp":
        """The app as a Voila page builds it: dataset from the URL (``?dataset=``) or the first one.

        In a pre-heated Voila kernel (``serve --preheat``) the imports are
        done ahead of time; the app then waits for the page request (Voila's
        ``wait_for_request``) so it can read the URL's dataset before it
        loads any data.

        Examples
        --------
        >>> from mtss_teach.widgets import DecisionRuleLab
        >>> DecisionRuleLab.app(draw="off").title
        'Decision-rule lab'
        """
        names = dataset_names()
        if os.environ.get("VOILA_PREHEAT") == "True":  # pragma: no cover - exercised in Voila only
            from voila.utils import wait_for_request

            wait_for_request()
        params = query_params()
        kwargs.setdefault("header", False)  # the page's heading names the app
        app = cls(dataset=dataset_from_query(names), chooser=True, **kwargs)
        app.open_link(params)
        return app

    # -- display ----------------------------------------------------------

    @property
    def ui(self) -> W.VBox:
        """The whole app as one ipywidgets box."""
        if not hasattr(self, "_ui"):
            head = W.HTML(
                _STYLE + (f'<h2 class="mtss-title">{html.escape(self.title)}</h2>'
                          + (f'<p class="mtss-purpose">{html.escape(self.purpose)}</p>' if self.purpose else "")
                          if self._header else "")
            )
            bar = W.HBox([self._dataset, self._reset_button, self._link],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
            bar.add_class("mtss-app-bar")
            # in room mode, the room's poll round sits under the facilitator bar (mtss_teach.widgets.poll_bar)
            from .poll_bar import poll_bar_for

            poll = poll_bar_for(self)
            # the message sits at the top, where a facilitator looks first
            self._ui = W.VBox([head, bar, *([poll] if poll is not None else []), self._message, *self._layout()],
                              layout=W.Layout(width="100%"))
            self._ui.add_class("mtss-app")
            self._ui.add_class(f"mtss-app-{type(self).__name__.lower()}")
        return self._ui

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    # -- read-only state ---------------------------------------------------

    @property
    def metrics(self) -> dict[str, Any]:
        """The values the app shows now (a copy), for tests and scripts."""
        return dict(self._metrics)

    @property
    def message(self) -> str:
        """The message shown now (bad input, a note), "" when there is none."""
        return self._message_text

    @property
    def charts(self) -> dict[str, ChartPane]:
        """The app's chart panes by name."""
        return {p.name: p for p in self._panes}

    # -- for subclasses ------------------------------------------------------

    def _pane(self, name: str, wait_text: str = "Drawing the chart…") -> ChartPane:
        p = ChartPane(self, name, wait_text)
        self._panes.append(p)
        return p

    def _watch(self, *widgets: W.Widget, handler: Callable[[], None] | None = None) -> None:
        """Call ``handler`` (default: :meth:`refresh`) when any of the widgets' value changes."""
        fn = handler or self.refresh

        def on_change(_change: Any) -> None:
            if self._quiet:
                return
            self._safe(fn)

        for w in widgets:
            w.observe(on_change, "value")

    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Change several controls without an update after each one."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _say(self, text: str, kind: str = "problem") -> None:
        self._message_text = text
        self._message.value = message_html(text, kind)

    def _safe(self, fn: Callable[[], None]) -> bool:
        """Run ``fn``; bad input becomes a message, never a traceback. True when it ran cleanly."""
        try:
            fn()
            return True
        except DataError as exc:
            self._metrics = {}
            self._clear()
            self._say(str(exc))
        except Exception as exc:  # keep tracebacks out of the app; log them for the facilitator
            log.exception("%s failed", type(self).__name__)
            self._metrics = {}
            self._clear()
            self._say(f"Something went wrong ({type(exc).__name__}: {exc}). Try another choice.")
        return False

    def refresh(self) -> None:
        """Recompute and redraw from the current control values."""
        if self.cohort is None:
            return
        self._say("")
        self._show_link()
        self._update()

    def _dataset_changed(self, change: Any) -> None:
        if self._quiet:
            return
        self._safe(lambda: self._switch(change["new"]))

    # -- facilitator controls: start over, links that carry the settings ----

    def _controls(self) -> dict[str, W.Widget]:
        """The app's settings by name, in the order a link applies them (apps override this)."""
        return {}

    def _link_extra(self) -> dict[str, str]:
        """Settings that are not a control's value (e.g. the week shown); apps override this."""
        return {}

    def _apply_extra(self, params: dict[str, str]) -> list[str]:
        """Apply :meth:`_link_extra` settings from a link; returns problems (sentences)."""
        return []

    def _reset_state(self) -> None:
        """Forget what the learner did (commits, tallies); apps override this."""

    @property
    def settings(self) -> dict[str, str]:
        """The current settings as a link writes them (dataset, then each control)."""
        out: dict[str, str] = {}
        if self.dataset is not None:
            out["dataset"] = dataset_slug(self.dataset)
        for k, w in self._controls().items():
            out[k] = _encode(w.value)
        out.update(self._link_extra())
        return out

    @property
    def link(self) -> str:
        """A link to this view: the page's address with the current settings in its query string.

        Inside a Voila page it is the full address (Voila passes the page's
        host and path to the kernel); elsewhere only ``?...``.
        """
        return page_link({**self._passthrough, **self.settings})

    def _show_link(self) -> None:
        self._link.value = link_html(self.link)

    def open_link(self, params: dict[str, str] | str) -> None:
        """Apply a link's settings (a query string or its dict), as the page does when opened from a link.

        Settings are applied in the app's order; one the app does not offer
        is left at its start value and named in a message. Unknown keys
        (a room token, for example) are kept in :attr:`link`.
        """
        if isinstance(params, str):
            params = query_params(params)
        known = set(self._controls()) | {"dataset"} | set(self._link_extra())
        self._passthrough = {k: v for k, v in params.items() if k not in known}
        mine = {k: v for k, v in params.items() if k in known and k != "dataset"}
        self._start_params = dict(mine)
        if "dataset" in params and self.dataset is not None:
            names = [n for _, n in self._dataset.options if n != OWN_COHORT]
            found = dataset_from_query(names, urlencode({"dataset": params["dataset"]}))
            if found is None:
                problems = [f"the link's dataset “{params['dataset']}” is not one of this app's datasets"]
                self._apply_params(mine, problems)
                return
            if found != self.dataset:
                self._dataset.value = found
            self._start_dataset = found
        self._apply_params(mine, [])

    def _apply_params(self, params: dict[str, str], problems: list[str]) -> None:
        for k, w in self._controls().items():
            if k in params:
                try:
                    value = _decode(w, params[k])
                except ValueError:
                    problems.append(f"the link's setting “{k}={params[k]}” is not one this app offers; "
                                    "it was left at its start value")
                    continue
                self._safe(lambda w=w, value=value, k=k: self._assign(w, value, k))
        problems += self._apply_extra(params)
        if params:
            self._safe(self.refresh)
        if problems:
            self._say("; ".join(problems) + ".", "note")

    def reset(self) -> None:
        """Start over: every choice back to where the page started (its link's settings, if any)."""
        with self._hold():
            for k, w in self._controls().items():
                if k in self._defaults:
                    try:
                        w.value = self._defaults[k]
                    except TraitError:  # pragma: no cover - options changed with the data
                        pass
            if self._dataset.value != self._start_dataset:
                self._dataset.value = self._start_dataset
        self._reset_state()
        self._switch(self._start_dataset)
        if self._start_params:
            self._apply_params(dict(self._start_params), [])

    def _switch(self, name: str) -> None:
        if name == OWN_COHORT:
            cohort, self.dataset = self._given, None
        else:
            cohort, self.dataset = load_dataset(name), name
        self.cohort = cohort
        self._say("")
        ok = True
        with self._hold():
            ok = self._safe(self._on_cohort)
        if ok:
            self._safe(self.refresh)

    def _assign(self, widget: W.Widget, value: Any, name: str) -> None:
        """Set a control from a script; a value the control does not offer is a DataError."""
        try:
            widget.value = value
        except TraitError:
            opts = getattr(widget, "options", None)
            if opts is not None:
                vals = [o[1] if isinstance(o, tuple) else o for o in opts]
                raise DataError(f"{name}: {value!r} is not one of {', '.join(map(repr, vals))}") from None
            raise DataError(f"{name}: {value!r} is not a valid value for this control") from None

    def _set_many(self, controls: dict[str, W.Widget], values: dict[str, Any]) -> None:
        """Set several controls by name without an update after each; then update once."""
        with self._hold():
            for k, v in values.items():
                if k not in controls:
                    raise DataError(f"{k}: not a control of {type(self).__name__} ({', '.join(controls)})")
                self._assign(controls[k], v, k)

    def set_dataset(self, name: str) -> None:
        """Switch to another shipped dataset (as the dropdown does)."""
        if name not in [v for _, v in self._dataset.options]:
            self._dataset.options = [*self._dataset.options, (dataset_label(name), name)]
        self._dataset.value = name

    # -- hooks ---------------------------------------------------------------

    def _build(self) -> None:  # pragma: no cover - every app overrides it
        raise NotImplementedError

    def _layout(self) -> list[W.Widget]:  # pragma: no cover
        raise NotImplementedError

    def _on_cohort(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def _update(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def _clear(self) -> None:
        """Blank the outputs after bad input (so no stale number is mistaken for a new one)."""
        for p in self._panes:
            p.clear()


def _check_cohort(cohort: Any) -> None:
    students = getattr(cohort, "students", None)
    if not isinstance(students, pd.DataFrame):
        raise DataError(
            "cohort: expected a Cohort (from mtss_teach.cohorts.make_cohort or mtss_teach.datasets.load), "
            f"got {type(cohort).__name__}"
        )


def table_of(cohort: Any, name: str, what: str) -> pd.DataFrame:
    """A cohort's table, or a clear DataError when this cohort does not have it."""
    df = getattr(cohort, name, None)
    if not isinstance(df, pd.DataFrame) or len(df) == 0:
        raise DataError(f"cohort: this dataset has no {name} table, which {what} needs")
    return df


def options_with_all(values: Sequence[Any], all_label: str) -> list[tuple[str, Any]]:
    """Dropdown options: ``(all_label, None)`` then each value.

    Use them with :class:`Dropdown` (not ``ipywidgets.Dropdown``, which
    shows a blank box for the value ``None``).
    """
    return [(all_label, None)] + [(str(v), v) for v in values]


def _encode(value: Any) -> str:
    """A control's value as a link writes it."""
    if value is None:
        return "all"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def _decode(widget: W.Widget, text: str) -> Any:
    """A link's text as a value for ``widget``; ValueError when the widget cannot take it."""
    opts = getattr(widget, "options", None)
    if opts is not None and not isinstance(widget, (W.IntSlider, W.FloatSlider)):
        for o in opts:
            v = o[1] if isinstance(o, tuple) else o
            if _encode(v) == text or (isinstance(v, str) and v.lower() == text.lower()):
                return v
        raise ValueError(text)
    if isinstance(widget, W.Checkbox):
        t = text.lower()
        if t in ("yes", "true", "1", "on"):
            return True
        if t in ("no", "false", "0", "off"):
            return False
        raise ValueError(text)
    if isinstance(widget, (W.IntSlider, W.IntText, W.BoundedIntText)):
        v = float(text)
        if not math.isfinite(v) or v != int(v):
            raise ValueError(text)
        lo, hi = getattr(widget, "min", None), getattr(widget, "max", None)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ValueError(text)
        return int(v)
    if isinstance(widget, (W.FloatText, W.FloatSlider, W.BoundedFloatText)):
        return float(text)
    return text
