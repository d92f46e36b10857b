"""YearReview: the capstone's school-year data review, one tab per decision."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

import ipywidgets as W

__all__ = ["YearReview", "STEPS"]

#: The review's steps in school-year order: (tab title, app class name).
STEPS: tuple[tuple[str, str], ...] = (
    ("1. Fall screening", "ScreeningExplorer"),
    ("2. Tier placement", "DataMeeting"),
    ("3. Progress decisions", "AimlineCoach"),
    ("4. Fidelity", "FidelityScorer"),
    ("5. Equity", "EquityLens"),
    ("6. Behaviour", "BehaviorView"),
)


class YearReview:
    """A full year's data review for the capstone: one tab per MTSS decision.

    Each tab holds one of the academy's apps (screening, tier placement,
    progress decisions, fidelity, equity, behaviour), built the first time
    the tab is opened so the page renders quickly. One dataset chooser above
    the tabs sets the data of every tab: a dataset chosen there carries to
    the tabs already opened and to those opened later. Every number comes
    from the apps, which call the library.

    Parameters
    ----------
    dataset : str, optional
        Shipped dataset of every tab (default: the first one).
    draw : {"background", "sync", "off"}
        Passed to each app (``"off"`` draws no charts, for tests).
    chooser : bool, optional
        Show the dataset chooser (default: shown).

    Examples
    --------
    >>> from mtss_teach.widgets import YearReview
    >>> review = YearReview(dataset="low_fidelity", draw="off")
    >>> [type(a).__name__ for a in review.apps if a is not None]
    ['ScreeningExplorer']
    >>> review.open(1).title
    'Data meeting'
    >>> review.set_dataset("healthy")
    >>> {a.dataset for a in review.apps if a is not None}
    {'healthy'}
    """

    title = "Year-end data review"
    purpose = ("The capstone: work through a school's year in order — fall screening, tier placement, "
               "progress decisions, fidelity, equity and behaviour — one tab at a time, on one dataset.")

    def __init__(self, dataset: str | None = None, *, draw: str = "background",
                 chooser: bool | None = None, **kwargs: Any) -> None:
        from .. import widgets
        from ..errors import DataError
        from ._controls import Dropdown
        from ._data import dataset_names, dataset_options, load_dataset

        names = dataset_names()
        if not names:
            raise DataError("dataset: no shipped datasets were found")
        current = dataset if dataset is not None else names[0]
        load_dataset(current)  # an unknown name: the library's DataError, listing the valid names
        self._classes = [getattr(widgets, name) for _, name in STEPS]
        self._header = bool(kwargs.pop("header", True))
        self._kwargs = dict(draw=draw, chooser=False, header=False, **kwargs)  # the tab title names each app
        self.dataset = current
        self._start_dataset = current
        self._start_params: dict[str, str] = {}
        self._passthrough: dict[str, str] = {}
        self.apps: list[Any] = [None] * len(STEPS)
        self.w_dataset = Dropdown(options=dataset_options(names), value=current, description="Dataset (every tab)",
                                  style={"description_width": "initial"},
                                  layout=W.Layout(width="26em", display="none" if chooser is False else ""))
        self.w_dataset.add_class("mtss-dataset")
        self.w_dataset.observe(self._dataset_changed, "value")
        self.w_reset = W.Button(description="↺ Start over", layout=W.Layout(width="9em"),
                                tooltip="Every tab back to where this page started")
        self.w_reset.add_class("mtss-reset")
        self.w_reset.on_click(lambda _b: self.reset())
        self.w_link = W.HTML()
        self.w_link.add_class("mtss-link")
        self.tabs = W.Tab(children=[W.VBox() for _ in STEPS])
        for i, (label, _) in enumerate(STEPS):
            self.tabs.set_title(i, label)
        self.tabs.add_class("mtss-year-review-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.open(0)

    @classmethod
    def from_dataset(cls, name: str | None = None, **kwargs: Any) -> "YearReview":
        """Build the review on a shipped dataset: ``YearReview.from_dataset("low_fidelity")``."""
        return cls(dataset=name, **kwargs)

    @classmethod
    def app(cls, **kwargs: Any) -> "YearReview":
        """The review as its Voila page builds it: the link's dataset, tab (``?tab=3``) and that tab's settings."""
        from ._data import dataset_from_query, dataset_names, query_params

        params = query_params()
        kwargs.setdefault("header", False)  # the page's heading names the review
        review = cls(dataset=dataset_from_query(dataset_names()), chooser=True, **kwargs)
        review.open_link(params)
        return review

    # -- tabs ------------------------------------------------------------------

    def open(self, step: int) -> Any:
        """Build (once) and show the app of tab ``step``; returns that app."""
        if self.apps[step] is None:
            app = self._classes[step](dataset=self.dataset, **self._kwargs)
            # one chooser, one "start over" and one link for the whole review (above the tabs)
            app._reset_button.layout.display = "none"
            app._link.layout.display = "none"
            self.apps[step] = app
            self.tabs.children[step].children = [app.ui]
            app._link.observe(lambda _c: self._show_link(), "value")
        if self.tabs.selected_index != step:
            self.tabs.selected_index = step
        self._show_link()
        return self.apps[step]

    def _on_tab(self, change: dict) -> None:
        if change["new"] is not None:
            self.open(int(change["new"]))

    # -- one dataset for every tab -----------------------------------------------

    def set_dataset(self, name: str) -> None:
        """Switch every tab (opened or not) to another shipped dataset, as the chooser does."""
        self.w_dataset.value = name

    def _dataset_changed(self, change: dict) -> None:
        self.dataset = change["new"]
        for app in self.apps:
            if app is not None:
                app._start_dataset = self.dataset
                app.set_dataset(self.dataset)
        self._show_link()

    # -- facilitator controls ----------------------------------------------------

    @property
    def settings(self) -> dict[str, str]:
        """The dataset, the open tab (1-6) and that tab's settings, as a link writes them."""
        step = self.tabs.selected_index or 0
        app = self.apps[step]
        out = dict(app.settings) if app is not None else {}
        out.pop("dataset", None)
        from ._data import dataset_slug

        return {"dataset": dataset_slug(self.dataset), "tab": str(step + 1), **out}

    @property
    def link(self) -> str:
        """A link to this view of the review (see :attr:`MtssApp.link`)."""
        from ._data import page_link

        return page_link({**self._passthrough, **self.settings})

    def _show_link(self) -> None:
        from ._html import link_html

        self.w_link.value = link_html(self.link)

    def open_link(self, params: dict[str, str] | str) -> None:
        """Apply a link's settings: the dataset, the tab (``tab=1`` to ``6``) and that tab's settings."""
        from ._data import dataset_from_query, dataset_names, query_params

        if isinstance(params, str):
            params = query_params(params)
        params = dict(params)
        if "dataset" in params:
            found = dataset_from_query(dataset_names(), urlencode({"dataset": params["dataset"]}))
            if found is not None:
                self._start_dataset = found
                self.set_dataset(found)
        step = 0
        tab = params.pop("tab", None)
        if tab is not None and tab.isdigit() and 1 <= int(tab) <= len(STEPS):
            step = int(tab) - 1
        params.pop("dataset", None)
        self._start_params = {"tab": str(step + 1), **params}
        app = self.open(step)
        if params:
            app.open_link(params)
            self._passthrough = app.link_passthrough
        self._show_link()

    def reset(self) -> None:
        """Start over: the dataset, the tab and every opened tab's choices back to where the page started."""
        if self.dataset != self._start_dataset:
            self.set_dataset(self._start_dataset)
        for app in self.apps:
            if app is not None:
                app._start_params = {}
                app.reset()
        params = dict(self._start_params)
        step = int(params.pop("tab", "1")) - 1
        app = self.open(step)
        if params:
            app.open_link(params)
        self._show_link()

    @property
    def metrics(self) -> dict[str, dict]:
        """The numbers each opened tab shows, by tab title (``app.metrics``)."""
        return {STEPS[i][0]: a.metrics for i, a in enumerate(self.apps) if a is not None}

    @property
    def message(self) -> str:
        """Any message the opened tabs show (empty when all is well)."""
        return " ".join(a.message for a in self.apps if a is not None and a.message)

    @property
    def ui(self) -> W.VBox:
        """The whole review as one ipywidgets box."""
        if not hasattr(self, "_ui"):
            from ._html import style_html

            head = W.HTML(style_html() + (f'<h2 class="mtss-title">{html.escape(self.title)}</h2>'
                                    f'<p class="mtss-purpose">{html.escape(self.purpose)}</p>'
                                    if self._header else ""))
            bar = W.HBox([self.w_dataset, self.w_reset, self.w_link],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
            bar.add_class("mtss-app-bar")
            self._ui = W.VBox([head, bar, self.tabs], layout=W.Layout(width="100%"))
            self._ui.add_class("mtss-app")
            self._ui.add_class("mtss-app-yearreview")
        return self._ui

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)
