"""The base class of every app (:class:`MtssApp`): construction from a dataset
or a Cohort, the facilitator bar, messages, links to a view, read-only metrics.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

import ipywidgets as W
from traitlets import TraitError

from .._validate import check_choice
from ..errors import DataError
from ._charts import DRAW_MODES, ChartPane
from ._controls import Dropdown, _decode, _encode
from ._data import (_check_cohort, dataset_from_query, dataset_label, dataset_names, dataset_options, dataset_slug,
                    load_dataset, page_link, query_params)
from ._gate import _cell_running, _FirstChartsGate
from ._html import _STYLE, link_html, message_html

log = logging.getLogger("mtss_teach.widgets")

__all__ = ["OWN_COHORT", "MtssApp"]


#: The label of the dataset chooser when the app was given a Cohort directly.
OWN_COHORT = "(the cohort given)"


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
            from ._voila import wait_for_request  # (Voila's helper, without importing the Voila server)

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
    def link_passthrough(self) -> dict[str, str]:
        """The settings the last link carried that this app does not use (a room token), kept for its own links."""
        return dict(self._passthrough)

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
