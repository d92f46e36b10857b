"""Charts as inline SVG: one background thread draws every app's charts with
vl-convert (no JavaScript, nothing from a CDN); tests draw synchronously.

An app names the chart it wants with :func:`chart_call` (a builder of
:mod:`mtss_teach.charts` and its arguments). In a kernel of the room server
(``python -m mtss_teach.apps serve``) the call is sent to the server's one
chart process (:mod:`mtss_teach.apps.render`, found through the environment
variable :data:`RENDERER_ENV`), which builds the chart with Altair and draws
it: the kernel never imports Altair or starts a JavaScript engine, about
50 MB less per participant. Anywhere else -- a notebook, a test, or when
that process cannot be reached -- the chart is built and drawn here, with
the same builder and the same vl-convert, so the SVG is the same.
"""

from __future__ import annotations

import html
import json
import logging
import os
import pickle
import threading
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W

from ..errors import DataError
from ._gate import _FirstChartsGate
from ._html import message_html

if TYPE_CHECKING:  # the app owns its panes; imported for the annotation only
    from ._app import MtssApp

log = logging.getLogger("mtss_teach.widgets")

__all__ = ["DRAW_MODES", "RENDERER_ENV", "ChartCall", "chart_call", "wait_for_charts", "svg_of", "ChartPane"]


#: How charts are drawn: on a background thread (apps), at once (tests), or not at all.
DRAW_MODES: tuple[str, ...] = ("background", "sync", "off")


#: Environment variable holding the room server's chart process (``http://127.0.0.1:PORT/KEY``).
RENDERER_ENV = "MTSS_CHART_RENDERER"


class ChartCall:
    """A chart named by its builder in :mod:`mtss_teach.charts` and the builder's arguments.

    Calling it builds the Altair chart here; :class:`ChartPane` may instead
    have the room server's chart process build and draw it (see the module
    docstring). Make one with :func:`chart_call`.
    """

    __slots__ = ("builder", "args", "kwargs")

    def __init__(self, builder: str, args: tuple, kwargs: dict) -> None:
        self.builder, self.args, self.kwargs = builder, args, kwargs

    def __call__(self) -> Any:
        from .. import charts

        return getattr(charts, self.builder)(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        return f"chart_call({self.builder!r}, ...)"


def chart_call(builder: str, *args: Any, **kwargs: Any) -> ChartCall:
    """The chart ``mtss_teach.charts.<builder>(*args, **kwargs)``, for :meth:`ChartPane.draw`.

    Examples
    --------
    >>> from mtss_teach.widgets._charts import chart_call
    >>> call = chart_call("tier_share_chart", [1, 1, 1, 2, 3], width=300)
    >>> call.builder, call()                                   # doctest: +ELLIPSIS
    ('tier_share_chart', alt.LayerChart(...))
    """
    # (checked by name only: importing the charts here would import Altair into every kernel)
    if not (isinstance(builder, str) and builder.isidentifier() and builder.endswith("_chart")):
        raise ValueError(f"{builder!r} is not the name of a chart builder of mtss_teach.charts")
    return ChartCall(builder, args, kwargs)


def _remote_build(url: str, call: ChartCall) -> tuple[dict, str]:
    """(spec, SVG) of ``call`` from the room server's chart process at ``url``.

    A ``DataError`` the builder raised there is raised here with its message;
    any other failure raises ``OSError`` (the caller then draws locally).
    """
    body = pickle.dumps((call.builder, call.args, call.kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    req = urllib.request.Request(url.rstrip("/") + "/build", data=body, method="POST",
                                 headers={"Content-Type": "application/x-python-pickle"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            out = json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 422:  # the data cannot make this chart: the same sentence as here
            raise DataError(exc.read().decode("utf-8", "replace")) from None
        raise OSError(f"chart process answered {exc.code}") from None
    return out["spec"], out["svg"]


_EXECUTOR: ThreadPoolExecutor | None = None


_EXECUTOR_LOCK = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mtss-charts")
        return _EXECUTOR


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
            url = os.environ.get(RENDERER_ENV) if isinstance(factory, ChartCall) else None
            drawn = None
            if url:
                try:
                    drawn = _remote_build(url, factory)
                except DataError:  # (a ValueError too) the data cannot make this chart: say so below
                    raise
                except (OSError, ValueError, KeyError, pickle.PicklingError) as exc:  # draw here instead
                    log.warning("chart %s: the chart process failed (%s); drawing it here", self.name, exc)
            if drawn is not None:
                spec, svg = drawn
                chart = True
            else:
                chart = factory()
            if chart is None:
                value = ""
            else:
                if drawn is None:
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
