"""Charts as inline SVG: one background thread draws every app's charts with
vl-convert (no JavaScript, nothing from a CDN); tests draw synchronously.
"""

from __future__ import annotations

import html
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W

from ..errors import DataError
from ._gate import _FirstChartsGate
from ._html import message_html

if TYPE_CHECKING:  # the app owns its panes; imported for the annotation only
    from ._app import MtssApp

log = logging.getLogger("mtss_teach.widgets")

__all__ = ["DRAW_MODES", "wait_for_charts", "svg_of", "ChartPane"]


#: How charts are drawn: on a background thread (apps), at once (tests), or not at all.
DRAW_MODES: tuple[str, ...] = ("background", "sync", "off")


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
